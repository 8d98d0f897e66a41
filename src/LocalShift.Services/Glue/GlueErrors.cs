using LocalShift.Core;

namespace LocalShift.Services.Glue;

/// <summary>
/// Glue's errors: its JSON-protocol codes with the texts AWS answers. Glue answers every client error with HTTP 400,
/// an access denial included.
/// </summary>
public static class GlueErrors
{
    public static AwsException DatabaseNotFound(string name) => new("EntityNotFoundException", $"Database {name} not found.");
    public static AwsException TableNotFound(string name) => new("EntityNotFoundException", $"Table {name} not found.");
    public static AwsException PartitionNotFound() => new("EntityNotFoundException", "Cannot find partition.");
    public static AwsException DatabaseAlreadyExists() => new("AlreadyExistsException", "Database already exists.");
    public static AwsException TableAlreadyExists() => new("AlreadyExistsException", "Table already exists.");
    public static AwsException PartitionAlreadyExists() => new("AlreadyExistsException", "Partition already exists.");
    public static AwsException InvalidInput(string message) => new("InvalidInputException", message);

    // unverified: AWS's text.
    public static AwsException EntityNotFound(string arn) => new("EntityNotFoundException", $"Entity not found: {arn}");

    // unverified: AWS's text.
    public static AwsException PartitionValuesMismatch() =>
        InvalidInput("The number of partition keys do not match the number of partition values.");

    // unverified: AWS's text.
    public static AwsException InvalidNextToken() => InvalidInput("Invalid pagination token.");

    // unverified: AWS's text.
    public static AwsException VersionMismatch(string current) =>
        new("ConcurrentModificationException", $"The table has been updated: its current version is {current}.");

    /// <summary>
    /// The policy engine denies with the generic <c>AccessDenied</c>; Glue's JSON protocol names the same denial
    /// <c>AccessDeniedException</c>, with the same text.
    /// </summary>
    public static AwsException AccessDenied(AwsException denial) => new("AccessDeniedException", denial.Message, 400);
}
