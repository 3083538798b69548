namespace Structured.Lexing;

/// <summary>A lexeme as the lexer sees it.</summary>
/// <remarks>
/// <c>Reserved</c>: context-free lexing (ANTLR's). Where the parser does not allow this lexeme it still competes for the
/// longest match and for ties, as a shadow, so that the tokens never depend on what the parser expects.
/// <c>Modes</c>: a bit per lexer mode in which the lexeme is lexed (every bit for grammars without modes);
/// <c>Commands</c>: the mode changes its match makes (<see cref="LexerModes"/>).
/// <c>Final</c>: the text ends with this lexeme (a fill-in-the-middle cut lexeme), so no token goes on past its end.
/// </remarks>
internal readonly record struct LexemeSpec(int Term, LexemeMatch Match, bool Ignored, int Priority = 0, byte[]? Literal = null, bool Reserved = false,
    ulong Modes = ulong.MaxValue, ModeCommand[]? Commands = null, bool Final = false)
{
    /// <summary>Under longest match, ties at the same length go to the higher rank: explicit priority first, then literal over regex (Lark's rule).</summary>
    public int Rank => Priority * 2 + (Literal is null ? 0 : 1);
}

/// <summary>
/// The combined lexer: a lazily built DFA whose state is the set of (lexeme, regex term) pairs still alive.
/// Each Earley column allows a set of lexemes; its start state holds just those, so the lexer tracks only what the parser can take.
/// </summary>
/// <remarks>
/// Transitions of known states are read without a lock; new states are built under one. A state is a record in a
/// page of records, and its lists (pairs, ending lexemes, transition row) are slices of an <see cref="Internal.IntArena"/>:
/// a large schema makes tens of thousands of states on the mask path, and as five small objects each they were most of
/// what the collector copied inside masks.
/// </remarks>
internal sealed class LexerTable
{
    public const int Dead = 0;

    // A shadow pair tracks a reserved literal that the parser does not allow here: it cannot end a lexeme,
    // but when it matches, lower-ranked lexemes of the same length do not end either (so keywords stay reserved).
    private const int ShadowFlag = 1 << 30;

    /// <summary>A lexer state. Fields are written under the table's lock; the row and the signature are published last.</summary>
    internal struct StateInfo
    {
        internal int[] Data;                 // pairs (lexeme, term, … sorted by lexeme), then EndNow, then EndIfLongest
        internal int DataStart;
        internal int PairInts;
        internal int EndNowCount;
        internal int EndLongestCount;
        internal int[]? Row;                 // per byte class: state id, or -1 when not built yet; null until a first transition is asked for (many states never are)
        internal int RowStart;
        internal byte[]? ClassOf;            // each byte's class: bytes that every pair's term treats alike lead to the same state (set before Row)
        // Token classes ask for two horizons (the trie's split depth and its longest token). Most states cut no count
        // within either, and then one signature serves every horizon from ExactFrom on.
        internal int ExactFrom;              // 1 + the least horizon at which the signature is exact, 0 while unknown; written once
        internal Fingerprint ExactSignature;
        internal int SignatureHorizon;       // 1 + a horizon below ExactFrom, and the signature cut there; 0 while unknown; written once
        internal Fingerprint Signature;
        internal int SignatureHorizon2;      // the same for a second such horizon
        internal Fingerprint Signature2;

        /// <summary>The state that keeps lexing after EndNow (Shortest lexemes and finished matches removed).</summary>
        public int Continue;

        /// <summary>Some lexeme of EndNow may be followed by more text (none is when all are final).</summary>
        public bool EndNowGoesOn;

        /// <summary>Some Longest lexeme ends here unless the next byte extends the match.</summary>
        public bool EndsIfLongest;

        /// <summary>EndIfLongest holds only ignored lexemes without mode commands: lexing resumes where it started.</summary>
        public bool LongestEndsIgnoredOnly;

