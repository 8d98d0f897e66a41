using LocalShift.Sql.Wire.Buffers;

namespace LocalShift.Sql.Wire.Messages.Frontend;

/// <summary>Bind ('B'): portal, statement, parameter values with their formats, and the result formats wanted.</summary>
public sealed record Bind(string PortalName, string StatementName, short[] ParameterFormats, byte[]?[] ParameterValues, short[] ResultFormats)
{
    public static Bind Read(FrontendMessage message)
    {
        var reader = message.Reader();
        var portal = reader.ReadCString();
        var statement = reader.ReadCString();
        var formats = new short[reader.ReadInt16()];
        for (var i = 0; i < formats.Length; i++) formats[i] = reader.ReadInt16();
        var values = new byte[]?[reader.ReadInt16()];
        for (var i = 0; i < values.Length; i++)
        {
            var length = reader.ReadInt32();
            values[i] = length < 0 ? null : reader.ReadBytes(length).ToArray();
        }
        var results = new short[reader.ReadInt16()];
        for (var i = 0; i < results.Length; i++) results[i] = reader.ReadInt16();
        return new Bind(portal, statement, formats, values, results);
    }

    /// <summary>The format of parameter <paramref name="index"/>: none given = text, one = all, else one each.</summary>
    public short ParameterFormat(int index) => ParameterFormats.Length switch
    {
        0 => 0,
        1 => ParameterFormats[0],
        _ => ParameterFormats[index],
    };
}
