#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.3.0' }
# Pester 5 tests of the HipaaIam module against examples/demo-account (offline) and -WhatIf.
# They import the assembled module: run powershell/build.ps1 (or build.sh) first, or set
# HIPAA_IAM_MODULE to the folder holding HipaaIam.psd1 and the native library.
#   Invoke-Pester -Path powershell/tests

BeforeDiscovery {
    $script:ExportedFunctions = @(
        'Get-HipaaCheck', 'Invoke-HipaaIamAudit', 'Get-HipaaFinding', 'Get-HipaaMfaStatus',
        'Export-HipaaRiskRegister', 'Set-HipaaPasswordPolicy', 'Enable-HipaaMfaEnforcement',
        'Add-HipaaGroupMembership', 'Set-HipaaPermissionsBoundary', 'Enable-HipaaAccessAnalyzer',
        'New-HipaaIamUser', 'Test-HipaaIamPolicy', 'Test-HipaaIamAccess', 'Get-HipaaIamAccessPath',
        'Compare-HipaaIamAudit', 'Start-HipaaIamAccessReview', 'Complete-HipaaIamAccessReview'
    )
    $script:ChangingCommands = @(
        @{ Name = 'Set-HipaaPasswordPolicy'; Remediation = 'password-policy'; Arguments = @{} }
        @{ Name = 'Enable-HipaaMfaEnforcement'; Remediation = 'mfa-enforcement'; Arguments = @{} }
        @{ Name = 'Add-HipaaGroupMembership'; Remediation = 'group-membership'; Arguments = @{} }
        @{ Name = 'Set-HipaaPermissionsBoundary'; Remediation = 'permissions-boundary'; Arguments = @{} }
        @{ Name = 'Enable-HipaaAccessAnalyzer'; Remediation = 'access-analyzer'; Arguments = @{ Region = @('us-east-1') } }
        @{ Name = 'New-HipaaIamUser'; Remediation = 'create-user'; Arguments = @{ UserName = 'analyst.jane' } }
    )
    $script:Severities = @('critical', 'high', 'medium', 'low')
}

BeforeAll {
    $repo = Split-Path -Path (Split-Path -Path $PSScriptRoot -Parent) -Parent
    $moduleDir = if ($env:HIPAA_IAM_MODULE) { $env:HIPAA_IAM_MODULE } else { Join-Path -Path $repo -ChildPath 'dist/HipaaIam' }
    Import-Module -Name (Join-Path -Path $moduleDir -ChildPath 'HipaaIam.psd1') -Force -ErrorAction Stop
    $script:Demo = Join-Path -Path $repo -ChildPath 'examples/demo-account'
    # Remediation plans are read from the demo account; they never reach AWS under -WhatIf.
    $env:AWS_REGION = 'us-east-1'
    $env:AWS_EC2_METADATA_DISABLED = 'true'
}

AfterAll {
    Remove-Module -Name HipaaIam -ErrorAction SilentlyContinue
}

Describe 'The module manifest' {
    It 'exports exactly the commands and the Audit-MFA alias' {
        $module = Get-Module -Name HipaaIam
        @($module.ExportedFunctions.Keys | Sort-Object) | Should -Be @($ExportedFunctions | Sort-Object)
        @($module.ExportedAliases.Keys) | Should -Be @('Audit-MFA')
        (Get-Alias -Name Audit-MFA).ResolvedCommandName | Should -Be 'Get-HipaaMfaStatus'
    }

    It '<_> has help with a synopsis and examples' -ForEach $ExportedFunctions {
        $help = Get-Help -Name $_ -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 2
    }

    It 'loads the shim once when imported again' {
        { Import-Module -Name (Get-Module -Name HipaaIam).Path -Force } | Should -Not -Throw
        [HipaaIam.Native]::LibraryPath | Should -Match 'hipaa_iam\.(dll|so|dylib)$'
    }
}

Describe 'Get-HipaaCheck' {
    It 'lists the catalogue as typed objects' {
        $checks = @(Get-HipaaCheck)
        $checks.Count | Should -BeGreaterThan 5
        $checks[0].PSObject.TypeNames[0] | Should -Be 'HipaaIam.Check'
        (Get-HipaaCheck -Id 'IAM-002').id | Should -Be 'IAM-002'
    }
    It 'names the cmdlet that applies each remediation' {
        (Get-HipaaCheck -Id 'IAM-001').remediate_cmdlet | Should -Be 'Set-HipaaPasswordPolicy'
        (Get-HipaaCheck -Id 'IAM-002').remediate_cmdlet | Should -Be 'Enable-HipaaMfaEnforcement'
        (Get-HipaaCheck -Id 'IAM-003').remediate_cmdlet | Should -BeNullOrEmpty
        foreach ($check in @(Get-HipaaCheck | Where-Object remediate)) {
            Get-Command -Module HipaaIam -Name $check.remediate_cmdlet | Should -Not -BeNullOrEmpty
        }
    }
}

