using FsCheck;
using FsCheck.Fluent;
using System.Text;
using Structured.Lexing;
using Structured.Regex;
using Structured.Schemas;

namespace Structured.Tests.Regex;

/// <summary>
/// Token classes are shared between lexer states whose fingerprints within the vocabulary's horizon are equal, so a
/// fingerprint that is equal where behaviour differs would give some grammar another grammar's mask. These properties
/// pin down what the cut may merge and what it must not.
/// </summary>
public class FingerprintTests
{
    private const int Horizon = 4;

    private static readonly RegexNode[] Atoms =
    [
        RegexNode.Literal("a"),
        RegexNode.Literal("b"),
        RegexNode.Literal("ab"),
        RegexNode.Bytes(ByteSet.Range((byte)'a', (byte)'b')),
    ];

    // A regex with counts both within the horizon and past it; `shift` moves every count past the horizon to
    // another value past it, which no string of up to Horizon bytes can tell apart.
    private static Gen<Func<int, RegexNode>> Node(int depth) => depth == 0
        ? Gen.Elements(Atoms).Select(a => (Func<int, RegexNode>)(_ => a))
        : Gen.OneOf(
            Node(depth - 1).ListOf(2).Select(p => (Func<int, RegexNode>)(shift => RegexNode.Sequence(p.Select(f => f(shift)).ToList()))),
            Node(depth - 1).ListOf(2).Select(p => (Func<int, RegexNode>)(shift => RegexNode.Choice(p.Select(f => f(shift)).ToList()))),
            from item in Node(depth - 1)
            from lo in Gen.Elements(0, 1, 2, Horizon + 2, Horizon + 5)
            from hi in Gen.Elements(1, 3, Horizon, Horizon + 1, Horizon + 6, -1)
            select (Func<int, RegexNode>)(shift =>
            {
                int min = lo > Horizon + 1 ? lo + shift : lo;
                int? max = hi < 0 ? null : hi > Horizon ? Math.Max(hi + shift, min) : hi;
                return RegexNode.Repeat(item(shift), Math.Min(min, max ?? min), max);
            }));

    private static IEnumerable<byte[]> StringsUpTo(int length)
    {
        var level = new List<byte[]> { Array.Empty<byte>() };
        for (int n = 0; n <= length; n++)
        {
            foreach (var s in level) yield return s;
            level = level.SelectMany(s => new[] { (byte)'a', (byte)'b' }.Select(c => s.Append(c).ToArray())).ToList();
        }
    }

    private static bool Matches(TermStore store, int t, byte[] s)
    {
        foreach (byte b in s) t = store.Derive(t, b);
        return t != TermStore.Nothing && store.IsNullable(t);
    }

