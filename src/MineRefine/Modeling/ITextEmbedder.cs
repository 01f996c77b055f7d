using MineRefine.Retrieval;

namespace MineRefine.Modeling;

/// <summary>Which tower a text goes through.</summary>
public enum EmbeddingRole
{
    /// <summary>Search query (query projection head).</summary>
    Query,
    /// <summary>Catalog item text (item projection head).</summary>
    Item,
}

/// <summary>Turns texts into L2-normalised embeddings.</summary>
public interface ITextEmbedder : IDisposable
{
    /// <summary>Name for reports, e.g. "minilm" or a model folder's name.</summary>
    string Name { get; }
    /// <summary>Output dimension.</summary>
    int Dimension { get; }
    /// <summary>A stable hash of the weights and config (used to key embedding caches).</summary>
    string ModelHash { get; }
    /// <summary>Encodes <paramref name="texts"/> (already formatted: item texts include the taxonomy) in batches.</summary>
    EmbeddingMatrix Encode(IReadOnlyList<string> texts, EmbeddingRole role, IProgress<int>? progress = null);
}