        internal readonly ReadOnlySpan<int> Pairs => Data.AsSpan(DataStart, PairInts);
        internal readonly ReadOnlySpan<int> EndNow => Data.AsSpan(DataStart + PairInts, EndNowCount);
        internal readonly ReadOnlySpan<int> EndIfLongest => Data.AsSpan(DataStart + PairInts + EndNowCount, EndLongestCount);
    }

    // The store's lock, not one of our own: grammars derived from one another (fill-in-the-middle quotients) share a
    // store, and every derivative any of their tables adds must be made under the same lock.
    private readonly object _gate;
    private readonly TermStore _terms;
    private readonly LexemeSpec[] _lexemes;
    private readonly HashSet<int> _intern;
    private readonly HashSet<int>.AlternateLookup<ReadOnlySpan<int>> _lookup;
    private readonly Internal.IntArena _arena = new();
    private int[] _scratch = new int[16]; // the next state's pairs, under the lock

    // Fixed pages, never copied, so a reference into one stays valid while states are added.
    private const int PageBits = 8;
    private const int PageSize = 1 << PageBits;
    private StateInfo[][] _pages = [];
    private int _count;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(ContentKey<int> Lexemes, ulong Mode), int> _startByLexemeSet = new();

    public LexerTable(TermStore terms, LexemeSpec[] lexemes)
    {
        _terms = terms;
        _gate = terms.Gate;
        _lexemes = lexemes;
        _intern = new HashSet<int>(new PairsComparer(this));
        _lookup = _intern.GetAlternateLookup<ReadOnlySpan<int>>();
        lock (_gate) InternLocked([]);
    }

    public int StateCount => Volatile.Read(ref _count);

    /// <summary>The state's record (read-only; valid for the table's life).</summary>
    public ref readonly StateInfo this[int id] => ref Volatile.Read(ref _pages)[id >> PageBits][id & (PageSize - 1)];

    private ref StateInfo Write(int id) => ref _pages[id >> PageBits][id & (PageSize - 1)];

    /// <summary>The lexemes that end at once in the state (AllEnds or Shortest).</summary>
    public ReadOnlySpan<int> EndNow(int state) => this[state].EndNow;

    /// <summary>The Longest lexemes that end in the state unless the next byte extends the match.</summary>
    public ReadOnlySpan<int> EndIfLongest(int state) => this[state].EndIfLongest;

    /// <summary>The lexemes still alive in the state (shadows left out).</summary>
    public int[] Lexemes(int state)
    {
        var pairs = this[state].Pairs;
        var result = new List<int>(pairs.Length / 2);
        for (int i = 0; i < pairs.Length; i += 2)
            if ((pairs[i] & ShadowFlag) == 0) result.Add(pairs[i]);
        return result.ToArray();
    }

