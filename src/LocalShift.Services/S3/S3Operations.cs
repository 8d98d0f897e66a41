using System.Text;
using LocalShift.Aws;
using LocalShift.Aws.Operations;
using LocalShift.Services.S3.Shapes;
using LocalShift.Storage.Objects;

namespace LocalShift.Services.S3;

/// <summary>
/// S3's operations that are typed calls: each takes the model's request record and returns its output record, knowing
/// no HTTP and no XML; the rest-xml codec reads and writes them from S3's model. Every operation authorizes through
/// <see cref="S3Access"/>, as the HTTP handler's own operations do. The HTTP handler (<see cref="Http.S3Service"/>)
/// routes S3's requests and runs these through the codec; the operations not moved here yet stay its own.
/// </summary>
public sealed partial class S3Operations : AwsService
{
    private readonly S3Access _access;

    public S3Operations(S3Access access) : base("s3")
    {
        _access = access;

        Operation<GetBucketTaggingRequest, GetBucketTaggingOutput>("GetBucketTagging", GetBucketTagging);
        Operation<PutBucketTaggingRequest>("PutBucketTagging", PutBucketTagging);
        Operation<DeleteBucketTaggingRequest>("DeleteBucketTagging", DeleteBucketTagging);
        Operation<GetBucketVersioningRequest, GetBucketVersioningOutput>("GetBucketVersioning", GetBucketVersioning);
        Operation<PutBucketVersioningRequest>("PutBucketVersioning", PutBucketVersioning);
        Operation<GetBucketPolicyStatusRequest, GetBucketPolicyStatusOutput>("GetBucketPolicyStatus", GetBucketPolicyStatus);
        Operation<GetBucketAclRequest, GetBucketAclOutput>("GetBucketAcl", GetBucketAcl);
        Operation<GetObjectAclRequest, GetObjectAclOutput>("GetObjectAcl", GetObjectAcl);
        Operation<GetBucketLocationRequest, GetBucketLocationOutput>("GetBucketLocation", GetBucketLocation);
        Operation<GetBucketEncryptionRequest, GetBucketEncryptionOutput>("GetBucketEncryption", GetBucketEncryption);
        Operation<PutBucketEncryptionRequest>("PutBucketEncryption", PutBucketEncryption);
        Operation<DeleteBucketEncryptionRequest>("DeleteBucketEncryption", DeleteBucketEncryption);
        Operation<GetBucketOwnershipControlsRequest, GetBucketOwnershipControlsOutput>("GetBucketOwnershipControls", GetBucketOwnershipControls);
        Operation<PutBucketOwnershipControlsRequest>("PutBucketOwnershipControls", PutBucketOwnershipControls);
        Operation<DeleteBucketOwnershipControlsRequest>("DeleteBucketOwnershipControls", DeleteBucketOwnershipControls);
        Operation<GetPublicAccessBlockRequest, GetPublicAccessBlockOutput>("GetPublicAccessBlock", GetPublicAccessBlock);
        Operation<PutPublicAccessBlockRequest>("PutPublicAccessBlock", PutPublicAccessBlock);
        Operation<DeletePublicAccessBlockRequest>("DeletePublicAccessBlock", DeletePublicAccessBlock);
        Operation<CreateBucketRequest, CreateBucketOutput>("CreateBucket", CreateBucket);
        Operation<DeleteBucketRequest>("DeleteBucket", DeleteBucket);
        Operation<HeadBucketRequest, HeadBucketOutput>("HeadBucket", HeadBucket);
        Operation<GetBucketPolicyRequest, GetBucketPolicyOutput>("GetBucketPolicy", GetBucketPolicy);
        Operation<PutBucketPolicyRequest>("PutBucketPolicy", PutBucketPolicy);
        Operation<DeleteBucketPolicyRequest>("DeleteBucketPolicy", DeleteBucketPolicy);

        Operation<ListBucketsRequest, ListBucketsOutput>("ListBuckets", ListBuckets);
        Operation<ListObjectsV2Request, ListObjectsV2Output>("ListObjectsV2", ListObjectsV2);
        Operation<ListObjectsRequest, ListObjectsOutput>("ListObjects", ListObjects);

        Operation<DeleteObjectRequest, DeleteObjectOutput>("DeleteObject", DeleteObject);
        Operation<DeleteObjectsRequest, DeleteObjectsOutput>("DeleteObjects", DeleteObjects);
        Operation<GetObjectTaggingRequest, GetObjectTaggingOutput>("GetObjectTagging", GetObjectTagging);
        Operation<PutObjectTaggingRequest, PutObjectTaggingOutput>("PutObjectTagging", PutObjectTagging);
        Operation<DeleteObjectTaggingRequest, DeleteObjectTaggingOutput>("DeleteObjectTagging", DeleteObjectTagging);
        Operation<AbortMultipartUploadRequest, AbortMultipartUploadOutput>("AbortMultipartUpload", AbortMultipartUpload);
        Operation<ListPartsRequest, ListPartsOutput>("ListParts", ListParts);
        Operation<ListMultipartUploadsRequest, ListMultipartUploadsOutput>("ListMultipartUploads", ListMultipartUploads);
        Operation<CreateMultipartUploadRequest, CreateMultipartUploadOutput>("CreateMultipartUpload", CreateMultipartUpload);
        Operation<UploadPartRequest, UploadPartOutput>("UploadPart", UploadPart);
        Operation<UploadPartCopyRequest, UploadPartCopyOutput>("UploadPartCopy", UploadPartCopy);
        Operation<CompleteMultipartUploadRequest, CompleteMultipartUploadOutput>("CompleteMultipartUpload", CompleteMultipartUpload);

        Operation<GetObjectRequest, GetObjectOutput>("GetObject", GetObject);
        Operation<GetObjectRequest, GetObjectOutput>("HeadObject", HeadObject);
        Operation<PutObjectRequest, PutObjectOutput>("PutObject", PutObject);

        Operation<CopyObjectRequest, CopyObjectOutput>("CopyObject", CopyObject);
        Operation<GetObjectAttributesRequest, GetObjectAttributesOutput>("GetObjectAttributes", GetObjectAttributes);
        Operation<ListObjectVersionsRequest, ListObjectVersionsOutput>("ListObjectVersions", ListObjectVersions);
    }

