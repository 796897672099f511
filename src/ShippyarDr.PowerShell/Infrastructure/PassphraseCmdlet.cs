using System.Management.Automation;
using System.Security;

namespace ShippyarDr.PowerShell.Infrastructure;

/// <summary>A cmdlet that talks to a server and writes or reads encrypted backups: the passphrase parameters.</summary>
public abstract class PassphraseCmdlet : ConnectedCmdlet
{
    [Parameter]
    public SecureString? Passphrase { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? PassphraseFile { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? PassphraseVariable { get; set; }

    private protected char[]? ReadPassphrase(Diagnostics.IOperationReporter reporter)
        => SecretSources.Read(Passphrase, ResolveOptionalPath(PassphraseFile), PassphraseVariable, "passphrase", reporter);
}
