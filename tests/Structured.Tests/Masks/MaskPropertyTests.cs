using Structured.Grammars;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Structured.Masks;
using Structured.Parsing;
using Structured.Tests.Infrastructure;
using Structured.Tokens;

namespace Structured.Tests.Masks;

/// <summary>Every mask bit equals <see cref="TokenMasker.IsAllowed"/>, which equals advancing the parser by the token's bytes.</summary>
public class MaskPropertyTests
{
    public static TheoryData<string, string> GrammarsAndVocabularies()
    {
        var data = new TheoryData<string, string>();
        foreach (var g in GrammarFiles.Names)
            foreach (var v in new[] { "o200k_base", "cl100k_base" })
                data.Add(g, v);
        return data;
    }

    private static readonly Dictionary<(string, string), TokenMasker> Maskers = [];

    internal static TokenMasker Masker(string grammar, string vocabulary)
    {
        lock (Maskers)
        {
            if (!Maskers.TryGetValue((grammar, vocabulary), out var m))
            {
                m = new TokenMasker(GrammarFiles.Load(grammar).Compiled, TokenVocabulary.Tiktoken(vocabulary));
                Maskers[(grammar, vocabulary)] = m;
            }
            return m;
        }
    }

    private static bool Bit(ReadOnlySpan<uint> mask, int id) => (mask[id >> 5] & (1u << (id & 31))) != 0;

