using System.Xml.Linq;
using LocalShift.Aws;
using LocalShift.Aws.Operations;
using LocalShift.Core;
using LocalShift.Services.Iam;
using LocalShift.Storage.State;

namespace LocalShift.Services.Tests.Iam;

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;
    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>An IAM service over a fresh state file, called the way the edge calls it: operation name, flat parameters, the Result element back.</summary>
public sealed class IamHarness : IDisposable
{
    public const string Account = "123456789012";
    public const string TrustRedshift =
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"redshift.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";
    public const string ReadS3 =
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}]}""";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ls-iam-" + Guid.NewGuid().ToString("N"));
    public ManualClock Clock { get; } = new(new DateTimeOffset(2026, 11, 28, 4, 0, 0, TimeSpan.Zero));
    public StateStore State { get; private set; }
    public IamService Service { get; private set; }

    public IamHarness()
    {
        Directory.CreateDirectory(_dir);
        State = new StateStore(Path.Combine(_dir, "state.db"));
        Service = IamService.Create(State, Clock);
    }

    /// <summary>Opens the same state file again, as a restarted server would.</summary>
    public void Reopen()
    {
        State.Dispose();
        State = new StateStore(Path.Combine(_dir, "state.db"));
        Service = IamService.Create(State, Clock);
    }

    public static Principal Root => Principal.Root(Account);

    public static Principal User(string name, string account = Account) => new()
    {
        Kind = PrincipalKind.User, AccountId = account, Arn = Arn.User(account, "/", name), UserId = "AIDAEXAMPLE", Name = name,
    };

    public static Principal Session(string role) => new()
    {
        Kind = PrincipalKind.AssumedRole, AccountId = Account, Arn = Arn.AssumedRole(Account, role, "s"), UserId = "AROAEXAMPLE:s",
        Name = role, RoleArn = Arn.Role(Account, "/", role), SessionName = "s",
    };

    /// <summary>Calls an operation and returns its Result element (named like the edge names it).</summary>
    public XElement Call(string operation, params (string Name, string Value)[] parameters) => CallAs(Root, operation, parameters);

    public XElement CallAs(Principal caller, string operation, params (string Name, string Value)[] parameters)
    {
        Assert.True(Service.Operations.ContainsKey(operation), $"{operation} is not registered");
        var call = new AwsCall
        {
            Service = "iam", Operation = operation, Region = "us-east-1", RequestId = Guid.NewGuid().ToString(), Caller = caller,
            Time = Clock.GetUtcNow(), Authorizer = AllowAllAuthorizer.Instance,
        };
        // Through the query protocol as the edge runs it: the model reads and validates the parameters, the result is the model's XML.
        return Query.BothQueryWriters.Invoke(Service, operation, call, parameters.Select(p => KeyValuePair.Create(p.Name, p.Value)));
    }

    /// <summary>Calls an operation that must fail and returns the error a client would see.</summary>
    public AwsException Fails(string operation, params (string Name, string Value)[] parameters) =>
        Assert.Throws<AwsException>(() => Call(operation, parameters));

    public XElement CreateRole(string name, string trust = TrustRedshift, params (string, string)[] more) =>
        Call("CreateRole", [("RoleName", name), ("AssumeRolePolicyDocument", trust), .. more]);

    public string CreatePolicy(string name, string document = ReadS3) =>
        Call("CreatePolicy", ("PolicyName", name), ("PolicyDocument", document)).Element("Policy")!.Element("Arn")!.Value;

    public void Dispose()
    {
        State.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}

public static class XmlAssert
{
    public static string Text(this XElement e, params string[] path)
    {
        var cur = e;
        foreach (var p in path) cur = cur.Element(p) ?? throw new Xunit.Sdk.XunitException($"<{p}> missing in {e}");
        return cur.Value;
    }

    public static List<XElement> Members(this XElement e, string list) =>
        (e.Element(list) ?? throw new Xunit.Sdk.XunitException($"<{list}> missing in {e}")).Elements("member").ToList();
}
