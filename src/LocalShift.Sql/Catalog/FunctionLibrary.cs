using LocalShift.Engine;

namespace LocalShift.Sql.Catalog;

/// <summary>
/// Redshift functions the engine lacks, as engine functions (<see cref="EngineFunction"/>) whose bodies are expressions
/// the engine accepts, as the translator's output is. Plain ones live in the cluster database's "main" schema (last on
/// every session's search path), so a call costs nothing at translation time. Functions whose meaning depends on the
/// argument's type (TRUNC of a timestamp is a date, of a number a number) need typed parameters, which the engine keeps
/// only in its memory catalog: the translator calls those by their full name.
/// </summary>
internal static class FunctionLibrary
{
    /// <summary>The engine's memory catalog holding the typed functions; the translator qualifies calls with it.</summary>
    public const string TypedCatalog = "__localshift_fn";

    /// <summary>Prefix of a call to a typed function.</summary>
    public const string Typed = TypedCatalog + ".main.";

    private static EngineFunction TypedFunction(string name, params (string Parameters, string Body)[] overloads) =>
        new(name, overloads.Select(o => FunctionOverload.Of(o.Parameters, o.Body)).ToList()) { MemoryCatalog = TypedCatalog };

    private static EngineFunction Function(string name, params (string Parameters, string Body)[] overloads) =>
        new(name, overloads.Select(o => FunctionOverload.Of(o.Parameters, o.Body)).ToList());

    /// <summary>The library; the catalog functions (pg_get_function_result, …) read <paramref name="catalog"/>'s relations.</summary>
    public static IReadOnlyList<EngineFunction> Functions(IEngineCatalog catalog) =>
    [
        TypedFunction("trunc", ("x TIMESTAMP", "CAST(x AS DATE)"), ("x TIMESTAMPTZ", "CAST(x AS DATE)"), ("x DATE", "x"),
            ("x VARCHAR", "CAST(CAST(x AS TIMESTAMP) AS DATE)"), ("x", "trunc(x)"), ("x, n", "trunc(x, n)")),
        TypedFunction("octet_length", ("x BLOB", "system.main.octet_length(x)"), ("x", "strlen(CAST(x AS VARCHAR))")),
        Function("replicate", ("s, n", "repeat(s, CAST(n AS INTEGER))")),
        Function("textlen", ("s", "length(s)")),
        Function("btrim", ("s", "trim(s)"), ("s, chars", "trim(s, chars)")),
        Function("dexp", ("x", "exp(x)")),
        Function("dlog1", ("x", "ln(x)")),
        Function("dlog10", ("x", "log10(x)")),
        Function("date_part_year", ("d", "year(CAST(d AS DATE))")),
        Function("timeofday", ("", "strftime(now(), '%a %b %d %H:%M:%S.%f %Y UTC')")),
        Function("add_months", ("d, n", """
            CASE WHEN CAST(d AS DATE) = last_day(CAST(d AS DATE))
                 THEN CAST(last_day(CAST(CAST(d AS DATE) + to_months(CAST(n AS INTEGER)) AS DATE)) AS TIMESTAMP)
                      + (CAST(d AS TIMESTAMP) - CAST(CAST(d AS DATE) AS TIMESTAMP))
                 ELSE CAST(d AS TIMESTAMP) + to_months(CAST(n AS INTEGER)) END
            """)),
        Function("months_between", ("a, b", """
            CAST((year(CAST(a AS TIMESTAMP)) - year(CAST(b AS TIMESTAMP))) * 12 + month(CAST(a AS TIMESTAMP)) - month(CAST(b AS TIMESTAMP)) AS DOUBLE)
            + CASE WHEN day(CAST(a AS TIMESTAMP)) = day(CAST(b AS TIMESTAMP))
                     OR (CAST(a AS DATE) = last_day(CAST(a AS DATE)) AND CAST(b AS DATE) = last_day(CAST(b AS DATE))) THEN 0.0
                   ELSE (day(CAST(a AS TIMESTAMP)) - day(CAST(b AS TIMESTAMP))
                         + (epoch(CAST(a AS TIMESTAMP) - date_trunc('day', CAST(a AS TIMESTAMP)))
                            - epoch(CAST(b AS TIMESTAMP) - date_trunc('day', CAST(b AS TIMESTAMP)))) / 86400.0) / 31.0 END
            """)),
        Function("quote_ident", ("s", """CASE WHEN regexp_full_match(s, '[a-z_][a-z0-9_$]*') THEN s ELSE '"' || replace(s, '"', '""') || '"' END""")),
        Function("quote_literal", ("s", "'''' || replace(CAST(s AS VARCHAR), '''', '''''') || ''''")),
        Function("func_sha1", ("s", "sha1(s)")),
        Function("sha2", ("s, bits", "CASE WHEN bits IN (0, 256) THEN sha256(s) ELSE error('SHA2 bit length ' || bits || ' is not supported; use 0 or 256') END")),
        Function("is_valid_json", ("s", "coalesce(json_type(CASE WHEN json_valid(s) THEN s END) = 'OBJECT', FALSE)")),
        Function("is_valid_json_array", ("s", "coalesce(json_type(CASE WHEN json_valid(s) THEN s END) = 'ARRAY', FALSE)")),
        Function("json_parse", ("s", "CAST(s AS JSON)")),
        Function("json_serialize", ("s", "CAST(s AS VARCHAR)")),
        Function("pg_get_function_result", ("f", $"(SELECT lower(any_value(return_type)) FROM {catalog.Relation(CatalogRelation.Functions)} fn WHERE function_oid = f)")),
        Function("pg_get_function_arguments", ("f", $"(SELECT lower(array_to_string(any_value(parameter_types), ', ')) FROM {catalog.Relation(CatalogRelation.Functions)} fn WHERE function_oid = f)")),
        Function("ls_invalid_json", ("s", "error('invalid json object ' || s)")),
        Function("ls_div", ("a, b", "CASE WHEN b = 0 AND a IS NOT NULL THEN error('division by zero') ELSE a // b END")),
        Function("ls_mod", ("a, b", "CASE WHEN b = 0 AND a IS NOT NULL THEN error('division by zero') ELSE a % b END")),
    ];
}