    /// <summary>
    /// What the state does on every string of at most <paramref name="horizon"/> bytes, as a hash: the multiset of its
    /// pairs' term fingerprints within that horizon (<see cref="TermStore.FingerprintWithin"/>), with each lexeme's
    /// match mode, ignore flag, rank and finality, and whether the pair is a reserved-literal shadow. Equal signatures (in any
    /// grammars) mean equal behaviour up to the horizon, so token classes, which never look past the longest token,
    /// are keyed by it and shared across grammars.
    /// </summary>
    public Fingerprint Signature(int state, int horizon)
    {
        ref readonly var st = ref this[state];
        int exactFrom = Volatile.Read(in st.ExactFrom);
        if (exactFrom != 0 && horizon >= exactFrom - 1) return st.ExactSignature;
        if (Volatile.Read(in st.SignatureHorizon) == horizon + 1) return st.Signature;
        if (Volatile.Read(in st.SignatureHorizon2) == horizon + 1) return st.Signature2;
        lock (_gate)
        {
            var pairs = st.Pairs;
            int n = pairs.Length / 2;
            int reach = 0;
            Span<Fingerprint> parts = n <= 32 ? stackalloc Fingerprint[n] : new Fingerprint[n];
            for (int i = 0; i < pairs.Length; i += 2)
            {
                int lex = pairs[i];
                var spec = _lexemes[lex & ~ShadowFlag];
                reach = Math.Max(reach, _terms.ExactFromLocked(pairs[i + 1]));
                parts[i / 2] = _terms.FingerprintWithin(pairs[i + 1], horizon).Add((long)spec.Match).Add(spec.Ignored ? 1 : 0).Add(spec.Rank).Add((lex & ShadowFlag) != 0 ? 1 : 0)
                    .Add(spec.Commands is null ? 0 : 1).Add(spec.Final ? 1 : 0);
            }
            parts.Sort();
            var sig = Fingerprint.Seed(101);
            foreach (var p in parts) sig = sig.Add(p);
            // Kept when exact (for every horizon from there on) or for the first two cut horizons asked; others are recomputed.
            ref var w = ref Write(state);
            if (horizon >= reach)
            {
                if (w.ExactFrom == 0)
                {
                    w.ExactSignature = sig;
                    Volatile.Write(ref w.ExactFrom, reach + 1);
                }
            }
            else if (w.SignatureHorizon == 0)
            {
                w.Signature = sig;
                Volatile.Write(ref w.SignatureHorizon, horizon + 1);
            }
            else if (w.SignatureHorizon2 == 0 && w.SignatureHorizon != horizon + 1)
            {
                w.Signature2 = sig;
                Volatile.Write(ref w.SignatureHorizon2, horizon + 1);
            }
            return sig;
        }
    }

    /// <summary>
    /// The start state for a set of allowed lexemes, given in increasing order, in the lexer mode whose bit is
    /// <paramref name="mode"/> (reserved lexemes of other modes cast no shadow).
    /// </summary>
    public int Start(int[] lexemes, ulong mode = ulong.MaxValue)
    {
        var key = (new ContentKey<int>(lexemes), mode);
        if (_startByLexemeSet.TryGetValue(key, out int s)) return s; // every new column asks: no lock on a hit
        lock (_gate)
        {
            if (_startByLexemeSet.TryGetValue(key, out s)) return s;
            var pairs = new List<int>(lexemes.Length * 2);
            foreach (int l in lexemes)
            {
                int term = _lexemes[l].Term;
                if (term == TermStore.Nothing) continue;
                pairs.Add(l);
                pairs.Add(term);
            }
            foreach (int k in Shadows(lexemes, mode))
            {
                pairs.Add(k | ShadowFlag);
                pairs.Add(_lexemes[k].Term);
            }
            s = InternLocked(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(pairs));
            _startByLexemeSet[key] = s;
            return s;
        }
    }

    // Literal lexemes outside the allowed set that an allowed, lower-ranked longest-match lexeme also matches.
    private List<int> Shadows(int[] allowed, ulong mode)
    {
        var result = new List<int>();
        ByteSet? allowedFirst = null;
        for (int k = 0; k < _lexemes.Length; k++)
        {
            var spec = _lexemes[k];
            if (spec.Match != LexemeMatch.Longest || (spec.Modes & mode) == 0 || Array.BinarySearch(allowed, k) >= 0 || spec.Term == TermStore.Nothing) continue;
            if (spec.Reserved && !spec.Ignored)
            {
                // A reserved lexeme whose first bytes no allowed lexeme shares is never alive beside one: it cannot
                // change a verdict, only slow the masks (an identifier shadow would keep every letter-led token alive).
                if (!FirstBytesLocked(k).Intersect(allowedFirst ??= FirstBytesOf(allowed)).IsEmpty) result.Add(k);
                continue;
            }
            if (spec.Literal is null) continue;
            foreach (int l in allowed)
            {
                var other = _lexemes[l];
                if (other.Match != LexemeMatch.Longest || other.Rank >= spec.Rank || !Matches(other.Term, spec.Literal)) continue;
                result.Add(k);
                break;
            }
        }
        return result;
    }

