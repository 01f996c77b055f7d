using MineRefine.Training;

namespace MineRefine.Tests.Training;

public class LearningRateScheduleTests
{
    [Fact]
    public void LinearWarmupThenLinearDecay()
    {
        var s = new LearningRateSchedule(4, 14);
        Assert.Equal(0.25, s.Factor(0), 12);
        Assert.Equal(0.75, s.Factor(2), 12);
        Assert.Equal(1.0, s.Factor(3), 12);
        Assert.Equal(1.0, s.Factor(4), 12);
        Assert.Equal(0.5, s.Factor(9), 12);
        Assert.Equal(0.1, s.Factor(13), 12);
        Assert.Equal(0.0, s.Factor(14), 12);
        Assert.Equal(0.0, s.Factor(100), 12);
        Assert.Equal(2e-5 * 0.5, s.LearningRate(2e-5, 9), 15);
    }

    [Fact]
    public void CosineDecayAndConstant()
    {
        var c = new LearningRateSchedule(0, 10, LearningRateDecay.Cosine);
        Assert.Equal(1.0, c.Factor(0), 12);
        Assert.Equal(0.5, c.Factor(5), 12);
        Assert.Equal(0.5 * (1 + Math.Cos(Math.PI * 0.8)), c.Factor(8), 12);
        Assert.Equal(0.0, c.Factor(10), 12);
        var k = new LearningRateSchedule(2, 10, LearningRateDecay.Constant);
        Assert.Equal(0.5, k.Factor(0), 12);
        Assert.Equal(1.0, k.Factor(50), 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearningRateSchedule(11, 10));
    }

    [Fact]
    public void AppliesToTorchOptimizer()
    {
        using var lin = TorchSharp.torch.nn.Linear(2, 1);
        using var opt = TorchSharp.torch.optim.AdamW(lin.parameters(), lr: 1e-3);
        LearningRateSchedule.Apply(opt, 5e-4);
        Assert.All(opt.ParamGroups, g => Assert.Equal(5e-4, g.LearningRate, 12));
    }
}

public sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mr-train-" + Guid.NewGuid().ToString("N"));
    public TempDir() => Directory.CreateDirectory(Path);
    public void Dispose() { try { Directory.Delete(Path, true); } catch (IOException) { } }
}

public class AtomicFileTests
{
    [Fact]
    public void WritesAndReplacesWithoutLeavingTempFiles()
    {
        using var d = new TempDir();
        string p = Path.Combine(d.Path, "a.json");
        AtomicFile.WriteAllText(p, "one");
        AtomicFile.WriteAllText(p, "two");
        Assert.Equal("two", File.ReadAllText(p));
        Assert.Single(Directory.GetFiles(d.Path));
    }

    [Fact]
    public void FailedWriteKeepsOldContent()
    {
        using var d = new TempDir();
        string p = Path.Combine(d.Path, "a.bin");
        AtomicFile.WriteAllBytes(p, new byte[] { 1, 2, 3 });
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(p, s =>
        {
            s.Write(new byte[] { 9, 9 });
            throw new InvalidOperationException("boom");
        }));
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(p));
        Assert.Single(Directory.GetFiles(d.Path));
    }
}

public class CheckpointStoreTests
{
    private static void Parts(string dir, long step)
    {
        File.WriteAllText(Path.Combine(dir, "model.bin"), new string('x', (int)step + 1));
        Directory.CreateDirectory(Path.Combine(dir, "sub"));
        File.WriteAllText(Path.Combine(dir, "sub", "rng.txt"), $"state{step}");
    }

