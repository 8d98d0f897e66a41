using LocalShift.Engine;
using LocalShift.Sql.Wire.Messages.Backend;
using LocalShift.Sql.Wire.Messages.Frontend;
using LocalShift.Sql.Wire.Types;
using Microsoft.Extensions.Logging;

namespace LocalShift.Sql.Wire.Session;

public sealed partial class PgSession
{
    private sealed class PreparedStatement(IPgStatement statement)
    {
        public IPgStatement Statement { get; } = statement;
        /// <summary>Set once the client saw a RowDescription for the statement: rows must then be sent in those types.</summary>
        public IReadOnlyList<PgColumn>? DescribedColumns { get; set; }
        public bool Described { get; set; }
    }

    private sealed class Portal(PreparedStatement statement, PgParameter[] parameters, short[] resultFormats) : IDisposable
    {
        public PreparedStatement Statement { get; } = statement;
        public PgParameter[] Parameters { get; } = parameters;
        public short[] ResultFormats { get; } = resultFormats;
        public IPgResult? Result { get; set; }
        public IReadOnlyList<PgColumn>? Columns { get; set; }
        public DataRowWriter? Writer { get; set; }
        public string? CompletedTag { get; set; }
        public void Dispose() => Result?.Dispose();
    }

    private readonly Dictionary<string, PreparedStatement> _statements = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Portal> _portals = new(StringComparer.Ordinal);
    private bool _skipUntilSync;

    private void HandleParse(Parse parse)
    {
        if (parse.StatementName.Length > 0 && _statements.ContainsKey(parse.StatementName))
            throw new PgException(SqlState.DuplicatePreparedStatement, $"prepared statement \"{parse.StatementName}\" already exists");
        _logger.LogTrace("Parse {Name}: {Sql}", parse.StatementName, parse.Sql);
        var statement = _query!.Prepare(parse.Sql, parse.ParameterTypeOids);
        // As PostgreSQL, a statement that cannot run is refused at Parse. The engine keeps one running result per
        // connection, so while a portal is suspended mid-result the check waits for Execute rather than end it.
        if (!_portals.Values.Any(p => p.Result is not null && p.CompletedTag is null)) statement.Validate();
        _statements[parse.StatementName] = new PreparedStatement(statement);
        EmptyBodyMessages.ParseComplete(_out);
    }

    private void HandleBind(Bind bind)
    {
        if (!_statements.TryGetValue(bind.StatementName, out var statement))
            throw new PgException(SqlState.InvalidSqlStatementName, $"prepared statement \"{bind.StatementName}\" does not exist");
        if (bind.PortalName.Length > 0 && _portals.ContainsKey(bind.PortalName))
            throw new PgException(SqlState.DuplicateCursor, $"portal \"{bind.PortalName}\" already exists");
        var types = statement.Statement.ParameterTypeOids;
        if (bind.ParameterValues.Length != types.Count)
            throw new PgException(SqlState.ProtocolViolation,
                $"bind message supplies {bind.ParameterValues.Length} parameters, but prepared statement \"{bind.StatementName}\" requires {types.Count}");
        var parameters = new PgParameter[types.Count];
        for (var i = 0; i < parameters.Length; i++)
        {
            var raw = bind.ParameterValues[i];
            object? value = raw is null ? null
                : bind.ParameterFormat(i) == 1 ? DecodeBinary(raw, types[i], i)
                : System.Text.Encoding.UTF8.GetString(raw);
            parameters[i] = new PgParameter(types[i], value);
        }
        if (_portals.Remove(bind.PortalName, out var old)) old.Dispose();
        _portals[bind.PortalName] = new Portal(statement, parameters, bind.ResultFormats);
        EmptyBodyMessages.BindComplete(_out);
    }

