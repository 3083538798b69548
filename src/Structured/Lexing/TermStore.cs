using System.Buffers;
using System.Runtime.InteropServices;
using Structured.Regex;

namespace Structured.Lexing;

/// <summary>
/// Regular expressions as hash-consed terms, with Brzozowski derivatives by bytes, memoised per term.
/// A term id is a DFA state: terms are normalised (sorted, flattened alternations; right-nested concatenations),
/// so the states reachable from any term are finite and built only when a byte first asks for them.
/// Counted repetitions stay symbolic (<c>r{m,n}</c> steps to <c>r'·r{m-1,n-1}</c>), so <c>[^"]{0,5000}</c> costs nothing up front.
/// </summary>
/// <remarks>Thread-safe when used as the compiler and <see cref="LexerTable"/> use it: compilation builds terms under
/// this store's lock before any parse, and during parsing the lexer tables take the same lock (<see cref="Gate"/>)
/// for every derivative they add.</remarks>
internal sealed partial class TermStore
{
    public const int Nothing = 0;
    public const int Epsilon = 1;

    private enum Kind : byte { Nothing, Epsilon, Bytes, Concat, Or, Repeat, And, Not, Quotient, Json }

    // Boolean: the term contains an intersection or a complement, whose language may be empty although the term is not
    // Nothing; derivatives of such terms are checked for liveness, so the lexer never follows a dead end.
    // A byte-set term keeps its set in _sets (A is the index), so that every other term stays half the size.
    private readonly record struct Term(Kind Kind, int A, int B, int Min, int Max, int[]? List, bool Nullable, int Hash, bool Boolean = false);

    private readonly List<ByteSet> _sets = [];
    private readonly Dictionary<ByteSet, int> _bytesTerms = [];

    private ByteSet SetOf(in Term term) => _sets[term.A];

    private readonly object _gate = new();

    /// <summary>The lock that guards every mutation; lexer tables over this store take it too.</summary>
    internal object Gate => _gate;
    private readonly Internal.PagedList<Term> _terms = new();
    // Interned terms by id, compared through _terms: a set of ints stays small where a dictionary keyed by whole
    // terms would copy 80-byte entries on every resize. Lookups go by a probe that holds a term's fields.
    private readonly HashSet<int> _intern;
    private readonly HashSet<int>.AlternateLookup<Probe> _lookup;
    private readonly Dictionary<CodePointSet, int> _classes = [];
    // Derivative rows (raw, and pruned of dead Boolean terms) as slices of one arena: a row per term as an array of
    // its own was the largest part of what young collections copied inside masks.
    private readonly record struct Row(int[]? Chunk, int Start);
    private readonly Internal.PagedArray<Row> _derivs = new();
    private readonly Internal.PagedArray<Row> _pruned = new();
    private readonly Internal.IntArena _rows = new();

    /// <summary>Creates a store.</summary>
    /// <param name="maxTerms">The limit on distinct terms.</param>
    /// <param name="byteClasses">
    /// Derive once per byte class rather than once per byte (see <see cref="JointClassesLocked"/>). Off only in tests, as the
    /// byte-by-byte reference the classes are checked against.
    /// </param>
    /// <param name="livenessShortcuts">
    /// Decide intersections without a search where their parts settle it: by the bytes the parts may and must contain
    /// (see <see cref="LettersProveEmptyLocked"/>) and, inside JSON string values, by character counts under a length
    /// bound (see <see cref="LiveByLengthLocked"/>); and an intersection with a part that another part's complement
    /// excludes is empty at once (see <see cref="ExcludesItselfLocked"/>). Off only in tests, as the search-only reference.
    /// </param>
    public TermStore(int maxTerms = 4_000_000, bool byteClasses = true, bool livenessShortcuts = true)
    {
        MaxTerms = maxTerms;
        _byteClasses = byteClasses;
        _livenessShortcuts = livenessShortcuts;
        _intern = new HashSet<int>(new TermComparer(this));
        _lookup = _intern.GetAlternateLookup<Probe>();
        InternPartition(new byte[256]); // partition 0: every byte in one class
        var identity = new byte[256];
        for (int b = 0; b < 256; b++) identity[b] = (byte)b;
        _singletons = InternPartition(identity);
        Add(new Term(Kind.Nothing, 0, 0, 0, 0, null, false, 0));
        Add(new Term(Kind.Epsilon, 0, 0, 0, 0, null, true, 1));
    }

