using Structured.Lexing;
using Structured.Tokens;

namespace Structured.Masks;

/// <summary>
/// The tokens made only of plain string text, down to the trie's split depth: printable ASCII other than <c>"</c> and
/// <c>\</c>, and well-formed UTF-8 (a token may end inside a character); nearly all of o200k's. A lexer state that takes
/// every plain text of that length without ending a lexeme (<see cref="Cover"/>: a free string, a string still to
/// match an unanchored pattern, one with a minimum length, or a maximum still far off) allows all of them whatever
/// they are, so its class is this slice plus a walk of the few nodes outside it (<see cref="Spine"/>), instead of a
/// walk of the whole trie.
/// </summary>
/// <remarks>
/// The slice is a fixed choice, not derived from any grammar: a state it does not fit is walked by subtrees, as
/// before, so the choice decides only how often the short path is taken, never a mask. The depth limit lets a string
/// whose length bound lies past the split depth be covered; the longer tokens are on the spine and walked.
/// A string whose bound is near (an id of exactly 16 characters, the last characters of a <c>maxLength</c>) is covered
/// up to a count: every plain text of up to r characters goes on, and every longer one dies at its (r+1)-th character.
/// Its class is the part of the slice with at most r characters (<see cref="BitsWithin"/>) plus the same spine walk,
/// which finds the longer plain nodes on the spine dead. Each position of such a string is a new lexer state, and the
/// subtree walk it replaces visited the whole trie each time.
/// </remarks>
internal sealed class PlainSlice
{
    // The plain-text automaton: state 0 between characters; 1-7 inside a UTF-8 sequence (how many continuation bytes
    // are still due, and the range the next one must lie in, as Unicode's table of well-formed sequences gives it).
    private const int States = 8;
    private static readonly sbyte[] Step = BuildSteps();
    private static readonly byte[][] PlainBytes = [.. Enumerable.Range(0, States).Select(a => Enumerable.Range(0, 256).Where(b => Step[a * 256 + b] >= 0).Select(b => (byte)b).ToArray())];

    // Searches past these bounds are left to the full walk. Pairs of known lexer states cost about a microsecond each;
    // new lexer states cost several times that to derive, and a search that must make many of them (a pattern's
    // positions counted against a minimum length, a key among hundreds of names) costs more than the walk it would spare.
    private const int MaxPairs = 4096;
    private const int MaxNewStates = 64;
    // Counting makes a state per character and position inside one, which the subtree walk it spares would make too;
    // but a search that fails has made states no walk needs. Over MaskBench, 192 cut class builds' time by 7%; 512 added 5%.
    // A counting search that succeeds rarely needs over 512 pairs (101 of 105 in the first 3,000 schemas); one that
    // failed at 4,096 cost 6 ms before the walk it could not spare (a key that must contain one of 30 names).
    private const int MaxNewStatesCounting = 192;
    private const int MaxPairsCounting = 1024;

    /// <summary>The mask bits of every plain token (the mask's width in words).</summary>
    public required uint[] Bits { get; init; }

    /// <summary>How many tokens are plain.</summary>
    public required int Count { get; init; }

    /// <summary>
    /// The trie nodes a class walk still visits, in depth-first order: those outside the slice, and the plain ones on
    /// the way to them. <see cref="SpineEnds"/> gives, per entry, the entry after its subtree.
    /// </summary>
    public required int[] Spine { get; init; }

    /// <inheritdoc cref="Spine"/>
    public required int[] SpineEnds { get; init; }

    /// <summary>Per spine entry: whether its node is plain (its tokens are in <see cref="Bits"/> already).</summary>
    public required bool[] SpinePlain { get; init; }

    /// <summary>The returned bound of a state that every plain text within the horizon keeps lexing.</summary>
    public const int Unbounded = int.MaxValue;

    /// <summary>The returned bound of a state the slice does not cover.</summary>
    public const int NotCovered = -1;

    // Per count of characters below the split depth: the plain tokens that start at most that many.
    private uint[][] _within = [];

    /// <summary>
    /// The mask bits of the plain tokens that start at most <paramref name="chars"/> characters (a token may end inside
    /// the last one); the whole slice from the split depth on, as no plain token starts more characters than it has bytes.
    /// </summary>
    public uint[] BitsWithin(int chars) => chars < _within.Length ? _within[chars] : Bits;

