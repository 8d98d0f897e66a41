using System.Security.Cryptography;
using LocalShift.Storage.Objects;

namespace LocalShift.Storage.Tests.Objects;

/// <summary>
/// MD5 of messages hashed side by side in <see cref="Md5Lanes"/>, each fed in chunks of random sizes while the other
/// lanes hold messages of other lengths, checked against the platform's <see cref="MD5.HashData(byte[])"/>.
/// </summary>
public sealed class Md5LanesTests
{
    /// <summary>Feeds each message in random chunks, a random subset of the unfinished messages per call, and returns the digests.</summary>
    private static byte[][] HashInLanes(byte[][] messages, Random random, int maxChunk)
    {
        var states = messages.Select(_ => new Md5State()).ToArray();
        var at = new int[messages.Length];
        while (true)
        {
            var open = Enumerable.Range(0, messages.Length).Where(i => at[i] < messages[i].Length).OrderBy(_ => random.Next()).ToList();
            if (open.Count == 0) break;
            var chosen = open.Take(random.Next(1, Md5Lanes.Width + 1)).ToList();
            var data = new ReadOnlyMemory<byte>[chosen.Count];
            for (var j = 0; j < chosen.Count; j++)
            {
                var i = chosen[j];
                var n = Math.Min(messages[i].Length - at[i], random.Next(0, maxChunk + 1));
                data[j] = messages[i].AsMemory(at[i], n);
                at[i] += n;
            }
            Md5Lanes.Update(chosen.Select(i => states[i]).ToArray(), data);
        }
        return states.Select(Md5Lanes.Finish).ToArray();
    }

    private static byte[] Bytes(int size, Random random)
    {
        var b = new byte[size];
        random.NextBytes(b);
        return b;
    }

    [Theory]
    [InlineData(1, 7)]
    [InlineData(2, 64)]
    [InlineData(3, 200)]
    public void Every_length_from_0_to_300_in_lanes_matches_MD5(int seed, int maxChunk)
    {
        var random = new Random(seed);
        var messages = Enumerable.Range(0, 301).Select(n => Bytes(n, random)).ToArray();
        var digests = HashInLanes(messages, random, maxChunk);
        for (var n = 0; n <= 300; n++)
            Assert.True(MD5.HashData(messages[n]).AsSpan().SequenceEqual(digests[n]), $"length {n}");
    }

    [Theory]
    [InlineData(10)]
    [InlineData(11)]
    public void Random_lengths_up_to_3_MiB_of_unequal_lanes_match_MD5(int seed)
    {
        var random = new Random(seed);
        var messages = Enumerable.Range(0, 12).Select(_ => Bytes(random.Next(0, 3 << 20), random)).ToArray();
        var digests = HashInLanes(messages, random, 300_000);
        for (var i = 0; i < messages.Length; i++)
            Assert.Equal(Convert.ToHexStringLower(MD5.HashData(messages[i])), Convert.ToHexStringLower(digests[i]));
    }

    [Fact]
    public void A_message_fed_alone_and_the_empty_message_match_MD5()
    {
        var state = new Md5State();
        var body = Bytes(1_000_003, new Random(5));
        Md5Lanes.Update(state, body.AsMemory(0, 999_999));
        Md5Lanes.Update(state, body.AsMemory(999_999));
        Assert.Equal(MD5.HashData(body), Md5Lanes.Finish(state));
        Assert.Equal(MD5.HashData([]), Md5Lanes.Finish(new Md5State()));
        Assert.Equal(body.Length, state.BytesHashed);
    }

    [Fact]
    public void More_than_eight_lanes_at_once_are_refused()
    {
        var states = Enumerable.Range(0, Md5Lanes.Width + 1).Select(_ => new Md5State()).ToArray();
        Assert.Throws<ArgumentException>(() => Md5Lanes.Update(states, states.Select(_ => ReadOnlyMemory<byte>.Empty).ToArray()));
    }
}
