using System.Xml;
using LocalShift.Aws.Protocols.Query;

namespace LocalShift.Services.Redshift;

/// <summary>Writes the model's <c>Cluster</c> shape (member order and list member names as in the service model).</summary>
public static class ClusterXml
{
    public static void WriteCluster(this XmlWriter w, string element, Cluster c, string host) =>
        w.Struct(element, x => x.WriteClusterMembers(c, host));

    /// <summary>Writes the children of a <c>Cluster</c> element (for list members, whose element List() opens).</summary>
    public static void WriteClusterMembers(this XmlWriter x, Cluster c, string host)
    {
        var a = c.Attributes;
        x.El("ClusterIdentifier", c.Identifier)
         .El("NodeType", c.NodeType)
         .El("ClusterStatus", c.Status)
         .El("ClusterAvailabilityStatus", c.Status == ClusterStatus.Available ? "Available" : "Modifying")
         .El("MasterUsername", c.MasterUsername)
         .El("DBName", c.DbName);
        // Like AWS, a cluster has no endpoint until it is available.
        if (c.Status != ClusterStatus.Creating)
            x.Struct("Endpoint", e => e.El("Address", host).El("Port", c.SqlPort));
        x.El("ClusterCreateTime", c.CreateTime)
         .El("AutomatedSnapshotRetentionPeriod", a.AutomatedSnapshotRetentionPeriod)
         .El("ManualSnapshotRetentionPeriod", a.ManualSnapshotRetentionPeriod)
         .List("ClusterSecurityGroups", a.ClusterSecurityGroups, (g, name) => g.El("ClusterSecurityGroupName", name).El("Status", "active"), "ClusterSecurityGroup")
         .List("VpcSecurityGroups", a.VpcSecurityGroupIds, (g, id) => g.El("VpcSecurityGroupId", id).El("Status", "active"), "VpcSecurityGroup")
         .List("ClusterParameterGroups", [a.ClusterParameterGroupName], (g, name) => g.El("ParameterGroupName", name).El("ParameterApplyStatus", "in-sync"), "ClusterParameterGroup")
         .El("ClusterSubnetGroupName", a.ClusterSubnetGroupName)
         .El("AvailabilityZone", a.AvailabilityZone)
         .El("PreferredMaintenanceWindow", a.PreferredMaintenanceWindow)
         .Struct("PendingModifiedValues", _ => { })
         .El("ClusterVersion", a.ClusterVersion)
         .El("AllowVersionUpgrade", a.AllowVersionUpgrade)
         .El("NumberOfNodes", c.NumberOfNodes)
         .El("PubliclyAccessible", a.PubliclyAccessible)
         .El("Encrypted", a.Encrypted);
        if (c.Status != ClusterStatus.Creating)
            x.List("ClusterNodes", Nodes(c), (n, node) => n.El("NodeRole", node.Role).El("PrivateIPAddress", node.Ip).El("PublicIPAddress", host));
        x.List("Tags", c.Tags, (t, tag) => t.El("Key", tag.Key).El("Value", tag.Value), "Tag")
         .El("KmsKeyId", a.KmsKeyId)
         .El("EnhancedVpcRouting", a.EnhancedVpcRouting)
         .List("IamRoles", c.Roles, (r, role) => r.El("IamRoleArn", role.RoleArn).El("ApplyStatus", role.ApplyStatus), "ClusterIamRole")
         .List("PendingActions", Array.Empty<string>(), (_, _) => { })
         .El("MaintenanceTrackName", a.MaintenanceTrackName)
         .List("DeferredMaintenanceWindows", Array.Empty<string>(), (_, _) => { }, "DeferredMaintenanceWindow")
         .El("AvailabilityZoneRelocationStatus", "disabled")
         .El("ClusterNamespaceArn", c.NamespaceArn)
         .Struct("AquaConfiguration", q => q.El("AquaStatus", "disabled").El("AquaConfigurationStatus", "auto"))
         .El("DefaultIamRoleArn", c.DefaultIamRoleArn);
    }

    private static IEnumerable<(string Role, string Ip)> Nodes(Cluster c)
    {
        if (c.NumberOfNodes == 1)
        {
            yield return ("SHARED", "10.0.0.10");
            yield break;
        }
        yield return ("LEADER", "10.0.0.10");
        for (var i = 0; i < c.NumberOfNodes; i++) yield return ($"COMPUTE-{i}", $"10.0.{1 + i / 250}.{10 + i % 250}");
    }
}
