"""Sends each S3 operation that takes an XML request document with a malformed document in its place, signed by
botocore (the copy Debian's awscli carries) with the credentials in the environment.

Reads {"endpoint": URL, "bucket": NAME} on stdin; writes a JSON list of {"operation", "status", "code"}.
"""
import json
import sys

import awscli.botocore.session as botocore_session
from awscli.botocore.config import Config

MALFORMED = b"<NotTheDocument><Unclosed>"


def replace_body(request, **_):
    # After botocore built the document (and any Content-MD5 or checksum of it), before it signs: swap in bytes that
    # are not the document, with no claim about them left to contradict them.
    request.data = MALFORMED
    for name in list(request.headers.keys()):
        lower = name.lower()
        if lower in ("content-md5", "content-length", "x-amz-sdk-checksum-algorithm") or lower.startswith("x-amz-checksum-"):
            del request.headers[name]


def main():
    args = json.load(sys.stdin)
    session = botocore_session.get_session()
    s3 = session.create_client("s3", endpoint_url=args["endpoint"], region_name="us-east-1",
                               config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
    s3.meta.events.register("before-sign.s3", replace_body)
    b = args["bucket"]
    calls = {
        "PutBucketTagging": lambda: s3.put_bucket_tagging(Bucket=b, Tagging={"TagSet": [{"Key": "k", "Value": "v"}]}),
        "PutBucketVersioning": lambda: s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"}),
        "PutBucketEncryption": lambda: s3.put_bucket_encryption(Bucket=b, ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}),
        "PutBucketOwnershipControls": lambda: s3.put_bucket_ownership_controls(Bucket=b, OwnershipControls={
            "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}),
        "PutPublicAccessBlock": lambda: s3.put_public_access_block(Bucket=b, PublicAccessBlockConfiguration={
            "BlockPublicAcls": True}),
    }
    results = []
    for name, call in calls.items():
        try:
            call()
            results.append({"operation": name, "status": 200, "code": ""})
        except Exception as e:  # the client's error class (its module path differs between botocore copies)
            if not hasattr(e, "response"):
                raise
            results.append({"operation": name, "status": e.response["ResponseMetadata"]["HTTPStatusCode"],
                            "code": e.response["Error"]["Code"]})
    json.dump(results, sys.stdout)


main()
