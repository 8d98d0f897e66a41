using System.Diagnostics;
using System.Security.Cryptography;
using LocalShift.Storage.Objects;

namespace LocalShift.Benchmarks;

/// <summary>
/// MD5 of eight 1 MiB bodies side by side in the lanes of <see cref="Md5Lanes"/> (the shared PUT hasher's kernel)
/// against the platform's <see cref="MD5.HashData(ReadOnlySpan{byte})"/> of the same eight bodies one after the other,
/// alternately in one run, on one thread: MB/s of each and the ratio.
/// </summary>
public sealed class Md5LanesBenchmark : IBenchmark
{
    public string Name => "md5lanes";
    public string Description => "MD5 of 8 x 1 MiB in AVX2 lanes vs MD5.HashData, one thread: [rounds] [lanes 1-8] [chunk KiB]";

    public int Run(string[] args)
    {
        var rounds = args.Length > 0 ? int.Parse(args[0]) : 7;
        var lanes = args.Length > 1 ? int.Parse(args[1]) : 8;
        var chunk = (args.Length > 2 ? int.Parse(args[2]) : 256) * 1024;
        const int size = 1 << 20;
        var bodies = Enumerable.Range(0, lanes).Select(i => { var b = new byte[size]; new Random(i).NextBytes(b); return b; }).ToArray();
        var expected = bodies.Select(MD5.HashData).ToArray();
        Console.WriteLine($"md5lanes: {lanes} x 1 MiB, chunks of {chunk / 1024} KiB, vectorized={Md5Lanes.Vectorized}, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        double Lanes()
        {
            var sw = Stopwatch.StartNew();
            var states = Enumerable.Range(0, lanes).Select(_ => new Md5State()).ToArray();
            for (var at = 0; at < size; at += chunk)
                Md5Lanes.Update(states, bodies.Select(b => (ReadOnlyMemory<byte>)b.AsMemory(at, Math.Min(chunk, size - at))).ToArray());
            for (var i = 0; i < lanes; i++)
                if (!Md5Lanes.Finish(states[i]).AsSpan().SequenceEqual(expected[i])) throw new InvalidOperationException("lane digest differs");
            return lanes * (double)size / sw.Elapsed.TotalSeconds / 1e6;
        }
        double Platform()
        {
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < lanes; i++)
                if (!MD5.HashData(bodies[i]).AsSpan().SequenceEqual(expected[i])) throw new InvalidOperationException();
            return lanes * (double)size / sw.Elapsed.TotalSeconds / 1e6;
        }
        for (var w = 0; w < 20; w++) { Lanes(); Platform(); }
        var ratios = new List<double>();
        for (var r = 0; r < rounds; r++)
        {
            var p = Platform();
            var l = Lanes();
            ratios.Add(l / p);
            Console.WriteLine($"  round {r + 1}: lanes {l,7:F0} MB/s   MD5.HashData {p,7:F0} MB/s   ratio {l / p:F2}");
        }
        ratios.Sort();
        Console.WriteLine($"median ratio lanes/HashData: {ratios[ratios.Count / 2]:F2}  (load {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
        return 0;
    }
}
