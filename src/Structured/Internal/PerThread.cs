using System.Runtime.CompilerServices;

namespace Structured.Internal;

/// <summary>
/// Per-thread scratch objects keyed by an owner (a grammar, a masker) that do not keep the owner alive.
/// A <see cref="ThreadLocal{T}"/> field would leak: its per-thread value refers back to the owner, and the
/// thread's slot roots the value, so neither is ever collected. A weak table per thread does not, and the
/// last owner used on each thread is remembered for a lookup-free fast path.
/// </summary>
internal static class PerThread<TOwner, TValue>
    where TOwner : class
    where TValue : class
{
    [ThreadStatic] private static TOwner? t_lastOwner;
    [ThreadStatic] private static TValue? t_lastValue;
    [ThreadStatic] private static ConditionalWeakTable<TOwner, TValue>? t_table;

    public static TValue Get(TOwner owner, Func<TOwner, TValue> create)
    {
        if (ReferenceEquals(t_lastOwner, owner)) return t_lastValue!;
        var table = t_table ??= [];
        if (!table.TryGetValue(owner, out var value))
        {
            value = create(owner);
            table.Add(owner, value);
        }
        t_lastOwner = owner;
        t_lastValue = value;
        return value;
    }
}
