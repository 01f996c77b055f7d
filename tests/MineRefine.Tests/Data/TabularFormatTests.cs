using System.Text;
using System.Text.Json;
using MineRefine.Data;
using MineRefine.Data.Import;
using MineRefine.Data.Sample;
using Parquet;
using Parquet.Schema;

namespace MineRefine.Tests.Data;

public class TabularFormatTests
{
    // ---------- round trip ----------

    /// <summary>A small sample marketplace, varied so every field and edge of the layout is exercised: several
    /// product locales, products without description / attributes / category path, titles and descriptions with
    /// commas, quotes and line breaks, every judgment source, engagement.</summary>
    private static Dataset VariedSample()
    {
        var m = SampleMarketplaceGenerator.Generate(new SampleOptions { Seed = 5, Products = 300, Queries = 60 }).Data;
        string[] locales = ["en", "de", "es", ""];
        var products = m.Products.Select((p, i) => p with
        {
            Locale = locales[i % locales.Length],
            Title = i % 19 == 0 ? p.Title + ", \"Pro\" edition\nsecond line" : p.Title,
            Description = i % 11 == 0 ? null : i % 23 == 0 ? "Größe: \"XL\", grün;\r\nzweite Zeile" : p.Description,
            Attributes = i % 13 == 0 ? Product.EmptyAttributes : p.Attributes,
            CategoryPath = i % 17 == 0 ? Array.Empty<string>() : p.CategoryPath,
        }).ToList();
        var sources = Enum.GetValues<JudgmentSource>();
        var judgments = m.Judgments.Select((j, i) => j with { Source = sources[i % sources.Length] }).ToList();
        return new Dataset(products, m.Queries, judgments, m.Engagement);
    }

    private static void AssertSameData(Dataset expected, Dataset actual)
    {
        Assert.Equal(expected.Products.Count, actual.Products.Count);
        for (int i = 0; i < expected.Products.Count; i++)
        {
            Product a = expected.Products[i], b = actual.Products[i];
            Assert.Equal(a.Id, b.Id);
            Assert.Equal(a.Title, b.Title);
            Assert.Equal(a.Description, b.Description);
            Assert.Equal(a.CategoryPath, b.CategoryPath);
            Assert.Equal(a.Attributes.OrderBy(kv => kv.Key, StringComparer.Ordinal), b.Attributes.OrderBy(kv => kv.Key, StringComparer.Ordinal));
            Assert.Equal(a.Locale, b.Locale);
        }
        Assert.Equal(expected.Queries, actual.Queries);
        Assert.Equal(expected.Judgments, actual.Judgments);
        Assert.Equal(expected.Engagement, actual.Engagement);
        Assert.Equal(expected.Report.DuplicateProducts, actual.Report.DuplicateProducts);
        Assert.Equal(expected.Report.DuplicateJudgments, actual.Report.DuplicateJudgments);
        Assert.Equal(expected.Report.JudgmentsWithUnknownProduct, actual.Report.JudgmentsWithUnknownProduct);
        Assert.Equal(expected.Report.RowsRead.Values.Order(), actual.Report.RowsRead.Values.Order());
    }

    [Theory]
    [InlineData(DatasetFileFormat.Csv)]
    [InlineData(DatasetFileFormat.Parquet)]
    public void Write_then_load_gives_the_jsonl_data_set_field_by_field(DatasetFileFormat format)
    {
        using var dir = new TempDir();
        var data = VariedSample();
        string jsonl = Path.Combine(dir.Path, "jsonl"), other = Path.Combine(dir.Path, format.Name());
        DatasetWriter.Write(data, jsonl, DatasetFileFormat.Jsonl);
        var files = DatasetWriter.Write(data, other, format);
        Assert.Equal(["products", "queries", "judgments", "engagement"],
            files.Select(f => Path.GetFileNameWithoutExtension(f)));
        Assert.All(files, f => Assert.EndsWith(format.Extension(), f));

        var fromJsonl = DatasetLoader.Load(new DataSourceOptions { Format = "jsonl", DataDir = jsonl });
        var loaded = DatasetLoader.Load(new DataSourceOptions { Format = format.Name(), DataDir = other });
        // the sample really exercises what the layout has to carry
        Assert.Contains(fromJsonl.Products, p => p.Description is null);
        Assert.Contains(fromJsonl.Products, p => p.Description is not null && p.Description.Contains('\n'));
        Assert.Contains(fromJsonl.Products, p => p.CategoryPath.Count == 2);
        Assert.Contains(fromJsonl.Products, p => p.Attributes.Count > 1);
        Assert.True(fromJsonl.Products.Select(p => p.Locale).Distinct().Count() >= 3);
        Assert.True(fromJsonl.Queries.Select(q => q.Locale).Distinct().Count() >= 2);
        Assert.Equal(4, fromJsonl.Judgments.Select(j => j.Source).Distinct().Count());
        Assert.NotEmpty(fromJsonl.Engagement);
        AssertSameData(fromJsonl, loaded);
    }

