using MineRefine.Retrieval;
using MineRefine.Text.Tokenization;
using static TorchSharp.torch;

namespace MineRefine.Modeling;

/// <summary>Batching options shared by the embedders.</summary>
public sealed record EmbedderOptions
{
    /// <summary>Texts per forward pass.</summary>
    public int BatchSize { get; init; } = 64;
    /// <summary>Sort texts by token length before batching so each batch pads little (results are returned in input
    /// order either way).</summary>
    public bool LengthBucketing { get; init; } = true;

    /// <summary>Validates the options.</summary>
    public EmbedderOptions Validate()
    {
        if (BatchSize < 1) throw new ArgumentException($"Invalid EmbedderOptions: BatchSize must be >= 1 (got {BatchSize}).");
        return this;
    }
}

/// <summary>Tokenize-and-batch plan shared by the TorchSharp and ONNX Runtime embedders.</summary>
internal static class BatchPlanner
{
    /// <summary>Tokenizes and yields batches (original indices + padded tokens), sorted by length when requested.</summary>
    public static IEnumerable<(int[] Indices, TokenBatch Batch)> Plan(IReadOnlyList<string> texts, ITokenizer tok, int maxLength, EmbedderOptions options)
    {
        var encoded = new TokenizedText[texts.Count];
        for (int i = 0; i < texts.Count; i++) encoded[i] = tok.Encode(texts[i] ?? "", maxLength);
        var order = Enumerable.Range(0, texts.Count).ToArray();
        if (options.LengthBucketing) order = order.OrderBy(i => encoded[i].Length).ThenBy(i => i).ToArray();
        for (int start = 0; start < order.Length; start += options.BatchSize)
        {
            var idx = order.AsSpan(start, Math.Min(options.BatchSize, order.Length - start)).ToArray();
            yield return (idx, TokenBatch.Pad(idx.Select(i => encoded[i]).ToList(), tok.PadId));
        }
    }
}

/// <summary>
/// <see cref="ITextEmbedder"/> over a <see cref="SiameseModel"/>: tokenizes with the model's tokenizer and max
/// lengths, batches with length bucketing, runs in eval mode under <c>no_grad</c> and a dispose scope per batch.
/// Empty/white-space texts are encoded as [CLS][SEP] (counted by <see cref="ITokenizer.EmptyCount"/>).
/// </summary>
public sealed class SiameseEmbedder : ITwoTowerEmbedder
{
    private readonly bool _ownsModel;
    private readonly Lazy<string> _hash;

    /// <summary>Wraps <paramref name="model"/>; disposes it on <see cref="Dispose"/> when <paramref name="ownsModel"/>.</summary>
    public SiameseEmbedder(SiameseModel model, string name, EmbedderOptions? options = null, bool ownsModel = true)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        Name = name;
        Options = (options ?? new EmbedderOptions()).Validate();
        _ownsModel = ownsModel;
        _hash = new Lazy<string>(model.ComputeHash);
    }

    /// <summary>Zero-shot all-MiniLM-L6-v2 ("minilm" mode: mean pooling, identity projection, L2; 384-d).</summary>
    public static SiameseEmbedder MiniLm(EmbedderOptions? options = null) => Pretrained(PretrainedModels.MiniLm, options);

    /// <summary>Zero-shot <paramref name="pretrained"/> (its own pooling and query prefix, identity projection, L2).</summary>
    public static SiameseEmbedder Pretrained(PretrainedModel pretrained, EmbedderOptions? options = null) =>
        new(SiameseModel.CreatePretrained(pretrained), pretrained.Name, options);

    /// <summary>Loads a model folder; <see cref="Name"/> is the folder's name.</summary>
    public static SiameseEmbedder FromFolder(string folder, EmbedderOptions? options = null) =>
        new(SiameseModel.Load(folder), new DirectoryInfo(folder).Name, options);

    /// <summary>The wrapped model.</summary>
    public SiameseModel Model { get; }
    /// <summary>Batching options.</summary>
    public EmbedderOptions Options { get; }
    /// <inheritdoc />
    public string Name { get; }
    /// <inheritdoc />
    public SiameseConfig Config => Model.Config;
    /// <inheritdoc />
    public ItemTextFormatter ItemFormatter => Model.ItemFormatter;
    /// <inheritdoc />
    public int Dimension => Model.Encoder.Dimension;
    /// <inheritdoc />
    public string ModelHash => _hash.Value;

    /// <inheritdoc />
    public EmbeddingMatrix Encode(IReadOnlyList<string> texts, EmbeddingRole role, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        int dim = Dimension;
        var data = new float[(long)texts.Count * dim];
        if (texts.Count == 0) return new EmbeddingMatrix(0, dim, data);
        int maxLen = role == EmbeddingRole.Query ? Model.Config.MaxQueryLength : Model.Config.MaxItemLength;
        if (role == EmbeddingRole.Query && Model.Config.QueryPrefix is { Length: > 0 })
            texts = texts.Select(Model.FormatQuery).ToList();
        bool wasTraining = Model.Encoder.training;
        Model.Encoder.eval();
        try
        {
            int done = 0;
            using var noGrad = no_grad();
            foreach (var (idx, batch) in BatchPlanner.Plan(texts, Model.Tokenizer, maxLen, Options))
            {
                using var scope = NewDisposeScope();
                var (ids, mask, _) = batch.ToTensors();
                var emb = Model.Encoder.Encode(ids, mask, role).contiguous();
                var values = emb.data<float>().ToArray();
                for (int r = 0; r < idx.Length; r++)
                    Array.Copy(values, r * dim, data, (long)idx[r] * dim, dim);
                done += idx.Length;
                progress?.Report(done);
            }
        }
        finally
        {
            if (wasTraining) Model.Encoder.train();
        }
        return new EmbeddingMatrix(texts.Count, dim, data);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsModel) Model.Dispose();
    }
}