    private static sbyte[] BuildSteps()
    {
        var step = new sbyte[States * 256];
        Array.Fill(step, (sbyte)-1);
        for (int b = 0x20; b < 0x80; b++)
            if (b != '"' && b != '\\') step[b] = 0;
        for (int b = 0xC2; b <= 0xDF; b++) step[b] = 1;
        step[0xE0] = 2;
        for (int b = 0xE1; b <= 0xEF; b++) step[b] = 3;
        step[0xED] = 4;
        step[0xF0] = 5;
        for (int b = 0xF1; b <= 0xF3; b++) step[b] = 6;
        step[0xF4] = 7;
        // (state, continuation range, state after it)
        (int State, int Lo, int Hi, int Next)[] continuations =
        [
            (1, 0x80, 0xBF, 0), (2, 0xA0, 0xBF, 1), (3, 0x80, 0xBF, 1), (4, 0x80, 0x9F, 1),
            (5, 0x90, 0xBF, 3), (6, 0x80, 0xBF, 3), (7, 0x80, 0x8F, 3),
        ];
        foreach (var (state, lo, hi, next) in continuations)
            for (int b = lo; b <= hi; b++) step[state * 256 + b] = (sbyte)next;
        return step;
    }

    /// <summary>Marks the plain nodes of a trie, and collects the spine.</summary>
    public static PlainSlice Build(TokenTrie trie, int words)
    {
        int n = trie.NodeCount;
        var plain = new bool[n];
        var at = new sbyte[trie.MaxDepth + 2]; // the automaton's state per depth on the current path
        var charsAt = new int[trie.MaxDepth + 2]; // characters started per depth on the current path, while plain
        var within = new uint[trie.SplitDepth][];
        for (int c = 0; c < within.Length; c++) within[c] = new uint[words];
        var bits = new uint[words];
        int count = 0;
        // outside[k]: how many of the nodes before k are not plain (the root is neither).
        var outside = new int[n + 1];
        for (int i = 1; i < n; i++)
        {
            int d = trie.NodeDepth[i];
            int from = d == 1 ? 0 : at[d - 1];
            int s = from < 0 ? -1 : Step[from * 256 + trie.NodeByte[i]];
            at[d] = (sbyte)s;
            plain[i] = s >= 0 && d <= trie.SplitDepth;
            outside[i + 1] = outside[i] + (plain[i] ? 0 : 1);
            if (!plain[i]) continue;
            int chars = charsAt[d] = (d == 1 ? 0 : charsAt[d - 1]) + (from == 0 ? 1 : 0);
            for (int t = trie.NodeToken[i]; t >= 0; t = trie.SameBytesNext[t])
            {
                bits[t >> 5] |= 1u << (t & 31);
                if (chars < within.Length) within[chars][t >> 5] |= 1u << (t & 31);
                count++;
            }
        }
        for (int c = 1; c < within.Length; c++) TokenMasker.Or(within[c], within[c - 1]);
        // A node is on the spine when it is not plain or has a node below it that is not.
        var before = new int[n + 1]; // how many spine nodes precede node k
        for (int i = 0; i < n; i++)
        {
            bool onSpine = i > 0 && (!plain[i] || outside[trie.SubtreeEnd[i]] - outside[i + 1] > 0);
            before[i + 1] = before[i] + (onSpine ? 1 : 0);
        }
        int size = before[n];
        var spine = new int[size];
        var ends = new int[size];
        var spinePlain = new bool[size];
        for (int i = 1; i < n; i++)
        {
            if (before[i + 1] == before[i]) continue;
            int k = before[i];
            spine[k] = i;
            ends[k] = before[trie.SubtreeEnd[i]];
            spinePlain[k] = plain[i];
        }
        return new PlainSlice { Bits = bits, Count = count, Spine = spine, SpineEnds = ends, SpinePlain = spinePlain, _within = within };
    }

    [ThreadStatic] private static HashSet<(Fingerprint, int)>? t_seen;
    [ThreadStatic] private static HashSet<(int, int)>? t_seenStates;
    [ThreadStatic] private static Stack<(int, int)>? t_pending;
    [ThreadStatic] private static int[]? t_done;
    [ThreadStatic] private static int t_stamp;

