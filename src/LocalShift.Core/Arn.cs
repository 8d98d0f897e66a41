namespace LocalShift.Core;

/// <summary>An Amazon Resource Name: arn:partition:service:region:account:resource.</summary>
public sealed record Arn(string Partition, string Service, string Region, string Account, string Resource)
{
    public static bool TryParse(string? text, out Arn arn)
    {
        arn = null!;
        if (string.IsNullOrEmpty(text) || !text.StartsWith("arn:", StringComparison.Ordinal)) return false;
        var parts = text.Split(':', 6);
        if (parts.Length != 6 || parts[1].Length == 0 || parts[2].Length == 0) return false;
        arn = new Arn(parts[1], parts[2], parts[3], parts[4], parts[5]);
        return true;
    }

    public static Arn Parse(string text) =>
        TryParse(text, out var arn) ? arn : throw new FormatException($"'{text}' is not an ARN.");

    public override string ToString() => $"arn:{Partition}:{Service}:{Region}:{Account}:{Resource}";

    public static string Iam(string account, string resource) => $"arn:aws:iam::{account}:{resource}";
    public static string Role(string account, string path, string name) => $"arn:aws:iam::{account}:role{path}{name}";
    public static string User(string account, string path, string name) => $"arn:aws:iam::{account}:user{path}{name}";
    public static string Root(string account) => $"arn:aws:iam::{account}:root";
    public static string AssumedRole(string account, string roleName, string session) => $"arn:aws:sts::{account}:assumed-role/{roleName}/{session}";
    public static string Cluster(string region, string account, string id) => $"arn:aws:redshift:{region}:{account}:cluster:{id}";
    public static string DbUser(string region, string account, string cluster, string user) => $"arn:aws:redshift:{region}:{account}:dbuser:{cluster}/{user}";
}
