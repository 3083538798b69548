using FsCheck;
using FsCheck.Fluent;
using Structured.Internal;

namespace Structured.Tests.Regex;

/// <summary>The term store's paged list reads back what was added, across its first page's growth and page boundaries.</summary>
public class PagedListTests
{
    [Fact]
    public void Reads_back_every_item_in_order()
    {
        Prop.ForAll(Gen.Choose(0, 5000).ToArbitrary(), n =>
        {
            var list = new PagedList<long>();
            for (int i = 0; i < n; i++) list.Add(i * 7L - 3);
            Assert.Equal(n, list.Count);
            for (int i = 0; i < n; i++) Assert.Equal(i * 7L - 3, list[i]);
            Assert.Throws<ArgumentOutOfRangeException>(() => list[n]);
        }).QuickCheckThrowOnFailure();
    }
}
