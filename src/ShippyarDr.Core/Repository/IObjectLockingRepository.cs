namespace ShippyarDr.Repository;

/// <summary>A repository whose store can lock objects against deletion (S3 Object Lock).</summary>
public interface IObjectLockingRepository : IBackupRepository
{
    /// <summary>The same repository, except that every object created through it is stored locked by <paramref name="objectLock"/>
    /// (a run's lease excepted: <see cref="ObjectLock.Applies"/>). A store that cannot lock them refuses the write
    /// (ErrorId ObjectLockNotEnabled) before the object exists.</summary>
    IBackupRepository WithObjectLock(ObjectLock objectLock);
}
