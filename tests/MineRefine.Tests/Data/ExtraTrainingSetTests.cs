using MineRefine.Data;

namespace MineRefine.Tests.Data;

/// <summary><see cref="ExtraTrainingSet"/>: extra training queries join the training split only, and every problem in
/// the folder is an error naming the file, line and field.</summary>
public sealed class ExtraTrainingSetTests
{
    private static Dataset Data() => new(
        [Product.Simple("p1", "red drill"), Product.Simple("p2", "blue hammer"), Product.Simple("p3", "green saw")],
        [new Query("q1", "drill", ""), new Query("q2", "hammer", "")],
        [new Judgment("q1", "p1", 2, JudgmentSource.Human), new Judgment("q2", "p2", 2, JudgmentSource.Human)]);

    private static TempDir Folder(string queries, string judgments)
    {
        var dir = new TempDir();
        dir.Write("queries.jsonl", queries);
        dir.Write("judgments.jsonl", judgments);
        return dir;
    }

    private const string TwoQueries = "{\"id\":\"syn-1\",\"text\":\"red drill\"}\n\n{\"id\":\"syn-2\",\"text\":\"green saw\"}\n";

    [Fact]
    public void Loads_the_folder_and_adds_it_to_the_training_split_only()
    {
        using var t = Folder(TwoQueries,
            "{\"query_id\":\"syn-1\",\"product_id\":\"p1\",\"grade\":2,\"source\":\"synthetic\"}\n" +
            "{\"query_id\":\"syn-1\",\"product_id\":\"p3\",\"grade\":0,\"source\":\"synthetic\"}\n" +
            "{\"query_id\":\"syn-2\",\"product_id\":\"p3\",\"grade\":1,\"source\":\"synthetic\"}\n");
        string dir = t.Path;
        var data = Data();
        var extra = ExtraTrainingSet.Load(dir, data);
        Assert.Equal(["syn-1", "syn-2"], extra.Queries.Select(q => q.Id));
        Assert.Equal([1, 1, 1], extra.GradeCounts());
        Assert.All(extra.Judgments, j => Assert.Equal(JudgmentSource.Synthetic, j.Source));

        var train = new[] { data.Judgments[0] };
        var (merged, mergedTrain) = ExtraTrainingSet.AddTo(data, train, [extra]);
        Assert.Equal(["q1", "q2", "syn-1", "syn-2"], merged.Queries.Select(q => q.Id));
        Assert.Equal("green saw", merged.FindQuery("syn-2")!.Text);
        Assert.Same(data.Products, merged.Products);
        Assert.Same(data.Judgments, merged.Judgments);          // the data set's judgments (and so its dev/test pairs) are untouched
        Assert.Equal(4, mergedTrain.Count);
        Assert.Equal(train[0], mergedTrain[0]);
        Assert.Equal(extra.Judgments, mergedTrain.Skip(1));

        var none = ExtraTrainingSet.AddTo(data, train, []);
        Assert.Same(data, none.Data);
        Assert.Same(train, none.Train);
        using var emptyDir = Folder("", "");                       // e.g. a pipeline run with --no-synthetic
        var empty = ExtraTrainingSet.AddTo(data, train, [ExtraTrainingSet.Load(emptyDir.Path, data)]);
        Assert.Same(data, empty.Data);
        Assert.Same(train, empty.Train);
        Assert.Equal([Path.Combine(dir, "queries.jsonl"), Path.Combine(dir, "judgments.jsonl")], ExtraTrainingSet.Files(dir));
    }

    [Theory]
    [InlineData("{\"id\":\"syn-1\",\"text\":\"a\"}\n{\"id\":\"syn-1\",\"text\":\"b\"}\n", "", "queries.jsonl:2: field 'id': query id 'syn-1' repeats line 1")]
    [InlineData("{\"id\":\"q2\",\"text\":\"hammer\"}\n", "", "queries.jsonl:1: field 'id': query id 'q2' is already a query of the data set")]
    [InlineData("{\"id\":\"syn-1\"}\n", "", "queries.jsonl:1: field 'text'")]
    [InlineData(TwoQueries, "{\"query_id\":\"q1\",\"product_id\":\"p2\",\"grade\":0}\n",
        "judgments.jsonl:1: field 'query_id': query 'q1' is a query of the data set")]
    [InlineData(TwoQueries, "{\"query_id\":\"syn-1\",\"product_id\":\"p1\",\"grade\":2}\n{\"query_id\":\"syn-9\",\"product_id\":\"p1\",\"grade\":2}\n",
        "judgments.jsonl:2: field 'query_id': query 'syn-9' is not in")]
    [InlineData(TwoQueries, "{\"query_id\":\"syn-1\",\"product_id\":\"p7\",\"grade\":2}\n", "judgments.jsonl:1: field 'product_id': product 'p7' is not in the catalog")]
    [InlineData(TwoQueries, "{\"query_id\":\"syn-1\",\"product_id\":\"p1\",\"grade\":2}\n\n{\"query_id\":\"syn-1\",\"product_id\":\"p1\",\"grade\":0}\n",
        "judgments.jsonl:3: field 'product_id': the pair ('syn-1', 'p1') is already graded on line 1")]
    [InlineData(TwoQueries, "{\"query_id\":\"syn-1\",\"product_id\":\"p1\",\"grade\":3}\n", "judgments.jsonl:1: field 'grade': grade 3 is outside 0–2")]
    public void A_bad_row_is_an_error_naming_file_line_and_field(string queries, string judgments, string expected)
    {
        using var t = Folder(queries, judgments);
        var e = Assert.Throws<DataFormatException>(() => ExtraTrainingSet.Load(t.Path, Data()));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Missing_folder_missing_file_and_ids_shared_by_two_folders_are_errors()
    {
        string missing = Path.Combine(Path.GetTempPath(), "mr-no-such-" + Guid.NewGuid().ToString("N"));
        Assert.Contains("does not exist", Assert.Throws<ArgumentException>(() => ExtraTrainingSet.Load(missing, Data())).Message);

        using var ta = Folder(TwoQueries, "");
        using var tb = Folder(TwoQueries, "");
        string a = ta.Path, b = tb.Path;
        File.Delete(Path.Combine(b, "judgments.jsonl"));
        Assert.Contains("has no judgments.jsonl", Assert.Throws<ArgumentException>(() => ExtraTrainingSet.Load(b, Data())).Message);
        File.WriteAllText(Path.Combine(b, "judgments.jsonl"), "");
        var data = Data();
        var e = Assert.Throws<ArgumentException>(() =>
            ExtraTrainingSet.AddTo(data, data.Judgments, [ExtraTrainingSet.Load(a, data), ExtraTrainingSet.Load(b, data)]));
        Assert.Contains("Query id 'syn-1' is in two extra training folders", e.Message);
    }
}
