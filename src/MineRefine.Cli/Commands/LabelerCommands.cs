using Spectre.Console.Cli;

namespace MineRefine.Cli.Commands;

/// <summary>Registers <c>labeler train</c>, <c>labeler eval</c> and <c>label</c> with their help examples.</summary>
public static class LabelerCommands
{
    /// <summary>Adds the commands to <paramref name="config"/>.</summary>
    public static void Register(IConfigurator config)
    {
        config.AddBranch("labeler", labeler =>
        {
            labeler.SetDescription("Train and evaluate the cross-encoder relevance labeler (query, item) → grade 0/1/2 (paper §2).");
            labeler.AddCommand<LabelerTrainCommand>("train")
                .WithDescription("Fine-tune the MiniLM cross-encoder on human judgments; writes <out>/labeler, metrics.jsonl, dev-metrics.json, run.json.")
                .WithExample("labeler", "train", "--format", "homedepot", "--products", "data/products.csv.gz",
                    "--judgments", "data/judgments-public.csv.gz", "--out", "runs/labeler", "--preset", "quick")
                .WithExample("labeler", "train", "--format", "sample", "--data", "data/sample", "--tiny", "--out", "runs/tiny-labeler", "--seed", "7")
                .WithExample("labeler", "train", "--format", "homedepot", "--products", "data/products.csv.gz",
                    "--judgments", "data/judgments-public.csv.gz", "--out", "runs/labeler", "--preset", "full", "--resume");
            labeler.AddCommand<LabelerEvalCommand>("eval")
                .WithDescription("Grade every judged pair with a labeler and compare with the human grades: accuracy, within-1, macro-F1, ECE, confusion; writes metrics.json, predictions.jsonl, run.json.")
                .WithExample("labeler", "eval", "--labeler", "runs/labeler/labeler", "--format", "homedepot", "--products", "data/products.csv.gz",
                    "--judgments", "data/judgments-heldout.csv.gz", "--out", "runs/labeler-eval")
                .WithExample("labeler", "eval", "--labeler", "runs/labeler/labeler", "--format", "sample", "--data", "data/sample",
                    "--split", "test", "--out", "runs/labeler-eval", "--json");
        });
        config.AddCommand<LabelCommand>("label")
            .WithDescription("Grade (query, product) pairs from a JSONL/CSV file with a trained labeler; writes labels.jsonl (grade, probabilities, expected grade, source) and run.json.")
            .WithExample("label", "--labeler", "runs/labeler/labeler", "--pairs", "pairs.jsonl", "--format", "homedepot",
                "--products", "data/products.csv.gz", "--judgments", "data/judgments-public.csv.gz", "--out", "runs/labels")
            .WithExample("label", "--labeler", "runs/labeler/labeler", "--pairs", "pairs.csv", "--format", "sample", "--data", "data/sample",
                "--out", "runs/labels", "--cache", "runs/labels-cache.jsonl");
    }
}
