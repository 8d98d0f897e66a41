using System.Net;

namespace LocalShift.Policy.Conditions;

/// <summary>IpAddress: the request address lies in the policy's CIDR block (IPv4 or IPv6; a bare address is /32 or /128).</summary>
public sealed class IpAddressTest : ValueTest
{
    private readonly byte[] network;
    private readonly int prefix;

    private IpAddressTest(byte[] network, int prefix)
    {
        this.network = network;
        this.prefix = prefix;
    }

    public static ValueTest? Create(string value)
    {
        var slash = value.IndexOf('/');
        var addressText = slash < 0 ? value : value[..slash];
        if (!IPAddress.TryParse(addressText.Trim(), out var address)) return null;
        var bytes = address.GetAddressBytes();
        var prefix = bytes.Length * 8;
        if (slash >= 0 && (!int.TryParse(value.AsSpan(slash + 1), out prefix) || prefix < 0 || prefix > bytes.Length * 8)) return null;
        return new IpAddressTest(bytes, prefix);
    }

    // One request's address is tested against many CIDR blocks; keep its parsed bytes for the next test.
    [ThreadStatic] private static string? lastText;
    [ThreadStatic] private static byte[]? lastBytes;

    private static byte[]? Parse(string contextValue)
    {
        if (ReferenceEquals(contextValue, lastText)) return lastBytes;
        var slash = contextValue.IndexOf('/');
        byte[]? bytes = null;
        if (IPAddress.TryParse(slash < 0 ? contextValue : contextValue[..slash], out var address))
            bytes = (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).GetAddressBytes();
        lastText = contextValue;
        lastBytes = bytes;
        return bytes;
    }

    public override bool Matches(string contextValue)
    {
        var bytes = Parse(contextValue);
        if (bytes is null || bytes.Length != network.Length) return false;
        var full = prefix / 8;
        if (!bytes[..full].SequenceEqual(network.AsSpan(0, full))) return false;
        var rest = prefix % 8;
        if (rest == 0) return true;
        var mask = (byte)(0xFF << (8 - rest));
        return (bytes[full] & mask) == (network[full] & mask);
    }
}
