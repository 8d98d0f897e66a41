using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LocalShift.Policy.Evaluation;

namespace LocalShift.Policy.Tests.Differential;

/// <summary>
/// Where LocalShift deliberately answers differently from iam-simulate, each backed by AWS documentation.
/// A difference is not taken on trust: <see cref="Explain"/> rewrites the case into a form that means the same to
/// AWS but avoids the oracle's deviation (or isolates the rule in question), and the test requires the oracle to
/// agree with LocalShift on the rewritten case.
/// </summary>
public static partial class KnownDifferences
{
    /// <summary>
    /// The oracle reads an all-digit Date value as milliseconds when the other side is an ISO date. AWS date
    /// operators take ISO 8601 or epoch (UNIX) time, i.e. seconds (IAM User Guide, "Condition operators: Date
    /// condition operators" and "aws:EpochTime"). Rewrite: epoch seconds to the equivalent ISO 8601 text.
    /// </summary>
    public const string EpochSeconds = "Date operators: epoch values are seconds (IAM User Guide, Date condition operators)";

    /// <summary>
    /// The oracle splits policy ARNs on ':' before substituting variables, so "arn:aws:sqs:r:a:${aws:username}"
    /// never matches. AWS substitutes the variable first (IAM User Guide, "IAM policy elements: Variables and tags").
    /// Rewrite: variables replaced by their values.
    /// </summary>
    public const string VariableAfterColon = "Policy variables are substituted before matching (IAM User Guide, Variables and tags)";

    /// <summary>
    /// A same-account resource policy naming the role session's ARN is not limited by the session policy (IAM User
    /// Guide, "Session policies": "...the permissions from the resource-based policy are added after the session
    /// policy..."). The oracle always applies the session policy. Rewrite: drop the session policy.
    /// </summary>
    public const string SessionArnInResourcePolicy = "Resource policy naming the session ARN bypasses session policies (IAM User Guide, Session policies)";

    /// <summary>
    /// AWS checks explicit denies first ("If the enforcement code finds an explicit deny ... returns a final decision of
    /// Deny", IAM User Guide, "How AWS enforcement code logic evaluates requests"). The oracle reports an implicit deny
    /// when another layer (trust policy, boundary) lacks an allow. Rewrite: the denying policy alone next to allow-all
    /// policies, which the oracle must call an explicit deny.
    /// </summary>
    public const string ExplicitDenyFirst = "Explicit deny is evaluated before missing allows (IAM User Guide, enforcement code logic)";

    /// <summary>
    /// "...IfExists: if the key is not present, evaluate the condition element as true" (IAM User Guide, "Condition
    /// operators: ...IfExists"). The oracle lets ForAnyValue's "missing key is false" win over IfExists.
    /// Rewrite: drop IfExists clauses whose key is absent (they are true).
    /// </summary>
    public const string IfExistsWithForAnyValue = "IfExists makes a missing key true, also under ForAnyValue (IAM User Guide, ...IfExists)";

    /// <summary>
    /// An IPv6 request address is outside every IPv4 block, so NotIpAddress over IPv4-only blocks holds (Amazon S3
    /// User Guide, "Making requests over IPv6": policies that deny with NotIpAddress listing only IPv4 ranges deny
    /// IPv6 callers). The oracle answers false. Rewrite: drop such NotIpAddress clauses (they are true).
    /// </summary>
    public const string Ipv6AgainstIpv4Blocks = "IPv6 address is outside IPv4 blocks, NotIpAddress holds (Amazon S3 User Guide, IPv6)";

