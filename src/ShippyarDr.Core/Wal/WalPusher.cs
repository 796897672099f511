using System.Diagnostics;
using System.Security.Cryptography;
using ShippyarDr.Authentication;
using ShippyarDr.Diagnostics;
using ShippyarDr.Pipeline;
using ShippyarDr.Repository;

namespace ShippyarDr.Wal;

/// <summary>
/// Archives one file PostgreSQL hands to archive_command, as pgBackRest's archive-push does: the archive must be this
/// cluster's (record and segment header), the file is hashed, and a file of that name already archived is either
/// identical (success, nothing written: PostgreSQL archives again after a crash) or different (an error; the archived
/// one is never overwritten). Otherwise the data goes through the storage stages into a durable object of its own
/// name, then the sealed manifest, never replacing one, makes it part of the archive. Success returns only once both
/// are durable.
/// </summary>
public sealed class WalPusher
{
    private readonly IBackupRepository _repository;
    private readonly IOperationReporter _reporter;

    public WalPusher(IBackupRepository repository, IOperationReporter? reporter = null)
        => (_repository, _reporter) = (repository, reporter ?? NullReporter.Instance);

    public WalPushResult Push(WalPushRequest request, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        var path = request.SourcePath;
        var name = WalFileName.Parse(Path.GetFileName(path));
        var sealers = ManifestSealers.For(request.Storage, request.Signing);
        var (length, head) = ReadHead(path);
        var header = name.Kind is WalFileKind.Segment or WalFileKind.Partial ? WalSegmentHeader.TryRead(head) : null;
        var segmentSize = request.Cluster.WalSegmentSize ?? header?.SegmentSize
            ?? WalArchiveRecords.Read(_repository, request.Cluster.SystemIdentifier)?.WalSegmentSize
            ?? throw new ShippyarException(ShippyarErrorKind.InvalidData, ErrorIds.WalSegmentSizeUnknown,
                $"The wal_segment_size of {request.Cluster} cannot be read from its pg_control, and {name} is not a segment that would tell: archive a segment first.", path);
        var record = WalArchiveRecords.Ensure(_repository, request.Cluster, segmentSize, sealers.Count > 0);
        if (name.Kind is WalFileKind.Segment or WalFileKind.Partial)
        {
            if (!name.FitsSegmentSize(record.WalSegmentSize)) throw InvalidName(name, record);
            WalSegmentHeader.Check(path, name, length, head, request.Cluster, record.WalSegmentSize);
        }
        var (sha, size) = Hash(path, cancel);
        var systemIdentifier = request.Cluster.SystemIdentifier;
        var folder = WalLayout.Folder(systemIdentifier, name);
        var manifestKey = WalLayout.ManifestKey(systemIdentifier, name, sha);

        if (FindArchived(name, folder, sha, size) is { } already)
        {
            _reporter.Verbose($"{name} is archived already with the same content ({already}): nothing to do.");
            return Result(name, WalPushOutcome.AlreadyArchived, manifestKey, size, 0, sha, clock);
        }

        var nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();
        var dataName = WalLayout.DataName(name, sha, nonce, request.Storage.StoredName(""));
        var dataKey = folder + dataName;
        BackupFile file;
        byte[] digests;
        using (var source = OpenSource(path))
        using (var pending = _repository.CreateAtomically(dataKey))
            (file, digests) = StoredObjectWriter.WriteOne(source, pending, dataName, "wal", request.Storage, cancel);
        try
        {
            if (file.PlainSha256 != sha || file.PlainSize != size)
                throw new ShippyarException(ShippyarErrorKind.InvalidData, ErrorIds.WalSourceChanged,
                    $"{path} changed while it was archived (PostgreSQL hands archive_command a finished file: something else writes to it).", path);
            file.Chunks!.File = "";
            var manifest = new WalManifest
            {
                Name = name.Name, Kind = name.Kind, SystemIdentifier = systemIdentifier, PostgresMajorVersion = record.PostgresMajorVersion,
                WalSegmentSize = record.WalSegmentSize, ArchivedAt = DateTimeOffset.UtcNow,
                ArchivedBy = $"{Environment.MachineName} ({WalManifest.ProgramName})", File = file,
                ChunkDigests = Convert.ToHexString(digests).ToLowerInvariant(),
            };
            _repository.WriteAtomically(manifestKey, SealedWalManifest.Create(manifest, sealers));
        }
        catch (ShippyarException e) when (e.ErrorId == ErrorIds.ObjectExists && FindArchived(name, folder, sha, size) is { } raced)
        {
            // A concurrent push of the same file won: its data object counts, ours is referenced by nothing.
            DeleteOwn(dataKey);
            _reporter.Verbose($"{name} was archived by a concurrent push with the same content ({raced}).");
            return Result(name, WalPushOutcome.AlreadyArchived, manifestKey, size, 0, sha, clock);
        }
        catch
        {
            DeleteOwn(dataKey);
            throw;
        }
        _reporter.Verbose($"{name} archived in {_repository.Location} ({size / 1048576.0:F1} MB, {file.Size / 1048576.0:F1} MB stored) in {clock.ElapsedMilliseconds} ms.");
        return Result(name, WalPushOutcome.Stored, manifestKey, size, file.Size, sha, clock);
    }

