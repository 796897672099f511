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

    It 'keeps the local copy when S3 dies midway, and writes an S3UploadFailed error naming it' {
        # Its own server: this one is killed as soon as the first part of the upload arrives (s3rver keeps parts under a dot directory, hence -Force).
        $dying = Start-TestS3Server
        try {
            $sandbox.Execute('postgres', 'CREATE DATABASE outage')
            # ~40 MB stored uncompressed: eight 5 MB parts, so the upload is far from done when the server dies.
            $sandbox.Execute('outage', 'CREATE TABLE events AS SELECT g AS id, md5(g::text) || md5((g * 7)::text) AS payload FROM generate_series(1, 500000) g')
            $ready = [hashtable]::Synchronized(@{})
            $killer = Start-ThreadJob -ArgumentList $dying.Data, $dying.Process, $ready {
                param($data, $process, $ready)
                $ready.Watching = $true
                $deadline = (Get-Date).AddSeconds(120)
                while ((Get-Date) -lt $deadline -and -not (Get-ChildItem -Recurse -Force -File $data -Filter '1' -ErrorAction SilentlyContinue)) { Start-Sleep -Milliseconds 5 }
                $process.Kill($true)
            }
            while (-not $ready.Watching) { Start-Sleep -Milliseconds 20 }
            $outageLocal = New-TestDirectory
            $b = Invoke-ShippyarBackup @conn -S3Endpoint $dying.Endpoint -S3Credential $dying.Credential -Database outage -Compression none `
                -Repository $outageLocal, "$($dying.Url)/outage" -ErrorVariable err -ErrorAction SilentlyContinue
            $killer | Wait-Job | Remove-Job

            @($b).Count | Should -Be 1
            $b.Repository | Should -Be (Resolve-Path $outageLocal).Path
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'S3UploadFailed,*'
            $err[0].Exception.Message | Should -BeLike "*could not be stored in $($dying.Url)/outage*complete in*"
            ($b | Test-ShippyarBackup -Level Checksum).Passed | Should -BeTrue
        }
        finally {
            if (-not $dying.Process.HasExited) { $dying.Process.Kill($true) }
            Remove-Item -Recurse -Force $dying.Data -ErrorAction SilentlyContinue
        }
    }

    It 'refuses -ObjectLockDays on a store that ignores Object Lock (s3rver) before the backup is complete, leaving nothing' {
        $locked = "$($s3.Url)/locked"
        Invoke-ShippyarBackup @conn @s3Params -Database shippyar -Repository $locked -ObjectLockDays 7 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ObjectLockNotEnabled,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        $err[0].Exception.Message | Should -Match 'without the Object Lock it was asked for'
        $err[0].ErrorDetails.RecommendedAction | Should -Match 'Object Lock enabled'
        Get-ShippyarBackup -Repository $locked @s3Params | Should -BeNullOrEmpty
        Get-ShippyarLeftover -Repository $locked @s3Params | Should -BeNullOrEmpty
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
