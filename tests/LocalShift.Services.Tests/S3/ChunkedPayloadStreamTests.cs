using System.Text;
using LocalShift.Aws.SigV4;
using LocalShift.Core;
using LocalShift.Services.S3;

namespace LocalShift.Services.Tests.S3;

/// <summary>
/// The example of AWS's "Signature Calculations for the Authorization Header: Transferring Payload in Multiple Chunks"
/// and "... Including Trailing Headers" pages: 66560 bytes of 'a' sent as chunks of 65536, 1024 and 0 bytes by
/// AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY at 20130524T000000Z in us-east-1.
/// </summary>
public sealed class ChunkedPayloadStreamTests
{
    private const string Date = "20130524T000000Z";
    private const string Scope = "20130524/us-east-1/s3/aws4_request";
    private static readonly byte[] Key = SigV4Signer.SigningKey("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524", "us-east-1", "s3");

    private const string Seed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
    private static readonly string[] Signatures =
    [
        "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
        "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
        "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
    ];

    private const string TrailerSeed = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e";
    private static readonly string[] TrailerSignatures =
    [
        "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
        "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
        "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
    ];
    private const string TrailerSignature = "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435";

    private static byte[] Body(string[] signatures, string? trailer = null)
    {
        var sb = new MemoryStream();
        void Chunk(int size, string sig)
        {
            sb.Write(Encoding.ASCII.GetBytes($"{size:x};chunk-signature={sig}\r\n"));
            sb.Write(Enumerable.Repeat((byte)'a', size).ToArray());
            if (size > 0) sb.Write("\r\n"u8);
        }
        Chunk(65536, signatures[0]);
        Chunk(1024, signatures[1]);
        Chunk(0, signatures[2]);
        sb.Write(Encoding.ASCII.GetBytes(trailer ?? ""));
        sb.Write("\r\n"u8);
        return sb.ToArray();
    }

    private static async Task<(byte[] Data, ChunkedPayloadStream Stream)> Decode(byte[] body, string seed, int readSize = 7000)
    {
        var stream = new ChunkedPayloadStream(new MemoryStream(body), new ChunkSigning(Key, seed, Date, Scope));
        var output = new MemoryStream();
        var buffer = new byte[readSize];
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0) output.Write(buffer, 0, n);
        return (output.ToArray(), stream);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7000)]
    [InlineData(100_000)]
    public async Task The_documented_chunked_upload_decodes_to_66560_bytes_of_a(int readSize)
    {
        var (data, stream) = await Decode(Body(Signatures), Seed, readSize);

        Assert.Equal(66560, data.Length);
        Assert.All(data, b => Assert.Equal((byte)'a', b));
        Assert.Equal(66560, stream.DecodedLength);
    }

    [Fact]
    public async Task The_documented_upload_with_a_signed_crc32c_trailer_decodes_and_exposes_the_trailer()
    {
        var body = Body(TrailerSignatures, $"x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:{TrailerSignature}\r\n");

        var (data, stream) = await Decode(body, TrailerSeed);

        Assert.Equal(66560, data.Length);
        Assert.Equal("sOO8/Q==", stream.Trailers["x-amz-checksum-crc32c"]);
        var crc = S3Checksum.Create(S3Checksum.Crc32C);
        crc.Append(data);
        Assert.Equal("sOO8/Q==", Convert.ToBase64String(crc.Hash()));
    }

    [Fact]
    public async Task A_tampered_chunk_fails_with_SignatureDoesNotMatch()
    {
        var body = Body(Signatures);
        body[200] = (byte)'b';

        var e = await Assert.ThrowsAsync<AwsException>(() => Decode(body, Seed));
        Assert.Equal("SignatureDoesNotMatch", e.Code);
        Assert.Equal(403, e.HttpStatus);
    }

    [Fact]
    public async Task Chunks_signed_from_another_seed_fail()
    {
        var e = await Assert.ThrowsAsync<AwsException>(() => Decode(Body(Signatures), TrailerSeed));
        Assert.Equal("SignatureDoesNotMatch", e.Code);
    }

    [Fact]
    public async Task A_tampered_trailer_fails()
    {
        var body = Body(TrailerSignatures, $"x-amz-checksum-crc32c:AAAAAA==\r\nx-amz-trailer-signature:{TrailerSignature}\r\n");

        var e = await Assert.ThrowsAsync<AwsException>(() => Decode(body, TrailerSeed));
        Assert.Equal("SignatureDoesNotMatch", e.Code);
    }

    [Fact]
    public async Task A_body_cut_inside_a_chunk_is_an_error_not_a_short_object()
    {
        var body = Body(Signatures)[..40_000];

        var e = await Assert.ThrowsAsync<AwsException>(() => Decode(body, Seed));
        Assert.Equal("IncompleteBody", e.Code);
    }

    [Fact]
    public async Task Unsigned_chunks_with_a_trailer_decode()
    {
        var body = Encoding.ASCII.GetBytes("5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n");
        var stream = new ChunkedPayloadStream(new MemoryStream(body), null);

        var text = await new StreamReader(stream).ReadToEndAsync();

        Assert.Equal("hello world", text);
        Assert.Equal("DUoRhQ==", stream.Trailers["x-amz-checksum-crc32"]);
        var crc = S3Checksum.Create(S3Checksum.Crc32);
        crc.Append("hello world"u8);
        Assert.Equal("DUoRhQ==", Convert.ToBase64String(crc.Hash()));
    }
}
