using Structured.Lexing;

namespace Structured.Grammars;

/// <summary>
/// The grammar IR: rules over nonterminals and lexemes, where a lexeme is a regular expression over bytes.
/// Every front end (GBNF, Lark, regex, later JSON Schema) produces one; <see cref="Parsing.CompiledGrammar"/> compiles it.
/// </summary>
public sealed class Grammar
{
    /// <summary>Creates a grammar.</summary>
    public Grammar(string startRule, IReadOnlyList<GrammarRule> rules, IReadOnlyList<TerminalDefinition>? terminals = null,
        IReadOnlyList<string>? ignore = null, LexemeMatch lexemeMatch = LexemeMatch.AllEnds, string? sourceName = null)
    {
        StartRule = startRule;
        Rules = rules;
        Terminals = terminals ?? [];
        Ignore = ignore ?? [];
        LexemeMatch = lexemeMatch;
        SourceName = sourceName;
    }

    /// <summary>The rule that derives whole sentences.</summary>
    public string StartRule { get; }

    /// <summary>The rules; a name may have several, which are alternatives.</summary>
    public IReadOnlyList<GrammarRule> Rules { get; }

    /// <summary>Named terminals.</summary>
    public IReadOnlyList<TerminalDefinition> Terminals { get; }

    /// <summary>Terminals that may appear between any two lexemes and are then dropped (Lark's <c>%ignore</c>).</summary>
    public IReadOnlyList<string> Ignore { get; }

    /// <summary>Where lexemes may end: <see cref="LexemeMatch.AllEnds"/> keeps the exact context-free meaning.</summary>
    public LexemeMatch LexemeMatch { get; }

    /// <summary>
    /// Under <see cref="LexemeMatch.AllEnds"/>, fuse every regular part (rules without recursion) into one lexeme. True for
    /// hand-written grammars; the JSON Schema compiler turns it off, since fusing a whole document's structure into one
    /// regex makes derivatives large, while its own tokens are already the right lexemes.
    /// </summary>
    public bool FuseRegularParts { get; init; } = true;

    /// <summary>
    /// Under <see cref="LexemeMatch.Longest"/>, lex without regard to what the parser expects, as ANTLR does: every
    /// terminal competes for the longest match and for ties everywhere, and a token the parser cannot take there is
    /// an error. Off (Lark's contextual lexing), only the terminals the parser allows compete, except reserved literals.
    /// </summary>
    public bool ContextFreeLexing { get; init; }

    /// <summary>
    /// The lexer's modes (ANTLR's <c>mode NAME;</c>), the first being where lexing starts; empty when the grammar has
    /// none. In a mode, only the terminals defined for it are lexed; terminals change the mode as their
    /// <see cref="TerminalDefinition.ModeCommands"/> say, with a stack for pushes and pops. The mode is part of the
    /// parser state, so masks and checks follow it exactly.
    /// </summary>
    public IReadOnlyList<string> LexerModes { get; init; } = [];

    /// <summary>A file name or label for error messages.</summary>
    public string? SourceName { get; }

    /// <summary>Reads a GBNF grammar (llama.cpp's format).</summary>
    public static Grammar FromGbnf(string text, string? sourceName = null) => GbnfReader.Read(text, sourceName);

    /// <summary>Reads a Lark-style EBNF grammar.</summary>
    public static Grammar FromLark(string text, string? sourceName = null) => LarkReader.Read(text, sourceName);

    /// <summary>Reads an ANTLR 4 grammar (<c>.g4</c>); actions and predicates are ignored (see <see cref="AntlrReader"/> for their warnings and strict mode).</summary>
    public static Grammar FromAntlr(string text, string? sourceName = null) => AntlrReader.Read(text, sourceName);

    /// <summary>A grammar whose language is the full matches of an ECMA-262 regex.</summary>
    public static Grammar FromRegex(string pattern)
    {
        Regex.RegexNode node;
        try
        {
            node = Regex.RegexParser.Parse(pattern);
        }
        catch (RegexParseException e)
        {
            throw new GrammarException($"regex error at offset {e.Position}: {e.RegexReason}");
        }
        return new Grammar("start", [new GrammarRule("start", new TokenExpr(node, "/" + pattern + "/"), new SourceLocation(1, 1))], sourceName: "regex");
    }

    /// <summary>Prints the grammar in Lark-like syntax, for debugging and <c>structured compile --print-grammar</c>.</summary>
    public override string ToString() => GrammarPrinter.Print(this);
}
