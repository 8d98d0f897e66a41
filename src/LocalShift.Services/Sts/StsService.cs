using System.Xml;
using LocalShift.Aws;
using LocalShift.Aws.Protocols.Query;
using LocalShift.Core;

namespace LocalShift.Services.Sts;

/// <summary>AWS Security Token Service over the query protocol.</summary>
public sealed partial class StsService : QueryService
{
    public override string SigningName => "sts";
    public override string Version => "2011-06-15";
    public override string XmlNamespace => "https://sts.amazonaws.com/doc/2011-06-15/";

    public StsService()
    {
        Operation("GetCallerIdentity", GetCallerIdentity);
    }

    /// <summary>Needs no permission: AWS answers it even when every action is denied.</summary>
    private static void GetCallerIdentity(AwsCall call, QueryParameters p, XmlWriter w)
    {
        var c = call.Caller;
        w.El("UserId", c.UserId).El("Account", c.AccountId).El("Arn", c.Arn);
    }
}
