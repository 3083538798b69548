using Structured.Lexing;

namespace Structured.Parsing;

/// <summary>
/// Advances lexer threads by bytes. A lexeme that ends scans into a new Earley column; the column's fresh thread then
/// lexes on. <see cref="LexemeMatch.Longest"/> ends are held until the next byte shows the match cannot grow.
/// One reusable instance per thread, so a multi-byte advance allocates only the columns it creates.
/// </summary>
internal sealed class Stepper
{
    [ThreadStatic] private static Stepper? t_instance;

    private List<LexThread> _current = new(8);
    private List<LexThread> _next = new(8);
    private readonly List<(Column, int)> _scans = new(8);
    private readonly List<(Column, int)> _commitScans = new(4);
    private readonly List<Column> _ignoredBases = new(4);
    private readonly List<Column> _bases = new(2);
    private CompiledGrammar _g = null!;
    private LexerTable _lexer = null!;
    private ColumnBuilder _builder = null!;

    public static Stepper For(CompiledGrammar g)
    {
        var s = t_instance ??= new Stepper();
        s._g = g;
        s._lexer = g.T.Lexer;
        s._builder = ColumnBuilder.ForCurrentThread(g);
        return s;
    }

    /// <summary>
    /// Feeds <paramref name="bytes"/>. Returns the threads after the last byte accepted; <paramref name="consumed"/> is
    /// how many bytes were accepted (less than the length when a byte was rejected).
    /// </summary>
    public LexThread[] Run(LexThread[] start, ReadOnlySpan<byte> bytes, long offset, out int consumed)
    {
        _current.Clear();
        _current.AddRange(start);
        for (int i = 0; i < bytes.Length; i++)
        {
            if (!StepOne(bytes[i], offset + i))
            {
                consumed = i;
                return _current.ToArray();
            }
        }
        consumed = bytes.Length;
        return _current.ToArray();
    }

    // Replaces _current with the threads after b; false (and _current unchanged) when b is rejected.
    private bool StepOne(byte b, long position)
    {
        _next.Clear();
        _scans.Clear();
        _ignoredBases.Clear();
        foreach (var t in _current)
        {
            int s2 = _lexer.Next(t.LexerState, b);
            if (s2 != LexerTable.Dead)
            {
                Continue(t.Column, s2);
                continue;
            }
            if (t.Fresh) continue;
            var st = _lexer[t.LexerState];
            if (st.EndIfLongest.Length == 0) continue;
            // The longest match ended before b: commit it, then start the next lexeme with b.
            CommitLongest(t.Column, st.EndIfLongest, position, _bases);
            foreach (var col in _bases)
            {
                int s3 = _lexer.Next(col.LexerStart, b);
                if (s3 != LexerTable.Dead) Continue(col, s3);
            }
        }
        if (_scans.Count > 0)
        {
            var col = _builder.Build(_scans, position + 1);
            if (col is not null) AddNext(new LexThread(col, col.LexerStart, fresh: true));
        }
        foreach (var col in _ignoredBases) AddNext(new LexThread(col, col.LexerStart, fresh: true));
        if (_next.Count == 0) return false;
        (_current, _next) = (_next, _current);
        return true;
    }

    private void Continue(Column col, int state)
    {
        var st = _lexer[state];
        foreach (int lex in st.EndNow)
        {
            if (_g.T.Lexemes[lex].Ignored) { if (!_ignoredBases.Contains(col)) _ignoredBases.Add(col); }
            else _scans.Add((col, lex));
        }
        if (st.Continue != LexerTable.Dead) AddNext(new LexThread(col, st.Continue, fresh: false));
    }

    private void AddNext(LexThread t)
    {
        foreach (var x in _next) if (x.Equals(t)) return;
        _next.Add(t);
    }

    /// <summary>The columns where lexing resumes after committing longest-match lexemes that ended at <paramref name="position"/>.</summary>
    public void CommitLongest(Column from, int[] lexemes, long position, List<Column> bases)
    {
        bases.Clear();
        _commitScans.Clear();
        bool ignored = false;
        foreach (int lex in lexemes)
        {
            if (_g.T.Lexemes[lex].Ignored) ignored = true;
            else _commitScans.Add((from, lex));
        }
        if (_commitScans.Count > 0)
        {
            var col = _builder.Build(_commitScans, position);
            if (col is not null) bases.Add(col);
        }
        if (ignored) bases.Add(from);
    }
}
