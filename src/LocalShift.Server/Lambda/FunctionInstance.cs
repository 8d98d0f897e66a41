using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using LocalShift.Services.Lambda;

namespace LocalShift.Server.Lambda;

/// <summary>How an instance's process is started: the program, its arguments, and whether it marks log flushes.</summary>
internal sealed record RuntimeCommand(string Program, IReadOnlyList<string> Arguments, bool WritesFlushMarker);

/// <summary>
/// One execution environment of a function: a real process of its runtime with its own Runtime API port. It runs one
/// invocation at a time; the pool hands it the next one. Its stdout and stderr are the function's log, cut per
/// invocation between Lambda's START and END/REPORT lines. A time-out or a crash kills it; the pool starts another.
/// </summary>
internal sealed class FunctionInstance
{
    /// <summary>
    /// The line LocalShift's own bootstraps print just before they post a result, so that every line the function
    /// printed before it is in this invocation's log (the pipes and the Runtime API's socket race otherwise).
    /// </summary>
    public const string FlushMarker = "\u001fLOCALSHIFT-LOG-FLUSH";

    /// <summary>
    /// The header LocalShift's own bootstraps add to a posted result when the function printed nothing since their last
    /// flush marker: then they write no marker, and the invocation's log is complete as it stands.
    /// </summary>
    public const string QuietHeader = "LocalShift-Log-Quiet";

    /// <summary>Lambda's limit on a function's init phase (not counted in its Timeout).</summary>
    private static readonly TimeSpan InitLimit = TimeSpan.FromSeconds(10);

    private readonly FunctionDeployment _deployment;
    private readonly RuntimeCommand _command;
    // The runtime's pending GET …/invocation/next is answered on the invoking thread: no thread-pool hop to hand over.
    private readonly Channel<Invocation> _queue = Channel.CreateBounded<Invocation>(new BoundedChannelOptions(1) { AllowSynchronousContinuations = true });
    private readonly Lock _gate = new();
    private readonly StringBuilder _outside = new();
    private readonly CancellationTokenSource _life = new();
    private readonly Stopwatch _sinceStart = Stopwatch.StartNew();
    private readonly RuntimeApiListener _api;
    private readonly Process _process;
    private readonly string _tmp;
    private Invocation? _current;
    private double? _initMs;
    private byte[]? _initError;

