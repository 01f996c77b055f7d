using MineRefine.Data;

namespace MineRefine.Labeling.Audit;

/// <summary>Engagement-driven label audit (paper §2). Steps:
/// <list type="number">
/// <item>Join judgments with engagement (rows of the same pair are summed); pairs with ≥ MinImpressions are candidates.</item>
/// <item>Bucket queries by frequency (per-query total impressions, cut at <see cref="AuditOptions.FrequencyQuantiles"/>)
/// and breadth (split at the median of <see cref="AuditOptions.Breadth"/>); small buckets are merged.</item>
/// <item>Smoothed rate r = (c + m·μ_b) / (n + m), c = signal events, n = impressions, μ_b = Σc/Σn of the bucket.</item>
/// <item>Seeded sample of round(SampleRate·candidates) pairs.</item>
/// <item>Flag sampled pairs with grade 0 and r ≥ Q_b(upper) and r &gt; μ_b, or grade 2 and r ≤ Q_b(lower) and
/// r &lt; μ_b (Q_b = linear-interpolation quantile of r over the bucket's candidates).</item>
/// <item>Re-judge flags (an <see cref="ILabeler"/>, or human decisions via <see cref="AuditExport"/>); a decision
/// that differs replaces the label with source <see cref="JudgmentSource.Audit"/>; confirmed labels keep their source.</item>
/// </list>
/// Engagement is never used as a label itself (it depends on breadth, images, price, promotion).</summary>
public static class AuditRunner
{
    /// <summary>Runs the whole audit with <paramref name="judge"/> re-grading the flags.</summary>
    public static async Task<AuditResult> RunAsync(
        IReadOnlyList<Judgment> judgments, IReadOnlyList<EngagementEvent> engagement,
        Func<string, string> queryText, Func<string, string> itemText, ILabeler judge, AuditOptions options,
        IReadOnlyList<Judgment>? truth = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(judge);
        var plan = Flag(judgments, engagement, queryText, itemText, options);
        var requests = plan.Flags.Select(f => new LabelRequest(f.QueryId, f.QueryText, f.ProductId, f.ItemText)).ToList();
        var graded = requests.Count == 0 ? Array.Empty<LabelResult>() : await judge.LabelAsync(requests, null, ct).ConfigureAwait(false);
        if (graded.Count != requests.Count)
            throw new InvalidOperationException($"Judge '{judge.Name}' returned {graded.Count} results for {requests.Count} pairs.");
        var decisions = plan.Flags.Select((f, i) => new AuditDecision(f.QueryId, f.ProductId, graded[i].Grade)).ToList();
        return Apply(judgments, plan, decisions, judge.Name, truth);
    }

    /// <summary><see cref="RunAsync(IReadOnlyList{Judgment}, IReadOnlyList{EngagementEvent}, Func{string, string}, Func{string, string}, ILabeler, AuditOptions, IReadOnlyList{Judgment}?, CancellationToken)"/>
    /// on a data set (item text = <see cref="LabelingText.ItemText"/>).</summary>
    public static Task<AuditResult> RunAsync(Dataset data, ILabeler judge, AuditOptions options,
        IReadOnlyList<Judgment>? truth = null, CancellationToken ct = default)
    {
        var (q, p) = Lookups(data);
        return RunAsync(data.Judgments, data.Engagement, q, p, judge, options, truth, ct);
    }

    /// <summary>Flags on a data set (for export to human review).</summary>
    public static AuditPlan Flag(Dataset data, AuditOptions options)
    {
        var (q, p) = Lookups(data);
        return Flag(data.Judgments, data.Engagement, q, p, options);
    }

