using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace MineRefine.Evaluation;

/// <summary>Renders <see cref="QueryDifferences"/> for the terminal: per listed query its values in A and B and, when
/// known, both runs' top hits side by side, each marked with its judged grade (2, 1, 0; '·' = unjudged, counted as 0
/// by plain NDCG, recall and precision).</summary>
public static class QueryDifferenceTable
{
    /// <summary>Longest title shown; longer ones are cut with '…'.</summary>
    public const int MaxTitle = 60;

    /// <summary>The two lists, B's largest losses first.</summary>
    public static IRenderable Render(QueryDifferences d)
    {
        var parts = new List<IRenderable>
        {
            new Markup($"[bold]Queries where B differs most from A on {Markup.Escape(d.Metric)}[/] ({d.Compared} compared; " +
                       "hits: judged grade 2/1/0, · = unjudged)"),
        };
        foreach (var (title, list) in new[] { ("B worse than A", d.BWorse), ("B better than A", d.BBetter) })
        {
            parts.Add(new Markup($"[bold]{title}[/]" + (list.Count == 0 ? ": none" : "")));
            foreach (var q in list) parts.Add(Query(q, d.Metric));
        }
        return new Rows(parts);
    }

    /// <summary>The same content as plain rows for a report table: per listed query one row per rank, the query and its
    /// values on the first; a hit reads "grade title (id)" with '·' for an unjudged one.</summary>
    public static (string[] Header, List<string[]> Rows) PlainRows(QueryDifferences d, string nameA, string nameB)
    {
        string[] header = ["", "query", $"{d.Metric} {nameA} → {nameB}", "rank", nameA, nameB];
        var rows = new List<string[]>();
        foreach (var (side, list) in new[] { ($"{nameB} worse", d.BWorse), ($"{nameB} better", d.BBetter) })
            foreach (var q in list)
            {
                int depth = Math.Max(1, Math.Max(q.TopA?.Count ?? 0, q.TopB?.Count ?? 0));
                for (int r = 0; r < depth; r++)
                    rows.Add(r == 0
                        ? [side, q.QueryText ?? q.QueryId, $"{F(q.A)} → {F(q.B)}", q.TopA is null && q.TopB is null ? "" : "1", Plain(q.TopA, 0), Plain(q.TopB, 0)]
                        : ["", "", "", (r + 1).ToString(CultureInfo.InvariantCulture), Plain(q.TopA, r), Plain(q.TopB, r)]);
            }
        return (header, rows);
    }

    private static string F(double v) => v.ToString("0.0000", CultureInfo.InvariantCulture);

    private static string Plain(IReadOnlyList<RankedHit>? hits, int r)
    {
        if (hits is null || r >= hits.Count) return "";
        var h = hits[r];
        return h.Title is { } t ? $"{Grade(h)} {Short(t)} ({h.ProductId})" : $"{Grade(h)} {h.ProductId}";
    }

    /// <summary>The hit's judged grade, or '·' when it was never judged.</summary>
    private static string Grade(RankedHit h) => h.Grade is { } g ? g.ToString(CultureInfo.InvariantCulture) : "·";

    /// <summary>The title cut to <see cref="MaxTitle"/> characters.</summary>
    private static string Short(string title) => title.Length > MaxTitle ? title[..(MaxTitle - 1)] + "…" : title;

    private static IRenderable Query(QueryDifference q, string metric)
    {
        string name = q.QueryText is { } text && text != q.QueryId
            ? $"[bold]{Markup.Escape(text)}[/] [grey](id {Markup.Escape(q.QueryId)})[/]"
            : $"[bold]{Markup.Escape(q.QueryText ?? q.QueryId)}[/]";
        var head = new Markup($"{name}: {Markup.Escape(metric)} A {F(q.A)} → B {F(q.B)} (Δ {(q.Delta >= 0 ? "+" : "")}{F(q.Delta)})");
        if (q.TopA is null && q.TopB is null) return head;
        var table = new Table().Border(TableBorder.Simple);
        table.AddColumn(new TableColumn("#").RightAligned());
        if (q.TopA is not null) table.AddColumn("A");
        if (q.TopB is not null) table.AddColumn("B");
        int rows = Math.Max(q.TopA?.Count ?? 0, q.TopB?.Count ?? 0);
        for (int r = 0; r < rows; r++)
        {
            var cells = new List<string> { (r + 1).ToString(CultureInfo.InvariantCulture) };
            if (q.TopA is not null) cells.Add(Cell(q.TopA, r));
            if (q.TopB is not null) cells.Add(Cell(q.TopB, r));
            table.AddRow(cells.ToArray());
        }
        return new Rows(head, table);
    }

    private static string Cell(IReadOnlyList<RankedHit> hits, int r)
    {
        if (r >= hits.Count) return "";
        var h = hits[r];
        string text = h.Title is { } t
            ? Markup.Escape(Short(t)) + $" [grey]{Markup.Escape(h.ProductId)}[/]"
            : Markup.Escape(h.ProductId);
        return $"[bold]{Grade(h)}[/] {text}";
    }
}
