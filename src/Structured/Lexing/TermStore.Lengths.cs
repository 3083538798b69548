using Structured.Regex;

namespace Structured.Lexing;

// A string keyword's pattern or format under minLength/maxLength is an intersection with "any characters, between a
// and b of them". Whether it is alive follows from the shortest and longest words of the pattern in characters,
// without a search: every token walked inside such a string makes a new state (the count differs at every depth),
// and a search per state made a first token class cost a search per trie node.
internal sealed partial class TermStore
{
    private static readonly CodePointSet AnyCharacter = CodePointSet.All.Except(CodePointSet.Range(0xD800, 0xDFFF));
    private int _anyCharacterTerm = -1; // the term of one character of any kind, once a class node has built it
    private readonly Dictionary<int, (int Min, int Max)> _characterCounts = [];
    private const int Unbounded = int.MaxValue;

    private void NoteClassTerm(CodePointSet set, int term)
    {
        if (set.Except(CodePointSet.Range(0xD800, 0xDFFF)).Equals(AnyCharacter)) _anyCharacterTerm = term;
    }

    // Decides And{X, any{a,b}} with X free of intersections, when X's character counts settle it: null otherwise. Only
    // for decoded JSON string values, whose words are whole characters (a byte-level X could have words that no count
    // of characters matches).
    private bool? LiveByLengthLocked(in Term term)
    {
        var list = term.List!;
        if (list.Length != 2 || _anyCharacterTerm < 0) return null;
        int bound = -1;
        for (int i = 0; i < 2; i++)
        {
            var part = _terms[list[i]];
            if (part.Kind == Kind.Repeat && part.A == _anyCharacterTerm) bound = i;
        }
        if (bound < 0) return null;
        var other = _terms[list[1 - bound]];
        if (other.Boolean) return null;
        var (min, max) = CharacterCountsLocked(list[1 - bound]);
        if (min < 0) return null;
        var length = _terms[list[bound]];
        long a = length.Min, b = length.Max < 0 ? Unbounded : length.Max;
        if (min > b || max < a) return false;
        if (min >= a) return true;
        return null; // shorter words than a exist, and longer ones too: only a search knows if one fits
    }

    // The fewest and most characters in X's words (Max = Unbounded for no limit), or Min = -1 where a byte set mixes
    // UTF-8 lead and continuation bytes, so that characters cannot be counted by bytes.
    private (int Min, int Max) CharacterCountsLocked(int t)
    {
        if (t == Epsilon) return (0, 0);
        if (_characterCounts.TryGetValue(t, out var known)) return known;
        var term = _terms[t];
        (int Min, int Max) result;
        switch (term.Kind)
        {
            case Kind.Bytes:
                {
                    var set = SetOf(term);
                    var continuation = ByteSet.Range(0x80, 0xBF);
                    var inside = set.Intersect(continuation);
                    result = inside.IsEmpty ? (1, 1) : inside == set ? (0, 0) : (-1, 0);
                    break;
                }
            case Kind.Concat:
                {
                    // Walk the right-nested chain rather than recurse down it.
                    long min = 0, max = 0;
                    int x = t;
                    while (_terms[x].Kind == Kind.Concat && !_characterCounts.ContainsKey(x))
                    {
                        var (m, n) = CharacterCountsLocked(_terms[x].A);
                        if (m < 0) { min = -1; break; }
                        min += m;
                        max = Add(max, n);
                        x = _terms[x].B;
                    }
                    if (min >= 0)
                    {
                        var (mr, nr) = CharacterCountsLocked(x);
                        min = mr < 0 ? -1 : min + mr;
                        max = Add(max, nr);
                    }
                    result = ((int)Math.Min(min, Unbounded - 1), (int)max);
                    break;
                }
            case Kind.Or:
                {
                    int min = Unbounded, max = 0;
                    foreach (int x in term.List!)
                    {
                        var (m, n) = CharacterCountsLocked(x);
                        if (m < 0) { min = -1; break; }
                        min = Math.Min(min, m);
                        max = Math.Max(max, n);
                    }
                    result = (min, max);
                    break;
                }
            case Kind.Repeat:
                {
                    var (m, n) = CharacterCountsLocked(term.A);
                    long min = m < 0 ? -1 : Math.Min((long)m * term.Min, Unbounded - 1);
                    long max = n == 0 ? 0 : term.Max < 0 || n == Unbounded ? Unbounded : Math.Min((long)n * term.Max, Unbounded);
                    result = ((int)min, (int)max);
                    break;
                }
            default:
                result = (-1, 0); // intersections and the like are not counted here
                break;
        }
        _characterCounts[t] = result;
        return result;

        static long Add(long x, int y) => x == Unbounded || y == Unbounded ? Unbounded : Math.Min(x + y, Unbounded);
    }
}
