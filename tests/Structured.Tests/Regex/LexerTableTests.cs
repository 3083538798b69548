using Structured.Lexing;
using Structured.Regex;

namespace Structured.Tests.Regex;

/// <summary>
/// Lexer states live in fixed pages with their lists in an arena: hundreds of states (several pages) keep their
/// lists, equal pair sets are one state, and a state reached again by the same bytes is the same id.
/// </summary>
public class LexerTableTests
{
    [Fact]
    public void States_across_pages_keep_their_lexemes_and_are_interned_by_content()
    {
        var store = new TermStore();
        var words = Enumerable.Range(0, 400).Select(i => $"key{i:D3}_{(char)('a' + i % 26)}").ToArray();
        var specs = words.Select(w => new LexemeSpec(store.FromNode(new LiteralNode(System.Text.Encoding.UTF8.GetBytes(w))), LexemeMatch.AllEnds, false)).ToArray();
        var table = new LexerTable(store, specs);
        int start = table.Start(Enumerable.Range(0, words.Length).ToArray());
        var ends = new int[words.Length];
        for (int w = 0; w < words.Length; w++)
        {
            int s = start;
            foreach (byte b in System.Text.Encoding.UTF8.GetBytes(words[w])) s = table.Next(s, b);
            Assert.NotEqual(LexerTable.Dead, s);
            Assert.Equal([w], table.EndNow(s).ToArray());
            Assert.Equal(LexerTable.Dead, table.Next(s, (byte)'!'));
            ends[w] = s;
        }
        Assert.True(table.StateCount > 600, $"only {table.StateCount} states: the test should span several pages");
        // Every word's end holds only that word's lexeme with the empty term left, whatever page it is on.
        for (int w = 0; w < words.Length; w++)
        {
            int s = start;
            foreach (byte b in System.Text.Encoding.UTF8.GetBytes(words[w])) s = table.Next(s, b);
            Assert.Equal(ends[w], s);
            Assert.Equal([w], table.Lexemes(s));
            Assert.Equal(LexerTable.Dead, table[s].Continue); // the only lexeme ended and can go no further
        }
        // A shared prefix is one state for every word it starts.
        int k0 = table.Next(table.Next(table.Next(start, (byte)'k'), (byte)'e'), (byte)'y');
        Assert.Equal(words.Length, table.Lexemes(k0).Length);
    }
}
