using LocalShift.Aws.Edge;

namespace LocalShift.Aws.Tests;

/// <summary>When an answer must close its connection, from what was read of the request body when it starts.</summary>
public class UnreadBodyGuardTests
{
    [Fact]
    public void A_body_read_to_its_end_keeps_the_connection()
    {
        Assert.False(UnreadBodyGuard.MustClose(contentLength: 10, expectsContinue: true, readStarted: true, bytesRead: 10, sawEnd: false));
        Assert.False(UnreadBodyGuard.MustClose(contentLength: null, expectsContinue: false, readStarted: true, bytesRead: 5, sawEnd: true));
        Assert.False(UnreadBodyGuard.MustClose(contentLength: 0, expectsContinue: true, readStarted: false, bytesRead: 0, sawEnd: false));
    }

    [Fact]
    public void A_held_back_body_closes_the_connection_however_small()
    {
        Assert.True(UnreadBodyGuard.MustClose(contentLength: 1, expectsContinue: true, readStarted: false, bytesRead: 0, sawEnd: false));
    }

    [Fact]
    public void A_body_on_its_way_is_drained_up_to_the_limit_and_closes_the_connection_beyond()
    {
        Assert.False(UnreadBodyGuard.MustClose(UnreadBodyGuard.DrainLimit, expectsContinue: false, readStarted: false, bytesRead: 0, sawEnd: false));
        Assert.False(UnreadBodyGuard.MustClose(UnreadBodyGuard.DrainLimit + 100, expectsContinue: true, readStarted: true, bytesRead: 100, sawEnd: false));
        Assert.True(UnreadBodyGuard.MustClose(UnreadBodyGuard.DrainLimit + 1, expectsContinue: false, readStarted: false, bytesRead: 0, sawEnd: false));
    }

    [Fact]
    public void A_chunked_body_not_read_to_its_end_closes_the_connection()
    {
        Assert.True(UnreadBodyGuard.MustClose(contentLength: null, expectsContinue: false, readStarted: true, bytesRead: 3, sawEnd: false));
    }
}
