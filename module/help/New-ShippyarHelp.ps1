#Requires -Version 7.4
<#
.SYNOPSIS
    Writes the MAML help of the module's cmdlets from module/help/<Verb-Noun>.psd1 and the cmdlets' own metadata.
.DESCRIPTION
    Syntax, parameter types, positions, aliases, pipeline input, defaults and output types come from the built
    module, so they cannot drift from the code; the prose (synopsis, description, parameter text, examples, notes,
    related links) comes from the data files. _Shared.psd1 describes parameters many cmdlets share; a cmdlet's own
    data file wins over it.

    Fails (exit code 1) when an exported cmdlet lacks a data file, a synopsis, an example with code, or a
    description of one of its parameters.

    This script imports the module it documents: run it in a child pwsh (build.ps1 does), so the session that
    builds never holds the module's DLLs.
.EXAMPLE
    pwsh -NoProfile -File module/help/New-ShippyarHelp.ps1 -ModuleManifest out/ShippyarDr/ShippyarDr.psd1 `
        -HelpDataDirectory module/help -OutputPath out/ShippyarDr/en-US/ShippyarDr.PowerShell.dll-Help.xml
#>
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $HelpDataDirectory,
    [Parameter(Mandatory)] [string] $OutputPath
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

# Common parameters are documented by about_CommonParameters. -WhatIf and -Confirm are not: Get-Help of built-in
# cmdlets lists them in the syntax and parameters, so ours do too, with the standard text unless a data file has its own.
$CommonParameters = [System.Management.Automation.Cmdlet]::CommonParameters + 'UseTransaction'
$StandardDescriptions = @{
    WhatIf  = 'Shows what would happen if the cmdlet runs. The cmdlet is not run.'
    Confirm = 'Prompts you for confirmation before running the cmdlet.'
}
$MamlNamespaces = 'xmlns:maml="http://schemas.microsoft.com/maml/2004/10" xmlns:command="http://schemas.microsoft.com/maml/dev/command/2004/10" xmlns:dev="http://schemas.microsoft.com/maml/dev/2004/10"'

#region Text helpers

function Esc([object] $Text) { [System.Security.SecurityElement]::Escape([string]$Text) }

function Lower([bool] $Value) { $Value.ToString().ToLowerInvariant() }

# Nullable<T> reads as T in help ("-Tier <BackupTier>", not "<Nullable`1>"): leaving it out means null.
function Get-PlainType([type] $Type) {
    $inner = [Nullable]::GetUnderlyingType($Type)
    if ($inner) { $inner } else { $Type }
}

# Blank lines separate paragraphs; Get-Help prints each maml:para as its own block.
function Paras([string] $Text) {
    if ([string]::IsNullOrWhiteSpace($Text)) { return '<maml:para></maml:para>' }
    ($Text.Trim() -split '\r?\n\s*\r?\n' | ForEach-Object { "<maml:para>$(Esc $_.Trim())</maml:para>" }) -join ''
}

#endregion

#region Help data

# The data file of one cmdlet, its parameter descriptions layered: standard (-WhatIf, -Confirm), _Shared.psd1, its own.
function Read-HelpData([string] $Name, [hashtable] $Shared, [System.Collections.Generic.List[string]] $Problems) {
    $file = Join-Path $HelpDataDirectory "$Name.psd1"
    if (-not (Test-Path $file)) { $Problems.Add("$Name has no help data file ($file)"); return $null }
    $data = Import-PowerShellDataFile $file
    $own = if ($data['Parameters']) { $data['Parameters'] } else { @{} }
    $parameters = $StandardDescriptions.Clone()
    foreach ($key in $Shared.Keys) { $parameters[$key] = $Shared[$key] }
    foreach ($key in $own.Keys) { $parameters[$key] = $own[$key] }
    $examples = @($data['Examples'] | Where-Object { $_ })
    [pscustomobject]@{
        File          = $file
        Synopsis      = [string]$data['Synopsis']
        Description   = [string]$data['Description']
        Parameters    = $parameters
        OwnParameters = @($own.Keys)
        Examples      = $examples
        Notes         = [string]$data['Notes']
        RelatedLinks  = @($data['RelatedLinks'] | Where-Object { $_ })
    }
}

