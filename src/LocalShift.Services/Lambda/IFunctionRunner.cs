using LocalShift.Services.Sts;

namespace LocalShift.Services.Lambda;

/// <summary>
/// What an instance of a function needs to run: who it is, its runtime and handler, its limits and environment, the
/// folder its package is unpacked in, and a way to get its execution role's credentials. <see cref="Arn"/> names the
/// version that runs (the unqualified ARN for <c>$LATEST</c>, <c>…:function:f:3</c> for version 3): the runner keeps one
/// pool of instances per version.
/// </summary>
public sealed record FunctionDeployment(
    string Arn,
    string Name,
    string AccountId,
    string Region,
    string Runtime,
    string Handler,
    int Timeout,
    int MemorySize,
    IReadOnlyDictionary<string, string> Variables,
    string TaskFolder,
    string RevisionId,
    Func<RoleSession> Credentials,
    string Version = "$LATEST");

/// <summary>What an invocation gave back: the payload, Lambda's function error kind (null: none) and its log (empty when not asked for).</summary>
public sealed record FunctionResult(byte[] Payload, string? FunctionError, string Log);

/// <summary>
/// Runs functions: warm instances reused, more started for concurrent invocations up to a limit, each a real process
/// of the function's runtime speaking the Lambda Runtime API. Implemented by the server (it owns processes and ports).
/// </summary>
public interface IFunctionRunner
{
    /// <summary>
    /// Runs one invocation to its end (a response, a function error, a time-out or a crash are all results). Throws an
    /// <see cref="Core.AwsException"/> when the function cannot run here at all (a runtime the host lacks).
    /// <paramref name="invokedArn"/> is the ARN the caller invoked (an alias's, say), which the runtime is told.
    /// <paramref name="wantLog"/>: whether the caller reads <see cref="FunctionResult.Log"/> (<c>LogType: Tail</c>);
    /// without it the result's log is empty.
    /// </summary>
    Task<FunctionResult> InvokeAsync(FunctionDeployment deployment, string requestId, byte[] payload, string invokedArn, bool wantLog,
        CancellationToken cancellationToken);

    /// <summary>
    /// Stops every instance of one version of the function (<see cref="FunctionDeployment.Arn"/>: its code or
    /// configuration changed, or it was deleted).
    /// </summary>
    void Retire(string functionArn);
}
