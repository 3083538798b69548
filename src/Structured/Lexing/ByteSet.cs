using System.Numerics;
using System.Text;

namespace Structured.Lexing;

/// <summary>An immutable set of byte values, as a 256-bit mask.</summary>
public readonly struct ByteSet : IEquatable<ByteSet>
{
    private readonly ulong _w0, _w1, _w2, _w3;

    private ByteSet(ulong w0, ulong w1, ulong w2, ulong w3) { _w0 = w0; _w1 = w1; _w2 = w2; _w3 = w3; }

    /// <summary>The empty set.</summary>
    public static ByteSet Empty => default;

    /// <summary>All 256 byte values.</summary>
    public static ByteSet All => new(ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue);

    /// <summary>The set of bytes in <c>[lo, hi]</c>.</summary>
    public static ByteSet Range(byte lo, byte hi)
    {
        var s = Empty;
        for (int b = lo; b <= hi; b++) s = s.Add((byte)b);
        return s;
    }

    /// <summary>A set of one byte.</summary>
    public static ByteSet Of(byte b) => Empty.Add(b);

    /// <summary>True when the set is empty.</summary>
    public bool IsEmpty => (_w0 | _w1 | _w2 | _w3) == 0;

    /// <summary>The number of bytes in the set.</summary>
    public int Count => BitOperations.PopCount(_w0) + BitOperations.PopCount(_w1) + BitOperations.PopCount(_w2) + BitOperations.PopCount(_w3);

    /// <summary>True when <paramref name="b"/> is in the set.</summary>
    public bool Contains(byte b) => ((Word(b >> 6) >> (b & 63)) & 1) != 0;

    internal ulong Word(int i) => i switch { 0 => _w0, 1 => _w1, 2 => _w2, _ => _w3 };

    /// <summary>The set with <paramref name="b"/> added.</summary>
    public ByteSet Add(byte b)
    {
        ulong bit = 1UL << (b & 63);
        return (b >> 6) switch
        {
            0 => new(_w0 | bit, _w1, _w2, _w3),
            1 => new(_w0, _w1 | bit, _w2, _w3),
            2 => new(_w0, _w1, _w2 | bit, _w3),
            _ => new(_w0, _w1, _w2, _w3 | bit),
        };
    }

    /// <summary>The smallest byte in the set; -1 when it is empty.</summary>
    internal int First()
    {
        for (int w = 0; w < 4; w++)
        {
            ulong bits = Word(w);
            if (bits != 0) return w * 64 + BitOperations.TrailingZeroCount(bits);
        }
        return -1;
    }

    /// <summary>The complement of the set.</summary>
    internal ByteSet Complement() => new(~_w0, ~_w1, ~_w2, ~_w3);

    /// <summary>The union of two sets.</summary>
    public ByteSet Union(ByteSet o) => new(_w0 | o._w0, _w1 | o._w1, _w2 | o._w2, _w3 | o._w3);

    /// <summary>The intersection of two sets.</summary>
    public ByteSet Intersect(ByteSet o) => new(_w0 & o._w0, _w1 & o._w1, _w2 & o._w2, _w3 & o._w3);

    /// <summary>The bytes in the set, in increasing order.</summary>
    public IEnumerable<byte> Bytes()
    {
        for (int b = 0; b < 256; b++) if (Contains((byte)b)) yield return (byte)b;
    }

    /// <inheritdoc />
    public bool Equals(ByteSet other) => _w0 == other._w0 && _w1 == other._w1 && _w2 == other._w2 && _w3 == other._w3;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ByteSet o && Equals(o);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_w0, _w1, _w2, _w3);

    /// <summary>Equality.</summary>
    public static bool operator ==(ByteSet a, ByteSet b) => a.Equals(b);

    /// <summary>Inequality.</summary>
    public static bool operator !=(ByteSet a, ByteSet b) => !a.Equals(b);

    /// <summary>Prints the set as a byte class such as <c>[\x41-\x5A]</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("[");
        int b = 0;
        while (b < 256)
        {
            if (!Contains((byte)b)) { b++; continue; }
            int e = b;
            while (e + 1 < 256 && Contains((byte)(e + 1))) e++;
            sb.Append(Hex(b));
            if (e > b) sb.Append('-').Append(Hex(e));
            b = e + 1;
        }
        return sb.Append(']').ToString();

        static string Hex(int v) => v is >= 0x21 and < 0x7F && v != '\\' && v != ']' && v != '-' && v != '^' ? ((char)v).ToString() : $"\\x{v:X2}";
    }
}
