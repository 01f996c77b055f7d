using MineRefine.Modeling;
using MineRefine.Text.Tokenization;

namespace MineRefine.Tests.Modeling;

internal static class EncoderTestUtil
{
    public static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "mr-enc-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }

    /// <summary>A tiny vocab.txt written by the test (specials + a few words + pieces).</summary>
    public static WordPieceTokenizer TinyWordPiece()
    {
        var words = new[] { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "red", "blue", "drill", "hammer", "cordless",
            "tools", "power", "paint", "##s", "##er", "a", "the", ".", ",", ">", "category", ":", "saw", "wood" };
        using var ms = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(string.Join("\r\n", words) + "\r\n"));
        return WordPieceTokenizer.FromStream(ms);
    }

    public static SiameseModel TinyModel(ITokenizer tok, long seed = 7, int outputDim = 16) =>
        SiameseModel.CreateRandom(new SiameseConfig
        {
            Transformer = TransformerConfig.Tiny(tok.VocabSize),
            Head = new HeadConfig { OutputDim = outputDim },
            MaxQueryLength = 16,
            MaxItemLength = 24,
        }, tok, seed);
}
