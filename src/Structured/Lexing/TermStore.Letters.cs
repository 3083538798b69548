namespace Structured.Lexing;

// A cheap proof that an intersection is empty, tried before a liveness search and on each state the search reaches:
// if one part's strings all contain a byte that another part's strings never contain, no string is in both. A
// date-time's time of day never contains 'T', so a pattern that still needs a whole date-time dies at once instead of
// after a search through every hour, minute and leap second (thousands of states).
internal sealed partial class TermStore
{
    // Per term: the bytes its strings may contain (a superset) and the bytes each of its strings contains (a subset).
    private readonly Dictionary<int, (ByteSet May, ByteSet Must)> _letters = [];
    private readonly bool _livenessShortcuts;

    private bool LettersProveEmptyLocked(int t)
    {
        var term = _terms[t];
        if (term.Kind != Kind.And || !_livenessShortcuts) return false;
        var may = ByteSet.All;
        var must = ByteSet.Empty;
        foreach (int x in term.List!)
        {
            var (m, n) = LettersLocked(x);
            may = may.Intersect(m);
            must = must.Union(n);
        }
        return must.Intersect(may) != must;
    }

    private (ByteSet May, ByteSet Must) LettersLocked(int t)
    {
        if (t == Epsilon) return (ByteSet.Empty, ByteSet.Empty);
        if (_letters.TryGetValue(t, out var known)) return known;
        var term = _terms[t];
        (ByteSet May, ByteSet Must) result;
        switch (term.Kind)
        {
            case Kind.Bytes:
                {
                    var set = SetOf(term);
                    result = (set, set.Count == 1 ? set : ByteSet.Empty);
                    break;
                }
            case Kind.Concat:
                {
                    // Concatenations nest to the right: walk the chain instead of recursing down it.
                    var (may, must) = (ByteSet.Empty, ByteSet.Empty);
                    int x = t;
                    while (_terms[x].Kind == Kind.Concat && !_letters.ContainsKey(x))
                    {
                        var (m, n) = LettersLocked(_terms[x].A);
                        may = may.Union(m);
                        must = must.Union(n);
                        x = _terms[x].B;
                    }
                    var (mr, nr) = LettersLocked(x);
                    result = (may.Union(mr), must.Union(nr));
                    break;
                }
            case Kind.Or:
                {
                    var (may, must) = (ByteSet.Empty, ByteSet.All);
                    foreach (int x in term.List!)
                    {
                        var (m, n) = LettersLocked(x);
                        may = may.Union(m);
                        must = must.Intersect(n);
                    }
                    result = (may, must);
                    break;
                }
            case Kind.And:
                {
                    var (may, must) = (ByteSet.All, ByteSet.Empty);
                    foreach (int x in term.List!)
                    {
                        var (m, n) = LettersLocked(x);
                        may = may.Intersect(m);
                        must = must.Union(n);
                    }
                    result = (may, must);
                    break;
                }
            case Kind.Repeat:
                {
                    var (m, n) = LettersLocked(term.A);
                    result = (m, term.Min > 0 ? n : ByteSet.Empty);
                    break;
                }
            case Kind.Quotient:
                result = (LettersLocked(term.A).May, ByteSet.Empty); // a prefix of A's strings: no byte is certain
                break;
            default:
                result = (ByteSet.All, ByteSet.Empty); // complements and JSON spellings: nothing is known
                break;
        }
        _letters[t] = result;
        return result;
    }
}
