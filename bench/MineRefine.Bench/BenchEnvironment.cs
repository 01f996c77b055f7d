using System.Diagnostics;
using TorchSharp;

namespace MineRefine.Bench;

/// <summary>Helpers every benchmark report shares.</summary>
internal static class BenchEnvironment
{
    /// <summary>The 1/5/15-minute load averages from /proc/loadavg ("n/a" elsewhere): on this 2-core machine a
    /// figure well above 2 means other jobs shared the CPU while the benchmark ran.</summary>
    public static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "n/a"; }
        catch (UnauthorizedAccessException) { return "n/a"; }
    }

    /// <summary>Linear-interpolated percentile <paramref name="p"/> (0–1) of an ascending array; NaN when empty.</summary>
    public static double Percentile(double[] sorted, double p)
    {
        if (sorted.Length == 0) return double.NaN;
        double pos = p * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos), hi = (int)Math.Ceiling(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }

    /// <summary>Measured fp32 matmul rate (GFLOP/s) of libtorch on a 1024 × 1024 × 1024 product with the current torch
    /// threads: 3 warm-up products, then the mean over <paramref name="reps"/>; every tensor freed.</summary>
    public static double MatmulGflops(int reps = 20)
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.randn(1024, 1024);
        var b = torch.randn(1024, 1024);
        for (int i = 0; i < 3; i++) a.matmul(b).Dispose();
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < reps; i++) a.matmul(b).Dispose();
        return 2.0 * 1024 * 1024 * 1024 * reps / sw.Elapsed.TotalSeconds / 1e9;
    }
}
