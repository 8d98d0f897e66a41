using System.Text;
using LocalShift.Engine;
using LocalShift.Sql.Wire;
using Npgsql;

namespace LocalShift.Sql.Wire.Tests;

/// <summary>
/// Logins against the stored secrets: each form CREATE USER ... PASSWORD takes, under each password exchange.
/// </summary>
public abstract class StoredPasswordLoginTests(ClusterEndpoint endpoint)
{
    // md5 + md5hex('Md5user1' + 'hashed'), as a user would compute it with select md5('Md5user1' || 'hashed').
    private const string Md5Form = "md5366344810fa0c61d26af5809aa86ff7c";
    // sha256|hex(SHA-256('Digest123' bytes + salt bytes))|salt
    private const string Sha256Salt = "c721bff5d9042cf541ff7b9d48fa8a6e545c19a763e3710151f9513038b0f6c6";

    /// <summary>Whether a user who gave only a SHA-256 digest can log in with this exchange (only in clear).</summary>
    protected abstract bool DigestUserLogsIn { get; }

    private async Task ExecuteAsync(string sql)
    {
        await using var master = await endpoint.OpenAsync();
        await new NpgsqlCommand(sql, master).ExecuteNonQueryAsync();
    }

    private async Task<string?> LoginAsync(string user, string password)
    {
        await using var connection = await endpoint.OpenAsync(user, password);
        return (string?)await new NpgsqlCommand("select current_user", connection).ExecuteScalarAsync();
    }

    private async Task<PostgresException> RefusedAsync(string user, string password)
    {
        await using var connection = new NpgsqlConnection(endpoint.ConnectionString(user, password));
        return await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync());
    }

    [Fact]
    public async Task User_with_a_clear_password_logs_in_with_it()
    {
        await ExecuteAsync("create user plain password 'Plain1234'");
        Assert.Equal("plain", await LoginAsync("plain", "Plain1234"));
        Assert.Equal("28P01", (await RefusedAsync("plain", "Plain12345")).SqlState);
    }

    [Fact]
    public async Task User_created_with_an_md5_hash_logs_in_with_the_password()
    {
        Assert.Equal(Md5Form, Auth.Md5Password.Hash("hashed", "Md5user1"));
        await ExecuteAsync($"create user hashed password '{Md5Form}'");
        Assert.Equal("hashed", await LoginAsync("hashed", "Md5user1"));
        Assert.Equal("28P01", (await RefusedAsync("hashed", "Md5user2")).SqlState);
    }

    [Fact]
    public async Task User_created_with_sha256_and_a_password_logs_in_with_it()
    {
        await ExecuteAsync("create user shapass password 'sha256|Sha256pw1'");
        Assert.Equal("shapass", await LoginAsync("shapass", "Sha256pw1"));
    }

    [Fact]
    public async Task User_created_with_a_sha256_digest_logs_in_only_where_the_password_is_sent_in_clear()
    {
        var digest = Auth.RedshiftSha256Password.Create("Digest123", Convert.FromHexString(Sha256Salt));
        await ExecuteAsync($"create user digested password 'sha256|{digest.Digest}|{Sha256Salt}'");
        if (DigestUserLogsIn) Assert.Equal("digested", await LoginAsync("digested", "Digest123"));
        else
        {
            var error = await RefusedAsync("digested", "Digest123");
            Assert.Equal("28P01", error.SqlState);
            Assert.Equal("password authentication failed for user \"digested\"", error.MessageText);
        }
    }

    [Fact]
    public async Task Altered_password_replaces_the_old_one()
    {
        await ExecuteAsync("create user changing password 'First1234'");
        await ExecuteAsync("alter user changing password 'Second1234'");
        Assert.Equal("changing", await LoginAsync("changing", "Second1234"));
        Assert.Equal("28P01", (await RefusedAsync("changing", "First1234")).SqlState);
    }

    [Fact]
    public async Task Renamed_user_has_no_password_until_one_is_set()
    {
        await ExecuteAsync("create user before password 'Rename123'");
        await ExecuteAsync("alter user before rename to after");
        Assert.Equal("28P01", (await RefusedAsync("after", "Rename123")).SqlState);
        await ExecuteAsync("alter user after password 'Rename456'");
        Assert.Equal("after", await LoginAsync("after", "Rename456"));
    }

    [Fact]
    public async Task Disabled_password_refuses_every_login()
    {
        await ExecuteAsync("create user locked password 'Locked123'");
        await ExecuteAsync("alter user locked password disable");
        Assert.Equal("28P01", (await RefusedAsync("locked", "Locked123")).SqlState);
    }

    [Fact]
    public async Task Users_table_is_no_statements_to_read_and_pg_user_shows_no_secret()
    {
        await ExecuteAsync("create user stored password 'Stored1234'");
        await ExecuteAsync("alter user stored password 'Stored5678'");
        await using var master = await endpoint.OpenAsync();
        // The hidden catalog does not exist for any user, the superuser included (what it holds: the file test below).
        var e = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand("select * from __localshift.users", master).ExecuteReaderAsync());
        Assert.Equal("42P01", e.SqlState);
        Assert.Equal(["********"], await ReadColumnAsync(master, "select distinct passwd from pg_user"));
    }

    [Fact]
    public async Task Database_file_holds_no_password_in_clear()
    {
        await ExecuteAsync("create user filed password 'Filed12345'");
        var file = Directory.GetFiles(endpoint.DataDir, "warehouse.duckdb*", SearchOption.AllDirectories);
        Assert.NotEmpty(file);
        foreach (var path in file)
        {
            byte[] bytes;
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                bytes = new byte[stream.Length];
                stream.ReadExactly(bytes);
            }
            Assert.Equal(-1, bytes.AsSpan().IndexOf("Filed12345"u8));
            Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(ClusterEndpoint.Password)));
        }
    }

    private static async Task<List<string>> ReadColumnAsync(NpgsqlConnection connection, string sql)
    {
        var values = new List<string>();
        await using var reader = await new NpgsqlCommand(sql, connection).ExecuteReaderAsync();
        while (await reader.ReadAsync()) values.Add(reader.GetString(0));
        return values;
    }
}

public sealed class ScramStoredPasswordLoginTests(ScramStoredPasswordLoginTests.Endpoint endpoint)
    : StoredPasswordLoginTests(endpoint), IClassFixture<ScramStoredPasswordLoginTests.Endpoint>
{
    public sealed class Endpoint : ClusterEndpoint { protected override PgAuthMethod Method => PgAuthMethod.ScramSha256; }
    protected override bool DigestUserLogsIn => false;
}

public sealed class Md5StoredPasswordLoginTests(Md5StoredPasswordLoginTests.Endpoint endpoint)
    : StoredPasswordLoginTests(endpoint), IClassFixture<Md5StoredPasswordLoginTests.Endpoint>
{
    public sealed class Endpoint : ClusterEndpoint { protected override PgAuthMethod Method => PgAuthMethod.Md5; }
    protected override bool DigestUserLogsIn => false;
}

public sealed class CleartextStoredPasswordLoginTests(CleartextStoredPasswordLoginTests.Endpoint endpoint)
    : StoredPasswordLoginTests(endpoint), IClassFixture<CleartextStoredPasswordLoginTests.Endpoint>
{
    public sealed class Endpoint : ClusterEndpoint { protected override PgAuthMethod Method => PgAuthMethod.Cleartext; }
    protected override bool DigestUserLogsIn => true;
}
