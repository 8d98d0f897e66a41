using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LocalShift.Aws.Model;

/// <summary>The wire protocol a service model names in its metadata.</summary>
public enum AwsProtocol { Query, Json, RestJson, RestXml }

/// <summary>Where a member of an input or output travels in rest protocols; <see cref="Body"/> for the others.</summary>
public enum MemberLocation { Body, Header, Headers, Uri, QueryString, StatusCode }

public enum ShapeType { Structure, List, Map, String, Integer, Long, Boolean, Float, Double, Timestamp, Blob, Document }

/// <summary>
/// One AWS service as its published model (botocore's <c>service-2.json</c>, kept in <c>Model/models/</c> without its
/// documentation) describes it: the protocol, the operations and every shape with its constraints. The protocols'
/// parsers, serializers and the validator walk these shapes; no service writes its own wire format.
/// </summary>
public sealed class ServiceModel
{
    private ServiceModel(string name, JsonElement root)
    {
        Name = name;
        var meta = root.GetProperty("metadata");
        ApiVersion = meta.GetProperty("apiVersion").GetString()!;
        EndpointPrefix = meta.GetProperty("endpointPrefix").GetString()!;
        SigningName = meta.TryGetProperty("signingName", out var s) ? s.GetString()! : EndpointPrefix;
        ServiceId = meta.GetProperty("serviceId").GetString()!;
        XmlNamespace = meta.TryGetProperty("xmlNamespace", out var ns) ? ns.GetString() : null;
        TargetPrefix = meta.TryGetProperty("targetPrefix", out var tp) ? tp.GetString() : null;
        JsonVersion = meta.TryGetProperty("jsonVersion", out var jv) ? jv.GetString() : null;
        Protocol = meta.GetProperty("protocol").GetString() switch
        {
            "query" => AwsProtocol.Query,
            "json" => AwsProtocol.Json,
            "rest-json" => AwsProtocol.RestJson,
            "rest-xml" => AwsProtocol.RestXml,
            var p => throw new NotSupportedException($"protocol {p} of model {name}"),
        };

        var shapes = new Dictionary<string, Shape>(StringComparer.Ordinal);
        var raw = root.GetProperty("shapes");
        foreach (var p in raw.EnumerateObject()) shapes[p.Name] = new Shape(p.Name, p.Value);
        foreach (var p in raw.EnumerateObject()) shapes[p.Name].Resolve(p.Value, shapes);
        Shapes = shapes.ToFrozenDictionary(StringComparer.Ordinal);

        var operations = new Dictionary<string, OperationModel>(StringComparer.Ordinal);
        foreach (var p in root.GetProperty("operations").EnumerateObject())
            operations[p.Name] = new OperationModel(p.Name, p.Value, Shapes);
        Operations = operations.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The model's file name: <c>redshift</c>, <c>glue</c>, <c>redshift-data</c>.</summary>
    public string Name { get; }
    public string ApiVersion { get; }
    public string EndpointPrefix { get; }
    /// <summary>The SigV4 service name clients sign for.</summary>
    public string SigningName { get; }
    public string ServiceId { get; }
    public AwsProtocol Protocol { get; }
    public string? XmlNamespace { get; }
    /// <summary>The json protocol's <c>X-Amz-Target</c> prefix (<c>AWSGlue</c>).</summary>
    public string? TargetPrefix { get; }
    public string? JsonVersion { get; }
    public FrozenDictionary<string, Shape> Shapes { get; }
    public FrozenDictionary<string, OperationModel> Operations { get; }

    private static readonly ConcurrentDictionary<string, ServiceModel> Loaded = new(StringComparer.Ordinal);

    /// <summary>The model embedded in this assembly under <paramref name="name"/> (loaded once per process).</summary>
    public static ServiceModel Get(string name) => Loaded.GetOrAdd(name, static n =>
    {
        var assembly = typeof(ServiceModel).Assembly;
        using var stream = assembly.GetManifestResourceStream($"LocalShift.Aws.Model.models.{n}.json")
                           ?? throw new ArgumentException($"no service model named {n}", nameof(name));
        using var doc = JsonDocument.Parse(stream);
        return new ServiceModel(n, doc.RootElement);
    });

    /// <summary>Every model embedded in this assembly.</summary>
    public static IEnumerable<string> EmbeddedNames =>
        typeof(ServiceModel).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("LocalShift.Aws.Model.models.", StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal))
            .Select(n => n["LocalShift.Aws.Model.models.".Length..^".json".Length]);
}

