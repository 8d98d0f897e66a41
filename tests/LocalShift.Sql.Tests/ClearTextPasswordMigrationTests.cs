using System.Text;
using LocalShift.Engine.DuckDb;
using LocalShift.Services.Redshift;
using LocalShift.Sql.Wire;
using LocalShift.Sql.Wire.Types;

namespace LocalShift.Sql.Tests;

/// <summary>
/// A data dir written before passwords were hashed holds them in clear in __localshift.users(password): opened
/// again, the cluster keeps only their hashes, and the users still log in with the same passwords.
/// </summary>
public sealed class ClearTextPasswordMigrationTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "localshift-passwords-" + Guid.NewGuid().ToString("N"));
    private string DatabasePath => Path.Combine(_dir, "warehouse.duckdb");

    public ClearTextPasswordMigrationTests() => Directory.CreateDirectory(_dir);

    private ClusterDatabase Open() => new(new DuckDbEngineFactory(),
        new ClusterEndpointSpec("123456789012", "us-east-1", "migration", "dev", "awsuser", "Passw0rd!", "127.0.0.1", 0), DatabasePath);

    /// <summary>Runs on the engine itself: the hidden catalog this test lays out and reads is no user statement's to name.</summary>
    private static List<string> Run(IPgQuerySession session, string sql)
    {
        var rows = new List<string>();
        var engine = ((Routing.SqlSession)session).Engine;
        if (!sql.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase))
        {
            engine.Execute(sql);
            return rows;
        }
        using var result = engine.Query(sql);
        var columns = result.Columns;
        while (result.Read())
            rows.Add(string.Join('|', Enumerable.Range(0, columns.Count).Select(i => result.GetValue(i) is { } v ? PgTextFormat.Format(v, columns[i].TypeOid) : "NULL")));
        return rows;
    }

    [Fact]
    public void Clear_text_passwords_written_by_an_older_version_become_hashes()
    {
        using (var database = Open())
        using (var session = database.OpenSession(new PgConnectionInfo("awsuser", "dev", 1, new Dictionary<string, string>())))
        {
            // What the older version left: the users table with its password column, in clear.
            Run(session, "DROP TABLE __localshift.users");
            Run(session, "CREATE TABLE __localshift.users(name VARCHAR PRIMARY KEY, password VARCHAR, superuser BOOLEAN NOT NULL, created TIMESTAMP)");
            Run(session, "INSERT INTO __localshift.users VALUES ('awsuser', 'Passw0rd!', TRUE, current_timestamp), " +
                "('olduser', 'Old12345pw', FALSE, current_timestamp), ('nopass', NULL, FALSE, current_timestamp)");
        }
        using (var database = Open())
        {
            Assert.True(database.FindLogin("olduser")!.Secret.Matches("olduser", "Old12345pw"));
            Assert.False(database.FindLogin("olduser")!.Secret.Matches("olduser", "Old12345px"));
            Assert.True(database.FindLogin("awsuser")!.Secret.Matches("awsuser", "Passw0rd!"));
            Assert.Null(database.FindLogin("nopass"));
            using var session = database.OpenSession(new PgConnectionInfo("awsuser", "dev", 2, new Dictionary<string, string>()));
            Assert.Equal(["created", "name", "password_secret", "superuser"],
                Run(session, "SELECT column_name FROM information_schema.columns WHERE table_schema = '__localshift' AND table_name = 'users' ORDER BY 1"));
            var users = Run(session, "SELECT * FROM __localshift.users ORDER BY name");
            Assert.Equal(3, users.Count);
            Assert.DoesNotContain(users, u => u.Contains("Old12345pw") || u.Contains("Passw0rd!"));
            var secret = Assert.Single(Run(session, "SELECT password_secret FROM __localshift.users WHERE name = 'olduser'"));
            Assert.Matches(@"^md5[0-9a-f]{32} SCRAM-SHA-256\$4096:[^ ]+$", secret);
        }
        // A third start finds nothing left to move, and the file keeps no copy of the old passwords.
        using (var database = Open())
            Assert.True(database.FindLogin("olduser")!.Secret.Matches("olduser", "Old12345pw"));
        foreach (var path in Directory.GetFiles(_dir))
        {
            var bytes = File.ReadAllBytes(path);
            Assert.Equal(-1, bytes.AsSpan().IndexOf("Old12345pw"u8));
            Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes("Passw0rd!")));
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }
}
