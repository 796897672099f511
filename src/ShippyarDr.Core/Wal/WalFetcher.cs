using System.Diagnostics;
using ShippyarDr.Authentication;
using ShippyarDr.Diagnostics;
using ShippyarDr.Pipeline;
using ShippyarDr.Repository;
using ShippyarDr.Streams;

namespace ShippyarDr.Wal;

/// <summary>
/// Hands PostgreSQL (restore_command) one archived file: only from the archive of the cluster recovering; a file the
/// archive does not hold is an ordinary outcome (NotInArchive), since PostgreSQL asks for files that do not exist
/// (the next timeline's history file, the segment after the last). A file that is found goes through its manifest's
/// seal, every chunk digest and both SHA-256s before any byte reaches the destination, which appears whole (a temp
/// file renamed) or not at all.
/// </summary>
public sealed class WalFetcher
{
    private readonly IBackupRepository _repository;
    private readonly IOperationReporter _reporter;

    public WalFetcher(IBackupRepository repository, IOperationReporter? reporter = null)
        => (_repository, _reporter) = (repository, reporter ?? NullReporter.Instance);

    public WalFetchResult Fetch(WalFetchRequest request, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        var name = WalFileName.Parse(request.Name);
        var found = Locate(request.Cluster, name, request.Keys);
        if (found is null)
        {
            _reporter.Verbose($"{name} is not in the archive of {request.Cluster} in {_repository.Location}.");
            return new WalFetchResult { Name = name.Name, Outcome = WalFetchOutcome.NotInArchive, Repository = _repository.Location, Duration = clock.Elapsed };
        }
        var destination = Path.GetFullPath(request.Destination);
        var temp = Path.Combine(Path.GetDirectoryName(destination)!, $".{Path.GetFileName(destination)}.shippyar-{Guid.NewGuid():n}");
        try
        {
            using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
                Copy(found, request.Keys, output, cancel);
            File.Move(temp, destination, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
        _reporter.Verbose($"{name} fetched from {_repository.Location} ({found.Manifest.Manifest.File.PlainSize / 1048576.0:F1} MB, {found.Authenticity.Detail}) in {clock.ElapsedMilliseconds} ms.");
        return new WalFetchResult
        {
            Name = name.Name, Outcome = WalFetchOutcome.Fetched, Repository = _repository.Location, Size = found.Manifest.Manifest.File.PlainSize, Sha256 = found.Manifest.Manifest.File.PlainSha256,
            Authenticity = found.Authenticity.Detail, ArchivedAt = found.Manifest.Manifest.ArchivedAt, Duration = clock.Elapsed,
        };
    }

    /// <summary>A small archived file whole (a timeline history file), checked like any fetch; null when the archive does not hold it.</summary>
    public byte[]? ReadFile(ClusterIdentity cluster, WalFileName name, BackupKeys keys, int maxSize = 1 << 20, CancellationToken cancel = default)
    {
        if (Locate(cluster, name, keys) is not { } found) return null;
        if (found.Manifest.Manifest.File.PlainSize > maxSize)
            throw new ShippyarException(ShippyarErrorKind.InvalidData, ErrorIds.ObjectTooLarge, $"{name} is {found.Manifest.Manifest.File.PlainSize} bytes, more than the {maxSize} expected.", name.Name);
        using var ms = new MemoryStream();
        Copy(found, keys, ms, cancel);
        return ms.ToArray();
    }

    /// <summary>The archive of <paramref name="cluster"/>: its record, which must match the cluster; an error when the repository holds none.</summary>
    public WalArchiveRecord RequireArchive(ClusterIdentity cluster)
    {
        var record = WalArchiveRecords.Read(_repository, cluster.SystemIdentifier);
        if (record is null)
        {
            var others = WalArchiveRecords.SystemIdentifiers(_repository);
            throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, ErrorIds.WalArchiveNotFound,
                $"{_repository.Location} holds no WAL archive of {cluster}" + (others.Count == 0 ? " (it holds none at all)." : $" (it holds the archives of cluster {string.Join(", ", others)})."),
                _repository.Location);
        }
        WalArchiveRecords.Check(_repository, record, cluster);
        return record;
    }

    private sealed record Found(WalArchiveRecord Record, string Folder, SealedWalManifest Manifest, AuthenticityResult Authenticity, string Where);

    private Found? Locate(ClusterIdentity cluster, WalFileName name, BackupKeys keys)
    {
        var record = RequireArchive(cluster);
        var folder = WalLayout.Folder(cluster.SystemIdentifier, name);
        var manifests = _repository.ListStartingWith(folder, WalLayout.NamePrefix(name))
            .Select(WalLayout.Parse).Where(k => k is { IsManifest: true } && k.Name.Name == name.Name).Select(k => k!.Key).ToList();
        if (manifests.Count == 0) return null;
        if (manifests.Count > 1)
            throw new ShippyarException(ShippyarErrorKind.InvalidData, ErrorIds.WalDuplicateConflict,
                $"{name} is archived {manifests.Count} times with different content in {_repository.Location} ({string.Join(", ", manifests)}): two servers archived into one archive, and which copy is right cannot be told. Remove the wrong one.", name.Name);
        var where = $"{_repository.Location.TrimEnd('/')}/{manifests[0]}";
        var manifest = SealedWalManifest.Parse(_repository.ReadAllBytes(manifests[0], SealedWalManifest.MaxSize), where);
        // Without a key for an encrypted file the useful answer is "give the key", whatever else the manifest says.
        StoredObjectReader.RequireKey(manifest.Manifest.File, keys.Decryption);
        var authenticity = WalAuthenticator.Require(manifest, keys, record.Sealed, where);
        // Only now is anything the manifest says used; it must describe this very file of this cluster, stored beside it.
        var m = manifest.Manifest;
        if (m.Name != name.Name || m.SystemIdentifier != cluster.SystemIdentifier || m.File.PlainSha256 is null
            || !manifests[0].Contains($"-{WalLayout.ShaPrefix(m.File.PlainSha256)}{WalLayout.ManifestSuffix}", StringComparison.Ordinal)
            || !WalLayout.IsDataNameOf(m.File.Name, name, m.File.PlainSha256))
            throw new ShippyarException(ShippyarErrorKind.InvalidData, ErrorIds.WalManifestInvalid, $"WAL manifest {where} does not describe {name} of {cluster} stored beside it.", where);
        return new Found(record, folder, manifest, authenticity, where);
    }

    private void Copy(Found found, BackupKeys keys, Stream output, CancellationToken cancel)
    {
        var file = found.Manifest.Manifest.File;
        var chunks = file.Chunks!;
        byte[] digests;
        try { digests = Convert.FromHexString(found.Manifest.Manifest.ChunkDigests); }
        catch (FormatException e) { throw new ShippyarException(ShippyarErrorKind.InvalidData, ErrorIds.WalManifestInvalid, $"WAL manifest {found.Where} holds unreadable chunk digests.", found.Where, e); }
        var dataKey = found.Folder + file.Name;
        var where = $"{_repository.Location.TrimEnd('/')}/{dataKey}";
        if (System.Security.Cryptography.SHA256.HashData(digests) is var h && Convert.ToHexString(h).ToLowerInvariant() != chunks.Sha256)
            throw Corrupt(found, where, "its chunk digests differ from their checksum in the manifest");
        using var reader = new StoredObjectReader(() => new ChunkVerifyingReadStream(_repository.OpenRead(dataKey), digests, chunks.Size, file.Size, where),
            file, where, keys.Decryption);
        try
        {
            reader.CopyTo(output);
            cancel.ThrowIfCancellationRequested();
        }
        catch (ShippyarException e) when (e.Kind == ShippyarErrorKind.InvalidData)
        {
            throw Corrupt(found, where, e.Message);
        }
        var integrity = reader.CheckIntegrity(cancel);
        if (integrity.Problem is { } problem) throw Corrupt(found, where, problem);
    }

    private static ShippyarException Corrupt(Found found, string where, string why) => new(ShippyarErrorKind.InvalidData, ErrorIds.WalFileCorrupt,
        $"WAL file {found.Manifest.Manifest.Name} in the archive is damaged and was not handed over: {why.TrimEnd('.')}.", where);
}
