namespace MineRefine.ScaleOut.Garnet;

/// <summary>
/// Stable item → shard assignment: <c>shard = FNV-1a-32(UTF-8(productId)) mod shards</c>. Independent of process,
/// platform and insertion order, so a resumed push and the verifier agree with the original push.
/// </summary>
public static class ShardAssignment
{
    /// <summary>The shard (0 ≤ s &lt; <paramref name="shards"/>) of <paramref name="productId"/>.</summary>
    public static int ShardOf(string productId, int shards)
    {
        ArgumentNullException.ThrowIfNull(productId);
        if (shards < 1) throw new ArgumentOutOfRangeException(nameof(shards), shards, "shards must be ≥ 1.");
        uint h = 2166136261;
        foreach (byte b in System.Text.Encoding.UTF8.GetBytes(productId)) { h ^= b; h *= 16777619; }
        return (int)(h % (uint)shards);
    }

    /// <summary>Row indices per shard, each list in catalog order.</summary>
    public static List<int>[] Split(IReadOnlyList<string> productIds, int shards)
    {
        var lists = new List<int>[shards];
        for (int s = 0; s < shards; s++) lists[s] = [];
        for (int i = 0; i < productIds.Count; i++) lists[ShardOf(productIds[i], shards)].Add(i);
        return lists;
    }
}
