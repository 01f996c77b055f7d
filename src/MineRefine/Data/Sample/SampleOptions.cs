namespace MineRefine.Data.Sample;

/// <summary>Options of the built-in sample marketplace generator.</summary>
public sealed class SampleOptions
{
    /// <summary>Random seed; the same seed gives identical output (default 42).</summary>
    public int Seed { get; set; } = 42;
    /// <summary>Number of products (default 3000; at least 100 so every category is stocked).</summary>
    public int Products { get; set; } = 3000;
    /// <summary>Number of queries (default 600).</summary>
    public int Queries { get; set; } = 600;
    /// <summary>Probability that the "human" label of a pair differs from the truth (default 0.10).</summary>
    public double NoiseRate { get; set; } = 0.10;
    /// <summary>Share of label flips that go to an adjacent grade (default 0.8; the rest jump 0↔2).</summary>
    public double AdjacentFlipShare { get; set; } = 0.8;
    /// <summary>Simulate engagement logs (default true).</summary>
    public bool Engagement { get; set; } = true;
    /// <summary>Share of broad head queries such as "headphones" (default 0.25).</summary>
    public double HeadShare { get; set; } = 0.25;
    /// <summary>Share of queries with one typo (default 0.04).</summary>
    public double MisspellingRate { get; set; } = 0.04;
    /// <summary>Share of Spanish queries (default 0.08).</summary>
    public double SpanishShare { get; set; } = 0.08;
    /// <summary>Share of German queries (default 0.08).</summary>
    public double GermanShare { get; set; } = 0.08;
    /// <summary>Fewest judged candidates per query (default 8).</summary>
    public int MinCandidates { get; set; } = 8;
    /// <summary>Most judged candidates per query (default 15).</summary>
    public int MaxCandidates { get; set; } = 15;

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad option and its valid range.</summary>
    public void Validate()
    {
        if (Products < 100) throw new ArgumentException($"Sample products must be ≥ 100 (got {Products}).");
        if (Queries < 1) throw new ArgumentException($"Sample queries must be ≥ 1 (got {Queries}).");
        Check(NoiseRate, nameof(NoiseRate));
        Check(AdjacentFlipShare, nameof(AdjacentFlipShare));
        Check(HeadShare, nameof(HeadShare));
        Check(MisspellingRate, nameof(MisspellingRate));
        Check(SpanishShare, nameof(SpanishShare));
        Check(GermanShare, nameof(GermanShare));
        if (SpanishShare + GermanShare > 1)
            throw new ArgumentException("SpanishShare + GermanShare must be ≤ 1.");
        if (MinCandidates < 3 || MaxCandidates < MinCandidates)
            throw new ArgumentException($"Candidates per query need 3 ≤ min ≤ max (got {MinCandidates}..{MaxCandidates}).");
    }

    private static void Check(double v, string name)
    {
        if (!(v >= 0 && v <= 1)) throw new ArgumentException($"{name} must be in [0, 1] (got {v}).");
    }
}
