using System.Management.Automation;
using System.Security;
using ShippyarDr.PowerShell.Infrastructure;
using ShippyarDr.Sandbox;

namespace ShippyarDr.PowerShell.Cmdlets;

/// <summary>
/// Starts a throwaway PostgreSQL cluster on a free loopback port, optionally with the Shippyar sample database.
/// The output carries Server, Port and Credential, so it pipes straight into the other cmdlets.
/// </summary>
[Cmdlet(VerbsCommon.New, "ShippyarSandbox", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(PostgresSandbox))]
public sealed class NewShippyarSandboxCommand : ShippyarCmdlet
{
    /// <summary>Load the sample schema at this scale (1 is ~100k orders, ~70 MB).</summary>
    [Parameter]
    [ValidateRange(0.001, 100.0)]
    public double SampleScale { get; set; }

    /// <summary>Name of the sample database.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string SampleDatabase { get; set; } = "shippyar";

    [Parameter]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    protected override void ProcessRecord()
    {
        if (!ShouldProcessOrExplain("a PostgreSQL sandbox on 127.0.0.1", "Start")) return;
        Run("sandbox", reporter =>
        {
            reporter.Progress("Starting a PostgreSQL sandbox", "initdb and start");
            var sandbox = PostgresSandbox.Start(Port > 0 ? Port : null);
            try
            {
                if (SampleScale > 0)
                {
                    reporter.Progress("Starting a PostgreSQL sandbox", $"Loading sample data at scale {SampleScale} into {SampleDatabase}");
                    sandbox.CreateSampleDatabase(SampleDatabase, SampleScale);
                }
            }
            catch
            {
                sandbox.Dispose();
                throw;
            }
            WriteVerbose($"Sandbox PostgreSQL {sandbox.MajorVersion} on {sandbox.Server}:{sandbox.Port}, data in {sandbox.DataDirectory}.");
            var output = PSObject.AsPSObject(sandbox);
            output.Properties.Add(new PSNoteProperty("Credential", new PSCredential(sandbox.Username, ToSecureString(sandbox.GetPassword()))));
            WriteObject(output);
        });
    }

    private static SecureString ToSecureString(string s)
    {
        var secure = new SecureString();
        foreach (var c in s) secure.AppendChar(c);
        secure.MakeReadOnly();
        return secure;
    }
}
