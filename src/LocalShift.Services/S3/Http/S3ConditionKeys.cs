using System.Globalization;
using LocalShift.Aws;
using LocalShift.Aws.SigV4;
using LocalShift.Storage.Objects;
using Microsoft.AspNetCore.Connections.Features;

namespace LocalShift.Services.S3.Http;

/// <summary>
/// S3's own condition keys, built from the request as the Service Authorization Reference lists them per action
/// ("Actions, resources, and condition keys for Amazon S3",
/// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html). The keys every S3 action has
/// (s3:authType, s3:signatureversion, s3:signatureAge, s3:x-amz-content-sha256, s3:TlsVersion, s3:ResourceAccount) are
/// added to every authorization of the request by <see cref="Scope"/>; the per-action keys are built here and passed
/// where the operation authorizes. A key is absent when the request does not carry what it describes, so that policies'
/// <c>Null</c> conditions see what AWS's see.
/// </summary>
public static class S3ConditionKeys
{
    /// <summary>
    /// The call, with an authorizer that adds the request-wide keys to each of its authorizations and refuses callers
    /// from outside the bucket's account where <paramref name="restrictsPublicAccess"/> says the bucket's public
    /// policy is restricted (RestrictPublicBuckets).
    /// </summary>
    public static AwsCall Scope(AwsCall call, S3Request r, Func<string, bool>? restrictsPublicAccess = null) => new()
    {
        Service = call.Service,
        Operation = call.Operation,
        Region = call.Region,
        RequestId = call.RequestId,
        Caller = call.Caller,
        Time = call.Time,
        SourceIp = call.SourceIp,
        SecureTransport = call.SecureTransport,
        AccessKeyId = call.AccessKeyId,
        Authorizer = new RequestKeysAuthorizer(call.Authorizer, Request(r, call.Time), restrictsPublicAccess),
    };

    /// <summary>
    /// The keys of the request itself (https://docs.aws.amazon.com/AmazonS3/latest/API/bucket-policy-s3-sigv4-conditions.html):
    /// s3:authType REST-HEADER or REST-QUERY-STRING, s3:signatureversion AWS4-HMAC-SHA256, s3:signatureAge (ms) for presigned
    /// URLs, s3:x-amz-content-sha256 from the header, s3:TlsVersion over TLS. Anonymous requests carry none of them.
    /// </summary>
    public static Dictionary<string, IReadOnlyList<string>> Request(S3Request r, DateTimeOffset now)
    {
        var keys = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        var http = r.Http;
        var signature = http.Items.TryGetValue(typeof(SignatureContext), out var c) ? c as SignatureContext : null;
        if (signature is not null)
        {
            var query = http.Request.Query.ContainsKey("X-Amz-Signature");
            keys["s3:authType"] = [query ? "REST-QUERY-STRING" : "REST-HEADER"];
            keys["s3:signatureversion"] = ["AWS4-HMAC-SHA256"];
            if (query && DateTimeOffset.TryParseExact(signature.AmzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var signed))
                keys["s3:signatureAge"] = [Math.Max(0, (long)(now - signed).TotalMilliseconds).ToString(CultureInfo.InvariantCulture)];
            if (r.Header("x-amz-content-sha256") is { } sha) keys["s3:x-amz-content-sha256"] = [sha];
        }
        if (http.Features.Get<ITlsHandshakeFeature>() is { } tls)
        {
            var version = tls.Protocol switch
            {
                System.Security.Authentication.SslProtocols.Tls13 => "1.3",
                System.Security.Authentication.SslProtocols.Tls12 => "1.2",
                _ => null,
            };
            if (version is not null) keys["s3:TlsVersion"] = [version];
        }
        return keys;
    }

    /// <summary>
    /// PutObject's keys (also CopyObject's and CreateMultipartUpload's, all s3:PutObject), from its members: the ACL, grant,
    /// encryption, storage-class, redirect, tagging, object-lock and conditional-write headers.
    /// </summary>
    public static Dictionary<string, IReadOnlyList<string>> ObjectWrite(Shapes.PutObjectRequest p, DateTimeOffset now)
    {
        var keys = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        void Add(string key, string? value)
        {
            if (value is not null) keys[key] = [value];
        }
        Add("s3:x-amz-acl", p.ACL);
        Add("s3:x-amz-grant-full-control", p.GrantFullControl);
        Add("s3:x-amz-grant-read", p.GrantRead);
        Add("s3:x-amz-grant-read-acp", p.GrantReadACP);
        Add("s3:x-amz-grant-write-acp", p.GrantWriteACP);
        Add("s3:x-amz-server-side-encryption", p.ServerSideEncryption);
        Add("s3:x-amz-server-side-encryption-aws-kms-key-id", p.SSEKMSKeyId);
        Add("s3:x-amz-server-side-encryption-customer-algorithm", p.SSECustomerAlgorithm);
        Add("s3:x-amz-storage-class", p.StorageClass);
        Add("s3:x-amz-website-redirect-location", p.WebsiteRedirectLocation);
        Add("s3:if-match", p.IfMatch);
        Add("s3:if-none-match", p.IfNoneMatch);
        if (p.Tagging is { } tagging) AddRequestTags(keys, ObjectHeaders.ParseTagging(tagging));
        Add("s3:object-lock-mode", p.ObjectLockMode);
        Add("s3:object-lock-legal-hold", p.ObjectLockLegalHoldStatus);
        if (p.ObjectLockRetainUntilDate is { } until)
        {
            // The date as ISO 8601, the form clients send it in (the header's own text is not kept by the typed request).
            keys["s3:object-lock-retain-until-date"] = [LocalShift.Core.AwsTime.Iso(until)];
            keys["s3:object-lock-remaining-retention-days"] = [Math.Max(0, (long)Math.Ceiling((until - now).TotalDays)).ToString(CultureInfo.InvariantCulture)];
        }
        return keys;
    }

