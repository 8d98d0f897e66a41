using LocalShift.Core;
using LocalShift.Services.Redshift;
using LocalShift.Storage.State;
using static LocalShift.Services.Tests.Redshift.RedshiftHarness;

namespace LocalShift.Services.Tests.Redshift;

/// <summary>A cluster belongs to the region of the call's credential scope; other regions neither see nor touch it.</summary>
public sealed class RegionTests : IDisposable
{
    private const string West = "us-west-2";
    private readonly RedshiftHarness _h = new();

    public void Dispose() => _h.Dispose();

    private T In<T>(string region, Func<T> call)
    {
        var before = _h.CallRegion;
        _h.CallRegion = region;
        try { return call(); }
        finally { _h.CallRegion = before; }
    }

    private List<string> Listed(string region) =>
        In(region, () => _h.Call("DescribeClusters")).Element("Clusters")!.Elements("Cluster")
            .Select(c => c.Element("ClusterNamespaceArn")!.Value.Split(':')[3] + "/" + c.Element("ClusterIdentifier")!.Value).ToList();

    [Fact]
    public void Cluster_of_another_region_is_not_found_and_not_touched()
    {
        var role = _h.Roles.Add(Account, "R1");
        _h.CreateAvailable("c1");

        Assert.Empty(Listed(West));
        foreach (var (op, args) in new (string, (string, string)[])[]
        {
            ("DescribeClusters", [("ClusterIdentifier", "c1")]),
            ("ModifyClusterIamRoles", [("ClusterIdentifier", "c1"), .. RoleArgs("AddIamRoles", [role])]),
            ("DeleteCluster", [("ClusterIdentifier", "c1"), ("SkipFinalClusterSnapshot", "true")]),
        })
        {
            var e = In(West, () => _h.Fails(op, args));
            Assert.Equal(("ClusterNotFound", 404, "Cluster c1 not found."), (e.Code, e.HttpStatus, e.Message));
            // Authorized on the ARN of the call's region, which is what a policy on us-east-1 ARNs does not allow.
            Assert.Equal(Arn.Cluster(West, Account, "c1"), _h.Authorizer.Checks.Last().Resource);
        }
        var c1 = _h.Describe("c1");
        Assert.Equal("available", c1.Element("ClusterStatus")!.Value);
        Assert.Empty(RolesOf(c1));
    }

    [Fact]
    public void Same_identifier_in_two_regions_is_two_clusters()
    {
        var east = _h.CreateAvailable("c1");
        var west = In(West, () =>
        {
            _h.Create("c1");
            _h.Settle(_h.Options.CreateDelay);
            return _h.Describe("c1");
        });

        Assert.NotEqual(east.Element("Endpoint")!.Element("Port")!.Value, west.Element("Endpoint")!.Element("Port")!.Value);
        Assert.NotEqual(east.Element("ClusterNamespaceArn")!.Value, west.Element("ClusterNamespaceArn")!.Value);
        Assert.StartsWith("arn:aws:redshift:us-west-2:123456789012:namespace:", west.Element("ClusterNamespaceArn")!.Value);
        Assert.Equal("us-west-2a", west.Element("AvailabilityZone")!.Value);
        Assert.Equal(["us-east-1/c1"], Listed(Region));
        Assert.Equal(["us-west-2/c1"], Listed(West));
        Assert.Equal([Region, West], _h.Endpoints.Started.Select(s => s.Region));
        Assert.All(_h.Endpoints.Started, s => Assert.True(s.RegionalFolder));

        In(West, () => _h.Call("DeleteCluster", ("ClusterIdentifier", "c1"), ("SkipFinalClusterSnapshot", "true")));
        _h.Settle(TimeSpan.Zero); // the endpoint stops when the deletion starts
        _h.Settle(_h.Options.DeleteDelay);
        Assert.Equal(West, Assert.Single(_h.Endpoints.Stopped).Region);
        Assert.Equal(["us-east-1/c1"], Listed(Region));
        Assert.Empty(Listed(West));
        Assert.Equal("available", _h.Describe("c1").Element("ClusterStatus")!.Value);
    }