Describe 'Invoke-HipaaIamAudit' {
    BeforeAll {
        $script:Findings = @(Invoke-HipaaIamAudit -ExportsPath $Demo)
    }

    It 'returns findings as objects' {
        $Findings.Count | Should -BeGreaterThan 10
        $Findings[0].PSObject.TypeNames[0] | Should -Be 'HipaaIam.Finding'
        $Findings[0].account_id | Should -Be '123456789012'
    }

    It 'finds nurse.garcia without console MFA' {
        $Findings | Where-Object { $_.check_id -eq 'IAM-002' -and $_.resource_name -eq 'nurse.garcia' } |
            Select-Object -ExpandProperty status | Should -Be 'fail'
    }

    It 'writes the evidence with -OutputDirectory' {
        $dir = Join-Path -Path $TestDrive -ChildPath 'evidence'
        $null = Invoke-HipaaIamAudit -ExportsPath $Demo -OutputDirectory $dir
        Join-Path -Path $dir -ChildPath 'manifest.json' | Should -Exist
        Join-Path -Path $dir -ChildPath 'mfa_audit.csv' | Should -Exist
        Join-Path -Path $dir -ChildPath 'findings.json' | Should -Exist
        Join-Path -Path $dir -ChildPath 'report.html' | Should -Exist
        Join-Path -Path $dir -ChildPath 'evidence.xlsx' | Should -Exist
        $manifest = Get-Content -LiteralPath (Join-Path -Path $dir -ChildPath 'manifest.json') -Raw | ConvertFrom-Json
        $manifest.files.'report.html' | Should -Not -BeNullOrEmpty
        $manifest.files.'evidence.xlsx' | Should -Not -BeNullOrEmpty
    }

    It '-NoHtml leaves report.html out and keeps evidence.xlsx' {
        $dir = Join-Path -Path $TestDrive -ChildPath 'no-html'
        $null = Invoke-HipaaIamAudit -ExportsPath $Demo -OutputDirectory $dir -NoHtml
        Join-Path -Path $dir -ChildPath 'report.html' | Should -Not -Exist
        Join-Path -Path $dir -ChildPath 'evidence.xlsx' | Should -Exist
        $manifest = Get-Content -LiteralPath (Join-Path -Path $dir -ChildPath 'manifest.json') -Raw | ConvertFrom-Json
        $manifest.files.PSObject.Properties.Name | Should -Not -Contain 'report.html'
    }

    It '-NoXlsx leaves evidence.xlsx out and keeps report.html' {
        $dir = Join-Path -Path $TestDrive -ChildPath 'no-xlsx'
        $null = Invoke-HipaaIamAudit -ExportsPath $Demo -OutputDirectory $dir -NoXlsx
        Join-Path -Path $dir -ChildPath 'evidence.xlsx' | Should -Not -Exist
        Join-Path -Path $dir -ChildPath 'report.html' | Should -Exist
        $manifest = Get-Content -LiteralPath (Join-Path -Path $dir -ChildPath 'manifest.json') -Raw | ConvertFrom-Json
        $manifest.files.PSObject.Properties.Name | Should -Not -Contain 'evidence.xlsx'
    }

    It '-NoHtml and -NoXlsx on an earlier evidence directory remove the page and the workbook' {
        $dir = Join-Path -Path $TestDrive -ChildPath 'both-then-neither'
        $null = Invoke-HipaaIamAudit -ExportsPath $Demo -OutputDirectory $dir
        $null = Invoke-HipaaIamAudit -ExportsPath $Demo -OutputDirectory $dir -NoHtml -NoXlsx
        Join-Path -Path $dir -ChildPath 'report.html' | Should -Not -Exist
        Join-Path -Path $dir -ChildPath 'evidence.xlsx' | Should -Not -Exist
        Join-Path -Path $dir -ChildPath 'findings.json' | Should -Exist
    }

    It '-FailOn <_> throws HipaaIam.FailOn after writing the findings' -ForEach $Severities {
        $collected = New-Object -TypeName System.Collections.ArrayList
        { Invoke-HipaaIamAudit -ExportsPath $Demo -FailOn $_ | ForEach-Object { $null = $collected.Add($_) } } |
            Should -Throw -ErrorId 'HipaaIam.FailOn'
        $collected.Count | Should -Be $Findings.Count
        $LASTEXITCODE | Should -Be 1
    }

    It '-FailOn none never throws' {
        { $null = Invoke-HipaaIamAudit -ExportsPath $Demo -FailOn none } | Should -Not -Throw
    }

    It 'turns a missing exports directory into a terminating error with the library message' {
        $missing = Join-Path -Path $TestDrive -ChildPath 'no-such-dir'
        { Invoke-HipaaIamAudit -ExportsPath $missing } | Should -Throw -ErrorId 'HipaaIam.InvalidInput*'
        try { Invoke-HipaaIamAudit -ExportsPath $missing } catch { $_.Exception.Message | Should -Match 'does not exist' ; $_.Exception.Status | Should -Be 3 }
    }
}

