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
    public void Rejects_ids_with_white_space()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            TrecWriter.WriteQrels(new StringWriter(), [new Judgment("q 1", "p1", 2, JudgmentSource.Human)]));
        Assert.Contains("q 1", ex.Message);
    }
}
