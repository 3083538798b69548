namespace Structured.Parsing;

/// <summary>
/// One lexeme in progress: the column it started from and the lexer state so far. <see cref="Fresh"/> means no byte
/// of it has been read yet. A parser state holds several when lexeme ends are ambiguous.
/// </summary>
internal readonly struct LexThread(Column column, int lexerState, bool fresh) : IEquatable<LexThread>
{
    public readonly Column Column = column;
    public readonly int LexerState = lexerState;
    public readonly bool Fresh = fresh;

    public bool Equals(LexThread other) => Column == other.Column && LexerState == other.LexerState && Fresh == other.Fresh;

    public override bool Equals(object? obj) => obj is LexThread t && Equals(t);

    public override int GetHashCode() => HashCode.Combine(Column.Id, LexerState, Fresh);
}
