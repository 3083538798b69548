using Structured.Lexing;

namespace Structured.Regex;

/// <summary>Turns ranges of code points into sequences of byte ranges that match exactly their UTF-8 encodings.</summary>
internal static class Utf8Sequences
{
    /// <summary>The byte-range sequences for a set; surrogates are left out, since valid UTF-8 cannot encode them.</summary>
    public static List<ByteSet[]> Encode(CodePointSet set)
    {
        var result = new List<ByteSet[]>();
        foreach (var (lo, hi) in set.Ranges)
        {
            // Split at the surrogate gap and at each change of encoded length.
            foreach (var (a, b) in new[] { (lo, Math.Min(hi, 0xD7FF)), (Math.Max(lo, 0xE000), hi) })
            {
                if (a > b) continue;
                int[] bounds = [0x7F, 0x7FF, 0xFFFF, CodePointSet.MaxCodePoint];
                int start = a;
                foreach (int bound in bounds)
                {
                    if (start > b) break;
                    if (start > bound) continue;
                    Split(start, Math.Min(b, bound), result);
                    start = bound + 1;
                }
            }
        }
        return result;
    }

    // Splits [lo, hi] (same encoded length) until every byte position varies independently over a range.
    private static void Split(int lo, int hi, List<ByteSet[]> output)
    {
        int length = Length(lo);
        for (int i = 1; i < length; i++)
        {
            int mask = (1 << (6 * i)) - 1;
            if ((lo & ~mask) != (hi & ~mask))
            {
                if ((lo & mask) != 0)
                {
                    Split(lo, lo | mask, output);
                    Split((lo | mask) + 1, hi, output);
                    return;
                }
                if ((hi & mask) != mask)
                {
                    Split(lo, (hi & ~mask) - 1, output);
                    Split(hi & ~mask, hi, output);
                    return;
                }
            }
        }
        Span<byte> a = stackalloc byte[4], b = stackalloc byte[4];
        Write(lo, a);
        Write(hi, b);
        var seq = new ByteSet[length];
        for (int k = 0; k < length; k++) seq[k] = ByteSet.Range(a[k], b[k]);
        output.Add(seq);
    }

    internal static int Length(int cp) => cp <= 0x7F ? 1 : cp <= 0x7FF ? 2 : cp <= 0xFFFF ? 3 : 4;

    internal static int Write(int cp, Span<byte> dst)
    {
        switch (Length(cp))
        {
            case 1: dst[0] = (byte)cp; return 1;
            case 2: dst[0] = (byte)(0xC0 | (cp >> 6)); dst[1] = (byte)(0x80 | (cp & 0x3F)); return 2;
            case 3:
                dst[0] = (byte)(0xE0 | (cp >> 12)); dst[1] = (byte)(0x80 | ((cp >> 6) & 0x3F)); dst[2] = (byte)(0x80 | (cp & 0x3F));
                return 3;
            default:
                dst[0] = (byte)(0xF0 | (cp >> 18)); dst[1] = (byte)(0x80 | ((cp >> 12) & 0x3F));
                dst[2] = (byte)(0x80 | ((cp >> 6) & 0x3F)); dst[3] = (byte)(0x80 | (cp & 0x3F));
                return 4;
        }
    }
}
