using ShippyarDr.Pipeline;
using ShippyarDr.Repository;

namespace ShippyarDr.Backup;

/// <summary>
/// The repositories still receiving a backup: one that failed midway (an S3 outage) gets none of the later files, and
/// is reported with its failure once the backup stands in the others.
/// </summary>
internal sealed class LiveRepositories(IReadOnlyList<IBackupRepository> repositories)
{
    private readonly List<IBackupRepository> _live = repositories.ToList();
    private readonly List<(IBackupRepository Repository, Exception Error)> _failed = new();

    /// <summary>The repositories that have every file so far.</summary>
    public IReadOnlyList<IBackupRepository> Live => _live;

    /// <summary>The repositories abandoned midway, with why.</summary>
    public IReadOnlyList<(IBackupRepository Repository, Exception Error)> Failed => _failed;

    /// <summary>Drops the repositories <paramref name="written"/> reports as failed (by position in <see cref="Live"/> when it was written).</summary>
    public void Drop(StoredObjectWriteResult written)
    {
        var abandoned = written.Failures.Select((error, i) => (Repository: _live[i], Error: error)).Where(f => f.Error is not null).ToList();
        foreach (var (repository, error) in abandoned)
        {
            _live.Remove(repository);
            _failed.Add((repository, error!));
        }
    }
}
