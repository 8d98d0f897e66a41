using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LocalShift.E2E.Tests.Edge;

/// <summary>The rest protocols (S3's rest-xml, Lambda's rest-json) and the auth replays of the edge fuzzer.</summary>
public sealed partial class EdgeFuzzTests
{
    private const string FuzzBucket = "edge-fuzz";
    private const string S3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

    /// <summary>
    /// A request placed the way the model's http trait says: the method, the path with its labels filled (a bucket that
    /// exists two times in three), the members the model puts in the query string and in headers, and the body — the
    /// payload member (an XML document, sometimes malformed, for a structure; hostile bytes for a blob) or, for
    /// rest-json, a JSON object of the other members.
    /// </summary>
    private HttpRequestMessage RestRequest(Service service, string operation, Random random)
    {
        var op = service.Model.GetProperty("operations").GetProperty(operation);
        var http = op.GetProperty("http");
        var method = new HttpMethod(http.GetProperty("method").GetString()!);
        var uri = http.GetProperty("requestUri").GetString()!;
        var members = new List<(string Name, JsonElement Member)>();
        JsonElement? payload = null;
        if (op.TryGetProperty("input", out var input))
        {
            var shape = service.Model.GetProperty("shapes").GetProperty(input.GetProperty("shape").GetString()!);
            if (shape.TryGetProperty("members", out var m)) members.AddRange(m.EnumerateObject().Select(p => (p.Name, p.Value)));
            if (shape.TryGetProperty("payload", out var p)) payload = m.GetProperty(p.GetString()!);
        }

        var pathAndFixedQuery = uri.Split('?', 2);
        var path = pathAndFixedQuery[0];
        var query = new List<(string, string)>();
        if (pathAndFixedQuery.Length > 1)
            foreach (var pair in pathAndFixedQuery[1].Split('&'))
                query.Add(pair.Split('=', 2) is var kv && kv.Length == 2 ? (kv[0], kv[1]) : (kv[0], ""));
        var headers = new List<(string, string)>();
        var body = new JsonObject();
        foreach (var (name, member) in members)
        {
            var location = member.TryGetProperty("location", out var l) ? l.GetString() : null;
            var locationName = member.TryGetProperty("locationName", out var ln) ? ln.GetString()! : name;
            if (location == "uri")
            {
                var value = locationName == "Bucket" && random.Next(3) > 0 ? FuzzBucket : Values[random.Next(Values.Length)];
                var greedy = path.Contains("{" + locationName + "+}", StringComparison.Ordinal);
                var encoded = greedy ? string.Join('/', value.Split('/').Select(Uri.EscapeDataString)) : Uri.EscapeDataString(value);
                path = path.Replace("{" + locationName + "+}", encoded, StringComparison.Ordinal).Replace("{" + locationName + "}", encoded, StringComparison.Ordinal);
                continue;
            }
            if (random.Next(3) == 0) continue;
            var v = Values[random.Next(Values.Length)];
            switch (location)
            {
                case "querystring": query.Add((locationName, v)); break;
                case "header" when v.All(c => c is >= ' ' and <= '~'): headers.Add((locationName, v)); break;
                case "header" or "headers": break;
                default:
                    if (payload is null && service.Protocol == "rest-json") body[locationName] = random.Next(3) == 0 ? JsonValue.Create(random.Next(-5, 5)) : JsonValue.Create(v);
                    break;
            }
        }
        if (random.Next(4) == 0) query.Add(("NotAMember" + random.Next(100), Values[random.Next(Values.Length)]));

        string text;
        string contentType;
        if (payload is { } pm && service.Model.GetProperty("shapes").GetProperty(pm.GetProperty("shape").GetString()!) is var ps
            && ps.GetProperty("type").GetString() == "structure")
        {
            var root = pm.TryGetProperty("locationName", out var rn) ? rn.GetString()! : pm.GetProperty("shape").GetString()!;
            var children = ps.TryGetProperty("members", out var cm) ? cm.EnumerateObject().Select(c => c.Name).ToList() : [];
            var xml = new StringBuilder($"<{root} xmlns=\"{S3Namespace}\">");
            foreach (var child in children.Where(_ => random.Next(2) == 0))
                xml.Append('<').Append(child).Append('>').Append(System.Security.SecurityElement.Escape(Values[random.Next(Values.Length)])).Append("</").Append(child).Append('>');
            text = random.Next(8) == 0 ? xml.ToString() : xml.Append($"</{root}>").ToString();
            contentType = "application/xml";
        }
        else if (payload is not null)
        {
            text = Values[random.Next(Values.Length)];
            contentType = "application/octet-stream";
        }
        else
        {
            text = service.Protocol == "rest-json" && body.Count > 0 ? (random.Next(20) == 0 ? "{\"unterminated\": " : body.ToJsonString()) : "";
            contentType = service.Protocol == "rest-json" ? "application/json" : "application/xml";
        }
        return Signed(new RestCall(method, service.Name, path, query, headers, Encoding.UTF8.GetBytes(text), contentType), DateTime.UtcNow);
    }

