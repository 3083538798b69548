namespace Structured.Internal;

/// <summary>
/// A list kept in pages of a fixed size: adding never copies what is there, and no page is large enough for the
/// large-object heap. A term store adds terms on the mask path as lexing meets new states; as a <see cref="List{T}"/>,
/// its doubling copies were the largest single allocation in masks, each of them a large-object array.
/// </summary>
internal sealed class PagedList<T>
{
    private const int PageBits = 10;
    private const int PageSize = 1 << PageBits;
    private T[][] _pages = new T[4][];
    private int _count;

    /// <summary>The number of items.</summary>
    public int Count => _count;

    /// <summary>The item at <paramref name="index"/> (which must be below <see cref="Count"/>).</summary>
    public T this[int index]
    {
        get
        {
            if ((uint)index >= (uint)_count) throw new ArgumentOutOfRangeException(nameof(index));
            return _pages[index >> PageBits][index & (PageSize - 1)];
        }
    }

    /// <summary>Adds <paramref name="item"/> at the end.</summary>
    public void Add(T item)
    {
        int page = _count >> PageBits;
        if (page == _pages.Length) Array.Resize(ref _pages, 2 * _pages.Length);
        // The first page grows like a list, so a store of a few terms stays small.
        var items = _pages[page] ??= new T[page == 0 ? 16 : PageSize];
        int at = _count & (PageSize - 1);
        if (at == items.Length) Array.Resize(ref _pages[page], Math.Min(PageSize, 2 * items.Length));
        _pages[page][at] = item;
        _count++;
    }
}
