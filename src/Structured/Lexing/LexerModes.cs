using Structured.Grammars;

namespace Structured.Lexing;

/// <summary>A compiled mode change: <see cref="Mode"/> is the index of the mode entered (unused for a pop).</summary>
internal readonly record struct ModeCommand(LexerModeCommandKind Kind, int Mode);

/// <summary>
/// The lexer-mode states of one grammar (ANTLR's current mode and mode stack), interned: a state is a current mode
/// and the state a pop returns to. Every Earley column carries one, so a mode is a deterministic function of the text
/// before the column, as in ANTLR, where the lexer runs ahead of the parser.
/// </summary>
/// <remarks>States are made when a column is first built after a mode change; lookups take a lock, which only
/// column construction pays (columns are cached, so mask walks seldom get here).</remarks>
internal sealed class LexerModes
{
    /// <summary>The state before any input: the first mode, with an empty stack.</summary>
    public const int Initial = 0;

    /// <summary>Returned by <see cref="Apply"/> for a pop on an empty stack, which rejects the input.</summary>
    public const int Invalid = -1;

    private readonly object _gate = new();
    private readonly List<(int Mode, int Saved)> _states = [(0, Invalid)];
    private readonly Dictionary<(int Mode, int Saved), int> _ids = new() { [(0, Invalid)] = Initial };

    public LexerModes(IReadOnlyList<string> names) => Names = names;

    /// <summary>The modes' names; index 0 is where lexing starts.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The lexeme bit mask of the mode that state <paramref name="state"/> is in (see <see cref="LexemeSpec.Modes"/>).</summary>
    public ulong MaskOf(int state)
    {
        lock (_gate) return 1UL << _states[state].Mode;
    }

    /// <summary>The state after <paramref name="commands"/>, or <see cref="Invalid"/> when one pops an empty stack.</summary>
    public int Apply(int state, ModeCommand[]? commands)
    {
        if (commands is null || state == Invalid) return state;
        lock (_gate)
        {
            foreach (var c in commands)
            {
                var (_, saved) = _states[state];
                switch (c.Kind)
                {
                    case LexerModeCommandKind.Push:
                        state = Intern(c.Mode, state);
                        break;
                    case LexerModeCommandKind.Pop:
                        if (saved == Invalid) return Invalid;
                        state = saved;
                        break;
                    default:
                        state = Intern(c.Mode, saved);
                        break;
                }
            }
            return state;
        }
    }

    private int Intern(int mode, int saved)
    {
        if (_ids.TryGetValue((mode, saved), out int id)) return id;
        id = _states.Count;
        _states.Add((mode, saved));
        _ids[(mode, saved)] = id;
        return id;
    }
}
