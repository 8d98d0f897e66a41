// S3 through @aws-sdk/client-s3: bucket, put (checksummed string body and streamed body), get, list, copy, delete, multipart.
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import {
  S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, ListObjectsV2Command, CopyObjectCommand,
  DeleteObjectCommand, HeadObjectCommand, CreateMultipartUploadCommand, UploadPartCommand, CompleteMultipartUploadCommand,
  DeleteObjectsCommand,
} from '@aws-sdk/client-s3';

export default async function (input, ctx) {
  const s3 = ctx.client(S3Client, { forcePathStyle: true });
  const Bucket = input.bucket;
  const out = {};
  await s3.send(new CreateBucketCommand({ Bucket }));

  const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'dir/hello.txt', Body: 'hello from js', ContentType: 'text/plain', Metadata: { origin: 'js' } }));
  out.putETag = put.ETag;

  // A stream of unknown length: the SDK sends aws-chunked with a trailing checksum.
  const streamed = Buffer.alloc(200 * 1024, 7);
  await s3.send(new PutObjectCommand({ Bucket, Key: 'streamed.bin', Body: Readable.from([streamed.subarray(0, 100 * 1024), streamed.subarray(100 * 1024)]), ContentLength: streamed.length }));
  const gotStreamed = await s3.send(new GetObjectCommand({ Bucket, Key: 'streamed.bin' }));
  out.streamedSha = createHash('sha256').update(Buffer.from(await gotStreamed.Body.transformToByteArray())).digest('hex');
  out.expectedStreamedSha = createHash('sha256').update(streamed).digest('hex');

  const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'dir/hello.txt' }));
  out.body = await got.Body.transformToString();
  out.contentType = got.ContentType;
  out.metadata = got.Metadata;

  await s3.send(new CopyObjectCommand({ Bucket, Key: 'copy.txt', CopySource: `${Bucket}/dir/hello.txt` }));
  const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'copy.txt' }));
  out.copyLength = head.ContentLength;

  const part1 = Buffer.alloc(5 * 1024 * 1024, 1);
  const part2 = Buffer.from('last part');
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'multi.bin' }));
  const p1 = await s3.send(new UploadPartCommand({ Bucket, Key: 'multi.bin', UploadId, PartNumber: 1, Body: part1 }));
  const p2 = await s3.send(new UploadPartCommand({ Bucket, Key: 'multi.bin', UploadId, PartNumber: 2, Body: part2 }));
  const done = await s3.send(new CompleteMultipartUploadCommand({
    Bucket, Key: 'multi.bin', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }] },
  }));
  out.multipartETag = done.ETag;
  const multi = await s3.send(new GetObjectCommand({ Bucket, Key: 'multi.bin' }));
  out.multipartSha = createHash('sha256').update(Buffer.from(await multi.Body.transformToByteArray())).digest('hex');
  out.expectedMultipartSha = createHash('sha256').update(Buffer.concat([part1, part2])).digest('hex');

  const list = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: '', Delimiter: '/' }));
  out.keys = (list.Contents ?? []).map((o) => o.Key);
  out.prefixes = (list.CommonPrefixes ?? []).map((p) => p.Prefix);

  await s3.send(new DeleteObjectCommand({ Bucket, Key: 'copy.txt' }));
  const del = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'streamed.bin' }, { Key: 'multi.bin' }] } }));
  out.deleted = (del.Deleted ?? []).map((d) => d.Key);

  out.missing = await ctx.attempt(s3.send(new GetObjectCommand({ Bucket, Key: 'nope' })));
  return out;
}
