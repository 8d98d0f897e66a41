using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using LocalShift.Core;
using LocalShift.Sql.External;

namespace LocalShift.Sql.Tests.ExternalFunctions;

/// <summary>
/// A stand-in for LocalShift's Lambda until the Lambda service is wired to external functions: each registered
/// function is a Node.js handler file (<c>exports.handler = async (event) => …</c>, written like the Redshift
/// documentation's examples) run by the host's real <c>node</c>. By default one process per invocation, fed the payload
/// on stdin; <see cref="Persistent"/> keeps one process per function that reads one payload per line (the benchmark's
/// mode, which the bare driver uses too). A function error comes back as Lambda's Unhandled with
/// <c>errorMessage</c>/<c>errorType</c>; a handler running past <see cref="Timeout"/> is killed as Lambda does.
/// Lambda's own authorization is not emulated here: <see cref="Denied"/> names principals refused with Lambda's text.
/// </summary>
public sealed class NodeFunctionInvoker : IFunctionInvoker, IDisposable
{
    private readonly ConcurrentDictionary<string, string> _handlers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PersistentNode> _running = new(StringComparer.Ordinal);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "localshift-node-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly string _driver;
    private int _throttles;

    public NodeFunctionInvoker(bool persistent = false)
    {
        Persistent = persistent;
        Directory.CreateDirectory(_folder);
        _driver = Path.Combine(_folder, "driver.js");
        File.WriteAllText(_driver, Driver);
    }

    public bool Persistent { get; }

    /// <summary>How long a handler may run before it is stopped with Lambda's "Task timed out" error.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Role session ARNs Lambda refuses (AccessDeniedException).</summary>
    public ConcurrentDictionary<string, bool> Denied { get; } = new(StringComparer.Ordinal);

    /// <summary>Every invocation: the caller's ARN, the function and the payload as sent.</summary>
    public ConcurrentQueue<(string Caller, string Function, string Payload)> Invocations { get; } = new();

    /// <summary>The next this many invocations answer TooManyRequestsException, as a throttled Lambda does.</summary>
    public void Throttle(int invocations) => Interlocked.Exchange(ref _throttles, invocations);

    /// <summary>Registers a function by name; its handler is this JavaScript module's text.</summary>
    public void Define(string name, string handlerSource)
    {
        var file = Path.Combine(_folder, name + "-" + Guid.NewGuid().ToString("N")[..8] + ".js");
        File.WriteAllText(file, handlerSource);
        _handlers[name] = file;
        if (_running.TryRemove(name, out var old)) old.Dispose();
    }

    public async Task<FunctionInvocation> InvokeAsAsync(Principal caller, string region, string functionNameOrArn, ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        var name = functionNameOrArn.StartsWith("arn:", StringComparison.Ordinal) ? functionNameOrArn.Split(':')[6] : functionNameOrArn;
        var arn = $"arn:aws:lambda:{region}:{caller.AccountId}:function:{name}";
        Invocations.Enqueue((caller.Arn, name, Encoding.UTF8.GetString(payload.Span)));
        if (Interlocked.Decrement(ref _throttles) >= 0) throw new AwsException("TooManyRequestsException", "Rate Exceeded.", 429);
        if (Denied.ContainsKey(caller.Arn))
            throw new AwsException("AccessDeniedException",
                $"User: {caller.Arn} is not authorized to perform: lambda:InvokeFunction on resource: {arn} because no identity-based policy allows the lambda:InvokeFunction action", 403);
        if (!_handlers.TryGetValue(name, out var handler)) throw new AwsException("ResourceNotFoundException", $"Function not found: {arn}", 404);
        var line = Persistent
            ? await _running.GetOrAdd(name, _ => new PersistentNode(_driver, handler, name)).InvokeAsync(payload, ct)
            : await RunOnceAsync(handler, name, payload, ct);
        using var answer = JsonDocument.Parse(line);
        if (answer.RootElement.TryGetProperty("error", out var error))
            return new FunctionInvocation(200, "Unhandled", Encoding.UTF8.GetBytes(error.GetRawText()));
        return new FunctionInvocation(200, null, Encoding.UTF8.GetBytes(answer.RootElement.GetProperty("ok").GetRawText()));
    }

