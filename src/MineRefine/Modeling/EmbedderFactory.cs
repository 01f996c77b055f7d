namespace MineRefine.Modeling;

/// <summary>Opens the embedder named on a command line: <c>minilm</c> (the pretrained all-MiniLM-L6-v2 as is:
/// masked mean pooling, L2, no projection head) or a model folder written by <see cref="SiameseModel.Save"/>.</summary>
public static class EmbedderFactory
{
    /// <summary>Opens <paramref name="model"/> ("minilm" or a folder). Errors name the folder and what is missing.</summary>
    public static SiameseEmbedder Open(string model, EmbedderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        if (string.Equals(model, "minilm", StringComparison.OrdinalIgnoreCase))
            return SiameseEmbedder.MiniLm(options);
        if (!Directory.Exists(model))
            throw new DirectoryNotFoundException($"--model: '{model}' is neither 'minilm' nor an existing model folder.");
        return SiameseEmbedder.FromFolder(model, options);
    }
}
