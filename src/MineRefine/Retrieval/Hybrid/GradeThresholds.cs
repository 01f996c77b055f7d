using System.Text.Json;
using System.Text.Json.Serialization;

namespace MineRefine.Retrieval.Hybrid;

/// <summary>Grade tier of a hit, decided on its calibrated dense score (paper §9: threshold on dense scores, not on
/// fused scores). Numeric values equal the grades of <see cref="MineRefine.Data.Grades"/>.</summary>
public enum GradeTier
{
    /// <summary>Dense score below the partial cut ("irrelevant").</summary>
    Irrelevant = 0,
    /// <summary>Dense score at or above the partial cut but below the exact cut ("partial").</summary>
    Partial = 1,
    /// <summary>Dense score at or above the exact cut ("exact").</summary>
    Exact = 2,
}

/// <summary>Helpers for <see cref="GradeTier"/>.</summary>
public static class GradeTierNames
{
    /// <summary>"exact" | "partial" | "irrelevant".</summary>
    public static string ToName(this GradeTier tier) => tier switch
    {
        GradeTier.Exact => "exact",
        GradeTier.Partial => "partial",
        _ => "irrelevant",
    };
}

/// <summary>One point of a precision/recall curve: predict positive when score ≥ <see cref="Threshold"/>.</summary>
/// <param name="Threshold">Cut point (an observed dense score; inclusive).</param>
/// <param name="Precision">TP / (TP + FP).</param>
/// <param name="Recall">TP / positives.</param>
/// <param name="F1">2·P·R / (P + R), 0 when P + R = 0.</param>
/// <param name="TruePositives">Positives with score ≥ threshold.</param>
/// <param name="FalsePositives">Negatives with score ≥ threshold.</param>
/// <param name="Positives">All positives in the calibration set.</param>
public sealed record PrPoint(
    double Threshold, double Precision, double Recall, double F1, int TruePositives, int FalsePositives, int Positives);

/// <summary>
/// Per-grade cut points on the dense (cosine) score, calibrated on dev judgments by
/// <see cref="ThresholdCalibrator"/> (paper §9). Tier(s) = exact if s ≥ <see cref="Exact"/>, partial if
/// s ≥ <see cref="Partial"/>, otherwise irrelevant. Invariant: Partial ≤ Exact. Saved as <c>thresholds.json</c>.
/// </summary>
public sealed record GradeThresholds
{
    /// <summary>Usual file name inside a model folder.</summary>
    public const string FileName = "thresholds.json";

    /// <summary>Cut for "≥ exact" (grade 2).</summary>
    public required double Exact { get; init; }
    /// <summary>Cut for "≥ partial" (grade ≥ 1); never above <see cref="Exact"/>.</summary>
    public required double Partial { get; init; }
    /// <summary>How the cuts were chosen, e.g. "precision>=0.8" or "max-f1"; free text for reports.</summary>
    public string Criterion { get; init; } = "";
    /// <summary>Precision/recall/F1 achieved by the exact cut on the calibration set (null when set by hand).</summary>
    public PrPoint? ExactAt { get; init; }
    /// <summary>Precision/recall/F1 achieved by the partial cut on the calibration set (null when set by hand).</summary>
    public PrPoint? PartialAt { get; init; }

    /// <summary>Checks finiteness and Partial ≤ Exact.</summary>
    /// <exception cref="ArgumentException">With a message saying which value is wrong.</exception>
    public GradeThresholds Validate()
    {
        if (!double.IsFinite(Exact)) throw new ArgumentException($"GradeThresholds.Exact must be a finite number (got {Exact}).");
        if (!double.IsFinite(Partial)) throw new ArgumentException($"GradeThresholds.Partial must be a finite number (got {Partial}).");
        if (Partial > Exact)
            throw new ArgumentException(
                $"GradeThresholds.Partial ({Partial}) must be ≤ Exact ({Exact}); a partial cut above the exact cut would make the 'partial' tier empty. Recalibrate or lower Partial.");
        return this;
    }

    /// <summary>The tier of a dense score.</summary>
    /// <exception cref="ArgumentException">For NaN (a missing score has no tier: use <see cref="TierOrNull"/>).</exception>
    public GradeTier Tier(double denseScore)
    {
        if (double.IsNaN(denseScore)) throw new ArgumentException("Dense score is NaN; a missing score has no tier.", nameof(denseScore));
        if (denseScore >= Exact) return GradeTier.Exact;
        if (denseScore >= Partial) return GradeTier.Partial;
        return GradeTier.Irrelevant;
    }

    /// <summary>The tier, or null when the score is missing (null or NaN).</summary>
    public GradeTier? TierOrNull(double? denseScore) =>
        denseScore is { } s && !double.IsNaN(s) ? Tier(s) : null;

    /// <summary>Writes the thresholds as indented JSON.</summary>
    public void Save(string path)
    {
        Validate();
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        File.WriteAllText(path, JsonSerializer.Serialize(this, HybridJson.Options));
    }

    /// <summary>Reads and validates thresholds written by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">Naming the file when it is not valid thresholds JSON.</exception>
    public static GradeThresholds Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Thresholds file not found: {path}", path);
        GradeThresholds? t;
        try { t = JsonSerializer.Deserialize<GradeThresholds>(File.ReadAllText(path), HybridJson.Options); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not a valid thresholds file ({e.Message}).", e); }
        if (t is null) throw new InvalidDataException($"{path}: empty thresholds file.");
        try { return t.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
    }
}

/// <summary>Shared JSON settings for hybrid-retrieval files (camelCase, enums as strings, indented).</summary>
internal static class HybridJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
