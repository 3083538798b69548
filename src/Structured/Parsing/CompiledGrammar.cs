using Structured.Grammars;
using Structured.Lexing;

namespace Structured.Parsing;

/// <summary>
/// A grammar compiled for parsing: flat Earley rules over lexemes, and a lazily built byte-level lexer.
/// Immutable and thread-safe; its lazy automaton caches grow as inputs explore them. Compile once and share.
/// </summary>
public sealed class CompiledGrammar
{
    internal sealed class Tables
    {
        public required int[] Symbols;          // flat rules: nonterminal ≥ 0, lexeme l as ~l, EndMarker closes a rule
        public required int[] PositionRule;     // rule index for each position in Symbols
        public required int[] RuleLhs;
        public required int[][] RulesOf;        // per nonterminal: start positions of its rules
        public required bool[] Nullable;
        public required bool[] LexemeNullable;
        public required string[] NonterminalNames;
        public required string[] LexemeNames;
        public required LexemeSpec[] Lexemes;
        public required int[] Ignored;
        public bool IsQuotient;                 // a fill-in-the-middle quotient: its cut lexemes are final (LexemeSpec.Final)
        public LexerModes? Modes;               // the lexer-mode states, when the grammar has modes
        public required int StartPosition;
        public required TermStore Terms;
        public required LexerTable Lexer;
    }

    internal readonly Tables T;

    /// <summary>Per-thread working memory for parsing this grammar.</summary>
    internal sealed class ThreadScratch
    {
        public ThreadScratch(CompiledGrammar g)
        {
            Builder = new ColumnBuilder(g);
            Stepper = new Stepper(g, Builder);
        }

        public ColumnBuilder Builder { get; }

        public Stepper Stepper { get; }
    }

    /// <summary>This thread's working memory for this grammar.</summary>
    internal ThreadScratch Scratch => Internal.PerThread<CompiledGrammar, ThreadScratch>.Get(this, static g => new ThreadScratch(g));
    private readonly Lazy<ParserState> _initial;

    internal CompiledGrammar(Grammar source, Tables tables)
    {
        _source = source;
        T = tables;
        _initial = new Lazy<ParserState>(() =>
        {
            var col = ColumnBuilder.ForCurrentThread(this).BuildInitial()
                ?? throw new EmptyLanguageException("the grammar matches no string at all");
            return new ParserState(this, [new LexThread(col, col.LexerStart, fresh: true)], 0);
        });
    }

    /// <summary>Compiles a grammar; throws <see cref="GrammarException"/> when it is invalid or exceeds a limit.</summary>
    public static CompiledGrammar Compile(Grammar grammar, CompileOptions? options = null) => GrammarCompiler.Compile(grammar, options);

    /// <summary>Reads and compiles a GBNF grammar.</summary>
    public static CompiledGrammar FromGbnf(string text, CompileOptions? options = null) => Compile(Grammar.FromGbnf(text), options);

    /// <summary>Reads and compiles a Lark grammar.</summary>
    public static CompiledGrammar FromLark(string text, CompileOptions? options = null) => Compile(Grammar.FromLark(text), options);

    /// <summary>Compiles a regex whose full matches form the language.</summary>
    public static CompiledGrammar FromRegex(string pattern, CompileOptions? options = null) => Compile(Grammar.FromRegex(pattern), options);

    private Grammar? _source;
    private Func<Grammar>? _rebuildSource;

    /// <summary>The grammar this was compiled from.</summary>
    /// <remarks>A grammar made from a JSON Schema is made again on first use (it is the same each time): a large
    /// schema's grammar is some 75,000 objects, which young collections would otherwise copy, inside masks, while
    /// nothing reads them.</remarks>
    public Grammar Source => _source ?? LazyInitializer.EnsureInitialized(ref _source, _rebuildSource!);

    /// <summary>Lets go of the source grammar, to be made again by <paramref name="rebuild"/> when asked for.</summary>
    internal CompiledGrammar WithSourceMadeOnDemand(Func<Grammar> rebuild)
    {
        _rebuildSource = rebuild;
        Volatile.Write(ref _source, null);
        return this;
    }

    /// <summary>The state before any input.</summary>
    public ParserState InitialState => _initial.Value;

    /// <summary>The number of Earley rules after lowering.</summary>
    public int RuleCount => T.RuleLhs.Length;

    /// <summary>The number of distinct lexemes.</summary>
    public int LexemeCount => T.Lexemes.Length;

    /// <summary>The number of lexer DFA states built so far (they are built on demand).</summary>
    public int LexerStateCount => T.Lexer.StateCount;

    /// <summary>Parses a whole input from the start; a convenience over <see cref="ParserState.Advance(ReadOnlySpan{byte})"/>.</summary>
    public ParserState Parse(ReadOnlySpan<byte> input) => InitialState.Advance(input);

    /// <summary>True when <paramref name="input"/> is a complete sentence.</summary>
    public bool Accepts(ReadOnlySpan<byte> input) => Parse(input).IsAccepting;

    /// <summary>Prints the lowered rules, for debugging.</summary>
    public string DescribeRules()
    {
        var sb = new System.Text.StringBuilder();
        for (int r = 0; r < T.RuleLhs.Length; r++)
        {
            sb.Append(T.NonterminalNames[T.RuleLhs[r]]).Append(" ->");
            int pos = Array.IndexOf(T.PositionRule, r);
            for (; T.Symbols[pos] != GrammarCompiler.EndMarker; pos++)
            {
                int s = T.Symbols[pos];
                sb.Append(' ').Append(s >= 0 ? T.NonterminalNames[s] : T.LexemeNames[~s]);
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    internal int LexerStartFor(int[] allowed, ulong mode) => T.Lexer.Start(allowed, mode);

    /// <summary>A lexeme's name for error messages. In a fill-in-the-middle quotient, a lexeme that the cut splits is named
    /// after the original one; the "/j" of internal names (the suffix bytes it covers) is not shown.</summary>
    internal string LexemeName(int lexeme) => T.Lexemes[lexeme].Final
        ? WithoutQuotientMark(T.LexemeNames[lexeme]) + " ending in the suffix"
        : T.LexemeNames[lexeme];

    /// <summary>A nonterminal's name for error messages ("stat", not the quotient's "stat/12").</summary>
    internal string RuleName(int nonterminal) => T.IsQuotient ? WithoutQuotientMark(T.NonterminalNames[nonterminal]) : T.NonterminalNames[nonterminal];

    private static string WithoutQuotientMark(string name)
    {
        int slash = name.LastIndexOf('/');
        return slash > 0 && slash < name.Length - 1 && name.AsSpan(slash + 1).IndexOfAnyExceptInRange('0', '9') < 0 ? name[..slash] : name;
    }
}
