using System.Globalization;
using System.Text;

namespace Structured.Regex;

/// <summary>How a pattern must match a whole string.</summary>
public enum RegexAnchoring
{
    /// <summary>The whole string must match; <c>^</c> and <c>$</c> at the edges change nothing (a bare regex constraint, a Lark terminal).</summary>
    FullMatch,

    /// <summary>A match anywhere in the string is enough unless anchored, as JSON Schema's <c>pattern</c> says.</summary>
    Search,
}

/// <summary>Options for <see cref="RegexParser"/>.</summary>
public sealed record RegexOptions
{
    /// <summary>How the pattern applies to the whole string.</summary>
    public RegexAnchoring Anchoring { get; init; } = RegexAnchoring.FullMatch;

    /// <summary>Letters match both cases (the <c>i</c> flag).</summary>
    public bool IgnoreCase { get; init; }

    /// <summary><c>.</c> matches line terminators too (the <c>s</c> flag).</summary>
    public bool DotAll { get; init; }

    /// <summary>The largest count allowed in <c>{m,n}</c>.</summary>
    public int MaxRepeat { get; init; } = 100_000;
}

/// <summary>
/// Reads ECMA-262 regular expressions (the dialect of JSON Schema's <c>pattern</c>) into <see cref="RegexNode"/>.
/// Lookaround, backreferences and word boundaries have no finite-automaton form and are errors that name the construct and its offset.
/// </summary>
public sealed class RegexParser
{
    private readonly string _p;
    private readonly RegexOptions _o;
    private int _i;

    private RegexParser(string pattern, RegexOptions options) { _p = pattern; _o = options; }

    /// <summary>Parses <paramref name="pattern"/>; throws <see cref="RegexParseException"/> on bad or unsupported input.</summary>
    public static RegexNode Parse(string pattern, RegexOptions? options = null) => Parse(pattern, options, out _);

    /// <summary>Parses, and tells whether the pattern uses a lazy quantifier (which a lexer reads as "end at the shortest match").</summary>
    public static RegexNode Parse(string pattern, RegexOptions? options, out bool hasLazyQuantifier)
    {
        var parser = new RegexParser(pattern, options ?? new RegexOptions());
        var node = parser.ParseAll();
        hasLazyQuantifier = parser._lazy;
        return node;
    }

    private bool _lazy;

    private RegexNode ParseAll()
    {
        var ast = ParseAlternation();
        if (_i < _p.Length)
            throw new RegexParseException(_p[_i] == ')' ? "unmatched ')'" : $"unexpected '{_p[_i]}'", _i);
        return Anchors.Resolve(ast, _o.Anchoring);
    }

    private bool More => _i < _p.Length;
    private char Peek => _p[_i];

    private Ast ParseAlternation()
    {
        var alts = new List<Ast> { ParseSequence() };
        while (More && Peek == '|')
        {
            _i++;
            alts.Add(ParseSequence());
        }
        return alts.Count == 1 ? alts[0] : new Ast.Alt(alts);
    }

    private Ast ParseSequence()
    {
        var items = new List<Ast>();
        while (More && Peek != '|' && Peek != ')')
        {
            int start = _i;
            var atom = ParseAtom();
            items.Add(ParseQuantifiers(atom, start));
        }
        return items.Count == 1 ? items[0] : new Ast.Seq(items);
    }

    private Ast ParseQuantifiers(Ast atom, int atomStart)
    {
        while (More)
        {
            int qStart = _i;
            int min, max;
            char c = Peek;
            if (c == '*') { min = 0; max = -1; _i++; }
            else if (c == '+') { min = 1; max = -1; _i++; }
            else if (c == '?') { min = 0; max = 1; _i++; }
            else if (c == '{' && TryBraces(out min, out max)) { }
            else break;
            if (atom is Ast.Start or Ast.End)
                throw new RegexParseException("nothing to repeat: a quantifier follows an anchor", qStart);
            if (More && Peek == '?') { _i++; _lazy = true; } // lazy: the language is the same
            if (max >= 0 && max < min) throw new RegexParseException($"numbers out of order in {{{min},{max}}} quantifier", qStart);
            if (min > _o.MaxRepeat || max > _o.MaxRepeat)
                throw new RegexParseException($"repetition count above the limit of {_o.MaxRepeat}", qStart);
            atom = new Ast.Rep(atom, min, max);
        }
        _ = atomStart;
        return atom;
    }

    private bool TryBraces(out int min, out int max)
    {
        min = max = 0;
        int j = _i + 1;
        int a = ReadInt(ref j);
        if (a < 0) return false;
        int b = a;
        if (j < _p.Length && _p[j] == ',')
        {
            j++;
            b = ReadInt(ref j);
            if (b < 0) b = -1;
        }
        if (j >= _p.Length || _p[j] != '}') return false;
        _i = j + 1;
        min = a;
        max = b;
        return true;
    }

