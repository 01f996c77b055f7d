using System.ComponentModel;
using MineRefine.Cli.Infrastructure;
using MineRefine.Common;
using MineRefine.ScaleOut.Garnet;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MineRefine.Cli.Commands;

/// <summary>Options shared by <c>index push</c> and <c>index verify</c>.</summary>
public class GarnetIndexSettings : CommandSettings
{
    /// <summary>Index folder.</summary>
    [CommandOption("--index <DIR>")]
    [Description("Search index folder built by 'index build' (its products and item embeddings are pushed).")]
    public string? Index { get; set; }

    /// <summary>Garnet endpoints.</summary>
    [CommandOption("--garnet <HOSTS>")]
    [Description("Garnet endpoints host:port[[,host:port…]] (cluster nodes, or independent servers: shard s on server s mod n). " +
                 "Servers must run with --enable-vector-set-preview.")]
    public string? Garnet { get; set; }

    /// <summary>Shards.</summary>
    [CommandOption("--shards <N>")]
    [Description("Number of shard keys {prefix}:{shard-s}:vec.")]
    [DefaultValue(3)]
    public int Shards { get; set; } = 3;

    /// <summary>Key prefix.</summary>
    [CommandOption("--prefix <PREFIX>")]
    [Description("Key prefix.")]
    [DefaultValue("mr")]
    public string Prefix { get; set; } = "mr";

    /// <summary>Metric.</summary>
    [CommandOption("--metric <METRIC>")]
    [Description("Distance metric: cosine (default), l2 or ip.")]
    [DefaultValue("cosine")]
    public string Metric { get; set; } = "cosine";

    /// <summary>Quantizer.</summary>
    [CommandOption("--quantizer <Q>")]
    [Description("Vector storage: noquant (default), q8 or bin.")]
    [DefaultValue("noquant")]
    public string Quantizer { get; set; } = "noquant";

    /// <summary>JSON output.</summary>
    [CommandOption("--json")]
    [Description("Print the report as JSON on stdout.")]
    public bool Json { get; set; }

    /// <summary>The shard options.</summary>
    public GarnetShardOptions ToOptions() => new GarnetShardOptions
    {
        Endpoints = GarnetShardOptions.ParseEndpoints(Garnet ?? ""),
        Shards = Shards,
        KeyPrefix = Prefix,
        Metric = ParseMetric(Metric),
        Quantizer = Quantizer.Trim().ToLowerInvariant() switch
        {
            "noquant" => GarnetQuantizer.NoQuant, "q8" => GarnetQuantizer.Q8, "bin" => GarnetQuantizer.Bin,
            _ => throw new ArgumentException($"--quantizer: '{Quantizer}' is not noquant, q8 or bin."),
        },
    }.Validate();

    /// <summary>Parses --metric (cosine, l2 or ip).</summary>
    public static GarnetMetric ParseMetric(string metric) => metric.Trim().ToLowerInvariant() switch
    {
        "cosine" => GarnetMetric.Cosine, "l2" => GarnetMetric.L2, "ip" => GarnetMetric.InnerProduct,
        _ => throw new ArgumentException($"--metric: '{metric}' is not cosine, l2 or ip."),
    };

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Index)) return ValidationResult.Error("--index is required (a folder built by 'minerefine index build').");
        if (!Directory.Exists(Index)) return ValidationResult.Error($"--index: folder '{Index}' does not exist.");
        if (string.IsNullOrWhiteSpace(Garnet)) return ValidationResult.Error("--garnet is required, e.g. --garnet 127.0.0.1:6379,127.0.0.1:6380.");
        try { ToOptions(); }
        catch (ArgumentException e) { return ValidationResult.Error(e.Message); }
        return ValidationResult.Success();
    }
}

/// <summary>Options of <c>minerefine index push</c>.</summary>
public sealed class IndexPushSettings : GarnetIndexSettings
{
    /// <summary>Build EF.</summary>
    [CommandOption("--build-ef <EF>")]
    [Description("HNSW build exploration factor (VADD EF).")]
    [DefaultValue(200)]
    public int BuildEf { get; set; } = 200;

    /// <summary>Batch size.</summary>
    [CommandOption("--batch <N>")]
    [Description("VADDs pipelined per round trip; the per-shard progress marker advances per batch.")]
    [DefaultValue(256)]
    public int Batch { get; set; } = 256;
}

/// <summary><c>minerefine index push</c>: write an index folder's item embeddings into sharded Garnet vector sets
/// (idempotent; a re-run after a crash sends only what is missing).</summary>
public sealed class IndexPushCommand(CliEnvironment env) : Command<IndexPushSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, IndexPushSettings settings, CancellationToken cancellationToken)
    {
        var human = settings.Json ? env.Error : env.Console;
        var options = settings.ToOptions();
        options.BuildEf = settings.BuildEf;
        options.PushBatchSize = settings.Batch;
        options.Validate();
        var source = IndexFolderVectors.Load(settings.Index!);
        human.MarkupLine($"pushing [bold]{source.ProductIds.Count:N0}[/] embeddings (d={source.Vectors.Dimension}, {Markup.Escape(source.Model)}) to {options.Shards} shards");
        using var conn = GarnetShardConnection.Connect(options);
        var pusher = new GarnetIndexPusher(conn) { Warn = m => env.Error.MarkupLine("[yellow]" + Markup.Escape(m) + "[/]") };
        PushReport report = null!;
        human.Progress().AutoClear(false).Start(ctx =>
        {
            var task = ctx.AddTask("VADD", maxValue: Math.Max(1, source.ProductIds.Count));
            report = pusher.Push(source.ProductIds, source.Vectors, source.Attributes, new Progress<int>(d => task.Value = d));
            task.Value = task.MaxValue;
        });
        var table = new Table().AddColumns("shard", "key", "owner", "items", "skipped (marker)", "added", "already present");
        foreach (var s in report.Shards)
            table.AddRow(s.Shard.ToString(), Markup.Escape(s.Key), Markup.Escape(conn.Owner(s.Shard)), s.Items.ToString("N0"), s.SkippedByMarker.ToString("N0"), s.Added.ToString("N0"), s.AlreadyPresent.ToString("N0"));
        human.Write(table);
        human.MarkupLine($"{report.Sent:N0} VADDs in {report.Elapsed.TotalSeconds:0.0} s ({report.ItemsPerSecond:N0}/s){(conn.IsCluster ? " [grey](cluster mode)[/]" : " [grey](independent servers)[/]")}");
        if (settings.Json) env.Stdout.WriteLine(Json.Serialize(report));
        return ExitCodes.Ok;
    }
}
