using System.Text.Json;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;

namespace ShippyarDr.Wal;

/// <summary>Reads, creates and checks an archive's record (<see cref="WalArchiveRecord"/>).</summary>
public static class WalArchiveRecords
{

    /// <summary>The record of a cluster's archive, or null when the repository holds no archive of it.</summary>
    public static WalArchiveRecord? Read(IBackupRepository repository, string systemIdentifier)
    {
        var key = WalLayout.RecordKey(systemIdentifier);
        byte[] bytes;
        try { bytes = repository.ReadAllBytes(key, 1 << 20); }
        catch (ShippyarException e) when (e.ErrorId == ErrorIds.BackupFileMissing) { return null; }
        WalArchiveRecord? record;
        try { record = JsonSerializer.Deserialize(bytes, WalRecordJson.Default.WalArchiveRecord); }
        catch (JsonException e) { throw Corrupt(repository, key, e.Message, e); }
        if (record is null || record.SystemIdentifier != systemIdentifier || record.PostgresMajorVersion <= 0 || record.WalSegmentSize <= 0)
            throw Corrupt(repository, key, $"it does not describe the archive of cluster {systemIdentifier}", null);
        if (record.FormatVersion > WalArchiveRecord.CurrentFormat)
            throw new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.RepositoryFormatTooNew,
                $"{repository.Location}/{key} has format {record.FormatVersion}, written by {record.CreatedBy}; this version knows format {WalArchiveRecord.CurrentFormat}. Upgrade ShippyarDr.", key);
        return record;
    }

    /// <summary>
    /// Before a push: the archive of <paramref name="cluster"/>, created with the first push. An existing one must
    /// match the cluster (major version, segment size); once sealed, every push must seal; a first sealed push seals it.
    /// </summary>
    public static WalArchiveRecord Ensure(IBackupRepository repository, ClusterIdentity cluster, int walSegmentSize, bool sealing)
    {
        var record = Read(repository, cluster.SystemIdentifier);
        if (record is null)
        {
            record = new WalArchiveRecord
            {
                SystemIdentifier = cluster.SystemIdentifier, PostgresMajorVersion = cluster.MajorVersion, WalSegmentSize = walSegmentSize,
                Sealed = sealing, CreatedBy = WalManifest.ProgramName, CreatedOn = Environment.MachineName, CreatedAt = DateTimeOffset.UtcNow,
            };
            try
            {
                repository.WriteAtomically(WalLayout.RecordKey(cluster.SystemIdentifier), JsonSerializer.SerializeToUtf8Bytes(record, WalRecordJson.Default.WalArchiveRecord));
            }
            catch (ShippyarException e) when (e.ErrorId == ErrorIds.ObjectExists)
            {
                // Another push created it first: what it says is what counts.
                record = Read(repository, cluster.SystemIdentifier)!;
            }
        }
        Check(repository, record, cluster, walSegmentSize);
        if (record.Sealed && !sealing)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.AuthenticationRequired,
                $"The WAL archive of cluster {cluster.SystemIdentifier} in {repository.Location} is sealed, and an unsealed WAL file is never added to it: encrypt with the archive's passphrase, or sign with a signing key.", repository.Location);
        if (sealing && !record.Sealed)
        {
            record.Sealed = true;
            repository.WriteAtomically(WalLayout.RecordKey(cluster.SystemIdentifier), JsonSerializer.SerializeToUtf8Bytes(record, WalRecordJson.Default.WalArchiveRecord), replace: true);
        }
        return record;
    }

    /// <summary>Refuses a cluster that is not the archive's: another major version, another segment size.</summary>
    public static void Check(IBackupRepository repository, WalArchiveRecord record, ClusterIdentity cluster, int? walSegmentSize = null)
    {
        string? problem = record.SystemIdentifier != cluster.SystemIdentifier ? $"it belongs to cluster {record.SystemIdentifier}"
            : record.PostgresMajorVersion != cluster.MajorVersion ? $"it holds PostgreSQL {record.PostgresMajorVersion} WAL, and the cluster is PostgreSQL {cluster.MajorVersion}"
            : (walSegmentSize ?? cluster.WalSegmentSize) is { } size && size != record.WalSegmentSize
                ? $"its segments are {record.WalSegmentSize} bytes, and the cluster's are {size}"
            : null;
        if (problem is not null)
            throw new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.WalArchiveMismatch,
                $"The WAL archive {repository.Location}/{WalLayout.ArchivePrefix(record.SystemIdentifier)} does not fit {cluster}: {problem}. WAL of two clusters never mixes in one archive.", repository.Location);
    }

    /// <summary>The system identifiers of every archive the repository holds.</summary>
    public static IReadOnlyList<string> SystemIdentifiers(IBackupRepository repository)
        => repository.ListChildren(BackupLayout.WalRoot).Where(c => c.EndsWith('/')).Select(c => c.TrimEnd('/'))
            .Where(c => c.Length is > 0 and <= 20 && c.All(char.IsAsciiDigit)).Order(StringComparer.Ordinal).ToList();

    private static ShippyarException Corrupt(IBackupRepository repository, string key, string why, Exception? inner)
        => new(ShippyarErrorKind.InvalidData, ErrorIds.WalArchiveRecordCorrupt, $"{repository.Location}/{key} cannot be read: {why}.", key, inner);
}