    [Theory]
    [InlineData(DatasetFileFormat.Csv)]
    [InlineData(DatasetFileFormat.Parquet)]
    public void A_judgments_table_alone_reads_by_its_file_name_like_the_jsonl_one(DatasetFileFormat format)
    {
        // the single-file options (eval --qrels, audit --truth, --judge file:/complete:) take any of the three formats
        using var dir = new TempDir();
        var data = VariedSample();
        string other = Path.Combine(dir.Path, format.Name());
        DatasetWriter.Write(data, other, format);
        string jsonlPath = dir.File("judgments.jsonl");
        DatasetWriter.WriteJudgments(data.Judgments, jsonlPath);
        string path = Path.Combine(other, format.FileName("judgments"));
        Assert.Equal(format, DatasetFileFormats.FromFileName(path));
        Assert.Equal(DatasetFileFormat.Csv, DatasetFileFormats.FromFileName("qrels.CSV.gz"));
        Assert.Equal(DatasetFileFormat.Jsonl, DatasetFileFormats.FromFileName("truth-complete.jsonl.gz"));

        var expected = DatasetLoader.ReadJudgments(jsonlPath);
        Assert.Equal(data.Judgments.Count, expected.Count);
        Assert.Equal(expected, DatasetLoader.ReadJudgments(path));

        if (format == DatasetFileFormat.Csv)
        {
            File.WriteAllText(dir.File("bad.csv"), "query_id,product_id,grade\nq1,p1,2\nq1,p2,7\n");
            var e = Assert.Throws<DataFormatException>(() => DatasetLoader.ReadJudgments(dir.File("bad.csv")));
            Assert.Equal(3, e.Line);
            Assert.Equal("grade", e.Field);
        }
    }

    [Fact]
    public void Csv_layout_is_as_documented()
    {
        using var dir = new TempDir();
        var data = new Dataset(
            [
                new Product("p1", "Drill, \"cordless\"", "18 V", ["Tools", "Drills"],
                    new Dictionary<string, string> { ["brand"] = "Bosch", ["color"] = "blue" }, "en"),
                new Product("p2", "Hose", null, [], new Dictionary<string, string> { ["length"] = "20 m" }, ""),
            ],
            [new Query("q1", "drill", "en")],
            [new Judgment("q1", "p1", 2, JudgmentSource.Model), new Judgment("q1", "p2", 0, JudgmentSource.Human)]);
        var files = DatasetWriter.Write(data, dir.Path, DatasetFileFormat.Csv);
        Assert.Equal(3, files.Count); // no engagement → no engagement file
        Assert.Equal(
            "id,title,description,category_path,locale,attr.brand,attr.color,attr.length\n" +
            "p1,\"Drill, \"\"cordless\"\"\",18 V,Tools > Drills,en,Bosch,blue,\n" +
            "p2,Hose,,,,,,20 m\n",
            File.ReadAllText(dir.File("products.csv")));
        Assert.Equal("query_id,product_id,grade,source\nq1,p1,2,model\nq1,p2,0,human\n", File.ReadAllText(dir.File("judgments.csv")));
    }

    [Fact]
    public void Writing_without_engagement_removes_a_stale_engagement_file()
    {
        using var dir = new TempDir();
        dir.Write("engagement.csv", "query_id,product_id,impressions,clicks\nq1,p1,5,1\n");
        var data = new Dataset([Product.Simple("p1", "Drill")], [new Query("q1", "drill", "en")],
            [new Judgment("q1", "p1", 2, JudgmentSource.Human)]);
        DatasetWriter.Write(data, dir.Path, DatasetFileFormat.Csv);
        Assert.False(File.Exists(dir.File("engagement.csv")));
        Assert.Empty(DatasetLoader.Load(new DataSourceOptions { Format = "csv", DataDir = dir.Path }).Engagement);
    }

