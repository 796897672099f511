# Bad input as a careless or hostile user gives it: every case is an ErrorRecord with a stable id, the right category
# and a message that says what is wrong (and never a secret), none of them UnexpectedError.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $sandbox = New-ShippyarSandbox -SampleScale 0.01
    $conn = Get-SandboxConnection $sandbox
    $password = $sandbox.GetPassword()
    $dir = New-TestDirectory
    $repo = Join-Path $dir 'repo'
    New-Item -ItemType Directory $repo, (Join-Path $dir 'a-directory') | Out-Null
    $passFile = Join-Path $dir 'pass.txt'
    Set-Content $passFile 'errors-Passphrase-42'
    chmod 600 $passFile
    Set-Content (Join-Path $dir 'wrong-pass.txt') 'not-the-Passphrase-42'
    chmod 600 (Join-Path $dir 'wrong-pass.txt')
    Set-Content (Join-Path $dir 'empty.txt') -Value $null
    Set-Content (Join-Path $dir 'garbage.asc') 'garbage, not a key'
    chmod 600 (Join-Path $dir 'empty.txt') (Join-Path $dir 'garbage.asc')

    $gnupg = Join-Path $dir 'gnupg'
    New-Item -ItemType Directory $gnupg | Out-Null
    $gpg = @('--batch', '--homedir', $gnupg, '--pinentry-mode', 'loopback', '--passphrase', '')
    & gpg @gpg --quick-gen-key 'Errors <errors@shippyar.example>' default default never 2>$null
    $publicKey = Join-Path $dir 'public.asc'
    $secretKey = Join-Path $dir 'secret.asc'
    & gpg @gpg --armor --output $publicKey --export errors@shippyar.example 2>$null
    & gpg @gpg --armor --output $secretKey --export-secret-keys errors@shippyar.example 2>$null
    & gpgconf --homedir $gnupg --kill gpg-agent 2>$null
    chmod 600 $secretKey

    # Sealed (encrypted, MAC'd) backups in a repository of their own: a plain one beside them would be refused.
    $sealedRepo = Join-Path $dir 'sealed-repo'
    New-Item -ItemType Directory $sealedRepo | Out-Null
    $encrypted = Invoke-ShippyarBackup @conn -Database shippyar -Repository $sealedRepo -PassphraseFile $passFile
    $plain = Invoke-ShippyarBackup @conn -Database shippyar -Repository $repo

    # Both backups in one place to damage: one manifest unreadable, one encrypted data file with a byte flipped.
    $damaged = Join-Path $dir 'damaged'
    Copy-Item -Recurse $repo $damaged
    Copy-Item -Recurse (Join-Path $sealedRepo $encrypted.Prefix) (Join-Path $damaged $encrypted.Prefix)
    $brokenManifest = Join-Path $damaged $plain.Prefix 'manifest.json'
    Set-Content $brokenManifest '{ "Id": "cut short'
    $flipped = Join-Path $damaged $encrypted.Prefix $encrypted.Files[0].Name
    $bytes = [IO.File]::ReadAllBytes($flipped)
    $bytes[[int]($bytes.Length / 2)] = $bytes[[int]($bytes.Length / 2)] -bxor 0x01
    [IO.File]::WriteAllBytes($flipped, $bytes)

    function Should-BeShippyarError($Records, [string] $Id, [string] $Category, [string[]] $Match = @()) {
        $Records.Count | Should -BeGreaterThan 0 -Because 'bad input must produce an error'
        $Records[0].FullyQualifiedErrorId | Should -Not -BeLike 'UnexpectedError,*'
        $Records[0].FullyQualifiedErrorId | Should -BeLike "$Id,*" -Because $Records[0].Exception.Message
        $Records[0].CategoryInfo.Category | Should -Be $Category
        foreach ($m in $Match) { $Records[0].Exception.Message | Should -BeLike "*$m*" }
    }
}
AfterAll {
    if ($sandbox) { $sandbox | Remove-ShippyarSandbox -Confirm:$false }
    if ($dir) { Remove-Item -Recurse -Force $dir -ErrorAction SilentlyContinue }
}

