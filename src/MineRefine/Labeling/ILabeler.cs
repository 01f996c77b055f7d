using MineRefine.Data;

namespace MineRefine.Labeling;

/// <summary>One query–item pair to grade (paper §2). Item text is the labeler's view of the product, normally
/// <see cref="LabelingText.ItemText"/>.</summary>
/// <param name="QueryId">Query id (carried through; not shown to the judge).</param>
/// <param name="QueryText">Query text as typed.</param>
/// <param name="ProductId">Product id (carried through; not shown to the judge).</param>
/// <param name="ItemText">Item text shown to the judge.</param>
public sealed record LabelRequest(string QueryId, string QueryText, string ProductId, string ItemText);

/// <summary>A graded pair.</summary>
/// <param name="Grade">0 irrelevant, 1 partial (substitute or complement), 2 exact.</param>
/// <param name="Probabilities">P(grade = 0), P(1), P(2); sums to 1.</param>
/// <param name="ExpectedGrade">Σ_g g·P(g).</param>
/// <param name="Source">Where the label comes from (Model for a labeler, Audit/Synthetic when re-tagged).</param>
/// <param name="Judge">Name of the judge that produced the label (<see cref="ILabeler.Name"/>).</param>
public sealed record LabelResult(int Grade, float[] Probabilities, float ExpectedGrade, JudgmentSource Source, string Judge)
{
    /// <summary>Confidence = max_g P(g).</summary>
    public float Confidence => Probabilities.Length == 0 ? 0f : Probabilities.Max();

    /// <summary>Builds a result from a probability vector: grade = argmax (lowest grade on ties), expected grade
    /// = Σ g·p_g.</summary>
    public static LabelResult FromProbabilities(float[] probabilities, JudgmentSource source, string judge)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        if (probabilities.Length != 3)
            throw new ArgumentException($"Expected 3 probabilities (grades 0, 1, 2), got {probabilities.Length}.", nameof(probabilities));
        int arg = 0;
        for (int g = 1; g < 3; g++) if (probabilities[g] > probabilities[arg]) arg = g;
        float expected = probabilities[1] + 2f * probabilities[2];
        return new LabelResult(arg, probabilities, expected, source, judge);
    }

    /// <summary>Builds a result from a hard grade, putting <paramref name="confidence"/> on it and splitting the rest
    /// evenly over the two other grades (used for judges that return no probabilities, e.g. a chat LLM).</summary>
    public static LabelResult FromGrade(int grade, float confidence, JudgmentSource source, string judge)
    {
        if (!Grades.IsValid(grade)) throw new ArgumentOutOfRangeException(nameof(grade), grade, "Grade must be 0, 1 or 2.");
        if (!(confidence is >= 1f / 3f and <= 1f))
            throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "Confidence must be in [1/3, 1].");
        float rest = (1f - confidence) / 2f;
        var p = new float[3] { rest, rest, rest };
        p[grade] = confidence;
        return new LabelResult(grade, p, p[1] + 2f * p[2], source, judge);
    }
}

/// <summary>A relevance judge: grades query–item pairs on the 3-level scale (paper §2).</summary>
public interface ILabeler : IDisposable
{
    /// <summary>Judge name recorded on every result, e.g. "llm:gpt-4o-mini", "cross-encoder:minilm".</summary>
    string Name { get; }

    /// <summary>Grades <paramref name="pairs"/>; the result list has the same length and order.
    /// <paramref name="progress"/> receives the number of pairs finished so far.</summary>
    Task<IReadOnlyList<LabelResult>> LabelAsync(IReadOnlyList<LabelRequest> pairs, IProgress<int>? progress = null,
        CancellationToken ct = default);
}

/// <summary>One pair that a labeler could not grade.</summary>
/// <param name="Index">Index of the pair in the request list.</param>
/// <param name="QueryId">Query id of the pair.</param>
/// <param name="ProductId">Product id of the pair.</param>
/// <param name="Reason">Why it failed (last error after all retries).</param>
public sealed record LabelFailure(int Index, string QueryId, string ProductId, string Reason);

/// <summary>Thrown when some pairs could not be graded after all retries. Pairs that were graded are in
/// <see cref="PartialResults"/> (null where failed) and, for cached judges, already persisted.</summary>
public sealed class LabelingException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LabelingException(string judge, IReadOnlyList<LabelFailure> failures, IReadOnlyList<LabelResult?> partial)
        : base(FormatMessage(judge, failures, partial.Count))
    {
        Failures = failures;
        PartialResults = partial;
    }

    /// <summary>The failed pairs.</summary>
    public IReadOnlyList<LabelFailure> Failures { get; }
    /// <summary>Results in request order; null for failed pairs.</summary>
    public IReadOnlyList<LabelResult?> PartialResults { get; }

    private static string FormatMessage(string judge, IReadOnlyList<LabelFailure> failures, int total)
    {
        var first = failures.Count > 0 ? failures[0] : null;
        return $"{judge}: {failures.Count} of {total} pairs could not be graded" +
               (first is null ? "." : $"; first: pair {first.Index} (query '{first.QueryId}', product '{first.ProductId}'): {first.Reason}");
    }
}

/// <summary>Text views of catalog items shown to judges (paper §3, item text = name + 2-level taxonomy path).</summary>
public static class LabelingText
{
    /// <summary><c>"{name}. Category: {L1} > {L2}"</c> using the first <paramref name="levels"/> levels of the category
    /// path; just the title when the product has no category.</summary>
    public static string ItemText(Product product, int levels = 2)
    {
        ArgumentNullException.ThrowIfNull(product);
        var path = product.CategoryPath.Where(c => !string.IsNullOrWhiteSpace(c)).Take(Math.Max(0, levels)).ToList();
        return path.Count == 0 ? product.Title.Trim() : $"{product.Title.Trim()}. Category: {string.Join(" > ", path)}";
    }
}
