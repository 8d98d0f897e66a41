using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace LocalShift.Server;

/// <summary>
/// The certificate the cluster SQL endpoints offer to clients asking for TLS (<c>sslmode=require</c>, Redshift's JDBC
/// and ODBC drivers' defaults). Either the user's PEM pair, or a self-signed one for localhost made on first start
/// and kept in the data dir, so a client that pins it keeps working across restarts.
/// </summary>
internal static class SqlEndpointCertificate
{
    public const string FileName = "sql-endpoint.pfx";

    public static X509Certificate2? Load(ServerOptions options, string dataDir)
    {
        if (!options.SqlTls) return null;
        if (options.SqlTlsCert is { } certFile)
        {
            try { return X509Certificate2.CreateFromPemFile(certFile, options.SqlTlsKey); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
            {
                throw new StartupException($"--sql-tls-cert/--sql-tls-key could not be loaded: {e.Message}", e);
            }
        }
        var folder = Path.Combine(dataDir, "tls");
        var path = Path.Combine(folder, FileName);
        if (File.Exists(path))
        {
            try
            {
                var kept = X509CertificateLoader.LoadPkcs12FromFile(path, password: null);
                if (kept.NotAfter > DateTime.Now.AddDays(1)) return kept;
                kept.Dispose();
            }
            catch (CryptographicException)
            {
                // Unreadable: made anew below.
            }
        }
        Directory.CreateDirectory(folder);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost, O=LocalShift", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddIpAddress(System.Net.IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(5));
        var pfx = created.Export(X509ContentType.Pfx);
        var temporary = path + ".tmp";
        // The PFX holds the private key: readable by this user only.
        var fileOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temporary, fileOptions))
            stream.Write(pfx);
        File.Move(temporary, path, overwrite: true);
        // Also as PEM, for clients that pin it (sslrootcert=...): the certificate only, no key.
        File.WriteAllText(Path.Combine(folder, "sql-endpoint.crt"), created.ExportCertificatePem() + "\n");
        return X509CertificateLoader.LoadPkcs12(pfx, password: null);
    }
}
