using System.ComponentModel;
using MineRefine.Cli.Infrastructure;
using MineRefine.Common;
using MineRefine.Evaluation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MineRefine.Cli.Commands;

/// <summary>Options of <c>minerefine compare</c>.</summary>
public sealed class CompareSettings : CommandSettings
{
    /// <summary>Baseline run.</summary>
    [CommandArgument(0, "<A>")]
    [Description("Baseline run: an eval output folder (holding per_query.csv) or a per_query.csv file. Several runs of one system " +
                 "(e.g. seeds) joined with ',' are averaged per query before the comparison.")]
    public string A { get; set; } = "";

    /// <summary>Candidate run.</summary>
    [CommandArgument(1, "<B>")]
    [Description("Candidate run, evaluated on the same queries: an eval output folder or a per_query.csv file (or several joined with ',').")]
    public string B { get; set; } = "";

    /// <summary>Metrics to compare.</summary>
    [CommandOption("--metric <METRIC>")]
    [Description("Metric column to compare (repeatable), e.g. ndcg@10, recall@100, mrr@10 (default: ndcg@10, ndcg@50, ndcg@100, recall@100, and ndcg_judged@10, judged@10, ndcg_tie_aware@10, tied@10 when both runs have them).")]
    public string[] Metric { get; set; } = [];

    /// <summary>Bootstrap resamples and sign flips.</summary>
    [CommandOption("--resamples <N>")]
    [Description("Bootstrap resamples and random sign flips, each (≥ 100).")]
    [DefaultValue(10_000)]
    public int Resamples { get; set; } = 10_000;

    /// <summary>Seed.</summary>
    [CommandOption("--seed <N>")]
    [Description("Seed of the bootstrap and of the sign flips.")]
    [DefaultValue(13)]
    public int Seed { get; set; } = 13;

    /// <summary>Confidence level.</summary>
    [CommandOption("--confidence <LEVEL>")]
    [Description("Coverage of the bootstrap interval, in (0, 1).")]
    [DefaultValue(0.95)]
    public double Confidence { get; set; } = 0.95;

    /// <summary>Machine output.</summary>
    [CommandOption("--json")]
    [Description("Print the result as JSON on stdout (the table goes to stderr).")]
    public bool Json { get; set; }

    /// <summary>JSON output file.</summary>
    [CommandOption("--out <FILE>")]
    [Description("Also write the result JSON to this file (folder created if missing).")]
    public string? Out { get; set; }

    /// <summary>Queries listed each way.</summary>
    [CommandOption("--show <N>")]
    [Description("Also list the N queries where B loses most against A on the first --metric (default ndcg@10) and the N where it gains most, " +
                 "with what each run returned at the top (from eval folders' run.trec and qrels.trec: grade 2/1/0, '·' = unjudged) and, " +
                 "when the catalog recorded in A's run.json can be read, the titles. 0 = off.")]
    [DefaultValue(0)]
    public int Show { get; set; }

    /// <summary>Hits listed per run and query with --show.</summary>
    [CommandOption("--depth <K>")]
    [Description("With --show: the top K hits of each run per listed query (1–100).")]
    [DefaultValue(5)]
    public int Depth { get; set; } = 5;

    /// <summary>The comparison options from the command line.</summary>
    public PairedComparisonOptions Options() => new() { Resamples = Resamples, Seed = Seed, ConfidenceLevel = Confidence };

    /// <summary>The per_query.csv of a run given as a folder or a file.</summary>
    public static string PerQueryPath(string run) =>
        Directory.Exists(run) ? Path.Combine(run, EvaluationResult.PerQueryFile) : run;

    /// <summary>The runs of an argument: one run, or several joined with ','.</summary>
    public static IReadOnlyList<string> Runs(string argument) =>
        argument.Split(',', StringSplitOptions.TrimEntries);

