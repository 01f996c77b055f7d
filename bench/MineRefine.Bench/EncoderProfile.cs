using System.Diagnostics;
using System.Globalization;
using System.Text;
using MineRefine.Modeling;
using MineRefine.Text.Tokenization;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MineRefine.Bench;

/// <summary>
/// Where the TorchSharp MiniLM encoding time goes. Replays the BERT forward op by op on the same length-bucketed
/// batches the embedder uses (real titles, batch 64), with the model's own weights, and times each op group
/// (tokenisation, embeddings, Q/K/V projections, attention core, output projection + LayerNorm, FFN up, GELU,
/// FFN down + LayerNorm, pooling + head + L2). Also times two alternatives on the same batches: Q/K/V as one fused
/// GEMM and fused SDPA attention. Compares the op sum with the end-to-end embedder and ONNX Runtime.
/// Writes bench/results/encoder-profile.md.
/// </summary>
public static class EncoderProfile
{
    private sealed class Timer
    {
        public readonly Dictionary<string, double> Seconds = [];
        private readonly Stopwatch _sw = new();
        public T Time<T>(string what, Func<T> f)
        {
            _sw.Restart();
            var r = f();
            Seconds[what] = Seconds.GetValueOrDefault(what) + _sw.Elapsed.TotalSeconds;
            return r;
        }
    }