    private int ReadInt(ref int j)
    {
        int start = j;
        long v = 0;
        while (j < _p.Length && char.IsAsciiDigit(_p[j]))
        {
            v = Math.Min(v * 10 + (_p[j] - '0'), int.MaxValue);
            j++;
        }
        return j == start ? -1 : (int)v;
    }

    private Ast ParseAtom()
    {
        int start = _i;
        char c = Peek;
        switch (c)
        {
            case '(':
                return ParseGroup();
            case '[':
                return new Ast.Set(ParseClass());
            case '.':
                _i++;
                return new Ast.Set(_o.DotAll ? CodePointSet.All : CodePointSet.FromRanges([('\n', '\n'), ('\r', '\r'), (0x2028, 0x2029)]).Complement());
            case '^':
                _i++;
                return new Ast.Start(start);
            case '$':
                _i++;
                return new Ast.End(start);
            case '\\':
                return ParseEscapeAtom();
            case '*' or '+' or '?':
                throw new RegexParseException($"nothing to repeat before '{c}'", start);
            case '{' when TryBracesPeek():
                throw new RegexParseException("nothing to repeat before '{'", start);
            default:
                {
                    int cp = CharExtensions.ConvertToUtf32OrSelf(_p, _i, out int width);
                    _i += width;
                    return Lit(cp);
                }
        }
    }

    private bool TryBracesPeek()
    {
        int save = _i;
        bool ok = TryBraces(out _, out _);
        _i = save;
        return ok;
    }

    private Ast Lit(int cp) => new Ast.Set(_o.IgnoreCase ? CodePointSet.Of(cp).WithBothCases() : CodePointSet.Of(cp));

    private Ast ParseGroup()
    {
        int start = _i;
        _i++; // (
        if (_p.AsSpan(_i).StartsWith("?"))
        {
            string rest = _p[_i..];
            if (rest.StartsWith("?:", StringComparison.Ordinal)) _i += 2;
            else if (rest.StartsWith("?=", StringComparison.Ordinal) || rest.StartsWith("?!", StringComparison.Ordinal))
                throw new RegexParseException("lookahead assertions are not supported (no finite automaton can check them)", start);
            else if (rest.StartsWith("?<=", StringComparison.Ordinal) || rest.StartsWith("?<!", StringComparison.Ordinal))
                throw new RegexParseException("lookbehind assertions are not supported (no finite automaton can check them)", start);
            else if (rest.StartsWith("?<", StringComparison.Ordinal) || rest.StartsWith("?P<", StringComparison.Ordinal))
            {
                int close = _p.IndexOf('>', _i);
                if (close < 0) throw new RegexParseException("unterminated group name", start);
                _i = close + 1;
            }
            else throw new RegexParseException("inline flags and other (?…) groups are not supported", start);
        }
        var inner = ParseAlternation();
        if (!More || Peek != ')') throw new RegexParseException("missing ')' for the group opened here", start);
        _i++;
        return inner;
    }

    private Ast ParseEscapeAtom()
    {
        int start = _i;
        _i++; // backslash
        if (!More) throw new RegexParseException("pattern ends with a lone backslash", start);
        char c = Peek;
        if (c is 'b' or 'B') throw new RegexParseException($"word boundary \\{c} is not supported", start);
        if (c is >= '1' and <= '9') throw new RegexParseException($"backreference \\{c} is not supported (no finite automaton can check it)", start);
        if (c == 'k' && _i + 1 < _p.Length && _p[_i + 1] == '<') throw new RegexParseException("named backreference \\k<…> is not supported", start);
        var set = ParseEscape(start, inClass: false, out int cp);
        return set is null ? Lit(cp) : new Ast.Set(set);
    }

    // Reads the escape after the backslash (the current char). A class escape (\d, \p{L}…) returns its set;
    // an escape of one code point returns null and sets cp. Case folding is left to the caller.
    private CodePointSet? ParseEscape(int start, bool inClass, out int cp)
    {
        cp = -1;
        char c = _p[_i++];
        switch (c)
        {
            case 'd': return Digit;
            case 'D': return Digit.Complement();
            case 'w': return Word;
            case 'W': return Word.Complement();
            case 's': return Space;
            case 'S': return Space.Complement();
            case 'p' or 'P': return UnicodeProperty(start, negate: c == 'P');
        }
        cp = c switch
        {
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'f' => '\f',
            'v' => '\v',
            '0' when !(More && char.IsAsciiDigit(Peek)) => 0,
            'b' when inClass => 8,
            '-' when inClass => '-',
            'x' => Hex(2, start),
            'u' => UnicodeEscape(start),
            'c' when More && char.IsAsciiLetter(Peek) => _p[_i++] % 32,
            _ when !char.IsAsciiLetterOrDigit(c) => c,
            _ => throw new RegexParseException($"unknown escape \\{c}", start),
        };
        return null;
    }

