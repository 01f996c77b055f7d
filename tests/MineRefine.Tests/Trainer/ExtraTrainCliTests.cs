using System.Text.Json;
using MineRefine.Data.Sample;
using MineRefine.Labeling.CrossEncoder;
using MineRefine.Tests.Cli;

namespace MineRefine.Tests.Trainer;

/// <summary><c>train --extra-train DIR</c> and <c>mine --extra-train DIR</c>: the output of <c>synth</c> feeds the
/// stand-alone stages, as it feeds stage 1 and mining inside <c>pipeline</c>.</summary>
public sealed class ExtraTrainCliTests
{
    private static JsonElement Notes(string dir) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "run.json"))).RootElement.GetProperty("notes");

    [Fact]
    public void Synth_output_joins_training_and_mining_and_bad_folders_are_refused()
    {
        string data = TrainerTestUtil.TempDir(), synth = TrainerTestUtil.TempDir(), plain = TrainerTestUtil.TempDir(),
            extra = TrainerTestUtil.TempDir(), mine = TrainerTestUtil.TempDir(), bad = TrainerTestUtil.TempDir(), lab = TrainerTestUtil.TempDir();
        try
        {
            // More products than queries, so that about a quarter of the catalog has no positive query to learn from.
            var sample = SampleMarketplaceGenerator.Generate(new SampleOptions { Seed = 5, Products = 400, Queries = 80, Engagement = false });
            sample.WriteTo(data);
            string[] source = ["--format", "sample", "--data", data];
            using (var pkg = CrossEncoderPackage.CreateTiny(seed: 4)) pkg.Save(lab); // an untrained judge: its grades are arbitrary but fixed
            var rs = CliRunner.Run([.. new[] { "synth", "--judge", "labeler:" + lab, "--max-share", "0.3", "--out", synth }, .. source]);
            Assert.True(rs.Code == 0, rs.Err + rs.Out);
            var synthQueries = File.ReadLines(Path.Combine(synth, "queries.jsonl"))
                .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()!).ToHashSet();
            Assert.NotEmpty(synthQueries);
            int synthJudgments = File.ReadLines(Path.Combine(synth, "judgments.jsonl")).Count();
            // synth learns from the training split by default: no synthetic text repeats any real query, dev and test included,
            // and `--split all` (every judgment is a positive source) leaves no more items without a positive than the train split.
            Assert.Equal("train", Notes(synth).GetProperty("split").GetString());
            var realTexts = sample.Data.Queries.Select(q => MineRefine.Text.TextNormalizer.NormalizeQuery(q.Text)).ToHashSet();
            Assert.DoesNotContain(File.ReadLines(Path.Combine(synth, "queries.jsonl")),
                l => realTexts.Contains(JsonDocument.Parse(l).RootElement.GetProperty("text").GetString()!));
            string synthAll = Path.Combine(bad, "synth-all");
            var ra = CliRunner.Run([.. new[] { "synth", "--judge", "labeler:" + lab, "--max-share", "0.3", "--split", "all", "--out", synthAll }, .. source]);
            Assert.True(ra.Code == 0, ra.Err + ra.Out);
            static int WithoutPositive(string dir) =>
                JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "synthetic.json"))).RootElement.GetProperty("items_without_positive").GetInt32();
            Assert.True(WithoutPositive(synth) > WithoutPositive(synthAll), $"{WithoutPositive(synth)} vs {WithoutPositive(synthAll)}");
            var badSplit = CliRunner.Run([.. new[] { "synth", "--judge", "labeler:" + lab, "--split", "test", "--out", synthAll }, .. source]);
            Assert.NotEqual(0, badSplit.Code);
            Assert.Contains("Unknown --split 'test'", badSplit.Err + badSplit.Out);

            string[] train = ["train", "--stage", "1", "--tiny", "--max-steps", "2", "--batch-size", "8", "--eval-every", "0",
                "--dev-catalog", "300", "--max-query-len", "16", "--max-item-len", "32", "--checkpoint-every", "0", "--seed", "3", .. source];
            var r0 = CliRunner.Run([.. train, "--out", plain]);
            Assert.True(r0.Code == 0, r0.Err + r0.Out);
            var r1 = CliRunner.Run([.. train, "--extra-train", synth, "--out", extra]);
            Assert.True(r1.Code == 0, r1.Err + r1.Out);
            Assert.Contains($"{synthQueries.Count:N0} queries, {synthJudgments:N0} judgments", r1.Out);
            Assert.Contains("training split only", r1.Out);

            var notes = Notes(extra);
            var e = Assert.Single(notes.GetProperty("extra_train").EnumerateArray());
            Assert.Equal(synthQueries.Count, e.GetProperty("queries").GetInt32());
            Assert.Equal(synthJudgments, e.GetProperty("judgments").GetInt32());
            // Every synthetic query with a positive becomes an instance of its own (the ones without are counted as skipped).
            int plainInstances = Notes(plain).GetProperty("result").GetProperty("instances").GetInt32();
            int extraInstances = notes.GetProperty("result").GetProperty("instances").GetInt32();
            Assert.InRange(extraInstances, plainInstances + 1, plainInstances + synthQueries.Count);
            // The dev split is the same: the extra queries are never in it.
            Assert.Equal(Notes(plain).GetProperty("result").GetProperty("dev_queries").GetInt32(), notes.GetProperty("result").GetProperty("dev_queries").GetInt32());
            var inputs = JsonDocument.Parse(File.ReadAllText(Path.Combine(extra, "run.json"))).RootElement.GetProperty("inputs").GetRawText();
            Assert.Contains("judgments.jsonl", inputs);
            Assert.Contains(synth.Replace("\\", "\\\\"), inputs);

            // Mining covers the extra queries too (the pipeline mines train ∪ synthetic queries).
            var rm = CliRunner.Run([.. new[] { "mine", "--model", Path.Combine(extra, "model"), "--no-relabel", "-k", "10", "--extra-train", synth, "--out", mine }, .. source]);
            Assert.True(rm.Code == 0, rm.Err + rm.Out);
            var minedQueries = File.ReadLines(Path.Combine(mine, "mined.jsonl"))
                .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("query_id").GetString()!).ToHashSet();
            Assert.NotEmpty(minedQueries.Intersect(synthQueries));

            // A folder that does not exist, and one that grades a real query, are refused before any training.
            var missing = CliRunner.Run([.. train, "--extra-train", Path.Combine(bad, "nope"), "--out", bad]);
            Assert.NotEqual(0, missing.Code);
            Assert.Contains("--extra-train: folder", missing.Err + missing.Out);
            string realQuery = sample.Data.Queries[0].Id;
            File.WriteAllText(Path.Combine(bad, "queries.jsonl"), $"{{\"id\":\"{realQuery}\",\"text\":\"x\"}}\n");
            File.WriteAllText(Path.Combine(bad, "judgments.jsonl"), "");
            var clash = CliRunner.Run([.. train, "--extra-train", bad, "--out", Path.Combine(bad, "out")]);
            Assert.NotEqual(0, clash.Code);
            Assert.Contains($"queries.jsonl:1: field 'id': query id '{realQuery}' is already a query of the data set", clash.Err + clash.Out);
            Assert.False(Directory.Exists(Path.Combine(bad, "out", "model")));
        }
        finally
        {
            foreach (var d in new[] { data, synth, plain, extra, mine, bad, lab }) TrainerTestUtil.Delete(d);
        }
    }
}
