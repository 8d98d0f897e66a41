using LocalShift.E2E.Tests.Infrastructure;

namespace LocalShift.E2E.Tests.Copy;

/// <summary>COPY and UNLOAD as the user story runs them: aws iam / redshift / s3, then psql.</summary>
public class CopyUnloadStoryTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private RoleStory Story => new(fixture.Server);

    [Fact]
    public async Task Copy_and_unload_through_the_cluster_role_round_trip_the_data()
    {
        var story = Story;
        var role = await story.CreateRoleAsync("RedshiftCopyUnload", policy: RoleStory.S3Policy("story-data", "s3:GetObject", "s3:ListBucket", "s3:PutObject"));
        var port = await story.CreateClusterAsync("story", [role]);
        await story.MakeBucketAsync("story-data",
            ("input/data.csv", "id,name,amount,day\n1,alice,10.50,2024-01-02\n2,\"bob, jr\",20.00,2024-02-03\n3,carol,,2024-03-04\n"),
            ("input/data2.csv", "id,name,amount,day\n4,dave,1.25,2024-04-05\n"));

        var copy = await story.PsqlAsync(port,
            "CREATE TABLE sales(id INTEGER, name VARCHAR(32), amount DECIMAL(10,2), day DATE)",
            $"COPY sales FROM 's3://story-data/input/' IAM_ROLE '{role}' CSV IGNOREHEADER 1",
            "SELECT count(*), sum(amount) FROM sales",
            "SELECT name FROM sales WHERE id = 2");
        Assert.True(copy.ExitCode == 0, copy.ToString());
        Assert.Contains("Load into table 'sales' completed, 4 record(s) loaded successfully.", copy.Stderr);
        Assert.Contains("4|31.75", copy.Stdout);
        Assert.Contains("bob, jr", copy.Stdout);

        var unload = await story.PsqlAsync(port, $"UNLOAD ('select id, name from sales where name <> ''carol'' order by id') TO 's3://story-data/out/sales_' IAM_ROLE '{role}'");
        Assert.True(unload.ExitCode == 0, unload.ToString());
        var listing = (await story.Server.AwsAsync("s3", "ls", "s3://story-data/out/")).EnsureSuccess();
        Assert.Contains("sales_0000_part_00", listing.Stdout);
        var text = (await story.Server.AwsAsync("s3", "cp", "s3://story-data/out/sales_0000_part_00", "-")).EnsureSuccess().Stdout;
        Assert.StartsWith("1|alice\n", text.Replace("\r", ""));
        Assert.DoesNotContain("carol", text);

        var again = await story.PsqlAsync(port, $"UNLOAD ('select 1') TO 's3://story-data/out/sales_' IAM_ROLE '{role}'");
        Assert.Contains("Specified unload destination on S3 is not empty. Consider using a different bucket / prefix, manually removing the target files in S3, or using the ALLOWOVERWRITE option.", again.Stderr);

        var parquet = await story.PsqlAsync(port,
            $"UNLOAD ('select * from sales') TO 's3://story-data/pq/' IAM_ROLE '{role}' FORMAT PARQUET MANIFEST",
            "CREATE TABLE sales_copy(id INTEGER, name VARCHAR(32), amount DECIMAL(10,2), day DATE)",
            $"COPY sales_copy FROM 's3://story-data/pq/0000_part_00.parquet' IAM_ROLE '{role}' FORMAT AS PARQUET",
            "SELECT count(*) FROM (SELECT * FROM sales EXCEPT SELECT * FROM sales_copy) d",
            "SELECT count(*) FROM sales_copy");
        Assert.True(parquet.ExitCode == 0, parquet.ToString());
        Assert.Equal(["0", "4"], parquet.Stdout.Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries)[^2..]);
        var pqListing = (await story.Server.AwsAsync("s3", "ls", "s3://story-data/pq/")).EnsureSuccess().Stdout;
        Assert.Contains("0000_part_00.parquet", pqListing);
        Assert.Contains("manifest", pqListing);
    }

    [Fact]
    public async Task Failed_copy_leaves_the_table_unchanged_and_records_stl_load_errors()
    {
        var story = Story;
        var role = await story.CreateRoleAsync("LoadErrorsRole", policy: RoleStory.S3Policy("load-errors", "s3:*"));
        var port = await story.CreateClusterAsync("loaderrors", [role], defaultRole: role);
        await story.MakeBucketAsync("load-errors", ("bad.txt", "1|one\nx|two\n3|three\n"), ("malformed.txt", "1|one\n2|two|extra\n3|three\n"));

        var failed = await story.PsqlAsync(port,
            "CREATE TABLE t(id INTEGER, name VARCHAR)",
            "INSERT INTO t VALUES (0, 'zero')",
            "COPY t FROM 's3://load-errors/bad.txt' IAM_ROLE default");
        Assert.Contains("ERROR:  Load into table 't' failed.  Check 'stl_load_errors' system table for details.", failed.Stderr);
        var after = await story.PsqlAsync(port, "SELECT count(*) FROM t", "SELECT count(*) > 0 FROM stl_load_errors");
        Assert.Equal("1\nt\n", after.Stdout.Replace("\r", ""));

        var tolerant = await story.PsqlAsync(port, "COPY t FROM 's3://load-errors/bad.txt' IAM_ROLE default MAXERROR 5", "SELECT count(*) FROM t",
            "SELECT pg_last_copy_count()");
        Assert.True(tolerant.ExitCode == 0, tolerant.ToString());
        Assert.Contains("1 record(s) could not be loaded", tolerant.Stderr);
        Assert.Equal("COPY 2\n3\n2\n", tolerant.Stdout.Replace("\r", ""));

        var malformed = await story.PsqlAsync(port, "COPY t FROM 's3://load-errors/malformed.txt' IAM_ROLE default MAXERROR 1",
            "SELECT count(*) FROM t", "SELECT count(*) FROM stl_load_errors WHERE err_code = 1202");
        Assert.True(malformed.ExitCode == 0, malformed.ToString());
        Assert.Contains("1 record(s) could not be loaded", malformed.Stderr);
        Assert.Equal("COPY 2\n5\n1\n", malformed.Stdout.Replace("\r", ""));
    }
}
