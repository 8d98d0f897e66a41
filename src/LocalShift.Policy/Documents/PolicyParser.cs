using System.Text.Json;
using LocalShift.Policy.Conditions;
using LocalShift.Policy.Matching;

namespace LocalShift.Policy.Documents;

/// <summary>
/// The IAM policy grammar: JSON to a compiled <see cref="PolicyDocument"/>, or the first error found. Errors use
/// IAM's own MalformedPolicyDocument texts where they are known, else "Syntax errors in policy." followed by the
/// path of the offending element ("Statement[1].Effect ...").
/// </summary>
internal static class PolicyParser
{
    public const string CurrentVersion = "2012-10-17";
    public const string LegacyVersion = "2008-10-17";
    public const string SyntaxError = "Syntax errors in policy.";

    private static readonly HashSet<string> TopLevelFields = ["Version", "Id", "Statement"];
    private static readonly HashSet<string> StatementFields =
        ["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"];
    private static readonly HashSet<string> PrincipalTypes = ["AWS", "Service", "Federated", "CanonicalUser"];

    private sealed class Invalid(string message) : Exception(message);

    public static PolicyDocument? Parse(string json, PolicyKind kind, out string? error)
    {
        error = null;
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException)
        {
            error = SyntaxError;
            return null;
        }
        catch (ArgumentException)
        {
            error = SyntaxError;
            return null;
        }
        using (doc)
        {
            if (!IsUnicodeText(doc.RootElement))
            {
                error = $"{SyntaxError} A string in the document is not valid Unicode text (an unpaired surrogate such as \\ud800).";
                return null;
            }
            try
            {
                return ParseRoot(doc.RootElement, kind, json);
            }
            catch (Invalid e)
            {
                error = e.Message;
                return null;
            }
        }
    }

    /// <summary>
    /// JSON can escape an unpaired surrogate (<c>"\ud800"</c>), which is well-formed JSON but no text: such a string
    /// cannot be read, so the document is refused before any of it is.
    /// </summary>
    private static bool IsUnicodeText(JsonElement element)
    {
        try
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    _ = element.GetString();
                    return true;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                        if (!IsUnicodeText(item)) return false;
                    return true;
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        _ = property.Name;
                        if (!IsUnicodeText(property.Value)) return false;
                    }
                    return true;
                default:
                    return true;
            }
        }
        catch (InvalidOperationException)
        {
            // What System.Text.Json throws for an escaped string that is not valid UTF-16.
            return false;
        }
    }

    private static Invalid Syntax(string detail) => new($"{SyntaxError} {detail}");

    private static PolicyDocument ParseRoot(JsonElement root, PolicyKind kind, string json)
    {
        if (root.ValueKind != JsonValueKind.Object) throw Syntax("The policy must be a JSON object.");
        CheckFields(root, TopLevelFields, "the policy");
        string? version = null, id = null;
        if (root.TryGetProperty("Version", out var v))
        {
            version = v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            if (version is not (CurrentVersion or LegacyVersion))
                throw Syntax($"Version must be \"{CurrentVersion}\" or \"{LegacyVersion}\".");
        }
        if (root.TryGetProperty("Id", out var idElement))
        {
            if (idElement.ValueKind != JsonValueKind.String) throw Syntax("Id must be a string.");
            id = idElement.GetString();
        }
        if (!root.TryGetProperty("Statement", out var st)) throw new Invalid("Missing required field Statement");
        var items = st.ValueKind switch
        {
            JsonValueKind.Object => [st],
            JsonValueKind.Array => st.EnumerateArray().ToArray(),
            _ => throw Syntax("Statement must be an object or an array of objects."),
        };
        if (items.Length == 0) throw Syntax("Statement must not be empty.");
        var variables = version == CurrentVersion;
        var statements = new PolicyStatement[items.Length];
        var sids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Length; i++)
        {
            statements[i] = ParseStatement(items[i], i, kind, variables);
            if (statements[i].Sid is { Length: > 0 } sid && kind != PolicyKind.Resource && !sids.Add(sid))
                throw new Invalid("Statement IDs (SID) in a single policy must be unique.");
        }
        return new PolicyDocument(kind, version, id, statements, json);
    }

    private static void CheckFields(JsonElement obj, HashSet<string> allowed, string where)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in obj.EnumerateObject())
        {
            if (!allowed.Contains(p.Name)) throw Syntax($"Unknown field \"{p.Name}\" in {where}.");
            if (!seen.Add(p.Name)) throw Syntax($"Duplicate field \"{p.Name}\" in {where}.");
        }
    }

    private static PolicyStatement ParseStatement(JsonElement s, int index, PolicyKind kind, bool variables)
    {
        var path = $"Statement[{index}]";
        if (s.ValueKind != JsonValueKind.Object) throw Syntax($"{path} must be an object.");
        CheckFields(s, StatementFields, path);

        string? sid = null;
        if (s.TryGetProperty("Sid", out var sidElement))
        {
            if (sidElement.ValueKind != JsonValueKind.String) throw Syntax($"{path}.Sid must be a string.");
            sid = sidElement.GetString()!;
            if (kind != PolicyKind.Resource && !sid.All(char.IsAsciiLetterOrDigit))
                throw new Invalid("Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*");
        }

        if (!s.TryGetProperty("Effect", out var effectElement)) throw new Invalid("Missing required field Effect");
        var effect = effectElement.ValueKind == JsonValueKind.String ? effectElement.GetString() : null;
        var parsedEffect = effect switch
        {
            "Allow" => Effect.Allow,
            "Deny" => Effect.Deny,
            _ => throw Syntax($"{path}.Effect must be Allow or Deny."),
        };

        // Principal
        var hasPrincipal = s.TryGetProperty("Principal", out var principalElement);
        var hasNotPrincipal = s.TryGetProperty("NotPrincipal", out var notPrincipalElement);
        PrincipalSet? principal = null;
        if (hasPrincipal || hasNotPrincipal)
        {
            if (kind == PolicyKind.Identity) throw new Invalid("Policy document should not specify a principal.");
            if (hasPrincipal && hasNotPrincipal) throw Syntax($"{path} must not have both Principal and NotPrincipal.");
            principal = ParsePrincipal(hasPrincipal ? principalElement : notPrincipalElement, $"{path}.{(hasPrincipal ? "Principal" : "NotPrincipal")}");
        }
        else if (kind != PolicyKind.Identity) throw new Invalid("Missing required field Principal");

        // Action
        var hasAction = s.TryGetProperty("Action", out var actionElement);
        var hasNotAction = s.TryGetProperty("NotAction", out var notActionElement);
        if (hasAction && hasNotAction) throw Syntax($"{path} must not have both Action and NotAction.");
        if (!hasAction && !hasNotAction) throw new Invalid("Policy statement must contain actions.");
        var actionPath = $"{path}.{(hasAction ? "Action" : "NotAction")}";
        var actionTexts = StringList(hasAction ? actionElement : notActionElement, actionPath);
        if (actionTexts.Length == 0) throw new Invalid("Policy statement must contain actions.");
        foreach (var a in actionTexts) CheckAction(a, actionPath, kind);
        var actions = actionTexts.Select(WildcardPattern.CaseInsensitive).ToArray();

        // Resource
        var hasResource = s.TryGetProperty("Resource", out var resourceElement);
        var hasNotResource = s.TryGetProperty("NotResource", out var notResourceElement);
        ResourcePattern[]? resources = null;
        if (kind == PolicyKind.Trust)
        {
            if (hasResource || hasNotResource) throw new Invalid($"Has prohibited field {(hasResource ? "Resource" : "NotResource")}");
        }
        else
        {
            if (hasResource && hasNotResource) throw Syntax($"{path} must not have both Resource and NotResource.");
            if (!hasResource && !hasNotResource) throw new Invalid("Policy statement must contain resources.");
            var resourcePath = $"{path}.{(hasResource ? "Resource" : "NotResource")}";
            var texts = StringList(hasResource ? resourceElement : notResourceElement, resourcePath);
            if (texts.Length == 0) throw new Invalid("Policy statement must contain resources.");
            resources = new ResourcePattern[texts.Length];
            for (var i = 0; i < texts.Length; i++)
            {
                var r = texts[i];
                if (r != "*" && !r.StartsWith("arn:", StringComparison.Ordinal))
                    throw new Invalid($"Resource {r} must be in ARN format or \"*\".");
                var ps = PolicyString.Parse(r, variables, out var varError);
                if (varError is not null) throw Syntax($"{resourcePath}: {varError}.");
                resources[i] = new ResourcePattern(ps);
            }
        }

        var conditions = s.TryGetProperty("Condition", out var conditionElement)
            ? ParseConditions(conditionElement, $"{path}.Condition", variables)
            : [];

        return new PolicyStatement(index, sid, parsedEffect, actions, hasNotAction, resources, hasNotResource,
            principal, hasNotPrincipal, conditions);
    }

    private static void CheckAction(string action, string path, PolicyKind kind)
    {
        if (action == "*") return;
        var colon = action.IndexOf(':');
        if (colon <= 0) throw new Invalid("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
        if (action.IndexOf(':', colon + 1) >= 0) throw new Invalid("Actions/Condition can contain only one colon.");
        var vendor = action.AsSpan(0, colon);
        foreach (var c in vendor)
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '*' && c != '?')
                throw new Invalid($"Vendor {vendor} is not valid");
        if (colon == action.Length - 1) throw Syntax($"{path}: action \"{action}\" has no name after the vendor.");
        if (kind == PolicyKind.Trust && !WildcardPattern.CaseInsensitive(vendor.ToString()).IsMatch("sts"))
            throw new Invalid("AssumeRole policy may only specify STS AssumeRole actions.");
    }

    private static string[] StringList(JsonElement e, string path) => e.ValueKind switch
    {
        JsonValueKind.String => [e.GetString()!],
        JsonValueKind.Array => e.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String
            ? x.GetString()!
            : throw Syntax($"{path} must hold strings.")).ToArray(),
        _ => throw Syntax($"{path} must be a string or an array of strings."),
    };

    private static PrincipalSet ParsePrincipal(JsonElement e, string path)
    {
        if (e.ValueKind == JsonValueKind.String)
        {
            if (e.GetString() == "*") return new PrincipalSet(true, [], [], [], []);
            throw Syntax($"{path} must be \"*\" or an object such as {{\"AWS\": \"arn\"}}.");
        }
        if (e.ValueKind != JsonValueKind.Object) throw Syntax($"{path} must be \"*\" or an object.");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string[] aws = [], service = [], federated = [], canonical = [];
        foreach (var p in e.EnumerateObject())
        {
            if (!PrincipalTypes.Contains(p.Name)) throw Syntax($"{path}: unknown principal type \"{p.Name}\".");
            if (!seen.Add(p.Name)) throw Syntax($"Duplicate field \"{p.Name}\" in {path}.");
            var values = StringList(p.Value, $"{path}.{p.Name}");
            if (values.Length == 0) throw Syntax($"{path}.{p.Name} must not be empty.");
            foreach (var value in values)
                if (!PrincipalValueIsWellFormed(p.Name, value))
                    throw new Invalid($"Invalid principal in policy: \"{p.Name}\":\"{value}\"");
            switch (p.Name)
            {
                case "AWS": aws = values; break;
                case "Service": service = values; break;
                case "Federated": federated = values; break;
                default: canonical = values; break;
            }
        }
        if (seen.Count == 0) throw Syntax($"{path} must name at least one principal.");
        return new PrincipalSet(false, aws, service, federated, canonical);
    }

    private static bool PrincipalValueIsWellFormed(string type, string value) => type switch
    {
        "AWS" => value == "*" || LocalShift.Core.AccountId.IsValid(value) || value.StartsWith("arn:", StringComparison.Ordinal)
                 || (value.Length >= 16 && value.All(char.IsAsciiLetterOrDigit) && value.All(c => !char.IsAsciiLetterLower(c))),
        "Service" => value.Length > 0 && !value.Any(char.IsWhiteSpace),
        _ => value.Length > 0,
    };

    private static ConditionClause[] ParseConditions(JsonElement e, string path, bool variables)
    {
        if (e.ValueKind != JsonValueKind.Object) throw Syntax($"{path} must be an object.");
        var clauses = new List<ConditionClause>();
        var seenOps = new HashSet<string>(StringComparer.Ordinal);
        foreach (var op in e.EnumerateObject())
        {
            if (!seenOps.Add(op.Name)) throw Syntax($"Duplicate field \"{op.Name}\" in {path}.");
            var parsed = ConditionOperator.TryParse(op.Name, out var opError);
            if (parsed is null) throw Syntax($"{path}: {opError}.");
            var opPath = $"{path}.{op.Name}";
            if (op.Value.ValueKind != JsonValueKind.Object) throw Syntax($"{opPath} must be an object of condition keys.");
            var seenKeys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var key in op.Value.EnumerateObject())
            {
                var keyPath = $"{opPath}.{key.Name}";
                if (key.Name.Length == 0) throw Syntax($"{opPath} has an empty condition key.");
                if (!seenKeys.Add(key.Name)) throw Syntax($"Duplicate field \"{key.Name}\" in {opPath}.");
                var raw = ConditionValues(key.Value, keyPath);
                var values = new PolicyString[raw.Length];
                for (var i = 0; i < raw.Length; i++)
                {
                    values[i] = PolicyString.Parse(raw[i], variables, out var varError);
                    if (varError is not null) throw Syntax($"{keyPath}: {varError}.");
                }
                var (co, qualifier, ifExists) = parsed.Value;
                if (co.IsNull && raw.Any(r => !bool.TryParse(r, out _))) throw Syntax($"{keyPath}: Null takes \"true\" or \"false\".");
                clauses.Add(new ConditionClause(op.Name, co, qualifier, ifExists, key.Name, values));
            }
        }
        return [.. clauses];
    }

    private static string[] ConditionValues(JsonElement e, string path)
    {
        static string? Scalar(JsonElement x) => x.ValueKind switch
        {
            JsonValueKind.String => x.GetString(),
            JsonValueKind.Number => x.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        };
        if (e.ValueKind == JsonValueKind.Array)
        {
            var list = e.EnumerateArray().Select(x => Scalar(x) ?? throw Syntax($"{path} must hold strings, numbers or booleans.")).ToArray();
            if (list.Length == 0) throw Syntax($"{path} must not be empty.");
            return list;
        }
        return [Scalar(e) ?? throw Syntax($"{path} must be a string, number, boolean or an array of them.")];
    }
}
