using MineRefine.Data;
using MineRefine.Modeling;
using MineRefine.Retrieval;
using MineRefine.Retrieval.Dense;

namespace MineRefine.Cli.Retrievers;

/// <summary>Builds the <c>dense</c> retriever: <c>--model minilm</c> (zero-shot, default) or a model folder; exact
/// search over the whole catalog with item embeddings cached under <c>&lt;cache&gt;/embeddings</c>.</summary>
public static class DenseRetrieverBuilder
{
    /// <summary>The factory function registered as "dense".</summary>
    public static IRetriever Build(RetrieverSpec spec, Dataset data)
    {
        string model = spec.Model ?? "minilm";
        ITwoTowerEmbedder embedder;
        try { embedder = EmbedderFactory.Open(model); }
        catch (DirectoryNotFoundException e) { throw new ArgumentException(e.Message + " (a train run writes <out>/model)", e); }
        try
        {
            var formatter = embedder.ItemFormatter;
            var inner = new DenseRetriever(embedder, data.Products.Select(p => p.Id).ToList(), formatter.Format(data.Products),
                new DenseRetrieverOptions { CacheFolder = spec.CacheDir is null ? null : Path.Combine(spec.CacheDir, "embeddings") });
            return new OwningRetriever(inner, embedder);
        }
        catch
        {
            embedder.Dispose();
            throw;
        }
    }
}
