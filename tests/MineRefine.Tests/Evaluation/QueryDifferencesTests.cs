using MineRefine.Evaluation;
using MineRefine.Retrieval;

namespace MineRefine.Tests.Evaluation;

public class QueryDifferencesTests
{
    private static PerQueryTable Table(string name, params string[] rows) =>
        PerQueryFile.Read(new StringReader("query_id,query_text,n_judged,n_relevant,n_exact,skipped,ndcg@10,recall@100\n" +
                                           string.Join("\n", rows) + "\n"), name);

    [Fact]
    public void Largest_lists_the_biggest_losses_and_gains_over_the_paired_queries_only()
    {
        var a = Table("a",
            "q1,red shoes,3,2,1,false,0.9,1", "q2,blue,3,2,1,false,0.5,1", "q3,green,3,2,1,false,0.2,1",
            "q4,tie,3,2,1,false,0.4,1", "q5,skipped in b,3,2,1,false,0.9,1", "q6,undefined,3,2,1,false,,1",
            "q7,small loss,3,2,1,false,0.6,1", "q8,same loss as q1,3,2,1,false,0.7,1", "onlyA,x,3,2,1,false,1,1");
        var b = Table("b",
            "q1,red shoes,3,2,1,false,0.1,1", "q2,blue,3,2,1,false,0.9,1", "q3,green,3,2,1,false,0.3,1",
            "q4,tie,3,2,1,false,0.4,1", "q5,skipped in b,3,2,1,true,,", "q6,undefined,3,2,1,false,0.5,1",
            "q7,small loss,3,2,1,false,0.55,1", "q8,same loss as q1,3,2,1,false,-0.1,1");
        var d = QueryDifferences.Largest(a, b, "ndcg@10", 2);
        Assert.Equal(6, d.Compared); // q1–q4, q7, q8: q5 skipped in B, q6 undefined in A, onlyA not in B
        // Losses: q1 and q8 both −0.8 (ordered by id), then q7 (−0.05) is cut by n = 2.
        Assert.Equal(["q1", "q8"], d.BWorse.Select(q => q.QueryId));
        Assert.All(d.BWorse, q => Assert.Equal(-0.8, q.Delta, 12));
        Assert.Equal("red shoes", d.BWorse[0].QueryText);
        // Gains: q2 (+0.4) then q3 (+0.1); the tie q4 is in neither list.
        Assert.Equal(["q2", "q3"], d.BBetter.Select(q => q.QueryId));
        Assert.Equal(0.4, d.BBetter[0].Delta, 12);
        Assert.Equal(0.5, d.BBetter[0].A);
        Assert.Equal(0.9, d.BBetter[0].B);

        Assert.Throws<ArgumentException>(() => QueryDifferences.Largest(a, b, "ndcg@10", 0));
        Assert.Throws<MineRefine.Data.DataFormatException>(() => QueryDifferences.Largest(a, b, "ndcg@5", 1));
    }

    [Fact]
    public void Attached_hits_carry_the_judged_grade_or_none_and_the_title()
    {
        var a = Table("a", "q1,shoes,3,2,1,false,1,1");
        var b = Table("b", "q1,shoes,3,2,1,false,0,1");
        var d = QueryDifferences.Largest(a, b, "ndcg@10", 5);
        var runA = new Dictionary<string, IReadOnlyList<string>> { ["q1"] = ["p1", "p2"] };
        var runB = new Dictionary<string, IReadOnlyList<string>> { ["q1"] = ["p3"] };
        var qrels = new Dictionary<(string, string), int> { [("q1", "p1")] = 2, [("q1", "p3")] = 0 };
        d.AttachHits(runA, qrels, runB, qrels, id => id == "p2" ? null : "title " + id);
        var q = Assert.Single(d.BWorse);
        Assert.Equal([new RankedHit("p1", 2, "title p1"), new RankedHit("p2", null, null)], q.TopA!);
        Assert.Equal([new RankedHit("p3", 0, "title p3")], q.TopB!);
    }

    [Fact]
    public void Plain_rows_give_one_row_per_rank_with_the_query_on_the_first()
    {
        var a = Table("a", "q1,shoes,3,2,1,false,1,1", "q2,hats,3,2,1,false,0.25,1");
        var b = Table("b", "q1,shoes,3,2,1,false,0.5,1", "q2,hats,3,2,1,false,0.75,1");
        var d = QueryDifferences.Largest(a, b, "ndcg@10", 3);
        var qrels = new Dictionary<(string, string), int> { [("q1", "p1")] = 2 };
        d.AttachHits(new Dictionary<string, IReadOnlyList<string>> { ["q1"] = ["p1", "p2"], ["q2"] = ["p9"] }, qrels,
            new Dictionary<string, IReadOnlyList<string>> { ["q1"] = ["p2"], ["q2"] = ["p9"] }, qrels,
            id => id == "p1" ? new string('x', 70) : null);
        var (header, rows) = QueryDifferenceTable.PlainRows(d, "bm25", "stage 2");
        Assert.Equal(["", "query", "ndcg@10 bm25 → stage 2", "rank", "bm25", "stage 2"], header);
        Assert.Equal(3, rows.Count); // q1: two ranks (A has two hits), q2: one
        Assert.Equal(["stage 2 worse", "shoes", "1.0000 → 0.5000", "1", "2 " + new string('x', 59) + "… (p1)", "· p2"], rows[0]);
        Assert.Equal(["", "", "", "2", "· p2", ""], rows[1]);
        Assert.Equal(["stage 2 better", "hats", "0.2500 → 0.7500", "1", "· p9", "· p9"], rows[2]);
    }

    [Fact]
    public void Trec_files_read_back_what_the_writer_wrote_ids_unescaped_and_ranks_in_order()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mr-trec-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string run = Path.Combine(dir, "run.trec"), qrels = Path.Combine(dir, "qrels.trec");
            using (var w = new StreamWriter(run))
                TrecWriter.WriteRun(w, [("red shoes", [new SearchHit("p 1", 2f), new SearchHit("50%off", 1f), new SearchHit("p3", 0.5f)]),
                                        ("q2", [new SearchHit("x", 1f)])], "test");
            using (var w = new StreamWriter(qrels))
                TrecWriter.WriteQrels(w, [new MineRefine.Data.Judgment("red shoes", "50%off", 1, MineRefine.Data.JudgmentSource.Human)]);
            var ranked = TrecReader.ReadRun(run, depth: 2);
            Assert.Equal(["p 1", "50%off"], ranked["red shoes"]);
            Assert.Equal(["x"], ranked["q2"]);
            Assert.Equal(3, TrecReader.ReadRun(run)["red shoes"].Count);
            Assert.Equal(1, TrecReader.ReadQrels(qrels)[("red shoes", "50%off")]);

            File.WriteAllText(run, "q Q0 p x 1.0 test\n");
            var e = Assert.Throws<MineRefine.Data.DataFormatException>(() => TrecReader.ReadRun(run));
            Assert.Contains("rank (field 4)", e.Message);
            Assert.Contains(":1", e.Message);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
