using System.Net;
using System.Reflection;
using System.Text.Json;
using LocalShift.Aws;
using LocalShift.Aws.Edge;
using LocalShift.Aws.Operations;
using LocalShift.Services.Accounts;
using LocalShift.Services.Authorization;
using LocalShift.Services.Glue;
using LocalShift.Services.Iam;
using LocalShift.Services.Lambda;
using LocalShift.Server.Lambda;
using LocalShift.Services.Redshift;
using LocalShift.Services.Sts;
using LocalShift.Storage.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LocalShift.Server;

/// <summary>Composition root: builds every service over one state store and serves them behind one HTTP edge.</summary>
public sealed class LocalShiftHost : IAsyncDisposable
{
    public static string Version =>
        typeof(LocalShiftHost).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    private readonly WebApplication _app;
    private LocalShiftHost(WebApplication app)
    {
        _app = app;
    }

    public ServerOptions Options { get; private init; } = null!;
    public Uri Endpoint { get; private set; } = null!;

    /// <param name="overrides">
    /// Registrations applied after LocalShift's own (<see cref="LocalShiftServices.AddLocalShift"/>), for a test or a
    /// benchmark that needs another part, e.g. an <see cref="LocalShift.Sql.External.IFunctionInvoker"/>; the container
    /// gives every consumer the last registration of a service.
    /// </param>
    public static async Task<LocalShiftHost> StartAsync(ServerOptions options, TextWriter banner, Action<IServiceCollection>? overrides = null)
    {
        var dataDir = Path.GetFullPath(options.DataDir);
        PrepareDataDir(dataDir);
        // Before anything in the dir is read or swept.
        var dataDirLock = DataDirLock.Acquire(dataDir);
        try
        {
            return await StartAsync(options, banner, dataDir, dataDirLock, overrides);
        }
        catch
        {
            dataDirLock.Dispose();
            throw;
        }
    }

