using System.Text.RegularExpressions;

namespace LocalShift.Engine.DuckDb;

/// <summary>
/// Turns DuckDB's error texts into PostgreSQL's SQLSTATE and wording, so clients see what PostgreSQL
/// (and Redshift) would say: "relation "t" does not exist" with 42P01, and so on.
/// </summary>
internal static partial class DuckDbErrorMapping
{
    private static readonly (Regex Pattern, string SqlState, Func<Match, string, string> Message)[] Rules =
    [
        (new(@"^Catalog Error: Table with name ""?(.+?)""? does not exist"), SqlState.UndefinedTable, (m, _) => $"relation \"{m.Groups[1].Value}\" does not exist"),
        (new(@"^Catalog Error: (?:Table|View) with name ""?(.+?)""? already exists"), SqlState.DuplicateTable, (m, _) => $"relation \"{m.Groups[1].Value}\" already exists"),
        (new(@"^Catalog Error: View with name ""?(.+?)""? does not exist"), SqlState.UndefinedTable, (m, _) => $"relation \"{m.Groups[1].Value}\" does not exist"),
        (new(@"^Catalog Error: Schema with name ""?(.+?)""? does not exist"), SqlState.InvalidSchemaName, (m, _) => $"schema \"{m.Groups[1].Value}\" does not exist"),
        (new(@"^Catalog Error: Schema with name ""?(.+?)""? already exists"), SqlState.DuplicateSchema, (m, _) => $"schema \"{m.Groups[1].Value}\" already exists"),
        (new(@"^Catalog Error: (?:Scalar |Aggregate |Table |Macro )?Function with name ""?(.+?)""? does not exist"), SqlState.UndefinedFunction, (m, _) => $"function {m.Groups[1].Value} does not exist"),
        (new(@"^Catalog Error: Type with name ""?(.+?)""? does not exist"), SqlState.UndefinedObject, (m, _) => $"type \"{m.Groups[1].Value}\" does not exist"),
        (new(@"^Catalog Error: .*already exists"), SqlState.DuplicateObject, (_, line) => Strip(line)),
        (new(@"^Catalog Error: .*does not exist"), SqlState.UndefinedObject, (_, line) => Strip(line)),
        (new(@"^Binder Error: Referenced column ""([^""]+)"""), SqlState.UndefinedColumn, (m, _) => $"column \"{m.Groups[1].Value}\" does not exist"),
        (new(@"^Binder Error: (?:Table ""?.+?""? does not have a column named|Column) ""?(.+?)""?(?: does not exist| not found|!|$)"), SqlState.UndefinedColumn, (m, _) => $"column \"{m.Groups[1].Value}\" does not exist"),
        (new(@"^Binder Error: Ambiguous reference to column name ""?(.+?)""?"), SqlState.AmbiguousColumn, (m, _) => $"column reference \"{m.Groups[1].Value}\" is ambiguous"),
        (new(@"^Binder Error: No function matches.*"), SqlState.UndefinedFunction, (_, line) => Strip(line)),
        (new(@"^Binder Error: .*(?:Cannot compare|Cannot mix|cannot be cast)"), SqlState.DatatypeMismatch, (_, line) => Strip(line)),
        (new(@"^Parser Error: (syntax error at .*|syntax error at end of input)"), SqlState.SyntaxError, (m, _) => m.Groups[1].Value),
        (new(@"^Parser Error: .*"), SqlState.SyntaxError, (_, line) => Strip(line)),
        (new(@"^Constraint Error: Duplicate key.*"), SqlState.UniqueViolation, (_, line) => "duplicate key value violates unique constraint: " + Strip(line)),
        (new(@"^Constraint Error: NOT NULL constraint failed: (?:.+\.)?(.+)"), SqlState.NotNullViolation, (m, _) => $"null value in column \"{m.Groups[1].Value}\" violates not-null constraint"),
        (new(@"^Constraint Error: .*foreign key"), SqlState.ForeignKeyViolation, (_, line) => Strip(line)),
        (new(@"^Constraint Error: CHECK constraint failed.*\(Error: (value too long for type .+)\)$"), "22001", (m, _) => m.Groups[1].Value),
        (new(@"^Constraint Error: CHECK constraint failed.*\(Error: division by zero\)$"), SqlState.DivisionByZero, (_, _) => "division by zero"),
        (new(@"^Constraint Error: CHECK"), SqlState.CheckViolation, (_, line) => Strip(line)),
        (new(@"^Conversion Error: Could not convert string '(.*)' to (U?INT(?:8|16|32|64|128)|DECIMAL.*|DOUBLE|FLOAT|BOOL(?:EAN)?)$"), SqlState.InvalidTextRepresentation,
            (m, _) => $"invalid input syntax for {PgTypeName(m.Groups[2].Value)}: \"{m.Groups[1].Value}\""),
        (new(@"^Conversion Error: .*out of range"), SqlState.NumericValueOutOfRange, (_, line) => Strip(line)),
        (new(@"^Conversion Error: .*(?:date|time)"), SqlState.InvalidDatetimeFormat, (_, line) => Strip(line)),
        (new(@"^Invalid Input Error: (value too long for type .*)$"), "22001", (m, _) => m.Groups[1].Value),
        (new(@"^Invalid Input Error: division by zero$"), SqlState.DivisionByZero, (_, _) => "division by zero"),
        (new(@"^Invalid Input Error: Cannot change configuration option ""(.+?)"" - the configuration has been locked"), SqlState.InsufficientPrivilege,
            (m, _) => $"permission denied to set parameter \"{m.Groups[1].Value}\""),
        (new(@"^(?:Conversion|Invalid Input) Error: .*"), SqlState.InvalidTextRepresentation, (_, line) => Strip(line)),
        (new(@"^Out of Range Error: .*[Dd]ivision by zero"), SqlState.DivisionByZero, (_, _) => "division by zero"),
        (new(@"^Out of Range Error: .*"), SqlState.NumericValueOutOfRange, (_, line) => Strip(line)),
        (new(@"^INTERRUPT Error"), SqlState.QueryCanceled, (_, _) => "canceling statement due to user request"),
        (new(@"^TransactionContext Error: cannot start a transaction within a transaction"), SqlState.ActiveSqlTransaction, (_, _) => "there is already a transaction in progress"),
        (new(@"^TransactionContext Error: cannot (?:commit|rollback) - no transaction is active"), SqlState.NoActiveSqlTransaction, (_, _) => "there is no transaction in progress"),
        (new(@"^TransactionContext Error: Current transaction is aborted"), SqlState.InFailedSqlTransaction, (_, _) => "current transaction is aborted, commands ignored until end of transaction block"),
        (new(@"^TransactionContext Error: .*[Cc]onflict"), "40001", (_, line) => Strip(line)),
        (new(@"^Not implemented Error: .*"), SqlState.FeatureNotSupported, (_, line) => Strip(line)),
        // The sealed engine (DuckDbEngine.Seal) refusing a file, an extension or a setting: said without the host's paths.
        (new(@"^Permission Error: Cannot access (?:file|directory) "), SqlState.InsufficientPrivilege, (_, _) => FileAccessDenied),
        (new(@"^Permission Error: .*extension", RegexOptions.IgnoreCase), SqlState.InsufficientPrivilege, (_, _) => "permission denied: extensions cannot be installed or loaded"),
        (new(@"^Permission Error: .*"), SqlState.InsufficientPrivilege, (_, line) => "permission denied: " + QuotedPath().Replace(Strip(line), "a file")),
        (new(@"^Dependency Error: .*"), "2BP01", (_, line) => Strip(line)),
    ];