    // Byte classes. Every byte set a term mentions splits the bytes in two; the common refinement of those splits (for
    // the parts a derivative can reach first) is a partition whose bytes all give the same derivative. A derivative
    // computed for one byte is therefore written for its whole class, and searches over successors try one byte per
    // class: a string body like [^"\\] is 2 or 3 classes, not 254 bytes.
    private readonly bool _byteClasses;
    private const int Trivial = 0;
    private readonly List<byte[]> _blockOf = [];          // per partition: each byte's class index
    private readonly List<ByteSet[]> _blocks = [];        // per partition: the classes
    private readonly Dictionary<ContentKey<byte>, int> _partitionIds = new(ContentKey<byte>.Comparer.Instance);
    private readonly Dictionary<(int, int), int> _refined = [];
    private readonly Internal.PagedArray<int> _partitionOf = new(); // per term: partition id + 1, 0 while unknown
    private readonly int _singletons;                     // every byte its own class: the rows' layout without byte classes

    /// <summary>
    /// The byte classes of several terms together (the common refinement of theirs; singletons without byte classes):
    /// each byte's class index, and the number of classes. A lexer state's transition row has one entry per class.
    /// </summary>
    internal byte[] JointClassesLocked(ReadOnlySpan<int> pairs, out int count)
    {
        int p = Trivial;
        if (!_byteClasses) p = _singletons;
        else
            for (int i = 1; i < pairs.Length; i += 2) p = Refine(p, PartitionLocked(pairs[i]));
        count = _blocks[p].Length;
        return _blockOf[p];
    }

    private ReadOnlySpan<ByteSet> ClassesLocked(int t) => _byteClasses ? _blocks[PartitionLocked(t)] : AllSingletons.Value;

    private static readonly Lazy<ByteSet[]> AllSingletons = new(() => Enumerable.Range(0, 256).Select(b => ByteSet.Of((byte)b)).ToArray());

    private int PartitionLocked(int t)
    {
        int known = _partitionOf[t];
        if (known > 0) return known - 1;
        var term = _terms[t];
        int p;
        switch (term.Kind)
        {
            case Kind.Bytes:
                {
                    Span<byte> blockOf = stackalloc byte[256];
                    var set = SetOf(term);
                    bool first = set.Contains(0);
                    for (int b = 0; b < 256; b++) blockOf[b] = set.Contains((byte)b) == first ? (byte)0 : (byte)1;
                    p = InternPartition(blockOf);
                    break;
                }
            case Kind.Concat:
                p = _terms[term.A].Nullable ? Refine(PartitionLocked(term.A), PartitionLocked(term.B)) : PartitionLocked(term.A);
                break;
            case Kind.Or:
            case Kind.And:
                p = Trivial;
                foreach (int x in term.List!) p = Refine(p, PartitionLocked(x));
                break;
            case Kind.Repeat:
            case Kind.Not:
            case Kind.Quotient:
                p = PartitionLocked(term.A); // their derivatives are built from the derivative of A alone
                break;
            case Kind.Json:
                p = term.Min == JsonStart ? Refine(PartitionLocked(term.A), JsonPartition(JsonStart)) : JsonPartition(term.Min);
                break;
            default:
                p = Trivial;
                break;
        }
        _partitionOf[t] = p + 1;
        return p;
    }

    private int Refine(int p, int q)
    {
        if (p == q || q == Trivial) return p;
        if (p == Trivial) return q;
        var key = p < q ? (p, q) : (q, p);
        if (_refined.TryGetValue(key, out int known)) return known;
        var a = _blockOf[p];
        var c = _blockOf[q];
        // A refinement has at most 256 classes and usually a handful: the pairs met so far are searched in place.
        Span<ushort> pairs = stackalloc ushort[256];
        Span<byte> blockOf = stackalloc byte[256];
        int count = 0;
        for (int b = 0; b < 256; b++)
        {
            ushort pair = (ushort)(a[b] << 8 | c[b]);
            int id = pairs[..count].IndexOf(pair);
            if (id < 0) pairs[id = count++] = pair;
            blockOf[b] = (byte)id;
        }
        return _refined[key] = InternPartition(blockOf);
    }

    // Classes are numbered by their smallest byte, so equal partitions have equal arrays.
    private int InternPartition(ReadOnlySpan<byte> blockOf)
    {
        var lookup = _partitionIds.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (lookup.TryGetValue(blockOf, out int id)) return id;
        var shared = SharedPartitions.Get(blockOf);
        id = _blockOf.Count;
        _blockOf.Add(shared.BlockOf);
        _blocks.Add(shared.Blocks);
        _partitionIds[new ContentKey<byte>(shared.BlockOf)] = id;
        return id;
    }

