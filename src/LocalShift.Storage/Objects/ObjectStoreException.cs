namespace LocalShift.Storage.Objects;

/// <summary>Why a store operation could not be done; the S3 layer turns each into its wire error.</summary>
public enum ObjectStoreError
{
    NoSuchBucket,
    BucketAlreadyExists,
    BucketAlreadyOwnedByYou,
    BucketNotEmpty,
    NoSuchKey,
    NoSuchUpload,
    InvalidPart,
    InvalidPartOrder,
    EntityTooSmall,
    KeyTooLong,
    InvalidKey,
}

public sealed class ObjectStoreException(ObjectStoreError error, string? detail = null)
    : Exception(detail ?? error.ToString())
{
    public ObjectStoreError Error { get; } = error;
}
