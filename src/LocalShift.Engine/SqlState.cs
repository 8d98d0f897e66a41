namespace LocalShift.Engine;

/// <summary>PostgreSQL SQLSTATE codes used by the endpoint, grouped by class as in the PostgreSQL manual (Appendix A).</summary>
public static class SqlState
{
    // Class 00 — Successful Completion
    public const string SuccessfulCompletion = "00000";

    // Class 01 — Warning
    public const string Warning = "01000";

    // Class 08 — Connection Exception
    public const string ProtocolViolation = "08P01";
    public const string ConnectionFailure = "08006";

    // Class 0A — Feature Not Supported
    public const string FeatureNotSupported = "0A000";

    // Class 22 — Data Exception
    public const string DataException = "22000";
    public const string NumericValueOutOfRange = "22003";
    public const string InvalidDatetimeFormat = "22007";
    public const string DivisionByZero = "22012";
    public const string InvalidParameterValue = "22023";
    public const string InvalidTextRepresentation = "22P02";
    public const string BadCopyFileFormat = "22P04";
    public const string InvalidBinaryRepresentation = "22P03";
    public const string StringDataRightTruncation = "22001";

    // Class 23 — Integrity Constraint Violation
    public const string NotNullViolation = "23502";
    public const string ForeignKeyViolation = "23503";
    public const string UniqueViolation = "23505";
    public const string CheckViolation = "23514";

    // Class 25 — Invalid Transaction State
    public const string ActiveSqlTransaction = "25001";
    public const string NoActiveSqlTransaction = "25P01";
    public const string InFailedSqlTransaction = "25P02";

    // Class 26 — Invalid SQL Statement Name
    public const string InvalidSqlStatementName = "26000";

    // Class 28 — Invalid Authorization Specification
    public const string InvalidAuthorizationSpecification = "28000";
    public const string InvalidPassword = "28P01";

    // Class 34 — Invalid Cursor Name
    public const string InvalidCursorName = "34000";

    // Class 3D — Invalid Catalog Name
    public const string InvalidCatalogName = "3D000";

    // Class 3F — Invalid Schema Name
    public const string InvalidSchemaName = "3F000";

    // Class 42 — Syntax Error or Access Rule Violation
    public const string SyntaxError = "42601";
    public const string InsufficientPrivilege = "42501";
    public const string UndefinedColumn = "42703";
    public const string UndefinedFunction = "42883";
    public const string UndefinedTable = "42P01";
    public const string UndefinedObject = "42704";
    public const string DuplicateObject = "42710";
    public const string DuplicateFunction = "42723";
    public const string InvalidFunctionDefinition = "42P13";
    public const string AmbiguousFunction = "42725";
    public const string DuplicateTable = "42P07";
    public const string DuplicateSchema = "42P06";
    public const string DuplicatePreparedStatement = "42P05";
    public const string DuplicateCursor = "42P03";
    public const string DatatypeMismatch = "42804";
    public const string WrongObjectType = "42809";
    public const string AmbiguousColumn = "42702";
    public const string UndefinedParameter = "42P02";
    public const string InvalidSchemaDefinition = "42P15";

    // Class 2B — Dependent Privilege Descriptors Still Exist
    public const string DependentObjectsStillExist = "2BP01";

    // Class 55 — Object Not In Prerequisite State
    public const string ObjectNotInPrerequisiteState = "55000";

    // Class 53 — Insufficient Resources
    public const string OutOfMemory = "53200";
    public const string TooManyConnections = "53300";

    // Class 54 — Program Limit Exceeded
    public const string StatementTooComplex = "54001";

    // Class 57 — Operator Intervention
    public const string QueryCanceled = "57014";
    public const string AdminShutdown = "57P01";

    // Class XX — Internal Error
    public const string InternalError = "XX000";
}
