using ShippyarDr.Repository;

namespace ShippyarDr.Core.Tests.Fixtures;

/// <summary>A real repository with one behaviour changed by a test: everything else goes to it unchanged.</summary>
public abstract class DelegatingRepository(IBackupRepository inner) : IBackupRepository
{
    protected IBackupRepository Inner => inner;
    public string Location => inner.Location;
    public virtual Stream Create(string key) => inner.Create(key);
    public virtual IPendingObject CreateAtomically(string key) => inner.CreateAtomically(key);
    public IEnumerable<string> ListStartingWith(string folder, string namePrefix) => inner.ListStartingWith(folder, namePrefix);
    public Stream OpenRead(string key) => inner.OpenRead(key);
    public bool Exists(string key) => inner.Exists(key);
    public virtual void WriteAtomically(string key, ReadOnlySpan<byte> content, bool replace = false) => inner.WriteAtomically(key, content, replace);
    public IEnumerable<string> List(string prefix) => inner.List(prefix);
    public IEnumerable<string> ListChildren(string prefix) => inner.ListChildren(prefix);
    public void Delete(string key) => inner.Delete(key);
    public void DeletePrefix(string prefix) => inner.DeletePrefix(prefix);
    public void DeleteMany(IEnumerable<string> keys) => inner.DeleteMany(keys);
    public DateTimeOffset? LockedUntil(string key) => inner.LockedUntil(key);
}
