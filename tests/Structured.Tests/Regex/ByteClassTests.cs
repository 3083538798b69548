using FsCheck;
using FsCheck.Fluent;
using Structured.Lexing;
using Structured.Regex;

namespace Structured.Tests.Regex;

/// <summary>
/// Derivatives are computed once per byte class and written for the whole class. These properties compare that store,
/// byte by byte and after every kind of term, with a store that derives each byte on its own.
/// </summary>
public class ByteClassTests
{
    // Byte sets that overlap in many ways, with multi-byte UTF-8 classes among them, so that refinements are non-trivial.
    private static readonly RegexNode[] Atoms =
    [
        RegexNode.Bytes(ByteSet.Range((byte)'a', (byte)'f')),
        RegexNode.Bytes(ByteSet.Range((byte)'d', (byte)'k')),
        RegexNode.Bytes(ByteSet.Range((byte)'0', (byte)'9').Union(ByteSet.Of((byte)'a'))),
        RegexNode.Bytes(ByteSet.Range(0x80, 0xBF)),
        RegexNode.Bytes(ByteSet.All.Intersect(ByteSet.Range(0, 0x7F)).Intersect(ByteSet.Range((byte)'"', (byte)'"')).Complement()),
        RegexNode.Literal("ab"),
        RegexNode.Literal("é"),
        RegexNode.Class(CodePointSet.Range(0x3B1, 0x3C9)),
        RegexNode.Class(CodePointSet.Range(0x20, 0x10FFFF)),
        RegexNode.Epsilon,
    ];

    private static Gen<RegexNode> Node(int depth) => RegexNodes.Over(Atoms, depth);

    [Fact]
    public void Derivatives_by_class_equal_derivatives_byte_by_byte()
    {
        Prop.ForAll(Node(3).ToArbitrary(), Gen.Choose(0, int.MaxValue).ToArbitrary(), (node, seed) =>
        {
            var classes = new TermStore();
            var bytewise = new TermStore(byteClasses: false);
            int a = classes.FromNode(node), b = bytewise.FromNode(node);
            var rng = new Random(seed);
            for (int step = 0; step < 6; step++)
            {
                if (classes.FingerprintOf(a) != bytewise.FingerprintOf(b)) return false;
                // Every byte, in a random order, so that a class filled by an earlier byte answers for later ones.
                var order = Enumerable.Range(0, 256).OrderBy(_ => rng.Next()).ToArray();
                var live = new List<byte>();
                foreach (int x in order)
                {
                    int da = classes.Derive(a, (byte)x), db = bytewise.Derive(b, (byte)x);
                    if ((da == TermStore.Nothing) != (db == TermStore.Nothing)) return false;
                    if (da != TermStore.Nothing && classes.FingerprintOf(da) != bytewise.FingerprintOf(db)) return false;
                    if (da != TermStore.Nothing) live.Add((byte)x);
                }
                if (live.Count == 0) break;
                byte next = live[rng.Next(live.Count)];
                (a, b) = (classes.Derive(a, next), bytewise.Derive(b, next));
            }
            return true;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Lexer_transitions_filled_per_class_equal_transitions_byte_by_byte()
    {
        Prop.ForAll(Node(2).ListOf(3).ToArbitrary(), Gen.Choose(0, int.MaxValue).ToArbitrary(), (nodes, seed) =>
        {
            var classes = new TermStore();
            var bytewise = new TermStore(byteClasses: false);
            LexerTable Table(TermStore store) => new(store, nodes.Select((n, i) => new LexemeSpec(store.FromNode(n), i == 0 ? LexemeMatch.Longest : LexemeMatch.AllEnds, false)).ToArray());
            var ta = Table(classes);
            var tb = Table(bytewise);
            int[] all = [0, 1, 2];
            int sa = ta.Start(all), sb = tb.Start(all);
            var rng = new Random(seed);
            for (int step = 0; step < 5 && sa != LexerTable.Dead; step++)
            {
                if (ta.Signature(sa, 1000) != tb.Signature(sb, 1000)) return false;
                var live = new List<byte>();
                foreach (int x in Enumerable.Range(0, 256).OrderBy(_ => rng.Next()))
                {
                    int na = ta.Next(sa, (byte)x), nb = tb.Next(sb, (byte)x);
                    if ((na == LexerTable.Dead) != (nb == LexerTable.Dead)) return false;
                    // The dead state's row has one class per byte in the bytewise store: every byte must stay dead.
                    if (ta.Next(LexerTable.Dead, (byte)x) != LexerTable.Dead || tb.Next(LexerTable.Dead, (byte)x) != LexerTable.Dead) return false;
                    if (na != LexerTable.Dead && ta.Signature(na, 1000) != tb.Signature(nb, 1000)) return false;
                    if (na != LexerTable.Dead) live.Add((byte)x);
                }
                if (live.Count == 0) break;
                byte next = live[rng.Next(live.Count)];
                (sa, sb) = (ta.Next(sa, next), tb.Next(sb, next));
            }
            return true;
        }).QuickCheckThrowOnFailure();
    }
}