function Test-HelpData($Command, $Data, [object[]] $Parameters, [System.Collections.Generic.List[string]] $Problems) {
    $name = $Command.Name
    if ([string]::IsNullOrWhiteSpace($Data.Synopsis)) { $Problems.Add("$name has no Synopsis in $($Data.File)") }
    if ($Data.Examples.Count -eq 0) { $Problems.Add("$name has no example in $($Data.File)") }
    foreach ($e in $Data.Examples) {
        if ($e -isnot [hashtable] -or [string]::IsNullOrWhiteSpace($e['Code'])) { $Problems.Add("$name has an example without Code in $($Data.File)") }
    }
    foreach ($p in $Parameters) {
        if ([string]::IsNullOrWhiteSpace($Data.Parameters[$p.Name])) { $Problems.Add("$name -$($p.Name) has no description in $($Data.File)") }
    }
    # A description of a parameter the cmdlet no longer has is usually a rename: worth a look, not a failure.
    foreach ($key in $Data.OwnParameters) {
        if ($key -notin $Parameters.Name) { Write-Warning "$($Data.File) describes -$key, which $name does not have." }
    }
}

#endregion

#region Metadata

# Mandatory/position/pipeline flags: from a parameter set's CommandParameterInfo in the syntax, or from the
# first [Parameter()] attribute in the parameter list (the two classes name "mandatory" differently).
function Get-ParameterFlags($Source) {
    $isSetInfo = $Source -is [System.Management.Automation.CommandParameterInfo]
    $pipeline = @(
        if ($Source.ValueFromPipeline) { 'ByValue' }
        if ($Source.ValueFromPipelineByPropertyName) { 'ByPropertyName' }
    )
    [pscustomobject]@{
        Required = if ($isSetInfo) { $Source.IsMandatory } else { $Source.Mandatory }
        Position = if ($Source.Position -ge 0) { [string]$Source.Position } else { 'named' }
        Pipeline = if ($pipeline) { "True ($($pipeline -join ', '))" } else { 'False' }
    }
}

# The values an enum or [ValidateSet] allows; Get-Help shows them as {A | B | C} in the syntax.
function Get-AllowedValues([type] $Type, [object[]] $Attributes) {
    $set = $Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] } | Select-Object -First 1
    if ($set) { return @($set.ValidValues) }
    $element = Get-PlainType $(if ($Type.IsArray) { $Type.GetElementType() } else { $Type })
    if ($element.IsEnum) { return [Enum]::GetNames($element) }
    @()
}

# "Accept wildcard characters?" follows the parameter's [SupportsWildcards].
function Test-Wildcards([object[]] $Attributes) {
    [bool]($Attributes | Where-Object { $_.GetType().Name -eq 'SupportsWildcardsAttribute' })
}

# The value a property has on a fresh cmdlet object, when it says something (not null, empty, 0 or a switch).
function Get-DefaultValue($Command, $Instance, [string] $ParameterName) {
    if ($null -eq $Instance) { return $null }
    $property = $Command.ImplementingType.GetProperty($ParameterName)
    if ($null -eq $property) { return $null }
    $value = $property.GetValue($Instance)
    if ($null -eq $value -or $value -is [System.Management.Automation.SwitchParameter] -or $value -is [array]) { return $null }
    $text = [string]$value
    if ($text -eq '' -or $text -eq '0') { return $null }
    $text
}

function New-CmdletInstance($Command) {
    try { [Activator]::CreateInstance($Command.ImplementingType) } catch { $null }
}

#endregion

#region MAML

