using System.Text;

namespace Structured.Regex;

/// <summary>An immutable set of Unicode code points, stored as sorted, disjoint, non-adjacent inclusive ranges.</summary>
public sealed class CodePointSet : IEquatable<CodePointSet>
{
    /// <summary>The largest Unicode code point.</summary>
    public const int MaxCodePoint = 0x10FFFF;

    private readonly (int Lo, int Hi)[] _ranges;

    private CodePointSet((int Lo, int Hi)[] normalized) => _ranges = normalized;

    /// <summary>The empty set.</summary>
    public static CodePointSet Empty { get; } = new([]);

    /// <summary>Every code point, surrogates included (they are dropped when encoding to UTF-8).</summary>
    public static CodePointSet All { get; } = new([(0, MaxCodePoint)]);

    /// <summary>The ranges, sorted and disjoint.</summary>
    public IReadOnlyList<(int Lo, int Hi)> Ranges => _ranges;

    /// <summary>True when the set holds no code point.</summary>
    public bool IsEmpty => _ranges.Length == 0;

    /// <summary>A set of one code point.</summary>
    public static CodePointSet Of(int codePoint) => FromRanges([(codePoint, codePoint)]);

    /// <summary>A set of one inclusive range.</summary>
    public static CodePointSet Range(int lo, int hi) => FromRanges([(lo, hi)]);

    /// <summary>Builds a set from any ranges; they are sorted and merged.</summary>
    public static CodePointSet FromRanges(IEnumerable<(int Lo, int Hi)> ranges)
    {
        var list = ranges.Where(r => r.Lo <= r.Hi).OrderBy(r => r.Lo).ToList();
        var merged = new List<(int, int)>();
        foreach (var (lo, hi) in list)
        {
            if (merged.Count > 0 && lo <= merged[^1].Item2 + 1)
            {
                var last = merged[^1];
                merged[^1] = (last.Item1, Math.Max(last.Item2, hi));
            }
            else
            {
                merged.Add((lo, hi));
            }
        }
        return new CodePointSet(merged.ToArray());
    }

    /// <summary>True when <paramref name="codePoint"/> is in the set.</summary>
    public bool Contains(int codePoint)
    {
        int lo = 0, hi = _ranges.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >> 1;
            if (codePoint < _ranges[mid].Lo) hi = mid - 1;
            else if (codePoint > _ranges[mid].Hi) lo = mid + 1;
            else return true;
        }
        return false;
    }

    /// <summary>The union of two sets.</summary>
    public CodePointSet Union(CodePointSet other) => FromRanges(_ranges.Concat(other._ranges));

    /// <summary>The code points in both sets.</summary>
    public CodePointSet Intersect(CodePointSet other) => Complement().Union(other.Complement()).Complement();

    /// <summary>The code points of this set that are not in <paramref name="other"/>.</summary>
    public CodePointSet Except(CodePointSet other) => Intersect(other.Complement());

    /// <summary>Every code point not in this set.</summary>
    public CodePointSet Complement()
    {
        var result = new List<(int, int)>();
        int next = 0;
        foreach (var (lo, hi) in _ranges)
        {
            if (lo > next) result.Add((next, lo - 1));
            next = hi + 1;
        }
        if (next <= MaxCodePoint) result.Add((next, MaxCodePoint));
        return new CodePointSet(result.ToArray());
    }

    /// <summary>The set with both cases of every letter added (simple one-to-one case mapping).</summary>
    public CodePointSet WithBothCases()
    {
        var extra = new List<(int, int)>();
        foreach (var (lo, hi) in _ranges)
        {
            // Case mapping only matters below U+10000 for the simple mappings that .NET exposes per char.
            int top = Math.Min(hi, 0xFFFF);
            if (hi - lo > 0x3000) { extra.Add((lo, hi)); continue; }
            for (int c = lo; c <= top; c++)
            {
                if (c is >= 0xD800 and <= 0xDFFF) continue;
                char ch = (char)c;
                int u = char.ToUpperInvariant(ch), l = char.ToLowerInvariant(ch);
                if (u != c) extra.Add((u, u));
                if (l != c) extra.Add((l, l));
            }
        }
        return extra.Count == 0 ? this : Union(FromRanges(extra));
    }

    /// <inheritdoc />
    public bool Equals(CodePointSet? other) => other is not null && _ranges.AsSpan().SequenceEqual(other._ranges);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as CodePointSet);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var r in _ranges) h.Add(r);
        return h.ToHashCode();
    }

    /// <summary>Prints the set as a regex character class.</summary>
    public override string ToString()
    {
        if (_ranges.Length == 1 && _ranges[0].Lo == _ranges[0].Hi) return RegexPrinter.EscapeCodePoint(_ranges[0].Lo, inClass: false);
        var sb = new StringBuilder("[");
        foreach (var (lo, hi) in _ranges)
        {
            sb.Append(RegexPrinter.EscapeCodePoint(lo, inClass: true));
            if (hi > lo)
            {
                if (hi > lo + 1) sb.Append('-');
                sb.Append(RegexPrinter.EscapeCodePoint(hi, inClass: true));
            }
        }
        return sb.Append(']').ToString();
    }
}
