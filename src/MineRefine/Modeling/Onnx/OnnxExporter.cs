using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace MineRefine.Modeling.Onnx;

/// <summary>
/// Exports a <see cref="SiameseModel"/> to a self-contained ONNX graph (opset 17) for ONNX Runtime, Vespa, OpenSearch
/// or any other ONNX consumer, written as an <em>ONNX model folder</em>:
/// <list type="bullet">
/// <item><c>model.onnx</c> — inputs <c>input_ids</c> and <c>attention_mask</c> (int64 [batch, sequence], token types
/// are all 0), outputs <c>query_embedding</c> and <c>item_embedding</c> (float [batch, D], L2-normalised). The graph is
/// the whole tower: embeddings (word + position + token type 0, LayerNorm), every post-LN layer (softmax(QKᵀ/√d +
/// mask)·V, exact erf GELU), the pooling (masked mean or [CLS]), the query and item projection heads and
/// x / max(‖x‖₂, 1e-12); the same function as <see cref="SiameseEncoder"/> in eval mode. Its metadata holds the
/// model's config.json (query prefix, maximum lengths, item template, tokenizer).</item>
/// <item><c>config.json</c> and the tokenizer file, as in the model folder (queries must get the config's
/// <c>queryPrefix</c>; items are formatted with its <c>itemTemplate</c>).</item>
/// <item><c>model.json</c> — manifest: format <see cref="Format"/>, the source model's hash and the SHA-256 of each
/// file (checked on load).</item>
/// </list>
/// The folder is inference only: <see cref="OnnxSiameseEmbedder"/> reads it (every command's <c>--model</c> accepts
/// it), training needs the model folder it came from.
/// </summary>
public static class OnnxExporter
{
    /// <summary>Graph file name.</summary>
    public const string ModelFile = "model.onnx";
    /// <summary>Manifest format tag of an ONNX model folder.</summary>
    public const string Format = "minerefine-onnx";
    /// <summary>ONNX operator set (LayerNormalization needs ≥ 17).</summary>
    public const int Opset = 17;
    /// <summary>ONNX IR version written (IR 8 goes with opset 17).</summary>
    public const int IrVersion = 8;
    /// <summary>Graph input and output names.</summary>
    public const string InputIds = "input_ids", AttentionMask = "attention_mask", QueryOutput = "query_embedding", ItemOutput = "item_embedding";

    /// <summary>True when <paramref name="folder"/> is an ONNX model folder (its model.json says <see cref="Format"/>).</summary>
    public static bool IsOnnxFolder(string folder) =>
        ModelFolder.PeekManifestField(folder, SiameseModel.ManifestFile, "format") == Format;

    /// <summary>Writes the ONNX model folder for <paramref name="model"/> to <paramref name="folder"/> atomically (a
    /// temporary sibling renamed at the end; an existing folder is replaced). <paramref name="sourceHash"/> (the model's
    /// <see cref="SiameseModel.ComputeHash"/>) is recorded in the manifest. <paramref name="companionFiles"/> are copied
    /// in unchanged, outside the manifest like in a model folder — e.g. the calibrated <c>thresholds.json</c> and
    /// <c>fusion.json</c> the service reads (the graph reproduces the model's scores to ~1e-7, so they stay valid).</summary>
    public static void Export(SiameseModel model, string folder, string? sourceHash = null, IEnumerable<string>? companionFiles = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        string full = Path.GetFullPath(folder);
        string parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        string tmp = Path.Combine(parent, "." + Path.GetFileName(full) + "-tmp");
        if (Directory.Exists(tmp)) Directory.Delete(tmp, true);
        Directory.CreateDirectory(tmp);
        string configJson = JsonSerializer.Serialize(model.Config, SiameseConfig.Json);
        File.WriteAllBytes(Path.Combine(tmp, ModelFile), BuildModel(model, configJson));
        File.WriteAllText(Path.Combine(tmp, SiameseModel.ConfigFile), configJson);
        var files = new List<string> { ModelFile, SiameseModel.ConfigFile };
        files.AddRange(model.Tokenizer.Save(tmp));
        var manifest = new JsonObject
        {
            ["format"] = Format,
            ["formatVersion"] = 1,
            ["opset"] = Opset,
            ["inputs"] = new JsonArray(InputIds, AttentionMask),
            ["outputs"] = new JsonArray(QueryOutput, ItemOutput),
            ["sourceModelHash"] = sourceHash ?? model.ComputeHash(),
            ["minerefineVersion"] = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "",
            ["files"] = ModelFolder.FileHashes(tmp, files),
        };
        File.WriteAllText(Path.Combine(tmp, SiameseModel.ManifestFile), manifest.ToJsonString(SiameseConfig.Json));
        foreach (var f in companionFiles ?? [])
        {
            string name = Path.GetFileName(f);
            if (files.Contains(name) || name == SiameseModel.ManifestFile)
                throw new ArgumentException($"Companion file '{f}' would overwrite the export's own '{name}'.");
            File.Copy(f, Path.Combine(tmp, name));
        }
        if (Directory.Exists(full)) Directory.Delete(full, true);
        Directory.Move(tmp, full);
    }

