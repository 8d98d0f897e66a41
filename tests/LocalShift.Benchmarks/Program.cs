using LocalShift.Benchmarks;

// A small harness: `dotnet run -c Release --project tests/LocalShift.Benchmarks -- <name>`.
// Each benchmark is one IBenchmark in its own file; add it to the list below.
IBenchmark[] benchmarks = [new PolicyBenchmark(), new EdgeBenchmark(), new PgWireBenchmark(), new CopyBenchmark(), new ConsoleBenchmark(), new LambdaBenchmark(), new ExternalFunctionBenchmark(), new DataApiBenchmark(), new SpectrumBenchmark(), new S3Benchmark(), new S3ServerBenchmark(), new S3MultipartBenchmark(), new Md5LanesBenchmark()];

var name = args.FirstOrDefault();
var selected = benchmarks.FirstOrDefault(b => b.Name == name);
if (selected is null)
{
    Console.Error.WriteLine($"usage: dotnet run -c Release --project tests/LocalShift.Benchmarks -- <{string.Join("|", benchmarks.Select(b => b.Name))}> [options]");
    foreach (var b in benchmarks) Console.Error.WriteLine($"  {b.Name,-10} {b.Description}");
    return 2;
}
return selected.Run(args.Skip(1).ToArray());
