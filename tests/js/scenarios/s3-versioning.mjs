// S3 versioning through @aws-sdk/client-s3 (issue 19, item 4): version ids, delete markers, reads and copies of a version,
// the suspended state's null version, and emptying a versioned bucket the way tools do it (ListObjectVersions pages,
// DeleteObjects with version ids, then DeleteBucket).
import {
  S3Client, CreateBucketCommand, PutBucketVersioningCommand, GetBucketVersioningCommand, PutObjectCommand, GetObjectCommand,
  HeadObjectCommand, DeleteObjectCommand, DeleteObjectsCommand, CopyObjectCommand, ListObjectVersionsCommand, ListObjectsV2Command,
  DeleteBucketCommand,
} from '@aws-sdk/client-s3';

export default async function (input, ctx) {
  const s3 = ctx.client(S3Client, { forcePathStyle: true });
  const Bucket = input.bucket;
  const out = {};
  // An error with the headers S3 answered it with.
  const attempt = async (promise) => {
    try { return { ok: await promise }; }
    catch (e) {
      const h = e.$response?.headers ?? {};
      return { error: { code: e.Code ?? e.name, status: e.$metadata?.httpStatusCode, deleteMarker: h['x-amz-delete-marker'], versionId: h['x-amz-version-id'] } };
    }
  };
  const text = async (cmd) => (await (await s3.send(cmd)).Body.transformToString());

  await s3.send(new CreateBucketCommand({ Bucket }));
  out.initialStatus = (await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status ?? null;
  out.unversionedPutVersionId = (await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'before' }))).VersionId ?? null;
  await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  out.enabledStatus = (await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status;

  const v1 = (await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'one' }))).VersionId;
  const v2 = (await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'two' }))).VersionId;
  out.v1 = v1; out.v2 = v2;
  out.current = await text(new GetObjectCommand({ Bucket, Key: 'k' }));
  out.readV1 = await text(new GetObjectCommand({ Bucket, Key: 'k', VersionId: v1 }));
  out.readNull = await text(new GetObjectCommand({ Bucket, Key: 'k', VersionId: 'null' }));
  out.headV1VersionId = (await s3.send(new HeadObjectCommand({ Bucket, Key: 'k', VersionId: v1 }))).VersionId;

  const del = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k' }));
  out.deleteMarker = del.DeleteMarker;
  out.markerVersionId = del.VersionId;
  out.getAfterDelete = await attempt(s3.send(new GetObjectCommand({ Bucket, Key: 'k' })));
  out.getMarker = await attempt(s3.send(new GetObjectCommand({ Bucket, Key: 'k', VersionId: del.VersionId })));
  out.headMarker = await attempt(s3.send(new HeadObjectCommand({ Bucket, Key: 'k', VersionId: del.VersionId })));
  out.badVersion = await attempt(s3.send(new GetObjectCommand({ Bucket, Key: 'k', VersionId: 'not-a-version-id' })));
  out.missingVersion = await attempt(s3.send(new GetObjectCommand({ Bucket, Key: 'k', VersionId: 'A'.repeat(32) })));
  out.listedAfterDelete = ((await s3.send(new ListObjectsV2Command({ Bucket }))).Contents ?? []).map((o) => o.Key);

  // Restoring an old version is a copy of it onto its own key.
  const copy = await s3.send(new CopyObjectCommand({ Bucket, Key: 'k', CopySource: `${Bucket}/k?versionId=${v1}` }));
  out.copySourceVersionId = copy.CopySourceVersionId;
  out.restored = await text(new GetObjectCommand({ Bucket, Key: 'k' }));
  out.restoredVersionId = copy.VersionId;

  for (const key of ['dir/a', 'dir/b', 'z']) {
    await s3.send(new PutObjectCommand({ Bucket, Key: key, Body: key + '1' }));
    await s3.send(new PutObjectCommand({ Bucket, Key: key, Body: key + '2' }));
  }
  const rolled = await s3.send(new ListObjectVersionsCommand({ Bucket, Delimiter: '/' }));
  out.rolledPrefixes = (rolled.CommonPrefixes ?? []).map((p) => p.Prefix);
  out.rolledKeys = [...new Set((rolled.Versions ?? []).map((v) => v.Key))];
  const inDir = await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: 'dir/' }));
  out.dirVersions = (inDir.Versions ?? []).map((v) => [v.Key, v.IsLatest]);

  // What `aws s3 rm --recursive` does: only delete markers are added, so the bucket is not empty.
  const current = (await s3.send(new ListObjectsV2Command({ Bucket }))).Contents.map((o) => ({ Key: o.Key }));
  const simple = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: current } }));
  out.simpleDeleteMarkers = (simple.Deleted ?? []).filter((d) => d.DeleteMarker && d.DeleteMarkerVersionId).length;
  out.deleteBucketWhileVersioned = await attempt(s3.send(new DeleteBucketCommand({ Bucket })));

  // Emptying, as tools do: pages of versions and delete markers, each page deleted by version id.
  let KeyMarker, VersionIdMarker, pages = 0, removed = 0, markersRemoved = 0;
  for (;;) {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket, MaxKeys: 4, KeyMarker, VersionIdMarker }));
    pages++;
    const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => ({ Key: v.Key, VersionId: v.VersionId }));
    if (objects.length > 0) {
      const r = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: objects } }));
      removed += (r.Deleted ?? []).length;
      markersRemoved += (r.Deleted ?? []).filter((d) => d.DeleteMarker).length;
      if (r.Errors?.length) out.emptyErrors = r.Errors;
    }
    if (!page.IsTruncated) break;
    ({ NextKeyMarker: KeyMarker, NextVersionIdMarker: VersionIdMarker } = page);
    if (pages > 50) break;
  }
  out.emptyPages = pages;
  out.removed = removed;
  out.markersRemoved = markersRemoved;
  out.left = ((await s3.send(new ListObjectVersionsCommand({ Bucket }))).Versions ?? []).length;
  out.deleteBucket = await attempt(s3.send(new DeleteBucketCommand({ Bucket })));

  // Suspended: new writes are the null version, replacing the previous null version; versions with ids stay.
  const B2 = Bucket + '-s';
  await s3.send(new CreateBucketCommand({ Bucket: B2 }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: B2, VersioningConfiguration: { Status: 'Enabled' } }));
  const kept = (await s3.send(new PutObjectCommand({ Bucket: B2, Key: 'x', Body: 'kept' }))).VersionId;
  await s3.send(new PutBucketVersioningCommand({ Bucket: B2, VersioningConfiguration: { Status: 'Suspended' } }));
  out.suspendedStatus = (await s3.send(new GetBucketVersioningCommand({ Bucket: B2 }))).Status;
  out.suspendedPutVersionId = (await s3.send(new PutObjectCommand({ Bucket: B2, Key: 'x', Body: 'null 1' }))).VersionId;
  await s3.send(new PutObjectCommand({ Bucket: B2, Key: 'x', Body: 'null 2' }));
  const sv = await s3.send(new ListObjectVersionsCommand({ Bucket: B2 }));
  out.suspendedVersions = (sv.Versions ?? []).map((v) => [v.VersionId === kept ? 'kept' : v.VersionId, v.IsLatest]);
  out.suspendedCurrent = await text(new GetObjectCommand({ Bucket: B2, Key: 'x' }));
  const sdel = await s3.send(new DeleteObjectCommand({ Bucket: B2, Key: 'x' }));
  out.suspendedDelete = [sdel.DeleteMarker, sdel.VersionId];
  return out;
}
