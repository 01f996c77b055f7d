using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using MineRefine.Data.Import;
using MineRefine.Text;

namespace MineRefine.Data.Sample;

/// <summary>Counts describing a generated sample marketplace (also written as stats.json).</summary>
public sealed record SampleStatistics(
    int Seed, int Products, int Categories, int Queries, int HeadQueries, int TailQueries, int MisspelledQueries,
    IReadOnlyDictionary<string, int> QueriesByLocale, int Judgments, int[] TruthGradeCounts, int[] HumanGradeCounts,
    int NoiseFlips, double ObservedNoiseRate, int QueriesWithAllThreeGrades, int EngagementRows);

/// <summary>A generated marketplace: the data set with noisy "human" judgments, the noise-free truth, the intent of
/// every query and summary statistics.</summary>
public sealed class SampleMarketplace
{
    internal SampleMarketplace(Dataset data, IReadOnlyList<Judgment> truth,
        IReadOnlyDictionary<string, SampleQueryIntent> intents, SampleStatistics stats)
    {
        Data = data;
        Truth = truth;
        Intents = intents;
        Statistics = stats;
    }

    /// <summary>Products, queries, human judgments (with annotator noise) and engagement.</summary>
    public Dataset Data { get; }
    /// <summary>Noise-free judgments, same pairs and order as <see cref="Dataset.Judgments"/>.</summary>
    public IReadOnlyList<Judgment> Truth { get; }
    /// <summary>Query id → what the query asks for.</summary>
    public IReadOnlyDictionary<string, SampleQueryIntent> Intents { get; }
    /// <summary>Summary counts.</summary>
    public SampleStatistics Statistics { get; }

    /// <summary>
    /// The <b>complete</b> noise-free qrels: for every query, every catalog product the grading policy
    /// (<see cref="SampleGradingPolicy"/>) grades 1 or 2, plus every judged product with its true grade (so the judged
    /// irrelevant candidates are listed as grade 0). Every pair not listed is grade 0 by the policy. Ordered by query,
    /// then catalog order.
    /// <para>Why: the human judgments (like every real judgment set) only cover a few candidates per query, and the
    /// evaluation convention "unjudged = grade 0" then punishes a model for retrieving relevant products nobody
    /// judged — exactly the false negatives that re-labeled mining is meant to stop training on (paper §6). Evaluating
    /// against the complete truth (<c>eval --qrels truth-complete.jsonl</c>) removes that bias; mining with it as the
    /// labeler (<c>mine --judge complete:truth-complete.jsonl</c>) gives the perfect-labeler upper bound.</para>
    /// </summary>
    public IReadOnlyList<Judgment> CompleteTruth()
    {
        var judged = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        foreach (var j in Truth)
        {
            if (!judged.TryGetValue(j.QueryId, out var m)) judged[j.QueryId] = m = new Dictionary<string, int>(StringComparer.Ordinal);
            m[j.ProductId] = j.Grade;
        }
        var all = new List<Judgment>();
        foreach (var q in Data.Queries)
        {
            var intent = Intents[q.Id];
            judged.TryGetValue(q.Id, out var mine);
            foreach (var p in Data.Products)
            {
                int g = SampleGradingPolicy.Grade(intent, p);
                if (g > Grades.Irrelevant || (mine is not null && mine.ContainsKey(p.Id)))
                    all.Add(new Judgment(q.Id, p.Id, g, JudgmentSource.Human));
            }
        }
        return all;
    }

