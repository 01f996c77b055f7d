using MineRefine.Retrieval;

namespace MineRefine.Cli.Retrievers;

/// <summary>Everything a retriever factory may need; each retriever uses its own part. New retrievers (dense, hybrid)
/// add their knobs here. A record, so a copy with one field changed (<c>spec with { CacheDir = … }</c>) keeps the
/// others.</summary>
public sealed record RetrieverSpec
{
    /// <summary>Retriever name: bm25 (dense and hybrid plug in through <see cref="RetrieverFactory.Register"/>).</summary>
    public string Name { get; init; } = "bm25";
    /// <summary>BM25 options (k1, b, analyzer, fields, index folder).</summary>
    public Bm25Options Bm25 { get; init; } = new();
    /// <summary>Dense model: "minilm" / "arctic-xs" (zero-shot pretrained) or a model folder written by <c>train</c>.</summary>
    public string? Model { get; init; }
    /// <summary>TREC run file replayed by the <c>run</c> retriever (<see cref="RunFileRetriever"/>).</summary>
    public string? RunFile { get; init; }
    /// <summary>Folder for caches of this run (indexes, embeddings) when no specific folder is given.</summary>
    public string? CacheDir { get; init; }
}
