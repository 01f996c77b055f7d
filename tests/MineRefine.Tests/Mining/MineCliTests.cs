using System.Text.Json;
using MineRefine.Labeling.CrossEncoder;
using MineRefine.Tests.Cli;
using MineRefine.Tests.Trainer;

namespace MineRefine.Tests.Mining;

/// <summary><c>minerefine mine</c> with a cross-encoder labeler end to end: the grades go to a persistent cache in the
/// output folder, and a second run (as after a crash) reuses them instead of grading again.</summary>
public sealed class MineCliTests
{
    private static Dictionary<(string, string), int> Grades(string minedJsonl) =>
        File.ReadLines(minedJsonl).Select(l => JsonSerializer.Deserialize<JsonElement>(l))
            .ToDictionary(e => (e.GetProperty("query_id").GetString()!, e.GetProperty("product_id").GetString()!), e => e.GetProperty("grade").GetInt32());

    [Fact]
    public void Mining_grades_into_a_persistent_cache_that_a_second_run_reuses()
    {
        string data = TrainerTestUtil.TempDir(), s1 = TrainerTestUtil.TempDir(), lab = TrainerTestUtil.TempDir(), mine = TrainerTestUtil.TempDir();
        try
        {
            TrainerTestUtil.Sample.Value.WriteTo(data);
            string[] source = ["--format", "sample", "--data", data];
            var r1 = CliRunner.Run([.. new[] { "train", "--stage", "1", "--tiny", "--max-steps", "2", "--batch-size", "8", "--eval-every", "0",
                "--dev-catalog", "300", "--checkpoint-every", "0", "--out", s1 }, .. source]);
            Assert.True(r1.Code == 0, r1.Err + r1.Out);
            using (var pkg = CrossEncoderPackage.CreateTiny(seed: 4)) pkg.Save(lab);

            string[] mineArgs = ["mine", .. source, "--model", Path.Combine(s1, "model"), "--labeler", lab, "-k", "20",
                "--max-queries", "6", "--max-labels-per-query", "5", "--out", mine];
            var first = CliRunner.Run(mineArgs);
            Assert.True(first.Code == 0, first.Err + first.Out);
            string cache = Path.Combine(mine, "labeler-cache.jsonl");
            var graded = File.ReadAllLines(cache);
            Assert.InRange(graded.Length, 1, 6 * 5);      // every newly graded pair, once
            var mined = Grades(Path.Combine(mine, "mined.jsonl"));

            var second = CliRunner.Run(mineArgs);
            Assert.True(second.Code == 0, second.Err + second.Out);
            Assert.Contains($"{graded.Length:N0} pairs already graded", second.Out + second.Err);
            // Append-only and every pair once: the second run took the first run's grades and did not grade them again.
            // (Retrieval scores may differ in the last float digit between runs, so a near-tie at rank k could add a
            // pair; the graded pairs they share must agree.)
            var after = File.ReadAllLines(cache);
            Assert.Equal(graded, after.Take(graded.Length));
            Assert.Equal(after.Length, after.Select(l => JsonSerializer.Deserialize<JsonElement>(l).GetProperty("key").GetString()).Distinct().Count());
            var again = Grades(Path.Combine(mine, "mined.jsonl"));
            Assert.NotEmpty(mined.Keys.Intersect(again.Keys));
            foreach (var k in mined.Keys.Intersect(again.Keys)) Assert.Equal(mined[k], again[k]);
        }
        finally
        {
            foreach (var d in new[] { data, s1, lab, mine })
                if (Directory.Exists(d)) Directory.Delete(d, true);
        }
    }
}
