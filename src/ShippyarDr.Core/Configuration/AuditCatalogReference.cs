namespace ShippyarDr.Configuration;

/// <summary>
/// The catalog database a repository's audit records go to (table shippyar_catalog.backup_audit): a server, a
/// database, a login, and where its password is (a file or an environment variable name; neither: .pgpass or
/// PGPASSWORD, as libpq does). Never the password itself.
/// </summary>
public sealed record AuditCatalogReference
{
    /// <summary>"host" or "host:port".</summary>
    public required string Server { get; init; }
    public required string Database { get; init; }
    /// <summary>The login; the OS user's name when omitted, as libpq does.</summary>
    public string? User { get; init; }
    public string? PasswordFile { get; init; }
    public string? PasswordVariable { get; init; }

    public override string ToString() => $"{Database} on {Server}" + (User is null ? "" : $" as {User}");
}
