using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LocalShift.Aws.Model;
using LocalShift.Core;

namespace LocalShift.Aws.Protocols.Json;

/// <summary>A rest-protocol request as the codec sees it: no HTTP types, so it reads the same in tests.</summary>
public sealed record RestRequest(
    string Method,
    string Path,
    IReadOnlyList<KeyValuePair<string, string>> Query,
    Func<string, string?> Header,
    IEnumerable<KeyValuePair<string, string>> AllHeaders,
    byte[] Body)
{
    /// <summary>
    /// A query-string map member's entries: every query parameter that no other query-string member of
    /// <paramref name="input"/> names (both rest protocols read it so).
    /// </summary>
    public JsonObject QueryMap(Shape input, MemberModel member)
    {
        var map = new JsonObject();
        foreach (var (k, v) in Query)
            if (!input.Members.Any(m => m.Location == MemberLocation.QueryString && m.WireName == k && m != member))
                map[k] = v;
        return map;
    }
}

/// <summary>A rest-protocol response before it is written: status, headers and body.</summary>
public sealed record RestResponse(int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body, string? ContentType);

/// <summary>
/// Picks the operation of a rest service from the method and path, with the model's request URIs as templates
/// (<c>/2015-03-31/functions/{FunctionName}/invocations</c>, greedy <c>{Key+}</c>, literal query parts such as
/// <c>?List=ALL</c>). The most literal template wins.
/// </summary>
public sealed class RestRouter
{
    private readonly List<Route> _routes;

    public RestRouter(ServiceModel model)
    {
        _routes = model.Operations.Values.Select(o => new Route(o)).OrderByDescending(r => r.Weight).ToList();
    }

    public (OperationModel Operation, Dictionary<string, string> Labels)? Match(string method, string path, IReadOnlyList<KeyValuePair<string, string>> query)
    {
        var segments = Split(path);
        foreach (var route in _routes)
        {
            if (!route.Operation.HttpMethod.Equals(method, StringComparison.OrdinalIgnoreCase)) continue;
            if (route.TryMatch(segments, query) is { } labels) return (route.Operation, labels);
        }
        return null;
    }

    /// <summary>Whether any operation has this path (for AWS's answer to a known path with a wrong method).</summary>
    public bool AnyPath(string path, IReadOnlyList<KeyValuePair<string, string>> query)
    {
        var segments = Split(path);
        return _routes.Any(r => r.TryMatch(segments, query) is not null);
    }

    private static string[] Split(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);

    private sealed class Route
    {
        private readonly string[] _segments;
        private readonly List<KeyValuePair<string, string?>> _query = [];

        public Route(OperationModel op)
        {
            Operation = op;
            var uri = op.RequestUri;
            var q = uri.IndexOf('?');
            if (q >= 0)
            {
                foreach (var part in uri[(q + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
                {
                    var eq = part.IndexOf('=');
                    _query.Add(eq < 0 ? new(part, null) : new(part[..eq], part[(eq + 1)..]));
                }
                uri = uri[..q];
            }
            _segments = Split(uri);
            Weight = _segments.Count(s => !s.StartsWith('{')) * 10 + _query.Count * 5 + _segments.Length;
        }

        public OperationModel Operation { get; }
        public int Weight { get; }

        public Dictionary<string, string>? TryMatch(string[] path, IReadOnlyList<KeyValuePair<string, string>> query)
        {
            foreach (var (k, v) in _query)
                if (!query.Any(x => x.Key == k && (v is null || x.Value == v))) return null;
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < _segments.Length; i++)
            {
                var s = _segments[i];
                if (s.StartsWith('{') && s.EndsWith("+}", StringComparison.Ordinal))
                {
                    if (i >= path.Length) return null;
                    labels[s[1..^2]] = string.Join('/', path[i..].Select(Uri.UnescapeDataString));
                    return labels;
                }
                if (i >= path.Length) return null;
                if (s.StartsWith('{')) labels[s[1..^1]] = Uri.UnescapeDataString(path[i]);
                else if (!s.Equals(path[i], StringComparison.Ordinal)) return null;
            }
            return path.Length == _segments.Length ? labels : null;
        }
    }
}

/// <summary>The rest-json protocol driven by the model: labels, query string, headers and the JSON body (or a raw payload).</summary>
public static class RestJsonCodec
{
    public static JsonObject Read(OperationModel op, RestRequest request, IReadOnlyDictionary<string, string> labels)
    {
        var input = op.Input;
        if (input is null) return new JsonObject();
        JsonObject result;
        var payload = input.Payload is null ? null : input.MembersByName[input.Payload];
        if (payload is not null)
        {
            result = new JsonObject();
            if (request.Body.Length > 0)
            {
                if (payload.Shape.Type is ShapeType.Blob)
                    result[payload.Name] = JsonValue.Create(Convert.ToBase64String(request.Body));
                else if (payload.Shape.Type is ShapeType.String)
                    result[payload.Name] = JsonValue.Create(Encoding.UTF8.GetString(request.Body));
                else
                    result[payload.Name] = JsonCodec.Read(payload.Shape, request.Body);
            }
        }
        else
        {
            result = JsonCodec.Read(input, request.Body);
        }

        foreach (var member in input.Members)
        {
            switch (member.Location)
            {
                case MemberLocation.Uri:
                    if (labels.TryGetValue(member.WireName, out var label)) result[member.Name] = Scalar(member.Shape, member.Name, label);
                    break;
                case MemberLocation.QueryString when member.Shape.Type == ShapeType.Map:
                    if (request.QueryMap(input, member) is { Count: > 0 } map) result[member.Name] = map;
                    break;
                case MemberLocation.QueryString:
                    var values = request.Query.Where(q => q.Key == member.WireName).Select(q => q.Value).ToList();
                    if (values.Count == 0) break;
                    if (member.Shape.Type == ShapeType.List)
                        result[member.Name] = new JsonArray(values.Select(v => (JsonNode?)Scalar(member.Shape.Member!.Shape, member.Name, v)).ToArray());
                    else
                        result[member.Name] = Scalar(member.Shape, member.Name, values[0]);
                    break;
                case MemberLocation.Header:
                    if (request.Header(member.WireName) is { } h)
                        result[member.Name] = member.JsonValue
                            ? JsonValue.Create(Encoding.UTF8.GetString(Convert.FromBase64String(h)))
                            : Scalar(member.Shape, member.Name, h);
                    break;
                case MemberLocation.Headers:
                    var prefix = member.WireName;
                    var headers = new JsonObject();
                    foreach (var (k, v) in request.AllHeaders)
                        if (k.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) headers[k[prefix.Length..]] = v;
                    if (headers.Count > 0) result[member.Name] = headers;
                    break;
            }
        }
        return result;
    }

