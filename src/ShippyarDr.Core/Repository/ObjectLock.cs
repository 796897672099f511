namespace ShippyarDr.Repository;

/// <summary>
/// S3 Object Lock modes. Compliance: nobody, not even the account's root user, can delete a locked object version or
/// shorten its retention; what ransomware with stolen credentials cannot undo. Governance: users with the
/// s3:BypassGovernanceRetention permission can, so a mistaken retention can be corrected, and so can such an attacker.
/// </summary>
public enum ObjectLockMode
{
    Compliance,
    Governance,
}

/// <summary>The retention every object a run stores gets: the store refuses to delete them before <see cref="Until"/>.</summary>
public sealed record ObjectLock(ObjectLockMode Mode, DateTimeOffset Until)
{
    /// <summary>The longest lock a backup asks for: beyond it a typo (36500 for 365) would keep objects, unremovable, for a century.</summary>
    public const int MaxDays = 3650;

    /// <summary>A lock of whole days from <paramref name="start"/>, to the second (the precision S3 keeps and the manifest records).</summary>
    public static ObjectLock ForDays(int days, ObjectLockMode mode, DateTimeOffset start)
    {
        if (days is < 1 or > MaxDays)
            throw new Diagnostics.ShippyarException(Diagnostics.ShippyarErrorKind.InvalidArgument, Diagnostics.ErrorIds.InvalidObjectLockDays,
                $"An object lock lasts 1 to {MaxDays} days (got {days}).", days.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var until = start.ToUniversalTime().AddDays(days);
        return new ObjectLock(mode, new DateTimeOffset(until.Ticks - until.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero));
    }

    /// <summary>
    /// Before a manifest: the store really locked what it stored. Some S3-compatible stores accept the lock headers and
    /// ignore them, and a manifest claiming a lock the store does not keep is worse than none.
    /// </summary>
    public void ConfirmKeptBy(IBackupRepository repository, string key)
    {
        var until = repository.LockedUntil(key);
        if (until is { } u && u >= Until) return;
        throw new Diagnostics.ShippyarException(Diagnostics.ShippyarErrorKind.InvalidOperation, Diagnostics.ErrorIds.ObjectLockNotEnabled,
            $"Repository {repository.Location} stored {key} without the Object Lock it was asked for (the store reports {(until is null ? "no lock" : $"a lock until {until:u}")}): " +
            "the store ignores Object Lock, so the backup would not be protected. Use a store and a bucket with Object Lock enabled.", repository.Location);
    }

    /// <summary>Whether an object a run writes is locked: a backup's objects are; its lease is not (the run deletes it when it
    /// completes), nor the repository's descriptor (shared by every backup and replaced as clusters are added).</summary>
    public static bool Applies(string key)
        => key != BackupLayout.DescriptorName && !(key == BackupLayout.LeaseName || key.EndsWith("/" + BackupLayout.LeaseName, StringComparison.Ordinal));
}
