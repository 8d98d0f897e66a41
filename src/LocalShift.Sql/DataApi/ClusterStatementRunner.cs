using LocalShift.Engine;
using LocalShift.Engine.Types;
using LocalShift.Services.RedshiftData;
using LocalShift.Sql.Wire;
using LocalShift.Sql.Wire.Session;

namespace LocalShift.Sql.DataApi;

/// <summary>
/// The Data API's sessions on the clusters this host runs: each is a session of the cluster's SQL layer opened
/// in-process, as its database user, without the wire; the statements go through the same router as psql's.
/// </summary>
public sealed class ClusterStatementRunner(ClusterSqlHost host) : IClusterStatementRunner
{
    public IClusterStatementSession? Open(ClusterSessionTarget target)
    {
        var database = host.DatabaseOf(target.AccountId, target.Region, target.ClusterIdentifier);
        if (database is null) return null;
        if (!database.DatabaseExists(target.Database))
            throw new PgException(SqlState.InvalidCatalogName, $"database \"{target.Database}\" does not exist") { Severity = "FATAL" };
        database.EnsureDbUser(target.DbUser, target.CreateUser);
        var connection = new PgConnectionInfo(target.DbUser, target.Database, PgListener.NextProcessId(),
            new Dictionary<string, string> { ["application_name"] = "RedshiftDataAPI" })
        {
            SessionGroups = target.Groups,
        };
        return new Session(database.OpenSession(connection), connection.ProcessId);
    }

    private sealed class Session(IPgQuerySession query, int processId) : IClusterStatementSession
    {
        public int ProcessId => processId;

        public void BeginTransaction() => query.BeginImplicitTransaction();
        public void CommitTransaction() => query.EndImplicitTransaction();
        public void RollbackTransaction() => query.OnError();
        public void Cancel() => query.Cancel();

        public StatementOutcome Run(string sql, IReadOnlyList<NamedParameter> parameters)
        {
            var statements = query.SplitStatements(sql);
            // unverified: the Data API's text for an empty statement.
            if (statements.Count == 0) throw new PgException(SqlState.SyntaxError, "the statement is empty");
            if (statements.Count > 1) query.BeginImplicitTransaction();
            StatementOutcome? last = null;
            foreach (var text in statements)
            {
                var (bound, values) = NamedParameters.Bind(text, parameters);
                var statement = query.Prepare(bound, values.Select(_ => PgTypeOid.Unknown).ToList());
                using var result = statement.Execute(values.Select(v => new PgParameter(PgTypeOid.Unknown, v)).ToList());
                var rows = new List<object?[]>();
                if (result.Columns is { } columns)
                    while (result.Read())
                    {
                        var row = new object?[columns.Count];
                        for (var i = 0; i < row.Length; i++) row[i] = result.GetValue(i);
                        rows.Add(row);
                    }
                last = new StatementOutcome(result.Columns, rows, result.CommandTag);
            }
            return last!;
        }

        public void Dispose() => query.Dispose();
    }
}
