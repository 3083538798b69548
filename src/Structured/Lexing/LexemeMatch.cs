namespace Structured.Lexing;

/// <summary>Where a lexeme may end when its regex matches more than one prefix of the input.</summary>
public enum LexemeMatch
{
    /// <summary>
    /// At every point where it matches: the parser follows all splits, so the grammar means exactly its context-free language.
    /// GBNF grammars and bare regexes use this.
    /// </summary>
    AllEnds,

    /// <summary>At the longest match: the lexeme ends only when the next byte cannot extend any allowed lexeme (maximal munch, as in Lark and llguidance).</summary>
    Longest,

    /// <summary>At the shortest match: the lexeme ends as soon as it matches (lazy lexemes such as <c>/.*?END/</c>).</summary>
    Shortest,
}