    private static async Task<LocalShiftHost> StartAsync(ServerOptions options, TextWriter banner, string dataDir, DataDirLock dataDirLock,
        Action<IServiceCollection>? overrides)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        ConfigureLogging(builder.Logging, options);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = null;
            if (options.Host == "localhost") k.ListenLocalhost(options.Port);
            else if (IPAddress.TryParse(options.Host, out var ip)) k.Listen(ip, options.Port);
            else throw new StartupException($"--host '{options.Host}' is not an IP address or 'localhost'.");
        });
        builder.Services.AddLocalShift(options, dataDir);
        // Kestrel's connection buffers in 64 KiB blocks: a large body is received in a sixteenth of the recv calls.
        builder.Services.AddSingleton<Microsoft.AspNetCore.Connections.IMemoryPoolFactory<byte>, LocalShift.Aws.Edge.LargeBlockMemoryPoolFactory>();
        overrides?.Invoke(builder.Services);

        var app = builder.Build();
        LocalShiftHost host;
        try
        {
            // The parts whose failure is the user's to fix (the state database, the accounts) are opened before
            // anything listens, so that a bad data dir or account list is reported as such.
            app.Services.GetRequiredService<IStateStore>();
            app.Services.GetRequiredService<AccountDirectory>();
            host = new LocalShiftHost(app)
            {
                DataDirLock = dataDirLock,
                Options = options,
                Decisions = app.Services.GetRequiredService<DecisionLog>(),
                Glue = app.Services.GetRequiredService<GlueService>(),
                Lambda = app.Services.GetRequiredService<LambdaService>(),
                Registry = app.Services.GetRequiredService<AwsServiceRegistry>(),
                Readiness = app.Services.GetRequiredService<Readiness>(),
            };
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        var clock = app.Services.GetRequiredService<TimeProvider>();
        var edge = app.Services.GetRequiredService<AwsEdge>();
        var console = app.Services.GetRequiredService<LocalShift.WebConsole.ConsoleApp>();
        app.Use(UnreadBodyGuard.InvokeAsync);
        app.Run(ctx => ctx.Request.Path.StartsWithSegments("/_localshift", out var rest)
            ? host.HandleAdminAsync(ctx, rest.Value ?? "")
            : ctx.Request.Path.StartsWithSegments(LocalShift.WebConsole.ConsoleApp.Prefix, out var consolePath)
                ? console.HandleAsync(ctx, consolePath.Value ?? "")
                : IsBrowserHome(ctx) ? WriteHomeAsync(ctx) : edge.HandleAsync(ctx));

        try
        {
            await app.StartAsync();
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new StartupException(
                $"cannot listen on {options.Host}:{options.Port}: {e.Message} Is another LocalShift running? Choose another port with --port or LOCALSHIFT_PORT.", e);
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        host.Endpoint = new Uri(address);
        // The banner comes as soon as the AWS endpoint listens, not after readiness: it carries the endpoint (the only
        // way to learn it with --port 0) that scripts poll for health, and with many clusters the SQL endpoints take a
        // while to open. Its first line says which it is; a last line follows once the SQL endpoints are settled.
        var atStart = host.Readiness.Check();
        var headline = atStart.Status switch
        {
            Readiness.Ready => $"LocalShift {Version} is ready.",
            Readiness.Starting => $"LocalShift {Version} is starting: the AWS API is up, the SQL endpoints of {atStart.Clusters} clusters are opening (health answers \"ready\" once they accept connections).",
            _ => $"LocalShift {Version} is up, degraded (see below).",
        };
        banner.WriteLine($"""
            {headline}
              AWS endpoint   {host.Endpoint.ToString().TrimEnd('/')}    (aws --endpoint-url {host.Endpoint.ToString().TrimEnd('/')} ...)
              Account        {options.AccountId}    root keys: AWS_ACCESS_KEY_ID={options.RootAccessKey} AWS_SECRET_ACCESS_KEY={options.RootSecretKey}
              Region         {options.Region}
              Data dir       {dataDir}
              Health         {host.Endpoint}_localshift/health
              Console        {host.Endpoint}console/
            """);
        if (options.ListensBeyondLoopback && options.DefaultRootKeys)
            banner.WriteLine($"""
                WARNING: listening on {options.Host} with the default root keys (test/test): anyone who can reach this
                         address can call every API of account {options.AccountId} as root and read all its data.
                         Set --root-access-key and --root-secret-key.
                """);
        banner.Flush();
        if (atStart.Status != Readiness.Ready)
            _ = host.AnnounceWhenSettledAsync(banner, clock, app.Lifetime.ApplicationStopping);
        return host;
    }

    /// <summary>
    /// A browser opening the endpoint itself (GET / with no signature, no query and HTML accepted) gets a page linking the
    /// console; every other request to / is an AWS call (S3's ListBuckets, a query-protocol GET) and goes to the edge.
    /// </summary>
    private static bool IsBrowserHome(HttpContext ctx) =>
        HttpMethods.IsGet(ctx.Request.Method) && ctx.Request.Path.Value is "/" && !ctx.Request.QueryString.HasValue
        && ctx.Request.Headers.Authorization.Count == 0
        && ctx.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);

    private static Task WriteHomeAsync(HttpContext ctx)
    {
        ctx.Response.ContentType = "text/html; charset=utf-8";
        ctx.Response.Headers.CacheControl = "no-store";
        return ctx.Response.WriteAsync($$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>LocalShift</title></head>
            <body><main><h1>LocalShift {{Version}}</h1>
            <p>This is the AWS endpoint of LocalShift (Redshift, IAM, STS, S3, Glue). Point the AWS CLI or an SDK at it with <code>--endpoint-url</code>.</p>
            <p><a href="/console/">Open the LocalShift console</a> · <a href="/_localshift/health">Health</a></p>
            </main></body></html>
            """);
    }

    private static void ConfigureLogging(ILoggingBuilder logging, ServerOptions options)
    {
        logging.ClearProviders();
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        logging.SetMinimumLevel(options.LogLevel switch
        {
            "debug" => LogLevel.Debug,
            "warning" => LogLevel.Warning,
            "error" => LogLevel.Error,
            _ => LogLevel.Information,
        });
        logging.AddFilter("Microsoft", LogLevel.Warning);
        // A start that fails (a taken port) is reported once, in our words (StartupException); the host's own record
        // of it is a stack trace. It has no background services whose failures it would otherwise be the one to log.
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
    }

    public DecisionLog Decisions { get; private init; } = null!;

    /// <summary>The Glue Data Catalog, for in-process callers (the SQL side calls it as a role session).</summary>
    public GlueService Glue { get; private init; } = null!;
    /// <summary>Lambda, for in-process callers (the SQL side invokes external functions as a role session).</summary>
    public LambdaService Lambda { get; private init; } = null!;

    private AwsServiceRegistry Registry { get; init; } = null!;
    private Readiness Readiness { get; init; } = null!;

    /// <summary>Prints one line when the SQL endpoints opened at start are settled: ready, or which ones failed.</summary>
    private async Task AnnounceWhenSettledAsync(TextWriter banner, TimeProvider clock, CancellationToken stopping)
    {
        try
        {
            // Readiness is derived from the store, the listeners and the lifecycle, so there is no one event to await;
            // a short poll for the few seconds of start-up is enough for a line a person reads.
            var report = Readiness.Check();
            while (report.Status == Readiness.Starting)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), clock, stopping);
                report = Readiness.Check();
            }
            banner.WriteLine(report.Status == Readiness.Ready
                ? $"LocalShift is ready: the SQL endpoints of all {report.Clusters} clusters accept connections."
                : $"LocalShift is degraded: {report.Listening} of {report.Clusters} cluster SQL endpoints accept connections; "
                  + "these did not start: " + string.Join("; ", report.Failed.Select(f => $"{f.Cluster} (account {f.Account}, port {f.Port}): {f.Error}")));
            banner.Flush();
        }
        catch (OperationCanceledException) { }
        catch (Exception e) when (e is IOException or ObjectDisposedException) { }
    }

    private static void PrepareDataDir(string dataDir)
    {
        try
        {
            OwnerOnlyFiles.RestrictNewFiles();
            OwnerOnlyFiles.CreateDataDir(dataDir);
            var probe = Path.Combine(dataDir, $".write-probe-{Environment.ProcessId}");
            File.WriteAllText(probe, "ok");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new StartupException($"the data dir '{dataDir}' is not usable: {e.Message} Choose another with --data-dir or LOCALSHIFT_DATA_DIR.", e);
        }
    }

    private async Task HandleAdminAsync(HttpContext ctx, string path)
    {
        // The decisions log names principals, actions and resources: for this machine only unless asked otherwise.
        if (!Options.AdminFromAnywhere && ctx.Connection.RemoteIpAddress is { } caller
            && !IPAddress.IsLoopback(caller.IsIPv4MappedToIPv6 ? caller.MapToIPv4() : caller))
        {
            ctx.Response.StatusCode = 403;
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync("{\"error\":\"the LocalShift admin endpoints answer only on this machine (loopback); start the server with --admin-from-anywhere on to open them\"}");
            return;
        }
        if (path is "/health" or "/health/")
        {
            // 503 only while starting: a degraded endpoint is not retried, so a 503 would keep a wait-for-200 loop
            // waiting for ever; 200 with "degraded" and the failures named lets it stop and tell (as ASP.NET Core's
            // health checks map Degraded to 200).
            var report = Readiness.Check();
            ctx.Response.StatusCode = report.Status == Readiness.Starting ? 503 : 200;
            if (report.Status == Readiness.Starting) ctx.Response.Headers.RetryAfter = "1";
            ctx.Response.Headers.CacheControl = "no-store";
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["status"] = report.Status,
                ["version"] = Version,
                ["account"] = Options.AccountId,
                ["region"] = Options.Region,
                ["services"] = Registry.Services.Values.Where(e => e.Http is not null || e.Emulated.Count > 0)
                    .Select(e => e.SigningName).Order(StringComparer.Ordinal).ToArray(),
                ["sqlEndpoints"] = new { clusters = report.Clusters, listening = report.Listening, starting = report.Starting, failed = report.Failed },
            }, HealthJson));
            return;
        }
        if (path is "/services" or "/services/")
        {
            // Every service on the endpoint with its model's operations and the ones LocalShift emulates; the others
            // answer NotImplemented in the service's protocol.
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(JsonSerializer.Serialize(new
            {
                services = Registry.Services.Values.OrderBy(e => e.SigningName, StringComparer.Ordinal).Select(e => new
                {
                    name = e.SigningName,
                    serviceId = e.Model.ServiceId,
                    apiVersion = e.Model.ApiVersion,
                    protocol = e.Model.Protocol switch
                    {
                        LocalShift.Aws.Model.AwsProtocol.Query => "query",
                        LocalShift.Aws.Model.AwsProtocol.Json => "json",
                        LocalShift.Aws.Model.AwsProtocol.RestJson => "rest-json",
                        _ => "rest-xml",
                    },
                    operations = e.Model.Operations.Count,
                    emulated = e.Emulated.Order(StringComparer.Ordinal).ToArray(),
                }),
            }, JsonOptions));
            return;
        }
        if (path is "/decisions" or "/decisions/")
        {
            var q = ctx.Request.Query;
            var limit = int.TryParse(q["limit"], out var l) && l is > 0 and <= 10_000 ? l : 100;
            var records = Decisions.Query(q["principal"], q["action"], q["decision"], limit);
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(JsonSerializer.Serialize(new { decisions = records }, JsonOptions));
            return;
        }
        ctx.Response.StatusCode = 404;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync("{\"error\":\"no such LocalShift admin path; try /_localshift/health\"}");
    }

    private static readonly JsonSerializerOptions HealthJson = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
    };

    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    /// <summary>
    /// Stops the host (its hosted services first: the cluster lifecycle loop, which would otherwise keep starting SQL
    /// endpoints from the data dir's state, and Lambda's invocations; then the web server), then disposes the container,
    /// which closes every part in the reverse of the order it was built (the SQL endpoints and the function processes
    /// before the state store), and last releases the data dir.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_app.Lifetime.ApplicationStopped.IsCancellationRequested) await _app.StopAsync();
        }
        finally
        {
            await _app.DisposeAsync();
            DataDirLock?.Dispose();
        }
    }

    /// <summary>Held until everything else in the data dir is closed.</summary>
    private DataDirLock? DataDirLock { get; init; }
}
