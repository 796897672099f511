# Signed and MAC'd manifests through the cmdlets: what a DBA runs, what gpg checks, what a forger gets.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $sandbox = New-ShippyarSandbox -SampleScale 0.02
    $conn = Get-SandboxConnection $sandbox
    $repo = New-TestDirectory
    $gnupg = New-TestGpgHome
    $gpg = Get-TestGpgArguments $gnupg
    function Export-Key([string] $UserId, [string] $Email, [string] $Usage) { New-TestGpgKey $gnupg $UserId $Email $Usage }
    $dr = Export-Key 'DR Team <dr@shippyar.example>' 'dr@shippyar.example' 'default'
    $hostKey = Export-Key 'Backup Host <host@shippyar.example>' 'host@shippyar.example' 'sign'
    $mallory = Export-Key 'Mallory <mallory@evil.example>' 'mallory@evil.example' 'sign'
    $encrypt = @{ Recipient = 'dr@shippyar.example'; RecipientKeyFile = $dr.Public }
    $read = @{ SecretKeyFile = $dr.Secret; SignerKeyFile = $hostKey.Public }
}
AfterAll {
    if ($sandbox) { $sandbox | Remove-ShippyarSandbox -Confirm:$false }
    & gpgconf --homedir $gnupg --kill gpg-agent 2>$null
    Remove-Item -Recurse -Force $repo, $gnupg -ErrorAction SilentlyContinue
}

