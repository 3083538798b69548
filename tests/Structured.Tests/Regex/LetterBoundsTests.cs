using FsCheck;
using FsCheck.Fluent;
using Structured.Lexing;
using Structured.Regex;

namespace Structured.Tests.Regex;

/// <summary>
/// Before searching an intersection for a string, the store tries to prove it empty from the bytes its parts may and
/// must contain. These properties compare it with a store that only searches: the same terms are empty and the same
/// derivatives die, so the shortcut never kills a live state (nor keeps a dead one).
/// </summary>
public class LetterBoundsTests
{
    // Single bytes and literals make "must contain" non-trivial; a class and a multi-byte range make it partial.
    private static readonly RegexNode[] Atoms =
    [
        RegexNode.Literal("a"),
        RegexNode.Literal("b"),
        RegexNode.Literal("ab"),
        RegexNode.Literal("cT"),
        RegexNode.Repeat(RegexNode.Literal("T"), 0, 1),
        RegexNode.Bytes(ByteSet.Range((byte)'a', (byte)'c')),
        RegexNode.Class(CodePointSet.Range(0x3B1, 0x3B3)),
        RegexNode.Epsilon,
    ];

    private static Gen<RegexNode> Node(int depth) => RegexNodes.Over(Atoms, depth, intersectionParts: 3);

    private static readonly byte[] Alphabet = [(byte)'a', (byte)'b', (byte)'c', (byte)'T', (byte)'x', 0xCE, 0xB1, 0xB2];

    [Fact]
    public void Letter_bounds_agree_with_the_search_on_emptiness_and_on_every_derivative()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(400), Prop.ForAll(Node(3).ToArbitrary(), Gen.Choose(0, int.MaxValue).ToArbitrary(), 
            (node, seed) => SearchReference.Agrees(node, Alphabet, seed, steps: 6)));
    }

    [Fact]
    public void A_time_of_day_cannot_contain_a_whole_date_time()
    {
        var digit = RegexNode.Class(CodePointSet.Range('0', '9'));
        var dd = RegexNode.Sequence(digit, digit);
        var time = RegexNode.Sequence(dd, RegexNode.Literal(":"), dd, RegexNode.Repeat(RegexNode.Sequence(RegexNode.Literal("."), RegexNode.Repeat(digit, 1, null)), 0, 1));
        var any = RegexNode.Star(RegexNode.Class(CodePointSet.All));
        var dateTime = RegexNode.Sequence(any, dd, dd, RegexNode.Literal("-"), dd, RegexNode.Literal("-"), dd, RegexNode.Literal("T"), dd, any);
        var store = new TermStore();
        Assert.True(store.IsEmptyLanguage(store.FromNode(RegexNode.Intersection(time, dateTime))));
        Assert.False(store.IsEmptyLanguage(store.FromNode(RegexNode.Intersection(RegexNode.Sequence(dd, dd, RegexNode.Literal("-"), dd, RegexNode.Literal("-"), dd, RegexNode.Literal("T"), dd, RegexNode.Literal(":"), dd), dateTime))));
    }
}