    /// <summary>
    /// How much plain text <paramref name="state"/> takes, with no lexeme to commit first: <see cref="Unbounded"/> when
    /// every plain text of up to <paramref name="horizon"/> bytes keeps the lexer alive, ends no lexeme that text may
    /// follow, and keeps lexing (then a class walk would find every plain node allowed and in no crossing); a count r
    /// when that holds for every plain text of up to r characters and every longer one dies at its (r+1)-th character;
    /// <see cref="NotCovered"/> otherwise, or past the search's bounds.
    /// </summary>
    /// <remarks>
    /// Explores the lexer states that plain texts reach (a few for a free string, one per pattern position for an
    /// unanchored pattern). States are told apart by their signature within the horizon, not by identity: a state
    /// equal to one already explored behaves like it on every text the horizon holds, so what follows it is known.
    /// This is what ends the search in a string whose length bound lies beyond the horizon (each character makes a new
    /// state, but not a new signature). Where a plain text dies, or the states grow too many, the search runs again
    /// counting characters.
    /// </remarks>
    public static int Cover(LexerTable lexer, int state, int horizon)
    {
        var outcome = Search(lexer, state, horizon, counting: false, out _);
        if (outcome is Outcome.Covered or Outcome.Failed) return outcome == Outcome.Covered ? Unbounded : NotCovered;
        return Search(lexer, state, horizon, counting: true, out int bound) == Outcome.Covered ? bound : NotCovered;
    }

    private enum Outcome { Covered, Died, TooManyStates, Failed }

    // Counting, a pair also holds the characters started before it (its third part, packed with the automaton's state),
    // every death must come at the same count, with nothing alive past it, and no text is followed past the horizon:
    // the search is finite without signatures, so it tells states apart by identity (a signature costs more than the
    // derivation it would spare here), and it also settles states with more positions than the first search may make
    // (an exact length counted down, an unanchored pattern's partial matches).
    private static Outcome Search(LexerTable lexer, int state, int horizon, bool counting, out int bound)
    {
        bound = -1;
        var seen = t_seen ??= [];
        var seenStates = t_seenStates ??= [];
        var pending = t_pending ??= new Stack<(int, int)>();
        seen.Clear();
        seenStates.Clear();
        pending.Clear();
        // A pair is (the lexer state the next byte steps from, the automaton's state); the first byte steps from the class's own state.
        if (counting) seenStates.Add((state, 0));
        else seen.Add((lexer.Signature(state, horizon), 0));
        pending.Push((state, 0));
        var done = t_done ??= new int[256 * States];
        int statesBefore = lexer.StateCount;
        int maxNew = counting ? MaxNewStatesCounting : MaxNewStates;
        int mostAlive = 0;
        while (pending.Count > 0)
        {
            var (from, packed) = pending.Pop();
            int automaton = packed & 7, chars = packed >> 3;
            var bytes = PlainBytes[automaton];
            lexer.Next(from, bytes[0]); // makes the state's byte classes
            var classOf = lexer[from].ClassOf!;
            // Bytes of one lexer class that the automaton takes to the same state lead to the same pair.
            int stamp = ++t_stamp;
            foreach (byte b in bytes)
            {
                int a = Step[automaton * 256 + b];
                ref int mark = ref done[classOf[b] * States + a];
                if (mark == stamp) continue;
                mark = stamp;
                int next = lexer.Next(from, b);
                if (lexer.StateCount - statesBefore > maxNew) return counting ? Outcome.Failed : Outcome.TooManyStates;
                int started = chars + (automaton == 0 ? 1 : 0);
                if (next == LexerTable.Dead)
                {
                    // A character may be refused whole (by its count), never by its continuation bytes.
                    if (!counting) return Outcome.Died;
                    if (automaton != 0 || bound >= 0 && bound != started - 1 || mostAlive > started - 1) return Outcome.Failed;
                    bound = started - 1;
                    continue;
                }
                ref readonly var st = ref lexer[next];
                if (st.EndNowGoesOn || st.Continue == LexerTable.Dead) return Outcome.Failed;
                mostAlive = Math.Max(mostAlive, started);
                if (counting && bound >= 0 && mostAlive > bound) return Outcome.Failed;
                // A text that has started the horizon's count of characters has as many bytes: nothing past it is in the slice.
                if (counting && started >= horizon) continue;
                int key = counting ? a | started << 3 : a;
                if (counting ? !seenStates.Add((st.Continue, key)) : !seen.Add((lexer.Signature(st.Continue, horizon), key))) continue;
                if (seen.Count + seenStates.Count > (counting ? MaxPairsCounting : MaxPairs)) return Outcome.Failed;
                pending.Push((st.Continue, key));
            }
        }
        if (bound < 0) bound = Unbounded; // counting, and no plain text within the horizon died
        return Outcome.Covered;
    }
}
