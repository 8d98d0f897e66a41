using System.Collections.Concurrent;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using LocalShift.Aws;
using LocalShift.Aws.Operations;
using LocalShift.Core;
using LocalShift.Services.Iam;
using LocalShift.Services.Redshift;
using LocalShift.Storage.State;

namespace LocalShift.Services.Tests.Redshift;

/// <summary>A clock that moves only when a test says so.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;
    public override DateTimeOffset GetUtcNow() => _now;
    public void Advance(TimeSpan by) => _now += by;
}

public sealed class FakeRoles : IRoleDirectory
{
    public const string TrustsRedshift = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"redshift.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";
    public const string TrustsEc2 = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";

    private readonly ConcurrentDictionary<string, RoleRecord> _roles = new();

    public string Add(string account, string name, string trust = TrustsRedshift)
    {
        var arn = Arn.Role(account, "/", name);
        _roles[arn] = new RoleRecord(account, name, "/", AwsIds.RoleId(), arn, trust, 3600, new Dictionary<string, string>(), DateTimeOffset.UnixEpoch);
        return arn;
    }

    public RoleRecord? FindByArn(string roleArn) => _roles.GetValueOrDefault(roleArn);
    public RoleRecord? FindByName(string accountId, string roleName) => _roles.Values.FirstOrDefault(r => r.AccountId == accountId && r.RoleName == roleName);
}

/// <summary>Records every authorization check; denies those matching <see cref="Deny"/> with AccessDenied.</summary>
public sealed class RecordingAuthorizer : IAuthorizer
{
    public ConcurrentQueue<AuthorizationCheck> Checks { get; } = new();
    public Func<AuthorizationCheck, bool> Deny { get; set; } = _ => false;

    public void Authorize(AuthorizationCheck check)
    {
        Checks.Enqueue(check);
        if (Deny(check))
            throw new AwsException("AccessDenied", $"User: {check.Call.Caller.Arn} is not authorized to perform: {check.Action} on resource: {check.Resource}", 403);
    }
}

public sealed class RecordingEndpoints : IClusterEndpointHost
{
    public ConcurrentQueue<string> Events { get; } = new();
    public ConcurrentQueue<ClusterEndpointSpec> Started { get; } = new();
    public Task StartAsync(ClusterEndpointSpec spec, CancellationToken cancellationToken)
    {
        Started.Enqueue(spec);
        Events.Enqueue($"start {spec.ClusterIdentifier} {spec.Host}:{spec.Port} {spec.DbName} {spec.MasterUsername}");
        return Task.CompletedTask;
    }

    public ConcurrentQueue<ClusterEndpointSpec> Stopped { get; } = new();
    public Task StopAsync(ClusterEndpointSpec spec, bool deleteData)
    {
        Stopped.Enqueue(spec);
        Events.Enqueue($"stop {spec.ClusterIdentifier} {deleteData}");
        return Task.CompletedTask;
    }
}

/// <summary>A Redshift control plane over a temporary state file, a manual clock and fakes, called the way the edge calls it.</summary>
public sealed class RedshiftHarness : IDisposable
{
    public const string Account = "123456789012";
    public const string OtherAccount = "210987654321";
    public const string Region = "us-east-1";
    public const string Password = "Passw0rdX";

    private readonly string _dir;

    public RedshiftHarness(RedshiftOptions? options = null, string? dir = null, ManualClock? clock = null, FakeRoles? roles = null)
    {
        _dir = dir ?? Directory.CreateTempSubdirectory("ls-redshift-").FullName;
        Options = options ?? new RedshiftOptions();
        Clock = clock ?? new ManualClock(new DateTimeOffset(2026, 11, 28, 5, 0, 0, TimeSpan.Zero));
        Roles = roles ?? new FakeRoles();
        State = new StateStore(Path.Combine(_dir, "state.db"));
        Plane = RedshiftControlPlane.Create(State, Roles, Endpoints, Options, Clock);
    }

    public string Dir => _dir;
    public RedshiftOptions Options { get; }
    public ManualClock Clock { get; }
    public FakeRoles Roles { get; }
    public StateStore State { get; }
    public RecordingAuthorizer Authorizer { get; } = new();
    public RecordingEndpoints Endpoints { get; } = new();
    public RedshiftControlPlane Plane { get; }
    public Principal Caller { get; set; } = Principal.Root(Account);
    /// <summary>The region of the calls' credential scope (<see cref="Region"/> unless a test moves it).</summary>
    public string CallRegion { get; set; } = Region;

    /// <summary>A second control plane over the same state file, as after a restart.</summary>
    public RedshiftHarness Restart() => new(Options, _dir, Clock, Roles);

    /// <summary>Runs an operation and returns its Result element.</summary>
    public XElement Call(string operation, params (string Name, string Value)[] args)
    {
        Assert.True(Plane.Service.Operations.ContainsKey(operation), operation);
        var call = new AwsCall
        {
            Service = "redshift",
            Operation = operation,
            Region = CallRegion,
            RequestId = Guid.NewGuid().ToString(),
            Caller = Caller,
            Time = Clock.GetUtcNow(),
            Authorizer = AuthorizerOverride ?? Authorizer,
        };
        // Through the query protocol as the edge runs it: the model reads the parameters, the result is the model's XML.
        return Query.BothQueryWriters.Invoke(Plane.Service, operation, call, args.Select(a => KeyValuePair.Create(a.Name, a.Value)));
    }

    public AwsException Fails(string operation, params (string Name, string Value)[] args) =>
        Assert.Throws<AwsException>(() => Call(operation, args));

    public IAuthorizer? AuthorizerOverride { get; set; }

    public XElement Create(string id, params (string Name, string Value)[] extra) =>
        Call("CreateCluster", [("ClusterIdentifier", id), ("NodeType", "dc2.large"), ("MasterUsername", "admin"), ("MasterUserPassword", Password), .. extra]);

    /// <summary>Creates a cluster and lets it become available.</summary>
    public XElement CreateAvailable(string id, params (string Name, string Value)[] extra)
    {
        Create(id, extra);
        Settle(Options.CreateDelay);
        return Describe(id);
    }

    public void Settle(TimeSpan by)
    {
        Clock.Advance(by);
        Plane.Lifecycle.TickAsync().GetAwaiter().GetResult();
    }

    public XElement Describe(string id) =>
        Call("DescribeClusters", ("ClusterIdentifier", id)).Element("Clusters")!.Element("Cluster")!;

    public static (string, string)[] RoleArgs(string prefix, IEnumerable<string> arns) =>
        arns.Select((a, i) => ($"{prefix}.IamRoleArn.{i + 1}", a)).ToArray();

    public static List<(string Arn, string Status)> RolesOf(XElement cluster) =>
        cluster.Element("IamRoles")!.Elements("ClusterIamRole")
            .Select(r => (r.Element("IamRoleArn")!.Value, r.Element("ApplyStatus")!.Value)).ToList();

    public void Dispose()
    {
        State.Dispose();
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
