using System.Diagnostics;
using System.Globalization;
using System.Text;
using MineRefine.Retrieval;
using MineRefine.Retrieval.Dense;

namespace MineRefine.Bench;

/// <summary>
/// Mode "ann": USearch HNSW vs exact search on a seeded clustered, low-rank synthetic set (default 50,000 × 256,
/// 50 clusters, 1,000 queries from the same clusters). Reports build time, recall@10 against <see cref="ExactIndex"/>,
/// and single-thread query latency (mean/p50/p99) at ef_search 32/64/128/256, for f16 and f32 storage.
/// Writes bench/results/ann.md (or --out).
/// </summary>
internal static class AnnBench
{
    public static int Run(string[] args)
    {
        int n = 50_000, dim = 256, nq = 1000, clusters = 50, threads = Math.Min(2, Environment.ProcessorCount), seed = 42, k = 10;
        int rank = 32;
        double spread = 0.5, noise = 0.2;
        string quants = "both";
        string? outPath = null;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"Option {args[i]} needs a value.");
            switch (args[i])
            {
                case "--n": n = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--dim": dim = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--queries": nq = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--clusters": clusters = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--rank": rank = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--spread": spread = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--noise": noise = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--quant": quants = Next().ToLowerInvariant(); break;
                case "--out": outPath = Next(); break;
                default: Console.Error.WriteLine($"Unknown option '{args[i]}'. Options: --n --dim --queries --clusters --rank --spread --noise --threads --seed --quant f16|f32|both --out"); return 2;
            }
        }
        outPath ??= Path.Combine(RepoRoot(), "bench", "results", "ann.md");
        var command = "dotnet run --project bench/MineRefine.Bench -c Release -- ann" + (args.Length > 0 ? " " + string.Join(' ', args) : "");

        Console.WriteLine($"ann: generating {n}×{dim} (+{nq} queries), {clusters} clusters, seed {seed}");
        string loadBefore = BenchEnvironment.LoadAverage();
        var source = new ClusteredVectors(dim, clusters, seed, rank, spread, noise);
        var items = source.Sample(n, seed + 1, out _);
        var queries = source.Sample(nq, seed + 2, out _);

        using (var warm = new ExactIndex(dim)) { warm.Add(queries); warm.Search(queries, k); } // load libtorch before timing
        var sw = Stopwatch.StartNew();
        using var exact = new ExactIndex(dim);
        exact.Add(items);
        var truth = exact.Search(queries, k);
        double exactSeconds = sw.Elapsed.TotalSeconds;
        sw.Restart();
        exact.Search(queries, k);
        double exactRepeat = sw.Elapsed.TotalSeconds;

        Console.WriteLine($"exact: {nq} queries in {exactSeconds:F2} s first call, {exactRepeat:F2} s repeated");

        var sb = new StringBuilder();
        sb.AppendLine("# ANN benchmark: USearch HNSW vs exact search");
        sb.AppendLine();
        sb.AppendLine($"Command: `{command}`");
        sb.AppendLine();
        sb.AppendLine($"Date (UTC): {DateTime.UtcNow:yyyy-MM-dd HH:mm}. Machine: {Environment.ProcessorCount} logical CPUs, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}. Shared, noisy machine: timings ±10–25%.");
        sb.AppendLine();
        sb.AppendLine($"Data: seeded synthetic clustered low-rank unit vectors (`ClusteredVectors`: {clusters} clusters, rank-{rank} basis per cluster, spread {spread}, isotropic noise {noise}), " +
                      $"{n:N0} items × {dim} dims, {nq:N0} queries drawn from the same clusters, seed {seed}. Metric cosine, connectivity M=16, ef_construction=128, " +
                      $"build on {threads} threads (parallel `usearch_add`). Recall@{k} = |HNSW top-{k} ∩ exact top-{k}| / {k}, averaged over queries. " +
                      "Latency: one query per call on one thread (`UsearchIndex.SearchOne`), after 50 warm-up queries.");
        sb.AppendLine();
        sb.AppendLine($"Exact baseline (`ExactIndex`, TorchSharp blocked matmul + topk, batched, libtorch default threads): {nq:N0} queries × {n:N0} items " +
                      $"in {exactSeconds:F2} s on the first call (includes normalising and copying the catalog into a tensor), {exactRepeat:F2} s on a repeated call " +
                      $"({exactRepeat / nq * 1000:F3} ms/query amortised).");
        sb.AppendLine();

        var rows = new List<string>();
        var buildRows = new List<string>();
        string accel = "";
        var quantList = quants switch
        {
            "both" => new[] { VectorQuantization.F16, VectorQuantization.F32 },
            _ => new[] { VectorIndexOptions.ParseQuantization(quants) },
        };
        foreach (var quant in quantList)
        {
            var options = new VectorIndexOptions { Kind = VectorIndexKind.Hnsw, Quantization = quant, Threads = threads };
            sw.Restart();
            using var index = new UsearchIndex(dim, options);
            index.Add(items);
            double build = sw.Elapsed.TotalSeconds;
            accel = index.HardwareAcceleration;
            var tmp = Path.Combine(Path.GetTempPath(), $"ann-bench-{Environment.ProcessId}-{quant}.usearch");
            sw.Restart();
            index.Save(tmp);
            double save = sw.Elapsed.TotalSeconds;
            long bytes = new FileInfo(tmp).Length;
            sw.Restart();
            using (var viewed = UsearchIndex.View(tmp, options)) { }
            double view = sw.Elapsed.TotalSeconds;
            File.Delete(tmp);
            buildRows.Add($"| {quant.ToString().ToLowerInvariant()} | {build:F1} | {bytes / 1e6:F1} | {save * 1000:F0} | {view * 1000:F1} |");
            Console.WriteLine($"{quant}: build {build:F1} s, file {bytes / 1e6:F1} MB");

            foreach (var ef in new[] { 32, 64, 128, 256 })
            {
                index.ExpansionSearch = ef;
                for (int w = 0; w < Math.Min(50, nq); w++) index.SearchOne(queries.Row(w), k);
                var lat = new double[nq];
                double recall = 0;
                for (int q = 0; q < nq; q++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    var (ids, _) = index.SearchOne(queries.Row(q), k);
                    lat[q] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                    recall += ids.Intersect(truth[q].Ids).Count() / (double)truth[q].Ids.Length;
                }
                recall /= nq;
                Array.Sort(lat);
                double mean = lat.Average(), p50 = BenchEnvironment.Percentile(lat, 0.50), p99 = BenchEnvironment.Percentile(lat, 0.99);
                rows.Add($"| {quant.ToString().ToLowerInvariant()} | {ef} | {recall:F4} | {mean:F3} | {p50:F3} | {p99:F3} |");
                Console.WriteLine($"{quant} ef={ef}: recall@{k} {recall:F4}, mean {mean:F3} ms, p50 {p50:F3} ms, p99 {p99:F3} ms");
            }
        }

        sb.AppendLine($"USearch SIMD backend: `{accel}`. Load average (1/5/15 min) at start: {loadBefore}; at end: {BenchEnvironment.LoadAverage()} " +
                      "(other jobs shared the 2 cores, which inflates build times and the latency tail).");
        sb.AppendLine();
        sb.AppendLine("## Build");
        sb.AppendLine();
        sb.AppendLine("| storage | build (s) | file (MB) | save (ms) | view open (ms) |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var r in buildRows) sb.AppendLine(r);
        sb.AppendLine();
        sb.AppendLine("## Recall and single-thread latency");
        sb.AppendLine();
        sb.AppendLine($"| storage | ef_search | recall@{k} | mean (ms) | p50 (ms) | p99 (ms) |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var r in rows) sb.AppendLine(r);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
        File.WriteAllText(outPath, sb.ToString());
        Console.WriteLine($"wrote {outPath}");
        return 0;
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MineRefine.slnx"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}
