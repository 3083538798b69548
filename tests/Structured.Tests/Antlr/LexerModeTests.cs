using System.Text;
using Structured.Grammars;
using Structured.Masks;
using Structured.Parsing;
using Structured.Tests.Infrastructure;
using Structured.Tokens;

namespace Structured.Tests.Antlr;

/// <summary>
/// ANTLR lexer modes (TemplateLexer.g4 with TemplateParser.g4): the mode stack is parser state, so acceptance, errors,
/// persistence and masks all follow it. Agreement with ANTLR's own parser on random and mutated inputs is in
/// <see cref="AntlrAgreementTests"/>.
/// </summary>
public sealed class LexerModeTests
{
    private static CompiledGrammar Template => GrammarFiles.Load("TemplateParser.g4").Compiled;

    private static bool Accepts(string text) => Template.Accepts(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void The_split_grammar_reads_its_lexer_through_token_vocab()
    {
        var g = GrammarFiles.Load("TemplateParser.g4").Grammar;
        Assert.Equal(["DEFAULT_MODE", "STRING", "RAW", "DATA_SECTION", "IN_COMMENT"], g.LexerModes);
        var text = g.Terminals.Single(t => t.Name == "STRING_END");
        Assert.Equal("STRING", text.Mode);
        Assert.Equal([new LexerModeCommand(LexerModeCommandKind.Pop)], text.ModeCommands);
    }

    [Theory]
    [InlineData("\"a ${x} b\"", true)]
    [InlineData("\"let if then\"", true)]            // keywords are text inside a string
    [InlineData("'no ${interpolation} here'", true)]
    [InlineData("{a = 1}", true)]
    [InlineData("x }", false)]                        // popMode on an empty stack
    [InlineData("\"${ {a = \"${ {b = 2} }\"} }\"", true)] // braces push DEFAULT_MODE, so '}' of a record does not end the interpolation
    [InlineData("\"${ x \"", false)]
    [InlineData("1 /* } \" ${ */ + 2", true)]        // more + pushMode, then skip + popMode
    [InlineData("1 /* never closed", true)]           // ANTLR drops pending 'more' text at the end of input
    [InlineData("f(x)\n__END__\n} \" anything", true)] // mode(…): no way back
    public void Modes_decide_what_the_lexer_reads(string text, bool accepted) => Assert.Equal(accepted, Accepts(text));

    [Fact]
    public void Deep_nesting_pushes_and_pops_exactly()
    {
        const int depth = 60;
        var sb = new StringBuilder();
        for (int i = 0; i < depth; i++) sb.Append("\"${ ");
        sb.Append('x');
        for (int i = 0; i < depth; i++) sb.Append(" }\"");
        Assert.True(Accepts(sb.ToString()));
        Assert.False(Accepts(sb.ToString() + " }"));
        Assert.False(Accepts(sb.ToString()[..^2]));
    }

    [Fact]
    public void Errors_name_the_offset_and_the_tokens_of_the_current_mode()
    {
        var state = Template.Parse(Encoding.UTF8.GetBytes("x }"));
        Assert.False(state.IsViable);
        Assert.Equal(2, state.Error!.Offset);
        state = Template.Parse(Encoding.UTF8.GetBytes("\"${}"));
        Assert.Equal(3, state.Error!.Offset);
        Assert.Contains("NAME", state.Error.Expected);
    }

    [Fact]
    public void Forks_in_different_modes_stay_independent()
    {
        var start = Template.Parse(Encoding.UTF8.GetBytes("f("));
        var inString = start.Advance(Encoding.UTF8.GetBytes("\"a "));
        var inRaw = start.Advance(Encoding.UTF8.GetBytes("'a "));
        Assert.True(inString.Advance(Encoding.UTF8.GetBytes("${1}\")")).IsAccepting);
        Assert.False(inRaw.Advance(Encoding.UTF8.GetBytes("\"")).Advance(Encoding.UTF8.GetBytes(")")).IsAccepting);
        Assert.True(inRaw.Advance(Encoding.UTF8.GetBytes("${1}')")).IsAccepting);
        Assert.False(inString.Advance(Encoding.UTF8.GetBytes("')")).IsAccepting);
    }

    public static TheoryData<string> Prefixes => new()
    {
        "", "\"", "\"text ", "\"${", "\"${ {a = ", "'", "'raw ", "1 /*", "1 /* *", "x\n__END__\n", "\"\\", "\"$",
    };

    [Theory]
    [MemberData(nameof(Prefixes))]
    public void Mask_bits_equal_single_token_checks_and_parser_advances_in_every_mode(string prefix)
    {
        var vocab = TokenVocabulary.Tiktoken("o200k_base");
        var masker = new TokenMasker(Template, vocab);
        var state = Template.Parse(Encoding.UTF8.GetBytes(prefix));
        Assert.True(state.IsViable, prefix);
        var mask = new uint[masker.MaskWords];
        masker.FillMask(state, mask);
        int allowed = 0;
        for (int id = 0; id < vocab.Size; id++)
        {
            bool bit = (mask[id >> 5] & (1u << (id & 31))) != 0;
            bool parser = vocab.EndOfSequenceIds.Contains(id) ? state.IsAccepting : vocab.HasText(id) && state.Advance(vocab[id]).IsViable;
            Assert.True(bit == parser, $"after '{prefix}': token {id} '{Encoding.UTF8.GetString(vocab[id])}' mask={bit} parser={parser}");
            Assert.Equal(bit, masker.IsAllowed(state, id));
            if (bit) allowed++;
        }
        Assert.True(allowed > 0);
    }

    [Fact]
    public void Inside_a_string_keywords_are_text_and_braces_only_close_interpolations()
    {
        var vocab = TokenVocabulary.Tiktoken("o200k_base");
        var masker = new TokenMasker(Template, vocab);
        bool Allowed(string prefix, string token)
        {
            var state = Template.Parse(Encoding.UTF8.GetBytes(prefix));
            int id = Enumerable.Range(0, vocab.Size).First(i => vocab.HasText(i) && vocab[i].SequenceEqual(Encoding.UTF8.GetBytes(token)));
            return masker.IsAllowed(state, id);
        }
        Assert.True(Allowed("\"", " then"));
        Assert.True(Allowed("\"", "}"));       // plain text in a string
        Assert.False(Allowed("x ", "}"));      // nothing to pop
        Assert.True(Allowed("\"${x", "}"));    // closes the interpolation
        Assert.True(Allowed("'", "${"));      // raw text
        Assert.True(Allowed("1 /*", "\""));   // comment text
    }
}
