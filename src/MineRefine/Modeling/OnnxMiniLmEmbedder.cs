using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MineRefine.Retrieval;
using MineRefine.Text.Tokenization;

namespace MineRefine.Modeling;

/// <summary>
/// Reference embedder on ONNX Runtime for a MiniLM-shaped <see cref="PretrainedModel"/> (default all-MiniLM-L6-v2; the
/// package's embedded model): WordPiece tokens, the model's pooling of <c>last_hidden_state</c> (masked mean or
/// [CLS]), L2; queries get the model's query prefix. Same tokenization and batching as <see cref="SiameseEmbedder"/>;
/// used for parity tests and benchmarks. No projection heads.
/// </summary>
public sealed class OnnxMiniLmEmbedder : ITextEmbedder
{
    private readonly InferenceSession _session;
    private readonly WordPieceTokenizer _tokenizer;
    private readonly Lazy<string> _hash;
    private readonly PretrainedModel _pretrained;

    /// <summary>Creates a session with <paramref name="threads"/> intra-op threads for <paramref name="pretrained"/>
    /// (default <see cref="PretrainedModels.MiniLm"/>).</summary>
    public OnnxMiniLmEmbedder(int threads = 2, int maxLength = 256, EmbedderOptions? options = null, PretrainedModel? pretrained = null)
    {
        _pretrained = pretrained ?? PretrainedModels.MiniLm;
        _tokenizer = WordPieceTokenizer.FromPretrained(_pretrained);
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), "threads must be >= 1.");
        if (maxLength is < 2 or > 512) throw new ArgumentOutOfRangeException(nameof(maxLength), "maxLength must be in [2, 512].");
        MaxLength = maxLength;
        Options = (options ?? new EmbedderOptions()).Validate();
        using var so = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
        byte[] model;
        using (var s = _pretrained.OpenModel())
        using (var ms = new MemoryStream())
        {
            s.CopyTo(ms);
            model = ms.ToArray();
        }
        _hash = new Lazy<string>(() => Convert.ToHexStringLower(SHA256.HashData(model)));
        _session = new InferenceSession(model, so);
    }

    /// <summary>Maximum tokens per text including [CLS]/[SEP].</summary>
    public int MaxLength { get; }
    /// <summary>Batching options.</summary>
    public EmbedderOptions Options { get; }
    /// <inheritdoc />
    public string Name => _pretrained.Name + "-onnx";
    /// <inheritdoc />
    public int Dimension => 384;
    /// <inheritdoc />
    public string ModelHash => _hash.Value;
    /// <summary>The tokenizer (for its counters).</summary>
    public ITokenizer Tokenizer => _tokenizer;

    /// <inheritdoc />
    public EmbeddingMatrix Encode(IReadOnlyList<string> texts, EmbeddingRole role, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        const int dim = 384;
        var data = new float[(long)texts.Count * dim];
        int done = 0;
        if (texts.Count == 0) return new EmbeddingMatrix(0, dim, data);
        if (role == EmbeddingRole.Query && _pretrained.QueryPrefix is { Length: > 0 } prefix)
            texts = texts.Select(t => prefix + t).ToList();
        bool cls = _pretrained.Pooling == PoolingMode.Cls;
        foreach (var (idx, batch) in BatchPlanner.Plan(texts, _tokenizer, MaxLength, Options))
        {
            int[] shape = [batch.Count, batch.Length];
            var inputs = new List<NamedOnnxValue>
            {
                NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(batch.InputIds, shape)),
                NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(batch.AttentionMask, shape)),
                NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(batch.TokenTypeIds, shape)),
            };
            using var results = _session.Run(inputs, ["last_hidden_state"]);
            var hidden = results[0].AsTensor<float>().ToArray(); // [B, S, 384]
            var sum = new float[dim];
            for (int r = 0; r < idx.Length; r++)
            {
                Array.Clear(sum);
                int count = 0;
                for (int t = 0; t < (cls ? 1 : batch.Length); t++)
                {
                    if (batch.AttentionMask[r * batch.Length + t] == 0) continue;
                    count++;
                    System.Numerics.Tensors.TensorPrimitives.Add(sum, hidden.AsSpan((r * batch.Length + t) * dim, dim), sum);
                }
                var row = data.AsSpan(idx[r] * dim, dim);
                System.Numerics.Tensors.TensorPrimitives.Divide(sum, Math.Max(count, 1), row);
                float norm = System.Numerics.Tensors.TensorPrimitives.Norm(row);
                System.Numerics.Tensors.TensorPrimitives.Divide(row, Math.Max(norm, 1e-12f), row);
            }
            done += idx.Length;
            progress?.Report(done);
        }
        return new EmbeddingMatrix(texts.Count, dim, data);
    }

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();
}
