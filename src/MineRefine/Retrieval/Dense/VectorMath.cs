namespace MineRefine.Retrieval.Dense;

/// <summary>Small vector helpers shared by the dense retrieval code.</summary>
internal static class VectorMath
{
    /// <summary>Inner product Σ aᵢbᵢ.</summary>
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"Vector lengths differ: {a.Length} vs {b.Length}.");
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (double)a[i] * b[i];
        return (float)s;
    }

    /// <summary>Cosine similarity a·b / (‖a‖‖b‖); 0 if either vector is zero.</summary>
    public static float Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"Vector lengths differ: {a.Length} vs {b.Length}.");
        double s = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++) { s += (double)a[i] * b[i]; na += (double)a[i] * a[i]; nb += (double)b[i] * b[i]; }
        return na == 0 || nb == 0 ? 0f : (float)(s / Math.Sqrt(na * nb));
    }

    /// <summary>Copy of <paramref name="m"/> with every non-zero row scaled to unit L2 norm.</summary>
    public static float[] NormalizedRows(EmbeddingMatrix m)
    {
        var data = (float[])m.Data.Clone();
        int d = m.Dimension;
        for (int r = 0; r < m.Count; r++)
        {
            var row = data.AsSpan(r * d, d);
            double n = 0;
            foreach (var v in row) n += (double)v * v;
            if (n == 0) continue;
            float inv = (float)(1.0 / Math.Sqrt(n));
            for (int i = 0; i < d; i++) row[i] *= inv;
        }
        return data;
    }

    /// <summary>Sorts (id, score) pairs by score descending, then id ascending (deterministic tie order).</summary>
    public static void SortHits(int[] ids, float[] scores)
    {
        var order = new int[ids.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(order, (x, y) =>
        {
            int c = scores[y].CompareTo(scores[x]);
            return c != 0 ? c : ids[x].CompareTo(ids[y]);
        });
        var i2 = new int[ids.Length];
        var s2 = new float[ids.Length];
        for (int i = 0; i < order.Length; i++) { i2[i] = ids[order[i]]; s2[i] = scores[order[i]]; }
        i2.CopyTo(ids, 0);
        s2.CopyTo(scores, 0);
    }
}
