using LocalShift.Aws;
using LocalShift.Core;
using LocalShift.Services.S3.Http;
using LocalShift.Services.S3.Shapes;
using LocalShift.Storage.Objects;

namespace LocalShift.Services.S3;

/// <summary>
/// Objects as typed calls: DeleteObject, DeleteObjects, and the object's tags. A version named by
/// <c>versionId</c> is authorized as the version form of the action (<c>s3:DeleteObjectVersion</c>) with <c>s3:versionid</c>.
/// </summary>
public sealed partial class S3Operations
{
    /// <summary>The most keys one DeleteObjects may name (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html).</summary>
    private const int MaxDeleteKeys = 1000;

    /// <summary>The largest DeleteObjects document read: a thousand keys of up to 1024 bytes each, with their versions.</summary>
    internal const int MaxDeleteDocumentBytes = 2 * 1024 * 1024;

    /// <summary>Deleting a missing key succeeds, as in S3; in a versioned bucket it leaves a delete marker.</summary>
    private DeleteObjectOutput DeleteObject(AwsCall call, DeleteObjectRequest request)
    {
        var versionId = VersionIdOption(request.VersionId, "versionId");
        var (action, keys) = ObjectAction("s3:DeleteObject", "s3:DeleteObjectVersion", versionId);
        _access.AuthorizeObject(call, request.Bucket, request.Key, action, keys);
        var outcome = Store.Delete(request.Bucket, request.Key, versionId);
        return outcome.Versioned
            ? new DeleteObjectOutput(outcome.DeleteMarker ? true : null, outcome.VersionId ?? ObjectStore.NullVersionId)
            : new DeleteObjectOutput();
    }

    /// <summary>
    /// Each key is authorized and deleted on its own; a key that fails is reported in <c>Errors</c> and the others go
    /// on. Quiet mode reports only the failures.
    /// </summary>
    private DeleteObjectsOutput DeleteObjects(AwsCall call, DeleteObjectsRequest request)
    {
        var bucket = _access.Bucket(request.Bucket);
        var objects = request.Delete?.Objects ?? [];
        if (objects.Count > MaxDeleteKeys || objects.Any(o => o.Key is null)) throw S3Errors.MalformedXml();

        var deleted = new List<DeletedObject>();
        var errors = new List<DeleteError>();
        foreach (var o in objects)
        {
            try
            {
                var versionId = o.VersionId;
                if (versionId is not null && !ObjectStore.IsWellFormedVersionId(versionId)) throw S3Errors.InvalidVersionId("versionId", versionId);
                var (action, keys) = ObjectAction("s3:DeleteObject", "s3:DeleteObjectVersion", versionId);
                call.Authorize(action, S3Access.ObjectArn(bucket.Name, o.Key), keys, bucket.OwnerAccount);
                var outcome = Store.Delete(bucket.Name, o.Key, versionId);
                deleted.Add(outcome.DeleteMarker
                    ? new DeletedObject(o.Key, versionId, true, outcome.VersionId ?? ObjectStore.NullVersionId)
                    : new DeletedObject(o.Key, versionId));
            }
            catch (AwsException e) { errors.Add(new DeleteError(o.Key, o.VersionId, e.Code, e.Message)); }
            catch (ObjectStoreException e)
            {
                var error = S3Errors.From(e, bucket.Name, o.Key);
                errors.Add(new DeleteError(o.Key, o.VersionId, error.Code, error.Message));
            }
        }
        return new DeleteObjectsOutput(request.Delete?.Quiet == true || deleted.Count == 0 ? null : deleted, null, errors.Count == 0 ? null : errors);
    }

    private GetObjectTaggingOutput GetObjectTagging(AwsCall call, GetObjectTaggingRequest request)
    {
        var bucket = _access.Bucket(request.Bucket);
        var found = Store.FindObject(request.Bucket, request.Key);
        _access.AuthorizeObject(call, request.Bucket, request.Key, "s3:GetObjectTagging", S3ConditionKeys.ExistingTags(found));
        var info = found ?? throw _access.MissingKey(call, bucket, request.Key);
        return new GetObjectTaggingOutput(info.Attributes.Tags.Select(t => new Tag(t.Key, t.Value)).ToList());
    }

    /// <summary>
    /// Replaces the object's tags: at most 10, keys of 1–128 characters and values of at most 256, no key twice
    /// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html). The tags are condition keys
    /// (<c>s3:RequestObjectTag/&lt;key&gt;</c>), so the document is read before the call is authorized.
    /// </summary>
    private PutObjectTaggingOutput PutObjectTagging(AwsCall call, PutObjectTaggingRequest request)
    {
        var existing = Store.FindObject(request.Bucket, request.Key);
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in request.Tagging?.TagSet ?? [])
        {
            var k = tag.Key ?? throw S3Errors.MalformedXml();
            var v = tag.Value ?? "";
            if (k.Length is 0 or > 128 || v.Length > 256) throw S3Errors.InvalidTag("The TagKey you have provided is invalid");
            if (!tags.TryAdd(k, v)) throw S3Errors.InvalidTag("Cannot provide multiple Tags with the same key");
        }
        if (tags.Count > 10) throw S3Errors.InvalidTag("Object tags cannot be greater than 10");
        _access.AuthorizeObject(call, request.Bucket, request.Key, "s3:PutObjectTagging",
            S3ConditionKeys.AddRequestTags(S3ConditionKeys.ExistingTags(existing), tags));
        Store.UpdateAttributes(request.Bucket, request.Key, a => a with { Tags = tags }, touch: false);
        return new PutObjectTaggingOutput();
    }

    private DeleteObjectTaggingOutput DeleteObjectTagging(AwsCall call, DeleteObjectTaggingRequest request)
    {
        _access.AuthorizeObject(call, request.Bucket, request.Key, "s3:DeleteObjectTagging",
            S3ConditionKeys.ExistingTags(Store.FindObject(request.Bucket, request.Key)));
        Store.UpdateAttributes(request.Bucket, request.Key, a => a with { Tags = new Dictionary<string, string>() }, touch: false);
        return new DeleteObjectTaggingOutput();
    }

    /// <summary>A <c>versionId</c> (or another parameter naming a version), or null without one; one that cannot be a version id is InvalidArgument.</summary>
    internal static string? VersionIdOption(string? versionId, string parameter) =>
        versionId is null || ObjectStore.IsWellFormedVersionId(versionId) ? versionId : throw S3Errors.InvalidVersionId(parameter, versionId);

    /// <summary>The action a request on an object needs: the plain one, or its version form when it names a version.</summary>
    internal static (string Action, IReadOnlyDictionary<string, IReadOnlyList<string>>? Keys) ObjectAction(string action, string versionAction, string? versionId) =>
        versionId is null ? (action, null) : (versionAction, S3Access.Keys(("s3:versionid", versionId)));
}
