using MineRefine.Data;
using MineRefine.Text.Augmentation;
using TorchSharp;
using static TorchSharp.torch;

namespace MineRefine.Training;

/// <summary>How the item slots of an instance are shared among the grades.</summary>
public enum GradeStratification
{
    /// <summary>After the reserved positive and negatives, each further slot goes to the least-represented grade that
    /// still has items (ties: higher grade): as even a mix as the query's judgments allow. Default.</summary>
    Balanced,
    /// <summary>Slots proportional to the query's judged counts per grade (largest remainder), at least one per
    /// present grade.</summary>
    Proportional,
}

/// <summary>Options of <see cref="InstanceBuilder"/> (paper §3).</summary>
public sealed class InstanceOptions
{
    /// <summary>Maximum items per instance N [choice]. Default 8.</summary>
    public int ItemsPerInstance { get; set; } = 8;
    /// <summary>Grade-0 items reserved per instance when the query has them [choice: at least one]. Default 1.</summary>
    public int MinNegatives { get; set; } = 1;
    /// <summary>Random catalog items added (unlabeled, treated as grade 0) to each instance of a query that has no
    /// judged grade-0 item [choice]. 0 disables. Default 2.</summary>
    public int UnlabeledFillCount { get; set; } = 2;
    /// <summary>Make several instances per query until every judged item appears at least once. Default false
    /// (one instance per query).</summary>
    public bool CoverAllItems { get; set; }
    /// <summary>Cap on instances per query with <see cref="CoverAllItems"/>. Default 16.</summary>
    public int MaxInstancesPerQuery { get; set; } = 16;
    /// <summary>Slot sharing among grades. Default <see cref="GradeStratification.Balanced"/>.</summary>
    public GradeStratification Stratification { get; set; } = GradeStratification.Balanced;
    /// <summary>Lexically hard negatives per instance [choice]: unjudged catalog items drawn at random from the query's
    /// lexical (BM25) top <see cref="LexicalNegativeDepth"/> — items judged for the query are never drawn — and added
    /// <b>on top of</b> the N items, flagged unlabeled and treated as grade 0 (the DPR recipe of BM25 hard negatives).
    /// Unlike random fill they look like the query, so the loss has to learn which near-matches the judges did not
    /// grade relevant; the price is false negatives (an unjudged near-match may well be relevant). Needs a candidate
    /// source (<c>lexicalCandidates</c> of <see cref="InstanceBuilder.Build"/>). 0 = off. Default 0.</summary>
    public int LexicalNegatives { get; set; }
    /// <summary>Largest accepted <see cref="LexicalNegatives"/>.</summary>
    public const int MaxLexicalNegatives = 64;
    /// <summary>Ranks of the lexical result list the <see cref="LexicalNegatives"/> are drawn from (uniformly, judged
    /// items skipped). Default 30.</summary>
    public int LexicalNegativeDepth { get; set; } = 30;
    /// <summary>Dense (self-mined) hard negatives per instance [choice]: unjudged catalog items drawn at random from the
    /// query's top <see cref="DenseNegativeDepth"/> under the <b>start</b> model of the run (the model before its first
    /// step) — items judged for the query, random fill and lexical negatives are never drawn — added on top of the N
    /// items, flagged unlabeled and treated as grade 0 (the ANCE / "mined hard negatives" recipe, applied once before
    /// stage 1 instead of by the labeler-checked miner between the stages, paper §3–4). They are exactly the unjudged
    /// products the model itself would put near the query; the price is the same false negatives as
    /// <see cref="LexicalNegatives"/>. Needs a candidate source (<c>denseCandidates</c> of
    /// <see cref="InstanceBuilder.Build"/>). 0 = off. Default 0.</summary>
    public int DenseNegatives { get; set; }
    /// <summary>Ranks of the start model's result list the <see cref="DenseNegatives"/> are drawn from (uniformly,
    /// judged items skipped). Default 30.</summary>
    public int DenseNegativeDepth { get; set; } = 30;

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad option.</summary>
    public void Validate()
    {
        if (ItemsPerInstance < 2)
            throw new ArgumentException($"ItemsPerInstance must be ≥ 2 (got {ItemsPerInstance}); the default is 8.");
        if (MinNegatives < 0 || MinNegatives >= ItemsPerInstance)
            throw new ArgumentException($"MinNegatives must be in [0, ItemsPerInstance − 1] (got {MinNegatives}); the default is 1.");
        if (UnlabeledFillCount < 0 || UnlabeledFillCount >= ItemsPerInstance)
            throw new ArgumentException($"UnlabeledFillCount must be in [0, ItemsPerInstance − 1] (got {UnlabeledFillCount}); the default is 2.");
        if (MaxInstancesPerQuery < 1)
            throw new ArgumentException($"MaxInstancesPerQuery must be ≥ 1 (got {MaxInstancesPerQuery}).");
        if (LexicalNegatives is < 0 or > MaxLexicalNegatives)
            throw new ArgumentException($"LexicalNegatives must be in [0, {MaxLexicalNegatives}] (got {LexicalNegatives}); 0 turns them off.");
        if (LexicalNegatives > 0 && LexicalNegativeDepth < LexicalNegatives)
            throw new ArgumentException($"LexicalNegativeDepth ({LexicalNegativeDepth}) must be ≥ LexicalNegatives ({LexicalNegatives}): the negatives are drawn from that many lexical results.");
        if (DenseNegatives is < 0 or > MaxLexicalNegatives)
            throw new ArgumentException($"DenseNegatives must be in [0, {MaxLexicalNegatives}] (got {DenseNegatives}); 0 turns them off.");
        if (DenseNegatives > 0 && DenseNegativeDepth < DenseNegatives)
            throw new ArgumentException($"DenseNegativeDepth ({DenseNegativeDepth}) must be ≥ DenseNegatives ({DenseNegatives}): the negatives are drawn from that many of the start model's results.");
    }
}

