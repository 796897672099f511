using ShippyarDr.Cluster;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using ShippyarDr.Authentication;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Encryption;
using ShippyarDr.Pipeline;
using ShippyarDr.Repository;
using ShippyarDr.Wal;

namespace ShippyarDr.Core.Tests;

/// <summary>The WAL archive engine on real segments of a real cluster, in a directory repository.</summary>
[Collection(PostgresCollection.Name)]
public sealed class WalArchiveTests(SandboxFixture fixture) : IDisposable
{
    private const string ArchivePassphrase = "wal-Ocelot-93-passphrase";
    private readonly TempDirectory _repo = new("shippyar-wal-repo-");
    private readonly TempDirectory _work = new("shippyar-wal-work-");

    public void Dispose()
    {
        _repo.Dispose();
        _work.Dispose();
    }

    private ClusterIdentity Cluster => WalSegments.Identity(fixture.Sandbox);
    private FileSystemRepository Repo => new(_repo.Path);
    private string Segment() => WalSegments.SwitchAndCopy(fixture.Sandbox, _work.Path);

    private WalPushResult Push(string path, IBackupRepository? repo = null, StorageOptions? storage = null, SigningKey? signing = null)
        => new WalPusher(repo ?? Repo).Push(new WalPushRequest { SourcePath = path, Cluster = Cluster, Storage = storage ?? new StorageOptions { Compression = WalPushRequest.DefaultCompression }, Signing = signing });

    private WalFetchResult Fetch(string name, string destination, BackupKeys? keys = null, IBackupRepository? repo = null)
        => new WalFetcher(repo ?? Repo).Fetch(new WalFetchRequest { Name = name, Destination = destination, Cluster = Cluster, Keys = keys ?? BackupKeys.None });

    [Fact]
    public void The_cluster_identity_is_read_from_pg_control_as_pg_controldata_prints_it()
    {
        var controldata = Tools.PgToolLocator.Find("pg_controldata");
        var printed = ServerAccount.Default.RunAs(controldata.Path, fixture.Sandbox.DataDirectory);
        var identity = Cluster;
        Assert.Contains($"Database system identifier:           {identity.SystemIdentifier}", printed);
        Assert.Contains($"Bytes per WAL segment:                {identity.WalSegmentSize}", printed);
        Assert.Equal(fixture.Sandbox.MajorVersion, identity.MajorVersion);
        Assert.Equal(identity.SystemIdentifier, fixture.Sandbox.QueryScalar("postgres", "SELECT system_identifier::text FROM pg_control_system()"));
    }

    [Fact]
    public void A_segment_round_trips_and_the_archive_records_its_cluster()
    {
        var segment = Segment();
        var pushed = Push(segment);
        Assert.Equal(WalPushOutcome.Stored, pushed.Outcome);
        Assert.StartsWith($"wal/{Cluster.SystemIdentifier}/00000001/", pushed.ManifestKey);
        var record = WalArchiveRecords.Read(Repo, Cluster.SystemIdentifier)!;
        Assert.Equal((fixture.Sandbox.MajorVersion, 16 << 20, false), (record.PostgresMajorVersion, record.WalSegmentSize, record.Sealed));

        var destination = Path.Combine(_work.Path, "RECOVERYXLOG");
        var fetched = Fetch(Path.GetFileName(segment), destination);
        Assert.Equal(WalFetchOutcome.Fetched, fetched.Outcome);
        Assert.Equal(File.ReadAllBytes(segment), File.ReadAllBytes(destination));
        // Nothing but the result is left in the destination's folder.
        Assert.DoesNotContain(Directory.EnumerateFiles(_work.Path), f => Path.GetFileName(f).StartsWith('.'));
    }

    [Fact]
    public void An_identical_push_succeeds_without_writing_and_a_different_one_fails_leaving_the_original()
    {
        var segment = Segment();
        Push(segment);
        var objects = Directory.EnumerateFiles(_repo.Path, "*", SearchOption.AllDirectories).Order().ToList();
        Assert.Equal(WalPushOutcome.AlreadyArchived, Push(segment).Outcome);
        Assert.Equal(objects, Directory.EnumerateFiles(_repo.Path, "*", SearchOption.AllDirectories).Order());

        var original = File.ReadAllBytes(segment);
        var changed = (byte[])original.Clone();
        changed[5000] ^= 0xFF; // past the header: still this cluster's segment at this position
        File.WriteAllBytes(segment, changed);
        var e = Assert.Throws<ShippyarException>(() => Push(segment));
        Assert.Equal(ErrorIds.WalDuplicateDiffers, e.ErrorId);
        Assert.Contains("never overwritten", e.Message);
        Assert.Equal(objects, Directory.EnumerateFiles(_repo.Path, "*", SearchOption.AllDirectories).Order());
        var destination = Path.Combine(_work.Path, "back");
        Fetch(Path.GetFileName(segment), destination);
        Assert.Equal(original, File.ReadAllBytes(destination));
    }

