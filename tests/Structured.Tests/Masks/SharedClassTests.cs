using FsCheck;
using FsCheck.Fluent;
using Structured.Masks;
using Structured.Parsing;
using Structured.Tests.Infrastructure;
using Structured.Tokens;

namespace Structured.Tests.Masks;

/// <summary>
/// Token classes are shared across grammars through the vocabulary, keyed by what a lexer state does. Grammars that
/// share lexemes under different lexeme numbers must still get exact masks, whichever grammar built the class first.
/// </summary>
public class SharedClassTests
{
    private static readonly string[] Grammars =
    [
        """
        start: "[" [NUMBER ("," NUMBER)*] "]"
        NUMBER: /-?[0-9]+(\.[0-9]+)?/
        %ignore /[ \n]+/
        """,
        """
        start: pair+
        pair: NAME "=" (NUMBER | STRING) ";"
        NAME: /[a-z_]+/
        STRING: /"[^"\n]*"/
        NUMBER: /-?[0-9]+(\.[0-9]+)?/
        %ignore /[ \n]+/
        """,
        """
        start: STRING ":" NUMBER | "{" STRING "}"
        STRING: /"[^"\n]*"/
        NUMBER: /-?[0-9]+(\.[0-9]+)?/
        """,
    ];

    private static readonly string[][] Prefixes =
    [
        ["[", "[1", "[1, 2.", "[12 ", "[3,"],
        ["ab", "ab =", "ab = \"x", "ab = \"x\"", "ab = 4", "a = 1; b"],
        ["\"k", "\"k\"", "\"k\":", "\"k\":1", "{\"v", "\"k\":-1"],
    ];

    [Fact]
    public void Masks_stay_exact_when_grammars_share_token_classes()
    {
        // A private vocabulary, so its class cache starts empty and the build order is the one the property picks.
        var baseVocab = TokenVocabulary.Tiktoken("cl100k_base");
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(6), Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            var rng = new Random(seed);
            var vocab = TinyVocabularies.PrivateCopy(baseVocab);
            var order = Enumerable.Range(0, Grammars.Length).OrderBy(_ => rng.Next()).ToArray();
            var mask = new uint[(vocab.Size + 31) / 32];
            foreach (int g in order)
            {
                var masker = new TokenMasker(CompiledGrammar.FromLark(Grammars[g]), vocab);
                foreach (var prefix in Prefixes[g])
                {
                    var state = masker.Grammar.InitialState.Advance(prefix);
                    if (!state.IsViable) return false.Label($"fixture prefix '{prefix}' is not viable");
                    masker.FillMask(state, mask);
                    for (int id = 0; id < vocab.Size; id++)
                    {
                        bool bit = (mask[id >> 5] & (1u << (id & 31))) != 0;
                        if (bit != masker.IsAllowed(state, id))
                            return false.Label($"seed {seed} grammar {g} after '{prefix}': token {id} mask={bit}");
                    }
                }
            }
            return (!vocab.SharedClasses.IsEmpty).Label("classes were shared through the vocabulary");
        }));
    }
}
