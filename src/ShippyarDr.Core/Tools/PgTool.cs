namespace ShippyarDr.Tools;

/// <summary>A located PostgreSQL client program and the version it reported.</summary>
public sealed record PgTool(string Name, string Path, string VersionText, int MajorVersion)
{
    public override string ToString() => $"{Name} {VersionText} ({Path})";
}