Describe 'Compare-HipaaIamAudit' {
    BeforeAll {
        $script:Old = Join-Path -Path $TestDrive -ChildPath 'old'
        $script:New = Join-Path -Path $TestDrive -ChildPath 'new'
        $null = Invoke-HipaaIamAudit -ExportsPath $Demo -OutputDirectory $Old
        $null = Invoke-HipaaIamAudit -ExportsPath $Demo -OutputDirectory $New
    }

    It 'compares two evidence directories of the same account' {
        $diff = Compare-HipaaIamAudit -OldPath $Old -NewPath $New
        $diff.PSObject.TypeNames[0] | Should -Be 'HipaaIam.AuditDiff'
        @($diff.account.new).Count | Should -Be 0
        @($diff.account.still_open | Where-Object { $_.check_id -eq 'IAM-002' }).Count | Should -Be 3
    }

    It '-FailOn critical throws HipaaIam.FailOn: the critical gaps are still open' {
        { Compare-HipaaIamAudit -OldPath $Old -NewPath $New -FailOn critical } | Should -Throw -ErrorId 'HipaaIam.FailOn'
    }

    It 'refuses evidence that does not verify, naming the file' {
        $bad = Join-Path -Path $TestDrive -ChildPath 'bad'
        Copy-Item -Path $New -Destination $bad -Recurse
        Set-Content -Path (Join-Path -Path $bad -ChildPath 'summary.md') -Value 'edited'
        { Compare-HipaaIamAudit -OldPath $Old -NewPath $bad } | Should -Throw -ErrorId 'HipaaIam.InvalidArgument*'
        try { Compare-HipaaIamAudit -OldPath $Old -NewPath $bad } catch { $_.Exception.Message | Should -Match 'summary.md: changed' }
    }
}

Describe 'Start-HipaaIamAccessReview and Complete-HipaaIamAccessReview' {
    It 'starts, fills in and signs a review' {
        $dir = Join-Path -Path $TestDrive -ChildPath 'review'
        $null = Invoke-HipaaIamAudit -ExportsPath $Demo -OutputDirectory $dir
        $started = Start-HipaaIamAccessReview -EvidencePath $dir
        $started.principals | Should -BeGreaterThan 10
        $rows = @(Import-Csv -Path $started.roster)
        foreach ($r in $rows) { $r.Decision = if ($r.Name -eq 'temp.contractor') { 'revoke' } else { 'keep' } }
        $roster = Join-Path -Path $TestDrive -ChildPath 'roster.csv'
        $rows | Export-Csv -Path $roster -NoTypeInformation
        $signed = Complete-HipaaIamAccessReview -EvidencePath $dir -RosterPath $roster -Reviewer 'Jane Doe' -Title 'CISO'
        $signed.review.counts.revoke | Should -Be 1
        $signed.plans[0].name | Should -Be 'temp.contractor'
        Join-Path -Path $dir -ChildPath 'review.json' | Should -Exist
    }
}

