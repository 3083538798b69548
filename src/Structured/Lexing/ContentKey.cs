namespace Structured.Lexing;

/// <summary>An array as a dictionary key, equal to another by contents (interning lexer states and byte partitions).</summary>
internal readonly struct ContentKey<T>(T[] items) : IEquatable<ContentKey<T>> where T : unmanaged, IEquatable<T>
{
    private readonly T[] _items = items;

    public bool Equals(ContentKey<T> other) => _items.AsSpan().SequenceEqual(other._items);

    public override bool Equals(object? obj) => obj is ContentKey<T> k && Equals(k);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_items.AsSpan()));
        return h.ToHashCode();
    }
}
