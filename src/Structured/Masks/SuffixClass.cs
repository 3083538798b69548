using System.Runtime.InteropServices;
using Structured.Lexing;

namespace Structured.Masks;

/// <summary>
/// What the lexer alone decides about the suffixes of one crossing group when lexing resumes at a fresh thread in a
/// given lexer state: the tokens it allows outright, and the nodes where a second boundary needs the parser again
/// (a boundary after which only ignored lexemes without mode commands ended does not: lexing resumes at the root state)
/// (walked with the parser per mask, with their ancestors). Cached per (group, lexer state), so the long stretches
/// inside a lexeme after a boundary (a string after whitespace, say) cost one list of token ids instead of a walk.
/// </summary>
internal sealed class SuffixClass
{
    /// <summary>Marks an entry whose whole subtree is walked.</summary>
    public const int FullSubtree = 1 << 31;

    public required int[] AllowedTokens { get; init; }

    /// <summary>
    /// Nodes to walk with the parser (ancestors, or roots of whole subtrees with <see cref="FullSubtree"/>), source after
    /// source: those of source s end at <see cref="SourceEnds"/>[s]. Flat, because these classes are cached for the
    /// process and a group has dozens of sources: per-source arrays, mostly empty, were over a third of the heap's objects.
    /// </summary>
    public required int[] Entries { get; init; }

    /// <summary>Per entry: the index of the entry after its subtree (at most its source's end).</summary>
    public required int[] SkipTo { get; init; }

    /// <summary>Per source: the end of its entries in <see cref="Entries"/>.</summary>
    public required int[] SourceEnds { get; init; }

    public bool HasEntries => Entries.Length > 0;

    // Builds run one at a time per thread (nothing in a build starts another), at crossings inside masks: the working
    // lists and per-depth arrays are the thread's, so a build allocates only the class it returns.
    private sealed class Scratch
    {
        public readonly List<int> Allowed = [];
        public readonly List<int> Entries = [];
        public readonly List<int> Skip = [];
        public readonly List<int> Open = [];
        public int[] States = [];
        public bool[] Crossing = [];
        public int[] Path = [];
        public int[] Added = [];

        public void EnsureDepth(int depth)
        {
            if (States.Length >= depth) return;
            States = new int[depth];
            Crossing = new bool[depth];
            Path = new int[depth];
            Added = new int[depth];
        }
    }

    [ThreadStatic] private static Scratch? t_scratch;

    public static SuffixClass Build(LexerTable lexer, SuffixSource[] sources, int state)
    {
        var scratch = t_scratch ??= new Scratch();
        var allowed = scratch.Allowed;
        var list = scratch.Entries;
        var skip = scratch.Skip;
        var open = scratch.Open;
        allowed.Clear();
        list.Clear();
        skip.Clear();
        open.Clear();
        var ends = new int[sources.Length];
        for (int s = 0; s < sources.Length; s++)
        {
            var src = sources[s];
            int first = list.Count;
            int maxDepth = 1;
            for (int i = src.From; i < src.To; i++) maxDepth = Math.Max(maxDepth, src.Depth(i));
            scratch.EnsureDepth(maxDepth + 1);
            var ls = scratch.States;
            var cross = scratch.Crossing;
            var path = scratch.Path;
            var added = scratch.Added;
            Array.Clear(cross, 0, maxDepth + 1);
            Array.Fill(added, -1, 0, maxDepth + 1);
            ls[0] = state;
            int n = src.To;
            int i2 = src.From;
            while (i2 < n)
            {
                int d = src.Depth(i2);
                int parent = ls[d - 1];
                bool crossing = cross[d - 1];
                int next = parent == LexerTable.Dead ? LexerTable.Dead : lexer.Next(parent, src.Byte(i2));
                if (next == LexerTable.Dead && !crossing && d > 1 && parent != LexerTable.Dead && lexer[parent].LongestEndsIgnoredOnly)
                {
                    // Only an ignored lexeme without mode commands ended (a comment's `. -> more`, whitespace): lexing
                    // resumes in the same column, whose start state is the root, so the lexer alone still decides.
                    next = lexer.Next(state, src.Byte(i2));
                    if (next == LexerTable.Dead)
                    {
                        i2 = src.End(i2);
                        continue;
                    }
                }
                if (next == LexerTable.Dead)
                {
                    // The thread is fresh at depth 0, so it cannot commit before the first byte.
                    if (parent != LexerTable.Dead && d > 1 && lexer[parent].EndsIfLongest) crossing = true;
                    if (crossing)
                    {
                        for (int k = 1; k < d; k++)
                        {
                            if (added[k] == path[k]) continue;
                            list.Add(path[k]);
                            added[k] = path[k];
                            for (int j = k + 1; j <= maxDepth; j++) added[j] = -1;
                        }
                        list.Add(i2 | FullSubtree);
                    }
                    i2 = src.End(i2);
                    continue;
                }
                src.AddTokens(i2, allowed);
                ref readonly var st = ref lexer[next];
                path[d] = i2;
                ls[d] = st.Continue;
                cross[d] = crossing || st.EndNowGoesOn;
                i2++;
            }
            for (int k = first; k < list.Count; k++)
            {
                skip.Add(0);
                int node = list[k] & ~FullSubtree;
                while (open.Count > 0 && node >= src.End(list[open[^1]] & ~FullSubtree)) skip[Pop(open)] = k;
                open.Add(k);
            }
            while (open.Count > 0) skip[Pop(open)] = list.Count;
            ends[s] = list.Count;
        }
        var tokens = Distinct(allowed);
        return list.Count == 0
            ? new SuffixClass { AllowedTokens = tokens, Entries = [], SkipTo = [], SourceEnds = [] }
            : new SuffixClass { AllowedTokens = tokens, Entries = list.ToArray(), SkipTo = skip.ToArray(), SourceEnds = ends };
    }

    private static int Pop(List<int> stack)
    {
        int top = stack[^1];
        stack.RemoveAt(stack.Count - 1);
        return top;
    }

    // The same token can be reached through two sources; the class sets bits, so sorted order is as good as any.
    private static int[] Distinct(List<int> tokens)
    {
        if (tokens.Count == 0) return [];
        var span = CollectionsMarshal.AsSpan(tokens);
        span.Sort();
        int n = 1;
        for (int i = 1; i < span.Length; i++)
            if (span[i] != span[n - 1]) span[n++] = span[i];
        return span[..n].ToArray();
    }
}
