using System.Diagnostics;
using ShippyarDr.Authentication;
using ShippyarDr.Backup;
using ShippyarDr.Cluster;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Physical;
using ShippyarDr.Repository;

namespace ShippyarDr.Core.Tests;

/// <summary>
/// The engine API point-in-time recovery builds on: a base backup restored into a data directory of the caller's
/// choosing (tablespaces moved), and a server run on it through Cluster/ (LocalServer, ServerSettings, postmaster.pid).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class BaseBackupRestoreTests(TablespaceSandbox cluster) : IClassFixture<TablespaceSandbox>, IDisposable
{
    private readonly TempDirectory _dir = new();
    private BackupInfo? _backup;
    private FileSystemRepository? _repo;

    public void Dispose() => _dir.Dispose();

    private (BackupInfo Backup, FileSystemRepository Repo) Backup()
    {
        if (_backup is not null) return (_backup, _repo!);
        _repo = new FileSystemRepository(Directory.CreateDirectory(Path.Combine(_dir.Path, "repo")).FullName);
        _backup = new BackupEngine().Run(new BackupRequest { Connection = cluster.Sandbox.Connection, Tier = BackupTier.Base, Checkpoint = CheckpointMode.Fast }, _repo);
        return (_backup, _repo);
    }

    /// <summary>A place the server account can reach (temporary directories are 0700 and root's).</summary>
    private string Place(string name)
    {
        var root = Directory.CreateDirectory(Path.Combine(_dir.Path, name)).FullName;
        ServerAccount.Default.GiveOwnership(_dir.Path);
        return root;
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Restores_into_a_data_directory_with_the_tablespace_moved_and_a_server_runs_on_it()
    {
        var (backup, repo) = Backup();
        var root = Place("restored");
        var data = Path.Combine(root, "data");
        var moved = Path.Combine(root, "moved tablespace");
        var oid = cluster.TablespaceOid;
        var result = new BaseBackupRestore().Run(new BaseBackupRestoreRequest
        {
            Backup = backup, DataDirectory = data, TablespaceLocations = new Dictionary<uint, string> { [oid] = moved },
        }, repo);

        Assert.Equal(moved, result.Tablespaces[oid]);
        Assert.True(result.Files > 1000);
        Assert.Equal($"{oid} {moved}\n", File.ReadAllText(Path.Combine(data, "tablespace_map")));
        Assert.Equal(backup.Physical!.BackupLabel, File.ReadAllText(Path.Combine(data, "backup_label")));
        Assert.True(File.Exists(Path.Combine(data, "pg_wal", backup.Physical.FirstWalSegment)));
        Assert.NotEmpty(Directory.EnumerateFileSystemEntries(moved));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(data));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(data, "global", "pg_control")));
        Assert.Equal(ServerAccount.Default.Name, Stat("%U", Path.Combine(data, "base")));
        Assert.Equal(ServerAccount.Default.Name, Stat("%U", moved));

        // What point-in-time recovery does next, without an archive: archive recovery from pg_wal alone, then promotion.
        ServerSettings.Set(data, new Dictionary<string, string?> { ["restore_command"] = "false", ["archive_mode"] = "off", ["recovery_target_timeline"] = "latest" });
        Assert.Equal("false", ServerSettings.Get(data, "restore_command"));
        File.WriteAllText(Path.Combine(data, "recovery.signal"), "");
        ServerAccount.Default.GiveOwnership(data);
        var socket = Directory.CreateDirectory(Path.Combine(root, "socket")).FullName;
        ServerAccount.Default.GiveOwnership(socket);
        using var server = LocalServer.Start(data, new LocalServerOptions
        {
            Port = FreePort.OnLoopback(), SocketDirectory = socket, ListenAddresses = "", Wait = false, LogFile = Path.Combine(root, "server.log"),
        });
        server.WaitUntilAcceptingConnections(TimeSpan.FromMinutes(2));
        server.WaitForRecoveryEnd(TimeSpan.FromMinutes(2));
        Assert.Equal("ready", server.Status);
        var pid = PostmasterPid.Read(data)!;
        Assert.Equal(server.Port, pid.Port);
        Assert.Equal(socket, pid.SocketDirectory);
        Assert.True(pid.ProcessExists());

        var connection = server.ConnectionAs(backup.Physical.BootstrapSuperuser!);
        using (var conn = Connection.PgSession.Open(connection, SandboxFixture.SampleDatabase))
        {
            Assert.Equal(cluster.Sandbox.QueryScalar(SandboxFixture.SampleDatabase, "SELECT count(*) FROM archived_orders"), Scalar(conn, "SELECT count(*) FROM archived_orders"));
            Assert.Equal("False", Scalar(conn, "SELECT pg_is_in_recovery()"));
            Assert.Equal("2", Scalar(conn, "SELECT timeline_id FROM pg_control_checkpoint()"));
            Assert.Equal(moved, Scalar(conn, $"SELECT pg_tablespace_location({oid})"));
        }
        using (var conn = Connection.PgSession.Open(connection, TablespaceSandbox.TablespaceDatabase))
            Assert.Equal("2000", Scalar(conn, "SELECT count(*) FROM notes"));

        var again = Assert.Throws<ShippyarException>(() => LocalServer.Start(data, new LocalServerOptions { Port = FreePort.OnLoopback(), SocketDirectory = socket }));
        Assert.Equal(ErrorIds.DataDirectoryInUse, again.ErrorId);
        server.Stop();
        Assert.False(server.IsRunning);
        Assert.Null(PostmasterPid.Read(data));
    }

    [Fact]
    public void Refuses_a_directory_that_is_not_empty_and_a_logical_backup()
    {
        var (backup, repo) = Backup();
        var occupied = Place("occupied");
        File.WriteAllText(Path.Combine(occupied, "PG_VERSION"), "15\n");
        var e = Assert.Throws<ShippyarException>(() => new BaseBackupRestore().Run(new BaseBackupRestoreRequest { Backup = backup, DataDirectory = occupied,
            TablespaceLocations = new Dictionary<uint, string> { [cluster.TablespaceOid] = Path.Combine(_dir.Path, "unused") } }, repo));
        Assert.Equal(ErrorIds.RestoreTargetNotEmpty, e.ErrorId);
        Assert.Equal("15\n", File.ReadAllText(Path.Combine(occupied, "PG_VERSION")));

        // The tablespace's own place on the server is taken: a restore that does not move it is refused before anything is written.
        var fresh = Path.Combine(Place("fresh"), "data");
        var taken = Assert.Throws<ShippyarException>(() => new BaseBackupRestore().Run(new BaseBackupRestoreRequest { Backup = backup, DataDirectory = fresh }, repo));
        Assert.Equal(ErrorIds.RestoreTargetNotEmpty, taken.ErrorId);
        Assert.Contains(cluster.TablespaceDirectory, taken.Message);
        Assert.False(Directory.Exists(fresh));

        var logical = new BackupEngine().Run(new BackupRequest { Connection = cluster.Sandbox.Connection, Database = SandboxFixture.SampleDatabase }, repo);
        var notPhysical = Assert.Throws<ShippyarException>(() => new BaseBackupRestore().Run(new BaseBackupRestoreRequest { Backup = logical, DataDirectory = fresh }, repo));
        Assert.Equal(ErrorIds.NotAPhysicalBackup, notPhysical.ErrorId);
        var notLogical = Assert.Throws<ShippyarException>(() => new Restore.RestoreEngine().Run(new Restore.RestoreRequest
        {
            Backup = backup, Connection = cluster.Sandbox.Connection, TargetDatabase = "never_made",
        }, repo));
        Assert.Equal(ErrorIds.NotALogicalBackup, notLogical.ErrorId);
    }

    [Fact]
    public void A_damaged_archive_stops_the_restore_and_what_it_wrote_is_removed()
    {
        var (backup, repo) = Backup();
        var copy = new FileSystemRepository(Directory.CreateDirectory(Path.Combine(_dir.Path, "damaged")).FullName);
        backup = new BackupCopier().Copy(backup, repo, copy);
        var stored = Path.Combine(copy.Root, backup.Prefix!, backup.Physical!.BaseFile);
        var bytes = File.ReadAllBytes(stored);
        bytes[bytes.Length - 100] ^= 0x55;
        File.WriteAllBytes(stored, bytes);
        var root = Place("half");
        var e = Assert.Throws<ShippyarException>(() => new BaseBackupRestore().Run(new BaseBackupRestoreRequest
        {
            Backup = backup, DataDirectory = Path.Combine(root, "data"),
            TablespaceLocations = new Dictionary<uint, string> { [cluster.TablespaceOid] = Path.Combine(root, "ts") },
        }, copy));
        Assert.Equal(ErrorIds.BackupCorrupt, e.ErrorId);
        Assert.Contains(backup.Physical.BaseFile, e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(root));
    }

    [Fact]
    public void An_unauthentic_backup_is_refused_before_anything_is_written()
    {
        var (backup, repo) = Backup();
        var root = Place("unauthentic");
        var e = Assert.Throws<ShippyarException>(() => new BaseBackupRestore().Run(new BaseBackupRestoreRequest
        {
            Backup = backup, DataDirectory = Path.Combine(root, "data"), Keys = BackupKeys.None,
            TablespaceLocations = new Dictionary<uint, string> { [cluster.TablespaceOid] = Path.Combine(root, "ts") },
        }, SealedView(repo)));
        Assert.Equal(ErrorIds.BackupNotAuthentic, e.ErrorId);
        Assert.Empty(Directory.EnumerateFileSystemEntries(root));
    }

    /// <summary>The repository as a reader sees it once its descriptor says it holds sealed backups.</summary>
    private FileSystemRepository SealedView(FileSystemRepository repo)
    {
        var view = Path.Combine(_dir.Path, "sealed-view");
        CopyTree(repo.Root, view);
        RepositoryDescriptor.Record(new FileSystemRepository(view), null, authenticated: true);
        return new FileSystemRepository(view);
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories)) Directory.CreateDirectory(dir.Replace(from, to));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories)) File.Copy(file, file.Replace(from, to));
    }

    private static string? Scalar(Npgsql.NpgsqlConnection conn, string sql)
    {
        using var cmd = new Npgsql.NpgsqlCommand(sql, conn);
        return Convert.ToString(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string Stat(string format, string path)
    {
        using var p = Process.Start(new ProcessStartInfo("stat", new[] { "-c", format, path }) { RedirectStandardOutput = true })!;
        var output = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return output;
    }
}
