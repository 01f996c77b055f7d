using MineRefine.Data;
using MineRefine.Text;

namespace MineRefine.Evaluation;

/// <summary>The parts of a query split.</summary>
public enum SplitPart
{
    /// <summary>Training queries.</summary>
    Train,
    /// <summary>Development queries.</summary>
    Dev,
    /// <summary>Held-out test queries.</summary>
    Test,
}

/// <summary>Fractions and seed of a query split.</summary>
public sealed class QuerySplitOptions
{
    /// <summary>Share of distinct queries in train (default 0.7).</summary>
    public double Train { get; init; } = 0.7;
    /// <summary>Share in dev (default 0.1); test gets the rest (default 0.2).</summary>
    public double Dev { get; init; } = 0.1;
    /// <summary>Seed of the shuffle (default 13).</summary>
    public int Seed { get; init; } = 13;

    /// <summary>Throws <see cref="ArgumentException"/> when the fractions are not a valid split.</summary>
    public void Validate()
    {
        if (!(Train >= 0 && Dev >= 0 && Train + Dev <= 1))
            throw new ArgumentException($"Split fractions must be ≥ 0 with train + dev ≤ 1; got train {Train}, dev {Dev}.");
    }
}

/// <summary>Deterministic split by query, never by row: queries are grouped by normalised text
/// (<see cref="TextNormalizer.NormalizeQuery"/>) so the same text never lands in two parts; the distinct texts are
/// sorted (ordinal), shuffled with <c>System.Random(seed)</c> (Fisher–Yates), and the first round(train·n) go to
/// train, the next round(dev·n) to dev, the rest to test.</summary>
public static class QuerySplit
{
    /// <summary>Query id → part, for every query of <paramref name="dataset"/>.</summary>
    public static Dictionary<string, SplitPart> Assign(Dataset dataset, QuerySplitOptions? options = null)
    {
        options ??= new QuerySplitOptions();
        options.Validate();
        var texts = dataset.Queries.Select(q => TextNormalizer.NormalizeQuery(q.Text))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var rng = new Random(options.Seed);
        for (int i = texts.Length - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (texts[i], texts[j]) = (texts[j], texts[i]);
        }
        int nTrain = (int)Math.Round(options.Train * texts.Length, MidpointRounding.AwayFromZero);
        int nDev = Math.Min(texts.Length - nTrain, (int)Math.Round(options.Dev * texts.Length, MidpointRounding.AwayFromZero));
        var partOfText = new Dictionary<string, SplitPart>(StringComparer.Ordinal);
        for (int i = 0; i < texts.Length; i++)
            partOfText[texts[i]] = i < nTrain ? SplitPart.Train : i < nTrain + nDev ? SplitPart.Dev : SplitPart.Test;
        return dataset.Queries.ToDictionary(q => q.Id, q => partOfText[TextNormalizer.NormalizeQuery(q.Text)], StringComparer.Ordinal);
    }

    /// <summary>The judgments of <paramref name="dataset"/> whose query is in <paramref name="part"/>.</summary>
    public static IReadOnlyList<Judgment> Judgments(Dataset dataset, SplitPart part, QuerySplitOptions? options = null)
    {
        var assign = Assign(dataset, options);
        return dataset.Judgments.Where(j => assign.TryGetValue(j.QueryId, out var p) && p == part).ToList();
    }

    /// <summary>Parses "train", "dev" or "test" (case-insensitive).</summary>
    public static SplitPart Parse(string name) => name.ToLowerInvariant() switch
    {
        "train" => SplitPart.Train,
        "dev" => SplitPart.Dev,
        "test" => SplitPart.Test,
        _ => throw new ArgumentException($"Unknown split '{name}'. Use one of: all, train, dev, test."),
    };
}