    [Fact]
    public void A_segment_another_cluster_wrote_or_one_renamed_is_refused()
    {
        var segment = Segment();
        var bytes = File.ReadAllBytes(segment);
        var foreign = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(foreign.AsSpan(24), 42);
        File.WriteAllBytes(segment, foreign);
        var e = Assert.Throws<ShippyarException>(() => Push(segment));
        Assert.Equal(ErrorIds.WalSegmentInvalid, e.ErrorId);
        Assert.Contains("written by cluster 42", e.Message);

        var name = WalFileName.Parse(Path.GetFileName(segment));
        var renamed = Path.Combine(_work.Path, name.Next(16 << 20).Name);
        File.WriteAllBytes(renamed, bytes);
        Assert.Contains("not where segment", Assert.Throws<ShippyarException>(() => Push(renamed)).Message);
        Assert.Equal(ErrorIds.WalSegmentInvalid, Assert.Throws<ShippyarException>(() => Push(WriteFile(name.Next(16 << 20).Next(16 << 20).Name, bytes[..8192]))).ErrorId);
        Assert.Empty(new WalArchiveScanner(Repo).Scan().SelectMany(a => a.Timelines));
    }

    [Fact]
    public void An_archive_whose_record_names_another_major_version_refuses_pushes_and_fetches()
    {
        var segment = Segment();
        Push(segment);
        var recordPath = Path.Combine(_repo.Path, "wal", Cluster.SystemIdentifier, "archive.json");
        var record = JsonNode.Parse(File.ReadAllText(recordPath))!;
        record["PostgresMajorVersion"] = fixture.Sandbox.MajorVersion - 1;
        File.WriteAllText(recordPath, record.ToJsonString());
        Assert.Equal(ErrorIds.WalArchiveMismatch, Assert.Throws<ShippyarException>(() => Push(Segment())).ErrorId);
        Assert.Equal(ErrorIds.WalArchiveMismatch, Assert.Throws<ShippyarException>(() => Fetch(Path.GetFileName(segment), Path.Combine(_work.Path, "x"))).ErrorId);
        var other = Cluster with { SystemIdentifier = "123456789" };
        var missing = Assert.Throws<ShippyarException>(() => new WalFetcher(Repo).Fetch(new WalFetchRequest { Name = Path.GetFileName(segment), Destination = Path.Combine(_work.Path, "x"), Cluster = other }));
        Assert.Equal(ErrorIds.WalArchiveNotFound, missing.ErrorId);
        Assert.Contains(Cluster.SystemIdentifier, missing.Message);
    }

    [Fact]
    public void Files_the_archive_does_not_hold_are_an_outcome_not_an_error()
    {
        var segment = Segment();
        Push(segment);
        var name = WalFileName.Parse(Path.GetFileName(segment));
        var destination = Path.Combine(_work.Path, "RECOVERYXLOG");
        Assert.Equal(WalFetchOutcome.NotInArchive, Fetch(name.Next(16 << 20).Name, destination).Outcome);
        Assert.Equal(WalFetchOutcome.NotInArchive, Fetch("00000002.history", destination).Outcome);
        Assert.Equal(WalFetchOutcome.NotInArchive, Fetch(WalFileName.Format(2, name.Log, name.Segment), destination).Outcome);
        Assert.False(File.Exists(destination));
    }

