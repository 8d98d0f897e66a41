using System.Runtime.InteropServices;
using LocalShift.Aws.Edge;

namespace LocalShift.Aws.Tests;

/// <summary>Kestrel's connection buffers (<see cref="LargeBlockMemoryPool"/>): reused, and never leased to two owners at once.</summary>
public class LargeBlockMemoryPoolTests
{
    private static byte[] ArrayOf(Memory<byte> memory) =>
        MemoryMarshal.TryGetArray<byte>(memory, out var segment) ? segment.Array! : throw new InvalidOperationException("not an array");

    [Fact]
    public void Blocks_are_64_KiB_and_a_returned_block_is_leased_again()
    {
        using var pool = new LargeBlockMemoryPool();
        Assert.Equal(64 * 1024, pool.MaxBufferSize);
        var first = pool.Rent(2048);
        Assert.Equal(64 * 1024, first.Memory.Length);
        var array = ArrayOf(first.Memory);
        first.Dispose();
        using var second = pool.Rent(4096);
        Assert.Same(array, ArrayOf(second.Memory));
    }

    [Fact]
    public void A_block_disposed_twice_goes_to_one_renter_only()
    {
        using var pool = new LargeBlockMemoryPool();
        var block = pool.Rent();
        block.Dispose();
        block.Dispose();
        using var a = pool.Rent();
        using var b = pool.Rent();
        Assert.NotSame(ArrayOf(a.Memory), ArrayOf(b.Memory));
    }

    [Fact]
    public void A_request_larger_than_a_block_gets_enough_memory()
    {
        using var pool = new LargeBlockMemoryPool();
        using var big = pool.Rent(200_000);
        Assert.True(big.Memory.Length >= 200_000);
    }

    [Fact]
    public void The_factory_gives_each_caller_a_pool_of_its_own()
    {
        var factory = new LargeBlockMemoryPoolFactory();
        using var one = factory.Create();
        using var two = factory.Create();
        Assert.NotSame(one, two);
        Assert.IsType<LargeBlockMemoryPool>(one);
    }
}
