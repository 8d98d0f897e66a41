using System.Collections.Concurrent;
using System.Text;
using LocalShift.Aws;
using LocalShift.Aws.Operations;
using LocalShift.Core;
using LocalShift.Engine;
using LocalShift.Services.Redshift;
using LocalShift.Services.Redshift.DbCredentials;
using LocalShift.Services.RedshiftData.Shapes;

namespace LocalShift.Services.RedshiftData;

/// <summary>Limits of the Data API.</summary>
public sealed record RedshiftDataOptions
{
    /// <summary>Statements submitted or running at once per account (unverified: AWS's quota).</summary>
    public int ActiveStatementLimit { get; init; } = 500;

    /// <summary>How long statements and their results are kept: AWS keeps them for 24 hours.</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromHours(24);

    /// <summary>The size of a GetStatementResult page, in bytes of values (unverified: AWS's page size).</summary>
    public long PageBytes { get; init; } = 1 << 20;
}

/// <summary>
/// The Redshift Data API as typed operations of its model (json 1.1, <c>RedshiftData.*</c>). A statement is authorized
/// (<c>redshift-data:&lt;Action&gt;</c> on the cluster), takes the credential step (GetClusterCredentials as the named
/// DbUser, or GetClusterCredentialsWithIAM as the caller: <c>IAM:&lt;user&gt;</c>, <c>IAMR:&lt;role&gt;</c>), and then runs
/// asynchronously on a real session of the cluster's SQL layer: SUBMITTED, STARTED, then FINISHED, FAILED or ABORTED.
/// Statements and their results are kept in memory for 24 hours (a restart forgets them) and are seen only by the
/// identity that sent them.
/// </summary>
public sealed class RedshiftDataService : AwsService
{
    private readonly IClusterDirectory _clusters;
    private readonly IClusterStatementRunner _runner;
    private readonly TimeProvider _clock;
    private readonly RedshiftDataOptions _options;
    private readonly ConcurrentDictionary<string, DataStatement> _statements = new(StringComparer.Ordinal);

    public RedshiftDataService(IClusterDirectory clusters, IClusterStatementRunner runner, TimeProvider clock, RedshiftDataOptions? options = null)
        : base("redshift-data")
    {
        _clusters = clusters;
        _runner = runner;
        _clock = clock;
        _options = options ?? new RedshiftDataOptions();
        Operation<ExecuteStatementInput, ExecuteStatementOutput>("ExecuteStatement", ExecuteStatement);
        Operation<BatchExecuteStatementInput, BatchExecuteStatementOutput>("BatchExecuteStatement", BatchExecuteStatement);
        Operation<DescribeStatementRequest, DescribeStatementResponse>("DescribeStatement", DescribeStatement);
        Operation<GetStatementResultRequest, GetStatementResultResponse>("GetStatementResult", GetStatementResult);
        Operation<ListStatementsRequest, ListStatementsResponse>("ListStatements", ListStatements);
        Operation<CancelStatementRequest, CancelStatementResponse>("CancelStatement", CancelStatement);
        Operation<ListDatabasesRequest, ListDatabasesResponse>("ListDatabases", ListDatabases);
        Operation<ListSchemasRequest, ListSchemasResponse>("ListSchemas", ListSchemas);
        Operation<ListTablesRequest, ListTablesResponse>("ListTables", ListTables);
        Operation<DescribeTableRequest, DescribeTableResponse>("DescribeTable", DescribeTable);
    }

    // ---- Running statements ----

    private ExecuteStatementOutput ExecuteStatement(AwsCall call, ExecuteStatementInput p)
    {
        var target = Connect(call, "redshift-data:ExecuteStatement", p.ClusterIdentifier, p.WorkgroupName, p.SecretArn, p.DbUser, p.Database);
        var statement = Submit(call, target, p.DbUser, p.StatementName, [p.Sql], isBatch: false, p.Parameters);
        return new ExecuteStatementOutput(statement.Id, statement.CreatedAt, target.ClusterIdentifier, p.Database, p.DbUser);
    }

