using System.Text;
using Structured.Lexing;

namespace Structured.Regex;

/// <summary>
/// A regular expression over UTF-8 byte strings: the language of a lexeme.
/// Code-point classes are kept as such and become byte automata only when compiled.
/// </summary>
public abstract class RegexNode
{
    private protected RegexNode() { }

    /// <summary>The empty language: matches nothing.</summary>
    public static RegexNode Nothing { get; } = new NothingNode();

    /// <summary>The language of the empty string.</summary>
    public static RegexNode Epsilon { get; } = new SequenceNode([]);

    /// <summary>The UTF-8 bytes of <paramref name="text"/>.</summary>
    public static RegexNode Literal(string text) => new LiteralNode(Encoding.UTF8.GetBytes(text));

    /// <summary>Exactly these bytes.</summary>
    public static RegexNode LiteralBytes(ReadOnlySpan<byte> bytes) => new LiteralNode(bytes.ToArray());

    /// <summary>One code point from <paramref name="set"/>, as its UTF-8 bytes.</summary>
    public static RegexNode Class(CodePointSet set) => set.IsEmpty ? Nothing : new ClassNode(set);

    /// <summary>One byte from <paramref name="set"/>, whatever UTF-8 says.</summary>
    public static RegexNode Bytes(ByteSet set) => set.IsEmpty ? Nothing : new ByteClassNode(set);

    /// <summary>The concatenation of the parts.</summary>
    public static RegexNode Sequence(params IEnumerable<RegexNode> parts)
    {
        var list = new List<RegexNode>();
        foreach (var p in parts)
        {
            if (p is NothingNode) return Nothing;
            if (p is SequenceNode s) list.AddRange(s.Parts);
            else list.Add(p);
        }
        return list.Count == 1 ? list[0] : new SequenceNode(list);
    }

    /// <summary>Any one of the alternatives.</summary>
    public static RegexNode Choice(params IEnumerable<RegexNode> alternatives)
    {
        var list = new List<RegexNode>();
        foreach (var a in alternatives)
        {
            if (a is NothingNode) continue;
            if (a is ChoiceNode c) list.AddRange(c.Alternatives);
            else list.Add(a);
        }
        return list.Count switch { 0 => Nothing, 1 => list[0], _ => new ChoiceNode(list) };
    }

    /// <summary><paramref name="item"/> repeated between <paramref name="min"/> and <paramref name="max"/> times (no upper bound when null).</summary>
    public static RegexNode Repeat(RegexNode item, int min, int? max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(min);
        if (max is int m && m < min) throw new ArgumentOutOfRangeException(nameof(max), "max is below min");
        if (min == 1 && max == 1) return item;
        return new RepeatNode(item, min, max);
    }

    /// <summary>The strings that every part matches.</summary>
    public static RegexNode Intersection(params IEnumerable<RegexNode> parts)
    {
        var list = new List<RegexNode>();
        foreach (var p in parts)
        {
            if (p is NothingNode) return Nothing;
            if (p is IntersectionNode i) list.AddRange(i.Parts);
            else list.Add(p);
        }
        return list.Count switch { 0 => throw new ArgumentException("an intersection needs at least one part", nameof(parts)), 1 => list[0], _ => new IntersectionNode(list) };
    }

    /// <summary>Every byte string that <paramref name="item"/> does not match (intersect it with something to keep it useful).</summary>
    public static RegexNode Complement(RegexNode item) => item is ComplementNode c ? c.Item : new ComplementNode(item);

    /// <summary>
    /// The JSON string-literal spellings (quotes excluded) of the strings that <paramref name="decoded"/> matches, as
    /// one node: the lexer steps through escapes itself and keeps <paramref name="decoded"/> as it is, so an
    /// intersection or complement inside it is decided on characters, not on every spelling of them.
    /// </summary>
    public static RegexNode JsonEncoded(RegexNode decoded) => decoded is NothingNode ? Nothing : new JsonEncodedNode(decoded);

    /// <summary>Zero or more.</summary>
    public static RegexNode Star(RegexNode item) => Repeat(item, 0, null);

    /// <summary>Zero or one.</summary>
    public static RegexNode Optional(RegexNode item) => Repeat(item, 0, 1);

    /// <summary>Prints the node in the regex syntax that <see cref="RegexParser"/> reads.</summary>
    public override string ToString() => RegexPrinter.Print(this);
}

/// <summary>Matches nothing.</summary>
public sealed class NothingNode : RegexNode
{
    internal NothingNode() { }
}

/// <summary>Fixed bytes.</summary>
public sealed class LiteralNode : RegexNode
{
    internal LiteralNode(byte[] bytes) => Value = bytes;

    /// <summary>The bytes matched.</summary>
    public IReadOnlyList<byte> Value { get; }
}

/// <summary>One code point of a set, encoded as UTF-8.</summary>
public sealed class ClassNode : RegexNode
{
    internal ClassNode(CodePointSet set) => Set = set;

    /// <summary>The code points.</summary>
    public CodePointSet Set { get; }
}

/// <summary>One raw byte of a set.</summary>
public sealed class ByteClassNode : RegexNode
{
    internal ByteClassNode(ByteSet set) => Set = set;

    /// <summary>The bytes.</summary>
    public ByteSet Set { get; }
}

/// <summary>A concatenation; with no parts, the empty string.</summary>
public sealed class SequenceNode : RegexNode
{
    internal SequenceNode(IReadOnlyList<RegexNode> parts) => Parts = parts;

    /// <summary>The parts, in order.</summary>
    public IReadOnlyList<RegexNode> Parts { get; }
}

/// <summary>An alternation.</summary>
public sealed class ChoiceNode : RegexNode
{
    internal ChoiceNode(IReadOnlyList<RegexNode> alternatives) => Alternatives = alternatives;

    /// <summary>The alternatives.</summary>
    public IReadOnlyList<RegexNode> Alternatives { get; }
}

/// <summary>A bounded or unbounded repetition.</summary>
public sealed class RepeatNode : RegexNode
{
    internal RepeatNode(RegexNode item, int min, int? max) { Item = item; Min = min; Max = max; }

    /// <summary>What is repeated.</summary>
    public RegexNode Item { get; }

    /// <summary>The least number of repetitions.</summary>
    public int Min { get; }

    /// <summary>The greatest number of repetitions, or null for no limit.</summary>
    public int? Max { get; }
}

/// <summary>An intersection: the strings that every part matches.</summary>
public sealed class IntersectionNode : RegexNode
{
    internal IntersectionNode(IReadOnlyList<RegexNode> parts) => Parts = parts;

    /// <summary>The parts.</summary>
    public IReadOnlyList<RegexNode> Parts { get; }
}

/// <summary>A complement: the byte strings that the item does not match.</summary>
public sealed class ComplementNode : RegexNode
{
    internal ComplementNode(RegexNode item) => Item = item;

    /// <summary>The language complemented.</summary>
    public RegexNode Item { get; }
}

/// <summary>
/// The JSON string-literal spellings (without quotes) of the decoded strings that <see cref="Decoded"/> matches:
/// each character raw where JSON allows it, as a short escape, or as <c>\uXXXX</c> in either hex case (surrogate
/// pairs above U+FFFF).
/// </summary>
public sealed class JsonEncodedNode : RegexNode
{
    internal JsonEncodedNode(RegexNode decoded) => Decoded = decoded;

    /// <summary>The language of decoded values, over their UTF-8 bytes.</summary>
    public RegexNode Decoded { get; }
}
