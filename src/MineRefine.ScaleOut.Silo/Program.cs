// Multi-process host for the Orleans batch jobs, clustered through a Garnet server (Redis protocol).
//   garnet  --port 6379 [--dir DIR]                       run a Garnet server (Orleans membership table)
//   silo    --garnet 127.0.0.1:6379 --port 11111 --gateway 30000 [--model hashing|minilm|DIR] [--delay-ms 0]
//   encode  --garnet 127.0.0.1:6379 --items 3000 --shard-size 100 --results DIR [--job ID] [--model ...]
// 'encode' runs the coordinator as an Orleans client, then recomputes the same shards in-process and compares checksums.
using System.Globalization;
using Garnet;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MineRefine.Modeling;
using MineRefine.ScaleOut.Orleans;
using MineRefine.ScaleOut.Silo;

var verb = args.Length > 0 ? args[0] : "";
var opts = new Dictionary<string, string>();
for (int i = 1; i + 1 < args.Length; i += 2) opts[args[i].TrimStart('-')] = args[i + 1];
string Opt(string name, string def) => opts.TryGetValue(name, out var v) ? v : def;
int IntOpt(string name, int def) => int.Parse(Opt(name, def.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
ITextEmbedder Embedder() => Opt("model", "hashing") switch
{
    "hashing" => new HashingEmbedder(64, IntOpt("delay-ms", 0)),
    var m => EmbedderFactory.Open(m),
};
const string ClusterId = "minerefine", ServiceId = "minerefine-jobs";

switch (verb)
{
    case "garnet":
    {
        var dir = Opt("dir", Path.Combine(Path.GetTempPath(), "mr-orleans-garnet"));
        Directory.CreateDirectory(dir);
        using var server = new GarnetServer(["--port", Opt("port", "6379"), "--bind", "127.0.0.1", "--checkpointdir", dir, "--lua", "--logger-level", "Warning"]);
        server.Start();
        Console.WriteLine($"garnet listening on 127.0.0.1:{Opt("port", "6379")}");
        var done = new ManualResetEventSlim();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; done.Set(); };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => done.Set();
        done.Wait();
        return 0;
    }
    case "silo":
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(_ => Embedder());
        builder.UseOrleans(silo =>
        {
            silo.UseRedisClustering(Opt("garnet", "127.0.0.1:6379"));
            silo.Configure<Orleans.Configuration.ClusterOptions>(o => { o.ClusterId = ClusterId; o.ServiceId = ServiceId; });
            silo.ConfigureEndpoints(System.Net.IPAddress.Loopback, IntOpt("port", 11111), IntOpt("gateway", 30000));
        });
        using var host = builder.Build();
        await host.StartAsync();
        Console.WriteLine($"silo up on 127.0.0.1:{IntOpt("port", 11111)} (gateway {IntOpt("gateway", 30000)}), pid {Environment.ProcessId}");
        await host.WaitForShutdownAsync();
        return 0;
    }
    case "encode":
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client =>
        {
            client.UseRedisClustering(Opt("garnet", "127.0.0.1:6379"));
            client.Configure<Orleans.Configuration.ClusterOptions>(o => { o.ClusterId = ClusterId; o.ServiceId = ServiceId; });
        });
        using var host = builder.Build();
        await host.StartAsync();
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        int n = IntOpt("items", 3000), shardSize = IntOpt("shard-size", 100);
        var texts = Enumerable.Range(0, n).Select(i => $"item {i} cordless drill {i % 97}").ToArray();
        var coordinator = new ShardJobCoordinator(grains, new ShardJobOptions
        {
            ResultsFolder = Opt("results", "out/jobs"), ShardSize = shardSize, MaxConcurrentShards = IntOpt("concurrency", 4),
            ShardTimeout = TimeSpan.FromSeconds(IntOpt("shard-timeout-s", 30)), MaxAttempts = IntOpt("attempts", 6),
        })
        { OnRetry = (s, a, e) => Console.WriteLine($"retry shard {s} after attempt {a}: {e}") };
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var job = await coordinator.EncodeAsync(Opt("job", "encode-" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture)), texts);
        Console.WriteLine($"job done in {sw.Elapsed.TotalSeconds:F1} s: {job.Shards.Count} shards, {job.Shards.Count(s => s.Attempts > 1)} retried, " +
                          $"silos used: {string.Join(", ", job.Shards.Select(s => s.Outcome.Silo).Distinct())}");
        string model = Opt("model", "hashing");
        using ITextEmbedder local = model == "hashing" ? new HashingEmbedder(64) : EmbedderFactory.Open(model);
        var reference = LocalShardJobs.Encode(local, texts, shardSize);
        Console.WriteLine($"checksum distributed {job.Checksum}");
        Console.WriteLine($"checksum local       {reference.Checksum}");
        Console.WriteLine(job.Checksum == reference.Checksum ? "IDENTICAL" : "DIFFERENT");
        await host.StopAsync();
        return job.Checksum == reference.Checksum ? 0 : 1;
    }
    default:
        Console.Error.WriteLine("usage: MineRefine.ScaleOut.Silo garnet|silo|encode [--option value]… (see the header of Program.cs)");
        return 2;
}
