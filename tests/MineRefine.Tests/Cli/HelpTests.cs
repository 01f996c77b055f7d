namespace MineRefine.Tests.Cli;

/// <summary>Every command's <c>--help</c> renders. Option descriptions go through Spectre.Console markup, where a
/// bare "[CLS]" is read as a style name and turns the help page into an error (it happened once).</summary>
public class HelpTests
{
    public static TheoryData<string> Commands => new()
    {
        "pipeline", "mine", "audit", "synth", "sample", "convert", "encode", "index build", "index push", "index verify", "serve",
        "eval", "compare", "merge", "train", "labeler train", "labeler eval", "label",
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void Help_renders_options_and_examples(string command)
    {
        var (code, output, err) = CliRunner.Run([.. command.Split(' '), "--help"]);
        Assert.True(code == 0, $"'{command} --help' exited {code}: {err}{output}");
        Assert.Contains("OPTIONS:", output);
        Assert.Contains("--help", output);
        Assert.DoesNotContain("Could not find color or style", output + err);
    }

    /// <summary>A mistyped option is an error that names it, never silently ignored (which would run with the default).</summary>
    [Theory]
    [MemberData(nameof(Commands))]
    public void Unknown_option_is_an_error_that_names_it(string command)
    {
        string dir = Path.Combine(Path.GetTempPath(), "mr-unknown-" + Guid.NewGuid().ToString("N"));
        var (code, output, err) = CliRunner.Run([.. command.Split(' '), "--select-metrc", "ndcg@10", "--out", dir]);
        Assert.NotEqual(0, code);
        Assert.Contains("Unknown option 'select-metrc'", output + err);
        Assert.False(Directory.Exists(dir), "nothing may be written when an option is unknown");
    }
}
