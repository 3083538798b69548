using Structured.Parsing;
using Structured.Tokens;

namespace Structured.Masks;

/// <summary>
/// The per-thread working memory of a <see cref="TokenMasker"/>: one thread list per trie depth, pushed on the way
/// down and overwritten on the way back (states are persistent, so popping costs nothing), and a scratch mask.
/// The lists are reused, so a walk allocates only Earley columns it has not built before.
/// </summary>
internal sealed class MaskWalker
{
    private readonly TokenMasker _masker;
    private List<LexThread>[] _frames = [];
    private readonly List<Column> _bases = new(4);
    private readonly List<Column> _commitBases = new(4);
    private uint[] _temp = [];
    private readonly List<LexThread>?[] _firstFrames = new List<LexThread>?[256]; // filled on first use: a new masker stays cheap
    private readonly int[] _firstStamp = new int[256];
    private int _stamp;

    public static MaskWalker For(TokenMasker masker) => masker.Walker;

    public MaskWalker(TokenMasker masker)
    {
        _masker = masker;
        EnsureDepth(masker.Trie.MaxDepth + 2);
    }

    private void EnsureDepth(int depth)
    {
        if (_frames.Length >= depth) return;
        var grown = new List<LexThread>[depth];
        for (int i = 0; i < depth; i++) grown[i] = i < _frames.Length ? _frames[i] : new List<LexThread>(); // arrays come with the first Add
        _frames = grown;
    }

    public Span<uint> Temp(int words)
    {
        if (_temp.Length < words) _temp = new uint[words];
        return _temp.AsSpan(0, words);
    }

    public List<Column> CommitBases(Column column, int lexerState, long offset)
    {
        Stepper.For(_masker.Grammar).CommitLongest(column, lexerState, offset, _commitBases);
        return _commitBases;
    }

    /// <summary>ORs into <paramref name="mask"/> the tokens that a thread at (column, lexer state) allows, with no lexeme to commit before the first byte.</summary>
    public void AddThread(Column column, int lexerState, long offset, Span<uint> mask)
    {
        var local = _masker.ClassOf(lexerState);
        var cls = local.Shared;
        cls.OrAllowedInto(mask);
        if (cls.Crossings.Length == 0) return;
        var stepper = Stepper.For(_masker.Grammar);
        for (int k = 0; k < cls.Crossings.Length; k++)
        {
            var crossing = cls.Crossings[k];
            int state = local.CrossingStates[k];
            if (crossing.Commit) stepper.CommitLongest(column, state, offset, _bases);
            else stepper.EndNow(column, state, offset, _bases);
            if (_bases.Count == 0) continue;
            var root = _frames[0];
            root.Clear();
            foreach (var b in _bases) root.Add(new LexThread(b, b.LexerStart, fresh: true));
            _stamp++; // the first-byte memo below is per group
            // Fresh threads cannot commit, so the bytes they take first are a property of their lexer states alone.
            var alive = Lexing.ByteSet.Empty;
            foreach (var t in root) alive = alive.Union(_masker.FirstBytes(t.LexerState));
            if (alive.IsEmpty) continue;
            if (root.Count == 1)
            {
                // One fresh thread: the lexer's verdict on the suffixes is cached for its state.
                var sc = crossing.ClassFor(_masker.Grammar.T.Lexer, _masker.Trie, root[0].LexerState);
                foreach (int t in sc.AllowedTokens) mask[t >> 5] |= 1u << (t & 31);
                if (sc.HasEntries) WalkEntries(stepper, crossing.Sources(_masker.Trie), sc, offset, mask);
                continue;
            }
            foreach (var src in crossing.Sources(_masker.Trie)) WalkForest(stepper, src, alive, offset, mask);
        }
    }