    /// <summary>The limit on distinct terms; past it, compilation or lexing stops with a clear error.</summary>
    public int MaxTerms { get; }

    /// <summary>The number of terms made so far (each a DFA state of some lexeme, or a state a liveness search visited).</summary>
    public int TermCount { get { lock (_gate) return _terms.Count; } }

    public bool IsNullable(int t) { lock (_gate) return _terms[t].Nullable; }

    private const int NoHorizon = int.MaxValue;
    // Exact fingerprints by term id (zero while unknown): the common case, read without hashing a key. Only terms with
    // a count past the horizon (_maxCount) fingerprint differently within it, and only those go through the dictionary.
    // Both grow on demand: most terms (those of liveness searches, say) are never fingerprinted.
    private readonly Internal.PagedArray<Fingerprint> _exactFingerprints = new();
    private readonly Internal.PagedArray<int> _maxCount = new(); // per term: 1 + the largest count a horizon could cut, 0 while unknown
    private readonly Dictionary<(int Term, int Horizon), Fingerprint> _cutFingerprints = [];

    /// <summary>
    /// A 128-bit hash of the term's structure, equal for structurally equal terms of different stores. Two lexer
    /// states whose terms have equal fingerprints behave the same on every byte, whatever grammar they come from.
    /// </summary>
    public Fingerprint FingerprintOf(int t) => FingerprintWithin(t, NoHorizon);

    /// <summary>
    /// A fingerprint that is equal for terms that behave alike on every string of at most <paramref name="horizon"/>
    /// bytes, though perhaps not beyond. Counted repetitions are cut at the horizon: <c>r{m,n}</c> with m past it
    /// keeps m = horizon + 1 (it cannot end within reach either way), and n past it becomes unbounded (it cannot run
    /// out within reach); a count of iterations that take at least k bytes each is cut at horizon / k. Token classes
    /// only ever look a token ahead, so states such as "up to 300 more characters" and "up to 299" share one class. Intersections and complements keep their exact fingerprint: whether they are
    /// alive at all may depend on bytes past the horizon. The one exception is a JSON string's length bound
    /// (pattern ∩ maxLength) while it is far enough away: see <see cref="LengthBoundWithinLocked"/>.
    /// </summary>
    public Fingerprint FingerprintWithin(int t, int horizon)
    {
        lock (_gate) return FingerprintLocked(t, horizon);
    }

    private Fingerprint FingerprintLocked(int t, int horizon)
    {
        // Counts within the horizon are not cut, so the fingerprint is the exact one (a Boolean term's count is 0).
        if (MaxCountLocked(t) <= horizon) return ExactFingerprintLocked(t);
        if (_cutFingerprints.TryGetValue((t, horizon), out var known)) return known;
        var h = Hash(t, horizon);
        _cutFingerprints[(t, horizon)] = h;
        return h;
    }

    private Fingerprint ExactFingerprintLocked(int t)
    {
        var known = _exactFingerprints[t];
        if (!known.IsEmpty) return known;
        var h = Hash(t, NoHorizon);
        _exactFingerprints[t] = h;
        return h;
    }

    private Fingerprint Hash(int t, int horizon)
    {
        var term = _terms[t];
        int min = term.Min, max = term.Max;
        if (term.Kind == Kind.Repeat && horizon != NoHorizon)
        {
            // Iterations of at least k bytes: at most horizon / k of them end within reach.
            int reach = horizon / Math.Max(1, FewestBytesLocked(term.A));
            min = Math.Min(min, reach + 1);
            if (max > reach) max = -1;
        }
        var h = Fingerprint.Seed((int)term.Kind).Add(min).Add(max);
        switch (term.Kind)
        {
            case Kind.Bytes:
                for (int w = 0; w < 4; w++) h = h.Add(SetOf(term).Word(w));
                break;
            case Kind.Concat:
                h = h.Add(FingerprintLocked(term.A, horizon)).Add(FingerprintLocked(term.B, horizon));
                break;
            case Kind.Json when horizon != NoHorizon:
                {
                    // Within reach, decoded strings are no longer than the bytes read, but for the character that
                    // a "\u" looks ahead to: the decoded term's horizon has a margin for it.
                    int inner = horizon + JsonLookahead;
                    h = h.Add(FingerprintLocked(LengthBoundWithinLocked(term.A, inner), inner));
                    break;
                }
            case Kind.Repeat:
            case Kind.Not:
            case Kind.Json:
                h = h.Add(FingerprintLocked(term.A, horizon));
                break;
            case Kind.Quotient:
                h = h.Add(FingerprintLocked(term.A, horizon)).Add(_tails[term.B].Length);
                foreach (byte b in _tails[term.B]) h = h.Add(b);
                break;
            case Kind.Or:
            case Kind.And:
                // Alternatives are sorted by id, which differs between stores: combine them order-free.
                var list = term.List!;
                Span<Fingerprint> parts = list.Length <= 32 ? stackalloc Fingerprint[list.Length] : new Fingerprint[list.Length];
                for (int i = 0; i < list.Length; i++) parts[i] = FingerprintLocked(list[i], horizon);
                parts.Sort();
                foreach (var p in parts) h = h.Add(p);
                break;
        }
        return h;
    }