    [Fact]
    public void Tags_touch_only_clusters_of_the_call_region()
    {
        _h.CreateAvailable("c1", ("Tags.Tag.1.Key", "env"), ("Tags.Tag.1.Value", "east"));
        In(West, () => _h.Create("c1", ("Tags.Tag.1.Key", "env"), ("Tags.Tag.1.Value", "west")));
        var eastArn = Arn.Cluster(Region, Account, "c1");

        var e = In(West, () => _h.Fails("CreateTags", ("ResourceName", eastArn), ("Tags.Tag.1.Key", "x"), ("Tags.Tag.1.Value", "y")));
        Assert.Equal(("ResourceNotFoundFault", 404), (e.Code, e.HttpStatus));
        e = In(West, () => _h.Fails("DeleteTags", ("ResourceName", eastArn), ("TagKeys.TagKey.1", "env")));
        Assert.Equal("ResourceNotFoundFault", e.Code);
        Assert.Equal("ResourceNotFoundFault", In(West, () => _h.Fails("DescribeTags", ("ResourceName", eastArn))).Code);

        var listed = In(West, () => _h.Call("DescribeTags")).Element("TaggedResources")!.Elements("TaggedResource").ToList();
        var only = Assert.Single(listed);
        Assert.Equal(Arn.Cluster(West, Account, "c1"), only.Element("ResourceName")!.Value);
        Assert.Equal("west", only.Element("Tag")!.Element("Value")!.Value);
        Assert.Equal("east", Assert.Single(_h.Describe("c1").Element("Tags")!.Elements("Tag")).Element("Value")!.Value);
    }

    [Fact]
    public void A_scope_region_that_is_not_a_region_name_is_refused()
    {
        var e = In("../x", () => _h.Fails("DescribeClusters"));
        Assert.Equal(("SignatureDoesNotMatch", 403, "Credential should be scoped to a valid region, not '../x'."), (e.Code, e.HttpStatus, e.Message));
    }
}

