using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Lucene.Net.Util;
using MineRefine.Common;
using MineRefine.Data;
using LuceneDirectory = Lucene.Net.Store.Directory;
using LuceneQuery = Lucene.Net.Search.Query;

namespace MineRefine.Retrieval;

/// <summary>Lexical BM25 baseline over the catalog (Lucene.Net 4.8, paper §7 baseline).</summary>
/// <remarks>
/// score(q, d) = Σ_{t ∈ q} w_t · idf(t) · tf(t,d)·(k1 + 1) / (tf(t,d) + k1·(1 − b + b·|d|/avgdl)), with
/// idf(t) = ln(1 + (N − df + 0.5)/(df + 0.5)) and w_t the number of times t occurs in the analysed query (Lucene's
/// BM25Similarity; |d| is stored lossily in one byte). Each product is one document whose single text field holds
/// the selected <see cref="Bm25Fields"/>. Queries are built from analyzer tokens only (a BooleanQuery of SHOULD
/// TermQuery, repeated tokens as a boost) — never through QueryParser — so no user text is a syntax error; a query
/// with no tokens left (e.g. only stop words or punctuation) returns no hits and scores 0 with every product.
/// At most <see cref="BooleanQuery.MaxClauseCount"/> distinct tokens of a query are used.
/// The index lives in an <see cref="MMapDirectory"/>; a marker file records the catalog hash (ids + indexed text +
/// analyzer + fields) and the index is reused when the hash matches, rebuilt otherwise. k1 and b only matter at
/// search time, so changing them reuses the index.
/// </remarks>
public sealed class Bm25Retriever : IRetriever, IPairScorer
{
    /// <summary>Marker file name written next to the index.</summary>
    public const string MarkerFile = "minerefine-bm25.json";
    private const string IdField = "id", TextField = "text";
    private const int FormatVersion = 1;
    private static readonly LuceneVersion Version = LuceneVersion.LUCENE_48;

    private readonly Bm25Options _options;
    private readonly Analyzer _analyzer;
    private readonly LuceneDirectory _directory;
    private readonly DirectoryReader _reader;
    private readonly IndexSearcher _searcher;
    private readonly string[] _docIds;
    private readonly Dictionary<string, int> _docOf;
    private readonly string? _ownedFolder;
    private bool _disposed;

    /// <summary>Opens the index for <paramref name="products"/> under <see cref="Bm25Options.IndexFolder"/>, building
    /// it first when missing or built from another catalog.</summary>
    public Bm25Retriever(IReadOnlyList<Product> products, Bm25Options? options = null)
    {
        ArgumentNullException.ThrowIfNull(products);
        _options = options ?? new Bm25Options();
        _options.Validate();
        _analyzer = _options.Analyzer == Bm25Analyzer.English
            ? new EnglishAnalyzer(Version)
            : new StandardAnalyzer(Version);
        string folder = _options.IndexFolder
            ?? (_ownedFolder = Path.Combine(Path.GetTempPath(), "minerefine-bm25-" + Guid.NewGuid().ToString("N")));
        System.IO.Directory.CreateDirectory(folder);
        IndexFolder = Path.GetFullPath(folder);
        CatalogHash = ComputeCatalogHash(products, _options);
        _directory = new MMapDirectory(new DirectoryInfo(IndexFolder));

        ReusedIndex = CanReuse(products.Count);
        if (!ReusedIndex) BuildIndex(products);

        _reader = DirectoryReader.Open(_directory);
        _searcher = new IndexSearcher(_reader) { Similarity = new BM25Similarity(_options.K1, _options.B) };
        _docIds = new string[_reader.MaxDoc];
        _docOf = new Dictionary<string, int>(_reader.MaxDoc, StringComparer.Ordinal);
        var fields = new HashSet<string> { IdField };
        for (int d = 0; d < _reader.MaxDoc; d++)
        {
            var id = _reader.Document(d, fields).Get(IdField);
            _docIds[d] = id;
            _docOf[id] = d;
        }
    }

    /// <inheritdoc />
    public string Name => "bm25";
    /// <summary>Absolute folder of the index.</summary>
    public string IndexFolder { get; }
    /// <summary>SHA-256 of the indexed catalog text, analyzer and fields.</summary>
    public string CatalogHash { get; }
    /// <summary>True when an existing index with a matching marker was reused.</summary>
    public bool ReusedIndex { get; }
    /// <summary>Number of indexed products.</summary>
    public int Count => _docIds.Length;