    /// <summary>Runs the profile and writes a Markdown report.</summary>
    public static int Run(string[] args)
    {
        int titles = 4000, threads = 2, batch = 64;
        string data = "/work/shared/data/homedepot/products.csv.gz", output = "bench/results/encoder-profile.md";
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--titles": titles = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--batch": batch = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--data": data = args[i + 1]; break;
                case "--out": output = args[i + 1]; break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        string loadBefore = BenchEnvironment.LoadAverage();
        var texts = EncoderBench.LoadTitles(data, titles, out string source);
        torch.set_num_threads(threads);
        var opts = new EmbedderOptions { BatchSize = batch };
        using var ts = new SiameseEmbedder(SiameseModel.CreateMiniLm(), "minilm", opts);
        using var ort = new OnnxMiniLmEmbedder(threads, 256, opts);
        var enc = ts.Model.Encoder;
        var cfg = enc.Config;
        var p = enc.Bert.named_parameters().ToDictionary(x => x.name, x => (Tensor)x.parameter);
        int maxLen = ts.Model.Config.MaxItemLength;

        // Warm-up, then end-to-end references on the same titles.
        ts.Encode(texts.Take(256).ToList(), EmbeddingRole.Item);
        ort.Encode(texts.Take(256).ToList(), EmbeddingRole.Item);
        var sw = Stopwatch.StartNew();
        ts.Encode(texts, EmbeddingRole.Item);
        double e2eTs = sw.Elapsed.TotalSeconds;
        sw.Restart();
        ort.Encode(texts, EmbeddingRole.Item);
        double e2eOrt = sw.Elapsed.TotalSeconds;

        // Same batches as the embedder: tokenise, sort by length, pad per batch.
        var t = new Timer();
        var tok = ts.Model.Tokenizer;
        var encoded = t.Time("tokenise (host)", () => texts.Select(x => tok.Encode(x, maxLen)).ToArray());
        var order = Enumerable.Range(0, texts.Count).OrderBy(i => encoded[i].Length).ThenBy(i => i).ToArray();
        var batches = new List<TokenBatch>();
        for (int s = 0; s < order.Length; s += batch)
            batches.Add(TokenBatch.Pad(order.Skip(s).Take(batch).Select(i => encoded[i]).ToList(), tok.PadId));
        long tokens = batches.Sum(b => (long)b.Count * b.Length);

        int h = cfg.HiddenSize, heads = cfg.NumHeads, hd = cfg.HeadDim;
        double scale = 1.0 / Math.Sqrt(hd);
        var qkvW = Enumerable.Range(0, cfg.NumLayers).Select(l => cat([p[$"encoder.layer.{l}.attention.self.query.weight"], p[$"encoder.layer.{l}.attention.self.key.weight"], p[$"encoder.layer.{l}.attention.self.value.weight"]], 0).contiguous()).ToArray();
        var qkvB = Enumerable.Range(0, cfg.NumLayers).Select(l => cat([p[$"encoder.layer.{l}.attention.self.query.bias"], p[$"encoder.layer.{l}.attention.self.key.bias"], p[$"encoder.layer.{l}.attention.self.value.bias"]], 0).contiguous()).ToArray();
        var alt = new Timer();
        double maxDiffVariants = 0;
        using (no_grad())
        {
            foreach (var b in batches)
            {
                using var scope = NewDisposeScope();
                var (ids, mask, _) = b.ToTensors();
                long bs = ids.shape[0], sl = ids.shape[1];
                var x = t.Time("embeddings + LayerNorm", () =>
                {
                    var e = p["embeddings.word_embeddings.weight"].index_select(0, ids.view(-1)).view(bs, sl, h) + p["embeddings.position_embeddings.weight"].narrow(0, cfg.PositionOffset, sl)
                            + p["embeddings.token_type_embeddings.weight"][0];
                    return F.layer_norm(e, [h], p["embeddings.LayerNorm.weight"], p["embeddings.LayerNorm.bias"], cfg.LayerNormEps);
                });
                var add = BertModel.AdditiveMask(mask, x.dtype);
                for (int l = 0; l < cfg.NumLayers; l++)
                {
                    string pre = $"encoder.layer.{l}.";
                    Tensor W(string n) => p[pre + n + ".weight"];
                    Tensor B(string n) => p[pre + n + ".bias"];
                    var xl = x;
                    var (q, k, v) = t.Time("Q/K/V projections (3 GEMM)", () =>
                        (F.linear(xl, W("attention.self.query"), B("attention.self.query")),
                         F.linear(xl, W("attention.self.key"), B("attention.self.key")),
                         F.linear(xl, W("attention.self.value"), B("attention.self.value"))));
                    var qkv = alt.Time("alt: Q/K/V as one GEMM", () => F.linear(xl, qkvW[l], qkvB[l]));
                    Tensor Split(Tensor m) => m.view(bs, sl, heads, hd).transpose(1, 2);
                    var ctx = t.Time("attention core (QKᵀ, softmax, ·V)", () =>
                    {
                        var s = Split(q).matmul(Split(k).transpose(-1, -2)).mul_(scale).add_(add);
                        return s.softmax(-1).matmul(Split(v)).transpose(1, 2).reshape(bs, sl, h);
                    });
                    var ctxFused = alt.Time("alt: fused SDPA core", () =>
                        F.scaled_dot_product_attention(Split(q), Split(k), Split(v), add).transpose(1, 2).reshape(bs, sl, h));
                    var chunks = qkv.chunk(3, -1);
                    maxDiffVariants = Math.Max(maxDiffVariants, Math.Max(chunks[0].sub(q).abs().max().item<float>(), ctxFused.sub(ctx).abs().max().item<float>()));
                    var a = t.Time("attention output GEMM + residual + LayerNorm", () =>
                        F.layer_norm(F.linear(ctx, W("attention.output.dense"), B("attention.output.dense")).add_(xl), [h],
                            W("attention.output.LayerNorm"), B("attention.output.LayerNorm"), cfg.LayerNormEps));
                    var up = t.Time("FFN up GEMM (384→1536)", () => F.linear(a, W("intermediate.dense"), B("intermediate.dense")));
                    var g = t.Time("GELU (erf)", () => F.gelu(up));
                    x = t.Time("FFN down GEMM + residual + LayerNorm", () =>
                        F.layer_norm(F.linear(g, W("output.dense"), B("output.dense")).add_(a), [h],
                            W("output.LayerNorm"), B("output.LayerNorm"), cfg.LayerNormEps));
                }
                var xf = x;
                t.Time("mean pooling + L2 + copy out", () =>
                {
                    var m = mask.unsqueeze(-1).to(xf.dtype);
                    var pooled = xf.mul(m).sum(1).div(m.sum(1).clamp_min(1e-9));
                    return F.normalize(pooled, 2.0, -1).contiguous().data<float>().ToArray();
                });
            }
        }
        double opSum = t.Seconds.Values.Sum();
        // Matmul FLOPs of the linears per token: 2·(4h² + 2·h·ffn) per layer.
        double linFlops = 2.0 * tokens * cfg.NumLayers * (4.0 * h * h + 2.0 * h * cfg.IntermediateSize);
        double linSec = t.Seconds.Where(kv => kv.Key.Contains("GEMM")).Sum(kv => kv.Value);
        double peak = BenchEnvironment.MatmulGflops(10);

        var sb = new StringBuilder();
        sb.AppendLine("# Encoder profile: where TorchSharp MiniLM encoding time goes");
        sb.AppendLine();
        sb.AppendLine($"Command: `dotnet run -c Release --project bench/MineRefine.Bench -- encoder-profile {string.Join(' ', args)}`");
        sb.AppendLine();
        sb.AppendLine($"- {texts.Count} titles from {source}; {batches.Count} length-bucketed batches of ≤ {batch}; {tokens:N0} padded tokens (mean length {(double)tokens / texts.Count:F1}); threads {threads}; fp32, no_grad.");
        sb.AppendLine($"- Load average at start: `{loadBefore}`. Op times are wall time of eager libtorch calls (synchronous on CPU).");
        sb.AppendLine($"- End-to-end on the same titles: TorchSharp embedder {e2eTs:F2} s ({texts.Count / e2eTs:F0} seq/s), ONNX Runtime {e2eOrt:F2} s ({texts.Count / e2eOrt:F0} seq/s), ratio **{e2eOrt / e2eTs:F2}**.");
        sb.AppendLine();
        sb.AppendLine("| op group (all 6 layers) | seconds | share of op sum |");
        sb.AppendLine("|---|---|---|");
        foreach (var (k, v) in t.Seconds.OrderByDescending(kv => kv.Value))
            sb.AppendLine($"| {k} | {v:F2} | {100 * v / opSum:F0} % |");
        sb.AppendLine($"| **sum** | **{opSum:F2}** | |");
        sb.AppendLine();
        sb.AppendLine($"Linear layers: {linFlops / 1e9:F1} GFLOP in {linSec:F2} s = **{linFlops / 1e9 / linSec:F1} GFLOP/s** (includes their bias/residual/LayerNorm); " +
                      $"measured fp32 1024³ matmul peak {peak:F1} GFLOP/s. ONNX Runtime's whole forward: {linFlops / 1e9 / e2eOrt:F1} GFLOP/s of linear-layer work.");
        sb.AppendLine();
        sb.AppendLine("Alternatives on the same batches (max abs difference to the reference ops: " + maxDiffVariants.ToString("E2", CultureInfo.InvariantCulture) + "):");
        sb.AppendLine();
        sb.AppendLine("| alternative | seconds | vs reference |");
        sb.AppendLine("|---|---|---|");
        sb.AppendLine($"| Q/K/V as one GEMM (h→3h) | {alt.Seconds["alt: Q/K/V as one GEMM"]:F2} | {t.Seconds["Q/K/V projections (3 GEMM)"]:F2} s for 3 GEMMs |");
        sb.AppendLine($"| fused SDPA attention core | {alt.Seconds["alt: fused SDPA core"]:F2} | {t.Seconds["attention core (QKᵀ, softmax, ·V)"]:F2} s explicit |");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        File.WriteAllText(output, sb.ToString());
        Console.Write(sb.ToString());
        foreach (var w in qkvW.Concat(qkvB)) w.Dispose();
        return 0;
    }
}
