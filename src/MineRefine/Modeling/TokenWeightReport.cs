using MineRefine.Text.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace MineRefine.Modeling;

/// <summary>One token of a text and its share of the pooled embedding.</summary>
/// <param name="Token">The token's text (WordPiece pieces keep their <c>##</c>).</param>
/// <param name="Weight">Its pooling weight; a text's weights sum to 1.</param>
public readonly record struct TokenWeight(string Token, float Weight);

/// <summary>
/// What a tower's pooling reads: the per-token weights (<see cref="SiameseEncoder.TokenWeights"/>) of a text as the model
/// tokenizes it (with the query prefix for queries), so a user can see which words an attention-pooled model leans on
/// ("kohler" in "kohler whitehaven sink") and which it ignores. For mean pooling every real token weighs 1/n.
/// </summary>
public static class TokenWeightReport
{
    /// <summary>Every token of <paramref name="text"/> with its weight, in text order ([CLS] and [SEP] included).</summary>
    public static IReadOnlyList<TokenWeight> Explain(SiameseModel model, string text, EmbeddingRole role)
    {
        ArgumentNullException.ThrowIfNull(model);
        string input = role == EmbeddingRole.Query ? model.FormatQuery(text ?? "") : text ?? "";
        int max = role == EmbeddingRole.Query ? model.Config.MaxQueryLength : model.Config.MaxItemLength;
        var t = model.Tokenizer.Encode(input, max);
        bool training = model.Encoder.training;
        model.Encoder.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var ids = tensor(t.Ids.Select(i => (long)i).ToArray()).unsqueeze(0);
            var mask = ones_like(ids);
            var w = model.Encoder.TokenWeights(ids, mask, role).squeeze(0).data<float>().ToArray();
            return t.Ids.Select((id, i) => new TokenWeight(Text(model.Tokenizer, id), w[i])).ToList();
        }
        finally { if (training) model.Encoder.train(); }
    }

    /// <summary>The <paramref name="top"/> heaviest tokens as "token 0.31 · token 0.12 · …", heaviest first.</summary>
    public static string Summarize(IReadOnlyList<TokenWeight> weights, int top = 3) =>
        string.Join(" · ", weights.OrderByDescending(w => w.Weight).Take(top).Select(w => $"{w.Token} {w.Weight:F2}"));

    private static string Text(ITokenizer tok, int id) => tok is WordPieceTokenizer wp ? wp.TokenText(id) : $"[{id}]";
}
