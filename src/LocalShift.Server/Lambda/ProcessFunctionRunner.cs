using System.Collections.Concurrent;
using LocalShift.Core;
using LocalShift.Services.Lambda;
using Microsoft.Extensions.Logging;

namespace LocalShift.Server.Lambda;

/// <summary>
/// Runs functions as processes of their runtimes: <c>nodejs*</c> on the host's <c>node</c> and <c>python3.*</c> on the
/// host's <c>python3</c> (each with LocalShift's bootstrap, <see cref="RuntimeBootstraps"/>), <c>provided.*</c> as the
/// package's own <c>bootstrap</c>. One pool of instances per function: warm instances are reused, concurrent
/// invocations start more up to <see cref="MaxInstancesPerFunction"/> (further ones wait), and every instance is killed
/// when its function changes or goes and when the server stops.
/// </summary>
public sealed class ProcessFunctionRunner : IFunctionRunner, IDisposable
{
    public const int MaxInstancesPerFunction = 10;

    private readonly string _runtimeDir;
    private readonly string _instancesDir;
    private readonly Func<string> _endpoint;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<string, FunctionPool> _pools = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string?> _programs = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <param name="lambdaDir">Where the bootstraps and the instances' temporary folders go.</param>
    /// <param name="endpoint">LocalShift's AWS endpoint, for the function's own SDK calls (known once it listens).</param>
    public ProcessFunctionRunner(string lambdaDir, Func<string> endpoint, ILogger<ProcessFunctionRunner> log)
    {
        _runtimeDir = Path.Combine(lambdaDir, "runtime");
        _instancesDir = Path.Combine(lambdaDir, "instances");
        _endpoint = endpoint;
        _log = log;
        // Leftovers of a previous run that did not stop cleanly.
        if (Directory.Exists(_instancesDir)) Directory.Delete(_instancesDir, recursive: true);
        Directory.CreateDirectory(_instancesDir);
        RuntimeBootstraps.Write(_runtimeDir);
    }

    public async Task<FunctionResult> InvokeAsync(FunctionDeployment deployment, string requestId, byte[] payload, string invokedArn, bool wantLog,
        CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var command = Command(deployment, out var initError);
        if (initError is not null) return initError;
        var pool = _pools.AddOrUpdate(deployment.Arn,
            _ => new FunctionPool(this, deployment, command!),
            (_, existing) =>
            {
                if (existing.Deployment.RevisionId == deployment.RevisionId) return existing;
                existing.Retire();
                return new FunctionPool(this, deployment, command!);
            });
        return await pool.InvokeAsync(requestId, payload, invokedArn, wantLog, cancellationToken);
    }

    public void Retire(string functionArn)
    {
        if (_pools.TryRemove(functionArn, out var pool)) pool.Retire();
    }

    /// <summary>The processes of the function's live instances (for tests that check nothing is left behind).</summary>
    public IReadOnlyList<int> ProcessIds(string functionArn) =>
        _pools.TryGetValue(functionArn, out var pool) ? pool.ProcessIds() : [];

    public void Dispose()
    {
        _disposed = true;
        foreach (var arn in _pools.Keys.ToList())
            if (_pools.TryRemove(arn, out var pool)) pool.KillAll();
    }