    [Theory]
    [InlineData("Audio > Wireless", "level separator")]
    [InlineData("Audio >", "'>'")]
    [InlineData(" Audio", "whitespace")]
    [InlineData("", "empty")]
    public void A_category_level_that_cannot_be_a_cell_is_refused_before_writing(string level, string why)
    {
        using var dir = new TempDir();
        var data = new Dataset(
            [new Product("p7", "Headset", null, [level, "Headphones"], Product.EmptyAttributes, "en")],
            [new Query("q1", "headset", "en")], [new Judgment("q1", "p7", 2, JudgmentSource.Human)]);
        foreach (var format in new[] { DatasetFileFormat.Csv, DatasetFileFormat.Parquet })
        {
            var ex = Assert.Throws<ArgumentException>(() => DatasetWriter.Write(data, Path.Combine(dir.Path, format.Name()), format));
            Assert.Contains("p7", ex.Message);
            Assert.Contains("category_path", ex.Message);
            Assert.Contains(why, ex.Message);
            Assert.False(File.Exists(Path.Combine(dir.Path, format.Name(), format.FileName("products"))));
        }
    }

    // ---------- hand-written CSV ----------

    [Fact]
    public void Hand_written_csv_with_bom_quotes_attributes_blanks_and_gzip_loads()
    {
        using var dir = new TempDir();
        dir.Write("products.csv",
            "\uFEFFid,title,description,category_path,locale,attr.brand,attr.color,notes\r\n" +
            "p1,\"Drill, cordless\",\"18 V, \"\"brushless\"\"\nwith case\",Tools > Power Tools > Drills,en,Bosch,,ignored\r\n" +
            "p2,Hose,,,,,green,\r\n" +
            "\r\n" +
            "p3, Lamp ,  ,  ,de,Ikea,white,\r\n");
        dir.WriteGzip("queries.csv.gz", "id,text,locale\nq1,cordless drill,en\nq2,\"lampe, weiß\",de\n", Encoding.UTF8);
        // gzip content under a plain .csv name: detected by its magic bytes
        dir.WriteGzip("judgments.csv", "query_id,product_id,grade,source\nq1,p1,2,\nq1,p2,0,audit\nq2,p3,1,human\nq2,p9,0,\n",
            new UTF8Encoding(false));
        dir.Write("engagement.csv", "product_id,query_id,clicks,impressions,orders\np1,q1,3,40,\np1,q1,1,10,1\n");

        var d = DatasetLoader.Load(new DataSourceOptions { Format = "csv", DataDir = dir.Path });
        Assert.Equal(3, d.Products.Count);
        var p1 = d.Products[0];
        Assert.Equal("Drill, cordless", p1.Title);
        Assert.Equal("18 V, \"brushless\"\nwith case", p1.Description);
        Assert.Equal(["Tools", "Power Tools", "Drills"], p1.CategoryPath);
        Assert.Equal(new Dictionary<string, string> { ["brand"] = "Bosch" }, p1.Attributes); // blank color = absent
        Assert.Equal("en", p1.Locale);
        var p2 = d.Products[1];
        Assert.Null(p2.Description);
        Assert.Empty(p2.CategoryPath);
        Assert.Equal("", p2.Locale);
        Assert.Equal(new Dictionary<string, string> { ["color"] = "green" }, p2.Attributes);
        var p3 = d.Products[2];
        Assert.Equal("Lamp", p3.Title);           // required strings are trimmed, as in JSONL
        Assert.Equal("  ", p3.Description);       // optional text is kept as written, as in JSONL
        Assert.Empty(p3.CategoryPath);
        Assert.Equal([new Query("q1", "cordless drill", "en"), new Query("q2", "lampe, weiß", "de")], d.Queries);
        Assert.Equal(
            [
                new Judgment("q1", "p1", 2, JudgmentSource.Human), new Judgment("q1", "p2", 0, JudgmentSource.Audit),
                new Judgment("q2", "p3", 1, JudgmentSource.Human), new Judgment("q2", "p9", 0, JudgmentSource.Human),
            ],
            d.Judgments);
        Assert.Equal(1, d.Report.JudgmentsWithUnknownProduct);                        // p9: kept and counted
        Assert.Equal(new EngagementEvent("q1", "p1", 50, 4, 0, 1), d.Engagement.Single()); // repeated pairs summed
    }

