# PSScriptAnalyzer settings for the HipaaIam module and its tests:
#   Invoke-ScriptAnalyzer -Path powershell -Recurse -Settings powershell/PSScriptAnalyzerSettings.psd1
@{
    Severity     = @('Error', 'Warning', 'Information')
    IncludeDefaultRules = $true
    ExcludeRules = @(
        # Get-HipaaMfaStatus prints the hardening guide's lines to the host on purpose (the
        # objects go to the pipeline); Write-Host writes to the information stream.
        'PSAvoidUsingWriteHost'
    )
    Rules        = @{
        PSUseCompatibleSyntax = @{
            Enable         = $true
            TargetVersions = @('5.1', '7.4')
        }
        PSUseCompatibleCmdlets = @{
            Compatibility = @('desktop-5.1.14393.206-windows', 'core-6.1.0-windows', 'core-6.1.0-linux', 'core-6.1.0-macos')
        }
        PSPlaceOpenBrace = @{ Enable = $true; OnSameLine = $true; NewLineAfter = $true; IgnoreOneLineBlock = $true }
        PSUseConsistentIndentation = @{ Enable = $true; IndentationSize = 4; Kind = 'space' }
    }
}