    private ByteSet FirstBytesOf(int[] lexemes)
    {
        var set = ByteSet.Empty;
        foreach (int l in lexemes) set = set.Union(FirstBytesLocked(l));
        return set;
    }

    private ByteSet[]? _firstBytes;

    // The bytes a lexeme's matches can start with (under the lock: derivatives may build terms).
    private ByteSet FirstBytesLocked(int lexeme)
    {
        _firstBytes ??= new ByteSet[_lexemes.Length];
        var known = _firstBytes[lexeme];
        if (!known.IsEmpty || _lexemes[lexeme].Term == TermStore.Nothing) return known;
        var set = ByteSet.Empty;
        for (int b = 0; b < 256; b++)
            if (_terms.DeriveLocked(_lexemes[lexeme].Term, (byte)b) != TermStore.Nothing) set = set.Add((byte)b);
        _firstBytes[lexeme] = set;
        return set;
    }

    private bool Matches(int term, byte[] text)
    {
        foreach (byte b in text)
        {
            term = _terms.DeriveLocked(term, b);
            if (term == TermStore.Nothing) return false;
        }
        return _terms.IsNullable(term);
    }

    /// <summary>The state after <paramref name="b"/>; <see cref="Dead"/> when no allowed lexeme can take it.</summary>
    public int Next(int state, byte b)
    {
        ref readonly var st = ref this[state];
        if (Volatile.Read(in st.Row) is { } known)
        {
            int v = Volatile.Read(ref known[st.RowStart + st.ClassOf![b]]);
            if (v >= 0) return v;
        }
        lock (_gate)
        {
            var row = st.Row;
            if (row is null)
            {
                ref var w = ref Write(state);
                w.ClassOf = _terms.JointClassesLocked(w.Pairs, out int classes);
                row = _arena.Allocate(classes, out w.RowStart, fill: -1);
                Volatile.Write(ref w.Row, row);
            }
            int k = st.RowStart + st.ClassOf![b];
            if (row[k] >= 0) return row[k];
            var pairs = st.Pairs;
            if (_scratch.Length < pairs.Length) _scratch = new int[pairs.Length];
            int n = 0;
            for (int i = 0; i < pairs.Length; i += 2)
            {
                int d = _terms.DeriveLocked(pairs[i + 1], b);
                if (d == TermStore.Nothing) continue;
                _scratch[n++] = pairs[i];
                _scratch[n++] = d;
            }
            int id = InternLocked(_scratch.AsSpan(0, n));
            Volatile.Write(ref row[k], id);
            return id;
        }
    }

    // The state's lists while it is made; under the lock, and each is read out before the recursive call below.
    private readonly List<int> _endNowScratch = [];
    private readonly List<int> _endLongestScratch = [];
    private readonly List<int> _keepScratch = [];

