namespace MineRefine.Retrieval.Hybrid;

/// <summary>Grid of <see cref="FusionTuner"/>.</summary>
public sealed class FusionTunerOptions
{
    /// <summary>Dense weights to try (BM25 weight = 1 − dense weight); default 0, 0.1, …, 1.</summary>
    public IReadOnlyList<double> DenseWeights { get; set; } = Enumerable.Range(0, 11).Select(i => i / 10.0).ToArray();
    /// <summary>Method/normalisation variants to try; default RRF and linear min-max.</summary>
    public IReadOnlyList<(FusionMethod Method, NormalizationKind Normalization)> Variants { get; set; } =
        [(FusionMethod.Rrf, NormalizationKind.MinMax), (FusionMethod.Linear, NormalizationKind.MinMax)];

    /// <summary>Fails early with a message saying what to fix.</summary>
    public FusionTunerOptions Validate()
    {
        if (DenseWeights is null || DenseWeights.Count == 0) throw new ArgumentException("FusionTunerOptions.DenseWeights is empty; give weights in [0, 1].");
        foreach (var w in DenseWeights)
            if (!(w >= 0 && w <= 1)) throw new ArgumentException($"FusionTunerOptions.DenseWeights: {w} is outside [0, 1].");
        if (Variants is null || Variants.Count == 0) throw new ArgumentException("FusionTunerOptions.Variants is empty; give at least (Rrf, MinMax).");
        return this;
    }
}

/// <summary>One evaluated grid point.</summary>
/// <param name="Options">Fusion options tried.</param>
/// <param name="Ndcg10">NDCG@10 returned by the evaluator.</param>
public sealed record FusionTrial(FusionOptions Options, double Ndcg10);

/// <summary>Best options and every trial, in grid order.</summary>
public sealed record FusionTuningResult(FusionOptions Best, double BestNdcg10, IReadOnlyList<FusionTrial> Trials);

/// <summary>
/// Chooses fusion weights and method on dev judgments by maximising NDCG@10 (paper §7/§9) over a grid of dense
/// weights w ∈ [0, 1] (BM25 weight 1 − w) × method variants. The evaluator is a delegate so this class does not
/// depend on the evaluation code. Ties keep the earlier grid point.
/// </summary>
public static class FusionTuner
{
    /// <summary>Runs the grid. The inner retrievers are not disposed.</summary>
    /// <param name="dense">Dense retriever.</param>
    /// <param name="bm25">BM25 retriever.</param>
    /// <param name="evaluateNdcg10">Returns NDCG@10 of a retriever on the dev judgments.</param>
    /// <param name="baseOptions">Other settings (k, bounds, depth) copied into every trial.</param>
    /// <param name="grid">Grid; defaults as in <see cref="FusionTunerOptions"/>.</param>
    /// <param name="thresholds">Passed to the hybrid retrievers (tiers do not affect ranking).</param>
    public static FusionTuningResult Tune(IRetriever dense, IRetriever bm25, Func<IRetriever, double> evaluateNdcg10,
        FusionOptions? baseOptions = null, FusionTunerOptions? grid = null, GradeThresholds? thresholds = null)
    {
        ArgumentNullException.ThrowIfNull(evaluateNdcg10);
        baseOptions = (baseOptions ?? new FusionOptions()).Validate();
        grid = (grid ?? new FusionTunerOptions()).Validate();
        var trials = new List<FusionTrial>();
        FusionTrial? best = null;
        foreach (var (method, norm) in grid.Variants)
            foreach (var w in grid.DenseWeights)
            {
                var opts = baseOptions with { Method = method, Normalization = norm, DenseWeight = w, Bm25Weight = 1 - w };
                if (opts.DenseWeight + opts.Bm25Weight <= 0) continue;
                using var hybrid = new HybridRetriever(dense, bm25, opts, thresholds, ownsInner: false);
                var ndcg = evaluateNdcg10(hybrid);
                if (double.IsNaN(ndcg)) throw new InvalidOperationException($"The evaluator returned NaN for {opts.Describe()}.");
                var trial = new FusionTrial(opts, ndcg);
                trials.Add(trial);
                if (best is null || ndcg > best.Ndcg10) best = trial;
            }
        return new FusionTuningResult(best!.Options, best.Ndcg10, trials);
    }
}
