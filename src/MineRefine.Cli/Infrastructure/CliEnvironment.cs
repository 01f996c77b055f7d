using Spectre.Console;

namespace MineRefine.Cli.Infrastructure;

/// <summary>Where a command writes: <see cref="Console"/> for human output (tables, progress), <see cref="Error"/> for
/// errors and for human output when <c>--json</c> keeps stdout for machine output, <see cref="Stdout"/> for machine
/// output (the <c>--json</c> document).</summary>
public sealed class CliEnvironment(IAnsiConsole console, IAnsiConsole error, TextWriter stdout)
{
    /// <summary>Human output (stdout).</summary>
    public IAnsiConsole Console { get; } = console;
    /// <summary>Errors and diagnostics (stderr).</summary>
    public IAnsiConsole Error { get; } = error;
    /// <summary>Raw machine output (stdout).</summary>
    public TextWriter Stdout { get; } = stdout;

    /// <summary>The process's stdout/stderr.</summary>
    public static CliEnvironment FromProcess()
    {
        var error = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(System.Console.Error) });
        // Redirected output: do not wrap at 80 columns (keeps an error message on one line).
        if (System.Console.IsErrorRedirected) error.Profile.Width = 4096;
        if (System.Console.IsOutputRedirected) AnsiConsole.Console.Profile.Width = 200;
        return new CliEnvironment(AnsiConsole.Console, error, System.Console.Out);
    }

    /// <summary>Plain (no colour, non-interactive) consoles writing into the given writers — for tests.</summary>
    public static CliEnvironment Plain(TextWriter stdout, TextWriter stderr) => new(Create(stdout), Create(stderr), stdout);

    private static IAnsiConsole Create(TextWriter w)
    {
        var c = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(w),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        c.Profile.Width = 4096;
        return c;
    }
}
