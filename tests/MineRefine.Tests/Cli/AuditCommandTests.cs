using System.Text.Json;

namespace MineRefine.Tests.Cli;

public class AuditCommandTests
{
    [Fact]
    public void Audit_with_a_file_judge_corrects_labels_and_never_raises_the_error_rate()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mr-audit-" + Guid.NewGuid().ToString("N"));
        try
        {
            Assert.Equal(0, CliRunner.Run("sample", "--out", dir, "--products", "600", "--queries", "150", "--noise", "0.2", "--seed", "4").Code);
            string truth = Path.Combine(dir, "truth.jsonl");
            var r = CliRunner.Run("audit", "--format", "jsonl", "--data", dir, "--judge", "file:" + truth, "--truth", truth,
                "--sample-rate", "1", "--out", Path.Combine(dir, "audit"), "--json");
            Assert.Equal(0, r.Code);
            using var report = JsonDocument.Parse(r.Out);
            var t = report.RootElement.GetProperty("truth");
            Assert.True(report.RootElement.GetProperty("flagged").GetInt32() > 0);
            Assert.True(t.GetProperty("error_rate_after").GetDouble() < t.GetProperty("error_rate_before").GetDouble());
            Assert.True(File.Exists(Path.Combine(dir, "audit", "judgments.jsonl")));

            // Export for review, then re-import the (unchanged, undecided) file: nothing changes.
            string review = Path.Combine(dir, "review.csv");
            Assert.Equal(0, CliRunner.Run("audit", "--format", "jsonl", "--data", dir, "--export", review, "--out", Path.Combine(dir, "a2")).Code);
            Assert.True(File.Exists(review));
            var imported = CliRunner.Run("audit", "--format", "jsonl", "--data", dir, "--import", review, "--out", Path.Combine(dir, "a3"), "--json");
            Assert.Equal(0, imported.Code);
            using var r3 = JsonDocument.Parse(imported.Out);
            Assert.Equal(0, r3.RootElement.GetProperty("changed").GetInt32());
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Audit_without_a_judge_is_a_clear_error()
    {
        var r = CliRunner.Run("audit", "--format", "jsonl", "--data", Path.GetTempPath(), "--out", "/tmp/x");
        Assert.Equal(2, r.Code);
        Assert.Contains("--judge", r.Err + r.Out);
    }
}
