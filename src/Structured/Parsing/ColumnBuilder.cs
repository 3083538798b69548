using Structured.Lexing;

namespace Structured.Parsing;

/// <summary>
/// Builds Earley columns: scan, then predict and complete to a fixpoint. Nullable symbols are skipped at prediction
/// (Aycock–Horspool), and right recursion completes through Leo's memo. One reusable builder per thread.
/// </summary>
internal sealed class ColumnBuilder
{
    private readonly List<Item> _items = new(64);
    private readonly HashSet<long> _seen = [];
    private readonly List<int> _allowed = new(16);
    private CompiledGrammar? _grammar;
    private int[] _predicted = [];
    private int[] _allowedStamp = [];
    private int _stamp;

    // One builder per grammar and thread (CompiledGrammar keeps them), so switching grammars reallocates nothing.
    public static ColumnBuilder ForCurrentThread(CompiledGrammar g) => g.Scratch.Builder;

    public ColumnBuilder(CompiledGrammar g)
    {
        _grammar = g;
        _predicted = new int[g.T.RulesOf.Length];
        _allowedStamp = new int[g.T.Lexemes.Length];
    }

    /// <summary>The first column: the start rule predicted at offset 0.</summary>
    public Column? BuildInitial()
    {
        var col = Begin(0);
        Add(_grammar!.T.StartPosition, col);
        return Close(col);
    }

    /// <summary>A column after lexemes ended: each (origin, lexeme) pair scans the items of origin waiting for that lexeme.</summary>
    public Column? Build(List<(Column Origin, int Lexeme)> scans, long offset)
    {
        var t = _grammar!.T;
        int mode = 0;
        if (t.Modes is not null)
        {
            // The lexer emits one token, so one mode follows: that of the lexeme defined first (ANTLR's tie rule);
            // a scan that would lead to another mode is a token ANTLR's lexer never makes here.
            int best = 0;
            for (int k = 1; k < scans.Count; k++)
                if (t.Lexemes[scans[k].Lexeme].Priority > t.Lexemes[scans[best].Lexeme].Priority) best = k;
            mode = t.Modes.Apply(scans[best].Origin.Mode, t.Lexemes[scans[best].Lexeme].Commands);
            if (mode == LexerModes.Invalid) return null;
            if (scans.Count > 1) scans = InMode(t, scans, mode);
        }
        var col = Begin(offset, mode);
        // After a final lexeme (a fill-in-the-middle cut lexeme) the text ends: not even an ignored lexeme may follow.
        bool onlyFinal = scans.Count > 0;
        foreach (var (origin, lexeme) in scans)
        {
            AdvanceWaiters(origin, ~lexeme);
            onlyFinal &= t.Lexemes[lexeme].Final;
        }
        return Close(col, allowIgnored: !onlyFinal);
    }

    // Apart from Build: a lambda capturing its locals would allocate its closure on every call of Build, modes or not.
    private static List<(Column Origin, int Lexeme)> InMode(CompiledGrammar.Tables t, List<(Column Origin, int Lexeme)> scans, int mode)
    {
        var kept = new List<(Column Origin, int Lexeme)>(scans.Count);
        foreach (var s in scans)
            if (t.Modes!.Apply(s.Origin.Mode, t.Lexemes[s.Lexeme].Commands) == mode) kept.Add(s);
        return kept;
    }

    /// <summary>
    /// The column where lexing resumes after an ignored lexeme that changes the lexer mode: the same items in the new
    /// mode (<see cref="LexerModes.Invalid"/> gives null). Its items keep their origins, so completions read the same rules.
    /// </summary>
    public Column? Shift(Column from, int mode)
    {
        if (mode == LexerModes.Invalid) return null;
        var t = _grammar!.T;
        _allowed.Clear();
        NextStamp();
        foreach (var it in from.Items)
        {
            int sym = t.Symbols[it.Position];
            if (sym < 0 && sym != GrammarCompiler.EndMarker && _allowedStamp[~sym] != _stamp)
            {
                _allowedStamp[~sym] = _stamp;
                _allowed.Add(~sym);
            }
        }
        var col = new Column(from.Offset) { Mode = mode, Accepting = from.Accepting };
        col.SetItemsFrom(from);
        Publish(col, allowIgnored: true);
        return col;
    }