/// <summary>State migration 3: the cluster key gains the region; data written by the previous version stays.</summary>
public sealed class RegionKeyMigrationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ls-redshift-").FullName;
    private readonly List<RedshiftHarness> _harnesses = [];

    public void Dispose()
    {
        foreach (var h in _harnesses) h.Dispose();
    }

    private RedshiftHarness Open()
    {
        var h = new RedshiftHarness(dir: _dir);
        _harnesses.Add(h);
        return h;
    }

    /// <summary>The tables as the previous version left them (migrations 1 and 2, clear passwords already hashed).</summary>
    private void WritePreviousVersion(string clusterRegion, string roleArn)
    {
        var secret = ClusterEndpointSpec.MasterSecret("admin", Password).ToString();
        using var old = new StateStore(Path.Combine(_dir, "state.db"));
        old.Migrate("redshift",
            """
            CREATE TABLE redshift_clusters(account_id TEXT NOT NULL, identifier TEXT NOT NULL, region TEXT NOT NULL, node_type TEXT NOT NULL,
              number_of_nodes INTEGER NOT NULL, master_username TEXT NOT NULL, db_name TEXT NOT NULL,
              sql_port INTEGER NOT NULL UNIQUE, status TEXT NOT NULL, create_time INTEGER NOT NULL, available_at INTEGER NOT NULL,
              gone_at INTEGER, namespace_id TEXT NOT NULL, default_iam_role_arn TEXT, attributes TEXT NOT NULL, PRIMARY KEY(account_id, identifier));
            CREATE TABLE redshift_cluster_roles(account_id TEXT NOT NULL, identifier TEXT NOT NULL, role_arn TEXT NOT NULL,
              apply_status TEXT NOT NULL, due_at INTEGER, position INTEGER NOT NULL, PRIMARY KEY(account_id, identifier, role_arn),
              FOREIGN KEY(account_id, identifier) REFERENCES redshift_clusters(account_id, identifier) ON DELETE CASCADE);
            CREATE TABLE redshift_cluster_tags(account_id TEXT NOT NULL, identifier TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
              position INTEGER NOT NULL, PRIMARY KEY(account_id, identifier, key),
              FOREIGN KEY(account_id, identifier) REFERENCES redshift_clusters(account_id, identifier) ON DELETE CASCADE);
            """,
            "ALTER TABLE redshift_clusters ADD COLUMN master_password_secret TEXT;");
        old.Write((c, tx) =>
        {
            c.Exec(tx, $$"""
                INSERT INTO redshift_clusters VALUES('{{Account}}', 'old', $region, 'dc2.large', 2, 'admin', 'dev', 15439,
                  'available', 0, 0, NULL, 'ns-old', $role, '{}', $secret)
                """, ("$region", clusterRegion), ("$role", roleArn), ("$secret", secret));
            c.Exec(tx, $"INSERT INTO redshift_cluster_roles VALUES('{Account}', 'old', $role, 'in-sync', NULL, 0)", ("$role", roleArn));
            c.Exec(tx, $"INSERT INTO redshift_cluster_tags VALUES('{Account}', 'old', 'env', 'legacy', 0)");
            return 0;
        });
    }

    [Fact]
    public void Existing_cluster_keeps_its_region_roles_tags_port_and_warehouse_folder()
    {
        const string region = "eu-west-1";
        var role = Arn.Role(Account, "/", "Legacy");
        WritePreviousVersion(region, role);

        var h = Open();
        Assert.Equal(["account_id", "region", "identifier"], h.State.Read(c => c.Query(null,
            "SELECT name FROM pragma_table_info('redshift_clusters') WHERE pk > 0 ORDER BY pk", r => r.GetString(0))));
        Assert.Equal(3L, h.State.Read(c => c.Query(null, "SELECT MAX(version) FROM schema_migrations WHERE component='redshift'", r => r.GetInt64(0))).Single());

        h.CallRegion = region;
        var old = h.Describe("old");
        Assert.Equal("15439", old.Element("Endpoint")!.Element("Port")!.Value);
        Assert.Equal([(role, "in-sync")], RolesOf(old));
        Assert.Equal(role, old.Element("DefaultIamRoleArn")!.Value);
        Assert.Equal("legacy", old.Element("Tags")!.Element("Tag")!.Element("Value")!.Value);
        Assert.Equal("arn:aws:redshift:eu-west-1:123456789012:namespace:ns-old", old.Element("ClusterNamespaceArn")!.Value);

        // Started where its warehouse has always been.
        h.Settle(TimeSpan.Zero);
        var spec = Assert.Single(h.Endpoints.Started);
        Assert.Equal((region, "old", false), (spec.Region, spec.ClusterIdentifier, spec.RegionalFolder));
        Assert.True(spec.MasterPasswordSecret.Matches("admin", Password));

        // The identifier is free in every other region, and each cluster keeps its own roles and tags.
        h.CallRegion = Region;
        Assert.Equal("ClusterNotFound", h.Fails("DescribeClusters", ("ClusterIdentifier", "old")).Code);
        h.CreateAvailable("old");
        Assert.Empty(RolesOf(h.Describe("old")));
        h.CallRegion = region;
        Assert.Equal([(role, "in-sync")], RolesOf(h.Describe("old")));

        // Opened again, nothing moves.
        h.CallRegion = region;
        var again = Open();
        again.CallRegion = region;
        Assert.Equal([(role, "in-sync")], RolesOf(again.Describe("old")));
    }

    [Fact]
    public void Deleting_a_migrated_cluster_removes_its_roles_and_tags()
    {
        var role = Arn.Role(Account, "/", "Legacy");
        WritePreviousVersion(Region, role);
        var h = Open();
        h.Call("DeleteCluster", ("ClusterIdentifier", "old"), ("SkipFinalClusterSnapshot", "true"));
        h.Settle(TimeSpan.Zero); // the endpoint stops when the deletion starts
        h.Settle(h.Options.DeleteDelay);

        Assert.Equal("ClusterNotFound", h.Fails("DescribeClusters", ("ClusterIdentifier", "old")).Code);
        Assert.False(Assert.Single(h.Endpoints.Stopped).RegionalFolder);
        Assert.Equal(0L, h.State.Read(c => c.Query(null,
            "SELECT (SELECT COUNT(*) FROM redshift_cluster_roles) + (SELECT COUNT(*) FROM redshift_cluster_tags)", r => r.GetInt64(0))).Single());
    }
}
