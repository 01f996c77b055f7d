using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace MineRefine.Evaluation;

/// <summary>Readable Spectre.Console rendering of an <see cref="EvaluationResult"/>.</summary>
public static class EvaluationTable
{
    /// <summary>A table with one row per metric family and one column per cut-off, plus a separation table when
    /// present.</summary>
    public static IRenderable Render(EvaluationResult result)
    {
        var cutoffs = result.MetricKeys
            .Where(k => k.StartsWith("ndcg@", StringComparison.Ordinal))
            .Select(k => k["ndcg@".Length..]).ToList();
        var header = new Markup($"[bold]{Markup.Escape(result.System)}[/]: {result.Queries} queries " +
                                $"({result.Skipped} skipped: no relevant item; {result.QueriesWithExact} with grade 2)");
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn("metric");
        foreach (var k in cutoffs) table.AddColumn(new TableColumn($"@{k}").RightAligned());
        foreach (var family in new[] { "ndcg", "recall", "precision", "recall2", "precision2", "ndcg_judged", "judged", "ndcg_tie_aware", "tied" })
            table.AddRow([family, .. cutoffs.Select(k => Fmt(result.Metrics.GetValueOrDefault($"{family}@{k}")))]);
        foreach (var key in result.MetricKeys.Where(k => k.StartsWith("mrr@", StringComparison.Ordinal)))
            table.AddRow([key, Fmt(result.Metrics[key]), .. cutoffs.Skip(1).Select(_ => "")]);

        if (result.Separation is not { } s) return new Rows(header, table);
        var sep = new Table().Border(TableBorder.Rounded).Title("[bold]score separation[/] (judged pairs)");
        sep.AddColumn("grade");
        foreach (var c in new[] { "pairs", "mean", "p10", "p50", "p90" }) sep.AddColumn(new TableColumn(c).RightAligned());
        for (int g = 2; g >= 0; g--)
        {
            var st = s.ForGrade(g);
            sep.AddRow(g.ToString(CultureInfo.InvariantCulture), st.Count.ToString(CultureInfo.InvariantCulture),
                Fmt(st.Mean), Fmt(st.P10), Fmt(st.P50), Fmt(st.P90));
        }
        var summary = new Grid().AddColumn().AddColumn(new GridColumn().RightAligned());
        summary.AddRow("average margin", Fmt(s.AverageMargin));
        summary.AddRow("worst-case margin", Fmt(s.WorstCaseMargin));
        summary.AddRow("margin queries", s.MarginQueries.ToString(CultureInfo.InvariantCulture));
        summary.AddRow("AUC 2 vs 0", Fmt(s.Auc2Vs0));
        summary.AddRow("AUC 1 vs 0", Fmt(s.Auc1Vs0));
        summary.AddRow("AUC 2 vs 1", Fmt(s.Auc2Vs1));
        if (s.PairsUnscorable > 0) summary.AddRow("unscorable pairs", s.PairsUnscorable.ToString(CultureInfo.InvariantCulture));
        if (s.PairsWithoutScore is { } without)
            summary.AddRow("judged pairs without a score (not ranked)", without.ToString(CultureInfo.InvariantCulture));
        return new Rows(header, table, sep, summary);
    }

    private static string Fmt(double? v) => v is { } x ? x.ToString("0.0000", CultureInfo.InvariantCulture) : "–";
}