    /// <summary>Writes products.jsonl, queries.jsonl, judgments.jsonl, truth.jsonl, truth-complete.jsonl
    /// (<see cref="CompleteTruth"/>), engagement.jsonl (when generated), intents.jsonl and stats.json into
    /// <paramref name="folder"/>.</summary>
    public void WriteTo(string folder)
    {
        DatasetWriter.Write(Data, folder);
        DatasetWriter.WriteJudgments(Truth, Path.Combine(folder, JsonlFormat.TruthFile));
        DatasetWriter.WriteJudgments(CompleteTruth(), Path.Combine(folder, JsonlFormat.CompleteTruthFile));
        using (var w = new JsonlWriter(Path.Combine(folder, "intents.jsonl")))
            foreach (var q in Data.Queries)
            {
                var it = Intents[q.Id];
                w.WriteObject(j =>
                {
                    j.WriteString("query_id", it.QueryId);
                    j.WriteString("category", it.Category);
                    j.WriteStartObject("stated_attributes");
                    foreach (var kv in it.StatedAttributes) j.WriteString(kv.Key, kv.Value);
                    j.WriteEndObject();
                    j.WriteBoolean("head", it.IsHead);
                    j.WriteBoolean("misspelled", it.IsMisspelled);
                    j.WriteString("locale", it.Locale);
                    j.WriteNumber("volume", it.Volume);
                });
            }
        var opts = new JsonSerializerOptions
        {
            WriteIndented = true,
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        File.WriteAllText(Path.Combine(folder, "stats.json"), JsonSerializer.Serialize(Statistics, opts) + "\n");
    }
}

/// <summary>
/// Deterministic generator of a believable multi-category marketplace with graded ground truth
/// (<see cref="SampleGradingPolicy"/> states the policy; <see cref="SampleTaxonomy"/> the 20 leaf categories and their
/// substitute/complement links).
/// <para><b>Catalog.</b> Products are spread evenly over the leaf categories; each gets a brand, a colour (when the
/// type has colours), a value of the type's key attribute (size, material, storage …) and a feature, with titles such
/// as "Sonora Wireless Over-Ear Headphones, Noise Cancelling, Black" and a one-sentence description.</para>
/// <para><b>Queries.</b> Head queries (share <see cref="SampleOptions.HeadShare"/>) name only the type
/// ("headphones"); tail queries state 1–3 attributes of an existing product ("black sonora wireless headphones"), so
/// every query has at least one exact product. Spanish and German queries use the built-in lexicon for the noun and
/// colour ("auriculares sonora color negro", "sonora kopfhörer schwarz") and state only brand and colour. A share
/// <see cref="SampleOptions.MisspellingRate"/> of queries gets one typo (swap, deletion, doubling or substitution).
/// Queries are unique after <see cref="TextNormalizer.NormalizeQuery"/>.</para>
/// <para><b>Judged candidates.</b> Each query gets 8–15 distinct products: about 30–45% irrelevant (half of them
/// from the same department), the rest split between exact products and partial ones (same type with an attribute
/// mismatch, substitutes, complements), so most queries show all three grades. Grades come from the policy.</para>
/// <para><b>Human labels.</b> With probability <see cref="SampleOptions.NoiseRate"/> a label is flipped; a share
/// <see cref="SampleOptions.AdjacentFlipShare"/> of flips go to an adjacent grade (1 always flips to 0 or 2), the
/// rest jump between 0 and 2. The truth is kept separately.</para>
/// <para><b>Engagement.</b> A simulated ranker orders the candidates by true grade + N(0, 0.8); the pair at rank r
/// gets impressions = query volume (× 0.35 beyond rank 10), clicks ~ Binomial(impressions, p_click(grade) · noise /
/// log2(r + 1)) with p_click = 0.04 / 0.15 / 0.35 for grades 0 / 1 / 2 and log-normal noise (σ 0.25), add-to-carts ~
/// Binomial(clicks, 0.02 / 0.10 / 0.30), orders ~ Binomial(add-to-carts, 0.2 / 0.4 / 0.6). Volume is log-normal
/// around 800 searches for head queries and 20 for tail ones (halved for non-English queries).</para>
/// </summary>
public static class SampleMarketplaceGenerator
{
    private static readonly double[] ClickP = [0.04, 0.15, 0.35];
    private static readonly double[] CartP = [0.02, 0.10, 0.30];
    private static readonly double[] OrderP = [0.2, 0.4, 0.6];
    private static readonly string[] Models = ["Nova", "Pulse", "Edge", "Aero", "Zen"];

