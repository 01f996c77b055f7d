using System.Globalization;
using System.Numerics;
using System.Text;

namespace MineRefine.Training;

/// <summary>
/// A deterministic PRNG (xoshiro256**, Blackman &amp; Vigna 2018) whose full 256-bit state can be saved and restored,
/// so a resumed training run draws exactly the same shuffles as an uninterrupted one. Seeded through SplitMix64.
/// Derives from <see cref="Random"/> so it can be passed wherever a <see cref="Random"/> is expected; every virtual
/// member is overridden, so the base class's own generator is never used. Bounded integers are unbiased (Lemire's
/// multiply-and-reject). The sequence is fixed by this code, independent of the .NET version.
/// Not thread-safe.
/// </summary>
public sealed class SerializableRandom : Random
{
    private const string StatePrefix = "xoshiro256ss:";
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Creates a generator from a 64-bit seed.</summary>
    public SerializableRandom(ulong seed) : base(0)
    {
        ulong x = seed;
        _s0 = SplitMix64(ref x); _s1 = SplitMix64(ref x); _s2 = SplitMix64(ref x); _s3 = SplitMix64(ref x);
    }

    /// <summary>Creates a generator from a signed seed (same as the unsigned bit pattern).</summary>
    public SerializableRandom(long seed) : this(unchecked((ulong)seed)) { }

    /// <summary>Creates a generator from a seed and a key (e.g. a query id): <c>new(DeriveSeed(seed, key))</c>.</summary>
    public SerializableRandom(long seed, string key) : this(DeriveSeed(unchecked((ulong)seed), key)) { }

    private SerializableRandom(ReadOnlySpan<ulong> state) : base(0) => SetState(state);

    /// <summary>SplitMix64 step: advances <paramref name="x"/> and returns the next mixed value.</summary>
    public static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A stable 64-bit seed from a seed and a string key (FNV-1a over UTF-8, then SplitMix64 mixing).
    /// Independent of process, platform and .NET version (unlike <see cref="string.GetHashCode()"/>).</summary>
    public static ulong DeriveSeed(ulong seed, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        ulong h = 0xCBF29CE484222325UL;
        foreach (byte b in Encoding.UTF8.GetBytes(key)) { h ^= b; h *= 0x100000001B3UL; }
        ulong x = seed ^ 0x5851F42D4C957F2DUL;
        ulong a = SplitMix64(ref x);
        x = a ^ h;
        return SplitMix64(ref x);
    }

    /// <summary>A stable 64-bit seed from a seed and a number (e.g. a step).</summary>
    public static ulong DeriveSeed(ulong seed, long value)
    {
        ulong x = seed ^ 0x2545F4914F6CDD1DUL;
        ulong a = SplitMix64(ref x);
        x = a ^ unchecked((ulong)value) * 0x9E3779B97F4A7C15UL;
        return SplitMix64(ref x);
    }

    /// <summary>Next raw 64-bit value.</summary>
    public ulong NextUInt64()
    {
        ulong result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Unbiased integer in [0, bound) for bound &gt; 0.</summary>
    public ulong NextBounded(ulong bound)
    {
        if (bound == 0) throw new ArgumentOutOfRangeException(nameof(bound), "bound must be > 0.");
        ulong x = NextUInt64();
        UInt128 m = (UInt128)x * bound;
        ulong l = (ulong)m;
        if (l < bound)
        {
            ulong t = (0UL - bound) % bound;
            while (l < t)
            {
                x = NextUInt64();
                m = (UInt128)x * bound;
                l = (ulong)m;
            }
        }
        return (ulong)(m >> 64);
    }

    /// <summary>Non-negative int in [0, int.MaxValue).</summary>
    public override int Next() => (int)NextBounded(int.MaxValue);

    /// <summary>Int in [0, maxValue); 0 when maxValue is 0.</summary>
    public override int Next(int maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxValue);
        return maxValue <= 1 ? 0 : (int)NextBounded((ulong)maxValue);
    }