    /// <summary>The text indexed for <paramref name="product"/> under <paramref name="fields"/>.</summary>
    public static string IndexedText(Product product, Bm25Fields fields)
    {
        var sb = new StringBuilder();
        if (fields.HasFlag(Bm25Fields.Title)) sb.Append(product.Title).Append('\n');
        if (fields.HasFlag(Bm25Fields.Category) && product.CategoryPath.Count > 0)
            sb.Append(string.Join(" > ", product.CategoryPath)).Append('\n');
        if (fields.HasFlag(Bm25Fields.Description) && !string.IsNullOrEmpty(product.Description))
            sb.Append(product.Description).Append('\n');
        if (fields.HasFlag(Bm25Fields.Attributes))
            foreach (var (k, v) in product.Attributes.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                sb.Append(k).Append(' ').Append(v).Append('\n');
        return sb.ToString();
    }

    /// <summary>The analyzer's tokens for <paramref name="text"/> (what a query is built from).</summary>
    public IReadOnlyList<string> Analyze(string text)
    {
        var tokens = new List<string>();
        using var ts = _analyzer.GetTokenStream(TextField, text ?? "");
        var term = ts.AddAttribute<ICharTermAttribute>();
        ts.Reset();
        while (ts.IncrementToken()) tokens.Add(term.ToString());
        ts.End();
        return tokens;
    }

    /// <summary>Top <paramref name="k"/> products for one query (empty when the query has no tokens).</summary>
    public IReadOnlyList<SearchHit> Search(string query, int k)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (k <= 0) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be ≥ 1.");
        var q = BuildQuery(query);
        if (q is null || _docIds.Length == 0) return Array.Empty<SearchHit>();
        var top = _searcher.Search(q, Math.Min(k, _docIds.Length));
        var hits = new SearchHit[top.ScoreDocs.Length];
        for (int i = 0; i < hits.Length; i++) hits[i] = new SearchHit(_docIds[top.ScoreDocs[i].Doc], top.ScoreDocs[i].Score);
        return hits;
    }

    /// <inheritdoc />
    /// <remarks>Runs on <see cref="Bm25Options.Threads"/> threads; progress reports the cumulative number of queries
    /// done.</remarks>
    public IReadOnlyList<SearchHit>[] SearchBatch(IReadOnlyList<string> queries, int k, IProgress<int>? progress = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var results = new IReadOnlyList<SearchHit>[queries.Count];
        int done = 0;
        Parallel.For(0, queries.Count, new ParallelOptions { MaxDegreeOfParallelism = _options.Threads }, i =>
        {
            results[i] = Search(queries[i], k);
            int d = Interlocked.Increment(ref done);
            if (progress is not null && (d % 32 == 0 || d == queries.Count)) progress.Report(d);
        });
        return results;
    }

    /// <inheritdoc />
    /// <remarks>The BM25 score of the product's document for the query (0 when no query token occurs in it), computed
    /// by advancing the query's scorer to the document — no ranking of the catalog. Pairs are grouped by query text and
    /// run on <see cref="Bm25Options.Threads"/> threads; progress reports the cumulative number of pairs done. Throws
    /// <see cref="ArgumentException"/> for a product id not in the catalog.</remarks>
    public float[] ScorePairs(IReadOnlyList<(string Query, string ProductId)> pairs, IProgress<int>? progress = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var scores = new float[pairs.Count];
        var groups = new Dictionary<string, List<(int Doc, int Pair)>>(StringComparer.Ordinal);
        for (int i = 0; i < pairs.Count; i++)
        {
            if (!_docOf.TryGetValue(pairs[i].ProductId, out int doc))
                throw new ArgumentException($"Product id '{pairs[i].ProductId}' (pair {i}) is not in the BM25 index.");
            if (!groups.TryGetValue(pairs[i].Query, out var list)) groups[pairs[i].Query] = list = new();
            list.Add((doc, i));
        }
        int done = 0, lastReported = 0;
        Parallel.ForEach(groups, new ParallelOptions { MaxDegreeOfParallelism = _options.Threads }, g =>
        {
            ScoreGroup(g.Key, g.Value, scores);
            int d = Interlocked.Add(ref done, g.Value.Count);
            if (progress is not null && (d - Volatile.Read(ref lastReported) >= 256 || d == pairs.Count))
            {
                Volatile.Write(ref lastReported, d);
                progress.Report(d);
            }
        });
        return scores;
    }

