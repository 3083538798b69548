using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Structured.Lexing;
using Structured.Regex;
using Structured.Schemas;

namespace Structured.Tests.Regex;

/// <summary>
/// A schema string whose decoded language has an intersection or complement is lexed through one JSON-escape-aware
/// term over the decoded language. These properties compare it with the spelled-out encoding (every spelling of every
/// character as its own regex, the intersection taken over spellings), on random and mutated string bodies: the same
/// strings are accepted and the same prefixes are alive, so masks built from either agree (the reference decides
/// liveness by search alone: no letter bounds, no character counts).
/// </summary>
public class JsonEncodedTests
{
    private static readonly RegexNode[] Atoms =
    [
        RegexNode.Literal("a"),
        RegexNode.Literal("ab"),
        RegexNode.Class(CodePointSet.Range('a', 'c')),
        RegexNode.Literal("é"),
        RegexNode.Class(CodePointSet.Range(0x1F600, 0x1F601)),
        RegexNode.Literal("\""),
        RegexNode.Literal("\n"),
        RegexNode.Class(CodePointSet.Range(0xD7F0, 0xE010)), // around the surrogate gap
        RegexNode.Class(CodePointSet.All),
        RegexNode.Repeat(RegexNode.Class(CodePointSet.All), 2, 3), // minLength/maxLength, decided by character counts
        RegexNode.Repeat(RegexNode.Class(CodePointSet.All), 0, 1),
        RegexNode.Epsilon,
    ];

    private static Gen<RegexNode> Node(int depth) => RegexNodes.Over(Atoms, depth);

    private static readonly int[] Alphabet = ['a', 'b', 'c', 'x', 'é', 0x1F600, 0x1F601, '"', '\n', '/', 0xD7FF, 0xE000];

    // A random decoded string, each character spelled in a random legal way, then perhaps broken in a few bytes.
    private static byte[] RandomBody(Random rng)
    {
        var bytes = new List<byte>();
        int length = rng.Next(5);
        for (int i = 0; i < length; i++) Spell(Alphabet[rng.Next(Alphabet.Length)], rng, bytes);
        int mutations = rng.Next(3) == 0 ? rng.Next(1, 3) : 0;
        byte[] noise = [(byte)'\\', (byte)'u', (byte)'0', (byte)'a', (byte)'D', (byte)'8', (byte)'"', 0xC3, 0xA9, (byte)'n'];
        for (int m = 0; m < mutations && bytes.Count > 0; m++)
        {
            int at = rng.Next(bytes.Count);
            switch (rng.Next(3))
            {
                case 0: bytes.RemoveAt(at); break;
                case 1: bytes.Insert(at, noise[rng.Next(noise.Length)]); break;
                default: bytes[at] = noise[rng.Next(noise.Length)]; break;
            }
        }
        return bytes.ToArray();
    }

    private static void Spell(int cp, Random rng, List<byte> output)
    {
        string shortEscape = cp switch { '"' => "\\\"", '\n' => "\\n", '/' => "\\/", _ => "" };
        int way = rng.Next(3);
        if (way == 0 && cp != '"' && cp != '\n') output.AddRange(Encoding.UTF8.GetBytes(char.ConvertFromUtf32(cp)));
        else if (way == 1 && shortEscape.Length > 0) output.AddRange(Encoding.ASCII.GetBytes(shortEscape));
        else
            foreach (char unit in char.ConvertFromUtf32(cp))
            {
                string hex = ((int)unit).ToString(rng.Next(2) == 0 ? "x4" : "X4");
                output.AddRange(Encoding.ASCII.GetBytes("\\u" + hex));
            }
    }

