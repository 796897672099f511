using ShippyarDr.Configuration;
using ShippyarDr.Repository;

namespace ShippyarDr.Audit;

/// <summary>Which store audits operations on a repository: its registered catalog database, else its own log.</summary>
public static class AuditStores
{
    public static IAuditStore For(RepositorySettings? settings, IBackupRepository repository)
        => settings?.Registered?.Registration.Audit is { } catalog
            ? new CatalogAuditStore(catalog, settings.Name)
            : new RepositoryAuditStore(repository);
}
