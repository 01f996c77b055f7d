using MineRefine.Data;
using MineRefine.Retrieval;

namespace MineRefine.Cli.Retrievers;

/// <summary>Builds a retriever by name. <c>bm25</c> is built in; the dense and hybrid retrievers register themselves
/// with <see cref="Register"/> (e.g. from the CLI's startup) without changing the commands.</summary>
public static class RetrieverFactory
{
    private static readonly Dictionary<string, Func<RetrieverSpec, Dataset, IRetriever>> Builders =
        new(StringComparer.OrdinalIgnoreCase)
        {
            ["bm25"] = (spec, data) => new Bm25Retriever(data.Products, WithIndexFolder(spec)),
            ["dense"] = DenseRetrieverBuilder.Build,
            ["hybrid"] = HybridRetrieverBuilder.Build,
            ["run"] = (spec, _) => RunFileRetriever.Load(spec.RunFile ?? throw new ArgumentException(RunFileMissing)),
        };

    /// <summary>The error when <c>--retriever run</c> comes without its file.</summary>
    internal const string RunFileMissing = "--retriever run needs --run FILE (a TREC run: qid Q0 docid rank score run_name).";

    /// <summary>Names that <see cref="Create"/> accepts.</summary>
    public static IReadOnlyList<string> Available
    {
        get { lock (Builders) return Builders.Keys.Order(StringComparer.Ordinal).ToList(); }
    }

    /// <summary>Adds or replaces the builder for <paramref name="name"/>.</summary>
    public static void Register(string name, Func<RetrieverSpec, Dataset, IRetriever> builder)
    {
        lock (Builders) Builders[name] = builder;
    }

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="name"/> is not a known retriever.</summary>
    public static void Check(string name)
    {
        lock (Builders)
            if (!Builders.ContainsKey(name))
                throw new ArgumentException(
                    $"Unknown --retriever '{name}'. Available: {string.Join(", ", Available)}" +
                    (name is "dense" or "hybrid" ? $" ('{name}' is not wired into this build yet)." : "."));
    }

    /// <summary>Builds the retriever named by <paramref name="spec"/> over <paramref name="dataset"/>'s catalog.</summary>
    public static IRetriever Create(RetrieverSpec spec, Dataset dataset)
    {
        Check(spec.Name);
        Func<RetrieverSpec, Dataset, IRetriever> build;
        lock (Builders) build = Builders[spec.Name];
        return build(spec, dataset);
    }

    private static Bm25Options WithIndexFolder(RetrieverSpec spec)
    {
        var o = spec.Bm25;
        if (o.IndexFolder is null && spec.CacheDir is not null)
            return new Bm25Options
            {
                K1 = o.K1, B = o.B, Analyzer = o.Analyzer, Fields = o.Fields, Threads = o.Threads,
                IndexFolder = Path.Combine(spec.CacheDir, "bm25-index"),
            };
        return o;
    }
}
