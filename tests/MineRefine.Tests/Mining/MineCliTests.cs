using MineRefine.Cli;
using MineRefine.Cli.Infrastructure;
using MineRefine.Labeling.CrossEncoder;
using MineRefine.Tests.Trainer;

namespace MineRefine.Tests.Mining;

/// <summary><c>minerefine mine</c> with a cross-encoder labeler end to end: the grades go to a persistent cache in the
/// output folder, and a second run (as after a crash) reuses them instead of grading again.</summary>
public sealed class MineCliTests
{
    private static (int Code, string Out, string Err) Cli(params string[] args)
    {
        var o = new StringWriter(); var e = new StringWriter();
        int code = Program.Run(args, CliEnvironment.Plain(o, e));
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public void Mining_grades_into_a_persistent_cache_that_a_second_run_reuses()
    {
        string data = TrainerTestUtil.TempDir(), s1 = TrainerTestUtil.TempDir(), lab = TrainerTestUtil.TempDir(), mine = TrainerTestUtil.TempDir();
        try
        {
            TrainerTestUtil.Sample.Value.WriteTo(data);
            string[] source = ["--format", "sample", "--data", data];
            var r1 = Cli([.. new[] { "train", "--stage", "1", "--tiny", "--max-steps", "2", "--batch-size", "8", "--eval-every", "0",
                "--dev-catalog", "300", "--checkpoint-every", "0", "--out", s1 }, .. source]);
            Assert.True(r1.Code == 0, r1.Err + r1.Out);
            using (var pkg = CrossEncoderPackage.CreateTiny(seed: 4)) pkg.Save(lab);

            string[] mineArgs = ["mine", .. source, "--model", Path.Combine(s1, "model"), "--labeler", lab, "-k", "20",
                "--max-queries", "6", "--max-labels-per-query", "5", "--out", mine];
            var first = Cli(mineArgs);
            Assert.True(first.Code == 0, first.Err + first.Out);
            string cache = Path.Combine(mine, "labeler-cache.jsonl");
            var graded = File.ReadAllLines(cache);
            Assert.InRange(graded.Length, 1, 6 * 5);      // every newly graded pair, once
            string mined = File.ReadAllText(Path.Combine(mine, "mined.jsonl"));

            var second = Cli(mineArgs);
            Assert.True(second.Code == 0, second.Err + second.Out);
            Assert.Contains($"{graded.Length:N0} pairs already graded", second.Out + second.Err);
            Assert.Equal(graded, File.ReadAllLines(cache)); // nothing graded again
            Assert.Equal(mined, File.ReadAllText(Path.Combine(mine, "mined.jsonl")));
        }
        finally
        {
            foreach (var d in new[] { data, s1, lab, mine })
                if (Directory.Exists(d)) Directory.Delete(d, true);
        }
    }
}
