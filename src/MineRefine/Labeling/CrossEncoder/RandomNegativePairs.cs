using MineRefine.Data;
using MineRefine.Training;

namespace MineRefine.Labeling.CrossEncoder;

/// <summary>
/// Random catalog pairs as grade-0 examples for the labeler. Human judgments are collected on a search engine's own
/// results, so they hold almost no clearly irrelevant pair (Home Depot: 16 % grade 0, all near the 2.0 cut point); a
/// labeler trained on them alone has never seen "a query and an unrelated product" and calls such pairs relevant
/// (measured: 93 % of random catalog items graded 1 or 2 on Home Depot). Mining and the trainer's judge ask exactly
/// that question about unjudged items, so the labeler also trains on <c>perQuery</c> random products per query,
/// each drawn uniformly from the catalog among the products not judged for that query, labelled 0 and flagged
/// <see cref="LabeledPair.RandomNegative"/> (the reported dev accuracy is on human pairs only; the flagged dev pairs
/// give a separate "random pairs graded 0" rate, and best-weights selection counts both). The same convention the
/// two-tower trainer uses for its random fill (paper §3: "sample random catalog items" as negatives). Measured effect:
/// <c>bench/results/labeler.md</c>. Deterministic for a seed.
/// </summary>
public static class RandomNegativePairs
{
    /// <summary>Draws per query of <paramref name="judgments"/> (queries in order of first appearance)
    /// <paramref name="perQuery"/> distinct catalog products that are not judged for it. Returns fewer for a query
    /// when the catalog has too few other products (never loops forever); 0 per query returns nothing.</summary>
    public static IReadOnlyList<(string QueryId, string ProductId)> SampleProducts(Dataset data, IEnumerable<Judgment> judgments, int perQuery, int seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(judgments);
        ArgumentOutOfRangeException.ThrowIfNegative(perQuery);
        var result = new List<(string, string)>();
        if (perQuery == 0 || data.Products.Count == 0) return result;
        var judged = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var j in judgments)
        {
            if (!judged.TryGetValue(j.QueryId, out var set))
            {
                judged[j.QueryId] = set = new HashSet<string>(StringComparer.Ordinal);
                order.Add(j.QueryId);
            }
            set.Add(j.ProductId);
        }
        var rng = new SerializableRandom(seed, "labeler-random-negatives");
        var products = data.Products;
        foreach (var queryId in order)
        {
            var exclude = judged[queryId];
            var picked = new HashSet<int>();
            int attempts = 0, maxAttempts = 20 * perQuery + 20;
            while (picked.Count < perQuery && attempts++ < maxAttempts)
            {
                int i = rng.Next(products.Count);
                if (exclude.Contains(products[i].Id) || !picked.Add(i)) continue;
                result.Add((queryId, products[i].Id));
            }
        }
        return result;
    }

    /// <summary><see cref="SampleProducts"/> as grade-0 labeler pairs flagged <see cref="LabeledPair.RandomNegative"/>.</summary>
    public static IReadOnlyList<LabeledPair> Sample(Dataset data, IEnumerable<Judgment> judgments, int perQuery, int seed, int itemTextLevels = 2) =>
        LabeledPair.FromJudgments(data,
                SampleProducts(data, judgments, perQuery, seed).Select(p => new Judgment(p.QueryId, p.ProductId, Grades.Irrelevant, JudgmentSource.Model)),
                itemTextLevels)
            .Select(p => p with { RandomNegative = true }).ToList();

    /// <summary>The labeler's training pairs: the human pairs of <paramref name="judgments"/>
    /// (<see cref="LabeledPair.FromJudgments"/>) followed by <see cref="LabelerTrainOptions.RandomNegativesPerQuery"/>
    /// random grade-0 pairs per query (seed and item-text levels from <paramref name="options"/>).</summary>
    public static IReadOnlyList<LabeledPair> WithHumanPairs(Dataset data, IReadOnlyList<Judgment> judgments, LabelerTrainOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var pairs = LabeledPair.FromJudgments(data, judgments, options.ItemTextLevels).ToList();
        pairs.AddRange(Sample(data, judgments, options.RandomNegativesPerQuery, options.Seed, options.ItemTextLevels));
        return pairs;
    }

    /// <summary>How a labeler graded random pairs: counts per predicted grade and the share graded 0 (the higher the
    /// better: random catalog products are almost never relevant).</summary>
    public static RandomPairCheck Check(IReadOnlyList<int> predictedGrades)
    {
        ArgumentNullException.ThrowIfNull(predictedGrades);
        var counts = new int[3];
        foreach (var g in predictedGrades)
        {
            if (!Grades.IsValid(g)) throw new ArgumentException($"Predicted grade {g} is not 0, 1 or 2.");
            counts[g]++;
        }
        return new RandomPairCheck(predictedGrades.Count, counts,
            predictedGrades.Count == 0 ? null : (double)counts[0] / predictedGrades.Count);
    }
}

/// <summary>How random (assumed irrelevant) pairs were graded.</summary>
/// <param name="Pairs">Random pairs graded.</param>
/// <param name="PredictedCounts">Pairs predicted grade 0, 1, 2.</param>
/// <param name="GradedIrrelevant">Share predicted grade 0 (null without pairs).</param>
public sealed record RandomPairCheck(
    [property: System.Text.Json.Serialization.JsonPropertyName("pairs")] int Pairs,
    [property: System.Text.Json.Serialization.JsonPropertyName("predicted_counts")] int[] PredictedCounts,
    [property: System.Text.Json.Serialization.JsonPropertyName("graded_irrelevant")] double? GradedIrrelevant);
