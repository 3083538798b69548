using Structured.Masks;
using Structured.Parsing;
using Structured.Tokens;

namespace Structured.Potentials;

/// <summary>The Boolean constraint of a compiled grammar: a prefix weighs 1 while it is viable, a string when it is a sentence.</summary>
public sealed class GrammarPotential : Potential
{
    /// <summary>Wraps a compiled grammar.</summary>
    public GrammarPotential(CompiledGrammar grammar)
    {
        ArgumentNullException.ThrowIfNull(grammar);
        Grammar = grammar;
        Start = new State(grammar.InitialState);
    }

    /// <summary>The grammar.</summary>
    public CompiledGrammar Grammar { get; }

    /// <inheritdoc />
    public override bool IsBoolean => true;

    /// <inheritdoc />
    public override PotentialState Start { get; }

    /// <summary>The parser state behind a state of this potential.</summary>
    public static ParserState ParserStateOf(PotentialState state) =>
        state is State s ? s.Parser : throw new ArgumentException("not a state of a grammar potential", nameof(state));

    /// <inheritdoc />
    protected override TokenPotential CreateTokenView(TokenVocabulary vocabulary) => new Tokens(this, vocabulary);

    internal sealed class State(ParserState parser) : PotentialState
    {
        public ParserState Parser { get; } = parser;
        public override double LogPrefix => Parser.IsViable ? 0 : double.NegativeInfinity;
        public override double LogComplete => Parser.IsAccepting ? 0 : double.NegativeInfinity;
        public override PotentialState Advance(ReadOnlySpan<byte> bytes) => bytes.IsEmpty || !Parser.IsViable ? this : new State(Parser.Advance(bytes));
    }

    /// <summary>Masks from the trie-walk engine and single-token checks from <see cref="TokenMasker.IsAllowed"/>.</summary>
    private sealed class Tokens(GrammarPotential owner, TokenVocabulary vocabulary) : TokenPotential(owner, vocabulary)
    {
        private readonly TokenMasker _masker = new(owner.Grammar, vocabulary);

        public override bool Allows(PotentialState state, int token) => _masker.IsAllowed(ParserStateOf(state), token);

        public override double LogWeightNext(PotentialState state, int token) => Allows(state, token) ? 0 : double.NegativeInfinity;

        public override void FillMask(PotentialState state, Span<uint> mask) => _masker.FillMask(ParserStateOf(state), mask);

        public override void FillMasks(IReadOnlyList<PotentialState> states, uint[] masks)
        {
            var parsers = new ParserState[states.Count];
            for (int i = 0; i < parsers.Length; i++) parsers[i] = ParserStateOf(states[i]);
            _masker.FillMasks(parsers, masks);
        }

        public override void LogWeightsNext(PotentialState state, Span<float> destination) => MaskToWeights(state, destination);
    }
}
