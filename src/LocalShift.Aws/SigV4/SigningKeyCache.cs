using System.Collections.Concurrent;

namespace LocalShift.Aws.SigV4;

/// <summary>
/// Signing keys change once a day per secret, region and service, so deriving them (four HMACs) on every request is
/// wasted work; AWS's own SDKs cache them the same way. Bounded: it starts over when full.
/// </summary>
public sealed class SigningKeyCache
{
    private const int Capacity = 4096;
    private readonly ConcurrentDictionary<(string Secret, string Date, string Region, string Service), byte[]> _keys = new();

    public byte[] Get(string secret, string date, string region, string service)
    {
        var id = (secret, date, region, service);
        if (_keys.TryGetValue(id, out var key)) return key;
        key = SigV4Signer.SigningKey(secret, date, region, service);
        if (_keys.Count >= Capacity) _keys.Clear();
        _keys[id] = key;
        return key;
    }
}
