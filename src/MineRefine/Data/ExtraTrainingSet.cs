using MineRefine.Data.Import;

namespace MineRefine.Data;

/// <summary>
/// Extra training queries and their graded pairs, read from a folder with <c>queries.jsonl</c> and
/// <c>judgments.jsonl</c> in the MineRefine JSONL format. <c>minerefine synth</c> writes such a folder (paper §3:
/// synthetic queries for items without a positive query). The pairs join the <b>training split only</b>: the real
/// queries are split into train/dev/test first, so an extra query can never land in dev or test, and an extra
/// judgment may only grade the folder's own queries. That way no dev or test query gains training pairs.
/// Checked strictly, each error naming the file, line and field: ids must be unique in the folder, new to the data
/// set and new to the other extra folders; every judgment must name one of the folder's queries, a catalog product
/// and a (query, product) pair not graded earlier in the file.
/// </summary>
public sealed class ExtraTrainingSet
{
    private ExtraTrainingSet(string folder, IReadOnlyList<Query> queries, IReadOnlyList<Judgment> judgments)
    {
        Folder = folder;
        Queries = queries;
        Judgments = judgments;
    }

    /// <summary>The folder read.</summary>
    public string Folder { get; }
    /// <summary>Its queries, in file order.</summary>
    public IReadOnlyList<Query> Queries { get; }
    /// <summary>Its graded pairs, in file order.</summary>
    public IReadOnlyList<Judgment> Judgments { get; }

    /// <summary>Judgments per grade (index 0, 1, 2).</summary>
    public int[] GradeCounts()
    {
        var c = new int[3];
        foreach (var j in Judgments) c[j.Grade]++;
        return c;
    }

    /// <summary>The two files of <paramref name="folder"/> (plain or gzip-compressed), for run manifests.</summary>
    public static IReadOnlyList<string> Files(string folder) =>
        [FindFile(folder, JsonlFormat.QueriesFile), FindFile(folder, JsonlFormat.JudgmentsFile)];

    /// <summary>Reads <paramref name="folder"/> and checks it against <paramref name="data"/>; throws
    /// <see cref="DataFormatException"/> naming the file, line and field of the first problem, or
    /// <see cref="ArgumentException"/> when the folder or one of its files is missing.</summary>
    public static ExtraTrainingSet Load(string folder, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!Directory.Exists(folder))
            throw new ArgumentException($"Extra training folder '{folder}' does not exist; give a folder written by `minerefine synth` (queries.jsonl + judgments.jsonl).");
        string queriesPath = FindFile(folder, JsonlFormat.QueriesFile);
        string judgmentsPath = FindFile(folder, JsonlFormat.JudgmentsFile);

        var queries = new List<Query>();
        var queryLine = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (q, line) in JsonlFormat.ReadQueryRows(queriesPath))
        {
            if (queryLine.TryGetValue(q.Id, out long first))
                throw new DataFormatException(queriesPath, line, "id", $"query id '{q.Id}' repeats line {first}; give each extra query its own id.");
            if (data.FindQuery(q.Id) is not null)
                throw new DataFormatException(queriesPath, line, "id",
                    $"query id '{q.Id}' is already a query of the data set. Extra training queries need ids of their own: the data set's queries are split into train/dev/test, and an extra pair must never join a dev or test query.");
            queryLine[q.Id] = line;
            queries.Add(q);
        }

        var judgments = new List<Judgment>();
        var pairLine = new Dictionary<(string, string), long>();
        foreach (var (j, line) in JsonlFormat.ReadJudgmentRows(judgmentsPath))
        {
            if (!queryLine.ContainsKey(j.QueryId))
                throw new DataFormatException(judgmentsPath, line, "query_id",
                    data.FindQuery(j.QueryId) is not null
                        ? $"query '{j.QueryId}' is a query of the data set, not of {queriesPath}. Extra judgments may only grade the folder's own queries, because the data set's queries are split into train/dev/test."
                        : $"query '{j.QueryId}' is not in {queriesPath}.");
            if (data.FindProduct(j.ProductId) is null)
                throw new DataFormatException(judgmentsPath, line, "product_id", $"product '{j.ProductId}' is not in the catalog.");
            if (!pairLine.TryAdd((j.QueryId, j.ProductId), line))
                throw new DataFormatException(judgmentsPath, line, "product_id",
                    $"the pair ('{j.QueryId}', '{j.ProductId}') is already graded on line {pairLine[(j.QueryId, j.ProductId)]}; keep one grade per pair.");
            judgments.Add(j);
        }
        return new ExtraTrainingSet(folder, queries, judgments);
    }

    /// <summary>
    /// Adds <paramref name="extras"/> to a run: their queries join <paramref name="data"/>'s queries (products,
    /// judgments and engagement stay as they are) and their pairs join <paramref name="train"/>. Without any extra
    /// query, <paramref name="data"/> and <paramref name="train"/> come back as they are. Throws
    /// <see cref="ArgumentException"/> when two folders share a query id.
    /// </summary>
    public static (Dataset Data, IReadOnlyList<Judgment> Train) AddTo(Dataset data, IReadOnlyList<Judgment> train,
        IReadOnlyList<ExtraTrainingSet> extras)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(extras);
        if (extras.All(e => e.Queries.Count == 0)) return (data, train); // no query, so no judgment either
        var owner = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in extras)
            foreach (var q in e.Queries)
                if (!owner.TryAdd(q.Id, e.Folder))
                    throw new ArgumentException($"Query id '{q.Id}' is in two extra training folders, '{owner[q.Id]}' and '{e.Folder}'; give each folder its own ids (e.g. run `synth` once with a larger --max-share).");
        var queries = data.Queries.Concat(extras.SelectMany(e => e.Queries)).ToList();
        var merged = new Dataset(data.Products, queries, data.Judgments, data.Engagement, data.Report);
        return (merged, train.Concat(extras.SelectMany(e => e.Judgments)).ToList());
    }

    private static string FindFile(string folder, string name)
    {
        string path = Path.Combine(folder, name);
        if (File.Exists(path)) return path;
        if (File.Exists(path + ".gz")) return path + ".gz";
        throw new ArgumentException($"Extra training folder '{folder}' has no {name}; it needs queries.jsonl and judgments.jsonl, as `minerefine synth --out` writes them.");
    }
}
