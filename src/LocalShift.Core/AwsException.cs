namespace LocalShift.Core;

/// <summary>An error an AWS service answers with: a code, a message and an HTTP status. Raised by any layer, written once at the edge.</summary>
public class AwsException : Exception
{
    public AwsException(string code, string message, int httpStatus = 400, bool senderFault = true) : base(message)
    {
        Code = code;
        HttpStatus = httpStatus;
        SenderFault = senderFault;
    }

    public string Code { get; }
    public int HttpStatus { get; }
    /// <summary>True for client errors (`Sender`), false for service errors (`Receiver`).</summary>
    public bool SenderFault { get; }

    public static AwsException Validation(string message) => new("ValidationError", message);
    public static AwsException InvalidParameterValue(string message) => new("InvalidParameterValue", message);
    public static AwsException MissingParameter(string name) =>
        new("MissingParameter", $"The request must contain the parameter {name}");
    public static AwsException NotImplemented(string service, string operation) =>
        new("NotImplemented", $"The operation {operation} of service {service} is not implemented by LocalShift.", 501);
}