    public static (string Reason, DiffCase Rewritten)? Explain(DiffCase c, Decision ours, string oracle)
    {
        var reasons = new List<string>();
        var t = c;
        if (MapStrings(t, EpochToIso, out var iso)) { t = iso; reasons.Add(EpochSeconds); }
        if (MapStrings(t, s => ResolveVariables(s, c), out var resolved)) { t = resolved; reasons.Add(VariableAfterColon); }
        if (c.Context.TryGetValue("aws:SourceIp", out var ip) && ip[0].Contains(':') && DropClauses(t, IsIpv4OnlyNotIpAddress, out var noIp))
        {
            t = noIp;
            reasons.Add(Ipv6AgainstIpv4Blocks);
        }
        if (HasForAnyValueIfExistsOnMissingKey(t)) { t = DropIfExistsOnMissingKeys(t); reasons.Add(IfExistsWithForAnyValue); }
        if (ours.Kind == DecisionKind.Allow && c.Session is not null && !c.CrossAccount &&
            ours.Statements.Count > 0 && ours.Statements.All(s => s.Layer == PolicyLayer.Resource))
        {
            t = t with { Session = null };
            reasons.Add(SessionArnInResourcePolicy);
        }
        if (ours.Kind == DecisionKind.ExplicitDeny && oracle == "ImplicitlyDenied")
        {
            t = IsolateDeny(t, ours);
            reasons.Add(ExplicitDenyFirst);
        }
        return reasons.Count == 0 ? null : (string.Join(" + ", reasons), t);
    }

    private static IEnumerable<JsonObject> Documents(DiffCase c) =>
        c.Identity.Concat(new[] { c.Boundary, c.Session, c.ResourcePolicy }.OfType<JsonObject>());

    private static bool HasForAnyValueIfExistsOnMissingKey(DiffCase c) =>
        Documents(c).SelectMany(d => d["Statement"]!.AsArray()).Any(st =>
            st!["Condition"] is JsonObject cond && cond.Any(op =>
                op.Key.StartsWith("ForAnyValue:", StringComparison.Ordinal) && op.Key.EndsWith("IfExists", StringComparison.Ordinal) &&
                op.Value!.AsObject().Any(k => !c.Context.ContainsKey(k.Key))));

    private static DiffCase DropIfExistsOnMissingKeys(DiffCase c)
    {
        JsonObject? Doc(JsonObject? d)
        {
            if (d is null) return null;
            var copy = (JsonObject)d.DeepClone();
            foreach (var st in copy["Statement"]!.AsArray())
            {
                if (st!["Condition"] is not JsonObject cond) continue;
                foreach (var (op, block) in cond.ToArray())
                {
                    if (!op.EndsWith("IfExists", StringComparison.Ordinal)) continue;
                    foreach (var key in block!.AsObject().Select(k => k.Key).ToArray())
                        if (!c.Context.ContainsKey(key)) block.AsObject().Remove(key);
                    if (block.AsObject().Count == 0) cond.Remove(op);
                }
                if (cond.Count == 0) st.AsObject().Remove("Condition");
            }
            return copy;
        }
        return c with
        {
            Identity = c.Identity.Select(d => Doc(d)!).ToList(),
            Boundary = Doc(c.Boundary),
            Session = Doc(c.Session),
            ResourcePolicy = Doc(c.ResourcePolicy),
        };
    }

    private static bool IsIpv4OnlyNotIpAddress(string op, string key, JsonNode values) =>
        op.StartsWith("NotIpAddress", StringComparison.Ordinal) && key.Equals("aws:SourceIp", StringComparison.OrdinalIgnoreCase) &&
        (values is JsonArray a ? a.Select(v => (string)v!) : [(string)values!]).All(v => !v.Contains(':'));

    /// <summary>Removes the condition clauses <paramref name="drop"/> selects, in every document of the case.</summary>
    private static bool DropClauses(DiffCase c, Func<string, string, JsonNode, bool> drop, out DiffCase mapped)
    {
        var changed = false;
        JsonObject? Doc(JsonObject? d)
        {
            if (d is null) return null;
            var copy = (JsonObject)d.DeepClone();
            foreach (var st in copy["Statement"]!.AsArray())
            {
                if (st!["Condition"] is not JsonObject cond) continue;
                foreach (var (op, block) in cond.ToArray())
                {
                    foreach (var (key, values) in block!.AsObject().ToArray())
                        if (drop(op, key, values!)) { block.AsObject().Remove(key); changed = true; }
                    if (block.AsObject().Count == 0) cond.Remove(op);
                }
                if (cond.Count == 0) st.AsObject().Remove("Condition");
            }
            return copy;
        }
        mapped = c with
        {
            Identity = c.Identity.Select(d => Doc(d)!).ToList(),
            Boundary = Doc(c.Boundary),
            Session = Doc(c.Session),
            ResourcePolicy = Doc(c.ResourcePolicy),
        };
        return changed;
    }

