using ShippyarDr.Diagnostics;

namespace ShippyarDr.Repository.S3;

/// <summary>"s3://bucket/optional/prefix".</summary>
public sealed record S3Location(string Bucket, string Prefix)
{
    public const string Scheme = "s3://";

    public static bool IsS3(string location) => location.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase);

    public static S3Location Parse(string location)
    {
        if (!IsS3(location)) throw Invalid(location);
        var rest = location[Scheme.Length..];
        var slash = rest.IndexOf('/');
        var bucket = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : rest[(slash + 1)..].Trim('/');
        // Bucket naming rules: 3-63 characters, lowercase letters, digits, dots and hyphens.
        if (bucket.Length is < 3 or > 63 || !bucket.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-'))
            throw Invalid(location);
        return new S3Location(bucket, prefix.Length == 0 ? "" : prefix + "/");
    }

    public override string ToString() => $"{Scheme}{Bucket}/{Prefix}".TrimEnd('/');

    private static ShippyarException Invalid(string location) => new(ShippyarErrorKind.InvalidArgument, ErrorIds.InvalidS3Url,
        $"'{location}' is not an S3 location: use s3://bucket/prefix (bucket names are 3-63 lowercase letters, digits, dots and hyphens).", location);
}
