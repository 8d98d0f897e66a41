using System.Xml;
using LocalShift.Aws;
using LocalShift.Aws.Protocols.Query;
using LocalShift.Core;

namespace LocalShift.Services.Sts;

/// <summary>AWS Security Token Service over the query protocol.</summary>
public sealed class StsService : QueryService
{
    private readonly RoleAssumer? _assumer;

    public override string SigningName => "sts";
    public override string Version => "2011-06-15";
    public override string XmlNamespace => "https://sts.amazonaws.com/doc/2011-06-15/";

    public StsService(RoleAssumer? assumer = null)
    {
        _assumer = assumer;
        Operation("GetCallerIdentity", GetCallerIdentity);
        if (assumer is not null) Operation("AssumeRole", AssumeRole);
    }

    /// <summary>Needs no permission: AWS answers it even when every action is denied.</summary>
    private static void GetCallerIdentity(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var c = call.Caller;
        w.El("UserId", c.UserId).El("Account", c.AccountId).El("Arn", c.Arn);
    }

    private void AssumeRole(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var input = new AssumeRoleInput(
            p.Required("RoleArn"),
            p.Required("RoleSessionName"),
            p.Int("DurationSeconds"),
            p.Get("ExternalId"),
            p.Get("Policy"),
            p.StructList("PolicyArns")?.Select(x => x.Get("arn") ?? throw AwsException.MissingParameter("PolicyArns.member.N.arn")).ToList());
        var session = _assumer!.Assume(call.Caller, call.AccessKeyId, input, call.RequestId, call.SourceIp, call.Region);
        w.Struct("Credentials", x => x
            .El("AccessKeyId", session.AccessKeyId)
            .El("SecretAccessKey", session.SecretAccessKey)
            .El("SessionToken", session.SessionToken)
            .El("Expiration", session.Expiration));
        w.Struct("AssumedRoleUser", x => x
            .El("AssumedRoleId", session.Principal.UserId)
            .El("Arn", session.Principal.Arn));
        if (input.Policy is not null)
            w.El("PackedPolicySize", Math.Max(1, input.Policy.Count(c => !char.IsWhiteSpace(c)) * 100 / 2048));
    }
}
