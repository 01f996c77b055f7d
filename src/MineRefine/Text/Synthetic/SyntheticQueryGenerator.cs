using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using MineRefine.Data;
using MineRefine.Labeling;

namespace MineRefine.Text.Synthetic;

/// <summary>A generated query with the item(s) it was made from.</summary>
/// <param name="Query">The query; id <c>syn:&lt;first 16 hex of SHA-256(normalised text)&gt;</c>.</param>
/// <param name="SourceProductIds">Items the text was generated from (several when two items gave the same text).</param>
/// <param name="Template">The template used.</param>
public sealed record SyntheticQuery(Query Query, IReadOnlyList<string> SourceProductIds, string Template);

/// <summary>Counts of a generation / build.</summary>
public sealed class SyntheticReport
{
    /// <summary>Catalog items with no judgment of grade ≥ 1 (eligible).</summary>
    public int ItemsWithoutPositive { get; set; }
    /// <summary>Cap on synthetic queries from MaxShare / MaxQueries.</summary>
    public int Cap { get; set; }
    /// <summary>Eligible items examined before the cap was reached.</summary>
    public int ItemsExamined { get; set; }
    /// <summary>Examined items for which no template applied within the token range.</summary>
    public int ItemsWithoutTemplate { get; set; }
    /// <summary>Generated texts equal (after normalisation) to a real query, training or held out; skipped.</summary>
    public int DuplicatesOfRealQueries { get; set; }
    /// <summary>Items attached to an already generated synthetic query with the same text.</summary>
    public int MergedIntoExisting { get; set; }
    /// <summary>Synthetic queries generated.</summary>
    public int QueriesGenerated { get; set; }
    /// <summary>Pairs to grade.</summary>
    public int Pairs { get; set; }
    /// <summary>After build: queries kept.</summary>
    public int QueriesKept { get; set; }
    /// <summary>After build: queries dropped because no pair got grade ≥ 1.</summary>
    public int QueriesDroppedNoPositive { get; set; }
    /// <summary>After build: counts of grades 0, 1, 2 over kept judgments.</summary>
    public int[] GradeMix { get; set; } = new int[3];
}

/// <summary>Generated queries and the pairs the labeler must grade (<see cref="Requests"/>, in order).</summary>
public sealed record SyntheticPlan(IReadOnlyList<SyntheticQuery> Queries, IReadOnlyList<LabelRequest> Requests, SyntheticReport Report);

/// <summary>Graded synthetic data: queries and judgments with source <see cref="JudgmentSource.Synthetic"/>.</summary>
public sealed record SyntheticResult(IReadOnlyList<Query> Queries, IReadOnlyList<Judgment> Judgments, SyntheticReport Report);

/// <summary>Targeted synthetic queries (paper §3): short shopper-style queries built from item features (taxonomy
/// leaf, brand, colour, material, size, title words), only for catalog items that have no positive query, capped at
/// a low share. Each query is paired with its item and a few other items (same category and random); every pair is
/// graded by an <see cref="ILabeler"/> (none is assumed relevant). Deterministic per seed.</summary>
public sealed class SyntheticQueryGenerator
{
    private static readonly Regex SlotRx = new(@"\{([a-z]+)\}", RegexOptions.Compiled);
    private static readonly Regex NonWord = new(@"[^\p{L}\p{N}\-\./ ]+", RegexOptions.Compiled);
    private readonly SyntheticQueryOptions _o;

    /// <summary>Creates the generator (options validated).</summary>
    public SyntheticQueryGenerator(SyntheticQueryOptions? options = null)
    {
        _o = options ?? new SyntheticQueryOptions();
        _o.Validate();
    }

    internal static IReadOnlyList<string> Slots(string template) => SlotRx.Matches(template).Select(m => m.Groups[1].Value).ToList();

    /// <summary>Query id for a synthetic text: "syn:" + first 16 hex of SHA-256 of the normalised text.</summary>
    public static string QueryId(string text) =>
        "syn:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(TextNormalizer.NormalizeQuery(text))))[..16].ToLowerInvariant();

