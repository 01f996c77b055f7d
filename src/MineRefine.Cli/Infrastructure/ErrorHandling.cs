using MineRefine.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MineRefine.Cli.Infrastructure;

/// <summary>Turns exceptions into one red line on stderr and an exit code: bad input (data format, argument,
/// missing file, command-line usage) → <see cref="ExitCodes.BadInput"/>, no stack trace; anything else →
/// <see cref="ExitCodes.Failure"/> (the stack trace is printed only when MINEREFINE_STACKTRACE=1).</summary>
public static class ErrorHandling
{
    /// <summary>Reports <paramref name="ex"/> on <see cref="CliEnvironment.Error"/> and returns the exit code.</summary>
    public static int Handle(Exception ex, CliEnvironment env)
    {
        var inner = Unwrap(ex);
        (string message, int code) = inner switch
        {
            DataFormatException d => (d.Message, ExitCodes.BadInput),
            ArgumentException a => (a.Message, ExitCodes.BadInput),
            FileNotFoundException f => (f.Message, ExitCodes.BadInput),
            DirectoryNotFoundException dn => (dn.Message, ExitCodes.BadInput),
            CommandAppException c => (c.Message, ExitCodes.BadInput),
            MineRefine.Pipeline.StepInterruptedException si => ("stopped: " + si.Message, ExitCodes.Failure),
            OperationCanceledException => ("cancelled", ExitCodes.Failure),
            _ => ($"{inner.GetType().Name}: {inner.Message}", ExitCodes.Failure),
        };
        env.Error.MarkupLine($"[red]error:[/] {Markup.Escape(OneLine(message))}");
        if (code == ExitCodes.Failure && Environment.GetEnvironmentVariable("MINEREFINE_STACKTRACE") == "1")
            env.Error.WriteException(inner);
        return code;
    }

    private static Exception Unwrap(Exception ex)
    {
        while (true)
        {
            switch (ex)
            {
                case AggregateException { InnerExceptions.Count: 1 } agg: ex = agg.InnerExceptions[0]; continue;
                case System.Reflection.TargetInvocationException { InnerException: { } i }: ex = i; continue;
                default: return ex;
            }
        }
    }

    private static string OneLine(string s) => string.Join(" ", s.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
}
