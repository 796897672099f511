using System.Globalization;
using System.Security.Cryptography;
using ShippyarDr.Diagnostics;
using ShippyarDr.Physical;
using ShippyarDr.Physical.Tar;
using ShippyarDr.Pipeline;
using ShippyarDr.Repository;
using ShippyarDr.Streams;
using ShippyarDr.Wal;

namespace ShippyarDr.Verification;

/// <summary>
/// The Catalog level of a base backup: the server's backup_manifest is read and its own checksum checked, then every
/// tar is read through (decrypted, decompressed, parsed) and each file in it compared with the manifest's size and
/// SHA-256; the manifest must list nothing the tars lack and the tars hold nothing it does not list. pg_wal.tar's
/// segments (which the manifest covers only as WAL ranges) must run from the backup's first to its last segment, each
/// of the server's segment size, each beginning with the page header of that position, timeline and cluster. Both
/// checksums of every stored object are checked on the way, as for any backup. Memory holds the manifest's entries
/// (about 150 bytes a file), never file contents.
/// </summary>
internal sealed class PhysicalCatalogCheck(BackupInfo backup, IBackupRepository repository, IDecryptionStage? decryption, CheckRecorder checks,
    IOperationReporter reporter, string activity)
{
    private const int ListedDifferences = 10;
    private const int ManifestLimit = 1024 * 1024 * 1024;
    private readonly PhysicalBackupInfo _physical = backup.Physical!;
    private readonly HashSet<string> _found = new(StringComparer.Ordinal);

    public bool Run(CancellationToken cancel)
    {
        var manifest = ReadManifest(cancel);
        var ok = manifest is not null;
        foreach (var tablespace in _physical.Tablespaces)
            ok &= CheckTar(tablespace.File, $"pg_tblspc/{tablespace.Oid.ToString(CultureInfo.InvariantCulture)}/", manifest, wal: false, cancel);
        ok &= CheckTar(_physical.BaseFile, "", manifest, wal: false, cancel);
        ok &= CheckTar(_physical.WalFile, "", manifest, wal: true, cancel);
        if (manifest is null) return false;
        var missing = manifest.Files.Keys.Where(p => !_found.Contains(p)).Order(StringComparer.Ordinal).ToList();
        ok &= Add("Backup manifest complete", missing.Count == 0,
            missing.Count == 0 ? $"every one of its {manifest.Files.Count} files is in the backup" : $"{missing.Count} of its files are missing from the backup: {List(missing)}");
        return ok;
    }

    private BackupManifestFile? ReadManifest(CancellationToken cancel)
    {
        if (Open(_physical.ManifestFile) is not { } archive) return null;
        using (archive)
        {
            var file = archive.File;
            byte[]? bytes = null;
            string? unreadable = null;
            try
            {
                using var buffer = new MemoryStream();
                var chunk = new byte[1 << 16];
                int n;
                while ((n = archive.Reader.Read(chunk)) > 0)
                {
                    cancel.ThrowIfCancellationRequested();
                    if (buffer.Length + n > ManifestLimit) throw new InvalidDataException("it is larger than 1 GiB");
                    buffer.Write(chunk, 0, n);
                }
                bytes = buffer.ToArray();
            }
            catch (Exception e) when (e is ShippyarException { Kind: ShippyarErrorKind.InvalidData } or InvalidDataException or IOException)
            {
                unreadable = SecretRedactor.Redact(e.Message);
            }
            var integrity = archive.Reader.CheckIntegrity(cancel);
            var ok = Integrity(file, integrity);
            if (bytes is null || !ok)
            {
                Add("Backup manifest", false, unreadable ?? "not read: the stored object is damaged");
                return null;
            }
            BackupManifestFile manifest;
            try { manifest = BackupManifestFile.Parse(bytes, $"of backup {backup.Id}"); }
            catch (ShippyarException e)
            {
                Add("Backup manifest", false, e.Message);
                return null;
            }
            var problems = new List<string>();
            if (!manifest.ChecksumMatches) problems.Add("its Manifest-Checksum does not match its contents");
            var range = manifest.WalRanges.FirstOrDefault();
            if (manifest.WalRanges.Count != 1 || range!.Timeline != _physical.Timeline || range.StartLsn != _physical.StartLsn || range.EndLsn != _physical.StopLsn)
                problems.Add($"its WAL ranges ({string.Join(", ", manifest.WalRanges.Select(r => $"timeline {r.Timeline} {r.StartLsn}-{r.EndLsn}"))}) are not the backup's (timeline {_physical.Timeline} {_physical.StartLsn}-{_physical.StopLsn})");
            if (manifest.SystemIdentifier is { } sysid && backup.SystemIdentifier is { } ours && sysid != ours)
                problems.Add($"it belongs to cluster {sysid}, the backup to {ours}");
            Add("Backup manifest", problems.Count == 0, problems.Count == 0
                ? $"{manifest.Files.Count} files, WAL {_physical.StartLsn} to {_physical.StopLsn} on timeline {_physical.Timeline}, its checksum matches"
                : string.Join("; ", problems));
            return problems.Count == 0 ? manifest : null;
        }
    }

    /// <summary>One tar against the manifest (files under <paramref name="prefix"/>); for pg_wal.tar its segments too.</summary>
    private bool CheckTar(string fileName, string prefix, BackupManifestFile? manifest, bool wal, CancellationToken cancel)
    {
        if (Open(fileName) is not { } archive) return false;
        using (archive)
        {
            var file = archive.File;
            var differences = new List<string>();
            var segments = new List<string>();
            var matched = 0;
            string? unreadable = null;
            try
            {
                var tar = new TarReader(new TeeReadStream(archive.Reader, Stream.Null, Progress(file)), archive.Reader.Where);
                while (tar.Next() is { } member)
                {
                    cancel.ThrowIfCancellationRequested();
                    if (!member.IsFile) continue;
                    var path = prefix + member.Name;
                    var walName = wal && member.Name.StartsWith("pg_wal/", StringComparison.Ordinal) ? member.Name["pg_wal/".Length..] : null;
                    if (walName is not null && WalFileName.TryParse(walName) is { IsSegment: true } segmentName)
                    {
                        segments.Add(walName);
                        if (SegmentProblem(segmentName, member, tar) is { } problem) differences.Add(problem);
                        continue;
                    }
                    var (size, digest) = Hash(tar, manifest?.Files.GetValueOrDefault(path)?.Algorithm);
                    if (manifest is null) continue;
                    if (!manifest.Files.TryGetValue(path, out var entry))
                    {
                        // Timeline history files travel with the segments; a manifest may cover them as WAL, not as files.
                        if (walName is not null && walName.EndsWith(".history", StringComparison.Ordinal)) matched++;
                        else differences.Add($"{path} is not in the backup manifest");
                        continue;
                    }
                    _found.Add(path);
                    if (entry.Size != size) differences.Add($"{path} has {size} bytes, the manifest {entry.Size}");
                    else if (digest is not null && !string.Equals(digest, entry.Checksum, StringComparison.OrdinalIgnoreCase)) differences.Add($"{path} has SHA-256 {digest}, the manifest {entry.Checksum}");
                    else matched++;
                }
            }
            catch (Exception e) when (e is ShippyarException { Kind: ShippyarErrorKind.InvalidData } or InvalidDataException or IOException)
            {
                unreadable = SecretRedactor.Redact(e.Message);
            }
            var intact = Integrity(file, archive.Reader.CheckIntegrity(cancel));
            if (unreadable is not null) return Add($"Files {file.Name}", false, $"not readable to its end: {unreadable}");
            if (manifest is null) return Add($"Files {file.Name}", false, "not compared: the backup manifest could not be used");
            if (wal) differences.AddRange(MissingSegments(segments));
            var what = wal ? $"{segments.Count} WAL segment(s) {_physical.FirstWalSegment} to {_physical.LastWalSegment} as the backup needs them, {matched} other file(s) as in the manifest"
                : $"{matched} files match the backup manifest (size and SHA-256)";
            var listed = Add($"Files {file.Name}", differences.Count == 0, differences.Count == 0 ? what : $"{differences.Count} problem(s): {List(differences)}");
            return listed && intact;
        }
    }

    /// <summary>A segment must be the server's segment size and start with the long page header of its own position, timeline and cluster.</summary>
    private string? SegmentProblem(WalFileName name, TarHeader member, TarReader tar)
    {
        if (member.Size != _physical.WalSegmentSize) return $"pg_wal/{name} has {member.Size} bytes, not the server's segment size {_physical.WalSegmentSize}";
        var header = new byte[WalSegmentHeader.Length];
        var read = 0;
        while (read < header.Length && tar.ReadData(header.AsSpan(read)) is var n && n > 0) read += n;
        return WalSegmentHeader.Problem(name, header.AsSpan(0, read), (int)_physical.WalSegmentSize, backup.SystemIdentifier) is { } problem ? $"pg_wal/{problem}" : null;
    }

    private IEnumerable<string> MissingSegments(IReadOnlyCollection<string> segments)
    {
        if (_physical.FirstWalSegment.Length == 0 || _physical.LastWalSegment.Length == 0) return new[] { "the manifest names no WAL segments" };
        var have = segments.ToHashSet(StringComparer.Ordinal);
        // A promotion during the backup moves the stop to another timeline: the range is checked on the start's.
        var last = _physical.StopTimeline == _physical.Timeline ? _physical.LastWalSegment : _physical.FirstWalSegment;
        var size = (int)_physical.WalSegmentSize;
        var first = WalFileName.Parse(_physical.FirstWalSegment);
        var missing = new List<string>();
        for (var n = first.SegmentNumber(size); n <= WalFileName.Parse(last).SegmentNumber(size); n++)
            if (WalFileName.ForSegment(first.Timeline, n, size).Name is var name && !have.Contains(name)) missing.Add(name);
        return missing.Count == 0 ? Array.Empty<string>() : new[] { $"WAL segment(s) the backup needs are missing: {List(missing)}" };
    }

    private static (long Size, string? Sha256) Hash(TarReader tar, string? algorithm)
    {
        var name = algorithm?.ToUpperInvariant() switch
        {
            "SHA256" => HashAlgorithmName.SHA256, "SHA384" => HashAlgorithmName.SHA384, "SHA512" => HashAlgorithmName.SHA512, _ => default,
        };
        using var hash = name.Name is null ? null : IncrementalHash.CreateHash(name);
        var buffer = new byte[1 << 16];
        long size = 0;
        int n;
        while ((n = tar.ReadData(buffer)) > 0)
        {
            hash?.AppendData(buffer, 0, n);
            size += n;
        }
        return (size, hash is null ? null : Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant());
    }

    private sealed record OpenArchive(BackupFile File, StoredObjectReader Reader) : IDisposable
    {
        public void Dispose() => Reader.Dispose();
    }

    private OpenArchive? Open(string fileName)
    {
        var file = backup.Files.FirstOrDefault(f => f.Name == fileName);
        if (file is null) { Add($"Read {fileName}", false, "the manifest names it, but lists no such file"); return null; }
        try { return new OpenArchive(file, new StoredObjectReader(repository, backup, file, decryption)); }
        catch (ShippyarException e) when (e.Kind is ShippyarErrorKind.ObjectNotFound or ShippyarErrorKind.AuthenticationError or ShippyarErrorKind.ResourceUnavailable or ShippyarErrorKind.InvalidData)
        {
            Add(e.ErrorId == ErrorIds.BackupCorrupt ? $"Checksum {file.Name}" : $"Read {file.Name}", false, e.Message);
            return null;
        }
    }

    private bool Integrity(BackupFile file, StoredObjectIntegrity integrity)
    {
        Add($"Checksum {file.Name}", integrity.StoredMatches, integrity.StoredDetail);
        Add($"Content checksum {file.Name}", integrity.PlainMatches, integrity.PlainDetail);
        return integrity.StoredMatches && integrity.PlainMatches;
    }

    private bool Add(string name, bool passed, string detail)
    {
        checks.Add(name, passed, detail);
        return passed;
    }

    private static string List(IReadOnlyCollection<string> items)
        => string.Join(", ", items.Take(ListedDifferences)) + (items.Count > ListedDifferences ? $" and {items.Count - ListedDifferences} more" : "");

    private Action<long> Progress(BackupFile file) => new ProgressThrottle(b => reporter.Progress(activity,
        $"Reading {file.Name}: {b / 1048576.0:F0} of {file.PlainSize / 1048576.0:F0} MB", file.PlainSize > 0 ? (int)Math.Min(100, b * 100 / file.PlainSize) : -1)).Report;
}
