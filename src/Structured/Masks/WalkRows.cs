using System.Runtime.CompilerServices;
using Structured.Lexing;

namespace Structured.Masks;

/// <summary>
/// A class walk's view of the lexer: for each lexer state the walk steps from, a row of 256 codes, one per byte, that
/// says at once what the walk needs about the step (alive, ends a lexeme text may follow, and the row of the state
/// that keeps lexing). A walk visits up to 420,000 trie nodes but steps from few states; through the lexer's own
/// records each node cost five dependent loads (page, record, class map, row, next record), here one.
/// </summary>
/// <remarks>
/// Per thread, and valid for one lexer for one class build (<see cref="Begin"/>); rows are filled on first use, through
/// <see cref="LexerTable.Next"/>, so they hold exactly what the lexer says.
/// </remarks>
internal sealed class WalkRows
{
    /// <summary>The code's bits: known (0 means not asked yet), alive, and ends a lexeme that text may follow.</summary>
    public const int Known = 1, Alive = 2, EndNowGoesOn = 4;
    private const int ContinueShift = 3; // above the flags: 1 + the row of the state that keeps lexing, 0 when none does

    [ThreadStatic] private static WalkRows? t_rows;

    private LexerTable? _lexer;
    private int[] _codes = new int[64 * 256];
    private int[] _next = new int[64 * 256];    // the state each step leads to, for the walk's rare boundary records
    private int[] _stateOf = new int[64];       // per row: its lexer state
    private bool[] _endsIfLongest = new bool[64]; // per row: its state's longest match ends unless the next byte extends it
    private int _rows;
    private int[] _rowOf = new int[1024];       // per lexer state: its row, valid when _stampOf matches _stamp
    private int[] _stampOf = new int[1024];
    private int _stamp;

    /// <summary>This thread's rows, emptied for a class build over <paramref name="lexer"/>.</summary>
    public static WalkRows Begin(LexerTable lexer)
    {
        var rows = t_rows ??= new WalkRows();
        rows._lexer = lexer;
        rows._rows = 0;
        if (++rows._stamp == int.MaxValue)
        {
            Array.Clear(rows._stampOf);
            rows._stamp = 1;
        }
        return rows;
    }

    /// <summary>The lexer of this class build.</summary>
    public LexerTable Lexer => _lexer!;

    /// <summary>Forgets the lexer, so that the thread does not keep a grammar alive.</summary>
    public void End() => _lexer = null;

    /// <summary>The code for a step from <paramref name="row"/> by <paramref name="b"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Step(int row, byte b)
    {
        int code = _codes[row * 256 + b];
        return code != 0 ? code : Fill(row, b);
    }

    /// <summary>The row of the state that keeps lexing after a step's code, or -1 when none does.</summary>
    public static int ContinueRow(int code) => (code >> ContinueShift) - 1;

    /// <summary>The state a step leads to (after <see cref="Step"/> has filled its code).</summary>
    public int NextState(int row, byte b) => _next[row * 256 + b];

    /// <summary>Whether a row's state ends a longest match unless the next byte extends it.</summary>
    public bool EndsIfLongest(int row) => _endsIfLongest[row];

    /// <summary>The lexer state of a row.</summary>
    public int StateOf(int row) => _stateOf[row];

    /// <summary>The code of arriving at <paramref name="state"/> (a walk's first byte, stepped by the caller).</summary>
    public int Arrive(int state)
    {
        if (state == LexerTable.Dead) return Known;
        ref readonly var st = ref _lexer![state];
        int cont = st.Continue == LexerTable.Dead ? -1 : RowOf(st.Continue);
        return Known | Alive | (st.EndNowGoesOn ? EndNowGoesOn : 0) | (cont + 1) << ContinueShift;
    }

    /// <summary>The row of a lexer state, made empty on first use.</summary>
    public int RowOf(int state)
    {
        if (state >= _rowOf.Length)
        {
            int size = Math.Max(state + 1, _rowOf.Length * 2);
            Array.Resize(ref _rowOf, size);
            Array.Resize(ref _stampOf, size);
        }
        if (_stampOf[state] == _stamp) return _rowOf[state];
        int row = _rows++;
        if (row >= _stateOf.Length)
        {
            Array.Resize(ref _stateOf, _stateOf.Length * 2);
            Array.Resize(ref _endsIfLongest, _stateOf.Length);
            Array.Resize(ref _codes, _stateOf.Length * 256);
            Array.Resize(ref _next, _stateOf.Length * 256);
        }
        Array.Clear(_codes, row * 256, 256);
        _stateOf[row] = state;
        _endsIfLongest[row] = _lexer![state].EndsIfLongest;
        _rowOf[state] = row;
        _stampOf[state] = _stamp;
        return row;
    }

    private int Fill(int row, byte b)
    {
        int next = _lexer!.Next(_stateOf[row], b);
        int code = Arrive(next);
        _codes[row * 256 + b] = code;
        _next[row * 256 + b] = next;
        return code;
    }
}
