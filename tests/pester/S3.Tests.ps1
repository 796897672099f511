BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $sandbox = New-ShippyarSandbox -SampleScale 0.02
    $conn = Get-SandboxConnection $sandbox
    $s3 = Start-TestS3Server
    $s3Params = @{ S3Endpoint = $s3.Endpoint; S3Credential = $s3.Credential }
    $local = New-TestDirectory
    $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path $HOME '.nuget/packages' }
}
AfterAll {
    if ($sandbox) { $sandbox | Remove-ShippyarSandbox -Confirm:$false }
    Stop-TestS3Server $s3
    if ($local) { Remove-Item -Recurse -Force $local -ErrorAction SilentlyContinue }
}

Describe 'S3 repositories' {
    It 'backs up to local disk and S3 in one pass, and lists, verifies and restores from S3' {
        $daily = "$($s3.Url)/daily"
        $b = Invoke-ShippyarBackup @conn @s3Params -Database shippyar -Tier Daily -Repository $local, $daily
        $b.Repository | Should -Be @((Resolve-Path $local).Path, $daily)
        $fromS3 = Get-ShippyarBackup -Repository $daily @s3Params -Latest
        $fromS3.Id | Should -Be $b[0].Id
        $fromS3.StorageClass | Should -Be 'STANDARD_IA'
        ($fromS3 | Test-ShippyarBackup -Level Restore @s3Params @conn).Passed | Should -BeTrue
        ($fromS3 | Restore-ShippyarDatabase -TargetDatabase shippyar_from_s3 @s3Params @conn).Passed | Should -BeTrue
        (Get-ShippyarBackupStatus -Repository $daily @s3Params).Status | Should -Be 'OK'
    }

    It 'copies a local backup to S3 with its checksums' {
        $b = Get-ShippyarBackup -Repository $local -Latest
        $copy = $b | Copy-ShippyarBackup -Destination "$($s3.Url)/offsite" @s3Params
        $copy.Repository | Should -Be "$($s3.Url)/offsite"
        ($copy | Test-ShippyarBackup -Level Checksum @s3Params).Passed | Should -BeTrue
    }

    It 'a missing bucket and a bad URL are clear errors' {
        Get-ShippyarBackup -Repository 's3://no-such-bucket/x' @s3Params -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RepositoryNotFound,*'
        Get-ShippyarBackup -Repository 's3://Bad_Bucket' @s3Params -ErrorVariable err2 -ErrorAction SilentlyContinue
        $err2[0].FullyQualifiedErrorId | Should -BeLike 'InvalidS3Url,*'
    }

    It 'works in a session that already loaded AWSSDK.Core 3.7 (as AWS.Tools does)' {
        $awsCore37 = Join-Path $packages 'awssdk.core/3.7.402/lib/netcoreapp3.1/AWSSDK.Core.dll'
        $awsCore37 | Should -Exist
        $script = @'
$ErrorActionPreference = 'Stop'
Add-Type -Path $env:AWSCORE37
Import-Module $env:SHIPPYAR_MODULE_PATH
$cred = [pscredential]::new('postgres', (ConvertTo-SecureString $env:SANDBOX_PASSWORD -AsPlainText -Force))
$s3cred = [pscredential]::new('S3RVER', (ConvertTo-SecureString 'S3RVER' -AsPlainText -Force))
$b = Invoke-ShippyarBackup -Server 127.0.0.1 -Port $env:SANDBOX_PORT -Credential $cred -Database shippyar -Repository $env:S3URL -S3Endpoint $env:S3ENDPOINT -S3Credential $s3cred
$t = $b | Test-ShippyarBackup -Level Catalog -S3Endpoint $env:S3ENDPOINT -S3Credential $s3cred
$loaded = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'AWSSDK.Core' } | ForEach-Object {
    '{0}|{1}' -f $_.GetName().Version.Major, [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name }
"LOADED=" + ($loaded -join ',')
"PASSED=" + $t.Passed
'@
        $r = Invoke-ChildPwsh $script @{
            AWSCORE37 = $awsCore37; SANDBOX_PASSWORD = $sandbox.GetPassword(); SANDBOX_PORT = $sandbox.Port
            S3URL = "$($s3.Url)/isolation"; S3ENDPOINT = $s3.Endpoint }
        $r.Error | Should -BeNullOrEmpty
        $r.ExitCode | Should -Be 0
        $r.Output | Should -Match '3\|Default'
        $r.Output | Should -Match '4\|ShippyarDr.Engine'
        $r.Output | Should -Match 'PASSED=True'
    }
}
