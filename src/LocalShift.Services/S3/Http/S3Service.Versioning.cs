using LocalShift.Aws;
using LocalShift.Storage.Objects;

namespace LocalShift.Services.S3.Http;

/// <summary>
/// What the hand-written operations left (the multipart writes: UploadPartCopy's copy source, the answers'
/// <c>x-amz-version-id</c>) share with the typed ones: thin calls into <see cref="S3Operations"/>, where CopyObject,
/// GetObjectAttributes and ListObjectVersions now live.
/// </summary>
public sealed partial class S3Service
{
    /// <summary>Answers <c>x-amz-version-id</c> (or another header naming a version), as <see cref="S3Operations.VersionIdAnswer"/> says.</summary>
    private void WriteVersionId(S3Request r, string bucket, string? versionId, string header = "x-amz-version-id")
    {
        if (_typed.VersionIdAnswer(bucket, versionId) is { } answer) r.Http.Response.Headers[header] = answer;
    }

    private BucketInfo AuthorizeRead(AwsCall call, string bucket, string key, S3Operations.OpenedObject found) =>
        _typed.AuthorizeRead(call, bucket, key, found);

    /// <summary>x-amz-copy-source: "bucket/key" or "/bucket/key", URL-encoded, with an optional "?versionId=".</summary>
    private static (string Bucket, string Key) CopySource(S3Request r) => S3Operations.CopySourceObject(r.Header("x-amz-copy-source")!);

    /// <summary>The copy source, opened before authorizing (its tags are condition keys); its version if one is named.</summary>
    private S3Operations.OpenedObject OpenCopySourceBeforeAuthorizing(S3Request r, string srcBucket, string srcKey) =>
        _typed.OpenBeforeAuthorizing(srcBucket, srcKey, S3Operations.CopySourceVersion(r.Header("x-amz-copy-source")!));

    /// <summary>The authorized copy source; a missing one is S3's answer, a version that is a delete marker is refused.</summary>
    private (ObjectInfo Info, FileStream Body, string? VersionId) OpenCopySource(AwsCall call, BucketInfo bucket, string srcKey, S3Operations.OpenedObject found) =>
        _typed.OpenCopySource(call, bucket, srcKey, found);
}
