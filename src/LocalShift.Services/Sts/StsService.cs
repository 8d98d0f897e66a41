using LocalShift.Aws;
using LocalShift.Aws.Operations;
using LocalShift.Core;

namespace LocalShift.Services.Sts;

// The STS model's shapes LocalShift reads and writes (src/LocalShift.Aws/Model/models/sts.json).
public sealed record GetCallerIdentityRequest;
public sealed record GetCallerIdentityResponse(string UserId, string Account, string Arn);
public sealed record PolicyDescriptorType(string? arn);
public sealed record AssumeRoleRequest(
    string RoleArn,
    string RoleSessionName,
    List<PolicyDescriptorType>? PolicyArns = null,
    string? Policy = null,
    int? DurationSeconds = null,
    string? ExternalId = null);
public sealed record Credentials(string AccessKeyId, string SecretAccessKey, string SessionToken, DateTimeOffset Expiration);
public sealed record AssumedRoleUser(string AssumedRoleId, string Arn);
public sealed record AssumeRoleResponse(Credentials Credentials, AssumedRoleUser AssumedRoleUser, int? PackedPolicySize = null);

/// <summary>AWS Security Token Service as typed operations of the STS model.</summary>
public sealed class StsService : AwsService
{
    private readonly RoleAssumer? _assumer;

    public StsService(RoleAssumer? assumer = null) : base("sts")
    {
        _assumer = assumer;
        Operation<GetCallerIdentityRequest, GetCallerIdentityResponse>("GetCallerIdentity", GetCallerIdentity);
        if (assumer is not null) Operation<AssumeRoleRequest, AssumeRoleResponse>("AssumeRole", AssumeRole);
    }

    /// <summary>Needs no permission: AWS answers it even when every action is denied.</summary>
    private static GetCallerIdentityResponse GetCallerIdentity(AwsCall call, GetCallerIdentityRequest _) =>
        new(call.Caller.UserId, call.Caller.AccountId, call.Caller.Arn);

    private AssumeRoleResponse AssumeRole(AwsCall call, AssumeRoleRequest p)
    {
        var input = new AssumeRoleInput(
            p.RoleArn,
            p.RoleSessionName,
            p.DurationSeconds,
            p.ExternalId,
            p.Policy,
            p.PolicyArns?.Select(x => x.arn ?? throw AwsException.MissingParameter("PolicyArns.member.N.arn")).ToList());
        var session = _assumer!.Assume(call.Caller, call.AccessKeyId, input, call.RequestId, call.SourceIp, call.Region);
        return new AssumeRoleResponse(
            new Credentials(session.AccessKeyId, session.SecretAccessKey, session.SessionToken, session.Expiration),
            new AssumedRoleUser(session.Principal.UserId, session.Principal.Arn),
            input.Policy is null ? null : Math.Max(1, input.Policy.Count(c => !char.IsWhiteSpace(c)) * 100 / 2048));
    }
}
