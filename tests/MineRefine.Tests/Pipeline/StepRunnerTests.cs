using MineRefine.Pipeline;

namespace MineRefine.Tests.Pipeline;

public class StepRunnerTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mr-steps-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, true);
    }

    [Fact]
    public void Skips_unchanged_steps_and_redoes_changed_or_crashed_ones()
    {
        Directory.CreateDirectory(_root);
        string input = Path.Combine(_root, "in.txt");
        File.WriteAllText(input, "a");
        var runner = new StepRunner(Path.Combine(_root, "out"));
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
