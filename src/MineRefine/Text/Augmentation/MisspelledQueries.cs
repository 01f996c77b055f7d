using MineRefine.Data;

namespace MineRefine.Text.Augmentation;

/// <summary>What <see cref="MisspelledQueries.Apply"/> did.</summary>
/// <param name="Considered">Queries of the evaluated judgments.</param>
/// <param name="Misspelled">Queries whose text was replaced by a misspelled variant.</param>
/// <param name="Unchanged">Queries left as they are (no edit drawn, every token protected, or non-Latin script).</param>
public sealed record MisspellingSummary(int Considered, int Misspelled, int Unchanged);

/// <summary>
/// Misspelled test copies for the spelling-augmentation ablation (paper §3): every evaluated query is replaced by one
/// variant from <see cref="SpellingAugmenter"/> with the same edit model as training (keep ratio 1, so every query that
/// can change does). Use a seed different from the training seed. Apply it <b>after</b> the train/dev/test split — the
/// split is by normalised query text, so misspelling first would move queries between splits.
/// </summary>
public static class MisspelledQueries
{
    /// <summary>A copy of <paramref name="data"/> whose queries in <paramref name="queryIds"/> have misspelled text
    /// (ids, products, judgments and engagement unchanged).</summary>
    public static (Dataset Data, MisspellingSummary Summary) Apply(Dataset data, IEnumerable<string> queryIds, int seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(queryIds);
        var ids = new HashSet<string>(queryIds, StringComparer.Ordinal);
        var targets = data.Queries.Where(q => ids.Contains(q.Id)).Select(q => (q.Id, q.Text)).ToList();
        var augmenter = new SpellingAugmenter(new SpellingAugmentationOptions { KeepRatio = 1.0 });
        var result = augmenter.Augment(targets, seed);
        var variant = result.Variants.ToDictionary(v => v.QueryId, v => v.Variant, StringComparer.Ordinal);
        var queries = data.Queries.Select(q => variant.TryGetValue(q.Id, out var t) ? q with { Text = t } : q).ToList();
        var copy = new Dataset(data.Products, queries, data.Judgments, data.Engagement, data.Report);
        return (copy, new MisspellingSummary(targets.Count, variant.Count, targets.Count - variant.Count));
    }
}