    /// <summary>
    /// UploadPart and UploadPartCopy (s3:PutObject): the part request carries no encryption headers, so the encryption
    /// keys come from the upload as CreateMultipartUpload set it; otherwise a "deny unencrypted uploads" policy would refuse
    /// every part of an encrypted upload, which AWS does not (LocalShift's reading; unverified). UploadPartCopy adds
    /// s3:x-amz-copy-source, so a copy-source rule cannot be bypassed part by part.
    /// </summary>
    public static Dictionary<string, IReadOnlyList<string>> Part(string? copySource, ObjectAttributes? upload)
    {
        var keys = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        if (upload?.CustomerAlgorithm is { } algorithm) keys["s3:x-amz-server-side-encryption-customer-algorithm"] = [algorithm];
        else if (upload?.ServerSideEncryption is { } sse)
        {
            keys["s3:x-amz-server-side-encryption"] = [sse];
            if (upload.KmsKeyId is { } kms) keys["s3:x-amz-server-side-encryption-aws-kms-key-id"] = [kms];
        }
        if (copySource is { } source)
        {
            var q = source.IndexOf('?');
            keys["s3:x-amz-copy-source"] = [Uri.UnescapeDataString(q < 0 ? source : source[..q]).TrimStart('/')];
        }
        return keys;
    }

    /// <summary>s3:ExistingObjectTag/&lt;key&gt; for each tag of the object the action reads or changes; none when there is no object.</summary>
    public static Dictionary<string, IReadOnlyList<string>> ExistingTags(ObjectInfo? existing, Dictionary<string, IReadOnlyList<string>>? into = null)
    {
        var keys = into ?? new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        if (existing is not null)
            foreach (var (k, v) in existing.Attributes.Tags) keys["s3:ExistingObjectTag/" + k] = [v];
        return keys;
    }

    /// <summary>s3:RequestObjectTag/&lt;key&gt; per tag the request sets, and s3:RequestObjectTagKeys with all their keys.</summary>
    public static Dictionary<string, IReadOnlyList<string>> AddRequestTags(Dictionary<string, IReadOnlyList<string>> keys, IReadOnlyDictionary<string, string> tags)
    {
        foreach (var (k, v) in tags) keys["s3:RequestObjectTag/" + k] = [v];
        keys["s3:RequestObjectTagKeys"] = tags.Keys.ToArray();
        return keys;
    }

    /// <summary>s3:versionid, for the actions on a specific version (GetObjectVersion, DeleteObjectVersion...).</summary>
    public static Dictionary<string, IReadOnlyList<string>> Version(S3Request r, Dictionary<string, IReadOnlyList<string>>? into = null)
    {
        var keys = into ?? new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        if (r.Q("versionId") is { } v) keys["s3:versionid"] = [v];
        return keys;
    }

    /// <summary>
    /// Adds the request's keys, and s3:ResourceAccount (the account that owns the bucket), to every authorization; the
    /// operation's own keys win where both name one.
    /// </summary>
    private sealed class RequestKeysAuthorizer(IAuthorizer inner, IReadOnlyDictionary<string, IReadOnlyList<string>> requestKeys,
        Func<string, bool>? restrictsPublicAccess) : IAuthorizer
    {
        public void Authorize(AuthorizationCheck check)
        {
            // RestrictPublicBuckets: a bucket with a public policy serves only its own account
            // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html).
            if (restrictsPublicAccess is not null && check.ResourceAccount is { Length: > 0 } owner && check.Call.Caller.AccountId != owner
                && check.Resource.StartsWith("arn:aws:s3:::", StringComparison.Ordinal))
            {
                var bucket = check.Resource["arn:aws:s3:::".Length..].Split('/', 2)[0];
                if (restrictsPublicAccess(bucket)) throw S3Errors.AccessDenied();
            }
            var keys = new Dictionary<string, IReadOnlyList<string>>(requestKeys, StringComparer.OrdinalIgnoreCase);
            if (check.ResourceAccount is { Length: > 0 } account) keys["s3:ResourceAccount"] = [account];
            if (check.Keys is not null)
                foreach (var (k, v) in check.Keys) keys[k] = v;
            inner.Authorize(check with { Keys = keys });
        }
    }
}
