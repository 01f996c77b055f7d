using MineRefine.Data;
using MineRefine.Retrieval;
using MineRefine.Retrieval.Hybrid;
using MineRefine.Serving;

namespace MineRefine.Cli.Retrievers;

/// <summary>Builds the <c>hybrid</c> retriever: the dense retriever of <c>--model</c> fused with BM25, using the
/// model folder's <c>fusion.json</c> and <c>thresholds.json</c> when present (the pipeline writes both, tuned and
/// calibrated on its dev split), RRF k = 60 with equal weights otherwise.</summary>
public static class HybridRetrieverBuilder
{
    /// <summary>The factory function registered as "hybrid".</summary>
    public static IRetriever Build(RetrieverSpec spec, Dataset data)
    {
        string? folder = spec.Model is not null && Directory.Exists(spec.Model) ? spec.Model : null;
        string? fusionPath = folder is null ? null : Path.Combine(folder, SearchIndex.FusionFile);
        string? thresholdsPath = folder is null ? null : Path.Combine(folder, SearchIndex.ThresholdsFile);
        var fusion = fusionPath is not null && File.Exists(fusionPath) ? FusionOptions.Load(fusionPath) : null;
        var thresholds = thresholdsPath is not null && File.Exists(thresholdsPath) ? GradeThresholds.Load(thresholdsPath) : null;
        var dense = DenseRetrieverBuilder.Build(spec, data);
        try
        {
            var bm25 = RetrieverFactory.Create(new RetrieverSpec { Name = "bm25", Bm25 = spec.Bm25, CacheDir = spec.CacheDir }, data);
            return new HybridRetriever(dense, bm25, fusion, thresholds, ownsInner: true);
        }
        catch
        {
            dense.Dispose();
            throw;
        }
    }
}