    /// <summary>Generates the marketplace described by <paramref name="options"/> (validated first).</summary>
    public static SampleMarketplace Generate(SampleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var rng = new Random(options.Seed);
        var cats = SampleTaxonomy.Categories;

        // ---- catalog
        var drafts = new List<(SampleCategory Cat, Dictionary<string, string> Attrs, string Title, string Desc)>(options.Products);
        for (int i = 0; i < options.Products; i++)
        {
            var c = cats[i % cats.Count];
            var attrs = new Dictionary<string, string>(StringComparer.Ordinal);
            string brand = Pick(rng, c.Brands);
            attrs["brand"] = brand;
            string? color = c.Colors.Length > 0 ? Pick(rng, c.Colors) : null;
            if (color is not null) attrs["color"] = color;
            string spec = Pick(rng, c.SpecValues);
            attrs[c.SpecName] = spec;
            string feature = Pick(rng, c.Features);
            attrs["feature"] = feature;
            string title;
            if (c.Leaf == "Phones")
            {
                string model = $"{Pick(rng, Models)} {rng.Next(5, 13)}";
                attrs["model"] = model;
                title = $"{brand} {model} {c.TitleNoun}, {spec}, {feature}" + (color is null ? "" : $", {color}");
            }
            else
            {
                title = $"{brand} {spec} {c.TitleNoun}, {feature}" + (color is null ? "" : $", {color}");
            }
            string desc = $"{c.TitleNoun} by {brand}" + (color is null ? "" : $" in {color.ToLowerInvariant()}") +
                          $", {c.SpecName} {spec}. {feature}; part of our {c.Leaf.ToLowerInvariant()} range in {c.Top}.";
            drafts.Add((c, attrs, title, desc));
        }
        Shuffle(rng, drafts);
        int idWidth = Math.Max(5, (options.Products).ToString(CultureInfo.InvariantCulture).Length);
        var products = new List<Product>(drafts.Count);
        var byCat = cats.ToDictionary(c => c.Leaf, _ => new List<Product>());
        foreach (var d in drafts)
        {
            var p = new Product("p" + (products.Count + 1).ToString("D" + idWidth, CultureInfo.InvariantCulture),
                d.Title, d.Desc, [d.Cat.Top, d.Cat.Leaf], d.Attrs, "en");
            products.Add(p);
            byCat[d.Cat.Leaf].Add(p);
        }

        // ---- queries
        var queries = new List<Query>(options.Queries);
        var intents = new Dictionary<string, SampleQueryIntent>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int qWidth = Math.Max(4, options.Queries.ToString(CultureInfo.InvariantCulture).Length);
        long attempts = 0, maxAttempts = 200L * options.Queries + 1000;
        while (queries.Count < options.Queries && attempts++ < maxAttempts)
        {
            var c = cats[rng.Next(cats.Count)];
            double lr = rng.NextDouble();
            string locale = lr < options.SpanishShare ? "es" : lr < options.SpanishShare + options.GermanShare ? "de" : "en";
            bool head = rng.NextDouble() < options.HeadShare;
            var stated = new Dictionary<string, string>(StringComparer.Ordinal);
            if (!head)
            {
                var anchor = Pick(rng, byCat[c.Leaf]);
                var candidates = new List<string> { "brand" };
                if (c.Colors.Length > 0) candidates.Add("color");
                if (locale == "en") candidates.Add(c.SpecName);
                Shuffle(rng, candidates);
                int k = 1 + rng.Next(candidates.Count);
                foreach (var key in candidates.Take(k)) stated[key] = anchor.Attributes[key];
            }
            string text = Compose(rng, c, stated, locale);
            bool typo = rng.NextDouble() < options.MisspellingRate;
            if (typo) text = AddTypo(rng, text);
            if (!seen.Add(TextNormalizer.NormalizeQuery(text))) continue;
            string qid = "q" + (queries.Count + 1).ToString("D" + qWidth, CultureInfo.InvariantCulture);
            double volume = Math.Exp(Math.Log(head ? 800 : 20) + (head ? 0.6 : 0.7) * Gaussian(rng));
            if (locale != "en") volume *= 0.5;
            queries.Add(new Query(qid, text, locale));
            intents[qid] = new SampleQueryIntent(qid, c.Leaf, stated, stated.Count == 0, typo, locale,
                Math.Max(1, (long)Math.Round(volume)));
        }

        // ---- judged candidates, truth, noisy labels, engagement
        var truth = new List<Judgment>();
        var human = new List<Judgment>();
        var engagement = new List<EngagementEvent>();
        int flips = 0, allThree = 0;
        var truthCounts = new int[3];
        var humanCounts = new int[3];
        foreach (var q in queries)
        {
            var intent = intents[q.Id];
            var chosen = ChooseCandidates(rng, intent, byCat, options);
            var grades = new int[chosen.Count];
            for (int i = 0; i < chosen.Count; i++)
            {
                int g = SampleGradingPolicy.Grade(intent, chosen[i]);
                grades[i] = g;
                truth.Add(new Judgment(q.Id, chosen[i].Id, g, JudgmentSource.Human));
                truthCounts[g]++;
                int h = g;
                if (rng.NextDouble() < options.NoiseRate)
                {
                    h = Flip(rng, g, options.AdjacentFlipShare);
                    flips++;
                }
                humanCounts[h]++;
                human.Add(new Judgment(q.Id, chosen[i].Id, h, JudgmentSource.Human));
            }
            if (grades.Contains(0) && grades.Contains(1) && grades.Contains(2)) allThree++;
            if (options.Engagement) Simulate(rng, q.Id, intent.Volume, chosen, grades, engagement);
        }

        var report = new LoadReport();
        var data = new Dataset(products, queries, human, engagement, report);
        var stats = new SampleStatistics(
            options.Seed, products.Count, cats.Count, queries.Count,
            intents.Values.Count(i => i.IsHead), intents.Values.Count(i => !i.IsHead),
            intents.Values.Count(i => i.IsMisspelled),
            queries.GroupBy(x => x.Locale).OrderBy(g => g.Key, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Count()),
            human.Count, truthCounts, humanCounts, flips,
            human.Count == 0 ? 0 : Math.Round((double)flips / human.Count, 4), allThree, engagement.Count);
        return new SampleMarketplace(data, truth, intents, stats);
    }