    [Fact]
    public void Explicit_files_override_the_folder_and_queries_come_from_the_judgments_folder()
    {
        using var dir = new TempDir();
        dir.Write("catalog.csv", "id,title\np1,Drill\n");
        dir.Write("queries.csv", "id,text\nq1,drill\n");
        dir.Write("graded.csv", "query_id,product_id,grade\nq1,p1,2\n");
        var d = DatasetLoader.Load(new DataSourceOptions { Format = "csv", Products = dir.File("catalog.csv"), Judgments = dir.File("graded.csv") });
        Assert.Equal("Drill", d.Products.Single().Title);
        Assert.Equal(new Judgment("q1", "p1", 2, JudgmentSource.Human), d.Judgments.Single());
    }

    // ---------- errors ----------

    private static string CsvFolder(TempDir dir, string judgments, string? products = null)
    {
        dir.Write("products.csv", products ?? "id,title\np1,A\np2,B\n");
        dir.Write("queries.csv", "id,text,locale\nq1,a,\nq2,b,es\n");
        dir.Write("judgments.csv", judgments);
        return dir.Path;
    }

    private static Dataset LoadCsv(string folder) => DatasetLoader.Load(new DataSourceOptions { Format = "csv", DataDir = folder });

    [Fact]
    public void A_missing_required_column_names_the_file_the_header_line_and_the_column()
    {
        using var dir = new TempDir();
        string folder = CsvFolder(dir, "query_id,product_id,grade\nq1,p1,2\n", "id,name,locale\np1,A,en\n");
        var ex = Assert.Throws<DataFormatException>(() => LoadCsv(folder));
        Assert.Equal((dir.File("products.csv"), 1L, "title"), (ex.FilePath, ex.Line, ex.Field));
        Assert.Contains("found: id, name, locale", ex.Message);
        Assert.StartsWith(dir.File("products.csv") + ":1: field 'title': missing column", ex.Message);
    }

    [Theory]
    [InlineData("q1,p1,3", "grade", "field 'grade': grade 3 is outside 0–2")]
    [InlineData("q1,p1,x", "grade", "field 'grade': expected 0, 1 or 2, got 'x'")]
    [InlineData("q1,p1,1.5", "grade", "field 'grade': expected 0, 1 or 2, got '1.5'")]
    [InlineData("q1,p1,", "grade", "field 'grade': empty value")]
    [InlineData("q1,p1", "grade", "field 'grade': missing field")]
    [InlineData("q1,,1", "product_id", "field 'product_id': empty value")]
    [InlineData("q9,p1,1", "query_id", "field 'query_id': unknown query id 'q9' (not in queries.csv)")]
    [InlineData("q1,p1,1,robot", "source", "field 'source': unknown source 'robot' (expected human, model, audit or synthetic)")]
    [InlineData("q1,p1,1,human,extra", null, "row has 5 fields but the header has 4 (unquoted separator?)")]
    public void A_bad_judgment_row_names_file_line_and_field(string bad, string? field, string message)
    {
        using var dir = new TempDir();
        // blank lines before the bad row still count: the error names the physical line (5)
        string folder = CsvFolder(dir, "query_id,product_id,grade,source\nq1,p1,2,\"human\"\n\n\n" + bad + "\n");
        var ex = Assert.Throws<DataFormatException>(() => LoadCsv(folder));
        Assert.Equal((dir.File("judgments.csv"), 5L, field), (ex.FilePath, ex.Line, ex.Field));
        Assert.Equal($"{dir.File("judgments.csv")}:5: {message}", ex.Message);
    }

    [Fact]
    public void Line_numbers_count_line_breaks_inside_quoted_fields()
    {
        using var dir = new TempDir();
        string folder = CsvFolder(dir, "query_id,product_id,grade\nq1,p1,2\n",
            "id,title,description\np1,A,\"two\nlines\"\np2,,x\n");
        var ex = Assert.Throws<DataFormatException>(() => LoadCsv(folder));
        Assert.Equal((4L, "title", "empty value"), (ex.Line, ex.Field, ex.Reason));
    }