    // The longest reach, in bytes, of a count a horizon could cut. Intersections, complements and quotients are always
    // fingerprinted exactly (whether they are alive may depend on bytes past any horizon), so theirs is 0;
    // concatenations, alternations and repetitions are alive and nullable after a string exactly when their parts'
    // derivatives say so, and so are JSON bodies, whose decoded length bound may be cut (LengthBoundWithinLocked).
    // Parts have smaller ids than the terms made of them, so the arrays are already large enough for them.
    /// <summary>
    /// The horizon from which the term's fingerprint within it is its exact one (<see cref="FingerprintWithin"/> cuts
    /// no count at or past it). Under the store's lock.
    /// </summary>
    internal int ExactFromLocked(int t) => MaxCountLocked(t);

    private int MaxCountLocked(int t)
    {
        int known = _maxCount[t];
        if (known > 0) return known - 1;
        var term = _terms[t];
        int m = 0;
        switch (term.Kind)
        {
            case Kind.Concat:
                m = Math.Max(MaxCountLocked(term.A), MaxCountLocked(term.B));
                break;
            case Kind.Repeat:
                // In bytes: a count of n iterations of at least k bytes each can only matter within n·k bytes.
                long reach = (long)Math.Max(term.Min, term.Max) * Math.Max(1, FewestBytesLocked(term.A));
                m = (int)Math.Max(Math.Min(reach, int.MaxValue - 1), MaxCountLocked(term.A));
                break;
            case Kind.Or:
                foreach (int x in term.List!) m = Math.Max(m, MaxCountLocked(x));
                break;
            case Kind.Json:
                m = IsLengthBoundLocked(term.A, out int x2, out int bound) ? Math.Max(bound, MaxCountLocked(x2)) : MaxCountLocked(term.A);
                break;
        }
        m = Math.Min(m, int.MaxValue - 1);
        _maxCount[t] = m + 1;
        return m;
    }

    /// <summary>The term for a regex node.</summary>
    public int FromNode(RegexNode node)
    {
        lock (_gate)
        {
            int t = Build(node);
            return _terms[t].Boolean && !IsLiveLocked(t) ? Nothing : t;
        }
    }

    /// <summary>Whether the term's language is empty (an intersection or complement may be empty without being Nothing).</summary>
    public bool IsEmptyLanguage(int t)
    {
        lock (_gate) return t == Nothing || !IsLiveLocked(t);
    }

    private readonly Dictionary<int, bool> _live = [];

    // decoded: t is (part of) a JSON string's decoded value, so its words are whole characters.
    private bool IsLiveLocked(int t, bool decoded = false)
    {
        // Only intersections, complements and quotients need a search; the rest follows from their parts exactly.
        while (true)
        {
            if (t == Nothing) return false;
            var term = _terms[t];
            if (!term.Boolean || term.Nullable) return true; // without an intersection or complement, a term is not empty
            switch (term.Kind)
            {
                case Kind.Concat:
                    if (!IsLiveLocked(term.A, decoded)) return false;
                    t = term.B; // right-nested: iterate along the chain rather than recurse
                    continue;
                case Kind.Or:
                    foreach (int x in term.List!)
                        if (IsLiveLocked(x, decoded)) return true;
                    return false;
                case Kind.Repeat:
                    t = term.A; // min > 0 here, or the term would be nullable
                    continue;
                case Kind.Json:
                    return IsJsonLiveLocked(t, term);
                case Kind.And when decoded && _livenessShortcuts && LiveByLengthLocked(term) is bool byLength:
                    return byLength;
                default:
                    return SearchLiveLocked(t);
            }
        }
    }