    private static string Compose(Random rng, SampleCategory c, Dictionary<string, string> stated, string locale)
    {
        string? brand = stated.GetValueOrDefault("brand")?.ToLowerInvariant();
        string? color = stated.GetValueOrDefault("color");
        switch (locale)
        {
            case "es":
            {
                var parts = new List<string> { c.NounEs };
                if (brand is not null) parts.Add(brand);
                if (color is not null) parts.Add("color " + SampleTaxonomy.ColorLexicon[color].Es);
                return string.Join(' ', parts);
            }
            case "de":
            {
                var parts = new List<string>();
                if (brand is not null) parts.Add(brand);
                parts.Add(c.NounDe);
                if (color is not null) parts.Add(SampleTaxonomy.ColorLexicon[color].De);
                return string.Join(' ', parts);
            }
            default:
            {
                var parts = new List<string>();
                if (color is not null) parts.Add(color.ToLowerInvariant());
                if (brand is not null) parts.Add(brand);
                if (stated.TryGetValue(c.SpecName, out var spec)) parts.Add(spec.ToLowerInvariant());
                parts.Add(Pick(rng, c.QueryNouns));
                return string.Join(' ', parts);
            }
        }
    }

    private const string Keyboard = "qwertyuiop|asdfghjkl|zxcvbnm";

    /// <summary>One typo in a word of ≥ 4 letters: adjacent swap, deletion, doubling or keyboard-neighbour
    /// substitution.</summary>
    private static string AddTypo(Random rng, string text)
    {
        var words = text.Split(' ');
        var eligible = Enumerable.Range(0, words.Length).Where(i => words[i].Length >= 4 && words[i].All(char.IsLetter)).ToList();
        if (eligible.Count == 0) return text;
        int wi = Pick(rng, eligible);
        string w = words[wi];
        for (int attempt = 0; attempt < 10; attempt++)
        {
            int pos = 1 + rng.Next(w.Length - 2); // keep the first letter, as real typos mostly do
            string t = rng.Next(4) switch
            {
                0 => w[..pos] + w[pos + 1] + w[pos] + w[(pos + 2)..],
                1 => w.Remove(pos, 1),
                2 => w.Insert(pos, w[pos].ToString()),
                _ => w[..pos] + Neighbour(rng, w[pos]) + w[(pos + 1)..],
            };
            if (t != w)
            {
                words[wi] = t;
                return string.Join(' ', words);
            }
        }
        return text;
    }

    private static char Neighbour(Random rng, char c)
    {
        int i = Keyboard.IndexOf(c);
        if (i < 0) return c;
        var options = new List<char>();
        if (i > 0 && Keyboard[i - 1] != '|') options.Add(Keyboard[i - 1]);
        if (i + 1 < Keyboard.Length && Keyboard[i + 1] != '|') options.Add(Keyboard[i + 1]);
        return options.Count == 0 ? c : Pick(rng, options);
    }