    [Theory]
    [MemberData(nameof(GrammarsAndVocabularies))]
    public void Mask_bits_equal_single_token_checks_and_parser_advances(string grammar, string vocabulary)
    {
        var masker = Masker(grammar, vocabulary);
        var vocab = masker.Vocabulary;
        var (g, compiled) = GrammarFiles.Load(grammar);
        var sampler = new GrammarSampler(g);
        var mask = new uint[masker.MaskWords];
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(6), Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            var rng = new Random(seed);
            var sentence = sampler.Sample(rng, depthBudget: 6);
            // A random viable state: a prefix of a sentence (sometimes the whole sentence, so EOS is exercised).
            int cut = rng.Next(3) == 0 ? sentence.Length : rng.Next(sentence.Length + 1);
            var state = compiled.Parse(sentence.AsSpan(0, cut));
            masker.FillMask(state, mask);
            for (int id = 0; id < vocab.Size; id++)
            {
                bool bit = Bit(mask, id);
                if (bit != masker.IsAllowed(state, id))
                    return false.Label($"seed {seed} cut {cut}: token {id} '{Encoding.UTF8.GetString(vocab[id])}' mask={bit}");
            }
            // Against the parser itself, on a random sample of ids and on every allowed one up to a budget.
            int checkedIds = 0;
            for (int id = 0; id < vocab.Size && checkedIds < 400; id++)
            {
                if (!Bit(mask, id) && rng.Next(200) != 0) continue;
                checkedIds++;
                bool viaParser = vocab.EndOfSequenceIds.Contains(id) ? state.IsAccepting : vocab.HasText(id) && state.Advance(vocab[id]).IsViable;
                if (Bit(mask, id) != viaParser)
                    return false.Label($"seed {seed} cut {cut}: token {id} '{Encoding.UTF8.GetString(vocab[id])}' mask={Bit(mask, id)} parser={viaParser}");
            }
            return true.ToProperty();
        }));
    }

    [Theory]
    [InlineData("o200k_base")]
    [InlineData("cl100k_base")]
    public void Tokens_that_end_inside_a_utf8_character_behave_exactly(string vocabulary)
    {
        var vocab = TokenVocabulary.Tiktoken(vocabulary);
        var c = CompiledGrammar.FromRegex("\"[^\"]*\"");
        var masker = new TokenMasker(c, vocab);
        var mask = new uint[masker.MaskWords];
        // Find tokens that are an incomplete UTF-8 sequence: a lead byte without all its continuation bytes.
        var partial = Enumerable.Range(0, vocab.TokenCount).Where(id => vocab.HasText(id) && !IsValidUtf8(vocab[id].ToArray())).Take(300).ToList();
        Assert.NotEmpty(partial);
        var inString = c.InitialState.Advance("\"x");
        masker.FillMask(inString, mask);
        foreach (int id in partial)
        {
            bool viaParser = inString.Advance(vocab[id]).IsViable;
            Assert.Equal(viaParser, Bit(mask, id));
        }
        // Completing a split character: "é" is C3 A9; after the lead byte only continuation bytes may follow.
        var afterLead = inString.Advance([0xC3]);
        Assert.True(afterLead.IsViable);
        masker.FillMask(afterLead, mask);
        for (int id = 0; id < vocab.TokenCount; id++)
        {
            if (!vocab.HasText(id)) continue;
            bool startsWithContinuation = (vocab[id][0] & 0xC0) == 0x80;
            if (!startsWithContinuation) Assert.False(Bit(mask, id), $"token {id} after a lead byte");
        }
        Assert.True(Bit(mask, Enumerable.Range(0, vocab.TokenCount).First(id => vocab[id].SequenceEqual(new byte[] { 0xA9 }))));
    }

    private static bool IsValidUtf8(byte[] b)
    {
        try
        {
            new UTF8Encoding(false, true).GetString(b);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    [Fact]
    public void End_of_sequence_is_allowed_exactly_when_the_state_accepts()
    {
        var masker = Masker("json.gbnf", "o200k_base");
        var eos = masker.Vocabulary.EndOfSequenceIds.Single();
        var mask = new uint[masker.MaskWords];
        var c = masker.Grammar;
        foreach (var (text, accepting) in new[] { ("{\"a\": 1", false), ("{\"a\": 1}", true), ("[1, 2]  ", true), ("", false) })
        {
            var s = c.InitialState.Advance(text);
            masker.FillMask(s, mask);
            Assert.Equal(accepting, Bit(mask, eos));
            Assert.Equal(accepting, masker.IsAllowed(s, eos));
        }
        // Special tokens other than EOS never match text.
        masker.FillMask(c.InitialState.Advance("{\"a\": \""), mask);
        foreach (var (name, id) in masker.Vocabulary.SpecialTokens)
            if (id != eos) Assert.False(Bit(mask, id), name);
    }

    [Fact]
    public void Batch_masks_equal_single_masks()
    {
        var masker = Masker("sql.lark", "cl100k_base");
        var (g, c) = GrammarFiles.Load("sql.lark");
        var sampler = new GrammarSampler(g);
        var rng = new Random(5);
        var states = Enumerable.Range(0, 16).Select(_ =>
        {
            var s = sampler.Sample(rng);
            return c.Parse(s.AsSpan(0, rng.Next(s.Length + 1)));
        }).ToList();
        var batch = new uint[states.Count * masker.MaskWords];
        masker.FillMasks(states, batch);
        var single = new uint[masker.MaskWords];
        for (int i = 0; i < states.Count; i++)
        {
            masker.FillMask(states[i], single);
            Assert.True(single.AsSpan().SequenceEqual(batch.AsSpan(i * masker.MaskWords, masker.MaskWords)), $"state {i}");
        }
    }

    // Grammars where ignored lexemes follow one another inside one token: a comment then whitespace (Lark), and an ANTLR
    // comment mode whose text is `. -> more` (one ignored lexeme per character). Masks there skip the parser between
    // such lexemes; every bit must still equal advancing the parser.
    public static TheoryData<string> IgnoredRunGrammars => new() { "lark", "antlr" };

    [Theory]
    [MemberData(nameof(IgnoredRunGrammars))]
    public void Runs_of_ignored_lexemes_inside_one_token_are_masked_exactly(string kind)
    {
        var grammar = kind == "lark"
            ? Grammar.FromLark("start: NAME (\",\" NAME)*\nNAME: /[a-z]+/\nCOMMENT: /#[^\\n]*/\n%ignore COMMENT\nWS: /[ \\n]+/\n%ignore WS\n")
            : AntlrReader.Read("parser grammar P; options { tokenVocab = L; } start : NAME (',' NAME)* ;", "P.g4", false, out _, _ =>
                "lexer grammar L;\nNAME : [a-z]+ ;\nCOMMA : ',' ;\nOPEN : '#' -> more, pushMode(C) ;\nWS : [ \\n]+ -> skip ;\nmode C;\nCLOSE : '\\n' -> popMode, skip ;\nTEXT : . -> more ;\n");
        // The sentence sampler separates lexemes with the terminal named WS; a comment there would swallow the line.
        var compiled = CompiledGrammar.Compile(grammar);
        // Every string of one to five characters over an alphabet that makes names, commas, comments and spaces.
        var vocab = Infrastructure.TinyVocabularies.AllStrings("ignored-runs", "ab,# \n", 5);
        var masker = new TokenMasker(compiled, vocab);
        var sampler = new GrammarSampler(grammar);
        var mask = new uint[masker.MaskWords];
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(25), Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            var rng = new Random(seed);
            // A sentence with comments and spaces put between its tokens, cut anywhere.
            var text = new StringBuilder();
            foreach (char ch in Encoding.UTF8.GetString(sampler.Sample(rng, depthBudget: 5)))
            {
                text.Append(ch);
                if (ch == ',' && rng.Next(2) == 0) text.Append(rng.Next(2) == 0 ? " #x,\n " : "#\n#a \n");
            }
            var bytes = Encoding.UTF8.GetBytes(text.ToString());
            int cut = rng.Next(bytes.Length + 1);
            var state = compiled.Parse(bytes.AsSpan(0, cut));
            if (!state.IsViable) return false.Label($"seed {seed}: the witness is not viable");
            masker.FillMask(state, mask);
            for (int id = 0; id < vocab.Size; id++)
            {
                bool viaParser = vocab.EndOfSequenceIds.Contains(id) ? state.IsAccepting : state.Advance(vocab[id]).IsViable;
                if (Bit(mask, id) != viaParser || masker.IsAllowed(state, id) != viaParser)
                    return false.Label($"seed {seed} after '{Encoding.UTF8.GetString(bytes, 0, cut)}': token '{Encoding.UTF8.GetString(vocab[id])}' mask={Bit(mask, id)} parser={viaParser}");
            }
            return true.ToProperty();
        }));
    }
}
