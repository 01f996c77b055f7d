using MineRefine.Retrieval.Dense;
using MineRefine.Training;

namespace MineRefine.Tests.Cli;

public class EncodeCommandTests
{
    [Fact]
    public void Encode_writes_one_normalised_row_per_product_in_catalog_order()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mr-encode-" + Guid.NewGuid().ToString("N"));
        try
        {
            Assert.Equal(0, CliRunner.Run("sample", "--out", Path.Combine(dir, "data"), "--products", "200", "--queries", "30").Code);
            using (var model = TrainModelFactory.Create("tiny", 3)) model.Save(Path.Combine(dir, "model"));
            var r = CliRunner.Run("encode", "--format", "jsonl", "--data", Path.Combine(dir, "data"), "--model", Path.Combine(dir, "model"),
                "--out", Path.Combine(dir, "emb"));
            Assert.Equal(0, r.Code);
            var m = EmbeddingFile.TryRead(Path.Combine(dir, "emb", "embeddings.bin"), out _, out var problem);
            Assert.Null(problem);
            Assert.NotNull(m);
            Assert.Equal(200, m!.Count);
            Assert.Equal(200, File.ReadAllLines(Path.Combine(dir, "emb", "ids.txt")).Length);
            for (int i = 0; i < m.Count; i++)
            {
                double norm = Math.Sqrt(m.Row(i).ToArray().Sum(x => (double)x * x));
                Assert.InRange(norm, 0.999, 1.001);
            }
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Encode_and_index_build_read_a_catalog_alone()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mr-encode-" + Guid.NewGuid().ToString("N"));
        try
        {
            Assert.Equal(0, CliRunner.Run("sample", "--out", Path.Combine(dir, "data"), "--products", "120", "--queries", "20").Code);
            string catalog = Path.Combine(dir, "catalog");
            Directory.CreateDirectory(catalog);
            File.Copy(Path.Combine(dir, "data", "products.jsonl"), Path.Combine(catalog, "products.jsonl")); // no queries or judgments
            using (var model = TrainModelFactory.Create("tiny", 3)) model.Save(Path.Combine(dir, "model"));
            var e = CliRunner.Run("encode", "--format", "jsonl", "--products", Path.Combine(catalog, "products.jsonl"),
                "--model", Path.Combine(dir, "model"), "--out", Path.Combine(dir, "emb"));
            Assert.True(e.Code == 0, e.Err + e.Out);
            Assert.Equal(120, File.ReadAllLines(Path.Combine(dir, "emb", "ids.txt")).Length);
            var i = CliRunner.Run("index", "build", "--format", "jsonl", "--data", catalog, "--model", Path.Combine(dir, "model"),
                "--out", Path.Combine(dir, "index"));
            Assert.True(i.Code == 0, i.Err + i.Out);
            Assert.Contains("120", i.Err + i.Out);
            Assert.True(File.Exists(Path.Combine(dir, "index", "index.json")));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }
}
