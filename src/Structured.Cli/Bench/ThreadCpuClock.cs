using System.Runtime.InteropServices;

namespace Structured.Cli.Bench;

/// <summary>
/// The CPU time the calling thread has run, for telling a slow mask from a stalled one: a mask whose wall time far
/// exceeds its thread's CPU time waited (for a core, a page, another thread) rather than computed. Linux only; elsewhere
/// <see cref="Microseconds"/> is -1.
/// </summary>
internal static partial class ThreadCpuClock
{
    private const int ClockThreadCpuTime = 3; // CLOCK_THREAD_CPUTIME_ID

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    private static readonly bool Supported = OperatingSystem.IsLinux() && Environment.Is64BitProcess;

    /// <summary>The thread's CPU time so far, in microseconds, or -1 where it cannot be read.</summary>
    public static double Microseconds()
    {
        if (!Supported || ClockGetTime(ClockThreadCpuTime, out var t) != 0) return -1;
        return t.Seconds * 1e6 + t.Nanoseconds / 1e3;
    }
}
