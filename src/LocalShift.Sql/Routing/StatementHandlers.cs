using LocalShift.Engine;
using LocalShift.Sql.Syntax;

namespace LocalShift.Sql.Routing;

/// <summary>
/// The statements a cluster runs itself, one handler per <see cref="CommandKind"/>: the pipeline grows by
/// registration (<see cref="IRedshiftStatementHandler.Register"/>), not by another branch in the session. A kind no
/// handler registered answers that LocalShift does not support it yet.
/// </summary>
public sealed class StatementHandlers
{
    private readonly Dictionary<CommandKind, Func<RedshiftStatementContext, CommandStatement, string>> _handlers = [];

    /// <summary>Makes <paramref name="handler"/> the one that runs statements of <paramref name="kind"/>; it returns the command tag.</summary>
    public StatementHandlers Register(CommandKind kind, Func<RedshiftStatementContext, CommandStatement, string> handler)
    {
        if (!_handlers.TryAdd(kind, handler)) throw new InvalidOperationException($"a handler for {kind} is registered already");
        return this;
    }

    public bool Handles(CommandKind kind) => _handlers.ContainsKey(kind);

    /// <summary>Runs the statement with its kind's handler; throws <see cref="PgException"/> on failure.</summary>
    public string Run(RedshiftStatementContext context, CommandStatement statement) =>
        _handlers.TryGetValue(statement.Kind, out var handler) ? handler(context, statement) : throw NotSupportedYet(statement);

    /// <summary>"COPY is not supported by LocalShift yet": the statement's verb (and noun, for CREATE, GRANT and REVOKE).</summary>
    private static PgException NotSupportedYet(CommandStatement statement)
    {
        var s = statement.Tokens;
        var verb = string.Join(' ', s.Take(s[0].Is("CREATE") || s[0].IsAny("GRANT", "REVOKE") ? 2 : 1).Select(t => t.Text.ToUpperInvariant()));
        return new PgException(SqlState.FeatureNotSupported, $"{verb} is not supported by LocalShift yet");
    }
}
