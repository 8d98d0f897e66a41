using LocalShift.Services.Sts;

namespace LocalShift.Services.Lambda;

/// <summary>
/// What an instance of a function needs to run: who it is, its runtime and handler, its limits and environment, the
/// folder its package is unpacked in, and a way to get its execution role's credentials.
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
    Func<RoleSession> Credentials);

/// <summary>What an invocation gave back: the payload, Lambda's function error kind (null: none) and its log.</summary>
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
    /// </summary>
    Task<FunctionResult> InvokeAsync(FunctionDeployment deployment, string requestId, byte[] payload, CancellationToken cancellationToken);

    /// <summary>Stops every instance of the function (its code or configuration changed, or it was deleted).</summary>
    void Retire(string functionArn);
}
