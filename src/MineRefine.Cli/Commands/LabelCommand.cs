using System.ComponentModel;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MineRefine.Cli.Infrastructure;
using MineRefine.Common;
using MineRefine.Data;
using MineRefine.Data.Import;
using MineRefine.Labeling;
using MineRefine.Labeling.CrossEncoder;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MineRefine.Cli.Commands;

/// <summary>Options of <c>minerefine label</c>.</summary>
public sealed class LabelSettings : LabelerUseSettings
{
    /// <summary>Pairs file.</summary>
    [CommandOption("--pairs <FILE>")]
    [Description("Pairs to grade: JSONL lines {\"query\": \"…\", \"product_id\": \"…\"} (.jsonl) or CSV with header query,product_id (.csv).")]
    public string? Pairs { get; set; }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        var r = base.Validate();
        if (!r.Successful) return r;
        if (string.IsNullOrWhiteSpace(Pairs)) return ValidationResult.Error("--pairs <FILE> is required: JSONL {query, product_id} or CSV query,product_id.");
        if (!File.Exists(Pairs)) return ValidationResult.Error($"--pairs: file '{Pairs}' does not exist.");
        return ValidationResult.Success();
    }
}

/// <summary>A pair to grade as read from a pairs file.</summary>
/// <param name="Query">Query text.</param>
/// <param name="ProductId">Product id (must be in the catalog).</param>
/// <param name="Line">1-based line in the file.</param>
public sealed record PairRow(string Query, string ProductId, long Line);

