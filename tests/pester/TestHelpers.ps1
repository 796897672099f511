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

# The error records a command writes (or throws), in order: for tests of which errors bad input gives.
function Get-ErrorRecords([scriptblock] $Command) {
    $ErrorActionPreference = 'Continue'
    try { @(& $Command 2>&1 | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) }
    catch { @($_) }
}

# A pwsh child process (the isolation and Ctrl+C tests need a fresh session); returns its output lines.
# -Launcher runs it through another program first (e.g. setpriv, to drop root's right to read any file).
function Invoke-ChildPwsh([string] $Script, [hashtable] $Environment = @{}, [string[]] $Launcher = @()) {
    $file = Join-Path ([IO.Path]::GetTempPath()) ("shippyar-child-" + [guid]::NewGuid().ToString('n') + '.ps1')
    Set-Content -Path $file -Value $Script
    $psi = [System.Diagnostics.ProcessStartInfo]::new($(if ($Launcher) { $Launcher[0] } else { [Environment]::ProcessPath }))
    if ($Launcher) { foreach ($a in @($Launcher | Select-Object -Skip 1) + [Environment]::ProcessPath) { $psi.ArgumentList.Add($a) } }
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

# An S3-compatible server (s3rver from tests/s3, installed by .ci/run) on a free loopback port, with one bucket.
function Start-TestS3Server([string] $Bucket = 'shippyar-test') {
    $package = Join-Path $PSScriptRoot '../s3'
    if (-not (Test-Path (Join-Path $package 'node_modules/.bin/s3rver'))) { npm install --prefix $package --no-audit --no-fund --silent | Out-Null }
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
    $data = New-TestDirectory
    $psi = [System.Diagnostics.ProcessStartInfo]::new('node')
    foreach ($a in (Join-Path $package 'node_modules/.bin/s3rver'), '-d', $data, '-a', '127.0.0.1', '-p', $port, '--configure-bucket', $Bucket, '--silent') { $psi.ArgumentList.Add([string]$a) }
    # Without the legacy provider, listings with a continuation token answer 500 on Node 20.
    $psi.Environment['NODE_OPTIONS'] = '--openssl-legacy-provider'
    $psi.RedirectStandardOutput = $true
    $process = [System.Diagnostics.Process]::Start($psi)
    $deadline = (Get-Date).AddSeconds(20)
    while ((Get-Date) -lt $deadline) {
        try { [System.Net.Sockets.TcpClient]::new('127.0.0.1', $port).Dispose(); break } catch { Start-Sleep -Milliseconds 100 }
    }
    [pscustomobject]@{
        Process    = $process
        Data       = $data
        Endpoint   = "http://127.0.0.1:$port"
        Url        = "s3://$Bucket"
        Credential = [pscredential]::new('S3RVER', (ConvertTo-SecureString 'S3RVER' -AsPlainText -Force))
    }
}

function Stop-TestS3Server($Server) {
    if (-not $Server) { return }
    $Server.Process.Kill($true)
    $Server.Process.WaitForExit()
    Remove-Item -Recurse -Force $Server.Data -ErrorAction SilentlyContinue
}
