using ShippyarDr.Cluster;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Sandbox;
using ShippyarDr.Server;

namespace ShippyarDr.Core.Tests;

/// <summary>ALTER SYSTEM for archiving on a real server, proven by a segment the archiver really archives.</summary>
[Collection(PostgresCollection.Name)]
public sealed class WalArchivingSettingsTests : IDisposable
{
    private readonly PostgresSandbox _server = PostgresSandbox.Start();
    private readonly TempDirectory _archive = new();

    public WalArchivingSettingsTests() => ServerAccount.Default.GiveOwnership(_archive.Path);

    public void Dispose()
    {
        _server.Dispose();
        _archive.Dispose();
    }

    private string CopyCommand => $"test ! -f '{_archive.Path}/%f' && cp '%p' '{_archive.Path}/%f'";

    [Fact]
    public void Enabling_asks_for_a_restart_and_after_it_proves_archiving_with_a_segment_the_archiver_reports()
    {
        var first = WalArchivingSettings.Enable(_server.Connection, CopyCommand, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), NullReporter.Instance);
        Assert.True(first.RestartRequired);
        Assert.Null(first.TestSegment);

        _server.Restart();
        var second = WalArchivingSettings.Enable(_server.Connection, CopyCommand, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), NullReporter.Instance);
        Assert.False(second.RestartRequired);
        Assert.Equal("on", second.ArchiveMode);
        Assert.Equal(TimeSpan.FromSeconds(30), second.ArchiveTimeout);
        Assert.True(second.TestSegmentArchived);
        Assert.True(File.Exists(Path.Combine(_archive.Path, second.TestSegment!)));

        var status = new[] { 0 }.Select(_ =>
        {
            using var conn = Connection.PgSession.Open(_server.Connection, "postgres");
            return ArchiverStatusReader.Read(conn, _server.Connection.DisplayName);
        }).Single();
        Assert.True(status.ArchivedCount >= 1);
        Assert.False(status.Failing);
        Assert.NotNull(status.WalBytes);

        var off = WalArchivingSettings.Disable(_server.Connection);
        Assert.True(off.RestartRequired);
        _server.Restart();
        Assert.Equal("off", _server.QueryScalar("postgres", "SHOW archive_mode"));
    }

    [Fact]
    public void A_command_that_fails_is_reported_with_the_segment_it_failed_for()
    {
        WalArchivingSettings.Enable(_server.Connection, "false", TimeSpan.Zero, TimeSpan.FromSeconds(20), NullReporter.Instance);
        _server.Restart();
        var e = Assert.Throws<ShippyarException>(() =>
            WalArchivingSettings.Enable(_server.Connection, "exit 1", TimeSpan.Zero, TimeSpan.FromSeconds(20), NullReporter.Instance));
        Assert.Equal(ErrorIds.TestSegmentNotArchived, e.ErrorId);
        Assert.Contains("archive_command failed for 0000", e.Message);
    }

    [Fact]
    public void Restore_points_name_their_LSN_and_segment_and_bad_names_are_refused()
    {
        var point = RestorePoints.Create(_server.Connection, "before-migration-42");
        Assert.Matches("^[0-9A-F]+/[0-9A-F]+$", point.Lsn);
        Assert.Equal(24, point.WalFile.Length);
        Assert.Equal(1, point.Timeline);
        Assert.False(point.Archiving);
        Assert.Equal(ErrorIds.InvalidRestorePointName, Assert.Throws<ShippyarException>(() => RestorePoints.Create(_server.Connection, new string('x', 64))).ErrorId);
        Assert.Equal(ErrorIds.InvalidRestorePointName, Assert.Throws<ShippyarException>(() => RestorePoints.Create(_server.Connection, " ")).ErrorId);
    }
}
