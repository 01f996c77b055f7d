using MineRefine.Data;
using MineRefine.Evaluation;
using MineRefine.Retrieval;

namespace MineRefine.Tests.Evaluation;

public class TieAwareNdcgTests
{
    private static double D(int rank) => 1 / Math.Log2(rank + 1); // discount of a 1-based rank

    [Fact]
    public void A_tie_across_the_cut_off_gives_each_tied_rank_the_runs_mean_gain()
    {
        // Scores 3, 2, 2, 1 with grades 0, 2, 0, 1: runs {1}, {2, 3}, {4}. The tied run's mean gain is (1 + 0) / 2.
        int[] grades = [0, 2, 0, 1];
        float[] scores = [3f, 2f, 2f, 1f];
        Assert.Equal(0.5 * D(2), TieAwareNdcg.ExpectedDcg(grades, scores, 2), 12);
        Assert.Equal(0.5 * (D(2) + D(3)), TieAwareNdcg.ExpectedDcg(grades, scores, 3), 12);
        Assert.Equal(0.5 * (D(2) + D(3)) + 0.5 * D(4), TieAwareNdcg.ExpectedDcg(grades, scores, 10), 12);
        // Plain DCG@2 credits the grade-2 item the tie-break happened to put first: 1/log2(3).
        Assert.Equal(D(2), Ndcg.Dcg(grades, 2), 12);
        // NDCG: over IDCG@2 of the judged grades {2, 1, 0} = 1 + 0.5/log2(3).
        Assert.Equal(0.5 * D(2) / (1 + 0.5 * D(2)), TieAwareNdcg.At(grades, scores, [2, 1, 0], 2), 12);
        Assert.Equal(0.2398124666, TieAwareNdcg.At(grades, scores, [2, 1, 0], 2), 9);
        Assert.Equal(0.0, TieAwareNdcg.At([0], [1f], [0, 0], 10)); // IDCG = 0 → 0, as for plain NDCG
    }

    [Fact]
    public void It_equals_plain_ndcg_without_ties_or_below_the_cut_off_but_not_for_a_tie_inside_the_top_k()
    {
        int[] grades = [2, 0, 1, 1, 0, 2];
        int[] judged = [2, 2, 1, 1, 1, 0];
        Assert.Equal(Ndcg.At(grades, judged, 3), TieAwareNdcg.At(grades, [6f, 5f, 4f, 3f, 2f, 1f], judged, 3), 12);
        // Ranks 1–3 tied, K = 3: every order puts the same three gains into the top 3 — but not at the same discounts,
        // so the expectation is the mean gain times the three discounts, not the plain value.
        float[] headTie = [5f, 5f, 5f, 2f, 1f, 0f];
        Assert.Equal((1 + 0 + 0.5) / 3 * (D(1) + D(2) + D(3)), TieAwareNdcg.ExpectedDcg(grades, headTie, 3), 12);
        // A run strictly below the cut-off changes nothing at K.
        float[] tailTie = [6f, 5f, 4f, 1f, 1f, 1f];
        Assert.Equal(Ndcg.Dcg(grades, 3), TieAwareNdcg.ExpectedDcg(grades, tailTie, 3), 12);
    }

    [Fact]
    public void It_equals_the_mean_over_every_tie_breaking_order_by_brute_force()
    {
        var rng = new Random(5);
        for (int trial = 0; trial < 40; trial++)
        {
            int n = rng.Next(1, 8);
            var grades = Enumerable.Range(0, n).Select(_ => rng.Next(3)).ToArray();
            // Descending scores drawn from a few values so that runs of ties are common.
            var scores = Enumerable.Range(0, n).Select(_ => (float)rng.Next(4)).OrderDescending().ToArray();
            int k = rng.Next(1, n + 2);
            double sum = 0;
            int orders = 0;
            foreach (var order in TieBreakOrders(scores))
            {
                sum += Ndcg.Dcg(order.Select(i => grades[i]).ToArray(), k);
                orders++;
            }
            Assert.Equal(sum / orders, TieAwareNdcg.ExpectedDcg(grades, scores, k), 10);
        }
    }

    [Fact]
    public void Tied_at_k_says_whether_the_top_k_depends_on_the_tie_break()
    {
        float[] scores = [3f, 2f, 2f, 1f];
        Assert.Equal(0.0, TieAwareNdcg.TiedAt(scores, 1));
        Assert.Equal(1.0, TieAwareNdcg.TiedAt(scores, 2)); // rank 2 and rank 3 share 2.0
        Assert.Equal(0.0, TieAwareNdcg.TiedAt(scores, 3));
        Assert.Equal(0.0, TieAwareNdcg.TiedAt(scores, 4)); // nothing retrieved after rank 4
        Assert.Equal(0.0, TieAwareNdcg.TiedAt([float.NaN, float.NaN], 1)); // NaN never ties
        Assert.Equal(1.0, TieAwareNdcg.ExpectedDcg([2, 0], [float.NaN, float.NaN], 1), 12); // tied it would be 0.5
    }

