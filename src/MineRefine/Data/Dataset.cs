namespace MineRefine.Data;

/// <summary>A loaded graded data set: catalog, queries, judgments and (optional) engagement.</summary>
public sealed class Dataset
{
    private readonly Dictionary<string, Product> _products;
    private readonly Dictionary<string, Query> _queries;

    /// <summary>Creates a data set; ids must be unique (the importers guarantee it).</summary>
    public Dataset(
        IReadOnlyList<Product> products,
        IReadOnlyList<Query> queries,
        IReadOnlyList<Judgment> judgments,
        IReadOnlyList<EngagementEvent>? engagement = null,
        LoadReport? report = null)
    {
        Products = products;
        Queries = queries;
        Judgments = judgments;
        Engagement = engagement ?? Array.Empty<EngagementEvent>();
        Report = report ?? new LoadReport();
        _products = new Dictionary<string, Product>(products.Count, StringComparer.Ordinal);
        foreach (var p in products) _products[p.Id] = p;
        _queries = new Dictionary<string, Query>(queries.Count, StringComparer.Ordinal);
        foreach (var q in queries) _queries[q.Id] = q;
    }

    /// <summary>The catalog, in file order.</summary>
    public IReadOnlyList<Product> Products { get; }
    /// <summary>Every query that has at least one judgment or engagement row.</summary>
    public IReadOnlyList<Query> Queries { get; }
    /// <summary>Graded pairs (duplicates already resolved: last wins).</summary>
    public IReadOnlyList<Judgment> Judgments { get; }
    /// <summary>Engagement rows; empty when the source has none.</summary>
    public IReadOnlyList<EngagementEvent> Engagement { get; }
    /// <summary>What the importer read, rejected and de-duplicated.</summary>
    public LoadReport Report { get; }

    /// <summary>The product with this id, or null.</summary>
    public Product? FindProduct(string id) => _products.GetValueOrDefault(id);
    /// <summary>The query with this id, or null.</summary>
    public Query? FindQuery(string id) => _queries.GetValueOrDefault(id);

    /// <summary>A copy restricted to the given judgments (e.g. one split); the catalog is kept whole and the
    /// query list is restricted to queries that appear in <paramref name="judgments"/>.</summary>
    public Dataset WithJudgments(IReadOnlyList<Judgment> judgments)
    {
        var keep = new HashSet<string>(judgments.Select(j => j.QueryId), StringComparer.Ordinal);
        return new Dataset(Products, Queries.Where(q => keep.Contains(q.Id)).ToList(), judgments,
            Engagement.Where(e => keep.Contains(e.QueryId)).ToList(), Report);
    }
}

/// <summary>Counts an importer reports; nothing is dropped without being counted here.</summary>
public sealed class LoadReport
{
    /// <summary>Data rows read per file.</summary>
    public Dictionary<string, long> RowsRead { get; } = new();
    /// <summary>Rows rejected (only with skip-bad-rows; otherwise the first bad row is an error).</summary>
    public long RowsRejected { get; set; }
    /// <summary>Judgments that repeated an earlier (query, product) pair; the last one won.</summary>
    public long DuplicateJudgments { get; set; }
    /// <summary>Products whose id repeated an earlier one; the last one won.</summary>
    public long DuplicateProducts { get; set; }
    /// <summary>Judgments naming a product that is not in the catalog (kept; retrieval cannot find them).</summary>
    public long JudgmentsWithUnknownProduct { get; set; }
    /// <summary>Path of rejected.jsonl when rows were rejected.</summary>
    public string? RejectedPath { get; set; }
}
