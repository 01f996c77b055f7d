using System.ComponentModel;
using MineRefine.Cli.Infrastructure;
using Microsoft.Extensions.Hosting;
using MineRefine.ScaleOut.Garnet;
using MineRefine.Serving;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MineRefine.Cli.Commands;

/// <summary>Options of <c>minerefine serve</c>.</summary>
public sealed class ServeSettings : CommandSettings
{
    /// <summary>Index folder.</summary>
    [CommandOption("--index <DIR>")]
    [Description("Search index folder (from 'index build' or '<pipeline out>/index').")]
    public string? Index { get; set; }

    /// <summary>Listen URLs.</summary>
    [CommandOption("--urls <URLS>")]
    [Description("Addresses to listen on (loopback by default).")]
    [DefaultValue("http://127.0.0.1:5080")]
    public string Urls { get; set; } = "http://127.0.0.1:5080";

    /// <summary>Max k.</summary>
    [CommandOption("--max-k <K>")]
    [Description("Largest k a request may ask for.")]
    [DefaultValue(200)]
    public int MaxK { get; set; } = 200;

    /// <summary>Timeout.</summary>
    [CommandOption("--timeout <SECONDS>")]
    [Description("Per-request timeout in seconds.")]
    [DefaultValue(10.0)]
    public double TimeoutSeconds { get; set; } = 10;

    /// <summary>Key scope.</summary>
    [CommandOption("--api-key-scope <SCOPE>")]
    [Description("Where the API key (env MINEREFINE_API_KEY) is required: all (every /v1 endpoint) or admin (reload only).")]
    [DefaultValue("all")]
    public string ApiKeyScope { get; set; } = "all";

    /// <summary>Dense backend.</summary>
    [CommandOption("--backend <BACKEND>")]
    [Description("Where the dense leg searches: local (the folder's ANN index) or garnet (a sharded index pushed with 'index push'; BM25, model, thresholds and fusion stay local).")]
    [DefaultValue("local")]
    public string Backend { get; set; } = "local";

    /// <summary>Garnet endpoints.</summary>
    [CommandOption("--garnet <HOSTS>")]
    [Description("With --backend garnet: endpoints host:port[[,host:port…]] (cluster nodes, or independent servers as given to 'index push').")]
    public string? Garnet { get; set; }

    /// <summary>Shards.</summary>
    [CommandOption("--shards <N>")]
    [Description("With --backend garnet: number of shard keys, as pushed.")]
    [DefaultValue(3)]
    public int Shards { get; set; } = 3;

    /// <summary>Key prefix.</summary>
    [CommandOption("--prefix <PREFIX>")]
    [Description("With --backend garnet: key prefix, as pushed.")]
    [DefaultValue("mr")]
    public string Prefix { get; set; } = "mr";

    /// <summary>Metric.</summary>
    [CommandOption("--metric <METRIC>")]
    [Description("With --backend garnet: distance metric, as pushed (cosine, l2 or ip).")]
    [DefaultValue("cosine")]
    public string Metric { get; set; } = "cosine";

    /// <summary>Per-shard timeout.</summary>
    [CommandOption("--shard-timeout-ms <MS>")]
    [Description("With --backend garnet: per-shard query timeout; a slower shard is left out and the response is flagged degraded.")]
    [DefaultValue(2000)]
    public int ShardTimeoutMs { get; set; } = 2000;

    /// <summary>Search EF.</summary>
    [CommandOption("--ef <EF>")]
    [Description("With --backend garnet: VSIM exploration factor (raised to k when smaller).")]
    [DefaultValue(100)]
    public int Ef { get; set; } = 100;

    /// <summary>True for --backend garnet.</summary>
    public bool UsesGarnet => Backend.Trim().Equals("garnet", StringComparison.OrdinalIgnoreCase);

    /// <summary>The Garnet options (only meaningful with --backend garnet).</summary>
    public GarnetShardOptions ToGarnetOptions() => new GarnetShardOptions
    {
        Endpoints = GarnetShardOptions.ParseEndpoints(Garnet ?? ""),
        Shards = Shards,
        KeyPrefix = Prefix,
        Metric = GarnetIndexSettings.ParseMetric(Metric),
        SearchEf = Ef,
        ShardTimeout = TimeSpan.FromMilliseconds(ShardTimeoutMs),
    }.Validate();

    /// <summary>The service options.</summary>
    public ServiceOptions ToOptions() => new ServiceOptions
    {
        Urls = Urls,
        MaxK = MaxK,
        RequestTimeout = TimeSpan.FromSeconds(TimeoutSeconds),
        ApiKeyScope = ApiKeyScope.ToLowerInvariant() switch
        {
            "all" => Serving.ApiKeyScope.AllV1,
            "admin" => Serving.ApiKeyScope.AdminOnly,
            _ => throw new ArgumentException($"Unknown --api-key-scope '{ApiKeyScope}'. Use all or admin."),
        },
    }.Validate();

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Index)) return ValidationResult.Error("--index <DIR> is required.");
        if (!Directory.Exists(Index)) return ValidationResult.Error($"--index: folder '{Index}' does not exist.");
        var backend = Backend.Trim().ToLowerInvariant();
        if (backend is not ("local" or "garnet")) return ValidationResult.Error($"--backend: '{Backend}' is not local or garnet.");
        if (UsesGarnet && string.IsNullOrWhiteSpace(Garnet))
            return ValidationResult.Error("--backend garnet needs --garnet host:port[,host:port…] (the servers the index was pushed to).");
        if (!UsesGarnet && !string.IsNullOrWhiteSpace(Garnet))
            return ValidationResult.Error("--garnet is only used with --backend garnet; add --backend garnet or drop --garnet.");
        if (ShardTimeoutMs < 1) return ValidationResult.Error($"--shard-timeout-ms must be ≥ 1 (got {ShardTimeoutMs}).");
        try
        {
            ToOptions();
            if (UsesGarnet) ToGarnetOptions();
        }
        catch (ArgumentException e) { return ValidationResult.Error(e.Message); }
        return ValidationResult.Success();
    }
}

/// <summary><c>minerefine serve</c>: the hybrid search service (HTTP API + web page) over an index folder.
/// The index loads in the background: <c>/healthz</c> answers at once, <c>/readyz</c> once it is loaded.
/// <c>POST /v1/admin/reload</c> (with the API key) re-opens the folder and swaps it in atomically.</summary>
public sealed class ServeCommand(CliEnvironment env) : Command<ServeSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, ServeSettings settings, CancellationToken cancellationToken)
    {
        string index = Path.GetFullPath(settings.Index!);
        Func<CancellationToken, ISearchEngine> loader = ct => SearchIndex.Open(index, ct);
        if (settings.UsesGarnet)
        {
            var garnet = settings.ToGarnetOptions();
            loader = ct => GarnetDenseBackend.OpenIndex(index, garnet, ct);
        }
        var app = SearchService.Build(settings.ToOptions(), loader);
        env.Console.MarkupLine($"serving [bold]{Markup.Escape(index)}[/]" +
                               (settings.UsesGarnet ? $" (dense leg on Garnet {Markup.Escape(settings.Garnet!)}, {settings.Shards} shards)" : "") +
                               $" on [bold]{Markup.Escape(settings.Urls)}[/] " +
                               "(web page at /, API at /v1/search, OpenAPI at /openapi.json; Ctrl+C stops)");
        app.StartAsync(cancellationToken).GetAwaiter().GetResult();
        app.WaitForShutdownAsync(cancellationToken).GetAwaiter().GetResult();
        return ExitCodes.Ok;
    }
}
