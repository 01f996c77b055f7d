namespace MineRefine.Modeling;

/// <summary>Opens the embedder named on a command line: a pretrained model used as is (<c>minilm</c>:
/// all-MiniLM-L6-v2, masked mean pooling; <c>arctic-xs</c>: snowflake-arctic-embed-xs, [CLS] pooling and its query
/// prefix; both L2, no projection head — see <see cref="PretrainedModels"/>) or a model folder written by
/// <see cref="SiameseModel.Save"/> (TorchSharp) or an ONNX model folder written by
/// <see cref="Onnx.OnnxExporter"/> (ONNX Runtime, <see cref="OnnxSiameseEmbedder"/>).</summary>
public static class EmbedderFactory
{
    /// <summary>Why <paramref name="model"/> cannot be opened, or null when it names a pretrained model or an
    /// existing folder.</summary>
    public static string? Problem(string? model) =>
        PretrainedModels.Find(model) is not null || (model is not null && Directory.Exists(model))
            ? null
            : $"--model: '{model}' is neither a pretrained model ({PretrainedModels.Names}) nor an existing model folder.";

    /// <summary>Opens <paramref name="model"/> (a pretrained name or a folder). Errors name the folder and what is
    /// missing.</summary>
    public static ITwoTowerEmbedder Open(string model, EmbedderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        if (PretrainedModels.Find(model) is { } pretrained)
            return SiameseEmbedder.Pretrained(pretrained, options);
        if (Problem(model) is { } problem) throw new DirectoryNotFoundException(problem);
        return Onnx.OnnxExporter.IsOnnxFolder(model)
            ? OnnxSiameseEmbedder.FromFolder(model, options)
            : SiameseEmbedder.FromFolder(model, options);
    }
}
