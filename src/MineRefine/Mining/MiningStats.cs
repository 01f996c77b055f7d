using System.Text.Json.Serialization;

namespace MineRefine.Mining;

/// <summary>What the miner did: candidates, new labels by grade, what each filter kept or dropped, and score
/// distributions of the candidates per grade.</summary>
public sealed class MiningStats
{
    private readonly List<float>[] _scores = [new(), new(), new()];

    /// <summary>Training queries mined.</summary>
    public long Queries { get; set; }
    /// <summary>Retrieved (query, item) candidates seen by the selector.</summary>
    public long Candidates { get; set; }
    /// <summary>Candidates that already had a judgment.</summary>
    public long AlreadyJudged { get; set; }
    /// <summary>Candidates graded by the labeler, per grade [0, 1, 2].</summary>
    public long[] NewlyLabeledByGrade { get; } = new long[3];
    /// <summary>Newly labeled candidates in the top part (would have been "negatives" under naive mining) that the
    /// labeler called relevant (grade ≥ 1): the false negatives re-labeling prevented.</summary>
    public long FalseNegativesAvoided { get; set; }
    /// <summary>Candidates assumed grade 0 without grading (no-re-labeling ablation).</summary>
    public long AssumedNegative { get; set; }
    /// <summary>Candidates over the labeling budget (not graded, never selected).</summary>
    public long DroppedUnlabeled { get; set; }
    /// <summary>Grade-0 items below the split (easy negatives, not selected).</summary>
    public long DroppedEasyNegatives { get; set; }
    /// <summary>Grade ≥ 1 items at or above the split (already well ranked, not selected).</summary>
    public long DroppedEasyPositives { get; set; }
    /// <summary>Grade-0 items in the top window dropped because the top-window option was off.</summary>
    public long DroppedTopWindowNegatives { get; set; }
    /// <summary>Hard negatives beyond the per-query cap.</summary>
    public long DroppedNegativesOverCap { get; set; }
    /// <summary>Hard positives beyond the per-query cap.</summary>
    public long DroppedPositivesOverCap { get; set; }
    /// <summary>Selected hard negatives.</summary>
    public long HardNegatives { get; set; }
    /// <summary>Selected hard positives.</summary>
    public long HardPositives { get; set; }
    /// <summary>Wall time of retrieval, labeling and selection in seconds.</summary>
    public Dictionary<string, double> Seconds { get; } = new();
    /// <summary>How unjudged pairs were graded (judge name, pairs, pairs/s).</summary>
    public Dictionary<string, string> Labeling { get; } = new();

    /// <summary>Per-grade score quantiles of all graded candidates (keys grade0/1/2).</summary>
    public Dictionary<string, ScoreSummary> ScoreDistribution =>
        Enumerable.Range(0, 3).ToDictionary(g => $"grade{g}", g => ScoreSummary.Of(_scores[g]));

    /// <summary>Raw per-grade candidate scores (for plots).</summary>
    [JsonIgnore]
    public IReadOnlyList<float>[] Scores => _scores;

    internal void RecordScore(int grade, float score) => _scores[grade].Add(score);

    internal void RecordNewLabel(int grade, bool inTopPart)
    {
        NewlyLabeledByGrade[grade]++;
        if (inTopPart && grade > 0) FalseNegativesAvoided++;
    }
}

/// <summary>Count, mean and quantiles of a score sample.</summary>
public sealed record ScoreSummary(long Count, double Mean, double P10, double P50, double P90, double Min, double Max)
{
    /// <summary>Summarises <paramref name="values"/> (all zeros when empty).</summary>
    public static ScoreSummary Of(IReadOnlyList<float> values)
    {
        if (values.Count == 0) return new ScoreSummary(0, 0, 0, 0, 0, 0, 0);
        var sorted = values.Select(v => (double)v).Order().ToArray();
        double Q(double p) => sorted[(int)Math.Clamp(Math.Round(p * (sorted.Length - 1)), 0, sorted.Length - 1)];
        return new ScoreSummary(sorted.Length, sorted.Average(), Q(0.1), Q(0.5), Q(0.9), sorted[0], sorted[^1]);
    }
}
