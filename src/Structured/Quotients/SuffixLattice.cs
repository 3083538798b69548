using Structured.Lexing;

namespace Structured.Quotients;

/// <summary>
/// Every way the lexer may cut a fixed suffix into lexemes: a graph over byte positions whose edges are lexeme
/// matches, and the cut lexemes, whose start lies before the suffix (in the middle) and whose end lies inside it.
/// </summary>
/// <remarks>
/// Edges over-approximate the lexer on purpose: each lexeme contributes its own matches (every end, its longest or its
/// shortest, as its match mode says), whatever the other lexemes would have taken. Under longest match the real lexer
/// picks one of these, so no valid reading is lost; the few extra readings are caught by the exact check of the whole
/// text when the middle stops (<see cref="MiddleGrammar.IsExact"/>).
/// </remarks>
internal sealed class SuffixLattice
{
    /// <summary>A lexeme over <c>suffix[Start..End)</c>.</summary>
    public readonly record struct Edge(int Start, int End, int Lexeme);

    /// <summary>A lexeme that begins in the middle and ends at <c>suffix[End]</c>: its first part is the term <c>Head</c>.</summary>
    public readonly record struct Cut(int End, int Lexeme, int Head);

    public required int Length { get; init; }

    /// <summary>Edges grouped by their end position.</summary>
    public required List<Edge>[] EdgesEndingAt { get; init; }

    public required List<Cut> Cuts { get; init; }

    /// <summary>Positions that some reading of the suffix reaches from the cut.</summary>
    public required bool[] Reached { get; init; }

    private const int MaxHeadStates = 20_000;

    public static SuffixLattice Build(TermStore terms, LexemeSpec[] lexemes, ReadOnlySpan<byte> suffix, bool contextFree)
    {
        int n = suffix.Length;
        var edgesEndingAt = new List<Edge>[n + 1];
        for (int i = 0; i <= n; i++) edgesEndingAt[i] = [];
        var reached = new bool[n + 1];
        var cuts = new List<Cut>();
        var queue = new Queue<int>();
        void Reach(int p)
        {
            if (reached[p]) return;
            reached[p] = true;
            queue.Enqueue(p);
        }
        Reach(0);
        for (int l = 0; l < lexemes.Length; l++)
        {
            if (lexemes[l].Term == TermStore.Nothing) continue;
            foreach (int end in CutEnds(terms, lexemes[l], suffix))
            {
                int head = terms.RightQuotientNonEmpty(lexemes[l].Term, suffix[..end]);
                if (head == TermStore.Nothing) continue;
                cuts.Add(new Cut(end, l, head));
                Reach(end);
            }
        }
        var ends = new List<int>();
        var longest = new List<(int End, int Lexeme)>();
        while (queue.Count > 0)
        {
            int a = queue.Dequeue();
            longest.Clear();
            for (int l = 0; l < lexemes.Length; l++)
            {
                ends.Clear();
                MatchEnds(terms, lexemes[l], lexemes[l].Term, suffix, a, ends);
                foreach (int b in ends)
                {
                    if (b == a) continue; // an empty match moves nowhere; nullable lexemes are skipped by the parse itself
                    if (lexemes[l].Match == LexemeMatch.Longest && !lexemes[l].Ignored) { longest.Add((b, l)); continue; }
                    edgesEndingAt[b].Add(new Edge(a, b, l));
                    Reach(b);
                }
            }
            if (longest.Count == 0) continue;
            if (contextFree)
            {
                // Context-free lexing (ANTLR): the lexer alone decides, so only the longest end, and at it the top rank.
                int far = longest.Max(x => x.End);
                int top = longest.Where(x => x.End == far).Max(x => lexemes[x.Lexeme].Rank);
                longest.RemoveAll(x => x.End != far || lexemes[x.Lexeme].Rank != top);
            }
            else
            {
                // Contextual lexing (Lark): which lexemes compete depends on the parser, so every lexeme keeps its own
                // longest match, except where a reserved literal of higher rank matches the same bytes (a keyword is
                // never a name).
                longest.RemoveAll(x => longest.Any(y => y.End == x.End && Shadows(lexemes[y.Lexeme], lexemes[x.Lexeme], terms)));
            }
            foreach (var (b, l) in longest)
            {
                edgesEndingAt[b].Add(new Edge(a, b, l));
                Reach(b);
            }
        }
        return new SuffixLattice { Length = n, EdgesEndingAt = edgesEndingAt, Cuts = cuts, Reached = reached };
    }

    // As the lexer's shadows work: a literal outranks a lexeme that matches the literal's whole text.
    private static bool Shadows(LexemeSpec literal, LexemeSpec other, TermStore terms)
    {
        if (literal.Literal is null || literal.Rank <= other.Rank) return false;
        int t = other.Term;
        foreach (byte b in literal.Literal)
        {
            t = terms.Derive(t, b);
            if (t == TermStore.Nothing) return false;
        }
        return terms.IsNullable(t);
    }

    // Where a match of the lexeme starting at `from` may end, under its match mode.
    private static void MatchEnds(TermStore terms, LexemeSpec spec, int term, ReadOnlySpan<byte> text, int from, List<int> ends)
    {
        if (term == TermStore.Nothing) return;
        int last = -1;
        for (int p = from; ; p++)
        {
            if (terms.IsNullable(term))
            {
                if (spec.Match == LexemeMatch.AllEnds) ends.Add(p);
                else if (spec.Match == LexemeMatch.Shortest) { ends.Add(p); return; }
                else last = p;
            }
            if (p == text.Length) break;
            term = terms.Derive(term, text[p]);
            if (term == TermStore.Nothing) break;
        }
        if (last >= 0) ends.Add(last);
    }

    // The positions where a match of the lexeme that began before the cut may end inside the suffix: follow every
    // state the lexeme reaches after a non-empty head through the suffix, and keep the ends its match mode allows.
    private static HashSet<int> CutEnds(TermStore terms, LexemeSpec spec, ReadOnlySpan<byte> suffix)
    {
        var heads = new HashSet<int>();
        var frontier = new Stack<int>();
        for (int b = 0; b < 256; b++)
        {
            int d = terms.Derive(spec.Term, (byte)b);
            if (d != TermStore.Nothing && heads.Add(d)) frontier.Push(d);
        }
        while (frontier.Count > 0)
        {
            int t = frontier.Pop();
            for (int b = 0; b < 256; b++)
            {
                int d = terms.Derive(t, (byte)b);
                if (d != TermStore.Nothing && heads.Add(d)) frontier.Push(d);
            }
            if (heads.Count > MaxHeadStates)
                throw new GrammarException($"a lexeme's automaton is too large to cut (over {MaxHeadStates:N0} states)");
        }
        var result = new HashSet<int>();
        var ends = new List<int>();
        foreach (int h in heads)
        {
            ends.Clear();
            MatchEnds(terms, spec, h, suffix, 0, ends);
            foreach (int e in ends)
                if (e > 0) result.Add(e);
        }
        return result;
    }
}
