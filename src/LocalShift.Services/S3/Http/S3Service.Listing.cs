namespace LocalShift.Services.S3.Http;

/// <summary>The listing options ListObjectVersions (not yet a typed operation) shares with the typed listings.</summary>
public sealed partial class S3Service
{
    private static (string? Prefix, string? Delimiter, int MaxKeys, bool Url) ListOptions(S3Request r) =>
        S3Operations.ListOptions(r.Q("prefix"), r.Q("delimiter"), IntOption(r, "max-keys", 1000, int.MaxValue), r.Q("encoding-type"));

    private static string Enc(string value, bool url) => S3Operations.Enc(value, url);
}
