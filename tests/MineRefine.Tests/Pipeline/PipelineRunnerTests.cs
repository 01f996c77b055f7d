using MineRefine.Data.Sample;
using MineRefine.Pipeline;
using MineRefine.Serving;
using Spectre.Console;

namespace MineRefine.Tests.Pipeline;

/// <summary>The whole pipeline end to end on a small sample marketplace with the tiny random encoder and labeler:
/// every step runs, writes what the later steps and the service need, and a rerun with unchanged inputs skips every
/// step.</summary>
public class PipelineRunnerTests
{
    private static IAnsiConsole Quiet() => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(new StringWriter()), Ansi = AnsiSupport.No, Interactive = InteractionSupport.No,
    });

    [Fact]
    public async Task Tiny_pipeline_runs_end_to_end_and_reruns_skip_unchanged_steps()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mr-pipeline-" + Guid.NewGuid().ToString("N"));
        try
        {
            var options = new PipelineOptions
            {
                OutDir = dir, Model = "tiny", Seed = 5, JudgeTrainingNegatives = true, Stage1LexicalNegatives = 2, Stage1DenseNegatives = 1,
                Stage1InBatchNegatives = true, Stage1TopicClusters = 4, // the served index is the ONNX export by default
                Sample = new SampleOptions { Seed = 5, Products = 300, Queries = 60 },
            };
            var result = await new PipelineRunner(options, Quiet()).RunAsync();

            Assert.All(result.Steps, s => Assert.False(s.Skipped));
            // Both stages select their weights on the judged-only dev metric by default.
            foreach (var stage in new[] { "stage1", "stage2" })
                using (var summary = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "steps", stage, "train_summary.json"))))
                    Assert.Equal("ndcg_judged@10", summary.RootElement.GetProperty("SelectMetric").GetString());
            Assert.Equal(["bm25", "stage 1", "stage 2", "hybrid (stage 2 + bm25)"], result.Systems.Select(s => s.Name));
            Assert.All(result.Systems, s => Assert.InRange(s.Metrics["ndcg@10"], 0.0, 1.0));
            Assert.NotNull(result.Systems.Single(s => s.Name == "stage 2").Separation);
            foreach (var f in new[] { "report.html", "report.md", "run.json", "model/thresholds.json", "model/fusion.json",
                         "model/model.safetensors", "index/index.json", "steps/mine/mined.jsonl", "steps/mine/mining.json",
                         "steps/labeler/test-metrics.json", "steps/audit/audit.json", "plots/stage2.png",
                         "steps/export-onnx/export.json", "steps/export-onnx/model/model.onnx", "steps/export-onnx/model/thresholds.json" })
                Assert.True(File.Exists(Path.Combine(dir, f)), f);
            // By default the served index holds the parity-checked ONNX export, so the service encodes on ONNX Runtime.
            Assert.True(MineRefine.Modeling.Onnx.OnnxExporter.IsOnnxFolder(Path.Combine(result.IndexDir, SearchIndex.ModelDir)));
            using (var parity = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "steps", "export-onnx", "export.json"))))
                Assert.True(parity.RootElement.GetProperty("passed").GetBoolean());
            // The pipeline's own inference ran on checked ONNX copies too: the labeler (audit, synthetic queries, mining,
            // stage 2's judge) and the stage-1 / stage-2 models (mining, evaluation, calibration), in pipeline order.
            Assert.Equal(["onnx-labeler", "audit", "synthetic", "stage1", "onnx-stage1", "mine", "stage2", "onnx-stage2"],
                result.Steps.Select(s => s.Name).SkipWhile(n => n != "onnx-labeler").TakeWhile(n => n != "evaluate"));
            foreach (var step in new[] { "onnx-labeler", "onnx-stage1", "onnx-stage2" })
                using (var parity = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "steps", step, "export.json"))))
                    Assert.True(parity.RootElement.GetProperty("passed").GetBoolean(), step);
            Assert.True(MineRefine.Modeling.Onnx.OnnxExporter.IsOnnxFolder(Path.Combine(dir, "steps", "onnx-stage2", "model")));
            Assert.True(File.Exists(Path.Combine(dir, "steps", "onnx-labeler", "labeler", "model.onnx")));
            // ... and gave what TorchSharp gives: stage 2 evaluated again here from its TorchSharp folder.
            using (var torch = MineRefine.Modeling.EmbedderFactory.Open(Path.Combine(dir, "steps", "stage2", "model")))
            {
                var data = MineRefine.Data.DatasetLoader.Load(new MineRefine.Data.DataSourceOptions { Format = "jsonl", DataDir = Path.Combine(dir, "steps", "data") });
                var test = MineRefine.Data.Import.JsonlFormat.ReadJudgments(Path.Combine(dir, "steps", "split", "test.jsonl"));
                using var dense = new MineRefine.Retrieval.Dense.DenseRetriever(torch, data.Products.Select(p => p.Id).ToList(),
                    torch.ItemFormatter.Format(data.Products));
                double torchNdcg = new MineRefine.Evaluation.RetrievalEvaluator().Evaluate("stage 2", dense, data, test).Metrics["ndcg@10"]!.Value;
                Assert.Equal(torchNdcg, result.Systems.Single(s => s.Name == "stage 2").Metrics["ndcg@10"], 6);
            }
            // --in-batch-negatives reached stage 1 (and only stage 1).
            Assert.Contains("\"in_batch_negatives\"", File.ReadAllText(Path.Combine(dir, "steps", "stage1", "metrics.jsonl")));
            Assert.DoesNotContain("\"in_batch_negatives\"", File.ReadAllText(Path.Combine(dir, "steps", "stage2", "metrics.jsonl")));
            // The labeler trained with one random grade-0 pair per query, and was checked on random test pairs.
            using (var lab = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "steps", "labeler", "train-result.json"))))
                Assert.True(lab.RootElement.GetProperty("train_random_negative_pairs").GetInt32() > 0);
            using (var rp = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "steps", "labeler", "test-random-pairs.json"))))
                Assert.True(rp.RootElement.GetProperty("pairs").GetInt32() > 0);
            // Stage 1 drew lexical hard negatives from each training query's BM25 top list (--lexical-negatives 2).
            using (var summary = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "steps", "stage1", "train_summary.json"))))
            {
                var s1 = summary.RootElement;
                Assert.True(s1.GetProperty("QueriesWithLexicalNegatives").GetInt32() > 0);
                Assert.InRange(s1.GetProperty("LexicalNegatives").GetInt32(), s1.GetProperty("QueriesWithLexicalNegatives").GetInt32(),
                    2 * s1.GetProperty("QueriesWithLexicalNegatives").GetInt32());
                // ... and one dense hard negative per instance from the start model's own top list (--dense-negatives 1),
                // with the start model's catalog embeddings cached in the step folder.
                Assert.True(s1.GetProperty("QueriesWithDenseNegatives").GetInt32() > 0);
                Assert.True(s1.GetProperty("DenseNegatives").GetInt32() >= s1.GetProperty("QueriesWithDenseNegatives").GetInt32());
                Assert.True(Directory.Exists(Path.Combine(dir, "steps", "stage1", "cache")));
                // ... and drew its batches from 4 clusters of training queries (--topic-batches 4).
                Assert.Equal(4, s1.GetProperty("TopicClusters").GetInt32());
                Assert.Equal(4, File.ReadAllLines(Path.Combine(dir, "steps", "stage1", MineRefine.Training.SiameseTrainer.TopicClustersFileName)).Length);
            }
            // Stage 2 had the labeler grade its top-scoring random negatives (--judge-negatives).
            using (var summary = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "steps", "stage2", "train_summary.json"))))
            {
                var s2 = summary.RootElement;
                Assert.StartsWith("cross-encoder:", s2.GetProperty("Judge").GetString());
                long steps = s2.GetProperty("StepsDone").GetInt64();
                Assert.InRange(s2.GetProperty("JudgedRandomNegatives").GetInt64(), steps * 8, steps * 16 * 8); // 8 per instance, batch ≤ 16
            }
            string report = File.ReadAllText(Path.Combine(dir, "report.md"));
            Assert.Contains("hybrid (stage 2 + bm25)", report);
            Assert.Contains("Labeler confusion matrix", report);
            // On the sample the same systems are also graded against the complete truth.
            Assert.Contains("against the complete truth", report);
            Assert.Contains("Served model: ONNX export", report); // the export's parity check, for the reader
            Assert.Contains("Inference on ONNX Runtime", report);
            Assert.Contains("Test queries where stage 2 differs most from BM25 (ndcg@10), with both top 5", report);
            Assert.Contains("Judged-only view of the test split", report);
            foreach (var system in result.Systems)
            {
                // Each row carries the system's own values; condensed NDCG is never below plain NDCG (same ideal DCG,
                // the judged items only move up).
                double plain = system.Metrics["ndcg@10"], condensed = system.Metrics["ndcg_judged@10"], judged = system.Metrics["judged@10"];
                Assert.InRange(condensed, plain - 1e-12, 1.0);
                Assert.InRange(judged, 0.0, 1.0);
                string F(double v) => v.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture);
                Assert.Contains($"| {system.Name} | {F(judged)} | {F(plain)} | {F(condensed)} |", report);
            }
            var complete = Directory.GetFiles(Path.Combine(dir, "steps", "evaluate-complete"), "metrics.json", SearchOption.AllDirectories);
            Assert.Equal(4, complete.Length);

            // The index serves searches.
            using (var engine = SearchIndex.Open(result.IndexDir))
            {
                var response = engine.Search("headphones", 5, SearchMode.Hybrid, null);
                Assert.Equal(5, response.Results.Count);
                Assert.All(response.Results, r => Assert.NotNull(r.Tier));
            }

            // A rerun with the same inputs and options redoes nothing.
            var again = await new PipelineRunner(options, Quiet()).RunAsync();
            Assert.All(again.Steps, s => Assert.True(s.Skipped, s.Name));
            Assert.Equal(result.Systems.Select(s => s.Metrics["ndcg@10"]), again.Systems.Select(s => s.Metrics["ndcg@10"]));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task A_pipeline_on_the_users_own_csv_files_runs_and_reruns_what_a_changed_input_file_affects()
    {
        // What a search team does: its catalog, queries and labels as CSV tables (--format csv --data DIR).
        string dir = Path.Combine(Path.GetTempPath(), "mr-pipeline-csv-" + Guid.NewGuid().ToString("N"));
        string data = Path.Combine(dir, "data"), outDir = Path.Combine(dir, "run");
        try
        {
            var market = SampleMarketplaceGenerator.Generate(new SampleOptions { Seed = 9, Products = 200, Queries = 40 });
            MineRefine.Data.Import.DatasetWriter.Write(market.Data, data, MineRefine.Data.DatasetFileFormat.Csv);
            PipelineOptions Options(Dictionary<string, string>? columns = null) => new()
            {
                OutDir = outDir, Model = "tiny", Seed = 9, Synthetic = false, Stage1MaxSteps = 4, Stage2MaxSteps = 3,
                Onnx = false, // pipeline --no-onnx: the index serves the TorchSharp model folder
                Data = new MineRefine.Data.DataSourceOptions { Format = "csv", DataDir = data, Columns = columns ?? [] },
            };
            var first = await new PipelineRunner(Options(), Quiet()).RunAsync();
            Assert.DoesNotContain(first.Steps, s => s.Name == "data"); // no sample is generated for user data
            Assert.DoesNotContain(first.Steps, s => s.Name == "export-onnx" || s.Name.StartsWith("onnx-", StringComparison.Ordinal));
            Assert.False(MineRefine.Modeling.Onnx.OnnxExporter.IsOnnxFolder(Path.Combine(first.IndexDir, SearchIndex.ModelDir)));
            Assert.True(File.Exists(Path.Combine(first.IndexDir, SearchIndex.ModelDir, "model.safetensors")));
            Assert.Equal(["bm25", "stage 1", "stage 2", "hybrid (stage 2 + bm25)"], first.Systems.Select(s => s.Name));
            Assert.False(Directory.Exists(Path.Combine(outDir, "steps", "evaluate-complete"))); // sample only
            Assert.Contains(data, File.ReadAllText(Path.Combine(outDir, "run.json"))); // the input is recorded (and hashed)

            // Unchanged files: nothing runs again.
            var same = await new PipelineRunner(Options(), Quiet()).RunAsync();
            Assert.All(same.Steps, s => Assert.True(s.Skipped, s.Name));

            // One judgment's grade changed in judgments.csv: the split and everything trained on it run again.
            string judgments = Path.Combine(data, "judgments.csv");
            var lines = File.ReadAllLines(judgments);
            string[] cells = lines[1].Split(',');
            Assert.Equal("grade", lines[0].Split(',')[2]);
            cells[2] = cells[2] == "2" ? "0" : "2";
            lines[1] = string.Join(',', cells);
            File.WriteAllLines(judgments, lines);
            var changed = await new PipelineRunner(Options(), Quiet()).RunAsync();
            var byName = changed.Steps.ToDictionary(s => s.Name);
            foreach (var step in new[] { "split", "labeler", "stage1", "stage2" })
                Assert.False(byName[step].Skipped, step);

            string splitBefore = File.ReadAllText(Path.Combine(outDir, "steps", "split", "train.jsonl"));
            // The grade column renamed in the file and read through --column judgments.grade=label: the same data, so
            // (the input file having changed, everything runs again) the same results.
            lines[0] = lines[0].Replace("grade", "label");
            File.WriteAllLines(judgments, lines);
            var renamed = await new PipelineRunner(Options(new() { ["judgments.grade"] = "label" }), Quiet()).RunAsync();
            Assert.False(renamed.Steps.Single(s => s.Name == "split").Skipped);
            Assert.Equal(splitBefore, File.ReadAllText(Path.Combine(outDir, "steps", "split", "train.jsonl")));
            Assert.Equal(changed.Systems.Select(s => (s.Name, s.Metrics["ndcg@10"])), renamed.Systems.Select(s => (s.Name, s.Metrics["ndcg@10"])));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    /// <summary>Cancels <see cref="Source"/> as soon as the text written so far contains <c>marker</c>: the pipeline
    /// writes its "stage 1: …" line just before the trainer starts, so the stop lands at a known point.</summary>
    private sealed class CancelOnText(string marker) : StringWriter
    {
        public CancellationTokenSource Source { get; } = new();
        public override void Write(char value) { base.Write(value); Check(); }
        public override void Write(string? value) { base.Write(value); Check(); }
        public override void Write(char[] buffer, int index, int count) { base.Write(buffer, index, count); Check(); }
        private void Check()
        {
            if (!Source.IsCancellationRequested && ToString().Contains(marker, StringComparison.Ordinal)) Source.Cancel();
        }
    }

    [Fact]
    public async Task A_stopped_pipeline_continues_training_from_its_checkpoint_when_run_again()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mr-pipeline-resume-" + Guid.NewGuid().ToString("N"));
        string reference = dir + "-uninterrupted";
        try
        {
            PipelineOptions Options(string outDir) => new()
            {
                OutDir = outDir, Model = "tiny", Seed = 8, Synthetic = false, Stage1MaxSteps = 6, Stage2MaxSteps = 4,
                Sample = new SampleOptions { Seed = 8, Products = 200, Queries = 40 },
            };
            // Stop: Ctrl+C just as stage 1 starts. The trainer finishes its first step, writes a checkpoint and stops.
            var stopper = new CancelOnText("stage 1: label-aware");
            var console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(stopper), Ansi = AnsiSupport.No, Interactive = InteractionSupport.No,
            });
            var stop = await Assert.ThrowsAsync<StepInterruptedException>(() => new PipelineRunner(Options(dir), console).RunAsync(stopper.Source.Token));
            Assert.Contains("stage 1 was interrupted at step 1", stop.Message);
            string stage1 = Path.Combine(dir, "steps", "stage1");
            Assert.NotEmpty(Directory.GetDirectories(Path.Combine(stage1, "checkpoints")));
            Assert.False(File.Exists(Path.Combine(stage1, ".step.json")));

            // Run again: the finished steps are skipped, stage 1 continues from step 1, everything after it runs.
            var resumed = await new PipelineRunner(Options(dir), Quiet()).RunAsync();
            var byName = resumed.Steps.ToDictionary(s => s.Name);
            Assert.True(byName["labeler"].Skipped);
            Assert.True(byName["stage1"].Resumed && !byName["stage1"].Skipped);
            Assert.False(byName["stage2"].Resumed || byName["stage2"].Skipped);
            using (var summary = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(stage1, "train_summary.json"))))
            {
                Assert.Equal(1, summary.RootElement.GetProperty("ResumedFromStep").GetInt64());
                long done = summary.RootElement.GetProperty("StepsDone").GetInt64();
                Assert.True(done > 1, $"stage 1 took {done} steps");
                Assert.Equal(summary.RootElement.GetProperty("TotalSteps").GetInt64(), done);
            }

            // And it ends where an uninterrupted run of the same command ends.
            var whole = await new PipelineRunner(Options(reference), Quiet()).RunAsync();
            Assert.Equal(whole.Systems.Select(s => (s.Name, s.Metrics["ndcg@10"])), resumed.Systems.Select(s => (s.Name, s.Metrics["ndcg@10"])));
            Assert.Equal(File.ReadAllBytes(Path.Combine(reference, "steps", "stage1", "model", "model.safetensors")),
                File.ReadAllBytes(Path.Combine(stage1, "model", "model.safetensors")));
        }
        finally
        {
            foreach (var d in new[] { dir, reference })
                if (Directory.Exists(d)) Directory.Delete(d, true);
        }
    }
}