public sealed class OperationModel
{
    internal OperationModel(string name, JsonElement e, IReadOnlyDictionary<string, Shape> shapes)
    {
        Name = name;
        var http = e.GetProperty("http");
        HttpMethod = http.GetProperty("method").GetString()!;
        RequestUri = http.GetProperty("requestUri").GetString()!;
        ResponseCode = http.TryGetProperty("responseCode", out var rc) ? rc.GetInt32() : 200;
        if (e.TryGetProperty("input", out var input)) Input = shapes[input.GetProperty("shape").GetString()!];
        if (e.TryGetProperty("output", out var output))
        {
            Output = shapes[output.GetProperty("shape").GetString()!];
            ResultWrapper = output.TryGetProperty("resultWrapper", out var rw) ? rw.GetString() : null;
        }
        Deprecated = e.TryGetProperty("deprecated", out var dep) && dep.GetBoolean();
        StaticContextParams = e.TryGetProperty("staticContextParams", out var scp)
            ? scp.EnumerateObject().Select(p => p.Name).ToArray()
            : [];
        HostPrefix = e.TryGetProperty("endpoint", out var endpoint) && endpoint.TryGetProperty("hostPrefix", out var prefix) ? prefix.GetString() : null;
        Errors = e.TryGetProperty("errors", out var errors)
            ? errors.EnumerateArray().Select(x => shapes[x.GetProperty("shape").GetString()!]).ToArray()
            : [];
    }

    public string Name { get; }
    public string HttpMethod { get; }
    public string RequestUri { get; }
    public int ResponseCode { get; }
    public Shape? Input { get; }
    public Shape? Output { get; }
    /// <summary>The query protocol's result element (<c>DescribeClustersResult</c>); null when the response has none.</summary>
    public string? ResultWrapper { get; }
    public IReadOnlyList<Shape> Errors { get; }
    /// <summary>The model marks the operation deprecated (S3's GetBucketLifecycle, beside GetBucketLifecycleConfiguration on the same URI).</summary>
    public bool Deprecated { get; }
    /// <summary>The endpoint-rule parameters the operation fixes (S3's <c>UseS3ExpressControlEndpoint</c>).</summary>
    public IReadOnlyList<string> StaticContextParams { get; }
    /// <summary>The model's endpoint host prefix (S3's WriteGetObjectResponse: <c>{RequestRoute}.</c>); null when the operation has none.</summary>
    public string? HostPrefix { get; }
}

public sealed class MemberModel
{
    internal MemberModel(string name, JsonElement e, IReadOnlyDictionary<string, Shape> shapes)
    {
        Name = name;
        Shape = shapes[e.GetProperty("shape").GetString()!];
        LocationName = e.TryGetProperty("locationName", out var ln) ? ln.GetString() : null;
        Location = e.TryGetProperty("location", out var loc) ? loc.GetString() switch
        {
            "header" => MemberLocation.Header,
            "headers" => MemberLocation.Headers,
            "uri" => MemberLocation.Uri,
            "querystring" => MemberLocation.QueryString,
            "statusCode" => MemberLocation.StatusCode,
            _ => MemberLocation.Body,
        } : MemberLocation.Body;
        Flattened = e.TryGetProperty("flattened", out var f) && f.GetBoolean();
        XmlAttribute = e.TryGetProperty("xmlAttribute", out var xa) && xa.GetBoolean();
        XmlNamespace = e.TryGetProperty("xmlNamespace", out var xn) && xn.TryGetProperty("uri", out var uri) ? uri.GetString() : null;
        TimestampFormat = e.TryGetProperty("timestampFormat", out var tf) ? tf.GetString() : null;
        JsonValue = e.TryGetProperty("jsonvalue", out var jv) && jv.GetBoolean();
        IdempotencyToken = e.TryGetProperty("idempotencyToken", out var it) && it.GetBoolean();
        Streaming = e.TryGetProperty("streaming", out var st) && st.GetBoolean();
    }

