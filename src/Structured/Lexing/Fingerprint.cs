namespace Structured.Lexing;

/// <summary>A 128-bit structural hash, built by mixing 64-bit words (splitmix64's finalizer on two lanes).</summary>
internal readonly record struct Fingerprint(ulong Hi, ulong Lo) : IComparable<Fingerprint>
{
    /// <summary>An arbitrary total order, for combining unordered parts (sorted first) into one hash.</summary>
    public int CompareTo(Fingerprint other) => Hi != other.Hi ? Hi.CompareTo(other.Hi) : Lo.CompareTo(other.Lo);

    public bool IsEmpty => Hi == 0 && Lo == 0;

    public static Fingerprint Seed(int kind) => new Fingerprint(0x243F6A8885A308D3UL, 0x13198A2E03707344UL).Add((ulong)kind + 1);

    public Fingerprint Add(long value) => Add(unchecked((ulong)value));

    public Fingerprint Add(Fingerprint other) => Add(other.Hi).Add(other.Lo);

    public Fingerprint Add(ulong value)
    {
        ulong hi = Mix(Hi ^ value ^ 0xA4093822299F31D0UL);
        ulong lo = Mix(Lo + value * 0x9E3779B97F4A7C15UL + 0x082EFA98EC4E6C89UL);
        if (hi == 0 && lo == 0) lo = 1; // zero means "not computed yet"
        return new Fingerprint(hi, lo);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
