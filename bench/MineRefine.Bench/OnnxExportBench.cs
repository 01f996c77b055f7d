using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using MineRefine.Modeling;
using MineRefine.Modeling.Onnx;
using TorchSharp;

namespace MineRefine.Bench;

/// <summary>A trained model served two ways: its TorchSharp folder vs its ONNX export (<c>minerefine export</c>) on
/// ONNX Runtime. Measures export time, parity of both towers on real titles and queries, catalog encoding throughput
/// (item tower, batches) and single-query latency (query tower, one query per call, as the service encodes). Titles and
/// queries are read from the Home Depot files by path (never copied), or generated when absent.</summary>
public static class OnnxExportBench
{
    /// <summary>Runs the benchmark and writes a Markdown report.</summary>
    public static int Run(string[] args)
    {
        int titles = 10_000, queries = 500, threads = 2, batch = 64;
        string? model = null;
        string data = "/work/shared/data/homedepot", output = "bench/results/onnx-export.md";
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--model": model = args[i + 1]; break;
                case "--titles": titles = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--queries": queries = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--batch": batch = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--data": data = args[i + 1]; break;
                case "--out": output = args[i + 1]; break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        if (model is null)
        {
            Console.Error.WriteLine("--model <model folder> is required (e.g. a train run's DIR/model)");
            return 2;
        }
        string loadBefore = BenchEnvironment.LoadAverage();
        var texts = EncoderBench.LoadTitles(Path.Combine(data, "products.csv.gz"), titles, out string titleSource);
        var queryTexts = LoadQueries(Path.Combine(data, "judgments-public.csv.gz"), queries, out string querySource);
        torch.set_num_threads(threads);
        var opts = new EmbedderOptions { BatchSize = batch };
        string onnxDir = Path.Combine(Path.GetTempPath(), "mr-onnx-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var ts = SiameseEmbedder.FromFolder(model, opts);
            var sw = Stopwatch.StartNew();
            OnnxExporter.Export(ts.Model, onnxDir);
            double exportSec = sw.Elapsed.TotalSeconds;
            long bytes = new FileInfo(Path.Combine(onnxDir, OnnxExporter.ModelFile)).Length;
            using var ort = OnnxSiameseEmbedder.FromFolder(onnxDir, opts, threads);

            var itemParity = OnnxExportCheck.Compare(ts, ort, texts.Take(1000).ToList());
            var queryParity = OnnxExportCheck.Compare(ts, ort, queryTexts);
            Console.WriteLine($"parity: titles max |Δ| {Math.Max(itemParity.ItemMaxAbsDiff, itemParity.QueryMaxAbsDiff):E2}, " +
                              $"queries max |Δ| {Math.Max(queryParity.QueryMaxAbsDiff, queryParity.ItemMaxAbsDiff):E2}");

            // Catalog encoding: warm-up, then one timed pass each on the same titles.
            ts.Encode(texts.Take(256).ToList(), EmbeddingRole.Item);
            ort.Encode(texts.Take(256).ToList(), EmbeddingRole.Item);
            sw.Restart();
            ts.Encode(texts, EmbeddingRole.Item);
            double tsSec = sw.Elapsed.TotalSeconds;
            sw.Restart();
            ort.Encode(texts, EmbeddingRole.Item);
            double ortSec = sw.Elapsed.TotalSeconds;
            Console.WriteLine($"items: TorchSharp {texts.Count / tsSec:F0}/s, ONNX Runtime {texts.Count / ortSec:F0}/s");

            // Query latency: one query per call (the service's case), after 50 warm-up calls.
            double[] Latencies(ITextEmbedder e)
            {
                foreach (var q in queryTexts.Take(50)) e.Encode([q], EmbeddingRole.Query);
                var ms = new double[queryTexts.Count];
                for (int i = 0; i < queryTexts.Count; i++)
                {
                    var t = Stopwatch.StartNew();
                    e.Encode([queryTexts[i]], EmbeddingRole.Query);
                    ms[i] = t.Elapsed.TotalMilliseconds;
                }
                Array.Sort(ms);
                return ms;
            }
            var tsLat = Latencies(ts);
            var ortLat = Latencies(ort);
            static double P(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
            Console.WriteLine($"query latency p50: TorchSharp {P(tsLat, 0.5):F2} ms, ONNX Runtime {P(ortLat, 0.5):F2} ms");

            var sb = new StringBuilder();
            sb.AppendLine("# A trained model on ONNX Runtime: `minerefine export --to onnx` vs the TorchSharp model folder");
            sb.AppendLine();
            sb.AppendLine($"Command: `dotnet run -c Release --project bench/MineRefine.Bench -- onnx-export {string.Join(' ', args)}`");
            sb.AppendLine();
            sb.AppendLine($"- Model: `{model}` ({ts.Dimension}-d, pooling {ts.Config.Head.Pooling.ToString().ToLowerInvariant()}, " +
                          $"query prefix {(ts.Config.QueryPrefix is { Length: > 0 } ? "yes" : "none")}, max lengths {ts.Config.MaxQueryLength}/{ts.Config.MaxItemLength}).");
            sb.AppendLine($"- Export: {exportSec:F1} s, `model.onnx` {bytes / 1048576.0:F1} MiB (opset {OnnxExporter.Opset}).");
            sb.AppendLine($"- Titles: {texts.Count} from {titleSource}; queries: {queryTexts.Count} from {querySource}.");
            sb.AppendLine($"- Threads {threads} (torch.set_num_threads and ORT IntraOpNumThreads); batch {batch}, length-bucketed; fp32. Load average at start `{loadBefore}` (above ≈ 2 on this 2-core machine means other jobs shared it).");
            sb.AppendLine();
            sb.AppendLine("Parity (largest |TorchSharp − ONNX| component of unit vectors, smallest cosine):");
            sb.AppendLine();
            sb.AppendLine("| texts | tower | max abs diff | min cosine |");
            sb.AppendLine("|---|---|---|---|");
            sb.AppendLine($"| {itemParity.Texts} titles | item | {itemParity.ItemMaxAbsDiff:E2} | {itemParity.ItemMinCosine:F7} |");
            sb.AppendLine($"| {itemParity.Texts} titles | query | {itemParity.QueryMaxAbsDiff:E2} | {itemParity.QueryMinCosine:F7} |");
            sb.AppendLine($"| {queryParity.Texts} queries | query | {queryParity.QueryMaxAbsDiff:E2} | {queryParity.QueryMinCosine:F7} |");
            sb.AppendLine($"| {queryParity.Texts} queries | item | {queryParity.ItemMaxAbsDiff:E2} | {queryParity.ItemMinCosine:F7} |");
            sb.AppendLine();
            sb.AppendLine("Speed (catalog: one timed pass after warm-up; queries: one per call after 50 warm-up calls):");
            sb.AppendLine();
            sb.AppendLine("| engine | catalog seconds | titles/s | query p50 ms | query p95 ms | query p99 ms |");
            sb.AppendLine("|---|---|---|---|---|---|");
            sb.AppendLine($"| TorchSharp 0.107 (libtorch 2.10), model folder | {tsSec:F1} | {texts.Count / tsSec:F0} | {P(tsLat, 0.5):F2} | {P(tsLat, 0.95):F2} | {P(tsLat, 0.99):F2} |");
            sb.AppendLine($"| ONNX Runtime 1.31.1, exported folder | {ortSec:F1} | {texts.Count / ortSec:F0} | {P(ortLat, 0.5):F2} | {P(ortLat, 0.95):F2} | {P(ortLat, 0.99):F2} |");
            sb.AppendLine();
            sb.AppendLine($"ONNX Runtime / TorchSharp: catalog **{tsSec / ortSec:F2}×** the throughput, query p50 **{P(tsLat, 0.5) / P(ortLat, 0.5):F2}×** faster.");
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
            File.WriteAllText(output, sb.ToString());
            Console.WriteLine($"wrote {output}");
            return 0;
        }
        finally
        {
            if (Directory.Exists(onnxDir)) Directory.Delete(onnxDir, true);
        }
    }

    private static List<string> LoadQueries(string path, int n, out string source)
    {
        var list = new List<string>(n);
        if (File.Exists(path))
        {
            using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
            using var reader = new StreamReader(gz, Encoding.Latin1);
            reader.ReadLine(); // id,product_uid,product_title,search_term,relevance
            var seen = new HashSet<string>(StringComparer.Ordinal);
            string? line;
            while (list.Count < n && (line = reader.ReadLine()) is not null)
            {
                // search_term is the second-to-last field and never quoted with commas in this file's tail:
                // take the text between the last two commas.
                int last = line.LastIndexOf(',');
                int prev = last > 0 ? line.LastIndexOf(',', last - 1) : -1;
                if (prev < 0) continue;
                var q = line[(prev + 1)..last].Trim('"');
                if (q.Length > 0 && seen.Add(q)) list.Add(q);
            }
            source = $"{path} (first {list.Count} distinct search terms)";
            return list;
        }
        var rng = new Random(42);
        string[] words = ["drill", "paint", "faucet", "led bulb", "garden hose", "ceiling fan", "2x4", "tile", "vanity", "door knob"];
        for (int i = 0; i < n; i++) list.Add($"{words[rng.Next(words.Length)]} {(rng.Next(2) == 0 ? "white" : rng.Next(1, 40) + " in")}");
        source = "generated queries (seed 42)";
        return list;
    }
}