/// <summary>What <see cref="InstanceBuilder.Build"/> did; every query is accounted for.</summary>
public sealed class InstanceBuildSummary
{
    /// <summary>Distinct queries in the judgments.</summary>
    public int QueriesSeen { get; set; }
    /// <summary>Queries that produced instances.</summary>
    public int QueriesUsed { get; set; }
    /// <summary>Instances built.</summary>
    public int Instances { get; set; }
    /// <summary>Queries skipped because no judged item has grade &gt; 0.</summary>
    public int SkippedNoPositive { get; set; }
    /// <summary>Queries skipped because the text lookup has no (or empty) text for them.</summary>
    public int SkippedNoText { get; set; }
    /// <summary>Ids of the queries skipped for missing text (so the caller can report them).</summary>
    public List<string> MissingTextQueryIds { get; } = new();
    /// <summary>Judgments that repeated an earlier (query, product) pair; the last one was used.</summary>
    public int DuplicateJudgments { get; set; }
    /// <summary>Queries without a judged grade-0 item that received unlabeled catalog fill.</summary>
    public int QueriesWithUnlabeledFill { get; set; }
    /// <summary>Unlabeled fill items added over all instances.</summary>
    public int UnlabeledItemsAdded { get; set; }
    /// <summary>Lexical hard negatives (<see cref="InstanceOptions.LexicalNegatives"/>) added over all instances.</summary>
    public int LexicalNegativesAdded { get; set; }
    /// <summary>Queries that received at least one lexical hard negative.</summary>
    public int QueriesWithLexicalNegatives { get; set; }
    /// <summary>Queries whose lexical top list held fewer unjudged items than asked for (they got what there was).</summary>
    public int QueriesShortOfLexicalNegatives { get; set; }
    /// <summary>Dense hard negatives (<see cref="InstanceOptions.DenseNegatives"/>) added over all instances.</summary>
    public int DenseNegativesAdded { get; set; }
    /// <summary>Queries that received at least one dense hard negative.</summary>
    public int QueriesWithDenseNegatives { get; set; }
    /// <summary>Queries whose dense top list held fewer unjudged items than asked for, not counting the ones already
    /// drawn as lexical negatives (they got what there was).</summary>
    public int QueriesShortOfDenseNegatives { get; set; }
    /// <summary>Instances with no grade-0 item at all (no judged negative and no fill possible or wanted).</summary>
    public int InstancesWithoutNegative { get; set; }
    /// <summary>Judged items of the used queries.</summary>
    public int JudgedItems { get; set; }
    /// <summary>Distinct judged items that appear in at least one instance.</summary>
    public int JudgedItemsUsed { get; set; }
    /// <summary>Item slots per grade over all instances (index = grade; fill items counted under 0).</summary>
    public long[] ItemsPerGrade { get; } = new long[3];

