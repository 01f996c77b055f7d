namespace MineRefine.Bench;

/// <summary>Benchmark entry point: <c>dotnet run -c Release -- &lt;mode&gt; [args]</c>.</summary>
public static class Program
{
    /// <summary>Dispatches on the first argument.</summary>
    public static int Main(string[] args)
    {
        string mode = args.Length > 0 ? args[0] : "";
        switch (mode)
        {
            case "encoder":
                return EncoderBench.Run(args[1..]);
            default:
                Console.Error.WriteLine("usage: MineRefine.Bench <mode> [args]\nmodes: encoder [--titles N] [--parity N] [--threads T] [--batch B] [--data products.csv.gz] [--out bench/results/encoder.md]");
                return 2;
        }
    }
}
