using System.Text.RegularExpressions;
using LocalShift.Engine;
using LocalShift.Sql.Users;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.Copy;

/// <summary>A character column's declared type: VARCHAR or CHAR, and its width in bytes as Redshift counts it.</summary>
public sealed record ColumnWidth(string Type, int Width)
{
    public string TypeName => $"{Type}({Width})";
}

/// <summary>
/// The declared widths of CHAR/VARCHAR columns, which DuckDB does not keep. They are read from the declared types
/// CREATE TABLE recorded (<see cref="Dialect.TableAttributes"/>, table <c>__localshift.column_attributes</c>, which
/// also follows ALTER TABLE and DROP TABLE), and COPY enforces them as Redshift does: a value longer than the column
/// fails the load (error 1204) unless TRUNCATECOLUMNS is given. Widths are bytes of UTF-8, as in Redshift.
/// </summary>
public static partial class ColumnWidths
{
    public const int MaxVarchar = 65535;
    public const int MaxChar = 4096;

    /// <summary>The width of a Redshift type name (<c>character varying(10)</c>, <c>character(3)</c>); null for other types.</summary>
    public static ColumnWidth? FromTypeName(string typeName)
    {
        var match = CharacterType().Match(typeName);
        if (!match.Success || !int.TryParse(match.Groups[2].Value, out var width) || width <= 0) return null;
        return match.Groups[1].Success ? new ColumnWidth("varchar", Math.Min(width, MaxVarchar)) : new ColumnWidth("char", Math.Min(width, MaxChar));
    }

    /// <summary>The recorded widths of a table's columns, by column name.</summary>
    public static Dictionary<string, ColumnWidth> Of(IEngineSession engine, string schema, string table)
    {
        var result = new Dictionary<string, ColumnWidth>(StringComparer.Ordinal);
        using var rows = engine.Query($"SELECT column_name, type_name FROM {UserDirectory.Schema}.column_attributes " +
                                      $"WHERE schema_name = {QuoteLiteral(schema)} AND table_name = {QuoteLiteral(table)}");
        while (rows.Read())
            if (FromTypeName((string)rows.GetValue(1)!) is { } width) result[(string)rows.GetValue(0)!] = width;
        return result;
    }

    [GeneratedRegex(@"^character( varying)?\((\d+)\)$")]
    private static partial Regex CharacterType();
}