function ConvertTo-ParameterXml([string] $Name, [type] $Type, $Flags, [string[]] $Aliases, [string[]] $AllowedValues,
    [bool] $Globbing, [string] $Description, [string] $Default, [switch] $InSyntax) {
    $Type = Get-PlainType $Type
    $isSwitch = $Type -eq [System.Management.Automation.SwitchParameter]
    $valueGroup = ''
    if ($InSyntax -and $AllowedValues) {
        $values = ($AllowedValues | ForEach-Object { "<command:parameterValue required=`"false`" variableLength=`"false`">$(Esc $_)</command:parameterValue>" }) -join ''
        $valueGroup = "<command:parameterValueGroup>$values</command:parameterValueGroup>"
    }
    $value = if ($isSwitch -or $valueGroup) { '' } else { "<command:parameterValue required=`"true`" variableLength=`"false`">$(Esc $Type.Name)</command:parameterValue>" }
    $aliasText = if ($Aliases) { $Aliases -join ', ' } else { 'none' }
    $defaultXml = if ($Default) { "<dev:defaultValue>$(Esc $Default)</dev:defaultValue>" } else { '' }
    @(
        "<command:parameter required=`"$(Lower $Flags.Required)`" variableLength=`"$(Lower $Type.IsArray)`" globbing=`"$(Lower $Globbing)`" pipelineInput=`"$($Flags.Pipeline)`" position=`"$($Flags.Position)`" aliases=`"$(Esc $aliasText)`">"
        "<maml:name>$(Esc $Name)</maml:name><maml:description>$(Paras $Description)</maml:description>$valueGroup$value"
        "<dev:type><maml:name>$(Esc $Type.FullName)</maml:name></dev:type>$defaultXml"
        '</command:parameter>'
    ) -join "`n"
}

# One syntaxItem per parameter set, each parameter with that set's own mandatory/position/pipeline flags.
function ConvertTo-SyntaxXml($Command, $Data) {
    $items = foreach ($set in $Command.ParameterSets) {
        $params = foreach ($sp in ($set.Parameters | Where-Object Name -notin $CommonParameters)) {
            ConvertTo-ParameterXml $sp.Name $sp.ParameterType (Get-ParameterFlags $sp) $sp.Aliases `
                (Get-AllowedValues $sp.ParameterType $sp.Attributes) (Test-Wildcards $sp.Attributes) $Data.Parameters[$sp.Name] $null -InSyntax
        }
        "<command:syntaxItem><maml:name>$(Esc $Command.Name)</maml:name>$($params -join '')</command:syntaxItem>"
    }
    "<command:syntax>$($items -join "`n")</command:syntax>"
}

function ConvertTo-ParametersXml($Command, $Data, [object[]] $Parameters) {
    $instance = New-CmdletInstance $Command
    $items = foreach ($p in ($Parameters | Sort-Object Name)) {
        $attribute = $p.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] } | Select-Object -First 1
        ConvertTo-ParameterXml $p.Name $p.ParameterType (Get-ParameterFlags $attribute) $p.Aliases `
            (Get-AllowedValues $p.ParameterType $p.Attributes) (Test-Wildcards $p.Attributes) $Data.Parameters[$p.Name] (Get-DefaultValue $Command $instance $p.Name)
    }
    "<command:parameters>$($items -join "`n")</command:parameters>"
}

# Inputs: one entry per type that binds from the pipeline, naming the parameters it binds to.
function ConvertTo-InputTypesXml([object[]] $Parameters) {
    $bound = foreach ($p in $Parameters) {
        foreach ($a in ($p.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] })) {
            if ($a.ValueFromPipeline) { [pscustomobject]@{ Type = (Get-PlainType $p.ParameterType).FullName; Text = "-$($p.Name) (by value)" } }
            if ($a.ValueFromPipelineByPropertyName) { [pscustomobject]@{ Type = (Get-PlainType $p.ParameterType).FullName; Text = "-$($p.Name) (by property name)" } }
        }
    }
    $items = if (-not $bound) {
        '<command:inputType><dev:type><maml:name>None</maml:name></dev:type><maml:description><maml:para>This cmdlet takes no pipeline input.</maml:para></maml:description></command:inputType>'
    }
    else {
        foreach ($group in ($bound | Group-Object Type)) {
            $text = 'Binds to ' + (($group.Group.Text | Select-Object -Unique) -join ', ') + '.'
            "<command:inputType><dev:type><maml:name>$(Esc $group.Name)</maml:name></dev:type><maml:description><maml:para>$(Esc $text)</maml:para></maml:description></command:inputType>"
        }
    }
    "<command:inputTypes>$($items -join '')</command:inputTypes>"
}

# Outputs: the cmdlet's [OutputType] attributes; [OutputType(typeof(void))] means it writes nothing.
function ConvertTo-ReturnValuesXml($Command) {
    $types = @($Command.OutputType | ForEach-Object Name | Where-Object { $_ -and $_ -ne 'System.Void' })
    if (-not $types) { $types = @('None') }
    $items = foreach ($t in $types) {
        "<command:returnValue><dev:type><maml:name>$(Esc $t)</maml:name></dev:type><maml:description><maml:para></maml:para></maml:description></command:returnValue>"
    }
    "<command:returnValues>$($items -join '')</command:returnValues>"
}

function ConvertTo-ExamplesXml($Data) {
    $n = 0
    $items = foreach ($e in $Data.Examples) {
        $n++
        $title = "-------------------------- Example ${n}: $($e['Title']) --------------------------"
        "<command:example><maml:title>$(Esc $title)</maml:title><dev:code>$(Esc $e['Code'].Trim())</dev:code><dev:remarks>$(Paras $e['Remarks'])</dev:remarks></command:example>"
    }
    "<command:examples>$($items -join "`n")</command:examples>"
}

function ConvertTo-RelatedLinksXml($Data) {
    $items = foreach ($link in $Data.RelatedLinks) {
        "<maml:navigationLink><maml:linkText>$(Esc $link)</maml:linkText><maml:uri></maml:uri></maml:navigationLink>"
    }
    "<command:relatedLinks>$($items -join '')</command:relatedLinks>"
}

function ConvertTo-CommandXml($Command, $Data, [object[]] $Parameters) {
    $description = if ($Data.Description) { $Data.Description } else { $Data.Synopsis }
    @(
        "<command:command $MamlNamespaces>"
        "<command:details><command:name>$(Esc $Command.Name)</command:name><command:verb>$(Esc $Command.Verb)</command:verb><command:noun>$(Esc $Command.Noun)</command:noun>"
        "<maml:description>$(Paras $Data.Synopsis)</maml:description></command:details>"
        "<maml:description>$(Paras $description)</maml:description>"
        ConvertTo-SyntaxXml $Command $Data
        ConvertTo-ParametersXml $Command $Data $Parameters
        ConvertTo-InputTypesXml $Parameters
        ConvertTo-ReturnValuesXml $Command
        # Without notes there is no alertSet, so Get-Help prints no empty NOTES heading.
        if ($Data.Notes.Trim()) { "<maml:alertSet><maml:alert>$(Paras $Data.Notes)</maml:alert></maml:alertSet>" }
        ConvertTo-ExamplesXml $Data
        ConvertTo-RelatedLinksXml $Data
        '</command:command>'
    ) -join "`n"
}

#endregion

# A resolved path: Import-Module takes a bare relative path ("out/ShippyarDr/...") for a module name.
$module = Import-Module (Resolve-Path $ModuleManifest).Path -PassThru -Force
$sharedFile = Join-Path $HelpDataDirectory '_Shared.psd1'
$shared = if (Test-Path $sharedFile) { (Import-PowerShellDataFile $sharedFile)['Parameters'] } else { @{} }
$problems = [System.Collections.Generic.List[string]]::new()

$commands = foreach ($name in ($module.ExportedCmdlets.Keys | Sort-Object)) {
    $data = Read-HelpData $name $shared $problems
    if (-not $data) { continue }
    $command = Get-Command $name -Module $module.Name
    $parameters = @($command.Parameters.Values | Where-Object Name -notin $CommonParameters)
    Test-HelpData $command $data $parameters $problems
    ConvertTo-CommandXml $command $data $parameters
}
if ($problems.Count) {
    # A plain message and exit code 1: the build prints it and stops.
    [Console]::Error.WriteLine("Help is incomplete:`n  " + ($problems -join "`n  "))
    exit 1
}
if (-not $commands) { [Console]::Error.WriteLine("$ModuleManifest exports no cmdlets: no help to write."); exit 1 }

New-Item -ItemType Directory -Force (Split-Path $OutputPath) | Out-Null
$xml = "<?xml version=`"1.0`" encoding=`"utf-8`"?>`n<helpItems schema=`"maml`" xmlns=`"http://msh`">`n$($commands -join "`n")`n</helpItems>`n"
[xml]$xml | Out-Null  # well-formed, or the build fails here rather than Get-Help showing nothing
Set-Content -Path $OutputPath -Value $xml -Encoding utf8NoBOM
Write-Host "Help for $(@($commands).Count) cmdlets written to $OutputPath"