    // Breadth-first search for a nullable term among the derivatives: the nearest accepting state is usually close
    // (a pattern intersected with a long length bound accepts short words), where a depth-first walk would first
    // run down the longest path. The path found is live; when the search exhausts, everything it saw is dead.
    private bool SearchLiveLocked(int t)
    {
        if (_live.TryGetValue(t, out bool known)) return known;
        if (LettersProveEmptyLocked(t)) return _live[t] = false;
        var parent = new Dictionary<int, int> { [t] = -1 };
        var queue = new Queue<int>();
        queue.Enqueue(t);
        int found = -1;
        while (found < 0 && queue.Count > 0)
        {
            int cur = queue.Dequeue();
            foreach (var cls in ClassesLocked(cur))
            {
                int d = DeriveRaw(cur, (byte)cls.First());
                if (d == Nothing || parent.ContainsKey(d)) continue;
                if (_live.TryGetValue(d, out bool l) && !l) continue;
                if (!_terms[d].Nullable && !l && LettersProveEmptyLocked(d))
                {
                    _live[d] = false;
                    continue;
                }
                parent[d] = cur;
                if (_terms[d].Nullable || l) { found = d; break; }
                queue.Enqueue(d);
            }
            if ((parent.Count & 1023) == 0) CheckDeadline();
            if (parent.Count > MaxLivenessStates)
                throw new GrammarException($"a lexeme's intersection or complement is too complex to decide (over {MaxLivenessStates:N0} states)");
        }
        if (found < 0)
        {
            foreach (int v in parent.Keys) _live[v] = false;
            return false;
        }
        for (int v = found; v >= 0; v = parent[v]) _live[v] = true;
        return true;
    }

    private const int MaxLivenessStates = 200_000;

    /// <summary>While set (during compilation), work past this moment stops with a compile-time-limit error.</summary>
    public DateTime? Deadline { get; set; }

    private void CheckDeadline()
    {
        if (Deadline is { } d && DateTime.UtcNow > d)
            throw new GrammarException("compile time limit reached while building the lexer (an intersection or complement of regexes is too costly)");
    }

    /// <summary>The derivative of term <paramref name="t"/> by byte <paramref name="b"/>, memoised.</summary>
    /// <remarks>After compilation the only caller is <see cref="LexerTable"/>, under its own lock, which therefore guards every mutation.</remarks>
    internal int DeriveLocked(int t, byte b)
    {
        if (!_terms[t].Boolean) return DeriveRaw(t, b);
        int k = RowIndex(t, b, out int width);
        var row = _pruned[t];
        if (row.Chunk is null) _pruned[t] = row = NewRow(width);
        int known = row.Chunk![row.Start + k];
        if (known >= 0) return known;
        int d = DeriveRaw(t, b);
        if (d != Nothing && _terms[d].Boolean && !IsLiveLocked(d)) d = Nothing;
        row.Chunk[row.Start + k] = d; // chunks never move, so the slot is where it was before the recursion
        return d;
    }

    // Derivative rows hold one entry per byte class of the term, not per byte: most terms have 2 to 5 classes, and a
    // liveness search or a new token class makes thousands of terms, each of which would otherwise cost a 1 KB row.
    private int RowIndex(int t, byte b, out int width)
    {
        int p = _byteClasses ? PartitionLocked(t) : _singletons;
        width = _blocks[p].Length;
        return _blockOf[p][b];
    }

    private Row NewRow(int width) => new(_rows.Allocate(width, out int start, fill: -1), start);

    private int DeriveRaw(int t, byte b)
    {
        int k = RowIndex(t, b, out int width);
        var row = _derivs[t];
        if (row.Chunk is null) _derivs[t] = row = NewRow(width);
        int known = row.Chunk![row.Start + k];
        if (known >= 0) return known;
        var term = _terms[t];
        int d;
        switch (term.Kind)
        {
            case Kind.Bytes:
                d = SetOf(term).Contains(b) ? Epsilon : Nothing;
                break;
            case Kind.Concat:
                d = Concat(DeriveRaw(term.A, b), term.B);
                if (_terms[term.A].Nullable) d = Or2(d, DeriveRaw(term.B, b));
                break;
            case Kind.Or:
            case Kind.And:
                d = DeriveEach(term.List!, b, term.Kind == Kind.Or);
                break;
            case Kind.Not:
                d = Not(DeriveRaw(term.A, b));
                break;
            case Kind.Quotient:
                d = Quotient(DeriveRaw(term.A, b), term.B);
                break;
            case Kind.Json:
                d = DeriveJson(term.A, term.Min, term.Max, b);
                break;
            case Kind.Repeat:
                d = Concat(DeriveRaw(term.A, b), Repeat(term.A, Math.Max(term.Min - 1, 0), term.Max < 0 ? -1 : term.Max - 1));
                break;
            default:
                d = Nothing;
                break;
        }
        row.Chunk[row.Start + k] = d;
        return d;
    }