    /// <summary>The store and the authorization the operations share with S3's HTTP handler.</summary>
    public S3Access Access => _access;

    private IObjectStore Store => _access.Store;

    /// <summary>
    /// Runs a typed operation from inside LocalShift (COPY, UNLOAD, external tables, Lambda's code), as the edge runs it
    /// for an HTTP client: the same handler and the same authorization, for the call's principal. A store failure is the
    /// S3 error a client would see.
    /// </summary>
    public async Task<TResponse> CallAsync<TRequest, TResponse>(string operation, AwsCall call, TRequest request, string bucket, string? key,
        CancellationToken ct) where TRequest : class where TResponse : class
    {
        try { return (TResponse)(await Operations[operation].InvokeRecordAsync(call, request, ct))!; }
        catch (ObjectStoreException e) { throw S3Errors.From(e, bucket, key); }
    }

    /// <summary>
    /// The bucket permission each operation that takes a request document needs, whatever the document says: a caller
    /// without it is AccessDenied even when its document cannot be read, as S3 answers. The operation asks it first; the
    /// edge asks it (<see cref="AuthorizeDocumentOperation"/>) when the document fails before the operation could run.
    /// </summary>
    private static readonly Dictionary<string, string> DocumentActions = new(StringComparer.Ordinal)
    {
        ["PutBucketTagging"] = "s3:PutBucketTagging",
        ["PutBucketVersioning"] = "s3:PutBucketVersioning",
        ["PutBucketEncryption"] = "s3:PutEncryptionConfiguration",
        ["PutBucketOwnershipControls"] = "s3:PutBucketOwnershipControls",
        ["PutPublicAccessBlock"] = "s3:PutBucketPublicAccessBlock",
        ["PutBucketPolicy"] = "s3:PutBucketPolicy",
        ["CompleteMultipartUpload"] = "s3:PutObject",
    };

    /// <summary>Whether <paramref name="operation"/>'s permission is known before its request document is read.</summary>
    public static bool AuthorizesBeforeDocument(string operation) => DocumentActions.ContainsKey(operation);

    /// <summary>
    /// Authorizes a document-taking operation on its bucket (the bucket policy's operations as
    /// <see cref="S3Access.AuthorizeBucketPolicy"/>), or on its object for an object operation (CompleteMultipartUpload).
    /// </summary>
    public BucketInfo AuthorizeDocumentOperation(AwsCall call, string operation, string bucket, string? key = null)
    {
        var action = DocumentActions[operation];
        if (operation == "CompleteMultipartUpload") return _access.AuthorizeObject(call, bucket, key!, action);
        return operation == "PutBucketPolicy" ? _access.AuthorizeBucketPolicy(call, bucket, action) : _access.AuthorizeBucket(call, bucket, action);
    }

    /// <summary>The owner S3 shows for an account: its canonical user id and, as a display name, the account id.</summary>
    internal static Owner OwnerOf(string account) => new(account, S3Access.CanonicalId(account));

    /// <summary>encoding-type=url: S3 percent-encodes keys so that any character survives XML; clients decode.</summary>
    internal static string Enc(string value, bool url) => url ? Uri.EscapeDataString(value).Replace("%2F", "/", StringComparison.Ordinal) : value;

    internal static string Quote(string etag) => "\"" + etag + "\"";

    internal static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
