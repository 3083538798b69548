using FsCheck;
using FsCheck.Fluent;
using Structured.Lexing;
using Structured.Regex;

namespace Structured.Tests.Regex;

/// <summary>
/// An intersection with a part that another part's complement excludes (X ∩ ¬(X ∪ …)) is empty without a search. It
/// arises from patterns that must not match: a `oneOf` of unanchored words reads "contains this word and none of the
/// others", and once another word has occurred, its "any·w·any" has become the same "any" as the string's own part.
/// </summary>
public class ExcludedPartTests
{
    private static readonly RegexNode Any = RegexNode.Star(RegexNode.Class(CodePointSet.All));

    private static RegexNode Contains(string word) => RegexNode.Sequence(Any, RegexNode.Literal(word), Any);

    // Exactly one of the words occurs, as a JSON Schema `oneOf` of unanchored patterns compiles.
    private static RegexNode ExactlyOneOf(IReadOnlyList<string> words) => RegexNode.Choice(words.Select((w, i) =>
        RegexNode.Intersection(new[] { Any, Contains(w) }.Concat(words.Where((_, j) => j != i).Select(v => RegexNode.Complement(Contains(v)))).ToArray())).ToArray());

    private static readonly byte[] Alphabet = [(byte)'a', (byte)'b', (byte)'c', (byte)'x', 0xCE, 0xB1];

    private static Gen<string> Word => Gen.Elements('a', 'b', 'c').ArrayOf().Where(w => w.Length is >= 1 and <= 3).Select(w => new string(w));

    [Fact]
    public void Excluded_parts_agree_with_the_search_on_every_derivative()
    {
        var nodes = Gen.OneOf(
            Word.ListOf(2).Select(ws => ExactlyOneOf(ws.ToArray())),
            Word.ListOf(3).Select(ws => ExactlyOneOf(ws.ToArray())),
            from a in Word from b in Word select RegexNode.Intersection(Any, Contains(a), RegexNode.Complement(Contains(b))),
            from a in Word from b in Word select RegexNode.Intersection(Contains(a), RegexNode.Complement(RegexNode.Choice(Contains(a), Contains(b)))),
            from a in Word from b in Word select RegexNode.Intersection(RegexNode.Choice(Contains(a), Contains(b)), RegexNode.Complement(Contains(a))));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(nodes.ToArbitrary(), Gen.Choose(0, int.MaxValue).ToArbitrary(), 
            (node, seed) => SearchReference.Agrees(node, Alphabet, seed, steps: 10)));
    }

    [Fact]
    public void A_word_that_must_not_occur_kills_the_state_without_a_search_of_the_product()
    {
        string[] words = ["customer", "maker", "operator", "admin", "designer"];
        var shortcut = new TermStore();
        var searched = new TermStore(livenessShortcuts: false);
        int a = shortcut.FromNode(ExactlyOneOf(words)), b = searched.FromNode(ExactlyOneOf(words));
        int beforeA = shortcut.TermCount, beforeB = searched.TermCount;
        // Every byte of the words' letters at every step, as a token walk tries them.
        var letters = words.SelectMany(w => w).Distinct().Select(c => (byte)c).Append((byte)' ').ToArray();
        foreach (byte x in "a customer and a maker"u8)
        {
            foreach (byte y in letters)
                Assert.Equal(shortcut.Derive(a, y) == TermStore.Nothing, searched.Derive(b, y) == TermStore.Nothing);
            (a, b) = (shortcut.Derive(a, x), searched.Derive(b, x));
        }
        Assert.Equal(TermStore.Nothing, a);
        Assert.Equal(TermStore.Nothing, b);
        int madeA = shortcut.TermCount - beforeA, madeB = searched.TermCount - beforeB;
        Assert.True(madeA * 4 < madeB, $"with the shortcut {madeA} terms, searching alone {madeB}");
    }
}
