using MineRefine.Data;
using MineRefine.Data.Import;
using MineRefine.Data.Sample;
using MineRefine.Labeling;

namespace MineRefine.Tests.Data;

/// <summary>The sample's complete qrels (truth-complete.jsonl) and the judge that reads complete files.</summary>
public sealed class CompleteTruthTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mr-ct-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    private static SampleMarketplace Small() =>
        SampleMarketplaceGenerator.Generate(new SampleOptions { Seed = 5, Products = 300, Queries = 40 });

    [Fact]
    public void Lists_every_relevant_pair_of_the_policy_and_every_judged_pair_with_its_true_grade()
    {
        var m = Small();
        var complete = m.CompleteTruth();
        var byPair = complete.ToDictionary(j => (j.QueryId, j.ProductId), j => j.Grade);
        Assert.Equal(complete.Count, byPair.Count); // no pair twice

        // Every judged pair is listed with its noise-free grade.
        foreach (var t in m.Truth) Assert.Equal(t.Grade, byPair[(t.QueryId, t.ProductId)]);

        // Every (query, product) pair: listed exactly when the policy grades it ≥ 1 or it was judged; the listed grade is the policy's.
        var judged = m.Truth.Select(t => (t.QueryId, t.ProductId)).ToHashSet();
        int relevant = 0;
        foreach (var q in m.Data.Queries)
            foreach (var p in m.Data.Products)
            {
                int g = SampleGradingPolicy.Grade(m.Intents[q.Id], p);
                bool listed = byPair.TryGetValue((q.Id, p.Id), out int listedGrade);
                Assert.Equal(g > 0 || judged.Contains((q.Id, p.Id)), listed);
                if (listed) Assert.Equal(g, listedGrade);
                if (g > 0) relevant++;
            }
        // Far more relevant pairs than the judgments show: the false negatives of "unjudged = 0".
        int judgedRelevant = m.Truth.Count(t => t.Grade > 0);
        Assert.True(relevant > 3 * judgedRelevant, $"{relevant} relevant pairs vs {judgedRelevant} judged relevant");
    }

    [Fact]
    public void Is_written_next_to_the_sample_and_reads_back()
    {
        var m = Small();
        m.WriteTo(_dir);
        var back = JsonlFormat.ReadJudgments(Path.Combine(_dir, JsonlFormat.CompleteTruthFile));
        Assert.Equal(m.CompleteTruth().Select(j => (j.QueryId, j.ProductId, j.Grade)), back.Select(j => (j.QueryId, j.ProductId, j.Grade)));
    }

    [Fact]
    public async Task File_judge_errors_on_unlisted_pairs_unless_the_file_is_complete()
    {
        var judgments = new[] { new Judgment("q1", "p1", 2, JudgmentSource.Human) };
        var pairs = new[] { new LabelRequest("q1", "drill", "p1", "drill"), new LabelRequest("q1", "drill", "p2", "lamp") };

        using var strict = new JudgmentFileLabeler(judgments, "file:x");
        await Assert.ThrowsAsync<LabelingException>(() => strict.LabelAsync(pairs));

        using var complete = new JudgmentFileLabeler(judgments, "complete:x", unlistedGrade: Grades.Irrelevant);
        var r = await complete.LabelAsync(pairs);
        Assert.Equal(new[] { 2, 0 }, r.Select(x => x.Grade));

        Assert.Throws<ArgumentOutOfRangeException>(() => new JudgmentFileLabeler(judgments, "x", unlistedGrade: 3));
    }
}