    /// <summary>What a statement that names a file outside the engine's staging folder is told.</summary>
    internal const string FileAccessDenied = "permission denied: SQL statements cannot read or write files on the server";

    private static readonly Regex UnknownOperator = new(@"^Catalog Error: (?:Scalar )?Function with name ""?([~!@#%^&|`?+\-*/<>=]+)""? does not exist");

    private static readonly Regex FieldCounts = new(@"^Expected Number of Columns: (\d+) Found: (\d+)");

    public static PgException Map(string duckDbMessage)
    {
        var lines = duckDbMessage.Split('\n');
        var first = lines[0].Trim();
        var hint = lines.Skip(1).Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("Did you mean", StringComparison.Ordinal));
        // DuckDB suggests its own catalog tables; a Redshift user should not be pointed there.
        if (hint is not null && (hint.Contains("pg_", StringComparison.Ordinal) || hint.Contains("duckdb_", StringComparison.Ordinal)
            || hint.Contains("__localshift", StringComparison.Ordinal) || hint.Contains("information_schema", StringComparison.Ordinal)))
            hint = null;
        // COPY's reader met a record with too few or too many fields: Redshift's words for it (its load error 1214).
        if (first.StartsWith("Invalid Input Error: CSV Error on Line: ", StringComparison.Ordinal)
            && lines.Select(l => FieldCounts.Match(l)).FirstOrDefault(m => m.Success) is { } counts)
        {
            var expected = int.Parse(counts.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            var found = int.Parse(counts.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            var line = first["Invalid Input Error: CSV Error on Line: ".Length..].Trim();
            var file = lines.Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("file = ", StringComparison.Ordinal))?["file = ".Length..];
            return new PgException(SqlState.BadCopyFileFormat,
                $"{(found < expected ? "Delimiter not found" : "Extra column(s) found")} (line {line}: {found} fields where {expected} are expected)")
            { SourceFile = file };
        }
        if (first.StartsWith("Out of Memory Error: ", StringComparison.Ordinal))
            return OutOfMemory(first);
        // An operator PostgreSQL's lexer reads as one (`%+`, `!!`): DuckDB looks it up as a function and suggests its
        // own; PostgreSQL names it an operator (its text also names the operand types, which DuckDB's does not give).
        if (UnknownOperator.Match(first) is { Success: true } op)
            return new PgException(SqlState.UndefinedFunction, $"operator does not exist: {op.Groups[1].Value}",
                hint: "No operator matches the given name and argument type(s). You may need to add explicit type casts.") { Position = Position(lines) };
        foreach (var (pattern, sqlState, message) in Rules)
        {
            var match = pattern.Match(first);
            if (match.Success) return new PgException(sqlState, message(match, first), hint: hint) { Position = Position(lines) };
        }
        return new PgException(SqlState.InternalError, Strip(first), hint: hint);
    }

