using LocalShift.Sql.External;

namespace LocalShift.Sql.Tests;

/// <summary>A session's kept links of external objects: used again only for the same blob, deleted once two statements pass them by.</summary>
public class ScanStagingTests
{
    [Fact]
    public void A_link_is_kept_for_its_blob_while_the_previous_statement_used_it()
    {
        var dir = Directory.CreateTempSubdirectory("scan-staging-test-").FullName;
        try
        {
            using var staging = new ScanStaging();
            staging.Begin();
            var folder = staging.Folder(dir);
            var link = Path.Combine(folder, "a.parquet");
            File.WriteAllText(link, "12345");
            staging.Add("b", "k/a.parquet", "/store/blobs/1", link);

            staging.Begin();
            Assert.Equal(link, staging.Find("b", "k/a.parquet", "/store/blobs/1", 5));
            // Another blob of the key (the object replaced), another size, another key: not this link.
            Assert.Null(staging.Find("b", "k/a.parquet", "/store/blobs/2", 5));
            Assert.Null(staging.Find("b", "k/a.parquet", "/store/blobs/1", 6));
            Assert.Null(staging.Find("b", "k/other.parquet", "/store/blobs/1", 5));

            // Used by the statement before: kept. Passed by two statements: deleted.
            staging.Begin();
            Assert.Equal(1, staging.Count);
            staging.Begin();
            Assert.Equal(0, staging.Count);
            Assert.Null(staging.Find("b", "k/a.parquet", "/store/blobs/1", 5));
            Assert.True(SpinWait.SpinUntil(() => !File.Exists(link), TimeSpan.FromSeconds(10)));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void A_new_blob_of_a_key_replaces_its_kept_link()
    {
        var dir = Directory.CreateTempSubdirectory("scan-staging-test-").FullName;
        try
        {
            using var staging = new ScanStaging();
            staging.Begin();
            var folder = staging.Folder(dir);
            var first = Path.Combine(folder, "1.txt");
            var second = Path.Combine(folder, "2.txt");
            File.WriteAllText(first, "old");
            File.WriteAllText(second, "newer");
            staging.Add("b", "t/a.txt", "/store/blobs/1", first);
            staging.Begin();
            staging.Add("b", "t/a.txt", "/store/blobs/2", second);
            Assert.Equal(1, staging.Count);
            Assert.Equal(second, staging.Find("b", "t/a.txt", "/store/blobs/2", 5));
            Assert.True(SpinWait.SpinUntil(() => !File.Exists(first), TimeSpan.FromSeconds(10)));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
