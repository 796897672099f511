# Shared by the Pester suites: imports the built module and gives each suite a real sandbox PostgreSQL.
$ErrorActionPreference = 'Stop'
$script:ModulePath = if ($env:SHIPPYAR_MODULE_PATH) { $env:SHIPPYAR_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/ShippyarDr/ShippyarDr.psd1' }
Import-Module $script:ModulePath -Force

function New-TestDirectory {
    $path = Join-Path ([IO.Path]::GetTempPath()) ("shippyar-pester-" + [guid]::NewGuid().ToString('n').Substring(0, 8))
    New-Item -ItemType Directory -Path $path | Out-Null
    $path
}

# Splat for the connection parameters of a sandbox.
function Get-SandboxConnection($Sandbox) {
    @{ Server = $Sandbox.Server; Port = $Sandbox.Port; Credential = $Sandbox.Credential }
}

# A pwsh child process (the isolation and Ctrl+C tests need a fresh session); returns its output lines.
function Invoke-ChildPwsh([string] $Script, [hashtable] $Environment = @{}) {
    $file = Join-Path ([IO.Path]::GetTempPath()) ("shippyar-child-" + [guid]::NewGuid().ToString('n') + '.ps1')
    Set-Content -Path $file -Value $Script
    $psi = [System.Diagnostics.ProcessStartInfo]::new([Environment]::ProcessPath)
    # Under `dotnet pwsh` the process is dotnet running pwsh.dll; elsewhere it is pwsh itself.
    $pwshDll = Join-Path $PSHOME 'pwsh.dll'
    if ((Split-Path -Leaf ([Environment]::ProcessPath)) -like 'dotnet*') { $psi.ArgumentList.Add($pwshDll) }
    foreach ($a in '-NoProfile', '-NonInteractive', '-File', $file) { $psi.ArgumentList.Add($a) }
    foreach ($k in $Environment.Keys) { $psi.Environment[$k] = [string]$Environment[$k] }
    $psi.Environment['SHIPPYAR_MODULE_PATH'] = (Resolve-Path $script:ModulePath).Path
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $p = [System.Diagnostics.Process]::Start($psi)
    $stderrTask = $p.StandardError.ReadToEndAsync()
    $stdout = $p.StandardOutput.ReadToEnd()
    $p.WaitForExit()
    Remove-Item $file -ErrorAction SilentlyContinue
    [pscustomobject]@{ ExitCode = $p.ExitCode; Output = $stdout; Error = $stderrTask.Result }
}