    // The derivatives of an alternation's or an intersection's parts, combined again. Scratch comes from the pool:
    // this runs for every new derivative, and liveness searches make hundreds of thousands.
    private int DeriveEach(int[] list, byte b, bool or)
    {
        var parts = ArrayPool<int>.Shared.Rent(list.Length);
        try
        {
            for (int i = 0; i < list.Length; i++)
            {
                parts[i] = DeriveRaw(list[i], b);
                if (!or && parts[i] == Nothing) return Nothing;
            }
            return or ? Or(parts.AsSpan(0, list.Length)) : And(parts.AsSpan(0, list.Length));
        }
        finally
        {
            ArrayPool<int>.Shared.Return(parts);
        }
    }

    private int Or2(int a, int b)
    {
        if (a == Nothing || a == b) return b;
        if (b == Nothing) return a;
        Span<int> two = [a, b];
        return Or(two);
    }

    private int Build(RegexNode node)
    {
        switch (node)
        {
            case NothingNode: return Nothing;
            case LiteralNode lit:
                {
                    int t = Epsilon;
                    for (int i = lit.Value.Count - 1; i >= 0; i--) t = Concat(Bytes(ByteSet.Of(lit.Value[i])), t);
                    return t;
                }
            case ByteClassNode bc: return Bytes(bc.Set);
            case ClassNode cls:
                {
                    if (_classes.TryGetValue(cls.Set, out int cached)) return cached;
                    var alts = new List<int>();
                    foreach (var seq in Utf8Sequences.Encode(cls.Set))
                    {
                        int t = Epsilon;
                        for (int i = seq.Length - 1; i >= 0; i--) t = Concat(Bytes(seq[i]), t);
                        alts.Add(t);
                    }
                    int r = Or(CollectionsMarshal.AsSpan(alts));
                    _classes[cls.Set] = r;
                    NoteClassTerm(cls.Set, r);
                    return r;
                }
            case SequenceNode seqNode:
                {
                    int t = Epsilon;
                    for (int i = seqNode.Parts.Count - 1; i >= 0; i--) t = Concat(Build(seqNode.Parts[i]), t);
                    return t;
                }
            case ChoiceNode ch: return Or(ch.Alternatives.Select(Build).ToArray());
            case RepeatNode rep: return Repeat(Build(rep.Item), rep.Min, rep.Max ?? -1);
            case IntersectionNode and: return And(and.Parts.Select(Build).ToArray());
            case ComplementNode not: return Not(Build(not.Item));
            case JsonEncodedNode json: return Json(Build(json.Decoded), JsonStart, 0);
            default: throw new InvalidOperationException(node.GetType().Name);
        }
    }

    private int Bytes(ByteSet set)
    {
        if (set.IsEmpty) return Nothing;
        if (_bytesTerms.TryGetValue(set, out int id)) return id;
        _sets.Add(set);
        id = Add(new Term(Kind.Bytes, _sets.Count - 1, 0, 0, 0, null, false, set.GetHashCode()));
        _bytesTerms[set] = id;
        return id;
    }

    private int Concat(int a, int b)
    {
        if (a == Nothing || b == Nothing) return Nothing;
        if (a == Epsilon) return b;
        if (b == Epsilon) return a;
        var ta = _terms[a];
        if (ta.Kind == Kind.Concat) return Concat(ta.A, Concat(ta.B, b));
        return Intern(new Term(Kind.Concat, a, b, 0, 0, null, ta.Nullable && _terms[b].Nullable, HashCode.Combine(3, a, b), ta.Boolean || _terms[b].Boolean));
    }

