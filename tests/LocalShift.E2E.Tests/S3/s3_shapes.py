"""Drives S3 operations through botocore (the copy Debian's awscli carries, which /usr/bin/aws runs) and records each
raw response body.

Reads {"endpoint": URL} on stdin; writes a JSON list of {"operation", "status", "body"} in call order. Credentials
come from the environment. The test compares each XML body with S3's model (S3ShapeTests).
"""
import json
import sys

import awscli.botocore.session as botocore_session
from awscli.botocore.config import Config


def main():
    endpoint = json.load(sys.stdin)["endpoint"]
    session = botocore_session.get_session()
    s3 = session.create_client("s3", endpoint_url=endpoint, region_name="us-east-1",
                               config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
    captured = []

    def record(http_response, model, **_):
        captured.append({"operation": model.name, "status": http_response.status_code,
                         "body": http_response.content.decode("utf-8", "replace")})

    s3.meta.events.register("after-call.s3", record)
    b = "shape-bucket"
    s3.create_bucket(Bucket=b)
    s3.put_object(Bucket=b, Key="a/1.txt", Body=b"hello", ChecksumAlgorithm="CRC32", Tagging="k=v")
    s3.put_object(Bucket=b, Key="a/2.txt", Body=b"world")
    s3.put_object(Bucket=b, Key="top.txt", Body=b"top")
    s3.list_buckets()
    s3.get_bucket_location(Bucket=b)
    s3.put_bucket_policy(Bucket=b, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{b}/*"}]}))
    s3.get_bucket_policy_status(Bucket=b)
    s3.list_objects(Bucket=b, Delimiter="/")
    s3.list_objects(Bucket=b, Prefix="a/", MaxKeys=1)
    s3.list_objects_v2(Bucket=b, Delimiter="/")
    s3.list_objects_v2(Bucket=b, Prefix="a/", FetchOwner=True, MaxKeys=1)
    s3.get_bucket_acl(Bucket=b)
    s3.get_object_acl(Bucket=b, Key="a/1.txt")
    s3.put_bucket_encryption(Bucket=b, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}]})
    s3.get_bucket_encryption(Bucket=b)
    s3.get_public_access_block(Bucket=b)
    s3.get_bucket_ownership_controls(Bucket=b)
    s3.put_bucket_tagging(Bucket=b, Tagging={"TagSet": [{"Key": "team", "Value": "data"}]})
    s3.get_bucket_tagging(Bucket=b)
    s3.get_object_tagging(Bucket=b, Key="a/1.txt")
    s3.get_object_attributes(Bucket=b, Key="a/1.txt",
                             ObjectAttributes=["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"])
    s3.copy_object(Bucket=b, Key="copy.txt", CopySource={"Bucket": b, "Key": "a/1.txt"})
    up = s3.create_multipart_upload(Bucket=b, Key="multi.bin", ChecksumAlgorithm="CRC32")
    part = s3.upload_part(Bucket=b, Key="multi.bin", UploadId=up["UploadId"], PartNumber=1, Body=b"x" * 1024,
                          ChecksumAlgorithm="CRC32")
    s3.list_parts(Bucket=b, Key="multi.bin", UploadId=up["UploadId"])
    s3.list_multipart_uploads(Bucket=b)
    s3.complete_multipart_upload(Bucket=b, Key="multi.bin", UploadId=up["UploadId"], MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": part["ETag"], "ChecksumCRC32": part["ChecksumCRC32"]}]})
    s3.get_object_attributes(Bucket=b, Key="multi.bin", ObjectAttributes=["ETag", "Checksum", "ObjectParts", "ObjectSize"])
    other = s3.create_multipart_upload(Bucket=b, Key="copied-part.bin")
    s3.upload_part_copy(Bucket=b, Key="copied-part.bin", UploadId=other["UploadId"], PartNumber=1,
                        CopySource={"Bucket": b, "Key": "a/1.txt"})
    s3.abort_multipart_upload(Bucket=b, Key="copied-part.bin", UploadId=other["UploadId"])
    s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
    s3.get_bucket_versioning(Bucket=b)
    s3.put_object(Bucket=b, Key="top.txt", Body=b"top again")
    s3.delete_object(Bucket=b, Key="top.txt")
    s3.list_object_versions(Bucket=b)
    s3.list_object_versions(Bucket=b, Prefix="top", MaxKeys=1)
    s3.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "a/2.txt"}, {"Key": "copy.txt"}]})
    json.dump(captured, sys.stdout)


if __name__ == "__main__":
    main()