    /// <summary>Generates queries and the pairs to grade. <paramref name="queries"/> and <paramref name="judgments"/>
    /// are the training queries and their judgments: the judgments decide which items have a positive query, and the
    /// queries set the share cap. <paramref name="heldOutQueries"/> (dev and test queries) only add texts a synthetic
    /// query must not repeat, so that no training query is a copy of an evaluation query.</summary>
    public SyntheticPlan Generate(IReadOnlyList<Product> catalog, IReadOnlyList<Query> queries, IReadOnlyList<Judgment> judgments,
        IReadOnlyList<Query>? heldOutQueries = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(judgments);
        var rng = new Random(_o.Seed);
        var report = new SyntheticReport();
        var positive = new HashSet<string>(judgments.Where(j => j.Grade >= Grades.Partial).Select(j => j.ProductId), StringComparer.Ordinal);
        var real = new HashSet<string>(queries.Concat(heldOutQueries ?? []).Select(q => TextNormalizer.NormalizeQuery(q.Text)), StringComparer.Ordinal);
        int realCount = queries.Select(q => q.Id).Distinct().Count();
        int cap = (int)Math.Floor(_o.MaxShare / (1 - _o.MaxShare) * realCount + 1e-9);
        if (_o.MaxQueries is int mq) cap = Math.Min(cap, mq);
        report.Cap = cap;

        var eligible = catalog.Where(p => !positive.Contains(p.Id)).ToArray();
        report.ItemsWithoutPositive = eligible.Length;
        for (int i = eligible.Length - 1; i > 0; i--) { int r = rng.Next(i + 1); (eligible[i], eligible[r]) = (eligible[r], eligible[i]); }

        var byText = new Dictionary<string, (string Template, List<string> Sources)>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var p in eligible)
        {
            if (order.Count >= cap) break;
            report.ItemsExamined++;
            var slots = SlotValues(p);
            var applicable = _o.Templates.Where(t => Slots(t).All(s => slots.ContainsKey(s))).ToList();
            for (int i = applicable.Count - 1; i > 0; i--) { int r = rng.Next(i + 1); (applicable[i], applicable[r]) = (applicable[r], applicable[i]); }
            string? chosen = null, chosenTemplate = null;
            bool sawReal = false;
            foreach (var t in applicable)
            {
                string text = TextNormalizer.NormalizeQuery(SlotRx.Replace(t, m => slots[m.Groups[1].Value]));
                int tokens = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
                if (tokens < _o.MinTokens || tokens > _o.MaxTokens) continue;
                if (real.Contains(text)) { sawReal = true; continue; }
                chosen = text; chosenTemplate = t; break;
            }
            if (chosen is null)
            {
                if (sawReal) report.DuplicatesOfRealQueries++; else report.ItemsWithoutTemplate++;
                continue;
            }
            if (byText.TryGetValue(chosen, out var existing)) { existing.Sources.Add(p.Id); report.MergedIntoExisting++; continue; }
            byText[chosen] = (chosenTemplate!, new List<string> { p.Id });
            order.Add(chosen);
        }

        // pairing
        var byId = catalog.GroupBy(p => p.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        var byCategory = catalog.GroupBy(CategoryKey, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(p => p.Id).ToArray(), StringComparer.Ordinal);
        var allIds = catalog.Select(p => p.Id).Distinct(StringComparer.Ordinal).ToArray();
        var result = new List<SyntheticQuery>();
        var requests = new List<LabelRequest>();
        foreach (var text in order)
        {
            var (template, sources) = byText[text];
            var q = new Query(QueryId(text), text, byId[sources[0]].Locale);
            result.Add(new SyntheticQuery(q, sources, template));
            var chosen = new HashSet<string>(sources, StringComparer.Ordinal);
            var items = new List<string>(sources);
            int sameWanted = (_o.OtherItemsPerQuery + 1) / 2;
            var pool = byCategory.GetValueOrDefault(CategoryKey(byId[sources[0]])) ?? Array.Empty<string>();
            items.AddRange(Draw(pool, sameWanted, chosen, rng));
            items.AddRange(Draw(allIds, _o.OtherItemsPerQuery - (items.Count - sources.Count), chosen, rng));
            foreach (var id in items) requests.Add(new LabelRequest(q.Id, q.Text, id, LabelingText.ItemText(byId[id], _o.ItemTextLevels)));
        }
        report.QueriesGenerated = result.Count;
        report.Pairs = requests.Count;
        return new SyntheticPlan(result, requests, report);
    }

