using LocalShift.Core;

namespace LocalShift.Services.RedshiftData;

/// <summary>
/// The Data API's errors: the model's codes (json protocol, HTTP 400 for client errors) with AWS's texts where they are
/// known, else LocalShift's wording marked unverified.
/// </summary>
public static class DataApiErrors
{
    public static AwsException Validation(string message) => new("ValidationException", message);

    // AWS's text for a ClusterIdentifier the Data API does not find (as users report it: aws/aws-cdk#30536).
    public static AwsException EndpointNotFound() => Validation("Redshift endpoint doesn't exist in this region.");

    // unverified: AWS's text.
    public static AwsException StatementNotFound(string id) => new("ResourceNotFoundException", $"Query does not exist. Statement id: {id}");

    // unverified: AWS's text.
    public static AwsException NoResult() =>
        new("ResourceNotFoundException", "Query does not have result. Please check query status with DescribeStatement.");

    // unverified: AWS's text.
    public static AwsException NotFinished(string status) =>
        Validation($"Query has not finished: its status is {status}. Please check query status with DescribeStatement.");

    // As users report AWS's answer for canceling a statement that has ended.
    public static AwsException CannotCancel(string status) => Validation($"Could not cancel a query that is already in {status} state.");

    // unverified: AWS's text.
    public static AwsException TooManyActive(int limit) =>
        new("ActiveStatementsExceededException", $"The number of active statements exceeds the limit of {limit}.");

    // unverified: AWS's text.
    public static AwsException InvalidNextToken() => Validation("The NextToken is not valid.");

    public static AwsException DatabaseConnection(string message) => new("DatabaseConnectionException", message, 500, senderFault: false);

    /// <summary>The policy engine's AccessDenied as the Data API's json protocol names it, with the same text.</summary>
    public static AwsException AccessDenied(AwsException denial) => new("AccessDeniedException", denial.Message, 400);
}
