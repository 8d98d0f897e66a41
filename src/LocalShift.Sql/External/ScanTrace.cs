using System.Diagnostics;
using System.Text;

namespace LocalShift.Sql.External;

/// <summary>
/// A debug switch for profiling statements over external tables: with <c>LOCALSHIFT_TRACE_SPECTRUM=1</c> in the
/// server's environment, each step of a scan's preparation (role session, catalog calls, listing, reads, staging,
/// the engine's check) is timed and one line per phase (Parse, Describe, Execute) is written to standard error.
/// Off (the default), every call is a check of one static field.
/// </summary>
internal static class ScanTrace
{
    public static readonly bool Enabled = Environment.GetEnvironmentVariable("LOCALSHIFT_TRACE_SPECTRUM") == "1";

    [ThreadStatic] private static StringBuilder? _line;
    [ThreadStatic] private static long _last;

    /// <summary>Starts a phase's line (writing the one before, if any).</summary>
    public static void Begin(string phase)
    {
        if (!Enabled) return;
        End();
        _line = new StringBuilder("spectrum-trace ").Append(phase).Append(':');
        _last = Stopwatch.GetTimestamp();
    }

    /// <summary>The time since the previous mark, under <paramref name="step"/>.</summary>
    public static void Mark(string step)
    {
        if (!Enabled || _line is null) return;
        var now = Stopwatch.GetTimestamp();
        _line.Append(' ').Append(step).Append('=').Append(Stopwatch.GetElapsedTime(_last, now).TotalMilliseconds.ToString("F3", System.Globalization.CultureInfo.InvariantCulture));
        _last = now;
    }

    /// <summary>Writes the phase's line.</summary>
    public static void End()
    {
        if (!Enabled || _line is null) return;
        Console.Error.WriteLine(_line.ToString());
        _line = null;
    }
}
