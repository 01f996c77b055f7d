using MineRefine.Data;
using MineRefine.Modeling;
using MineRefine.Text.Tokenization;

namespace MineRefine.Tests.Modeling;

public class TokenizerTests
{
    [Fact]
    public void WordPieceReproducesMiniLmReferenceIds()
    {
        var tok = WordPieceTokenizer.MiniLm();
        Assert.Equal(30522, tok.VocabSize);
        Assert.Equal(new[] { 101, 2023, 2003, 2019, 2742, 6251, 102 }, tok.Encode("This is an example sentence", 128).Ids);
        Assert.Equal((0, 101, 102, 100), (tok.PadId, tok.ClsId, tok.SepId, tok.UnkId));
        // Accents are stripped like bert-base-uncased ("café" → "cafe").
        Assert.Equal(tok.Encode("cafe", 16).Ids, tok.Encode("Café", 16).Ids);
    }

    [Fact]
    public void TruncationIsCountedAndPairsHaveTokenTypes()
    {
        var tok = WordPieceTokenizer.MiniLm();
        var t = tok.Encode("This is an example sentence", 5);
        Assert.Equal(new[] { 101, 2023, 2003, 2019, 102 }, t.Ids);
        Assert.True(t.Truncated);
        Assert.Equal(1, tok.TruncatedCount);
        var p = tok.EncodePair("example", "this is an example", 64);
        Assert.Equal(new[] { 101, 2742, 102, 2023, 2003, 2019, 2742, 102 }, p.Ids);
        Assert.Equal(new[] { 0, 0, 0, 1, 1, 1, 1, 1 }, p.TokenTypeIds);
        var pt = tok.EncodePair("example sentence", "this is an example", 7); // longest-first: b loses 2
        Assert.Equal(new[] { 101, 2742, 6251, 102, 2023, 2003, 102 }, pt.Ids);
        Assert.Equal(2, tok.TruncatedCount);
    }

    [Fact]
    public void O200kCompactBuildSaveLoad()
    {
        var corpus = new[] { "Bohrmaschine für Holz", "perceuse sans fil", "cordless drill" };
        var tok = O200kCompactTokenizer.Build(corpus);
        var a = tok.Encode("Bohrmaschine für Holz", 32);
        Assert.Equal(tok.ClsId, a.Ids[0]);
        Assert.Equal(tok.SepId, a.Ids[^1]);
        Assert.DoesNotContain(tok.UnkId, a.Ids);
        Assert.All(a.Ids, id => Assert.InRange(id, 0, tok.VocabSize - 1));
        // A script never seen in the corpus maps to [UNK].
        Assert.Contains(tok.UnkId, tok.Encode("電動ドリル", 32).Ids);
        // NFKC: full-width letters fold to ASCII.
        Assert.Equal(tok.Encode("drill", 16).Ids, tok.Encode("ｄｒｉｌｌ", 16).Ids);
        var dir = EncoderTestUtil.TempDir();
        tok.Save(dir);
        var back = O200kCompactTokenizer.FromFile(Path.Combine(dir, O200kCompactTokenizer.FileName));
        Assert.Equal(tok.VocabSize, back.VocabSize);
        Assert.Equal(a.Ids, back.Encode("Bohrmaschine für Holz", 32).Ids);
    }

    [Fact]
    public void ItemTextFormatterTemplate()
    {
        var f = new ItemTextFormatter();
        var p = new Product("1", "Cordless Drill", null, ["Tools", "Power Tools", "Drills"], Product.EmptyAttributes, "en");
        Assert.Equal("Cordless Drill. Category: Tools > Power Tools", f.Format(p));
        Assert.Equal("Cordless Drill. Category: Tools", f.Format(p with { CategoryPath = ["Tools"] }));
        Assert.Equal("Cordless Drill", f.Format(p with { CategoryPath = [] }));
        var g = new ItemTextFormatter("{name} | {attr:brand} | {path}");
        var withBrand = p with { Attributes = new Dictionary<string, string> { ["brand"] = "DeWalt" } };
        Assert.Equal("Cordless Drill | DeWalt | Tools > Power Tools > Drills", g.Format(withBrand));
        Assert.Throws<ArgumentException>(() => new ItemTextFormatter("{title}"));
    }
}