    /// <inheritdoc />
    public override string ToString() =>
        $"queries {QueriesSeen} (used {QueriesUsed}, no positive {SkippedNoPositive}, no text {SkippedNoText}), instances {Instances}, " +
        $"judged items used {JudgedItemsUsed}/{JudgedItems}, fill: {QueriesWithUnlabeledFill} queries / {UnlabeledItemsAdded} items, " +
        (LexicalNegativesAdded > 0 ? $"lexical negatives: {QueriesWithLexicalNegatives} queries / {LexicalNegativesAdded} items ({QueriesShortOfLexicalNegatives} queries short), " : "") +
        (DenseNegativesAdded > 0 ? $"dense negatives: {QueriesWithDenseNegatives} queries / {DenseNegativesAdded} items ({QueriesShortOfDenseNegatives} queries short), " : "") +
        $"instances without negative {InstancesWithoutNegative}, duplicates {DuplicateJudgments}, slots per grade 2/1/0 = {ItemsPerGrade[2]}/{ItemsPerGrade[1]}/{ItemsPerGrade[0]}";
}

/// <summary>
/// Builds training instances from graded judgments (paper §3): one query + up to N items drawn by stratified
/// sampling over grades, with at least <see cref="InstanceOptions.MinNegatives"/> grade-0 items where available;
/// queries without a judged grade-0 item get random catalog items (flagged unlabeled, grade 0); queries without a
/// positive are skipped and counted. Deterministic per seed: each query draws from its own generator seeded from
/// (seed, query id), so results do not depend on the order of the queries. Queries are emitted in order of first
/// appearance in the judgments. Optionally adds lexically hard negatives (<see cref="InstanceOptions.LexicalNegatives"/>).
/// </summary>
public static class InstanceBuilder
{
    /// <summary>Builds the instances.</summary>
    /// <param name="judgments">Graded pairs (grades 0..2).</param>
    /// <param name="queryText">Query id → text.</param>
    /// <param name="catalogProductIds">All catalog product ids (source of unlabeled fill items).</param>
    /// <param name="seed">Seed.</param>
    /// <param name="options">Options (validated).</param>
    /// <param name="lexicalCandidates">Query id → the query's lexical result list, best first (product ids); required
    /// when <see cref="InstanceOptions.LexicalNegatives"/> &gt; 0, called once per used query.</param>
    /// <param name="denseCandidates">Query id → the start model's result list, best first (product ids); required
    /// when <see cref="InstanceOptions.DenseNegatives"/> &gt; 0, called once per used query.</param>
    public static (IReadOnlyList<TrainingInstance> Instances, InstanceBuildSummary Summary) Build(
        IReadOnlyList<Judgment> judgments,
        IReadOnlyDictionary<string, string> queryText,
        IReadOnlyList<string> catalogProductIds,
        int seed,
        InstanceOptions? options = null,
        Func<string, IReadOnlyList<string>>? lexicalCandidates = null,
        Func<string, IReadOnlyList<string>>? denseCandidates = null)
    {
        ArgumentNullException.ThrowIfNull(judgments);
        ArgumentNullException.ThrowIfNull(queryText);
        ArgumentNullException.ThrowIfNull(catalogProductIds);
        options ??= new InstanceOptions();
        options.Validate();
        if (options.LexicalNegatives > 0 && lexicalCandidates is null)
            throw new ArgumentException("LexicalNegatives > 0 needs a lexical candidate source (lexicalCandidates).", nameof(lexicalCandidates));
        if (options.DenseNegatives > 0 && denseCandidates is null)
            throw new ArgumentException("DenseNegatives > 0 needs a dense candidate source (denseCandidates).", nameof(denseCandidates));
        var summary = new InstanceBuildSummary();

        // Group per query, keeping first-appearance order; last judgment of a repeated pair wins.
        var order = new List<string>();
        var byQuery = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        var itemOrder = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        for (int i = 0; i < judgments.Count; i++)
        {
            var j = judgments[i];
            if (!Grades.IsValid(j.Grade))
                throw new ArgumentException($"Judgment #{i} ({j.QueryId}, {j.ProductId}) has grade {j.Grade}; grades must be 0, 1 or 2.", nameof(judgments));
            if (!byQuery.TryGetValue(j.QueryId, out var items))
            {
                byQuery[j.QueryId] = items = new Dictionary<string, int>(StringComparer.Ordinal);
                itemOrder[j.QueryId] = new List<string>();
                order.Add(j.QueryId);
            }
            if (items.ContainsKey(j.ProductId)) summary.DuplicateJudgments++;
            else itemOrder[j.QueryId].Add(j.ProductId);
            items[j.ProductId] = j.Grade;
        }

        var result = new List<TrainingInstance>();
        summary.QueriesSeen = order.Count;
        foreach (var qid in order)
        {
            var items = byQuery[qid];
            var pools = new List<string>[3] { new(), new(), new() };
            foreach (var pid in itemOrder[qid]) pools[items[pid]].Add(pid);
            if (pools[1].Count + pools[2].Count == 0) { summary.SkippedNoPositive++; continue; }
            if (!queryText.TryGetValue(qid, out var text) || string.IsNullOrWhiteSpace(text))
            {
                summary.SkippedNoText++;
                summary.MissingTextQueryIds.Add(qid);
                continue;
            }
            var rng = new SerializableRandom(seed, qid);
            foreach (var p in pools) { p.Sort(StringComparer.Ordinal); rng.Shuffle(p); } // independent of input order
            var lexical = options.LexicalNegatives > 0
                ? UnjudgedPool(lexicalCandidates!(qid), items, options.LexicalNegativeDepth)
                : null;
            if (lexical is not null && lexical.Count < options.LexicalNegatives) summary.QueriesShortOfLexicalNegatives++;
            var dense = options.DenseNegatives > 0
                ? UnjudgedPool(denseCandidates!(qid), items, options.DenseNegativeDepth)
                : null;
            var built = BuildForQuery(qid, text, items, pools, catalogProductIds, lexical, dense, options, rng, summary);
            if (lexical is { Count: > 0 }) summary.QueriesWithLexicalNegatives++;
            summary.QueriesUsed++;
            summary.JudgedItems += items.Count;
            summary.JudgedItemsUsed += built.SelectMany(b => b.ProductIds.Where((_, k) => !b.Unlabeled[k])).Distinct(StringComparer.Ordinal).Count();
            if (built.Any(b => b.HasUnlabeledFill)) summary.QueriesWithUnlabeledFill++;
            result.AddRange(built);
        }
        summary.Instances = result.Count;
        return (result, summary);
    }

