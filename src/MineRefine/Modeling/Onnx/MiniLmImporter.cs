using System.Text.RegularExpressions;
using MineRefine.Text.Tokenization;

namespace MineRefine.Modeling.Onnx;

/// <summary>
/// Converts the initializers of a BERT ONNX export into <see cref="BertModel"/> weights. Named initializers
/// (<c>embeddings.*</c>, biases, LayerNorms) map directly. Anonymous MatMul weights (<c>onnx::MatMul_N</c> or bare
/// numbers) are assigned by walking the graph: the MatMul's output feeds an Add whose other input is a named
/// <c>X.bias</c>, so the weight is <c>X.weight</c>; failing that, a node named like
/// <c>/encoder/layer.0/attention/self/query/MatMul</c> gives the name. ONNX MatMul weights are [in, out] and are
/// transposed to nn.Linear's [out, in].
/// </summary>
public static partial class MiniLmImporter
{
    /// <summary>Returns weights named like <see cref="BertModel"/>'s parameters (pooler and position_ids dropped).</summary>
    public static Dictionary<string, SafeTensor> ExtractBertWeights(OnnxGraph graph)
    {
        var result = new Dictionary<string, SafeTensor>(StringComparer.Ordinal);
        var consumers = new Dictionary<string, List<OnnxNode>>();
        foreach (var n in graph.Nodes)
        {
            foreach (var i in n.Inputs)
            {
                if (!consumers.TryGetValue(i, out var list)) consumers[i] = list = new List<OnnxNode>();
                list.Add(n);
            }
        }
        foreach (var (name, t) in graph.Initializers)
        {
            if (t.Floats is null) continue;
            if (name.StartsWith("embeddings.", StringComparison.Ordinal) || name.StartsWith("encoder.", StringComparison.Ordinal))
                result[name] = new SafeTensor(name, "F32", t.Dims, t.Floats, null);
        }
        foreach (var node in graph.Nodes.Where(n => n.OpType == "MatMul" && n.Inputs.Count == 2))
        {
            if (!graph.Initializers.TryGetValue(node.Inputs[1], out var w) || w.Floats is null || w.Dims.Length != 2) continue;
            string? target = NameFromBiasAdd(node, consumers, graph) ?? NameFromNodeName(node.Name);
            if (target is null)
                throw new InvalidDataException($"ONNX MatMul node '{node.Name}' uses weight '{w.Name}' but no layer name could be derived.");
            if (target.StartsWith("pooler.", StringComparison.Ordinal)) continue;
            long rows = w.Dims[0], cols = w.Dims[1];
            var transposed = new float[w.Floats.Length];
            for (long r = 0; r < rows; r++)
                for (long c = 0; c < cols; c++)
                    transposed[c * rows + r] = w.Floats[r * cols + c];
            result[target] = new SafeTensor(target, "F32", [cols, rows], transposed, null);
        }
        return result;
    }

    private static string? NameFromBiasAdd(OnnxNode matmul, Dictionary<string, List<OnnxNode>> consumers, OnnxGraph graph)
    {
        if (matmul.Outputs.Count == 0 || !consumers.TryGetValue(matmul.Outputs[0], out var next)) return null;
        foreach (var add in next.Where(n => n.OpType == "Add"))
        {
            foreach (var i in add.Inputs)
            {
                if (i.EndsWith(".bias", StringComparison.Ordinal) && graph.Initializers.ContainsKey(i))
                    return i[..^5] + ".weight";
            }
        }
        return null;
    }

    private static string? NameFromNodeName(string nodeName)
    {
        var m = NodeNameRegex().Match(nodeName);
        return m.Success ? m.Groups[1].Value.Replace('/', '.') + ".weight" : null;
    }

    [GeneratedRegex(@"^/((?:embeddings|encoder|pooler)/.+)/MatMul(?:_\d+)?$")]
    private static partial Regex NodeNameRegex();

    /// <summary>Configuration of the embedded all-MiniLM-L6-v2, checked against the weight shapes.</summary>
    public static TransformerConfig ConfigFrom(IReadOnlyDictionary<string, SafeTensor> weights)
    {
        var word = weights["embeddings.word_embeddings.weight"].Shape;
        var pos = weights["embeddings.position_embeddings.weight"].Shape;
        var types = weights["embeddings.token_type_embeddings.weight"].Shape;
        int layers = weights.Keys.Count(k => k.EndsWith(".attention.self.query.weight", StringComparison.Ordinal));
        var ffn = weights["encoder.layer.0.intermediate.dense.weight"].Shape;
        int hidden = (int)word[1];
        return new TransformerConfig
        {
            VocabSize = (int)word[0], HiddenSize = hidden, NumLayers = layers,
            NumHeads = hidden == 384 ? 12 : Math.Max(1, hidden / 64), // MiniLM: 12 heads of 32; BERT: heads of 64
            IntermediateSize = (int)ffn[0], MaxPositions = (int)pos[0], TypeVocabSize = (int)types[0],
        }.Validate();
    }

    /// <summary>Builds a <see cref="BertModel"/> holding the all-MiniLM-L6-v2 weights from the embedded ONNX file
    /// (set to eval mode).</summary>
    public static BertModel LoadMiniLm(bool fusedAttention = false) => LoadPretrained(PretrainedModels.MiniLm, fusedAttention);

    /// <summary>Builds a <see cref="BertModel"/> holding <paramref name="pretrained"/>'s weights from its embedded
    /// ONNX file (set to eval mode).</summary>
    public static BertModel LoadPretrained(PretrainedModel pretrained, bool fusedAttention = false)
    {
        ArgumentNullException.ThrowIfNull(pretrained);
        OnnxGraph graph;
        using (var s = pretrained.OpenModel()) graph = OnnxModelReader.Read(s);
        var weights = ExtractBertWeights(graph);
        var config = ConfigFrom(weights) with { FusedAttention = fusedAttention };
        var model = new BertModel(config);
        WeightLoading.Load(model, weights, $"{pretrained.Package}:{pretrained.ModelResource}");
        model.eval();
        return model;
    }
}
