BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $sandbox = New-ShippyarSandbox -SampleScale 0.02
    $conn = Get-SandboxConnection $sandbox
    $local = New-TestDirectory
    $second = New-TestDirectory
    $env:SHIPPYAR_TEST_PASSPHRASE = 'daily-Passphrase-77'
    $passphrase = ConvertTo-SecureString $env:SHIPPYAR_TEST_PASSPHRASE -AsPlainText -Force
    $passFile = Join-Path $local 'pass.txt'
    Set-Content $passFile $env:SHIPPYAR_TEST_PASSPHRASE
}
AfterAll {
    if ($sandbox) { $sandbox | Remove-ShippyarSandbox -Confirm:$false }
    Remove-Item Env:SHIPPYAR_TEST_PASSPHRASE -ErrorAction SilentlyContinue
    foreach ($d in $local, $second) { if ($d) { Remove-Item -Recurse -Force $d -ErrorAction SilentlyContinue } }
}

Describe 'Compressed, encrypted backups in several repositories' {
    It 'one pass writes an encrypted zstd backup to two repositories, and gpg + zstd + pg_restore read it by hand' {
        $backups = Invoke-ShippyarBackup @conn -Database shippyar -Repository $local, $second -PassphraseVariable SHIPPYAR_TEST_PASSPHRASE
        $backups.Count | Should -Be 2
        $backups.Repository | Should -Be @((Resolve-Path $local).Path, (Resolve-Path $second).Path)
        $backups[0].Id | Should -Be $backups[1].Id
        $file = $backups[0].Files[0]
        $file.Name | Should -Be 'data.dump.zst.gpg'
        $file.Compression | Should -Be 'zstd'
        $file.Encryption.Mode | Should -Be 'passphrase'
        foreach ($repo in $local, $second) {
            $stored = Join-Path $repo $backups[0].Prefix $file.Name
            (Get-FileHash -Algorithm SHA256 $stored).Hash.ToLowerInvariant() | Should -Be $file.Sha256
        }
        $stored = Join-Path $local $backups[0].Prefix $file.Name
        $list = bash -c "gpg --batch --pinentry-mode loopback --passphrase-file '$passFile' --decrypt '$stored' 2>/dev/null | zstd -d 2>/dev/null | /usr/lib/postgresql/15/bin/pg_restore --list"
        ($list | Select-String 'TABLE DATA public orders').Count | Should -Be 1
        Get-Content (Join-Path $local $backups[0].Prefix manifest.json) -Raw | Should -Not -Match 'daily-Passphrase-77'
    }

    It 'checks checksums without the key, and needs the key to read further' {
        $b = Get-ShippyarBackup -Repository $second -Latest
        ($b | Test-ShippyarBackup -Level Checksum).Passed | Should -BeTrue
        $b | Test-ShippyarBackup -Level Catalog -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DecryptionKeyRequired,*'
        $r = $b | Test-ShippyarBackup -Level Restore -Passphrase $passphrase -Credential $sandbox.Credential
        $r.Passed | Should -BeTrue
        ($r.Checks | Where-Object Name -like 'Content checksum*').Passed | Should -BeTrue
    }

    It 'a wrong passphrase is a clear error before anything is restored' {
        $wrong = ConvertTo-SecureString 'not-it' -AsPlainText -Force
        $b = Get-ShippyarBackup -Repository $local -Latest
        $b | Restore-ShippyarDatabase -TargetDatabase never_made -Passphrase $wrong @conn -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DecryptionKeyWrong,*'
        $err[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        $sandbox.QueryScalar('postgres', "SELECT count(*) FROM pg_database WHERE datname IN ('never_made') OR datname LIKE 'shippyar_restore_%'") | Should -Be '0'
        ($err | Out-String) | Should -Not -Match 'not-it'
    }

    It 'restores an encrypted backup with the passphrase from a file' {
        $r = Get-ShippyarBackup -Repository $local -Latest | Restore-ShippyarDatabase -TargetDatabase shippyar_from_encrypted -PassphraseFile $passFile @conn
        $r.Passed | Should -BeTrue
        $sandbox.QueryScalar('shippyar_from_encrypted', 'SELECT count(*) FROM orders') | Should -Be $sandbox.QueryScalar('shippyar', 'SELECT count(*) FROM orders')
    }

    It 'gzip and no compression work end to end too' {
        foreach ($c in 'gzip', 'none') {
            $b = Invoke-ShippyarBackup @conn -Database shippyar -Repository $local -Compression $c -PassphraseFile $passFile
            $b.Files[0].Compression | Should -Be $c
            ($b | Test-ShippyarBackup -Level Restore -PassphraseFile $passFile @conn).Passed | Should -BeTrue
        }
    }
}

Describe 'Copy-ShippyarBackup' {
    It 'replicates a backup, verified, and the copy passes its own checks' {
        $target = New-TestDirectory
        $copy = Get-ShippyarBackup -Repository $local -Latest -Database shippyar | Select-Object -First 1 | Copy-ShippyarBackup -Destination $target
        $copy.Repository | Should -Be (Resolve-Path $target).Path
        ($copy | Test-ShippyarBackup -Level Checksum).Passed | Should -BeTrue
        # Copying again is a no-op that returns the existing copy.
        (Get-ShippyarBackup -Repository $local -Id $copy.Id | Copy-ShippyarBackup -Destination $target).Id | Should -Be $copy.Id
        Remove-Item -Recurse -Force $target
    }

    It 'refuses to copy a damaged backup and leaves nothing in the destination' {
        $damaged = New-TestDirectory
        $target = New-TestDirectory
        $b = Get-ShippyarBackup -Repository $local -Latest -Database shippyar | Select-Object -First 1
        Copy-Item -Recurse (Join-Path $local 'backup') $damaged
        $stored = Join-Path $damaged $b.Prefix $b.Files[0].Name
        $bytes = [IO.File]::ReadAllBytes($stored); $bytes[100] = $bytes[100] -bxor 1; [IO.File]::WriteAllBytes($stored, $bytes)
        Copy-ShippyarBackup -Repository $damaged -Id $b.Id -Destination $target -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'BackupCorrupt,*'
        Get-ShippyarBackup -Repository $target | Should -BeNullOrEmpty
        # Only the audit record of the failed copy.
        Get-ChildItem -Recurse -File $target | Where-Object { $_.FullName -notlike (Join-Path $target 'audit' '*') } | Should -BeNullOrEmpty
        $audit = @(Get-ShippyarAuditLog -Repository $target)
        ($audit.Operation, $audit.Status, $audit.BackupId) | Should -Be @('Copy', 'Failed', $b.Id)
        $audit.Error | Should -Be $err[0].Exception.Message
        Remove-Item -Recurse -Force $damaged, $target
    }
}

Describe 'Weekly cluster backups' {
    BeforeAll {
        $gnupg = Join-Path ([IO.Path]::GetTempPath()) ("g" + [guid]::NewGuid().ToString('n').Substring(0, 6))
        New-Item -ItemType Directory $gnupg | Out-Null
        $gpg = @('--batch', '--homedir', $gnupg, '--pinentry-mode', 'loopback', '--passphrase', '')
        & gpg @gpg --quick-gen-key 'DR Team <dr@shippyar.example>' default default never 2>$null
        $publicKey = Join-Path $gnupg 'dr.asc'
        $secretKey = Join-Path $gnupg 'dr.sec.asc'
        & gpg @gpg --armor --output $publicKey --export dr@shippyar.example 2>$null
        & gpg @gpg --armor --output $secretKey --export-secret-keys dr@shippyar.example 2>$null
        # The backup host's own key: it signs what the host writes; the DR team checks with its public half.
        & gpg @gpg --quick-gen-key 'Backup Host <host@shippyar.example>' default sign never 2>$null
        $signingKey = Join-Path $gnupg 'host.sec.asc'
        $signerKey = Join-Path $gnupg 'host.asc'
        & gpg @gpg --armor --output $signingKey --export-secret-keys host@shippyar.example 2>$null
        & gpg @gpg --armor --output $signerKey --export host@shippyar.example 2>$null
        $weeklyRepo = New-TestDirectory
        $sandbox.Execute('postgres', "CREATE ROLE shippyar_reader LOGIN PASSWORD 'reader-pw'")
    }
    AfterAll {
        & gpgconf --homedir $gnupg --kill gpg-agent 2>$null
        Remove-Item -Recurse -Force $gnupg, $weeklyRepo -ErrorAction SilentlyContinue
    }

    It 'needs encryption' {
        Invoke-ShippyarBackup @conn -Tier Weekly -Repository $weeklyRepo -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'EncryptionRequired,*'
    }

    It 'backs up the cluster to a public key, verifies with the secret key, and restores it into an empty cluster' {
        $w = Invoke-ShippyarBackup @conn -Tier Weekly -Repository $weeklyRepo -Recipient dr@shippyar.example -RecipientKeyFile $publicKey -SigningKeyFile $signingKey
        $w.Tier | Should -Be 'Weekly'
        $w.Databases.Name | Should -Contain 'shippyar'
        $w.StorageClass | Should -Be 'GLACIER'
        $w.Files[0].Encryption.Mode | Should -Be 'public-key'
        (Get-ShippyarBackup -Repository $weeklyRepo -Tier Weekly -Latest | Test-ShippyarBackup -Level Restore -SecretKeyFile $secretKey -SignerKeyFile $signerKey @conn).Passed | Should -BeTrue

        $fresh = New-ShippyarSandbox
        try {
            $r = $w | Restore-ShippyarCluster -SecretKeyFile $secretKey -SignerKeyFile $signerKey -Server $fresh.Server -Port $fresh.Port -Credential $fresh.Credential -Confirm:$false
            $r.GetType().FullName | Should -Be 'ShippyarDr.ClusterRestoreResult'
            $r.Passed | Should -BeTrue
            $fresh.QueryScalar('postgres', "SELECT count(*) FROM pg_roles WHERE rolname = 'shippyar_reader'") | Should -Be '1'
            $fresh.QueryScalar('shippyar', 'SELECT count(*) FROM order_items') | Should -Be $sandbox.QueryScalar('shippyar', 'SELECT count(*) FROM order_items')
            # One database of the weekly backup, restored on its own under a new name.
            ($w | Restore-ShippyarDatabase -SourceDatabase shippyar -TargetDatabase shippyar_single -SecretKeyFile $secretKey -SignerKeyFile $signerKey -Server $fresh.Server -Port $fresh.Port -Credential $fresh.Credential).Passed | Should -BeTrue
        } finally { $fresh | Remove-ShippyarSandbox -Confirm:$false }
    }
}
