using LocalShift.Core;
using LocalShift.Storage.Objects;

namespace LocalShift.Services.S3;

/// <summary>An S3 error: code, message and status, plus the extra elements S3 puts in its error document (Key, BucketName...).</summary>
public sealed class S3Exception(string code, string message, int httpStatus, params (string Name, string Value)[] details)
    : LocalShift.Aws.Protocols.Xml.RestXmlException(code, message, httpStatus, details);

/// <summary>S3's errors in one table: the codes, the messages and the statuses S3 answers with.</summary>
public static class S3Errors
{
    public static S3Exception NoSuchBucket(string bucket) => new("NoSuchBucket", "The specified bucket does not exist", 404, ("BucketName", bucket));
    public static S3Exception NoSuchKey(string key) => new("NoSuchKey", "The specified key does not exist.", 404, ("Key", key));
    public static S3Exception NoSuchUpload(string uploadId) => new("NoSuchUpload",
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.", 404, ("UploadId", uploadId));
    public static S3Exception NoSuchVersion(string key, string versionId) => new("NoSuchVersion", "The specified version does not exist.", 404,
        ("Key", key), ("VersionId", versionId));
    public static S3Exception InvalidVersionId(string name, string value) => InvalidArgument("Invalid version id specified", name, value);
    public static S3Exception NoSuchBucketPolicy(string bucket) => new("NoSuchBucketPolicy", "The bucket policy does not exist", 404, ("BucketName", bucket));
    public static S3Exception BucketAlreadyExists(string bucket) => new("BucketAlreadyExists",
        "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.", 409, ("BucketName", bucket));
    public static S3Exception BucketAlreadyOwnedByYou(string bucket) => new("BucketAlreadyOwnedByYou",
        "Your previous request to create the named bucket succeeded and you already own it.", 409, ("BucketName", bucket));
    public static S3Exception BucketNotEmpty(string bucket) => new("BucketNotEmpty", "The bucket you tried to delete is not empty", 409, ("BucketName", bucket));
    public static S3Exception InvalidBucketName(string bucket) => new("InvalidBucketName", "The specified bucket is not valid.", 400, ("BucketName", bucket));
    /// <summary>A request for a bucket sent to another region's endpoint.</summary>
    public static S3Exception PermanentRedirect(string bucket, string region) => new("PermanentRedirect",
        "The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.", 301,
        ("Endpoint", $"{bucket}.s3.{region}.amazonaws.com"), ("Bucket", bucket));
    public static S3Exception IllegalLocationConstraint(string constraint) => new("IllegalLocationConstraintException",
        $"The {constraint} location constraint is incompatible for the region specific endpoint this request was sent to.", 400);
    public static S3Exception InvalidRange(long size) => new("InvalidRange", "The requested range is not satisfiable", 416,
        ("ActualObjectSize", size.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    public static S3Exception PreconditionFailed(string condition) => new("PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold", 412, ("Condition", condition));
    public static S3Exception EntityTooSmall() => new("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.", 400);
    public static S3Exception InvalidPart() => new("InvalidPart",
        "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not have matched the part's entity tag.", 400);
    public static S3Exception InvalidPartOrder() => new("InvalidPartOrder",
        "The list of parts was not in ascending order. The parts list must be specified in order by part number.", 400);
    public static S3Exception KeyTooLong() => new("KeyTooLongError", "Your key is too long", 400);
    public static S3Exception BadDigest() => new("BadDigest", "The Content-MD5 you specified did not match what we received.", 400);
    public static S3Exception InvalidDigest() => new("InvalidDigest", "The Content-MD5 you specified is not valid.", 400);
    public static S3Exception ChecksumMismatch(string algorithm) => new("BadDigest", $"The {algorithm} you specified did not match the calculated checksum.", 400);
    public static S3Exception InvalidChecksum(string algorithm) => new("InvalidRequest", $"Value for x-amz-checksum-{algorithm.ToLowerInvariant()} header is invalid.", 400);
    // The checksum texts below are AWS's as other S3 implementations and users report them (unverified against a capture).
    public static S3Exception InvalidChecksumAlgorithm() => new("InvalidRequest",
        "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]", 400);
    public static S3Exception MultipleChecksums() => new("InvalidRequest",
        "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.", 400);
    public static S3Exception ChecksumTypeMismatch(string expected, string? actual) => new("InvalidRequest",
        $"Checksum Type mismatch occurred, expected checksum Type: {expected.ToLowerInvariant()}, actual checksum Type: {actual?.ToLowerInvariant() ?? "null"}", 400);
    public static S3Exception ChecksumTypeWithoutAlgorithm() => new("InvalidRequest",
        "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.", 400);
    public static S3Exception InvalidChecksumType(string value) => new("InvalidRequest",
        $"Value for x-amz-checksum-type header is invalid: {value}", 400);
    public static S3Exception ChecksumTypeNotSupported(string type, string algorithm) => new("InvalidRequest",
        $"The {type} checksum type cannot be used with the {algorithm.ToLowerInvariant()} checksum algorithm.", 400);
    /// <summary>Confirmed by a user's report of AWS's answer (a composite upload completed without a part's checksum).</summary>
    public static S3Exception PartChecksumMissing(string algorithm, int partNumber) => new("InvalidRequest",
        $"The upload was created using a {algorithm.ToLowerInvariant()} checksum. The complete request must include the checksum for each part. It was missing for part {partNumber} in the request.", 400);
    /// <summary>
    /// A read whose If-None-Match or If-Modified-Since says the caller's copy is current: 304 Not Modified, no body (the
    /// code and text are what SDKs show for it; S3 sends neither).
    /// </summary>
    public static S3Exception NotModified() => new("NotModified", "Not Modified", 304);
    public static S3Exception InvalidPartNumber() => new("InvalidPartNumber", "The requested partnumber is not satisfiable", 416);
    public static S3Exception NoSuchTagSet(string bucket) => new("NoSuchTagSet", "The TagSet does not exist", 404, ("BucketName", bucket));
    public static S3Exception ContentSha256Mismatch(string claimed, string computed) => new("XAmzContentSHA256Mismatch",
        "The provided 'x-amz-content-sha256' header does not match what was computed.", 400,
        ("ClientComputedContentSHA256", claimed), ("S3ComputedContentSHA256", computed));
    public static S3Exception IncompleteBody() => new("IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header", 400);
    public static S3Exception MalformedXml() => new("MalformedXML",
        "The XML you provided was not well-formed or did not validate against our published schema", 400);
    public static S3Exception MalformedPolicy(string message) => new("MalformedPolicy", message, 400);
    public static S3Exception InvalidArgument(string message, string? name = null, string? value = null) => name is null
        ? new("InvalidArgument", message, 400)
        : new("InvalidArgument", message, 400, ("ArgumentName", name), ("ArgumentValue", value ?? ""));
    public static S3Exception InvalidRequest(string message) => new("InvalidRequest", message, 400);
    public static S3Exception InvalidTag(string message) => new("InvalidTag", message, 400);
    public static S3Exception MethodNotAllowed(string method, string resourceType) => new("MethodNotAllowed",
        "The specified method is not allowed against this resource.", 405, ("Method", method), ("ResourceType", resourceType));
    public static S3Exception NotImplemented(string what) => new("NotImplemented",
        $"{what} is not implemented by LocalShift.", 501);
    public static S3Exception AccessDenied() => new("AccessDenied", "Access Denied", 403);

    /// <summary>The S3 error for a store refusal.</summary>
    public static S3Exception From(ObjectStoreException e, string bucket, string? key = null, string? uploadId = null) => e.Error switch
    {
        ObjectStoreError.NoSuchBucket => NoSuchBucket(bucket),
        ObjectStoreError.BucketAlreadyExists => BucketAlreadyExists(bucket),
        ObjectStoreError.BucketAlreadyOwnedByYou => BucketAlreadyOwnedByYou(bucket),
        ObjectStoreError.BucketNotEmpty => BucketNotEmpty(bucket),
        ObjectStoreError.NoSuchKey => NoSuchKey(key ?? ""),
        ObjectStoreError.NoSuchUpload => NoSuchUpload(uploadId ?? ""),
        ObjectStoreError.InvalidPart => InvalidPart(),
        ObjectStoreError.InvalidPartOrder => InvalidPartOrder(),
        ObjectStoreError.EntityTooSmall => EntityTooSmall(),
        ObjectStoreError.KeyTooLong => KeyTooLong(),
        _ => InvalidArgument(e.Message),
    };
}
