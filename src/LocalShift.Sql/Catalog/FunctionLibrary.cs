namespace LocalShift.Sql.Catalog;

/// <summary>
/// Redshift functions DuckDB lacks, as DuckDB macros. Plain macros live in the cluster database's "main" schema
/// (last on every session's search path), so a call costs nothing at translation time. Functions whose meaning
/// depends on the argument's type (TRUNC of a timestamp is a date, of a number a number) need typed macro
/// parameters, which DuckDB only stores in databases of a newer storage version than a cluster file may have:
/// those live in an in-memory catalog attached once per engine, and the translator calls them by their full name.
/// </summary>
internal static class FunctionLibrary
{
    /// <summary>The in-memory catalog holding the typed macros; the translator qualifies calls with it.</summary>
    public const string TypedCatalog = "__localshift_fn";

    /// <summary>Prefix of a call to a typed macro.</summary>
    public const string Typed = TypedCatalog + ".main.";

    public static string InstallSql => $"""
        ATTACH IF NOT EXISTS ':memory:' AS {TypedCatalog};
        CREATE OR REPLACE MACRO {Typed}trunc(x TIMESTAMP) AS CAST(x AS DATE), (x TIMESTAMPTZ) AS CAST(x AS DATE), (x DATE) AS x,
          (x VARCHAR) AS CAST(CAST(x AS TIMESTAMP) AS DATE), (x) AS trunc(x), (x, n) AS trunc(x, n);
        CREATE OR REPLACE MACRO {Typed}octet_length(x BLOB) AS system.main.octet_length(x), (x) AS strlen(CAST(x AS VARCHAR));
        CREATE OR REPLACE MACRO main.replicate(s, n) AS repeat(s, CAST(n AS INTEGER));
        CREATE OR REPLACE MACRO main.textlen(s) AS length(s);
        CREATE OR REPLACE MACRO main.btrim(s) AS trim(s), (s, chars) AS trim(s, chars);
        CREATE OR REPLACE MACRO main.dexp(x) AS exp(x);
        CREATE OR REPLACE MACRO main.dlog1(x) AS ln(x);
        CREATE OR REPLACE MACRO main.dlog10(x) AS log10(x);
        CREATE OR REPLACE MACRO main.date_part_year(d) AS year(CAST(d AS DATE));
        CREATE OR REPLACE MACRO main.timeofday() AS strftime(now(), '%a %b %d %H:%M:%S.%f %Y UTC');
        CREATE OR REPLACE MACRO main.add_months(d, n) AS
          CASE WHEN CAST(d AS DATE) = last_day(CAST(d AS DATE))
               THEN CAST(last_day(CAST(CAST(d AS DATE) + to_months(CAST(n AS INTEGER)) AS DATE)) AS TIMESTAMP)
                    + (CAST(d AS TIMESTAMP) - CAST(CAST(d AS DATE) AS TIMESTAMP))
               ELSE CAST(d AS TIMESTAMP) + to_months(CAST(n AS INTEGER)) END;
        CREATE OR REPLACE MACRO main.months_between(a, b) AS
          CAST((year(CAST(a AS TIMESTAMP)) - year(CAST(b AS TIMESTAMP))) * 12 + month(CAST(a AS TIMESTAMP)) - month(CAST(b AS TIMESTAMP)) AS DOUBLE)
          + CASE WHEN day(CAST(a AS TIMESTAMP)) = day(CAST(b AS TIMESTAMP))
                   OR (CAST(a AS DATE) = last_day(CAST(a AS DATE)) AND CAST(b AS DATE) = last_day(CAST(b AS DATE))) THEN 0.0
                 ELSE (day(CAST(a AS TIMESTAMP)) - day(CAST(b AS TIMESTAMP))
                       + (epoch(CAST(a AS TIMESTAMP) - date_trunc('day', CAST(a AS TIMESTAMP)))
                          - epoch(CAST(b AS TIMESTAMP) - date_trunc('day', CAST(b AS TIMESTAMP)))) / 86400.0) / 31.0 END;
        CREATE OR REPLACE MACRO main.quote_ident(s) AS
          CASE WHEN regexp_full_match(s, '[a-z_][a-z0-9_$]*') THEN s ELSE '"' || replace(s, '"', '""') || '"' END;
        CREATE OR REPLACE MACRO main.quote_literal(s) AS '''' || replace(CAST(s AS VARCHAR), '''', '''''') || '''';
        CREATE OR REPLACE MACRO main.func_sha1(s) AS sha1(s);
        CREATE OR REPLACE MACRO main.sha2(s, bits) AS
          CASE WHEN bits IN (0, 256) THEN sha256(s) ELSE error('SHA2 bit length ' || bits || ' is not supported; use 0 or 256') END;
        CREATE OR REPLACE MACRO main.is_valid_json(s) AS coalesce(json_type(CASE WHEN json_valid(s) THEN s END) = 'OBJECT', FALSE);
        CREATE OR REPLACE MACRO main.is_valid_json_array(s) AS coalesce(json_type(CASE WHEN json_valid(s) THEN s END) = 'ARRAY', FALSE);
        CREATE OR REPLACE MACRO main.json_parse(s) AS CAST(s AS JSON);
        CREATE OR REPLACE MACRO main.json_serialize(s) AS CAST(s AS VARCHAR);
        CREATE OR REPLACE MACRO main.pg_get_function_result(f) AS
          (SELECT lower(any_value(return_type)) FROM duckdb_functions() WHERE function_oid = f);
        CREATE OR REPLACE MACRO main.pg_get_function_arguments(f) AS
          (SELECT lower(array_to_string(any_value(parameter_types), ', ')) FROM duckdb_functions() WHERE function_oid = f);
        CREATE OR REPLACE MACRO main.pg_backend_pid() AS CAST(getvariable('localshift_pid') AS INTEGER);
        CREATE OR REPLACE MACRO main.ls_invalid_json(s) AS error('invalid json object ' || s);
        CREATE OR REPLACE MACRO main.ls_div(a, b) AS CASE WHEN b = 0 AND a IS NOT NULL THEN error('division by zero') ELSE a // b END;
        CREATE OR REPLACE MACRO main.ls_mod(a, b) AS CASE WHEN b = 0 AND a IS NOT NULL THEN error('division by zero') ELSE a % b END;
        """;
}
