using LocalShift.Aws;
using LocalShift.Aws.Edge;
using LocalShift.Aws.Operations;
using LocalShift.Engine.DuckDb;
using LocalShift.Server.Lambda;
using LocalShift.Services.Accounts;
using LocalShift.Services.Authorization;
using LocalShift.Services.Glue;
using LocalShift.Services.Iam;
using LocalShift.Services.Lambda;
using LocalShift.Services.Redshift;
using LocalShift.Services.Redshift.DbCredentials;
using LocalShift.Services.Sts;
using LocalShift.Sql;
using LocalShift.Sql.External;
using LocalShift.Sql.RolePath;
using LocalShift.Storage.Objects;
using LocalShift.Storage.State;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LocalShift.Server;

/// <summary>
/// The composition root: every part of the server as a singleton of one container, each built from the parts it names.
/// The container builds them in dependency order and disposes them in reverse (the SQL endpoints before the state store
/// they read); what runs for the life of the server runs as a hosted service, started with the host and awaited when it
/// stops. Tests and benchmarks that need another part (an external-function invoker) register it after these, and the
/// container gives every consumer the last registration: there is no second path beside this one.
/// </summary>
public static class LocalShiftServices
{
    public static IServiceCollection AddLocalShift(this IServiceCollection services, ServerOptions options, string dataDir)
    {
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);

        // Storage: the state store and the object store, every consumer on their interfaces (ARCHITECTURE §8).
        services.AddSingleton<IStateStore>(_ => OpenStateStore(dataDir));
        services.AddSingleton<IObjectStore>(sp => new ObjectStore(sp.GetRequiredService<IStateStore>(), Path.Combine(dataDir, "s3"), sp.GetRequiredService<TimeProvider>()));