    /// <summary>Turns graded pairs into judgments (source Synthetic) and queries; <paramref name="results"/> must
    /// match <see cref="SyntheticPlan.Requests"/> one to one.</summary>
    public SyntheticResult Build(SyntheticPlan plan, IReadOnlyList<LabelResult> results)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(results);
        if (results.Count != plan.Requests.Count)
            throw new ArgumentException($"Got {results.Count} label results for {plan.Requests.Count} synthetic pairs; grade exactly plan.Requests.");
        var perQuery = new Dictionary<string, List<Judgment>>(StringComparer.Ordinal);
        for (int i = 0; i < results.Count; i++)
        {
            var req = plan.Requests[i];
            if (!Grades.IsValid(results[i].Grade)) throw new ArgumentException($"results[{i}].Grade {results[i].Grade} is not 0, 1 or 2.");
            if (!perQuery.TryGetValue(req.QueryId, out var list)) perQuery[req.QueryId] = list = new List<Judgment>();
            list.Add(new Judgment(req.QueryId, req.ProductId, results[i].Grade, JudgmentSource.Synthetic));
        }
        var report = plan.Report;
        var queries = new List<Query>();
        var judgments = new List<Judgment>();
        report.QueriesDroppedNoPositive = 0;
        foreach (var sq in plan.Queries)
        {
            var js = perQuery.GetValueOrDefault(sq.Query.Id) ?? new List<Judgment>();
            if (_o.DropQueriesWithoutPositive && !js.Any(j => j.Grade >= Grades.Partial)) { report.QueriesDroppedNoPositive++; continue; }
            queries.Add(sq.Query);
            judgments.AddRange(js);
        }
        report.QueriesKept = queries.Count;
        report.GradeMix = new int[3];
        foreach (var j in judgments) report.GradeMix[j.Grade]++;
        return new SyntheticResult(queries, judgments, report);
    }

    /// <summary>The queries <paramref name="train"/> grades (the generator's training queries) and the rest of
    /// <paramref name="data"/>'s queries (held out: their texts are off-limits), both in the data set's order.</summary>
    public static (IReadOnlyList<Query> Train, IReadOnlyList<Query> HeldOut) SplitQueries(Dataset data, IReadOnlyList<Judgment> train)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(train);
        var ids = train.Select(j => j.QueryId).ToHashSet(StringComparer.Ordinal);
        return (data.Queries.Where(q => ids.Contains(q.Id)).ToList(), data.Queries.Where(q => !ids.Contains(q.Id)).ToList());
    }

    /// <summary>Generate (<see cref="Generate"/>), grade with <paramref name="labeler"/>, build.</summary>
    public async Task<SyntheticResult> GenerateAndLabelAsync(IReadOnlyList<Product> catalog, IReadOnlyList<Query> queries,
        IReadOnlyList<Judgment> judgments, ILabeler labeler, IProgress<int>? progress = null, CancellationToken ct = default,
        IReadOnlyList<Query>? heldOutQueries = null)
    {
        ArgumentNullException.ThrowIfNull(labeler);
        var plan = Generate(catalog, queries, judgments, heldOutQueries);
        var graded = plan.Requests.Count == 0 ? Array.Empty<LabelResult>() : await labeler.LabelAsync(plan.Requests, progress, ct).ConfigureAwait(false);
        return Build(plan, graded);
    }

    private Dictionary<string, string> SlotValues(Product p)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (slot, keys) in _o.AttributeKeys)
            foreach (var (k, v) in p.Attributes)
                if (keys.Any(key => string.Equals(key, k.Trim(), StringComparison.OrdinalIgnoreCase)) && Clean(v) is { Length: > 0 } cv)
                { d[slot] = cv; break; }
        string? leaf = p.CategoryPath.Count > 0 ? Clean(p.CategoryPath[^1]) : null;
        var titleWords = Clean(p.Title).Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(w => w.Length >= 3 && w.Any(char.IsLetter)).ToList();
        if (string.IsNullOrEmpty(leaf) && titleWords.Count > 0) leaf = titleWords[^1];
        if (!string.IsNullOrEmpty(leaf))
        {
            d["leaf"] = leaf;
            var leafTokens = leaf.Split(' ').ToHashSet(StringComparer.Ordinal);
            var title = titleWords.FirstOrDefault(w => !leafTokens.Contains(w) && !d.Values.Any(v => v.Split(' ').Contains(w)));
            if (title is not null) d["title"] = title;
        }
        return d;
    }

    private static string Clean(string s) =>
        string.Join(' ', NonWord.Replace(TextNormalizer.NormalizeQuery(s), " ").Split(' ', StringSplitOptions.RemoveEmptyEntries));

    private static string CategoryKey(Product p) => string.Join(" > ", p.CategoryPath);

    private static IEnumerable<string> Draw(string[] pool, int count, HashSet<string> taken, Random rng)
    {
        var picked = new List<string>();
        if (count <= 0) return picked;
        if (pool.Length > 8 * (count + taken.Count))
        {
            // large pool: rejection sampling (bounded attempts) instead of copying the pool
            for (int attempt = 0; attempt < 50 * count && picked.Count < count; attempt++)
            {
                var id = pool[rng.Next(pool.Length)];
                if (taken.Add(id)) picked.Add(id);
            }
            return picked;
        }
        var free = pool.Where(id => !taken.Contains(id)).ToArray();
        for (int i = 0; i < free.Length && picked.Count < count; i++)
        {
            int r = rng.Next(i, free.Length);
            (free[i], free[r]) = (free[r], free[i]);
            picked.Add(free[i]);
            taken.Add(free[i]);
        }
        return picked;
    }
}