    // Alternatives are flattened, their byte sets merged into one, sorted and made distinct: the normal form that
    // keeps the states reachable from any term finite.
    private int Or(ReadOnlySpan<int> items)
    {
        int cap = 1;
        foreach (int x in items) cap += _terms[x].Kind == Kind.Or ? _terms[x].List!.Length : 1;
        var buf = ArrayPool<int>.Shared.Rent(cap);
        try
        {
            int n = 0;
            var bytes = ByteSet.Empty;
            bool anyBytes = false;
            foreach (int x in items)
            {
                if (x == Nothing) continue;
                if (_terms[x].Kind != Kind.Or)
                {
                    Collect(x, buf, ref n, ref bytes, ref anyBytes);
                    continue;
                }
                foreach (int y in _terms[x].List!) Collect(y, buf, ref n, ref bytes, ref anyBytes);
            }
            if (anyBytes) buf[n++] = Bytes(bytes);
            n = SortDistinct(buf.AsSpan(0, n));
            if (n == 0) return Nothing;
            if (n == 1) return buf[0];
            var list = buf.AsSpan(0, n);
            bool nullable = false, boolean = false;
            var h = new HashCode();
            h.Add(4);
            foreach (int x in list) { nullable |= _terms[x].Nullable; boolean |= _terms[x].Boolean; h.Add(x); }
            return InternList(Kind.Or, list, nullable, h.ToHashCode(), boolean);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(buf);
        }
    }

    private void Collect(int x, int[] buf, ref int n, ref ByteSet bytes, ref bool anyBytes)
    {
        if (_terms[x].Kind == Kind.Bytes)
        {
            bytes = bytes.Union(SetOf(_terms[x]));
            anyBytes = true;
        }
        else buf[n++] = x;
    }

    private static int SortDistinct(Span<int> items)
    {
        if (items.Length < 2) return items.Length;
        items.Sort();
        int m = 1;
        for (int i = 1; i < items.Length; i++)
            if (items[i] != items[m - 1]) items[m++] = items[i];
        return m;
    }

    private int And(ReadOnlySpan<int> items)
    {
        int cap = 0;
        foreach (int x in items)
        {
            if (x == Nothing) return Nothing;
            cap += _terms[x].Kind == Kind.And ? _terms[x].List!.Length : 1;
        }
        var buf = ArrayPool<int>.Shared.Rent(cap);
        try
        {
            int n = 0;
            foreach (int x in items)
            {
                if (_terms[x].Kind != Kind.And) buf[n++] = x;
                else foreach (int y in _terms[x].List!) buf[n++] = y;
            }
            n = SortDistinct(buf.AsSpan(0, n));
            if (n == 1) return buf[0];
            var list = buf.AsSpan(0, n);
            bool nullable = true;
            var h = new HashCode();
            h.Add(6);
            foreach (int x in list) { nullable &= _terms[x].Nullable; h.Add(x); }
            int hash = h.ToHashCode();
            if (_lookup.TryGetValue(new Probe(Kind.And, 0, 0, 0, 0, list, hash), out int known)) return known;
            if (_livenessShortcuts && ExcludesItselfLocked(list)) return Nothing;
            return Add(new Term(Kind.And, 0, 0, 0, 0, list.ToArray(), nullable, hash, true));
        }
        finally
        {
            ArrayPool<int>.Shared.Return(buf);
        }
    }

    // X ∩ ¬(X ∪ …) is empty. A pattern that must not match is read as any·p·any; once p has occurred, its derivative
    // holds the very "any" term that is the string's own conjunct, and without this rule only an exhaustive liveness
    // search over the whole product proves the intersection dead (a `oneOf` of five unanchored words: 600 states per
    // search, 79,000 derivatives and 20 ms in one mask; with it, 5,000 derivatives). Checked only for a new intersection.
    private bool ExcludesItselfLocked(ReadOnlySpan<int> sortedParts)
    {
        foreach (int x in sortedParts)
        {
            if (_terms[x].Kind != Kind.Not) continue;
            int y = _terms[x].A;
            if (sortedParts.BinarySearch(y) >= 0) return true;
            if (_terms[y].Kind != Kind.Or) continue;
            foreach (int z in _terms[y].List!)
                if (sortedParts.BinarySearch(z) >= 0) return true;
        }
        return false;
    }

    // An alternation or intersection is looked up by its parts in place; only a new one copies them.
    private int InternList(Kind kind, ReadOnlySpan<int> list, bool nullable, int hash, bool boolean)
    {
        if (_lookup.TryGetValue(new Probe(kind, 0, 0, 0, 0, list, hash), out int id)) return id;
        return Add(new Term(kind, 0, 0, 0, 0, list.ToArray(), nullable, hash, boolean));
    }

