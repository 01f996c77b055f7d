using MineRefine.Pipeline;

namespace MineRefine.Tests.Pipeline;

public class StepRunnerTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mr-steps-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, true);
    }

    /// <summary>An input file holding "a" and a runner writing below <c>_root/out</c>.</summary>
    private (string Input, StepRunner Runner) NewRunner()
    {
        Directory.CreateDirectory(_root);
        string input = Path.Combine(_root, "in.txt");
        File.WriteAllText(input, "a");
        return (input, new StepRunner(Path.Combine(_root, "out")));
    }

    [Fact]
    public void Skips_unchanged_steps_and_redoes_changed_or_crashed_ones()
    {
        var (input, runner) = NewRunner();
        int runs = 0;
        void Step(string dir) { runs++; File.WriteAllText(Path.Combine(dir, "x"), "y"); }

        runner.Run("s", [input], new { lr = 1 }, Step);
        runner.Run("s", [input], new { lr = 1 }, Step);
        Assert.Equal(1, runs);
        Assert.True(runner.Steps[1].Skipped);

        runner.Run("s", [input], new { lr = 2 }, Step); // config changed
        Assert.Equal(2, runs);
        File.WriteAllText(input, "b");                  // input content changed
        runner.Run("s", [input], new { lr = 2 }, Step);
        Assert.Equal(3, runs);

        // A crash mid-step leaves no record, so the step is redone.
        Assert.Throws<InvalidOperationException>(() =>
            runner.Run("t", [input], null, _ => throw new InvalidOperationException("boom")));
        runner.Run("t", [input], null, Step);
        Assert.Equal(4, runs);
        runner.Run("t", [input], null, Step);
        Assert.Equal(4, runs);
    }

    [Fact]
    public void A_resumable_step_keeps_what_a_stopped_attempt_wrote_only_while_its_fingerprint_holds()
    {
        var (input, runner) = NewRunner();
        var seen = new List<bool>();
        // The action notes whether the previous attempt's partial output ("part") is still there, then writes it and
        // fails while `fail` holds — a trainer that checkpointed and was stopped.
        bool fail = true;
        void Step(string dir)
        {
            string part = Path.Combine(dir, "part");
            seen.Add(File.Exists(part));
            File.WriteAllText(part, "checkpoint");
            if (fail) throw new OperationCanceledException("stopped");
        }

        Assert.Throws<OperationCanceledException>(() => runner.Run("train", [input], new { lr = 1 }, Step, resumable: true));
        fail = false;
        runner.Run("train", [input], new { lr = 1 }, Step, resumable: true);
        Assert.Equal([false, true], seen);                         // kept for the same fingerprint
        Assert.True(runner.Steps[^1].Resumed);
        runner.Run("train", [input], new { lr = 1 }, Step, resumable: true);
        Assert.True(runner.Steps[^1].Skipped);                     // completed: skipped, not resumed again
        Assert.Equal(2, seen.Count);

        // A stopped attempt under another configuration is not continued: its folder is cleared.
        fail = true;
        Assert.Throws<OperationCanceledException>(() => runner.Run("train", [input], new { lr = 2 }, Step, resumable: true));
        fail = false;
        runner.Run("train", [input], new { lr = 3 }, Step, resumable: true);
        Assert.Equal([false, true, false, false], seen);
        Assert.False(runner.Steps[^1].Resumed);

        // Nor is a step that is not resumable.
        fail = true;
        Assert.Throws<OperationCanceledException>(() => runner.Run("plain", [input], null, Step));
        fail = false;
        runner.Run("plain", [input], null, Step);
        Assert.Equal([false, true, false, false, false, false], seen);

        // The attempt record does not enter the fingerprint of a later step that reads the folder.
        string folder = runner.StepDir("train");
        string before = StepRunner.Fingerprint([folder], null);
        File.WriteAllText(Path.Combine(folder, ".step-started.json"), "{}");
        Assert.Equal(before, StepRunner.Fingerprint([folder], null));
    }

    [Fact]
    public void Folder_fingerprint_follows_contents()
    {
        string d = Path.Combine(_root, "d");
        Directory.CreateDirectory(d);
        File.WriteAllText(Path.Combine(d, "f"), "1");
        string a = StepRunner.Fingerprint([d], null);
        File.WriteAllText(Path.Combine(d, "f"), "2");
        Assert.NotEqual(a, StepRunner.Fingerprint([d], null));
    }
}