    private int UnicodeEscape(int start)
    {
        if (More && Peek == '{')
        {
            int close = _p.IndexOf('}', _i);
            if (close < 0) throw new RegexParseException("unterminated \\u{…} escape", start);
            string hex = _p[(_i + 1)..close];
            if (!int.TryParse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int v) || v > CodePointSet.MaxCodePoint)
                throw new RegexParseException($"bad code point \\u{{{hex}}}", start);
            _i = close + 1;
            return v;
        }
        int hi = Hex(4, start);
        // A surrogate pair written as two escapes is one code point.
        if (hi is >= 0xD800 and <= 0xDBFF && _p.AsSpan(_i).StartsWith("\\u") && _i + 6 <= _p.Length
            && int.TryParse(_p.AsSpan(_i + 2, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int lo) && lo is >= 0xDC00 and <= 0xDFFF)
        {
            _i += 6;
            return char.ConvertToUtf32((char)hi, (char)lo);
        }
        return hi;
    }

    private int Hex(int digits, int start)
    {
        if (_i + digits > _p.Length || !int.TryParse(_p.AsSpan(_i, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int v))
            throw new RegexParseException($"expected {digits} hex digits in escape", start);
        _i += digits;
        return v;
    }

    private CodePointSet UnicodeProperty(int start, bool negate)
    {
        if (!More || Peek != '{') throw new RegexParseException("expected '{' after \\p", start);
        int close = _p.IndexOf('}', _i);
        if (close < 0) throw new RegexParseException("unterminated \\p{…}", start);
        string name = _p[(_i + 1)..close];
        _i = close + 1;
        var set = UnicodeCategories.Get(name) ?? throw new RegexParseException($"Unicode property \\p{{{name}}} is not supported (general categories only)", start);
        return negate ? set.Complement() : set;
    }

    private CodePointSet ParseClass()
    {
        int start = _i;
        _i++; // [
        bool negate = More && Peek == '^';
        if (negate) _i++;
        var ranges = new List<(int, int)>();
        var sets = new List<CodePointSet>();
        while (true)
        {
            if (!More) throw new RegexParseException("missing ']' for the class opened here", start);
            if (Peek == ']') { _i++; break; }
            int itemStart = _i;
            var lo = ClassAtom(out int loCp);
            if (More && Peek == '-' && _i + 1 < _p.Length && _p[_i + 1] != ']')
            {
                _i++;
                int hiStart = _i;
                var hi = ClassAtom(out int hiCp);
                if (lo is not null || hi is not null)
                    throw new RegexParseException("a class escape such as \\d cannot bound a range", itemStart);
                if (hiCp < loCp) throw new RegexParseException("range out of order in character class", hiStart);
                ranges.Add((loCp, hiCp));
            }
            else if (lo is not null) sets.Add(lo);
            else ranges.Add((loCp, loCp));
        }
        var set = CodePointSet.FromRanges(ranges);
        foreach (var s in sets) set = set.Union(s);
        if (_o.IgnoreCase) set = set.WithBothCases();
        return negate ? set.Complement() : set;
    }

    // Returns a set for a class escape (\d, \w…), or null with the single code point in cp.
    private CodePointSet? ClassAtom(out int cp)
    {
        if (Peek == '\\')
        {
            int start = _i;
            _i++;
            if (!More) throw new RegexParseException("pattern ends with a lone backslash", start);
            return ParseEscape(start, inClass: true, out cp);
        }
        cp = CharExtensions.ConvertToUtf32OrSelf(_p, _i, out int width);
        _i += width;
        return null;
    }

    internal static readonly CodePointSet Digit = CodePointSet.Range('0', '9');
    internal static readonly CodePointSet Word = CodePointSet.FromRanges([('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')]);
    internal static readonly CodePointSet Space = CodePointSet.FromRanges([
        ('\t', '\r'), (' ', ' '), (0xA0, 0xA0), (0x1680, 0x1680), (0x2000, 0x200A),
        (0x2028, 0x2029), (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000), (0xFEFF, 0xFEFF)]);

    /// <summary>The parsed pattern before anchors are resolved.</summary>
    internal abstract record Ast
    {
        public sealed record Alt(List<Ast> Items) : Ast;
        public sealed record Seq(List<Ast> Items) : Ast;
        public sealed record Rep(Ast Item, int Min, int Max) : Ast;
        public sealed record Set(CodePointSet Points) : Ast;
        public sealed record Start(int Position) : Ast;
        public sealed record End(int Position) : Ast;
    }
}

internal static class CharExtensions
{
    public static int ConvertToUtf32OrSelf(string s, int i, out int width)
    {
        if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
        {
            width = 2;
            return char.ConvertToUtf32(s[i], s[i + 1]);
        }
        width = 1;
        return s[i];
    }
}

