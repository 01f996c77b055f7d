namespace MineRefine.Modeling.Onnx;

/// <summary>How closely an exported ONNX graph reproduces the TorchSharp model on a set of texts, per tower.</summary>
/// <param name="Texts">Texts encoded by both.</param>
/// <param name="QueryMaxAbsDiff">Largest |torch − onnx| over every component of every query embedding.</param>
/// <param name="QueryMinCosine">Smallest cosine between the two query embeddings of one text.</param>
/// <param name="ItemMaxAbsDiff">Largest |torch − onnx| over the item embeddings.</param>
/// <param name="ItemMinCosine">Smallest cosine between the two item embeddings of one text.</param>
/// <param name="Tolerance">The largest |Δ| accepted.</param>
public sealed record OnnxParity(int Texts, double QueryMaxAbsDiff, double QueryMinCosine, double ItemMaxAbsDiff, double ItemMinCosine, double Tolerance)
{
    /// <summary>True when both towers are within <see cref="Tolerance"/>.</summary>
    public bool Passed => QueryMaxAbsDiff <= Tolerance && ItemMaxAbsDiff <= Tolerance;
}

/// <summary>How closely an exported cross-encoder graph reproduces the TorchSharp labeler's grade probabilities.</summary>
/// <param name="Pairs">Query–item pairs scored by both.</param>
/// <param name="MaxAbsDiff">Largest |torch − onnx| over every probability of every pair.</param>
/// <param name="GradeAgreement">Share of pairs whose most likely grade is the same.</param>
/// <param name="Tolerance">The largest |Δ| accepted.</param>
public sealed record OnnxLabelerParity(int Pairs, double MaxAbsDiff, double GradeAgreement, double Tolerance)
{
    /// <summary>True when every probability is within <see cref="Tolerance"/>.</summary>
    public bool Passed => MaxAbsDiff <= Tolerance;
}

/// <summary>Verifies an export: encodes the same texts with the TorchSharp model and the ONNX graph, both towers, and
/// compares them component by component. fp32 kernels differ in summation order, so the two agree to about 1e-6,
/// not bit for bit; the default tolerance 1e-4 catches any wrong weight, layout or operator.</summary>
public static class OnnxExportCheck
{
    /// <summary>Default tolerance on the largest absolute component difference of unit vectors.</summary>
    public const double DefaultTolerance = 1e-4;

    /// <summary>Built-in probe texts: short and long queries and titles, digits and units, accents, non-Latin
    /// scripts, an empty text and one longer than any maximum length (truncation).</summary>
    public static IReadOnlyList<string> ProbeTexts { get; } =
    [
        "drill", "cordless drill 20v", "outdoor patio furniture set", "2x4 lumber 8 ft", "led bulb 60w equivalent soft white",
        "stainless steel kitchen sink undermount", "Acme Pro Exterior Wood Stain 1-gal. #ST-220 Cedar Semi-Transparent",
        "Brackett & Co. 12-Gauge Steel Angle Bracket", "zapatos de hombre talla 42", "Kühlschrank mit Gefrierfach", "无线鼠标",
        "", "   ", "a", "1/2 in. x 10 ft. copper pipe type L", "toilet seat elongated white soft close",
        string.Join(' ', Enumerable.Repeat("very long product description with many repeated words", 40)),
    ];

    /// <summary>Exports <paramref name="source"/>'s model to <paramref name="folder"/> (<see cref="OnnxExporter.Export"/>,
    /// with <paramref name="companionFiles"/>) and checks the written folder on ONNX Runtime against it on the
    /// <see cref="ProbeTexts"/>. The folder stays on disk either way; the caller decides what a failed check means.</summary>
    public static OnnxParity ExportAndCheck(SiameseEmbedder source, string folder, IEnumerable<string>? companionFiles = null,
        double tolerance = DefaultTolerance)
    {
        ArgumentNullException.ThrowIfNull(source);
        OnnxExporter.Export(source.Model, folder, source.ModelHash, companionFiles);
        using var onnx = OnnxSiameseEmbedder.FromFolder(folder);
        return Compare(source, onnx, tolerance: tolerance);
    }

