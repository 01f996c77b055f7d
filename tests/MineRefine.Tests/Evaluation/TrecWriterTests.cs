using MineRefine.Data;
using MineRefine.Evaluation;
using MineRefine.Retrieval;

namespace MineRefine.Tests.Evaluation;

public class TrecWriterTests
{
    [Fact]
    public void Writes_run_and_qrels_lines()
    {
        var run = new StringWriter();
        TrecWriter.WriteRun(run, [("q1", (IReadOnlyList<SearchHit>)[new("p1", 2.5f), new("p2", 1f)])], "bm25");
        Assert.Equal("q1 Q0 p1 1 2.5 bm25\nq1 Q0 p2 2 1 bm25\n", run.ToString());
        var qrels = new StringWriter();
        TrecWriter.WriteQrels(qrels, [new Judgment("q1", "p1", 2, JudgmentSource.Human)]);
        Assert.Equal("q1 0 p1 2\n", qrels.ToString());
    }

    [Fact]
    public void Escapes_white_space_and_percent_in_ids()
    {
        var qrels = new StringWriter();
        TrecWriter.WriteQrels(qrels, [new Judgment("angle bracket", "p%1", 1, JudgmentSource.Human)]);
        Assert.Equal("angle%20bracket 0 p%251 1\n", qrels.ToString());
        Assert.Equal("a%09b%C2%A0c", TrecWriter.EscapeId("a\tb\u00A0c"));
        Assert.Equal("plain-id", TrecWriter.EscapeId("plain-id"));
        Assert.Throws<ArgumentException>(() => TrecWriter.EscapeId(""));
    }
}