    private BatchExecuteStatementOutput BatchExecuteStatement(AwsCall call, BatchExecuteStatementInput p)
    {
        var target = Connect(call, "redshift-data:BatchExecuteStatement", p.ClusterIdentifier, p.WorkgroupName, p.SecretArn, p.DbUser, p.Database);
        var statement = Submit(call, target, p.DbUser, p.StatementName, p.Sqls, isBatch: true, parameters: null);
        return new BatchExecuteStatementOutput(statement.Id, statement.CreatedAt, target.ClusterIdentifier, p.Database, p.DbUser);
    }

    private DataStatement Submit(AwsCall call, ClusterSessionTarget target, string? dbUser, string? name, IReadOnlyList<string> sqls,
        bool isBatch, List<SqlParameter>? parameters)
    {
        Prune();
        var active = _statements.Values.Count(s => s.AccountId == call.Caller.AccountId && StatementStatus.IsActive(s.Status));
        if (active >= _options.ActiveStatementLimit) throw DataApiErrors.TooManyActive(_options.ActiveStatementLimit);
        var now = _clock.GetUtcNow();
        var id = Guid.NewGuid().ToString("D");
        var statement = new DataStatement
        {
            Id = id,
            AccountId = call.Caller.AccountId,
            Region = target.Region,
            OwnerIdentity = OwnerIdentity(call.Caller),
            OwnerSession = call.Caller.Arn,
            ClusterIdentifier = target.ClusterIdentifier,
            Database = target.Database,
            DbUser = dbUser,
            StatementName = name,
            IsBatch = isBatch,
            Parameters = parameters,
            CreatedAt = now,
            UpdatedAt = now,
            Parts = sqls.Select((sql, i) => new StatementPart
            {
                Id = isBatch ? $"{id}:{i + 1}" : id, Sql = sql, CreatedAt = now, UpdatedAt = now,
            }).ToList(),
        };
        _statements[id] = statement;
        var values = (parameters ?? []).Select(v => new NamedParameter(v.name, v.value)).ToList();
        // A statement can run for long on the engine: its own thread, as each SQL connection has.
        _ = Task.Factory.StartNew(() => Run(statement, target, values), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        return statement;
    }

    private void Run(DataStatement statement, ClusterSessionTarget target, IReadOnlyList<NamedParameter> parameters)
    {
        IClusterStatementSession? session = null;
        var part = statement.Parts[0];
        try
        {
            lock (statement.Sync)
            {
                if (statement.CancelRequested) return;
                statement.Status = StatementStatus.Picked;
                statement.UpdatedAt = _clock.GetUtcNow();
            }
            session = _runner.Open(target) ?? throw new PgException(SqlState.ConnectionFailure,
                $"the SQL endpoint of cluster {target.ClusterIdentifier} is not running");
            lock (statement.Sync)
            {
                if (statement.CancelRequested) { Abort(statement, statement.Parts); return; }
                statement.Session = session;
                statement.ProcessId = session.ProcessId;
                statement.Status = StatementStatus.Started;
                statement.StartedAt = statement.UpdatedAt = _clock.GetUtcNow();
            }
            if (statement.IsBatch) session.BeginTransaction();
            for (var i = 0; i < statement.Parts.Count; i++)
            {
                part = statement.Parts[i];
                lock (statement.Sync)
                {
                    if (statement.CancelRequested) throw new OperationCanceledException();
                    part.Status = StatementStatus.Started;
                    part.StartedAt = part.UpdatedAt = _clock.GetUtcNow();
                }
                var outcome = session.Run(part.Sql, parameters);
                var records = outcome.Columns is { } columns
                    ? outcome.Rows.Select(row => row.Select((v, c) => ResultFields.Of(v, columns[c].TypeOid)).ToList()).ToList()
                    : null;
                lock (statement.Sync)
                {
                    part.Outcome = outcome;
                    part.Records = records;
                    part.Columns = outcome.Columns?.Select(ResultFields.Column).ToList();
                    part.ResultSize = records?.Sum(r => r.Sum(ResultFields.SizeOf)) ?? 0;
                    part.Status = StatementStatus.Finished;
                    part.EndedAt = part.UpdatedAt = _clock.GetUtcNow();
                }
            }
            session.CommitTransaction();
            lock (statement.Sync)
            {
                statement.Status = StatementStatus.Finished;
                statement.EndedAt = statement.UpdatedAt = _clock.GetUtcNow();
            }
        }
        catch (Exception e) when (e is PgException or OperationCanceledException)
        {
            try { session?.RollbackTransaction(); }
            catch (PgException) { }
            lock (statement.Sync)
            {
                var now = _clock.GetUtcNow();
                var rest = statement.Parts.SkipWhile(p => p != part).Skip(1).ToList();
                if (statement.CancelRequested)
                {
                    Abort(statement, [part, .. rest]);
                    return;
                }
                var error = e is PgException pg ? $"{pg.Severity}: {pg.Message}" : e.Message;
                part.Status = StatementStatus.Failed;
                part.Error = error;
                part.EndedAt = part.UpdatedAt = now;
                // The rest of a batch does not run: its transaction is rolled back.
                foreach (var p in rest) { p.Status = StatementStatus.Aborted; p.UpdatedAt = now; }
                statement.Status = StatementStatus.Failed;
                statement.Error = error;
                statement.EndedAt = statement.UpdatedAt = now;
            }
        }
        finally
        {
            lock (statement.Sync) statement.Session = null;
            session?.Dispose();
        }
    }

    private void Abort(DataStatement statement, IEnumerable<StatementPart> parts)
    {
        var now = _clock.GetUtcNow();
        foreach (var p in parts)
        {
            if (p.Status is StatementStatus.Finished) continue;
            p.Status = StatementStatus.Aborted;
            p.EndedAt = p.UpdatedAt = now;
        }
        statement.Status = StatementStatus.Aborted;
        statement.EndedAt = statement.UpdatedAt = now;
    }

    // ---- Statements ----

    private DescribeStatementResponse DescribeStatement(AwsCall call, DescribeStatementRequest p)
    {
        Authorize(call, "redshift-data:DescribeStatement", "*");
        var (statement, index) = Find(call, p.Id);
        lock (statement.Sync)
        {
            var part = statement.Part(index);
            if (index is not null && part is null) throw DataApiErrors.StatementNotFound(p.Id);
            var single = statement.IsBatch ? part : statement.Parts[0];
            return new DescribeStatementResponse
            {
                Id = index is null ? statement.Id : part!.Id,
                ClusterIdentifier = statement.ClusterIdentifier,
                CreatedAt = statement.CreatedAt,
                Database = statement.Database,
                DbUser = statement.DbUser,
                Duration = single?.DurationNanoseconds ?? Duration(statement),
                Error = single?.Error ?? statement.Error,
                HasResultSet = single is null ? statement.Parts.Any(x => x.Columns is not null) : single.Columns is not null,
                QueryParameters = statement.Parameters,
                QueryString = single?.Sql ?? "",
                RedshiftPid = statement.ProcessId,
                ResultRows = single is null ? statement.Parts.Sum(x => x.Outcome?.ResultRows ?? 0) : single.Outcome?.ResultRows ?? -1,
                ResultSize = single is null ? statement.Parts.Sum(x => x.ResultSize) : single.ResultSize,
                Status = index is null ? statement.Status : part!.Status,
                UpdatedAt = index is null ? statement.UpdatedAt : part!.UpdatedAt,
                SubStatements = statement.IsBatch && index is null
                    ? statement.Parts.Select(x => new SubStatementData
                    {
                        Id = x.Id,
                        CreatedAt = x.CreatedAt,
                        Duration = x.DurationNanoseconds ?? -1,
                        Error = x.Error,
                        HasResultSet = x.Columns is not null,
                        QueryString = x.Sql,
                        ResultRows = x.Outcome?.ResultRows ?? -1,
                        ResultSize = x.ResultSize,
                        Status = x.Status,
                        UpdatedAt = x.UpdatedAt,
                    }).ToList()
                    : null,
            };
        }
    }

    private static long Duration(DataStatement s) =>
        s.StartedAt is { } start && s.EndedAt is { } end ? (long)((end - start).TotalMilliseconds * 1_000_000) : -1;

    private GetStatementResultResponse GetStatementResult(AwsCall call, GetStatementResultRequest p)
    {
        Authorize(call, "redshift-data:GetStatementResult", "*");
        var (statement, index) = Find(call, p.Id);
        List<List<Field>> records;
        List<ColumnMetadata>? columns;
        lock (statement.Sync)
        {
            var part = statement.Part(index);
            if (part is null) throw index is null ? DataApiErrors.NoResult() : DataApiErrors.StatementNotFound(p.Id);
            // A statement still running has no result yet; one that failed or was aborted never will.
            if (StatementStatus.IsActive(part.Status)) throw DataApiErrors.NotFinished(part.Status);
            if (part.Status != StatementStatus.Finished) throw DataApiErrors.NoResult();
            if (part.Records is null) throw DataApiErrors.NoResult();
            records = part.Records;
            columns = part.Columns;
        }
        var start = string.IsNullOrEmpty(p.NextToken) ? 0 : DecodeToken(p.NextToken);
        if (start > records.Count) throw DataApiErrors.InvalidNextToken();
        var end = start;
        long bytes = 0;
        while (end < records.Count && (end == start || bytes < _options.PageBytes))
            bytes += records[end++].Sum(ResultFields.SizeOf);
        return new GetStatementResultResponse(records.GetRange(start, end - start),
            // The first page describes the columns; later pages carry only records.
            start == 0 ? columns : null,
            end < records.Count ? EncodeToken(end) : null,
            records.Count);
    }

    private ListStatementsResponse ListStatements(AwsCall call, ListStatementsRequest p)
    {
        Authorize(call, "redshift-data:ListStatements", "*");
        Prune();
        var status = string.IsNullOrEmpty(p.Status) ? StatementStatus.All : p.Status;
        var max = p.MaxResults is null or 0 ? 100 : p.MaxResults.Value;
        var roleLevel = p.RoleLevel ?? true;
        var identity = OwnerIdentity(call.Caller);
        var mine = _statements.Values
            .Where(s => s.AccountId == call.Caller.AccountId && s.OwnerIdentity == identity && (roleLevel || s.OwnerSession == call.Caller.Arn))
            .Where(s => status == StatementStatus.All || s.Status == status)
            .Where(s => string.IsNullOrEmpty(p.StatementName) || (s.StatementName ?? "").StartsWith(p.StatementName, StringComparison.Ordinal))
            .OrderByDescending(s => s.CreatedAt).ThenBy(s => s.Id, StringComparer.Ordinal)
            .ToList();
        var start = string.IsNullOrEmpty(p.NextToken) ? 0 : DecodeToken(p.NextToken);
        var page = mine.Skip(start).Take(max).ToList();
        return new ListStatementsResponse(page.Select(s =>
        {
            lock (s.Sync)
                return new StatementData
                {
                    Id = s.Id,
                    CreatedAt = s.CreatedAt,
                    IsBatchStatement = s.IsBatch,
                    QueryParameters = s.Parameters,
                    QueryString = s.IsBatch ? null : s.Parts[0].Sql,
                    QueryStrings = s.IsBatch ? s.Parts.Select(x => x.Sql).ToList() : null,
                    StatementName = s.StatementName,
                    Status = s.Status,
                    UpdatedAt = s.UpdatedAt,
                };
        }).ToList(), start + page.Count < mine.Count ? EncodeToken(start + page.Count) : null);
    }

    private CancelStatementResponse CancelStatement(AwsCall call, CancelStatementRequest p)
    {
        Authorize(call, "redshift-data:CancelStatement", "*");
        var (statement, _) = Find(call, p.Id);
        IClusterStatementSession? session;
        lock (statement.Sync)
        {
            if (!StatementStatus.IsActive(statement.Status)) throw DataApiErrors.CannotCancel(statement.Status);
            statement.CancelRequested = true;
            session = statement.Session;
            if (statement.Status is StatementStatus.Submitted) Abort(statement, statement.Parts);
        }
        session?.Cancel();
        return new CancelStatementResponse(true);
    }

    // ---- Metadata: run as SQL in the user's session, so the user's privileges decide what is seen ----

    private ListDatabasesResponse ListDatabases(AwsCall call, ListDatabasesRequest p)
    {
        var target = Connect(call, "redshift-data:ListDatabases", p.ClusterIdentifier, p.WorkgroupName, p.SecretArn, p.DbUser, p.Database);
        // A cluster holds one database here: the one CreateCluster named (logging in proves the user may see it).
        var rows = Query(target, "SELECT current_database()", []);
        var (page, next) = Page(rows.Select(r => r[0]!.ToString()!).ToList(), p.NextToken, p.MaxResults);
        return new ListDatabasesResponse(page, next);
    }

    private ListSchemasResponse ListSchemas(AwsCall call, ListSchemasRequest p)
    {
        var target = Connect(call, "redshift-data:ListSchemas", p.ClusterIdentifier, p.WorkgroupName, p.SecretArn, p.DbUser,
            p.ConnectedDatabase ?? p.Database);
        // LocalShift's own schemas (its hidden records and the engine's home of the system views) are not the user's.
        var rows = Query(target, "SELECT nspname FROM pg_namespace WHERE nspname LIKE :pattern AND nspname NOT IN ('__localshift', 'main') ORDER BY nspname",
            [new NamedParameter("pattern", NonEmpty(p.SchemaPattern) ?? "%")]);
        var (page, next) = Page(rows.Select(r => r[0]!.ToString()!).ToList(), p.NextToken, p.MaxResults);
        return new ListSchemasResponse(page, next);
    }

    private ListTablesResponse ListTables(AwsCall call, ListTablesRequest p)
    {
        var target = Connect(call, "redshift-data:ListTables", p.ClusterIdentifier, p.WorkgroupName, p.SecretArn, p.DbUser,
            p.ConnectedDatabase ?? p.Database);
        var rows = Query(target,
            "SELECT table_schema, table_name, table_type FROM svv_tables "
            + "WHERE table_schema LIKE :schema AND table_name LIKE :tbl ORDER BY table_schema, table_name",
            [new NamedParameter("schema", NonEmpty(p.SchemaPattern) ?? "%"), new NamedParameter("tbl", NonEmpty(p.TablePattern) ?? "%")]);
        var tables = rows.Select(r => new TableMember(r[1]!.ToString()!, r[0]!.ToString()!,
            r[2]?.ToString() is "VIEW" ? "VIEW" : "TABLE")).ToList();
        var (page, next) = Page(tables, p.NextToken, p.MaxResults);
        return new ListTablesResponse(page, next);
    }

    private DescribeTableResponse DescribeTable(AwsCall call, DescribeTableRequest p)
    {
        var target = Connect(call, "redshift-data:DescribeTable", p.ClusterIdentifier, p.WorkgroupName, p.SecretArn, p.DbUser,
            p.ConnectedDatabase ?? p.Database);
        var table = NonEmpty(p.Table);
        var rows = Query(target,
            "SELECT table_name, column_name, data_type, is_nullable, column_default, character_maximum_length, numeric_precision, numeric_scale "
            + "FROM svv_columns WHERE table_schema = :schema AND table_name LIKE :tbl ORDER BY table_name, ordinal_position",
            [new NamedParameter("schema", NonEmpty(p.Schema) ?? "public"), new NamedParameter("tbl", table ?? "%")]);
        var columns = rows.Select(r => new ColumnMetadata
        {
            name = r[1]?.ToString(),
            label = r[1]?.ToString(),
            typeName = ShortTypeName(r[2]?.ToString()),
            nullable = r[3]?.ToString() == "NO" ? 0 : 1,
            columnDefault = r[4]?.ToString(),
            length = r[5] is null ? 0 : Convert.ToInt32(r[5], System.Globalization.CultureInfo.InvariantCulture),
            precision = r[6] is null ? 0 : Convert.ToInt32(r[6], System.Globalization.CultureInfo.InvariantCulture),
            scale = r[7] is null ? 0 : Convert.ToInt32(r[7], System.Globalization.CultureInfo.InvariantCulture),
            schemaName = NonEmpty(p.Schema) ?? "public",
            tableName = r[0]?.ToString(),
            isCaseSensitive = r[2]?.ToString() is { } t && (t.Contains("char", StringComparison.OrdinalIgnoreCase) || t.Equals("text", StringComparison.OrdinalIgnoreCase)),
            isSigned = r[6] is not null,
        }).ToList();
        var (page, next) = Page(columns, p.NextToken, p.MaxResults);
        return new DescribeTableResponse(page, table, next);
    }

    /// <summary>The short type names the Data API's column lists use, from the SQL standard's names svv_columns shows.</summary>
    private static string? ShortTypeName(string? dataType) => dataType switch
    {
        "smallint" => "int2",
        "integer" => "int4",
        "bigint" => "int8",
        "real" => "float4",
        "double precision" => "float8",
        "boolean" => "bool",
        "character varying" => "varchar",
        "character" => "bpchar",
        "timestamp without time zone" => "timestamp",
        "timestamp with time zone" => "timestamptz",
        "time without time zone" => "time",
        _ => dataType,
    };

    /// <summary>Runs a catalog query for a metadata operation, synchronously, in a session of its own.</summary>
    private List<object?[]> Query(ClusterSessionTarget target, string sql, IReadOnlyList<NamedParameter> parameters)
    {
        try
        {
            using var session = _runner.Open(target) ?? throw DataApiErrors.DatabaseConnection(
                $"the SQL endpoint of cluster {target.ClusterIdentifier} is not running");
            return session.Run(sql, parameters).Rows.ToList();
        }
        catch (PgException e)
        {
            throw DataApiErrors.DatabaseConnection($"{e.Severity}: {e.Message}");
        }
    }

    // ---- The credential step ----

    /// <summary>
    /// Authorizes the Data API action on the cluster, checks the request's form, and takes the credential step the
    /// request asks for: <c>DbUser</c> → GetClusterCredentials' checks for that user (which must exist); neither
    /// <c>DbUser</c> nor <c>SecretArn</c> → GetClusterCredentialsWithIAM's checks, as the caller's IAM identity.
    /// </summary>
    private ClusterSessionTarget Connect(AwsCall call, string action, string? clusterId, string? workgroup, string? secretArn,
        string? dbUser, string database)
    {
        var region = RedshiftService.RegionOf(call);
        if (!string.IsNullOrEmpty(workgroup))
            throw DataApiErrors.Validation("WorkgroupName is not supported by LocalShift: it emulates provisioned clusters, not Redshift Serverless.");
        if (string.IsNullOrEmpty(clusterId))
            // unverified: AWS's text.
            throw DataApiErrors.Validation("Either ClusterIdentifier or WorkgroupName must be specified.");
        var id = ClusterRules.NormalizeIdentifier(clusterId);
        var cluster = _clusters.Find(call.Caller.AccountId, region, id);
        var keys = new Dictionary<string, IReadOnlyList<string>>();
        TagRules.AddResourceKeys(keys, cluster);
        Authorize(call, action, Arn.Cluster(region, call.Caller.AccountId, id), keys);
        if (!string.IsNullOrEmpty(secretArn))
            throw DataApiErrors.Validation(!string.IsNullOrEmpty(dbUser)
                // unverified: AWS's text.
                ? "Only one of SecretArn and DbUser may be specified."
                : "SecretArn is not supported by LocalShift (it emulates no Secrets Manager): name a DbUser, or call as an IAM user or role.");
        if (cluster is null || cluster.Status != ClusterStatus.Available) throw DataApiErrors.EndpointNotFound();

        try
        {
            if (!string.IsNullOrEmpty(dbUser))
            {
                var name = dbUser.ToLowerInvariant();
                var groups = DbCredentialRules.TagGroups(call.Caller);
                DbCredentialRules.AuthorizeGetClusterCredentials(call, region, id, name, database, autoCreate: false, groups);
                return new ClusterSessionTarget(call.Caller.AccountId, region, id, database, name, CreateUser: false, groups);
            }
            var identity = IamDbIdentity.Of(call.Caller);
            DbCredentialRules.AuthorizeWithIam(call, region, id, database, identity);
            return new ClusterSessionTarget(call.Caller.AccountId, region, id, database, identity.DbUser, CreateUser: true, identity.Groups);
        }
        catch (AwsException e) when (e.Code == "AccessDenied")
        {
            throw DataApiErrors.AccessDenied(e);
        }
        catch (AwsException e) when (e.Code == "UnsupportedOperation")
        {
            throw DataApiErrors.Validation(e.Message);
        }
    }

    private static void Authorize(AwsCall call, string action, string resource, IReadOnlyDictionary<string, IReadOnlyList<string>>? keys = null)
    {
        try
        {
            call.Authorize(action, resource, keys);
        }
        catch (AwsException e) when (e.Code == "AccessDenied")
        {
            throw DataApiErrors.AccessDenied(e);
        }
    }

    // ---- Shared ----

    /// <summary>A statement the caller may see, by its id (<c>uuid</c> or a batch part's <c>uuid:n</c>).</summary>
    private (DataStatement Statement, int? Part) Find(AwsCall call, string id)
    {
        Prune();
        var colon = id.IndexOf(':');
        int? part = colon < 0 ? null : int.TryParse(id.AsSpan(colon + 1), out var n) ? n : throw DataApiErrors.StatementNotFound(id);
        var key = colon < 0 ? id : id[..colon];
        if (!_statements.TryGetValue(key, out var statement) || statement.AccountId != call.Caller.AccountId
            || statement.OwnerIdentity != OwnerIdentity(call.Caller))
            throw DataApiErrors.StatementNotFound(id);
        return (statement, part);
    }

    /// <summary>Statements are the caller's IAM identity's: an IAM user's, or a role's (any of its sessions).</summary>
    private static string OwnerIdentity(Principal caller) =>
        caller.Kind == PrincipalKind.AssumedRole && caller.RoleArn is not null ? caller.RoleArn : caller.Arn;

    /// <summary>Forgets statements older than the retention (24 hours), results and all.</summary>
    private void Prune()
    {
        var cutoff = _clock.GetUtcNow() - _options.Retention;
        foreach (var (id, s) in _statements)
            if (s.CreatedAt < cutoff && !StatementStatus.IsActive(s.Status)) _statements.TryRemove(id, out _);
    }

    private static (List<T> Page, string? Next) Page<T>(List<T> items, string? token, int? maxResults)
    {
        var start = string.IsNullOrEmpty(token) ? 0 : DecodeToken(token);
        var size = maxResults is null or 0 ? 1000 : maxResults.Value;
        var page = items.Skip(start).Take(size).ToList();
        return (page, start + page.Count < items.Count ? EncodeToken(start + page.Count) : null);
    }

    private static string? NonEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    private static string EncodeToken(int offset) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes("ls1:" + offset.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    private static int DecodeToken(string token)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            if (text.StartsWith("ls1:", StringComparison.Ordinal) && int.TryParse(text.AsSpan(4), out var offset) && offset >= 0) return offset;
        }
        catch (FormatException) { }
        throw DataApiErrors.InvalidNextToken();
    }
}
