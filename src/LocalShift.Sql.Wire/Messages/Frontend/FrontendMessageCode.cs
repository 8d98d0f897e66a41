namespace LocalShift.Sql.Wire.Messages.Frontend;

/// <summary>Type bytes of the frontend messages, and the codes of the untyped startup packets.</summary>
public static class FrontendMessageCode
{
    public const byte Bind = (byte)'B';
    public const byte Close = (byte)'C';
    public const byte Describe = (byte)'D';
    public const byte Execute = (byte)'E';
    public const byte Flush = (byte)'H';
    public const byte Parse = (byte)'P';
    public const byte Password = (byte)'p';
    public const byte Query = (byte)'Q';
    public const byte Sync = (byte)'S';
    public const byte Terminate = (byte)'X';
    public const byte CopyData = (byte)'d';
    public const byte CopyDone = (byte)'c';
    public const byte CopyFail = (byte)'f';

    public const int ProtocolVersion3 = 196608;
    public const int SslRequest = 80877103;
    public const int GssEncRequest = 80877104;
    public const int CancelRequest = 80877102;
}
