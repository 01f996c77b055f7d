using System.Security.Cryptography;
using System.Text;
using MineRefine.Data;

namespace MineRefine.Text.Synthetic;

/// <summary>Counts of a <see cref="TitleCropGenerator"/> run.</summary>
public sealed class TitleCropReport
{
    /// <summary>Products in the catalog.</summary>
    public int CatalogProducts { get; set; }
    /// <summary>Catalog products whose title has no word with a letter or digit; never drawn.</summary>
    public int ProductsWithoutWords { get; set; }
    /// <summary>Products asked for (<see cref="TitleCropOptions.Count"/>).</summary>
    public int Requested { get; set; }
    /// <summary>Products drawn: the smaller of <see cref="Requested"/> and the products with a usable title.</summary>
    public int ProductsDrawn { get; set; }
    /// <summary>Crops equal (after normalisation) to a held-out query's text; dropped so that no training query
    /// copies an evaluation query.</summary>
    public int DuplicatesOfHeldOutQueries { get; set; }
    /// <summary>Crops whose text an earlier crop already had: the product joins that query as a second grade-2 item.</summary>
    public int MergedIntoExisting { get; set; }
    /// <summary>Queries written.</summary>
    public int Queries { get; set; }
    /// <summary>Grade-2 judgments written (one per product kept).</summary>
    public int Judgments { get; set; }
    /// <summary>Crops drawn, by length in words (index 0 is one word), the dropped held-out duplicates included.</summary>
    public int[] Lengths { get; set; } = [];
}

/// <summary>Crops and their judgments (source <see cref="JudgmentSource.Synthetic"/>, grade 2).</summary>
public sealed record TitleCropResult(IReadOnlyList<Query> Queries, IReadOnlyList<Judgment> Judgments, TitleCropReport Report);

/// <summary>Pseudo-queries cropped from product titles, for pre-training a retriever on a catalog that has no
/// judgments yet. For each of <see cref="TitleCropOptions.Count"/> products drawn at random, the query is an ordered
/// random subset of the title's words, lower-cased, of a length drawn from <see cref="TitleCropOptions.LengthWeights"/>
/// (never longer than the title), and the product is its one grade-2 item. Crops with the same text become one query
/// with several grade-2 items. No labeler is involved and nothing else is assumed about other products: the trainer's
/// random and in-batch negatives supply the contrast.
/// <para>Measured on Home Depot (<c>bench/results/stage1-homedepot.md</c>): 150 quick-preset steps on 6,000 crops make
/// MiniLM +15.3 % dev NDCG@10 over the pretrained model, with no labels; once stage 1 trains on human judgments the head
/// start is gone (the same recipe ends level from either start). Use it when there are no judgments, not before
/// stage 1. Not part of the paper's method.</para>
/// Deterministic per seed and catalog order.</summary>
public sealed class TitleCropGenerator
{
    private static readonly char[] Trim = [',', ';', '(', ')', '[', ']', '{', '}', '"'];
    private readonly TitleCropOptions _o;

    /// <summary>Creates the generator (options validated).</summary>
    public TitleCropGenerator(TitleCropOptions? options = null)
    {
        _o = options ?? new TitleCropOptions();
        _o.Validate();
    }

    /// <summary>Query id for a crop: "crop:" + first 16 hex of SHA-256 of the normalised text.</summary>
    public static string QueryId(string text) =>
        "crop:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(TextNormalizer.NormalizeQuery(text))))[..16].ToLowerInvariant();

    /// <summary>The title's words a crop draws from: white-space separated, lower-cased (<see cref="TextNormalizer"/>),
    /// with brackets, quotes, commas and semicolons trimmed from both ends, keeping only words with a letter or a digit.</summary>
    public static IReadOnlyList<string> Words(string title)
    {
        ArgumentNullException.ThrowIfNull(title);
        var words = new List<string>();
        foreach (var raw in TextNormalizer.NormalizeQuery(title).Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            string w = raw.Trim(Trim);
            if (w.Any(char.IsLetterOrDigit)) words.Add(w);
        }
        return words;
    }

    /// <summary>Crops <paramref name="catalog"/>. <paramref name="heldOutQueries"/> (dev and test queries, when the data
    /// set has judgments) only add texts a crop must not repeat.</summary>
    public TitleCropResult Generate(IReadOnlyList<Product> catalog, IReadOnlyList<Query>? heldOutQueries = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var rng = new Random(_o.Seed);
        var report = new TitleCropReport { CatalogProducts = catalog.Count, Requested = _o.Count, Lengths = new int[_o.LengthWeights.Count] };
        var heldOut = new HashSet<string>((heldOutQueries ?? []).Select(q => TextNormalizer.NormalizeQuery(q.Text)), StringComparer.Ordinal);

        var usable = new List<(Product Product, IReadOnlyList<string> Words)>(catalog.Count);
        foreach (var p in catalog)
        {
            var words = Words(p.Title);
            if (words.Count == 0) report.ProductsWithoutWords++;
            else usable.Add((p, words));
        }
        // A partial Fisher–Yates shuffle draws the products without replacement.
        int n = Math.Min(_o.Count, usable.Count);
        for (int i = 0; i < n; i++)
        {
            int r = i + rng.Next(usable.Count - i);
            (usable[i], usable[r]) = (usable[r], usable[i]);
        }
        report.ProductsDrawn = n;

        double total = _o.LengthWeights.Sum();
        var queries = new List<Query>();
        var judgments = new List<Judgment>();
        var byText = new Dictionary<string, Query>(StringComparer.Ordinal);
        for (int i = 0; i < n; i++)
        {
            var (product, words) = usable[i];
            int length = Math.Min(words.Count, DrawLength(rng, total));
            // An ordered random subset: a partial shuffle of the positions, then sorted.
            var positions = Enumerable.Range(0, words.Count).ToArray();
            for (int k = 0; k < length; k++)
            {
                int r = k + rng.Next(positions.Length - k);
                (positions[k], positions[r]) = (positions[r], positions[k]);
            }
            Array.Sort(positions, 0, length);
            string text = string.Join(' ', positions.Take(length).Select(k => words[k]));
            report.Lengths[length - 1]++;
            if (heldOut.Contains(text)) { report.DuplicatesOfHeldOutQueries++; continue; }
            if (!byText.TryGetValue(text, out var q))
            {
                q = new Query(QueryId(text), text, product.Locale);
                byText[text] = q;
                queries.Add(q);
            }
            else report.MergedIntoExisting++;
            judgments.Add(new Judgment(q.Id, product.Id, Grades.Exact, JudgmentSource.Synthetic));
        }
        report.Queries = queries.Count;
        report.Judgments = judgments.Count;
        return new TitleCropResult(queries, judgments, report);
    }

    private int DrawLength(Random rng, double total)
    {
        double u = rng.NextDouble() * total, acc = 0;
        for (int k = 0; k < _o.LengthWeights.Count; k++)
        {
            acc += _o.LengthWeights[k];
            if (u < acc && _o.LengthWeights[k] > 0) return k + 1;
        }
        // Rounding at the top end: the longest length with a positive weight.
        for (int k = _o.LengthWeights.Count - 1; k >= 0; k--)
            if (_o.LengthWeights[k] > 0) return k + 1;
        throw new InvalidOperationException("no positive length weight (Validate should have refused the options)");
    }
}
