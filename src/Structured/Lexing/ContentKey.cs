namespace Structured.Lexing;

/// <summary>An array as a dictionary key, equal to another by contents (interning lexer states and byte partitions).</summary>
internal readonly struct ContentKey<T>(T[] items) : IEquatable<ContentKey<T>> where T : unmanaged, IEquatable<T>
{
    private readonly T[] _items = items;

    public bool Equals(ContentKey<T> other) => _items.AsSpan().SequenceEqual(other._items);

    public override bool Equals(object? obj) => obj is ContentKey<T> k && Equals(k);

    public override int GetHashCode() => HashOf(_items);

    /// <summary>A hash of the items' bytes (what the comparer uses; lexer states hash their pairs in place with it).</summary>
    internal static int HashOf(ReadOnlySpan<T> items)
    {
        var h = new HashCode();
        h.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(items));
        return h.ToHashCode();
    }

    /// <summary>Compares keys by contents, and looks them up by a span, so a lookup that finds its key copies nothing.</summary>
    public sealed class Comparer : IEqualityComparer<ContentKey<T>>, IAlternateEqualityComparer<ReadOnlySpan<T>, ContentKey<T>>
    {
        public static readonly Comparer Instance = new();

        public bool Equals(ContentKey<T> x, ContentKey<T> y) => x.Equals(y);

        public int GetHashCode(ContentKey<T> key) => key.GetHashCode();

        public bool Equals(ReadOnlySpan<T> items, ContentKey<T> key) => items.SequenceEqual(key._items);

        public int GetHashCode(ReadOnlySpan<T> items) => HashOf(items);

        public ContentKey<T> Create(ReadOnlySpan<T> items) => new(items.ToArray());
    }
}