    // The encoding before the escape-aware term: every part spelled out, so the intersection runs over spellings.
    private static RegexNode SpelledOut(RegexNode decoded) => decoded switch
    {
        NothingNode => RegexNode.Nothing,
        LiteralNode lit => RegexNode.Sequence(Encoding.UTF8.GetString(lit.Value.ToArray()).EnumerateRunes().Select(r => JsonStringEncoding.Char(CodePointSet.Of(r.Value)))),
        ClassNode c => JsonStringEncoding.Char(c.Set),
        SequenceNode s => RegexNode.Sequence(s.Parts.Select(SpelledOut).ToList()),
        ChoiceNode ch => RegexNode.Choice(ch.Alternatives.Select(SpelledOut).ToList()),
        RepeatNode r => RegexNode.Repeat(SpelledOut(r.Item), r.Min, r.Max),
        IntersectionNode i => RegexNode.Intersection(i.Parts.Select(SpelledOut).ToList()),
        ComplementNode n => RegexNode.Intersection(JsonStringEncoding.AnyContent, RegexNode.Complement(SpelledOut(n.Item))),
        _ => throw new InvalidOperationException(decoded.GetType().Name),
    };

    [Fact]
    public void Escape_aware_terms_accept_and_keep_alive_exactly_what_spelled_out_encodings_do()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(Node(3).ToArbitrary(), Gen.Choose(0, int.MaxValue).ToArbitrary(), (decoded, seed) =>
        {
            var store = new TermStore();
            var reference = new TermStore(livenessShortcuts: false);
            int a = store.FromNode(JsonStringEncoding.Encode(decoded));
            int b = reference.FromNode(SpelledOut(decoded));
            if ((a == TermStore.Nothing) != (b == TermStore.Nothing)) return false;
            var rng = new Random(seed);
            for (int trial = 0; trial < 12; trial++)
            {
                var body = RandomBody(rng);
                int x = a, y = b;
                foreach (byte c in body)
                {
                    if (x == TermStore.Nothing) break;
                    (x, y) = (store.Derive(x, c), reference.Derive(y, c));
                    if ((x == TermStore.Nothing) != (y == TermStore.Nothing)) return false; // the same prefixes alive
                }
                bool accepted = x != TermStore.Nothing && store.IsNullable(x);
                if (accepted != (y != TermStore.Nothing && reference.IsNullable(y))) return false;
                if (accepted && !DecodesAsJson(body)) return false;
            }
            return true;
        }));
    }

    [Fact]
    public void Length_bounds_are_decided_by_character_counts_exactly_as_by_search()
    {
        // Patterns whose lengths have gaps (1 or 3; even only) and multi-byte characters, under every small bound.
        RegexNode[] patterns =
        [
            RegexNode.Literal("a"),
            RegexNode.Literal("ab"),
            RegexNode.Literal("é"),
            RegexNode.Star(RegexNode.Literal("ab")),
            RegexNode.Choice(RegexNode.Literal("a"), RegexNode.Literal("abc")),
            RegexNode.Sequence(RegexNode.Class(CodePointSet.Range('a', 'c')), RegexNode.Repeat(RegexNode.Literal("é"), 1, 2)),
            RegexNode.Epsilon,
        ];
        byte[] alphabet = [(byte)'a', (byte)'b', (byte)'c', 0xC3, 0xA9, (byte)'\\', (byte)'u', (byte)'0', (byte)'6', (byte)'1'];
        foreach (var pattern in patterns)
            for (int min = 0; min <= 4; min++)
                foreach (int? max in new int?[] { min, min + 1, min + 3, null })
                    AssertDecidedAsBySearch(RegexNode.Intersection(pattern, RegexNode.Repeat(RegexNode.Class(CodePointSet.All), min, max)), alphabet, depth: 3);
    }

    [Fact]
    public void Length_bounds_inside_a_multibyte_character_are_decided_exactly_as_by_search()
    {
        // Inside a character that has begun, the bound reads as the rest of that character, then a count of the
        // characters after it. Three-byte characters, walked four bytes deep so that every state inside one is
        // checked, and patterns of unbounded length, which a minimum length alone decides.
        RegexNode[] patterns =
        [
            RegexNode.Literal("日"),
            RegexNode.Star(RegexNode.Class(CodePointSet.Range('a', 'b'))),
            RegexNode.Star(RegexNode.Literal("日日")),
            RegexNode.Sequence(RegexNode.Literal("é"), RegexNode.Star(RegexNode.Literal("日"))),
            RegexNode.Sequence(RegexNode.Star(RegexNode.Class(CodePointSet.All)), RegexNode.Literal("日a"), RegexNode.Star(RegexNode.Class(CodePointSet.All))),
        ];
        byte[] alphabet = [(byte)'a', (byte)'b', 0xC3, 0xA9, 0xE6, 0x97, 0xA5];
        foreach (var pattern in patterns)
            for (int min = 0; min <= 4; min++)
                foreach (int? max in new int?[] { min, min + 1, min + 3, null })
                    AssertDecidedAsBySearch(RegexNode.Intersection(pattern, RegexNode.Repeat(RegexNode.Class(CodePointSet.All), min, max)), alphabet, depth: 4);
    }

    // Every path of up to `depth` bytes from the alphabet: the same prefixes die and the same ones accept as in a store
    // that decides every intersection by search.
    private static void AssertDecidedAsBySearch(RegexNode decoded, byte[] alphabet, int depth)
    {
        var store = new TermStore();
        var reference = new TermStore(livenessShortcuts: false);
        int a = store.FromNode(JsonStringEncoding.Encode(decoded));
        int b = reference.FromNode(JsonStringEncoding.Encode(decoded));
        Assert.Equal(b == TermStore.Nothing, a == TermStore.Nothing);
        var frontier = new List<(int, int)> { (a, b) };
        for (int level = 0; level < depth; level++)
        {
            var next = new List<(int, int)>();
            foreach (var (x, y) in frontier)
                foreach (byte c in alphabet)
                {
                    if (x == TermStore.Nothing) continue;
                    int dx = store.Derive(x, c), dy = reference.Derive(y, c);
                    Assert.Equal(dy == TermStore.Nothing, dx == TermStore.Nothing);
                    if (dx == TermStore.Nothing) continue;
                    Assert.Equal(reference.IsNullable(dy), store.IsNullable(dx));
                    next.Add((dx, dy));
                }
            frontier = next;
        }
    }

    [Fact]
    public void A_live_state_inside_an_escape_has_a_completion()
    {
        // Digits only, so that most "\u" prefixes are dead; every prefix the term keeps alive must extend to a match.
        var decoded = RegexNode.Intersection(
            RegexNode.Repeat(RegexNode.Class(CodePointSet.Range('0', '9')), 1, 3),
            RegexNode.Complement(RegexNode.Literal("00")));
        var store = new TermStore();
        int start = store.FromNode(JsonStringEncoding.Encode(decoded));
        byte[] prefixBytes = Encoding.ASCII.GetBytes("\\u0030\\u");
        int t = start;
        foreach (byte c in prefixBytes) t = store.Derive(t, c);
        Assert.NotEqual(TermStore.Nothing, t); // "0" then the escape of a second character
        Assert.Equal(TermStore.Nothing, store.Derive(store.Derive(store.Derive(t, (byte)'0'), (byte)'0'), (byte)'4')); // U+004x is no digit
        int afterZeroZero = Walk(store, start, "0\\u0030");
        Assert.True(afterZeroZero == TermStore.Nothing || !store.IsNullable(afterZeroZero)); // "00" is excluded
        Assert.True(store.IsNullable(Walk(store, start, "0\\u0031")));
        Assert.True(store.IsNullable(Walk(store, start, "\\u0039\\u0030\\u0030")));
        Assert.Equal(TermStore.Nothing, Walk(store, start, "\\ud83d")); // a high surrogate starts no digit
    }

    private static int Walk(TermStore store, int t, string text)
    {
        foreach (byte c in Encoding.UTF8.GetBytes(text))
        {
            if (t == TermStore.Nothing) return t;
            t = store.Derive(t, c);
        }
        return t;
    }

    private static bool DecodesAsJson(byte[] body)
    {
        var literal = new byte[body.Length + 2];
        literal[0] = literal[^1] = (byte)'"';
        body.CopyTo(literal, 1);
        try
        {
            string? s = JsonSerializer.Deserialize<string>(literal);
            if (s is null) return false;
            for (int i = 0; i < s.Length; i++)
            {
                if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) i++;
                else if (char.IsSurrogate(s[i])) return false;
            }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
