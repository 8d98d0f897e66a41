using LocalShift.Core;

namespace LocalShift.Sql.External;

/// <summary>
/// What one synchronous (RequestResponse) invocation of a Lambda function answered: the status code, Lambda's
/// function-error marker (<c>Unhandled</c> when the function itself failed; its payload then holds
/// <c>errorMessage</c>/<c>errorType</c>) and the payload the function returned.
/// </summary>
public sealed record FunctionInvocation(int StatusCode, string? FunctionError, byte[] Payload);

/// <summary>
/// How external functions reach Lambda: one RequestResponse invocation made as <paramref name="caller"/> (the role
/// session the role path handed back), authorized by Lambda as that principal (lambda:InvokeFunction against the
/// identity policies and the function's resource policy). Lambda's own failures — function not found, access denied,
/// payload too large — are thrown as <see cref="AwsException"/> with Lambda's code and text.
/// </summary>
public interface IFunctionInvoker
{
    Task<FunctionInvocation> InvokeAsAsync(Principal caller, string region, string functionNameOrArn, ReadOnlyMemory<byte> payload, CancellationToken ct);
}
