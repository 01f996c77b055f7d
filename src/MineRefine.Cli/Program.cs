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
            // An unknown option is an error, not silently ignored: a mistyped flag (--select-metrc) must not
            // quietly run with the default.
            config.UseStrictParsing();

            config.AddCommand<PipelineCommand>("pipeline")
                .WithDescription("Run the whole Mine-and-Refine pipeline (labeler → audit → synthetic queries → stage 1 → " +
                                 "mining → stage 2 → evaluation → calibration → index) with content-hash step skipping; " +
                                 "writes <out>/model, <out>/index, report.html and report.md. Without data it uses the built-in sample.")
                .WithExample("pipeline", "--out", "runs/sample", "--preset", "quick")
                .WithExample("pipeline", "--format", "homedepot", "--products", "data/products.csv.gz",
                    "--judgments", "data/judgments-public.csv.gz", "--out", "runs/hd", "--preset", "quick");

            config.AddCommand<MineCommand>("mine")
                .WithDescription("ANN hard-sample mining with re-labeling: top-k per training query with the stage-1 model, " +
                                 "unjudged pairs graded by the labeler; writes mined.jsonl, union.jsonl and mining.json.")
                .WithExample("mine", "--model", "runs/s1/model", "--labeler", "runs/lab/labeler", "--format", "homedepot",
                    "--products", "data/products.csv.gz", "--judgments", "data/judgments-public.csv.gz", "--out", "runs/mine")
                .WithExample("mine", "--model", "runs/s1/model", "--no-relabel", "--format", "jsonl", "--data", "data/sample",
                    "-k", "100", "--out", "runs/mine-assumed");

            config.AddCommand<AuditCommand>("audit")
                .WithDescription("Engagement-driven label audit: flag label/engagement disagreements per query bucket and " +
                                 "re-judge them (labeler, LLM, or export for human review and re-import).")
                .WithExample("audit", "--format", "jsonl", "--data", "data/sample", "--judge", "labeler:runs/lab/labeler",
                    "--truth", "data/sample/truth.jsonl", "--out", "runs/audit")
                .WithExample("audit", "--format", "jsonl", "--data", "data/sample", "--export", "runs/audit/review.csv", "--out", "runs/audit");

            config.AddCommand<SynthCommand>("synth")
                .WithDescription("Synthetic queries for items without a positive query, every pair graded by the judge.")
                .WithExample("synth", "--format", "jsonl", "--data", "data/sample", "--judge", "labeler:runs/lab/labeler", "--out", "runs/synth");

            config.AddCommand<CropsCommand>("crops")
                .WithDescription("Pseudo-queries cropped from product titles (no labels): a JSONL data set for pre-training a " +
                                 "retriever on a catalog without judgments (train --format jsonl --data OUT).")
                .WithExample("crops", "--format", "jsonl", "--products", "data/catalog/products.jsonl", "--out", "runs/crops")
                .WithExample("crops", "--format", "homedepot", "--products", "data/products.csv.gz",
                    "--judgments", "data/judgments-public.csv.gz", "--count", "6000", "--out", "runs/crops-hd");

            config.AddCommand<SampleCommand>("sample")
                .WithDescription("Generate the built-in sample marketplace: catalog, queries (en/es/de, head/tail, " +
                                 "misspelled), noisy human judgments, noise-free truth and engagement logs (JSONL).")
                .WithExample("sample", "--out", "data/sample")
                .WithExample("sample", "--out", "data/sample-small", "--products", "800", "--queries", "150", "--noise", "0.2", "--seed", "7");

            config.AddCommand<ConvertCommand>("convert")
                .WithDescription("Convert a data set in any supported format (homedepot, wands, esci, jsonl, csv, parquet, sample) " +
                                 "to the MineRefine layout as jsonl, csv or parquet (--to): products, queries, judgments and " +
                                 "engagement, plus a sample folder's qrels truth.jsonl and truth-complete.jsonl as tables truth and " +
                                 "truth-complete of the same format (for eval --qrels); prints the counts and writes run.json.")
                .WithExample("convert", "--format", "sample", "--data", "data/sample", "--to", "csv", "--out", "data/sample-csv")
                .WithExample("convert", "--format", "esci", "--products", "data/esci/products.parquet",
                    "--judgments", "data/esci/examples.parquet", "--to", "parquet", "--skip-bad-rows", "--out", "data/esci-mr");

            config.AddCommand<EncodeCommand>("encode")
                .WithDescription("Encode a catalog with the item tower into <out>/embeddings.bin (+ ids.txt).")
                .WithExample("encode", "--model", "minilm", "--format", "jsonl", "--data", "data/sample", "--out", "runs/emb");

            config.AddBranch("index", index =>
            {
                index.SetDescription("Search index folders for the service.");
                index.AddCommand<IndexBuildCommand>("build")
                    .WithDescription("Encode a catalog with a model and write a search index folder (model, catalog, " +
                                     "embeddings, HNSW index, BM25 index) for 'serve'.")
                    .WithExample("index", "build", "--model", "runs/sample/model", "--format", "jsonl", "--data", "data/sample", "--out", "runs/index")
                    .WithExample("index", "build", "--model", "minilm", "--format", "homedepot", "--products", "data/products.csv.gz",
                        "--judgments", "data/judgments.csv.gz", "--vectors", "hnsw", "--ef", "128", "--out", "runs/hd-index");
                index.AddCommand<IndexPushCommand>("push")
                    .WithDescription("Push an index folder's item embeddings into sharded Garnet vector sets (resumable).")
                    .WithExample("index", "push", "--index", "runs/index", "--garnet", "127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002", "--shards", "3");
                index.AddCommand<IndexVerifyCommand>("verify")
                    .WithDescription("Compare Garnet shard counts (VCARD) and sampled embeddings (VEMB) with an index folder.")
                    .WithExample("index", "verify", "--index", "runs/index", "--garnet", "127.0.0.1:7000", "--shards", "3");
            });

            config.AddCommand<ServeCommand>("serve")
                .WithDescription("Run the hybrid search service (HTTP API, OpenAPI document, web page) over an index folder.")
                .WithExample("serve", "--index", "runs/sample/index")
                .WithExample("serve", "--index", "runs/index", "--urls", "http://127.0.0.1:8080", "--api-key-scope", "admin");

            config.AddCommand<EvalCommand>("eval")
                .WithDescription("Evaluate a retriever on graded judgments: NDCG/Recall/Precision@10/50/100, MRR@10, " +
                                 "the judged-only view (judged@K, condensed ndcg_judged@K), tie-aware NDCG and tied@K, score separation; " +
                                 "writes metrics.json, per_query.csv, run.trec, qrels.trec, run.json.")
                .WithExample("eval", "--format", "homedepot", "--products", "data/products.csv.gz",
                    "--judgments", "data/judgments-public.csv.gz", "--retriever", "bm25", "--out", "runs/bm25")
                .WithExample("eval", "--format", "jsonl", "--data", "data/sample", "--retriever", "bm25",
                    "--k1", "0.9", "-b", "0.4", "--split", "test", "--split-seed", "13", "--out", "runs/bm25-test", "--json");
            config.AddCommand<MergeCommand>("merge")
                .WithDescription("Weight-space average of model folders fine-tuned from one start: a model soup (uniform weights; " +
                                 "e.g. stage-2 seeds from one stage-1 model) or WiSE-FT between the start (train --save-start) and " +
                                 "its fine-tune (--weights 1-α,α; choose α on a dev split). Writes <out>/model.")
                .WithExample("merge", "runs/s2-seed13/model", "runs/s2-seed7/model", "--out", "runs/soup")
                .WithExample("merge", "runs/s1/start/model", "runs/s1/model", "--weights", "0.3,0.7", "--out", "runs/wise-0.7");
            config.AddCommand<ExportCommand>("export")
                .WithDescription("Export a model as a self-contained ONNX graph (both towers, pooling, heads, L2; opset 17) " +
                                 "for ONNX Runtime or any ONNX consumer, and check that it reproduces the model's embeddings. " +
                                 "Writes <out>/model, usable as --model by eval, encode, mine and index build (then served on ONNX Runtime).")
                .WithExample("export", "--model", "runs/sample/model", "--out", "runs/onnx")
                .WithExample("export", "--model", "runs/s1/model", "--to", "onnx", "--out", "runs/s1-onnx", "--json");
            config.AddCommand<CompareCommand>("compare")
                .WithDescription("Paired significance comparison of two eval runs on the same queries: mean A, mean B, " +
                                 "Δ = B − A, paired-bootstrap CI of Δ, sign-flip randomisation p-value, wins/losses/ties " +
                                 "per metric; queries only in one run or skipped in either are counted, not compared. " +
                                 "--show N lists the queries that differ most, with both runs' top hits.")
                .WithExample("compare", "runs/bm25", "runs/s2-eval")
                .WithExample("compare", "runs/bm25", "runs/s2-eval", "--show", "5", "--depth", "10")
                .WithExample("compare", "runs/bm25/per_query.csv", "runs/s2-eval/per_query.csv", "--metric", "ndcg@10",
                    "--metric", "mrr@10", "--resamples", "20000", "--seed", "7", "--json", "--out", "runs/compare.json");
            config.AddCommand<TrainCommand>("train")
                .WithDescription("Train the Siamese model: stage 1 (SupCon) or stage 2 (circle loss on judgments ∪ mined pairs); " +
                                 "writes <out>/model, metrics.jsonl, checkpoints/, run.json.")
                .WithExample("train", "--stage", "1", "--format", "homedepot", "--products", "data/products.csv.gz",
                    "--judgments", "data/judgments-public.csv.gz", "--model", "minilm", "--preset", "quick", "--out", "runs/s1")
                .WithExample("train", "--stage", "2", "--format", "homedepot", "--products", "data/products.csv.gz",
                    "--judgments", "data/judgments-public.csv.gz", "--init", "runs/s1/model", "--mined", "runs/mine/mined.jsonl", "--out", "runs/s2");

            LabelerCommands.Register(config);
        });
        return app;
    }
}
