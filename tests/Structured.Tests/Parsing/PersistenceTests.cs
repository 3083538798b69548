using Structured.Grammars;
using FsCheck;
using FsCheck.Fluent;
using Structured.Parsing;
using Structured.Tests.Infrastructure;

namespace Structured.Tests.Parsing;

/// <summary>States reached incrementally equal parsing from scratch, and forks never disturb one another.</summary>
public class PersistenceTests
{
    private static (bool Viable, bool Accepting, string Allowed) Answers(ParserState s) =>
        (s.IsViable, s.IsAccepting, s.AllowedBytes().ToString());

    [Theory]
    [MemberData(nameof(GrammarFiles.All), MemberType = typeof(GrammarFiles))]
    public void Advancing_in_chunks_equals_parsing_from_scratch(string grammar)
    {
        var (g, c) = GrammarFiles.Load(grammar);
        var sampler = new GrammarSampler(g);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(30), Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            var rng = new Random(seed);
            var bytes = sampler.Sample(rng, depthBudget: 8);
            // Append a random byte sometimes, so rejected states are compared too.
            if (rng.Next(3) == 0) bytes = [.. bytes, (byte)rng.Next(32, 127)];
            var state = c.InitialState;
            int pos = 0;
            while (pos < bytes.Length)
            {
                int len = Math.Min(bytes.Length - pos, rng.Next(1, 6));
                state = state.Advance(bytes.AsSpan(pos, len));
                pos += len;
                var scratch = c.Parse(bytes.AsSpan(0, pos));
                if (Answers(state) != Answers(scratch))
                    return false.Label($"seed {seed}: differs after {pos} bytes");
                if (!state.IsViable) break;
            }
            return true.ToProperty();
        }));
    }

    [Theory]
    [MemberData(nameof(GrammarFiles.All), MemberType = typeof(GrammarFiles))]
    public void Forks_and_rollbacks_do_not_disturb_other_states(string grammar)
    {
        var (g, c) = GrammarFiles.Load(grammar);
        var sampler = new GrammarSampler(g);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(25), Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            var rng = new Random(seed);
            var a = sampler.Sample(rng, 6);
            var b = sampler.Sample(rng, 6);
            int cut = rng.Next(a.Length + 1);
            var mid = c.Parse(a.AsSpan(0, cut));
            var before = Answers(mid);
            // Two forks from the same state, one valid and one with noise, advanced in parallel.
            ParserState? left = null, right = null;
            Parallel.Invoke(
                () => left = mid.Advance(a.AsSpan(cut)),
                () => right = mid.Advance(b).Advance([(byte)'\u0001']));
            var after = Answers(mid);
            var again = mid.Advance(a.AsSpan(cut));
            return (before == after && left!.IsAccepting && again.IsAccepting && Answers(again) == Answers(left!))
                .Label($"seed {seed}: cut {cut}");
        }));
    }

    [Fact]
    public void Many_threads_share_one_compiled_grammar()
    {
        var (g, c) = GrammarFiles.Load("sql.lark");
        var sampler = new GrammarSampler(g);
        var inputs = Enumerable.Range(0, 64).Select(i => sampler.Sample(new Random(i))).ToArray();
        var sequential = inputs.Select(x => c.Accepts(x)).ToArray();
        var parallel = new bool[inputs.Length];
        Parallel.For(0, inputs.Length, i => parallel[i] = c.Accepts(inputs[i]));
        Assert.Equal(sequential, parallel);
        Assert.All(sequential, Assert.True);
    }

    [Fact]
    public void A_rejected_state_stays_rejected_and_reports_the_offset()
    {
        var (_, c) = GrammarFiles.Load("json.gbnf");
        var s = c.InitialState.Advance("{\"a\": 1,}");
        Assert.False(s.IsViable);
        Assert.Equal(8, s.Error!.Offset);
        Assert.Equal((int)'}', s.Error.UnexpectedByte);
        Assert.Contains("member", s.Error.Rules);
        // After ", " only whitespace or the quote of the next key may come.
        Assert.Equal("[\\x09-\\x0A\\x0D\\x20\"]", s.Error.AllowedBytes.ToString());
        Assert.Contains("the next byte could be", s.Error.ToString(), StringComparison.Ordinal);
        Assert.Same(s, s.Advance("]"));
    }
}