    /// <summary>Steps 1–5: candidates, buckets, smoothing, sampling and flags (no re-judging).</summary>
    public static AuditPlan Flag(
        IReadOnlyList<Judgment> judgments, IReadOnlyList<EngagementEvent> engagement,
        Func<string, string> queryText, Func<string, string> itemText, AuditOptions options)
    {
        ArgumentNullException.ThrowIfNull(judgments);
        ArgumentNullException.ThrowIfNull(engagement);
        ArgumentNullException.ThrowIfNull(queryText);
        ArgumentNullException.ThrowIfNull(itemText);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        // 1. join
        var eng = new Dictionary<(string, string), (long N, long C)>();
        foreach (var e in engagement)
        {
            if (e.Impressions < 0 || e.Clicks < 0 || e.AddToCarts < 0 || e.Orders < 0)
                throw new ArgumentException($"Engagement for ({e.QueryId}, {e.ProductId}) has a negative count.");
            long c = options.Signal switch { EngagementSignal.Click => e.Clicks, EngagementSignal.Order => e.Orders, _ => e.AddToCarts };
            var key = (e.QueryId, e.ProductId);
            var cur = eng.GetValueOrDefault(key);
            eng[key] = (cur.N + e.Impressions, cur.C + c);
        }
        var seenPairs = new HashSet<(string, string)>();
        var cands = new List<Cand>();
        var gradesByQuery = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        foreach (var j in judgments)
        {
            if (!seenPairs.Add((j.QueryId, j.ProductId)))
                throw new ArgumentException($"Judgment ({j.QueryId}, {j.ProductId}) appears twice; resolve duplicates before the audit.");
            if (!gradesByQuery.TryGetValue(j.QueryId, out var gl)) gradesByQuery[j.QueryId] = gl = new List<int>();
            gl.Add(j.Grade);
            if (eng.TryGetValue((j.QueryId, j.ProductId), out var en) && en.N >= options.MinImpressions)
                cands.Add(new Cand(j, en.N, en.C));
        }
        cands.Sort((a, b) => Cmp(a.J, b.J));

        // 2. buckets
        var freq = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var c in cands) freq[c.J.QueryId] = freq.GetValueOrDefault(c.J.QueryId) + c.N;
        var freqValues = freq.Values.Select(v => (double)v).OrderBy(v => v).ToArray();
        var cuts = options.FrequencyQuantiles.Select(q => Quantile(freqValues, q)).ToArray();
        string FreqName(long f)
        {
            int k = cuts.Count(c => f > c);
            if (cuts.Length == 2) return k switch { 0 => "tail", 1 => "torso", _ => "head" };
            return $"freq{k}";
        }
        var breadthVal = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var q in freq.Keys)
        {
            var gl = gradesByQuery[q];
            breadthVal[q] = options.Breadth == BreadthMeasure.JudgedCount ? gl.Count : gl.Count(g => g == Grades.Partial) / (double)gl.Count;
        }
        double breadthMedian = Quantile(breadthVal.Values.OrderBy(v => v).ToArray(), 0.5);
        string Fine(Cand c)
        {
            string f = FreqName(freq[c.J.QueryId]);
            if (options.Breadth == BreadthMeasure.None) return f;
            return f + (breadthVal[c.J.QueryId] > breadthMedian ? "/broad" : "/narrow");
        }
        foreach (var c in cands) { c.Coarse = FreqName(freq[c.J.QueryId]); c.Bucket = Fine(c); }
        var fineCount = cands.GroupBy(c => c.Bucket).ToDictionary(g => g.Key, g => g.Count());
        foreach (var c in cands) if (fineCount[c.Bucket] < options.MinBucketPairs) c.Bucket = c.Coarse;
        var coarseCount = cands.GroupBy(c => c.Bucket).ToDictionary(g => g.Key, g => g.Count());
        foreach (var c in cands) if (coarseCount[c.Bucket] < options.MinBucketPairs) c.Bucket = "all";

        // 3. smoothing, thresholds
        var buckets = new Dictionary<string, BucketInfo>(StringComparer.Ordinal);
        foreach (var g in cands.GroupBy(c => c.Bucket))
        {
            long n = g.Sum(c => c.N), ev = g.Sum(c => c.C);
            double mu = n == 0 ? 0 : (double)ev / n;
            foreach (var c in g) c.Rate = (c.C + options.PriorStrength * mu) / (c.N + options.PriorStrength);
            var rates = g.Select(c => c.Rate).OrderBy(r => r).ToArray();
            buckets[g.Key] = new BucketInfo(mu, Quantile(rates, options.LowerQuantile), Quantile(rates, options.UpperQuantile),
                g.Select(c => c.J.QueryId).Distinct().Count(), rates.Length);
        }

        // 4. seeded sample (partial Fisher–Yates over candidates in (query, product) order)
        int k = (int)Math.Round(options.SampleRate * cands.Count, MidpointRounding.AwayFromZero);
        var idx = Enumerable.Range(0, cands.Count).ToArray();
        var rng = new Random(options.Seed);
        for (int i = 0; i < k; i++)
        {
            int r = rng.Next(i, idx.Length);
            (idx[i], idx[r]) = (idx[r], idx[i]);
            cands[idx[i]].Sampled = true;
        }

        // 5. flags
        var flags = new List<AuditFlag>();
        foreach (var c in cands)
        {
            if (!c.Sampled) continue;
            var b = buckets[c.Bucket];
            AuditFlagKind? kind = null;
            double thr = 0;
            if (c.J.Grade == Grades.Irrelevant && c.Rate >= b.Upper && c.Rate > b.Mean) { kind = AuditFlagKind.HighEngagementIrrelevant; thr = b.Upper; }
            else if (c.J.Grade == Grades.Exact && c.Rate <= b.Lower && c.Rate < b.Mean) { kind = AuditFlagKind.LowEngagementExact; thr = b.Lower; }
            if (kind is null) continue;
            flags.Add(new AuditFlag(c.J.QueryId, c.J.ProductId, queryText(c.J.QueryId), itemText(c.J.ProductId), c.J.Grade,
                kind.Value, c.Bucket, c.N, c.C, c.Rate, thr));
        }

        var bucketReports = buckets.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new AuditBucketReport(
            kv.Key, kv.Value.Queries, kv.Value.Pairs, cands.Count(c => c.Bucket == kv.Key && c.Sampled), kv.Value.Mean,
            kv.Value.Lower, kv.Value.Upper,
            flags.Count(f => f.Bucket == kv.Key && f.Kind == AuditFlagKind.HighEngagementIrrelevant),
            flags.Count(f => f.Bucket == kv.Key && f.Kind == AuditFlagKind.LowEngagementExact))).ToList();
        var report = new AuditReport
        {
            Judgments = judgments.Count,
            Candidates = cands.Count,
            WithoutEngagement = judgments.Count - cands.Count,
            Sampled = k,
            Flagged = flags.Count,
            FlaggedHigh = flags.Count(f => f.Kind == AuditFlagKind.HighEngagementIrrelevant),
            FlaggedLow = flags.Count(f => f.Kind == AuditFlagKind.LowEngagementExact),
            Buckets = bucketReports,
            GradeMixBefore = Mix(judgments),
            GradeMixAfter = Mix(judgments),
        };
        return new AuditPlan(flags, report);
    }

    /// <summary>Step 6: applies decisions (from a judge or re-imported from human review) to the judgments and
    /// completes the report. Every decision must name a flagged pair (else <see cref="ArgumentException"/>).
    /// <paramref name="truth"/> (optional) gives the true grade of some pairs for the truth metrics.</summary>
    public static AuditResult Apply(IReadOnlyList<Judgment> judgments, AuditPlan plan, IReadOnlyList<AuditDecision> decisions,
        string judgeName, IReadOnlyList<Judgment>? truth = null)
    {
        ArgumentNullException.ThrowIfNull(judgments);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(decisions);
        var flagged = plan.Flags.ToDictionary(f => (f.QueryId, f.ProductId), f => f);
        var byPair = new Dictionary<(string, string), int>();
        foreach (var d in decisions)
        {
            var key = (d.QueryId, d.ProductId);
            if (!flagged.ContainsKey(key))
                throw new ArgumentException($"Decision for ({d.QueryId}, {d.ProductId}) does not match a flagged pair of this audit.");
            if (byPair.ContainsKey(key)) throw new ArgumentException($"Two decisions for ({d.QueryId}, {d.ProductId}).");
            if (d.NewGrade is null) continue;
            if (!Grades.IsValid(d.NewGrade.Value)) throw new ArgumentException($"Decision grade {d.NewGrade} for ({d.QueryId}, {d.ProductId}) is not 0, 1 or 2.");
            byPair[key] = d.NewGrade.Value;
        }
        int undecided = plan.Flags.Count - byPair.Count; // null decisions and flags without a decision row

        var changedPairs = new HashSet<(string, string)>();
        var outList = new List<Judgment>(judgments.Count);
        foreach (var j in judgments)
        {
            if (byPair.TryGetValue((j.QueryId, j.ProductId), out int g) && g != j.Grade)
            {
                outList.Add(j with { Grade = g, Source = JudgmentSource.Audit });
                changedPairs.Add((j.QueryId, j.ProductId));
            }
            else outList.Add(j);
        }

        var src = plan.Report;
        var buckets = src.Buckets.Select(b => b with { }).ToList();
        foreach (var b in buckets) b.Changed = plan.Flags.Count(f => f.Bucket == b.Bucket && changedPairs.Contains((f.QueryId, f.ProductId)));
        var report = new AuditReport
        {
            Judgments = src.Judgments, Candidates = src.Candidates, WithoutEngagement = src.WithoutEngagement,
            Sampled = src.Sampled, Flagged = src.Flagged, FlaggedHigh = src.FlaggedHigh, FlaggedLow = src.FlaggedLow,
            Buckets = buckets, GradeMixBefore = Mix(judgments), GradeMixAfter = Mix(outList),
            Decided = byPair.Count, Undecided = undecided, Changed = changedPairs.Count, Judge = judgeName,
        };
        if (truth is not null) report.Truth = TruthMetrics(judgments, outList, plan.Flags, truth);
        return new AuditResult(outList, report, plan.Flags);
    }

    /// <summary>Truth metrics: error = label ≠ true grade over pairs present in <paramref name="truth"/>;
    /// flag precision = |flagged ∩ errors before| / |flagged with truth|; corrected share = |errors before whose
    /// label after equals the truth| / |errors before|; error rate = errors / pairs with truth.</summary>
    public static AuditTruthReport TruthMetrics(IReadOnlyList<Judgment> before, IReadOnlyList<Judgment> after,
        IReadOnlyList<AuditFlag> flags, IReadOnlyList<Judgment> truth)
    {
        var t = new Dictionary<(string, string), int>();
        foreach (var j in truth) t[(j.QueryId, j.ProductId)] = j.Grade;
        var afterMap = after.ToDictionary(j => (j.QueryId, j.ProductId), j => j.Grade);
        int covered = 0, errBefore = 0, errAfter = 0, corrected = 0;
        var errorPairs = new HashSet<(string, string)>();
        foreach (var j in before)
        {
            if (!t.TryGetValue((j.QueryId, j.ProductId), out int tg)) continue;
            covered++;
            int ag = afterMap[(j.QueryId, j.ProductId)];
            if (j.Grade != tg) { errBefore++; errorPairs.Add((j.QueryId, j.ProductId)); if (ag == tg) corrected++; }
            if (ag != tg) errAfter++;
        }
        var flaggedWithTruth = flags.Where(f => t.ContainsKey((f.QueryId, f.ProductId))).ToList();
        double precision = flaggedWithTruth.Count == 0 ? 0 : flaggedWithTruth.Count(f => errorPairs.Contains((f.QueryId, f.ProductId))) / (double)flaggedWithTruth.Count;
        return new AuditTruthReport(covered, errBefore, errAfter,
            covered == 0 ? 0 : (double)errBefore / covered, covered == 0 ? 0 : (double)errAfter / covered,
            precision, errBefore == 0 ? 0 : (double)corrected / errBefore);
    }

    /// <summary>Linear-interpolation quantile (type 7) of ascending <paramref name="sorted"/>; 0 when empty.</summary>
    public static double Quantile(double[] sorted, double q)
    {
        if (sorted.Length == 0) return 0;
        double h = (sorted.Length - 1) * q;
        int lo = (int)Math.Floor(h);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    private static int[] Mix(IEnumerable<Judgment> js)
    {
        var m = new int[3];
        foreach (var j in js) if (Grades.IsValid(j.Grade)) m[j.Grade]++;
        return m;
    }

    private static int Cmp(Judgment a, Judgment b)
    {
        int c = string.CompareOrdinal(a.QueryId, b.QueryId);
        return c != 0 ? c : string.CompareOrdinal(a.ProductId, b.ProductId);
    }

    private static (Func<string, string>, Func<string, string>) Lookups(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return (q => data.FindQuery(q)?.Text ?? throw new ArgumentException($"Judgment names unknown query '{q}'."),
                p => data.FindProduct(p) is { } prod ? LabelingText.ItemText(prod) : throw new ArgumentException($"Judgment names product '{p}' that is not in the catalog."));
    }

    private sealed class Cand(Judgment j, long n, long c)
    {
        public Judgment J { get; } = j;
        public long N { get; } = n;
        public long C { get; } = c;
        public string Coarse { get; set; } = "";
        public string Bucket { get; set; } = "";
        public double Rate { get; set; }
        public bool Sampled { get; set; }
    }

    private sealed record BucketInfo(double Mean, double Lower, double Upper, int Queries, int Pairs);
}
