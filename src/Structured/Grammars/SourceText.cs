namespace Structured.Grammars;

/// <summary>A cursor over grammar text that knows line and column, for readers' error messages.</summary>
internal sealed class SourceText(string text, string? sourceName)
{
    public string Text { get; } = text;
    public string? SourceName { get; } = sourceName;
    public int Pos { get; set; }

    public bool AtEnd => Pos >= Text.Length;
    public char Peek => Pos < Text.Length ? Text[Pos] : '\0';
    public char PeekAt(int k) => Pos + k < Text.Length ? Text[Pos + k] : '\0';

    public SourceLocation LocationAt(int offset)
    {
        int line = 1, col = 1;
        for (int i = 0; i < offset && i < Text.Length; i++)
        {
            if (Text[i] == '\n') { line++; col = 1; }
            else col++;
        }
        return new SourceLocation(line, col);
    }

    public SourceLocation Location => LocationAt(Pos);

    public GrammarException Error(string reason, int? offset = null)
    {
        var at = LocationAt(offset ?? Pos);
        return new GrammarException(reason, at.Line, at.Column, SourceName);
    }

    public bool StartsWith(string s) => string.CompareOrdinal(Text, Pos, s, 0, s.Length) == 0;

    /// <summary>Reads an escape after a backslash in a quoted literal or class; returns the code point.</summary>
    public int ReadEscape(int start)
    {
        if (AtEnd) throw Error("unterminated escape", start);
        char c = Text[Pos++];
        switch (c)
        {
            case 'n': return '\n';
            case 'r': return '\r';
            case 't': return '\t';
            case 'f': return '\f';
            case 'v': return '\v';
            case '0': return 0;
            case 'x': return Hex(2, start);
            case 'u': return Hex(4, start);
            case 'U': return Hex(8, start);
            default:
                if (char.IsAsciiLetterOrDigit(c)) throw Error($"unknown escape '\\{c}'", start);
                return c;
        }
    }

    private int Hex(int digits, int start)
    {
        if (Pos + digits > Text.Length || !int.TryParse(Text.AsSpan(Pos, digits), System.Globalization.NumberStyles.HexNumber, null, out int v) || v > Regex.CodePointSet.MaxCodePoint)
            throw Error($"expected {digits} hex digits in escape", start);
        Pos += digits;
        return v;
    }

    /// <summary>Reads one code point of the text (a surrogate pair counts as one).</summary>
    public int ReadCodePoint()
    {
        char c = Text[Pos];
        if (char.IsHighSurrogate(c) && Pos + 1 < Text.Length && char.IsLowSurrogate(Text[Pos + 1]))
        {
            Pos += 2;
            return char.ConvertToUtf32(c, Text[Pos - 1]);
        }
        Pos++;
        return c;
    }
}
