using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MineRefine.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace MineRefine.Bench;

/// <summary>Training throughput (mode <c>train-throughput</c>): a MiniLM-L6-shaped BERT (6 layers, hidden 384, 12
/// heads, FFN 1536, vocab 30,522), fp32, batch × seq random ids, forward + backward + AdamW, timed as the median of
/// several steps; reports sequences/s and achieved matmul GFLOP/s (counted as in <c>bench/scripts/torch_train_step.py</c>),
/// the measured fp32 matmul rate, and runs the PyTorch peer script in the same run for the ratio.</summary>
public static class TrainBench
{
    /// <summary>Matmul FLOPs of one fwd+bwd step (same formula as the Python peer).</summary>
    public static double FlopsPerStep(int batch, int seq, int h = 384, int layers = 6, int ffn = 1536) =>
        3.0 * layers * (2.0 * (4.0 * h * h + 2.0 * h * ffn) + 2.0 * 2.0 * seq * h) * batch * seq;

    /// <summary>Runs the benchmark and writes a Markdown report.</summary>
    public static int Run(string[] args)
    {
        int batch = 64, seq = 32, steps = 8, warmup = 2, threads = 2;
        string output = "bench/results/train-throughput.md", python = "/usr/bin/python3", script = "bench/scripts/torch_train_step.py";
        bool skipPython = false;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--batch": batch = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--seq": seq = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--steps": steps = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--out": output = Next(); break;
                case "--no-python": skipPython = true; break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        string load = BenchEnvironment.LoadAverage();
        torch.set_num_threads(threads);

        double matmulGflops = BenchEnvironment.MatmulGflops(20);

        var results = new List<(string Variant, double StepS)>();
        foreach (bool fused in new[] { true, false })
        {
            torch.manual_seed(0);
            var cfg = TransformerConfig.MiniLmL6 with { HiddenDropout = 0, AttentionDropout = 0, FusedAttention = fused };
            using var model = new BertModel(cfg);
            model.train();
            using var opt = torch.optim.AdamW(model.parameters(), 1e-5);
            using var ids = torch.randint(1000, 30000, new long[] { batch, seq }, ScalarType.Int64);
            using var mask = torch.ones(new long[] { batch, seq }, ScalarType.Int64);
            var times = new List<double>();
            for (int i = 0; i < warmup + steps; i++)
            {
                using var scope = NewDisposeScope();
                var sw = Stopwatch.StartNew();
                opt.zero_grad();
                var h = model.forward(ids, mask, null);
                var m = mask.unsqueeze(-1).to(ScalarType.Float32);
                var emb = (h * m).sum(1) / m.sum(1);
                var loss = emb.pow(2).sum();
                loss.backward();
                opt.step();
                if (i >= warmup) times.Add(sw.Elapsed.TotalSeconds);
            }
            times.Sort();
            results.Add((fused ? "TorchSharp, fused SDPA attention" : "TorchSharp, explicit softmax(QKᵀ)·V", times[times.Count / 2]));
        }

        string pyLine = "", pyError = "";
        double pyStep = double.NaN;
        if (!skipPython)
        {
            try
            {
                var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (var a in new[] { script, "--batch", batch.ToString(CultureInfo.InvariantCulture), "--seq", seq.ToString(CultureInfo.InvariantCulture),
                             "--steps", steps.ToString(CultureInfo.InvariantCulture), "--warmup", warmup.ToString(CultureInfo.InvariantCulture),
                             "--threads", threads.ToString(CultureInfo.InvariantCulture) })
                    psi.ArgumentList.Add(a);
                using var p = Process.Start(psi)!;
                var errTask = p.StandardError.ReadToEndAsync();
                pyLine = p.StandardOutput.ReadToEnd().Trim();
                p.WaitForExit();
                pyError = errTask.Result.Trim();
                if (p.ExitCode == 0)
                    pyStep = JsonDocument.Parse(pyLine.Split('\n')[^1]).RootElement.GetProperty("step_s").GetDouble();
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or JsonException or InvalidOperationException)
            {
                pyError = e.Message;
            }
        }

        double flops = FlopsPerStep(batch, seq);
        var sb = new StringBuilder();
        sb.AppendLine("# Training throughput: TorchSharp vs PyTorch (MiniLM-L6 shape)");
        sb.AppendLine();
        sb.AppendLine($"Command: `dotnet run --project bench/MineRefine.Bench -c Release -- train-throughput {string.Join(' ', args)}`");
        sb.AppendLine();
        sb.AppendLine($"Date {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; load average at start `{load}` (2 vCPU; a 1-minute figure well above 2 means other jobs shared the machine); " +
                      $"{threads} threads, batch {batch} × seq {seq}, fp32, fwd + bwd + AdamW, median of {steps} steps after {warmup} warm-up.");
        sb.AppendLine($"Matmul FLOPs per step counted as in `bench/scripts/torch_train_step.py`: {flops / 1e9:F1} GFLOP.");
        sb.AppendLine();
        sb.AppendLine($"Measured fp32 matmul (1024² · 1024², TorchSharp): **{matmulGflops:F0} GFLOP/s**.");
        sb.AppendLine();
        sb.AppendLine("| implementation | s/step | seq/s | GFLOP/s | share of matmul peak |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var (v, s) in results)
            sb.AppendLine($"| {v} | {s:F3} | {batch / s:F1} | {flops / s / 1e9:F1} | {flops / s / 1e9 / matmulGflops:P0} |");
        if (!double.IsNaN(pyStep))
            sb.AppendLine($"| PyTorch peer (`{script}`) | {pyStep:F3} | {batch / pyStep:F1} | {flops / pyStep / 1e9:F1} | {flops / pyStep / 1e9 / matmulGflops:P0} |");
        sb.AppendLine();
        if (!double.IsNaN(pyStep))
        {
            double best = results.Min(r => r.StepS);
            sb.AppendLine($"Ratio TorchSharp (best variant) / PyTorch throughput: **{pyStep / best:F2}×**.");
        }
        else sb.AppendLine($"PyTorch peer did not run: {pyError}");
        sb.AppendLine();
        sb.AppendLine($"PyTorch output: `{pyLine}`");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        File.WriteAllText(output, sb.ToString());
        Console.WriteLine(sb.ToString());
        return 0;
    }
}
