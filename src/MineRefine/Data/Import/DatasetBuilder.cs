namespace MineRefine.Data.Import;

/// <summary>Accumulates importer output, resolving duplicates (last wins, counted) and counting judgments whose
/// product is not in the catalog.</summary>
internal sealed class DatasetBuilder
{
    private readonly List<Product> _products = new();
    private readonly Dictionary<string, int> _productIndex = new(StringComparer.Ordinal);
    private readonly List<Query> _queries = new();
    private readonly Dictionary<string, int> _queryIndex = new(StringComparer.Ordinal);
    private readonly List<Judgment> _judgments = new();
    private readonly Dictionary<(string, string), int> _judgmentIndex = new();
    private readonly List<EngagementEvent> _engagement = new();
    private readonly Dictionary<(string, string), int> _engagementIndex = new();

    public LoadReport Report { get; } = new();

    public void CountRow(string file)
    {
        Report.RowsRead.TryGetValue(file, out long n);
        Report.RowsRead[file] = n + 1;
    }

    public bool HasProduct(string id) => _productIndex.ContainsKey(id);
    public bool HasQuery(string id) => _queryIndex.ContainsKey(id);

    /// <summary>Adds a product; a repeated id replaces the earlier one in place (counted).</summary>
    public void AddProduct(Product p)
    {
        if (_productIndex.TryGetValue(p.Id, out int i))
        {
            _products[i] = p;
            Report.DuplicateProducts++;
        }
        else
        {
            _productIndex[p.Id] = _products.Count;
            _products.Add(p);
        }
    }

    /// <summary>Adds a query unless its id is known (first spelling wins).</summary>
    public void AddQueryIfAbsent(Query q)
    {
        if (_queryIndex.ContainsKey(q.Id)) return;
        _queryIndex[q.Id] = _queries.Count;
        _queries.Add(q);
    }

    /// <summary>Adds or replaces a query (a repeated id replaces the earlier one).</summary>
    public void SetQuery(Query q)
    {
        if (_queryIndex.TryGetValue(q.Id, out int i)) _queries[i] = q;
        else { _queryIndex[q.Id] = _queries.Count; _queries.Add(q); }
    }

    /// <summary>Adds a judgment; a repeated (query, product) pair replaces the earlier one in place (counted).</summary>
    public void AddJudgment(Judgment j)
    {
        var key = (j.QueryId, j.ProductId);
        if (_judgmentIndex.TryGetValue(key, out int i))
        {
            _judgments[i] = j;
            Report.DuplicateJudgments++;
        }
        else
        {
            _judgmentIndex[key] = _judgments.Count;
            _judgments.Add(j);
        }
    }

    /// <summary>Adds engagement; repeated (query, product) rows are summed (they are counts).</summary>
    public void AddEngagement(EngagementEvent e)
    {
        var key = (e.QueryId, e.ProductId);
        if (_engagementIndex.TryGetValue(key, out int i))
        {
            var o = _engagement[i];
            _engagement[i] = o with
            {
                Impressions = o.Impressions + e.Impressions, Clicks = o.Clicks + e.Clicks,
                AddToCarts = o.AddToCarts + e.AddToCarts, Orders = o.Orders + e.Orders,
            };
        }
        else
        {
            _engagementIndex[key] = _engagement.Count;
            _engagement.Add(e);
        }
    }

    /// <summary>Builds the data set; queries are restricted to those with a judgment or engagement row.</summary>
    public Dataset Build()
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var j in _judgments)
        {
            used.Add(j.QueryId);
            if (!_productIndex.ContainsKey(j.ProductId)) Report.JudgmentsWithUnknownProduct++;
        }
        foreach (var e in _engagement) used.Add(e.QueryId);
        var queries = _queries.Count == used.Count ? _queries : _queries.Where(q => used.Contains(q.Id)).ToList();
        return new Dataset(_products, queries, _judgments, _engagement, Report);
    }
}
