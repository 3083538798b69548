using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Structured.Grammars;
using Structured.Masks;
using Structured.Parsing;
using Structured.Quotients;
using Structured.Tests.Infrastructure;
using Structured.Tokens;

namespace Structured.Tests.Quotients;

/// <summary>Fill-in-the-middle: random sentences cut at two points; the quotient must agree with parsing the whole text.</summary>
public class MiddleGrammarTests
{
    public static TheoryData<string> Grammars()
    {
        var data = new TheoryData<string>();
        // Quotients of grammars with lexer modes are refused (see the test below).
        foreach (var g in GrammarFiles.Names)
            if (GrammarFiles.Load(g).Grammar.LexerModes.Count == 0) data.Add(g);
        return data;
    }

    [Fact]
    public void Errors_inside_a_quotient_name_the_grammar_s_own_rules_and_lexemes()
    {
        var (_, compiled) = GrammarFiles.Load("lua.lark");
        var middle = MiddleGrammar.Create(compiled, Encoding.UTF8.GetBytes("def\"\nreturn x + y\n"));
        var state = middle.Start(Encoding.UTF8.GetBytes("local x = \"abc")).Advance(Encoding.UTF8.GetBytes("z\n"));
        Assert.False(state.IsViable);
        Assert.Contains("STRING ending in the suffix (continued)", state.Error!.Expected);
        state = middle.Start(Encoding.UTF8.GetBytes("local y = 1 ")).Advance(Encoding.UTF8.GetBytes("+ +"));
        Assert.False(state.IsViable);
        var names = state.Error!.Expected.Concat(state.Error.Rules).ToList();
        Assert.Contains("simple_exp", state.Error.Rules);
        Assert.DoesNotContain(names, n => System.Text.RegularExpressions.Regex.IsMatch(n, "/[0-9]+"));
    }

