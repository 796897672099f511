namespace ShippyarDr.Repository;

public static class RepositoryReads
{
    /// <summary>A small object whole (a manifest, its seals, chunk digests, the descriptor).</summary>
    public static byte[] ReadAllBytes(this IBackupRepository repository, string key)
    {
        using var s = repository.OpenRead(key);
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }
}
