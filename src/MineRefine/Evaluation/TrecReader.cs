using System.Globalization;
using MineRefine.Data;
using MineRefine.Retrieval;

namespace MineRefine.Evaluation;

/// <summary>Reads back the TREC run and qrels files <see cref="TrecWriter"/> writes (an <c>eval</c> folder's
/// <c>run.trec</c> and <c>qrels.trec</c>), ids unescaped (<see cref="UnescapeId"/>). Errors
/// (<see cref="DataFormatException"/>) name the file, the line and the field.</summary>
public static class TrecReader
{
    /// <summary>The inverse of <see cref="TrecWriter.EscapeId"/>: every <c>%XX</c> sequence back to its UTF-8 bytes.
    /// Exact, because the writer escapes every '%'.</summary>
    public static string UnescapeId(string id) => id.Contains('%', StringComparison.Ordinal) ? Uri.UnescapeDataString(id) : id;

    /// <summary>Each query's product ids in rank order (the file's rank column), at most <paramref name="depth"/> per
    /// query (0 = all); the same checks as <see cref="ReadRunHits"/>.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> ReadRun(string path, int depth = 0) =>
        ReadRunHits(path).ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value
            .Take(depth > 0 ? depth : int.MaxValue).Select(h => h.ProductId).ToList(), StringComparer.Ordinal);

    /// <summary>Each query's hits (product id and the file's score) in the file's rank order: a whole TREC run, e.g.
    /// one exported from another search system. Errors (<see cref="DataFormatException"/>, naming the line and field):
    /// a rank that is not an integer ≥ 1, a score that is not a number, a product listed twice for one query, a rank
    /// used twice for one query. The order comes from the rank column; the score is kept as written.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<SearchHit>> ReadRunHits(string path)
    {
        var ranked = new Dictionary<string, List<(int Rank, SearchHit Hit)>>(StringComparer.Ordinal);
        var seen = new Dictionary<(string Query, string Doc), long>();
        var ranks = new Dictionary<(string Query, int Rank), long>();
        foreach (var (line, f) in Lines(path, 6, "qid Q0 docid rank score run_name"))
        {
            if (!int.TryParse(f[3], NumberStyles.None, CultureInfo.InvariantCulture, out int rank) || rank < 1)
                throw new DataFormatException(path, line, "rank (field 4)", $"'{f[3]}' is not a rank ≥ 1");
            if (!float.TryParse(f[4], NumberStyles.Float, CultureInfo.InvariantCulture, out float score))
                throw new DataFormatException(path, line, "score (field 5)", $"'{f[4]}' is not a number");
            string q = UnescapeId(f[0]), doc = UnescapeId(f[2]);
            if (!seen.TryAdd((q, doc), line))
                throw new DataFormatException(path, line, "docid (field 3)",
                    $"product '{doc}' is listed twice for query '{q}' (first on line {seen[(q, doc)]}); a ranking lists each product once");
            if (!ranks.TryAdd((q, rank), line))
                throw new DataFormatException(path, line, "rank (field 4)",
                    $"rank {rank} is used twice for query '{q}' (first on line {ranks[(q, rank)]})");
            if (!ranked.TryGetValue(q, out var list)) ranked[q] = list = [];
            list.Add((rank, new SearchHit(doc, score)));
        }
        return ranked.ToDictionary(kv => kv.Key,
            kv => (IReadOnlyList<SearchHit>)kv.Value.OrderBy(x => x.Rank).Select(x => x.Hit).ToList(), StringComparer.Ordinal);
    }

    /// <summary>The grade of every judged (query, product) pair.</summary>
    public static IReadOnlyDictionary<(string QueryId, string ProductId), int> ReadQrels(string path)
    {
        var grades = new Dictionary<(string, string), int>();
        foreach (var (line, f) in Lines(path, 4, "qid 0 docid grade"))
        {
            if (!int.TryParse(f[3], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int grade))
                throw new DataFormatException(path, line, "grade (field 4)", $"'{f[3]}' is not an integer grade");
            grades[(UnescapeId(f[0]), UnescapeId(f[2]))] = grade;
        }
        return grades;
    }

    private static IEnumerable<(long Line, string[] Fields)> Lines(string path, int fields, string layout)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"TREC file '{path}' does not exist.", path);
        long n = 0;
        foreach (string raw in File.ReadLines(path))
        {
            n++;
            if (string.IsNullOrWhiteSpace(raw)) continue;
            var f = raw.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length != fields)
                throw new DataFormatException(path, n, null, $"expected {fields} white-space separated fields ({layout}), got {f.Length}");
            yield return (n, f);
        }
    }
}
