using System.Text;
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
        Operation<DeleteBucketRequest>("DeleteBucket", DeleteBucket);
        Operation<HeadBucketRequest, HeadBucketOutput>("HeadBucket", HeadBucket);
        Operation<GetBucketPolicyRequest, GetBucketPolicyOutput>("GetBucketPolicy", GetBucketPolicy);
        Operation<PutBucketPolicyRequest>("PutBucketPolicy", PutBucketPolicy);
        Operation<DeleteBucketPolicyRequest>("DeleteBucketPolicy", DeleteBucketPolicy);

        Operation<ListBucketsRequest, ListBucketsOutput>("ListBuckets", ListBuckets);
        Operation<ListObjectsV2Request, ListObjectsV2Output>("ListObjectsV2", ListObjectsV2);
        Operation<ListObjectsRequest, ListObjectsOutput>("ListObjects", ListObjects);
    }

    private IObjectStore Store => _access.Store;

    /// <summary>The owner S3 shows for an account: its canonical user id and, as a display name, the account id.</summary>
    internal static Owner OwnerOf(string account) => new(account, S3Access.CanonicalId(account));

    /// <summary>encoding-type=url: S3 percent-encodes keys so that any character survives XML; clients decode.</summary>
    internal static string Enc(string value, bool url) => url ? Uri.EscapeDataString(value).Replace("%2F", "/", StringComparison.Ordinal) : value;

    internal static string Quote(string etag) => "\"" + etag + "\"";

    internal static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