    /// <summary>The serialised ModelProto for <paramref name="model"/> (see the class summary for the graph).</summary>
    public static byte[] BuildModel(SiameseModel model, string? configJson = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var g = new OnnxGraphBuilder();
        var w = new GraphWeights(g, model.Encoder.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter));
        g.Input(InputIds, OnnxGraphBuilder.Int64, "batch", "sequence");
        g.Input(AttentionMask, OnnxGraphBuilder.Int64, "batch", "sequence");
        var (hidden, maskF) = Transformer(g, w, model.Config.Transformer, tokenTypes: null);
        var mode = model.Config.Head.Pooling;
        string? shared = mode == PoolingMode.Attention ? null : Pool(g, w, hidden, maskF, mode, null);

        string Tower(string head, string output)
        {
            string pooled = shared ?? Pool(g, w, hidden, maskF, mode, head == "item_head" && w.Has("item_pool.weight") ? "item_pool" : "query_pool");
            var y = w.Has(head + ".linear.weight") ? w.Linear(pooled, head + ".linear") : pooled;
            var norm = g.Node("Sqrt", [g.Node("ReduceSum", [g.Node("Mul", [y, y]), g.Ints(-1)], null, ("keepdims", 1L))]);
            return g.Node("Div", [y, g.Node("Max", [norm, g.Scalar(1e-12f)])], output);
        }
        int dim = model.Encoder.Dimension;
        Tower("query_head", QueryOutput);
        if (model.Config.Head.Shared) g.Node("Identity", [QueryOutput], ItemOutput);
        else Tower("item_head", ItemOutput);
        g.Output(QueryOutput, OnnxGraphBuilder.Float, "batch", (long)dim);
        g.Output(ItemOutput, OnnxGraphBuilder.Float, "batch", (long)dim);

