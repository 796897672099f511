using ShippyarDr.Diagnostics;

namespace ShippyarDr.Repository;

public static class RepositoryReads
{
    /// <summary>Far above any manifest, seal, descriptor or chunk list this version writes (4 MiB chunks: a 64 GiB list).</summary>
    public const int MaxSmallObject = 64 * 1024 * 1024;

    /// <summary>A small object whole (a manifest, its seals, chunk digests, the descriptor). One larger than
    /// <paramref name="max"/> is not what it claims to be, and is refused before it fills memory.</summary>
    public static byte[] ReadAllBytes(this IBackupRepository repository, string key, int max = MaxSmallObject)
    {
        using var s = repository.OpenRead(key);
        using var ms = new MemoryStream();
        var buffer = new byte[81920];
        int n;
        while ((n = s.Read(buffer)) > 0)
        {
            if (ms.Length + n > max)
                throw new ShippyarException(ShippyarErrorKind.InvalidData, ErrorIds.ObjectTooLarge,
                    $"{repository.Location}/{key} is larger than {max} bytes, which no object of its kind is: it was changed or is not ours.", key);
            ms.Write(buffer, 0, n);
        }
        return ms.ToArray();
    }
}