    private Column Begin(long offset, int mode = 0)
    {
        _items.Clear();
        _seen.Clear();
        _allowed.Clear();
        NextStamp();
        return new Column(offset) { Mode = mode };
    }

    private void NextStamp()
    {
        if (++_stamp != int.MaxValue) return;
        Array.Clear(_predicted);
        Array.Clear(_allowedStamp);
        _stamp = 1;
    }

    private void Add(int position, Column origin)
    {
        long key = ((long)position << 32) | (uint)origin.Id;
        if (_seen.Add(key)) _items.Add(new Item(position, origin));
    }

    // The items of origin that wait for sym, each moved past it.
    private void AdvanceWaiters(Column origin, int sym)
    {
        var syms = _grammar!.T.Symbols;
        if (origin.TryGetWaiting(sym, syms, out var waiting))
        {
            foreach (var w in waiting) Add(w.Position + 1, w.Origin);
            return;
        }
        foreach (var w in origin.Items)
            if (syms[w.Position] == sym) Add(w.Position + 1, w.Origin);
    }

    private Column? Close(Column col, bool allowIgnored = true)
    {
        var g = _grammar!;
        var t = g.T;
        var syms = t.Symbols;
        for (int i = 0; i < _items.Count; i++)
        {
            var it = _items[i];
            int sym = syms[it.Position];
            if (sym == GrammarCompiler.EndMarker)
            {
                int lhs = t.RuleLhs[t.PositionRule[it.Position]];
                // A zero-width completion (origin here) needs nothing: lhs then derives the empty string, so it is
                // nullable (lexemes that match it count), and every waiter in this column takes the nullable skip below.
                if (it.Origin == col) continue;
                if (it.Origin.LeoTop(g, lhs) is Item top) Add(top.Position, top.Origin);
                else AdvanceWaiters(it.Origin, lhs);
            }
            else if (sym >= 0)
            {
                if (_predicted[sym] != _stamp)
                {
                    _predicted[sym] = _stamp;
                    foreach (int p in t.RulesOf[sym]) Add(p, col);
                }
                if (t.Nullable[sym]) Add(it.Position + 1, it.Origin);
            }
            else
            {
                int lex = ~sym;
                if (_allowedStamp[lex] != _stamp)
                {
                    _allowedStamp[lex] = _stamp;
                    _allowed.Add(lex);
                }
                if (t.LexemeNullable[lex]) Add(it.Position + 1, it.Origin);
            }
        }
        if (_items.Count == 0) return null;
        // Later steps read only items that wait for a symbol (scans, completions, Leo). Completed items are dropped,
        // which also keeps their origin columns from being held alive in a chain back to the start.
        int acceptPos = t.StartPosition + 1;
        int waiting = 0;
        foreach (var it in _items)
        {
            if (syms[it.Position] != GrammarCompiler.EndMarker) waiting++;
            else if (it.Position == acceptPos) col.Accepting = true;
        }
        var stored = new Item[waiting];
        int k = 0;
        foreach (var it in _items)
            if (syms[it.Position] != GrammarCompiler.EndMarker) stored[k++] = it;
        col.SetItems(stored);
        Publish(col, allowIgnored);
        return col;
    }

    // The allowed lexemes (the expected ones gathered in _allowed, plus the ignored ones), kept to the column's lexer
    // mode, and the lexer state that starts there.
    private void Publish(Column col, bool allowIgnored)
    {
        var t = _grammar!.T;
        foreach (int lex in allowIgnored ? t.Ignored : [])
        {
            if (_allowedStamp[lex] != _stamp)
            {
                _allowedStamp[lex] = _stamp;
                _allowed.Add(lex);
            }
        }
        ulong mode = ulong.MaxValue;
        if (t.Modes is not null)
        {
            mode = t.Modes.MaskOf(col.Mode);
            int kept = 0;
            for (int i = 0; i < _allowed.Count; i++)
                if ((t.Lexemes[_allowed[i]].Modes & mode) != 0) _allowed[kept++] = _allowed[i];
            _allowed.RemoveRange(kept, _allowed.Count - kept);
        }
        _allowed.Sort();
        col.AllowedLexemes = _allowed.ToArray();
        col.LexerStart = _grammar.LexerStartFor(col.AllowedLexemes, mode);
    }
}
