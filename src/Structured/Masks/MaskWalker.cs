using Structured.Parsing;
using Structured.Tokens;

namespace Structured.Masks;

/// <summary>
/// Walks trie nodes with the full lexer and parser: one thread set per depth, pushed on the way down and simply
/// overwritten on the way back (states are persistent, so popping costs nothing). One per thread and masker;
/// the lists are reused, so a walk allocates only the Earley columns it has not seen before.
/// </summary>
internal sealed class MaskWalker
{
    [ThreadStatic] private static MaskWalker? t_instance;

    private TokenMasker _masker = null!;
    private List<LexThread>[] _frames = [];

    public static MaskWalker For(TokenMasker masker)
    {
        var w = t_instance ??= new MaskWalker();
        if (w._masker != masker)
        {
            w._masker = masker;
            int depth = masker.Trie.MaxDepth + 2;
            if (w._frames.Length < depth)
            {
                w._frames = new List<LexThread>[depth];
                for (int i = 0; i < depth; i++) w._frames[i] = new List<LexThread>(8);
            }
        }
        return w;
    }

    /// <summary>Sets the bits of parser-dependent tokens that <paramref name="thread"/> allows.</summary>
    public void WalkDependent(LexThread thread, LexerTokenClass cls, long offset, Span<uint> mask)
    {
        var trie = _masker.Trie;
        var stepper = Stepper.For(_masker.Grammar);
        var frames = _frames;
        frames[0].Clear();
        frames[0].Add(thread);
        var entries = cls.Entries;
        var skip = cls.SkipTo;
        int k = 0;
        while (k < entries.Length)
        {
            int entry = entries[k];
            int node = entry & ~LexerTokenClass.FullSubtree;
            int d = trie.NodeDepth[node];
            var output = frames[d];
            if (!StepFast(frames[d - 1], trie.NodeByte[node], output)) stepper.Step(frames[d - 1], trie.NodeByte[node], offset + d - 1, output);
            if (output.Count == 0)
            {
                k = skip[k];
                continue;
            }
            SetToken(trie, node, mask);
            if ((entry & LexerTokenClass.FullSubtree) != 0)
            {
                WalkSubtree(stepper, trie, node, offset, mask);
                k = skip[k];
                continue;
            }
            k++;
        }
    }

    // Walks every node below root (whose frame is filled), skipping subtrees where no thread survives.
    private void WalkSubtree(Stepper stepper, TokenTrie trie, int root, long offset, Span<uint> mask)
    {
        var frames = _frames;
        int end = trie.SubtreeEnd[root];
        int i = root + 1;
        while (i < end)
        {
            int d = trie.NodeDepth[i];
            var output = frames[d];
            if (!StepFast(frames[d - 1], trie.NodeByte[i], output)) stepper.Step(frames[d - 1], trie.NodeByte[i], offset + d - 1, output);
            if (output.Count == 0)
            {
                i = trie.SubtreeEnd[i];
                continue;
            }
            SetToken(trie, i, mask);
            i++;
        }
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
            return t.Fresh || lexer[t.LexerState].EndIfLongest.Length == 0;
        var st = lexer[next];
        if (st.EndNow.Length != 0) return false;
        output.Add(new LexThread(t.Column, st.Continue, fresh: false));
        return true;
    }

    private static void SetToken(TokenTrie trie, int node, Span<uint> mask)
    {
        for (int t = trie.NodeToken[node]; t >= 0; t = trie.SameBytesNext[t]) mask[t >> 5] |= 1u << (t & 31);
    }

    /// <summary>True when the state's threads survive every byte of <paramref name="bytes"/>.</summary>
    public bool Allows(ParserState state, ReadOnlySpan<byte> bytes)
    {
        var stepper = Stepper.For(_masker.Grammar);
        var frames = _frames;
        if (frames.Length < bytes.Length + 1)
        {
            var grown = new List<LexThread>[bytes.Length + 1];
            for (int i = 0; i < grown.Length; i++) grown[i] = i < frames.Length ? frames[i] : new List<LexThread>(8);
            _frames = frames = grown;
        }
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
