using Spectre.Console;

namespace MineRefine.Cli.Infrastructure;

/// <summary>A command's JSON report as a two-column console table (the same keys as its JSON file).</summary>
public static class ReportTables
{
    /// <summary>Writes <paramref name="report"/>, flattened (<see cref="MineRefine.Reporting.ReportBuilder.Flatten"/>),
    /// as rows of key and value under the heading <paramref name="title"/>; at most <paramref name="maxRows"/> rows.</summary>
    public static void Write(IAnsiConsole console, string title, object report, int maxRows = int.MaxValue)
    {
        var table = new Table().AddColumns(Markup.Escape(title), "value");
        foreach (var kv in MineRefine.Reporting.ReportBuilder.Flatten(report).Take(maxRows))
            table.AddRow(Markup.Escape(kv.Key), Markup.Escape(kv.Value));
        console.Write(table);
    }
}
