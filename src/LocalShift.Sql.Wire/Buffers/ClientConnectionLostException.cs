namespace LocalShift.Sql.Wire.Buffers;

/// <summary>
/// Reading from or writing to the client's connection failed (it closed, reset, or the server closed it). Only the
/// read and write buffers raise it, so the session can tell the end of its connection from a statement that failed
/// with an I/O error of its own (a file the engine could not read), which the client is told about.
/// </summary>
public sealed class ClientConnectionLostException(Exception inner) : IOException("the client connection ended: " + inner.Message, inner)
{
    internal static bool IsTransportFailure(Exception e) =>
        e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException or OperationCanceledException;
}
