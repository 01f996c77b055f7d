using System.ComponentModel;
using MineRefine.Cli.Infrastructure;
using MineRefine.Common;
using MineRefine.ScaleOut.Garnet;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MineRefine.Cli.Commands;

/// <summary>Options of <c>minerefine index verify</c>.</summary>
public sealed class IndexVerifySettings : GarnetIndexSettings
{
    /// <summary>Samples per shard.</summary>
    [CommandOption("--samples <N>")]
    [Description("Embeddings per shard compared with VEMB.")]
    [DefaultValue(20)]
    public int Samples { get; set; } = 20;

    /// <summary>Tolerance.</summary>
    [CommandOption("--tolerance <T>")]
    [Description("Allowed absolute error per component (1e-6 for noquant; use about 0.02 for q8).")]
    [DefaultValue(1e-6)]
    public double Tolerance { get; set; } = 1e-6;

    /// <summary>Seed.</summary>
    [CommandOption("--seed <SEED>")]
    [Description("Sampling seed.")]
    [DefaultValue(17)]
    public int Seed { get; set; } = 17;
}

/// <summary><c>minerefine index verify</c>: compare the Garnet shards with an index folder (VCARD per shard, sampled
/// VEMB round trips). Exit code 0 when everything matches, 1 otherwise.</summary>
public sealed class IndexVerifyCommand(CliEnvironment env) : Command<IndexVerifySettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, IndexVerifySettings settings, CancellationToken cancellationToken)
    {
        var human = settings.Json ? env.Error : env.Console;
        var options = settings.ToOptions();
        var source = IndexFolderVectors.Load(settings.Index!);
        using var conn = GarnetShardConnection.Connect(options);
        var report = new GarnetIndexVerifier(conn).Verify(source.ProductIds, source.Vectors, settings.Samples, settings.Seed, settings.Tolerance);
        var table = new Table().AddColumns("shard", "key", "expected", "VCARD", "sampled", "missing", "max |Δ|", "status");
        foreach (var s in report.Shards)
        {
            bool ok = s.Error is null && s.Actual == s.Expected && s.MissingSamples == 0 && s.MaxAbsError <= report.Tolerance;
            table.AddRow(s.Shard.ToString(), Markup.Escape(s.Key), s.Expected.ToString("N0"), s.Actual.ToString("N0"), s.Sampled.ToString(),
                s.MissingSamples.ToString(), s.MaxAbsError.ToString("G3"), ok ? "[green]ok[/]" : "[red]" + Markup.Escape(s.Error ?? "mismatch") + "[/]");
        }
        human.Write(table);
        human.MarkupLine(report.Ok ? "[green]index matches[/]" : "[red]index does not match: re-run 'index push' (it resumes and fills what is missing)[/]");
        if (settings.Json) env.Stdout.WriteLine(Json.Serialize(report));
        return report.Ok ? ExitCodes.Ok : ExitCodes.Failure;
    }
}
