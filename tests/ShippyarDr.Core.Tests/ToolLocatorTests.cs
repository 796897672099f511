using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Tools;

namespace ShippyarDr.Core.Tests;

public sealed class ToolLocatorTests
{
    [Fact]
    public void Finds_a_real_pg_dump_of_at_least_the_requested_major_version()
    {
        var tool = PgToolLocator.Find("pg_dump", 15);
        Assert.True(tool.MajorVersion >= 15);
        Assert.Equal("pg_dump", Path.GetFileName(tool.Path));
        // Debian's pg_wrapper is passed over: it would pick its own version per call.
        Assert.DoesNotContain("pg_wrapper", new FileInfo(tool.Path).ResolveLinkTarget(true)?.FullName ?? tool.Path);
    }

    [Fact]
    public void A_server_newer_than_every_client_is_refused_with_the_versions_found()
    {
        var e = Assert.Throws<ShippyarException>(() => PgToolLocator.Find("pg_dump", 99));
        Assert.Equal("PgToolTooOld", e.ErrorId);
        Assert.Contains("99", e.Message);
    }

    [Fact]
    public void The_configured_directory_is_the_only_place_looked_at()
    {
        using var empty = new TempDirectory();
        Environment.SetEnvironmentVariable(PgToolLocator.BinDirectoryVariable, empty.Path);
        try
        {
            var e = Assert.Throws<ShippyarException>(() => PgToolLocator.Find("pg_restore", 15));
            Assert.Equal("PgToolNotFound", e.ErrorId);
            Assert.Equal(ShippyarErrorKind.ResourceUnavailable, e.Kind);
            Assert.Contains(empty.Path, e.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable(PgToolLocator.BinDirectoryVariable, null);
        }
    }
}
