# Runs (ScriptsToProcess) before PowerShell loads the cmdlet assembly: PowerShell inspects every cmdlet type while
# importing and they name engine types, so the engine's load context must be registered first (see ModuleBootstrap.cs).
# No variables: this runs in the importer's scope.
[System.Reflection.Assembly]::LoadFrom((Join-Path $PSScriptRoot 'ShippyarDr.PowerShell.dll')).GetType('ShippyarDr.PowerShell.ModuleBootstrap', $true)::RegisterEngineResolver()
