using LocalShift.Core;
using LocalShift.Engine;

namespace LocalShift.Sql.RolePath;

/// <summary>Redshift's error texts on the role path (SPEC.md §5), with LocalShift's explanation in the DETAIL block.</summary>
public static class RolePathErrors
{
    public static PgException NotAuthorized(string dbUserArn, string roleArn, string explanation) =>
        new(SqlState.InternalError, $"User {dbUserArn} is not authorized to assume IAM Role {roleArn}",
            detail: Block($"User {dbUserArn} is not authorized to assume IAM Role {roleArn}", "8001", $"IAM Role={roleArn}", explanation));

    public static PgException NoDefaultRole() =>
        new(SqlState.InternalError, "Cannot find default IAM role on this cluster",
            detail: Block("Cannot find default IAM role on this cluster", "30001", "IAM_ROLE default",
                "the cluster has no DefaultIamRoleArn; set one with aws redshift modify-cluster-iam-roles --default-iam-role-arn"));

    /// <summary>An S3 error as Redshift reports it: <c>S3ServiceException:&lt;message&gt;,Status n,Error Code,Rid id</c>.</summary>
    public static PgException S3(AwsException e, string requestId, string context)
    {
        var message = e.Code == "AccessDenied" ? "Access Denied" : e.Message;
        var text = $"S3ServiceException:{message},Status {e.HttpStatus},Error {e.Code},Rid {requestId}";
        return new PgException(SqlState.InternalError, text, detail: Block(text, "8001", context, e.Message));
    }

    public static PgException S3(string code, string message, int status, string requestId, string context, string explanation)
    {
        var text = $"S3ServiceException:{message},Status {status},Error {code},Rid {requestId}";
        return new PgException(SqlState.InternalError, text, detail: Block(text, "8001", context, explanation));
    }

    /// <summary>Stands for the statement's query id in a DETAIL block until <see cref="WithQuery"/> fills it in.</summary>
    private const string QueryPlaceholder = "{query}";

    /// <summary>The error with the statement's query id (stl_query.query) in its DETAIL block, as Redshift shows it.</summary>
    public static PgException WithQuery(PgException e, long queryId) =>
        e.Detail is { } detail && detail.Contains("query:     " + QueryPlaceholder, StringComparison.Ordinal)
            ? new PgException(e.SqlState, e.Message, detail.Replace("query:     " + QueryPlaceholder, "query:     " + queryId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal), e.Hint)
            {
                Position = e.Position, Severity = e.Severity, SourceFile = e.SourceFile,
            }
            : e;

    private static string Block(string error, string code, string context, string explanation) => $"""

          -----------------------------------------------
          error:  {error}
          code:      {code}
          context:   {context}
          query:     {QueryPlaceholder}
          localshift: {explanation}
          -----------------------------------------------
        """;
}
