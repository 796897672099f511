using System.Text.Json.Nodes;
using ShippyarDr.Backup;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;
using ShippyarDr.Restore;
using ShippyarDr.Verification;

namespace ShippyarDr.Core.Tests;

/// <summary>Repository format 2: names that round-trip, manifests that cannot point elsewhere, listing that tolerates what it did not write.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RepositoryLayoutTests(SandboxFixture fixture) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";

    private string CreateDatabase(string name, int rows = 5)
    {
        fixture.Sandbox.Execute("postgres", $"DROP DATABASE IF EXISTS {Quote(name)}");
        fixture.Sandbox.Execute("postgres", $"CREATE DATABASE {Quote(name)}");
        fixture.Sandbox.Execute(name, $"CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, {rows})");
        return name;
    }

    private BackupInfo Backup(IBackupRepository repo, string database)
        => new BackupEngine().Run(new BackupRequest { Database = database, Connection = fixture.Sandbox.Connection }, repo);

    [Theory]
    [InlineData("a/b")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("_cluster")]
    [InlineData("Sales")]
    [InlineData("quo\"te's")]
    [InlineData("ünïcødé 数据")]
    [InlineData("dot.name")]
    public void Every_database_name_round_trips_through_backup_list_verify_and_restore(string name)
    {
        CreateDatabase(name);
        var repo = new FileSystemRepository(_dir.Path);
        var backup = Backup(repo, name);

        Assert.StartsWith("backup/db/", backup.Prefix);
        Assert.Equal(backup.Id, Assert.Single(new BackupCatalog(repo).List(name)).Id);
        Assert.Equal(name, Assert.Single(new BackupCatalog(repo).List()).Database);
        Assert.Equal(name, new BackupCatalog(repo).Get(backup.Id).Database);
        // Nothing landed outside the backup folder (".." once wrote next to the repository, "a/b" one level too deep).
        Assert.Equal(new[] { "backup", "repository.json" }, Directory.EnumerateFileSystemEntries(_dir.Path).Select(Path.GetFileName).Order());
        var verified = new BackupVerifier().Run(new VerificationRequest { Backup = backup, Level = VerificationLevel.Restore, Connection = fixture.Sandbox.Connection }, repo);
        Assert.True(verified.Passed, string.Join("\n", verified.Checks));
        var target = name + " restored";
        fixture.Sandbox.Execute("postgres", $"DROP DATABASE IF EXISTS {Quote(target)}");
        Assert.True(new RestoreEngine().Run(new RestoreRequest { Backup = backup, TargetDatabase = target, Connection = fixture.Sandbox.Connection }, repo).Passed);
        Assert.Equal("5", fixture.Sandbox.QueryScalar(target, "SELECT count(*) FROM t"));
    }

    [Fact]
    public void Names_that_differ_only_in_case_and_a_name_like_the_cluster_folder_keep_their_own_backups()
    {
        var repo = new FileSystemRepository(_dir.Path);
        var upper = Backup(repo, CreateDatabase("Case", 3));
        var lower = Backup(repo, CreateDatabase("case", 4));
        var clusterLike = Backup(repo, CreateDatabase("_cluster", 6));
        Assert.Equal(upper.Id, Assert.Single(new BackupCatalog(repo).List("Case")).Id);
        Assert.Equal(lower.Id, Assert.Single(new BackupCatalog(repo).List("case")).Id);
        Assert.NotEqual(upper.Prefix, lower.Prefix);
        var listed = Assert.Single(new BackupCatalog(repo).List("_cluster"));
        Assert.False(listed.IsCluster);
        Assert.Equal(clusterLike.Id, listed.Id);
    }

    [Fact]
    public void A_name_over_63_bytes_is_refused_before_anything_is_written()
    {
        var repo = new FileSystemRepository(_dir.Path);
        var e = Assert.Throws<ShippyarException>(() => Backup(repo, new string('n', 64)));
        Assert.Equal("InvalidDatabaseName", e.ErrorId);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir.Path));
    }

    [Fact]
    public void A_new_repository_gets_a_descriptor_and_one_written_by_a_newer_format_is_not_written_to()
    {
        var repo = new FileSystemRepository(_dir.Path);
        var backup = Backup(repo, SandboxFixture.SampleDatabase);
        var descriptor = RepositoryDescriptor.Read(repo)!;
        Assert.Equal(2, descriptor.FormatVersion);
        Assert.StartsWith("ShippyarDr ", descriptor.CreatedBy);
        Assert.Equal(new[] { backup.SystemIdentifier! }, descriptor.SystemIdentifiers);
        Assert.False(descriptor.Authenticated);

        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(_dir.Path, "repository.json")))!;
        json["FormatVersion"] = 3;
        File.WriteAllText(Path.Combine(_dir.Path, "repository.json"), json.ToJsonString());
        Assert.Equal("RepositoryFormatTooNew", Assert.Throws<ShippyarException>(() => Backup(repo, SandboxFixture.SampleDatabase)).ErrorId);
        // Reading still works.
        Assert.Equal(backup.Id, Assert.Single(new BackupCatalog(repo).List()).Id);
    }

    /// <summary>A format 1 repository as the previous version wrote it: databases at the root, no chunk digests, no descriptor.</summary>
    private BackupInfo MoveToFormat1(BackupInfo backup, string legacyFolder)
    {
        var from = Path.Combine(_dir.Path, backup.Prefix!);
        var to = Path.Combine(_dir.Path, legacyFolder, backup.Id);
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        Directory.Move(from, to);
        foreach (var chunks in Directory.EnumerateFiles(to, "*.chunks")) File.Delete(chunks);
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(to, "manifest.json")))!;
        manifest["ManifestVersion"] = 1;
        foreach (var file in manifest["Files"]!.AsArray()) file!.AsObject().Remove("Chunks");
        File.WriteAllText(Path.Combine(to, "manifest.json"), manifest.ToJsonString());
        Directory.Delete(Path.Combine(_dir.Path, "backup"), recursive: true);
        File.Delete(Path.Combine(_dir.Path, "repository.json"));
        return new BackupCatalog(new FileSystemRepository(_dir.Path)).Get(backup.Id);
    }

    [Fact]
    public void A_format_1_repository_still_lists_verifies_restores_and_copies_into_the_new_layout()
    {
        var repo = new FileSystemRepository(_dir.Path);
        var name = CreateDatabase("legacy/slash", 7);
        var legacy = MoveToFormat1(Backup(repo, name), name);
        Assert.Equal($"legacy/slash/{legacy.Id}/", legacy.Prefix);
        Assert.Equal(1, legacy.ManifestVersion);
        Assert.True(new BackupVerifier().Run(new VerificationRequest { Backup = legacy, Level = VerificationLevel.Restore, Connection = fixture.Sandbox.Connection }, repo).Passed);

        // A new backup beside it goes into the new layout, and both are listed.
        var current = Backup(repo, name);
        Assert.Equal(new[] { current.Id, legacy.Id }, new BackupCatalog(repo).List(name).Select(b => b.Id));

        using var other = new TempDirectory();
        var target = new FileSystemRepository(other.Path);
        var copy = new BackupCopier().Copy(legacy, repo, target);
        Assert.Equal(BackupLayout.NewPrefix(false, name, legacy.Id), copy.Prefix);
        Assert.True(new BackupVerifier().Run(new VerificationRequest { Backup = copy, Level = VerificationLevel.Catalog }, target).Passed);
    }

    [Fact]
    public void A_format_1_database_named_backup_is_still_listed_beside_the_new_layout()
    {
        var repo = new FileSystemRepository(_dir.Path);
        var backup = Backup(repo, CreateDatabase("backup", 4));
        // Where the previous version put it: <root>/backup/<id>/, with a format 1 manifest.
        var legacy = Path.Combine(_dir.Path, "backup", backup.Id);
        Directory.Move(Path.Combine(_dir.Path, backup.Prefix!), legacy);
        Directory.Delete(Path.Combine(_dir.Path, "backup", "db"), recursive: true);
        foreach (var chunks in Directory.EnumerateFiles(legacy, "*.chunks")) File.Delete(chunks);
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(legacy, "manifest.json")))!;
        manifest["ManifestVersion"] = 1;
        foreach (var file in manifest["Files"]!.AsArray()) file!.AsObject().Remove("Chunks");
        File.WriteAllText(Path.Combine(legacy, "manifest.json"), manifest.ToJsonString());

        var current = Backup(repo, SandboxFixture.SampleDatabase);
        Assert.Equal(new[] { current.Id, backup.Id }, new BackupCatalog(repo).List().Select(b => b.Id));
        var found = Assert.Single(new BackupCatalog(repo).List("backup"));
        Assert.Equal($"backup/{backup.Id}/", found.Prefix);
        Assert.True(new BackupVerifier().Run(new VerificationRequest { Backup = found, Level = VerificationLevel.Catalog }, repo).Passed);
    }

    [Fact]
    public void Listing_passes_over_entries_it_did_not_write_and_never_follows_symbolic_links()
    {
        var repo = new FileSystemRepository(_dir.Path);
        var backup = Backup(repo, SandboxFixture.SampleDatabase);
        Directory.CreateDirectory(Path.Combine(_dir.Path, "lost+found"));
        File.WriteAllText(Path.Combine(_dir.Path, "README"), "backups of db01");
        Directory.CreateDirectory(Path.Combine(_dir.Path, "backup", "db", "not%encoded", "junk"));
        // A backup elsewhere, linked into the repository: never listed, never read through the link.
        using var elsewhere = new TempDirectory();
        var outside = Backup(new FileSystemRepository(elsewhere.Path), SandboxFixture.SampleDatabase);
        Directory.CreateSymbolicLink(Path.Combine(_dir.Path, "backup", "db", "linked"), Path.Combine(elsewhere.Path, "backup", "db", "shippyar"));
        Assert.Equal(backup.Id, Assert.Single(new BackupCatalog(repo).List()).Id);
        Assert.Equal("InvalidKey", Assert.Throws<ShippyarException>(() => repo.OpenRead($"backup/db/linked/{outside.Id}/manifest.json")).ErrorId);

        // A data file swapped for a link to another file is a failed check, not a read of that file.
        var data = Path.Combine(_dir.Path, backup.Prefix!, backup.Files[0].Name);
        File.Move(data, data + ".moved");
        File.CreateSymbolicLink(data, data + ".moved");
        var result = new BackupVerifier().Run(new VerificationRequest { Backup = backup, Level = VerificationLevel.Checksum }, repo);
        Assert.False(result.Passed);
        Assert.Contains("symbolic link", result.Checks.Single(c => c.Name.StartsWith("Checksum", StringComparison.Ordinal)).Detail);
    }

    [Theory]
    [InlineData("Files[0].Name", "../../../../../tmp/elsewhere.dump")]
    [InlineData("Files[0].Name", "manifest.json")]
    [InlineData("Database", "another")]
    [InlineData("Id", "20200101-000000D-0000")]
    [InlineData("Files[0].Chunks.Size", "2147483647")]
    [InlineData("Files[0].Chunks.Count", "2147483647")]
    public void A_manifest_that_points_outside_its_folder_is_reported_and_never_followed(string field, string value)
    {
        var repo = new FileSystemRepository(_dir.Path);
        var backup = Backup(repo, SandboxFixture.SampleDatabase);
        var path = Path.Combine(_dir.Path, backup.Prefix!, "manifest.json");
        var manifest = JsonNode.Parse(File.ReadAllText(path))!;
        if (field == "Files[0].Name") manifest["Files"]![0]!["Name"] = value;
        else if (field.StartsWith("Files[0].Chunks.", StringComparison.Ordinal)) manifest["Files"]![0]!["Chunks"]![field["Files[0].Chunks.".Length..]] = int.Parse(value);
        else manifest[field] = value;
        File.WriteAllText(path, manifest.ToJsonString());

        var contents = new BackupCatalog(repo).Scan();
        Assert.Empty(contents.Backups);
        var unusable = Assert.Single(contents.Unreadable);
        Assert.Equal("ManifestInvalid", unusable.Error.ErrorId);
        Assert.Equal("ManifestInvalid", Assert.Throws<ShippyarException>(() => new BackupCatalog(repo).Get(backup.Id)).ErrorId);
        // A copy made from it is refused and writes nothing.
        using var other = new TempDirectory();
        Assert.Equal("ManifestInvalid", Assert.Throws<ShippyarException>(() => new BackupCopier().Copy(backup, repo, new FileSystemRepository(other.Path))).ErrorId);
        Assert.Empty(Directory.EnumerateFileSystemEntries(other.Path));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Files_and_folders_are_never_world_readable_whatever_the_umask()
    {
        var old = Umask(0);
        try
        {
            var repo = new FileSystemRepository(_dir.Path);
            Backup(repo, SandboxFixture.SampleDatabase);
        }
        finally
        {
            Umask(old);
        }
        var entries = Directory.EnumerateFileSystemEntries(_dir.Path, "*", SearchOption.AllDirectories).ToList();
        Assert.NotEmpty(entries);
        foreach (var entry in entries)
        {
            var mode = File.GetUnixFileMode(entry);
            Assert.True((mode & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute | UnixFileMode.GroupWrite)) == 0, $"{entry} is {mode}");
            Assert.True(mode.HasFlag(UnixFileMode.GroupRead), $"{entry} is {mode}: the backup operators' group may read");
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "umask")]
    private static extern int Umask(int mask);

    [Fact]
    public void A_run_that_collides_with_another_never_removes_what_the_other_wrote()
    {
        var repo = new FileSystemRepository(_dir.Path);
        var winner = new WinnerFirst(repo);
        var e = Assert.Throws<ShippyarException>(() => Backup(winner, SandboxFixture.SampleDatabase));
        Assert.Equal("ObjectExists", e.ErrorId);
        Assert.True(File.Exists(Path.Combine(_dir.Path, winner.WinnerKey!)), "the other run's object is still there");
        Assert.Equal("the other run's data", File.ReadAllText(Path.Combine(_dir.Path, winner.WinnerKey!)));
    }

    /// <summary>Another run (same id, same second) creates the data object just before this one does.</summary>
    private sealed class WinnerFirst(IBackupRepository inner) : DelegatingRepository(inner)
    {
        public string? WinnerKey { get; private set; }
        public override Stream Create(string key)
        {
            if (WinnerKey is null && key.EndsWith(".dump.zst", StringComparison.Ordinal))
            {
                WinnerKey = key;
                using var other = Inner.Create(key);
                other.Write("the other run's data"u8);
            }
            return Inner.Create(key);
        }
    }
}