    private WalPushResult Result(WalFileName name, WalPushOutcome outcome, string manifestKey, long size, long stored, string sha, Stopwatch clock) => new()
    {
        Name = name.Name, Kind = name.Kind, Outcome = outcome, Repository = _repository.Location, ManifestKey = manifestKey,
        PlainSize = size, StoredSize = stored, PlainSha256 = sha, Duration = clock.Elapsed,
    };

    /// <summary>
    /// The archived file of this name whose content is ours (when it was archived and by whom), or null when none is.
    /// One archived with other content is an error, never replaced: the checksum prefix in the names tells them apart
    /// without downloading any data, and the full SHA-256 and size in the manifest decide.
    /// </summary>
    private string? FindArchived(WalFileName name, string folder, string sha, long size)
    {
        string? identical = null;
        var different = new List<string>();
        foreach (var key in _repository.ListStartingWith(folder, WalLayout.NamePrefix(name)))
        {
            if (WalLayout.Parse(key) is not { IsManifest: true } walKey || walKey.Name.Name != name.Name) continue;
            var manifest = SealedWalManifest.Parse(_repository.ReadAllBytes(key, SealedWalManifest.MaxSize), $"{_repository.Location}/{key}").Manifest;
            if (manifest.File.PlainSha256 == sha && manifest.File.PlainSize == size) identical = $"archived {manifest.ArchivedAt:u} by {manifest.ArchivedBy}";
            else different.Add($"SHA-256 {manifest.File.PlainSha256}, {manifest.File.PlainSize} bytes, archived {manifest.ArchivedAt:u} by {manifest.ArchivedBy}");
        }
        if (identical is not null)
        {
            if (different.Count > 0) _reporter.Warning($"{name} is also archived with other content in {_repository.Location} ({string.Join("; ", different)}): fetching it will fail until one is removed.");
            return identical;
        }
        if (different.Count > 0)
            throw new ShippyarException(ShippyarErrorKind.WriteError, ErrorIds.WalDuplicateDiffers,
                $"{name} is archived already in {_repository.Location} with other content ({string.Join("; ", different)}; this one has SHA-256 {sha}, {size} bytes). " +
                "An archived WAL file is never overwritten. Two servers may be archiving into one archive (a standby with archive_mode=always, or a copy of this cluster).",
                name.Name);
        return null;
    }

    private void DeleteOwn(string dataKey)
    {
        try { _repository.Delete(dataKey); }
        catch (Exception e) when (e is ShippyarException or IOException or UnauthorizedAccessException)
        {
            _reporter.Warning($"{_repository.Location}/{dataKey} could not be removed ({e.Message}); no manifest names it, so it is not part of the archive.");
        }
    }

    private static (long Length, byte[] Head) ReadHead(string path)
    {
        using var source = OpenSource(path);
        var head = new byte[WalSegmentHeader.Length];
        var n = source.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return (source.Length, head[..n]);
    }

    private static (string Sha, long Size) Hash(string path, CancellationToken cancel)
    {
        using var source = OpenSource(path);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        long size = 0;
        int n;
        while ((n = source.Read(buffer)) > 0)
        {
            sha.AppendData(buffer, 0, n);
            size += n;
            cancel.ThrowIfCancellationRequested();
        }
        return (Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant(), size);
    }

    private static FileStream OpenSource(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 20, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, ErrorIds.WalSourceNotFound, $"{Path.GetFullPath(path)} does not exist: nothing to archive.", path, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ShippyarException(ShippyarErrorKind.PermissionDenied, ErrorIds.WalSourceNotFound, $"{Path.GetFullPath(path)} cannot be read: {e.Message}", path, e);
        }
    }

    private static ShippyarException InvalidName(WalFileName name, WalArchiveRecord record) => new(ShippyarErrorKind.InvalidArgument, ErrorIds.InvalidWalFileName,
        $"{name} cannot exist with {record.WalSegmentSize}-byte segments (its segment number within the log is too large).", name.Name);
}
