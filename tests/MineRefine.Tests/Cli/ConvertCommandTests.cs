using System.Text.Json;
using MineRefine.Data;
using MineRefine.Tests.Data;

namespace MineRefine.Tests.Cli;

public sealed class ConvertCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Sample()
    {
        string sample = _dir.File("sample");
        var r = CliRunner.Run("sample", "--out", sample, "--products", "300", "--queries", "50", "--seed", "4");
        Assert.True(r.Code == 0, r.Err);
        return sample;
    }

    private static JsonElement Metrics(string evalDir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(evalDir, "metrics.json")));
        return doc.RootElement.Clone();
    }

    [Fact]
    public void Sample_converted_to_csv_evaluates_exactly_like_the_jsonl_original()
    {
        string sample = Sample();
        string csv = _dir.File("csv");
        var conv = CliRunner.Run("convert", "--format", "sample", "--data", sample, "--to", "csv", "--out", csv, "--json");
        Assert.True(conv.Code == 0, conv.Err);
        using (var result = JsonDocument.Parse(conv.Out))
        {
            var root = result.RootElement;
            Assert.Equal("csv", root.GetProperty("format").GetString());
            Assert.Equal(300, root.GetProperty("products").GetInt32());
            Assert.True(root.GetProperty("judgments").GetInt32() > 0);
            Assert.True(root.GetProperty("engagement").GetInt32() > 0);
            Assert.Equal(0, root.GetProperty("rows_rejected").GetInt64());
        }
        foreach (var f in new[] { "products.csv", "queries.csv", "judgments.csv", "engagement.csv", "run.json" })
            Assert.True(File.Exists(Path.Combine(csv, f)), f);
        // The sample's qrels come along as tables of the same format (what eval --qrels reads).
        foreach (var f in new[] { "truth.csv", "truth-complete.csv" })
            Assert.True(File.Exists(Path.Combine(csv, f)), f);
        Assert.Equal(DatasetLoader.ReadJudgments(Path.Combine(sample, "truth-complete.jsonl")),
            DatasetLoader.ReadJudgments(Path.Combine(csv, "truth-complete.csv")));
        using (var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(csv, "run.json"))))
        {
            Assert.Equal("convert", run.RootElement.GetProperty("command").GetString());
            Assert.Contains(run.RootElement.GetProperty("inputs").EnumerateObject(), p => p.Name.EndsWith("judgments.jsonl"));
            Assert.Equal(6, run.RootElement.GetProperty("outputs").EnumerateArray().Count(o => !o.GetString()!.EndsWith("run.json")));
        }
        // Graded against the converted complete truth, a system scores what it scores against the original.
        var tj = CliRunner.Run("eval", "--format", "jsonl", "--data", sample, "--retriever", "bm25", "--qrels",
            Path.Combine(sample, "truth-complete.jsonl"), "--out", _dir.File("eval-truth-jsonl"));
        Assert.True(tj.Code == 0, tj.Err);
        var tc = CliRunner.Run("eval", "--format", "csv", "--data", csv, "--retriever", "bm25", "--qrels",
            Path.Combine(csv, "truth-complete.csv"), "--out", _dir.File("eval-truth-csv"));
        Assert.True(tc.Code == 0, tc.Err);
        Assert.Equal(Metrics(_dir.File("eval-truth-jsonl")).GetProperty("metrics").GetRawText(),
            Metrics(_dir.File("eval-truth-csv")).GetProperty("metrics").GetRawText());

        var a = CliRunner.Run("eval", "--format", "jsonl", "--data", sample, "--retriever", "bm25", "--out", _dir.File("eval-jsonl"));
        Assert.True(a.Code == 0, a.Err);
        var b = CliRunner.Run("eval", "--format", "csv", "--data", csv, "--retriever", "bm25", "--out", _dir.File("eval-csv"));
        Assert.True(b.Code == 0, b.Err);
        var ma = Metrics(_dir.File("eval-jsonl"));
        var mb = Metrics(_dir.File("eval-csv"));
        Assert.Equal(ma.GetProperty("queries").GetInt32(), mb.GetProperty("queries").GetInt32());
        Assert.Equal(ma.GetProperty("skipped").GetInt32(), mb.GetProperty("skipped").GetInt32());
        Assert.Equal(ma.GetProperty("metrics").GetRawText(), mb.GetProperty("metrics").GetRawText());
    }

    [Fact]
    public void Gzip_csv_output_loads_back_as_the_same_data_and_replaces_a_stale_plain_table()
    {
        string sample = Sample();
        string csv = _dir.File("csv"), gz = _dir.File("gz");
        Assert.Equal(0, CliRunner.Run("convert", "--format", "sample", "--data", sample, "--to", "csv", "--out", csv).Code);
        // A stale plain table in the output folder (the loader prefers products.csv over products.csv.gz) must go.
        Directory.CreateDirectory(gz);
        File.WriteAllText(Path.Combine(gz, "products.csv"), "product_id,title\nstale,Stale product\n");
        var r = CliRunner.Run("convert", "--format", "sample", "--data", sample, "--to", "csv", "--gzip", "--out", gz);
        Assert.True(r.Code == 0, r.Err);
        foreach (var t in new[] { "products", "queries", "judgments", "engagement" })
        {
            string f = Path.Combine(gz, t + ".csv.gz");
            Assert.True(File.Exists(f), f);
            var head = new byte[2];
            using (var fs = File.OpenRead(f)) fs.ReadExactly(head);
            Assert.Equal(new byte[] { 0x1f, 0x8b }, head); // gzip magic
            Assert.False(File.Exists(Path.Combine(gz, t + ".csv")), t + ".csv should not remain");
            Assert.True(new FileInfo(f).Length < new FileInfo(Path.Combine(csv, t + ".csv")).Length, t);
        }
        var plain = DatasetLoader.Load(new DataSourceOptions { Format = "csv", DataDir = csv });
        var packed = DatasetLoader.Load(new DataSourceOptions { Format = "csv", DataDir = gz });
        Assert.Equal(plain.Products.Select(p => (p.Id, p.Title, p.Description, string.Join("|", p.CategoryPath))),
            packed.Products.Select(p => (p.Id, p.Title, p.Description, string.Join("|", p.CategoryPath))));
        Assert.Equal(plain.Queries, packed.Queries);
        Assert.Equal(plain.Judgments, packed.Judgments);
        Assert.Equal(plain.Engagement, packed.Engagement);

        // Converting a plain CSV folder to gzip in place would delete its input tables: refused.
        var inPlace = CliRunner.Run("convert", "--format", "csv", "--data", csv, "--to", "csv", "--gzip", "--out", csv);
        Assert.Equal(2, inPlace.Code);
        Assert.Contains("would overwrite the input file", inPlace.Err);
        Assert.True(File.Exists(Path.Combine(csv, "products.csv")));
        // --gzip is for CSV only.
        var parquet = CliRunner.Run("convert", "--format", "sample", "--data", sample, "--to", "parquet", "--gzip", "--out", _dir.File("pq"));
        Assert.Equal(2, parquet.Code);
        Assert.Contains("--gzip is for --to csv only", parquet.Err);
    }

    [Fact]
    public void Sample_converted_to_parquet_and_back_to_jsonl_loads_the_same_data()
    {
        string sample = Sample();
        string parquet = _dir.File("parquet"), back = _dir.File("back");
        var r1 = CliRunner.Run("convert", "--format", "sample", "--data", sample, "--to", "parquet", "--out", parquet);
        Assert.True(r1.Code == 0, r1.Err);
        Assert.Contains("products", r1.Out);
        var r2 = CliRunner.Run("convert", "--format", "parquet", "--data", parquet, "--out", back); // --to jsonl is the default
        Assert.True(r2.Code == 0, r2.Err);

        var original = DatasetLoader.Load(new DataSourceOptions { Format = "jsonl", DataDir = sample });
        var viaParquet = DatasetLoader.Load(new DataSourceOptions { Format = "parquet", DataDir = parquet });
        var roundTrip = DatasetLoader.Load(new DataSourceOptions { Format = "jsonl", DataDir = back });
        foreach (var d in new[] { viaParquet, roundTrip })
        {
            Assert.Equal(original.Products.Select(p => (p.Id, p.Title, p.Description, string.Join("|", p.CategoryPath), p.Locale)),
                d.Products.Select(p => (p.Id, p.Title, p.Description, string.Join("|", p.CategoryPath), p.Locale)));
            Assert.Equal(original.Products.Select(p => string.Join(";", p.Attributes.OrderBy(kv => kv.Key, StringComparer.Ordinal))),
                d.Products.Select(p => string.Join(";", p.Attributes.OrderBy(kv => kv.Key, StringComparer.Ordinal))));
            Assert.Equal(original.Queries, d.Queries);
            Assert.Equal(original.Judgments, d.Judgments);
            Assert.Equal(original.Engagement, d.Engagement);
        }
        // The sample's qrels as Parquet tables; a parquet folder carries no truth.jsonl, so the way back has none.
        foreach (var t in new[] { "truth", "truth-complete" })
            Assert.Equal(DatasetLoader.ReadJudgments(Path.Combine(sample, t + ".jsonl")),
                DatasetLoader.ReadJudgments(Path.Combine(parquet, t + ".parquet")));
        Assert.False(File.Exists(Path.Combine(back, "truth.jsonl")));
    }

    [Fact]
    public void A_bad_to_value_is_exit_code_2_with_the_choices()
    {
        string data = _dir.File("data");
        Directory.CreateDirectory(data);
        var (code, _, err) = CliRunner.Run("convert", "--format", "jsonl", "--data", data, "--to", "xlsx", "--out", _dir.File("out"));
        Assert.Equal(2, code);
        Assert.Contains("Unknown --to 'xlsx'. Use one of: jsonl, csv, parquet.", err);
    }

    [Fact]
    public void Converting_onto_the_input_files_is_refused()
    {
        string sample = Sample();
        var (code, _, err) = CliRunner.Run("convert", "--format", "jsonl", "--data", sample, "--to", "jsonl", "--out", sample);
        Assert.Equal(2, code);
        Assert.Contains("would overwrite the input file", err);
    }

    [Fact]
    public void Skip_bad_rows_counts_and_writes_the_rejected_rows()
    {
        string data = Directory.CreateDirectory(_dir.File("bad")).FullName;
        _dir.Write("bad/products.csv", "id,title\np1,Drill\np2,\n");
        _dir.Write("bad/queries.csv", "id,text\nq1,drill\n");
        _dir.Write("bad/judgments.csv", "query_id,product_id,grade\nq1,p1,2\nq1,p2,7\n");
        string outDir = _dir.File("fixed");
        var stop = CliRunner.Run("convert", "--format", "csv", "--data", data, "--out", outDir);
        Assert.Equal(2, stop.Code);
        Assert.Contains("products.csv:3: field 'title': empty value", stop.Err);

        var r = CliRunner.Run("convert", "--format", "csv", "--data", data, "--skip-bad-rows", "--to", "parquet", "--out", outDir, "--json");
        Assert.True(r.Code == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal(2, doc.RootElement.GetProperty("rows_rejected").GetInt64());
        Assert.Equal(1, doc.RootElement.GetProperty("products").GetInt32());
        Assert.Equal(2, File.ReadAllLines(Path.Combine(outDir, "rejected.jsonl")).Length);
        var d = DatasetLoader.Load(new DataSourceOptions { Format = "parquet", DataDir = outDir });
        Assert.Equal(new Judgment("q1", "p1", 2, JudgmentSource.Human), d.Judgments.Single());
    }

    [Fact]
    public void A_warehouse_export_with_its_own_column_names_converts_through_column_options()
    {
        string export = _dir.File("export");
        Directory.CreateDirectory(export);
        File.WriteAllText(Path.Combine(export, "products.csv"), "sku,name,Brand\nA1,Cordless drill,Makita\nA2,Garden hose,\n");
        File.WriteAllText(Path.Combine(export, "queries.csv"), "qid,query\nq1,drill\n");
        File.WriteAllText(Path.Combine(export, "judgments.csv"), "qid,sku,label\nq1,A1,2\nq1,A2,0\n");
        string[] columns =
        [
            "--column", "products.id=sku", "--column", "products.title=name", "--column", "products.attr.brand=Brand",
            "--column", "queries.id=qid", "--column", "queries.text=query",
            "--column", "judgments.query_id=qid", "--column", "judgments.product_id=sku", "--column", "judgments.grade=label",
        ];
        string outDir = _dir.File("mr");
        var r = CliRunner.Run(["convert", "--format", "csv", "--data", export, .. columns, "--to", "jsonl", "--out", outDir]);
        Assert.True(r.Code == 0, r.Err + r.Out);
        var d = DatasetLoader.Load(new DataSourceOptions { Format = "jsonl", DataDir = outDir });
        Assert.Equal(["Cordless drill", "Garden hose"], d.Products.Select(p => p.Title));
        Assert.Equal("Makita", d.Products[0].Attributes["brand"]);
        Assert.Equal([new Judgment("q1", "A1", 2, JudgmentSource.Human), new Judgment("q1", "A2", 0, JudgmentSource.Human)], d.Judgments);

        // Without the mapping the file's columns are not the layout's: the error names the file and the column.
        var bare = CliRunner.Run("convert", "--format", "csv", "--data", export, "--to", "jsonl", "--out", _dir.File("bare"));
        Assert.NotEqual(0, bare.Code);
        Assert.Contains("queries.csv:1: field 'id': missing column in header (found: qid, query)", bare.Err + bare.Out); // queries are read first

        // A malformed option says how to write it.
        var bad = CliRunner.Run("convert", "--format", "csv", "--data", export, "--column", "products.title", "--out", _dir.File("bad"));
        Assert.NotEqual(0, bad.Code);
        Assert.Contains("--column 'products.title': write TABLE.FIELD=COLUMN", bad.Err + bad.Out);
    }
}
