using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace MineRefine.Modeling;

/// <summary>
/// Weight-space averaging of two-tower models that share one architecture, tokenizer and text settings, parameter by
/// parameter:
/// <code>
///   θ = Σᵢ wᵢ · θᵢ        wᵢ ≥ 0, Σᵢ wᵢ = 1
/// </code>
/// Two uses, neither part of the Mine-and-Refine paper (a [choice] of this toolkit):
/// <list type="bullet">
/// <item><b>WiSE-FT</b> (Wortsman et al., CVPR 2022, "Robust fine-tuning of zero-shot models"): with the pretrained
/// start θ₀ and its fine-tune θ₁, θ = (1 − α)·θ₀ + α·θ₁ keeps part of the start's general retrieval while taking the
/// fine-tune's domain gains; α is chosen on a dev split (never on test).</item>
/// <item><b>Model soup</b> (Wortsman et al., ICML 2022): the uniform average of fine-tunes from one start (e.g. stage-2
/// runs with different seeds or settings from one stage-1 model), which often ranks better than any single one. Stage-1
/// runs of different seeds from a pretrained model share a start only with one <c>train --head-seed</c>: by default
/// the seed also draws the fresh heads.</item>
/// </list>
/// Averaging is only meaningful for models fine-tuned from the same start (they stay in one loss basin); unrelated
/// models of the same shape average into noise. The inputs must have identical <c>config.json</c> and tokenizer files
/// (checked through the folders' manifests).
/// </summary>
public static class ModelMerge
{
    /// <summary>Writes Σᵢ <paramref name="weights"/>[i] · θᵢ of <paramref name="models"/> into <paramref name="target"/>
    /// (which may be one of the inputs: each parameter is read from every input before it is written). All models must
    /// have the same parameter names and shapes.</summary>
    public static void Average(IReadOnlyList<SiameseModel> models, IReadOnlyList<double> weights, SiameseModel target)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(target);
        CheckWeights(weights, models.Count);
        var sources = models.Select(m => m.Encoder.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal)).ToList();
        using var _ = no_grad();
        foreach (var (name, p) in target.Encoder.named_parameters())
        {
            using var scope = NewDisposeScope();
            Tensor? sum = null;
            for (int i = 0; i < models.Count; i++)
            {
                if (!sources[i].TryGetValue(name, out var src))
                    throw new ArgumentException($"Model {i + 1} has no parameter '{name}'; only models of one architecture can be merged.");
                if (!src.shape.SequenceEqual(p.shape))
                    throw new ArgumentException($"Parameter '{name}' is [{string.Join(", ", src.shape)}] in model {i + 1} but [{string.Join(", ", p.shape)}] in the target.");
                var term = src.detach().to(ScalarType.Float64) * weights[i];
                sum = sum is null ? term : sum + term;
            }
            p.copy_(sum!.to(p.dtype));
        }
    }

    /// <summary>Loads the model folders, checks that they can be merged (<see cref="Incompatibility"/>) and returns
    /// their weighted average (<paramref name="weights"/> null = uniform). The caller owns the returned model.</summary>
    public static SiameseModel Merge(IReadOnlyList<string> folders, IReadOnlyList<double>? weights = null)
    {
        ArgumentNullException.ThrowIfNull(folders);
        if (folders.Count < 2) throw new ArgumentException($"Merging needs at least two model folders (got {folders.Count}).");
        weights ??= Enumerable.Repeat(1.0 / folders.Count, folders.Count).ToArray();
        CheckWeights(weights, folders.Count);
        for (int i = 1; i < folders.Count; i++)
            if (Incompatibility(folders[0], folders[i]) is { } problem) throw new ArgumentException(problem);
        var models = new List<SiameseModel>();
        try
        {
            foreach (var f in folders) models.Add(SiameseModel.Load(f));
            Average(models, weights, models[0]);
            var merged = models[0];
            models.RemoveAt(0);
            return merged;
        }
        finally
        {
            foreach (var m in models) m.Dispose();
        }
    }

    /// <summary>Why the model folders <paramref name="a"/> and <paramref name="b"/> cannot be merged, or null when
    /// they can: every file of their manifests but the weights (config, tokenizer vocabulary) must be identical.</summary>
    public static string? Incompatibility(string a, string b)
    {
        var fa = Files(a);
        var fb = Files(b);
        var names = fa.Keys.Union(fb.Keys, StringComparer.Ordinal).Where(n => n != SiameseModel.WeightsFile).Order(StringComparer.Ordinal);
        foreach (var n in names)
        {
            fa.TryGetValue(n, out var ha);
            fb.TryGetValue(n, out var hb);
            if (ha is null || hb is null)
                return $"'{n}' is in model folder '{(ha is null ? b : a)}' but not in '{(ha is null ? a : b)}'; only models of one architecture and tokenizer can be merged.";
            if (!string.Equals(ha, hb, StringComparison.OrdinalIgnoreCase))
                return n == SiameseModel.ConfigFile
                    ? $"'{n}' differs between '{a}' and '{b}' ({ConfigDifference(a, b)}); only models with one architecture, heads, lengths, item template and query prefix can be merged."
                    : $"'{n}' differs between '{a}' and '{b}'; only models with one tokenizer can be merged.";
        }
        return null;
    }

    /// <summary>The manifest's file → SHA-256 list as declared; not re-hashed here, since <see cref="SiameseModel.Load"/>
    /// verifies every file when the models are loaded (hashing the weights twice would double the I/O).</summary>
    private static Dictionary<string, string?> Files(string folder) =>
        ModelFolder.ReadManifest(folder, SiameseModel.ManifestFile)["files"]!.AsObject()
            .ToDictionary(kv => kv.Key, kv => kv.Value?.GetValue<string>(), StringComparer.Ordinal);

    /// <summary>The top-level config.json fields whose values differ, e.g. "head, maxQueryLength".</summary>
    private static string ConfigDifference(string a, string b)
    {
        static JsonObject Read(string f) => JsonNode.Parse(File.ReadAllText(Path.Combine(f, SiameseModel.ConfigFile)))!.AsObject();
        var ja = Read(a);
        var jb = Read(b);
        var diff = ja.Select(kv => kv.Key).Union(jb.Select(kv => kv.Key)).Distinct(StringComparer.Ordinal)
            .Where(k => !JsonNode.DeepEquals(ja[k], jb[k])).ToList();
        return diff.Count == 0 ? "formatting only" : "fields " + string.Join(", ", diff);
    }

    private static void CheckWeights(IReadOnlyList<double> weights, int count)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (count < 1) throw new ArgumentException("Nothing to merge: no models.");
        if (weights.Count != count) throw new ArgumentException($"{weights.Count} weights for {count} models; give one weight per model.");
        if (weights.Any(w => !double.IsFinite(w) || w < 0)) throw new ArgumentException($"Weights must be finite and ≥ 0 (got {string.Join(", ", weights)}).");
        double s = weights.Sum();
        if (Math.Abs(s - 1) > 1e-6) throw new ArgumentException($"Weights must sum to 1 (got {string.Join(", ", weights)}, sum {s:G6}); e.g. WiSE-FT with α = 0.7 is '0.3,0.7'.");
    }
}
