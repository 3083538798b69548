using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Structured.Parsing;
using Structured.Schemas;

namespace Structured.Tests.Schemas;

/// <summary>
/// The date-time format's leap seconds against clock arithmetic: a time with second 60 is valid exactly where it is
/// 23:59 UTC, once its offset is taken off. The format's regex is a trie of every local time, so these properties
/// check it against an independent rule rather than against how it was written.
/// </summary>
public sealed class LeapSecondTests
{
    private static readonly CompiledGrammar DateTime = JsonSchema.Compile("""{"type":"string","format":"date-time"}""");
    private static readonly SchemaValidator Validator = SchemaValidator.Parse("""{"type":"string","format":"date-time"}""");

    private static string Clock(int minutes) => string.Create(CultureInfo.InvariantCulture, $"{minutes / 60:D2}:{minutes % 60:D2}");

    private static string Instance(int local, char sign, int offset) => $"\"1998-12-31T{Clock(local)}:60{sign}{Clock(offset)}\"";

    // UTC = local − offset for '+', local + offset for '-'; a leap second is valid only at 23:59 UTC.
    private static bool Expected(int local, char sign, int offset) =>
        ((local + (sign == '+' ? -offset : offset)) % 1440 + 1440) % 1440 == 23 * 60 + 59;

    private static void AssertVerdict(int local, char sign, int offset)
    {
        string text = Instance(local, sign, offset);
        bool expected = Expected(local, sign, offset);
        Assert.True(expected == DateTime.Accepts(Encoding.UTF8.GetBytes(text)), $"the grammar's verdict on {text} should be {expected}");
        Assert.True(expected == Validator.Validate(text).IsValid, $"the validator's verdict on {text} should be {expected}");
    }

    [Fact]
    public void Every_local_time_has_its_leap_second_at_the_offsets_that_make_it_23_59_utc()
    {
        for (int local = 0; local < 1440; local++)
        {
            int ahead = ((local - (23 * 60 + 59)) % 1440 + 1440) % 1440;
            AssertVerdict(local, '+', ahead);
            AssertVerdict(local, '-', (1440 - ahead) % 1440);
            AssertVerdict(local, '+', (ahead + 1) % 1440);
            AssertVerdict(local, '-', (1440 - ahead + 60) % 1440);
        }
    }

    [Fact]
    public void Random_local_times_and_offsets_agree_with_clock_arithmetic()
    {
        // One number per case: local time, sign and offset, so that shrinking keeps all three in range.
        Prop.ForAll(Gen.Choose(0, 1440 * 2 * 1440 - 1).ToArbitrary(), n =>
            AssertVerdict(n % 1440, n / 1440 % 2 == 0 ? '+' : '-', n / 2880))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(2000));
    }

    [Fact]
    public void A_leap_second_in_utc_is_valid_only_at_23_59()
    {
        Assert.True(DateTime.Accepts(Encoding.UTF8.GetBytes("\"1998-12-31T23:59:60Z\"")));
        Assert.True(DateTime.Accepts(Encoding.UTF8.GetBytes("\"1998-12-31T23:59:60.25z\"")));
        Assert.False(DateTime.Accepts(Encoding.UTF8.GetBytes("\"1998-12-31T23:58:60Z\"")));
        Assert.True(DateTime.Accepts(Encoding.UTF8.GetBytes("\"1998-12-31T15:59:60.5-08:00\"")));
        Assert.False(DateTime.Accepts(Encoding.UTF8.GetBytes("\"1998-12-31T15:59:60.5+08:00\"")));
    }
}