Describe 'Test-HipaaIamPolicy' {
    BeforeAll {
        $script:Policies = Join-Path -Path (Split-Path -Path $Demo -Parent) -ChildPath 'policies'
        $script:Problems = @(Test-HipaaIamPolicy -Path $Policies)
    }

    It 'returns one object per problem at its file, line and column' {
        $Problems.Count | Should -Be 10
        $Problems[0].PSObject.TypeNames[0] | Should -Be 'HipaaIam.PolicyProblem'
        $typo = $Problems | Where-Object { $_.Message -like '*kms:decrypts*' }
        $typo.File | Should -BeLike '*typos.json'
        $typo.Line | Should -Be 19
        $typo.Column | Should -Be 18
        $typo.Rule | Should -Be 'unknown-action'
        $typo.Severity | Should -Be 'medium'
    }

    It 'takes files from Get-ChildItem on the pipeline' {
        $found = @(Get-ChildItem -Path $Policies -Filter 'typos.json' | Test-HipaaIamPolicy)
        $found.Count | Should -Be 3
        ($found | Select-Object -ExpandProperty Rule -Unique) | Should -Be 'unknown-action'
    }

    It '-FailOn high throws HipaaIam.FailOn after writing the problems' {
        $collected = New-Object -TypeName System.Collections.ArrayList
        { Test-HipaaIamPolicy -Path $Policies -FailOn high | ForEach-Object { $null = $collected.Add($_) } } |
            Should -Throw -ErrorId 'HipaaIam.FailOn'
        $collected.Count | Should -Be 10
        $LASTEXITCODE | Should -Be 1
    }

    It 'turns a file that is not a policy into a terminating error naming it' {
        $file = Join-Path -Path $TestDrive -ChildPath 'package.json'
        Set-Content -Path $file -Value '{"name": "x"}'
        { Test-HipaaIamPolicy -Path $file } | Should -Throw -ErrorId 'HipaaIam.InvalidInput*'
    }
}

Describe 'Test-HipaaIamAccess' {
    It 'explains one request with its context' {
        $e = Test-HipaaIamAccess -ExportsPath $Demo -Principal jordan.lee -Action s3:GetObject -Resource 'arn:aws:s3:::phi-records/x' -Context @{ 'aws:MultiFactorAuthPresent' = 'true' }
        $e.PSObject.TypeNames[0] | Should -Be 'HipaaIam.AccessExplanation'
        $e.decision | Should -Be 'allowed'
        @($e.path).Count | Should -Be 0
        ($e.not_considered -join ' ') | Should -BeLike '*S3 bucket policy of arn:aws:s3:::phi-records*'
    }

    It 'takes request objects from the pipeline and answers each, in order' {
        $lines = @(
            '{"principal": "jordan.lee", "action": "s3:GetObject", "resource": "arn:aws:s3:::phi-records/x", "context": {"aws:MultiFactorAuthPresent": true}}'
            '{"principal": "jordan.lee", "action": "s3:GetObject", "resource": "arn:aws:s3:::phi-records/x"}'
        )
        $answers = @($lines | ConvertFrom-Json | Test-HipaaIamAccess -ExportsPath $Demo)
        $answers.Count | Should -Be 2
        $answers[0].decision | Should -Be 'allowed'
        $answers[1].decision | Should -Be 'denied'
    }

    It 'turns an unknown principal into a terminating error naming -Principal' {
        { Test-HipaaIamAccess -ExportsPath $Demo -Principal jordan.le -Action s3:GetObject -Resource '*' } |
            Should -Throw -ErrorId 'HipaaIam.InvalidArgument*'
    }
}

Describe 'Get-HipaaIamAccessPath' {
    It 'returns one object per principal that can do it' {
        $found = @(Get-HipaaIamAccessPath -ExportsPath $Demo -Action s3:GetObject -Resource 'arn:aws:s3:::phi-records/x')
        $found[0].PSObject.TypeNames[0] | Should -Be 'HipaaIam.AccessPath'
        ($found | Where-Object name -eq 'ops-admin').type | Should -Be 'role'
        ($found | Where-Object name -eq 'reception.smith') | Should -BeNullOrEmpty
    }
}

Describe 'Get-HipaaFinding' {
    It 'filters by status and severity' {
        $gaps = @(Get-HipaaFinding -ExportsPath $Demo -Status fail -Severity critical, high)
        $gaps.Count | Should -BeGreaterThan 0
        $gaps | ForEach-Object { $_.status | Should -Be 'fail'; @('critical', 'high') | Should -Contain $_.severity }
    }

    It 'filters piped findings by check ID' {
        $mfa = @(Invoke-HipaaIamAudit -ExportsPath $Demo | Get-HipaaFinding -CheckId 'IAM-002')
        $mfa.Count | Should -BeGreaterThan 0
        $mfa | ForEach-Object { $_.check_id | Should -Be 'IAM-002' }
    }
}

