namespace LocalShift.Engine;

/// <summary>
/// A function written in the engine's own expressions (a SQL-bodied function: PostgreSQL's <c>CREATE FUNCTION …
/// LANGUAGE sql</c>), defined by <see cref="IEngineSession.DefineFunctions"/>: Redshift's functions the engine lacks,
/// the cluster's catalog functions, a session's own values (<c>pg_last_copy_count()</c>). Each overload's body is an
/// expression over its parameters (with <see cref="ReturnsRows"/>, a query); the engine inlines it where it is called.
/// Defining a function that exists replaces it.
/// </summary>
public sealed record EngineFunction(string Name, IReadOnlyList<FunctionOverload> Overloads)
{
    /// <summary>The schema it is defined in (ignored for a <see cref="Session"/> function).</summary>
    public string Schema { get; init; } = "main";

    /// <summary>
    /// Kept in a catalog of this name that the engine holds in memory for as long as it runs (made when first named),
    /// not in the database file: for overloads with typed parameters, which a database file of an older format cannot
    /// store. Callers name such a function <c>catalog.schema.name</c>.
    /// </summary>
    public string? MemoryCatalog { get; init; }

    /// <summary>Only the defining session sees it, until the session ends (or defines it again).</summary>
    public bool Session { get; init; }

    /// <summary>A table function: each body is a query, and the function is called in FROM.</summary>
    public bool ReturnsRows { get; init; }

    /// <summary>A function of one overload: <paramref name="parameters"/> as <see cref="FunctionOverload.Of"/> reads them.</summary>
    public static EngineFunction Of(string name, string parameters, string body) => new(name, [FunctionOverload.Of(parameters, body)]);
}

/// <summary>One signature of an <see cref="EngineFunction"/>: its parameters and its body.</summary>
public sealed record FunctionOverload(IReadOnlyList<FunctionParameter> Parameters, string Body)
{
    /// <summary>
    /// Parameters written as a list, <c>"s, n"</c> or <c>"x TIMESTAMP"</c>: a name, and optionally the engine type the
    /// argument must have for this overload to be chosen.
    /// </summary>
    public static FunctionOverload Of(string parameters, string body) =>
        new(parameters.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(p => new FunctionParameter(p[0], p.Length > 1 ? p[1] : null)).ToList(), body);
}

/// <summary>A parameter of a <see cref="FunctionOverload"/>; without a type any argument binds to it.</summary>
public sealed record FunctionParameter(string Name, string? Type = null);
