#Requires -Version 7.4
<#
.SYNOPSIS
    Nightly retention runbook: remove what the repository's policy no longer keeps, log every decision, fail the job
    if a removal failed.
.EXAMPLE
    ./retention.ps1 -Repository prod
    Run it after the daily backup and its verification (the newest verified backup is never removed). The policy is
    the one registered with the repository (Register-ShippyarRepository -RetentionPolicy), else the recorded defaults.
.EXAMPLE
    ./retention.ps1 -Repository /var/backups/pg -WhatIf
    Shows what would go and why; deletes nothing.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)] [string] $Repository,
    [hashtable] $Policy,
    [string] $Log = (Join-Path ([IO.Path]::GetTempPath()) "shippyar-retention-$(Get-Date -Format yyyyMMdd-HHmmss).csv")
)
$ErrorActionPreference = 'Stop'
Import-Module ShippyarDr

$arguments = @{ Repository = $Repository; WhatIf = $WhatIfPreference; Confirm = $false }
if ($Policy) { $arguments.Policy = $Policy }
$decisions = @(Invoke-ShippyarRetention @arguments)

$decisions | Select-Object Action, Subject, Database, Tier, Id, EndTime, Size, LockedUntil, Reason, Error | Export-Csv -Path $Log -NoTypeInformation -WhatIf:$false
$decisions | Group-Object Action | Format-Table Count, Name
$decisions | Where-Object Action -ne 'Keep' | Format-Table Action, Subject, Database, Id, Reason -Wrap
"Every decision: $Log"

if ($decisions | Where-Object Action -eq 'Failed') {
    Write-Error 'Retention could not remove everything it should (see the Failed decisions above).'
    exit 1
}