    [Fact]
    public void Engagement_rules_are_the_jsonl_rules()
    {
        using var dir = new TempDir();
        string folder = CsvFolder(dir, "query_id,product_id,grade\nq1,p1,2\n");
        dir.Write("engagement.csv", "query_id,product_id,impressions,clicks\nq1,p1,5,9\n");
        var ex = Assert.Throws<DataFormatException>(() => LoadCsv(folder));
        Assert.Equal((2L, "clicks", "9 clicks exceed 5 impressions"), (ex.Line, ex.Field, ex.Reason));

        dir.Write("engagement.csv", "query_id,product_id,impressions,clicks\nq1,p1,-1,0\n");
        ex = Assert.Throws<DataFormatException>(() => LoadCsv(folder));
        Assert.Equal(("impressions", "negative count -1"), (ex.Field, ex.Reason));

        dir.Write("engagement.csv", "query_id,product_id,impressions,clicks\nq1,p1,5,two\n");
        ex = Assert.Throws<DataFormatException>(() => LoadCsv(folder));
        Assert.Equal(("clicks", "expected a whole number, got 'two'"), (ex.Field, ex.Reason));

        dir.Write("engagement.csv", "query_id,product_id,impressions,clicks\nq1,p1,5,2\n");
        var d = LoadCsv(folder);
        Assert.Single(d.Queries); // q2 has neither judgments nor engagement
        Assert.Equal(new EngagementEvent("q1", "p1", 5, 2, 0, 0), d.Engagement.Single());
    }

    [Fact]
    public void Skip_bad_rows_writes_the_raw_csv_lines_with_reasons_and_loads_the_rest()
    {
        using var dir = new TempDir();
        string folder = CsvFolder(dir,
            "query_id,product_id,grade\nq1,p1,2\nq1,p1,1\nq1,p2,3\nq2,zz,0\nq9,p1,1\n",
            "id,title,attr.brand\np1,A,Acme\np2,\" \",Zed\np1,A2,\n");
        var ex = Assert.Throws<DataFormatException>(() => LoadCsv(folder));
        Assert.Equal((3L, "title"), (ex.Line, ex.Field));

        string rej = dir.File("out/rejected.jsonl");
        var d = DatasetLoader.Load(new DataSourceOptions { Format = "csv", DataDir = folder, SkipBadRows = true, RejectedPath = rej });
        Assert.Equal("A2", d.Products.Single().Title);  // duplicate id: last wins, counted
        Assert.Empty(d.Products.Single().Attributes);
        Assert.Equal(1, d.Report.DuplicateProducts);
        Assert.Equal(2, d.Judgments.Count);
        Assert.Equal(1, d.Judgments[0].Grade);          // last wins
        Assert.Equal(1, d.Report.DuplicateJudgments);
        Assert.Equal(1, d.Report.JudgmentsWithUnknownProduct);
        Assert.Equal(3, d.Report.RowsRejected);
        Assert.Equal(Path.GetFullPath(rej), d.Report.RejectedPath);
        var lines = File.ReadAllLines(rej).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(3, lines.Count);
        Assert.Equal((dir.File("products.csv"), 3L, "title", "p2,\" \",Zed"),
            (lines[0].GetProperty("file").GetString(), lines[0].GetProperty("line").GetInt64(),
             lines[0].GetProperty("field").GetString(), lines[0].GetProperty("raw").GetString()));
        Assert.Equal("empty value", lines[0].GetProperty("reason").GetString());
        Assert.Equal(("grade", "q1,p2,3"), (lines[1].GetProperty("field").GetString(), lines[1].GetProperty("raw").GetString()));
        Assert.Equal("grade 3 is outside 0–2", lines[1].GetProperty("reason").GetString());
        Assert.Equal((6L, "query_id"), (lines[2].GetProperty("line").GetInt64(), lines[2].GetProperty("field").GetString()));
    }

    [Fact]
    public void An_attribute_column_without_a_name_is_an_error()
    {
        using var dir = new TempDir();
        string folder = CsvFolder(dir, "query_id,product_id,grade\nq1,p1,2\n", "id,title,attr.\np1,A,x\n");
        var ex = Assert.Throws<DataFormatException>(() => LoadCsv(folder));
        Assert.Equal((1L, "attr."), (ex.Line, ex.Field));
    }

    // ---------- Parquet ----------