/// <summary><c>minerefine label</c>: grades (query, product) pairs with a trained labeler and writes
/// <c>labels.jsonl</c> (grade, probabilities, expected grade, source, judge) and <c>run.json</c>.</summary>
public sealed class LabelCommand(CliEnvironment env) : Command<LabelSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, LabelSettings settings, CancellationToken cancellationToken)
    {
        var human = settings.Json ? env.Error : env.Console;
        if (settings.Threads > 0) TorchSharp.torch.set_num_threads(settings.Threads);
        var rows = ReadPairs(settings.Pairs!);
        var dataOptions = settings.ToDataSourceOptions();
        var manifest = new RunManifest("label", new { settings.Labeler, settings.BatchSize, settings.Cache, settings.Pairs }, settings.Seed)
        {
            Arguments = context.Arguments.ToList(),
        };
        foreach (var input in settings.InputPaths().Append(settings.Pairs!)) manifest.AddInput(input);
        manifest.AddInput(settings.Labeler!);
        Dataset dataset = null!;
        human.Status().Start($"loading {dataOptions.Format} catalog…", _ => dataset = DatasetLoader.Load(dataOptions));
        foreach (var r in rows)
            if (dataset.FindProduct(r.ProductId) is null)
                throw new DataFormatException(settings.Pairs!, r.Line, "product_id", $"product '{r.ProductId}' is not in the catalog");

        using var labeler = CrossEncoderLabeler.FromFolder(settings.Labeler!, settings.LabelerOptions());
        var requests = rows.Select(r => new LabelRequest(r.Query, r.Query, r.ProductId, labeler.ItemText(dataset.FindProduct(r.ProductId)!))).ToList();
        var results = RunWithProgress(human, labeler, requests, cancellationToken);
        Directory.CreateDirectory(settings.Out!);
        var path = Path.Combine(settings.Out!, "labels.jsonl");
        WritePredictions(path, requests, results, null);
        manifest.AddOutput(path);
        manifest.Notes["judge"] = labeler.Name;
        manifest.Notes["pairs"] = requests.Count;
        manifest.Notes["pairs_per_second"] = Math.Round(labeler.LastPairsPerSecond, 1);
        manifest.WriteTo(settings.Out!);
        var counts = Enumerable.Range(0, 3).Select(g => results.Count(r => r.Grade == g)).ToArray();
        human.MarkupLine($"graded [bold]{requests.Count:N0}[/] pairs with {Markup.Escape(labeler.Name)}: grade 0 {counts[0]:N0}, 1 {counts[1]:N0}, 2 {counts[2]:N0}; " +
                         $"wrote [bold]{Markup.Escape(Path.GetFullPath(path))}[/]");
        if (settings.Json)
        {
            env.Stdout.WriteLine(JsonSerializer.Serialize(new { pairs = requests.Count, grades = counts, output = Path.GetFullPath(path) }));
            env.Stdout.Flush();
        }
        return ExitCodes.Ok;
    }

    /// <summary>Reads a pairs file: <c>.csv</c> (header with columns <c>query</c> and <c>product_id</c>) or JSONL
    /// (any other extension; one object per line with string fields <c>query</c> and <c>product_id</c>; blank lines
    /// skipped). Bad rows throw <see cref="DataFormatException"/> naming file, line and field.</summary>
    public static IReadOnlyList<PairRow> ReadPairs(string path)
    {
        var rows = new List<PairRow>();
        if (path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".csv.gz", StringComparison.OrdinalIgnoreCase))
        {
            using var text = DataFiles.OpenText(path);
            var reader = new CsvRecordReader(text, path);
            if (!reader.TryRead(out var header)) throw new DataFormatException(path, 1, null, "empty file: expected a header 'query,product_id'");
            int qi = Array.FindIndex(header.Fields, f => f.Trim().Equals("query", StringComparison.OrdinalIgnoreCase));
            int pi = Array.FindIndex(header.Fields, f => f.Trim().Equals("product_id", StringComparison.OrdinalIgnoreCase));
            if (qi < 0) throw new DataFormatException(path, header.Line, "query", "header has no 'query' column (expected 'query,product_id')");
            if (pi < 0) throw new DataFormatException(path, header.Line, "product_id", "header has no 'product_id' column (expected 'query,product_id')");
            while (reader.TryRead(out var r))
            {
                if (r.Fields.Length != header.Fields.Length)
                    throw new DataFormatException(path, r.Line, null, $"row has {r.Fields.Length} fields, header has {header.Fields.Length}");
                string q = r.Fields[qi].Trim(), p = r.Fields[pi].Trim();
                if (q.Length == 0) throw new DataFormatException(path, r.Line, "query", "empty query");
                if (p.Length == 0) throw new DataFormatException(path, r.Line, "product_id", "empty product id");
                rows.Add(new PairRow(q, p, r.Line));
            }
        }
        else
        {
            using var text = DataFiles.OpenText(path);
            string? line;
            long n = 0;
            while ((line = text.ReadLine()) is not null)
            {
                n++;
                if (string.IsNullOrWhiteSpace(line)) continue;
                JsonElement root;
                try
                {
                    using var doc = JsonDocument.Parse(line);
                    root = doc.RootElement.Clone();
                }
                catch (JsonException e)
                {
                    throw new DataFormatException(path, n, null, $"not valid JSON ({e.Message})");
                }
                if (root.ValueKind != JsonValueKind.Object) throw new DataFormatException(path, n, null, "expected a JSON object {\"query\": …, \"product_id\": …}");
                string q = Field(root, "query", path, n), p = Field(root, "product_id", path, n);
                rows.Add(new PairRow(q, p, n));
            }
        }
        if (rows.Count == 0) throw new DataFormatException(path, 0, null, "no pairs in the file");
        return rows;
    }

    private static string Field(JsonElement o, string name, string path, long line)
    {
        if (!o.TryGetProperty(name, out var v)) throw new DataFormatException(path, line, name, "missing");
        string? s = v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number when name == "product_id" => v.GetRawText(),
            _ => throw new DataFormatException(path, line, name, $"expected a string, got {v.ValueKind.ToString().ToLowerInvariant()}"),
        };
        if (string.IsNullOrWhiteSpace(s)) throw new DataFormatException(path, line, name, "empty");
        return s.Trim();
    }

    /// <summary>Label requests of (query id, product id) pairs of a data set.</summary>
    public static List<LabelRequest> Requests(Dataset data, IEnumerable<(string QueryId, string ProductId)> pairs, CrossEncoderLabeler labeler) =>
        pairs.Select(p =>
        {
            var q = data.FindQuery(p.QueryId) ?? throw new ArgumentException($"Judgment names query '{p.QueryId}' that is not in the data set.");
            var prod = data.FindProduct(p.ProductId) ?? throw new ArgumentException($"Judgment names product '{p.ProductId}' that is not in the catalog.");
            return new LabelRequest(q.Id, q.Text, prod.Id, labeler.ItemText(prod));
        }).ToList();

    /// <summary>Grades with a Spectre progress bar (pairs done).</summary>
    public static IReadOnlyList<LabelResult> RunWithProgress(IAnsiConsole console, CrossEncoderLabeler labeler, IReadOnlyList<LabelRequest> requests, CancellationToken ct)
    {
        IReadOnlyList<LabelResult> results = null!;
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(),
                new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask($"grade {requests.Count:N0} pairs", maxValue: Math.Max(1, requests.Count));
                var progress = new Evaluation.SyncProgress<int>(done => task.Value = done);
                results = labeler.Label(requests, progress, ct);
                task.Value = task.MaxValue;
            });
        return results;
    }

    /// <summary>Writes one JSON line per pair: query_id, query, product_id, grade, p (P(0), P(1), P(2)),
    /// expected_grade, source, judge, and the human grade when <paramref name="truth"/> is given.</summary>
    public static void WritePredictions(string path, IReadOnlyList<LabelRequest> requests, IReadOnlyList<LabelResult> results, IReadOnlyList<int>? truth)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < requests.Count; i++)
        {
            var r = results[i];
            var o = new Dictionary<string, object?>
            {
                ["query_id"] = requests[i].QueryId,
                ["query"] = requests[i].QueryText,
                ["product_id"] = requests[i].ProductId,
                ["grade"] = r.Grade,
                ["p"] = r.Probabilities.Select(v => Math.Round(v, 5)).ToArray(),
                ["expected_grade"] = Math.Round(r.ExpectedGrade, 4),
                ["source"] = JsonlFormat.SourceName(r.Source),
                ["judge"] = r.Judge,
            };
            if (truth is not null) o["human_grade"] = truth[i];
            sb.Append(JsonSerializer.Serialize(o, Json.Compact)).Append('\n');
        }
        File.WriteAllText(path, sb.ToString());
    }
}
