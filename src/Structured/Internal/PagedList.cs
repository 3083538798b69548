namespace Structured.Internal;

/// <summary>
/// A list over a <see cref="PagedArray{T}"/>: adding never copies what is there, and no page is large enough for the
/// large-object heap. A term store adds terms on the mask path as lexing meets new states; as a <see cref="List{T}"/>,
/// its doublings were the largest single allocation in masks, each of them a large-object array.
/// </summary>
internal sealed class PagedList<T>
{
    private readonly PagedArray<T> _items = new();
    private int _count;

    /// <summary>The number of items.</summary>
    public int Count => _count;

    /// <summary>The item at <paramref name="index"/> (which must be below <see cref="Count"/>).</summary>
    public T this[int index] => (uint)index < (uint)_count ? _items[index] : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>Adds <paramref name="item"/> at the end.</summary>
    public void Add(T item) => _items[_count++] = item;
}