    private static async Task<string> ParquetFolder(TempDir dir, long[] grades)
    {
        // integer id columns are read as their invariant text
        await ParquetTestFile.WriteAsync(dir.File("products.parquet"),
            (new DataField<long>("id"), new long[] { 101, 102 }),
            (new DataField<string>("title"), new string?[] { "Drill", "Hose" }),
            (new DataField<string>("category_path"), new string?[] { "Tools > Drills", null }),
            (new DataField<string>("attr.brand"), new string?[] { null, "Gardena" }),
            (new DataField<int?>("attr.pieces"), new int?[] { 3, null }));
        await ParquetTestFile.WriteAsync(dir.File("queries.parquet"),
            (new DataField<long>("id"), new long[] { 1, 2 }),
            (new DataField<string>("text"), new string?[] { "drill", "hose" }));
        int n = grades.Length;
        await ParquetTestFile.WriteAsync(dir.File("judgments.parquet"),
            (new DataField<long>("query_id"), Enumerable.Range(0, n).Select(i => (long)(i % 2 + 1)).ToArray()),
            (new DataField<long>("product_id"), Enumerable.Range(0, n).Select(i => (long)(i % 2 + 101)).ToArray()),
            (new DataField<long>("grade"), grades));
        return dir.Path;
    }

    [Fact]
    public async Task Parquet_with_integer_columns_loads_and_a_bad_grade_names_the_row()
    {
        using var dir = new TempDir();
        string folder = await ParquetFolder(dir, [2, 1]);
        var d = DatasetLoader.Load(new DataSourceOptions { Format = "parquet", DataDir = folder });
        Assert.Equal(["101", "102"], d.Products.Select(p => p.Id));
        Assert.Equal(["Tools", "Drills"], d.Products[0].CategoryPath);
        Assert.Equal(new Dictionary<string, string> { ["pieces"] = "3" }, d.Products[0].Attributes);
        Assert.Equal(new Dictionary<string, string> { ["brand"] = "Gardena" }, d.Products[1].Attributes);
        Assert.Equal([new Judgment("1", "101", 2, JudgmentSource.Human), new Judgment("2", "102", 1, JudgmentSource.Human)], d.Judgments);

        folder = await ParquetFolder(dir, [2, 1, 0, 5]);
        var ex = Assert.Throws<DataFormatException>(() => DatasetLoader.Load(new DataSourceOptions { Format = "parquet", DataDir = folder }));
        Assert.Equal((dir.File("judgments.parquet"), 4L, "grade"), (ex.FilePath, ex.Line, ex.Field));
        Assert.Equal("grade 5 is outside 0–2", ex.Reason);

        var skipped = DatasetLoader.Load(new DataSourceOptions
        {
            Format = "parquet", DataDir = folder, SkipBadRows = true, RejectedPath = dir.File("rej.jsonl"),
        });
        Assert.Equal(2, skipped.Judgments.Count); // rows 1 and 3 repeat pair (1, 101): last wins
        var rej = JsonDocument.Parse(File.ReadAllLines(dir.File("rej.jsonl")).Single()).RootElement;
        Assert.Equal(4, rej.GetProperty("line").GetInt64());
        Assert.Contains("\"grade\":\"5\"", rej.GetProperty("raw").GetString());
    }

    [Fact]
    public async Task Parquet_text_grade_and_missing_column_errors()
    {
        using var dir = new TempDir();
        await ParquetFolder(dir, [2]);
        await ParquetTestFile.WriteAsync(dir.File("judgments.parquet"),
            (new DataField<string>("query_id"), new string?[] { "1", "2" }),
            (new DataField<string>("product_id"), new string?[] { "101", "102" }),
            (new DataField<string>("grade"), new string?[] { "2", "x" }));
        var ex = Assert.Throws<DataFormatException>(() => DatasetLoader.Load(new DataSourceOptions { Format = "parquet", DataDir = dir.Path }));
        Assert.Equal((2L, "grade", "expected 0, 1 or 2, got 'x'"), (ex.Line, ex.Field, ex.Reason));

        await ParquetTestFile.WriteAsync(dir.File("judgments.parquet"),
            (new DataField<string>("query_id"), new string?[] { "1" }),
            (new DataField<string>("grade"), new string?[] { "2" }));
        ex = Assert.Throws<DataFormatException>(() => DatasetLoader.Load(new DataSourceOptions { Format = "parquet", DataDir = dir.Path }));
        Assert.Equal((dir.File("judgments.parquet"), "product_id"), (ex.FilePath, ex.Field));
        Assert.Contains("found: query_id, grade", ex.Message);
    }

