using static TorchSharp.torch;

namespace MineRefine.Text.Tokenization;

/// <summary>A right-padded batch of tokenized texts as int64 arrays [Count, Length].</summary>
public sealed class TokenBatch
{
    private TokenBatch(int count, int length, long[] ids, long[] mask, long[] types)
    {
        Count = count; Length = length; InputIds = ids; AttentionMask = mask; TokenTypeIds = types;
    }

    /// <summary>Number of rows.</summary>
    public int Count { get; }
    /// <summary>Padded length (longest row).</summary>
    public int Length { get; }
    /// <summary>Ids, row-major.</summary>
    public long[] InputIds { get; }
    /// <summary>1 for tokens, 0 for padding.</summary>
    public long[] AttentionMask { get; }
    /// <summary>Segment ids.</summary>
    public long[] TokenTypeIds { get; }

    /// <summary>Pads <paramref name="rows"/> with <paramref name="padId"/> to the longest row.</summary>
    public static TokenBatch Pad(IReadOnlyList<TokenizedText> rows, int padId)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0) throw new ArgumentException("Cannot pad an empty batch.", nameof(rows));
        int len = rows.Max(r => r.Length);
        var ids = new long[rows.Count * len];
        var mask = new long[ids.Length];
        var types = new long[ids.Length];
        if (padId != 0) Array.Fill(ids, padId);
        for (int r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            int o = r * len;
            for (int t = 0; t < row.Length; t++)
            {
                ids[o + t] = row.Ids[t];
                mask[o + t] = 1;
                types[o + t] = row.TokenTypeIds[t];
            }
        }
        return new TokenBatch(rows.Count, len, ids, mask, types);
    }

    /// <summary>Creates int64 tensors (ids, mask, types), each [Count, Length].</summary>
    public (Tensor InputIds, Tensor AttentionMask, Tensor TokenTypeIds) ToTensors() =>
        (tensor(InputIds, [Count, Length]), tensor(AttentionMask, [Count, Length]), tensor(TokenTypeIds, [Count, Length]));
}
