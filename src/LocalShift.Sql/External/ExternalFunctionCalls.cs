using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using LocalShift.Core;
using LocalShift.Engine;

namespace LocalShift.Sql.External;

/// <summary>
/// What one statement's external-function calls run with: each function it calls, the role session the role path
/// gave for it, and the request's header. Registered under a random token the rewritten statement passes to the host
/// function (<see cref="ExternalFunctionCalls.HostFunction"/>), released when the next statement starts.
/// </summary>
public sealed class StatementCalls(IReadOnlyList<ExternalFunction> functions, IReadOnlyList<Principal?> callers, IReadOnlyList<BatchHeader> headers,
    string region, IFunctionInvoker? invoker, CancellationToken cancellation)
{
    public string Token { get; } = Guid.NewGuid().ToString("N");
    public IReadOnlyList<ExternalFunction> Functions => functions;
    internal IReadOnlyList<Principal?> Callers => callers;
    internal IReadOnlyList<BatchHeader> Headers => headers;
    internal string Region => region;
    internal IFunctionInvoker? Invoker => invoker;
    internal CancellationToken Cancellation => cancellation;

    private readonly LambdaBatch.RequestWriter?[] _writers = new LambdaBatch.RequestWriter?[headers.Count];

    /// <summary>The request writer of the statement's <paramref name="index"/>th function (its header encoded once).</summary>
    internal LambdaBatch.RequestWriter Writer(int index) => _writers[index] ??= new LambdaBatch.RequestWriter(headers[index]);

    /// <summary>Batches sent and the time LocalShift spent on them outside the function (building, parsing), for the benchmark.</summary>
    public long Batches => Interlocked.Read(ref _batches);
    public TimeSpan OwnTime => TimeSpan.FromTicks(Interlocked.Read(ref _ownTicks));
    private long _batches, _ownTicks;
    internal void Count(long ownTicks)
    {
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _ownTicks, ownTicks);
    }
}

/// <summary>
/// The engine's side of external functions: one host function, <c>ls_external_function(token, index, arguments)</c>,
/// that a statement's calls are rewritten to. The engine hands it a chunk of rows at a time; it groups them into
/// Redshift's batches (MAX_BATCH_ROWS, MAX_BATCH_SIZE), invokes the Lambda function once per batch as the role session,
/// and gives back each row's result in order.
/// </summary>
public static class ExternalFunctionCalls
{
    public const string HostFunction = "ls_external_function";

    /// <summary>Batches of one chunk invoked at once (a chunk holds up to 2048 rows).</summary>
    private const int Parallelism = 4;

    private static readonly ConcurrentDictionary<string, StatementCalls> Statements = new(StringComparer.Ordinal);

    private static long _totalBatches, _totalOwnTicks;

    /// <summary>Every batch sent since the process started and LocalShift's own time on them (building, parsing), for the benchmark.</summary>
    public static (long Batches, TimeSpan OwnTime) Totals => (Interlocked.Read(ref _totalBatches), TimeSpan.FromTicks(Interlocked.Read(ref _totalOwnTicks)));

    public static void Register(StatementCalls calls) => Statements[calls.Token] = calls;

    public static void Release(StatementCalls calls) => Statements.TryRemove(calls.Token, out _);

    /// <summary>The host function's body: columns are the tokens, the function indexes and each row's argument array.</summary>
    public static string?[] Run(string?[][] columns)
    {
        var rows = columns[2].Length;
        var results = new string?[rows];
        if (rows == 0) return results;
        // One call site per chunk in practice (then its arguments are taken as they are); grouped when not.
        var single = true;
        for (var i = 1; i < rows && single; i++) single = columns[0][i] == columns[0][0] && columns[1][i] == columns[1][0];
        if (single && !columns[2].Contains(null))
        {
            var calls = Find(columns[0][0], columns[1][0], out var n);
            return RunFunction(calls, n, columns[2]!);
        }
        foreach (var group in Enumerable.Range(0, rows).GroupBy(i => (columns[0][i], columns[1][i])))
        {
            var (token, index) = group.Key;
            var calls = Find(token, index, out var n);
            var members = group.ToArray();
            var values = RunFunction(calls, n, members.Select(i => columns[2][i]!).ToArray());
            for (var k = 0; k < members.Length; k++) results[members[k]] = values[k];
        }
        return results;
    }

    private static StatementCalls Find(string? token, string? index, out int n)
    {
        if (token is null || !Statements.TryGetValue(token, out var calls) || !int.TryParse(index, out n) || n < 0 || n >= calls.Functions.Count)
            throw new PgException(SqlState.InternalError, "external function called outside its statement");
        return calls;
    }