    private static List<Product> ChooseCandidates(Random rng, SampleQueryIntent intent,
        Dictionary<string, List<Product>> byCat, SampleOptions o)
    {
        var target = SampleTaxonomy.Find(intent.Category);
        var exact = new List<Product>();
        var partialSame = new List<Product>();
        foreach (var p in byCat[intent.Category])
            (SampleGradingPolicy.Grade(intent, p) == Grades.Exact ? exact : partialSame).Add(p);
        var linkedCats = SampleTaxonomy.Categories.Where(c => c.Leaf != intent.Category &&
            (SampleTaxonomy.AreSubstitutes(intent.Category, c.Leaf) || SampleTaxonomy.AreComplements(intent.Category, c.Leaf)))
            .Select(c => c.Leaf).ToList();
        var unrelated = SampleTaxonomy.Categories.Where(c => c.Leaf != intent.Category && !linkedCats.Contains(c.Leaf)).ToList();
        var hard = unrelated.Where(c => c.Top == target.Top).ToList();

        int n = rng.Next(o.MinCandidates, o.MaxCandidates + 1);
        int nIrr = (int)Math.Ceiling(n * (0.30 + 0.15 * rng.NextDouble()));
        int rest = n - nIrr;
        int nExact = Math.Min(exact.Count, Math.Max(1, (int)Math.Round(rest * (0.3 + 0.3 * rng.NextDouble()))));
        int partialAvailable = partialSame.Count + linkedCats.Sum(c => byCat[c].Count);
        int nPartial = Math.Min(partialAvailable, rest - nExact);
        if (nExact + nPartial < rest) nExact = Math.Min(exact.Count, rest - nPartial);
        nIrr = n - nExact - nPartial;

        var chosen = new List<Product>(n);
        var used = new HashSet<string>(StringComparer.Ordinal);
        Shuffle(rng, exact);
        foreach (var p in exact.Take(nExact)) { chosen.Add(p); used.Add(p.Id); }
        Shuffle(rng, partialSame);
        int sameIdx = 0;
        for (int i = 0; i < nPartial; i++)
        {
            bool fromSame = sameIdx < partialSame.Count && (linkedCats.Count == 0 || rng.NextDouble() < 0.5);
            if (fromSame) { var p = partialSame[sameIdx++]; chosen.Add(p); used.Add(p.Id); continue; }
            for (int tries = 0; tries < 1000; tries++)
            {
                var p = Pick(rng, byCat[Pick(rng, linkedCats)]);
                if (used.Add(p.Id)) { chosen.Add(p); break; }
            }
        }
        for (int i = 0; i < nIrr && unrelated.Count > 0; i++)
        {
            for (int tries = 0; tries < 1000; tries++)
            {
                var pool = hard.Count > 0 && rng.NextDouble() < 0.5 ? hard : unrelated;
                var p = Pick(rng, byCat[Pick(rng, pool).Leaf]);
                if (used.Add(p.Id)) { chosen.Add(p); break; }
            }
        }
        Shuffle(rng, chosen);
        return chosen;
    }

    private static int Flip(Random rng, int g, double adjacentShare)
    {
        if (g == Grades.Partial) return rng.NextDouble() < 0.5 ? Grades.Irrelevant : Grades.Exact;
        bool adjacent = rng.NextDouble() < adjacentShare;
        if (adjacent) return Grades.Partial;
        return g == Grades.Exact ? Grades.Irrelevant : Grades.Exact;
    }

    private static void Simulate(Random rng, string qid, long volume, List<Product> chosen, int[] grades,
        List<EngagementEvent> output)
    {
        var order = Enumerable.Range(0, chosen.Count)
            .Select(i => (Index: i, Score: grades[i] + 0.8 * Gaussian(rng)))
            .OrderByDescending(x => x.Score).ThenBy(x => x.Index).ToList();
        for (int r = 0; r < order.Count; r++)
        {
            int i = order[r].Index;
            int g = grades[i];
            int rank = r + 1;
            long imp = rank <= 10 ? volume : (long)Math.Round(volume * 0.35);
            double pClick = Math.Min(0.95, ClickP[g] * Math.Exp(0.25 * Gaussian(rng)) / Math.Log2(rank + 1));
            long clicks = Binomial(rng, imp, pClick);
            long carts = Binomial(rng, clicks, CartP[g]);
            long orders = Binomial(rng, carts, OrderP[g]);
            output.Add(new EngagementEvent(qid, chosen[i].Id, imp, clicks, carts, orders));
        }
    }

    private static long Binomial(Random rng, long n, double p)
    {
        if (n <= 0 || p <= 0) return 0;
        if (n < 60)
        {
            long k = 0;
            for (long i = 0; i < n; i++) if (rng.NextDouble() < p) k++;
            return k;
        }
        double mean = n * p, sd = Math.Sqrt(n * p * (1 - p));
        return Math.Clamp((long)Math.Round(mean + sd * Gaussian(rng)), 0, n);
    }

    private static double Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static T Pick<T>(Random rng, IReadOnlyList<T> items) => items[rng.Next(items.Count)];

    private static void Shuffle<T>(Random rng, IList<T> list)
    {
        for (int i = list.Count - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }
}
