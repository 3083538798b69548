namespace Structured.Internal;

/// <summary>
/// Hands out int slices from shared chunks that never move: a slice is (chunk, start). Chunks double from 256 ints
/// up to 32,768 (128 KB, which the runtime keeps on the large-object heap), so a small table stays small and a large
/// one keeps its data in a few big arrays.
/// </summary>
/// <remarks>
/// For data made on the mask path that lives as long as its grammar (lexer states, derivative rows). As one small
/// array per item, it was most of what the young-generation collections copied inside masks, and copying it was most
/// of their pause. Not thread-safe: its owner allocates under its own lock; the slices may be read from any thread.
/// </remarks>
internal sealed class IntArena
{
    private const int FirstChunk = 256;
    private const int LargestChunk = 32_768;
    private const int TenuredChunk = 4_096; // from the fifth chunk on, the table is a large one
    private int[] _chunk = [];
    private int _used;

    /// <summary>A slice of <paramref name="length"/> ints, all <paramref name="fill"/>: its chunk and its start there.</summary>
    public int[] Allocate(int length, out int start, int fill = 0)
    {
        var chunk = AllocateZeroed(length, out start);
        if (fill != 0) chunk.AsSpan(start, length).Fill(fill);
        return chunk;
    }

    private int[] AllocateZeroed(int length, out int start)
    {
        if (length > _chunk.Length - _used)
        {
            int size = _chunk.Length == 0 ? FirstChunk : Math.Min(LargestChunk, _chunk.Length * 2);
            if (length > size)
            {
                // Larger than any chunk (a lexer state of thousands of lexemes): an array of its own, leaving the chunk.
                start = 0;
                return new int[length];
            }
            _chunk = size >= TenuredChunk ? Tenured.Array<int>(size) : new int[size];
            _used = 0;
        }
        start = _used;
        _used += length;
        return _chunk;
    }
}
