using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Structured.Parsing;
using Structured.Potentials;
using Structured.Tokens;

namespace Structured.Tests.Sampling;

/// <summary>The potential laws of reference/algorithms.md §3 and §7.2 for every built-in potential and its coercion to tokens.</summary>
public class PotentialTests
{
    // Multi-byte tokens, a token ending inside a UTF-8 character, and two end-of-sequence ids.
    private static TokenVocabulary Vocabulary()
    {
        var tokens = new List<byte[]?> { "a"u8.ToArray(), "b"u8.ToArray(), "ab"u8.ToArray(), "ba"u8.ToArray(), "["u8.ToArray(), "]"u8.ToArray(), "[a"u8.ToArray(),
            "é"u8.ToArray(), new byte[] { 0xC3 }, new byte[] { 0xA9 }, ","u8.ToArray(), null, null };
        return new TokenVocabulary("test", tokens, tokens.Count, [11, 12], new Dictionary<string, int> { ["<eos>"] = 11, ["<end>"] = 12 });
    }

    private static readonly CompiledGrammar List = CompiledGrammar.FromGbnf("root ::= \"[\" (item (\",\" item)*)? \"]\"\nitem ::= [abé]+");

    public static TheoryData<string> Potentials => ["grammar", "predicate", "graded", "product"];

    private static Potential Make(string kind) => kind switch
    {
        "grammar" => Potential.FromGrammar(List),
        "predicate" => Potential.FromPredicate(t => t.Count(c => c == 'a') <= 3, t => t.Length % 2 == 0),
        "graded" => Potential.FromLogWeights(t => -0.25 * t.Length, t => t.Contains('b') ? -0.25 * t.Length - 1 : double.NegativeInfinity),
        _ => Potential.FromGrammar(List) * Potential.FromLogWeights(t => -0.1 * t.Count(c => c == 'b'), t => -0.1 * t.Count(c => c == 'b')),
    };

    [Theory]
    [MemberData(nameof(Potentials))]
    public void Next_token_weights_agree_with_single_token_checks_the_trie_walk_and_the_bytes(string kind)
    {
        var potential = Make(kind);
        var vocabulary = Vocabulary();
        var view = potential.Coerce(vocabulary);
        var generic = new TokenPotential(potential, vocabulary); // the plain trie walk, for potentials that override it
        var weights = new float[vocabulary.Size];
        var walked = new float[vocabulary.Size];
        var mask = new uint[view.MaskWords];
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(40), Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            var rng = new Random(seed);
            // A random token path, kept while it has weight.
            var state = potential.Start;
            var text = new List<byte>();
            for (int i = rng.Next(6); i > 0; i--)
            {
                int t = rng.Next(11);
                var next = view.Advance(state, t);
                if (double.IsNegativeInfinity(next.LogPrefix)) continue;
                state = next;
                text.AddRange(vocabulary[t].ToArray());
            }
            view.LogWeightsNext(state, weights);
            generic.LogWeightsNext(state, walked);
            if (potential.IsBoolean) view.FillMask(state, mask);
            for (int t = 0; t < vocabulary.Size; t++)
            {
                double single = view.LogWeightNext(state, t);
                Assert.Equal(single, weights[t], tolerance: 1e-5);
                Assert.Equal(single, walked[t], tolerance: 1e-5);
                // From scratch over the bytes: prefix (or complete, for an end id) after, over prefix before.
                bool eos = t >= 11;
                double before = potential.Prefix(text.ToArray());
                double expected = eos ? potential.Complete(text.ToArray()) - before
                    : double.IsNegativeInfinity(before) ? before : potential.Prefix([.. text, .. vocabulary[t].ToArray()]) - before;
                Assert.Equal(expected, single, tolerance: 1e-9);
                if (potential.IsBoolean) Assert.Equal(!double.IsNegativeInfinity(single), ((mask[t >> 5] >> (t & 31)) & 1) != 0);
            }
        }));
    }

    [Theory]
    [MemberData(nameof(Potentials))]
    public void Complete_weight_factorises_into_next_token_weights(string kind)
    {
        var potential = Make(kind);
        var vocabulary = Vocabulary();
        var view = potential.Coerce(vocabulary);
        foreach (var tokens in new[] { new[] { 4, 0, 10, 1, 5 }, [6, 3, 5], [4, 7, 5], [4, 8, 9, 5], [0, 2, 1] })
        {
            var state = potential.Start;
            double sum = 0;
            foreach (int t in tokens)
            {
                sum += view.LogWeightNext(state, t);
                state = view.Advance(state, t);
            }
            sum += view.LogWeightNext(state, 11);
            var bytes = tokens.SelectMany(t => vocabulary[t].ToArray()).ToArray();
            double expected = potential.Complete(bytes) - potential.Prefix([]);
            if (double.IsNegativeInfinity(expected)) Assert.True(double.IsNegativeInfinity(sum));
            else Assert.Equal(expected, sum, tolerance: 1e-9);
        }
    }

    [Theory]
    [MemberData(nameof(Potentials))]
    public void Batch_forms_equal_one_at_a_time(string kind)
    {
        var potential = Make(kind);
        var vocabulary = Vocabulary();
        var view = potential.Coerce(vocabulary);
        var texts = new[] { "", "[", "[a", "[ab,b", "[é]", "ba", "[a]" }.Select(Encoding.UTF8.GetBytes).ToList();
        var prefixes = new double[texts.Count];
        var completes = new double[texts.Count];
        potential.Prefix(texts, prefixes);
        potential.Complete(texts, completes);
        var states = texts.Select(t => potential.Start.Advance(t)).ToList();
        var batch = new float[states.Count * vocabulary.Size];
        view.LogWeightsNext(states, batch);
        var one = new float[vocabulary.Size];
        for (int i = 0; i < texts.Count; i++)
        {
            Assert.Equal(potential.Prefix(texts[i]), prefixes[i]);
            Assert.Equal(potential.Complete(texts[i]), completes[i]);
            view.LogWeightsNext(states[i], one);
            Assert.Equal(one, batch.AsSpan(i * vocabulary.Size, vocabulary.Size).ToArray());
        }
    }

    [Fact]
    public void Text_functions_never_see_half_a_character()
    {
        var seen = new List<string>();
        var p = Potential.FromPredicate(t => { seen.Add(t); return true; }, _ => true);
        Assert.Equal(0, p.Prefix([(byte)'x', 0xC3]));
        Assert.Equal(0, p.Prefix([(byte)'x', 0xC3, 0xA9]));
        Assert.Equal(["x", "xé"], seen);
    }

    [Fact]
    public void A_potential_that_returns_nan_is_a_clear_error()
    {
        var p = Potential.FromLogWeights(_ => double.NaN, _ => 0);
        Assert.Contains("prefix function returned NaN", Assert.Throws<InvalidOperationException>(() => p.Prefix([])).Message);
    }
}