    [Fact]
    public void History_backup_and_partial_files_are_archived_and_fetched()
    {
        var segment = Segment();
        Push(segment);
        var name = WalFileName.Parse(Path.GetFileName(segment));
        var history = WriteFile("00000002.history", "1\t0/5000098\tno recovery target specified\n"u8.ToArray());
        var backup = WriteFile($"{name.Name}.00000028.backup", "START WAL LOCATION: 0/5000028\nSTOP WAL LOCATION: 0/5000100\n"u8.ToArray());
        var partial = Path.Combine(_work.Path, name.Name + ".partial");
        File.Copy(segment, partial);
        foreach (var file in new[] { history, backup, partial })
        {
            Assert.Equal(WalPushOutcome.Stored, Push(file).Outcome);
            var back = Path.Combine(_work.Path, "back");
            Assert.Equal(WalFetchOutcome.Fetched, Fetch(Path.GetFileName(file), back).Outcome);
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(back));
        }
        var history2 = new WalFetcher(Repo).ReadFile(Cluster, WalFileName.Parse("00000002.history"), BackupKeys.None)!;
        Assert.Equal(1u, Assert.Single(WalTimelineSwitch.Parse(history2)).ParentTimeline);
        var archive = Assert.Single(new WalArchiveScanner(Repo).Scan());
        Assert.Equal(new[] { name.Name + ".partial" }, archive.Timelines.Single(t => t.Timeline == 1).PartialFiles);
        Assert.Equal(new[] { backup }.Select(Path.GetFileName), archive.Timelines.Single(t => t.Timeline == 1).BackupFiles);
        Assert.True(archive.Timelines.Single(t => t.Timeline == 2).HasHistoryFile);
    }

    [Fact]
    public void A_damaged_data_object_or_manifest_is_refused_at_fetch_and_nothing_is_handed_over()
    {
        var segment = Segment();
        var pushed = Push(segment);
        var folder = Path.GetDirectoryName(Path.Combine(_repo.Path, pushed.ManifestKey))!;
        var data = Directory.EnumerateFiles(folder, Path.GetFileName(segment) + "-*.zst").Single();
        var bytes = File.ReadAllBytes(data);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(data, bytes);
        var destination = Path.Combine(_work.Path, "RECOVERYXLOG");
        var e = Assert.Throws<ShippyarException>(() => Fetch(Path.GetFileName(segment), destination));
        Assert.Equal(ErrorIds.WalFileCorrupt, e.ErrorId);
        Assert.Contains("chunk", e.Message);
        Assert.False(File.Exists(destination));
        Assert.Empty(Directory.EnumerateFiles(_work.Path, ".*"));

        // A manifest changed to describe other content (size) no longer matches the stored object either.
        var manifestPath = Path.Combine(_repo.Path, pushed.ManifestKey);
        var lines = File.ReadAllLines(manifestPath);
        lines[0] = lines[0].Replace("\"PlainSize\":16777216", "\"PlainSize\":16777215");
        File.WriteAllLines(manifestPath, lines);
        Assert.Equal(ErrorIds.WalFileCorrupt, Assert.Throws<ShippyarException>(() => Fetch(Path.GetFileName(segment), destination)).ErrorId);
    }

    [Fact]
    public void An_encrypted_archive_is_sealed_with_a_MAC_and_reads_back_only_with_its_passphrase()
    {
        var segment = Segment();
        var storage = new StorageOptions { Compression = WalPushRequest.DefaultCompression, Encryption = OpenPgpEncryption.WithPassphrase(ArchivePassphrase.ToCharArray()) };
        var pushed = Push(segment, storage: storage);
        Assert.EndsWith(".zst.gpg", Directory.EnumerateFiles(Path.GetDirectoryName(Path.Combine(_repo.Path, pushed.ManifestKey))!, "*.gpg").Single());
        Assert.True(WalArchiveRecords.Read(Repo, Cluster.SystemIdentifier)!.Sealed);
        var destination = Path.Combine(_work.Path, "RECOVERYXLOG");
        var fetched = Fetch(Path.GetFileName(segment), destination, BackupKeys.WithPassphrase(ArchivePassphrase));
        Assert.Contains("MAC matches", fetched.Authenticity);
        Assert.Equal(File.ReadAllBytes(segment), File.ReadAllBytes(destination));

        Assert.Equal(ErrorIds.DecryptionKeyRequired, Assert.Throws<ShippyarException>(() => Fetch(Path.GetFileName(segment), destination)).ErrorId);
        Assert.Equal(ErrorIds.WalNotAuthentic, Assert.Throws<ShippyarException>(() => Fetch(Path.GetFileName(segment), destination, BackupKeys.WithPassphrase("not-the-Ocelot-passphrase"))).ErrorId);
        // The archive is sealed now: an unsealed push into it is refused, and a forged unsealed manifest is not fetched.
        Assert.Equal(ErrorIds.AuthenticationRequired, Assert.Throws<ShippyarException>(() => Push(Segment())).ErrorId);
        var manifestPath = Path.Combine(_repo.Path, pushed.ManifestKey);
        var lines = File.ReadAllLines(manifestPath);
        File.WriteAllLines(manifestPath, new[] { lines[0], "{}" });
        Assert.Equal(ErrorIds.WalNotAuthentic, Assert.Throws<ShippyarException>(() => Fetch(Path.GetFileName(segment), destination, BackupKeys.WithPassphrase(ArchivePassphrase))).ErrorId);
    }

    [Fact]
    public void An_archive_encrypted_to_public_keys_is_signed_and_gpg_opens_its_segments()
    {
        using var gpg = new GpgHome();
        var segment = Segment();
        var recipients = new StorageOptions { Compression = WalPushRequest.DefaultCompression, Encryption = OpenPgpEncryption.ToRecipients(gpg.PublicKeyFile, new[] { "backup@shippyar.example" }) };
        Assert.Equal(ErrorIds.SigningKeyRequired, Assert.Throws<ShippyarException>(() => Push(segment, storage: recipients)).ErrorId);
        var signing = SigningKey.Load(gpg.SecretKeyFile, GpgHome.KeyPassphrase.ToCharArray());
        var pushed = Push(segment, storage: recipients, signing: signing);

        var keys = BackupKeys.Load(secretKeyFile: gpg.SecretKeyFile, secretKeyPassphrase: GpgHome.KeyPassphrase.ToCharArray(), signerKeyFile: gpg.PublicKeyFile);
        var destination = Path.Combine(_work.Path, "RECOVERYXLOG");
        Assert.Contains($"signed by {gpg.Fingerprint}", Fetch(Path.GetFileName(segment), destination, keys).Authenticity);
        Assert.Equal(File.ReadAllBytes(segment), File.ReadAllBytes(destination));
        // Without the signers' keys the signature cannot be checked, and an encrypted file is not used unchecked.
        var unchecked_ = BackupKeys.Load(secretKeyFile: gpg.SecretKeyFile, secretKeyPassphrase: GpgHome.KeyPassphrase.ToCharArray());
        Assert.Equal(ErrorIds.WalNotAuthentic, Assert.Throws<ShippyarException>(() => Fetch(Path.GetFileName(segment), destination, unchecked_)).ErrorId);

        // The stored object is plain OpenPGP and zstd: gpg and zstd open it without ShippyarDr.
        var data = Directory.EnumerateFiles(Path.GetDirectoryName(Path.Combine(_repo.Path, pushed.ManifestKey))!, "*.zst.gpg").Single();
        var compressed = Path.Combine(_work.Path, "by-gpg.zst");
        gpg.Run("--passphrase", GpgHome.KeyPassphrase, "--output", compressed, "--decrypt", data);
        using (var zstd = System.Diagnostics.Process.Start("zstd", new[] { "-q", "-d", compressed, "-o", Path.Combine(_work.Path, "by-gpg") })!)
        {
            zstd.WaitForExit();
            Assert.Equal(0, zstd.ExitCode);
        }
        Assert.Equal(File.ReadAllBytes(segment), File.ReadAllBytes(Path.Combine(_work.Path, "by-gpg")));
    }

    [Fact]
    public void The_chain_lists_ranges_gaps_and_the_newest_segment_per_timeline()
    {
        var first = Segment();
        var second = Segment();
        Segment(); // never pushed: a gap
        var fourth = Segment();
        foreach (var s in new[] { first, second, fourth }) Push(s);
        var archive = Assert.Single(new WalArchiveScanner(Repo).Scan());
        var timeline = Assert.Single(archive.Timelines);
        Assert.Equal(3, timeline.SegmentCount);
        Assert.Equal((Path.GetFileName(first), Path.GetFileName(fourth)), (timeline.OldestSegment, timeline.NewestSegment));
        var gap = Assert.Single(timeline.Gaps);
        Assert.Equal(WalFileName.Parse(Path.GetFileName(second)).Next(16 << 20).Name, gap.FirstMissing);
        Assert.Equal(1UL, gap.MissingCount);
        Assert.Equal(Path.GetFileName(fourth), archive.NewestSegment);
        Assert.InRange(archive.NewestArchivedAt!.Value, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow);
        Assert.Equal(gap.FirstMissing, Assert.Single(archive.MissingBetween(1, Path.GetFileName(first), Path.GetFileName(fourth))).FirstMissing);
        Assert.Empty(archive.MissingBetween(1, Path.GetFileName(first), Path.GetFileName(second)));
    }

    [Fact]
    public void A_push_that_fails_writing_its_manifest_removes_its_data_and_the_retry_archives()
    {
        var segment = Segment();
        var failing = new ManifestFailingRepository(Repo);
        Assert.Throws<IOException>(() => Push(segment, failing));
        Assert.Equal(WalFetchOutcome.NotInArchive, Fetch(Path.GetFileName(segment), Path.Combine(_work.Path, "x")).Outcome);
        Assert.Equal(0, Assert.Single(new WalArchiveScanner(Repo).Scan()).UnreferencedObjects);
        Assert.Equal(WalPushOutcome.Stored, Push(segment).Outcome);
        Assert.Equal(WalFetchOutcome.Fetched, Fetch(Path.GetFileName(segment), Path.Combine(_work.Path, "x")).Outcome);
    }

    private string WriteFile(string name, byte[] content)
    {
        var path = Path.Combine(_work.Path, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    /// <summary>The store fails the manifest write, as a crash right after the data object would.</summary>
    private sealed class ManifestFailingRepository(IBackupRepository inner) : DelegatingRepository(inner)
    {
        public override void WriteAtomically(string key, ReadOnlySpan<byte> content, bool replace = false)
        {
            if (key.EndsWith(WalLayout.ManifestSuffix, StringComparison.Ordinal)) throw new IOException("the disk went away");
            base.WriteAtomically(key, content, replace);
        }
    }
}
