using System.Globalization;
using LocalShift.Core;
using LocalShift.Policy.Evaluation;

namespace LocalShift.Services.Authorization;

/// <summary>The global condition keys AWS puts in every request context (IAM User Guide, "AWS global condition context keys").</summary>
public static class RequestKeys
{
    public static RequestContext Global(Principal p, DateTimeOffset time, string? sourceIp, bool secureTransport, string? region)
    {
        var c = new RequestContext();
        if (p.Kind is not PrincipalKind.Anonymous and not PrincipalKind.Service)
        {
            c.Set("aws:PrincipalArn", p.Kind == PrincipalKind.AssumedRole && p.RoleArn is not null ? p.RoleArn : p.Arn);
            c.Set("aws:PrincipalAccount", p.AccountId);
            c.Set("aws:PrincipalType", p.PrincipalTypeKey);
            c.Set("aws:userid", p.UserId);
            if (p.Kind == PrincipalKind.User && p.Name is not null) c.Set("aws:username", p.Name);
            foreach (var (k, v) in p.Tags) c.Set("aws:PrincipalTag/" + k, v);
            // Present (false) for temporary credentials obtained without MFA; absent for long-term keys.
            if (p.Kind == PrincipalKind.AssumedRole) c.Set("aws:MultiFactorAuthPresent", "false");
        }
        else if (p.Kind == PrincipalKind.Service)
        {
            c.Set("aws:PrincipalServiceName", p.Arn);
        }
        c.Set("aws:CurrentTime", AwsTime.Iso(time));
        c.Set("aws:EpochTime", time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        c.Set("aws:SecureTransport", secureTransport ? "true" : "false");
        if (sourceIp is not null) c.Set("aws:SourceIp", sourceIp);
        if (region is not null) c.Set("aws:RequestedRegion", region);
        return c;
    }
}
