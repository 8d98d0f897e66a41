using System.Collections.Frozen;
using LocalShift.Aws.Model;
using Microsoft.AspNetCore.Http;

namespace LocalShift.Aws.Operations;

/// <summary>Where an S3 request points: the service (<c>/</c>), a bucket (<c>/{Bucket}</c>) or an object (<c>/{Bucket}/{Key+}</c>).</summary>
public enum S3PathShape { Service, Bucket, Object }

/// <summary>
/// What <see cref="S3Router"/> found: an operation of the model; or, when none fits, whether the method is one S3 has for
/// this kind of path at all (<see cref="MethodAllowed"/>: no means <c>MethodNotAllowed</c>) and the sub-resource the
/// request named that no operation of the model binds (<see cref="UnknownSubresource"/>).
/// </summary>
public readonly record struct S3Route(OperationModel? Operation, bool MethodAllowed, string? UnknownSubresource);

/// <summary>
/// S3's routing, derived from its model once at start-up: each operation's <c>http.method</c> and <c>requestUri</c>
/// (<c>/{Bucket}?location</c>, <c>/{Bucket}/{Key+}?uploads</c>, <c>/{Bucket}?list-type=2</c>) and the header and query
/// members its input requires. For a request, the operations whose method matches, whose path has the request's shape and
/// whose literal query parts are all present are candidates; the one with the most literal parts wins; among those,
/// the one with the most of its required header/query members present, then the fewest missing (so PutObject and
/// CopyObject, UploadPart and UploadPartCopy, ListBucketMetricsConfigurations and GetBucketMetricsConfiguration, which
/// share method and URI, are told apart by <c>x-amz-copy-source</c>, <c>uploadId</c>/<c>partNumber</c> and <c>id</c>).
/// Operations that still tie share their URI on AWS too: the one not deprecated wins (GetBucketLifecycleConfiguration
/// over GetBucketLifecycle), then the one that is not an S3 Express control-endpoint operation (ListBuckets over
/// ListDirectoryBuckets, which AWS serves on another host).
/// <para>
/// Query parameters with a value that no member binds are ignored, as S3 ignores them (a cache-busting <c>?v=2</c> on a
/// GET); a parameter without a value (<c>?foo</c>, the form of every sub-resource) that neither the chosen operation nor
/// SigV4's presigning binds is reported, so that a sub-resource this model does not know never runs as the plain
/// operation (a <c>DELETE /bucket?foo</c> is not DeleteBucket).
/// </para>
/// </summary>
public sealed class S3Router
{
    private readonly FrozenDictionary<string, Group>[] _byShape;
    private readonly FrozenDictionary<string, FrozenDictionary<string, Group>> _literalBuckets;

