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

# A pwsh child process left running (the kill tests signal it). Its output is read as it comes, so nothing blocks on
# a full pipe: Get-ChildPwshOutput returns what it wrote once it has exited. Stop-ChildPwsh cleans up.
function Start-ChildPwsh([string] $Script, [hashtable] $Environment = @{}) {
    $file = Join-Path ([IO.Path]::GetTempPath()) ("shippyar-child-" + [guid]::NewGuid().ToString('n') + '.ps1')
    Set-Content -Path $file -Value $Script
    $psi = [System.Diagnostics.ProcessStartInfo]::new([Environment]::ProcessPath)
    # Under `dotnet pwsh` this process is dotnet running pwsh.dll, so the child is too: one process, pwsh itself.
    if ((Split-Path -Leaf ([Environment]::ProcessPath)) -like 'dotnet*') { $psi.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
    foreach ($a in '-NoProfile', '-NonInteractive', '-File', $file) { $psi.ArgumentList.Add($a) }
    foreach ($k in $Environment.Keys) { $psi.Environment[$k] = [string]$Environment[$k] }
    $psi.Environment['SHIPPYAR_MODULE_PATH'] = (Resolve-Path $script:ModulePath).Path
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $p = [System.Diagnostics.Process]::Start($psi)
    $p | Add-Member -NotePropertyName ScriptFile -NotePropertyValue $file
    $p | Add-Member -NotePropertyName StdoutTask -NotePropertyValue $p.StandardOutput.ReadToEndAsync()
    $p | Add-Member -NotePropertyName StderrTask -NotePropertyValue $p.StandardError.ReadToEndAsync() -PassThru
}

function Get-ChildPwshOutput($Process) {
    if (-not $Process.HasExited) { return '(still running)' }
    "$($Process.StdoutTask.Result)$($Process.StderrTask.Result)".Trim()
}

function Stop-ChildPwsh($Process) {
    if (-not $Process) { return }
    if (-not $Process.HasExited) { $Process.Kill($true) }
    $Process.WaitForExit()
    Remove-Item $Process.ScriptFile -ErrorAction SilentlyContinue
}

# Whether a process is running (a zombie waiting for its parent to reap it is not).
function Test-ProcessRunning([int] $Id) {
    $stat = Get-Content "/proc/$Id/stat" -Raw -ErrorAction SilentlyContinue
    # "pid (comm) state ...": comm may hold spaces and parentheses, the state follows the last ')'.
    $stat -and $stat.Substring($stat.LastIndexOf(')') + 2, 1) -notin 'Z', 'X'
}

# Waits up to $Seconds for a condition; returns whether it came true.
function Wait-Until([scriptblock] $Condition, [double] $Seconds = 10) {
    $deadline = (Get-Date).AddSeconds($Seconds)
    while (-not (& $Condition)) {
        if ((Get-Date) -gt $deadline) { return $false }
        Start-Sleep -Milliseconds 100
    }
    $true
}

# A session holding a table in ACCESS EXCLUSIVE mode (psql, application_name shippyar-locker) until Stop-TableLock.
function Start-TableLock($Sandbox, [string] $Database, [string] $Table) {
    $psi = [System.Diagnostics.ProcessStartInfo]::new('psql')
    foreach ($a in '-X', '-q', '-h', $Sandbox.Server, '-p', $Sandbox.Port, '-U', $Sandbox.Credential.UserName, '-d', $Database,
        '-c', "BEGIN; LOCK TABLE $Table IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(600);") { $psi.ArgumentList.Add([string]$a) }
    $psi.Environment['PGPASSWORD'] = $Sandbox.Credential.GetNetworkCredential().Password
    $psi.Environment['PGAPPNAME'] = 'shippyar-locker'
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $p = [System.Diagnostics.Process]::Start($psi)
    $held = Wait-Until {
        $Sandbox.QueryScalar($Database, "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = '$Table' AND l.mode = 'AccessExclusiveLock' AND l.granted") -eq '1'
    }
    if (-not $held) { $p.Kill(); throw "psql did not take the lock on $Table" }
    $p
}

function Stop-TableLock($Sandbox, $Process) {
    if (-not $Process) { return }
    $Sandbox.Execute('postgres', "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'shippyar-locker'")
    if (-not $Process.WaitForExit(10000)) { $Process.Kill() }
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

# --- Tier 1: WAL archiving and point-in-time recovery ---------------------------------------------------------------

# A repository registered under $Name in a configuration file of its own (SHIPPYAR_CONFIG, never /etc/shippyar), with
# a passphrase file by reference: what archive_command reads, so as root everything belongs to the server's account
# (postgres) and the registration is machine-wide (0640, group postgres). Restore-TestConfiguration puts it back.
function New-RegisteredTestRepository([string] $Name, [string] $Passphrase) {
    $work = New-TestDirectory
    chmod 755 $work
    $saved = $env:SHIPPYAR_CONFIG
    $env:SHIPPYAR_CONFIG = Join-Path $work 'repositories.json'
    $repo = Join-Path $work 'repo'
    $keys = Join-Path $work 'keys'
    New-Item -ItemType Directory $repo, $keys | Out-Null
    $passFile = Join-Path $keys "$Name.pass"
    Set-Content -Path $passFile -Value $Passphrase
    chmod 600 $passFile
    $asRoot = [Environment]::UserName -eq 'root'
    if ($asRoot) { chown -R postgres: $repo $keys }
    Register-ShippyarRepository -Name $Name -Location $repo -PassphraseFile $passFile -Scope ($asRoot ? 'Machine' : 'User') | Out-Null
    [pscustomobject]@{ Name = $Name; Work = $work; Repository = $repo; PassphraseFile = $passFile; SavedConfiguration = $saved }
}

function Restore-TestConfiguration($Registered) {
    if ($Registered.SavedConfiguration) { $env:SHIPPYAR_CONFIG = $Registered.SavedConfiguration } else { Remove-Item env:SHIPPYAR_CONFIG -ErrorAction SilentlyContinue }
}

# The server's clock now, to the microsecond (a recovery target is judged by the server's time, not ours).
function Get-ServerNow($Sandbox) {
    [DateTimeOffset]::Parse($Sandbox.QueryScalar('postgres', "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD""T""HH24:MI:SS.US""Z""')"))
}

# SQL on any server on this host's loopback that has $Sandbox's roles (a recovered copy of it), through psql.
function Invoke-SqlOn([int] $Port, [string] $Sql, $Sandbox) {
    $env:PGPASSWORD = $Sandbox.GetPassword()
    try { (& /usr/lib/postgresql/15/bin/psql -h 127.0.0.1 -p $Port -U $Sandbox.Credential.UserName -d postgres -tAc $Sql).Trim() }
    finally { Remove-Item Env:PGPASSWORD }
}

# Switches to a new WAL segment on the server at $Port and waits until the archiver has archived the one it finished.
function Switch-WalAndWait($Sandbox, [int] $Port = $Sandbox.Port) {
    $segment = Invoke-SqlOn $Port 'SELECT pg_walfile_name(pg_switch_wal())' $Sandbox
    Wait-Until { (Invoke-SqlOn $Port "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver" $Sandbox) -ge $segment } -Seconds 60 | Should -BeTrue
    $segment
}

# pg_ctl on a data directory, as its owner (postgres when we are root).
function Invoke-PgCtl([string] $DataDirectory, [string[]] $Arguments) {
    $pgCtl = '/usr/lib/postgresql/15/bin/pg_ctl'
    if ([Environment]::UserName -eq 'root') { runuser -u postgres -- $pgCtl -D $DataDirectory @Arguments | Out-Null } else { & $pgCtl -D $DataDirectory @Arguments | Out-Null }
    $LASTEXITCODE | Should -Be 0
}

# Stops the server running on a data directory, if one is.
function Stop-DataDirectory([string] $DataDirectory, [string] $Mode = 'fast') {
    if (Test-Path (Join-Path $DataDirectory 'postmaster.pid')) { Invoke-PgCtl $DataDirectory '-m', $Mode, '-w', 'stop' }
}

# --- OpenPGP keys -----------------------------------------------------------------------------------------------------

# A throwaway gpg home under a short path (gpg-agent's socket path is limited in length); New-TestGpgKey adds keys.
function New-TestGpgHome {
    $home_ = Join-Path ([IO.Path]::GetTempPath()) ("g" + [guid]::NewGuid().ToString('n').Substring(0, 6))
    New-Item -ItemType Directory $home_ | Out-Null
    $home_
}

# gpg's arguments for unattended use of a test home (no passphrase, no pinentry).
function Get-TestGpgArguments([string] $GpgHome) { @('--batch', '--homedir', $GpgHome, '--pinentry-mode', 'loopback', '--passphrase', '') }

# A new key pair in $GpgHome, exported armored beside it: @{ Public; Secret; Fingerprint }.
function New-TestGpgKey([string] $GpgHome, [string] $UserId, [string] $Email, [string] $Usage) {
    $gpg = Get-TestGpgArguments $GpgHome
    & gpg @gpg --quick-gen-key $UserId default $Usage never 2>$null
    $public = Join-Path $GpgHome "$Email.asc"; $secret = Join-Path $GpgHome "$Email.sec.asc"
    & gpg @gpg --armor --output $public --export $Email 2>$null
    & gpg @gpg --armor --output $secret --export-secret-keys $Email 2>$null
    @{ Public = $public; Secret = $secret; Fingerprint = ((& gpg @gpg --with-colons --fingerprint $Email 2>$null) -match '^fpr:' | Select-Object -First 1).Split(':')[9] }
}
