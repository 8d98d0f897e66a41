// A PutObject refused by the bucket policy, then the same client goes on: the refusal must not break the pooled
// connection (issue 19, item 1). One socket, so every call after a refusal goes on the refused one's connection
// unless it was closed. Node itself never reuses a socket whose request body was not sent, so this SDK was not hurt
// by the desynchronized connection that broke botocore; the scenario keeps it that way.
import http from 'node:http';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { S3Client, PutObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';

export default async function (input, ctx) {
  const Bucket = input.bucket;
  const client = (expectContinueHeader) => ctx.client(S3Client, {
    forcePathStyle: true,
    requestHandler: new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: true, maxSockets: 1 }) }),
    ...(expectContinueHeader === undefined ? {} : { expectContinueHeader }),
  });
  const out = {};
  const cases = [
    // 3 MB is over the SDK's default threshold (2 MB) for Expect: 100-continue.
    ['Large', client(undefined), Buffer.alloc(3 * 1024 * 1024, 1)],
    ['SmallExpect', client(true), Buffer.from('small body, held back')],
    ['SmallNoExpect', client(false), Buffer.from('small body, sent')],
  ];
  for (const [name, s3, Body] of cases) {
    out['denied' + name] = await ctx.attempt(s3.send(new PutObjectCommand({ Bucket, Key: `denied/${name}.bin`, Body })));
    await s3.send(new PutObjectCommand({ Bucket, Key: `ok/${name}.txt`, Body: 'allowed after' + name }));
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: `ok/${name}.txt` }));
    out['after' + name] = await got.Body.transformToString();
  }
  return out;
}