    [Fact]
    public void A_quotient_over_its_size_limit_is_a_clear_error()
    {
        var (_, compiled) = GrammarFiles.Load("lua.lark");
        const string suffix = "b ]] .. c\n-- d ]] e\nreturn x\n";
        int size = MiddleGrammar.Create(compiled, suffix).Grammar.RuleCount - compiled.RuleCount;
        var e = Assert.Throws<GrammarException>(() => MiddleGrammar.Create(compiled, suffix, maxAddedRules: size - 1));
        Assert.Contains("too many ways", e.Message, StringComparison.Ordinal);
        Assert.Contains($"{size:N0} rules, over the limit of {size - 1:N0}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Grammars_with_lexer_modes_are_refused_with_a_clear_error()
    {
        var (_, compiled) = GrammarFiles.Load("TemplateParser.g4");
        var e = Assert.Throws<GrammarException>(() => MiddleGrammar.Create(compiled, "} done\""));
        Assert.Contains("does not support grammars with lexer modes", e.Message, StringComparison.Ordinal);
    }

    private static (byte[] Prefix, byte[] Middle, byte[] Suffix) Cut(byte[] sentence, Random rng, bool atCharacters = false)
    {
        int i = rng.Next(sentence.Length + 1), j = rng.Next(sentence.Length + 1);
        if (i > j) (i, j) = (j, i);
        if (atCharacters)
        {
            while (i < sentence.Length && (sentence[i] & 0xC0) == 0x80) i++;
            while (j < sentence.Length && (sentence[j] & 0xC0) == 0x80) j++;
        }
        return (sentence[..i], sentence[i..j], sentence[j..]);
    }

    private static string Show(byte[] b) => Encoding.UTF8.GetString(b).Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>Runs <paramref name="body"/> on random sentences of the grammar, each cut at two random points.</summary>
    private static void ForCuts(string grammar, int tests, int depth, bool atCharacters,
        Func<int, Random, CompiledGrammar, (byte[] Prefix, byte[] Middle, byte[] Suffix), Property> body)
    {
        var (g, compiled) = GrammarFiles.Load(grammar);
        var sampler = new GrammarSampler(g);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(tests), Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            var rng = new Random(seed);
            var sentence = sampler.Sample(rng, depthBudget: depth);
            return body(seed, rng, compiled, Cut(sentence, rng, atCharacters));
        }));
    }

    private static bool Complete(MiddleGrammar m, byte[] prefixAndMiddle) =>
        m.IsComplete(m.Start(prefixAndMiddle), m.IsExact ? null : m.Original.Parse(prefixAndMiddle));

    [Theory]
    [MemberData(nameof(Grammars))]
    public void The_true_middle_of_a_cut_sentence_stays_viable_and_completes(string grammar)
    {
        ForCuts(grammar, 60, 8, atCharacters: false, (seed, _, compiled, cut) =>
        {
            var (prefix, middle, suffix) = cut;
            var m = MiddleGrammar.Create(compiled, suffix);
            var state = m.Start(prefix);
            if (!state.IsViable) return false.Label($"seed {seed}: prefix '{Show(prefix)}' not viable for suffix '{Show(suffix)}': {state.Error}");
            for (int k = 0; k < middle.Length; k++)
            {
                state = state.Advance(middle.AsSpan(k, 1));
                if (!state.IsViable)
                    return false.Label($"seed {seed}: '{Show(prefix)}|{Show(middle)}|{Show(suffix)}' dies at middle byte {k}: {state.Error}");
            }
            return Complete(m, [.. prefix, .. middle]).Label($"seed {seed}: '{Show(prefix)}|{Show(middle)}|{Show(suffix)}' does not complete");
        });
    }

    [Theory]
    [MemberData(nameof(Grammars))]
    public void Wrong_middles_agree_with_parsing_the_whole_text(string grammar)
    {
        ForCuts(grammar, 60, 8, atCharacters: false, (seed, rng, compiled, cut) =>
        {
            var (prefix, middle, suffix) = cut;
            byte[] sentence = [.. prefix, .. middle, .. suffix];
            MiddleGrammar m;
            try { m = MiddleGrammar.Create(compiled, suffix); }
            catch (EmptyLanguageException e) { return false.Label($"seed {seed}: {e.Message}"); }
            // Mutations borrow bytes from the sentence itself, so they often stay close to the language.
            var wrong = Mutate(middle, sentence, rng);
            byte[] text = [.. prefix, .. wrong];
            bool expected = compiled.Accepts([.. text, .. suffix]);
            bool actual = Complete(m, text);
            if (expected != actual)
                return false.Label($"seed {seed}: '{Show(prefix)}|{Show(wrong)}|{Show(suffix)}' whole={expected} quotient={actual}");
            // Soundness of viability: a text that completes is viable at every byte.
            if (expected)
            {
                var state = m.Grammar.InitialState;
                for (int k = 0; k < text.Length; k++)
                {
                    state = state.Advance(text.AsSpan(k, 1));
                    if (!state.IsViable) return false.Label($"seed {seed}: valid '{Show(prefix)}|{Show(wrong)}|{Show(suffix)}' dies at byte {k}");
                }
            }
            return true.ToProperty();
        });
    }

    internal static byte[] Mutate(byte[] middle, byte[] source, Random rng)
    {
        var list = middle.ToList();
        int edits = 1 + rng.Next(3);
        for (int e = 0; e < edits; e++)
        {
            int at = rng.Next(list.Count + 1);
            byte b = source.Length > 0 && rng.Next(4) != 0 ? source[rng.Next(source.Length)] : (byte)rng.Next(32, 127);
            switch (rng.Next(3))
            {
                case 0: list.Insert(at, b); break;
                case 1 when at < list.Count: list.RemoveAt(at); break;
                default: if (at < list.Count) list[at] = b; else list.Add(b); break;
            }
        }
        return [.. list];
    }

    [Theory]
    [InlineData("arithmetic.gbnf")]
    [InlineData("json.gbnf")]
    [InlineData("datetime.gbnf")]
    public void In_exact_grammars_every_viable_middle_can_still_be_completed(string grammar)
    {
        // Where lexemes may end anywhere the quotient is exact, so a viable state always has a completion: find one by
        // breadth-first search over allowed bytes, and confirm it by parsing the whole text.
        ForCuts(grammar, 30, 6, atCharacters: false, (seed, rng, compiled, cut) =>
        {
            var (prefix, _, suffix) = cut;
            var m = MiddleGrammar.Create(compiled, suffix);
            Assert.True(m.IsExact);
            var text = new List<byte>(prefix);
            var state = m.Start(prefix);
            // Walk a random viable path for a while: each step takes any allowed byte.
            for (int k = 0; k < 6; k++)
            {
                var allowed = state.AllowedBytes().Bytes().ToArray();
                if (allowed.Length == 0) break;
                byte b = allowed[rng.Next(allowed.Length)];
                state = state.Advance([b]);
                text.Add(b);
            }
            if (!state.IsViable) return false.Label($"seed {seed}: an allowed byte led to a dead state");
            var completion = Bfs(state, 12);
            if (completion is null) return true.ToProperty().Label("no short completion (allowed: the search is bounded)");
            byte[] whole = [.. text, .. completion, .. suffix];
            return compiled.Accepts(whole).Label($"seed {seed}: '{Show([.. text, .. completion])}|{Show(suffix)}' completes the quotient but not the grammar");
        });
    }

    private static byte[]? Bfs(ParserState start, int maxLength)
    {
        var queue = new Queue<(ParserState, byte[])>();
        queue.Enqueue((start, []));
        int budget = 5000;
        while (queue.Count > 0 && budget-- > 0)
        {
            var (s, path) = queue.Dequeue();
            if (s.IsAccepting) return path;
            if (path.Length >= maxLength) continue;
            foreach (byte b in s.AllowedBytes().Bytes().ToArray())
                queue.Enqueue((s.Advance([b]), [.. path, b]));
        }
        return null;
    }

    [Theory]
    [InlineData("json.lark")]
    [InlineData("lua.lark")]
    [InlineData("sql.lark")]
    [InlineData("arithmetic.gbnf")]
    public void Every_mask_along_the_true_middle_allows_its_next_token(string grammar)
    {
        var vocab = TokenVocabulary.Tiktoken("o200k_base");
        var encoder = Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForEncoding("o200k_base");
        // Cut between characters: the tokenizer encodes text, and a split character would come back as U+FFFD.
        ForCuts(grammar, 12, 7, atCharacters: true, (seed, _, compiled, cut) =>
        {
            var (prefix, middle, suffix) = cut;
            var m = MiddleGrammar.Create(compiled, suffix);
            var masker = new TokenMasker(m.Grammar, vocab);
            var mask = new uint[masker.MaskWords];
            var state = m.Start(prefix);
            foreach (int id in encoder.EncodeToIds(Encoding.UTF8.GetString(middle)))
            {
                masker.FillMask(state, mask);
                if ((mask[id >> 5] & (1u << (id & 31))) == 0)
                    return false.Label($"seed {seed}: token '{Show(vocab[id].ToArray())}' of '{Show(prefix)}|{Show(middle)}|{Show(suffix)}' is masked");
                state = state.Advance(vocab[id]);
            }
            masker.FillMask(state, mask);
            int eos = vocab.EndOfSequenceIds[0];
            return ((mask[eos >> 5] & (1u << (eos & 31))) != 0).Label($"seed {seed}: end of sequence masked after the true middle");
        });
    }

    [Theory]
    [InlineData("lua.lark")]
    [InlineData("sql.lark")]
    [InlineData("arithmetic.gbnf")]
    public void Mask_bits_on_quotient_states_equal_single_token_checks(string grammar)
    {
        var vocab = TokenVocabulary.Tiktoken("cl100k_base");
        ForCuts(grammar, 5, 7, atCharacters: false, (seed, rng, compiled, cut) =>
        {
            var (prefix, middle, suffix) = cut;
            var m = MiddleGrammar.Create(compiled, suffix);
            // A random point along the true middle: inside a lexeme, between lexemes, or at the end.
            var state = m.Start([.. prefix, .. middle.AsSpan(0, rng.Next(middle.Length + 1))]);
            string? mismatch = MaskMismatch(m, vocab, state);
            return (mismatch is null).Label($"seed {seed}: '{Show(prefix)}|{Show(middle)}|{Show(suffix)}': {mismatch}");
        });
    }

    [Fact]
    public void Mask_bits_inside_a_comment_that_the_suffix_ends_equal_single_token_checks()
    {
        // The cut lexeme (the comment ending in the suffix) may end after any byte, but nothing may follow it in the
        // middle: the masks skip those crossings, and must still agree with the parser token by token.
        var (_, compiled) = GrammarFiles.Load("lua.lark");
        var vocab = TokenVocabulary.Tiktoken("cl100k_base");
        var m = MiddleGrammar.Create(compiled, Encoding.UTF8.GetBytes(" done\nreturn x\n"));
        foreach (string head in new[] { "local x = 1 --", "local x = 1 -- some", "local x = 1 -- a\n-- b", "local x = 1\n" })
        {
            string? mismatch = MaskMismatch(m, vocab, m.Start(Encoding.UTF8.GetBytes(head)));
            Assert.True(mismatch is null, $"after '{head}': {mismatch}");
        }
    }

    // The first token whose mask bit differs from its single-token check, described; null when none does.
    private static string? MaskMismatch(MiddleGrammar m, TokenVocabulary vocab, ParserState state)
    {
        var masker = new TokenMasker(m.Grammar, vocab);
        var mask = new uint[masker.MaskWords];
        masker.FillMask(state, mask);
        for (int id = 0; id < vocab.Size; id++)
        {
            bool bit = (mask[id >> 5] & (1u << (id & 31))) != 0;
            if (bit != masker.IsAllowed(state, id)) return $"token {id} '{Show(vocab[id].ToArray())}': mask {bit}, single-token check {!bit}";
        }
        return null;
    }

    [Fact]
    public void A_cut_inside_a_lexeme_on_both_sides_is_handled()
    {
        var g = CompiledGrammar.FromLark("""
            start: stmt+
            stmt: NAME "=" NUMBER ";"
            NAME: /[a-z]+/
            NUMBER: /[0-9]+/
            %ignore " "
            """);
        AgreesWithWholeText(g, "bar = 12; x = 3;", ["foo", "a = 1; foo", "a = 1;", "a = 1; ", "a = 1", "", "a = 1; b = 2; c"]);
        AgreesWithWholeText(g, "2; y = 4;", ["x = 1", "x = ", "x = 1;", "x =1", "x"]);
        AgreesWithWholeText(g, "o = 1;", ["f", "a = 1; fo", "a = 1; 3", "a = 1;"]);
    }

    private static void AgreesWithWholeText(CompiledGrammar g, string suffix, string[] middles)
    {
        var m = MiddleGrammar.Create(g, suffix);
        foreach (var middle in middles)
            Assert.True(g.Accepts(Encoding.UTF8.GetBytes(middle + suffix)) == Complete(m, Encoding.UTF8.GetBytes(middle)), $"'{middle}|{suffix}'");
    }

    [Fact]
    public void A_suffix_no_sentence_ends_with_is_a_located_error()
    {
        var g = CompiledGrammar.FromGbnf("""root ::= "(" root ")" | "x" """);
        var e = Assert.Throws<EmptyLanguageException>(() => MiddleGrammar.Create(g, "x)("u8));
        Assert.Contains("suffix", e.Message, StringComparison.Ordinal);
        // A good suffix leaves exactly the balanced middles.
        var m = MiddleGrammar.Create(g, "))"u8);
        Assert.True(Complete(m, "((x"u8.ToArray()));
        Assert.False(Complete(m, "(x"u8.ToArray()));
        Assert.True(m.Start("(("u8).IsViable);
        Assert.False(m.Start("((x)"u8).Advance("x"u8).IsViable);
    }
}
