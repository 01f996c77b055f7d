namespace MineRefine.Modeling;

/// <summary>Opens the embedder named on a command line: <c>minilm</c> (the pretrained all-MiniLM-L6-v2 as is:
/// masked mean pooling, L2, no projection head) or a model folder written by <see cref="SiameseModel.Save"/>.</summary>
public static class EmbedderFactory
{
    /// <summary>Why <paramref name="model"/> cannot be opened, or null when it names "minilm" or an existing folder.</summary>
    public static string? Problem(string? model) =>
        string.Equals(model, "minilm", StringComparison.OrdinalIgnoreCase) || (model is not null && Directory.Exists(model))
            ? null
            : $"--model: '{model}' is neither 'minilm' nor an existing model folder.";

    /// <summary>Opens <paramref name="model"/> ("minilm" or a folder). Errors name the folder and what is missing.</summary>
    public static SiameseEmbedder Open(string model, EmbedderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        if (string.Equals(model, "minilm", StringComparison.OrdinalIgnoreCase))
            return SiameseEmbedder.MiniLm(options);
        if (Problem(model) is { } problem) throw new DirectoryNotFoundException(problem);
        return SiameseEmbedder.FromFolder(model, options);
    }
}