    [Fact]
    public void KeepsLatestNAndLoadsNewest()
    {
        using var d = new TempDir();
        var store = new CheckpointStore(d.Path, keepLast: 2);
        Assert.Null(store.TryLoadLatest());
        foreach (long step in new long[] { 10, 20, 30 }) store.Save(step, dir => Parts(dir, step));
        var all = store.List();
        Assert.Equal(new long[] { 20, 30 }, all.Select(c => c.Step));
        var latest = store.TryLoadLatest()!;
        Assert.Equal(30, latest.Step);
        Assert.Equal("state30", File.ReadAllText(Path.Combine(latest.Directory, "sub", "rng.txt")));
        Assert.Equal(31, latest.Files["model.bin"]);
        Assert.DoesNotContain(Directory.GetDirectories(d.Path), x => Path.GetFileName(x).StartsWith('.'));
    }

    [Fact]
    public void FailedSaveLeavesNoCheckpointAndDamagedOneIsSkipped()
    {
        using var d = new TempDir();
        var store = new CheckpointStore(d.Path, keepLast: 5);
        store.Save(1, dir => Parts(dir, 1));
        store.Save(2, dir => Parts(dir, 2));
        Assert.Throws<IOException>(() => store.Save(3, dir => { Parts(dir, 3); throw new IOException("disk full"); }));
        Assert.Equal(2, store.TryLoadLatest()!.Step);
        // Damage the newest: truncate a part → it is skipped and reported.
        File.WriteAllText(Path.Combine(d.Path, CheckpointStore.FolderName(2), "model.bin"), "");
        Assert.Equal(1, store.TryLoadLatest()!.Step);
        Assert.Single(store.Problems);
        // A folder without manifest (crash before rename cannot produce one, but be defensive).
        Directory.CreateDirectory(Path.Combine(d.Path, CheckpointStore.FolderName(9)));
        Assert.Equal(1, store.TryLoadLatest()!.Step);
    }

    [Fact]
    public void ResavingTheSameStepReplacesIt()
    {
        using var d = new TempDir();
        var store = new CheckpointStore(d.Path);
        store.Save(5, dir => File.WriteAllText(Path.Combine(dir, "a"), "old"));
        store.Save(5, dir => File.WriteAllText(Path.Combine(dir, "a"), "new!"));
        var c = Assert.Single(store.List());
        Assert.Equal("new!", File.ReadAllText(Path.Combine(c.Directory, "a")));
    }
}

public class MetricsLogTests
{
    [Fact]
    public void WritesOneJsonLinePerStepAndAppends()
    {
        using var d = new TempDir();
        string p = Path.Combine(d.Path, "metrics.jsonl");
        using (var log = new MetricsLog(p, includeTimestamp: false))
        {
            log.Write(1, new Dictionary<string, double> { ["loss/total"] = 1.5, ["lr"] = 1e-4 });
            log.Write(2, new[] { new KeyValuePair<string, double>("loss/total", double.NaN) }, new[] { new KeyValuePair<string, string>("stage", "1") });
        }
        using (var log = new MetricsLog(p)) log.Write(3, new Dictionary<string, double> { ["loss/total"] = 0.5 });
        var lines = File.ReadAllLines(p);
        Assert.Equal(3, lines.Length);
        Assert.Equal("{\"step\":1,\"loss/total\":1.5,\"lr\":0.0001}", lines[0]);
        var rows = MetricsLog.ReadAll(p);
        Assert.Equal("NaN", rows[1].GetProperty("loss/total").GetString());
        Assert.Equal("1", rows[1].GetProperty("stage").GetString());
        Assert.True(rows[2].TryGetProperty("time", out _));
    }

    [Fact]
    public void TruncateAfterStepDropsRedoneStepsAndBrokenTail()
    {
        using var d = new TempDir();
        string p = Path.Combine(d.Path, "metrics.jsonl");
        using (var log = new MetricsLog(p, false))
            for (int s = 1; s <= 5; s++) log.Write(s, new Dictionary<string, double> { ["x"] = s });
        File.AppendAllText(p, "{\"step\":6,\"x\":");
        Assert.Equal(3, MetricsLog.TruncateAfterStep(p, 3));
        Assert.Equal(new long[] { 1, 2, 3 }, MetricsLog.ReadAll(p).Select(r => r.GetProperty("step").GetInt64()));
    }
}