Describe 'Get-HipaaMfaStatus and Audit-MFA' {
    It 'returns one row per user' {
        $rows = @(Get-HipaaMfaStatus -ExportsPath $Demo 6>$null)
        $rows.Count | Should -Be 12
        ($rows | Where-Object UserName -eq 'dr.patel').MFA | Should -Be 'HAS_MFA'
        ($rows | Where-Object UserName -eq 'nurse.garcia').MFA | Should -Be 'NO_MFA'
        $rows[0].PSObject.TypeNames[0] | Should -Be 'HipaaIam.MfaStatus'
    }

    It "prints the guide's lines" {
        $lines = @(Audit-MFA -ExportsPath $Demo 6>&1 | Where-Object { $_ -is [System.Management.Automation.InformationRecord] } | ForEach-Object { "$_" })
        $lines | Should -Contain ("nurse.garcia {0} has NO MFA {1} HIPAA compliance gap" -f [char]0x274C, [char]0x2014)
        $lines | Should -Contain ("dr.patel {0} has MFA enabled {1} compliant" -f [char]0x2705, [char]0x2014)
    }

    It '-SaveCsv writes the evidence CSV to -OutPath, byte for byte' {
        $csv = Join-Path -Path $TestDrive -ChildPath 'out/mfa_audit.csv'
        $null = Audit-MFA -ExportsPath $Demo -SaveCsv -OutPath $csv 6>$null
        $csv | Should -Exist
        $evidence = Join-Path -Path $TestDrive -ChildPath 'ev'
        $null = Invoke-HipaaIamAudit -ExportsPath $Demo -OutputDirectory $evidence
        (Get-FileHash -LiteralPath $csv).Hash | Should -Be (Get-FileHash -LiteralPath (Join-Path -Path $evidence -ChildPath 'mfa_audit.csv')).Hash
        (Get-Content -LiteralPath $csv -TotalCount 1) | Should -Be 'UserName,MFA,ConsoleAccess,MfaDeviceType,InMfaGroup,Groups,PasswordLastUsed,AccessKeyLastUsed,Compliant'
    }

    It '-SaveCsv defaults to .\reports\mfa_audit.csv' {
        Push-Location -LiteralPath $TestDrive
        try {
            $null = Audit-MFA -ExportsPath $Demo -SaveCsv 6>$null
            Join-Path -Path $TestDrive -ChildPath 'reports/mfa_audit.csv' | Should -Exist
        } finally {
            Pop-Location
        }
    }
}

Describe 'Export-HipaaRiskRegister' {
    It 'writes the risk register' {
        $dir = Join-Path -Path $TestDrive -ChildPath 'register'
        $files = @(Export-HipaaRiskRegister -ExportsPath $Demo -OutputDirectory $dir)
        @($files.Name | Sort-Object) | Should -Be @('risk_register.csv', 'risk_register.md')
        Join-Path -Path $dir -ChildPath 'report.html' | Should -Exist
        Join-Path -Path $dir -ChildPath 'evidence.xlsx' | Should -Exist
    }

    It 'leaves the page and the workbook out with -NoHtml -NoXlsx' {
        $dir = Join-Path -Path $TestDrive -ChildPath 'register-plain'
        $files = @(Export-HipaaRiskRegister -ExportsPath $Demo -OutputDirectory $dir -NoHtml -NoXlsx)
        @($files.Name | Sort-Object) | Should -Be @('risk_register.csv', 'risk_register.md')
        Join-Path -Path $dir -ChildPath 'report.html' | Should -Not -Exist
        Join-Path -Path $dir -ChildPath 'evidence.xlsx' | Should -Not -Exist
    }
}

Describe 'Commands that change AWS' {
    It '<Name> declares ShouldProcess with high impact and -Force' -ForEach $ChangingCommands {
        $command = Get-Command -Name $Name
        $command.Parameters.ContainsKey('WhatIf') | Should -BeTrue
        $command.Parameters.ContainsKey('Confirm') | Should -BeTrue
        $command.Parameters.ContainsKey('Force') | Should -BeTrue
        $command.ScriptBlock.Attributes.Where({ $_ -is [System.Management.Automation.CmdletBindingAttribute] })[0].ConfirmImpact |
            Should -Be 'High'
    }

    It '<Name> -WhatIf returns the <Remediation> plan and applies nothing' -ForEach $ChangingCommands {
        $arguments = $Arguments.Clone()
        $plan = & $Name -ExportsPath $Demo -WhatIf @arguments
        $plan.PSObject.TypeNames[0] | Should -Be 'HipaaIam.RemediationPlan'
        $plan.remediation | Should -Be $Remediation
        $plan.dry_run | Should -BeTrue
        $plan.applied | Should -BeFalse
        $plan.PSObject.Properties['results'] | Should -BeNullOrEmpty
    }

    It 'New-HipaaIamUser takes the temporary password only as a SecureString' {
        (Get-Command -Name New-HipaaIamUser).Parameters['TemporaryPassword'].ParameterType |
            Should -Be ([System.Security.SecureString])
    }
}
