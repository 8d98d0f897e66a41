using System.Security.Cryptography;
using System.Text;
using LocalShift.Sql.Users;
using LocalShift.Sql.Wire.Auth;

namespace LocalShift.Sql.Wire.Tests;

/// <summary>The stored forms of a password and the checks made against them, without a server.</summary>
public sealed class PasswordSecretTests
{
    // RFC 7677, section 3: user "user", password "pencil".
    private const string RfcClientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    private const string RfcServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private const string RfcServerFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private const string RfcClientFinal = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private const string RfcServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";
    private static readonly byte[] RfcSalt = Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ==");

    [Fact]
    public void Scram_exchange_from_the_stored_verifier_answers_the_RFC_7677_example()
    {
        var stored = ScramSha256Secret.TryParse(ScramSha256Secret.Create("pencil", RfcSalt).ToString())!;
        var exchange = new ScramSha256Exchange(stored);
        Assert.Equal(RfcServerFirst, exchange.ServerFirst(RfcClientFirst, RfcServerNonce));
        Assert.Equal(RfcServerFinal, exchange.ServerFinal(RfcClientFinal));
    }

    [Fact]
    public void Scram_exchange_refuses_a_proof_made_with_another_password()
    {
        var exchange = new ScramSha256Exchange(ScramSha256Secret.Create("not pencil", RfcSalt));
        exchange.ServerFirst(RfcClientFirst, RfcServerNonce);
        Assert.Null(exchange.ServerFinal(RfcClientFinal));
    }

    [Fact]
    public void Scram_verifier_is_written_as_PostgreSQL_writes_it()
    {
        var text = ScramSha256Secret.Create("pencil", RfcSalt).ToString();
        var parts = text.Split('$');
        Assert.Equal(["SCRAM-SHA-256", "4096:W22ZaJ0SNY7soEsUEjb6gQ==", parts[2]], parts);
        var keys = parts[2].Split(':').Select(Convert.FromBase64String).ToArray();
        // StoredKey = H(HMAC(SaltedPassword, "Client Key")), ServerKey = HMAC(SaltedPassword, "Server Key").
        var salted = Rfc2898DeriveBytes.Pbkdf2("pencil"u8.ToArray(), RfcSalt, 4096, HashAlgorithmName.SHA256, 32);
        Assert.Equal(SHA256.HashData(HMACSHA256.HashData(salted, "Client Key"u8)), keys[0]);
        Assert.Equal(HMACSHA256.HashData(salted, "Server Key"u8), keys[1]);
    }

    [Theory]
    [InlineData("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$abc")]
    [InlineData("SCRAM-SHA-256$0:W22ZaJ0SNY7soEsUEjb6gQ==$a:b")]
    [InlineData("md5153c434b4b77c89e6b94f12c5393af5b")]
    public void Text_that_is_not_a_verifier_is_not_read_as_one(string text) => Assert.Null(ScramSha256Secret.TryParse(text));

    [Fact]
    public void Md5_hash_is_md5_of_password_and_user_as_Redshift_documents_it() =>
        Assert.Equal("md5153c434b4b77c89e6b94f12c5393af5b", Md5Password.Hash("user1", "ez"));

    [Fact]
    public void Md5_challenge_answer_is_checked_from_the_hash_alone()
    {
        byte[] salt = [1, 2, 3, 4];
        // What libpq sends: "md5" + md5hex(md5hex(password + user) + salt).
        var inner = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes("ezuser1")));
        var answer = "md5" + Convert.ToHexStringLower(MD5.HashData([.. Encoding.ASCII.GetBytes(inner), .. salt]));
        Assert.Equal(answer, Md5Password.Expected("md5153c434b4b77c89e6b94f12c5393af5b", salt));
        Assert.Equal(answer, Md5Password.Expected("md5153C434B4B77C89E6B94F12C5393AF5B", salt));
    }

    [Fact]
    public void Sha256_digest_is_sha256_of_password_then_salt_bytes()
    {
        var salt = Convert.FromHexString("c721bff5d9042cf541ff7b9d48fa8a6e545c19a763e3710151f9513038b0f6c6");
        var digest = RedshiftSha256Password.Create("Mypassword1", salt);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData([.. "Mypassword1"u8, .. salt])), digest.Digest);
        Assert.True(digest.Matches("Mypassword1"));
        Assert.False(digest.Matches("Mypassword2"));
        Assert.Equal(digest, RedshiftSha256Password.TryParse(digest.ToString()));
    }

    [Fact]
    public void Clear_password_is_kept_as_md5_hash_and_scram_verifier_only()
    {
        var secret = RedshiftPassword.ToSecret("alice", "Alice1234");
        Assert.Equal(Md5Password.Hash("alice", "Alice1234"), secret.Md5);
        Assert.NotNull(secret.Scram);
        Assert.Null(secret.Sha256);
        Assert.DoesNotContain("Alice1234", secret.ToString());
        var read = PgPasswordSecret.Parse(secret.ToString());
        Assert.True(read.Matches("alice", "Alice1234"));
        Assert.False(read.Matches("alice", "Alice12345"));
        Assert.Equal(secret.ToString(), read.ToString());
    }

    [Fact]
    public void Md5_form_keeps_only_that_hash_and_checks_a_clear_password_with_the_user_name()
    {
        var secret = RedshiftPassword.ToSecret("user1", "md5153C434B4B77C89E6B94F12C5393AF5B");
        Assert.Equal(new PgPasswordSecret("md5153c434b4b77c89e6b94f12c5393af5b", null, null), secret);
        Assert.True(secret.Matches("user1", "ez"));
        Assert.False(secret.Matches("user2", "ez"));
    }

    [Fact]
    public void Sha256_form_with_digest_and_salt_keeps_only_them()
    {
        const string given = "sha256|fe95f2bc7c4a111b6f0f7d0b60bfedd1935fb295f8dce1d62708ab8d2f564baf|c721bff5d9042cf541ff7b9d48fa8a6e545c19a763e3710151f9513038b0f6c6";
        var secret = RedshiftPassword.ToSecret("admin", given);
        Assert.Null(secret.Md5);
        Assert.Null(secret.Scram);
        Assert.Equal(given, secret.ToString());
        Assert.Equal(secret, PgPasswordSecret.Parse(secret.ToString()));
    }

    [Fact]
    public void Sha256_form_with_a_password_is_kept_like_a_clear_password()
    {
        var secret = RedshiftPassword.ToSecret("admin", "sha256|Mypassword1");
        Assert.Equal(Md5Password.Hash("admin", "Mypassword1"), secret.Md5);
        Assert.True(secret.Scram!.Matches("Mypassword1"));
        Assert.DoesNotContain("Mypassword1", secret.ToString());
    }

    [Theory]
    [InlineData("md5153c434b4b77c89e6b94f12c5393af5")] // 31 digits: a clear password that happens to start with md5
    [InlineData("md5Passw0rd!")]
    public void Text_that_only_looks_like_an_md5_hash_is_a_clear_password(string value)
    {
        var secret = RedshiftPassword.ToSecret("bob", value);
        Assert.NotNull(secret.Scram);
        Assert.True(secret.Matches("bob", value));
    }
}