    // Walks the parser-dependent nodes of a suffix class; _frames[0] holds the fresh thread.
    // Frames are deep enough for any suffix: suffixes are never longer than the longest token.
    private void WalkEntries(Stepper stepper, SuffixSource[] sources, SuffixClass sc, long offset, Span<uint> mask)
    {
        var entries = sc.Entries;
        var skip = sc.SkipTo;
        int k = 0;
        for (int s = 0; s < sources.Length; s++)
        {
            var src = sources[s];
            int end = sc.SourceEnds[s];
            while (k < end)
            {
                int entry = entries[k];
                int node = entry & ~SuffixClass.FullSubtree;
                if (!StepInto(stepper, src, node, offset))
                {
                    k = skip[k];
                    continue;
                }
                src.SetTokens(node, mask);
                if ((entry & SuffixClass.FullSubtree) == 0)
                {
                    k++;
                    continue;
                }
                WalkBelow(stepper, src, node, offset, mask);
                k = skip[k];
            }
        }
    }

    // Walks the top-level subtrees of a source whose first byte the frame in _frames[0] can take.
    private void WalkForest(Stepper stepper, SuffixSource src, Lexing.ByteSet alive, long offset, Span<uint> mask)
    {
        for (int child = src.From; child < src.To; child = src.End(child))
        {
            byte first = src.Byte(child);
            if (!alive.Contains(first)) continue;
            FirstStep(stepper, first, offset, _frames[1]);
            if (_frames[1].Count == 0) continue;
            src.SetTokens(child, mask);
            WalkBelow(stepper, src, child, offset, mask);
        }
    }

    // Steps the frame of node's parent by node's byte into node's frame; false when no thread survives.
    private bool StepInto(Stepper stepper, SuffixSource src, int node, long offset)
    {
        int d = src.Depth(node);
        var output = _frames[d];
        if (!StepFast(_frames[d - 1], src.Byte(node), output)) stepper.Step(_frames[d - 1], src.Byte(node), offset + d - 1, output);
        return output.Count > 0;
    }

    // Walks every node strictly below node (whose frame is filled), skipping subtrees where no thread survives.
    private void WalkBelow(Stepper stepper, SuffixSource src, int node, long offset, Span<uint> mask)
    {
        int end = src.End(node);
        int i = node + 1;
        while (i < end)
        {
            if (!StepInto(stepper, src, i, offset))
            {
                i = src.End(i);
                continue;
            }
            src.SetTokens(i, mask);
            i++;
        }
    }

    // Every suffix of a group starts from the same frame, so the step for each first byte is computed once per group.
    private void FirstStep(Stepper stepper, byte b, long offset, List<LexThread> output)
    {
        var memo = _firstFrames[b] ??= new List<LexThread>(4);
        if (_firstStamp[b] != _stamp)
        {
            if (!StepFast(_frames[0], b, memo)) stepper.Step(_frames[0], b, offset, memo);
            _firstStamp[b] = _stamp;
        }
        output.Clear();
        if (memo.Count == 1) output.Add(memo[0]);
        else if (memo.Count > 1) output.AddRange(memo);
    }

    /// <summary>
    /// The common case in one DFA lookup: a single thread whose lexeme goes on (or dies) without ending.
    /// Clears <paramref name="output"/>; returns false, leaving it empty, when the general stepper must decide.
    /// </summary>
    private bool StepFast(List<LexThread> input, byte b, List<LexThread> output)
    {
        output.Clear();
        if (input.Count != 1) return false;
        var t = input[0];
        var lexer = _masker.Grammar.T.Lexer;
        int next = lexer.Next(t.LexerState, b);
        if (next == Lexing.LexerTable.Dead)
            return t.Fresh || !lexer[t.LexerState].EndsIfLongest;
        ref readonly var st = ref lexer[next];
        if (st.EndNowCount != 0) return false;
        output.Add(new LexThread(t.Column, st.Continue, fresh: false));
        return true;
    }

    /// <summary>True when the state's threads survive every byte of <paramref name="bytes"/>.</summary>
    public bool Allows(ParserState state, ReadOnlySpan<byte> bytes)
    {
        var stepper = Stepper.For(_masker.Grammar);
        EnsureDepth(bytes.Length + 1);
        var frames = _frames;
        frames[0].Clear();
        frames[0].AddRange(state.Threads);
        for (int i = 0; i < bytes.Length; i++)
        {
            frames[i + 1].Clear();
            stepper.Step(frames[i], bytes[i], state.Offset + i, frames[i + 1]);
            if (frames[i + 1].Count == 0) return false;
        }
        return true;
    }
}
