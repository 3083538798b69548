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

    // Decides And{X, any{a,b}} with X free of intersections, when X's character counts settle it: null otherwise; also
    // inside a character, where the bound is the rest of that character, then any{a,b}. Only for decoded JSON string
    // values, whose words are whole characters (a byte-level X could have words that no count of characters matches).
    private bool? LiveByLengthLocked(in Term term)
    {
        var list = term.List!;
        if (list.Length != 2 || _anyCharacterTerm < 0) return null;
        int bound = -1, lengthTerm = -1;
        for (int i = 0; i < 2 && bound < 0; i++)
        {
            int counted = CountedCharactersLocked(list[i]);
            if (counted >= 0) (bound, lengthTerm) = (i, counted);
        }
        if (bound < 0) return null;
        var other = _terms[list[1 - bound]];
        if (other.Boolean) return null;
        var (min, max) = CharacterCountsLocked(list[1 - bound]);
        if (min < 0) return null;
        var length = _terms[lengthTerm];
        long a = length.Min, b = length.Max < 0 ? Unbounded : length.Max;
        if (min > b || max < a) return false;
        // Counts are exact and attained: X has a word of min characters and one of max (or words of every size, for
        // an unbounded max). Either fits when it lies in [a, b]; with no upper bound, a long enough word always does.
        if (min >= a || max <= b) return true;
        return null; // shorter words than a exist, and longer ones than b too: only a search knows if one fits between
    }

    // The any{a,b} of a length bound in t: t itself, or, inside a character that has begun, what follows the rest of
    // that character (the rest counts no characters). -1 when t is neither. A walk meets such states after the first
    // byte of every multi-byte token; each used to need a breadth-first search some 100 states wide under a long
    // minLength (118 searches, 3.6 of the 4 ms that Github_hard/o79409's closure search took at its trace_id).
    private int CountedCharactersLocked(int t)
    {
        int tail = BytesHeadsLocked(t, _restScratch, out int k);
        var term = _terms[tail];
        if (term.Kind != Kind.Repeat || term.A != _anyCharacterTerm) return -1;
        return k == 0 || CharacterRestsLocked().Contains(RestKey(_restScratch, k)) ? tail : -1;
    }

    // The byte-set terms at the head of t's concatenation chain (at most three, into heads), and the term after them.
    private int BytesHeadsLocked(int t, int[] heads, out int count)
    {
        count = 0;
        while (count < 3 && _terms[t].Kind == Kind.Concat && _terms[_terms[t].A].Kind == Kind.Bytes)
        {
            heads[count++] = _terms[t].A;
            t = _terms[t].B;
        }
        return t;
    }

    private readonly int[] _restScratch = new int[3];
    private HashSet<(int, int, int)>? _characterRests;
    private int _characterRestsOf = -1;

    private static (int, int, int) RestKey(int[] bytes, int count) => (bytes[0], count > 1 ? bytes[1] : -1, count > 2 ? bytes[2] : -1);

    // What any character leaves after its first bytes, each as the chain of its byte-set terms: the derivatives of the
    // any-character term (the bound's own), so that a rest stands for every way the character may still end. Another
    // chain in that place (a pattern's "é" after 0xC3) is not a bound.
    private HashSet<(int, int, int)> CharacterRestsLocked()
    {
        if (_characterRestsOf == _anyCharacterTerm && _characterRests is { } known) return known;
        var rests = new HashSet<(int, int, int)>();
        var seen = new HashSet<int>();
        var pending = new Stack<int>();
        var chain = new int[3];
        pending.Push(_anyCharacterTerm);
        while (pending.Count > 0)
        {
            int t = pending.Pop();
            foreach (var cls in ClassesLocked(t))
            {
                int d = DeriveRaw(t, (byte)cls.First());
                if (d == Nothing || d == Epsilon || !seen.Add(d)) continue;
                pending.Push(d);
                int x = BytesHeadsLocked(d, chain, out int k);
                if (k < 3 && _terms[x].Kind == Kind.Bytes)
                {
                    chain[k++] = x;
                    rests.Add(RestKey(chain, k));
                }
            }
        }
        _characterRestsOf = _anyCharacterTerm;
        return _characterRests = rests;
    }

    // A JSON body may look at a few more decoded bytes than it has read: after "\u" (two bytes) the escape-aware term
    // asks whether a whole character (up to four bytes) can follow. Its decoded term is fingerprinted within the
    // horizon plus this margin.
    private const int JsonLookahead = 4;

    // Whether t is And{X, any{0,b}} (b = Unbounded for no bound) with X free of intersections: a string value's
    // pattern under maxLength, once minLength is met.
    private bool IsLengthBoundLocked(int t, out int x, out int bound)
    {
        x = -1;
        bound = 0;
        var term = _terms[t];
        if (term.Kind != Kind.And || _anyCharacterTerm < 0 || term.List!.Length != 2) return false;
        var list = term.List;
        for (int i = 0; i < 2; i++)
        {
            var part = _terms[list[i]];
            if (part.Kind != Kind.Repeat || part.A != _anyCharacterTerm || part.Min != 0 || _terms[list[1 - i]].Boolean) continue;
            x = list[1 - i];
            bound = part.Max < 0 ? Unbounded : part.Max;
            return true;
        }
        return false;
    }

    // A JSON body's decoded term And{X, any{0,b}} behaves like X itself on every string of up to `horizon` characters
    // when b is more than the horizon plus the most characters X may need to finish a word from any of its states:
    // whatever X still allows after such a string, it allows with a word that keeps within b. (X's words are whole
    // characters, as every decoded term's are, so the bound counts them all.) Returns X then, and t otherwise. This
    // is what lets a long string under a pattern and maxLength share token classes across its lengths, where an exact
    // fingerprint made every character a new class that walked the whole vocabulary.
    private int LengthBoundWithinLocked(int t, int horizon)
    {
        if (!IsLengthBoundLocked(t, out int x, out int bound)) return t;
        if (bound == Unbounded) return x;
        int need = CompletionBoundLocked(x);
        return need >= 0 && (long)bound > (long)horizon + need ? x : t;
    }

    private readonly Dictionary<int, int> _completionBounds = [];

    // The most characters that any nonempty derivative of X may need for its shortest word (Unbounded when too many
    // to count), or -1 where characters cannot be counted. By structure: in A·B, a state inside A needs A's bound and
    // then B's fewest; in r{m,n}, a state inside an iteration needs r's bound and m - 1 more of r's fewest.
    private int CompletionBoundLocked(int t)
    {
        if (t == Epsilon || t == Nothing) return 0;
        if (_completionBounds.TryGetValue(t, out int known)) return known;
        var term = _terms[t];
        long result;
        switch (term.Kind)
        {
            case Kind.Bytes:
                result = CharacterCountsLocked(t).Min;
                break;
            case Kind.Concat:
                {
                    int a = CompletionBoundLocked(term.A), b = CompletionBoundLocked(term.B), fewest = CharacterCountsLocked(term.B).Min;
                    result = a < 0 || b < 0 || fewest < 0 ? -1 : Math.Max((long)a + fewest, b);
                    break;
                }
            case Kind.Or:
                result = 0;
                foreach (int x in term.List!)
                {
                    int c = CompletionBoundLocked(x);
                    if (c < 0) { result = -1; break; }
                    result = Math.Max(result, c);
                }
                break;
            case Kind.Repeat:
                {
                    int r = CompletionBoundLocked(term.A), fewest = CharacterCountsLocked(term.A).Min;
                    result = r < 0 || fewest < 0 ? -1 : r + (long)Math.Max(0, term.Min - 1) * fewest;
                    break;
                }
            default:
                result = -1;
                break;
        }
        int bounded = (int)Math.Min(result, Unbounded);
        _completionBounds[t] = bounded;
        return bounded;
    }

    private readonly Dictionary<int, int> _fewestBytes = [];

    // A lower bound on the bytes of t's words (0 for intersections and the like, which are not measured here).
    private int FewestBytesLocked(int t)
    {
        if (t == Epsilon || t == Nothing) return 0;
        if (_fewestBytes.TryGetValue(t, out int known)) return known;
        var term = _terms[t];
        long result = 0;
        switch (term.Kind)
        {
            case Kind.Bytes:
                result = 1;
                break;
            case Kind.Concat:
                {
                    // Walk the right-nested chain rather than recurse down it.
                    int x = t;
                    while (_terms[x].Kind == Kind.Concat && !_fewestBytes.ContainsKey(x))
                    {
                        result += FewestBytesLocked(_terms[x].A);
                        x = _terms[x].B;
                    }
                    result += FewestBytesLocked(x);
                    break;
                }
            case Kind.Or:
                result = int.MaxValue;
                foreach (int x in term.List!) result = Math.Min(result, FewestBytesLocked(x));
                break;
            case Kind.Repeat:
                result = (long)term.Min * FewestBytesLocked(term.A);
                break;
        }
        int bounded = (int)Math.Min(result, int.MaxValue - 1);
        _fewestBytes[t] = bounded;
        return bounded;
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
