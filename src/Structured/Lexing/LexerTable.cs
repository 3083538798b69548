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
/// <remarks>Transitions of known states are read without a lock; new states are built under one.</remarks>
internal sealed class LexerTable
{
    public const int Dead = 0;

    // A shadow pair tracks a reserved literal that the parser does not allow here: it cannot end a lexeme,
    // but when it matches, lower-ranked lexemes of the same length do not end either (so keywords stay reserved).
    private const int ShadowFlag = 1 << 30;

    internal sealed class State
    {
        public required int[] Pairs;          // lexeme, term, lexeme, term … sorted by lexeme
        public int[]? Next;                   // per byte class: state id, or -1 when not built yet; null until a first transition is asked for (many states never are)
        public byte[]? ClassOf;               // each byte's class: bytes that every pair's term treats alike lead to the same state (set before Next)
        public required int[] EndNow;         // lexemes that end here at once (AllEnds or Shortest)
        public bool EndNowGoesOn;             // some lexeme of EndNow may be followed by more text (none is when all are final)
        public required int[] EndIfLongest;   // Longest lexemes that end here unless the next byte extends the match
        public int Continue;                  // the state that keeps lexing after EndNow (Shortest lexemes and finished matches removed)
        public bool LongestEndsIgnoredOnly;   // EndIfLongest holds only ignored lexemes without mode commands: lexing resumes where it started
        public Tuple<int, Fingerprint>? Signature; // (horizon, signature), published once computed (a reference, so readers need no lock)
        public int[] Lexemes => Enumerable.Range(0, Pairs.Length / 2).Select(i => Pairs[2 * i]).Where(l => (l & ShadowFlag) == 0).ToArray();
    }

    // The store's lock, not one of our own: grammars derived from one another (fill-in-the-middle quotients) share a
    // store, and every derivative any of their tables adds must be made under the same lock.
    private readonly object _gate;
    private readonly TermStore _terms;
    private readonly LexemeSpec[] _lexemes;
    private readonly Dictionary<ContentKey<int>, int> _intern = new(ContentKey<int>.Comparer.Instance);
    private int[] _scratch = new int[16]; // the next state's pairs, under the lock
    private State[] _states = new State[64];
    private int _count;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(ContentKey<int> Lexemes, ulong Mode), int> _startByLexemeSet = new();

    public LexerTable(TermStore terms, LexemeSpec[] lexemes)
    {
        _terms = terms;
        _gate = terms.Gate;
        _lexemes = lexemes;
        lock (_gate) InternLocked(Array.Empty<int>());
    }

    public int StateCount => Volatile.Read(ref _count);

    /// <summary>
    /// What the state does on every string of at most <paramref name="horizon"/> bytes, as a hash: the multiset of its
    /// pairs' term fingerprints within that horizon (<see cref="TermStore.FingerprintWithin"/>), with each lexeme's
    /// match mode, ignore flag, rank and finality, and whether the pair is a reserved-literal shadow. Equal signatures (in any
    /// grammars) mean equal behaviour up to the horizon, so token classes, which never look past the longest token,
    /// are keyed by it and shared across grammars.
    /// </summary>
    public Fingerprint Signature(int state, int horizon)
    {
        var st = this[state];
        if (Volatile.Read(ref st.Signature) is { } known && known.Item1 == horizon) return known.Item2;
        lock (_gate)
        {
            var pairs = st.Pairs;
            int n = pairs.Length / 2;
            Span<Fingerprint> parts = n <= 32 ? stackalloc Fingerprint[n] : new Fingerprint[n];
            for (int i = 0; i < pairs.Length; i += 2)
            {
                int lex = pairs[i];
                var spec = _lexemes[lex & ~ShadowFlag];
                parts[i / 2] = _terms.FingerprintWithin(pairs[i + 1], horizon).Add((long)spec.Match).Add(spec.Ignored ? 1 : 0).Add(spec.Rank).Add((lex & ShadowFlag) != 0 ? 1 : 0)
                    .Add(spec.Commands is null ? 0 : 1).Add(spec.Final ? 1 : 0);
            }
            parts.Sort();
            var sig = Fingerprint.Seed(101);
            foreach (var p in parts) sig = sig.Add(p);
            Volatile.Write(ref st.Signature, Tuple.Create(horizon, sig));
            return sig;
        }
    }

    public State this[int id] => Volatile.Read(ref _states)[id];

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
            s = InternLocked(pairs.ToArray());
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
        var st = Volatile.Read(ref _states)[state];
        if (Volatile.Read(ref st.Next) is { } known)
        {
            int v = Volatile.Read(ref known[st.ClassOf![b]]);
            if (v >= 0) return v;
        }
        lock (_gate)
        {
            var row = st.Next;
            if (row is null)
            {
                st.ClassOf = _terms.JointClassesLocked(st.Pairs, out int classes);
                row = new int[classes];
                Array.Fill(row, -1);
                Volatile.Write(ref st.Next, row);
            }
            int k = st.ClassOf![b];
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

    private readonly List<int> _endNowScratch = [];
    private readonly List<int> _endLongestScratch = [];
    private readonly List<int> _keepScratch = [];

    private int InternLocked(ReadOnlySpan<int> pairs) =>
        _intern.GetAlternateLookup<ReadOnlySpan<int>>().TryGetValue(pairs, out int id) ? id : InternLocked(pairs.ToArray());

    private int InternLocked(int[] pairs)
    {
        var key = new ContentKey<int>(pairs);
        if (_intern.TryGetValue(key, out int id)) return id;
        // Under the lock, and each list is read out before the recursive call below: one set per table is enough.
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
        var state = new State
        {
            Pairs = pairs,
            EndNow = endNow.ToArray(),
            EndNowGoesOn = AnyNotFinal(endNow),
            EndIfLongest = endLongest.ToArray(),
            LongestEndsIgnoredOnly = endLongest.Count > 0 && AllIgnoredWithoutCommands(endLongest),
        };
        if (id >= _states.Length)
        {
            var grown = new State[_states.Length * 2];
            Array.Copy(_states, grown, _states.Length);
            Volatile.Write(ref _states, grown);
        }
        _states[id] = state;
        _intern[key] = id;
        Volatile.Write(ref _count, id + 1);
        state.Continue = keep.Count == pairs.Length ? id : InternLocked(keep.ToArray());
        if (id == Dead)
        {
            state.ClassOf = _terms.JointClassesLocked([], out int classes); // one class (one per byte without byte classes)
            Volatile.Write(ref state.Next, new int[classes]);                // all zeros: every byte stays dead
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

}
