#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests, demonstrates and packages ShippyarDr.
.DESCRIPTION
    Build   - publishes the cmdlet project and assembles the importable module in out/ShippyarDr:
              the cmdlet assembly at the root, the engine and its dependencies in dependencies/ (loaded in
              their own AssemblyLoadContext), the manifest, format views and MAML help, and the shippyar-dr
              executable (WAL archive_command / restore_command) in bin/.
    Test    - Build, then the xunit engine suite and the Pester cmdlet suite; the last line printed is
              "N passed, N failed". Exits 1 when anything failed or no test ran.
    Demo    - Build, then examples/quickstart.ps1 and examples/pitr-drill.ps1 (each in a child pwsh) against sandboxes.
    Package - Build, then zips out/ShippyarDr into out/ShippyarDr-<ModuleVersion>.zip.
.EXAMPLE
    dotnet tool restore; dotnet pwsh -NoProfile -File ./build.ps1 -Task Test
#>
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Package')]
    [string] $Task = 'Build',
    [string] $Configuration = 'Release'
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleDir = Join-Path $Out 'ShippyarDr'
$ModuleManifest = Join-Path $ModuleDir 'ShippyarDr.psd1'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'
# CI logs are plain text: no ANSI colour codes from this process or its pwsh children.
$env:NO_COLOR = '1'
$PSStyle.OutputRendering = 'PlainText'

#region Helpers

# Runs a native command with its output on the console (never in a function's return value) and throws on a
# non-zero exit, so a failed dotnet step stops the build loudly instead of going on with stale files.
function Invoke-Native([string] $What, [scriptblock] $Command) {
    & $Command | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "$What failed (exit code $LASTEXITCODE)." }
}

# The command line that starts another pwsh like this one. Under `dotnet pwsh` this process is dotnet running
# pwsh.dll, so the child needs pwsh.dll as its first argument; a standalone pwsh is its own executable.
function Get-PwshCommandLine {
    $exe = [Environment]::ProcessPath
    $prefix = @(if ((Split-Path -Leaf $exe) -like 'dotnet*') { Join-Path $PSHOME 'pwsh.dll' })
    @{ Exe = $exe; Arguments = @($prefix + '-NoProfile' + '-NonInteractive') }
}

# Runs a script in a child pwsh and returns its exit code. A child keeps the built module (and its DLLs)
# out of this process, so a later Build can replace them and the next step sees a clean session.
function Invoke-ChildPwsh([string] $Script, [string[]] $Arguments = @()) {
    $pwsh = Get-PwshCommandLine
    & $pwsh.Exe @($pwsh.Arguments) -File $Script @Arguments | Out-Host
    $LASTEXITCODE
}

#endregion

#region Build

function Invoke-Build {
    # Idempotent: the module folder is rebuilt from nothing every time.
    Remove-Item -Recurse -Force $ModuleDir -ErrorAction SilentlyContinue
    $publish = Join-Path ([IO.Path]::GetTempPath()) ("shippyar-publish-" + [guid]::NewGuid().ToString('n'))
    try {
        Invoke-Native 'dotnet publish' {
            dotnet publish (Join-Path $Root 'src/ShippyarDr.PowerShell') -c $Configuration -o $publish --nologo -v quiet
        }
        Copy-PublishOutput $publish
    }
    finally {
        Remove-Item -Recurse -Force $publish -ErrorAction SilentlyContinue
    }
    Publish-Cli
    # The manifest, its ScriptsToProcess and the format views are written by hand in module/ShippyarDr.
    Copy-Item (Join-Path $Root 'module/ShippyarDr/*') $ModuleDir -Recurse
    if (-not (Test-Path $ModuleManifest)) { throw "module/ShippyarDr/ShippyarDr.psd1 is missing: nothing to import." }
    New-ModuleHelp
    Write-Host "Module assembled in $ModuleDir"
}

# Only the cmdlet assembly sits where PowerShell probes; everything else is the engine's and goes to
# dependencies/, where EngineLoadContext loads it in isolation from other modules' versions.
function Copy-PublishOutput([string] $Publish) {
    $deps = New-Item -ItemType Directory -Force (Join-Path $ModuleDir 'dependencies')
    Copy-Item (Join-Path $Publish 'ShippyarDr.PowerShell.dll') $ModuleDir
    $pdb = Join-Path $Publish 'ShippyarDr.PowerShell.pdb'
    if (Test-Path $pdb) { Copy-Item $pdb $ModuleDir }
    # PowerShell brings its own System.Management.Automation; the .deps.json would describe the wrong layout.
    $skip = 'ShippyarDr.PowerShell.dll', 'ShippyarDr.PowerShell.pdb', 'System.Management.Automation.dll'
    Get-ChildItem $Publish -File | Where-Object { $_.Name -notin $skip -and $_.Extension -ne '.json' } |
        Copy-Item -Destination $deps
    # Native or localized assets in subfolders (runtimes/, de/, ...) keep their relative place.
    Get-ChildItem $Publish -Directory | Copy-Item -Destination $deps -Recurse
}

