using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Structured.Grammars;
using Structured.Masks;
using Structured.Parsing;
using Structured.Regex;
using Structured.Schemas;
using Structured.Tokens;

namespace Structured.Tests.Masks;

/// <summary>
/// Token classes are shared between lexer states that behave alike up to the longest token (counted repetitions cut
/// at that horizon). With tokens of at most 4 bytes, bounds on either side of 4 meet, so these grammars, masked
/// through one vocabulary in an interleaved order, reuse each other's classes; every bit must still equal the parser.
/// Each runs with classes built whole and split at depths 1 and 2 (<see cref="TokenVocabulary.ClassSplitDepth"/>), so
/// the parts down to the split, shared by the shorter horizon, and the deep parts are both checked.
/// </summary>
public class HorizonSharingTests
{
    private static readonly string[] Patterns =
    [
        "\"a{0,7}\"", "\"a{0,9}\"", "\"a{0,3}\"", "\"a{0,4}\"", "\"a{0,5}\"",
        "\"a{2,6}b\"", "\"a{5,}b\"", "\"a{6,}b\"", "\"a{4,5}\"", "(ab){3,8}\"", "(ab){4,}\"",
        "\"[ab]{0,12}\"", "\"[ab]{1,4}\"|\"b{9}\"",
    ];

    private static CompiledGrammar Intersection(int max, int min) =>
        CompiledGrammar.Compile(new Grammar("s", [new("s", new TokenExpr(RegexNode.Sequence(
            RegexNode.Literal("\""),
            RegexNode.Intersection(RegexNode.Repeat(RegexNode.Literal("a"), 0, max), RegexNode.Repeat(RegexNode.Literal("a"), min, null)),
            RegexNode.Literal("b")), $"a{{0,{max}}}&a{{{min},}}"), default)]));

    [Theory]
    [InlineData(24)]
    [InlineData(1)]
    [InlineData(2)]
    public void Masks_from_classes_shared_across_the_horizon_equal_the_parser(int splitDepth)
    {
        const string Alphabet = "a\"b";
        var vocab = Infrastructure.TinyVocabularies.AllStrings("horizon", Alphabet, 4, splitDepth);
        var grammars = Patterns.Select(p => CompiledGrammar.FromRegex(p)).Concat([Intersection(12, 10), Intersection(11, 7), Intersection(6, 5)]).ToArray();
        CheckInterleavedWalks(grammars, vocab, Alphabet, steps: 16, cases: 60);
    }

    [Theory]
    [InlineData(24)]
    [InlineData(2)]
    public void Masks_from_classes_shared_across_string_lengths_equal_the_parser(int splitDepth)
    {
        // A word-count pattern under maxLength is an intersection; far from the bound its states share the pattern's
        // classes (lengths 12, 20 and 40 all do, with tokens of up to 3 bytes), near it they must not.
        var vocab = Infrastructure.TinyVocabularies.AllStrings("lengths", "a \"\\u0", 3, splitDepth);
        int[] maxLengths = [3, 5, 8, 12, 20, 40];
        var grammars = maxLengths.SelectMany(max => new[] { 0, 2 }.Select(min => JsonSchema.Compile(
            $$"""{"type":"string","pattern":"^(?:\\S+\\s+){0,3}\\S+$","minLength":{{min}},"maxLength":{{max}}}"""))).ToArray();
        // Mostly letters, so that strings grow long enough to meet their bounds.
        CheckInterleavedWalks(grammars, vocab, "aaaa \"\\u0", steps: 24, cases: 8);
    }

    // Random viable walks, one byte of `walk` at a time, in every grammar in turn: states deep inside long bounds meet
    // states of short ones in the vocabulary's shared classes. Every mask bit must equal the parser.
    private static void CheckInterleavedWalks(CompiledGrammar[] grammars, TokenVocabulary vocab, string walk, int steps, int cases)
    {
        var maskers = grammars.Select(g => new TokenMasker(g, vocab)).ToArray();
        var mask = new uint[maskers[0].MaskWords];
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(cases), Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            var rng = new Random(seed);
            var states = grammars.Select(g => g.InitialState).ToArray();
            for (int step = 0; step < steps; step++)
            {
                for (int k = 0; k < grammars.Length; k++)
                {
                    var state = states[k];
                    maskers[k].FillMask(state, mask);
                    for (int id = 0; id < vocab.Size; id++)
                    {
                        bool viaParser = vocab.EndOfSequenceIds.Contains(id) ? state.IsAccepting : state.Advance(vocab[id]).IsViable;
                        if (((mask[id >> 5] >> (id & 31)) & 1) != (viaParser ? 1u : 0u))
                            return false.Label($"seed {seed}, grammar {k}, step {step}: token '{Encoding.UTF8.GetString(vocab[id])}' parser={viaParser}");
                    }
                    var viable = walk.Select(c => state.Advance([(byte)c])).Where(s => s.IsViable).ToList();
                    if (viable.Count > 0) states[k] = viable[rng.Next(viable.Count)];
                }
            }
            return true.ToProperty();
        }));
    }
}
