namespace MineRefine.Cli.Infrastructure;

/// <summary>Process exit codes of <c>minerefine</c>.</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;
    /// <summary>Unexpected failure (a bug or an environment problem).</summary>
    public const int Failure = 1;
    /// <summary>Bad input: a malformed data file, a wrong option or a missing file.</summary>
    public const int BadInput = 2;
}
