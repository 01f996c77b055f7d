using MineRefine.Data;
using Parquet;
using Parquet.Schema;

namespace MineRefine.Tests.Data;

public class EsciImporterTests
{
    private static async Task<(string Products, string Examples)> Make(TempDir dir, string?[] labels)
    {
        string p = dir.File("products.parquet"), e = dir.File("examples.parquet");
        await ParquetTestFile.WriteAsync(p,
        [
            (new DataField<string>("product_id"), new string?[] { "B01", "B02", "B03", "B03" }),
            (new DataField<string>("product_title"), new string?[] { "Usb cable", "Phone case", "Cable USB", "USB Kabel" }),
            (new DataField<string>("product_description"), new string?[] { "A cable", null, "", "" }),
            (new DataField<string>("product_bullet_point"), new string?[] { null, "Fits phone", "b", null }),
            (new DataField<string>("product_brand"), new string?[] { "Acme", "Zed", null, null }),
            (new DataField<string>("product_color"), new string?[] { "black", null, null, null }),
            (new DataField<string>("product_locale"), new string?[] { "us", "us", "es", "jp" }),
        ]);
        int n = labels.Length;
        await ParquetTestFile.WriteAsync(e,
        [
            (new DataField<long>("example_id"), Enumerable.Range(0, n).Select(i => (long)i).ToArray()),
            (new DataField<string>("query"), new[] { "usb cable", "usb cable", "usb cable", "cable usb", "cable usb" }.Take(n).ToArray<string?>()),
            (new DataField<long?>("query_id"), new long?[] { 1, 1, 1, 2, 2 }.Take(n).ToArray()), // nullable, as pyarrow writes
            (new DataField<string>("product_id"), new[] { "B01", "B02", "B09", "B03", "B01" }.Take(n).ToArray<string?>()),
            (new DataField<string>("product_locale"), new[] { "us", "us", "us", "es", "us" }.Take(n).ToArray<string?>()),
            (new DataField<string>("esci_label"), labels),
            (new DataField<long>("small_version"), new long[n]),
            (new DataField<long>("large_version"), new long[n]),
            (new DataField<string>("split"), Enumerable.Repeat<string?>("train", n).ToArray()),
        ]);
        return (p, e);
    }

    [Fact]
    public async Task LoadsLabelsLocalesAndMultiLocaleIds()
    {
        using var dir = new TempDir();
        var (p, e) = await Make(dir, ["E", "C", "I", "S", "I"]);
        var d = DatasetLoader.Load(new DataSourceOptions { Format = "esci", Products = p, Judgments = e });
        Assert.Equal(4, d.Products.Count);
        Assert.Equal("B01", d.Products[0].Id);                       // single-locale id kept as is
        Assert.Equal("us", d.Products[0].Locale);
        Assert.Equal("Acme", d.Products[0].Attributes["brand"]);
        Assert.Equal("Fits phone", d.FindProduct("B02")!.Description); // bullets when no description
        Assert.NotNull(d.FindProduct("es:B03"));                        // id in two locales → locale-prefixed
        Assert.Equal("jp", d.FindProduct("jp:B03")!.Locale);
        Assert.Null(d.FindProduct("B03"));
        Assert.Equal(2, d.Queries.Count);
        Assert.Equal("es", d.FindQuery("2")!.Locale);
        Assert.Equal(new[] { 2, 1, 0, 1, 0 }, d.Judgments.Select(j => j.Grade).ToArray());
        Assert.Equal("es:B03", d.Judgments[3].ProductId);
        Assert.Equal(1, d.Report.JudgmentsWithUnknownProduct);          // B09
    }

    [Fact]
    public async Task UnknownLabelNamesRowAndField()
    {
        using var dir = new TempDir();
        var (p, e) = await Make(dir, ["E", "C", "X", "S", "I"]);
        var ex = Assert.Throws<DataFormatException>(() =>
            DatasetLoader.Load(new DataSourceOptions { Format = "esci", Products = p, Judgments = e }));
        Assert.Equal((e, 3L, "esci_label"), (ex.FilePath, ex.Line, ex.Field));

        var d = DatasetLoader.Load(new DataSourceOptions
        {
            Format = "esci", Products = p, Judgments = e, SkipBadRows = true, RejectedPath = dir.File("rej.jsonl"),
        });
        Assert.Equal(4, d.Judgments.Count);
        Assert.Equal(1, d.Report.RowsRejected);
        var rej = System.Text.Json.JsonDocument.Parse(File.ReadAllLines(dir.File("rej.jsonl")).Single()).RootElement;
        Assert.Equal(3, rej.GetProperty("line").GetInt64());
        Assert.Contains("\"esci_label\":\"X\"", rej.GetProperty("raw").GetString());
    }

    [Fact]
    public async Task MissingColumnIsAnError()
    {
        using var dir = new TempDir();
        string p = dir.File("p.parquet");
        await ParquetTestFile.WriteAsync(p, [(new DataField<string>("product_id"), new string?[] { "B01" })]);
        var ex = Assert.Throws<DataFormatException>(() =>
            DatasetLoader.Load(new DataSourceOptions { Format = "esci", Products = p, Judgments = p }));
        Assert.Equal("product_title", ex.Field);
    }
}
