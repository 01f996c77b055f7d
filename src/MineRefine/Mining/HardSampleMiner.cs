using System.Diagnostics;
using System.Text.Json;
using MineRefine.Data;
using MineRefine.Data.Import;
using MineRefine.Labeling;
using MineRefine.Retrieval;

namespace MineRefine.Mining;

/// <summary>Output of a mining run.</summary>
/// <param name="Mined">The selected hard samples.</param>
/// <param name="Union">Original training judgments (negatives included — dropping them causes catastrophic
/// forgetting, paper §6 step 4) plus the mined pairs not already judged, tagged with their source.</param>
/// <param name="Stats">What the miner did.</param>
public sealed record MiningResult(IReadOnlyList<MinedPair> Mined, IReadOnlyList<Judgment> Union, MiningStats Stats);

/// <summary>
/// ANN hard-sample mining with re-labeling (paper §6): retrieve the top k items of every training query with the
/// stage-1 retriever, grade every retrieved pair that has no judgment with the labeler (already judged pairs keep
/// their label), then select hard negatives and hard positives with <see cref="HardSampleSelector"/>.
/// </summary>
public sealed class HardSampleMiner
{
    private readonly MiningOptions _options;

    /// <summary>Creates a miner; options are validated here.</summary>
    public HardSampleMiner(MiningOptions options)
    {
        options.Validate();
        _options = options;
    }

    /// <summary>Mines hard samples for the queries of <paramref name="trainJudgments"/>.</summary>
    /// <param name="data">Catalog and query texts.</param>
    /// <param name="trainJudgments">Training judgments (their queries are mined; their labels are kept).</param>
    /// <param name="retriever">The stage-1 retriever over the item set.</param>
    /// <param name="labeler">Grades unjudged pairs; may be null only when <see cref="MiningOptions.Relabel"/> is off.</param>
    /// <param name="itemText">Item text shown to the labeler.</param>
    /// <param name="progress">Reports (phase, done, total).</param>
    /// <param name="ct">Cancellation.</param>
    public async Task<MiningResult> MineAsync(
        Dataset data,
        IReadOnlyList<Judgment> trainJudgments,
        IRetriever retriever,
        ILabeler? labeler,
        Func<Product, string> itemText,
        IProgress<(string Phase, int Done, int Total)>? progress = null,
        CancellationToken ct = default)
    {
        if (_options.Relabel && labeler is null)
            throw new ArgumentException("Mining with re-labeling needs a labeler (--labeler <folder>); " +
                                        "pass --no-relabel to assume unjudged items are grade 0 instead.");
        var stats = new MiningStats();
        var judged = new Dictionary<(string, string), int>();
        foreach (var j in trainJudgments) judged[(j.QueryId, j.ProductId)] = j.Grade;

        var queryIds = trainJudgments.Select(j => j.QueryId).Distinct().Order(StringComparer.Ordinal).ToList();
        if (_options.MaxQueries is int max && queryIds.Count > max)
        {
            var rng = new Random(_options.Seed);
            queryIds = queryIds.OrderBy(_ => rng.Next()).Take(max).Order(StringComparer.Ordinal).ToList();
        }
        stats.Queries = queryIds.Count;
        var texts = queryIds.Select(id => data.FindQuery(id)?.Text
            ?? throw new ArgumentException($"Training judgment names query '{id}' that the data set does not have.")).ToList();

        // 1. Retrieve top k per training query.
        var sw = Stopwatch.StartNew();
        var hits = retriever.SearchBatch(texts, _options.K,
            new Progress<int>(d => progress?.Report(("retrieve", d, texts.Count))));
        stats.Seconds["retrieval"] = sw.Elapsed.TotalSeconds;

        // 2. Decide which unjudged pairs to grade (budget per query), then grade them in one batched call.
        var candidates = new List<MiningCandidate>[queryIds.Count];
        var requests = new List<LabelRequest>();
        var requestSlots = new List<(int Query, int Index)>();
        for (int q = 0; q < queryIds.Count; q++)
        {
            var list = new List<MiningCandidate>(hits[q].Count);
            var unjudged = new List<int>();
            for (int r = 0; r < hits[q].Count; r++)
            {
                var h = hits[q][r];
                if (judged.TryGetValue((queryIds[q], h.ProductId), out int g))
                {
                    list.Add(new MiningCandidate(queryIds[q], h.ProductId, r + 1, h.Score, g, CandidateLabel.Judged));
                    stats.AlreadyJudged++;
                }
                else if (!_options.Relabel)
                {
                    list.Add(new MiningCandidate(queryIds[q], h.ProductId, r + 1, h.Score, 0, CandidateLabel.Assumed));
                    stats.AssumedNegative++;
                }
                else
                {
                    list.Add(new MiningCandidate(queryIds[q], h.ProductId, r + 1, h.Score, null, CandidateLabel.Unlabeled));
                    unjudged.Add(r);
                }
            }
            foreach (int r in PrioritiseForLabeling(unjudged, _options))
            {
                var product = data.FindProduct(list[r].ProductId)!;
                requests.Add(new LabelRequest(queryIds[q], texts[q], product.Id, itemText(product)));
                requestSlots.Add((q, r));
            }
            candidates[q] = list;
        }
        if (requests.Count > 0)
        {
            sw.Restart();
            var results = await labeler!.LabelAsync(requests,
                new Progress<int>(d => progress?.Report(("label", d, requests.Count))), ct).ConfigureAwait(false);
            double secs = sw.Elapsed.TotalSeconds;
            stats.Seconds["labeling"] = secs;
            stats.Labeling["judge"] = labeler.Name;
            stats.Labeling["pairs"] = requests.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            stats.Labeling["pairs_per_second"] = (requests.Count / Math.Max(secs, 1e-9)).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
            for (int i = 0; i < results.Count; i++)
            {
                var (q, r) = requestSlots[i];
                candidates[q][r] = candidates[q][r] with { Grade = results[i].Grade, Label = CandidateLabel.Labeled };
            }
        }

        // 3. Select hard samples per query.
        sw.Restart();
        var mined = new List<MinedPair>();
        foreach (var list in candidates) mined.AddRange(HardSampleSelector.Select(list, _options, stats));
        stats.Seconds["selection"] = sw.Elapsed.TotalSeconds;

        // 4. Union with the original data.
        var union = new List<Judgment>(trainJudgments);
        foreach (var m in mined)
        {
            if (m.Label == CandidateLabel.Judged) continue;
            union.Add(new Judgment(m.QueryId, m.ProductId, m.Grade, JudgmentSource.Model));
        }
        return new MiningResult(mined, union, stats);
    }

