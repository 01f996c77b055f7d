using TorchSharp;
using static TorchSharp.torch;

namespace MineRefine.Modeling;

/// <summary>Copies named weights into a module's parameters with clear errors on missing names and shape mismatches.</summary>
public static class WeightLoading
{
    /// <summary>Prefixes stripped from checkpoint names (Hugging Face BertModel / XLMRobertaModel / wrappers).</summary>
    public static readonly string[] KnownPrefixes = ["bert.", "roberta.", "model.", "0.auto_model."];

    /// <summary>Checkpoint entries that are not part of the encoder and are ignored.</summary>
    public static bool IsIgnorable(string name) =>
        name.StartsWith("pooler.", StringComparison.Ordinal) || name.EndsWith("position_ids", StringComparison.Ordinal)
        || name.StartsWith("cls.", StringComparison.Ordinal) || name.StartsWith("lm_head.", StringComparison.Ordinal);

    /// <summary>Maps a Hugging Face BERT/XLM-R parameter name to this library's <see cref="BertModel"/> name:
    /// strips a known prefix and renames legacy <c>gamma</c>/<c>beta</c> LayerNorm parameters.</summary>
    public static string NormalizeHfName(string name)
    {
        foreach (var p in KnownPrefixes)
        {
            if (name.StartsWith(p, StringComparison.Ordinal)) { name = name[p.Length..]; break; }
        }
        if (name.EndsWith(".gamma", StringComparison.Ordinal)) name = name[..^6] + ".weight";
        else if (name.EndsWith(".beta", StringComparison.Ordinal)) name = name[..^5] + ".bias";
        return name;
    }

    /// <summary>Copies <paramref name="source"/> (already named like <paramref name="module"/>'s parameters) into
    /// the module. Every parameter must be present with the same shape; extra entries are an error unless
    /// <paramref name="allowExtra"/> returns true for them. <paramref name="sourceName"/> names the file in errors.</summary>
    public static void Load(nn.Module module, IReadOnlyDictionary<string, SafeTensor> source, string sourceName,
        Func<string, bool>? allowExtra = null)
    {
        var parameters = module.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var missing = parameters.Keys.Where(k => !source.ContainsKey(k)).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException($"{sourceName}: missing {missing.Count} weight(s), e.g. '{string.Join("', '", missing.Take(5))}'.");
        var extra = source.Keys.Where(k => !parameters.ContainsKey(k) && !(allowExtra?.Invoke(k) ?? false)).ToList();
        if (extra.Count > 0)
            throw new InvalidDataException($"{sourceName}: unexpected weight(s) '{string.Join("', '", extra.Take(5))}' (model/config mismatch?).");
        using var _ = no_grad();
        foreach (var (name, p) in parameters)
        {
            var st = source[name];
            if (st.Floats is null)
                throw new InvalidDataException($"{sourceName}: weight '{name}' has integer dtype {st.DType}, expected a float tensor.");
            if (!st.Shape.SequenceEqual(p.shape))
                throw new InvalidDataException($"{sourceName}: weight '{name}' has shape [{string.Join(", ", st.Shape)}], expected [{string.Join(", ", p.shape)}] from config.");
            using var t = tensor(st.Floats, st.Shape);
            p.copy_(t);
        }
    }

    /// <summary>Loads a Hugging Face style BERT/XLM-R checkpoint (names with or without <c>bert.</c>/<c>roberta.</c>
    /// prefix; pooler, position_ids and LM heads ignored) into <paramref name="model"/>.</summary>
    public static void LoadHuggingFace(BertModel model, IReadOnlyDictionary<string, SafeTensor> checkpoint, string sourceName)
    {
        var renamed = new Dictionary<string, SafeTensor>(StringComparer.Ordinal);
        foreach (var (k, v) in checkpoint)
        {
            var n = NormalizeHfName(k);
            if (IsIgnorable(n)) continue;
            if (!renamed.TryAdd(n, v))
                throw new InvalidDataException($"{sourceName}: weights '{k}' and another entry both map to '{n}'.");
        }
        Load(model, renamed, sourceName);
    }

    /// <summary>Reads a safetensors checkpoint with Hugging Face names into <paramref name="model"/>.</summary>
    public static void LoadHuggingFaceSafetensors(BertModel model, string path) =>
        LoadHuggingFace(model, Safetensors.Read(path), path);

    /// <summary>Writes <paramref name="model"/>'s parameters with Hugging Face names
    /// (optionally prefixed, e.g. "bert.").</summary>
    public static void SaveHuggingFaceSafetensors(BertModel model, string path, string prefix = "")
    {
        var dict = model.named_parameters().ToDictionary(p => prefix + p.name, p => (Tensor)p.parameter);
        Safetensors.Write(path, dict);
    }
}
