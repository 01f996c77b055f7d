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
}
