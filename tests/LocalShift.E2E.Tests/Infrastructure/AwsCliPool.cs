using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace LocalShift.E2E.Tests.Infrastructure;

/// <summary>
/// How the tests run Debian's AWS CLI. By default through <see cref="AwsCliPool"/>: the same awscli code as
/// <c>/usr/bin/aws</c>, in warm Python processes. <c>LOCALSHIFT_TEST_AWS=process</c> starts <c>/usr/bin/aws</c> for
/// every call instead.
/// </summary>
public static class AwsCli
{
    public static bool UsesProcesses { get; } = Environment.GetEnvironmentVariable("LOCALSHIFT_TEST_AWS") switch
    {
        null or "" or "pool" => false,
        "process" => true,
        var other => throw new InvalidOperationException($"LOCALSHIFT_TEST_AWS={other}: use 'pool' (the default) or 'process'."),
    };

    /// <summary>Runs <c>aws ARGS</c>; the same arguments, results and timeout as <see cref="ProcessRunner.RunAsync"/>.</summary>
    public static Task<CommandResult> RunAsync(IReadOnlyList<string> args, IDictionary<string, string?>? env = null,
        string? workingDirectory = null, TimeSpan? timeout = null, string? stdin = null) =>
        UsesProcesses
            ? RunProcessAsync(args, env, workingDirectory, timeout, stdin)
            : AwsCliPool.RunAsync(args, env, workingDirectory, timeout, stdin);

    /// <summary>Always a real <c>/usr/bin/aws</c> process, for the tests that keep the CLI exactly as a user starts it.</summary>
    public static Task<CommandResult> RunProcessAsync(IReadOnlyList<string> args, IDictionary<string, string?>? env = null,
        string? workingDirectory = null, TimeSpan? timeout = null, string? stdin = null) =>
        ProcessRunner.RunAsync(RepoPaths.AwsCli, args, env, workingDirectory, timeout, stdin);
}

/// <summary>
/// A few long-lived Python processes (Infrastructure/aws_worker.py, run by the interpreter /usr/bin/aws names) that
/// each run one AWS CLI command at a time through awscli's own entry point, with the environment, working directory,
/// stdin and file descriptors a new <c>aws</c> process would have. Python's start-up and awscli's imports, half a
/// second of CPU per <c>aws</c> process, are paid once per worker. A caller never waits for another's command: with no
/// idle worker it starts one more, and at most <see cref="Size"/> idle ones are kept. A worker that times out is
/// killed; one that dies is dropped; either is replaced when next needed. All are killed when the test host exits.
/// </summary>
public static class AwsCliPool
{
    /// <summary>Idle workers kept warm: the test host runs two test classes at a time.</summary>
    private const int Size = 3;
    /// <summary>A worker retires after this many commands, so no slow growth inside awscli outlives a few classes.</summary>
    private const int CommandsPerWorker = 500;

    private static readonly ConcurrentStack<Worker> Idle = new();
    private static readonly ConcurrentDictionary<Worker, bool> Live = new();

    static AwsCliPool()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var w in Live.Keys) w.Kill();
        };
    }

    public static async Task<CommandResult> RunAsync(IReadOnlyList<string> args, IDictionary<string, string?>? env = null,
        string? workingDirectory = null, TimeSpan? timeout = null, string? stdin = null)
    {
        var request = JsonSerializer.Serialize(new
        {
            args,
            env = FullEnvironment(env),
            cwd = workingDirectory ?? RepoPaths.Root,
            stdin,
        });
        var worker = Idle.TryPop(out var idle) ? idle : await Worker.StartAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            var result = await worker.RunAsync(request, cts.Token);
            if (worker.Alive && worker.Served < CommandsPerWorker && Idle.Count < Size) Idle.Push(worker);
            else worker.Kill();
            return result;
        }
        catch (OperationCanceledException)
        {
            worker.Kill();
            throw new TimeoutException($"{RepoPaths.AwsCli} {string.Join(' ', args)} did not finish in time.");
        }
        catch
        {
            worker.Kill();
            throw;
        }
    }

    /// <summary>What a child process would get: this process's environment with the caller's changes (null removes).</summary>
    private static Dictionary<string, string> FullEnvironment(IDictionary<string, string?>? changes)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
            env[(string)e.Key] = (string?)e.Value ?? "";
        if (changes is not null)
            foreach (var (k, v) in changes)
            {
                if (v is null) env.Remove(k);
                else env[k] = v;
            }
        return env;
    }

    private sealed class Worker
    {
        private static readonly string Script = Path.Combine(RepoPaths.Root, "tests", "LocalShift.E2E.Tests", "Infrastructure", "aws_worker.py");
        private readonly Process _process;
        private readonly StringBuilder _stderr = new();

        private Worker(Process process) => _process = process;

        public int Served { get; private set; }
        public bool Alive => !_process.HasExited;

        public static async Task<Worker> StartAsync()
        {
            var psi = new ProcessStartInfo(RepoPaths.AwsCliPython)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = RepoPaths.Root,
                StandardInputEncoding = new UTF8Encoding(false),
                StandardOutputEncoding = Encoding.UTF8,
            };
            psi.ArgumentList.Add(Script);
            var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {psi.FileName}");
            var worker = new Worker(process);
            Live[worker] = true;
            process.ErrorDataReceived += (_, e) => worker.OnStderr(e.Data);
            process.BeginErrorReadLine();
            using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            string? ready;
            try { ready = await process.StandardOutput.ReadLineAsync(cts.Token); }
            catch (OperationCanceledException) { ready = null; }
            if (ready is null || !ready.Contains("ready", StringComparison.Ordinal))
            {
                worker.Kill();
                throw new InvalidOperationException($"aws_worker.py did not start: {ready}\n{worker.Stderr}");
            }
            return worker;
        }

        public async Task<CommandResult> RunAsync(string request, CancellationToken ct)
        {
            Served++;
            await _process.StandardInput.WriteLineAsync(request.AsMemory(), ct);
            await _process.StandardInput.FlushAsync(ct);
            var line = await _process.StandardOutput.ReadLineAsync(ct);
            if (line is null)
            {
                // The command ended the interpreter itself (os._exit, a crash): report it as that process's exit.
                await _process.WaitForExitAsync(ct);
                return new CommandResult(_process.ExitCode, "", Stderr);
            }
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            if (r.TryGetProperty("error", out var error))
                throw new InvalidOperationException($"aws_worker.py could not run the command: {error.GetString()}");
            return new CommandResult(r.GetProperty("exit").GetInt32(), r.GetProperty("stdout").GetString()!, r.GetProperty("stderr").GetString()!);
        }

        private string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

        private void OnStderr(string? line)
        {
            if (line is null) return;
            lock (_stderr)
            {
                if (_stderr.Length > 64 * 1024) _stderr.Remove(0, _stderr.Length / 2);
                _stderr.AppendLine(line);
            }
        }

        public void Kill()
        {
            Live.TryRemove(this, out _);
            try
            {
                if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException) { }
            _process.Dispose();
        }
    }
}
