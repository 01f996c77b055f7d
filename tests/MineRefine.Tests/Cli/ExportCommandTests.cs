using System.Text.Json.Nodes;
using MineRefine.Modeling;
using MineRefine.Modeling.Onnx;
using MineRefine.Retrieval.Dense;
using MineRefine.Retrieval.Hybrid;
using MineRefine.Serving;
using MineRefine.Training;

namespace MineRefine.Tests.Cli;

public class ExportCommandTests
{
    [Fact]
    public void Export_writes_a_checked_onnx_folder_that_encode_eval_and_the_index_use()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mr-export-" + Guid.NewGuid().ToString("N"));
        try
        {
            string data = Path.Combine(dir, "data"), model = Path.Combine(dir, "model"), export = Path.Combine(dir, "export");
            Assert.Equal(0, CliRunner.Run("sample", "--out", data, "--products", "200", "--queries", "30").Code);
            using (var m = TrainModelFactory.Create("tiny", 3)) m.Save(model);
            // A calibrated model folder (as the pipeline writes it) carries its thresholds and fusion settings.
            new GradeThresholds { Exact = 0.7, Partial = 0.4 }.Save(Path.Combine(model, SearchIndex.ThresholdsFile));
            new FusionOptions { DenseWeight = 0.6, Bm25Weight = 0.4 }.Save(Path.Combine(model, SearchIndex.FusionFile));

            var r = CliRunner.Run("export", "--model", model, "--out", export, "--json");
            Assert.True(r.Code == 0, r.Err);
            string onnxDir = Path.Combine(export, "model");
            Assert.True(OnnxExporter.IsOnnxFolder(onnxDir));
            var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(export, "export.json")))!;
            Assert.True(summary["parity"]!["passed"]!.GetValue<bool>());
            Assert.True(summary["parity"]!["item_max_abs_diff"]!.GetValue<double>() < 1e-4);
            Assert.True(File.Exists(Path.Combine(export, "run.json")));
            Assert.Contains("\"onnx_model\"", r.Out);
            foreach (var f in new[] { SearchIndex.ThresholdsFile, SearchIndex.FusionFile })
                Assert.Equal(File.ReadAllText(Path.Combine(model, f)), File.ReadAllText(Path.Combine(onnxDir, f)));

            // encode: the ONNX folder gives the torch model's item embeddings.
            Assert.Equal(0, CliRunner.Run("encode", "--format", "jsonl", "--data", data, "--model", model, "--out", Path.Combine(dir, "emb-torch")).Code);
            Assert.Equal(0, CliRunner.Run("encode", "--format", "jsonl", "--data", data, "--model", onnxDir, "--out", Path.Combine(dir, "emb-onnx")).Code);
            var a = EmbeddingFile.TryRead(Path.Combine(dir, "emb-torch", "embeddings.bin"), out _, out _)!;
            var b = EmbeddingFile.TryRead(Path.Combine(dir, "emb-onnx", "embeddings.bin"), out _, out _)!;
            Assert.Equal(a.Count, b.Count);
            Assert.True(a.Data.Zip(b.Data).Max(p => Math.Abs(p.First - p.Second)) < 1e-5);

            // eval: the same ranking quality.
            double Ndcg(string m, string name)
            {
                var e = CliRunner.Run("eval", "--format", "jsonl", "--data", data, "--retriever", "dense", "--model", m, "--out", Path.Combine(dir, name));
                Assert.True(e.Code == 0, e.Err);
                return JsonNode.Parse(File.ReadAllText(Path.Combine(dir, name, "metrics.json")))!["metrics"]!["ndcg@10"]!.GetValue<double>();
            }
            Assert.Equal(Ndcg(model, "ev-torch"), Ndcg(onnxDir, "ev-onnx"), 3);

            // index build + open: the service encodes queries on ONNX Runtime.
            string index = Path.Combine(dir, "index");
            var ib = CliRunner.Run("index", "build", "--model", onnxDir, "--format", "jsonl", "--data", data, "--out", index);
            Assert.True(ib.Code == 0, ib.Err);
            Assert.True(OnnxExporter.IsOnnxFolder(Path.Combine(index, SearchIndex.ModelDir)));
            using var engine = SearchIndex.Open(index);
            Assert.Equal(5, engine.Search("headphones", 5, SearchMode.Dense, null).Results.Count);
            // … with the calibrated tiers of the model it was exported from.
            Assert.All(engine.Search("headphones", 5, SearchMode.Hybrid, null).Results, x => Assert.NotNull(x.Tier));

            // mine: retrieval for mining runs on the export too.
            var mine = CliRunner.Run("mine", "--model", onnxDir, "--no-relabel", "-k", "20", "--format", "jsonl", "--data", data,
                "--out", Path.Combine(dir, "mine"));
            Assert.True(mine.Code == 0, mine.Err);
            Assert.NotEmpty(File.ReadAllLines(Path.Combine(dir, "mine", "mined.jsonl")));

            // A check that fails (a tolerance below fp32 noise) fails the command and says not to use the folder.
            Assert.True(summary["parity"]!["query_max_abs_diff"]!.GetValue<double>() > 1e-12);
            var strict = CliRunner.Run("export", "--model", model, "--out", Path.Combine(dir, "strict"), "--tolerance", "1e-12");
            Assert.Equal(1, strict.Code);
            Assert.Contains("does not reproduce the model", strict.Err + strict.Out);
            Assert.False(JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "strict", "export.json")))!["parity"]!["passed"]!.GetValue<bool>());

            // Refusals: an ONNX folder cannot be exported again, and onnx is the only target.
            var again = CliRunner.Run("export", "--model", onnxDir, "--out", Path.Combine(dir, "x"));
            Assert.NotEqual(0, again.Code);
            Assert.Contains("already an ONNX model folder", again.Err + again.Out);
            var hf = CliRunner.Run("export", "--model", model, "--to", "safetensors", "--out", Path.Combine(dir, "y"));
            Assert.NotEqual(0, hf.Code);
            Assert.Contains("only export format is 'onnx'", hf.Err + hf.Out);
            // Training cannot start from it (the message says why).
            var train = CliRunner.Run("train", "--stage", "1", "--model", onnxDir, "--format", "jsonl", "--data", data, "--out", Path.Combine(dir, "t"));
            Assert.NotEqual(0, train.Code);
            Assert.Contains("ONNX model folder", train.Err + train.Out);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }
}
