using System.Text;
using LocalShift.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace LocalShift.Aws.Protocols.Query;

/// <summary>Reads the parameters of a query-protocol request: the query string, then a form-encoded POST body.</summary>
public static class QueryRequestReader
{
    /// <summary>Query-protocol bodies are small; anything past this is refused rather than buffered.</summary>
    public const int MaxBodyBytes = 1 << 20;

    public static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength is > MaxBodyBytes)
            throw new AwsException("RequestEntityTooLarge", $"The request body is larger than {MaxBodyBytes} bytes.", 413);
        using var ms = new MemoryStream(request.ContentLength is { } n ? (int)n : 1024);
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, ct)) > 0)
        {
            if (ms.Length + read > MaxBodyBytes)
                throw new AwsException("RequestEntityTooLarge", $"The request body is larger than {MaxBodyBytes} bytes.", 413);
            ms.Write(buffer, 0, read);
        }
        return ms.ToArray();
    }

    public static QueryParameters Parse(HttpRequest request, byte[] body)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var (k, v) in request.Query)
        {
            if (k.StartsWith("X-Amz-", StringComparison.Ordinal)) continue;
            pairs.Add(new(k, v.ToString()));
        }
        if (body.Length > 0)
        {
            var contentType = request.ContentType ?? "";
            if (contentType.Length > 0 && !contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
                throw new AwsException("InvalidParameterValue", $"Unsupported Content-Type '{contentType}': query-protocol requests are form-encoded.", 400);
            var form = QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body));
            foreach (var (k, v) in form) pairs.Add(new(k, v.ToString()));
        }
        return new QueryParameters(pairs);
    }
}