    private static readonly JsonObject AllowAll = new() { ["Effect"] = "Allow", ["Action"] = "*", ["Resource"] = "*" };

    private static DiffCase IsolateDeny(DiffCase c, Decision ours)
    {
        var layers = ours.Statements.Select(s => s.Layer).ToHashSet();
        var identity = new List<JsonObject>();
        foreach (var s in ours.Statements.Where(s => s.Layer == PolicyLayer.Identity).Select(s => s.Policy).Distinct())
            identity.Add(c.Identity[int.Parse(s[1..])]);
        if (layers.Contains(PolicyLayer.PermissionsBoundary)) identity.Add(c.Boundary!);
        if (layers.Contains(PolicyLayer.Session)) identity.Add(c.Session!);
        identity.Add(new JsonObject { ["Version"] = "2012-10-17", ["Statement"] = new JsonArray(AllowAll.DeepClone()) });

        var everyone = new JsonObject { ["Effect"] = "Allow", ["Principal"] = "*", ["Action"] = "*" };
        if (!c.Trust) everyone["Resource"] = "*";
        JsonObject? resource = null;
        if (layers.Contains(PolicyLayer.Resource))
        {
            resource = (JsonObject)c.ResourcePolicy!.DeepClone();
            resource["Statement"]!.AsArray().Add(everyone);
        }
        else if (c.Trust || c.CrossAccount)
            resource = new JsonObject { ["Version"] = "2012-10-17", ["Statement"] = new JsonArray(everyone) };
        return c with { Identity = identity, Boundary = null, Session = null, ResourcePolicy = resource };
    }

    private static string EpochToIso(string s) =>
        s.Length is >= 9 and <= 11 && s.All(char.IsAsciiDigit)
            ? DateTimeOffset.FromUnixTimeSeconds(long.Parse(s)).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'")
            : s;

    private static string ResolveVariables(string s, DiffCase c) =>
        Variable().Replace(s, m =>
        {
            var key = m.Groups["key"].Value.Trim();
            if (c.Context.TryGetValue(key, out var v) && v.Length == 1) return v[0];
            return m.Groups["def"].Success ? m.Groups["def"].Value : m.Value;
        });

    [GeneratedRegex(@"\$\{(?<key>[^,}]+)(,\s*'(?<def>[^']*)')?\}")]
    private static partial Regex Variable();

    /// <summary>Applies <paramref name="map"/> to every Resource/NotResource/condition value string of 2012-10-17 documents (dates: all documents).</summary>
    private static bool MapStrings(DiffCase c, Func<string, string> map, out DiffCase mapped)
    {
        var changed = false;
        JsonObject? Doc(JsonObject? d)
        {
            if (d is null) return null;
            var copy = (JsonObject)d.DeepClone();
            var modern = (string?)copy["Version"] == "2012-10-17";
            foreach (var st in copy["Statement"]!.AsArray())
            {
                var o = st!.AsObject();
                foreach (var field in new[] { "Resource", "NotResource" })
                    if (modern && o[field] is { } r) o[field] = MapNode(r, map, ref changed);
                if (o["Condition"] is JsonObject cond)
                    foreach (var (op, block) in cond)
                        foreach (var (key, values) in block!.AsObject().ToArray())
                            if (modern || op.StartsWith("Date", StringComparison.Ordinal))
                                block.AsObject()[key] = MapNode(values!, map, ref changed);
            }
            return copy;
        }
        mapped = c with
        {
            Identity = c.Identity.Select(d => Doc(d)!).ToList(),
            Boundary = Doc(c.Boundary),
            Session = Doc(c.Session),
            ResourcePolicy = Doc(c.ResourcePolicy),
        };
        return changed;
    }

    private static JsonNode MapNode(JsonNode node, Func<string, string> map, ref bool changed)
    {
        if (node is JsonArray a)
        {
            var items = new JsonArray();
            foreach (var x in a) items.Add(MapNode(x!, map, ref changed));
            return items;
        }
        var s = (string)node!;
        var m = map(s);
        if (m != s) changed = true;
        return JsonValue.Create(m)!;
    }
}
