using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace MineRefine.Evaluation;

/// <summary>Readable Spectre.Console rendering of a <see cref="RunComparisonResult"/>.</summary>
public static class ComparisonTable
{
    /// <summary>The alignment counts, one row per metric (mean A, mean B, Δ, Δ%, CI, p, wins/losses/ties) and a
    /// legend saying how Δ, the CI and p were computed.</summary>
    public static IRenderable Render(RunComparisonResult r)
    {
        var al = r.Alignment;
        var lines = new List<IRenderable>
        {
            new Markup($"[bold]A[/] {Markup.Escape(r.A)} ({al.QueriesA} queries)"),
            new Markup($"[bold]B[/] {Markup.Escape(r.B)} ({al.QueriesB} queries)"),
            new Markup($"compared [bold]{al.Compared}[/] queries: {al.Common} in both, " +
                       $"{al.SkippedInEither.Count} of them skipped in A or B (no relevant item); " +
                       $"{al.OnlyInA.Count} only in A, {al.OnlyInB.Count} only in B (not compared)"),
        };
        if (al.OnlyInA.Count + al.OnlyInB.Count > 0)
            lines.Add(new Markup("[yellow]the runs cover different queries[/]: " +
                                 Markup.Escape(string.Join("; ",
                                     new[] { Sample("only in A", al.OnlyInA), Sample("only in B", al.OnlyInB) }.Where(x => x.Length > 0)))));

        string pct = (r.ConfidenceLevel * 100).ToString("0.#", CultureInfo.InvariantCulture);
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn("metric");
        foreach (var c in new[] { "n", "mean A", "mean B", "Δ", "Δ%", $"{pct}% CI of Δ", "p", "W/L/T" })
            table.AddColumn(new TableColumn(c).RightAligned());
        foreach (var m in r.Metrics)
        {
            var s = m.Result;
            string n = s.N.ToString(CultureInfo.InvariantCulture) +
                       (m.UndefinedInEither > 0 ? $" ({m.UndefinedInEither} undef.)" : "");
            bool significant = s.CiLow > 0 || s.CiHigh < 0;
            string delta = Signed(s.MeanDifference);
            table.AddRow(
                Markup.Escape(m.Metric), n, F(s.MeanA), F(s.MeanB),
                significant ? $"[bold]{delta}[/]" : delta,
                s.RelativeChange is { } rel ? (rel * 100).ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture) + "%" : "–",
                $"[[{Signed(s.CiLow)}, {Signed(s.CiHigh)}]]",
                s.PValue.ToString("0.0000", CultureInfo.InvariantCulture),
                $"{s.Wins}/{s.Losses}/{s.Ties}");
        }
        lines.Add(table);
        lines.Add(new Markup(
            $"Δ = B − A per query, averaged; CI: paired bootstrap percentile interval ({r.Resamples:N0} resamples of the " +
            $"queries, seed {r.Seed}); p: two-sided paired randomisation (sign-flip) test ({r.Resamples:N0} flips). " +
            "Bold Δ: the CI excludes 0."));
        return new Rows(lines);
    }

    private static string Sample(string label, IReadOnlyList<string> ids) =>
        ids.Count == 0 ? "" : $"{label}: {string.Join(", ", ids.Take(5))}{(ids.Count > 5 ? $", … ({ids.Count} in all)" : "")}";

    private static string F(double v) => v.ToString("0.0000", CultureInfo.InvariantCulture);

    private static string Signed(double v) => v.ToString("+0.0000;-0.0000;0.0000", CultureInfo.InvariantCulture);
}