    [Fact]
    public void Bad_arguments_say_what_is_wrong()
    {
        var mismatch = Assert.Throws<ArgumentException>(() => TieAwareNdcg.ExpectedDcg([2, 0], [1f], 10));
        Assert.Contains("one score per retrieved item", mismatch.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => TieAwareNdcg.ExpectedDcg([2], [1f], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => TieAwareNdcg.TiedAt([1f], 0));
    }

    [Fact]
    public void The_evaluator_reports_tie_aware_ndcg_and_tied_at_k()
    {
        var products = Enumerable.Range(1, 4).Select(i => Product.Simple($"p{i}", $"product {i}")).ToList();
        var queries = new List<Query> { new("q1", "alpha", "en"), new("q2", "beta", "en") };
        var judgments = new List<Judgment>
        {
            new("q1", "p2", 2, JudgmentSource.Human), new("q1", "p3", 0, JudgmentSource.Human),
            new("q2", "p1", 1, JudgmentSource.Human),
        };
        var ds = new Dataset(products, queries, judgments);
        // q1: p4 (unjudged) first, then p2 (2) and p3 (0) tied, then p1. q2: no ties, p1 first.
        var retriever = new FakeRetriever(new Dictionary<string, SearchHit[]>
        {
            ["alpha"] = [new("p4", 3f), new("p2", 2f), new("p3", 2f), new("p1", 1f)],
            ["beta"] = [new("p1", 0.9f), new("p2", 0.5f)],
        });
        var r = new RetrievalEvaluator(new EvaluationOptions { Cutoffs = [2, 10], MrrCutoff = 2 })
            .Evaluate("fake", new RetrieveOnly(retriever), ds, judgments);

        // q1 @2: plain DCG = 1/log2(3), tie-aware 0.5/log2(3); IDCG@2 over {2, 0} = 1. q2: 1 either way.
        Assert.Equal((D(2) + 1) / 2, r.Metrics["ndcg@2"]!.Value, 12);
        Assert.Equal((0.5 * D(2) + 1) / 2, r.Metrics["ndcg_tie_aware@2"]!.Value, 12);
        // @10 the run sits wholly inside the top 10 but at ranks 2–3: 0.5 · (1/log2(3) + 1/log2(4)).
        Assert.Equal((0.5 * (D(2) + D(3)) + 1) / 2, r.Metrics["ndcg_tie_aware@10"]!.Value, 12);
        Assert.Equal(0.5, r.Metrics["tied@2"]!.Value, 12);   // q1 only
        Assert.Equal(0.0, r.Metrics["tied@10"]!.Value, 12);
        var q1 = r.PerQuery.Single(q => q.QueryId == "q1");
        Assert.Equal(1.0, q1.Metrics["tied@2"]);

        // Cut-off 4 = depth: q1's list is full, so a tie with its unseen 5th item is unknown (NaN, left out of the
        // mean); q2 retrieved only 2, so nothing follows its 4th rank and it is not tied.
        var atDepth = new RetrievalEvaluator(new EvaluationOptions { Cutoffs = [2, 4], MrrCutoff = 2 })
            .Evaluate("fake", new RetrieveOnly(retriever), ds, judgments);
        Assert.True(double.IsNaN(atDepth.PerQuery.Single(q => q.QueryId == "q1").Metrics["tied@4"]));
        Assert.Equal(0.0, atDepth.PerQuery.Single(q => q.QueryId == "q2").Metrics["tied@4"]);
        Assert.Equal(0.0, atDepth.Metrics["tied@4"]!.Value, 12);
    }

    /// <summary>Every order of the item indexes that keeps the score order and permutes each run of equal scores.</summary>
    private static IEnumerable<int[]> TieBreakOrders(float[] scores)
    {
        var runs = new List<int[]>();
        for (int s = 0; s < scores.Length;)
        {
            int e = s + 1;
            while (e < scores.Length && scores[e] == scores[s]) e++;
            runs.Add(Enumerable.Range(s, e - s).ToArray());
            s = e;
        }
        IEnumerable<int[]> Expand(int r)
        {
            if (r == runs.Count) { yield return []; yield break; }
            foreach (var head in Permutations(runs[r]))
                foreach (var tail in Expand(r + 1))
                    yield return [.. head, .. tail];
        }
        return Expand(0);
    }

    private static IEnumerable<int[]> Permutations(int[] items)
    {
        if (items.Length <= 1) { yield return items; yield break; }
        for (int i = 0; i < items.Length; i++)
            foreach (var rest in Permutations(items.Where((_, j) => j != i).ToArray()))
                yield return [items[i], .. rest];
    }
}
