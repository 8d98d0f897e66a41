using System.Collections;
using System.Reflection;
using System.Xml.Linq;
using LocalShift.Aws.Model;
using LocalShift.Aws.Operations;
using LocalShift.Services.Sts;
using LocalShift.Services.Tests.Glue;
using LocalShift.Services.Tests.Iam;
using LocalShift.Services.Tests.Redshift;

namespace LocalShift.Services.Tests.Shapes;

/// <summary>
/// Every typed operation's request and response records against the service model: each property is a member of its
/// shape, with a type that carries the member's type. The protocols write only what the model has, so a property
/// with a misspelt name would silently vanish from the wire; this catches it.
/// </summary>
public sealed class ShapeConformanceTests : IDisposable
{
    private readonly RedshiftHarness _redshift = new();
    private readonly GlueHarness _glue = new();
    private readonly IamHarness _iam = new();

    public void Dispose()
    {
        _redshift.Dispose();
        _glue.Dispose();
        _iam.Dispose();
    }

    private IEnumerable<AwsService> TypedServices() =>
    [
        _redshift.Plane.Service,
        // Only the operation table is looked at; nothing is called.
        new StsService(new RoleAssumer(null!, null!, null!, null!, null!, TimeProvider.System)),
        _glue.Service,
        _iam.Service,
        new LocalShift.Services.Lambda.LambdaService(null!, null!, null!, null!, null!, null!, null!, TimeProvider.System),
        new RedshiftData.RedshiftDataService(null!, null!, TimeProvider.System),
        new LocalShift.Services.S3.S3Operations(null!),
    ];

    [Fact]
    public void Every_record_property_is_a_member_of_its_shape_with_a_compatible_type()
    {
        var problems = new List<string>();
        foreach (var service in TypedServices())
        foreach (var binding in service.Operations.Values)
        {
            var op = binding.Model;
            if (op.Input is not null) Check(binding.RequestType, op.Input, $"{service.Model.Name}.{op.Name} input", problems);
            if (binding.ResponseType != typeof(NoOutput))
            {
                if (op.Output is null) problems.Add($"{service.Model.Name}.{op.Name}: the model has no output, the record {binding.ResponseType.Name} is one");
                else Check(binding.ResponseType, op.Output, $"{service.Model.Name}.{op.Name} output", problems);
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void An_available_cluster_reports_every_member_a_real_cluster_always_has()
    {
        _redshift.CreateAvailable("c1");
        var cluster = _redshift.Describe("c1");
        // The members DescribeClusters shows for every provisioned cluster in AWS's documented example responses.
        string[] always =
        [
            "ClusterIdentifier", "NodeType", "ClusterStatus", "ClusterAvailabilityStatus", "MasterUsername", "DBName", "Endpoint",
            "ClusterCreateTime", "AutomatedSnapshotRetentionPeriod", "ManualSnapshotRetentionPeriod", "ClusterSecurityGroups",
            "VpcSecurityGroups", "ClusterParameterGroups", "ClusterSubnetGroupName", "VpcId", "AvailabilityZone",
            "PreferredMaintenanceWindow", "PendingModifiedValues", "ClusterVersion", "AllowVersionUpgrade", "NumberOfNodes",
            "PubliclyAccessible", "Encrypted", "ClusterPublicKey", "ClusterNodes", "ClusterRevisionNumber", "Tags",
            "EnhancedVpcRouting", "IamRoles", "PendingActions", "MaintenanceTrackName", "DeferredMaintenanceWindows",
            "NextMaintenanceWindowStartTime", "AvailabilityZoneRelocationStatus", "ClusterNamespaceArn",
            "TotalStorageCapacityInMegaBytes", "AquaConfiguration",
        ];
        var missing = always.Where(m => cluster.Element(m) is null).ToList();
        Assert.True(missing.Count == 0, "missing: " + string.Join(", ", missing));

        // In the model's order, as AWS writes them.
        var model = ServiceModel.Get("redshift").Shapes["Cluster"].Members.Select(m => m.Name).ToList();
        var order = cluster.Elements().Select(e => model.IndexOf(e.Name.LocalName)).ToList();
        Assert.DoesNotContain(-1, order);
        Assert.Equal(order.Order(), order);

        Assert.StartsWith("vpc-", cluster.Element("VpcId")!.Value);
        Assert.Equal("default", cluster.Element("ClusterSubnetGroupName")!.Value);
        Assert.Equal(163840L, long.Parse(cluster.Element("TotalStorageCapacityInMegaBytes")!.Value));
        // The harness's clock is Saturday 2026-11-28 05:00 UTC; the default window opens on Saturdays at 06:00.
        Assert.Equal("2026-11-28T06:00:00.000Z", cluster.Element("NextMaintenanceWindowStartTime")!.Value);
    }

    private static void Check(Type type, Shape shape, string path, List<string> problems)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.Name == "EqualityContract") continue;
            // The wire order of interleaved flattened lists (S3's ListObjectVersions) is no member: kept out of the document.
            if (typeof(LocalShift.Aws.Protocols.Xml.IInterleavedLists).IsAssignableFrom(type)
                && property.Name == nameof(LocalShift.Aws.Protocols.Xml.IInterleavedLists.ItemOrder)
                && property.GetCustomAttribute<System.Text.Json.Serialization.JsonIgnoreAttribute>() is not null) continue;
            if (!shape.MembersByName.TryGetValue(property.Name, out var member))
            {
                problems.Add($"{path}: {type.Name}.{property.Name} is not a member of {shape.Name}");
                continue;
            }
            if (member.Streaming || member.Shape.Streaming)
            {
                // A streaming payload (an object's body) is passed beside the document, never in it: an open body the
                // receiver disposes, left out of the record's serialization.
                if (!typeof(IDisposable).IsAssignableFrom(property.PropertyType)
                    || property.GetCustomAttribute<System.Text.Json.Serialization.JsonIgnoreAttribute>() is null)
                    problems.Add($"{path}.{property.Name}: a streaming payload must be a disposable body kept out of the document");
                continue;
            }
            CheckType(property.PropertyType, member.Shape, $"{path}.{property.Name}", problems);
        }
    }

    private static void CheckType(Type type, Shape shape, string path, List<string> problems)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        bool ok;
        switch (shape.Type)
        {
            case ShapeType.Structure:
                ok = type.IsClass && type != typeof(string);
                if (ok) Check(type, shape, path, problems);
                break;
            case ShapeType.List:
                var item = ItemType(type);
                ok = item is not null && type != typeof(string);
                if (ok) CheckType(item!, shape.Member!.Shape, path + "[]", problems);
                break;
            case ShapeType.Map:
                var args = type.GetInterfaces().Append(type)
                    .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>))?.GetGenericArguments();
                ok = args is not null && args[0] == typeof(string);
                if (ok) CheckType(args![1], shape.Value!.Shape, path + "{}", problems);
                break;
            case ShapeType.String: ok = type == typeof(string) || type.IsEnum; break;
            case ShapeType.Integer: ok = type == typeof(int); break;
            case ShapeType.Long: ok = type == typeof(long); break;
            case ShapeType.Boolean: ok = type == typeof(bool); break;
            case ShapeType.Float or ShapeType.Double: ok = type == typeof(double) || type == typeof(float); break;
            case ShapeType.Timestamp: ok = type == typeof(DateTimeOffset); break;
            case ShapeType.Blob: ok = type == typeof(byte[]) || type == typeof(string); break;
            default: ok = true; break;
        }
        if (!ok) problems.Add($"{path}: {type.Name} does not carry a {shape.Type} ({shape.Name})");
    }

    private static Type? ItemType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
}
