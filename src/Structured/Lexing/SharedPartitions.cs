using System.Collections.Concurrent;

namespace Structured.Lexing;

/// <summary>
/// The byte partitions of every term store in the process, one copy of each: grammars keep meeting the same few
/// hundred (a string body's, a digit's, a key's first bytes), and each store made its own arrays for them, about a
/// tenth of what masks allocated. Immutable once made, so stores on any thread share them.
/// </summary>
internal static class SharedPartitions
{
    /// <summary>A partition of the 256 bytes: each byte's class index (classes numbered by their smallest byte), and the classes.</summary>
    internal sealed record Partition(byte[] BlockOf, ByteSet[] Blocks);

    // Sized up front and emptied before the dictionary would grow (a resize rebuilds every entry under all its locks);
    // stores keep the partitions they hold, so emptying costs only later copies.
    private const int Capacity = 1 << 14;
    private const int ClearAt = Capacity / 4 * 3;
    private static readonly ConcurrentDictionary<ContentKey<byte>, Partition> s_pool = new(Environment.ProcessorCount, Capacity, ContentKey<byte>.Comparer.Instance);
    private static int s_count;

    /// <summary>The shared partition equal to <paramref name="blockOf"/>.</summary>
    public static Partition Get(ReadOnlySpan<byte> blockOf)
    {
        if (s_pool.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(blockOf, out var known)) return known;
        if (Interlocked.Increment(ref s_count) >= ClearAt)
        {
            s_pool.Clear();
            Volatile.Write(ref s_count, 0);
        }
        int count = 0;
        foreach (byte x in blockOf) count = Math.Max(count, x + 1);
        var blocks = new ByteSet[count];
        for (int b = 0; b < 256; b++) blocks[blockOf[b]] = blocks[blockOf[b]].Add((byte)b);
        var copy = blockOf.ToArray();
        return s_pool.GetOrAdd(new ContentKey<byte>(copy), new Partition(copy, blocks));
    }
}