Describe 'Passphrase and key files' {
    It '<Name>' -ForEach @(
        @{ Name = 'a missing -PassphraseFile'; Id = 'PassphraseFileNotFound'; Category = 'ObjectNotFound'; Match = 'no-such.txt', 'does not exist'
           Run = { Invoke-ShippyarBackup @conn -Database shippyar -Repository $repo -PassphraseFile (Join-Path $dir 'no-such.txt') } }
        @{ Name = 'a directory as -PassphraseFile'; Id = 'PassphraseFileIsDirectory'; Category = 'InvalidArgument'; Match = 'a-directory', 'is a directory'
           Run = { Invoke-ShippyarBackup @conn -Database shippyar -Repository $repo -PassphraseFile (Join-Path $dir 'a-directory') } }
        @{ Name = 'an empty -PassphraseFile'; Id = 'EmptyPassphrase'; Category = 'InvalidArgument'; Match = 'empty.txt', 'is empty'
           Run = { Invoke-ShippyarBackup @conn -Database shippyar -Repository $repo -PassphraseFile (Join-Path $dir 'empty.txt') } }
        @{ Name = 'an empty -Passphrase'; Id = 'EmptyPassphrase'; Category = 'InvalidArgument'; Match = @('is empty')
           Run = { $encrypted | Test-ShippyarBackup -Passphrase ([securestring]::new()) } }
        @{ Name = 'an unset -PassphraseVariable'; Id = 'PassphraseVariableEmpty'; Category = 'ObjectNotFound'; Match = @('SHIPPYAR_NO_SUCH_VARIABLE')
           Run = { $encrypted | Restore-ShippyarDatabase -TargetDatabase x_unset -PassphraseVariable SHIPPYAR_NO_SUCH_VARIABLE @conn } }
        @{ Name = 'a passphrase given two ways'; Id = 'PassphraseAmbiguous'; Category = 'InvalidArgument'; Match = @('one way')
           Run = { $encrypted | Test-ShippyarBackup -PassphraseFile $passFile -Passphrase (ConvertTo-SecureString x -AsPlainText -Force) } }
        @{ Name = 'no passphrase for an encrypted backup'; Id = 'DecryptionKeyRequired'; Category = 'InvalidArgument'; Match = @('encrypted')
           Run = { $encrypted | Restore-ShippyarDatabase -TargetDatabase x_nokey @conn } }
        @{ Name = 'the wrong passphrase'; Id = 'DecryptionKeyWrong'; Category = 'AuthenticationError'; Match = @('passphrase')
           Run = { $encrypted | Restore-ShippyarDatabase -TargetDatabase x_wrong -PassphraseFile (Join-Path $dir 'wrong-pass.txt') @conn } }
        @{ Name = 'a missing -SecretKeyFile'; Id = 'KeyFileNotFound'; Category = 'ObjectNotFound'; Match = @('no-such.asc')
           Run = { $encrypted | Test-ShippyarBackup -SecretKeyFile (Join-Path $dir 'no-such.asc') } }
        @{ Name = 'a directory as -SecretKeyFile'; Id = 'KeyFileIsDirectory'; Category = 'InvalidArgument'; Match = @('is a directory')
           Run = { $encrypted | Test-ShippyarBackup -SecretKeyFile (Join-Path $dir 'a-directory') } }
        @{ Name = 'a garbage -SecretKeyFile'; Id = 'KeyFileUnreadable'; Category = 'InvalidData'; Match = 'garbage.asc', 'no OpenPGP keys'
           Run = { $encrypted | Restore-ShippyarDatabase -TargetDatabase x_garbage -SecretKeyFile (Join-Path $dir 'garbage.asc') @conn } }
        @{ Name = 'an empty -SecretKeyFile'; Id = 'KeyFileUnreadable'; Category = 'InvalidData'; Match = @('empty.txt')
           Run = { $encrypted | Test-ShippyarBackup -SecretKeyFile (Join-Path $dir 'empty.txt') } }
        @{ Name = 'a public key as -SecretKeyFile'; Id = 'KeyFileWrongKind'; Category = 'InvalidData'; Match = 'public keys only', 'gpg --export-secret-keys'
           Run = { $encrypted | Test-ShippyarBackup -SecretKeyFile $publicKey } }
        @{ Name = 'a missing -RecipientKeyFile'; Id = 'KeyFileNotFound'; Category = 'ObjectNotFound'; Match = @('no-such.asc')
           Run = { Invoke-ShippyarBackup @conn -Database shippyar -Repository $repo -Recipient errors@shippyar.example -RecipientKeyFile (Join-Path $dir 'no-such.asc') } }
        @{ Name = 'a directory as -RecipientKeyFile'; Id = 'KeyFileIsDirectory'; Category = 'InvalidArgument'; Match = @('is a directory')
           Run = { Invoke-ShippyarBackup @conn -Database shippyar -Repository $repo -Recipient errors@shippyar.example -RecipientKeyFile (Join-Path $dir 'a-directory') } }
        @{ Name = 'a garbage -RecipientKeyFile'; Id = 'KeyFileUnreadable'; Category = 'InvalidData'; Match = @('garbage.asc')
           Run = { Invoke-ShippyarBackup @conn -Database shippyar -Repository $repo -Recipient errors@shippyar.example -RecipientKeyFile (Join-Path $dir 'garbage.asc') } }
        @{ Name = 'a secret key as -RecipientKeyFile'; Id = 'KeyFileWrongKind'; Category = 'InvalidData'; Match = @('gpg --export --armor')
           Run = { Invoke-ShippyarBackup @conn -Database shippyar -Repository $repo -Recipient errors@shippyar.example -RecipientKeyFile $secretKey } }
        @{ Name = 'a -Recipient the key file lacks'; Id = 'RecipientNotFound'; Category = 'ObjectNotFound'; Match = @('nobody@shippyar.example')
           Run = { Invoke-ShippyarBackup @conn -Database shippyar -Repository $repo -Recipient nobody@shippyar.example -RecipientKeyFile $publicKey } }
    ) {
        Should-BeShippyarError (Get-ErrorRecords $Run) $Id $Category $Match
    }

    It 'files root could read but the user cannot: <Name>' -ForEach @(
        @{ Name = 'passphrase file'; Id = 'PassphraseFileAccessDenied'; Command = 'Invoke-ShippyarBackup -Server 127.0.0.1 -Database shippyar -Repository $env:REPO -PassphraseFile $env:UNREADABLE' }
        @{ Name = 'secret key file'; Id = 'KeyFileAccessDenied'; Command = 'Test-ShippyarBackup -Repository $env:REPO -Id $env:BACKUP_ID -SecretKeyFile $env:UNREADABLE' }
    ) {
        $unreadable = Join-Path $dir "unreadable-$Id"
        Set-Content $unreadable 'secret'
        chmod 000 $unreadable
        # As root, drop the capabilities that let root read any file; otherwise the mode alone stops the user.
        $launcher = if ((id -u) -eq '0') { @('setpriv', '--bounding-set', '-dac_override,-dac_read_search', '--') } else { @() }
        $script = "Import-Module `$env:SHIPPYAR_MODULE_PATH; $Command -ErrorVariable e -ErrorAction SilentlyContinue | Out-Null; `"`$(`$e[0].FullyQualifiedErrorId)|`$(`$e[0].CategoryInfo.Category)|`$(`$e[0].Exception.Message)`""
        $child = Invoke-ChildPwsh $script -Environment @{ REPO = $sealedRepo; BACKUP_ID = $encrypted.Id; UNREADABLE = $unreadable } -Launcher $launcher
        $gotId, $gotCategory, $gotMessage = $child.Output.Trim() -split '\|', 3
        $gotId | Should -BeLike "$Id,*" -Because "$($child.Output) $($child.Error)"
        $gotCategory | Should -Be 'PermissionDenied'
        $gotMessage | Should -BeLike "*$unreadable*cannot be read*"
    }
}

Describe 'Repositories, backups and connections' {
    It '<Name>' -ForEach @(
        @{ Name = 'a missing repository'; Id = 'RepositoryNotFound'; Category = 'ObjectNotFound'; Match = @('no-such-repo')
           Run = { Get-ShippyarBackup -Repository (Join-Path $dir 'no-such-repo') } }
        @{ Name = 'a file as repository'; Id = 'RepositoryNotADirectory'; Category = 'InvalidArgument'; Match = 'pass.txt', 'not a directory'
           Run = { Invoke-ShippyarBackup @conn -Database shippyar -Repository $passFile } }
        @{ Name = 'a file as -Destination'; Id = 'RepositoryNotADirectory'; Category = 'InvalidArgument'; Match = @('not a directory')
           Run = { $plain | Copy-ShippyarBackup -Destination $passFile } }
        @{ Name = 'an unsupported URL scheme'; Id = 'UnsupportedRepository'; Category = 'InvalidArgument'; Match = @('ftp')
           Run = { Get-ShippyarBackupStatus -Repository 'ftp://backups.example/pg' } }
        @{ Name = 'an invalid S3 URL'; Id = 'InvalidS3Url'; Category = 'InvalidArgument'; Match = @('s3://UPPER_case')
           Run = { Get-ShippyarBackup -Repository 's3://UPPER_case' } }
        @{ Name = 'an -S3Endpoint that is not a URL'; Id = 'InvalidS3Endpoint'; Category = 'InvalidArgument'; Match = 'not a url', 'http'
           Run = { Get-ShippyarBackup -Repository 's3://shippyar-test' -S3Endpoint 'not a url' } }
        @{ Name = 'an -S3Endpoint without a scheme'; Id = 'InvalidS3Endpoint'; Category = 'InvalidArgument'; Match = @('localhost:9000')
           Run = { $plain | Copy-ShippyarBackup -Destination 's3://shippyar-test' -S3Endpoint 'localhost:9000' } }
        @{ Name = 'an -S3Endpoint of another scheme'; Id = 'InvalidS3Endpoint'; Category = 'InvalidArgument'; Match = @('ftp://')
           Run = { Invoke-ShippyarBackup @conn -Database shippyar -Repository 's3://shippyar-test' -S3Endpoint 'ftp://minio.example' } }
        @{ Name = 'an unknown -Id'; Id = 'BackupNotFound'; Category = 'ObjectNotFound'; Match = @('20200101-000000D-dead')
           Run = { Get-ShippyarBackup -Repository $repo -Id 20200101-000000D-dead } }
        @{ Name = 'an unknown -Id to restore'; Id = 'BackupNotFound'; Category = 'ObjectNotFound'; Match = @('20200101-000000D-dead')
           Run = { Restore-ShippyarDatabase -Repository $repo -Id 20200101-000000D-dead @conn } }
        @{ Name = 'a -SourceDatabase the backup lacks'; Id = 'DatabaseNotInBackup'; Category = 'ObjectNotFound'; Match = @('nosuchdb')
           Run = { $plain | Restore-ShippyarDatabase -TargetDatabase x_source -SourceDatabase nosuchdb @conn } }
        @{ Name = 'a daily backup to Restore-ShippyarCluster'; Id = 'NotAClusterBackup'; Category = 'InvalidArgument'; Match = @('one database')
           Run = { $plain | Restore-ShippyarCluster @conn -Force } }
        @{ Name = 'a database the server lacks'; Id = 'DatabaseNotFound'; Category = 'ObjectNotFound'; Match = @('nosuchdb')
           Run = { Invoke-ShippyarBackup @conn -Database nosuchdb -Repository $repo } }
        @{ Name = 'a malformed -Database wildcard'; Id = 'InvalidWildcard'; Category = 'InvalidArgument'; Match = @('not a valid wildcard pattern')
           Run = { Get-ShippyarBackup -Repository $repo -Database 'shippyar[' } }
        @{ Name = 'a blank repository'; Id = 'InvalidRepository'; Category = 'InvalidArgument'; Match = @('must not be empty')
           Run = { Get-ShippyarBackupStatus -Repository ' ' } }
        @{ Name = 'a -CompressionLevel without compression'; Id = 'CompressionLevelNotApplicable'; Category = 'InvalidArgument'; Match = @('zstd and gzip', 'none')
           Run = { Invoke-ShippyarBackup @conn -Database shippyar -Repository $repo -Compression None -CompressionLevel 3 } }
    ) {
        Should-BeShippyarError (Get-ErrorRecords $Run) $Id $Category $Match
    }

    It 'a bad -ConnectionString (<Why>) is InvalidConnectionString and never shows its password' -ForEach @(
        @{ Why = 'unknown keyword'; ConnectionString = 'Host=127.0.0.1;Pasword=Hidden-Pw-77;Password=Hidden-Pw-77'; Match = "'Pasword' is not a keyword" }
        @{ Why = 'bad port'; ConnectionString = 'Host=127.0.0.1;Port=fifty;Password=Hidden-Pw-77'; Match = 'Port=fifty' }
        @{ Why = 'port zero'; ConnectionString = 'Host=127.0.0.1;Port=0;Password=Hidden-Pw-77'; Match = 'Port=0' }
        @{ Why = 'port out of range'; ConnectionString = 'Host=127.0.0.1;Port=70000;Password=Hidden-Pw-77'; Match = 'between 1 and 65535' }
        @{ Why = 'bad value'; ConnectionString = 'Host=127.0.0.1;SSL Mode=always;Password=Hidden-Pw-77'; Match = 'SSL Mode=always' }
        @{ Why = 'broken quoting'; ConnectionString = "Host=127.0.0.1;Password='Hidden-Pw-77"; Match = 'keyword=value pairs' }
    ) {
        foreach ($run in { Invoke-ShippyarBackup -ConnectionString $ConnectionString -Database shippyar -Repository $repo },
                         { $plain | Test-ShippyarBackup -Level Restore -ConnectionString $ConnectionString },
                         { $plain | Restore-ShippyarDatabase -TargetDatabase x_cs -ConnectionString $ConnectionString }) {
            $err = Get-ErrorRecords $run
            Should-BeShippyarError $err 'InvalidConnectionString' 'InvalidArgument' @($Match)
            ($err | Out-String) | Should -Not -Match 'Hidden-Pw-77'
        }
    }
}

Describe 'Damaged backups' {
    It 'an unreadable manifest is ManifestCorrupt, naming the file, wherever the backup is asked for by id' {
        foreach ($run in { Get-ShippyarBackup -Repository $damaged -Id $plain.Id -WarningAction SilentlyContinue },
                         { Test-ShippyarBackup -Repository $damaged -Id $plain.Id },
                         { Restore-ShippyarDatabase -Repository $damaged -Id $plain.Id -TargetDatabase x_manifest @conn },
                         { Copy-ShippyarBackup -Repository $damaged -Id $plain.Id -Destination (Join-Path $dir 'a-directory') }) {
            Should-BeShippyarError (Get-ErrorRecords $run) 'ManifestCorrupt' 'InvalidData' @($brokenManifest)
        }
        # Listing warns about it and goes on with the others.
        $listed = Get-ShippyarBackup -Repository $damaged -WarningVariable w -WarningAction SilentlyContinue
        $listed.Id | Should -Be @($encrypted.Id)
        $w[0].Message | Should -BeLike "*$brokenManifest*"
    }

    It 'restoring an encrypted backup with a byte flipped in its data is BackupCorrupt, and no database is left behind' {
        $err = Get-ErrorRecords { Restore-ShippyarDatabase -Repository $damaged -Id $encrypted.Id -TargetDatabase x_flipped -PassphraseFile $passFile @conn }
        Should-BeShippyarError $err 'BackupCorrupt' 'InvalidData' $flipped, 'changed or damaged after it was written'
        $sandbox.QueryScalar('postgres', "SELECT count(*) FROM pg_database WHERE datname IN ('x_flipped') OR datname LIKE 'shippyar_restore_%'") | Should -Be '0'
        # Verification reports the same damage as failed checks, not as an error.
        $r = Test-ShippyarBackup -Repository $damaged -Id $encrypted.Id -Level Restore -PassphraseFile $passFile @conn -ErrorAction Stop
        $r.Passed | Should -BeFalse
        ($r.Checks | Where-Object Name -eq "Checksum $($encrypted.Files[0].Name)").Passed | Should -BeFalse
    }

    It 'restoring a truncated zstd backup is BackupCorrupt' {
        $cut = Join-Path $dir 'cut'
        Copy-Item -Recurse $repo $cut
        $file = Join-Path $cut $plain.Prefix $plain.Files[0].Name
        $all = [IO.File]::ReadAllBytes($file)
        [IO.File]::WriteAllBytes($file, [byte[]]$all[0..([int]($all.Length * 0.6))])
        Should-BeShippyarError (Get-ErrorRecords { Restore-ShippyarDatabase -Repository $cut -Id $plain.Id -TargetDatabase x_cut @conn }) 'BackupCorrupt' 'InvalidData' @($file)
    }
}

Describe 'Confirmation in a session that cannot ask' {
    BeforeAll {
        $weekly = Invoke-ShippyarBackup @conn -Tier Weekly -Repository $sealedRepo -PassphraseFile $passFile
        $sandbox.Execute('shippyar', "INSERT INTO users VALUES (77777777, 'kept@example.com', 'Kept', now(), NULL)")
        $childEnvironment = @{ PGHOST = '127.0.0.1'; PGPORT = $sandbox.Port; PGUSER = 'postgres'; PGPASSWORD = $password; REPO = $repo; SEALED = $sealedRepo; DAILY = $plain.Id; WEEKLY = $weekly.Id; PASSFILE = $passFile }
        # Each line: what ran | error id | category | message.
        $script = @'
Import-Module $env:SHIPPYAR_MODULE_PATH
function Report($what, $e) { "$what|$($e[0].FullyQualifiedErrorId)|$($e[0].CategoryInfo.Category)|$($e[0].Exception.Message)" }
Restore-ShippyarDatabase -Repository $env:REPO -Id $env:DAILY -ErrorVariable e -ErrorAction SilentlyContinue | Out-Null; Report 'database' $e
Restore-ShippyarCluster -Repository $env:SEALED -Id $env:WEEKLY -PassphraseFile $env:PASSFILE -ErrorVariable e -ErrorAction SilentlyContinue | Out-Null; Report 'cluster' $e
Invoke-ShippyarBackup -Database shippyar -Repository $env:REPO -Confirm -ErrorVariable e -ErrorAction SilentlyContinue | Out-Null; Report 'backup' $e
$b = Invoke-ShippyarBackup -Database shippyar -Repository $env:REPO -Confirm:$false; "answered|$($b.Id)"
'@
        $child = Invoke-ChildPwsh $script -Environment $childEnvironment
        $lines = @{}
        foreach ($line in $child.Output -split "`n" | Where-Object { $_ -match '\|' }) { $what, $rest = $line.Trim() -split '\|', 2; $lines[$what] = $rest }
    }

    It '<What> gives ConfirmationRequired naming <Switch>' -ForEach @(
        @{ What = 'database'; Switch = '-Force' }
        @{ What = 'cluster'; Switch = '-Force' }
        @{ What = 'backup'; Switch = '-Confirm:$false' }
    ) {
        $lines[$What] | Should -Not -BeNullOrEmpty -Because "$($child.Output) $($child.Error)"
        $gotId, $gotCategory, $gotMessage = $lines[$What] -split '\|', 3
        $gotId | Should -BeLike 'ConfirmationRequired,*'
        $gotCategory | Should -Be 'InvalidOperation'
        $gotMessage | Should -BeLike "*$Switch*"
        $gotMessage | Should -BeLike '*not interactive*'
        $gotMessage | Should -Not -BeLike '*NonInteractive mode*'
    }

    It 'changed nothing, and -Confirm:$false answers in advance' {
        $sandbox.QueryScalar('shippyar', 'SELECT count(*) FROM users WHERE id = 77777777') | Should -Be '1'
        @(Get-ShippyarBackup -Repository $repo -Tier Safety).Count | Should -Be 0
        @(Get-ShippyarBackup -Repository $sealedRepo -Tier Safety).Count | Should -Be 0
        $lines['answered'] | Should -Match '^\d{8}-\d{6}D-'
    }
}

