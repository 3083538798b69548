using Structured.Masks;
using Structured.Parsing;
using Structured.Quotients;
using Structured.Tokens;

namespace Structured.Potentials;

/// <summary>
/// The fill-in-the-middle constraint as a Boolean potential: the string is the middle, <c>prefix + middle + suffix</c>
/// must be a sentence. Masks come from the quotient grammar's state (the mask engine, unchanged); where the quotient's
/// acceptance is not exact by itself, the end of sequence is allowed only when the whole text parses.
/// </summary>
public sealed class MiddlePotential : Potential
{
    /// <summary>The constraint on the middle between <paramref name="prefix"/> and the quotient's suffix.</summary>
    public MiddlePotential(MiddleGrammar middle, ReadOnlySpan<byte> prefix)
    {
        ArgumentNullException.ThrowIfNull(middle);
        Middle = middle;
        Start = new State(middle, middle.Start(prefix), middle.IsExact ? null : middle.Original.Parse(prefix));
    }

    /// <summary>The quotient grammar and the suffix.</summary>
    public MiddleGrammar Middle { get; }

    /// <inheritdoc />
    public override bool IsBoolean => true;

    /// <inheritdoc />
    public override PotentialState Start { get; }

    /// <summary>The quotient grammar's parser state behind a state of this potential.</summary>
    public static ParserState ParserStateOf(PotentialState state) =>
        state is State s ? s.Parser : throw new ArgumentException("not a state of a middle potential", nameof(state));

    /// <inheritdoc />
    protected override TokenPotential CreateTokenView(TokenVocabulary vocabulary) => new Tokens(this, vocabulary);

    private sealed class State(MiddleGrammar middle, ParserState parser, ParserState? whole) : PotentialState
    {
        private int _complete; // 0 unknown, 1 yes, 2 no: the whole-text check runs at most once per state

        public ParserState Parser { get; } = parser;

        public override double LogPrefix => Parser.IsViable ? 0 : double.NegativeInfinity;

        public override double LogComplete => IsComplete ? 0 : double.NegativeInfinity;

        public bool IsComplete
        {
            get
            {
                if (_complete == 0) _complete = middle.IsComplete(Parser, whole) ? 1 : 2;
                return _complete == 1;
            }
        }

        public override PotentialState Advance(ReadOnlySpan<byte> bytes) =>
            bytes.IsEmpty || !Parser.IsViable ? this : new State(middle, Parser.Advance(bytes), whole?.Advance(bytes));
    }

    private sealed class Tokens(MiddlePotential owner, TokenVocabulary vocabulary) : TokenPotential(owner, vocabulary)
    {
        private readonly TokenMasker _masker = new(owner.Middle.Grammar, vocabulary);

        public override bool Allows(PotentialState state, int token) =>
            IsEndOfSequence(token) ? ((State)state).IsComplete : _masker.IsAllowed(ParserStateOf(state), token);

        public override double LogWeightNext(PotentialState state, int token) => Allows(state, token) ? 0 : double.NegativeInfinity;

        public override void FillMask(PotentialState state, Span<uint> mask)
        {
            _masker.FillMask(ParserStateOf(state), mask);
            FixEnd((State)state, mask);
        }

        public override void FillMasks(IReadOnlyList<PotentialState> states, uint[] masks)
        {
            var parsers = new ParserState[states.Count];
            for (int i = 0; i < parsers.Length; i++) parsers[i] = ParserStateOf(states[i]);
            _masker.FillMasks(parsers, masks);
            for (int i = 0; i < parsers.Length; i++) FixEnd((State)states[i], masks.AsSpan(i * MaskWords, MaskWords));
        }

        public override void LogWeightsNext(PotentialState state, Span<float> destination) => MaskToWeights(state, destination);

        // The quotient accepted: confirm with the whole text where its acceptance over-approximates.
        private void FixEnd(State state, Span<uint> mask)
        {
            if (!state.Parser.IsAccepting || state.IsComplete) return;
            foreach (int eos in Vocabulary.EndOfSequenceIds) mask[eos >> 5] &= ~(1u << (eos & 31));
        }
    }
}
