using LocalShift.Core;
using LocalShift.Services.Lambda;
using LocalShift.Sql.External;

namespace LocalShift.Server.Lambda;

/// <summary>
/// External functions reach LocalShift's own Lambda: each batch is one RequestResponse Invoke made as the role session
/// the role path handed back, authorized by Lambda exactly as a signed Invoke from that session would be.
/// </summary>
internal sealed class LambdaFunctionInvoker(LambdaService lambda) : IFunctionInvoker
{
    public async Task<FunctionInvocation> InvokeAsAsync(Principal caller, string region, string functionNameOrArn, ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        var answer = await lambda.InvokeAsAsync(caller, region, functionNameOrArn, payload, ct);
        return new FunctionInvocation(answer.StatusCode, answer.FunctionError, answer.Payload);
    }
}
