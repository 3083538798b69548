using Structured.Lexing;

namespace Structured.Masks;

/// <summary>
/// The tokens of one <see cref="SubtreeClass"/> that cross a lexeme boundary at the same lexer state. Token classes
/// join the groups of all their first bytes that reach the same state into one <see cref="LexerTokenClass.Crossing"/>,
/// whose suffix trie then holds each distinct suffix once.
/// </summary>
/// <param name="Path">Bytes from the token's start to the boundary; each grammar finds its own lexer state at the boundary by stepping its lexer along it.</param>
/// <param name="Commit">True: a longest match ends because the next byte cannot extend it (the suffix starts with that byte).
/// False: lexemes end at once after the byte (the suffix starts after it).</param>
/// <param name="Suffixes">The tokens of small subtrees, each with where its bytes after the boundary start.</param>
/// <param name="Ranges">Large subtrees walked in place: main-trie node ranges whose bytes after depth <see cref="SuffixRange.Cut"/> are the suffixes.</param>
internal sealed record SuffixGroup(byte[] Path, bool Commit, TokenSuffix[] Suffixes, SuffixRange[] Ranges)
{
    /// <summary>This grammar's lexer state at the boundary, from the state before the token's first byte.</summary>
    public int StateFrom(LexerTable lexer, int root) => BoundaryState(lexer, root, Path, Commit);

    /// <summary>The lexer state at the boundary that ends <paramref name="path"/>, from <paramref name="root"/>.</summary>
    public static int BoundaryState(LexerTable lexer, int root, byte[] path, bool commit)
    {
        int s = root;
        for (int i = 0; i < path.Length; i++)
        {
            int next = lexer.Next(s, path[i]);
            if (!commit && i == path.Length - 1) return next;
            s = lexer[next].Continue;
        }
        return s;
    }
}

/// <summary>
/// The bytes of <see cref="Token"/> from <see cref="Cut"/> on. Kept as a position, not a copy: subtree classes are cached
/// for the process, and a byte array per token was hundreds of thousands of heap objects.
/// </summary>
internal readonly record struct TokenSuffix(int Token, int Cut);

/// <summary>A main-trie range walked in place: the subtrees of <see cref="Children"/>, whose bytes after depth <see cref="Cut"/> are the suffixes.</summary>
internal sealed record SuffixRange(int Cut, int[] Children);
