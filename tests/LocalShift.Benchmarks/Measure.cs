using System.Diagnostics;

namespace LocalShift.Benchmarks;

/// <summary>Throughput and latency helpers shared by benchmarks.</summary>
public static class Measure
{
    /// <summary>
    /// Runs <paramref name="op"/> over the inputs round-robin for about <paramref name="duration"/>; returns operations
    /// per wall-clock second and per second of CPU time used by the process. On a shared machine the second is the
    /// fair single-thread figure (the process's CPU time also counts GC and JIT threads, so it is conservative).
    /// </summary>
    public static (double PerWallSecond, double PerCpuSecond) Throughput<T>(IReadOnlyList<T> inputs, Action<T> op, TimeSpan duration)
    {
        long count = 0;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var deadline = duration.Ticks;
        while (sw.Elapsed.Ticks < deadline)
        {
            // Batches keep the clock out of the measured loop.
            for (var i = 0; i < 1024; i++) op(inputs[(int)((count + i) % inputs.Count)]);
            count += 1024;
        }
        var wall = sw.Elapsed.TotalSeconds;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        return (count / wall, count / Math.Max(cpuSeconds, 1e-9));
    }

    /// <summary>Times each of <paramref name="samples"/> single operations; returns (p50, p99) in microseconds.</summary>
    public static (double P50, double P99) Latency<T>(IReadOnlyList<T> inputs, Action<T> op, int samples)
    {
        var times = new long[samples];
        for (var i = 0; i < samples; i++)
        {
            var start = Stopwatch.GetTimestamp();
            op(inputs[i % inputs.Count]);
            times[i] = Stopwatch.GetTimestamp() - start;
        }
        Array.Sort(times);
        double Us(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;
        return (Us(times[samples / 2]), Us(times[(int)(samples * 0.99)]));
    }

    /// <summary>The repository root (the folder holding LocalShift.slnx), searched upward from here.</summary>
    public static string? RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "LocalShift.slnx"))) return dir.FullName;
        return null;
    }
}
