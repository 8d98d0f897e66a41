using System.Text.Json;
using LocalShift.Engine;
using LocalShift.Sql.RolePath;
using LocalShift.Sql.Routing;
using static LocalShift.Sql.Lexing.TokenCursor;

namespace LocalShift.Sql.Copy;

/// <summary>COPY's target: the table (a temporary one first), its columns as the load takes them, its id and the session's.</summary>
public sealed partial class CopyRunner
{
    /// <summary>The target's table id (stl_load_errors.tbl, svv_table_info.table_id) and the session's process id.</summary>
    private long _tableId;

    private int _session;

    private (long Table, int Session) TableAndSession(string schema)
    {
        var table = context.Engine.Catalog.TableId(schema, copy.Table, _temp) ?? 0;
        return (table, context.ProcessId);
    }

    /// <summary>The load's target is a temporary table of the session (an unqualified name that one holds).</summary>
    private bool _temp;

    private bool IsTemporary(string table)
    {
        // A temporary table or view: one with a column in the session's temporary database.
        using var result = context.Engine.Query($"SELECT count(*) FROM {context.Engine.Catalog.Relation(CatalogRelation.Columns)} c " +
                                                $"WHERE database_name = 'temp' AND table_name = {QuoteLiteral(table)}");
        result.Read();
        return Convert.ToInt64(result.GetValue(0)) > 0;
    }

    private List<TargetColumn> TargetColumns(string schema)
    {
        var all = new List<TargetColumn>();
        using (var result = context.Engine.Query(
            $"SELECT column_name, data_type, coalesce(column_default, ''), is_nullable FROM {context.Engine.Catalog.Relation(CatalogRelation.Columns)} c " +
            $"WHERE {(_temp ? "database_name = 'temp'" : $"schema_name = {QuoteLiteral(schema)}")} AND table_name = {QuoteLiteral(copy.Table)} ORDER BY column_index"))
            while (result.Read())
                all.Add(new TargetColumn((string)result.GetValue(0)!, (string)result.GetValue(1)!, Identity: Dialect.CreateTableRewriter.IsIdentityDefault((string)result.GetValue(2)!),
                    NotNull: result.GetValue(3) is false));
        if (all.Count == 0) throw new PgException(SqlState.UndefinedTable, $"relation \"{(copy.Schema is null ? "" : copy.Schema + ".")}{copy.Table}\" does not exist");
        var widths = ColumnWidths.Of(context.Engine, schema, copy.Table);
        all = all.Select(c => c.IsText && widths.TryGetValue(c.Name, out var w) ? c with { Width = w } : c).ToList();
        // "Loading default column values": IDENTITY columns take the file's values only with EXPLICIT_IDS, and then the
        // column list (if any) must name them; without a list, the file has fields for the other columns only.
        if (copy.Columns is null) return copy.ExplicitIds ? all : all.Where(c => !c.Identity).ToList();
        var listed = copy.Columns.Select(name => all.FirstOrDefault(c => c.Name == name)
            ?? throw new PgException(SqlState.UndefinedColumn, $"column \"{name}\" of relation \"{copy.Table}\" does not exist")).ToList();
        // unverified: Redshift's texts for these two refusals.
        if (!copy.ExplicitIds && listed.FirstOrDefault(c => c.Identity) is { } named)
            throw new PgException(SqlState.FeatureNotSupported, $"Cannot load IDENTITY column \"{named.Name}\" without EXPLICIT_IDS",
                hint: "Add EXPLICIT_IDS to load the file's values into it, or leave it out of the column list to have it generated.");
        if (copy.ExplicitIds && all.FirstOrDefault(c => c.Identity && !listed.Contains(c)) is { } omitted)
            throw new PgException(SqlState.FeatureNotSupported, $"EXPLICIT_IDS needs the IDENTITY column \"{omitted.Name}\" in the column list");
        return listed;
    }

    private int ColumnsCount() => TargetColumns(copy.Schema ?? "public").Count;
}