    private int InternLocked(ReadOnlySpan<int> pairs)
    {
        if (_lookup.TryGetValue(pairs, out int id)) return id;
        var endNow = _endNowScratch;
        var endLongest = _endLongestScratch;
        var keep = _keepScratch;
        endNow.Clear();
        endLongest.Clear();
        keep.Clear();
        int topRank = int.MinValue;
        for (int i = 0; i < pairs.Length; i += 2)
        {
            var spec = _lexemes[pairs[i] & ~ShadowFlag];
            if (spec.Match == LexemeMatch.Longest && _terms.IsNullable(pairs[i + 1])) topRank = Math.Max(topRank, spec.Rank);
        }
        for (int i = 0; i < pairs.Length; i += 2)
        {
            int lex = pairs[i], term = pairs[i + 1];
            var spec = _lexemes[lex & ~ShadowFlag];
            bool accepts = _terms.IsNullable(term);
            bool shadow = (lex & ShadowFlag) != 0;
            if (accepts && spec.Match == LexemeMatch.Longest) { if (!shadow && spec.Rank == topRank) endLongest.Add(lex); }
            else if (accepts) endNow.Add(lex);
            // A Shortest lexeme stops at its first end; a term that is only the empty string can go no further.
            bool stops = accepts && spec.Match == LexemeMatch.Shortest || term == TermStore.Epsilon && spec.Match != LexemeMatch.Longest;
            if (!stops) { keep.Add(lex); keep.Add(term); }
        }
        id = _count;
        if ((id >> PageBits) >= _pages.Length)
        {
            var grown = new StateInfo[_pages.Length + 1][];
            Array.Copy(_pages, grown, _pages.Length);
            grown[^1] = grown.Length == 1 ? new StateInfo[PageSize] : Internal.Tenured.Array<StateInfo>(PageSize);
            Volatile.Write(ref _pages, grown);
        }
        var data = _arena.Allocate(pairs.Length + endNow.Count + endLongest.Count, out int at);
        pairs.CopyTo(data.AsSpan(at));
        endNow.CopyTo(data.AsSpan(at + pairs.Length));
        endLongest.CopyTo(data.AsSpan(at + pairs.Length + endNow.Count));
        ref var st = ref Write(id);
        st.Data = data;
        st.DataStart = at;
        st.PairInts = pairs.Length;
        st.EndNowCount = endNow.Count;
        st.EndLongestCount = endLongest.Count;
        st.EndNowGoesOn = AnyNotFinal(endNow);
        st.EndsIfLongest = endLongest.Count > 0;
        st.LongestEndsIgnoredOnly = endLongest.Count > 0 && AllIgnoredWithoutCommands(endLongest);
        _intern.Add(id);
        Volatile.Write(ref _count, id + 1);
        bool keepsAll = keep.Count == pairs.Length;
        // The recursive call reuses the scratch lists, so the kept pairs are copied out first.
        int cont = id;
        if (!keepsAll)
        {
            Span<int> kept = keep.Count <= 64 ? stackalloc int[keep.Count] : new int[keep.Count];
            keep.CopyTo(kept);
            cont = InternLocked(kept);
        }
        Write(id).Continue = cont;
        if (id == Dead)
        {
            ref var dead = ref Write(id);
            dead.ClassOf = _terms.JointClassesLocked([], out int classes); // one class (one per byte without byte classes)
            var row = _arena.Allocate(classes, out dead.RowStart);     // all zeros: every byte stays dead
            Volatile.Write(ref dead.Row, row);
        }
        return id;
    }

    // Loops rather than LINQ: a new lexer state is made on the mask path, and a lambda over this table allocates its closure.
    private bool AnyNotFinal(List<int> lexemes)
    {
        foreach (int l in lexemes)
            if (!_lexemes[l & ~ShadowFlag].Final) return true;
        return false;
    }

    private bool AllIgnoredWithoutCommands(List<int> lexemes)
    {
        foreach (int l in lexemes)
            if (!_lexemes[l].Ignored || _lexemes[l].Commands is not null) return false;
        return true;
    }

    // States are interned by their pairs, compared where they lie in the arena; a lookup by span copies nothing.
    private sealed class PairsComparer(LexerTable table) : IEqualityComparer<int>, IAlternateEqualityComparer<ReadOnlySpan<int>, int>
    {
        public bool Equals(int x, int y) => x == y || table.Write(x).Pairs.SequenceEqual(table.Write(y).Pairs);

        public int GetHashCode(int id) => ContentKey<int>.HashOf(table.Write(id).Pairs);

        public bool Equals(ReadOnlySpan<int> pairs, int id) => pairs.SequenceEqual(table.Write(id).Pairs);

        public int GetHashCode(ReadOnlySpan<int> pairs) => ContentKey<int>.HashOf(pairs);

        public int Create(ReadOnlySpan<int> pairs) => throw new NotSupportedException("states are added by id");
    }
}