    /// <summary>
    /// A statement that needed more memory than the cluster's limit (<c>--sql-memory-limit</c>): PostgreSQL's words and
    /// SQLSTATE (53200 <c>out of memory</c>), DuckDB's account of the failed allocation as the detail, without paths.
    /// The session and the server go on.
    /// </summary>
    private static PgException OutOfMemory(string line) =>
        new(SqlState.OutOfMemory, "out of memory", detail: QuotedPath().Replace(Strip(line), "a file"),
            hint: "The statement needed more memory than the cluster's memory limit (localshift serve --sql-memory-limit).");

    /// <summary>PostgreSQL 8's (and so Redshift's) name of a DuckDB type in "invalid input syntax for ..." messages.</summary>
    private static string PgTypeName(string duckDbType) => duckDbType switch
    {
        "INT16" or "UINT8" or "INT8" => "smallint",
        "INT32" or "UINT16" => "integer",
        "INT64" or "UINT32" or "UINT64" or "INT128" or "UINT128" => "bigint",
        "DOUBLE" => "type double precision",
        "FLOAT" => "type real",
        "BOOL" or "BOOLEAN" => "type boolean",
        _ => "type numeric",
    };

    /// <summary>Drops DuckDB's "Xxx Error: " prefix and trailing '!'.</summary>
    private static string Strip(string message)
    {
        var text = ErrorPrefix().Replace(message, "");
        return text.TrimEnd('!').Trim();
    }

    /// <summary>DuckDB marks the position with a caret line under "LINE 1: ..."; PostgreSQL sends it as field P.</summary>
    private static int? Position(string[] lines)
    {
        for (var i = 0; i + 1 < lines.Length; i++)
        {
            if (!lines[i].StartsWith("LINE 1: ", StringComparison.Ordinal)) continue;
            var caret = lines[i + 1].IndexOf('^');
            if (caret >= 8) return caret - 8 + 1;
        }
        return null;
    }

    [GeneratedRegex(@"^[A-Za-z ]+ Error: ")]
    private static partial Regex ErrorPrefix();

    [GeneratedRegex(@"""[^""]*[/\\][^""]*""")]
    private static partial Regex QuotedPath();
}