    private static List<TrainingInstance> BuildForQuery(string qid, string text, Dictionary<string, int> grades,
        List<string>[] pools, IReadOnlyList<string> catalog, List<string>? lexical, List<string>? dense, InstanceOptions o,
        SerializableRandom rng, InstanceBuildSummary summary)
    {
        int n = o.ItemsPerInstance;
        bool needFill = pools[0].Count == 0 && o.UnlabeledFillCount > 0;
        int fillCount = needFill ? Math.Min(o.UnlabeledFillCount, n - 1) : 0;
        int slots = n - fillCount;
        var alloc = Allocate(pools.Select(p => p.Count).ToArray(), slots, o);
        var cursor = new int[3];
        var covered = new HashSet<string>(StringComparer.Ordinal);
        int total = grades.Count;
        var list = new List<TrainingInstance>();
        bool denseQuery = false, denseShort = false;
        do
        {
            var ids = new List<string>(n);
            var gs = new List<int>(n);
            var unl = new List<bool>(n);
            for (int g = 2; g >= 0; g--)
                for (int k = 0; k < alloc[g]; k++)
                {
                    var pid = pools[g][cursor[g] % pools[g].Count];
                    cursor[g]++;
                    ids.Add(pid); gs.Add(g); unl.Add(false);
                    covered.Add(pid);
                }
            var fill = fillCount > 0 ? SampleFill(catalog, grades, fillCount, rng) : new List<string>();
            foreach (var pid in fill) { ids.Add(pid); gs.Add(0); unl.Add(true); }
            summary.UnlabeledItemsAdded += fill.Count;
            if (lexical is { Count: > 0 })
                summary.LexicalNegativesAdded += AddAssumedNegatives(lexical, o.LexicalNegatives, ids, gs, unl, rng);
            if (dense is { Count: > 0 })
            {
                int got = AddAssumedNegatives(dense, o.DenseNegatives, ids, gs, unl, rng);
                summary.DenseNegativesAdded += got;
                if (got > 0) denseQuery = true;
                if (got < o.DenseNegatives) denseShort = true;
            }
            else if (dense is not null) denseShort = true;
            // Shuffle the item order so no position carries the grade.
            var perm = Enumerable.Range(0, ids.Count).ToList();
            rng.Shuffle(perm);
            var inst = new TrainingInstance(qid, text, perm.Select(i => ids[i]).ToArray(), perm.Select(i => gs[i]).ToArray(),
                perm.Select(i => unl[i]).ToArray(), IsAugmented: false, HasUnlabeledFill: fill.Count > 0, SourceQueryId: qid);
            foreach (var g in inst.Grades) summary.ItemsPerGrade[g]++;
            if (!inst.Grades.Contains(0)) summary.InstancesWithoutNegative++;
            list.Add(inst);
        } while (o.CoverAllItems && covered.Count < total && list.Count < o.MaxInstancesPerQuery);
        if (denseQuery) summary.QueriesWithDenseNegatives++;
        if (denseShort) summary.QueriesShortOfDenseNegatives++;
        return list;
    }

