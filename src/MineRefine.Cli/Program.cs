using MineRefine.Cli.Commands;
using MineRefine.Cli.Infrastructure;
using Spectre.Console.Cli;

namespace MineRefine.Cli;

/// <summary>Entry point of the <c>minerefine</c> command-line tool.</summary>
public static class Program
{
    /// <summary>Runs the tool on the process console.</summary>
    public static int Main(string[] args) => Run(args, CliEnvironment.FromProcess());

    /// <summary>Runs the tool with the given consoles (used by tests to run it in-process).</summary>
    public static int Run(IEnumerable<string> args, CliEnvironment env) => BuildApp(env).Run(args);

    /// <summary>Builds the command app: every command, its help examples, and the shared error handling.</summary>
    public static CommandApp BuildApp(CliEnvironment env)
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("minerefine");
            config.ConfigureConsole(env.Console);
            config.Settings.Registrar.RegisterInstance(env);
            config.SetExceptionHandler((ex, _) => ErrorHandling.Handle(ex, env));
            config.ValidateExamples();

            config.AddCommand<EvalCommand>("eval")
                .WithDescription("Evaluate a retriever on graded judgments: NDCG/Recall/Precision@10/50/100, MRR@10, " +
                                 "score separation; writes metrics.json, per_query.csv, run.trec, qrels.trec, run.json.")
                .WithExample("eval", "--format", "homedepot", "--products", "data/products.csv.gz",
                    "--judgments", "data/judgments-public.csv.gz", "--retriever", "bm25", "--out", "runs/bm25")
                .WithExample("eval", "--format", "jsonl", "--data", "data/sample", "--retriever", "bm25",
                    "--k1", "0.9", "-b", "0.4", "--split", "test", "--split-seed", "13", "--out", "runs/bm25-test", "--json");
            LabelerCommands.Register(config);
        });
        return app;
    }
}