    private static JsonNode Scalar(Shape shape, string name, string text) => shape.Type switch
    {
        ShapeType.Integer or ShapeType.Long => long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l)
            ? JsonValue.Create(l)
            : throw JsonCodec.Serialization($"The value of {name} must be an integer."),
        ShapeType.Float or ShapeType.Double => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            ? JsonValue.Create(d)
            : throw JsonCodec.Serialization($"The value of {name} must be a number."),
        ShapeType.Boolean => bool.TryParse(text, out var b) ? JsonValue.Create(b) : throw JsonCodec.Serialization($"The value of {name} must be true or false."),
        ShapeType.Timestamp => JsonValue.Create(Timestamps.Parse(text, name)),
        _ => JsonValue.Create(text),
    };

    public static RestResponse Write(OperationModel op, JsonObject? value)
    {
        var status = op.ResponseCode;
        var headers = new List<KeyValuePair<string, string>>();
        var output = op.Output;
        if (output is null || value is null)
            return new RestResponse(status, headers, [], null);

        foreach (var member in output.Members)
        {
            var v = value[member.Name];
            if (v is null) continue;
            switch (member.Location)
            {
                case MemberLocation.StatusCode:
                    // A record's int serializes to a value that reads as long; one built in code may hold an int.
                    status = v is JsonValue sv && sv.TryGetValue<int>(out var i) ? i : (int)v.GetValue<long>();
                    break;
                case MemberLocation.Header:
                    headers.Add(new(member.WireName, HeaderText(member, v)));
                    break;
                case MemberLocation.Headers:
                    foreach (var (k, hv) in (JsonObject)v)
                        if (hv is not null) headers.Add(new(member.WireName + k, hv.GetValue<string>()));
                    break;
            }
        }

        if (output.Payload is { } payloadName)
        {
            var member = output.MembersByName[payloadName];
            var v = value[payloadName];
            if (v is null) return new RestResponse(status, headers, [], null);
            return member.Shape.Type switch
            {
                ShapeType.Blob => new RestResponse(status, headers, Convert.FromBase64String(v.GetValue<string>()), "application/octet-stream"),
                ShapeType.String => new RestResponse(status, headers, Encoding.UTF8.GetBytes(v.GetValue<string>()), "text/plain"),
                _ => new RestResponse(status, headers, Body(member.Shape, (JsonObject)v), "application/json"),
            };
        }
        return new RestResponse(status, headers, Body(output, value), "application/json");
    }

    private static string HeaderText(MemberModel member, JsonNode v)
    {
        if (member.JsonValue) return Convert.ToBase64String(Encoding.UTF8.GetBytes(v.ToJsonString()));
        return member.Shape.Type switch
        {
            ShapeType.Timestamp => Timestamps.Format(Timestamps.Read((JsonValue)v), member.TimestampFormat ?? "rfc822"),
            ShapeType.Boolean => v.GetValue<bool>() ? "true" : "false",
            ShapeType.String => v.GetValue<string>(),
            _ => v.ToJsonString(),
        };
    }

    private static byte[] Body(Shape shape, JsonObject value)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
            JsonCodec.WriteStructure(w, shape, value);
        return buffer.ToArray();
    }

    /// <summary>
    /// rest-json's error: the code in <c>x-amzn-ErrorType</c> and the body's <c>Type</c>/<c>message</c> (Lambda's
    /// errors carry <c>Type</c> User/Service as well).
    /// </summary>
    public static RestResponse Error(AwsException e)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["Type"] = e.SenderFault ? "User" : "Service",
            ["message"] = e.Message,
        });
        return new RestResponse(e.HttpStatus, [new("x-amzn-ErrorType", e.Code)], body, "application/json");
    }
}
