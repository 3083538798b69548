namespace Structured;

/// <summary>
/// A grammar, regex or constraint that cannot be compiled: a syntax error, an unsupported construct or a compile limit.
/// The message names the location (line:column, or the offset in a pattern) and the cause.
/// </summary>
public class GrammarException : Exception
{
    /// <summary>Creates an error at a location in a grammar text.</summary>
    public GrammarException(string reason, int line, int column, string? source = null)
        : base($"{(source is null ? "" : source + ":")}{line}:{column}: {reason}")
    {
        Reason = reason;
        Line = line;
        Column = column;
    }

    /// <summary>Creates an error without a text location.</summary>
    public GrammarException(string reason) : base(reason) => Reason = reason;

    /// <summary>Creates an error without a text location, with an inner cause.</summary>
    public GrammarException(string reason, Exception inner) : base(reason, inner) => Reason = reason;

    /// <summary>Creates an error with no details.</summary>
    public GrammarException() : this("invalid grammar") { }

    /// <summary>The cause, without the location.</summary>
    public string Reason { get; }

    /// <summary>The 1-based line, or 0 when the error has no text location.</summary>
    public int Line { get; }

    /// <summary>The 1-based column, or 0 when the error has no text location.</summary>
    public int Column { get; }
}

/// <summary>A regex that cannot be compiled. <see cref="Position"/> is the 0-based offset in the pattern.</summary>
public sealed class RegexParseException : GrammarException
{
    /// <summary>Creates an error at <paramref name="position"/> in the pattern.</summary>
    public RegexParseException(string reason, int position)
        : base($"regex error at offset {position}: {reason}", 1, position + 1)
    {
        RegexReason = reason;
        Position = position;
    }

    /// <summary>The 0-based offset in the pattern.</summary>
    public int Position { get; }

    /// <summary>The cause, without the offset.</summary>
    public string RegexReason { get; }
}

/// <summary>
/// The constraint is well formed but its language is empty: no input can satisfy it (a <c>false</c> schema, an empty
/// <c>enum</c>, contradictory bounds). A recognizer may treat it as rejecting everything; a generator cannot start.
/// </summary>
public sealed class EmptyLanguageException : GrammarException
{
    /// <summary>Creates the error.</summary>
    public EmptyLanguageException(string reason) : base(reason) { }

    /// <summary>Creates the error with a default message.</summary>
    public EmptyLanguageException() : base("the constraint matches nothing") { }

    /// <summary>Creates the error with an inner cause.</summary>
    public EmptyLanguageException(string reason, Exception inner) : base(reason, inner) { }
}
