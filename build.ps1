#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests, demonstrates and packages ShippyarDr.
.DESCRIPTION
    Build   - publishes the cmdlet project and assembles the importable module in out/ShippyarDr:
              the cmdlet assembly at the root, the engine and its dependencies in dependencies/ (loaded in
              their own AssemblyLoadContext), the manifest, format views and MAML help.
    Test    - Build, then the xunit engine suite and the Pester cmdlet suite; ends with "N passed, N failed".
    Demo    - Build, then examples/quickstart.ps1 against a sandbox PostgreSQL.
    Package - Build, then zips out/ShippyarDr.
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

# Runs a native command with its output on the console (never in a function's return value).
function Invoke-Native([string] $What, [scriptblock] $Command) {
    & $Command | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "$What failed (exit code $LASTEXITCODE)." }
}

function Invoke-Build {
    $publish = Join-Path $Out 'publish'
    Remove-Item -Recurse -Force $publish, $ModuleDir -ErrorAction SilentlyContinue
    Invoke-Native 'dotnet publish' { dotnet publish (Join-Path $Root 'src/ShippyarDr.PowerShell') -c $Configuration -o $publish --nologo -v quiet }

    $deps = New-Item -ItemType Directory -Force (Join-Path $ModuleDir 'dependencies')
    # Only the cmdlet assembly sits where PowerShell probes; everything else is the engine's, loaded by EngineLoadContext.
    Copy-Item (Join-Path $publish 'ShippyarDr.PowerShell.dll'), (Join-Path $publish 'ShippyarDr.PowerShell.pdb') $ModuleDir
    Get-ChildItem $publish -File | Where-Object {
        $_.Name -notlike 'ShippyarDr.PowerShell.*' -and $_.Name -ne 'System.Management.Automation.dll' -and $_.Extension -in '.dll', '.pdb'
    } | Copy-Item -Destination $deps
    Copy-Item (Join-Path $Root 'module/ShippyarDr/*') $ModuleDir

    Invoke-ChildPwsh @('-File', (Join-Path $Root 'module/help/New-ShippyarHelp.ps1'), '-ModuleManifest', $ModuleManifest,
        '-HelpDataDirectory', (Join-Path $Root 'module/help'), '-OutputPath', (Join-Path $ModuleDir 'en-US/ShippyarDr.PowerShell.dll-Help.xml'))
    Remove-Item -Recurse -Force $publish
    Write-Host "Module assembled in $ModuleDir"
}

function Get-NuGetPackagesFolder {
    if ($env:NUGET_PACKAGES) { return $env:NUGET_PACKAGES }
    $line = dotnet nuget locals global-packages --list | Select-Object -First 1
    ($line -replace '^global-packages:\s*', '').Trim()
}

function Invoke-XunitSuite {
    $results = Join-Path $Out 'test-results'
    Remove-Item -Recurse -Force $results -ErrorAction SilentlyContinue
    dotnet test (Join-Path $Root 'tests/ShippyarDr.Core.Tests') -c $Configuration --nologo --logger 'trx;LogFileName=core.trx' --logger 'console;verbosity=normal' --results-directory $results | Out-Host
    $exit = $LASTEXITCODE
    $trx = Join-Path $results 'core.trx'
    if (-not (Test-Path $trx)) { return @{ Passed = 0; Failed = 1 } }
    $counters = ([xml](Get-Content -Raw $trx)).TestRun.ResultSummary.Counters
    $passed = [int]$counters.passed
    $failed = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
    # A crashed test host can exit non-zero with nothing marked failed: that is a failure too.
    if ($exit -ne 0 -and $failed -eq 0) { $failed = 1 }
    @{ Passed = $passed; Failed = $failed }
}

function Invoke-PesterSuite {
    Invoke-Native 'restore of the Pester package' { dotnet restore (Join-Path $Root 'tests/PesterPackage') --nologo -v quiet }
    $pester = Join-Path (Get-NuGetPackagesFolder) 'pester/5.7.1/tools/Pester.psd1'
    Import-Module $pester -Force
    $env:SHIPPYAR_MODULE_PATH = $ModuleManifest
    $config = New-PesterConfiguration
    $config.Run.Path = Join-Path $Root 'tests/pester'
    $config.Run.PassThru = $true
    $config.Output.Verbosity = 'Detailed'
    # The tests are ordinary PowerShell, as a DBA writes it: not under this build script's strict mode.
    $result = & { Set-StrictMode -Off; Invoke-Pester -Configuration $config }
    $failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    @{ Passed = $result.PassedCount; Failed = $failed }
}

function Invoke-Test {
    Invoke-Build
    $xunit = Invoke-XunitSuite
    $pester = Invoke-PesterSuite
    $passed = $xunit.Passed + $pester.Passed
    $failed = $xunit.Failed + $pester.Failed
    Write-Host "xunit: $($xunit.Passed) passed, $($xunit.Failed) failed; Pester: $($pester.Passed) passed, $($pester.Failed) failed"
    # The one line CI reads: plain, alone, last.
    Write-Host "$passed passed, $failed failed"
    if ($failed -gt 0 -or $passed -eq 0) { exit 1 }
}

function Invoke-Demo {
    Invoke-Build
    $env:SHIPPYAR_MODULE_PATH = $ModuleManifest
    & (Join-Path $Root 'examples/quickstart.ps1')
}

function Invoke-Package {
    Invoke-Build
    $version = (Import-PowerShellDataFile $ModuleManifest).ModuleVersion
    $zip = Join-Path $Out "ShippyarDr-$version.zip"
    Compress-Archive -Path $ModuleDir -DestinationPath $zip -Force
    Write-Host "Package: $zip"
}

# The help generator imports the built module: run it in a child pwsh so this process stays clean.
function Invoke-ChildPwsh([string[]] $Arguments) {
    $exe = [Environment]::ProcessPath
    # Under `dotnet pwsh` the process is dotnet running pwsh.dll.
    $prefix = @(if ((Split-Path -Leaf $exe) -like 'dotnet*') { Join-Path $PSHOME 'pwsh.dll' })
    & $exe @prefix -NoProfile -NonInteractive @Arguments
    if ($LASTEXITCODE -ne 0) { throw "pwsh $($Arguments -join ' ') failed (exit code $LASTEXITCODE)." }
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'Demo' { Invoke-Demo }
    'Package' { Invoke-Package }
}
