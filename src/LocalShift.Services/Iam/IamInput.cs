using System.Globalization;
using System.Text.RegularExpressions;
using LocalShift.Aws.Protocols.Query;
using LocalShift.Core;

namespace LocalShift.Services.Iam;

/// <summary>
/// Reads one request's parameters and checks them against the service model's constraints, collecting every
/// violation into one ValidationError worded as IAM words it ("1 validation error detected: Value 'x' at 'roleName' …").
/// </summary>
public sealed partial class IamInput(QueryParameters parameters)
{
    // Patterns as the model states them (they appear verbatim in AWS's messages) and the .NET regexes that implement them.
    // IAM's \w is Java's: ASCII letters, digits and underscore.
    public const string NamePattern = @"[\w+=,.@-]+";
    public const string PathPattern = @"(\u002F)|(\u002F[\u0021-\u007F]+\u002F)";
    public const string PathPrefixPattern = @"\u002F[\u0021-\u007F]*";
    public const string PolicyPathPattern = @"((/[A-Za-z0-9\.,\+@=_-]+)*)/";
    public const string DocumentPattern = @"[\u0009\u000A\u000D\u0020-\u00FF]+";
    public const string DescriptionPattern = @"[\p{L}\p{M}\p{Z}\p{S}\p{N}\p{P}]*";
    public const string TagKeyPattern = @"[\p{L}\p{Z}\p{N}_.:/=+\-@]+";
    public const string TagValuePattern = @"[\p{L}\p{Z}\p{N}_.:/=+\-@]*";
    public const string VersionIdPattern = @"v[1-9][0-9]*(\.[A-Za-z0-9-]*)?";
    public const string AccessKeyIdPattern = @"[\w]+";

    [GeneratedRegex(@"^[A-Za-z0-9_+=,.@-]+$")] private static partial Regex NameRegex();
    [GeneratedRegex(@"^(/|/[\u0021-\u007F]+/)$")] private static partial Regex PathRegex();
    [GeneratedRegex(@"^/[\u0021-\u007F]*$")] private static partial Regex PathPrefixRegex();
    [GeneratedRegex(@"^((/[A-Za-z0-9\.,\+@=_-]+)*)/$")] private static partial Regex PolicyPathRegex();
    [GeneratedRegex(@"^[\u0009\u000A\u000D\u0020-\u00FF]+$")] private static partial Regex DocumentRegex();
    [GeneratedRegex(@"^[\p{L}\p{M}\p{Z}\p{S}\p{N}\p{P}]*$")] private static partial Regex DescriptionRegex();
    [GeneratedRegex(@"^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$")] private static partial Regex TagKeyRegex();
    [GeneratedRegex(@"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$")] private static partial Regex TagValueRegex();
    [GeneratedRegex(@"^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$")] private static partial Regex VersionIdRegex();
    [GeneratedRegex(@"^[A-Za-z0-9_]+$")] private static partial Regex AccessKeyIdRegex();

    private readonly List<string> _errors = [];

    public QueryParameters Parameters => parameters;

    /// <summary>Throws the collected ValidationError, if any. Call once all of a request's inputs were read.</summary>
    public void Check()
    {
        if (_errors.Count == 0) return;
        var n = _errors.Count;
        throw AwsException.Validation($"{n} validation error{(n == 1 ? "" : "s")} detected: {string.Join("; ", _errors)}");
    }

    private static string Member(string parameter) => char.ToLowerInvariant(parameter[0]) + parameter[1..];

    private string? Text(string parameter, bool required, int min, int max, Regex? regex, string? pattern)
    {
        var value = parameters.Get(parameter);
        var member = Member(parameter);
        if (value is null)
        {
            if (required) _errors.Add($"Value null at '{member}' failed to satisfy constraint: Member must not be null");
            return null;
        }
        if (value.Length < min)
            _errors.Add($"Value '{value}' at '{member}' failed to satisfy constraint: Member must have length greater than or equal to {min}");
        else if (value.Length > max)
            _errors.Add($"Value '{value}' at '{member}' failed to satisfy constraint: Member must have length less than or equal to {max}");
        else if (regex is not null && !regex.IsMatch(value))
            _errors.Add($"Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern}");
        return value;
    }

    private string Req(string? value) => value ?? "";

    public string RoleName(string parameter = "RoleName") => Req(Text(parameter, true, 1, 64, NameRegex(), NamePattern));
    public string UserName(string parameter = "UserName") => Req(Text(parameter, true, 1, 64, NameRegex(), NamePattern));
    /// <summary>Operations on existing users accept names up to 128 characters (existingUserNameType).</summary>
    public string ExistingUserName(string parameter = "UserName") => Req(Text(parameter, true, 1, 128, NameRegex(), NamePattern));
    public string? OptionalExistingUserName(string parameter = "UserName") => Text(parameter, false, 1, 128, NameRegex(), NamePattern);
    public string GroupName(string parameter = "GroupName") => Req(Text(parameter, true, 1, 128, NameRegex(), NamePattern));
    public string PolicyName(string parameter = "PolicyName") => Req(Text(parameter, true, 1, 128, NameRegex(), NamePattern));

