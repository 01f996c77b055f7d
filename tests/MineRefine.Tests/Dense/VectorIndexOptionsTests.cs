using MineRefine.Retrieval.Dense;

namespace MineRefine.Tests.Dense;

public class VectorIndexOptionsTests
{
    [Fact]
    public void Defaults_are_valid() => new VectorIndexOptions().Validate();

    [Theory]
    [InlineData("Connectivity", 1, "between 2 and 256")]
    [InlineData("ExpansionAdd", 0, "ef_construction")]
    [InlineData("ExpansionSearch", 5000, "ef_search")]
    [InlineData("Threads", 0, "number of threads")]
    [InlineData("ExactQueryBlock", 0, "queries per exact matmul block")]
    public void Invalid_values_name_the_option_and_the_fix(string property, int value, string expected)
    {
        var o = new VectorIndexOptions();
        typeof(VectorIndexOptions).GetProperty(property)!.SetValue(o, value);
        var e = Assert.Throws<ArgumentException>(() => o.Validate());
        Assert.Contains("VectorIndexOptions." + property, e.Message);
        Assert.Contains($"(got {value})", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Invalid_options_fail_before_an_index_is_built()
    {
        var e = Assert.Throws<ArgumentException>(() => VectorIndex.Create(8, new VectorIndexOptions { Kind = VectorIndexKind.Hnsw, Connectivity = 300 }));
        Assert.Contains("Connectivity", e.Message);
    }

    [Fact]
    public void Parsers_accept_names_and_explain_errors()
    {
        Assert.Equal(VectorIndexKind.Hnsw, VectorIndexOptions.ParseKind("HNSW"));
        Assert.Equal(VectorQuantization.F32, VectorIndexOptions.ParseQuantization("f32"));
        Assert.Equal(VectorMetric.InnerProduct, VectorIndexOptions.ParseMetric("ip"));
        var e = Assert.Throws<ArgumentException>(() => VectorIndexOptions.ParseKind("ivf"));
        Assert.Contains("use 'exact' or 'hnsw'", e.Message);
    }
}
