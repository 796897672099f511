BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $sandbox = New-ShippyarSandbox -SampleScale 0.01
    $repo = New-TestDirectory
    $password = $sandbox.GetPassword()
    # Each test sets only the variables it is about; none may leak into the next.
    $libpqVariables = 'PGHOST', 'PGPORT', 'PGUSER', 'PGPASSWORD', 'PGPASSFILE'
}
AfterAll {
    if ($sandbox) { $sandbox | Remove-ShippyarSandbox -Confirm:$false }
    if ($repo) { Remove-Item -Recurse -Force $repo -ErrorAction SilentlyContinue }
}

Describe 'Connection parameters' {
    AfterEach {
        foreach ($v in $libpqVariables) { Remove-Item "Env:$v" -ErrorAction SilentlyContinue }
    }

    It 'uses PGHOST, PGPORT, PGUSER and PGPASSWORD when no parameter is given' {
        $env:PGHOST = '127.0.0.1'; $env:PGPORT = $sandbox.Port; $env:PGUSER = 'postgres'; $env:PGPASSWORD = $password
        $b = Invoke-ShippyarBackup -Database shippyar -Repository $repo
        $b.Server | Should -Be "127.0.0.1:$($sandbox.Port)"
        (Test-ShippyarBackup -InputObject $b -Level Restore).Passed | Should -BeTrue
    }

    It 'uses a .pgpass file (PGPASSFILE) for Npgsql and for pg_dump alike' {
        $pgpass = Join-Path $repo 'pgpass'
        Set-Content $pgpass "127.0.0.1:$($sandbox.Port):*:postgres:$password"
        chmod 600 $pgpass
        $env:PGPASSFILE = $pgpass
        $env:PGUSER = 'postgres'
        $b = Invoke-ShippyarBackup -Server 127.0.0.1 -Port $sandbox.Port -Database shippyar -Repository $repo -ErrorAction Stop
        $b.Tables.Count | Should -Be 4
    }

    It 'accepts a connection string, and explicit parameters win over it' {
        $cs = "Host=127.0.0.1;Port=$($sandbox.Port);Username=postgres;Password=$password"
        (Invoke-ShippyarBackup -ConnectionString $cs -Database shippyar -Repository $repo).Server | Should -Be "127.0.0.1:$($sandbox.Port)"
        $wrongPort = $sandbox.GetType()::FreeLoopbackPort()
        Invoke-ShippyarBackup -ConnectionString "Host=127.0.0.1;Port=$wrongPort;Username=postgres;Password=$password" -Port $sandbox.Port -Database shippyar -Repository $repo |
            Select-Object -ExpandProperty Server | Should -Be "127.0.0.1:$($sandbox.Port)"
    }

    It 'accepts host:port in -Server' {
        (Invoke-ShippyarBackup -Server "127.0.0.1:$($sandbox.Port)" -Credential $sandbox.Credential -Database shippyar -Repository $repo).Server |
            Should -Be "127.0.0.1:$($sandbox.Port)"
    }

    It 'takes Server, Port and Credential from a piped sandbox by property name' {
        $b = $sandbox | Invoke-ShippyarBackup -Database shippyar -Repository $repo
        $b.Server | Should -Be "127.0.0.1:$($sandbox.Port)"
    }

    It 'asks for a password clearly when none is available' {
        $env:PGUSER = 'postgres'
        $env:PGPASSFILE = Join-Path $repo 'no-such-pgpass'
        Invoke-ShippyarBackup -Server 127.0.0.1 -Port $sandbox.Port -Database shippyar -Repository $repo -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'AuthenticationFailed,*'
        $err[0].Exception.Message | Should -Match 'password'
    }
}