Describe 'Signed backups' {
    It 'signs every manifest given -SigningKeyFile, gpg --verify checks it, and Test-ShippyarBackup names the signer' {
        $b = Invoke-ShippyarBackup @conn -Database shippyar -Repository $repo @encrypt -SigningKeyFile $hostKey.Secret
        $b.Authentication | Should -Be 'Signature'
        $folder = Join-Path $repo $b.Prefix
        & gpg @gpg --verify (Join-Path $folder 'manifest.json.sig') (Join-Path $folder 'manifest.json') 2>$null
        $LASTEXITCODE | Should -Be 0
        $r = $b | Test-ShippyarBackup -Level Catalog @read
        $r.Passed | Should -BeTrue
        $r.Authenticated | Should -BeTrue
        $r.Checks[0].Name | Should -Be 'Authenticity'
        $r.Authenticity.SignerFingerprint | Should -Be $hostKey.Fingerprint
    }

    It 'refuses -Recipient without a signing key, before anything is written' {
        $empty = New-TestDirectory
        $err = Get-ErrorRecords { Invoke-ShippyarBackup @conn -Database shippyar -Repository $empty @encrypt }
        $err[0].FullyQualifiedErrorId | Should -BeLike 'SigningKeyRequired,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        Get-ChildItem -Force $empty | Should -BeNullOrEmpty
        Remove-Item -Recurse -Force $empty
    }

    It 'refuses a backup signed by another key, and one whose signature was stripped, unless unauthenticated backups are allowed' {
        $workshop = New-TestDirectory
        $forged = Invoke-ShippyarBackup @conn -Database shippyar -Repository $workshop @encrypt -SigningKeyFile $mallory.Secret
        Copy-Item -Recurse (Join-Path $workshop $forged.Prefix) (Join-Path $repo $forged.Prefix)
        $planted = Get-ShippyarBackup -Repository $repo -Id $forged.Id

        $r = $planted | Test-ShippyarBackup -Level Restore @read @conn
        $r.Passed | Should -BeFalse
        @($r.Checks).Count | Should -Be 1
        $r.Checks[0].Detail | Should -Match 'not one of the signers'
        $err = Get-ErrorRecords { $planted | Restore-ShippyarDatabase -TargetDatabase forged_copy @read @conn }
        $err[0].FullyQualifiedErrorId | Should -BeLike 'BackupNotAuthentic,*'
        $err[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        $sandbox.QueryScalar('postgres', "SELECT count(*) FROM pg_database WHERE datname = 'forged_copy'") | Should -Be '0'

        Remove-Item (Join-Path $repo $forged.Prefix 'manifest.json.sig')
        $stripped = Get-ShippyarBackup -Repository $repo -Id $forged.Id
        $stripped.Authentication | Should -Be 'None'
        ($stripped | Test-ShippyarBackup -Level Catalog -SecretKeyFile $dr.Secret).Passed | Should -BeFalse
        $allowed = $stripped | Test-ShippyarBackup -Level Catalog -SecretKeyFile $dr.Secret -AllowUnauthenticated
        $allowed.Passed | Should -BeTrue
        $allowed.Authenticated | Should -BeFalse
        $allowed.Checks[0].Detail | Should -Match 'unauthenticated'
        Remove-Item -Recurse -Force $workshop
    }

    It 'keeps a forged cluster backup from creating its superuser' {
        $sandbox.Execute('postgres', "CREATE ROLE planted_admin SUPERUSER")
        $workshop = New-TestDirectory
        $forged = Invoke-ShippyarBackup @conn -Tier Weekly -Repository $workshop @encrypt -SigningKeyFile $mallory.Secret
        $sandbox.Execute('postgres', "DROP ROLE planted_admin")
        Copy-Item -Recurse (Join-Path $workshop $forged.Prefix) (Join-Path $repo $forged.Prefix)
        $fresh = New-ShippyarSandbox
        try {
            $err = Get-ErrorRecords { Get-ShippyarBackup -Repository $repo -Id $forged.Id | Restore-ShippyarCluster @read -Server $fresh.Server -Port $fresh.Port -Credential $fresh.Credential -Confirm:$false }
            $err[0].FullyQualifiedErrorId | Should -BeLike 'BackupNotAuthentic,*'
            $fresh.QueryScalar('postgres', "SELECT count(*) FROM pg_roles WHERE rolname = 'planted_admin'") | Should -Be '0'
        } finally { $fresh | Remove-ShippyarSandbox -Confirm:$false; Remove-Item -Recurse -Force $workshop }
    }
}

Describe 'MAC of passphrase backups' {
    BeforeAll {
        $macRepo = New-TestDirectory
        $env:SHIPPYAR_TEST_MAC = 'mac-Passphrase-31'
    }
    AfterAll {
        Remove-Item Env:SHIPPYAR_TEST_MAC -ErrorAction SilentlyContinue
        Remove-Item -Recurse -Force $macRepo -ErrorAction SilentlyContinue
    }

    It 'checks the MAC at every level that has the passphrase, and refuses a changed manifest' {
        $b = Invoke-ShippyarBackup @conn -Database shippyar -Repository $macRepo -PassphraseVariable SHIPPYAR_TEST_MAC
        $b.Authentication | Should -Be 'Mac'
        ($b | Test-ShippyarBackup -Level Catalog -PassphraseVariable SHIPPYAR_TEST_MAC).Checks[0].Detail | Should -Match 'MAC matches'
        $manifest = Join-Path $macRepo $b.Prefix 'manifest.json'
        (Get-Content -Raw $manifest) -replace '"Retention": "90d"', '"Retention": "3650d"' | Set-Content -NoNewline $manifest
        $r = Get-ShippyarBackup -Repository $macRepo -Id $b.Id | Test-ShippyarBackup -Level Catalog -PassphraseVariable SHIPPYAR_TEST_MAC
        $r.Passed | Should -BeFalse
        $r.Checks[0].Detail | Should -Match 'MAC does not match'
    }

    It 'refuses to write an unsealed backup into a repository that holds sealed ones' {
        $err = Get-ErrorRecords { Invoke-ShippyarBackup @conn -Database shippyar -Repository $macRepo }
        $err[0].FullyQualifiedErrorId | Should -BeLike 'AuthenticationRequired,*'
    }
}

Describe 'Repository layout' {
    It 'lists a repository whose root holds lost+found as a user who cannot read it' {
        $layoutRepo = New-TestDirectory
        $b = Invoke-ShippyarBackup @conn -Database shippyar -Repository $layoutRepo
        $lostFound = New-Item -ItemType Directory (Join-Path $layoutRepo 'lost+found')
        chown postgres $lostFound.FullName; chmod 700 $lostFound.FullName
        # Root can read anything; without its capabilities it is like any other user.
        $launcher = if ((id -u) -eq '0') { @('setpriv', '--bounding-set', '-dac_override,-dac_read_search', '--') } else { @() }
        $r = Invoke-ChildPwsh -Launcher $launcher -Environment @{ REPO = $layoutRepo } -Script @'
$ErrorActionPreference = 'Stop'
Import-Module $env:SHIPPYAR_MODULE_PATH
$backups = Get-ShippyarBackup -Repository $env:REPO
"IDS=" + ($backups.Id -join ',')
"STATUS=" + (Get-ShippyarBackupStatus -Repository $env:REPO).Status
'@
        $r.Error | Should -BeNullOrEmpty
        $r.Output | Should -Match "IDS=$($b.Id)"
        $r.Output | Should -Match 'STATUS=OK'
        Remove-Item -Recurse -Force $layoutRepo
    }

    It 'round-trips a database name with a slash, a dot and capitals through the cmdlets' {
        $name = 'Ops/Reports.v2'
        $sandbox.Execute('postgres', "CREATE DATABASE ""$name""")
        $sandbox.Execute($name, 'CREATE TABLE t AS SELECT generate_series(1, 9) AS id')
        $namesRepo = New-TestDirectory
        $b = Invoke-ShippyarBackup @conn -Database $name -Repository $namesRepo
        $b.Prefix | Should -Be "backup/db/%4Fps%2F%52eports%2Ev2/$($b.Id)/"
        (Get-ShippyarBackup -Repository $namesRepo -Database $name).Id | Should -Be $b.Id
        (Get-ShippyarBackupStatus -Repository $namesRepo).Database | Should -Be $name
        ($b | Restore-ShippyarDatabase -TargetDatabase 'Ops/Reports copy' @conn).Passed | Should -BeTrue
        $sandbox.QueryScalar('Ops/Reports copy', 'SELECT count(*) FROM t') | Should -Be '9'
        Remove-Item -Recurse -Force $namesRepo
    }
}