    /// <summary>
    /// How the function's runtime is started here. A runtime the host lacks is an error naming what to install; a
    /// custom runtime without its bootstrap fails as Lambda fails it, as the invocation's own error.
    /// </summary>
    private RuntimeCommand? Command(FunctionDeployment d, out FunctionResult? initError)
    {
        initError = null;
        if (d.Runtime.StartsWith("nodejs", StringComparison.Ordinal))
            return new RuntimeCommand(Program("node", d.Runtime, "Node.js (the `node` command; e.g. `apt-get install nodejs`)"),
                [Path.Combine(_runtimeDir, "node", "index.mjs")], WritesFlushMarker: true);
        if (d.Runtime.StartsWith("python3", StringComparison.Ordinal))
            return new RuntimeCommand(Program("python3", d.Runtime, "Python 3 (the `python3` command; e.g. `apt-get install python3`)"),
                ["-u", Path.Combine(_runtimeDir, "python", "bootstrap.py")], WritesFlushMarker: true);
        if (d.Runtime.StartsWith("provided", StringComparison.Ordinal))
        {
            var bootstrap = Path.Combine(d.TaskFolder, "bootstrap");
            if (File.Exists(bootstrap))
            {
                // Zips made without Unix permissions lose the executable bit; Lambda runs the bootstrap regardless.
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(bootstrap, File.GetUnixFileMode(bootstrap) | UnixFileMode.UserExecute);
                return new RuntimeCommand(bootstrap, [], WritesFlushMarker: false);
            }
            initError = new FunctionResult(System.Text.Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(new
            {
                errorType = "Runtime.InvalidEntrypoint",
                errorMessage = "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]",
            })), "Unhandled", "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]\n");
            return null;
        }
        throw new AwsException("InvalidRuntimeException",
            $"LocalShift does not run {d.Runtime} functions: it runs nodejs* on the host's node, python3.* on the host's python3, and provided.al2/provided.al2023 packages with their own bootstrap.", 502);
    }

    private string Program(string name, string runtime, string install) =>
        _programs.GetOrAdd(name, Find) ?? throw new AwsException("InvalidRuntimeException",
            $"LocalShift runs {runtime} functions with the host's {name}, which is not installed or not on the PATH of the LocalShift process. Install {install} and invoke again.", 502);

    private static string? Find(string name) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);

    private FunctionInstance Start(FunctionDeployment deployment, RuntimeCommand command)
    {
        var runtimeDir = Path.Combine(_runtimeDir, deployment.Runtime.StartsWith("nodejs", StringComparison.Ordinal) ? "node" : "python");
        var instance = new FunctionInstance(deployment, command, _instancesDir, _endpoint(), runtimeDir);
        _log.LogDebug("Started an instance of {Function} (pid {Pid})", deployment.Arn, instance.ProcessId);
        return instance;
    }

    /// <summary>The instances of one version of a function at one revision.</summary>
    private sealed class FunctionPool(ProcessFunctionRunner runner, FunctionDeployment deployment, RuntimeCommand command)
    {
        private readonly SemaphoreSlim _slots = new(MaxInstancesPerFunction);
        private readonly Stack<FunctionInstance> _idle = new();
        private readonly List<FunctionInstance> _all = [];
        private readonly Lock _gate = new();
        private bool _retired;

        public FunctionDeployment Deployment { get; } = deployment;

        public async Task<FunctionResult> InvokeAsync(string requestId, byte[] payload, string invokedArn, bool wantLog, CancellationToken ct)
        {
            await _slots.WaitAsync(ct);
            try
            {
                FunctionInstance? instance = null;
                lock (_gate)
                {
                    while (instance is null && _idle.TryPop(out var idle))
                    {
                        // Its role's credentials would expire during a long invocation: a fresh instance gets new ones.
                        if (!idle.Dead && idle.CredentialsExpire > DateTimeOffset.UtcNow.AddMinutes(20)) instance = idle;
                        else Drop(idle);
                    }
                }
                if (instance is null)
                {
                    instance = runner.Start(Deployment, command);
                    lock (_gate)
                    {
                        _all.Add(instance);
                        if (_retired) Drop(instance);
                    }
                }
                var result = await instance.InvokeAsync(requestId, payload, invokedArn, wantLog, ct);
                lock (_gate)
                {
                    if (_retired || instance.Dead) Drop(instance);
                    else _idle.Push(instance);
                }
                return result;
            }
            finally
            {
                _slots.Release();
            }
        }

        /// <summary>Kills the idle instances now and the busy ones as soon as their invocation ends.</summary>
        public void Retire()
        {
            lock (_gate)
            {
                _retired = true;
                while (_idle.TryPop(out var idle)) Drop(idle);
            }
        }

        /// <summary>Kills every instance, busy or not (the server is stopping).</summary>
        public void KillAll()
        {
            lock (_gate)
            {
                _retired = true;
                foreach (var i in _all.ToList()) Drop(i);
                _idle.Clear();
            }
        }

        public IReadOnlyList<int> ProcessIds()
        {
            lock (_gate) return _all.Where(i => !i.Dead).Select(i => i.ProcessId).ToList();
        }

        private void Drop(FunctionInstance instance)
        {
            instance.Kill();
            _all.Remove(instance);
        }
    }
}
