using System.Runtime.InteropServices;
using System.Text;
using LocalShift.Aws;
using LocalShift.Core;
using LocalShift.Services.Lambda.Shapes;
using LocalShift.Services.Sts;

namespace LocalShift.Services.Lambda;

/// <summary>What an in-process caller (the SQL side's external functions) gets back from an invocation.</summary>
/// <param name="StatusCode">200 for a run invocation (a function error included).</param>
/// <param name="FunctionError">Lambda's <c>X-Amz-Function-Error</c>: <c>Unhandled</c>, or null.</param>
/// <param name="Payload">The function's answer (its error document when <paramref name="FunctionError"/> is set).</param>
/// <param name="LogTail">The last 4 KB of the invocation's log, as text; null unless asked for.</param>
public sealed record LambdaInvocation(int StatusCode, string? FunctionError, byte[] Payload, string? LogTail);

// Invoke: authorize lambda:InvokeFunction (identity and the function's resource policy), check the payload, and run it.
public sealed partial class LambdaService
{
    /// <summary>Lambda's limit on a synchronous invocation's request (and response) payload: 6 MB.</summary>
    public const int MaxPayload = 6 * 1024 * 1024;

    /// <summary>Lambda's limit on an asynchronous (Event) invocation's payload: 256 KB.</summary>
    public const int MaxEventPayload = 256 * 1024;

    private const int LogTailBytes = 4096;

    /// <summary>Event invocations run after their call has been answered; they stop with the server.</summary>
    private readonly CancellationTokenSource _stopping = new();

    public async Task<InvocationResponse> Invoke(AwsCall call, InvocationRequest p, CancellationToken ct)
    {
        var target = Resolve(call, p.FunctionName, p.Qualifier);
        // The qualified ARN as named (an alias's, a version's) is the resource: a grant on the unqualified ARN does not cover it.
        Authorize(call, "lambda:InvokeFunction", target);
        var resolved = LoadQualified(target);
        var payload = p.Payload is { Length: > 0 } given ? given : "{}"u8.ToArray();
        var type = p.InvocationType ?? "RequestResponse";
        if (type == "DryRun") return new InvocationResponse(StatusCode: 204);
        // An alias's routing counts the invocations that run.
        var (config, version) = resolved.Alias is { } alias ? Route(resolved.Function, alias) : (resolved.Config, resolved.Version);
        switch (type)
        {
            case "Event":
                if (payload.Length > MaxEventPayload) throw LambdaErrors.EventTooLarge(payload.Length, MaxEventPayload);
                var deployment = Deployment(config, version);
                var id = Guid.NewGuid().ToString();
                _ = Task.Run(async () =>
                {
                    try { await _runner.InvokeAsync(deployment, id, payload, target.QualifiedArn, wantLog: false, _stopping.Token); }
                    catch (Exception) { /* An asynchronous invocation's failure is the function's log's business. */ }
                });
                return new InvocationResponse(StatusCode: 202);
            default:
                if (payload.Length > MaxPayload) throw LambdaErrors.RequestTooLarge(MaxPayload);
                var tail = p.LogType == "Tail";
                var result = await _runner.InvokeAsync(Deployment(config, version), call.RequestId, payload, target.QualifiedArn, wantLog: tail, ct);
                return new InvocationResponse(
                    StatusCode: 200,
                    FunctionError: result.FunctionError,
                    LogResult: tail ? Convert.ToBase64String(Tail(result.Log)) : null,
                    Payload: result.Payload,
                    ExecutedVersion: version);
        }
    }

    /// <summary>
    /// Invokes as <paramref name="caller"/> (for the SQL side, a role session of the cluster's role): authorizes
    /// lambda:InvokeFunction (identity and the function's resource policy) exactly as the HTTP Invoke does, then runs
    /// a RequestResponse invocation. Throws an <see cref="AwsException"/> with Lambda's code and text for a missing
    /// function, a denial or a payload too large, as the HTTP operation answers them. <paramref name="logTail"/> asks
    /// for the log's tail (<c>LogType: Tail</c>); without it <see cref="LambdaInvocation.LogTail"/> is null.
    /// </summary>
    public Task<LambdaInvocation> InvokeAsAsync(Principal caller, string region, string functionNameOrArn, ReadOnlyMemory<byte> payload,
        CancellationToken cancellationToken) => InvokeAsAsync(caller, region, functionNameOrArn, payload, logTail: false, cancellationToken);

    /// <inheritdoc cref="InvokeAsAsync(Principal, string, string, ReadOnlyMemory{byte}, CancellationToken)"/>
    public async Task<LambdaInvocation> InvokeAsAsync(Principal caller, string region, string functionNameOrArn, ReadOnlyMemory<byte> payload,
        bool logTail, CancellationToken cancellationToken)
    {
        var call = new AwsCall
        {
            Service = "lambda",
            Operation = "Invoke",
            Region = region,
            RequestId = Guid.NewGuid().ToString(),
            Caller = caller,
            Time = _clock.GetUtcNow(),
            Authorizer = _authorizer,
        };
        // A payload that is a whole array (the SQL side builds each batch as one) is taken as it is, not copied.
        var bytes = MemoryMarshal.TryGetArray(payload, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array : payload.ToArray();
        var r = await Invoke(call, new InvocationRequest(functionNameOrArn, "RequestResponse", logTail ? "Tail" : null, Payload: bytes), cancellationToken);
        return new LambdaInvocation(r.StatusCode ?? 200, r.FunctionError, r.Payload ?? [],
            r.LogResult is null ? null : Encoding.UTF8.GetString(Convert.FromBase64String(r.LogResult)));
    }

    /// <summary>Stops the Event invocations still running (the server is stopping).</summary>
    public void Stop() => _stopping.Cancel();

    /// <summary>What runs for one version: $LATEST's instances are the unqualified ARN's, a version's its qualified ARN's.</summary>
    private FunctionDeployment Deployment(StoredFunction f, string version) => new(
        version == "$LATEST" ? f.Arn : VersionArn(f.Arn, version), f.Name, f.AccountId, f.Region, f.Runtime ?? "", f.Handler ?? "", f.Timeout, f.MemorySize,
        f.Variables ?? [], _code.TaskFolder(Hex(f.CodeSha256)), f.RevisionId, () => Credentials(f), version);

    /// <summary>
    /// The execution role's session, assumed as Lambda assumes it: by lambda.amazonaws.com, named after the function,
    /// with the function's account and ARN as aws:SourceAccount and aws:SourceArn. The trust policy decides.
    /// </summary>
    private RoleSession Credentials(StoredFunction f)
    {
        try
        {
            return _assumer.Assume(Principal.ServicePrincipal(ServicePrincipal), null,
                new AssumeRoleInput(f.Role, f.Name.Length >= 2 ? f.Name : "lambda-" + f.Name, Context: new Dictionary<string, string>
                {
                    ["aws:SourceAccount"] = f.AccountId,
                    ["aws:SourceArn"] = f.Arn,
                }), region: f.Region);
        }
        catch (AssumeRoleDeniedException)
        {
            // unverified: AWS's answer at Invoke time when the role no longer trusts Lambda.
            throw LambdaErrors.RoleCannotBeAssumed();
        }
    }

    /// <summary>The last 4 KB of a log, cut at a character boundary.</summary>
    private static byte[] Tail(string log)
    {
        var bytes = Encoding.UTF8.GetBytes(log);
        if (bytes.Length <= LogTailBytes) return bytes;
        var start = bytes.Length - LogTailBytes;
        while (start < bytes.Length && (bytes[start] & 0xC0) == 0x80) start++;
        return bytes[start..];
    }
}
