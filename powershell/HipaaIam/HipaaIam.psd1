@{
    RootModule           = 'HipaaIam.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '6f1d3c52-8b7e-4a0f-9d2c-3e5b7a1c9f40'
    Author               = 'hipaa-iam contributors'
    CompanyName          = 'hipaa-iam'
    Copyright            = '(c) hipaa-iam contributors. Apache-2.0.'
    Description          = 'Audits and hardens AWS IAM for the HIPAA Security Rule (MFA, password policy, groups, permissions boundaries, Access Analyzer) and writes the evidence auditors ask for.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FunctionsToExport    = @(
        'Get-HipaaCheck'
        'Invoke-HipaaIamAudit'
        'Get-HipaaFinding'
        'Get-HipaaMfaStatus'
        'Export-HipaaRiskRegister'
        'Set-HipaaPasswordPolicy'
        'Enable-HipaaMfaEnforcement'
        'Add-HipaaGroupMembership'
        'Set-HipaaPermissionsBoundary'
        'Enable-HipaaAccessAnalyzer'
        'New-HipaaIamUser'
        'Test-HipaaIamPolicy'
        'Test-HipaaIamAccess'
        'Get-HipaaIamAccessPath'
        'Compare-HipaaIamAudit'
        'Start-HipaaIamAccessReview'
        'Complete-HipaaIamAccessReview'
    )
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @('Audit-MFA')
    FileList             = @('HipaaIam.psd1', 'HipaaIam.psm1', 'HipaaIam.Native.cs')
    PrivateData          = @{
        PSData = @{
            Tags         = @('AWS', 'IAM', 'HIPAA', 'MFA', 'Compliance', 'Security', 'Audit', 'Windows', 'Linux', 'MacOS', 'PSEdition_Desktop', 'PSEdition_Core')
            ProjectUri   = 'https://github.com/hipaa-iam/hipaa-iam'
            LicenseUri   = 'https://github.com/hipaa-iam/hipaa-iam/blob/main/LICENSE'
            ReleaseNotes = 'First release: the audit, the MFA report (Audit-MFA), evidence and the remediations over the hipaa_iam C library.'
        }
    }
}
