namespace Structured.Internal;

/// <summary>
/// An array indexed by id whose pages are made on their first write: a slot never written reads as default, and
/// growing never copies a page (the first page grows like a list, so a small store stays small). For the term
/// store's per-term data (derivative rows, partitions, fingerprints): terms are added on the mask path, and
/// doubling whole arrays there copied them into ever larger, eventually large-object, arrays.
/// </summary>
internal sealed class PagedArray<T>
{
    private const int PageBits = 10;
    private const int PageSize = 1 << PageBits;
    private const int FirstPageStart = 64;
    private T[]?[] _pages = [];

    /// <summary>The value at <paramref name="index"/> (≥ 0), default while unwritten.</summary>
    public T this[int index]
    {
        get
        {
            int page = index >> PageBits, at = index & (PageSize - 1);
            return (uint)page < (uint)_pages.Length && _pages[page] is { } items && at < items.Length ? items[at] : default!;
        }
        set
        {
            int page = index >> PageBits, at = index & (PageSize - 1);
            if (page >= _pages.Length) Array.Resize(ref _pages, Math.Max(page + 1, 2 * _pages.Length));
            var items = _pages[page] ??= page == 0 ? new T[Math.Max(FirstPageStart, at + 1)] : Tenured.Array<T>(PageSize);
            if (at >= items.Length) Array.Resize(ref _pages[page], Math.Min(PageSize, Math.Max(at + 1, 2 * items.Length)));
            _pages[page]![at] = value;
        }
    }
}
