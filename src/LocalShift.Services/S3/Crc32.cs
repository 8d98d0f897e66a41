namespace LocalShift.Services.S3;

/// <summary>The reflected CRC-32 family S3 checksums use: CRC32 (IEEE, poly 0xEDB88320) and CRC32C (Castagnoli, 0x82F63B78).</summary>
public sealed class Crc32
{
    private static readonly uint[] IeeeTable = Table(0xEDB88320u);
    private static readonly uint[] CastagnoliTable = Table(0x82F63B78u);
    private readonly uint[] _table;
    private uint _crc = 0xFFFFFFFFu;

    private Crc32(uint[] table) => _table = table;

    public static Crc32 Ieee() => new(IeeeTable);
    public static Crc32 Castagnoli() => new(CastagnoliTable);

    public void Append(ReadOnlySpan<byte> data)
    {
        var crc = _crc;
        foreach (var b in data) crc = _table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        _crc = crc;
    }

    /// <summary>The checksum as S3 sends it: four big-endian bytes.</summary>
    public byte[] Hash()
    {
        var v = ~_crc;
        return [(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v];
    }

    private static uint[] Table(uint poly)
    {
        var t = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? poly ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }
}
