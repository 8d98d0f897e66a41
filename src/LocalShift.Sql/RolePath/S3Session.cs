using LocalShift.Aws;
using LocalShift.Core;
using LocalShift.Engine;
using LocalShift.Services.S3;
using LocalShift.Storage.Objects;

namespace LocalShift.Sql.RolePath;

/// <summary>An S3 location as COPY and UNLOAD name it: <c>s3://bucket/key-prefix</c>.</summary>
public sealed record S3Location(string Bucket, string Key)
{
    public static S3Location Parse(string url)
    {
        if (!url.StartsWith("s3://", StringComparison.OrdinalIgnoreCase) || url.Length <= 5)
            throw new PgException(SqlState.InvalidParameterValue,
                $"Invalid S3 path '{url}': expected s3://bucket/prefix");
        var rest = url[5..];
        var slash = rest.IndexOf('/');
        return slash < 0 ? new S3Location(rest, "") : new S3Location(rest[..slash], rest[(slash + 1)..]);
    }

    public override string ToString() => $"s3://{Bucket}/{Key}";
}

/// <summary>
/// S3 as the role path's final principal: every call goes through <see cref="S3Objects"/> and the real authorizer,
/// and every failure comes back as Redshift's S3ServiceException text.
/// </summary>
/// <param name="bucketsInRegion">COPY and UNLOAD: a bucket outside <paramref name="region"/> (the cluster's, or the
/// statement's REGION) answers S3's PermanentRedirect, as S3 answers a request sent to another region's endpoint.</param>
public sealed class S3Session(S3Objects objects, IAuthorizer authorizer, Principal principal, string region, TimeProvider clock,
    bool bucketsInRegion = false)
{
    public Principal Principal => principal;

    public Task<IReadOnlyList<S3ObjectSummary>> ListAsync(S3Location location, CancellationToken ct = default) =>
        Run("ListObjects", $"Listing bucket={location.Bucket} prefix={location.Key}", location.Bucket, call => objects.ListAsync(call, location.Bucket, location.Key, ct));

    public Task<Stream> OpenReadAsync(string bucket, string key, CancellationToken ct = default) =>
        Run("GetObject", $"S3 key being read : s3://{bucket}/{key}", bucket, call => objects.OpenReadAsync(call, bucket, key, ct));

    public Task<S3ObjectSummary> PutAsync(string bucket, string key, Stream body, string? contentType = null, CancellationToken ct = default) =>
        Run("PutObject", $"S3 key being written : s3://{bucket}/{key}", bucket, call => objects.PutAsync(call, bucket, key, body, contentType, ct));

    /// <summary>PutObject from a finished local file, which the store takes over (see <see cref="S3Objects.PutFileAsync"/>).</summary>
    public Task<S3ObjectSummary> PutFileAsync(string bucket, string key, string file, string? contentType = null, FileDigest? digest = null, CancellationToken ct = default) =>
        Run("PutObject", $"S3 key being written : s3://{bucket}/{key}", bucket, call => objects.PutFileAsync(call, bucket, key, file, contentType, digest, ct));

    /// <summary>The keys about to be put together; see <see cref="S3Objects.BeginPublication"/>.</summary>
    public ObjectPublication BeginPublication(string bucket, IReadOnlyCollection<string> keys) => objects.BeginPublication(bucket, keys);

    public Task DeleteAsync(string bucket, string key, CancellationToken ct = default) =>
        Run("DeleteObject", $"S3 key being deleted : s3://{bucket}/{key}", bucket, async call => { await objects.DeleteAsync(call, bucket, key, ct); return true; });

    private async Task<T> Run<T>(string operation, string context, string bucket, Func<AwsCall, Task<T>> act)
    {
        var call = new AwsCall
        {
            Service = "s3",
            Operation = operation,
            Region = region,
            RequestId = Guid.NewGuid().ToString("N")[..16].ToUpperInvariant(),
            Caller = principal,
            Time = clock.GetUtcNow(),
            Authorizer = authorizer,
        };
        try
        {
            if (bucketsInRegion && objects.BucketRegion(bucket) is { } located && located != region) throw S3Errors.PermanentRedirect(bucket, located);
            return await act(call);
        }
        catch (AwsException e) { throw RolePathErrors.S3(e, call.RequestId, context); }
    }
}