        var metadata = new Dictionary<string, string>
        {
            ["minerefine.config"] = configJson ?? JsonSerializer.Serialize(model.Config, SiameseConfig.Json),
            ["query_prefix"] = model.Config.QueryPrefix ?? "",
            ["pooling"] = model.Config.Head.Pooling.ToString().ToLowerInvariant(),
            ["max_query_length"] = model.Config.MaxQueryLength.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["max_item_length"] = model.Config.MaxItemLength.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["tokenizer"] = model.Config.Tokenizer.Kind,
        };
        return g.Build("minerefine_two_tower", IrVersion, Opset, "MineRefine",
            typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "", metadata,
            "MineRefine two-tower encoder: query_embedding and item_embedding (L2-normalised) from input_ids and attention_mask.");
    }

    /// <summary>Inputs and output of an exported cross-encoder labeler graph.</summary>
    public const string TokenTypeIds = "token_type_ids", LogitsOutput = "logits";

    /// <summary>The serialised ModelProto of a cross-encoder (<see cref="Labeling.CrossEncoder.CrossEncoderModel"/> in eval
    /// mode): inputs <c>input_ids</c>, <c>attention_mask</c>, <c>token_type_ids</c> (int64 [batch, sequence]), output
    /// <c>logits</c> (float [batch, 3], grades 0, 1, 2; softmax gives the labeler's probabilities). Same transformer
    /// graph as <see cref="BuildModel"/>, with the token types as an input, then pooling and the linear classifier.</summary>
    public static byte[] BuildCrossEncoder(Labeling.CrossEncoder.CrossEncoderModel model, string? configJson = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var g = new OnnxGraphBuilder();
        var w = new GraphWeights(g, model.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter));
        g.Input(InputIds, OnnxGraphBuilder.Int64, "batch", "sequence");
        g.Input(AttentionMask, OnnxGraphBuilder.Int64, "batch", "sequence");
        g.Input(TokenTypeIds, OnnxGraphBuilder.Int64, "batch", "sequence");
        var (hidden, maskF) = Transformer(g, w, model.Config.Transformer, TokenTypeIds);
        string pooled = Pool(g, w, hidden, maskF, model.Config.Pooling, null);
        var logits = w.Linear(pooled, "classifier");
        g.Node("Identity", [logits], LogitsOutput);
        g.Output(LogitsOutput, OnnxGraphBuilder.Float, "batch", 3L);
        var metadata = new Dictionary<string, string>
        {
            ["minerefine.config"] = configJson ?? "",
            ["pooling"] = model.Config.Pooling.ToString().ToLowerInvariant(),
            ["max_pair_length"] = model.Config.MaxPairLength.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["grades"] = "0,1,2",
        };
        return g.Build("minerefine_cross_encoder", IrVersion, Opset, "MineRefine",
            typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "", metadata,
            "MineRefine cross-encoder labeler: logits of grades 0, 1, 2 for [CLS] query [SEP] item [SEP].");
    }

    /// <summary>Manifest field of a labeler folder that carries an ONNX graph of its cross-encoder.</summary>
    public const string LabelerOnnxField = "onnx";

    /// <summary>Writes <paramref name="package"/> as a labeler folder (<see cref="Labeling.CrossEncoder.CrossEncoderPackage.Save"/>)
    /// that also holds <c>model.onnx</c> (<see cref="BuildCrossEncoder"/>), listed and hashed in its manifest under
    /// <see cref="LabelerOnnxField"/>. Every command that takes a labeler folder then labels on ONNX Runtime
    /// (<see cref="Labeling.CrossEncoder.CrossEncoderLabeler.FromFolder"/>); the TorchSharp weights stay, so the folder
    /// is still a complete labeler. The manifest is rewritten last: a crash in between leaves a plain labeler folder.</summary>
    public static void ExportCrossEncoder(Labeling.CrossEncoder.CrossEncoderPackage package, string folder)
    {
        ArgumentNullException.ThrowIfNull(package);
        package.Save(folder);
        string configJson = File.ReadAllText(Path.Combine(folder, Labeling.CrossEncoder.CrossEncoderPackage.ConfigFile));
        File.WriteAllBytes(Path.Combine(folder, ModelFile), BuildCrossEncoder(package.Model, configJson));
        string manifestPath = Path.Combine(folder, Labeling.CrossEncoder.CrossEncoderPackage.ManifestFile);
        var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!.AsObject();
        manifest["files"]!.AsObject()[ModelFile] = Common.FileHashing.Sha256(Path.Combine(folder, ModelFile));
        manifest[LabelerOnnxField] = new JsonObject
        {
            ["file"] = ModelFile, ["opset"] = Opset,
            ["inputs"] = new JsonArray(InputIds, AttentionMask, TokenTypeIds), ["output"] = LogitsOutput,
        };
        string tmp = manifestPath + ".tmp";
        File.WriteAllText(tmp, manifest.ToJsonString(SiameseConfig.Json));
        File.Move(tmp, manifestPath, overwrite: true);
    }

    /// <summary>Parameters of a TorchSharp module as graph initializers (added on first use).</summary>
    private sealed class GraphWeights(OnnxGraphBuilder g, Dictionary<string, Tensor> weights)
    {
        public bool Has(string name) => weights.ContainsKey(name);

        public float[] Values(string name, bool transpose = false)
        {
            if (!weights.TryGetValue(name, out var t)) throw new InvalidOperationException($"ONNX export: the model has no parameter '{name}'.");
            using var scope = NewDisposeScope();
            var c = (transpose ? t.detach().t() : t.detach()).cpu().contiguous();
            return c.data<float>().ToArray();
        }

        public string Param(string name, bool transpose = false)
        {
            var shape = weights.TryGetValue(name, out var t) ? t.shape : throw new InvalidOperationException($"ONNX export: the model has no parameter '{name}'.");
            return g.Initializer(name + (transpose ? ".T" : ""), Values(name, transpose), transpose ? [shape[1], shape[0]] : shape);
        }

        /// <summary>x·Wᵀ + b for the torch Linear <paramref name="prefix"/> (weight stored transposed for MatMul).</summary>
        public string Linear(string x, string prefix)
        {
            var y = g.Node("MatMul", [x, Param(prefix + ".weight", transpose: true)]);
            return Has(prefix + ".bias") ? g.Node("Add", [y, Param(prefix + ".bias")]) : y;
        }

        public string LayerNorm(string x, string prefix, double eps) =>
            g.Node("LayerNormalization", [x, Param(prefix + ".weight"), Param(prefix + ".bias")], null,
                ("axis", -1L), ("epsilon", (float)eps));
    }

    /// <summary>The BERT body under <c>bert.</c>: embeddings (token types from the <paramref name="tokenTypes"/> input, or
    /// all 0 when null), every post-LN layer. Returns the last hidden state [B, S, H] and the float mask [B, S].</summary>
    private static (string Hidden, string MaskF) Transformer(OnnxGraphBuilder g, GraphWeights w, TransformerConfig cfg, string? tokenTypes)
    {
        int h = cfg.HiddenSize, heads = cfg.NumHeads, headDim = cfg.HeadDim;
        // Embeddings: word + position (rows offset … offset + S) + token type, then LayerNorm.
        const string emb = "bert.embeddings.";
        var x = g.Node("Gather", [w.Param(emb + "word_embeddings.weight"), InputIds]);
        var shape = g.Node("Shape", [InputIds]);
        var seqLen = g.Node("Slice", [shape, g.Ints(1), g.Ints(2)]);
        var posEnd = g.Node("Add", [seqLen, g.Ints(cfg.PositionOffset)]);
        var positions = g.Node("Slice", [w.Param(emb + "position_embeddings.weight"), g.Ints(cfg.PositionOffset), posEnd, g.Ints(0)]);
        var types = tokenTypes is null
            ? g.Initializer(emb + "token_type_embeddings.weight[0]", w.Values(emb + "token_type_embeddings.weight").AsSpan(0, h), h)
            : g.Node("Gather", [w.Param(emb + "token_type_embeddings.weight"), tokenTypes]);
        x = g.Node("Add", [g.Node("Add", [x, positions]), types]);
        x = w.LayerNorm(x, emb + "LayerNorm", cfg.LayerNormEps);

        // Additive attention mask [B, 1, 1, S]: (1 − mask) · MaskValue, as BertModel.AdditiveMask.
        var maskF = g.Node("Cast", [AttentionMask], null, ("to", (long)OnnxGraphBuilder.Float));
        var additive = g.Node("Mul", [g.Node("Sub", [g.Scalar(1f), maskF]), g.Scalar(BertModel.MaskValue)]);
        var mask4 = g.Node("Unsqueeze", [additive, g.Ints(1, 2)]);

        var splitHeads = g.Ints(0, 0, heads, headDim);
        var mergeHeads = g.Ints(0, 0, (long)heads * headDim);
        var scale = g.Scalar((float)Math.Sqrt(headDim));
        var sqrt2 = g.Scalar((float)Math.Sqrt(2.0));
        var one = g.Scalar(1f);
        var half = g.Scalar(0.5f);
        for (int l = 0; l < cfg.NumLayers; l++)
        {
            string p = $"bert.encoder.layer.{l}.";
            string Heads(string t, long[] perm) => g.Node("Transpose", [g.Node("Reshape", [t, splitHeads])], null, ("perm", perm));
            var q = Heads(w.Linear(x, p + "attention.self.query"), [0, 2, 1, 3]);   // [B, h, S, d]
            var kT = Heads(w.Linear(x, p + "attention.self.key"), [0, 2, 3, 1]);    // [B, h, d, S]
            var v = Heads(w.Linear(x, p + "attention.self.value"), [0, 2, 1, 3]);   // [B, h, S, d]
            var scores = g.Node("Add", [g.Node("Div", [g.Node("MatMul", [q, kT]), scale]), mask4]);
            var probs = g.Node("Softmax", [scores], null, ("axis", -1L));
            var ctx = g.Node("Transpose", [g.Node("MatMul", [probs, v])], null, ("perm", new long[] { 0, 2, 1, 3 }));
            ctx = g.Node("Reshape", [ctx, mergeHeads]);
            var a = w.LayerNorm(g.Node("Add", [w.Linear(ctx, p + "attention.output.dense"), x]), p + "attention.output.LayerNorm", cfg.LayerNormEps);
            var inter = w.Linear(a, p + "intermediate.dense");
            var gelu = g.Node("Mul", [g.Node("Mul", [inter, g.Node("Add", [g.Node("Erf", [g.Node("Div", [inter, sqrt2])]), one])]), half]);
            x = w.LayerNorm(g.Node("Add", [w.Linear(gelu, p + "output.dense"), a]), p + "output.LayerNorm", cfg.LayerNormEps);
        }
        return (x, maskF);
    }

    /// <summary>Pooling [B, S, H] → [B, H]: the [CLS] row, Σ_t m_t h_t / max(Σ_t m_t, 1e-9), or (attention, with the
    /// weight vector of the pooling module <paramref name="attentionPrefix"/>) Σ_t softmax_t(w·h_t + (m_t − 1)·10⁹) h_t.</summary>
    private static string Pool(OnnxGraphBuilder g, GraphWeights w, string hidden, string maskF, PoolingMode mode, string? attentionPrefix)
    {
        if (mode == PoolingMode.Cls) return g.Node("Gather", [hidden, g.IntScalar(0)], null, ("axis", 1L));
        if (mode == PoolingMode.Attention)
        {
            var logits = g.Node("MatMul", [hidden, w.Param(attentionPrefix + ".weight")]); // [B, S]
            var penalty = g.Node("Mul", [g.Node("Sub", [maskF, g.Scalar(1f)]), g.Scalar(1e9f)]);
            var a = g.Node("Softmax", [g.Node("Add", [logits, penalty])], null, ("axis", 1L));
            return g.Node("ReduceSum", [g.Node("Mul", [hidden, g.Node("Unsqueeze", [a, g.Ints(2)])]), g.Ints(1)], null, ("keepdims", 0L));
        }
        var m3 = g.Node("Unsqueeze", [maskF, g.Ints(2)]);
        var sum = g.Node("ReduceSum", [g.Node("Mul", [hidden, m3]), g.Ints(1)], null, ("keepdims", 0L));
        var count = g.Node("Max", [g.Node("ReduceSum", [m3, g.Ints(1)], null, ("keepdims", 0L)), g.Scalar(1e-9f)]);
        return g.Node("Div", [sum, count]);
    }
}
