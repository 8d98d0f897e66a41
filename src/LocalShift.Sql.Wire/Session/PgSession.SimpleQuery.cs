using LocalShift.Engine;
using LocalShift.Sql.Wire.Buffers;
using LocalShift.Sql.Wire.Messages.Backend;
using LocalShift.Sql.Wire.Messages.Frontend;
using LocalShift.Sql.Wire.Types;
using Microsoft.Extensions.Logging;

namespace LocalShift.Sql.Wire.Session;

public sealed partial class PgSession
{
    /// <summary>
    /// Query: each statement in turn, results in text; the first error stops the rest. Several statements run in
    /// one implicit transaction, as in PostgreSQL: an error rolls back the ones before it, except those a COMMIT
    /// in the message already committed; a BEGIN among them turns that transaction into a transaction block.
    /// </summary>
    private async Task SimpleQueryAsync(FrontendMessage message, CancellationToken cancellationToken)
    {
        var failed = false;
        try
        {
            var sql = Query.Read(message).Sql;
            _logger.LogTrace("Query: {Sql}", sql);
            ClosePortals(all: false);
            var statements = _query!.SplitStatements(sql);
            if (statements.Count == 0) EmptyBodyMessages.EmptyQueryResponse(_out);
            var several = statements.Count > 1;
            foreach (var text in statements) await RunStatementAsync(text, several, cancellationToken);
        }
        catch (Exception e) when (IsStatementFailure(e))
        {
            // The first error stops the rest; whatever it was, the client gets it and then ReadyForQuery.
            SendError(ToClientError(e));
            failed = true;
        }
        // Also commits an extended-protocol transaction a client left open without Sync, as PostgreSQL does.
        if (!failed)
        {
            try { _query!.EndImplicitTransaction(); }
            catch (Exception e) when (IsStatementFailure(e)) { SendError(ToClientError(e)); }
        }
        WriteReadyForQuery(_query!.TransactionStatus);
        await _out.FlushAsync(cancellationToken);
    }

    private async Task RunStatementAsync(string text, bool several, CancellationToken cancellationToken)
    {
        StartExecuting();
        try
        {
            if (several) _query!.BeginImplicitTransaction();
            var statement = _query!.Prepare(text, []);
            IPgResult result;
            using (WatchForDisconnect()) result = statement.Execute([]);
            using var _ = result;
            WriteNotices();
            if (result.Columns is { } columns)
            {
                var formats = new short[columns.Count];
                RowDescription.Write(_out, columns, formats);
                var rows = await StreamRowsAsync(result, new DataRowWriter(columns, formats), 0, cancellationToken);
                CommandComplete.Write(_out, SelectTag(result, rows.Count));
            }
            else
            {
                CommandComplete.Write(_out, result.CommandTag);
            }
        }
        finally { StopExecuting(); }
        WriteNotices();
    }

    /// <summary>Sends rows until the result ends or <paramref name="maxRows"/> (0 = no limit) are sent.</summary>
    private async Task<(int Count, bool Suspended)> StreamRowsAsync(IPgResult result, DataRowWriter writer, int maxRows, CancellationToken cancellationToken)
    {
        var count = 0;
        while (true)
        {
            if (maxRows > 0 && count == maxRows) return (count, true);
            if (_cancelRequested) throw CanceledError();
            bool more;
            try { more = result.Read(); }
            catch (PgException) when (_cancelRequested) { throw CanceledError(); }
            if (!more) return (count, false);
            writer.Write(_out, result);
            count++;
            if (_out.BufferedBytes >= PgWriteBuffer.FlushThreshold) await _out.FlushAsync(cancellationToken);
        }
    }

    private static string SelectTag(IPgResult result, int rows)
    {
        var tag = result.CommandTag;
        return tag.StartsWith("SELECT", StringComparison.Ordinal) || tag.Length == 0 ? $"SELECT {rows}" : tag;
    }
}