# The CLI's target framework: the newest runtime here that the SDK can target (never below net8.0, what PowerShell 7.4
# runs on). ReadyToRun code runs only on the runtime major version it was compiled for: compiled for 8 and run on 10,
# a push took 179 ms of CPU instead of 147, every method compiled again at start-up.
function Get-CliTargetFramework {
    $sdk = [int](((dotnet --version) -split '\.')[0])
    $runtimes = dotnet --list-runtimes | Where-Object { $_ -match '^Microsoft\.NETCore\.App (\d+)\.' } | ForEach-Object { [int]$Matches[1] }
    $major = [Math]::Max(8, [Math]::Min($sdk, ($runtimes | Measure-Object -Maximum).Maximum))
    "net$major.0"
}

# shippyar-dr (archive_command, restore_command) goes into bin/ of the module folder, beside nothing else: a process
# of its own, it references the engine directly. PostgreSQL starts it once per WAL segment, so it is compiled ahead of
# time (Native AOT: no runtime to start, nothing to compile at start-up, no .NET needed on the server; measured here,
# 100 ms of CPU per push instead of 173 with ReadyToRun); where no C toolchain links it, ReadyToRun for the newest
# runtime installed. Everything in bin/ must be readable and the executable executable by the server's OS account.
function Publish-Cli {
    $bin = Join-Path $ModuleDir 'bin'
    $project = Join-Path $Root 'src/ShippyarDr.Cli'
    $framework = "-p:CliTargetFramework=$(Get-CliTargetFramework)"
    if ($IsLinux) {
        $rid = 'linux-' + [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture.ToString().ToLowerInvariant()
        dotnet publish $project -c $Configuration -o $bin -r $rid -p:PublishAot=true $framework --nologo -v quiet | Out-Host
        if ($LASTEXITCODE -eq 0) { Get-ChildItem $bin -File | Where-Object Extension -in '.dbg', '.pdb' | Remove-Item }
        else {
            Write-Warning 'shippyar-dr could not be compiled ahead of time (Native AOT needs clang or gcc, and zlib); it is built ReadyToRun instead, and starts slower.'
            Remove-Item -Recurse -Force $bin -ErrorAction SilentlyContinue
            Invoke-Native 'dotnet publish of the CLI' {
                dotnet publish $project -c $Configuration -o $bin -r $rid --self-contained false -p:PublishReadyToRun=true $framework --nologo -v quiet
            }
        }
        Get-ChildItem $bin -Recurse -File | ForEach-Object { & chmod 0644 $_.FullName }
        Get-ChildItem $bin -Recurse -Directory | ForEach-Object { & chmod 0755 $_.FullName }
        & chmod 0755 $bin (Join-Path $bin 'shippyar-dr')
    }
    else {
        Invoke-Native 'dotnet publish of the CLI' { dotnet publish $project -c $Configuration -o $bin $framework --nologo -v quiet }
    }
}

# The help generator imports the built module: it runs in a child pwsh so this process never loads the DLLs.
function New-ModuleHelp {
    $exit = Invoke-ChildPwsh (Join-Path $Root 'module/help/New-ShippyarHelp.ps1') @(
        '-ModuleManifest', $ModuleManifest,
        '-HelpDataDirectory', (Join-Path $Root 'module/help'),
        '-OutputPath', (Join-Path $ModuleDir 'en-US/ShippyarDr.PowerShell.dll-Help.xml'))
    if ($exit -ne 0) { throw "Help generation failed (exit code $exit): see the message above." }
}

#endregion

#region Test

function Get-NuGetPackagesFolder {
    if ($env:NUGET_PACKAGES) { return $env:NUGET_PACKAGES }
    $line = dotnet nuget locals global-packages --list | Select-Object -First 1
    if ($LASTEXITCODE -ne 0 -or -not $line) { throw "dotnet nuget locals global-packages --list failed (exit code $LASTEXITCODE)." }
    ($line -replace '^\s*global-packages:\s*', '').Trim()
}

# Reads passed/failed from the TRX. No TRX, or a non-zero exit with nothing marked failed (a test host crash,
# a build error in the test project), counts as one failure so it can never look green.
function Invoke-XunitSuite {
    $results = Join-Path $Out 'test-results'
    Remove-Item -Recurse -Force $results -ErrorAction SilentlyContinue
    # The engine tests run the shippyar-dr the module ships (ahead-of-time compiled), not a build of their own.
    $env:SHIPPYAR_CLI = Join-Path $ModuleDir 'bin/shippyar-dr'
    dotnet test (Join-Path $Root 'tests/ShippyarDr.Core.Tests') -c $Configuration --nologo `
        --logger 'trx;LogFileName=core.trx' --logger 'console;verbosity=normal' --results-directory $results | Out-Host
    $exit = $LASTEXITCODE
    $trx = Join-Path $results 'core.trx'
    if (-not (Test-Path $trx)) {
        Write-Host "xunit: no TRX written (dotnet test exit code $exit)."
        return @{ Passed = 0; Failed = 1 }
    }
    $counters = ([xml](Get-Content -Raw $trx)).TestRun.ResultSummary.Counters
    $passed = [int]$counters.passed
    $failed = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
    if ($exit -ne 0 -and $failed -eq 0) { $failed = 1 }
    @{ Passed = $passed; Failed = $failed }
}

function Invoke-PesterSuite {
    Invoke-Native 'restore of tests/PesterPackage' { dotnet restore (Join-Path $Root 'tests/PesterPackage') --nologo -v quiet }
    $pester = Join-Path (Get-NuGetPackagesFolder) 'pester/5.7.1/tools/Pester.psd1'
    if (-not (Test-Path $pester)) { throw "Pester 5.7.1 is not in the NuGet packages folder ($pester)." }
    Import-Module $pester -Force
    # The Pester files import the module from here (and pass it on to their own child processes).
    $env:SHIPPYAR_MODULE_PATH = $ModuleManifest
    $config = New-PesterConfiguration
    $config.Run.Path = Join-Path $Root 'tests/pester'
    $config.Run.PassThru = $true
    $config.Output.Verbosity = 'Detailed'
    # The tests are ordinary PowerShell, as a DBA writes it: not under this build script's strict mode.
    $result = & { Set-StrictMode -Off; Invoke-Pester -Configuration $config }
    # A file that fails to load or a failing BeforeAll fails no It: count those blocks and containers too.
    $failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    @{ Passed = $result.PassedCount; Failed = $failed }
}

# Runs one suite; a suite that cannot run at all (restore failure, crash) is one failure, not a lost summary.
function Invoke-Suite([string] $Name, [scriptblock] $Suite) {
    try { & $Suite }
    catch {
        Write-Host "${Name}: could not run: $_"
        @{ Passed = 0; Failed = 1 }
    }
}

function Invoke-Test {
    try { Invoke-Build }
    catch {
        Write-Host "Build failed: $_"
        Write-Host '0 passed, 1 failed'
        exit 1
    }
    $xunit = Invoke-Suite 'xunit' { Invoke-XunitSuite }
    $pester = Invoke-Suite 'Pester' { Invoke-PesterSuite }
    $passed = $xunit.Passed + $pester.Passed
    $failed = $xunit.Failed + $pester.Failed
    Write-Host "xunit: $($xunit.Passed) passed, $($xunit.Failed) failed; Pester: $($pester.Passed) passed, $($pester.Failed) failed"
    # The one line CI reads: plain, alone, last.
    Write-Host "$passed passed, $failed failed"
    if ($failed -gt 0 -or $passed -eq 0) { exit 1 }
    exit 0
}

#endregion

#region Demo and Package

function Invoke-Demo {
    Invoke-Build
    # The quickstart imports the module from SHIPPYAR_MODULE_PATH, which the child inherits.
    $env:SHIPPYAR_MODULE_PATH = $ModuleManifest
    $exit = Invoke-ChildPwsh (Join-Path $Root 'examples/quickstart.ps1')
    # Then Tier 1 on a sandbox of its own: WAL archiving, a base backup, a mistake, and a point-in-time recovery.
    if ($exit -eq 0) { $exit = Invoke-ChildPwsh (Join-Path $Root 'examples/pitr-drill.ps1') }
    exit $exit
}

function Invoke-Package {
    Invoke-Build
    $version = (Import-PowerShellDataFile $ModuleManifest).ModuleVersion
    $zip = Join-Path $Out "ShippyarDr-$version.zip"
    # The zip holds the ShippyarDr folder itself, ready to extract into a PSModulePath folder.
    Compress-Archive -Path $ModuleDir -DestinationPath $zip -Force
    Write-Host "Package: $zip"
}

#endregion

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'Demo' { Invoke-Demo }
    'Package' { Invoke-Package }
}