        // Identity: accounts, IAM, sessions, and the authorizer every service and the SQL side ask.
        services.AddSingleton(_ => OpenAccounts(options));
        services.AddSingleton<DecisionLog>();
        services.AddSingleton(sp => new IamStore(sp.GetRequiredService<IStateStore>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new IamPolicySource(sp.GetRequiredService<IamStore>()));
        services.AddSingleton(sp => new LambdaStore(sp.GetRequiredService<IStateStore>()));
        services.AddSingleton(sp => new PolicyAuthorizer(
            sp.GetRequiredService<IamPolicySource>(),
            [new LocalShift.Services.S3.S3BucketPolicies(sp.GetRequiredService<IObjectStore>()), sp.GetRequiredService<LambdaStore>()],
            sp.GetRequiredService<DecisionLog>(), sp.GetRequiredService<ILogger<PolicyAuthorizer>>()));
        services.AddSingleton<IAuthorizer>(sp => sp.GetRequiredService<PolicyAuthorizer>());
        services.AddSingleton(sp => new SessionStore(sp.GetRequiredService<IStateStore>()));
        services.AddSingleton(sp => new RoleAssumer(sp.GetRequiredService<IamStore>(), sp.GetRequiredService<IamPolicySource>(),
            sp.GetRequiredService<IamStore>(), sp.GetRequiredService<SessionStore>(), sp.GetRequiredService<PolicyAuthorizer>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ICredentialResolver>(sp => new CompositeCredentialResolver(sp.GetRequiredService<AccountDirectory>(),
            new IamCredentialResolver(sp.GetRequiredService<IamStore>()), sp.GetRequiredService<SessionStore>()));

        // S3's typed operations: the edge's S3 handler runs them for HTTP clients, S3Objects for in-process callers (COPY,
        // UNLOAD, external tables, Lambda code).
        services.AddSingleton(sp => new LocalShift.Services.S3.S3Operations(new LocalShift.Services.S3.S3Access(sp.GetRequiredService<IObjectStore>())));
        services.AddSingleton(sp => new LocalShift.Services.S3.S3Objects(sp.GetRequiredService<LocalShift.Services.S3.S3Operations>()));

        // The Data Catalog: served on the edge and called in-process by the SQL side as a role session.
        services.AddSingleton(sp => new GlueService(new GlueStore(sp.GetRequiredService<IStateStore>())));

        // Lambda: functions run as processes of their runtimes; their own SDK calls come back to this server, whose
        // address is known once it listens (read when a function starts, never before).
        var lambdaDir = Path.Combine(dataDir, "lambda");
        services.AddSingleton(sp => new ProcessFunctionRunner(lambdaDir,
            () => FunctionEndpoint(options, sp.GetRequiredService<IServer>()), sp.GetRequiredService<ILogger<ProcessFunctionRunner>>()));
        services.AddSingleton(sp => new LambdaService(sp.GetRequiredService<LambdaStore>(), new FunctionCodeStore(lambdaDir),
            sp.GetRequiredService<IamStore>(), sp.GetRequiredService<RoleAssumer>(), sp.GetRequiredService<LocalShift.Services.S3.S3Objects>(),
            sp.GetRequiredService<ProcessFunctionRunner>(), sp.GetRequiredService<PolicyAuthorizer>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IFunctionInvoker>(sp => new LambdaFunctionInvoker(sp.GetRequiredService<LambdaService>()));
        services.AddHostedService<LambdaShutdown>();

        // Redshift: the clusters' records, the SQL endpoints that serve them, and the control plane over both. The SQL
        // side finds a cluster's roles in the same store the control plane writes.
        services.AddSingleton(sp => new RedshiftStore(sp.GetRequiredService<IStateStore>()));
        services.AddSingleton(sp => new TemporaryDbCredentials(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp =>
        {
            var clusters = sp.GetRequiredService<RedshiftStore>();
            return new RolePathResolver(sp.GetRequiredService<RoleAssumer>(), sp.GetRequiredService<ICredentialResolver>(),
                (account, region, id, now) => clusters.Find(account, region, id, now), sp.GetRequiredService<PolicyAuthorizer>(),
                sp.GetRequiredService<TimeProvider>(), () => clusters.Generation);
        });
        services.AddSingleton(sp =>
        {
            var authorizer = sp.GetRequiredService<IAuthorizer>();
            var clock = sp.GetRequiredService<TimeProvider>();
            var statements = new RoleStatementHandler(sp.GetRequiredService<RolePathResolver>(), sp.GetRequiredService<LocalShift.Services.S3.S3Objects>(),
                authorizer, clock, new GlueDataCatalog(sp.GetRequiredService<GlueService>(), authorizer, clock), sp.GetRequiredService<IFunctionInvoker>());
            // The engine behind every cluster's SQL endpoint: DuckDB, the one implementation of LocalShift.Engine's contract.
            return new ClusterSqlHost(new DuckDbEngineFactory(), dataDir, sp.GetRequiredService<ILoggerFactory>(), redshiftStatements: statements,
                certificate: SqlEndpointCertificate.Load(options, dataDir), temporaryLogins: sp.GetRequiredService<TemporaryDbCredentials>())
            {
                MaxConnections = options.SqlMaxConnections,
                MemoryLimit = options.SqlMemoryLimit,
                StatementTimeout = options.SqlStatementTimeout,
            };
        });
        services.AddSingleton(new RedshiftOptions
        {
            CreateDelay = options.ClusterCreateDelay,
            DeleteDelay = options.ClusterCreateDelay,
            RoleApplyDelay = options.RoleApplyDelay,
            SqlHost = options.Host,
            SqlPortStart = options.SqlPortStart,
        });
        services.AddSingleton(sp => new ClusterLifecycle(sp.GetRequiredService<RedshiftStore>(), sp.GetRequiredService<ClusterSqlHost>(),
            sp.GetRequiredService<RedshiftOptions>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ClusterLifecycle>>()));
        services.AddSingleton(sp => new RedshiftService(sp.GetRequiredService<RedshiftStore>(), sp.GetRequiredService<IamStore>(),
            sp.GetRequiredService<RedshiftOptions>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ClusterLifecycle>(),
            sp.GetRequiredService<TemporaryDbCredentials>(), new LocalShift.Services.Redshift.Snapshots.SnapshotStore(sp.GetRequiredService<IStateStore>()),
            sp.GetRequiredService<ClusterSqlHost>()));
        services.AddSingleton<IClusterDirectory>(sp => new ClusterDirectory(sp.GetRequiredService<RedshiftStore>(), sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<ClusterLifecycleLoop>();

        // The registry the edge routes by and the console calls through.
        services.AddSingleton(sp => new AwsServiceRegistry(
            typed: [new StsService(sp.GetRequiredService<RoleAssumer>()), sp.GetRequiredService<RedshiftService>(),
                new IamService(sp.GetRequiredService<IamStore>()), sp.GetRequiredService<GlueService>(), sp.GetRequiredService<LambdaService>(),
                // The Data API runs statements in-process on the clusters' SQL layer.
                new LocalShift.Services.RedshiftData.RedshiftDataService(sp.GetRequiredService<IClusterDirectory>(),
                    new LocalShift.Sql.DataApi.ClusterStatementRunner(sp.GetRequiredService<ClusterSqlHost>()), sp.GetRequiredService<TimeProvider>())],
            http: [new LocalShift.Services.S3.Http.S3Service(sp.GetRequiredService<LocalShift.Services.S3.S3Operations>())]));
        services.AddSingleton<AwsEdge>();
        services.AddSingleton(sp => new Readiness(sp.GetRequiredService<RedshiftStore>(), sp.GetRequiredService<ClusterLifecycle>(),
            sp.GetRequiredService<ClusterSqlHost>(), sp.GetRequiredService<TimeProvider>()));

        // The web console: the same typed operations and authorizer as the edge, as the signed-in principal.
        services.AddSingleton(sp => new LocalShift.WebConsole.ConsoleApp(sp.GetRequiredService<AwsServiceRegistry>(),
            sp.GetRequiredService<ICredentialResolver>(), sp.GetRequiredService<IAuthorizer>(), sp.GetRequiredService<DecisionLog>(),
            sp.GetRequiredService<TimeProvider>(), new LocalShift.WebConsole.ConsoleOptions
            {
                Region = options.Region,
                AccountId = options.AccountId,
                RootAccessKeyId = options.RootAccessKey,
                RoleQuota = sp.GetRequiredService<RedshiftOptions>().RoleQuota,
                RootSignInFromAnywhere = options.AdminFromAnywhere,
            }, sp.GetRequiredService<ILogger<LocalShift.WebConsole.ConsoleApp>>()));
        return services;
    }

    private static IStateStore OpenStateStore(string dataDir)
    {
        try
        {
            return new StateStore(Path.Combine(dataDir, "state.db"));
        }
        catch (Exception e)
        {
            throw new StartupException($"cannot open the state database in '{dataDir}': {e.Message}", e);
        }
    }

    private static AccountDirectory OpenAccounts(ServerOptions options)
    {
        try
        {
            return new AccountDirectory(options.Accounts);
        }
        catch (ArgumentException e)
        {
            throw new StartupException(e.Message, e);
        }
    }

    /// <summary>The endpoint a function's own SDK calls use: this server, on loopback when it listens on every address.</summary>
    internal static string FunctionEndpoint(ServerOptions options, IServer server)
    {
        var endpoint = new Uri(server.Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return options.Host is "0.0.0.0" or "::" ? $"http://127.0.0.1:{endpoint.Port}" : endpoint.ToString().TrimEnd('/');
    }
}

/// <summary>The clusters' lifecycle (creating → available, role associations applied, deletions), for the life of the host.</summary>
internal sealed class ClusterLifecycleLoop(ClusterLifecycle lifecycle) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Off the host's start: a first tick that opens many SQL endpoints must not hold up the AWS endpoint's banner.
        await Task.Yield();
        await lifecycle.RunAsync(stoppingToken);
    }
}

/// <summary>Stops Lambda's invocations when the host stops; the function processes end when the container disposes the runner.</summary>
internal sealed class LambdaShutdown(LambdaService lambda) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        lambda.Stop();
        return Task.CompletedTask;
    }
}
