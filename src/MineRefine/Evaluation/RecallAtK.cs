namespace MineRefine.Evaluation;

/// <summary>Recall at a cut-off (paper §7; [choice] relevant = grade ≥ 1, the grade-2-only variant uses
/// <c>minGrade = 2</c>).</summary>
/// <remarks>
/// Recall@K = |{i ≤ K : r_i ≥ g}| / |{judged d : r_d ≥ g}| with g = <c>minGrade</c>, r_i the grade at rank i
/// (unjudged = 0). Undefined (the caller must skip the query) when the query has no judged item with grade ≥ g;
/// this method then returns <see cref="double.NaN"/>.
/// </remarks>
public static class RecallAtK
{
    /// <summary>Recall@<paramref name="k"/>.</summary>
    /// <param name="retrievedGrades">Grades of the retrieved items in rank order (unjudged = 0).</param>
    /// <param name="relevantJudged">Number of judged items of the query with grade ≥ <paramref name="minGrade"/>.</param>
    /// <param name="k">Cut-off.</param>
    /// <param name="minGrade">Lowest grade counted as relevant: 1 (default) or 2.</param>
    public static double At(IReadOnlyList<int> retrievedGrades, int relevantJudged, int k, int minGrade = 1)
    {
        if (k <= 0) throw new ArgumentOutOfRangeException(nameof(k), k, "K must be ≥ 1.");
        if (relevantJudged < 0) throw new ArgumentOutOfRangeException(nameof(relevantJudged));
        if (relevantJudged == 0) return double.NaN;
        int hits = PrecisionAtK.CountRelevant(retrievedGrades, k, minGrade);
        if (hits > relevantJudged)
            throw new ArgumentException(
                $"{hits} relevant items retrieved but only {relevantJudged} judged relevant: duplicate hits or wrong count.");
        return (double)hits / relevantJudged;
    }
}