    private async Task<string> RunOnceAsync(string handler, string name, ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        var psi = new ProcessStartInfo("node") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(_driver);
        psi.ArgumentList.Add(handler);
        psi.ArgumentList.Add(name);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.StandardInput.BaseStream.WriteAsync(payload, ct);
        process.StandardInput.Close();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            ct.ThrowIfCancellationRequested();
            return JsonSerializer.Serialize(new { error = new { errorMessage = $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} Task timed out after {Timeout.TotalSeconds:0.00} seconds" } });
        }
        var output = (await stdout).Trim();
        return output.Length > 0 ? output : JsonSerializer.Serialize(new { error = new { errorType = "Runtime.ExitError", errorMessage = "node exited: " + await stderr } });
    }

    public void Dispose()
    {
        foreach (var node in _running.Values) node.Dispose();
        try { Directory.Delete(_folder, recursive: true); }
        catch (IOException) { }
    }

    /// <summary>One warm node process of a function: one payload per line in, one answer per line out, one at a time.</summary>
    private sealed class PersistentNode : IDisposable
    {
        private readonly Process _process;
        private readonly SemaphoreSlim _gate = new(1, 1);

        public PersistentNode(string driver, string handler, string name)
        {
            var psi = new ProcessStartInfo("node") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = false, UseShellExecute = false };
            psi.ArgumentList.Add(driver);
            psi.ArgumentList.Add(handler);
            psi.ArgumentList.Add(name);
            psi.ArgumentList.Add("--lines");
            _process = Process.Start(psi)!;
        }

        public async Task<string> InvokeAsync(ReadOnlyMemory<byte> payload, CancellationToken ct)
        {
            await _gate.WaitAsync(ct);
            try
            {
                await _process.StandardInput.BaseStream.WriteAsync(payload, ct);
                await _process.StandardInput.BaseStream.WriteAsync("\n"u8.ToArray(), ct);
                await _process.StandardInput.BaseStream.FlushAsync(ct);
                return await _process.StandardOutput.ReadLineAsync(ct) ?? throw new IOException("node exited");
            }
            finally
            {
                _gate.Release();
            }
        }

        public void Dispose()
        {
            try { _process.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { }
            _process.Dispose();
        }
    }

    /// <summary>
    /// Runs a handler the way a Lambda runtime does (event, context; async or not), its console output to stderr, and
    /// answers <c>{"ok": result}</c> or <c>{"error": {"errorType", "errorMessage"}}</c>.
    /// </summary>
    public const string Driver = """
        const handler = require(process.argv[2]).handler;
        const context = { functionName: process.argv[3], awsRequestId: '' };
        console.log = console.info = console.warn = (...a) => process.stderr.write(a.join(' ') + '\n');
        async function one(text) {
          try {
            const result = await handler(JSON.parse(text), context);
            return JSON.stringify({ ok: result === undefined ? null : result });
          } catch (e) {
            return JSON.stringify({ error: { errorType: (e && e.name) || 'Error', errorMessage: (e && e.message) || String(e) } });
          }
        }
        if (process.argv[4] === '--lines') {
          const lines = require('readline').createInterface({ input: process.stdin });
          const queue = [];
          let busy = false;
          lines.on('line', line => { queue.push(line); pump(); });
          async function pump() {
            if (busy) return;
            busy = true;
            while (queue.length) process.stdout.write(await one(queue.shift()) + '\n');
            busy = false;
          }
        } else {
          const chunks = [];
          process.stdin.on('data', c => chunks.push(c));
          process.stdin.on('end', async () => process.stdout.write(await one(Buffer.concat(chunks).toString('utf8'))));
        }
        """;
}