    private sealed record RestCall(HttpMethod Method, string Service, string Path, List<(string Key, string Value)> Query,
        List<(string Name, string Value)> Headers, byte[] Body, string ContentType);

    /// <summary>
    /// Signs a call the way the SDKs do (written here from AWS's SigV4 description, not taken from the server): the path
    /// encoded once for S3 and twice for other services, the sorted query, host, x-amz-date and, for S3, the body's hash.
    /// </summary>
    private HttpRequestMessage Signed(RestCall call, DateTime now, string accessKey = LocalShift.E2E.Tests.Infrastructure.LocalShiftServer.RootKey,
        string secret = LocalShift.E2E.Tests.Infrastructure.LocalShiftServer.RootSecret, string region = "us-east-1")
    {
        var s3 = call.Service == "s3";
        var queryText = string.Join("&", call.Query.Select(q => Encode(q.Key) + "=" + Encode(q.Value)));
        var uri = new Uri(Server.Endpoint + call.Path + (queryText.Length > 0 ? "?" + queryText : ""));
        var sentQuery = uri.Query.TrimStart('?');
        var canonicalQuery = string.Join("&", (sentQuery.Length == 0 ? [] : sentQuery.Split('&'))
            .Select(p => p.Split('=', 2)).Select(kv => (K: Encode(Uri.UnescapeDataString(kv[0])), V: Encode(kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : "")))
            .OrderBy(kv => kv.K, StringComparer.Ordinal).ThenBy(kv => kv.V, StringComparer.Ordinal).Select(kv => kv.K + "=" + kv.V));
        var canonicalUri = string.Join('/', uri.AbsolutePath.Split('/').Select(segment =>
        {
            var once = Encode(Uri.UnescapeDataString(segment));
            return s3 ? once : Encode(once);
        }));
        var amzDate = now.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var payloadHash = Convert.ToHexStringLower(SHA256.HashData(call.Body));
        var signed = new List<(string Name, string Value)> { ("host", uri.Authority), ("x-amz-date", amzDate) };
        if (s3) signed.Add(("x-amz-content-sha256", payloadHash));
        var canonical = $"{call.Method.Method}\n{canonicalUri}\n{canonicalQuery}\n{string.Concat(signed.Select(h => $"{h.Name}:{h.Value}\n"))}\n"
            + $"{string.Join(';', signed.Select(h => h.Name))}\n{payloadHash}";
        var scope = $"{amzDate[..8]}/{region}/{call.Service}/aws4_request";
        var toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));
        var key = Hmac(Hmac(Hmac(Hmac(Encoding.UTF8.GetBytes("AWS4" + secret), amzDate[..8]), region), call.Service), "aws4_request");
        var request = new HttpRequestMessage(call.Method, uri);
        if (call.Body.Length > 0 || call.Method != HttpMethod.Get && call.Method != HttpMethod.Head)
        {
            request.Content = new ByteArrayContent(call.Body);
            request.Content.Headers.TryAddWithoutValidation("Content-Type", call.ContentType);
        }
        foreach (var (name, value) in signed.Skip(1)) request.Headers.TryAddWithoutValidation(name, value);
        // A model's Content-Length member is not sent as fuzzed: the HTTP client writes the body's real length, and a
        // header claiming another one makes the client itself refuse to send (the server never sees that request).
        foreach (var (name, value) in call.Headers.Where(h => !h.Name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)))
            if (!request.Headers.TryAddWithoutValidation(name, value)) request.Content?.Headers.TryAddWithoutValidation(name, value);
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential={accessKey}/{scope}, SignedHeaders={string.Join(';', signed.Select(h => h.Name))}, Signature={Convert.ToHexStringLower(Hmac(key, toSign))}");
        return request;
    }

    private static string Encode(string value) => Uri.EscapeDataString(value);

    private static readonly string[] Replays = ["exact", "body", "path", "query", "date", "region", "service", "signature", "key", "stale"];

    /// <summary>
    /// A correctly signed call that succeeds (an S3 PUT, an STS call, a Lambda listing), then the same call again:
    /// exactly, which AWS accepts within the signature's time, or changed in one part after it was signed, which must be
    /// refused with a 4xx and the protocol's error envelope — never served, never a 500.
    /// </summary>
    private async Task ReplayAsync(HttpClient http, int seed, Random random)
    {
        var calls = new[]
        {
            new RestCall(HttpMethod.Put, "s3", $"/{FuzzBucket}/replayed-{seed}", [], [], Encoding.UTF8.GetBytes("replayed body " + seed), "application/octet-stream"),
            new RestCall(HttpMethod.Post, "sts", "/", [], [], Encoding.UTF8.GetBytes("Action=GetCallerIdentity&Version=2011-06-15"), "application/x-www-form-urlencoded; charset=utf-8"),
            new RestCall(HttpMethod.Get, "lambda", "/2015-03-31/functions/", [], [], [], "application/json"),
        };
        var call = calls[random.Next(calls.Length)];
        var protocol = call.Service switch { "s3" => "rest-xml", "sts" => "query", _ => "rest-json" };
        var replay = Replays[random.Next(Replays.Length)];
        var signedAt = DateTime.UtcNow;

        using (var first = Signed(call, signedAt))
        using (var original = await http.SendAsync(first))
            Assert.True(original.StatusCode == HttpStatusCode.OK, $"seed {seed}: the call replayed is refused the first time: {(int)original.StatusCode} {await original.Content.ReadAsStringAsync()}");

        using var again = replay switch
        {
            "stale" => Signed(call, signedAt.AddMinutes(-20)),
            "key" => Signed(call, signedAt, "AKIAFUZZREPLAY000000", "not-the-secret"),
            "region" => Signed(call, signedAt) is var r ? Rescoped(r, "/us-east-1/", "/eu-west-1/") : null!,
            "service" => Signed(call, signedAt) is var r2 ? Rescoped(r2, $"/{call.Service}/", call.Service == "sts" ? "/iam/" : "/sts/") : null!,
            _ => Signed(call, signedAt),
        };
        switch (replay)
        {
            case "body":
                again.Content = new ByteArrayContent(Encoding.UTF8.GetBytes("changed after signing " + seed));
                again.Content.Headers.TryAddWithoutValidation("Content-Type", call.ContentType);
                break;
            case "path": again.RequestUri = new Uri(again.RequestUri!.GetLeftPart(UriPartial.Path) + "x" + again.RequestUri.Query); break;
            case "query": again.RequestUri = new Uri(again.RequestUri + (again.RequestUri!.Query.Length > 0 ? "&" : "?") + "MaxItems=1"); break;
            case "date":
                again.Headers.Remove("x-amz-date");
                again.Headers.TryAddWithoutValidation("x-amz-date", signedAt.AddSeconds(1).ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture));
                break;
            case "signature":
                var auth = again.Headers.GetValues("Authorization").Single();
                again.Headers.Remove("Authorization");
                again.Headers.TryAddWithoutValidation("Authorization", auth[..^1] + (auth[^1] == '0' ? '1' : '0'));
                break;
        }
        using var response = await http.SendAsync(again);
        var body = await response.Content.ReadAsStringAsync();
        var where = $"seed {seed}: {replay} replay of {call.Method} {call.Service} {call.Path} answered {(int)response.StatusCode}: {Cut(body)}";
        output.WriteLine(where);
        if (replay == "exact") Assert.True(response.StatusCode == HttpStatusCode.OK, where);
        else
        {
            Assert.True((int)response.StatusCode is >= 400 and < 500, where);
            // A scope naming another service is answered by that service, in its own protocol.
            if (replay == "service") Assert.True(body.Contains("<Code>", StringComparison.Ordinal) || response.Headers.Contains("x-amzn-ErrorType"), where);
            else AssertErrorEnvelope(protocol, again.Method, response, body, where);
        }
        Assert.DoesNotContain("System.", body, StringComparison.Ordinal);
    }

    /// <summary>The same signature under another credential scope (a region or service it was not signed for).</summary>
    private static HttpRequestMessage Rescoped(HttpRequestMessage request, string from, string to)
    {
        var auth = request.Headers.GetValues("Authorization").Single();
        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("Authorization", auth.Replace(from, to, StringComparison.Ordinal));
        return request;
    }

    /// <summary>An error in the protocol's own envelope, with a code (a HEAD answer has no body: its status is the answer).</summary>
    private static void AssertErrorEnvelope(string protocol, HttpMethod method, HttpResponseMessage response, string body, string where)
    {
        switch (protocol)
        {
            case "query": Assert.Matches("<Code>[A-Za-z.]+</Code>", body); break;
            case "rest-xml": if (method != HttpMethod.Head) Assert.Matches("<Error>.*<Code>[A-Za-z0-9.]+</Code>", body.ReplaceLineEndings("")); break;
            default:
                Assert.True(response.Headers.Contains("x-amzn-ErrorType") || (body.Length > 0 && JsonNode.Parse(body)?["__type"] is not null), where);
                break;
        }
    }
}
