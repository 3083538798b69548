using Structured.Internal;

namespace Structured.Tests.Masks;

/// <summary>
/// The bounded cache behind the vocabulary's shared token classes: it never holds more than two generations, what is
/// still looked up survives a rotation, and it never returns a value for another key.
/// </summary>
public class GenerationalCacheTests
{
    [Fact]
    public void At_most_two_generations_are_kept()
    {
        var cache = new GenerationalCache<int, string>(64);
        for (int i = 0; i < 10_000; i++) cache.GetOrAdd(i, i.ToString());
        // Generations of 64 entries, each replaced at three quarters full.
        Assert.InRange(cache.Count, 1, 2 * 48);
        Assert.True(cache.TryGetValue(9_999, out var last));
        Assert.Equal("9999", last);
        Assert.False(cache.TryGetValue(0, out _));
    }

    [Fact]
    public void An_entry_still_in_use_survives_rotations()
    {
        var cache = new GenerationalCache<int, string>(64);
        cache.GetOrAdd(-1, "kept");
        for (int i = 0; i < 10_000; i++)
        {
            cache.GetOrAdd(i, i.ToString());
            if (i % 20 == 0) Assert.True(cache.TryGetValue(-1, out _), $"lost after {i} additions");
        }
        Assert.True(cache.TryGetValue(-1, out var kept));
        Assert.Equal("kept", kept);
    }

    [Fact]
    public void The_first_value_added_for_a_key_wins()
    {
        var cache = new GenerationalCache<int, string>(1 << 10);
        Assert.Equal("a", cache.GetOrAdd(1, "a"));
        Assert.Equal("a", cache.GetOrAdd(1, "b"));
        cache.Clear();
        Assert.True(cache.IsEmpty);
        Assert.Equal("b", cache.GetOrAdd(1, "b"));
    }

    [Fact]
    public void Concurrent_additions_and_lookups_agree_with_their_keys()
    {
        var cache = new GenerationalCache<int, int>(256);
        Parallel.For(0, 8, worker =>
        {
            var rng = new Random(worker);
            for (int i = 0; i < 50_000; i++)
            {
                int key = rng.Next(2_000);
                if (cache.TryGetValue(key, out int v)) Assert.Equal(key * 7, v);
                else Assert.Equal(key * 7, cache.GetOrAdd(key, key * 7));
            }
        });
        Assert.InRange(cache.Count, 1, 2 * 192 + 2 * 8);
    }
}
