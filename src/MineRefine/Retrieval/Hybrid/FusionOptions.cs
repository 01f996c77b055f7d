using System.Text.Json;

namespace MineRefine.Retrieval.Hybrid;

/// <summary>How dense and BM25 result lists are fused.</summary>
public enum FusionMethod
{
    /// <summary>Reciprocal rank fusion, see <see cref="ReciprocalRankFusion"/>.</summary>
    Rrf,
    /// <summary>Weighted sum of normalised scores, see <see cref="ScoreNormalization"/>.</summary>
    Linear,
}

/// <summary>Score normalisation used by <see cref="FusionMethod.Linear"/>.</summary>
public enum NormalizationKind
{
    /// <summary>(s − min) / (max − min) over the query's list.</summary>
    MinMax,
    /// <summary>(s − lo) / (hi − lo) with fixed bounds per retriever, clamped to [0, 1].</summary>
    FixedMinMax,
    /// <summary>(s − mean) / std over the query's list (population std).</summary>
    ZScore,
}

/// <summary>Fixed score bounds for <see cref="NormalizationKind.FixedMinMax"/>.</summary>
/// <param name="Min">Score mapped to 0.</param>
/// <param name="Max">Score mapped to 1.</param>
public sealed record ScoreBounds(double Min, double Max);

/// <summary>
/// Options of <see cref="HybridRetriever"/> (paper §9: the blend is not stated; RRF with k = 60 and linear blending
/// of normalised scores are offered). Saved as <c>fusion.json</c>.
/// </summary>
public sealed record FusionOptions
{
    /// <summary>Usual file name inside a model folder.</summary>
    public const string FileName = "fusion.json";

    /// <summary>Fusion method; default RRF. [choice]</summary>
    public FusionMethod Method { get; init; } = FusionMethod.Rrf;
    /// <summary>RRF constant k (&gt; 0); default 60.</summary>
    public double RrfK { get; init; } = 60;
    /// <summary>Weight of the dense retriever (≥ 0); default 0.5. [choice]</summary>
    public double DenseWeight { get; init; } = 0.5;
    /// <summary>Weight of the BM25 retriever (≥ 0); default 0.5. [choice]</summary>
    public double Bm25Weight { get; init; } = 0.5;
    /// <summary>Normalisation for the linear blend; default per-query min-max. [choice]</summary>
    public NormalizationKind Normalization { get; init; } = NormalizationKind.MinMax;
    /// <summary>Fixed bounds of dense scores for <see cref="NormalizationKind.FixedMinMax"/>; default cosine [−1, 1].</summary>
    public ScoreBounds DenseBounds { get; init; } = new(-1, 1);
    /// <summary>Fixed bounds of BM25 scores for <see cref="NormalizationKind.FixedMinMax"/>; default [0, 30]. [choice]</summary>
    public ScoreBounds Bm25Bounds { get; init; } = new(0, 30);
    /// <summary>Candidates taken from each retriever before fusion (N); default 100. The effective depth is
    /// max(N, k).</summary>
    public int CandidateDepth { get; init; } = 100;

    /// <summary>Fails early with a message saying what to fix.</summary>
    public FusionOptions Validate()
    {
        if (!Enum.IsDefined(Method)) throw new ArgumentException($"FusionOptions.Method '{Method}' is unknown; use rrf or linear.");
        if (!Enum.IsDefined(Normalization))
            throw new ArgumentException($"FusionOptions.Normalization '{Normalization}' is unknown; use minMax, fixedMinMax or zScore.");
        if (!(RrfK > 0) || !double.IsFinite(RrfK)) throw new ArgumentException($"FusionOptions.RrfK must be a finite number > 0 (got {RrfK}); the usual value is 60.");
        if (!(DenseWeight >= 0) || !double.IsFinite(DenseWeight)) throw new ArgumentException($"FusionOptions.DenseWeight must be ≥ 0 (got {DenseWeight}).");
        if (!(Bm25Weight >= 0) || !double.IsFinite(Bm25Weight)) throw new ArgumentException($"FusionOptions.Bm25Weight must be ≥ 0 (got {Bm25Weight}).");
        if (DenseWeight + Bm25Weight <= 0) throw new ArgumentException("FusionOptions: DenseWeight and Bm25Weight are both 0; give at least one a positive weight.");
        if (CandidateDepth < 1) throw new ArgumentException($"FusionOptions.CandidateDepth must be ≥ 1 (got {CandidateDepth}); default 100.");
        CheckBounds(DenseBounds, nameof(DenseBounds));
        CheckBounds(Bm25Bounds, nameof(Bm25Bounds));
        return this;
    }

    private static void CheckBounds(ScoreBounds? b, string name)
    {
        if (b is null) throw new ArgumentException($"FusionOptions.{name} is missing; give {{\"min\": …, \"max\": …}}.");
        if (!double.IsFinite(b.Min) || !double.IsFinite(b.Max) || b.Max <= b.Min)
            throw new ArgumentException($"FusionOptions.{name} must have finite Min < Max (got [{b.Min}, {b.Max}]).");
    }

    /// <summary>Short text for reports, e.g. "rrf(k=60, w=0.5/0.5)".</summary>
    public string Describe() => Method == FusionMethod.Rrf
        ? $"rrf(k={RrfK:0.###}, w={DenseWeight:0.###}/{Bm25Weight:0.###})"
        : $"linear({Normalization}, w={DenseWeight:0.###}/{Bm25Weight:0.###})";

    /// <summary>Writes the options as indented JSON.</summary>
    public void Save(string path)
    {
        Validate();
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        File.WriteAllText(path, JsonSerializer.Serialize(this, HybridJson.Options));
    }

    /// <summary>Reads and validates options written by <see cref="Save"/>; missing fields take their defaults.</summary>
    /// <exception cref="InvalidDataException">Naming the file when it is not valid fusion JSON.</exception>
    public static FusionOptions Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Fusion options file not found: {path}", path);
        FusionOptions? o;
        try { o = JsonSerializer.Deserialize<FusionOptions>(File.ReadAllText(path), HybridJson.Options); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not a valid fusion options file ({e.Message}).", e); }
        if (o is null) throw new InvalidDataException($"{path}: empty fusion options file.");
        try { return o.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
    }
}
