namespace LocalShift.Engine;

/// <summary>
/// An error the client sees as an ErrorResponse: SQLSTATE, message and the optional DETAIL/HINT fields.
/// Every layer below the session raises this; the session writes it once.
/// </summary>
public class PgException(string sqlState, string message, string? detail = null, string? hint = null)
    : Exception(message)
{
    public string SqlState { get; } = sqlState;
    public string? Detail { get; } = detail;
    public string? Hint { get; } = hint;
    /// <summary>1-based character position in the statement, when known.</summary>
    public int? Position { get; init; }

    /// <summary>The local file the engine was reading when it failed, when its message named one (not sent to the client).</summary>
    public string? SourceFile { get; init; }
    /// <summary>ERROR or FATAL (FATAL closes the connection).</summary>
    public string Severity { get; init; } = "ERROR";
}

/// <summary>A notice sent to the client without failing the statement (Redshift sends INFO notices).</summary>
public sealed record PgNotice(string Severity, string Message, string SqlState = SqlState.SuccessfulCompletion, string? Detail = null);
