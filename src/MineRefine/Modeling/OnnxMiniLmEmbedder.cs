using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MineRefine.Retrieval;
using MineRefine.Text.Tokenization;

namespace MineRefine.Modeling;

/// <summary>
/// Reference all-MiniLM-L6-v2 embedder on ONNX Runtime (the package's embedded model): WordPiece tokens, masked mean
/// pooling of <c>last_hidden_state</c>, L2. Same tokenization and batching as <see cref="SiameseEmbedder"/>; used for
/// parity tests and benchmarks. Query and item roles are identical (no heads).
/// </summary>
public sealed class OnnxMiniLmEmbedder : ITextEmbedder
{
    private readonly InferenceSession _session;
    private readonly WordPieceTokenizer _tokenizer = WordPieceTokenizer.MiniLm();
    private readonly Lazy<string> _hash;

    /// <summary>Creates a session with <paramref name="threads"/> intra-op threads.</summary>
    public OnnxMiniLmEmbedder(int threads = 2, int maxLength = 256, EmbedderOptions? options = null)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), "threads must be >= 1.");
        if (maxLength is < 2 or > 512) throw new ArgumentOutOfRangeException(nameof(maxLength), "maxLength must be in [2, 512].");
        MaxLength = maxLength;
        Options = (options ?? new EmbedderOptions()).Validate();
        using var so = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
        byte[] model;
        using (var s = MiniLmResources.OpenModel())
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
    public string Name => "minilm-onnx";
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
                for (int t = 0; t < batch.Length; t++)
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
