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

/// <summary>An embedder for a two-tower model (the TorchSharp <see cref="SiameseEmbedder"/> or the ONNX Runtime
/// <see cref="OnnxSiameseEmbedder"/>): its config says how items are formatted and how long texts may be.</summary>
public interface ITwoTowerEmbedder : ITextEmbedder
{
    /// <summary>The model's configuration (item template, query prefix, maximum lengths, tokenizer).</summary>
    SiameseConfig Config { get; }
    /// <summary>Formats catalog items into the text the item tower reads.</summary>
    ItemTextFormatter ItemFormatter { get; }
}
