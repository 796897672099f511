BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $sandbox = New-ShippyarSandbox -SampleScale 0.01
    $repo = New-TestDirectory
    # The older Npgsql that another module might have loaded (restored by tests/PesterPackage).
    $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path $HOME '.nuget/packages' }
    $npgsql8 = Join-Path $packages 'npgsql/8.0.5/lib/net8.0/Npgsql.dll'
}
AfterAll {
    if ($sandbox) { $sandbox | Remove-ShippyarSandbox -Confirm:$false }
    if ($repo) { Remove-Item -Recurse -Force $repo -ErrorAction SilentlyContinue }
}

Describe 'Load-context isolation' {
    It 'works in a session that already loaded Npgsql 8 into the default context' {
        $npgsql8 | Should -Exist
        $script = @'
$ErrorActionPreference = 'Stop'
Add-Type -Path $env:NPGSQL8
Import-Module $env:SHIPPYAR_MODULE_PATH
$cred = [pscredential]::new('postgres', (ConvertTo-SecureString $env:SANDBOX_PASSWORD -AsPlainText -Force))
$b = Invoke-ShippyarBackup -Server 127.0.0.1 -Port $env:SANDBOX_PORT -Credential $cred -Database shippyar -Repository $env:REPO
$t = $b | Test-ShippyarBackup -Level Catalog
$loaded = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Npgsql' } | ForEach-Object {
    '{0}|{1}' -f $_.GetName().Version.Major, [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name }
"DEFAULT=" + [Npgsql.NpgsqlConnection].Assembly.GetName().Version.Major
"LOADED=" + ($loaded -join ',')
"BACKUP=" + $b.Id
"PASSED=" + $t.Passed
'@
        $r = Invoke-ChildPwsh $script @{
            NPGSQL8 = $npgsql8; SANDBOX_PASSWORD = $sandbox.GetPassword(); SANDBOX_PORT = $sandbox.Port; REPO = $repo }
        $r.Error | Should -BeNullOrEmpty
        $r.ExitCode | Should -Be 0
        $r.Output | Should -Match 'DEFAULT=8'
        $r.Output | Should -Match 'LOADED=.*8\|Default'
        $r.Output | Should -Match '10\|ShippyarDr.Engine'
        $r.Output | Should -Match 'BACKUP=\d{8}-\d{6}D-[0-9a-f]{4}'
        $r.Output | Should -Match 'PASSED=True'
    }

    It 'keeps the engine''s dependencies out of the default load context' {
        $b = Invoke-ShippyarBackup -Server $sandbox.Server -Port $sandbox.Port -Credential $sandbox.Credential -Database shippyar -Repository $repo
        $b | Should -Not -BeNullOrEmpty
        $inDefault = [System.Runtime.Loader.AssemblyLoadContext]::Default.Assemblies.GetName().Name
        $inDefault | Should -Not -Contain 'Npgsql'
        $inDefault | Should -Not -Contain 'ShippyarDr.Core'
        $inDefault | Should -Contain 'ShippyarDr.PowerShell'
    }
}