    /// <summary>Writes <paramref name="package"/> with its ONNX graph to <paramref name="folder"/>
    /// (<see cref="OnnxExporter.ExportCrossEncoder"/>) and compares the graph's probabilities on ONNX Runtime with
    /// TorchSharp's on pairs of the <see cref="ProbeTexts"/> (each text with itself and with another).</summary>
    public static OnnxLabelerParity ExportLabelerAndCheck(Labeling.CrossEncoder.CrossEncoderPackage package, string folder,
        double tolerance = DefaultTolerance)
    {
        ArgumentNullException.ThrowIfNull(package);
        OnnxExporter.ExportCrossEncoder(package, folder);
        var texts = ProbeTexts;
        var rows = Enumerable.Range(0, texts.Count)
            .SelectMany(i => new[] { (texts[i], texts[i]), (texts[i], texts[(i + 5) % texts.Count]) })
            .Select(p => package.Encode(p.Item1, p.Item2)).ToList();
        var reference = package.PredictProbabilities(rows);
        using var onnx = new Labeling.CrossEncoder.OnnxPairClassifier(Path.Combine(folder, OnnxExporter.ModelFile), package.Tokenizer.PadId);
        var exported = onnx.PredictProbabilities(rows);
        double maxAbs = 0;
        int agree = 0;
        for (int r = 0; r < rows.Count; r++)
        {
            for (int c = 0; c < 3; c++) maxAbs = Math.Max(maxAbs, Math.Abs((double)reference[r][c] - exported[r][c]));
            if (ArgMax(reference[r]) == ArgMax(exported[r])) agree++;
        }
        return new OnnxLabelerParity(rows.Count, maxAbs, rows.Count == 0 ? 1 : (double)agree / rows.Count, tolerance);

        static int ArgMax(float[] p) => p[2] > p[1] ? (p[2] > p[0] ? 2 : 0) : (p[1] > p[0] ? 1 : 0);
    }

    /// <summary>Encodes <paramref name="texts"/> (default <see cref="ProbeTexts"/>) as queries and as items with both
    /// embedders and returns the differences.</summary>
    public static OnnxParity Compare(ITextEmbedder reference, ITextEmbedder exported, IReadOnlyList<string>? texts = null,
        double tolerance = DefaultTolerance)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(exported);
        texts ??= ProbeTexts;
        if (reference.Dimension != exported.Dimension)
            throw new InvalidDataException($"The ONNX graph gives {exported.Dimension}-d embeddings, the model {reference.Dimension}-d.");
        var (qDiff, qCos) = Diff(reference.Encode(texts, EmbeddingRole.Query), exported.Encode(texts, EmbeddingRole.Query));
        var (iDiff, iCos) = Diff(reference.Encode(texts, EmbeddingRole.Item), exported.Encode(texts, EmbeddingRole.Item));
        return new OnnxParity(texts.Count, qDiff, qCos, iDiff, iCos, tolerance);
    }

    private static (double MaxAbs, double MinCos) Diff(Retrieval.EmbeddingMatrix a, Retrieval.EmbeddingMatrix b)
    {
        double maxAbs = 0, minCos = a.Count == 0 ? 1 : double.MaxValue;
        for (int r = 0; r < a.Count; r++)
        {
            var x = a.Row(r);
            var y = b.Row(r);
            double dot = 0, nx = 0, ny = 0;
            for (int i = 0; i < x.Length; i++)
            {
                maxAbs = Math.Max(maxAbs, Math.Abs((double)x[i] - y[i]));
                dot += (double)x[i] * y[i];
                nx += (double)x[i] * x[i];
                ny += (double)y[i] * y[i];
            }
            minCos = Math.Min(minCos, dot / Math.Max(Math.Sqrt(nx * ny), 1e-30));
        }
        return (maxAbs, minCos);
    }
}
