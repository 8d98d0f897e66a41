namespace LocalShift.Benchmarks;

/// <summary>One subcommand of the harness. Prints its results (ratios against a baseline run beside it) and returns an exit code.</summary>
public interface IBenchmark
{
    string Name { get; }
    string Description { get; }
    int Run(string[] args);
}
