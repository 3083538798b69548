namespace Structured.Internal;

/// <summary>
/// A small table from integer keys to values, kept as an array of entries that readers search without a lock. Writers
/// add under the array's lock, into a free slot or into a copy twice the size, so adding n entries copies O(n) of
/// them, where copying the whole array for each new entry (copy-on-write) was quadratic. Earley columns keep their Leo
/// memo and their next columns in these.
/// </summary>
/// <remarks>
/// A slot's value is written before its key, and readers read the key first, so a reader never sees half an entry.
/// Replacing a value in place is atomic only for reference types; <see cref="Set"/> replaces only when asked.
/// </remarks>
internal static class AppendOnlyTable<TValue>
{
    /// <summary>One slot: a free one has the key <see cref="int.MinValue"/>, which no caller uses.</summary>
    internal struct Entry
    {
        internal int Key;
        internal TValue Value;
    }

    private const int Free = int.MinValue;

    /// <summary>The table with no entries, shared: the first entry replaces it.</summary>
    public static readonly Entry[] Empty = [];

    /// <summary>The number of entries in <paramref name="table"/>.</summary>
    public static int Count(Entry[] table)
    {
        int n = 0;
        for (int i = 0; i < table.Length; i++)
            if (Volatile.Read(ref table[i].Key) != Free) n++;
        return n;
    }

    /// <summary>Finds the value of <paramref name="key"/>.</summary>
    public static bool TryGetValue(Entry[] table, int key, out TValue value)
    {
        for (int i = 0; i < table.Length; i++)
        {
            int k = Volatile.Read(ref table[i].Key);
            if (k == key)
            {
                value = table[i].Value;
                return true;
            }
            if (k == Free) break; // slots fill in order
        }
        value = default!;
        return false;
    }

    /// <summary>
    /// Adds <paramref name="key"/> (never <see cref="int.MinValue"/>) to the table in <paramref name="table"/>, replacing
    /// that array when it is full. A key already there keeps its value, unless <paramref name="replace"/>.
    /// </summary>
    public static void Set(ref Entry[] table, int key, TValue value, bool replace)
    {
        ArgumentOutOfRangeException.ThrowIfEqual(key, Free);
        while (true)
        {
            var current = Volatile.Read(ref table);
            lock (current)
            {
                if (Volatile.Read(ref table) != current) continue; // another thread replaced it
                int used = 0;
                for (; used < current.Length && current[used].Key != Free; used++)
                {
                    if (current[used].Key != key) continue;
                    if (replace) current[used].Value = value;
                    return;
                }
                if (used < current.Length)
                {
                    current[used].Value = value;
                    Volatile.Write(ref current[used].Key, key);
                    return;
                }
                var grown = new Entry[Math.Max(1, 2 * used)];
                Array.Copy(current, grown, used);
                grown[used] = new Entry { Key = key, Value = value };
                for (int i = used + 1; i < grown.Length; i++) grown[i].Key = Free;
                Volatile.Write(ref table, grown);
                return;
            }
        }
    }
}
