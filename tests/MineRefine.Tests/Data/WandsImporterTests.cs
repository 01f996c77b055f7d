using MineRefine.Data;

namespace MineRefine.Tests.Data;

public class WandsImporterTests
{
    private const string ProductHeader =
        "product_id\tproduct_name\tproduct_class\tcategory hierarchy\tproduct_description\tproduct_features\trating_count\taverage_rating\treview_count\n";

    private static string MakeFolder(TempDir dir, string products, string queries, string labels)
    {
        dir.Write("product.csv", ProductHeader + products);
        dir.Write("query.csv", "query_id\tquery\tquery_class\n" + queries);
        dir.Write("label.csv", "id\tquery_id\tproduct_id\tlabel\n" + labels);
        return dir.Path;
    }

    [Fact]
    public void LoadsProductsQueriesAndLabels()
    {
        using var dir = new TempDir();
        string folder = MakeFolder(dir,
            "0\tsolid wood platform bed\tBeds\tFurniture / Bedroom Furniture / Beds & Headboards / Beds\tgood bed, solid\tcolor:brown|material:wood\t15.0\t4.5\t15.0\n" +
            "1\tall-clad 7 qt . slow cooker\tSlow Cookers\tKitchen & Tabletop / Small Kitchen Appliances\t\t\t\t\t\n",
            "0\tsalon chair\tMassage Chairs\n1\tsmart coffee table\tCoffee & Cocktail Tables\n",
            "0\t0\t0\tExact\n1\t0\t1\tIrrelevant\n2\t1\t1\tPartial\n3\t1\t0\tPartial\n4\t1\t0\tExact\n");
        var d = DatasetLoader.Load(new DataSourceOptions { Format = "wands", DataDir = folder });
        Assert.Equal(2, d.Products.Count);
        var bed = d.FindProduct("0")!;
        Assert.Equal(new[] { "Furniture", "Bedroom Furniture", "Beds & Headboards", "Beds" }, bed.CategoryPath);
        Assert.Equal("wood", bed.Attributes["material"]);
        Assert.Equal("Beds", bed.Attributes["product_class"]);
        Assert.Equal("4.5", bed.Attributes["average_rating"]);
        Assert.Null(d.FindProduct("1")!.Description);
        Assert.Equal("smart coffee table", d.FindQuery("1")!.Text);
        Assert.Equal(4, d.Judgments.Count);
        Assert.Equal(1, d.Report.DuplicateJudgments);
        Assert.Equal(2, d.Judgments.Single(j => j.QueryId == "1" && j.ProductId == "0").Grade); // last wins
        Assert.Equal(0, d.Judgments.Single(j => j.QueryId == "0" && j.ProductId == "1").Grade);
        Assert.Equal(1, d.Judgments.Single(j => j.QueryId == "1" && j.ProductId == "1").Grade);
    }

    [Fact]
    public void UnknownLabelAndUnknownQueryAreErrorsOrRejected()
    {
        using var dir = new TempDir();
        string folder = MakeFolder(dir, "0\tbed\tBeds\tA / B\t\t\t\t\t\n", "0\tbed\tBeds\n",
            "0\t0\t0\tExact\n1\t0\t0\tMaybe\n2\t7\t0\tExact\n");
        var ex = Assert.Throws<DataFormatException>(() =>
            DatasetLoader.Load(new DataSourceOptions { Format = "wands", DataDir = folder }));
        Assert.Equal((3L, "label"), (ex.Line, ex.Field));
        Assert.EndsWith("label.csv", ex.FilePath);

        string rejected = dir.File("rej.jsonl");
        var d = DatasetLoader.Load(new DataSourceOptions
        {
            Format = "wands", DataDir = folder, SkipBadRows = true, RejectedPath = rejected,
        });
        Assert.Single(d.Judgments);
        Assert.Equal(2, d.Report.RowsRejected);
        var lines = File.ReadAllLines(rejected);
        Assert.Equal(2, lines.Length);
        Assert.Contains("\"field\":\"query_id\"", lines[1]);
    }

    [Fact]
    public void EmptyProductNameNamesField()
    {
        using var dir = new TempDir();
        string folder = MakeFolder(dir, "0\tbed\tBeds\tA\t\t\t\t\t\n1\t \tBeds\tA\t\t\t\t\t\n", "0\tbed\tBeds\n", "0\t0\t0\tExact\n");
        var ex = Assert.Throws<DataFormatException>(() =>
            DatasetLoader.Load(new DataSourceOptions { Format = "wands", DataDir = folder }));
        Assert.Equal((3L, "product_name"), (ex.Line, ex.Field));
    }
}