    private static object DecodeBinary(byte[] raw, int typeOid, int index)
    {
        try { return PgBinaryFormat.Read(raw, typeOid); }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException)
        {
            throw new PgException(SqlState.InvalidBinaryRepresentation, $"incorrect binary data format in bind parameter {index + 1}");
        }
    }

    private void HandleDescribe(Describe describe)
    {
        if (describe.Kind == 'S')
        {
            if (!_statements.TryGetValue(describe.Name, out var statement))
                throw new PgException(SqlState.InvalidSqlStatementName, $"prepared statement \"{describe.Name}\" does not exist");
            var columns = statement.Statement.DescribeColumns();
            statement.DescribedColumns = columns;
            statement.Described = true;
            ParameterDescription.Write(_out, statement.Statement.ParameterTypeOids);
            if (columns is null) EmptyBodyMessages.NoData(_out);
            else RowDescription.Write(_out, columns, new short[columns.Count]);
            return;
        }
        var portal = FindPortal(describe.Name);
        Start(portal);
        if (portal.Columns is null) EmptyBodyMessages.NoData(_out);
        else RowDescription.Write(_out, portal.Columns, DataRowWriter.ExpandFormats(portal.ResultFormats, portal.Columns.Count));
    }

    private async Task HandleExecuteAsync(Execute execute, CancellationToken cancellationToken)
    {
        var portal = FindPortal(execute.PortalName);
        if (portal.CompletedTag is not null)
        {
            CommandComplete.Write(_out, portal.CompletedTag);
            return;
        }
        var resumed = portal.Result is not null;
        Start(portal);
        WriteNotices();
        var result = portal.Result!;
        if (resumed) result.Resume();
        if (portal.Columns is null)
        {
            portal.CompletedTag = result.CommandTag;
            CommandComplete.Write(_out, portal.CompletedTag);
            return;
        }
        int count;
        bool suspended;
        StartExecuting();
        try { (count, suspended) = await StreamRowsAsync(result, portal.Writer!, execute.MaxRows, cancellationToken); }
        finally { StopExecuting(); }
        WriteNotices();
        if (suspended)
        {
            result.Suspend();
            EmptyBodyMessages.PortalSuspended(_out);
            return;
        }
        portal.CompletedTag = SelectTag(result, count);
        CommandComplete.Write(_out, portal.CompletedTag);
    }

    /// <summary>Runs the portal's statement the first time it is described or executed.</summary>
    private void Start(Portal portal)
    {
        if (portal.Result is not null) return;
        // As in PostgreSQL, what runs between two Syncs is one transaction: a statement that changes something
        // opens it, so an error before Sync rolls the changes back.
        StartExecuting();
        try
        {
            if (portal.Statement.Statement.Changes) _query!.BeginImplicitTransaction();
            using (WatchForDisconnect()) portal.Result = portal.Statement.Statement.Execute(portal.Parameters);
        }
        finally { StopExecuting(); }
        // Rows go out in the types the client was told about, whichever Describe told it.
        portal.Columns = portal.Statement.Described && portal.Result.Columns is not null
            ? portal.Statement.DescribedColumns ?? portal.Result.Columns
            : portal.Result.Columns;
        if (portal.Columns is not null)
            portal.Writer = new DataRowWriter(portal.Columns, DataRowWriter.ExpandFormats(portal.ResultFormats, portal.Columns.Count));
    }

    private Portal FindPortal(string name) =>
        _portals.TryGetValue(name, out var portal)
            ? portal
            : throw new PgException(SqlState.InvalidCursorName, $"portal \"{name}\" does not exist");

    private void HandleClose(Describe close)
    {
        if (close.Kind == 'S') _statements.Remove(close.Name);
        else if (_portals.Remove(close.Name, out var portal)) portal.Dispose();
        EmptyBodyMessages.CloseComplete(_out);
    }

    private async Task HandleSyncAsync(CancellationToken cancellationToken)
    {
        var failed = _skipUntilSync;
        _skipUntilSync = false;
        // Portals live until their transaction ends; outside a block that is now.
        try
        {
            if (_query!.TransactionStatus == TransactionStatus.Idle)
            {
                ClosePortals(all: true);
                if (!failed) _query.EndImplicitTransaction();
            }
        }
        catch (Exception e) when (IsStatementFailure(e)) { SendError(ToClientError(e)); }
        WriteReadyForQuery(_query!.TransactionStatus);
        await _out.FlushAsync(cancellationToken);
    }

    private void ClosePortals(bool all)
    {
        if (_portals.Count == 0) return;
        foreach (var (name, portal) in _portals.ToList())
        {
            if (!all && name.Length > 0) continue;
            portal.Dispose();
            _portals.Remove(name);
        }
    }
}
