using Structured.Grammars;
using Structured.Regex;

namespace Structured.Schemas;

/// <summary>
/// The tokens of JSON text under a whitespace policy. Whitespace is folded into the tokens that follow it, so that
/// "bounded" means bounded between every two tokens, and pretty printing can fix each line's indentation.
/// </summary>
internal sealed class JsonLayout(JsonSchemaOptions options)
{
    private static readonly RegexNode Space = RegexNode.Class(CodePointSet.FromRanges([(' ', ' '), ('\t', '\t')]));
    private static readonly RegexNode Flexible = RegexNode.Sequence(
        RegexNode.Repeat(Space, 0, 8),
        RegexNode.Optional(RegexNode.Sequence(RegexNode.Optional(RegexNode.Literal("\r")), RegexNode.Literal("\n"), RegexNode.Repeat(Space, 0, 64))));

    private readonly Dictionary<string, TokenExpr> _tokens = new(StringComparer.Ordinal);

    public bool Pretty => options.Whitespace == JsonWhitespace.Pretty;

    private RegexNode Gap => options.Whitespace == JsonWhitespace.Flexible ? Flexible : RegexNode.Epsilon;

    /// <summary>Whitespace allowed after the whole value, or null.</summary>
    public TokenExpr? TrailingWhitespace => options.Whitespace switch
    {
        JsonWhitespace.Flexible => Token("ws", () => RegexNode.Intersection(Flexible, RegexNode.Repeat(RegexNode.Class(CodePointSet.All), 1, null))),
        JsonWhitespace.Pretty => Token("nl", () => RegexNode.Literal("\n")),
        _ => null,
    };

    private string NewLine(int depth) => "\n" + new string(' ', options.Indent * depth);

    /// <summary>A scalar value token (a string, number or literal).</summary>
    public TokenExpr Value(RegexNode value, string display) => new(RegexNode.Sequence(Gap, value), display);

    public TokenExpr Open(char bracket, int depth) =>
        Token($"open{bracket}{depth}", () => Pretty ? RegexNode.Literal(bracket + NewLine(depth + 1)) : RegexNode.Sequence(Gap, RegexNode.Literal(bracket.ToString())), bracket.ToString());

    public TokenExpr Close(char bracket, int depth) =>
        Token($"close{bracket}{depth}", () => Pretty ? RegexNode.Literal(NewLine(depth) + bracket) : RegexNode.Sequence(Gap, RegexNode.Literal(bracket.ToString())), bracket.ToString());

    /// <summary>An empty object or array.</summary>
    public GrammarExpr Empty(char open, char close) => Pretty
        ? Token($"empty{open}", () => RegexNode.Literal($"{open}{close}"), $"{open}{close}")
        : new SeqExpr([Open(open, 0), Close(close, 0)]);

    public TokenExpr Comma(int depth) =>
        Token($"comma{depth}", () => Pretty ? RegexNode.Literal("," + NewLine(depth + 1)) : RegexNode.Sequence(Gap, RegexNode.Literal(",")), ",");

    /// <summary>A member key and its colon; the key is given as a regex over its decoded text.</summary>
    public TokenExpr Key(RegexNode decodedKey, string display) =>
        new(RegexNode.Sequence(Gap, JsonStringEncoding.Literal(decodedKey), Gap, RegexNode.Literal(Pretty ? ": " : ":")), display + ":");

    private TokenExpr Token(string key, Func<RegexNode> build, string? display = null)
    {
        if (!_tokens.TryGetValue(key, out var t))
        {
            t = new TokenExpr(build(), display ?? key);
            _tokens[key] = t;
        }
        return t;
    }
}
