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

    /// <param name="maxBytes">The service's limit (<see cref="Operations.AwsService.MaxRequestBytes"/>).</param>
    public static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken ct, int maxBytes = MaxBodyBytes)
    {
        if (request.ContentLength > maxBytes)
            throw new AwsException("RequestEntityTooLarge", $"The request body is larger than {maxBytes} bytes.", 413);
        if (request.ContentLength is { } length)
        {
            // The usual case: the size is known, so read straight into a buffer of that size.
            var exact = new byte[length];
            var filled = 0;
            while (filled < exact.Length)
            {
                var n = await request.Body.ReadAsync(exact.AsMemory(filled), ct);
                if (n == 0) throw new AwsException("IncompleteBody", "The request body is shorter than its Content-Length.", 400);
                filled += n;
            }
            return exact;
        }
        using var ms = new MemoryStream();
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(buffer, ct)) > 0)
            {
                if (ms.Length + read > maxBytes)
                    throw new AwsException("RequestEntityTooLarge", $"The request body is larger than {maxBytes} bytes.", 413);
                ms.Write(buffer, 0, read);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
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
