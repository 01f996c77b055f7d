using System.Text.Json;
using MineRefine.Common;

namespace MineRefine.Tests.Evaluation;

public class RunManifestTests
{
    [Fact]
    public void Writes_run_json_with_hashes_versions_and_times()
    {
        var dir = Path.Combine(Path.GetTempPath(), "mr-manifest-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var input = Path.Combine(dir, "in.txt");
            File.WriteAllText(input, "abc");
            var m = new RunManifest("eval", new { Retriever = "bm25", K1 = 1.2 }, seed: 42);
            m.AddInput(input);
            m.AddOutput(Path.Combine(dir, "metrics.json"));
            var path = m.WriteTo(dir);
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var root = doc.RootElement;
            Assert.Equal("eval", root.GetProperty("command").GetString());
            Assert.Equal(42, root.GetProperty("seed").GetInt32());
            Assert.Equal("bm25", root.GetProperty("options").GetProperty("retriever").GetString());
            // SHA-256("abc")
            Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                root.GetProperty("inputs").GetProperty(Path.GetFullPath(input)).GetString());
            Assert.Contains(".NET", root.GetProperty("versions").GetProperty("dotnet").GetString());
            Assert.True(root.GetProperty("ended_at").GetDateTimeOffset() >= root.GetProperty("started_at").GetDateTimeOffset());
            Assert.Equal(2, root.GetProperty("outputs").GetArrayLength());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Missing_input_names_the_file()
    {
        var m = new RunManifest("eval");
        var ex = Assert.Throws<FileNotFoundException>(() => m.AddInput("/no/such/file.csv"));
        Assert.Contains("/no/such/file.csv", ex.Message);
    }
}
