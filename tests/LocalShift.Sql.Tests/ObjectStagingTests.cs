using LocalShift.Sql.RolePath;

namespace LocalShift.Sql.Tests;

/// <summary>Objects staged for the engine are hard links to the store's file, not copies.</summary>
public class ObjectStagingTests
{
    [Fact]
    public void A_store_file_is_linked_not_copied()
    {
        var dir = Directory.CreateTempSubdirectory("staging-test-").FullName;
        try
        {
            var blob = Path.Combine(dir, "blob");
            File.WriteAllText(blob, "version 1");
            var staged = Path.Combine(dir, "staged.txt");
            using (var body = new FileStream(blob, FileMode.Open, FileAccess.Read))
                Assert.Equal(OperatingSystem.IsLinux(), ObjectStaging.Stage(body, staged));
            Assert.Equal("version 1", File.ReadAllText(staged));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void An_object_replaced_after_it_was_opened_is_staged_as_the_version_read()
    {
        var dir = Directory.CreateTempSubdirectory("staging-test-").FullName;
        try
        {
            var blob = Path.Combine(dir, "blob");
            File.WriteAllText(blob, "version 1");
            var staged = Path.Combine(dir, "staged.txt");
            using (var body = new FileStream(blob, FileMode.Open, FileAccess.Read))
            {
                // The store replaces an object by renaming a new file over the old one; an unlinked file cannot be
                // linked again, so it is copied from the open descriptor.
                File.WriteAllText(blob + ".new", "version 2");
                File.Move(blob + ".new", blob, overwrite: true);
                ObjectStaging.Stage(body, staged);
            }
            Assert.Equal("version 1", File.ReadAllText(staged));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void A_body_that_is_not_a_file_is_copied()
    {
        var dir = Directory.CreateTempSubdirectory("staging-test-").FullName;
        try
        {
            var staged = Path.Combine(dir, "staged.txt");
            Assert.False(ObjectStaging.Stage(new MemoryStream("abc"u8.ToArray()), staged));
            Assert.Equal("abc", File.ReadAllText(staged));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
