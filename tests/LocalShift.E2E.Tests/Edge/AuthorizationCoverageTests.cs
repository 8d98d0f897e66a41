using System.Text.Json;
using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Edge;

/// <summary>
/// One authorization coverage test for the whole endpoint: every operation the service registry says is emulated
/// (<c>/_localshift/services</c>) is called with the real CLI by an IAM user without any permission, and must be
/// refused with its service's AccessDenied code (Glue's and Lambda's is AccessDeniedException) naming the operation's action. An
/// operation added to a service without an entry here fails the test, so nothing new can skip authorization unnoticed.
/// S3's operations are the ones its HTTP handler can route to (the CLI's <c>s3api</c> commands), called on a bucket and an
/// object the account's root made first; their condition keys and policies have their own tests (S3AuthorizationTests).
/// </summary>
public sealed class AuthorizationCoverageTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private LocalShiftServer Server => fixture.Server;

    private const string Account = "123456789012";
    private const string PolicyArn = $"arn:aws:iam::{Account}:policy/p1";
    private const string ClusterArn = $"arn:aws:redshift:us-east-1:{Account}:cluster:c1";
    private const string Doc = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}""";
    private const string GlueCatalog = $"arn:aws:glue:us-east-1:{Account}:catalog";
    private const string GlueDatabase = $"arn:aws:glue:us-east-1:{Account}:database/d1";
    /// <summary>A valid (empty) zip archive: the CLI checks a --zip-file is one before it sends it.</summary>
    private static readonly string EmptyZip = WriteEmptyZip();

    private static string WriteEmptyZip()
    {
        var path = TestFiles.NewPath("empty-", ".zip");
        File.WriteAllBytes(path, [0x50, 0x4B, 0x05, 0x06, .. new byte[18]]);
        return path;
    }

    private const string LambdaFunction = $"arn:aws:lambda:us-east-1:{Account}:function:f1";

    private const string StatementId = "5d966607-fb41-4311-a81b-0a5c612a455e";
    private const string Trust = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"redshift.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";

    // S3's bucket and object (static fields initialize in order: these before the table that uses them).
    private static readonly string[] Bucket = ["--bucket", "cov"];
    private static readonly string[] Object = ["--bucket", "cov", "--key", "k"];
    private const string BucketArn = "arn:aws:s3:::cov";
    private const string ObjectArn = "arn:aws:s3:::cov/k";

    // Valid arguments for each emulated operation (so a missing check would show as success or as a not-found error,
    // not as a validation error), and the text the resource part of AccessDenied must contain.
    private static readonly Dictionary<string, (string[] Args, string Resource)> Calls = new()
    {
        // Glue authorizes a catalog object's action on the catalog first, then the database and the table.
        ["glue:CreateDatabase"] = (["--database-input", """{"Name":"d1"}"""], GlueCatalog),
        ["glue:GetDatabase"] = (["--name", "d1"], GlueCatalog),
        ["glue:GetDatabases"] = ([], GlueCatalog),
        ["glue:UpdateDatabase"] = (["--name", "d1", "--database-input", """{"Name":"d1"}"""], GlueCatalog),
        ["glue:DeleteDatabase"] = (["--name", "d1"], GlueCatalog),
        ["glue:CreateTable"] = (["--database-name", "d1", "--table-input", """{"Name":"t1"}"""], GlueCatalog),
        ["glue:GetTable"] = (["--database-name", "d1", "--name", "t1"], GlueCatalog),
        ["glue:GetTables"] = (["--database-name", "d1"], GlueCatalog),
        ["glue:UpdateTable"] = (["--database-name", "d1", "--table-input", """{"Name":"t1"}"""], GlueCatalog),
        ["glue:DeleteTable"] = (["--database-name", "d1", "--name", "t1"], GlueCatalog),
        ["glue:BatchDeleteTable"] = (["--database-name", "d1", "--tables-to-delete", "t1"], GlueCatalog),
        ["glue:GetTableVersions"] = (["--database-name", "d1", "--table-name", "t1"], GlueCatalog),
        ["glue:CreatePartition"] = (["--database-name", "d1", "--table-name", "t1", "--partition-input", """{"Values":["a"]}"""], GlueCatalog),
        ["glue:BatchCreatePartition"] = (["--database-name", "d1", "--table-name", "t1", "--partition-input-list", """[{"Values":["a"]}]"""], GlueCatalog),
        ["glue:GetPartition"] = (["--database-name", "d1", "--table-name", "t1", "--partition-values", "a"], GlueCatalog),
        ["glue:GetPartitions"] = (["--database-name", "d1", "--table-name", "t1"], GlueCatalog),
        ["glue:BatchGetPartition"] = (["--database-name", "d1", "--table-name", "t1", "--partitions-to-get", """[{"Values":["a"]}]"""], GlueCatalog),
        ["glue:UpdatePartition"] = (["--database-name", "d1", "--table-name", "t1", "--partition-value-list", "a", "--partition-input", """{"Values":["a"]}"""], GlueCatalog),
        ["glue:DeletePartition"] = (["--database-name", "d1", "--table-name", "t1", "--partition-values", "a"], GlueCatalog),
        ["glue:BatchDeletePartition"] = (["--database-name", "d1", "--table-name", "t1", "--partitions-to-delete", """[{"Values":["a"]}]"""], GlueCatalog),
        ["glue:TagResource"] = (["--resource-arn", GlueDatabase, "--tags-to-add", "k=v"], GlueDatabase),
        ["glue:UntagResource"] = (["--resource-arn", GlueDatabase, "--tags-to-remove", "k"], GlueDatabase),
        ["glue:GetTags"] = (["--resource-arn", GlueDatabase], GlueDatabase),
        ["lambda:CreateFunction"] = (["--function-name", "f1", "--runtime", "nodejs20.x", "--handler", "index.handler", "--role", $"arn:aws:iam::{Account}:role/r1", "--zip-file", "fileb://" + EmptyZip], LambdaFunction),
        ["lambda:GetFunction"] = (["--function-name", "f1"], LambdaFunction),
        ["lambda:GetFunctionConfiguration"] = (["--function-name", "f1"], LambdaFunction),
        ["lambda:ListFunctions"] = ([], "*"),
        ["lambda:UpdateFunctionCode"] = (["--function-name", "f1", "--zip-file", "fileb://" + EmptyZip], LambdaFunction),
        ["lambda:UpdateFunctionConfiguration"] = (["--function-name", "f1", "--timeout", "5"], LambdaFunction),
        ["lambda:DeleteFunction"] = (["--function-name", "f1"], LambdaFunction),
        ["lambda:Invoke"] = (["--function-name", "f1", "/dev/null"], LambdaFunction),
        ["lambda:AddPermission"] = (["--function-name", "f1", "--statement-id", "s1", "--action", "lambda:InvokeFunction", "--principal", "210987654321"], LambdaFunction),
        ["lambda:RemovePermission"] = (["--function-name", "f1", "--statement-id", "s1"], LambdaFunction),
        ["lambda:GetPolicy"] = (["--function-name", "f1"], LambdaFunction),
        ["lambda:TagResource"] = (["--resource", LambdaFunction, "--tags", "k=v"], LambdaFunction),
        ["lambda:UntagResource"] = (["--resource", LambdaFunction, "--tag-keys", "k"], LambdaFunction),
        ["lambda:ListTags"] = (["--resource", LambdaFunction], LambdaFunction),
        ["lambda:PublishVersion"] = (["--function-name", "f1"], LambdaFunction),
        ["lambda:ListVersionsByFunction"] = (["--function-name", "f1"], LambdaFunction),
        ["lambda:CreateAlias"] = (["--function-name", "f1", "--name", "live", "--function-version", "1"], LambdaFunction),
        ["lambda:GetAlias"] = (["--function-name", "f1", "--name", "live"], LambdaFunction),
        ["lambda:ListAliases"] = (["--function-name", "f1"], LambdaFunction),
        ["lambda:UpdateAlias"] = (["--function-name", "f1", "--name", "live", "--function-version", "1"], LambdaFunction),
        ["lambda:DeleteAlias"] = (["--function-name", "f1", "--name", "live"], LambdaFunction),
        ["iam:AddUserToGroup"] = (["--group-name", "g1", "--user-name", "u1"], "g1"),
        ["iam:AttachGroupPolicy"] = (["--group-name", "g1", "--policy-arn", PolicyArn], "g1"),
        ["iam:AttachRolePolicy"] = (["--role-name", "r1", "--policy-arn", PolicyArn], "r1"),
        ["iam:AttachUserPolicy"] = (["--user-name", "u1", "--policy-arn", PolicyArn], "u1"),
        ["iam:CreateAccessKey"] = (["--user-name", "u1"], "u1"),
        ["iam:CreateGroup"] = (["--group-name", "g2"], "g2"),
        ["iam:CreatePolicy"] = (["--policy-name", "p2", "--policy-document", Doc], "p2"),
        ["iam:CreatePolicyVersion"] = (["--policy-arn", PolicyArn, "--policy-document", Doc], PolicyArn),
        ["iam:CreateRole"] = (["--role-name", "r2", "--assume-role-policy-document", Trust], "r2"),
        ["iam:CreateUser"] = (["--user-name", "u2"], "u2"),
        ["iam:DeleteAccessKey"] = (["--user-name", "u1", "--access-key-id", "AKIAIOSFODNN7EXAMPLE"], "u1"),
        ["iam:DeleteGroup"] = (["--group-name", "g1"], "g1"),
        ["iam:DeleteGroupPolicy"] = (["--group-name", "g1", "--policy-name", "x"], "g1"),
        ["iam:DeletePolicy"] = (["--policy-arn", PolicyArn], PolicyArn),
        ["iam:DeletePolicyVersion"] = (["--policy-arn", PolicyArn, "--version-id", "v2"], PolicyArn),
        ["iam:DeleteRole"] = (["--role-name", "r1"], "r1"),
        ["iam:DeleteRolePermissionsBoundary"] = (["--role-name", "r1"], "r1"),
        ["iam:DeleteRolePolicy"] = (["--role-name", "r1", "--policy-name", "x"], "r1"),
        ["iam:DeleteUser"] = (["--user-name", "u1"], "u1"),
        ["iam:DeleteUserPermissionsBoundary"] = (["--user-name", "u1"], "u1"),
        ["iam:DeleteUserPolicy"] = (["--user-name", "u1", "--policy-name", "x"], "u1"),
        ["iam:DetachGroupPolicy"] = (["--group-name", "g1", "--policy-arn", PolicyArn], "g1"),
        ["iam:DetachRolePolicy"] = (["--role-name", "r1", "--policy-arn", PolicyArn], "r1"),
        ["iam:DetachUserPolicy"] = (["--user-name", "u1", "--policy-arn", PolicyArn], "u1"),
        ["iam:GetGroup"] = (["--group-name", "g1"], "g1"),
        ["iam:GetGroupPolicy"] = (["--group-name", "g1", "--policy-name", "x"], "g1"),
        ["iam:GetPolicy"] = (["--policy-arn", PolicyArn], PolicyArn),
        ["iam:GetPolicyVersion"] = (["--policy-arn", PolicyArn, "--version-id", "v1"], PolicyArn),
        ["iam:GetRole"] = (["--role-name", "r1"], "r1"),
        ["iam:GetRolePolicy"] = (["--role-name", "r1", "--policy-name", "x"], "r1"),
        ["iam:GetUser"] = (["--user-name", "u1"], "u1"),
        ["iam:GetUserPolicy"] = (["--user-name", "u1", "--policy-name", "x"], "u1"),
        ["iam:ListAccessKeys"] = (["--user-name", "u1"], "u1"),
        ["iam:ListAttachedGroupPolicies"] = (["--group-name", "g1"], "g1"),
        ["iam:ListAttachedRolePolicies"] = (["--role-name", "r1"], "r1"),
        ["iam:ListAttachedUserPolicies"] = (["--user-name", "u1"], "u1"),
        ["iam:ListEntitiesForPolicy"] = (["--policy-arn", PolicyArn], PolicyArn),
        ["iam:ListGroupPolicies"] = (["--group-name", "g1"], "g1"),
        ["iam:ListGroups"] = ([], AnyResource),
        ["iam:ListGroupsForUser"] = (["--user-name", "u1"], "u1"),
        ["iam:ListInstanceProfilesForRole"] = (["--role-name", "r1"], "r1"),
        ["iam:ListPolicies"] = ([], AnyResource),
        ["iam:ListPolicyVersions"] = (["--policy-arn", PolicyArn], PolicyArn),
        ["iam:ListRolePolicies"] = (["--role-name", "r1"], "r1"),
        ["iam:ListRoleTags"] = (["--role-name", "r1"], "r1"),
        ["iam:ListRoles"] = ([], AnyResource),
        ["iam:ListUserPolicies"] = (["--user-name", "u1"], "u1"),
        ["iam:ListUserTags"] = (["--user-name", "u1"], "u1"),
        ["iam:ListUsers"] = ([], AnyResource),
        ["iam:PutGroupPolicy"] = (["--group-name", "g1", "--policy-name", "x", "--policy-document", Doc], "g1"),
        ["iam:PutRolePermissionsBoundary"] = (["--role-name", "r1", "--permissions-boundary", PolicyArn], "r1"),
        ["iam:PutRolePolicy"] = (["--role-name", "r1", "--policy-name", "x", "--policy-document", Doc], "r1"),
        ["iam:PutUserPermissionsBoundary"] = (["--user-name", "u1", "--permissions-boundary", PolicyArn], "u1"),
        ["iam:PutUserPolicy"] = (["--user-name", "u1", "--policy-name", "x", "--policy-document", Doc], "u1"),
        ["iam:RemoveUserFromGroup"] = (["--group-name", "g1", "--user-name", "u1"], "g1"),
        ["iam:SetDefaultPolicyVersion"] = (["--policy-arn", PolicyArn, "--version-id", "v1"], PolicyArn),
        ["iam:SimulateCustomPolicy"] = (["--policy-input-list", Doc, "--action-names", "s3:GetObject"], ""),
        ["iam:SimulatePrincipalPolicy"] = (["--policy-source-arn", $"arn:aws:iam::{Account}:user/u1", "--action-names", "s3:GetObject"], "u1"),
        ["iam:TagRole"] = (["--role-name", "r1", "--tags", "Key=k,Value=v"], "r1"),
        ["iam:TagUser"] = (["--user-name", "u1", "--tags", "Key=k,Value=v"], "u1"),
        ["iam:UntagRole"] = (["--role-name", "r1", "--tag-keys", "k"], "r1"),
        ["iam:UntagUser"] = (["--user-name", "u1", "--tag-keys", "k"], "u1"),
        ["iam:UpdateAccessKey"] = (["--user-name", "u1", "--access-key-id", "AKIAIOSFODNN7EXAMPLE", "--status", "Inactive"], "u1"),
        ["iam:UpdateAssumeRolePolicy"] = (["--role-name", "r1", "--policy-document", Trust], "r1"),
        ["iam:UpdateRole"] = (["--role-name", "r1", "--description", "d"], "r1"),
        ["iam:UpdateRoleDescription"] = (["--role-name", "r1", "--description", "d"], "r1"),
        ["redshift:CreateCluster"] = (["--cluster-identifier", "c2", "--node-type", "dc2.large", "--master-username", "admin", "--master-user-password", "Passw0rdX"],
            $"arn:aws:redshift:us-east-1:{Account}:cluster:c2"),
        ["redshift:DescribeClusters"] = ([], $"arn:aws:redshift:us-east-1:{Account}:cluster:*"),
        ["redshift:ModifyClusterIamRoles"] = (["--cluster-identifier", "c1"], ClusterArn),
        ["redshift:DeleteCluster"] = (["--cluster-identifier", "c1", "--skip-final-cluster-snapshot"], ClusterArn),
        ["redshift:CreateTags"] = (["--resource-name", ClusterArn, "--tags", "Key=k,Value=v"], ClusterArn),
        ["redshift:DeleteTags"] = (["--resource-name", ClusterArn, "--tag-keys", "k"], ClusterArn),
        ["redshift:DescribeTags"] = ([], "*"),
        ["redshift:GetClusterCredentials"] = (["--cluster-identifier", "c1", "--db-user", "u1"], $"arn:aws:redshift:us-east-1:{Account}:dbuser:c1/u1"),
        ["redshift:CreateClusterSnapshot"] = (["--snapshot-identifier", "s1", "--cluster-identifier", "c1"], $"arn:aws:redshift:us-east-1:{Account}:snapshot:c1/s1"),
        ["redshift:DescribeClusterSnapshots"] = ([], $"arn:aws:redshift:us-east-1:{Account}:snapshot:*/*"),
        ["redshift:DeleteClusterSnapshot"] = (["--snapshot-identifier", "s1"], $"arn:aws:redshift:us-east-1:{Account}:snapshot:*/s1"),
        ["redshift:RestoreFromClusterSnapshot"] = (["--cluster-identifier", "c2", "--snapshot-identifier", "s1"], $"arn:aws:redshift:us-east-1:{Account}:snapshot:*/s1"),
        ["redshift:ModifyCluster"] = (["--cluster-identifier", "c1", "--allow-version-upgrade"], ClusterArn),
        ["redshift:PauseCluster"] = (["--cluster-identifier", "c1"], ClusterArn),
        ["redshift:ResumeCluster"] = (["--cluster-identifier", "c1"], ClusterArn),
        ["redshift:RebootCluster"] = (["--cluster-identifier", "c1"], ClusterArn),
        ["redshift:DescribeLoggingStatus"] = (["--cluster-identifier", "c1"], ClusterArn),
        ["redshift:EnableLogging"] = (["--cluster-identifier", "c1", "--bucket-name", "b1"], ClusterArn),
        ["redshift:DisableLogging"] = (["--cluster-identifier", "c1"], ClusterArn),
        ["redshift:DescribeClusterParameterGroups"] = ([], $"arn:aws:redshift:us-east-1:{Account}:parametergroup:*"),
        ["redshift:DescribeClusterParameters"] = (["--parameter-group-name", "default.redshift-1.0"], $"arn:aws:redshift:us-east-1:{Account}:parametergroup:default.redshift-1.0"),
        ["redshift:DescribeDefaultClusterParameters"] = (["--parameter-group-family", "redshift-1.0"], "*"),
        ["redshift:DescribeClusterSubnetGroups"] = ([], $"arn:aws:redshift:us-east-1:{Account}:subnetgroup:*"),
        ["redshift:DescribeClusterVersions"] = ([], "*"),
        ["redshift:DescribeOrderableClusterOptions"] = ([], "*"),
        ["redshift:DescribeEvents"] = ([], "*"),
        ["redshift:DescribeEventCategories"] = ([], "*"),
        ["redshift:GetClusterCredentialsWithIAM"] = (["--cluster-identifier", "c1", "--db-name", "dev"], $"arn:aws:redshift:us-east-1:{Account}:dbname:c1/dev"),
        // The Data API authorizes statement submission and catalog calls on the cluster, and statement look-ups on "*"
        // (they name no resource; a statement is seen only by the identity that sent it).
        ["redshift-data:ExecuteStatement"] = (["--cluster-identifier", "c1", "--database", "dev", "--sql", "select 1"], ClusterArn),
        ["redshift-data:BatchExecuteStatement"] = (["--cluster-identifier", "c1", "--database", "dev", "--sqls", "select 1"], ClusterArn),
        ["redshift-data:DescribeStatement"] = (["--id", StatementId], "*"),
        ["redshift-data:GetStatementResult"] = (["--id", StatementId], "*"),
        ["redshift-data:CancelStatement"] = (["--id", StatementId], "*"),
        ["redshift-data:ListStatements"] = ([], "*"),
        ["redshift-data:ListDatabases"] = (["--cluster-identifier", "c1", "--database", "dev"], ClusterArn),
        ["redshift-data:ListSchemas"] = (["--cluster-identifier", "c1", "--database", "dev"], ClusterArn),
        ["redshift-data:ListTables"] = (["--cluster-identifier", "c1", "--database", "dev"], ClusterArn),
        ["redshift-data:DescribeTable"] = (["--cluster-identifier", "c1", "--database", "dev", "--table", "t"], ClusterArn),
        ["sts:AssumeRole"] = (["--role-arn", $"arn:aws:iam::{Account}:role/r1", "--role-session-name", "sess"], $"arn:aws:iam::{Account}:role/r1"),
        // S3, on the bucket "cov" and its object "k" (made by the root before the calls).
        ["s3:ListBuckets"] = ([], "*"),
        ["s3:CreateBucket"] = (["--bucket", "cov2"], "arn:aws:s3:::cov2"),
        ["s3:DeleteBucket"] = (Bucket, BucketArn),
        ["s3:HeadBucket"] = (Bucket, BucketArn),
        ["s3:GetBucketLocation"] = (Bucket, BucketArn),
        ["s3:GetBucketPolicyStatus"] = (Bucket, BucketArn),
        ["s3:GetBucketPolicy"] = (Bucket, BucketArn),
        ["s3:PutBucketPolicy"] = ([.. Bucket, "--policy", """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::cov/*"}]}"""], BucketArn),
        ["s3:DeleteBucketPolicy"] = (Bucket, BucketArn),
        ["s3:ListMultipartUploads"] = (Bucket, BucketArn),
        ["s3:GetBucketVersioning"] = (Bucket, BucketArn),
        ["s3:PutBucketVersioning"] = ([.. Bucket, "--versioning-configuration", "Status=Enabled"], BucketArn),
        ["s3:ListObjectVersions"] = (Bucket, BucketArn),
        ["s3:GetBucketAcl"] = (Bucket, BucketArn),
        ["s3:GetBucketEncryption"] = (Bucket, BucketArn),
        ["s3:PutBucketEncryption"] = ([.. Bucket, "--server-side-encryption-configuration", """{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}"""], BucketArn),
        ["s3:DeleteBucketEncryption"] = (Bucket, BucketArn),
        ["s3:GetPublicAccessBlock"] = (Bucket, BucketArn),
        ["s3:PutPublicAccessBlock"] = ([.. Bucket, "--public-access-block-configuration", "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true"], BucketArn),
        ["s3:DeletePublicAccessBlock"] = (Bucket, BucketArn),
        ["s3:GetBucketOwnershipControls"] = (Bucket, BucketArn),
        ["s3:PutBucketOwnershipControls"] = ([.. Bucket, "--ownership-controls", "Rules=[{ObjectOwnership=BucketOwnerEnforced}]"], BucketArn),
        ["s3:DeleteBucketOwnershipControls"] = (Bucket, BucketArn),
        ["s3:GetBucketTagging"] = (Bucket, BucketArn),
        ["s3:PutBucketTagging"] = ([.. Bucket, "--tagging", "TagSet=[{Key=k,Value=v}]"], BucketArn),
        ["s3:DeleteBucketTagging"] = (Bucket, BucketArn),
        ["s3:ListObjects"] = (Bucket, BucketArn),
        ["s3:ListObjectsV2"] = (Bucket, BucketArn),
        ["s3:DeleteObjects"] = ([.. Bucket, "--delete", "Objects=[{Key=k}]"], ObjectArn),
        ["s3:GetObject"] = ([.. Object, "/dev/null"], ObjectArn),
        ["s3:HeadObject"] = (Object, ObjectArn),
        ["s3:PutObject"] = (Object, ObjectArn),
        ["s3:CopyObject"] = ([.. Bucket, "--key", "k2", "--copy-source", "cov/k"], "arn:aws:s3:::cov/k"),
        ["s3:DeleteObject"] = (Object, ObjectArn),
        ["s3:GetObjectTagging"] = (Object, ObjectArn),
        ["s3:PutObjectTagging"] = ([.. Object, "--tagging", "TagSet=[{Key=k,Value=v}]"], ObjectArn),
        ["s3:DeleteObjectTagging"] = (Object, ObjectArn),
        ["s3:GetObjectAcl"] = (Object, ObjectArn),
        ["s3:GetObjectAttributes"] = ([.. Object, "--object-attributes", "ETag"], ObjectArn),
        ["s3:CreateMultipartUpload"] = (Object, ObjectArn),
        ["s3:UploadPart"] = ([.. Object, "--upload-id", "u1", "--part-number", "1"], ObjectArn),
        ["s3:UploadPartCopy"] = ([.. Object, "--upload-id", "u1", "--part-number", "1", "--copy-source", "cov/k"], ObjectArn),
        ["s3:ListParts"] = ([.. Object, "--upload-id", "u1"], ObjectArn),
        ["s3:CompleteMultipartUpload"] = ([.. Object, "--upload-id", "u1"], ObjectArn),
        ["s3:AbortMultipartUpload"] = ([.. Object, "--upload-id", "u1"], ObjectArn),
    };

    // The resource AWS names for IAM's list operations is not known here for certain (LocalShift names "*").
    private const string AnyResource = "";

    /// <summary>
    /// The code each service answers a denial with: the query services' <c>AccessDenied</c>, and Glue's JSON-protocol
    /// <c>AccessDeniedException</c> (the same text).
    /// </summary>
    private static readonly Dictionary<string, string> DenialCodes = new()
    {
        ["glue"] = "AccessDeniedException",
        ["lambda"] = "AccessDeniedException",
        ["redshift-data"] = "AccessDeniedException",
    };

    /// <summary>
    /// Operations whose IAM action is not named after them. S3's are from "Actions, resources, and condition keys for
    /// Amazon S3" (each operation's required permission); CopyObject is refused first for reading its source.
    /// </summary>
    private static readonly Dictionary<string, string> Actions = new()
    {
        ["lambda:Invoke"] = "lambda:InvokeFunction",
        ["s3:ListBuckets"] = "s3:ListAllMyBuckets",
        ["s3:HeadBucket"] = "s3:ListBucket",
        ["s3:ListMultipartUploads"] = "s3:ListBucketMultipartUploads",
        ["s3:ListObjectVersions"] = "s3:ListBucketVersions",
        ["s3:GetBucketEncryption"] = "s3:GetEncryptionConfiguration",
        ["s3:PutBucketEncryption"] = "s3:PutEncryptionConfiguration",
        ["s3:DeleteBucketEncryption"] = "s3:PutEncryptionConfiguration",
        ["s3:GetPublicAccessBlock"] = "s3:GetBucketPublicAccessBlock",
        ["s3:PutPublicAccessBlock"] = "s3:PutBucketPublicAccessBlock",
        ["s3:DeletePublicAccessBlock"] = "s3:PutBucketPublicAccessBlock",
        ["s3:DeleteBucketOwnershipControls"] = "s3:PutBucketOwnershipControls",
        ["s3:DeleteBucketTagging"] = "s3:PutBucketTagging",
        ["s3:ListObjects"] = "s3:ListBucket",
        ["s3:ListObjectsV2"] = "s3:ListBucket",
        ["s3:DeleteObjects"] = "s3:DeleteObject",
        ["s3:HeadObject"] = "s3:GetObject",
        ["s3:CopyObject"] = "s3:GetObject",
        // It needs s3:GetObject and s3:GetObjectAttributes (GetObjectAttributes' page); the read is checked first.
        ["s3:GetObjectAttributes"] = "s3:GetObject",
        ["s3:CreateMultipartUpload"] = "s3:PutObject",
        ["s3:UploadPart"] = "s3:PutObject",
        ["s3:UploadPartCopy"] = "s3:PutObject",
        ["s3:CompleteMultipartUpload"] = "s3:PutObject",
        ["s3:ListParts"] = "s3:ListMultipartUploadParts",
    };

    /// <summary>The CLI's command group for a service whose signing name is not it.</summary>
    private static readonly Dictionary<string, string> CliGroups = new() { ["s3"] = "s3api" };

    /// <summary>Operations AWS answers without any permission.</summary>
    private static readonly HashSet<string> NeedNoPermission = ["sts:GetCallerIdentity"];

    [Fact]
    public async Task Every_emulated_operation_denies_a_principal_without_permission_naming_its_action()
    {
        var emulated = await EmulatedOperationsAsync();
        Assert.Contains("redshift:CreateCluster", emulated);
        var uncovered = emulated.Where(op => !Calls.ContainsKey(op) && !NeedNoPermission.Contains(op)).ToList();
        Assert.True(uncovered.Count == 0, "emulated operations without a coverage entry here: " + string.Join(", ", uncovered));

        (await Server.AwsAsync("iam", "create-user", "--user-name", "nobody")).EnsureSuccess();
        var key = (await Server.AwsAsync("iam", "create-access-key", "--user-name", "nobody")).Json().GetProperty("AccessKey");
        var id = key.GetProperty("AccessKeyId").GetString()!;
        var secret = key.GetProperty("SecretAccessKey").GetString()!;
        (await Server.AwsAsync("s3api", "create-bucket", "--bucket", "cov")).EnsureSuccess();
        (await Server.AwsAsync("s3api", "put-object", "--bucket", "cov", "--key", "k")).EnsureSuccess();

        var failures = new List<string>();
        // Every call through the CLI's own driver in Python processes that each run a share of them (a process per call
        // spent most of the time starting Python); two shares at once, one per core.
        var commands = emulated.Select(op =>
        {
            var (service, name) = (op[..op.IndexOf(':')], op[(op.IndexOf(':') + 1)..]);
            return (string[])[CliGroups.GetValueOrDefault(service, service), Kebab(name), .. Calls.TryGetValue(op, out var c) ? c.Args : []];
        }).ToList();
        var half = commands.Count / 2;
        var shares = await Task.WhenAll(Server.AwsBatchAsAsync(id, secret, null, commands[..half]), Server.AwsBatchAsAsync(id, secret, null, commands[half..]));
        var results = shares.SelectMany(r => r).ToList();
        foreach (var (op, r) in emulated.Zip(results))
        {
            var (service, name) = (op[..op.IndexOf(':')], op[(op.IndexOf(':') + 1)..]);
            if (NeedNoPermission.Contains(op))
            {
                if (r.ExitCode != 0) failures.Add($"{op} needs no permission but failed: {r.Stderr.Trim()}");
                continue;
            }
            var resource = Calls.TryGetValue(op, out var c) ? c.Resource : "";
            var action = Actions.GetValueOrDefault(op, op);
            if (op is "s3:HeadBucket" or "s3:HeadObject")
            {
                // A HEAD has no body: S3's denial is a bare 403, which the CLI reports as "Forbidden".
                if (r.ExitCode != 254 || !r.Stderr.Contains($"(403) when calling the {name} operation: Forbidden", StringComparison.Ordinal))
                    failures.Add($"{op}: exit {r.ExitCode}: {r.Stderr.Trim()}");
                continue;
            }
            if (op is "s3:DeleteObjects")
            {
                // DeleteObjects answers 200 and reports each key it may not delete in its Errors.
                var denial = $"User: arn:aws:iam::{Account}:user/nobody is not authorized to perform: {action} on resource: {resource}";
                if (r.ExitCode != 0 || !r.Stdout.Contains("\"Code\": \"AccessDenied\"", StringComparison.Ordinal) || !r.Stdout.Contains(denial, StringComparison.Ordinal))
                    failures.Add($"{op}: exit {r.ExitCode}: {r.Stdout.Trim()} {r.Stderr.Trim()}");
                continue;
            }
            var code = DenialCodes.GetValueOrDefault(service, "AccessDenied");
            var expected = $"({code}) when calling the {name} operation: User: arn:aws:iam::{Account}:user/nobody is not authorized to perform: {action} on resource: ";
            var at = r.Stderr.IndexOf(expected, StringComparison.Ordinal);
            if (r.ExitCode != 254 || at < 0 || !r.Stderr[(at + expected.Length)..].Contains(resource, StringComparison.Ordinal))
                failures.Add($"{op}: exit {r.ExitCode}: {r.Stderr.Trim()}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures.Order()));
    }

    private async Task<List<string>> EmulatedOperationsAsync()
    {
        using var http = new HttpClient();
        using var doc = JsonDocument.Parse(await http.GetStringAsync(Server.Endpoint + "/_localshift/services"));
        return doc.RootElement.GetProperty("services").EnumerateArray()
            .Where(s => s.GetProperty("emulated").ValueKind == JsonValueKind.Array)
            .SelectMany(s => s.GetProperty("emulated").EnumerateArray().Select(o => s.GetProperty("name").GetString() + ":" + o.GetString()))
            .ToList();
    }

    /// <summary>
    /// The CLI's command for an operation name: CreateCluster → create-cluster; a run of capitals is one word
    /// (GetClusterCredentialsWithIAM → get-cluster-credentials-with-iam).
    /// </summary>
    private static string Kebab(string operation) =>
        string.Concat(operation.Select((ch, i) =>
            char.IsUpper(ch) && i > 0 && !char.IsUpper(operation[i - 1]) ? "-" + char.ToLowerInvariant(ch) : char.ToLowerInvariant(ch).ToString()));
}
