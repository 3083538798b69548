using System.Text;
using Structured.Lexing;

namespace Structured.Parsing;

/// <summary>
/// Where a parse stands after some bytes: the left quotient of the language by the input so far.
/// Persistent: <see cref="Advance(ReadOnlySpan{byte})"/> returns a new state that shares all history with this one,
/// so keeping an old state is a rollback and handing one to two callers is a fork, both O(1). Thread-safe.
/// </summary>
public sealed class ParserState
{
    private readonly LexThread[] _threads;
    private int _accepting; // 0 unknown, 1 no, 2 yes

    internal ParserState(CompiledGrammar grammar, LexThread[] threads, long offset, ParseError? error = null)
    {
        Grammar = grammar;
        _threads = threads;
        Offset = offset;
        Error = error;
    }

    /// <summary>The grammar being parsed.</summary>
    public CompiledGrammar Grammar { get; }

    /// <summary>The number of bytes consumed from the initial state.</summary>
    public long Offset { get; }

    /// <summary>Why the input was rejected; null while the input is viable.</summary>
    public ParseError? Error { get; }

    /// <summary>The input so far is a prefix of some sentence of the language.</summary>
    public bool IsViable => Error is null;

    internal LexThread[] Threads => _threads;

    /// <summary>The input so far is a complete sentence.</summary>
    public bool IsAccepting
    {
        get
        {
            if (Error is not null) return false;
            int a = Volatile.Read(ref _accepting);
            if (a == 0)
            {
                a = ComputeAccepting() ? 2 : 1;
                Volatile.Write(ref _accepting, a);
            }
            return a == 2;
        }
    }

    /// <summary>
    /// The state after <paramref name="bytes"/>. When a byte is rejected, the result is not viable and its
    /// <see cref="Error"/> names the offset, the byte, what was expected and the rules waiting for it.
    /// Advancing a non-viable state returns it unchanged.
    /// </summary>
    public ParserState Advance(ReadOnlySpan<byte> bytes)
    {
        if (Error is not null || bytes.IsEmpty) return this;
        var threads = Stepper.For(Grammar).Run(_threads, bytes, Offset, out int consumed);
        if (consumed == bytes.Length) return new ParserState(Grammar, threads, Offset + consumed);
        var error = Describe(threads, Offset + consumed, bytes[consumed]);
        return new ParserState(Grammar, [], Offset + consumed, error);
    }

    /// <summary>The state after the UTF-8 bytes of <paramref name="text"/>.</summary>
    public ParserState Advance(string text) => Advance(Encoding.UTF8.GetBytes(text));

    /// <summary>Advances, returning false (and this state's successor with its error) when a byte is rejected.</summary>
    public bool TryAdvance(ReadOnlySpan<byte> bytes, out ParserState next)
    {
        next = Advance(bytes);
        return next.IsViable;
    }

    /// <summary>The error to report if the input ended here: null when the state is accepting.</summary>
    public ParseError? EndOfInputError() => IsAccepting ? null : Error ?? Describe(_threads, Offset, null);

    /// <summary>The bytes that may come next while keeping the input viable.</summary>
    public ByteSet AllowedBytes() => Error is not null ? ByteSet.Empty : BytesAfter(_threads, Offset);

    /// <summary>What may come next, as lexeme names (and "end of input" when accepting).</summary>
    public IReadOnlyList<string> Expected() => Describe(_threads, Offset, null).Expected;

    private bool ComputeAccepting()
    {
        var lexer = Grammar.T.Lexer;
        List<Column>? bases = null; // asked of every state a mask is made for: most have no pending longest match
        foreach (var t in _threads)
        {
            if (t.Fresh)
            {
                if (t.Column.Accepting) return true;
                continue;
            }
            if (!lexer[t.LexerState].EndsIfLongest) continue;
            Stepper.For(Grammar).CommitLongest(t.Column, t.LexerState, Offset, bases ??= []);
            foreach (var c in bases) if (c.Accepting) return true;
        }
        return false;
    }

    private ParseError Describe(LexThread[] threads, long offset, byte? unexpected)
    {
        var g = Grammar;
        var lexer = g.T.Lexer;
        var expected = new List<string>();
        var rules = new List<string>();
        var starts = new List<Column>();
        var bases = new List<Column>();
        bool accepting = false;
        foreach (var t in threads)
        {
            if (t.Fresh)
            {
                starts.Add(t.Column);
                accepting |= t.Column.Accepting;
                continue;
            }
            var continuing = lexer.Lexemes(t.LexerState);
            foreach (int lex in continuing)
                AddUnique(expected, g.LexemeName(lex) + " (continued)");
            // Only tokens the parser cannot take matched here (context-free lexing): say what it wanted where they began.
            if (continuing.Length == 0) starts.Add(t.Column);
            if (lexer[t.LexerState].EndsIfLongest)
            {
                Stepper.For(g).CommitLongest(t.Column, t.LexerState, offset, bases);
                foreach (var c in bases) { starts.Add(c); accepting |= c.Accepting; }
            }
        }
        foreach (var col in starts)
        {
            foreach (int lex in col.AllowedLexemes)
            {
                if (g.T.Lexemes[lex].Ignored) continue;
                AddUnique(expected, g.LexemeName(lex));
                foreach (var it in col.Items)
                {
                    if (g.T.Symbols[it.Position] != ~lex) continue;
                    string name = g.RuleName(g.T.RuleLhs[g.T.PositionRule[it.Position]]);
                    if (!name.StartsWith('<')) AddUnique(rules, name);
                }
            }
        }
        if (accepting) expected.Add("end of input");
        return new ParseError(offset, unexpected, expected, rules, BytesAfter(threads, offset));
    }

    private ByteSet BytesAfter(LexThread[] threads, long offset)
    {
        var set = ByteSet.Empty;
        var stepper = Stepper.For(Grammar);
        Span<byte> one = stackalloc byte[1];
        for (int b = 0; b < 256; b++)
        {
            one[0] = (byte)b;
            stepper.Run(threads, one, offset, out int consumed);
            if (consumed == 1) set = set.Add((byte)b);
        }
        return set;
    }

    private static void AddUnique(List<string> list, string s)
    {
        if (!list.Contains(s)) list.Add(s);
    }
}