    /// <summary>Int in [minValue, maxValue); minValue when they are equal.</summary>
    public override int Next(int minValue, int maxValue)
    {
        if (minValue > maxValue) throw new ArgumentOutOfRangeException(nameof(minValue), "minValue must be ≤ maxValue.");
        ulong range = (ulong)((long)maxValue - minValue);
        return range <= 1 ? minValue : (int)((long)minValue + (long)NextBounded(range));
    }

    /// <summary>Non-negative long in [0, long.MaxValue).</summary>
    public override long NextInt64() => (long)NextBounded(long.MaxValue);

    /// <summary>Long in [0, maxValue).</summary>
    public override long NextInt64(long maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxValue);
        return maxValue <= 1 ? 0 : (long)NextBounded((ulong)maxValue);
    }

    /// <summary>Long in [minValue, maxValue).</summary>
    public override long NextInt64(long minValue, long maxValue)
    {
        if (minValue > maxValue) throw new ArgumentOutOfRangeException(nameof(minValue), "minValue must be ≤ maxValue.");
        ulong range = unchecked((ulong)(maxValue - minValue));
        return range <= 1 ? minValue : unchecked(minValue + (long)NextBounded(range));
    }

    /// <summary>Double in [0, 1) with 53 random bits.</summary>
    public override double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Float in [0, 1) with 24 random bits.</summary>
    public override float NextSingle() => (NextUInt64() >> 40) * (1f / (1 << 24));

    /// <inheritdoc />
    protected override double Sample() => NextDouble();

    /// <inheritdoc />
    public override void NextBytes(byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        NextBytes(buffer.AsSpan());
    }

    /// <inheritdoc />
    public override void NextBytes(Span<byte> buffer)
    {
        for (int i = 0; i < buffer.Length; i++) buffer[i] = (byte)(NextUInt64() >> 56);
    }

    /// <summary>Fisher–Yates shuffle in place (the same draws as <see cref="Random.Shuffle{T}(T[])"/> on this
    /// generator: j = Next(i, n) for i = 0..n−2).</summary>
    public void Shuffle<T>(IList<T> list)
    {
        ArgumentNullException.ThrowIfNull(list);
        int n = list.Count;
        for (int i = 0; i < n - 1; i++)
        {
            int j = Next(i, n);
            if (j != i) (list[i], list[j]) = (list[j], list[i]);
        }
    }

    /// <summary>The four state words.</summary>
    public ulong[] GetState() => new[] { _s0, _s1, _s2, _s3 };

    /// <summary>Restores the four state words (not all zero).</summary>
    public void SetState(ReadOnlySpan<ulong> state)
    {
        if (state.Length != 4) throw new ArgumentException($"xoshiro256** state has 4 words, got {state.Length}.", nameof(state));
        if ((state[0] | state[1] | state[2] | state[3]) == 0) throw new ArgumentException("xoshiro256** state must not be all zero.", nameof(state));
        _s0 = state[0]; _s1 = state[1]; _s2 = state[2]; _s3 = state[3];
    }

    /// <summary>The state as a string "xoshiro256ss:hex,hex,hex,hex" (for a JSON checkpoint).</summary>
    public string SaveState() => StatePrefix + string.Join(',', GetState().Select(v => v.ToString("x16", CultureInfo.InvariantCulture)));

    /// <summary>Rebuilds a generator from <see cref="SaveState"/>'s string.</summary>
    public static SerializableRandom FromState(string state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.StartsWith(StatePrefix, StringComparison.Ordinal))
            throw new FormatException($"RNG state must start with '{StatePrefix}' (got '{Truncate(state)}').");
        var parts = state[StatePrefix.Length..].Split(',');
        if (parts.Length != 4) throw new FormatException($"RNG state must have 4 comma-separated hex words (got '{Truncate(state)}').");
        var words = new ulong[4];
        for (int i = 0; i < 4; i++)
            if (!ulong.TryParse(parts[i], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out words[i]))
                throw new FormatException($"RNG state word {i} '{Truncate(parts[i])}' is not hexadecimal.");
        return new SerializableRandom(words);
    }

    /// <summary>An independent copy with the same state.</summary>
    public SerializableRandom Clone() => new(GetState());

    private static string Truncate(string s) => s.Length <= 80 ? s : s[..80] + "…";
}
