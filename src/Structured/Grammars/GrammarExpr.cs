using Structured.Regex;

namespace Structured.Grammars;

/// <summary>A position in a grammar's source text (1-based).</summary>
public readonly record struct SourceLocation(int Line, int Column)
{
    /// <inheritdoc />
    public override string ToString() => $"{Line}:{Column}";
}

/// <summary>The right-hand side of a rule: an expression over rules and terminals.</summary>
public abstract record GrammarExpr
{
    /// <summary>The empty string.</summary>
    public static GrammarExpr Empty { get; } = new SeqExpr([]);
}

/// <summary>The items in order.</summary>
public sealed record SeqExpr(IReadOnlyList<GrammarExpr> Items) : GrammarExpr;

/// <summary>Any one of the alternatives.</summary>
public sealed record ChoiceExpr(IReadOnlyList<GrammarExpr> Alternatives) : GrammarExpr;

/// <summary><paramref name="Item"/> repeated <paramref name="Min"/> to <paramref name="Max"/> times (no upper bound when null).</summary>
public sealed record RepeatExpr(GrammarExpr Item, int Min, int? Max) : GrammarExpr;

/// <summary>A reference to a rule (a nonterminal).</summary>
public sealed record RuleRef(string Name, SourceLocation Location) : GrammarExpr;

/// <summary>A reference to a named terminal.</summary>
public sealed record TerminalRef(string Name, SourceLocation Location) : GrammarExpr;

/// <summary>An anonymous terminal: a literal, a character class or an inline regex.</summary>
public sealed record TokenExpr(RegexNode Regex, string Display) : GrammarExpr
{
    /// <summary>The exact text when the token is a string literal; literals outrank regexes of the same length under longest match.</summary>
    public string? LiteralText { get; init; }

    /// <summary>The lexeme ends at its shortest match (a Lark regex written with a lazy quantifier, such as <c>/\/\*.*?\*\//s</c>).</summary>
    public bool Lazy { get; init; }
}

/// <summary>A rule: <c>Name → Body</c>.</summary>
public sealed record GrammarRule(string Name, GrammarExpr Body, SourceLocation Location);

/// <summary>A named terminal: a lexeme defined by a regex.</summary>
public sealed record TerminalDefinition(string Name, RegexNode Regex, SourceLocation Location)
{
    /// <summary>Under longest match, a higher priority wins when two terminals end at the same byte (Lark's <c>NAME.2</c>).</summary>
    public int Priority { get; init; }

    /// <summary>The exact text when the terminal is one string literal.</summary>
    public string? LiteralText { get; init; }

    /// <summary>The terminal ends at its shortest match.</summary>
    public bool Lazy { get; init; }

    /// <summary>The lexer mode in which the terminal is matched (ANTLR's <c>mode NAME;</c>); null for the grammar's first mode.</summary>
    public string? Mode { get; init; }

    /// <summary>What matching the terminal does to the lexer's mode, in order (ANTLR's <c>pushMode</c>, <c>popMode</c>, <c>mode</c>).</summary>
    public IReadOnlyList<LexerModeCommand> ModeCommands { get; init; } = [];
}

/// <summary>A change of lexer mode.</summary>
public enum LexerModeCommandKind
{
    /// <summary>Save the current mode on the mode stack and enter <see cref="LexerModeCommand.Mode"/>.</summary>
    Push,

    /// <summary>Return to the mode on top of the mode stack; on an empty stack the input is rejected.</summary>
    Pop,

    /// <summary>Enter <see cref="LexerModeCommand.Mode"/> without saving the current one.</summary>
    Set,
}

/// <summary>A change of lexer mode made when a terminal matches; <paramref name="Mode"/> names the mode entered (null for a pop).</summary>
public readonly record struct LexerModeCommand(LexerModeCommandKind Kind, string? Mode = null)
{
    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        LexerModeCommandKind.Push => $"pushMode({Mode})",
        LexerModeCommandKind.Pop => "popMode",
        _ => $"mode({Mode})",
    };
}
