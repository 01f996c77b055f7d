namespace MineRefine.Reporting;

/// <summary>Per-grade score distribution plots (the paper's before/after stage 2 figures), rendered with ScottPlot.</summary>
public static class ScorePlots
{
    private static readonly string[] GradeNames = ["grade 0 (irrelevant)", "grade 1 (partial)", "grade 2 (exact)"];
    private static readonly string[] GradeColors = ["#d62728", "#ff7f0e", "#2ca02c"];

    /// <summary>Histogram-based density curves of the scores of each grade on a shared x range.
    /// <paramref name="scoresByGrade"/> holds the scores of grades 0, 1 and 2 (any may be empty).</summary>
    public static ScottPlot.Plot GradeDensity(string title, IReadOnlyList<float>[] scoresByGrade, int bins = 40)
    {
        var all = scoresByGrade.SelectMany(s => s).ToArray();
        double lo = all.Length == 0 ? 0 : all.Min(), hi = all.Length == 0 ? 1 : all.Max();
        if (hi - lo < 1e-6) { lo -= 0.5; hi += 0.5; }
        double width = (hi - lo) / bins;
        var plt = new ScottPlot.Plot();
        for (int g = 0; g < scoresByGrade.Length && g < 3; g++)
        {
            var s = scoresByGrade[g];
            if (s.Count == 0) continue;
            var counts = new double[bins];
            foreach (float v in s) counts[Math.Clamp((int)((v - lo) / width), 0, bins - 1)]++;
            double[] xs = Enumerable.Range(0, bins).Select(i => lo + (i + 0.5) * width).ToArray();
            double[] ys = counts.Select(c => c / (s.Count * width)).ToArray();
            var line = plt.Add.Scatter(xs, ys);
            line.LegendText = $"{GradeNames[g]} (n={s.Count})";
            line.MarkerSize = 0;
            line.LineWidth = 2;
            line.Color = ScottPlot.Color.FromHex(GradeColors[g]);
        }
        plt.Title(title);
        plt.XLabel("score (cosine)");
        plt.YLabel("density");
        plt.ShowLegend(ScottPlot.Alignment.UpperLeft);
        return plt;
    }

    /// <summary>The plot as a standalone SVG document.</summary>
    public static string ToSvg(ScottPlot.Plot plot, int width = 640, int height = 360) => plot.GetSvgXml(width, height);

    /// <summary>Saves the plot as PNG.</summary>
    public static void SavePng(ScottPlot.Plot plot, string path, int width = 640, int height = 360)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        plot.SavePng(path, width, height);
    }
}
