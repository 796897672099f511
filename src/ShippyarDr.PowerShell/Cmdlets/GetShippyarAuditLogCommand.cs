using System.Management.Automation;
using ShippyarDr.Audit;
using ShippyarDr.Connection;
using ShippyarDr.PowerShell.Infrastructure;

namespace ShippyarDr.PowerShell.Cmdlets;

/// <summary>
/// The audit trail, newest first: a repository's (its registered catalog database, else its own log), or a catalog
/// database given directly.
/// </summary>
[Cmdlet(VerbsCommon.Get, "ShippyarAuditLog", DefaultParameterSetName = RepositorySet)]
[OutputType(typeof(AuditRecord))]
public sealed class GetShippyarAuditLogCommand : RepositoryCmdlet
{
    private const string RepositorySet = "Repository";
    private const string CatalogSet = "Catalog";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = RepositorySet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(RepositoryNameCompleter))]
    public string Repository { get; set; } = "";

    /// <summary>The catalog database's server: host or host:port.</summary>
    [Parameter(Mandatory = true, ParameterSetName = CatalogSet)]
    [ValidateNotNullOrEmpty]
    public string? AuditServer { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = CatalogSet)]
    [ValidateNotNullOrEmpty]
    public string? AuditDatabase { get; set; }

    [Parameter(ParameterSetName = CatalogSet)]
    [Credential]
    public PSCredential? AuditCredential { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public AuditOperation[]? Operation { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public AuditStatus[]? Status { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Database { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public BackupTier[]? Tier { get; set; }

    [Parameter]
    public DateTimeOffset Since { get; set; }

    [Parameter]
    public DateTimeOffset Until { get; set; }

    /// <summary>Only the newest N records.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Last { get; set; }

    protected override void ProcessRecord()
    {
        Run(AuditServer ?? Repository, reporter =>
        {
            var bound = MyInvocation.BoundParameters;
            var query = new AuditQuery
            {
                Operations = Operation, Statuses = Status, Databases = Database, Tiers = Tier,
                Since = bound.ContainsKey(nameof(Since)) ? Since : null,
                Until = bound.ContainsKey(nameof(Until)) ? Until : null,
                Last = Last > 0 ? Last : null,
            };
            if (ParameterSetName == CatalogSet)
            {
                var (host, port) = PgConnectionInfo.SplitServer(AuditServer);
                var credential = AuditCredential is null || AuditCredential == PSCredential.Empty ? null : AuditCredential.GetNetworkCredential();
                var store = new CatalogAuditStore(PgConnectionInfo.Resolve(host, port, credential?.UserName, credential?.Password), AuditDatabase!);
                WriteObject(store.Read(query, reporter, Cancel), enumerateCollection: true);
                return;
            }
            var settings = ResolveRepository(Repository, reporter);
            var repository = OpenRepository(settings);
            try
            {
                WriteObject(AuditStores.For(settings, repository).Read(query, reporter, Cancel), enumerateCollection: true);
            }
            finally
            {
                (repository as IDisposable)?.Dispose();
            }
        });
    }
}
