namespace LocalShift.Engine;

/// <summary>A result column as described to the client.</summary>
public sealed record PgColumn(string Name, int TypeOid, int TypeModifier = -1, int TableOid = 0, short ColumnNumber = 0);
