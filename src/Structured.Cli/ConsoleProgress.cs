using System.Diagnostics;

namespace Structured.Cli;

/// <summary>
/// Progress of a long run on standard error (standard output stays the JSON lines), at most once a second: count,
/// share, elapsed time and an estimate of what is left. On a terminal it rewrites one line; redirected, it writes
/// a line every ten seconds.
/// </summary>
internal sealed class ConsoleProgress : IDisposable
{
    private readonly string _label;
    private readonly int _total;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly bool _terminal = !Console.IsErrorRedirected;
    private TimeSpan _last;
    private bool _shown;
    private int _done;

    public ConsoleProgress(string label, int total)
    {
        _label = label;
        _total = total;
    }

    public void Advance(int by = 1)
    {
        _done += by;
        var now = _clock.Elapsed;
        if (now - _last < (_terminal ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(10))) return;
        _last = now;
        _shown = true;
        Write(final: false);
    }

    public void Dispose()
    {
        if (_shown) Write(final: true);
    }

    private void Write(bool final)
    {
        string share = _total > 0 ? $"/{_total} ({100.0 * _done / _total:F1}%)" : "";
        string left = _total > 0 && _done > 0 && !final ? $", ~{Format(TimeSpan.FromSeconds(_clock.Elapsed.TotalSeconds * (_total - _done) / _done))} left" : "";
        string line = $"{_label}: {_done}{share}, {Format(_clock.Elapsed)}{left}";
        if (_terminal) Console.Error.Write("\r" + line.PadRight(79) + (final ? "\n" : ""));
        else Console.Error.WriteLine(line);
    }

    private static string Format(TimeSpan t) => t.TotalHours >= 1 ? $"{(int)t.TotalHours} h {t.Minutes} min" : t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes} min {t.Seconds} s" : $"{t.Seconds} s";
}
