using System.Security.Cryptography;
using System.Text;

namespace LocalShift.Services.Iam;

/// <summary>
/// The few AWS managed policies people attach to Redshift roles and test users, with AWS's documents.
/// They exist in every account (ARN account "aws"); they cannot be changed or deleted.
/// </summary>
public static class AwsManagedPolicies
{
    public sealed record Entry(ManagedPolicyRow Row, string Document);

    private static readonly DateTimeOffset Published = new(2015, 2, 6, 18, 39, 46, TimeSpan.Zero);

    public static readonly IReadOnlyList<Entry> All =
    [
        Make("AdministratorAccess", "/", "v1", "Provides full access to AWS services and resources.",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"""),
        Make("AmazonS3FullAccess", "/", "v2", "Provides full access to all buckets via the AWS Management Console.",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","s3-object-lambda:*"],"Resource":"*"}]}"""),
        Make("AmazonS3ReadOnlyAccess", "/", "v3", "Provides read only access to all buckets via the AWS Management Console.",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*","s3:Describe*","s3-object-lambda:Get*","s3-object-lambda:List*"],"Resource":"*"}]}"""),
        Make("AWSLambdaRole", "/service-role/", "v2", "Default policy for AWS Lambda service role.",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["lambda:InvokeFunction"],"Resource":["*"]}]}"""),
    ];

    private static readonly Dictionary<string, Entry> ByArn = All.ToDictionary(e => e.Row.Arn, StringComparer.Ordinal);

    public static Entry? Find(string arn) => ByArn.GetValueOrDefault(arn);

    private static Entry Make(string name, string path, string version, string description, string document)
    {
        var arn = $"arn:aws:iam::aws:policy{path}{name}";
        return new Entry(new ManagedPolicyRow("aws", name, path, StableId(arn), arn, version, description, [], Published, Published), document);
    }

    /// <summary>The same ANPA… id in every run, derived from the ARN.</summary>
    private static string StableId(string arn)
    {
        const string base32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(arn));
        var sb = new StringBuilder("ANPA");
        for (var i = 0; i < 17; i++) sb.Append(base32[hash[i] % 32]);
        return sb.ToString();
    }
}
