namespace Structured.Parsing;

/// <summary>Limits that keep compilation bounded: past any of them, compiling fails with a clear <see cref="GrammarException"/>.</summary>
public sealed record CompileOptions
{
    /// <summary>The default limits.</summary>
    public static CompileOptions Default { get; } = new();

    /// <summary>The most rules after expanding repetitions and alternatives.</summary>
    public int MaxRules { get; init; } = 500_000;

    /// <summary>The most symbols on all right-hand sides together.</summary>
    public int MaxSymbols { get; init; } = 4_000_000;

    /// <summary>The largest count in a bounded repetition of a non-regular part, <c>x{m,n}</c>.</summary>
    public int MaxRepeat { get; init; } = 20_000;

    /// <summary>The most distinct regex states (terms) that the lazy lexer may build.</summary>
    public int MaxRegexStates { get; init; } = 4_000_000;

    /// <summary>The longest compilation may take (deciding whether intersections of regexes are empty can be costly).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The deepest nesting of grammar expressions.</summary>
    public int MaxDepth { get; init; } = 2_000;
}
