using LocalShift.Aws;
using LocalShift.Core;
using LocalShift.Services.Glue.Shapes;

namespace LocalShift.Services.Glue;

public sealed partial class GlueService
{
    public void TagResource(AwsCall call, TagResourceRequest p)
    {
        var arn = TaggedResource(call, "glue:TagResource", p.ResourceArn);
        _store.AddTags(arn, p.TagsToAdd);
    }

    public void UntagResource(AwsCall call, UntagResourceRequest p)
    {
        var arn = TaggedResource(call, "glue:UntagResource", p.ResourceArn);
        _store.RemoveTags(arn, p.TagsToRemove);
    }

    public GetTagsResponse GetTags(AwsCall call, GetTagsRequest p)
    {
        var arn = TaggedResource(call, "glue:GetTags", p.ResourceArn);
        return new GetTagsResponse(_store.GetTags(arn));
    }

    /// <summary>
    /// Authorizes the tag action on the resource's ARN, then checks that it names a database or a table of this
    /// catalog that exists (the only taggable Glue resources LocalShift has).
    /// </summary>
    private string TaggedResource(AwsCall call, string action, string resourceArn)
    {
        if (!Arn.TryParse(resourceArn, out var arn) || arn.Service != "glue" || arn.Account.Length == 0)
            // unverified: AWS's text.
            throw GlueErrors.InvalidInput($"Invalid resource ARN: {resourceArn}");
        var catalog = new CatalogKey(arn.Account, arn.Region);
        Authorize(call, action, catalog, resourceArn);
        if (arn.Region != call.Region) throw GlueErrors.EntityNotFound(resourceArn);
        var parts = arn.Resource.Split('/');
        var exists = parts switch
        {
            ["database", var db] => _store.FindDatabase(catalog, db) is not null,
            ["table", var db, var t] => _store.FindTable(catalog, db, t) is not null,
            _ => false,
        };
        if (!exists) throw GlueErrors.EntityNotFound(resourceArn);
        return resourceArn;
    }
}