    private int Not(int a)
    {
        if (_terms[a].Kind == Kind.Not) return _terms[a].A;
        return Intern(new Term(Kind.Not, a, 0, 0, 0, null, !_terms[a].Nullable, HashCode.Combine(7, a), true));
    }

    // L·t⁻¹ = { s : s·t ∈ L }, the right quotient by a fixed byte string: its derivative by b is (L/b)·t⁻¹, and it
    // holds ε exactly when L holds t. Fill-in-the-middle uses it for a lexeme that the suffix finishes.
    private int Quotient(int a, int tail)
    {
        if (a == Nothing) return Nothing;
        int t = a;
        foreach (byte b in _tails[tail])
        {
            t = DeriveRaw(t, b);
            if (t == Nothing) break;
        }
        return Intern(new Term(Kind.Quotient, a, tail, 0, 0, null, t != Nothing && _terms[t].Nullable, HashCode.Combine(8, a, tail), true));
    }

    private readonly List<byte[]> _tails = [];
    private readonly Dictionary<string, int> _tailIds = new(StringComparer.Ordinal);

    /// <summary>
    /// The non-empty strings <c>s</c> with <c>s·<paramref name="tail"/></c> in the language of <paramref name="term"/>:
    /// the part of a lexeme before a cut, when the text after the cut is fixed. Nothing when there is none.
    /// </summary>
    public int RightQuotientNonEmpty(int term, ReadOnlySpan<byte> tail)
    {
        lock (_gate)
        {
            string key = Convert.ToHexString(tail);
            if (!_tailIds.TryGetValue(key, out int id))
            {
                id = _tails.Count;
                _tails.Add(tail.ToArray());
                _tailIds[key] = id;
            }
            var any = Bytes(ByteSet.All);
            int t = And([Quotient(term, id), Concat(any, Repeat(any, 0, -1))]);
            return t == Nothing || !IsLiveLocked(t) ? Nothing : t;
        }
    }

    /// <summary>The derivative by one byte, taking this store's lock (for callers that own no lexer table).</summary>
    public int Derive(int t, byte b)
    {
        lock (_gate) return DeriveLocked(t, b);
    }

    private int Repeat(int a, int min, int max)
    {
        if (max == 0) return Epsilon;
        if (a == Nothing) return min == 0 ? Epsilon : Nothing;
        if (a == Epsilon) return Epsilon;
        if (min == 1 && max == 1) return a;
        // A nullable body makes the lower bound free: r{m,n} = r{0,n} when r matches the empty string.
        if (_terms[a].Nullable) min = 0;
        return Intern(new Term(Kind.Repeat, a, 0, min, max, null, min == 0 || _terms[a].Nullable, HashCode.Combine(5, a, min, max), _terms[a].Boolean));
    }

    private int Intern(Term t)
    {
        if (_lookup.TryGetValue(new Probe(t.Kind, t.A, t.B, t.Min, t.Max, t.List, t.Hash), out int id)) return id;
        return Add(t);
    }

    private int Add(Term t)
    {
        if (_terms.Count >= MaxTerms)
            throw new GrammarException($"lexer automaton limit reached ({MaxTerms} regex states): a terminal's regex is too complex");
        int id = _terms.Count;
        if ((id & 4095) == 0) CheckDeadline();
        _terms.Add(t);
        _intern.Add(id);
        return id;
    }

    /// <summary>A term's fields, for lookups; the parts of an alternation or intersection may sit in a scratch buffer.</summary>
    private readonly ref struct Probe(Kind kind, int a, int b, int min, int max, ReadOnlySpan<int> list, int hash)
    {
        public readonly Kind Kind = kind;
        public readonly int A = a, B = b, Min = min, Max = max;
        public readonly ReadOnlySpan<int> List = list;
        public readonly int Hash = hash;
    }

    private sealed class TermComparer(TermStore store) : IEqualityComparer<int>, IAlternateEqualityComparer<Probe, int>
    {
        // Interned ids are distinct terms, so ids are equal only when they are the same id.
        public bool Equals(int x, int y) => x == y;

        public int GetHashCode(int id) => store._terms[id].Hash;

        public bool Equals(Probe p, int id)
        {
            var t = store._terms[id];
            return t.Kind == p.Kind && t.A == p.A && t.B == p.B && t.Min == p.Min && t.Max == p.Max
                && p.List.SequenceEqual(t.List);
        }

        public int GetHashCode(Probe p) => p.Hash;

        // Lookups only: a new term is added with its nullability and flags, which a probe does not carry.
        public int Create(Probe p) => throw new NotSupportedException();
    }
}
