using Structured.Lexing;

namespace Structured.Parsing;

/// <summary>
/// Advances a set of lexer threads by one byte. A lexeme that ends scans into an Earley column; the column's fresh
/// thread then lexes on. <see cref="LexemeMatch.Longest"/> ends wait for the next byte to show the match cannot grow.
/// Column transitions are cached on the columns, so a boundary crossed once (while parsing or walking the token trie)
/// costs a dictionary lookup afterwards. One reusable instance per thread and grammar.
/// </summary>
internal sealed class Stepper
{
    private List<LexThread> _current = new(8);
    private List<LexThread> _next = new(8);
    private readonly List<(Column, int)> _scans = new(8);
    private readonly List<(Column, int)> _commitScans = new(4);
    private readonly List<Column> _ignoredBases = new(4);
    private readonly List<Column> _bases = new(2);
    private readonly CompiledGrammar _g;
    private readonly LexerTable _lexer;
    private readonly ColumnBuilder _builder;

    public static Stepper For(CompiledGrammar g) => g.Scratch.Stepper;

    public Stepper(CompiledGrammar g, ColumnBuilder builder)
    {
        _g = g;
        _lexer = g.T.Lexer;
        _builder = builder;
    }

    /// <summary>
    /// Feeds <paramref name="bytes"/>. Returns the threads after the last byte accepted; <paramref name="consumed"/> is
    /// how many bytes were accepted (less than the length when a byte was rejected).
    /// </summary>
    public LexThread[] Run(LexThread[] start, ReadOnlySpan<byte> bytes, long offset, out int consumed)
    {
        // A parse moves forward and rarely meets a boundary twice: it reads the transition cache but does not fill it
        // (a weak reference per column costs about half of parsing). Mask walks, which revisit boundaries, fill it.
        _fillCache = false;
        try
        {
            return RunSteps(start, bytes, offset, out consumed);
        }
        finally
        {
            _fillCache = true;
        }
    }

    private bool _fillCache = true;

    private LexThread[] RunSteps(LexThread[] start, ReadOnlySpan<byte> bytes, long offset, out int consumed)
    {
        _current.Clear();
        _current.AddRange(start);
        for (int i = 0; i < bytes.Length; i++)
        {
            _next.Clear();
            Step(_current, bytes[i], offset + i, _next);
            if (_next.Count == 0)
            {
                consumed = i;
                return _current.ToArray();
            }
            (_current, _next) = (_next, _current);
        }
        consumed = bytes.Length;
        return _current.ToArray();
    }

    /// <summary>The threads after <paramref name="b"/>, appended to <paramref name="output"/> (empty when b is rejected).</summary>
    public void Step(List<LexThread> input, byte b, long position, List<LexThread> output)
    {
        _scans.Clear();
        _ignoredBases.Clear();
        foreach (var t in input)
        {
            int s2 = _lexer.Next(t.LexerState, b);
            if (s2 != LexerTable.Dead)
            {
                Continue(t.Column, s2, output);
                continue;
            }
            if (t.Fresh) continue;
            if (!_lexer[t.LexerState].EndsIfLongest) continue;
            // The longest match ended before b: commit it, then start the next lexeme with b.
            CommitLongest(t.Column, t.LexerState, position, _bases);
            foreach (var col in _bases)
            {
                int s3 = _lexer.Next(col.LexerStart, b);
                if (s3 != LexerTable.Dead) Continue(col, s3, output);
            }
        }
        if (_scans.Count > 0)
        {
            var col = _scans.Count == 1 ? Scan(_scans[0].Item1, _scans[0].Item2, position + 1) : _builder.Build(_scans, position + 1);
            if (col is not null) Add(output, new LexThread(col, col.LexerStart, fresh: true));
        }
        foreach (var col in _ignoredBases) Add(output, new LexThread(col, col.LexerStart, fresh: true));
    }

    private void Continue(Column col, int state, List<LexThread> output)
    {
        ref readonly var st = ref _lexer[state];
        foreach (int lex in st.EndNow)
        {
            if (_g.T.Lexemes[lex].Ignored) { if (AfterIgnored(col, lex) is { } b && !_ignoredBases.Contains(b)) _ignoredBases.Add(b); }
            else _scans.Add((col, lex));
        }
        if (st.Continue != LexerTable.Dead) Add(output, new LexThread(col, st.Continue, fresh: false));
    }

    private static void Add(List<LexThread> list, LexThread t)
    {
        foreach (var x in list) if (x.Equals(t)) return;
        list.Add(t);
    }

    private Column? Scan(Column from, int lexeme, long position)
    {
        if (from.TryGetNext(lexeme, out var next)) return next;
        _commitScans.Clear();
        _commitScans.Add((from, lexeme));
        next = _builder.Build(_commitScans, position);
        if (_fillCache) from.SetNext(lexeme, next);
        return next;
    }

    /// <summary>
    /// Where lexing resumes after an ignored lexeme: the same column, or, when the lexeme changes the lexer mode, the
    /// same items in the new mode (cached on the column; null when the change pops an empty mode stack).
    /// </summary>
    private Column? AfterIgnored(Column from, int lexeme)
    {
        var commands = _g.T.Lexemes[lexeme].Commands;
        if (commands is null) return from;
        int key = int.MinValue + lexeme;
        if (from.TryGetNext(key, out var shifted)) return shifted;
        shifted = _builder.Shift(from, _g.T.Modes!.Apply(from.Mode, commands));
        if (_fillCache) from.SetNext(key, shifted);
        return shifted;
    }

    /// <summary>
    /// The columns where lexing resumes after the lexemes that lexer state <paramref name="state"/> ends at once
    /// (<see cref="LexemeMatch.AllEnds"/> and <see cref="LexemeMatch.Shortest"/>): a scan of them, and the column itself for ignored ones.
    /// </summary>
    public void EndNow(Column from, int state, long position, List<Column> bases)
    {
        bases.Clear();
        var lexemes = _lexer.EndNow(state);
        int key = int.MinValue / 2 - state;
        if (!from.TryGetNext(key, out var col))
        {
            _commitScans.Clear();
            foreach (int lex in lexemes)
                if (!_g.T.Lexemes[lex].Ignored) _commitScans.Add((from, lex));
            col = _commitScans.Count == 0 ? null : _commitScans.Count == 1 ? Scan(from, _commitScans[0].Item2, position) : _builder.Build(_commitScans, position);
            if (_fillCache) from.SetNext(key, col);
        }
        if (col is not null) bases.Add(col);
        foreach (int lex in lexemes)
            if (_g.T.Lexemes[lex].Ignored && AfterIgnored(from, lex) is { } b && !bases.Contains(b)) bases.Add(b);
    }

    /// <summary>The columns where lexing resumes after committing the longest-match lexemes that lexer state <paramref name="state"/> ends.</summary>
    public void CommitLongest(Column from, int state, long position, List<Column> bases)
    {
        bases.Clear();
        var lexemes = _lexer.EndIfLongest(state);
        int key = -1 - state;
        if (!from.TryGetNext(key, out var col))
        {
            _commitScans.Clear();
            foreach (int lex in lexemes)
                if (!_g.T.Lexemes[lex].Ignored) _commitScans.Add((from, lex));
            col = _commitScans.Count > 0 ? _builder.Build(_commitScans, position) : null;
            if (_fillCache) from.SetNext(key, col);
        }
        if (col is not null) bases.Add(col);
        foreach (int lex in lexemes)
            if (_g.T.Lexemes[lex].Ignored && AfterIgnored(from, lex) is { } b && !bases.Contains(b)) bases.Add(b);
    }
}