Describe 'Secret files others can read' {
    BeforeAll {
        $open = Join-Path $dir 'open-pass.txt'
        Set-Content $open 'errors-Passphrase-42'
        chmod 644 $open
        $openKey = Join-Path $dir 'open-secret.asc'
        Copy-Item $secretKey $openKey
        chmod 640 $openKey
        $byKey = Invoke-ShippyarBackup @conn -Database shippyar -Repository $sealedRepo -Recipient errors@shippyar.example -RecipientKeyFile $publicKey -SigningKeyFile $secretKey
    }

    It 'a -PassphraseFile with mode 0644 is used, with one warning naming it and chmod 600' {
        $b = Invoke-ShippyarBackup @conn -Database shippyar -Repository $sealedRepo -PassphraseFile $open -WarningVariable w -WarningAction SilentlyContinue -ErrorAction Stop
        $b.Files[0].Encryption.Mode | Should -Be 'passphrase'
        $w.Count | Should -Be 1
        $w[0].Message | Should -BeLike "*$open*0644*chmod 600 $open*"
        $w[0].Message | Should -Not -BeLike '*errors-Passphrase-42*'
        # Many backups through one pipeline: still one warning.
        $checked = @($b, $encrypted) | Test-ShippyarBackup -PassphraseFile $open -WarningVariable w2 -WarningAction SilentlyContinue
        $checked.Passed | Should -Be @($true, $true)
        $w2.Count | Should -Be 1
    }

    It 'a -PassphraseFile with mode 0600 gives no warning' {
        $encrypted | Test-ShippyarBackup -PassphraseFile $passFile -WarningVariable w -WarningAction SilentlyContinue | Out-Null
        $w | Should -BeNullOrEmpty
    }

    It 'a -SecretKeyFile group can read is used with a warning; one only its owner reads gets none' {
        ($byKey | Test-ShippyarBackup -SecretKeyFile $openKey -SignerKeyFile $publicKey -WarningVariable w -WarningAction SilentlyContinue).Passed | Should -BeTrue
        $w.Count | Should -Be 1
        $w[0].Message | Should -BeLike "*secret key file $openKey*0640*chmod 600*"
        $byKey | Test-ShippyarBackup -SecretKeyFile $secretKey -SignerKeyFile $publicKey -WarningVariable w0 -WarningAction SilentlyContinue | Out-Null
        $w0 | Should -BeNullOrEmpty
    }
}
