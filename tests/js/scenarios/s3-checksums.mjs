// S3 checksums as the SDK sends and checks them (issue 19, item 5): its default CRC32 on PutObject, CRC64NVME, a wrong
// value, composite and full-object multipart uploads, ListParts, GetObjectAttributes with paging, GET ?partNumber=,
// the algorithm in listings and copies. The SDK validates every full-object checksum a GET answers, so a wrong value
// answered by LocalShift fails the scenario.
import {
  S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, HeadObjectCommand, CreateMultipartUploadCommand,
  UploadPartCommand, CompleteMultipartUploadCommand, ListPartsCommand, GetObjectAttributesCommand, ListObjectsV2Command,
  CopyObjectCommand,
} from '@aws-sdk/client-s3';

export default async function (input, ctx) {
  const Bucket = input.bucket;
  const s3 = ctx.client(S3Client, { forcePathStyle: true });
  const out = {};
  await s3.send(new CreateBucketCommand({ Bucket }));

  // The SDK's default: a CRC32 with every PutObject; a GET asks for it back (ChecksumMode ENABLED) and checks it.
  const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'default.txt', Body: 'hello checksums' }));
  out.put = { crc32: put.ChecksumCRC32, type: put.ChecksumType };
  const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'default.txt', ChecksumMode: 'ENABLED' }));
  out.get = { body: await got.Body.transformToString(), crc32: got.ChecksumCRC32, type: got.ChecksumType };
  const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'default.txt' }));
  out.headWithoutMode = head.ChecksumCRC32 ?? null;

  const nvme = await s3.send(new PutObjectCommand({ Bucket, Key: 'nvme.txt', Body: 'hello nvme', ChecksumAlgorithm: 'CRC64NVME' }));
  const gotNvme = await s3.send(new GetObjectCommand({ Bucket, Key: 'nvme.txt', ChecksumMode: 'ENABLED' }));
  out.nvme = { put: nvme.ChecksumCRC64NVME, get: gotNvme.ChecksumCRC64NVME, body: await gotNvme.Body.transformToString() };
  const sha = await s3.send(new PutObjectCommand({ Bucket, Key: 'sha.txt', Body: 'hello sha', ChecksumAlgorithm: 'SHA256' }));
  out.sha256 = sha.ChecksumSHA256;
  out.wrong = await ctx.attempt(s3.send(new PutObjectCommand({ Bucket, Key: 'wrong.txt', Body: 'abc', ChecksumCRC32: 'AAAAAA==' })));

  // A composite CRC32 upload: parts carry their checksums, the object's is the CRC32 of theirs, "-2".
  const Key = 'composite.bin';
  const part1 = Buffer.alloc(5 * 1024 * 1024, 'a');
  const part2 = Buffer.from('the last part');
  const mpu = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: 'CRC32' }));
  out.create = { algorithm: mpu.ChecksumAlgorithm, type: mpu.ChecksumType ?? null };
  const UploadId = mpu.UploadId;
  const p1 = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: part1, ChecksumAlgorithm: 'CRC32' }));
  const p2 = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 2, Body: part2, ChecksumAlgorithm: 'CRC32' }));
  const listed = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId }));
  out.listParts = { algorithm: listed.ChecksumAlgorithm, type: listed.ChecksumType ?? null, crc32: listed.Parts.map((p) => p.ChecksumCRC32) };
  out.partCrc32 = [p1.ChecksumCRC32, p2.ChecksumCRC32];
  out.completeWithoutPartChecksums = await ctx.attempt(s3.send(new CompleteMultipartUploadCommand({
    Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }] },
  })));
  out.completeWithWrongPartChecksum = await ctx.attempt(s3.send(new CompleteMultipartUploadCommand({
    Bucket, Key, UploadId,
    MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag, ChecksumCRC32: p2.ChecksumCRC32 }, { PartNumber: 2, ETag: p2.ETag, ChecksumCRC32: p2.ChecksumCRC32 }] },
  })));
  const done = await s3.send(new CompleteMultipartUploadCommand({
    Bucket, Key, UploadId,
    MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag, ChecksumCRC32: p1.ChecksumCRC32 }, { PartNumber: 2, ETag: p2.ETag, ChecksumCRC32: p2.ChecksumCRC32 }] },
  }));
  out.composite = { crc32: done.ChecksumCRC32, type: done.ChecksumType ?? null };
  const headComposite = await s3.send(new HeadObjectCommand({ Bucket, Key, ChecksumMode: 'ENABLED' }));
  out.headComposite = { crc32: headComposite.ChecksumCRC32, type: headComposite.ChecksumType ?? null };

  const attributes = (marker) => s3.send(new GetObjectAttributesCommand({
    Bucket, Key, ObjectAttributes: ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'], MaxParts: 1, PartNumberMarker: marker,
  }));
  const a1 = await attributes(undefined);
  const a2 = await attributes(a1.ObjectParts.NextPartNumberMarker);
  out.attributes = {
    etag: a1.ETag, checksum: a1.Checksum, size: a1.ObjectSize, storageClass: a1.StorageClass,
    pages: [a1.ObjectParts, a2.ObjectParts].map((p) => ({ total: p.TotalPartsCount, truncated: p.IsTruncated, next: p.NextPartNumberMarker, parts: p.Parts })),
  };
  out.doneETag = done.ETag;

  const part = await s3.send(new GetObjectCommand({ Bucket, Key, PartNumber: 2, ChecksumMode: 'ENABLED' }));
  out.getPart2 = { body: await part.Body.transformToString(), partsCount: part.PartsCount, range: part.ContentRange, crc32: part.ChecksumCRC32 };
  out.getPart3 = await ctx.attempt(s3.send(new GetObjectCommand({ Bucket, Key, PartNumber: 3 })));

  // A full-object CRC64NVME upload: the object's checksum is the CRC of all its bytes, which the SDK checks on GET.
  const full = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'full.bin', ChecksumAlgorithm: 'CRC64NVME', ChecksumType: 'FULL_OBJECT' }));
  const f1 = await s3.send(new UploadPartCommand({ Bucket, Key: 'full.bin', UploadId: full.UploadId, PartNumber: 1, Body: part1, ChecksumAlgorithm: 'CRC64NVME' }));
  const f2 = await s3.send(new UploadPartCommand({ Bucket, Key: 'full.bin', UploadId: full.UploadId, PartNumber: 2, Body: part2, ChecksumAlgorithm: 'CRC64NVME' }));
  const fullDone = await s3.send(new CompleteMultipartUploadCommand({
    Bucket, Key: 'full.bin', UploadId: full.UploadId,
    MultipartUpload: { Parts: [{ PartNumber: 1, ETag: f1.ETag, ChecksumCRC64NVME: f1.ChecksumCRC64NVME }, { PartNumber: 2, ETag: f2.ETag, ChecksumCRC64NVME: f2.ChecksumCRC64NVME }] },
  }));
  const fullGot = await s3.send(new GetObjectCommand({ Bucket, Key: 'full.bin', ChecksumMode: 'ENABLED' }));
  out.full = {
    complete: fullDone.ChecksumCRC64NVME, type: fullDone.ChecksumType ?? null, get: fullGot.ChecksumCRC64NVME,
    length: (await fullGot.Body.transformToByteArray()).length,
  };
  out.sha256FullObject = await ctx.attempt(s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'x', ChecksumAlgorithm: 'SHA256', ChecksumType: 'FULL_OBJECT' })));

  // Listings name each object's algorithm; a copy keeps its source's, computed over the copy's bytes.
  const list = await s3.send(new ListObjectsV2Command({ Bucket }));
  out.listed = Object.fromEntries(list.Contents.map((o) => [o.Key, (o.ChecksumAlgorithm ?? []).join(',')]));
  const copy = await s3.send(new CopyObjectCommand({ Bucket, Key: 'nvme-copy.txt', CopySource: `${Bucket}/nvme.txt` }));
  out.copy = copy.CopyObjectResult.ChecksumCRC64NVME ?? null;
  s3.destroy();
  return out;
}
