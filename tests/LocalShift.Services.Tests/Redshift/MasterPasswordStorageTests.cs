using System.Text;
using LocalShift.Storage.State;
using static LocalShift.Services.Tests.Redshift.RedshiftHarness;

namespace LocalShift.Services.Tests.Redshift;

/// <summary>The master user's password is kept as hashes in state.db and handed to the SQL endpoint as hashes.</summary>
public sealed class MasterPasswordStorageTests : IDisposable
{
    private readonly List<RedshiftHarness> _harnesses = [];

    private RedshiftHarness Harness(string? dir = null)
    {
        var h = new RedshiftHarness(dir: dir);
        _harnesses.Add(h);
        return h;
    }

    public void Dispose()
    {
        foreach (var h in _harnesses) h.Dispose();
    }

    private static void AssertNoCopyOf(string password, string dir)
    {
        foreach (var path in Directory.GetFiles(dir, "state.db*"))
        {
            byte[] bytes;
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                bytes = new byte[stream.Length];
                stream.ReadExactly(bytes);
            }
            Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(password)));
        }
    }

    [Fact]
    public void Created_cluster_keeps_only_the_hashes_of_its_master_password()
    {
        var h = Harness();
        h.CreateAvailable("c1");
        var spec = Assert.Single(h.Endpoints.Started);
        Assert.True(spec.MasterPasswordSecret.Matches("admin", Password));
        Assert.False(spec.MasterPasswordSecret.Matches("admin", Password + "x"));
        Assert.Equal(["master_password_secret"], h.State.Read(c => c.Query(null,
            "SELECT name FROM pragma_table_info('redshift_clusters') WHERE name LIKE 'master_%pass%'", r => r.GetString(0))));
        AssertNoCopyOf(Password, h.Dir);
    }

    [Fact]
    public void Clear_master_password_written_by_an_older_version_becomes_hashes()
    {
        var dir = Directory.CreateTempSubdirectory("ls-redshift-").FullName;
        using (var old = new StateStore(Path.Combine(dir, "state.db")))
        {
            // The previous version's tables, with the password in clear.
            old.Migrate("redshift", """
                CREATE TABLE redshift_clusters(account_id TEXT NOT NULL, identifier TEXT NOT NULL, region TEXT NOT NULL, node_type TEXT NOT NULL,
                  number_of_nodes INTEGER NOT NULL, master_username TEXT NOT NULL, master_user_password TEXT NOT NULL, db_name TEXT NOT NULL,
                  sql_port INTEGER NOT NULL UNIQUE, status TEXT NOT NULL, create_time INTEGER NOT NULL, available_at INTEGER NOT NULL,
                  gone_at INTEGER, namespace_id TEXT NOT NULL, default_iam_role_arn TEXT, attributes TEXT NOT NULL, PRIMARY KEY(account_id, identifier));
                CREATE TABLE redshift_cluster_roles(account_id TEXT NOT NULL, identifier TEXT NOT NULL, role_arn TEXT NOT NULL,
                  apply_status TEXT NOT NULL, due_at INTEGER, position INTEGER NOT NULL, PRIMARY KEY(account_id, identifier, role_arn),
                  FOREIGN KEY(account_id, identifier) REFERENCES redshift_clusters(account_id, identifier) ON DELETE CASCADE);
                CREATE TABLE redshift_cluster_tags(account_id TEXT NOT NULL, identifier TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
                  position INTEGER NOT NULL, PRIMARY KEY(account_id, identifier, key),
                  FOREIGN KEY(account_id, identifier) REFERENCES redshift_clusters(account_id, identifier) ON DELETE CASCADE);
                INSERT INTO redshift_clusters VALUES('123456789012', 'old', 'us-east-1', 'dc2.large', 1, 'Admin', 'OldPassw0rd', 'dev', 15439,
                  'available', 0, 0, NULL, 'ns', NULL, '{}');
                """);
        }
        var h = Harness(dir);
        var secret = h.State.Read(c => c.Query(null, "SELECT master_password_secret FROM redshift_clusters WHERE identifier = 'old'", r => r.GetString(0))).Single();
        var parsed = LocalShift.Sql.Wire.Auth.PgPasswordSecret.Parse(secret);
        // The MD5 hash is salted with the name the cluster stores the master user under: lower case.
        Assert.True(parsed.Matches("admin", "OldPassw0rd"));
        Assert.Equal(LocalShift.Sql.Wire.Auth.Md5Password.Hash("admin", "OldPassw0rd"), parsed.Md5);
        Assert.Equal("available", h.Describe("old").Element("ClusterStatus")!.Value);
        AssertNoCopyOf("OldPassw0rd", dir);
        // Opened again, nothing is left to move.
        Assert.Equal(secret, Harness(dir).State.Read(c => c.Query(null, "SELECT master_password_secret FROM redshift_clusters", r => r.GetString(0))).Single());
    }
}
