using LocalShift.Sql.Wire.Buffers;

namespace LocalShift.Sql.Wire.Messages.Frontend;

/// <summary>Parse ('P'): a statement name, its SQL text and the parameter types the client fixed (0 = infer).</summary>
public sealed record Parse(string StatementName, string Sql, int[] ParameterTypeOids)
{
    public static Parse Read(FrontendMessage message)
    {
        var reader = message.Reader();
        var name = reader.ReadCString();
        var sql = reader.ReadCString();
        var count = reader.ReadInt16();
        var oids = new int[count];
        for (var i = 0; i < count; i++) oids[i] = reader.ReadInt32();
        return new Parse(name, sql, oids);
    }
}
