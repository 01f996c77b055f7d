namespace MineRefine.Bench;

/// <summary>Benchmark entry point: <c>dotnet run --project bench/MineRefine.Bench -c Release -- &lt;mode&gt; [args]</c>.
/// Each mode writes a Markdown result file under bench/results/ with the command that produced it.</summary>
public static class Program
{
    /// <summary>Dispatches on the first argument.</summary>
    public static int Main(string[] args)
    {
        string mode = args.Length > 0 ? args[0].ToLowerInvariant() : "";
        switch (mode)
        {
            case "ann":
                return AnnBench.Run(args[1..]);
            case "encoder":
                return EncoderBench.Run(args[1..]);
            case "labeler":
                return LabelerBench.Run(args[1..]);
            default:
                Console.Error.WriteLine("usage: MineRefine.Bench <mode> [args]\nmodes:\n" +
                    "  ann      HNSW recall/latency vs exact on clustered vectors\n" +
                    "  encoder  [--titles N] [--parity N] [--threads T] [--batch B] [--data products.csv.gz] [--out bench/results/encoder.md]\n" +
                        "  labeler  [--data DIR] [--preset quick|full] [--max-train N] [--threads T] [--out bench/results/labeler.md]");
                return 2;
        }
    }
}