    public string Name { get; }
    public Shape Shape { get; }
    public string? LocationName { get; }
    public MemberLocation Location { get; }
    public bool Flattened { get; }
    public bool XmlAttribute { get; }
    public string? XmlNamespace { get; }
    public string? TimestampFormat { get; }
    public bool JsonValue { get; }
    public bool IdempotencyToken { get; }
    public bool Streaming { get; }

    /// <summary>The member's name on the wire in bodies: its locationName, else its name.</summary>
    public string WireName => LocationName ?? Name;

    /// <summary>The path segment AWS's validation messages use: the member name with a lower-case first letter.</summary>
    public string ValidationName => Name.Length > 0 && char.IsUpper(Name[0]) ? char.ToLowerInvariant(Name[0]) + Name[1..] : Name;
}

public sealed class Shape
{
    private readonly string? _pattern;
    private Regex? _regex;
    private bool _regexTried;

    internal Shape(string name, JsonElement e)
    {
        Name = name;
        Type = e.GetProperty("type").GetString() switch
        {
            "structure" => ShapeType.Structure,
            "list" => ShapeType.List,
            "map" => ShapeType.Map,
            "string" => ShapeType.String,
            "integer" => ShapeType.Integer,
            "long" => ShapeType.Long,
            "boolean" => ShapeType.Boolean,
            "float" => ShapeType.Float,
            "double" => ShapeType.Double,
            "timestamp" => ShapeType.Timestamp,
            "blob" => ShapeType.Blob,
            "document" => ShapeType.Document,
            var t => throw new NotSupportedException($"shape type {t} of {name}"),
        };
        if (e.TryGetProperty("min", out var min)) Min = min.GetDouble();
        if (e.TryGetProperty("max", out var max)) Max = max.GetDouble();
        _pattern = e.TryGetProperty("pattern", out var p) ? p.GetString() : null;
        Enum = e.TryGetProperty("enum", out var en) ? en.EnumerateArray().Select(x => x.GetString()!).ToArray() : null;
        Flattened = e.TryGetProperty("flattened", out var f) && f.GetBoolean();
        LocationName = e.TryGetProperty("locationName", out var ln) ? ln.GetString() : null;
        TimestampFormat = e.TryGetProperty("timestampFormat", out var tf) ? tf.GetString() : null;
        IsException = e.TryGetProperty("exception", out var ex) && ex.GetBoolean();
        Wrapper = e.TryGetProperty("wrapper", out var w) && w.GetBoolean();
        Payload = e.TryGetProperty("payload", out var pl) ? pl.GetString() : null;
        Streaming = e.TryGetProperty("streaming", out var st) && st.GetBoolean();
        Sensitive = e.TryGetProperty("sensitive", out var se) && se.GetBoolean();
        if (e.TryGetProperty("xmlNamespace", out var xn))
        {
            XmlNamespace = xn.TryGetProperty("uri", out var uri) ? uri.GetString() : null;
            XmlNamespacePrefix = xn.TryGetProperty("prefix", out var prefix) ? prefix.GetString() : null;
        }
        if (e.TryGetProperty("error", out var error))
        {
            ErrorCode = error.TryGetProperty("code", out var c) ? c.GetString() : null;
            ErrorStatus = error.TryGetProperty("httpStatusCode", out var hs) ? hs.GetInt32() : null;
            SenderFault = !error.TryGetProperty("senderFault", out var sf) || sf.GetBoolean();
        }
    }

    internal void Resolve(JsonElement e, IReadOnlyDictionary<string, Shape> shapes)
    {
        if (e.TryGetProperty("members", out var members))
        {
            Members = members.EnumerateObject().Select(m => new MemberModel(m.Name, m.Value, shapes)).ToArray();
            MembersByName = Members.ToFrozenDictionary(m => m.Name, StringComparer.Ordinal);
        }
        Required = e.TryGetProperty("required", out var r)
            ? r.EnumerateArray().Select(x => x.GetString()!).ToFrozenSet(StringComparer.Ordinal)
            : FrozenSet<string>.Empty;
        if (e.TryGetProperty("member", out var member)) Member = new MemberModel("member", member, shapes);
        if (e.TryGetProperty("key", out var key)) Key = new MemberModel("key", key, shapes);
        if (e.TryGetProperty("value", out var value)) Value = new MemberModel("value", value, shapes);
    }

