namespace MineRefine.Mining;

/// <summary>Where a mined candidate's grade came from.</summary>
public enum CandidateLabel
{
    /// <summary>Already judged in the training data (keeps its label).</summary>
    Judged,
    /// <summary>Graded by the labeler during mining.</summary>
    Labeled,
    /// <summary>Assumed grade 0 without grading (the no-re-labeling ablation).</summary>
    Assumed,
    /// <summary>Not graded (over the labeling budget); never selected.</summary>
    Unlabeled,
}

/// <summary>Why a pair was selected.</summary>
public enum MinedKind
{
    /// <summary>Grade 0 ranked at or above the split.</summary>
    HardNegative,
    /// <summary>Grade ≥ 1 ranked below the split.</summary>
    HardPositive,
}

/// <summary>One retrieved item for a training query. <see cref="Rank"/> is 1-based.</summary>
public sealed record MiningCandidate(string QueryId, string ProductId, int Rank, float Score, int? Grade, CandidateLabel Label);

/// <summary>A selected hard sample.</summary>
public sealed record MinedPair(
    string QueryId, string ProductId, int Grade, int Rank, float Score, MinedKind Kind, CandidateLabel Label);