    public FunctionInstance(FunctionDeployment deployment, RuntimeCommand command, string instancesDir, string endpoint, string runtimeDir)
    {
        _deployment = deployment;
        _command = command;
        var session = deployment.Credentials();
        CredentialsExpire = session.Expiration;
        _api = new RuntimeApiListener(HandleAsync);
        _tmp = Path.Combine(instancesDir, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_tmp);

        var start = new ProcessStartInfo(command.Program)
        {
            WorkingDirectory = deployment.TaskFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in command.Arguments) start.ArgumentList.Add(a);
        start.Environment.Clear();
        var env = start.Environment;
        env["PATH"] = System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        env["LANG"] = "en_US.UTF-8";
        env["TZ"] = ":UTC";
        env["TMPDIR"] = _tmp;
        env["NODE_PATH"] = deployment.TaskFolder;
        env["PYTHONUNBUFFERED"] = "1";
        env["PYTHONDONTWRITEBYTECODE"] = "1";
        foreach (var (k, v) in deployment.Variables) env[k] = v;
        env["_HANDLER"] = deployment.Handler;
        env["LAMBDA_TASK_ROOT"] = deployment.TaskFolder;
        env["LAMBDA_RUNTIME_DIR"] = runtimeDir;
        env["AWS_EXECUTION_ENV"] = "AWS_Lambda_" + deployment.Runtime;
        env["AWS_LAMBDA_FUNCTION_NAME"] = deployment.Name;
        env["AWS_LAMBDA_FUNCTION_VERSION"] = deployment.Version;
        env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = deployment.MemorySize.ToString(CultureInfo.InvariantCulture);
        env["AWS_LAMBDA_INITIALIZATION_TYPE"] = "on-demand";
        env["AWS_LAMBDA_LOG_GROUP_NAME"] = "/aws/lambda/" + deployment.Name;
        env["AWS_LAMBDA_LOG_STREAM_NAME"] = $"{DateTime.UtcNow:yyyy/MM/dd}/[{deployment.Version}]{Guid.NewGuid():N}";
        env["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:" + _api.Port.ToString(CultureInfo.InvariantCulture);
        env["AWS_REGION"] = deployment.Region;
        env["AWS_DEFAULT_REGION"] = deployment.Region;
        env["AWS_ACCESS_KEY_ID"] = session.AccessKeyId;
        env["AWS_SECRET_ACCESS_KEY"] = session.SecretAccessKey;
        env["AWS_SESSION_TOKEN"] = session.SessionToken;
        env["AWS_ENDPOINT_URL"] = endpoint;

        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.Exited += (_, _) => OnExit();
        try
        {
            _process.Start();
        }
        catch (Exception)
        {
            _api.Dispose();
            throw;
        }
        _process.StandardInput.Close();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public bool Dead { get; private set; }
    public DateTimeOffset CredentialsExpire { get; }
    public int ProcessId => _process.Id;

    /// <summary>
    /// Runs one invocation on this instance; every outcome is a result. Without <paramref name="wantLog"/> the result's
    /// log is empty (its END and REPORT lines are not written, the process's peak memory is not read).
    /// </summary>
    public async Task<FunctionResult> InvokeAsync(string requestId, byte[] payload, string invokedArn, bool wantLog, CancellationToken ct)
    {
        var invocation = new Invocation(requestId, payload, invokedArn, cold: _initMs is null);
        using var timer = new CancellationTokenSource(InitLimit + TimeSpan.FromSeconds(_deployment.Timeout));
        invocation.Timer = timer;
        await using var timeout = timer.Token.Register(() => Complete(invocation, Outcome.TimedOut));
        await using var abandoned = ct.Register(() => ThreadPool.UnsafeQueueUserWorkItem(_ => invocation.Done.TrySetCanceled(ct), null));
        if (Dead || !_queue.Writer.TryWrite(invocation))
            invocation.Done.TrySetResult(ExitOutcome(invocation));

        Outcome outcome;
        try
        {
            outcome = await invocation.Done.Task;
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw;
        }
        if (outcome.Kind == OutcomeKind.TimedOut)
        {
            Kill();
            var seconds = _deployment.Timeout.ToString("0.00", CultureInfo.InvariantCulture);
            lock (_gate) invocation.Log.Append(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:yyyy-MM-dd'T'HH:mm:ss.fff'Z'} {requestId} Task timed out after {seconds} seconds\n");
            outcome = new Outcome(OutcomeKind.Error, Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
            {
                errorType = "Sandbox.Timedout",
                errorMessage = $"RequestId: {requestId} Error: Task timed out after {seconds} seconds",
            })));
        }
        else if (_command.WritesFlushMarker && !Dead && !invocation.Flushed.Task.IsCompleted)
        {
            // Waited for even when the log is not wanted: the next invocation's log must not begin with this one's
            // last lines. An invocation that printed nothing has no marker to wait for (its result says so).
            await Task.WhenAny(invocation.Flushed.Task, Task.Delay(TimeSpan.FromMilliseconds(500), CancellationToken.None));
        }

        string log;
        lock (_gate)
        {
            if (_current == invocation) _current = null;
            if (!wantLog) log = "";
            else
            {
            var ms = invocation.Started is { } s ? s.Elapsed.TotalMilliseconds : 0;
            invocation.Log.Append(CultureInfo.InvariantCulture, $"END RequestId: {requestId}\n");
            invocation.Log.Append(CultureInfo.InvariantCulture,
                $"REPORT RequestId: {requestId}\tDuration: {ms:0.00} ms\tBilled Duration: {Math.Max(1, Math.Ceiling(ms)):0} ms\tMemory Size: {_deployment.MemorySize} MB\tMax Memory Used: {MaxMemoryMb()} MB\t");
            if (invocation.Cold && _initMs is { } init) invocation.Log.Append(CultureInfo.InvariantCulture, $"Init Duration: {init:0.00} ms\t");
            invocation.Log.Append('\n');
            log = invocation.Log.ToString();
            }
        }
        if (outcome.Payload.Length > LambdaService.MaxPayload)
            outcome = new Outcome(OutcomeKind.Error, Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
            {
                errorType = "Function.ResponseSizeTooLarge",
                // unverified: AWS's exact text.
                errorMessage = $"Response payload size exceeded maximum allowed payload size ({LambdaService.MaxPayload} bytes).",
            })));
        return new FunctionResult(outcome.Payload, outcome.Kind == OutcomeKind.Response ? null : "Unhandled", log);
    }

    private async Task<RuntimeReply> HandleAsync(RuntimeRequest r, CancellationToken ct)
    {
        const string prefix = "/2018-06-01/runtime/";
        if (!r.Path.StartsWith(prefix, StringComparison.Ordinal)) return NotFound();
        var rest = r.Path[prefix.Length..];
        if (r.Method == "GET" && rest == "invocation/next")
        {
            Invocation next;
            try
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _life.Token);
                next = await _queue.Reader.ReadAsync(linked.Token);
            }
            catch (OperationCanceledException)
            {
                return RuntimeReply.Json(410, """{"errorMessage":"The function instance is stopping.","errorType":"InstanceStopping"}""");
            }
            Deliver(next);
            var deadline = DateTimeOffset.UtcNow.AddSeconds(_deployment.Timeout).ToUnixTimeMilliseconds();
            return new RuntimeReply(200,
            [
                new("Lambda-Runtime-Aws-Request-Id", next.RequestId),
                new("Lambda-Runtime-Deadline-Ms", deadline.ToString(CultureInfo.InvariantCulture)),
                new("Lambda-Runtime-Invoked-Function-Arn", next.InvokedArn),
                new("Lambda-Runtime-Trace-Id", $"Root=1-{DateTimeOffset.UtcNow.ToUnixTimeSeconds():x8}-{Guid.NewGuid().ToString("N")[..24]};Sampled=0"),
            ], next.Payload);
        }
        if (r.Method == "POST" && rest == "init/error")
        {
            byte[] initError;
            lock (_gate) initError = _initError = ErrorDocument(r);
            if (_queue.Reader.TryRead(out var waiting)) Complete(waiting, new Outcome(OutcomeKind.Error, initError));
            return Accepted();
        }
        if (r.Method == "POST" && rest.StartsWith("invocation/", StringComparison.Ordinal))
        {
            var parts = rest.Split('/');
            if (parts.Length != 3 || parts[2] is not ("response" or "error")) return NotFound();
            Invocation? current;
            lock (_gate) current = _current;
            if (current is null || current.RequestId != parts[1])
                return RuntimeReply.Json(400, """{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}""");
            var outcome = parts[2] == "response" ? new Outcome(OutcomeKind.Response, r.Body) : new Outcome(OutcomeKind.Error, ErrorDocument(r));
            if (r.Headers.ContainsKey(QuietHeader)) current.Flushed.TrySetResult();
            // Handed over once the runtime has its 202, on this thread: the invoker goes on without a thread-pool hop.
            return Accepted() with { After = () => current.Done.TrySetResult(outcome) };
        }
        return NotFound();
    }

    /// <summary>Ends an invocation from a timer, an exit or an init error: its invoker continues on the thread pool.</summary>
    private static void Complete(Invocation invocation, Outcome outcome) =>
        ThreadPool.UnsafeQueueUserWorkItem(_ => invocation.Done.TrySetResult(outcome), null);

    private static RuntimeReply Accepted() => RuntimeReply.Json(202, """{"status":"OK"}""");

    private static RuntimeReply NotFound() =>
        RuntimeReply.Json(404, """{"errorMessage":"No Runtime API path of this name.","errorType":"InvalidRequest"}""");

    private void Deliver(Invocation invocation)
    {
        lock (_gate)
        {
            _initMs ??= _sinceStart.Elapsed.TotalMilliseconds;
            _current = invocation;
            invocation.Log.Append(_outside);
            _outside.Clear();
            invocation.Log.Append(CultureInfo.InvariantCulture, $"START RequestId: {invocation.RequestId} Version: {_deployment.Version}\n");
            invocation.Started = Stopwatch.StartNew();
        }
        try
        {
            invocation.Timer?.CancelAfter(TimeSpan.FromSeconds(_deployment.Timeout));
        }
        catch (ObjectDisposedException) { }
    }

    /// <summary>A function error as posted: the body when it is a document, else one made from the error type header.</summary>
    private static byte[] ErrorDocument(RuntimeRequest r)
    {
        if (r.Body.Length > 0) return r.Body;
        var type = r.Headers.TryGetValue("Lambda-Runtime-Function-Error-Type", out var t) ? t : "Unhandled";
        return Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { errorMessage = type, errorType = type }));
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_gate)
        {
            if (line == FlushMarker)
            {
                _current?.Flushed.TrySetResult();
                return;
            }
            var log = _current?.Log ?? _outside;
            // An instance that prints without end keeps only its recent output between invocations.
            if (_current is null && _outside.Length > 64 * 1024) _outside.Remove(0, _outside.Length - 32 * 1024);
            log.Append(line).Append('\n');
        }
    }

    private void OnExit()
    {
        Dead = true;
        _life.Cancel();
        int code;
        try { code = _process.ExitCode; } catch (InvalidOperationException) { code = -1; }
        Invocation? current;
        lock (_gate) current = _current;
        if (current is not null) Complete(current, ExitOutcome(current, code));
        if (_queue.Reader.TryRead(out var waiting)) Complete(waiting, ExitOutcome(waiting, code));
    }

    private Outcome ExitOutcome(Invocation invocation, int code = -1)
    {
        byte[]? initError;
        lock (_gate) initError = _initError;
        if (initError is not null) return new Outcome(OutcomeKind.Error, initError);
        return new Outcome(OutcomeKind.Error, Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            errorType = "Runtime.ExitError",
            errorMessage = $"RequestId: {invocation.RequestId} Error: Runtime exited with error: exit status {code}",
        })));
    }

    /// <summary>The process's peak resident memory, as REPORT's Max Memory Used.</summary>
    private int MaxMemoryMb()
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return (int)Math.Ceiling(long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException) { }
        return 0;
    }

    /// <summary>Stops the process (and any it started) and the Runtime API port; idempotent.</summary>
    public void Kill()
    {
        Dead = true;
        _life.Cancel();
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception) { }
        _api.Dispose();
        try { Directory.Delete(_tmp, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private enum OutcomeKind { Response, Error, TimedOut }

    private sealed record Outcome(OutcomeKind Kind, byte[] Payload)
    {
        public static readonly Outcome TimedOut = new(OutcomeKind.TimedOut, []);
    }

    private sealed class Invocation(string requestId, byte[] payload, string invokedArn, bool cold)
    {
        public string RequestId { get; } = requestId;
        public byte[] Payload { get; } = payload;
        public string InvokedArn { get; } = invokedArn;
        public bool Cold { get; } = cold;
        public StringBuilder Log { get; } = new();
        public Stopwatch? Started { get; set; }
        public CancellationTokenSource? Timer { get; set; }
        /// <summary>
        /// Completed inline only by the Runtime API after its answer is written; every other completion (time-out,
        /// exit, init error) goes through <see cref="Complete"/>, off the thread that noticed it.
        /// </summary>
        public TaskCompletionSource<Outcome> Done { get; } = new();
        public TaskCompletionSource Flushed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
