using MineRefine.Labeling.CrossEncoder;
using MineRefine.Modeling;
using MineRefine.Text.Tokenization;
using TorchSharp;

namespace MineRefine.Tests.CrossEncoder;

internal static class CrossEncoderTestUtil
{
    public static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "mr-ce-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }

    /// <summary>Runs torch on one thread until disposed (the test machine is shared; fewer threads is faster there).</summary>
    public static IDisposable OneThread()
    {
        int prev = torch.get_num_threads();
        torch.set_num_threads(1);
        return new Restore(() => torch.set_num_threads(prev));
    }

    private sealed class Restore(Action a) : IDisposable
    {
        public void Dispose() => a();
    }

    /// <summary>A vocabulary holding the toy words (others map to [UNK]).</summary>
    public static WordPieceTokenizer ToyTokenizer()
    {
        var words = new[] { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "and", "with", "a", "long", "extra", "description", "of", "the", "item" }
            .Concat(Colors).Concat(Nouns);
        using var ms = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(string.Join("\n", words) + "\n"));
        return WordPieceTokenizer.FromStream(ms);
    }

    /// <summary>A tiny random cross-encoder over <see cref="ToyTokenizer"/>.</summary>
    public static CrossEncoderPackage ToyPackage(long seed, double dropout = 0) =>
        CrossEncoderPackage.CreateRandom(new CrossEncoderConfig
        {
            Transformer = TransformerConfig.Tiny(1) with { HiddenDropout = dropout }, MaxPairLength = 24, HeadDropout = dropout,
        }, ToyTokenizer(), seed);

    private static readonly string[] Colors = ["red", "blue", "green", "black", "white", "yellow"];
    private static readonly string[] Nouns = ["chair", "lamp", "table", "door", "paint", "rug"];

    /// <summary>Toy rule: query "{color} {noun}"; item "{c1} {noun2}" or "{c1} and {c2} {noun2}".
    /// Grade 2: one-colour item in the query colour; 1: two-colour item with the query colour; 0: colour absent.
    /// Only the pair decides the grade (each item text alone appears with every grade).</summary>
    public static List<LabeledPair> ToyPairs(int n, int seed)
    {
        var rng = new Random(seed);
        var list = new List<LabeledPair>(n);
        for (int i = 0; i < n; i++)
        {
            string qc = Colors[rng.Next(Colors.Length)], qn = Nouns[rng.Next(Nouns.Length)];
            int grade = rng.Next(3);
            string other() { string c; do c = Colors[rng.Next(Colors.Length)]; while (c == qc); return c; }
            string item = grade switch
            {
                2 => $"{qc} {Nouns[rng.Next(Nouns.Length)]}",
                1 => rng.Next(2) == 0 ? $"{qc} and {other()} {Nouns[rng.Next(Nouns.Length)]}" : $"{other()} and {qc} {Nouns[rng.Next(Nouns.Length)]}",
                _ => rng.Next(2) == 0 ? $"{other()} {Nouns[rng.Next(Nouns.Length)]}" : $"{other()} and {other()} {Nouns[rng.Next(Nouns.Length)]}",
            };
            string q = $"{qc} {qn}";
            list.Add(new LabeledPair(q, q, item, grade));
        }
        return list;
    }

    public static LabelerTrainOptions TinyOptions(int steps) => new()
    {
        BaseModel = "tiny", Epochs = 1000, MaxSteps = steps, BatchSize = 32, LearningRate = 3e-3, HeadLearningRate = 3e-3,
        WarmupFraction = 0.05, MaxPairLength = 24, EvalEverySteps = 0, Patience = 0, CheckpointEverySteps = 0, Seed = 5,
        HeadDropout = 0, DevFraction = 0,
    };
}
