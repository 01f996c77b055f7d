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
            case "train-throughput":
                return TrainBench.Run(args[1..]);
            default:
                Console.Error.WriteLine("usage: MineRefine.Bench <mode> [args]\nmodes:\n" +
                    "  ann      HNSW recall/latency vs exact on clustered vectors\n" +
                    "  encoder  [--titles N] [--parity N] [--threads T] [--batch B] [--data products.csv.gz] [--out bench/results/encoder.md]\n" +
                    "  train-throughput [--batch 64] [--seq 32] [--steps 8] [--threads 2] [--no-python] [--out bench/results/train-throughput.md]");
                return 2;
        }
    }
}