    private void ScoreGroup(string queryText, List<(int Doc, int Pair)> targets, float[] scores)
    {
        var query = BuildQuery(queryText);
        if (query is null) return; // no tokens: every score stays 0
        var weight = _searcher.CreateNormalizedWeight(query);
        targets.Sort((a, b) => a.Doc.CompareTo(b.Doc));
        int t = 0;
        foreach (var leaf in _reader.Leaves)
        {
            int end = leaf.DocBase + leaf.Reader.MaxDoc;
            if (t >= targets.Count) break;
            if (targets[t].Doc >= end) continue;
            var scorer = weight.GetScorer(leaf, leaf.AtomicReader.LiveDocs);
            for (; t < targets.Count && targets[t].Doc < end; t++)
            {
                if (scorer is null) continue;
                int local = targets[t].Doc - leaf.DocBase;
                int at = scorer.DocID;
                if (at < local) at = scorer.Advance(local);
                if (at == local) scores[targets[t].Pair] = scorer.GetScore();
            }
        }
    }

    private LuceneQuery? BuildQuery(string text)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var token in Analyze(text))
        {
            if (counts.TryGetValue(token, out int c)) { counts[token] = c + 1; continue; }
            if (order.Count >= BooleanQuery.MaxClauseCount) continue;
            counts[token] = 1;
            order.Add(token);
        }
        if (order.Count == 0) return null;
        var bq = new BooleanQuery(disableCoord: true);
        foreach (var token in order)
            bq.Add(new TermQuery(new Term(TextField, token)) { Boost = counts[token] }, Occur.SHOULD);
        return bq;
    }

    private bool CanReuse(int productCount)
    {
        var markerPath = Path.Combine(IndexFolder, MarkerFile);
        if (!File.Exists(markerPath) || !DirectoryReader.IndexExists(_directory)) return false;
        try
        {
            var marker = Json.ReadFile<Bm25IndexMarker>(markerPath);
            if (marker.CatalogHash != CatalogHash || marker.FormatVersion != FormatVersion) return false;
            using var reader = DirectoryReader.Open(_directory);
            return reader.NumDocs == productCount && reader.MaxDoc == productCount;
        }
        catch (Exception e) when (e is DataFormatException or IOException)
        {
            return false; // unreadable marker or index: rebuild
        }
    }

    private void BuildIndex(IReadOnlyList<Product> products)
    {
        var markerPath = Path.Combine(IndexFolder, MarkerFile);
        if (File.Exists(markerPath)) File.Delete(markerPath); // an interrupted rebuild must not look valid
        var config = new IndexWriterConfig(Version, _analyzer)
        {
            OpenMode = OpenMode.CREATE,
            Similarity = new BM25Similarity(_options.K1, _options.B),
            RAMBufferSizeMB = 64,
        };
        using (var writer = new IndexWriter(_directory, config))
        {
            var idField = new StringField(IdField, "", Field.Store.YES);
            var textField = new TextField(TextField, "", Field.Store.NO);
            var doc = new Document { idField, textField };
            foreach (var p in products)
            {
                idField.SetStringValue(p.Id);
                textField.SetStringValue(IndexedText(p, _options.Fields));
                writer.AddDocument(doc);
            }
            writer.Commit();
        }
        Json.WriteFile(markerPath, new Bm25IndexMarker(FormatVersion, CatalogHash, products.Count,
            _options.Analyzer.ToString().ToLowerInvariant(), _options.Fields.ToString(), "Lucene.Net 4.8 BM25"));
    }

    /// <summary>SHA-256 over the format version, analyzer, fields and every product's id and indexed text, in order.</summary>
    public static string ComputeCatalogHash(IReadOnlyList<Product> products, Bm25Options options)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string s)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(s));
            hash.AppendData([0]);
        }
        Add($"v{FormatVersion}|{options.Analyzer}|{(int)options.Fields}|{products.Count}");
        foreach (var p in products)
        {
            Add(p.Id);
            Add(IndexedText(p, options.Fields));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _reader.Dispose();
        _directory.Dispose();
        _analyzer.Dispose();
        if (_ownedFolder is not null)
        {
            try { System.IO.Directory.Delete(_ownedFolder, recursive: true); }
            catch (IOException) { /* best effort: a temp folder */ }
        }
    }
}

/// <summary>Contents of <see cref="Bm25Retriever.MarkerFile"/>.</summary>
public sealed record Bm25IndexMarker(
    [property: JsonPropertyName("format_version")] int FormatVersion,
    [property: JsonPropertyName("catalog_hash")] string CatalogHash,
    [property: JsonPropertyName("products")] int Products,
    [property: JsonPropertyName("analyzer")] string Analyzer,
    [property: JsonPropertyName("fields")] string Fields,
    [property: JsonPropertyName("engine")] string Engine);