    public S3Router(ServiceModel model)
    {
        var all = Order(model.Operations.Values.Select(o => new Candidate(o)));
        for (var i = 0; i < all.Length; i++) all[i].Rank = i;
        _byShape = new FrozenDictionary<string, Group>[3];
        foreach (var shape in Enum.GetValues<S3PathShape>())
            _byShape[(int)shape] = ByMethod(all.Where(c => c.Shape == shape && c.LiteralBucket is null));
        // A literal path (/WriteGetObjectResponse) stands where a bucket name would: keyed by method and the literal.
        _literalBuckets = all.Where(c => c.LiteralBucket is not null)
            .GroupBy(c => c.LiteralBucket!, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => ByMethod(g), StringComparer.Ordinal);
        Operations = all.Select(c => c.Operation.Name).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Every operation of the model the router can choose (all of them).</summary>
    public IReadOnlyList<string> Operations { get; }

    private static FrozenDictionary<string, Group> ByMethod(IEnumerable<Candidate> candidates) =>
        candidates.GroupBy(c => c.Operation.HttpMethod, StringComparer.OrdinalIgnoreCase)
            .ToFrozenDictionary(g => g.Key, g => new Group(g), StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The operations of one method and path shape: those without literal query parts, and the others indexed by each
    /// literal part's name, so that a request looks up only the operations its own query names (a GET on a bucket has 36
    /// candidates; a request names one or two of them).
    /// </summary>
    private sealed class Group
    {
        public Group(IEnumerable<Candidate> candidates)
        {
            var ordered = Order(candidates);
            Plain = ordered.Where(c => c.Literals.Length == 0).ToArray();
            ByLiteral = ordered.Where(c => c.Literals.Length > 0)
                .SelectMany(c => c.Literals.Select(l => (l.Key, Candidate: c)))
                .GroupBy(x => x.Key, StringComparer.Ordinal)
                .ToFrozenDictionary(g => g.Key, g => Order(g.Select(x => x.Candidate)), StringComparer.Ordinal);
        }

        public Candidate[] Plain { get; }
        public FrozenDictionary<string, Candidate[]> ByLiteral { get; }
    }

    /// <summary>
    /// Most literal query parts first; within as many, the tie order (not deprecated, not S3 Express control, name), which
    /// <see cref="Candidate.Rank"/> keeps.
    /// </summary>
    private static Candidate[] Order(IEnumerable<Candidate> group) => group
        .OrderByDescending(c => c.Literals.Length)
        .ThenBy(c => c.Operation.Deprecated)
        .ThenBy(c => c.Operation.StaticContextParams.Contains("UseS3ExpressControlEndpoint"))
        .ThenBy(c => c.Operation.Name, StringComparer.Ordinal)
        .ToArray();

    public static S3PathShape ShapeOf(string? bucket, string? key) =>
        bucket is null ? S3PathShape.Service : key is null ? S3PathShape.Bucket : S3PathShape.Object;

    /// <summary>The operation a request names; see the class summary for the rules.</summary>
    /// <param name="virtualHosted">
    /// The bucket came from the request's host name. An operation whose model gives its endpoint a host prefix
    /// (WriteGetObjectResponse's <c>{RequestRoute}.</c>) is sent that way: its literal path (<c>/WriteGetObjectResponse</c>)
    /// is then the key, and the host's first label is the prefix, not a bucket.
    /// </param>
    public S3Route Match(string method, string? bucket, string? key, IReadOnlyDictionary<string, string> query, IHeaderDictionary headers,
        bool virtualHosted = false)
    {
        var shape = ShapeOf(bucket, key);
        Group? group = null;
        if (shape == S3PathShape.Bucket && _literalBuckets.TryGetValue(bucket!, out var literal))
            literal.TryGetValue(method, out group);
        else if (virtualHosted && shape == S3PathShape.Object && _literalBuckets.TryGetValue(key!, out var prefixed)
                 && prefixed.TryGetValue(method, out var hosted) && hosted.Plain.Any(c => c.Operation.HostPrefix is { Length: > 0 }))
            group = hosted;
        if (group is null && !_byShape[(int)shape].TryGetValue(method, out group))
            return new S3Route(null, false, null);

        Candidate? best = null;
        int bestPresent = 0, bestMissing = 0;
        void Consider(Candidate c)
        {
            if (best is not null && c.Literals.Length < best.Literals.Length) return;
            if (!c.LiteralsPresent(query)) return;
            var (present, missing) = c.RequiredMembers(query, headers);
            if (best is not null && c.Literals.Length == best.Literals.Length
                && (present < bestPresent || (present == bestPresent && (missing > bestMissing || (missing == bestMissing && c.Rank >= best.Rank)))))
                return;
            (best, bestPresent, bestMissing) = (c, present, missing);
        }
        if (query.Count > 0)
        {
            // Dictionary's own enumerator (a struct) where the query is one, as S3Request's is.
            if (query is Dictionary<string, string> d)
            {
                foreach (var name in d.Keys)
                    if (group.ByLiteral.TryGetValue(name, out var named)) foreach (var c in named) Consider(c);
            }
            else
            {
                foreach (var name in query.Keys)
                    if (group.ByLiteral.TryGetValue(name, out var named)) foreach (var c in named) Consider(c);
            }
        }
        if (best is null)
            foreach (var c in group.Plain) Consider(c);

        var unknown = UnknownSubresource(best, query);
        return best is null || unknown is not null ? new S3Route(null, true, unknown ?? "") : new S3Route(best.Operation, true, null);
    }

    private static string? UnknownSubresource(Candidate? chosen, IReadOnlyDictionary<string, string> query)
    {
        if (query.Count == 0) return null;
        foreach (var (name, value) in query)
        {
            if (value.Length > 0 || name == "x-id" || name.StartsWith("X-Amz-", StringComparison.OrdinalIgnoreCase)) continue;
            if (chosen is null || !chosen.Binds(name)) return name;
        }
        return null;
    }

    private sealed class Candidate
    {
        public Candidate(OperationModel op)
        {
            Operation = op;
            var uri = op.RequestUri;
            var q = uri.IndexOf('?');
            var literals = new List<KeyValuePair<string, string?>>();
            if (q >= 0)
            {
                foreach (var part in uri[(q + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
                {
                    var eq = part.IndexOf('=');
                    literals.Add(eq < 0 ? new(part, null) : new(part[..eq], part[(eq + 1)..]));
                }
                uri = uri[..q];
            }
            Literals = literals.ToArray();
            var segments = uri.Split('/', StringSplitOptions.RemoveEmptyEntries);
            Shape = segments.Length switch
            {
                0 => S3PathShape.Service,
                1 => S3PathShape.Bucket,
                _ => S3PathShape.Object,
            };
            if (segments.Length > 0 && !segments[0].StartsWith('{')) LiteralBucket = segments[0];

            var input = op.Input;
            var bound = new HashSet<string>(literals.Select(l => l.Key), StringComparer.Ordinal);
            var required = new List<(bool Header, string Name)>();
            foreach (var m in input?.Members ?? [])
            {
                if (m.Location == MemberLocation.QueryString)
                {
                    if (m.Shape.Type == ShapeType.Map) BindsAll = true;
                    bound.Add(m.WireName);
                }
                if (input!.Required.Contains(m.Name) && m.Location is MemberLocation.Header or MemberLocation.QueryString)
                    required.Add((m.Location == MemberLocation.Header, m.WireName));
            }
            Bound = bound.ToFrozenSet(StringComparer.Ordinal);
            Required = required.ToArray();
        }

        public OperationModel Operation { get; }
        /// <summary>The operation's place in the tie order.</summary>
        public int Rank { get; set; }
        public S3PathShape Shape { get; }
        public string? LiteralBucket { get; }
        public KeyValuePair<string, string?>[] Literals { get; }
        private (bool Header, string Name)[] Required { get; }
        private FrozenSet<string> Bound { get; }
        private bool BindsAll { get; }

        public bool Binds(string queryName) => BindsAll || Bound.Contains(queryName);

        public bool LiteralsPresent(IReadOnlyDictionary<string, string> query)
        {
            foreach (var (name, value) in Literals)
                if (!query.TryGetValue(name, out var v) || (value is not null && v != value)) return false;
            return true;
        }

        public (int Present, int Missing) RequiredMembers(IReadOnlyDictionary<string, string> query, IHeaderDictionary headers)
        {
            int present = 0, missing = 0;
            foreach (var (isHeader, name) in Required)
            {
                if (isHeader ? headers.ContainsKey(name) : query.ContainsKey(name)) present++;
                else missing++;
            }
            return (present, missing);
        }
    }
}
