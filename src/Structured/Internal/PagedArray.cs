namespace Structured.Internal;

/// <summary>
/// An array indexed by id whose pages are made on their first write: a slot never written reads as default, and
/// growing never copies. For values that only some ids ever get (the term store's fingerprints: a grammar's terms
/// are mostly states of liveness searches, which are never fingerprinted).
/// </summary>
internal sealed class PagedArray<T> where T : struct
{
    private const int PageBits = 10;
    private const int PageSize = 1 << PageBits;
    private T[]?[] _pages = [];

    /// <summary>The value at <paramref name="index"/> (≥ 0), default while unwritten.</summary>
    public T this[int index]
    {
        get
        {
            int page = index >> PageBits;
            return (uint)page < (uint)_pages.Length && _pages[page] is { } items ? items[index & (PageSize - 1)] : default;
        }
        set
        {
            int page = index >> PageBits;
            if (page >= _pages.Length) Array.Resize(ref _pages, Math.Max(page + 1, 2 * _pages.Length));
            (_pages[page] ??= new T[PageSize])[index & (PageSize - 1)] = value;
        }
    }
}
