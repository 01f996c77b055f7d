namespace MineRefine.Data.Sample;

/// <summary>What a sample query asks for.</summary>
/// <param name="QueryId">The query's id.</param>
/// <param name="Category">Target leaf category (the product type wanted).</param>
/// <param name="StatedAttributes">Attributes the query states (brand, color and/or the category's key attribute),
/// with the catalog's values (English, e.g. "Black" even for "schwarz").</param>
/// <param name="IsHead">A broad query naming only the type.</param>
/// <param name="IsMisspelled">The text carries one typo.</param>
/// <param name="Locale">"en", "es" or "de".</param>
/// <param name="Volume">Simulated query popularity (searches in the log period).</param>
public sealed record SampleQueryIntent(
    string QueryId, string Category, IReadOnlyDictionary<string, string> StatedAttributes,
    bool IsHead, bool IsMisspelled, string Locale, long Volume);

/// <summary>
/// The written grading policy of the sample marketplace (paper §1 grades):
/// <list type="bullet">
/// <item><b>2 exact</b>: the product's leaf category is the query's target type and every attribute the query states
/// (brand, colour, the type's key attribute such as size or material) equals the product's.</item>
/// <item><b>1 partial</b>: (a) a substitute — the right type with at least one stated attribute different (wrong
/// colour, wrong size …), or a different type that serves the same need (<see cref="SampleTaxonomy.SubstitutePairs"/>,
/// e.g. a speaker for "headphones"); or (b) a complement — a type used together with the wanted one
/// (<see cref="SampleTaxonomy.ComplementPairs"/>, e.g. a case for "phone", filters for "coffee maker"); attributes
/// do not matter for (a)-other-type and (b).</item>
/// <item><b>0 irrelevant</b>: everything else.</item>
/// </list>
/// </summary>
public static class SampleGradingPolicy
{
    /// <summary>Grades <paramref name="product"/> (category path [department, leaf]) for <paramref name="intent"/>.</summary>
    public static int Grade(SampleQueryIntent intent, Product product) =>
        Grade(intent.Category, intent.StatedAttributes, product);

    /// <summary>Grades a product for a target category and stated attributes.</summary>
    public static int Grade(string category, IReadOnlyDictionary<string, string> stated, Product product)
    {
        string leaf = product.CategoryPath.Count >= 2 ? product.CategoryPath[1] : "";
        if (leaf == category)
        {
            foreach (var kv in stated)
                if (!product.Attributes.TryGetValue(kv.Key, out var v) || v != kv.Value) return Grades.Partial;
            return Grades.Exact;
        }
        if (SampleTaxonomy.AreSubstitutes(category, leaf) || SampleTaxonomy.AreComplements(category, leaf))
            return Grades.Partial;
        return Grades.Irrelevant;
    }
}
