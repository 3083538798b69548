using System.Globalization;
using System.Text;

namespace Structured.Parsing;

/// <summary>Why an input was rejected: where, which byte, what the grammar expected there, and in which rules.</summary>
public sealed class ParseError
{
    internal ParseError(long offset, int? unexpected, IReadOnlyList<string> expected, IReadOnlyList<string> rules, Lexing.ByteSet allowedBytes)
    {
        Offset = offset;
        UnexpectedByte = unexpected;
        Expected = expected;
        Rules = rules;
        AllowedBytes = allowedBytes;
    }

    /// <summary>The bytes that could have come at <see cref="Offset"/>.</summary>
    public Lexing.ByteSet AllowedBytes { get; }

    /// <summary>The byte offset of the rejected byte, or of the end of input.</summary>
    public long Offset { get; }

    /// <summary>The rejected byte; null when the input ended too early.</summary>
    public int? UnexpectedByte { get; }

    /// <summary>What could have come at <see cref="Offset"/>: lexeme names, literals, or "end of input".</summary>
    public IReadOnlyList<string> Expected { get; }

    /// <summary>The grammar rules that were waiting for what is expected.</summary>
    public IReadOnlyList<string> Rules { get; }

    /// <summary>A one-line description, e.g. <c>byte offset 7: unexpected '}' (0x7D); expected one of: STRING, '"' in rule 'object'</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("byte offset ").Append(Offset.ToString(CultureInfo.InvariantCulture)).Append(": ");
        sb.Append(UnexpectedByte is int b ? $"unexpected {Show(b)}" : "unexpected end of input");
        if (Expected.Count > 0) sb.Append("; expected ").Append(Expected.Count == 1 ? "" : "one of: ").Append(string.Join(", ", Expected));
        if (Rules.Count > 0) sb.Append(Rules.Count == 1 ? " in rule " : " in rules ").Append(string.Join(", ", Rules.Select(r => $"'{r}'")));
        // Concrete bytes help where lexeme names are fused regexes; only when they are few enough to read.
        int n = AllowedBytes.Count;
        if (n is > 0 and <= 24) sb.Append("; the next byte could be ").Append(AllowedBytes.ToString());
        return sb.ToString();
    }

    private static string Show(int b) =>
        b is >= 0x20 and < 0x7F ? $"'{(char)b}' (0x{b:X2})" : $"byte 0x{b:X2}";
}
