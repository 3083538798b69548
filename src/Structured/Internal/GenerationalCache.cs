using System.Collections.Concurrent;

namespace Structured.Internal;

/// <summary>
/// A thread-safe cache of bounded size for the structures that every grammar over a vocabulary shares. It holds two
/// generations: entries go into the young one, and when that is full it becomes the old one and the previous old one
/// is dropped; a hit in the old generation is copied into the young one, so what is still in use survives. The first
/// generations are small, and each is twice its predecessor's size up to the capacity.
/// </summary>
/// <remarks>
/// A single <see cref="ConcurrentDictionary{TKey, TValue}"/> grows without bound as a process compiles schema after
/// schema, and each time it grows it rebuilds every entry while its locks are held. On MaskBench the subtree cache
/// passed 262,000 entries halfway through the run, and that one mask took 80–125 ms. Here each generation is sized
/// up front and replaced before it would grow, so no insertion rebuilds anything.
/// </remarks>
internal sealed class GenerationalCache<TKey, TValue> where TKey : notnull
{
    private sealed class Generation(int capacity)
    {
        public readonly int Capacity = capacity;
        public readonly ConcurrentDictionary<TKey, TValue> Items = new(Environment.ProcessorCount, capacity);
        // Below the size at which the dictionary's own budget per lock would make it grow.
        public readonly int RotateAt = capacity / 4 * 3;
        public int Count;
    }

    // A vocabulary made for a few masks should not pay for a full-size table up front.
    private const int FirstCapacity = 1024;
    private static readonly Generation None = new(0);
    private readonly int _capacity;
    private readonly object _gate = new();
    private volatile Generation _young;
    private volatile Generation _old = None;

    /// <summary>Creates a cache whose generations hold at most <paramref name="capacity"/> entries each.</summary>
    public GenerationalCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 4);
        _capacity = capacity;
        _young = new Generation(Math.Min(capacity, FirstCapacity));
    }

    /// <summary>The entries in both generations (an entry copied from the old one counts twice).</summary>
    public int Count => _young.Count + _old.Count;

    /// <summary>True when nothing has been added since the cache was made or cleared.</summary>
    public bool IsEmpty => Count == 0;

    /// <summary>Looks <paramref name="key"/> up in both generations.</summary>
    public bool TryGetValue(TKey key, out TValue value)
    {
        if (_young.Items.TryGetValue(key, out value!)) return true;
        if (!_old.Items.TryGetValue(key, out value!)) return false;
        value = GetOrAdd(key, value);
        return true;
    }

    /// <summary>The cached value for <paramref name="key"/>, or <paramref name="value"/> after adding it.</summary>
    public TValue GetOrAdd(TKey key, TValue value)
    {
        var young = _young;
        if (!young.Items.TryAdd(key, value)) return young.Items.TryGetValue(key, out var known) ? known : value;
        if (Interlocked.Increment(ref young.Count) >= young.RotateAt) Rotate(young);
        return value;
    }

    /// <summary>Drops every entry.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _old = None;
            _young = new Generation(Math.Min(_capacity, FirstCapacity));
        }
    }

    private void Rotate(Generation full)
    {
        lock (_gate)
        {
            if (_young != full) return; // another thread rotated already
            _old = full;
            _young = new Generation(Math.Min(_capacity, full.Capacity * 2));
        }
    }
}
