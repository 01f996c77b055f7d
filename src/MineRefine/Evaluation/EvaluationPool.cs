using MineRefine.Data;
using MineRefine.Training;

namespace MineRefine.Evaluation;

/// <summary>What <see cref="EvaluationPool.Build"/> put into a pool.</summary>
/// <param name="Dataset">The pooled data set: the pool as its catalog, the data set's queries, the given judgments.</param>
/// <param name="JudgedItems">Distinct products judged for the evaluated queries (all of them are in the pool).</param>
/// <param name="RandomItems">Seeded random catalog products added on top.</param>
/// <param name="MissingJudgedItems">Judged product ids the catalog does not contain (not pooled; the importers
/// normally rule this out).</param>
public sealed record PooledCatalog(Dataset Dataset, int JudgedItems, int RandomItems, int MissingJudgedItems);

/// <summary>
/// The paper's evaluation catalog (§7 "Eval set": items from logs plus random items, ≥ 65 % grade 0; "the index is
/// built over the evaluation items"): every product judged for the evaluated queries, plus seeded random catalog
/// products that no evaluated query has judged. A retriever then ranks the judged items among random distractors
/// instead of the whole catalog, so an unjudged-but-relevant product of the full catalog (counted as grade 0 there)
/// can rarely take a top slot. The trainer's dev catalog is the same construction with a total size.
/// </summary>
public static class EvaluationPool
{
    /// <summary>Default ratio of random to judged items: 2, so at least two thirds of the pool is unjudged
    /// (paper §7: ≥ 65 % grade 0).</summary>
    public const double DefaultRandomRatio = 2.0;

    /// <summary>Builds the pool: the judged products of <paramref name="judgments"/> in first-judged order, then
    /// <c>randomItems(judged products)</c> products drawn without replacement from the rest of the catalog (ordinal id
    /// order shuffled with <paramref name="rng"/>, so the draw depends only on the seed and the catalog); fewer when
    /// the catalog runs out.</summary>
    public static PooledCatalog Build(Dataset dataset, IReadOnlyList<Judgment> judgments, Func<int, int> randomItems,
        SerializableRandom rng)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var products = new List<Product>();
        var missing = new HashSet<string>(StringComparer.Ordinal);
        foreach (var j in judgments)
        {
            if (dataset.FindProduct(j.ProductId) is { } p) { if (ids.Add(p.Id)) products.Add(p); }
            else missing.Add(j.ProductId);
        }
        int judged = products.Count;
        int wanted = randomItems(judged);
        ArgumentOutOfRangeException.ThrowIfNegative(wanted, nameof(randomItems));
        var others = dataset.Products.Where(p => !ids.Contains(p.Id)).Select(p => p.Id).Order(StringComparer.Ordinal).ToList();
        rng.Shuffle(others);
        foreach (var id in others.Take(wanted)) products.Add(dataset.FindProduct(id)!);
        return new PooledCatalog(new Dataset(products, dataset.Queries, judgments), judged, products.Count - judged, missing.Count);
    }

    /// <summary><see cref="Build"/> with <c>round(ratio × judged products)</c> random items (at most the rest of the
    /// catalog) and a generator seeded from <paramref name="seed"/> (stream "eval-pool").</summary>
    public static PooledCatalog BuildWithRatio(Dataset dataset, IReadOnlyList<Judgment> judgments, double randomRatio, int seed)
    {
        CheckRatio(randomRatio);
        return Build(dataset, judgments, judged => (int)Math.Min(Math.Round(randomRatio * judged), int.MaxValue),
            new SerializableRandom(seed, "eval-pool"));
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="randomRatio"/> is a finite number ≥ 0.</summary>
    public static void CheckRatio(double randomRatio)
    {
        if (!(randomRatio >= 0 && double.IsFinite(randomRatio)))
            throw new ArgumentException($"--pool-random-ratio must be a finite number ≥ 0 (got {randomRatio}).");
    }
}
