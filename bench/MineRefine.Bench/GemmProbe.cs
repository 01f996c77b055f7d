using System.Diagnostics;
using System.Globalization;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace MineRefine.Bench;

/// <summary>
/// fp32 GEMM rate of libtorch at the MiniLM encoder's linear-layer shapes (tokens × 384 → 384 / 1536 / 384), through
/// the default path (<c>nn.functional.linear</c> → bundled oneMKL) and through oneDNN (<c>torch.mkldnn_linear</c> with
/// a pre-packed weight, called via TorchScript because TorchSharp has no binding), next to a 1024³ matmul.
/// Writes bench/results/gemm.md. Follows up the encoder profile (encoder-profile.md).
/// </summary>
public static class GemmProbe
{
    /// <summary>Runs the probe and writes a Markdown report.</summary>
    public static int Run(string[] args)
    {
        int threads = 2, tokens = 1280, reps = 30;
        string output = "bench/results/gemm.md";
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--threads": threads = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--tokens": tokens = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--reps": reps = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--out": output = args[i + 1]; break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        string load = BenchEnvironment.LoadAverage();
        MineRefine.Modeling.SiameseModel.CreateMiniLm().Dispose(); // native set-up (GLIBCXX fix) as the library does it
        torch.set_num_threads(threads);
        torch.manual_seed(1);
        var cu = torch.jit.compile(
            "def onednn(x: Tensor, w: Tensor, b: Tensor):\n    return torch.mkldnn_linear(x.to_mkldnn(), w, b).to_dense()\n" +
            "def pack(t: Tensor):\n    return t.to_mkldnn()\n");
        double Rate(double flops, Func<Tensor> f)
        {
            using (NewDisposeScope()) { f(); f(); }
            var sw = Stopwatch.StartNew();
            for (int r = 0; r < reps; r++) using (NewDisposeScope()) f();
            return flops * reps / sw.Elapsed.TotalSeconds / 1e9;
        }
        var sb = new StringBuilder();
        sb.AppendLine("# fp32 GEMM rate of libtorch at the encoder's shapes");
        sb.AppendLine();
        sb.AppendLine($"Command: `dotnet run -c Release --project bench/MineRefine.Bench -- gemm {string.Join(' ', args)}`");
        sb.AppendLine();
        sb.AppendLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; threads {threads}; {tokens} tokens per call (a batch of 64 titles × 20 tokens); mean over {reps} calls after 2 warm-up calls; load average at start `{load}`.");
        sb.AppendLine();
        sb.AppendLine("| shape (tokens × in → out) | F.linear (MKL) GFLOP/s | oneDNN mkldnn_linear, packed weight, GFLOP/s | max abs diff |");
        sb.AppendLine("|---|---|---|---|");
        using (no_grad())
        {
            foreach (var (inF, outF) in new[] { (384, 384), (384, 1536), (1536, 384) })
            {
                using var scope = NewDisposeScope();
                var x = randn(tokens, inF);
                var w = randn(outF, inF).div_(Math.Sqrt(inF));
                var b = randn(outF);
                var wp = cu.invoke<Tensor>("pack", w);
                var bp = cu.invoke<Tensor>("pack", b);
                double flops = 2.0 * tokens * inF * outF;
                double diff = (cu.invoke<Tensor>("onednn", x, wp, bp) - nn.functional.linear(x, w, b)).abs().max().item<float>();
                double mkl = Rate(flops, () => nn.functional.linear(x, w, b));
                double dnn = Rate(flops, () => cu.invoke<Tensor>("onednn", x, wp, bp));
                sb.AppendLine($"| {tokens} × {inF} → {outF} | {mkl:F1} | {dnn:F1} | {diff:E1} |");
                Console.WriteLine($"{inF}->{outF}: MKL {mkl:F1}, oneDNN {dnn:F1} GFLOP/s");
            }
            // Correctness sweep: the oneDNN call against F.linear over row counts and shapes (incl. a tiny model's).
            sb.AppendLine();
            sb.AppendLine("Correctness of the oneDNN call vs F.linear (max abs difference; inputs randn, weights randn/√in):");
            sb.AppendLine();
            int[] ms = [1, 2, 3, 7, 16, 40, 208, 1280];
            sb.AppendLine("| in → out | " + string.Join(" | ", ms.Select(m => $"M={m}")) + " |");
            sb.AppendLine("|---|" + string.Concat(ms.Select(_ => "---|")));
            foreach (var (inF, outF) in new[] { (32, 32), (32, 64), (64, 32), (384, 384), (384, 1536), (1536, 384) })
            {
                using var scope = NewDisposeScope();
                var w = randn(outF, inF).div_(Math.Sqrt(inF));
                var b = randn(outF);
                var wp = cu.invoke<Tensor>("pack", w);
                var bp = cu.invoke<Tensor>("pack", b);
                var cells = ms.Select(m =>
                {
                    var x = randn(m, inF);
                    return (cu.invoke<Tensor>("onednn", x, wp, bp) - nn.functional.linear(x, w, b)).abs().max().item<float>().ToString("E1", CultureInfo.InvariantCulture);
                });
                sb.AppendLine($"| {inF} → {outF} | " + string.Join(" | ", cells) + " |");
            }
            double peak = BenchEnvironment.MatmulGflops(reps);
            sb.AppendLine();
            sb.AppendLine($"1024 × 1024 × 1024 matmul: {peak:F1} GFLOP/s.");
            Console.WriteLine($"1024^3 matmul {peak:F1} GFLOP/s");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        File.WriteAllText(output, sb.ToString());
        Console.WriteLine($"wrote {output}");
        return 0;
    }
}
