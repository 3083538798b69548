using FsCheck;
using FsCheck.Fluent;
using Structured.Internal;

namespace Structured.Tests.Parsing;

/// <summary>
/// The table behind each Earley column's Leo memo and next-column cache: it agrees with a dictionary under any sequence
/// of additions (the first value stays unless replacing), across the growths that replace it, and under concurrent use.
/// </summary>
public class AppendOnlyTableTests
{
    [Fact]
    public void Agrees_with_a_dictionary_under_any_sequence_of_additions()
    {
        var op = Gen.Zip(Gen.Choose(0, 40), Gen.Choose(-1000, 1000)).Select(t => (Key: t.Item1, Value: Math.Abs(t.Item2), Replace: t.Item2 < 0));
        Prop.ForAll(Gen.ListOf(op).ToArbitrary(), ops =>
        {
            var table = AppendOnlyTable<string>.Empty;
            var model = new Dictionary<int, string>();
            foreach (var (key, value, replace) in ops)
            {
                AppendOnlyTable<string>.Set(ref table, key, value.ToString(), replace);
                if (replace || !model.ContainsKey(key)) model[key] = value.ToString();
                Assert.Equal(model.Count, AppendOnlyTable<string>.Count(table));
            }
            foreach (var (key, value) in model)
            {
                Assert.True(AppendOnlyTable<string>.TryGetValue(table, key, out var found));
                Assert.Equal(value, found);
            }
            Assert.False(AppendOnlyTable<string>.TryGetValue(table, 41, out _));
            Assert.Empty(AppendOnlyTable<string>.Empty); // the shared empty table is never written
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Concurrent_writers_and_readers_agree_with_their_keys()
    {
        var table = AppendOnlyTable<int?>.Empty;
        Parallel.For(0, 8, worker =>
        {
            var rng = new Random(worker);
            for (int i = 0; i < 20_000; i++)
            {
                int key = rng.Next(500);
                if (AppendOnlyTable<int?>.TryGetValue(Volatile.Read(ref table), key, out int? v)) Assert.Equal(key * 3, v);
                else AppendOnlyTable<int?>.Set(ref table, key, key * 3, replace: false);
            }
        });
        Assert.Equal(500, AppendOnlyTable<int?>.Count(table));
        for (int key = 0; key < 500; key++)
        {
            Assert.True(AppendOnlyTable<int?>.TryGetValue(table, key, out int? v));
            Assert.Equal(key * 3, v);
        }
    }
}
