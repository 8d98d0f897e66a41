using Api = LocalShift.Services.Redshift.Shapes;

namespace LocalShift.Services.Redshift;

/// <summary>
/// The parameters of the default parameter group (family redshift-1.0) with the default values AWS's parameter-group
/// page lists. Descriptions are LocalShift's short wording; data types and allowed values are LocalShift's reading of
/// that page (unverified against a live DescribeClusterParameters answer).
/// </summary>
public static class DefaultParameters
{
    public static readonly IReadOnlyList<Api.Parameter> All =
    [
        P("auto_analyze", "true", "Runs ANALYZE automatically.", "boolean", "true,false"),
        P("auto_mv", "true", "Creates and refreshes automated materialized views.", "boolean", "true,false"),
        P("datestyle", "ISO, MDY", "How dates are shown.", "string", "ISO, MDY"),
        P("enable_case_sensitive_identifier", "false", "Whether identifiers keep their case.", "boolean", "true,false"),
        P("enable_user_activity_logging", "false", "Logs every query before it runs (with audit logging on).", "boolean", "true,false", "static"),
        P("extra_float_digits", "0", "Extra digits shown for floating point values.", "integer", "-15-2"),
        P("max_concurrency_scaling_clusters", "1", "Most concurrency scaling clusters.", "integer", "0-10"),
        P("max_cursor_result_set_size", "default", "Largest cursor result set, in megabytes.", "integer", "0-14400000", "static"),
        P("query_group", "default", "Label of the session's queries for workload management.", "string", "", "dynamic"),
        P("require_ssl", "false", "Whether connections must use SSL.", "boolean", "true,false", "static"),
        P("search_path", "$user, public", "The schema search path.", "string", ""),
        P("statement_timeout", "0", "Statement timeout in milliseconds (0: none).", "integer", "0,100-2147483647"),
        P("use_fips_ssl", "false", "Whether SSL connections use FIPS-compliant ciphers.", "boolean", "true,false", "static"),
        P("wlm_json_configuration", "[{\"auto_wlm\":true}]", "The workload management configuration.", "string", ""),
    ];

    private static Api.Parameter P(string name, string value, string description, string type, string allowed, string apply = "dynamic") =>
        new(name, value, description, "engine-default", type, allowed, apply, true, "1.0");
}