    /// <summary>Adds up to <paramref name="want"/> items of <paramref name="pool"/> as unlabeled grade-0 items: a random
    /// subset (partial Fisher–Yates on a copy), skipping any item the instance already holds (random fill, or a
    /// negative of another source). Returns how many were added.</summary>
    private static int AddAssumedNegatives(List<string> pool, int want, List<string> ids, List<int> gs, List<bool> unl, SerializableRandom rng)
    {
        var copy = new List<string>(pool);
        int got = 0;
        for (int i = 0; i < copy.Count && got < want; i++)
        {
            int j = i + rng.Next(copy.Count - i);
            (copy[i], copy[j]) = (copy[j], copy[i]);
            if (ids.Contains(copy[i], StringComparer.Ordinal)) continue;
            ids.Add(copy[i]); gs.Add(0); unl.Add(true);
            got++;
        }
        return got;
    }

    /// <summary>Slots per grade for a query with <paramref name="available"/>[g] judged items of grade g.</summary>
    internal static int[] Allocate(int[] available, int slots, InstanceOptions o)
    {
        var alloc = new int[3];
        int left = slots;
        // Reserve one positive (the higher grade first) and the minimum negatives.
        int firstPos = available[2] > 0 ? 2 : 1;
        alloc[firstPos] = 1; left--;
        int neg = Math.Min(Math.Min(o.MinNegatives, available[0]), left);
        alloc[0] = neg; left -= neg;
        if (o.Stratification == GradeStratification.Balanced)
        {
            // Next slot to the least-allocated grade that still has items (ties: higher grade first).
            while (left > 0)
            {
                int best = -1;
                for (int g = 2; g >= 0; g--)
                    if (alloc[g] < available[g] && (best < 0 || alloc[g] < alloc[best])) best = g;
                if (best < 0) break;
                alloc[best]++; left--;
            }
        }
        else
        {
            // Every present grade gets one slot, then largest-remainder shares of what is left.
            for (int g = 2; g >= 0 && left > 0; g--)
                if (available[g] > 0 && alloc[g] == 0) { alloc[g] = 1; left--; }
            int totalAvail = available.Sum();
            if (left > 0 && totalAvail > 0)
            {
                int budget = left;
                var want = new double[3];
                for (int g = 0; g < 3; g++) want[g] = (double)budget * available[g] / totalAvail;
                for (int g = 0; g < 3; g++)
                {
                    int add = Math.Min((int)Math.Floor(want[g]), available[g] - alloc[g]);
                    alloc[g] += add; left -= add;
                }
                foreach (int g in Enumerable.Range(0, 3).OrderByDescending(g => want[g] - Math.Floor(want[g])).ThenByDescending(g => g))
                    if (left > 0 && alloc[g] < available[g]) { alloc[g]++; left--; }
                for (int g = 2; g >= 0 && left > 0; g--)
                    while (left > 0 && alloc[g] < available[g]) { alloc[g]++; left--; }
            }
        }
        return alloc;
    }