    public string Name { get; }
    public ShapeType Type { get; }
    public double? Min { get; }
    public double? Max { get; }
    public IReadOnlyList<string>? Enum { get; }
    public bool Flattened { get; }
    public string? LocationName { get; }
    public string? TimestampFormat { get; }
    public bool IsException { get; }
    public bool Wrapper { get; }
    public string? Payload { get; }
    public bool Streaming { get; }
    public bool Sensitive { get; }
    /// <summary>rest-xml: the namespace of the shape's element (S3's Grantee: <c>xsi</c>, for its <c>xsi:type</c> attribute).</summary>
    public string? XmlNamespace { get; }
    public string? XmlNamespacePrefix { get; }
    public string? ErrorCode { get; }
    public int? ErrorStatus { get; }
    public bool SenderFault { get; } = true;

    public IReadOnlyList<MemberModel> Members { get; private set; } = [];
    public FrozenDictionary<string, MemberModel> MembersByName { get; private set; } = FrozenDictionary<string, MemberModel>.Empty;
    public FrozenSet<string> Required { get; private set; } = FrozenSet<string>.Empty;
    /// <summary>A list's member.</summary>
    public MemberModel? Member { get; private set; }
    public MemberModel? Key { get; private set; }
    public MemberModel? Value { get; private set; }

    /// <summary>The pattern as the model writes it (Java syntax), for messages.</summary>
    public string? Pattern => _pattern;

    /// <summary>
    /// The pattern compiled for .NET, anchored as Java's <c>matches</c> is; null when the model has none or it does not
    /// translate (then it is not checked — see docs/aws-protocols.md).
    /// </summary>
    public Regex? PatternRegex
    {
        get
        {
            if (_regexTried || _pattern is null) return _regex;
            try
            {
                // Java ranges over surrogate pairs (\uD800\uDC00-\uDBFF\uDFFF) are one range of code points; .NET matches
                // UTF-16 units, where any surrogate unit stands for its half of the pair.
                var p = JavaClasses(_pattern)
                    .Replace(@"\uD800\uDC00-\uDBFF\uDFFF", @"\uD800-\uDFFF", StringComparison.OrdinalIgnoreCase)
                    .Replace(@"\u10000-\u10FFFF", @"\uD800-\uDFFF", StringComparison.OrdinalIgnoreCase);
                _regex = new Regex(@"\A(?:" + p + @")\z", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
            }
            catch (ArgumentException)
            {
                _regex = null;
            }
            _regexTried = true;
            return _regex;
        }
    }

    /// <summary>
    /// Java's <c>\w</c> and <c>\d</c> are ASCII (<c>[a-zA-Z_0-9]</c>, <c>[0-9]</c>); .NET's match any Unicode letter or
    /// digit, which would let IAM's <c>[\w+=,.@-]+</c> accept <c>é</c>. Spelt out, inside or outside a class.
    /// </summary>
    private static string JavaClasses(string pattern)
    {
        var sb = new System.Text.StringBuilder(pattern.Length + 16);
        var inClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                var next = pattern[++i];
                switch (next)
                {
                    case 'w': sb.Append(inClass ? "a-zA-Z_0-9" : "[a-zA-Z_0-9]"); break;
                    case 'd': sb.Append(inClass ? "0-9" : "[0-9]"); break;
                    case 'W' when !inClass: sb.Append("[^a-zA-Z_0-9]"); break;
                    case 'D' when !inClass: sb.Append("[^0-9]"); break;
                    default: sb.Append(c).Append(next); break;
                }
                continue;
            }
            if (c == '[') inClass = true;
            else if (c == ']') inClass = false;
            sb.Append(c);
        }
        return sb.ToString();
    }

    public override string ToString() => $"{Name} ({Type})";
}
