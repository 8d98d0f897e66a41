using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace LocalShift.Services.S3.Http;

/// <summary>
/// Where an S3 request points: bucket and key from the virtual host (<c>bucket.localhost:4566</c>, <c>bucket.s3.localhost</c>,
/// <c>bucket.s3.us-east-1.amazonaws.com</c>) or the path (<c>/bucket/key</c>), and the query parameters. Both are read from
/// the raw request target, because the decoded path that ASP.NET offers has already lost <c>%2F</c> and <c>..</c> segments,
/// and keys may contain both.
/// </summary>
public sealed class S3Request
{
    private static readonly string[] HostSuffixes = ["localhost.localstack.cloud", "localhost", "amazonaws.com"];

    private S3Request(HttpContext http, string? bucket, string? key, Dictionary<string, string> query)
    {
        Http = http;
        Bucket = bucket;
        Key = key;
        Query = query;
    }

    public HttpContext Http { get; }
    public string? Bucket { get; }
    public string? Key { get; }
    public IReadOnlyDictionary<string, string> Query { get; }
    public string Method => Http.Request.Method;
    public bool VirtualHosted { get; private init; }

    public bool Has(string name) => Query.ContainsKey(name);
    public string? Q(string name) => Query.TryGetValue(name, out var v) ? v : null;
    public string? Header(string name) => Http.Request.Headers.TryGetValue(name, out var v) ? v.ToString() : null;

    public static S3Request From(HttpContext http)
    {
        var raw = http.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw)) raw = http.Request.Path.Value + http.Request.QueryString.Value;
        // Absolute-form targets (proxies) carry scheme and host.
        if (raw.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || raw.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            var afterScheme = raw.IndexOf("//", StringComparison.Ordinal) + 2;
            var slash = raw.IndexOf('/', afterScheme);
            raw = slash < 0 ? "/" : raw[slash..];
        }
        var q = raw.IndexOf('?');
        var rawPath = q < 0 ? raw : raw[..q];
        var query = ParseQuery(q < 0 ? "" : raw[(q + 1)..]);

        var path = Uri.UnescapeDataString(rawPath);
        if (path.StartsWith('/')) path = path[1..];

        var hostBucket = BucketFromHost(http.Request.Host.Host);
        if (hostBucket is not null)
            return new S3Request(http, hostBucket, path.Length == 0 ? null : path, query) { VirtualHosted = true };

        var sep = path.IndexOf('/');
        var bucket = sep < 0 ? path : path[..sep];
        var key = sep < 0 ? null : path[(sep + 1)..];
        return new S3Request(http, bucket.Length == 0 ? null : bucket, string.IsNullOrEmpty(key) ? null : key, query);
    }

    /// <summary>The bucket a virtual-hosted name carries, or null for path-style hosts (IPs, <c>localhost</c>, <c>s3.localhost</c>).</summary>
    public static string? BucketFromHost(string? host)
    {
        if (string.IsNullOrEmpty(host) || IPAddress.TryParse(host.Trim('[', ']'), out _)) return null;
        host = host.ToLowerInvariant();
        foreach (var suffix in HostSuffixes)
        {
            if (!host.EndsWith("." + suffix, StringComparison.Ordinal)) continue;
            var labels = host[..^(suffix.Length + 1)].Split('.');
            // Drop the service part: "s3", "s3.<region>", "s3-<region>", "s3-website..." at the end of the name.
            var s3At = Array.FindLastIndex(labels, l => l == "s3" || l.StartsWith("s3-", StringComparison.Ordinal));
            var bucketLabels = s3At >= 0 && s3At >= labels.Length - 2 ? labels[..s3At] : labels;
            return bucketLabels.Length == 0 ? null : string.Join('.', bucketLabels);
        }
        return null;
    }

    private static Dictionary<string, string> ParseQuery(string query)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            var name = WebUtility.UrlDecode(eq < 0 ? part : part[..eq]);
            var value = eq < 0 ? "" : WebUtility.UrlDecode(part[(eq + 1)..]);
            d.TryAdd(name, value);
        }
        return d;
    }
}
