using LocalShift.Storage.State;

namespace LocalShift.Storage.Objects;

/// <summary>The bucket settings S3 keeps as sub-resources of a bucket (default encryption, ownership, public access block, tags).</summary>
public enum BucketSetting
{
    Encryption,
    OwnershipControls,
    PublicAccessBlock,
    Tagging,
}

public sealed partial class ObjectStore
{
    /// <summary>
    /// Bucket settings live in their own table, one row per bucket and setting, stored as the S3 layer's own JSON; rows
    /// go with their bucket (foreign key with cascade), so deleting a bucket forgets its settings.
    /// </summary>
    private void MigrateBucketSettings() => _state.Migrate("s3-bucket-settings",
        """
        CREATE TABLE s3_bucket_settings(
          bucket TEXT NOT NULL REFERENCES s3_buckets(name) ON DELETE CASCADE, setting TEXT NOT NULL, value TEXT NOT NULL,
          PRIMARY KEY(bucket, setting)) WITHOUT ROWID;
        """);

    /// <summary>The stored value of a bucket setting, or null when the bucket has none (the bucket's default applies).</summary>
    public string? GetBucketSetting(string bucket, BucketSetting setting) => Cached(_settings, (bucket, setting), k => _state.Read(c =>
        c.Query(null, "SELECT value FROM s3_bucket_settings WHERE bucket=$b AND setting=$s", r => r.GetString(0),
            ("$b", k.Item1), ("$s", k.Item2.ToString())).FirstOrDefault()));

    /// <summary>Sets (or with null removes) a bucket setting.</summary>
    public void SetBucketSetting(string bucket, BucketSetting setting, string? value)
    {
        _state.Write((c, tx) => SetBucketSetting(c, tx, bucket, setting, value));
        BucketWritten();
    }

    private static void SetBucketSetting(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, string bucket,
        BucketSetting setting, string? value)
    {
        _ = FindBucket(c, tx, bucket) ?? throw new ObjectStoreException(ObjectStoreError.NoSuchBucket);
        if (value is null)
            c.Exec(tx, "DELETE FROM s3_bucket_settings WHERE bucket=$b AND setting=$s", ("$b", bucket), ("$s", setting.ToString()));
        else
            c.Exec(tx, """
                INSERT INTO s3_bucket_settings(bucket, setting, value) VALUES($b,$s,$v)
                ON CONFLICT(bucket, setting) DO UPDATE SET value=excluded.value
                """, ("$b", bucket), ("$s", setting.ToString()), ("$v", value));
    }
}
