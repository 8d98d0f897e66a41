using System.Text;

namespace LocalShift.Engine.DuckDb;

/// <summary>
/// <see cref="EngineFunction"/>s as DuckDB macros: <c>CREATE OR REPLACE [TEMP] MACRO name(params) AS [TABLE] body</c>,
/// overloads as further <c>(params) AS body</c>. A function of a memory catalog lives in a <c>:memory:</c> database
/// attached under that name (DuckDB stores typed macro parameters only in a newer storage version than a cluster's file
/// may have).
/// </summary>
internal static class DuckDbFunctionSql
{
    public static string Define(IReadOnlyList<EngineFunction> functions)
    {
        var sql = new StringBuilder();
        var attached = new HashSet<string>(StringComparer.Ordinal);
        foreach (var function in functions)
        {
            if (function.Overloads.Count == 0) throw new ArgumentException($"function {function.Name} has no overload", nameof(functions));
            string name;
            if (function.Session) name = function.Name;
            else if (function.MemoryCatalog is { } catalog)
            {
                if (attached.Add(catalog)) sql.Append("ATTACH IF NOT EXISTS ':memory:' AS ").Append(catalog).Append(";\n");
                name = $"{catalog}.{function.Schema}.{function.Name}";
            }
            else name = $"{function.Schema}.{function.Name}";
            sql.Append(function.Session ? "CREATE OR REPLACE TEMP MACRO " : "CREATE OR REPLACE MACRO ").Append(name);
            for (var i = 0; i < function.Overloads.Count; i++)
            {
                var overload = function.Overloads[i];
                if (i > 0) sql.Append(", ");
                sql.Append('(').Append(string.Join(", ", overload.Parameters.Select(p => p.Type is null ? p.Name : $"{p.Name} {p.Type}"))).Append(") AS ");
                if (function.ReturnsRows) sql.Append("TABLE ");
                sql.Append(overload.Body);
            }
            sql.Append(";\n");
        }
        return sql.ToString();
    }
}