    private static string?[] RunFunction(StatementCalls calls, int index, string[] arguments)
    {
        var function = calls.Functions[index];
        var started = Stopwatch.GetTimestamp();
        if (calls.Invoker is null || calls.Callers[index] is not { } caller) throw ExternalFunctionErrors.NotAvailable(function.QualifiedName);
        var writer = calls.Writer(index);
        var envelope = writer.EnvelopeSize;
        var maxRows = function.MaxBatchRows > 0 ? function.MaxBatchRows : long.MaxValue;
        var maxSize = function.MaxBatchSizeBytes > 0 ? function.MaxBatchSizeBytes : ExternalFunction.MaxBatchSizeLimit;
        var batches = new List<(int Start, int Count)>();
        var rowBytes = new int[arguments.Length];
        int start = 0, size = envelope;
        for (var i = 0; i < arguments.Length; i++)
        {
            var bytes = (rowBytes[i] = Encoding.UTF8.GetByteCount(arguments[i])) + 1;
            if (i > start && (i - start >= maxRows || size + bytes > maxSize))
            {
                batches.Add((start, i - start));
                start = i;
                size = envelope;
            }
            size += bytes;
        }
        batches.Add((start, arguments.Length - start));
        var results = new string?[arguments.Length];
        var spent = new long[batches.Count];
        spent[0] = Stopwatch.GetTimestamp() - started;
        void Batch(int b)
        {
            var (first, count) = batches[b];
            var t0 = Stopwatch.GetTimestamp();
            var payload = writer.Write(Guid.NewGuid().ToString(), arguments.AsSpan(first, count), rowBytes.AsSpan(first, count));
            var t1 = Stopwatch.GetTimestamp();
            var answer = Invoke(calls, function, caller, payload);
            var t2 = Stopwatch.GetTimestamp();
            var values = LambdaBatch.Results(answer, count, function.Returns, function.QualifiedName);
            Array.Copy(values, 0, results, first, count);
            spent[b] += (t1 - t0) + (Stopwatch.GetTimestamp() - t2);
        }

        try
        {
            // One batch (a chunk within the batch limits, the usual case) runs on this thread.
            if (batches.Count == 1)
            {
                calls.Cancellation.ThrowIfCancellationRequested();
                Batch(0);
            }
            else
                Parallel.For(0, batches.Count, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = calls.Cancellation }, Batch);
        }
        catch (AggregateException e) when (e.InnerExceptions.FirstOrDefault(x => x is PgException) is PgException failure)
        {
            throw failure;
        }
        catch (Exception e) when (e is OperationCanceledException || e is AggregateException a && a.InnerExceptions.Any(x => x is OperationCanceledException))
        {
            throw new PgException(SqlState.QueryCanceled, "canceling statement due to user request");
        }
        foreach (var s in spent)
        {
            var ticks = s * TimeSpan.TicksPerSecond / Stopwatch.Frequency;
            calls.Count(ticks);
            Interlocked.Increment(ref _totalBatches);
            Interlocked.Add(ref _totalOwnTicks, ticks);
        }
        return results;
    }

    /// <summary>
    /// One invocation, retried as Redshift retries it: after TooManyRequestsException, EC2ThrottledException or
    /// ServiceException, with growing delays whose sum stays within RETRY_TIMEOUT (0: no retry).
    /// </summary>
    private static byte[] Invoke(StatementCalls calls, ExternalFunction function, Principal caller, byte[] payload)
    {
        var waited = 0L;
        var delay = 50L;
        while (true)
        {
            try
            {
                var answer = calls.Invoker!.InvokeAsAsync(caller, calls.Region, function.Lambda, payload, calls.Cancellation).GetAwaiter().GetResult();
                if (answer.FunctionError is not null)
                    throw ExternalFunctionErrors.Unhandled(function.QualifiedName, function.Lambda, LambdaBatch.FunctionErrorText(answer.Payload));
                return answer.Payload;
            }
            catch (AwsException e) when (e.Code is "TooManyRequestsException" or "EC2ThrottledException" or "ServiceException")
            {
                if (waited + delay > function.RetryTimeoutMs)
                    throw ExternalFunctionErrors.Lambda(function.QualifiedName, function.Lambda, e.Code, e.Message,
                        $"Lambda kept answering {e.Code}; retried for {waited} ms of RETRY_TIMEOUT {function.RetryTimeoutMs} ms");
                calls.Cancellation.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(delay));
                calls.Cancellation.ThrowIfCancellationRequested();
                waited += delay;
                delay = Math.Min(delay * 2, 2000);
            }
            catch (AwsException e)
            {
                var why = e.Code switch
                {
                    "AccessDeniedException" => "lambda:InvokeFunction was denied to the role session of the function's IAM_ROLE (its identity policies and the function's resource policy decide)",
                    "ResourceNotFoundException" => "the Lambda function named by LAMBDA does not exist in the cluster's region and account",
                    "RequestEntityTooLargeException" => "the batch is larger than Lambda takes; lower MAX_BATCH_SIZE or MAX_BATCH_ROWS",
                    _ => "Lambda refused the invocation",
                };
                throw ExternalFunctionErrors.Lambda(function.QualifiedName, function.Lambda, e.Code, e.Message, why);
            }
        }
    }
}