    [Fact]
    public async Task Parquet_writer_uses_int64_for_numbers_and_row_groups_of_at_most_100k()
    {
        using var dir = new TempDir();
        var judgments = Enumerable.Range(0, 100_001).Select(i => new Judgment("q1", "p" + i, i % 3, JudgmentSource.Human)).ToList();
        var data = new Dataset([Product.Simple("p0", "A")], [new Query("q1", "a", "en")], judgments);
        DatasetWriter.Write(data, dir.Path, DatasetFileFormat.Parquet);
        await using (var fs = File.OpenRead(dir.File("judgments.parquet")))
        await using (var reader = await ParquetReader.CreateAsync(fs))
        {
            Assert.Equal(2, reader.RowGroupCount);
            var grade = reader.Schema.DataFields.Single(f => f.Name == "grade");
            Assert.Equal(typeof(long), grade.ClrType);
            var source = reader.Schema.DataFields.Single(f => f.Name == "source");
            Assert.Contains(source.ClrType, new[] { typeof(string), typeof(ReadOnlyMemory<char>) });
            Assert.True(source.IsNullable);
        }
        var back = DatasetLoader.Load(new DataSourceOptions { Format = "parquet", DataDir = dir.Path });
        Assert.Equal(judgments, back.Judgments);
    }

    [Fact]
    public void Options_validate_csv_and_parquet_like_jsonl()
    {
        foreach (var format in new[] { "csv", "parquet" })
        {
            var ex = Assert.Throws<ArgumentException>(() => new DataSourceOptions { Format = format, Products = "p" }.Validate());
            Assert.Equal($"--format {format} needs --data <folder> (or --products and --judgments).", ex.Message);
            new DataSourceOptions { Format = format, DataDir = "d" }.Validate();
            new DataSourceOptions { Format = format, Products = "p", Judgments = "j" }.Validate();
        }
        var unknown = Assert.Throws<ArgumentException>(() => new DataSourceOptions { Format = "xlsx", DataDir = "d" }.Validate());
        Assert.Contains("jsonl, csv, parquet", unknown.Message);
    }

    // ---------- a user's own column names (--column) ----------

    private static string ExportedCsvFolder(TempDir dir, string judgments)
    {
        // a warehouse export: its own column names, a stray "title" column that is not the product title
        dir.Write("products.csv", "sku,name,title,Brand,extra\nA1,Cordless drill,mr,Makita,x\nA2,Garden hose,ms,,y\n");
        dir.Write("queries.csv", "qid,query\nq1,drill\nq2,hose\n");
        dir.Write("judgments.csv", judgments);
        return dir.Path;
    }

    private static Dictionary<string, string> ExportColumns() => new()
    {
        ["products.id"] = "sku", ["products.title"] = "name", ["products.attr.brand"] = "Brand",
        ["queries.id"] = "qid", ["queries.text"] = "query",
        ["judgments.query_id"] = "qid", ["judgments.product_id"] = "sku", ["judgments.grade"] = "label",
    };

    [Fact]
    public void Columns_of_other_names_are_read_as_the_fields_they_are_mapped_to()
    {
        using var dir = new TempDir();
        string folder = ExportedCsvFolder(dir, "qid,sku,label\nq1,A1,2\nq2,A2,1\n");
        var d = DatasetLoader.Load(new DataSourceOptions { Format = "csv", DataDir = folder, Columns = ExportColumns() });
        Assert.Equal(["A1", "A2"], d.Products.Select(p => p.Id));
        Assert.Equal(["Cordless drill", "Garden hose"], d.Products.Select(p => p.Title)); // the mapped column, not "title"
        Assert.Equal(new Dictionary<string, string> { ["brand"] = "Makita" }, d.Products[0].Attributes);
        Assert.Empty(d.Products[1].Attributes);
        Assert.Equal(["drill", "hose"], d.Queries.Select(q => q.Text));
        Assert.Equal([new Judgment("q1", "A1", 2, JudgmentSource.Human), new Judgment("q2", "A2", 1, JudgmentSource.Human)], d.Judgments);

        // The same tables as Parquet load the same way.
        using var pq = new TempDir();
        DatasetWriter.Write(d, Path.Combine(pq.Path, "mr"), DatasetFileFormat.Parquet);
        var roundTrip = DatasetLoader.Load(new DataSourceOptions { Format = "parquet", DataDir = Path.Combine(pq.Path, "mr") });
        Assert.Equal(d.Judgments, roundTrip.Judgments);
    }