    /// <summary>Orders a query's unjudged candidate positions so that the pairs most likely to be selected are
    /// graded first when a budget applies: the best-ranked of the top part and the worst-ranked of the bottom part,
    /// alternating. Without a budget every unjudged pair is graded.</summary>
    internal static IEnumerable<int> PrioritiseForLabeling(List<int> unjudged, MiningOptions options)
    {
        if (options.MaxLabelsPerQuery is not int budget || budget >= unjudged.Count) return unjudged;
        int split = options.EffectiveSplit;
        var top = unjudged.Where(r => r + 1 <= split).ToList();             // ascending rank
        var bottom = unjudged.Where(r => r + 1 > split).Reverse().ToList(); // descending rank
        var order = new List<int>(budget);
        for (int i = 0; order.Count < budget && (i < top.Count || i < bottom.Count); i++)
        {
            if (i < top.Count) order.Add(top[i]);
            if (order.Count < budget && i < bottom.Count) order.Add(bottom[i]);
        }
        return order.Order();
    }

    /// <summary>Writes <c>mined.jsonl</c> (query, product, grade, rank, score, kind, source), <c>union.jsonl</c>
    /// (judgments format) and <c>mining.json</c> into <paramref name="folder"/>.</summary>
    public static void Write(MiningResult result, string folder)
    {
        Directory.CreateDirectory(folder);
        using (var w = new JsonlWriter(Path.Combine(folder, "mined.jsonl")))
        {
            foreach (var m in result.Mined)
            {
                w.WriteObject(o =>
                {
                    o.WriteString("query_id", m.QueryId);
                    o.WriteString("product_id", m.ProductId);
                    o.WriteNumber("grade", m.Grade);
                    o.WriteNumber("rank", m.Rank);
                    o.WriteNumber("score", m.Score);
                    o.WriteString("kind", m.Kind == MinedKind.HardNegative ? "hard_negative" : "hard_positive");
                    o.WriteString("source", m.Label switch
                    {
                        CandidateLabel.Judged => "human",
                        CandidateLabel.Labeled => "model",
                        _ => "assumed",
                    });
                });
            }
        }
        DatasetWriter.WriteJudgments(result.Union, Path.Combine(folder, "union.jsonl"));
        File.WriteAllText(Path.Combine(folder, "mining.json"), JsonSerializer.Serialize(result.Stats,
            new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
    }

    /// <summary>Reads <c>mined.jsonl</c> back as judgments (source model, or human for pairs that were judged).
    /// Bad lines are errors naming file, line and field.</summary>
    public static List<Judgment> ReadMinedAsJudgments(string path)
    {
        var list = new List<Judgment>();
        long line = 0;
        foreach (string raw in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(raw)) continue;
            JsonDocument doc;
            try { doc = JsonDocument.Parse(raw); }
            catch (JsonException e) { throw new DataFormatException(path, line, null, "invalid JSON: " + e.Message); }
            using (doc)
            {
                var root = doc.RootElement;
                string Req(string f) => root.TryGetProperty(f, out var v) && v.ValueKind == JsonValueKind.String && v.GetString()!.Length > 0
                    ? v.GetString()! : throw new DataFormatException(path, line, f, "missing or empty");
                if (!root.TryGetProperty("grade", out var gv) || !gv.TryGetInt32(out int grade) || !Grades.IsValid(grade))
                    throw new DataFormatException(path, line, "grade", "must be 0, 1 or 2");
                string source = root.TryGetProperty("source", out var sv) ? sv.GetString() ?? "model" : "model";
                list.Add(new Judgment(Req("query_id"), Req("product_id"), grade,
                    source == "human" ? JudgmentSource.Human : JudgmentSource.Model));
            }
        }
        return list;
    }
}
