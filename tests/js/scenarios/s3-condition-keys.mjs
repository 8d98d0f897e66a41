// A bucket-policy matrix over S3's own condition keys (issue 19, item 2), driven through @aws-sdk/client-s3: for each
// case the bucket owner installs a policy, then the calls run as the root or as an IAM user that has no identity policy
// (so only the bucket policy's Allow can let it in). Returns { case: "ok" | error code }.
// Keys as listed per action by https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html.
import {
  S3Client, PutObjectCommand, GetObjectCommand, CopyObjectCommand, PutBucketPolicyCommand,
  DeleteBucketPolicyCommand, ListObjectsV2Command, GetObjectTaggingCommand, PutObjectTaggingCommand, CreateMultipartUploadCommand,
  AbortMultipartUploadCommand,
} from '@aws-sdk/client-s3';

export default async function (input, ctx) {
  const Bucket = input.bucket;
  const account = input.account;
  const root = ctx.client(S3Client, { forcePathStyle: true });
  const user = ctx.client(S3Client, {
    forcePathStyle: true,
    credentials: { accessKeyId: input.userKey, secretAccessKey: input.userSecret },
  });
  const out = {};
  const run = async (name, promise) => {
    const r = await ctx.attempt(promise);
    out[name] = r.ok ? 'ok' : r.error.code;
    // An unread GetObject body holds its socket open, and node would not exit.
    if (r.ok?.Body?.transformToString) await r.ok.Body.transformToString();
    return r.ok;
  };
  const policy = (...statements) => root.send(new PutBucketPolicyCommand({
    Bucket, Policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
  }));
  const objects = `arn:aws:s3:::${Bucket}/*`;
  const userArn = input.userArn;

  await root.send(new PutObjectCommand({ Bucket, Key: 'tagged.txt', Body: 'public data', Tagging: 'classification=public' }));
  await root.send(new PutObjectCommand({ Bucket, Key: 'untagged.txt', Body: 'private data' }));
  await root.send(new PutObjectCommand({ Bucket, Key: 'pub/src.txt', Body: 'copy me' }));
  await root.send(new PutObjectCommand({ Bucket, Key: 'priv/src.txt', Body: 'do not copy me' }));

  // s3:ExistingObjectTag/<key>: an Allow that matches only tagged objects.
  await policy({
    Effect: 'Allow', Principal: { AWS: userArn }, Action: ['s3:GetObject', 's3:GetObjectTagging'], Resource: objects,
    Condition: { StringEquals: { 's3:ExistingObjectTag/classification': 'public' } },
  });
  await run('existingTag.getTagged', user.send(new GetObjectCommand({ Bucket, Key: 'tagged.txt' })));
  await run('existingTag.getUntagged', user.send(new GetObjectCommand({ Bucket, Key: 'untagged.txt' })));
  await run('existingTag.taggingOfTagged', user.send(new GetObjectTaggingCommand({ Bucket, Key: 'tagged.txt' })));

  // s3:RequestObjectTag/<key> and s3:RequestObjectTagKeys on PutObject and PutObjectTagging.
  await policy({
    Effect: 'Allow', Principal: { AWS: userArn }, Action: ['s3:PutObject', 's3:PutObjectTagging'], Resource: objects,
    Condition: {
      StringEquals: { 's3:RequestObjectTag/project': 'blue' },
      'ForAllValues:StringEquals': { 's3:RequestObjectTagKeys': ['project'] },
    },
  });
  await run('requestTag.blue', user.send(new PutObjectCommand({ Bucket, Key: 'u/blue.txt', Body: 'x', Tagging: 'project=blue' })));
  await run('requestTag.red', user.send(new PutObjectCommand({ Bucket, Key: 'u/red.txt', Body: 'x', Tagging: 'project=red' })));
  await run('requestTag.extraKey', user.send(new PutObjectCommand({ Bucket, Key: 'u/extra.txt', Body: 'x', Tagging: 'project=blue&owner=me' })));
  await run('requestTag.none', user.send(new PutObjectCommand({ Bucket, Key: 'u/none.txt', Body: 'x' })));
  await run('requestTag.putTagging', user.send(new PutObjectTaggingCommand({ Bucket, Key: 'u/blue.txt', Tagging: { TagSet: [{ Key: 'project', Value: 'blue' }] } })));
  await run('requestTag.putTaggingRed', user.send(new PutObjectTaggingCommand({ Bucket, Key: 'u/blue.txt', Tagging: { TagSet: [{ Key: 'project', Value: 'red' }] } })));

  // The classic "deny unencrypted uploads" policy (https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html).
  await policy(
    { Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: objects, Condition: { Null: { 's3:x-amz-server-side-encryption': 'true' } } },
    { Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: objects, Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': ['AES256', 'aws:kms'] } } },
  );
  await run('sse.none', root.send(new PutObjectCommand({ Bucket, Key: 'e/none.txt', Body: 'x' })));
  await run('sse.aes256', root.send(new PutObjectCommand({ Bucket, Key: 'e/aes.txt', Body: 'x', ServerSideEncryption: 'AES256' })));
  await run('sse.kms', root.send(new PutObjectCommand({ Bucket, Key: 'e/kms.txt', Body: 'x', ServerSideEncryption: 'aws:kms' })));
  await run('sse.dsse', root.send(new PutObjectCommand({ Bucket, Key: 'e/dsse.txt', Body: 'x', ServerSideEncryption: 'aws:kms:dsse' })));
  await run('sse.multipartNone', root.send(new CreateMultipartUploadCommand({ Bucket, Key: 'e/mp.txt' })));
  const mp = await root.send(new CreateMultipartUploadCommand({ Bucket, Key: 'e/mp.txt', ServerSideEncryption: 'AES256' }));
  await root.send(new AbortMultipartUploadCommand({ Bucket, Key: 'e/mp.txt', UploadId: mp.UploadId }));
  out['sse.multipartAes256'] = mp.ServerSideEncryption;

  // s3:x-amz-server-side-encryption-aws-kms-key-id: only one key may be used.
  const goodKey = `arn:aws:kms:us-east-1:${account}:key/11111111-2222-3333-4444-555555555555`;
  await policy({
    Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: objects,
    Condition: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption-aws-kms-key-id': goodKey } },
  });
  await run('kmsKey.good', root.send(new PutObjectCommand({ Bucket, Key: 'k/good.txt', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: goodKey })));
  await run('kmsKey.other', root.send(new PutObjectCommand({ Bucket, Key: 'k/other.txt', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: goodKey.replace('5555', '9999') })));
  await run('kmsKey.absent', root.send(new PutObjectCommand({ Bucket, Key: 'k/absent.txt', Body: 'x' })));

  // s3:x-amz-server-side-encryption-customer-algorithm: no SSE-C uploads.
  await policy({
    Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: objects,
    Condition: { Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' } },
  });
  const customerKey = Buffer.alloc(32, 9);
  await run('ssec.denied', root.send(new PutObjectCommand({ Bucket, Key: 'c/x.txt', Body: 'x', SSECustomerAlgorithm: 'AES256', SSECustomerKey: customerKey })));
  await run('ssec.plain', root.send(new PutObjectCommand({ Bucket, Key: 'c/y.txt', Body: 'x' })));

  // s3:x-amz-copy-source: copies only from pub/.
  await policy({
    Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: objects,
    Condition: { Null: { 's3:x-amz-copy-source': 'false' }, StringNotLike: { 's3:x-amz-copy-source': `${Bucket}/pub/*` } },
  });
  await run('copySource.pub', root.send(new CopyObjectCommand({ Bucket, Key: 'copies/a.txt', CopySource: `${Bucket}/pub/src.txt` })));
  await run('copySource.priv', root.send(new CopyObjectCommand({ Bucket, Key: 'copies/b.txt', CopySource: `${Bucket}/priv/src.txt` })));
  await run('copySource.plainPut', root.send(new PutObjectCommand({ Bucket, Key: 'copies/c.txt', Body: 'x' })));

  // s3:x-amz-metadata-directive: copies keep their metadata.
  await policy({
    Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: objects,
    Condition: { StringEquals: { 's3:x-amz-metadata-directive': 'REPLACE' } },
  });
  await run('metadataDirective.copy', root.send(new CopyObjectCommand({ Bucket, Key: 'copies/d.txt', CopySource: `${Bucket}/pub/src.txt`, MetadataDirective: 'COPY' })));
  await run('metadataDirective.replace', root.send(new CopyObjectCommand({ Bucket, Key: 'copies/e.txt', CopySource: `${Bucket}/pub/src.txt`, MetadataDirective: 'REPLACE', Metadata: { a: 'b' } })));

  // s3:x-amz-storage-class.
  await policy({
    Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: objects,
    Condition: { StringNotEqualsIfExists: { 's3:x-amz-storage-class': 'STANDARD' } },
  });
  await run('storageClass.standard', root.send(new PutObjectCommand({ Bucket, Key: 's/a.txt', Body: 'x', StorageClass: 'STANDARD' })));
  await run('storageClass.ia', root.send(new PutObjectCommand({ Bucket, Key: 's/b.txt', Body: 'x', StorageClass: 'STANDARD_IA' })));

  // s3:x-amz-acl: the cross-account upload rule (bucket-owner-full-control, the one canned ACL BucketOwnerEnforced accepts).
  await policy({
    Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: objects,
    Condition: { StringNotEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
  });
  await run('acl.ownerFullControl', root.send(new PutObjectCommand({ Bucket, Key: 'a/a.txt', Body: 'x', ACL: 'bucket-owner-full-control' })));
  await run('acl.absent', root.send(new PutObjectCommand({ Bucket, Key: 'a/b.txt', Body: 'x' })));

  // s3:x-amz-content-sha256: no unsigned payloads (the header is set before signing, so the SDK signs with it).
  await policy({
    Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: objects,
    Condition: { StringEquals: { 's3:x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } },
  });
  const unsigned = ctx.client(S3Client, { forcePathStyle: true });
  unsigned.middlewareStack.add((next) => async (args) => {
    args.request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
    return next(args);
  }, { step: 'build', name: 'unsignedPayload' });
  await run('contentSha256.unsigned', unsigned.send(new PutObjectCommand({ Bucket, Key: 'h/a.txt', Body: 'x' })));
  await run('contentSha256.signed', root.send(new PutObjectCommand({ Bucket, Key: 'h/b.txt', Body: 'x' })));

  // s3:signatureversion and s3:authType are present on every signed request; s3:ResourceAccount is the bucket owner.
  await policy(
    { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [objects, `arn:aws:s3:::${Bucket}`], Condition: { StringNotEquals: { 's3:signatureversion': 'AWS4-HMAC-SHA256' } } },
    { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [objects, `arn:aws:s3:::${Bucket}`], Condition: { StringNotEquals: { 's3:authType': 'REST-HEADER' } } },
    { Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: objects, Condition: { StringEquals: { 's3:ResourceAccount': account } } },
  );
  await run('signature.tagging', root.send(new GetObjectTaggingCommand({ Bucket, Key: 'tagged.txt' })));
  await run('signature.list', root.send(new ListObjectsV2Command({ Bucket, MaxKeys: 5 })));
  await run('resourceAccount.get', root.send(new GetObjectCommand({ Bucket, Key: 'tagged.txt' })));

  // s3:max-keys (numeric) and s3:prefix on ListBucket.
  await policy({
    Effect: 'Deny', Principal: '*', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${Bucket}`,
    Condition: { NumericGreaterThan: { 's3:max-keys': '10' } },
  });
  await run('maxKeys.5', root.send(new ListObjectsV2Command({ Bucket, MaxKeys: 5 })));
  await run('maxKeys.50', root.send(new ListObjectsV2Command({ Bucket, MaxKeys: 50 })));

  // s3:object-lock-mode.
  await policy({
    Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: objects,
    Condition: { StringEquals: { 's3:object-lock-mode': 'COMPLIANCE' } },
  });
  await run('objectLock.compliance', root.send(new PutObjectCommand({
    Bucket, Key: 'l/a.txt', Body: 'x', ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: new Date(Date.now() + 86400000),
  })));

  await root.send(new DeleteBucketPolicyCommand({ Bucket }));
  for (const client of [root, user, unsigned]) client.destroy();
  return out;
}