    /// <summary>Reads the runs of an argument and averages them per query (<see cref="PerQueryTable.Mean"/>).</summary>
    public static PerQueryTable Read(string argument) =>
        PerQueryTable.Mean(Runs(argument).Select(r => PerQueryFile.Read(PerQueryPath(r))).ToList());

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        try
        {
            foreach (var (name, run) in new[] { ("A", A), ("B", B) }.SelectMany(x => Runs(x.Item2 ?? "").Select(r => (x.Item1, r))))
            {
                if (string.IsNullOrWhiteSpace(run))
                    throw new ArgumentException($"{name}: give an eval output folder or a per_query.csv file.");
                if (Directory.Exists(run) && !File.Exists(PerQueryPath(run)))
                    throw new ArgumentException(
                        $"{name}: folder '{run}' has no {EvaluationResult.PerQueryFile}; run 'minerefine eval --out {run}' first.");
                if (!Directory.Exists(run) && !File.Exists(run))
                    throw new ArgumentException($"{name}: '{run}' is neither a folder nor a file.");
            }
            if (Metric.Any(string.IsNullOrWhiteSpace))
                throw new ArgumentException("--metric needs a metric name, e.g. --metric ndcg@10.");
            if (Show < 0) throw new ArgumentException($"--show must be ≥ 0 queries (got {Show}); 0 = off.");
            if (Depth is < 1 or > 100) throw new ArgumentException($"--depth must be in [1, 100] hits (got {Depth}).");
            Options().Validate();
        }
        catch (ArgumentException e)
        {
            return ValidationResult.Error(e.Message
                .Replace("Resamples must", "--resamples must", StringComparison.Ordinal)
                .Replace("ConfidenceLevel must", "--confidence must", StringComparison.Ordinal));
        }
        return ValidationResult.Success();
    }
}

/// <summary><c>minerefine compare</c>: paired significance comparison of two eval runs (see
/// <see cref="RunComparison"/>).</summary>
public sealed class CompareCommand(CliEnvironment env) : Command<CompareSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, CompareSettings settings, CancellationToken cancellationToken)
    {
        var human = settings.Json ? env.Error : env.Console;
        var a = CompareSettings.Read(settings.A);
        var b = CompareSettings.Read(settings.B);
        var metrics = settings.Metric.Select(m => m.Trim()).ToList();
        var result = RunComparison.Compare(a, b, metrics, settings.Options());
        human.Write(ComparisonTable.Render(result));
        if (settings.Show > 0)
        {
            result.Differences = QueryDifferences.Largest(a, b, metrics.FirstOrDefault() ?? RunComparison.DefaultMetrics[0], settings.Show);
            AttachHits(result.Differences, settings, human);
            human.Write(QueryDifferenceTable.Render(result.Differences));
        }
        if (settings.Out is { } outFile)
        {
            Json.WriteFile(outFile, result);
            human.MarkupLine($"wrote [bold]{Markup.Escape(Path.GetFullPath(outFile))}[/]");
        }
        if (settings.Json)
        {
            env.Stdout.WriteLine(result.ToJson());
            env.Stdout.Flush();
        }
        return ExitCodes.Ok;
    }

    /// <summary>Each run's top hits from its eval folder (a single folder with run.trec; a pooled or file argument has
    /// none), and titles from the catalog A's (else B's) run.json names, when it can still be read.</summary>
    private static void AttachHits(QueryDifferences differences, CompareSettings settings, IAnsiConsole human)
    {
        string? Folder(string argument) => CompareSettings.Runs(argument) is [var one] && Directory.Exists(one)
                                           && File.Exists(Path.Combine(one, EvaluationResult.RunFile)) ? one : null;
        string? fa = Folder(settings.A), fb = Folder(settings.B);
        if (fa is null && fb is null)
        {
            human.MarkupLine("[grey]no hits listed: neither A nor B is a single eval folder with run.trec[/]");
            return;
        }
        differences.AttachHitsFrom(fa, fb, settings.Depth, Titles(fa ?? fb!, human));
    }

    /// <summary>Product titles from the data the eval run recorded in its run.json (<c>options.data</c>), or null
    /// (with a note saying why) when that cannot be read any more.</summary>
    private static Func<string, string?>? Titles(string evalFolder, IAnsiConsole human)
    {
        string manifest = Path.Combine(evalFolder, RunManifest.FileName);
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(manifest));
            if (!doc.RootElement.TryGetProperty("options", out var o) || !o.TryGetProperty("data", out var d))
            {
                human.MarkupLine($"[grey]no titles: {Markup.Escape(manifest)} records no data options[/]");
                return null;
            }
            var data = System.Text.Json.JsonSerializer.Deserialize<MineRefine.Data.DataSourceOptions>(d.GetRawText(), Json.Options)!;
            // Read as the eval run read it; rows it skipped (--skip-bad-rows) go to a scratch file, not to its folder.
            string? scratch = data.SkipBadRows ? Path.GetTempFileName() : null;
            data.RejectedPath = scratch;
            try
            {
                var dataset = MineRefine.Data.DatasetLoader.Load(data);
                return id => dataset.FindProduct(id)?.Title;
            }
            finally
            {
                if (scratch is not null) File.Delete(scratch);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException
                                       or ArgumentException or MineRefine.Data.DataFormatException)
        {
            human.MarkupLine($"[grey]no titles: the catalog recorded in {Markup.Escape(manifest)} could not be read ({Markup.Escape(e.Message)})[/]");
            return null;
        }
    }
}
