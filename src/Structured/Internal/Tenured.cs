namespace Structured.Internal;

/// <summary>
/// Arrays allocated straight into the pinned-object heap, which is collected with the oldest generation only.
/// </summary>
/// <remarks>
/// For the large pieces of tables that a grammar builds lazily on the mask path and keeps as long as it lives (pages of
/// terms and lexer states, arena chunks). Allocated young, every one of them was copied by the next young collection and
/// again by the one after, and those copies were the longest pauses inside masks. Small tables keep their first, small
/// arrays young, so that the many grammars that never grow do not leave garbage for full collections.
/// </remarks>
internal static class Tenured
{
    /// <summary>A zeroed array that no collection moves.</summary>
    public static T[] Array<T>(int length) => GC.AllocateArray<T>(length, pinned: true);
}
