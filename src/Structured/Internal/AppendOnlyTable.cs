namespace Structured.Internal;

/// <summary>
/// A small table from integer keys to values that readers search without a lock. Writers add under the table's lock;
/// a full table is replaced by one twice its size, so adding n entries copies O(n) of them, where copying the whole
/// array for each new entry (copy-on-write) was quadratic. Earley columns keep their Leo memo and their next columns here.
/// </summary>
/// <remarks>
/// An entry is written before the count that makes it visible, so a reader never sees half of one. Replacing a value
/// in place is atomic only for reference types; <see cref="Set"/> replaces only when asked.
/// </remarks>
internal sealed class AppendOnlyTable<TValue>
{
    /// <summary>The table with no entries, shared: the first entry replaces it.</summary>
    public static readonly AppendOnlyTable<TValue> Empty = new(0);

    private readonly int[] _keys;
    private readonly TValue[] _values;
    private int _count;

    private AppendOnlyTable(int capacity)
    {
        _keys = new int[capacity];
        _values = new TValue[capacity];
    }

    /// <summary>The number of entries.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Finds the value of <paramref name="key"/>.</summary>
    public bool TryGetValue(int key, out TValue value)
    {
        int count = Volatile.Read(ref _count);
        var keys = _keys;
        for (int i = 0; i < count; i++)
        {
            if (keys[i] != key) continue;
            value = _values[i];
            return true;
        }
        value = default!;
        return false;
    }

    /// <summary>
    /// Adds <paramref name="key"/> to the table in <paramref name="table"/> (replacing that table when it is full).
    /// A key already there keeps its value, unless <paramref name="replace"/>.
    /// </summary>
    public static void Set(ref AppendOnlyTable<TValue> table, int key, TValue value, bool replace)
    {
        while (true)
        {
            var current = Volatile.Read(ref table);
            lock (current)
            {
                if (Volatile.Read(ref table) != current) continue; // another thread replaced it
                int count = current._count;
                for (int i = 0; i < count; i++)
                {
                    if (current._keys[i] != key) continue;
                    if (replace) current._values[i] = value;
                    return;
                }
                if (count < current._keys.Length)
                {
                    current._keys[count] = key;
                    current._values[count] = value;
                    Volatile.Write(ref current._count, count + 1);
                    return;
                }
                var grown = new AppendOnlyTable<TValue>(Math.Max(2, 2 * count)) { _count = count + 1 };
                Array.Copy(current._keys, grown._keys, count);
                Array.Copy(current._values, grown._values, count);
                grown._keys[count] = key;
                grown._values[count] = value;
                Volatile.Write(ref table, grown);
                return;
            }
        }
    }
}