    [Fact]
    public void Counts_moved_past_the_horizon_keep_the_cut_fingerprint_and_the_short_strings()
    {
        Prop.ForAll(Node(3).ToArbitrary(), Gen.Choose(1, 7).ToArbitrary(), (make, shift) =>
        {
            var store = new TermStore();
            int a = store.FromNode(make(0)), b = store.FromNode(make(shift));
            if (store.FingerprintWithin(a, Horizon) != store.FingerprintWithin(b, Horizon)) return false;
            return StringsUpTo(Horizon).All(s => Matches(store, a, s) == Matches(store, b, s));
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Within_the_horizon_the_fingerprint_is_the_exact_one_whatever_was_asked_first()
    {
        Prop.ForAll(Node(3).ToArbitrary(), Gen.Choose(0, 1).ToArbitrary(), (make, order) =>
        {
            var node = make(0);
            var first = new TermStore();
            var second = new TermStore();
            int a = first.FromNode(node), b = second.FromNode(node);
            // One store fingerprints the parts exactly first, the other cut first: the memos must not leak into each other.
            var cutA = order == 0 ? first.FingerprintWithin(a, Horizon) : default;
            var exactA = first.FingerprintOf(a);
            if (order != 0) cutA = first.FingerprintWithin(a, Horizon);
            var exactB = second.FingerprintOf(b);
            var cutB = second.FingerprintWithin(b, Horizon);
            if (exactA != exactB) return false.Label("exact fingerprints differ");
            if (cutA != cutB) return false.Label("cut fingerprints differ");
            // Far enough out, nothing is cut: past the bytes any count here can reach (under 2,000; see below).
            return (first.FingerprintWithin(a, FarOut) == exactA).Label("cut far out");
        }).QuickCheckThrowOnFailure();
        // Counts reach in bytes: ten iterations of at least 162 bytes each can matter up to 1,620 bytes out.
        var store = new TermStore();
        var nested = RegexNode.Repeat(RegexNode.Repeat(RegexNode.Repeat(RegexNode.Literal("ab"), 9, 10), 9, 10), 9, 10);
        int t = store.FromNode(nested);
        Assert.NotEqual(store.FingerprintOf(t), store.FingerprintWithin(t, 1000));
        Assert.Equal(store.FingerprintOf(t), store.FingerprintWithin(t, 1620));
    }

    private const int FarOut = 1_000_000;

    // Whether t is alive and whether it accepts, after every string of up to `length` bytes over `alphabet`.
    private static string Behaviour(TermStore store, int t, byte[] alphabet, int length)
    {
        var sb = new StringBuilder();
        void Walk(int term, int depth)
        {
            sb.Append(term == TermStore.Nothing ? '0' : store.IsNullable(term) ? 'A' : '1');
            if (term == TermStore.Nothing || depth == length) return;
            foreach (byte b in alphabet) Walk(store.Derive(term, b), depth + 1);
        }
        Walk(t, 0);
        return sb.ToString();
    }

    // Every pair of terms with one cut fingerprint must be alive and accept after the same short strings.
    private static bool SameBehaviourWithinEachFingerprint(TermStore store, IEnumerable<int> terms, byte[] alphabet)
    {
        foreach (var group in terms.Where(t => t != TermStore.Nothing).Distinct().GroupBy(t => store.FingerprintWithin(t, Horizon)))
            if (group.Select(t => Behaviour(store, t, alphabet, Horizon)).Distinct().Count() > 1) return false;
        return true;
    }

    [Fact]
    public void Counts_of_iterations_several_bytes_long_are_cut_where_they_end_past_the_horizon()
    {
        // (ab){0,3} can run out only after 6 bytes, past a 4-byte horizon, so it shares a fingerprint with (ab)*;
        // (ab){0,2} runs out after 4 and must not.
        var store = new TermStore();
        int Pairs(int? max) => store.FromNode(RegexNode.Sequence(RegexNode.Repeat(RegexNode.Literal("ab"), 0, max), RegexNode.Literal("b")));
        Assert.Equal(store.FingerprintWithin(Pairs(3), Horizon), store.FingerprintWithin(Pairs(null), Horizon));
        Assert.NotEqual(store.FingerprintWithin(Pairs(2), Horizon), store.FingerprintWithin(Pairs(null), Horizon));
        // Random regexes with counts on both sides of horizon / k, for items of k = 1 to 3 bytes.
        RegexNode[] atoms = [RegexNode.Literal("a"), RegexNode.Literal("ab"), RegexNode.Literal("bab"), RegexNode.Bytes(ByteSet.Range((byte)'a', (byte)'b'))];
        var nodes = RegexNodes.Over(atoms, 3, counts: [0, 1, 2, 3, 4, 5]);
        Prop.ForAll(nodes.ListOf(24).ToArbitrary(), list =>
        {
            var shared = new TermStore();
            return SameBehaviourWithinEachFingerprint(shared, list.Select(shared.FromNode), "ab"u8.ToArray());
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void A_string_length_bound_far_enough_away_is_cut_and_one_in_reach_is_not()
    {
        // a | b{10}, spelled as JSON, under maxLength 9: after "b" nothing fits. Under maxLength 30 or 40 the bound is
        // out of reach whatever X still needs, and both behave like the pattern alone.
        var store = new TermStore();
        var pattern = RegexNode.Choice([RegexNode.Literal("a"), RegexNode.Repeat(RegexNode.Literal("b"), 10, 10)]);
        int Bounded(int max) => store.FromNode(JsonStringEncoding.Encode(RegexNode.Intersection(pattern, RegexNode.Repeat(RegexNode.Class(CodePointSet.All), 0, max))));
        Assert.Equal(store.FingerprintWithin(Bounded(30), Horizon), store.FingerprintWithin(Bounded(40), Horizon));
        Assert.NotEqual(store.FingerprintWithin(Bounded(9), Horizon), store.FingerprintWithin(Bounded(30), Horizon));
        // Random patterns of whole characters (some needing many more), each under every bound, spelled as JSON and
        // walked with escapes.
        RegexNode[] atoms =
        [
            RegexNode.Literal("a"), RegexNode.Literal(" "), RegexNode.Literal("é"), RegexNode.Literal("aaaaaaaaaa"),
            RegexNode.Repeat(RegexNode.Class(CodePointSet.Of(' ').Complement()), 1, null),
        ];
        int[] bounds = [1, 4, 8, 9, 10, 12, 14, 17, 20, 30];
        byte[] alphabet = [(byte)'a', (byte)' ', 0xC3, 0xA9, (byte)'\\', (byte)'u', (byte)'0'];
        Prop.ForAll(RegexNodes.Over(atoms, 2, counts: [0, 1, 2, 3, 5, 9]).ListOf(2).ToArbitrary(), patterns =>
        {
            var shared = new TermStore();
            var terms =
                from x in patterns
                from min in new[] { 0, 1 }
                from max in bounds
                select shared.FromNode(JsonStringEncoding.Encode(RegexNode.Intersection(x, RegexNode.Repeat(RegexNode.Class(CodePointSet.All), min, max))));
            return SameBehaviourWithinEachFingerprint(shared, terms.ToList(), alphabet);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Intersections_keep_counts_past_the_horizon()
    {
        // a | (b{6} ∩ [ab]{0,6}) can go on after "b"; a | (b{7} ∩ [ab]{0,6}) cannot, since its intersection is empty.
        // Counts cut at the horizon would make the two alike (b{5,} ∩ [ab]*), and one grammar would be given the
        // other's tokens after "b".
        var store = new TermStore();
        var bound = RegexNode.Repeat(RegexNode.Bytes(ByteSet.Range((byte)'a', (byte)'b')), 0, Horizon + 2);
        RegexNode Either(int bs) => RegexNode.Choice([RegexNode.Literal("a"), RegexNode.Intersection([RegexNode.Repeat(RegexNode.Literal("b"), bs, bs), bound])]);
        int six = store.FromNode(Either(Horizon + 2)), seven = store.FromNode(Either(Horizon + 3));
        Assert.NotEqual(TermStore.Nothing, store.Derive(six, (byte)'b'));
        Assert.Equal(TermStore.Nothing, store.Derive(seven, (byte)'b'));
        Assert.NotEqual(store.FingerprintWithin(six, Horizon), store.FingerprintWithin(seven, Horizon));
        Assert.Equal(store.FingerprintOf(six), store.FingerprintWithin(six, Horizon));
    }
}