    public string Path(string parameter = "Path") => Text(parameter, false, 1, 512, PathRegex(), PathPattern) ?? "/";
    public string PathPrefix(string parameter = "PathPrefix") => Text(parameter, false, 1, 512, PathPrefixRegex(), PathPrefixPattern) ?? "/";
    public string PolicyPath(string parameter = "Path") => Text(parameter, false, 1, 512, PolicyPathRegex(), PolicyPathPattern) ?? "/";

    public string Document(string parameter) => Req(Text(parameter, true, 1, 131072, DocumentRegex(), DocumentPattern));
    public string? Description(int max = 1000) => Text("Description", false, 0, max, DescriptionRegex(), DescriptionPattern);

    /// <summary>An ARN parameter (arnType: 20–2048 characters).</summary>
    public string Arn(string parameter) => Req(Text(parameter, true, 20, 2048, null, null));
    public string? OptionalArn(string parameter) => Text(parameter, false, 20, 2048, null, null);

    public string VersionId() => Req(Text("VersionId", true, 1, 128, VersionIdRegex(), VersionIdPattern));
    public string AccessKeyId() => Req(Text("AccessKeyId", true, 16, 128, AccessKeyIdRegex(), AccessKeyIdPattern));

    public string Status()
    {
        var value = Req(Text("Status", true, 0, int.MaxValue, null, null));
        if (value.Length > 0 && value is not ("Active" or "Inactive"))
            _errors.Add($"Value '{value}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]");
        return value;
    }

    public string? Enum(string parameter, params string[] allowed)
    {
        var value = parameters.Get(parameter);
        if (value is not null && !allowed.Contains(value, StringComparer.Ordinal))
            _errors.Add($"Value '{value}' at '{Member(parameter)}' failed to satisfy constraint: Member must satisfy enum value set: [{string.Join(", ", allowed)}]");
        return value;
    }

    public int? Int(string parameter, int min, int max)
    {
        var text = parameters.Get(parameter);
        if (text is null) return null;
        var member = Member(parameter);
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            _errors.Add($"Value '{text}' at '{member}' failed to satisfy constraint: Member must be a number");
            return null;
        }
        if (value < min) _errors.Add($"Value '{value}' at '{member}' failed to satisfy constraint: Member must have value greater than or equal to {min}");
        else if (value > max) _errors.Add($"Value '{value}' at '{member}' failed to satisfy constraint: Member must have value less than or equal to {max}");
        return value;
    }

    public bool? Bool(string parameter) => parameters.Bool(parameter);

    public string? Marker() => Text("Marker", false, 1, 320, null, null);
    public int MaxItems() => Int("MaxItems", 1, 1000) ?? 100;

    /// <summary>Tags.member.N.Key/Value; at most 50, keys unique ignoring case.</summary>
    public List<IamTag>? Tags(string parameter = "Tags")
    {
        var list = parameters.StructList(parameter);
        if (list is null) return null;
        var tags = new List<IamTag>();
        for (var i = 0; i < list.Count; i++)
        {
            var key = list[i].Get("Key");
            var value = list[i].Get("Value");
            var at = $"{Member(parameter)}.{i + 1}.member";
            if (key is null) _errors.Add($"Value null at '{at}.key' failed to satisfy constraint: Member must not be null");
            else if (key.Length is < 1 or > 128)
                _errors.Add($"Value '{key}' at '{at}.key' failed to satisfy constraint: Member must have length {(key.Length < 1 ? "greater than or equal to 1" : "less than or equal to 128")}");
            else if (!TagKeyRegex().IsMatch(key))
                _errors.Add($"Value '{key}' at '{at}.key' failed to satisfy constraint: Member must satisfy regular expression pattern: {TagKeyPattern}");
            if (value is null) _errors.Add($"Value null at '{at}.value' failed to satisfy constraint: Member must not be null");
            else if (value.Length > 256)
                _errors.Add($"Value '{value}' at '{at}.value' failed to satisfy constraint: Member must have length less than or equal to 256");
            else if (!TagValueRegex().IsMatch(value))
                _errors.Add($"Value '{value}' at '{at}.value' failed to satisfy constraint: Member must satisfy regular expression pattern: {TagValuePattern}");
            if (key is not null && value is not null) tags.Add(new IamTag(key, value));
        }
        return tags;
    }

    public List<string> TagKeys(string parameter = "TagKeys")
    {
        var keys = parameters.List(parameter);
        if (keys is null)
        {
            _errors.Add($"Value null at '{Member(parameter)}' failed to satisfy constraint: Member must not be null");
            return [];
        }
        return keys;
    }
}
