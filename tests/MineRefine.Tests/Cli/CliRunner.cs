using MineRefine.Cli;
using MineRefine.Cli.Infrastructure;

namespace MineRefine.Tests.Cli;

/// <summary>Runs the command app in-process and captures stdout/stderr.</summary>
internal static class CliRunner
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(args, CliEnvironment.Plain(stdout, stderr));
        return (code, stdout.ToString(), stderr.ToString());
    }
}
