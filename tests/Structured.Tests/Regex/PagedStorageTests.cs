using FsCheck;
using FsCheck.Fluent;
using Structured.Internal;

namespace Structured.Tests.Regex;

/// <summary>
/// The term store's paged storage: the list reads back what was added, across its first page's growth and page
/// boundaries; the array reads back what was written and default elsewhere; the arena's slices start zeroed and never overlap.
/// </summary>
public class PagedStorageTests
{
    [Fact]
    public void The_paged_array_reads_back_writes_and_default_elsewhere()
    {
        Prop.ForAll(Gen.ListOf(Gen.Zip(Gen.Choose(0, 20_000), Gen.Choose(1, 1000))).ToArbitrary(), writes =>
        {
            var array = new PagedArray<int>();
            var model = new Dictionary<int, int>();
            foreach (var (index, value) in writes)
            {
                array[index] = value;
                model[index] = value;
            }
            foreach (var (index, value) in model) Assert.Equal(value, array[index]);
            for (int probe = 0; probe < 30_000; probe += 997)
                if (!model.ContainsKey(probe)) Assert.Equal(0, array[probe]);
        }).QuickCheckThrowOnFailure();
    }

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

    [Fact]
    public void Arena_slices_start_zeroed_and_never_overlap()
    {
        Prop.ForAll(Gen.ListOf(Gen.OneOf(Gen.Choose(0, 300), Gen.Choose(0, 40_000))).ToArbitrary(), lengths =>
        {
            var arena = new IntArena();
            var slices = new List<(int[] Chunk, int Start, int Length)>();
            for (int k = 0; k < lengths.Count; k++)
            {
                var chunk = arena.Allocate(lengths[k], out int start);
                var slice = chunk.AsSpan(start, lengths[k]);
                Assert.True(slice.IndexOfAnyExcept(0) < 0);
                slice.Fill(k + 1);
                slices.Add((chunk, start, lengths[k]));
            }
            for (int k = 0; k < slices.Count; k++)
            {
                var (chunk, start, length) = slices[k];
                Assert.True(chunk.AsSpan(start, length).IndexOfAnyExcept(k + 1) < 0);
            }
        }).QuickCheckThrowOnFailure();
    }
}