    [Fact]
    public async Task Parquet_columns_of_other_names_are_read_as_mapped_and_errors_name_the_files_column()
    {
        using var dir = new TempDir();
        await ParquetTestFile.WriteAsync(dir.File("products.parquet"),
            (new DataField<long>("sku"), new long[] { 101, 102 }),
            (new DataField<string>("name"), new string?[] { "Drill", "Hose" }),
            (new DataField<string>("Brand"), new string?[] { "Bosch", null }));
        await ParquetTestFile.WriteAsync(dir.File("queries.parquet"),
            (new DataField<long>("qid"), new long[] { 1, 2 }),
            (new DataField<string>("query"), new string?[] { "drill", "hose" }));
        await ParquetTestFile.WriteAsync(dir.File("judgments.parquet"),
            (new DataField<long>("qid"), new long[] { 1, 2 }),
            (new DataField<long>("sku"), new long[] { 101, 102 }),
            (new DataField<long>("label"), new long[] { 2, 7 }));
        var options = new DataSourceOptions { Format = "parquet", DataDir = dir.Path, Columns = ExportColumns() };
        var ex = Assert.Throws<DataFormatException>(() => DatasetLoader.Load(options));
        Assert.Equal((dir.File("judgments.parquet"), 2L, "label"), (ex.FilePath, ex.Line, ex.Field));
        Assert.Equal("grade 7 is outside 0–2 (read as grade by --column)", ex.Reason);

        options.SkipBadRows = true;
        options.RejectedPath = dir.File("rej.jsonl");
        var d = DatasetLoader.Load(options);
        Assert.Equal([new Judgment("1", "101", 2, JudgmentSource.Human)], d.Judgments);
        Assert.Equal(new Dictionary<string, string> { ["brand"] = "Bosch" }, d.Products[0].Attributes);
        var rej = JsonDocument.Parse(File.ReadAllLines(dir.File("rej.jsonl")).Single()).RootElement;
        Assert.Equal("label", rej.GetProperty("field").GetString());
        Assert.Contains("\"label\":\"7\"", rej.GetProperty("raw").GetString());
    }

    [Fact]
    public void A_bad_value_or_a_missing_mapped_column_names_the_column_in_the_file()
    {
        using var dir = new TempDir();
        string folder = ExportedCsvFolder(dir, "qid,sku,label\nq1,A1,2\nq2,A2,x\n");
        var ex = Assert.Throws<DataFormatException>(() =>
            DatasetLoader.Load(new DataSourceOptions { Format = "csv", DataDir = folder, Columns = ExportColumns() }));
        Assert.Equal((dir.File("judgments.csv"), 3L, "label"), (ex.FilePath, ex.Line, ex.Field));
        Assert.Equal("expected 0, 1 or 2, got 'x' (read as grade by --column)", ex.Reason);

        dir.Write("judgments.csv", "qid,sku,rating\nq1,A1,2\n");
        ex = Assert.Throws<DataFormatException>(() =>
            DatasetLoader.Load(new DataSourceOptions { Format = "csv", DataDir = folder, Columns = ExportColumns() }));
        Assert.Equal((dir.File("judgments.csv"), 1L, "label"), (ex.FilePath, ex.Line, ex.Field));
        Assert.StartsWith("missing column in header (found: qid, sku, rating) (read as grade by --column)", ex.Reason);
    }

    [Theory]
    [InlineData("csv", "products.name", "name", "'name' is not a field of products (its fields: id, title, description, category_path, locale, or attr.<name> for an attribute)")]
    [InlineData("csv", "orders.id", "x", "unknown table 'orders'")]
    [InlineData("csv", "judgments.grade", " ", "the column name is empty")]
    [InlineData("jsonl", "products.title", "name", "--format jsonl has fixed columns")]
    [InlineData("homedepot", "products.title", "name", "--format homedepot has fixed columns")]
    public void Column_options_are_checked_before_anything_is_read(string format, string key, string column, string message)
    {
        var o = new DataSourceOptions { Format = format, DataDir = "d", Products = "p", Judgments = "j", Columns = new() { [key] = column } };
        var ex = Assert.Throws<ArgumentException>(() => o.Validate());
        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public void Two_fields_of_one_table_cannot_read_the_same_column()
    {
        var o = new DataSourceOptions
        {
            Format = "csv", DataDir = "d", Columns = new() { ["products.id"] = "sku", ["products.title"] = "sku" },
        };
        var ex = Assert.Throws<ArgumentException>(() => o.Validate());
        Assert.Contains("both read column 'sku'", ex.Message);
        // the same column for fields of different tables is fine (query ids in queries and in judgments)
        new DataSourceOptions { Format = "csv", DataDir = "d", Columns = new() { ["queries.id"] = "qid", ["judgments.query_id"] = "qid" } }.Validate();
    }
}
