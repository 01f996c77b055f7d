using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MineRefine.Modeling.Onnx;
using MineRefine.Text.Tokenization;

namespace MineRefine.Labeling.CrossEncoder;

/// <summary>
/// The cross-encoder's forward pass on ONNX Runtime: the <c>model.onnx</c> that <see cref="OnnxExporter.ExportCrossEncoder"/>
/// adds to a labeler folder (inputs <c>input_ids</c>, <c>attention_mask</c>, <c>token_type_ids</c>; output
/// <c>logits</c>), softmaxed into the grade probabilities <see cref="CrossEncoderPackage.PredictProbabilities"/> gives.
/// </summary>
public sealed class OnnxPairClassifier : IDisposable
{
    private readonly InferenceSession _session;
    private readonly int _padId;

    /// <summary>Opens <paramref name="modelPath"/> with <paramref name="threads"/> intra-op threads (default: one per
    /// core); <paramref name="padId"/> is the tokenizer's padding id.</summary>
    public OnnxPairClassifier(string modelPath, int padId, int? threads = null)
    {
        if (threads is < 1) throw new ArgumentOutOfRangeException(nameof(threads), "threads must be >= 1.");
        using var so = new SessionOptions { IntraOpNumThreads = threads ?? Environment.ProcessorCount, InterOpNumThreads = 1 };
        try
        {
            _session = new InferenceSession(modelPath, so);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"{modelPath}: ONNX Runtime cannot load the graph ({e.Message}).", e);
        }
        if (!_session.OutputMetadata.ContainsKey(OnnxExporter.LogitsOutput))
        {
            _session.Dispose();
            throw new InvalidDataException($"{modelPath}: the graph has no output '{OnnxExporter.LogitsOutput}'; is this a labeler export?");
        }
        _padId = padId;
    }

    /// <summary>Class probabilities [n][3] of already tokenized rows, in one run.</summary>
    public float[][] PredictProbabilities(IReadOnlyList<TokenizedText> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0) return [];
        var batch = TokenBatch.Pad(rows, _padId);
        int[] shape = [batch.Count, batch.Length];
        var inputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor(OnnxExporter.InputIds, new DenseTensor<long>(batch.InputIds, shape)),
            NamedOnnxValue.CreateFromTensor(OnnxExporter.AttentionMask, new DenseTensor<long>(batch.AttentionMask, shape)),
            NamedOnnxValue.CreateFromTensor(OnnxExporter.TokenTypeIds, new DenseTensor<long>(batch.TokenTypeIds, shape)),
        };
        using var results = _session.Run(inputs, [OnnxExporter.LogitsOutput]);
        var logits = results[0].AsTensor<float>().ToArray(); // [B, 3]
        var probs = new float[rows.Count][];
        for (int i = 0; i < rows.Count; i++)
        {
            var row = new float[3];
            System.Numerics.Tensors.TensorPrimitives.SoftMax(logits.AsSpan(i * 3, 3), row);
            probs[i] = row;
        }
        return probs;
    }

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();
}
