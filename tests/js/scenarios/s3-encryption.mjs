// Encryption, ownership and public access as AWS's defaults are today (issue 19, item 6), through @aws-sdk/client-s3.
// Returns what a user would look at: the encryption each answer reports, the bucket settings, and the error codes.
import {
  S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, HeadObjectCommand, CopyObjectCommand,
  GetBucketEncryptionCommand, PutBucketEncryptionCommand, DeleteBucketEncryptionCommand, GetBucketOwnershipControlsCommand,
  PutBucketOwnershipControlsCommand, GetPublicAccessBlockCommand, PutPublicAccessBlockCommand, DeletePublicAccessBlockCommand,
  PutBucketPolicyCommand, GetBucketPolicyStatusCommand, CreateMultipartUploadCommand, UploadPartCommand,
  CompleteMultipartUploadCommand,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';

export default async function (input, ctx) {
  const Bucket = input.bucket;
  const s3 = ctx.client(S3Client, { forcePathStyle: true });
  const out = {};
  const code = async (promise) => {
    const r = await ctx.attempt(promise);
    if (r.ok?.Body?.transformToString) await r.ok.Body.transformToString();
    return r.ok ? 'ok' : `${r.error.code}:${r.error.status}`;
  };
  const sse = (r) => ({ sse: r.ServerSideEncryption ?? null, key: r.SSEKMSKeyId ?? null, bucketKey: r.BucketKeyEnabled ?? null });
  await s3.send(new CreateBucketCommand({ Bucket }));

  // Every object is encrypted: SSE-S3 unless asked otherwise.
  out.putDefault = sse(await s3.send(new PutObjectCommand({ Bucket, Key: 'plain.txt', Body: 'plain' })));
  out.headDefault = sse(await s3.send(new HeadObjectCommand({ Bucket, Key: 'plain.txt' })));
  out.putKms = sse(await s3.send(new PutObjectCommand({ Bucket, Key: 'kms.txt', Body: 'kms', ServerSideEncryption: 'aws:kms' })));
  const gotKms = await s3.send(new GetObjectCommand({ Bucket, Key: 'kms.txt' }));
  await gotKms.Body.transformToString();
  out.getKms = sse(gotKms);
  out.putKmsKey = sse(await s3.send(new PutObjectCommand({ Bucket, Key: 'kms2.txt', Body: 'kms', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: '0f0f0f0f-1111-2222-3333-444444444444', BucketKeyEnabled: true })));
  out.copyOfKms = sse((await s3.send(new CopyObjectCommand({ Bucket, Key: 'copy.txt', CopySource: `${Bucket}/kms.txt` }))));
  out.badAlgorithm = await code(s3.send(new PutObjectCommand({ Bucket, Key: 'bad.txt', Body: 'x', ServerSideEncryption: 'AES128' })));
  const mp = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'mp.bin', ServerSideEncryption: 'aws:kms' }));
  const part = await s3.send(new UploadPartCommand({ Bucket, Key: 'mp.bin', UploadId: mp.UploadId, PartNumber: 1, Body: 'one part' }));
  out.multipart = sse(await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'mp.bin', UploadId: mp.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } })));

  // Bucket default encryption: AES256 until set, the set rule applies to new objects, deleting returns to AES256.
  const rule = async () => (await s3.send(new GetBucketEncryptionCommand({ Bucket }))).ServerSideEncryptionConfiguration.Rules[0];
  out.bucketDefault = await rule();
  await s3.send(new PutBucketEncryptionCommand({ Bucket, ServerSideEncryptionConfiguration: { Rules: [{
    ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: `arn:aws:kms:us-east-1:${input.account}:key/bucket-key-1` },
    BucketKeyEnabled: true }] } }));
  out.bucketKms = await rule();
  out.putUnderKmsDefault = sse(await s3.send(new PutObjectCommand({ Bucket, Key: 'under-kms.txt', Body: 'x' })));
  out.putAesUnderKmsDefault = sse(await s3.send(new PutObjectCommand({ Bucket, Key: 'aes.txt', Body: 'x', ServerSideEncryption: 'AES256' })));
  await s3.send(new DeleteBucketEncryptionCommand({ Bucket }));
  out.bucketAfterDelete = await rule();
  out.putAfterDelete = sse(await s3.send(new PutObjectCommand({ Bucket, Key: 'after.txt', Body: 'x' })));

  // SSE-C: readable only with the key it was written with.
  const key = Buffer.alloc(32, 1);
  const other = Buffer.alloc(32, 2);
  const md5 = (b) => createHash('md5').update(b).digest('base64');
  const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'ssec.txt', Body: 'secret', SSECustomerAlgorithm: 'AES256', SSECustomerKey: key }));
  out.ssecPut = { algorithm: put.SSECustomerAlgorithm, md5: put.SSECustomerKeyMD5, sse: put.ServerSideEncryption ?? null, expectedMd5: md5(key) };
  out.ssecGetWithoutKey = await code(s3.send(new GetObjectCommand({ Bucket, Key: 'ssec.txt' })));
  out.ssecHeadWithoutKey = await code(s3.send(new HeadObjectCommand({ Bucket, Key: 'ssec.txt' })));
  out.ssecGetOtherKey = await code(s3.send(new GetObjectCommand({ Bucket, Key: 'ssec.txt', SSECustomerAlgorithm: 'AES256', SSECustomerKey: other })));
  const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'ssec.txt', SSECustomerAlgorithm: 'AES256', SSECustomerKey: key }));
  out.ssecGet = { body: await got.Body.transformToString(), algorithm: got.SSECustomerAlgorithm };
  out.ssecOnPlainObject = await code(s3.send(new GetObjectCommand({ Bucket, Key: 'plain.txt', SSECustomerAlgorithm: 'AES256', SSECustomerKey: key })));
  out.ssecCopyWithoutSourceKey = await code(s3.send(new CopyObjectCommand({ Bucket, Key: 'ssec-copy.txt', CopySource: `${Bucket}/ssec.txt` })));
  out.ssecCopyWithSourceKey = await code(s3.send(new CopyObjectCommand({ Bucket, Key: 'ssec-copy.txt', CopySource: `${Bucket}/ssec.txt`, CopySourceSSECustomerAlgorithm: 'AES256', CopySourceSSECustomerKey: key })));

  // Object ownership: BucketOwnerEnforced, so ACLs are refused, bucket-owner-full-control excepted.
  out.ownership = (await s3.send(new GetBucketOwnershipControlsCommand({ Bucket }))).OwnershipControls.Rules[0].ObjectOwnership;
  out.aclPublicRead = await code(s3.send(new PutObjectCommand({ Bucket, Key: 'acl.txt', Body: 'x', ACL: 'public-read' })));
  out.aclGrant = await code(s3.send(new PutObjectCommand({ Bucket, Key: 'acl.txt', Body: 'x', GrantRead: 'uri="http://acs.amazonaws.com/groups/global/AllUsers"' })));
  out.aclOwnerFullControl = await code(s3.send(new PutObjectCommand({ Bucket, Key: 'acl.txt', Body: 'x', ACL: 'bucket-owner-full-control' })));
  out.aclOnCreateBucket = await code(s3.send(new CreateBucketCommand({ Bucket: `${Bucket}-acl`, ACL: 'public-read' })));
  // A new bucket blocks public access with all four settings, as on AWS; deleted here to show ACLs with ObjectWriter.
  out.pabBefore = await code(s3.send(new GetPublicAccessBlockCommand({ Bucket })));
  out.pabDefault = (await s3.send(new GetPublicAccessBlockCommand({ Bucket }))).PublicAccessBlockConfiguration;
  await s3.send(new DeletePublicAccessBlockCommand({ Bucket }));
  await s3.send(new PutBucketOwnershipControlsCommand({ Bucket, OwnershipControls: { Rules: [{ ObjectOwnership: 'ObjectWriter' }] } }));
  out.aclWithObjectWriter = await code(s3.send(new PutObjectCommand({ Bucket, Key: 'acl.txt', Body: 'x', ACL: 'public-read' })));

  // Public access block: BlockPublicPolicy refuses public policies, BlockPublicAcls public ACLs.
  await s3.send(new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true } }));
  out.pab = (await s3.send(new GetPublicAccessBlockCommand({ Bucket }))).PublicAccessBlockConfiguration;
  const publicPolicy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${Bucket}/*` }] });
  const accountPolicy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${input.account}:root` }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${Bucket}/*` }] });
  const refused = await ctx.attempt(s3.send(new PutBucketPolicyCommand({ Bucket, Policy: publicPolicy })));
  out.publicPolicyBlocked = refused.error ? `${refused.error.code}:${refused.error.status}` : 'ok';
  out.publicPolicyBlockedMessage = refused.error?.message ?? null;
  out.accountPolicy = await code(s3.send(new PutBucketPolicyCommand({ Bucket, Policy: accountPolicy })));
  out.statusAccountPolicy = (await s3.send(new GetBucketPolicyStatusCommand({ Bucket }))).PolicyStatus.IsPublic;
  out.aclPublicReadBlocked = await code(s3.send(new PutObjectCommand({ Bucket, Key: 'acl.txt', Body: 'x', ACL: 'public-read' })));
  await s3.send(new DeletePublicAccessBlockCommand({ Bucket }));
  out.pabAfterDelete = await code(s3.send(new GetPublicAccessBlockCommand({ Bucket })));
  out.publicPolicyAfterDelete = await code(s3.send(new PutBucketPolicyCommand({ Bucket, Policy: publicPolicy })));
  out.statusPublicPolicy = (await s3.send(new GetBucketPolicyStatusCommand({ Bucket }))).PolicyStatus.IsPublic;
  s3.destroy();
  return out;
}
