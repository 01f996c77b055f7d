using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Garnet;
using MineRefine.Retrieval;
using MineRefine.Retrieval.Dense;
using MineRefine.ScaleOut.Garnet;

namespace MineRefine.Bench;

/// <summary>
/// Mode "scaleout": the sharded Garnet vector index vs a single-process USearch index on the same seeded clustered
/// vectors (default 100,000 × 256, same generator parameters as "ann"). Three Garnet 2.2.8 servers are started in
/// this process on loopback (independent servers, shard s on server s; vector-set preview on). Reports push
/// throughput (pipelined VADD, FP32 blobs), recall@10 of the router vs <see cref="ExactIndex"/>, and per-query
/// latency (one query at a time through <see cref="GarnetShardedRetriever.SearchOneAsync"/>: 3 parallel VSIMs + merge)
/// at several EF, next to USearch HNSW built with the same M and ef_construction. Writes bench/results/scaleout.md.
/// </summary>
internal static class ScaleOutBench
{
    public static int Run(string[] args)
    {
        int n = 100_000, dim = 256, nq = 500, clusters = 50, rank = 32, seed = 42, k = 10, shards = 3, buildEf = 200, m = 16, batch = 512;
        double spread = 0.5, noise = 0.2;
        int[] efs = [10, 50, 100, 200];
        string? outPath = null;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"Option {args[i]} needs a value.");
            int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--n": n = Int(); break;
                case "--dim": dim = Int(); break;
                case "--queries": nq = Int(); break;
                case "--clusters": clusters = Int(); break;
                case "--shards": shards = Int(); break;
                case "--build-ef": buildEf = Int(); break;
                case "--m": m = Int(); break;
                case "--batch": batch = Int(); break;
                case "--seed": seed = Int(); break;
                case "--efs": efs = Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(); break;
                case "--out": outPath = Next(); break;
                default: Console.Error.WriteLine($"Unknown option '{args[i]}'. Options: --n --dim --queries --clusters --shards --build-ef --m --batch --seed --efs 10,50,100 --out"); return 2;
            }
        }
        outPath ??= Path.Combine(RepoRoot(), "bench", "results", "scaleout.md");
        var command = "dotnet run --project bench/MineRefine.Bench -c Release -- scaleout" + (args.Length > 0 ? " " + string.Join(' ', args) : "");
        string loadBefore = BenchEnvironment.LoadAverage();

        Console.WriteLine($"scaleout: generating {n}×{dim} (+{nq} queries), {clusters} clusters, seed {seed}");
        var source = new ClusteredVectors(dim, clusters, seed, rank, spread, noise);
        var items = source.Sample(n, seed + 1, out _);
        var queries = source.Sample(nq, seed + 2, out _);
        var ids = Enumerable.Range(0, n).Select(i => "i" + i.ToString(CultureInfo.InvariantCulture)).ToArray();

        var sw = Stopwatch.StartNew();
        using var exact = new ExactIndex(dim);
        exact.Add(items);
        var truth = exact.Search(queries, k);
        Console.WriteLine($"exact truth in {sw.Elapsed.TotalSeconds:F1} s");

        var root = Path.Combine(Path.GetTempPath(), "mr-scaleout-bench-" + Guid.NewGuid().ToString("N")[..8]);
        var servers = new List<GarnetServer>();
        var ports = new int[shards];
        var rows = new List<string>();
        string pushLine;
        try
        {
            for (int s = 0; s < shards; s++)
            {
                ports[s] = FreePort();
                var dir = Path.Combine(root, "node" + s);
                Directory.CreateDirectory(dir);
                var server = new GarnetServer(["--port", ports[s].ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--enable-vector-set-preview",
                    "--checkpointdir", dir, "--memory", "2g", "--index", "64m", "--device-type", "RandomAccess", "--logger-level", "Error"]);
                server.Start();
                servers.Add(server);
            }
            var options = new GarnetShardOptions
            {
                Endpoints = ports.Select(p => $"127.0.0.1:{p}").ToArray(), Shards = shards, BuildEf = buildEf, M = m,
                PushBatchSize = batch, ShardTimeout = TimeSpan.FromSeconds(30),
            };
            using var conn = GarnetShardConnection.Connect(options);
            var pusher = new GarnetIndexPusher(conn);
            int lastReported = 0;
            var push = pusher.Push(ids, items, progress: new Progress<int>(c => { if (c - lastReported >= 10_000) { lastReported = c; Console.WriteLine($"  pushed {c}"); } }));
            pushLine = $"Push: {push.Sent:N0} VADDs in {push.Elapsed.TotalSeconds:F1} s = **{push.ItemsPerSecond:N0} items/s** " +
                       $"(batches of {batch} pipelined per shard, the 3 shards pushed concurrently; per-shard counts {string.Join(" / ", push.Shards.Select(s => s.Items))}).";
            Console.WriteLine(pushLine);
            var verify = new GarnetIndexVerifier(conn).Verify(ids, items, 20);
            if (!verify.Ok) throw new InvalidOperationException("verify failed: " + string.Join("; ", verify.Shards));

            foreach (var ef in efs)
            {
                options.SearchEf = ef;
                using var router = new GarnetShardedRetriever(conn);
                for (int w = 0; w < Math.Min(30, nq); w++) router.SearchOneAsync(queries.Row(w).ToArray(), k).GetAwaiter().GetResult();
                var lat = new double[nq];
                double recall = 0;
                int degraded = 0;
                for (int q = 0; q < nq; q++)
                {
                    var vec = queries.Row(q).ToArray();
                    long t0 = Stopwatch.GetTimestamp();
                    var r = router.SearchOneAsync(vec, k).GetAwaiter().GetResult();
                    lat[q] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                    if (r.Degraded) degraded++;
                    var want = truth[q].Ids.Select(i => ids[i]).ToHashSet();
                    recall += r.Hits.Count(h => want.Contains(h.ProductId)) / (double)k;
                }
                recall /= nq;
                Array.Sort(lat);
                rows.Add($"| garnet ×{shards} | {ef} | {recall:F4} | {lat.Average():F3} | {BenchEnvironment.Percentile(lat, 0.5):F3} | {BenchEnvironment.Percentile(lat, 0.99):F3} |" + (degraded > 0 ? $" {degraded} degraded" : ""));
                Console.WriteLine(rows[^1]);
            }
        }
        finally
        {
            foreach (var s in servers) { try { s.Dispose(); } catch (ObjectDisposedException) { } }
            try { Directory.Delete(root, true); } catch (IOException) { }
        }

        sw.Restart();
        var uopts = new VectorIndexOptions { Kind = VectorIndexKind.Hnsw, Quantization = VectorQuantization.F32, Connectivity = m, ExpansionAdd = buildEf, Threads = 2 };
        using var usearch = new UsearchIndex(dim, uopts);
        usearch.Add(items);
        double ubuild = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"usearch build {ubuild:F1} s");
        foreach (var ef in efs)
        {
            usearch.ExpansionSearch = ef;
            for (int w = 0; w < Math.Min(30, nq); w++) usearch.SearchOne(queries.Row(w), k);
            var lat = new double[nq];
            double recall = 0;
            for (int q = 0; q < nq; q++)
            {
                long t0 = Stopwatch.GetTimestamp();
                var (got, _) = usearch.SearchOne(queries.Row(q), k);
                lat[q] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                recall += got.Intersect(truth[q].Ids).Count() / (double)k;
            }
            recall /= nq;
            Array.Sort(lat);
            rows.Add($"| usearch ×1 | {ef} | {recall:F4} | {lat.Average():F3} | {BenchEnvironment.Percentile(lat, 0.5):F3} | {BenchEnvironment.Percentile(lat, 0.99):F3} |");
            Console.WriteLine(rows[^1]);
        }

        var sb = new StringBuilder();
        sb.AppendLine("# Scale-out benchmark: sharded Garnet vector sets vs single-process USearch");
        sb.AppendLine();
        sb.AppendLine($"Command: `{command}`");
        sb.AppendLine();
        sb.AppendLine($"Date (UTC): {DateTime.UtcNow:yyyy-MM-dd HH:mm}. Machine: {Environment.ProcessorCount} logical CPUs (load averages below say whether other jobs ran), .NET {Environment.Version}. " +
                      "**This 2-core machine is a ceiling, not a scale-out measurement**: the three Garnet servers, the client and USearch all run in one process on the same 2 cores, " +
                      "so sharding cannot add CPU here; it only shows the overhead and recall of the fan-out + merge path. " +
                      $"Load average at start: {loadBefore}; at end: {BenchEnvironment.LoadAverage()}.");
        sb.AppendLine();
        sb.AppendLine($"Data: `ClusteredVectors` ({clusters} clusters, rank {rank}, spread {spread}, noise {noise}), {n:N0} items × {dim} dims, {nq} queries from the same clusters, seed {seed}. " +
                      $"Garnet 2.2.8: {shards} independent in-process servers on 127.0.0.1 (shard s on server s), vector sets NOQUANT, XDISTANCE_METRIC COSINE, M={m}, EF(build)={buildEf}. " +
                      $"USearch: f32, M={m}, ef_construction={buildEf}, 2 build threads. Recall@{k} vs `ExactIndex`. Latency: one query at a time (Garnet: 3 parallel VSIM round trips over loopback + merge; USearch: `SearchOne` in process).");
        sb.AppendLine();
        sb.AppendLine(pushLine);
        sb.AppendLine();
        sb.AppendLine($"USearch build: {ubuild:F1} s ({n / ubuild:N0} items/s).");
        sb.AppendLine();
        sb.AppendLine($"| index | EF | recall@{k} | mean (ms) | p50 (ms) | p99 (ms) |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var r in rows) sb.AppendLine(r);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
        File.WriteAllText(outPath, sb.ToString());
        Console.WriteLine($"wrote {outPath}");
        return 0;
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int p = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return p;
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MineRefine.slnx"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}