    /// <summary>The unjudged items (distinct) among the first <paramref name="depth"/> results of a candidate list.</summary>
    private static List<string> UnjudgedPool(IReadOnlyList<string> ranked, Dictionary<string, int> judged, int depth)
    {
        var pool = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int r = 0; r < ranked.Count && r < depth; r++)
            if (!judged.ContainsKey(ranked[r]) && seen.Add(ranked[r])) pool.Add(ranked[r]);
        return pool;
    }

    private static List<string> SampleFill(IReadOnlyList<string> catalog, Dictionary<string, int> judged, int count, SerializableRandom rng)
    {
        var chosen = new List<string>(count);
        if (catalog.Count == 0) return chosen;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int attempts = 0, maxAttempts = 20 * count + 64;
        while (chosen.Count < count && attempts++ < maxAttempts)
        {
            var pid = catalog[rng.Next(catalog.Count)];
            if (!judged.ContainsKey(pid) && seen.Add(pid)) chosen.Add(pid);
        }
        if (chosen.Count < count) // small catalog: scan it in a random order
        {
            var rest = catalog.Where(p => !judged.ContainsKey(p) && !seen.Contains(p)).Distinct(StringComparer.Ordinal).ToList();
            rng.Shuffle(rest);
            chosen.AddRange(rest.Take(count - chosen.Count));
        }
        return chosen;
    }

    /// <summary>Additive spelling augmentation (paper §3): for every kept variant, a copy of each instance of its
    /// query with the misspelled text, the variant id and <see cref="TrainingInstance.IsAugmented"/> set; same items
    /// and labels. Returns only the new instances (append them to the originals).</summary>
    public static IReadOnlyList<TrainingInstance> SpellingVariantInstances(IReadOnlyList<TrainingInstance> instances, AugmentationResult augmentation)
    {
        ArgumentNullException.ThrowIfNull(instances);
        ArgumentNullException.ThrowIfNull(augmentation);
        var byQuery = augmentation.Variants.GroupBy(v => v.QueryId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var list = new List<TrainingInstance>();
        foreach (var inst in instances)
            if (!inst.IsAugmented && byQuery.TryGetValue(inst.QueryId, out var v))
                list.Add(inst.WithQuery(v.VariantQueryId, v.Variant));
        return list;
    }

    /// <summary>Grades of a batch as an int64 tensor [B, width] padded with −1 (the loss input format);
    /// width defaults to the largest instance.</summary>
    public static Tensor GradeTensor(IReadOnlyList<TrainingInstance> batch, int? width = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int w = width ?? (batch.Count == 0 ? 0 : batch.Max(b => b.Count));
        var data = new long[batch.Count * w];
        Array.Fill(data, -1L);
        for (int b = 0; b < batch.Count; b++)
        {
            if (batch[b].Count > w) throw new ArgumentException($"Instance {b} ({batch[b].QueryId}) has {batch[b].Count} items, more than width {w}.", nameof(width));
            for (int i = 0; i < batch[b].Count; i++) data[b * w + i] = batch[b].Grades[i];
        }
        return torch.tensor(data, new long[] { batch.Count, w }, ScalarType.Int64);
    }
}
