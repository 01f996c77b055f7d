namespace MineRefine.Text.Synthetic;

/// <summary>Options of <see cref="TitleCropGenerator"/>: pseudo-queries cropped from product titles, an in-domain
/// pre-training set made from a catalog alone, with no labels (Contriever-style cropping, adapted to short titles).</summary>
public sealed class TitleCropOptions
{
    /// <summary>Products drawn at random (without replacement) to make one crop each. Default 6,000, the figure of the
    /// Home Depot benchmark (<c>bench/results/stage1-homedepot.md</c>, "In-domain pre-training on title crops"). When
    /// the catalog has fewer products with a usable title, every one of them is used (and the report says so).</summary>
    public int Count { get; set; } = 6000;

    /// <summary>Relative weights of the crop lengths 1, 2, 3, … words; a crop never has more words than its title.
    /// Default 10 / 35 / 35 / 20 (1–4 words, shopper-query lengths). At least one weight must be positive.</summary>
    public IReadOnlyList<double> LengthWeights { get; set; } = [10, 35, 35, 20];

    /// <summary>Seed of the product draw, the lengths and the word subsets. Default 13.</summary>
    public int Seed { get; set; } = 13;

    /// <summary>Throws <see cref="ArgumentException"/> saying which option is wrong and how to fix it.</summary>
    public void Validate()
    {
        if (Count < 1) throw new ArgumentException($"TitleCropOptions.Count {Count} must be ≥ 1 (default 6000): the number of products to crop a query from.");
        if (LengthWeights is null || LengthWeights.Count == 0)
            throw new ArgumentException("TitleCropOptions.LengthWeights is empty; give one weight per crop length, e.g. 10,35,35,20 for 1–4 words.");
        if (LengthWeights.Any(w => !double.IsFinite(w) || w < 0))
            throw new ArgumentException($"TitleCropOptions.LengthWeights {string.Join(",", LengthWeights)}: every weight must be finite and ≥ 0.");
        if (LengthWeights.Sum() <= 0)
            throw new ArgumentException($"TitleCropOptions.LengthWeights {string.Join(",", LengthWeights)}: at least one weight must be > 0.");
    }
}
