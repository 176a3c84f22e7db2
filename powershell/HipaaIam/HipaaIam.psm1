#Requires -Version 5.1
# HipaaIam: audit and harden AWS IAM for the HIPAA Security Rule, over the hipaa_iam C library.
#
# Every command builds a JSON request, calls the library through the C# shim
# (HipaaIam.Native.cs) and turns the JSON response into objects. Credentials, region and
# endpoint come from the standard AWS chain (AWS_PROFILE, -ProfileName, AWS_REGION, -Region).
Set-StrictMode -Version 3.0

# Load the shim once per session: a second Import-Module -Force must not compile it again.
if (-not ('HipaaIam.Native' -as [type])) {
    Add-Type -Path (Join-Path -Path $PSScriptRoot -ChildPath 'HipaaIam.Native.cs')
}
[HipaaIam.Native]::Initialize($PSScriptRoot)

# The library's request fields as this module's parameters, for its error messages.
$script:ParameterNames = @{
    exports_dir = '-ExportsPath'
    regions     = '-Region'
    output_dir  = '-OutputDirectory'
    excel       = '-Excel'
    html        = '-NoHtml'
    xlsx        = '-NoXlsx'
    users       = '-UserName'
    user_name   = '-UserName'
    policy_file = '-PolicyFile'
    replace     = '-Replace'
    boundary    = '-NoPermissionsBoundary'
    console     = '-ConsoleAccess'
    principal   = '-Principal'
    action      = '-Action'
    resource    = '-Resource'
    context     = '-Context'
}

function ConvertTo-HipaaFullPath {
    # A path relative to PowerShell's current location (not the process's) as a full path.
    param([Parameter(Mandatory)][string]$Path)
    $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path)
}

function ConvertTo-HipaaRequest {
    # The request's source and configuration fields from a command's bound parameters.
    param([Parameter(Mandatory)][System.Collections.IDictionary]$Bound)
    $request = [ordered]@{}
    if ($Bound.ContainsKey('ExportsPath')) { $request['exports_dir'] = ConvertTo-HipaaFullPath -Path $Bound['ExportsPath'] }
    if ($Bound.ContainsKey('ProfileName')) { $request['profile'] = $Bound['ProfileName'] }
    if ($Bound.ContainsKey('Region')) { $request['regions'] = @($Bound['Region']) }
    if ($Bound.ContainsKey('ConfigPath')) { $request['config_path'] = ConvertTo-HipaaFullPath -Path $Bound['ConfigPath'] }
    $request
}

function Invoke-HipaaNative {
    # Calls one library function; a library error becomes a terminating error whose ID is
    # the AWS error code (AWS errors) or the status name, with the library's message.
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet]$Cmdlet,
        [Parameter(Mandatory)][string]$Function,
        [Parameter(Mandatory)][System.Collections.IDictionary]$Request,
        [System.Security.SecureString]$Secret
    )
    $json = ConvertTo-Json -InputObject $Request -Depth 10 -Compress
    try {
        $response = if ($null -ne $Secret) {
            [HipaaIam.Native]::RemediationApplyWithSecret($json, 'console_password', $Secret)
        } else {
            switch ($Function) {
                'Audit' { [HipaaIam.Native]::Audit($json) }
                'RunAudit' { [HipaaIam.Native]::RunAudit($json) }
                'MfaReport' { [HipaaIam.Native]::MfaReport($json) }
                'WriteEvidence' { [HipaaIam.Native]::WriteEvidence($json) }
                'RemediationPlan' { [HipaaIam.Native]::RemediationPlan($json) }
                'RemediationApply' { [HipaaIam.Native]::RemediationApply($json) }
                'LintPolicy' { [HipaaIam.Native]::LintPolicy($json) }
                'AccessExplain' { [HipaaIam.Native]::AccessExplain($json) }
                'AccessWhoCan' { [HipaaIam.Native]::AccessWhoCan($json) }
                'Diff' { [HipaaIam.Native]::Diff($json) }
                'ReviewStart' { [HipaaIam.Native]::ReviewStart($json) }
                'ReviewSign' { [HipaaIam.Native]::ReviewSign($json) }
                default { throw "unknown library function $Function" }
            }
        }
    } catch [HipaaIam.HipaaIamException] {
        # PowerShell wraps exceptions from .NET methods in a MethodInvocationException.
        $e = $_.Exception
        while ($null -ne $e -and -not ($e -is [HipaaIam.HipaaIamException])) { $e = $e.InnerException }
        # The library names its statuses (HipaaIamException.StatusName); no numbers here.
        $category = switch ($e.StatusName) {
            'InvalidArgument' { [System.Management.Automation.ErrorCategory]::InvalidArgument }
            'InvalidJson' { [System.Management.Automation.ErrorCategory]::InvalidArgument }
            'InvalidInput' { [System.Management.Automation.ErrorCategory]::InvalidData }
            'InvalidConfig' { [System.Management.Automation.ErrorCategory]::InvalidData }
            'AwsError' { [System.Management.Automation.ErrorCategory]::ConnectionError }
            'IoError' { [System.Management.Automation.ErrorCategory]::WriteError }
            default { [System.Management.Automation.ErrorCategory]::NotSpecified }
        }
        $id = if ($e.AwsErrorCode) { "HipaaIam.Aws.$($e.AwsErrorCode)" } else { "HipaaIam.$($e.StatusName)" }
        $record = New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList $e, $id, $category, $Function
        # The library names the request field an error is about; show this module's parameter.
        if ($e.Field -and $script:ParameterNames.Contains($e.Field)) {
            $record.ErrorDetails = New-Object -TypeName System.Management.Automation.ErrorDetails -ArgumentList ($e.MessageNaming($script:ParameterNames[$e.Field]))
        }
        $Cmdlet.ThrowTerminatingError($record)
    }
    # Windows PowerShell's ConvertFrom-Json emits a JSON array as one object: enumerate it,
    # so arrays come out as one object per element on every edition.
    foreach ($item in (ConvertFrom-Json -InputObject $response)) { $item }
}

function Assert-HipaaVerdict {
    # The library's failed -FailOn verdict, after the caller has written its objects: sets
    # $LASTEXITCODE to 1 (so `pwsh -Command` exits non-zero) and throws the terminating
    # error HipaaIam.FailOn naming the count and the checks or rules.
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet]$Cmdlet,
        [Parameter(Mandatory)]$Verdict,
        [Parameter(Mandatory)][string]$What
    )
    $global:LASTEXITCODE = 1
    $message = "$($Verdict.failing) $What at or above $($Verdict.fail_on) severity: $(@($Verdict.failing_checks) -join ', ')"
    $record = New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList (
        New-Object -TypeName System.Exception -ArgumentList $message), 'HipaaIam.FailOn', ([System.Management.Automation.ErrorCategory]::InvalidResult), $Verdict.failing
    $Cmdlet.ThrowTerminatingError($record)
}

function Add-HipaaTypeName {
    # Gives each object a type name (for formatting and pipeline binding) and emits it.
    param([Parameter(ValueFromPipeline)]$InputObject, [Parameter(Mandatory)][string]$TypeName)
    process {
        if ($null -ne $InputObject) {
            $InputObject.PSObject.TypeNames.Insert(0, $TypeName)
            $InputObject
        }
    }
}

function Invoke-HipaaRemediation {
    # Plan first; -WhatIf shows each step of the plan; otherwise confirm (unless -Force) and apply.
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet]$Cmdlet,
        [Parameter(Mandatory)][System.Collections.IDictionary]$Request,
        [Parameter(Mandatory)][string]$Target,
        [switch]$Force,
        [System.Security.SecureString]$Secret
    )
    $plan = Invoke-HipaaNative -Cmdlet $Cmdlet -Function RemediationPlan -Request $Request
    $steps = @($plan.plan | Where-Object { $null -ne $_ })
    $summary = ($steps | ForEach-Object { $_.description }) -join '; '
    if ($WhatIfPreference) {
        foreach ($step in $steps) {
            $null = $Cmdlet.ShouldProcess($Target, "$($step.id): $($step.description)")
        }
        if ($steps.Count -eq 0) { $null = $Cmdlet.ShouldProcess($Target, 'nothing to do: the plan has no steps') }
        return ($plan | Add-HipaaTypeName -TypeName 'HipaaIam.RemediationPlan')
    }
    # -Force skips the prompt unless -Confirm is given explicitly.
    $ask = -not $Force -or $Cmdlet.MyInvocation.BoundParameters.ContainsKey('Confirm')
    if ($ask -and -not $Cmdlet.ShouldProcess($Target, "apply $($Request['remediation']) ($($steps.Count) steps: $summary)")) {
        return
    }
    $result = Invoke-HipaaNative -Cmdlet $Cmdlet -Function RemediationApply -Request $Request -Secret $Secret
    # The result (every step's outcome, failures included) goes to the pipeline first; a
    # failed step then becomes a terminating error carrying the AWS error code.
    $result | Add-HipaaTypeName -TypeName 'HipaaIam.RemediationResult'
    $failed = @($result.results | Where-Object { $null -ne $_ -and $_.status -eq 'failed' })
    if ($failed.Count -gt 0) {
        $first = $failed[0]
        $code = if ($first.PSObject.Properties['error_code'] -and $first.error_code) { [string]$first.error_code } else { 'StepFailed' }
        $message = "$($Request['remediation']): $($failed.Count) step(s) failed; $($first.id) ($($first.operation)): $code`: $($first.detail)"
        $record = New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList (
            New-Object -TypeName System.InvalidOperationException -ArgumentList $message), "HipaaIam.Aws.$code", ([System.Management.Automation.ErrorCategory]::OperationStopped), $first.id
        $Cmdlet.ThrowTerminatingError($record)
    }
}

function Get-HipaaCheck {
    <#
    .SYNOPSIS
    Lists the HIPAA IAM checks the audit runs.
    .DESCRIPTION
    Returns the check catalogue: one object per check with its ID, slug, title, severity,
    the resource type it looks at, the HIPAA Security Rule citations and the remediation;
    remediate_cmdlet names the cmdlet of this module that applies the remediation, if any.
    .PARAMETER Id
    Only the checks with these IDs (wildcards allowed), e.g. IAM-002 or 'IAM-00*'.
    .EXAMPLE
    Get-HipaaCheck
    Lists every check.
    .EXAMPLE
    Get-HipaaCheck -Id IAM-002
    Shows the console MFA check.
    .EXAMPLE
    Get-HipaaCheck | Where-Object severity -eq 'critical' | Format-Table id, title
    Lists the critical checks.
    #>
    [CmdletBinding()]
    [OutputType('HipaaIam.Check')]
    param(
        [Parameter(Position = 0)]
        [SupportsWildcards()]
        [string[]]$Id
    )
    # The library names a check's remediation (remediate); this module's cmdlet applies it.
    $cmdlets = @{
        'password-policy'      = 'Set-HipaaPasswordPolicy'
        'mfa-enforcement'      = 'Enable-HipaaMfaEnforcement'
        'group-membership'     = 'Add-HipaaGroupMembership'
        'permissions-boundary' = 'Set-HipaaPermissionsBoundary'
        'access-analyzer'      = 'Enable-HipaaAccessAnalyzer'
        'create-user'          = 'New-HipaaIamUser'
    }
    $catalogue = ConvertFrom-Json -InputObject ([HipaaIam.Native]::Checks())
    foreach ($check in @($catalogue)) {
        if ($Id -and -not ($Id | Where-Object { $check.id -like $_ })) { continue }
        $cmdlet = if ($check.remediate) { $cmdlets[[string]$check.remediate] } else { $null }
        $check | Add-Member -NotePropertyName remediate_cmdlet -NotePropertyValue $cmdlet
        $check | Add-HipaaTypeName -TypeName 'HipaaIam.Check'
    }
}

function Invoke-HipaaIamAudit {
    <#
    .SYNOPSIS
    Audits AWS IAM against the HIPAA Security Rule and returns the findings.
    .DESCRIPTION
    Runs every check (or those named by -CheckId) against the live account (standard AWS
    credential chain) or an exports directory, and returns one finding object per resource
    and check, passing ones included. -OutputDirectory also writes the evidence directory
    (mfa_audit.csv, a CSV per check, findings.json, the risk register, report.html,
    evidence.xlsx, manifest.json) from the same audit: on a live account the objects and the
    evidence come from one collection.
    -FailOn decides failure: after all findings have been written to the pipeline, a
    terminating error (ID HipaaIam.FailOn) is thrown and $LASTEXITCODE is set to 1 when a
    failing finding at or above that severity exists, so `pwsh -Command` exits non-zero
    in CI. The default, none, never fails.
    .PARAMETER ExportsPath
    An exports directory (the AWS CLI's outputs, or `hipaa-iam collect`) to audit offline.
    Omitted: the live account.
    .PARAMETER ProfileName
    The AWS profile for a live audit (default: the standard credential chain, AWS_PROFILE).
    .PARAMETER Region
    The regions whose IAM Access Analyzer is audited.
    .PARAMETER ConfigPath
    A hipaa-iam.toml configuration (thresholds, group names, exceptions).
    .PARAMETER CheckId
    Only these checks, e.g. IAM-002.
    .PARAMETER OutputDirectory
    Also write the evidence files to this directory.
    .PARAMETER Excel
    With -OutputDirectory: write the CSVs with a UTF-8 byte-order mark for Excel.
    .PARAMETER NoHtml
    With -OutputDirectory: leave report.html (the report page) out of the evidence.
    .PARAMETER NoXlsx
    With -OutputDirectory: leave evidence.xlsx (the auditor's workbook) out of the evidence.
    .PARAMETER FailOn
    critical, high, medium, low or none (default): fail when a failing finding of this
    severity or above exists.
    .EXAMPLE
    Invoke-HipaaIamAudit -ExportsPath .\examples\demo-account | Where-Object status -eq 'fail'
    Audits an exports directory and shows the gaps.
    .EXAMPLE
    Invoke-HipaaIamAudit -ProfileName prod -Region us-east-1 -OutputDirectory .\reports
    Audits the live account of the prod profile and writes the evidence to .\reports.
    .EXAMPLE
    Invoke-HipaaIamAudit -ExportsPath .\exports -OutputDirectory .\reports -NoHtml -NoXlsx
    Writes the CSV and JSON evidence only, without the report page and the workbook.
    .EXAMPLE
    Invoke-HipaaIamAudit -FailOn high | Export-Csv findings.csv -NoTypeInformation
    In CI: keeps every finding and fails the job on high or critical gaps.
    #>
    [CmdletBinding()]
    [OutputType('HipaaIam.Finding')]
    param(
        [Parameter(ValueFromPipelineByPropertyName)]
        [Alias('Exports', 'Path')]
        [string]$ExportsPath,
        [string]$ProfileName,
        [string[]]$Region,
        [string]$ConfigPath,
        [string[]]$CheckId,
        [string]$OutputDirectory,
        [switch]$Excel,
        [switch]$NoHtml,
        [switch]$NoXlsx,
        [ValidateSet('critical', 'high', 'medium', 'low', 'none')]
        [string]$FailOn = 'none'
    )
    process {
        $request = ConvertTo-HipaaRequest -Bound $PSBoundParameters
        if ($CheckId) { $request['checks'] = @($CheckId) }
        $request['fail_on'] = $FailOn
        if ($OutputDirectory) {
            $request['output_dir'] = ConvertTo-HipaaFullPath -Path $OutputDirectory
            if ($Excel) { $request['excel'] = $true }
            if ($NoHtml) { $request['html'] = $false }
            if ($NoXlsx) { $request['xlsx'] = $false }
        }
        # One call, one audit: the findings, the evidence and the -FailOn verdict (the
        # library's run policy) all come from the same collection.
        $run = Invoke-HipaaNative -Cmdlet $PSCmdlet -Function RunAudit -Request $request
        $report = $run.report
        if ($null -ne $run.evidence) { Write-Verbose -Message "evidence written to $($request['output_dir'])" }
        foreach ($w in @($report.warnings)) { if ($w) { Write-Warning -Message "$w" } }
        $findings = @($report.findings)
        foreach ($f in $findings) {
            $f | Add-Member -NotePropertyName account_id -NotePropertyValue $report.account_id -Force
            # The findings JSON states each check's metadata once (schema 2, "checks"); each
            # object gets its check's slug, title, severity, resource_type, hipaa and
            # remediation, so it can be filtered and formatted on its own.
            $check = $report.checks.($f.check_id)
            if ($null -ne $check) {
                foreach ($p in $check.PSObject.Properties) {
                    $f | Add-Member -NotePropertyName $p.Name -NotePropertyValue $p.Value -Force
                }
            }
            $f | Add-HipaaTypeName -TypeName 'HipaaIam.Finding'
        }
        if ($run.verdict.failed) { Assert-HipaaVerdict -Cmdlet $PSCmdlet -Verdict $run.verdict -What 'failing findings' }
    }
}

function Get-HipaaFinding {
    <#
    .SYNOPSIS
    Gets audit findings, filtered by check, severity and status.
    .DESCRIPTION
    Filters findings piped in from Invoke-HipaaIamAudit, or runs the audit itself (with the
    same source parameters) when nothing is piped in.
    .PARAMETER InputObject
    Findings from Invoke-HipaaIamAudit.
    .PARAMETER ExportsPath
    An exports directory to audit offline (when no findings are piped in).
    .PARAMETER ProfileName
    The AWS profile for a live audit.
    .PARAMETER Region
    The regions whose IAM Access Analyzer is audited.
    .PARAMETER ConfigPath
    A hipaa-iam.toml configuration.
    .PARAMETER CheckId
    Only findings of these checks (wildcards allowed).
    .PARAMETER Severity
    Only findings of these severities.
    .PARAMETER Status
    Only findings with these statuses (default: all).
    .EXAMPLE
    Get-HipaaFinding -ExportsPath .\examples\demo-account -Status fail -Severity critical, high
    The serious gaps of the demo account.
    .EXAMPLE
    Invoke-HipaaIamAudit | Get-HipaaFinding -CheckId IAM-002
    Console MFA findings of the live account.
    .EXAMPLE
    Get-HipaaFinding -Status fail | Group-Object check_id | Sort-Object Count -Descending
    Counts the gaps per check.
    #>
    [CmdletBinding(DefaultParameterSetName = 'Audit')]
    [OutputType('HipaaIam.Finding')]
    param(
        [Parameter(ParameterSetName = 'Pipeline', Mandatory, ValueFromPipeline)]
        [PSObject[]]$InputObject,
        [Parameter(ParameterSetName = 'Audit')]
        [string]$ExportsPath,
        [Parameter(ParameterSetName = 'Audit')]
        [string]$ProfileName,
        [Parameter(ParameterSetName = 'Audit')]
        [string[]]$Region,
        [Parameter(ParameterSetName = 'Audit')]
        [string]$ConfigPath,
        [SupportsWildcards()]
        [string[]]$CheckId,
        [ValidateSet('critical', 'high', 'medium', 'low')]
        [string[]]$Severity,
        [ValidateSet('fail', 'pass', 'excepted', 'error', 'not-evaluated')]
        [string[]]$Status
    )
    begin {
        $filter = {
            param($f)
            if ($CheckId -and -not ($CheckId | Where-Object { $f.check_id -like $_ })) { return $false }
            if ($Severity -and $Severity -notcontains [string]$f.severity) { return $false }
            if ($Status -and $Status -notcontains [string]$f.status) { return $false }
            $true
        }
    }
    process {
        if ($PSCmdlet.ParameterSetName -eq 'Pipeline') {
            foreach ($f in $InputObject) { if (& $filter $f) { $f } }
        } else {
            $audit = @{}
            foreach ($k in 'ExportsPath', 'ProfileName', 'Region', 'ConfigPath') {
                if ($PSBoundParameters.ContainsKey($k)) { $audit[$k] = $PSBoundParameters[$k] }
            }
            foreach ($f in (Invoke-HipaaIamAudit @audit)) { if (& $filter $f) { $f } }
        }
    }
}

function Get-HipaaMfaStatus {
    <#
    .SYNOPSIS
    Reports every IAM user's MFA status (the hardening guide's Audit-MFA).
    .DESCRIPTION
    Returns one object per IAM user with UserName, MFA (HAS_MFA, NO_MFA or UNKNOWN),
    ConsoleAccess, MfaDeviceType, InMfaGroup, Groups, PasswordLastUsed, AccessKeyLastUsed and Compliant, and
    prints the guide's lines ("alice <cross> has NO MFA - HIPAA compliance gap") to the host.
    The alias Audit-MFA keeps the guide script's parameters: -SaveCsv writes the CSV to
    -OutPath (default .\reports\mfa_audit.csv), byte for byte the file `hipaa-iam mfa
    --save-csv` and the evidence directory write (the library's CSV writer produces it).
    .PARAMETER ExportsPath
    An exports directory to read offline. Omitted: the live account.
    .PARAMETER ProfileName
    The AWS profile for the live account.
    .PARAMETER Region
    The region for the live account.
    .PARAMETER ConfigPath
    A hipaa-iam.toml configuration (its human_users_group is the MFA group).
    .PARAMETER SaveCsv
    Also write the report as CSV to -OutPath.
    .PARAMETER OutPath
    Where -SaveCsv writes (default .\reports\mfa_audit.csv).
    .PARAMETER Excel
    With -SaveCsv: a UTF-8 byte-order mark first, so Excel reads non-ASCII names.
    .EXAMPLE
    Audit-MFA
    The guide's script: one line per user of the live account.
    .EXAMPLE
    Audit-MFA -SaveCsv -OutPath .\evidence\mfa_audit.csv
    Also writes the CSV evidence.
    .EXAMPLE
    Get-HipaaMfaStatus -ExportsPath .\examples\demo-account | Where-Object { -not $_.Compliant }
    The users of an exports directory with an MFA gap.
    #>
    [CmdletBinding()]
    [OutputType('HipaaIam.MfaStatus')]
    param(
        [string]$ExportsPath,
        [string]$ProfileName,
        [string[]]$Region,
        [string]$ConfigPath,
        [switch]$SaveCsv,
        [string]$OutPath = '.\reports\mfa_audit.csv',
        [switch]$Excel
    )
    $request = ConvertTo-HipaaRequest -Bound $PSBoundParameters
    $rows = @(Invoke-HipaaNative -Cmdlet $PSCmdlet -Function MfaReport -Request $request)
    $cross = [string][char]0x274C
    $check = [string][char]0x2705
    $dash = [string][char]0x2014
    foreach ($row in $rows) {
        $line = switch ($row.MFA) {
            'HAS_MFA' { "$($row.UserName) $check has MFA enabled $dash compliant" }
            'NO_MFA' { "$($row.UserName) $cross has NO MFA $dash HIPAA compliance gap" }
            default { "$($row.UserName) ? MFA status unknown $dash HIPAA compliance gap" }
        }
        Write-Host $line
    }
    if ($SaveCsv) {
        # The library writes mfa_audit.csv with the evidence; copy that file, so the CSV is
        # the CLI's byte for byte (formula cells neutralised, CRLF, quoting).
        $target = ConvertTo-HipaaFullPath -Path $OutPath
        $scratch = Join-Path -Path ([System.IO.Path]::GetTempPath()) -ChildPath ('hipaa-iam-' + [guid]::NewGuid().ToString('N'))
        try {
            $request['output_dir'] = $scratch
            if ($Excel) { $request['excel'] = $true }
            # Only mfa_audit.csv is kept: the page and the workbook are not rendered.
            $request['html'] = $false
            $request['xlsx'] = $false
            $null = Invoke-HipaaNative -Cmdlet $PSCmdlet -Function WriteEvidence -Request $request
            $parent = Split-Path -Path $target -Parent
            if ($parent -and -not (Test-Path -LiteralPath $parent)) { $null = New-Item -ItemType Directory -Path $parent -Force }
            $partial = "$target.partial"
            Copy-Item -LiteralPath (Join-Path -Path $scratch -ChildPath 'mfa_audit.csv') -Destination $partial -Force
            Move-Item -LiteralPath $partial -Destination $target -Force
            Write-Host "CSV saved to $target"
        } finally {
            if (Test-Path -LiteralPath $scratch) { Remove-Item -LiteralPath $scratch -Recurse -Force }
        }
    }
    $rows | Add-HipaaTypeName -TypeName 'HipaaIam.MfaStatus'
}

function Export-HipaaRiskRegister {
    <#
    .SYNOPSIS
    Writes the HIPAA risk register and the audit evidence to a directory.
    .DESCRIPTION
    Runs the audit and writes the evidence directory: risk_register.csv and
    risk_register.md (one row per gap in the guide's format: ID, risk, HIPAA citation,
    control, status), mfa_audit.csv, a CSV per check, findings.json, report.html,
    evidence.xlsx and manifest.json with the SHA-256 of every file. Returns the risk
    register files.
    .PARAMETER OutputDirectory
    The evidence directory (default .\reports).
    .PARAMETER ExportsPath
    An exports directory to audit offline. Omitted: the live account.
    .PARAMETER ProfileName
    The AWS profile for the live account.
    .PARAMETER Region
    The regions whose IAM Access Analyzer is audited.
    .PARAMETER ConfigPath
    A hipaa-iam.toml configuration.
    .PARAMETER Excel
    Write the CSVs with a UTF-8 byte-order mark for Excel.
    .PARAMETER NoHtml
    Leave report.html (the report page) out of the evidence.
    .PARAMETER NoXlsx
    Leave evidence.xlsx (the auditor's workbook) out of the evidence.
    .EXAMPLE
    Export-HipaaRiskRegister
    Writes .\reports\risk_register.csv and the rest of the evidence for the live account.
    .EXAMPLE
    Export-HipaaRiskRegister -ExportsPath .\examples\demo-account -OutputDirectory .\evidence -Excel
    The risk register of an exports directory, for Excel.
    #>
    [CmdletBinding()]
    [OutputType([System.IO.FileInfo])]
    param(
        [string]$OutputDirectory = '.\reports',
        [string]$ExportsPath,
        [string]$ProfileName,
        [string[]]$Region,
        [string]$ConfigPath,
        [switch]$Excel,
        [switch]$NoHtml,
        [switch]$NoXlsx
    )
    $request = ConvertTo-HipaaRequest -Bound $PSBoundParameters
    $dir = ConvertTo-HipaaFullPath -Path $OutputDirectory
    $request['output_dir'] = $dir
    if ($Excel) { $request['excel'] = $true }
    if ($NoHtml) { $request['html'] = $false }
    if ($NoXlsx) { $request['xlsx'] = $false }
    $null = Invoke-HipaaNative -Cmdlet $PSCmdlet -Function WriteEvidence -Request $request
    foreach ($name in 'risk_register.csv', 'risk_register.md') {
        $file = Join-Path -Path $dir -ChildPath $name
        if (Test-Path -LiteralPath $file) { Get-Item -LiteralPath $file }
    }
}

function Set-HipaaPasswordPolicy {
    <#
    .SYNOPSIS
    Sets the account password policy the HIPAA configuration requires.
    .DESCRIPTION
    Plans the change of the account password policy to the configured minimums (length,
    character classes, maximum age, reuse prevention) and applies it after confirmation.
    -WhatIf prints the plan's steps and changes nothing. The old policy is recorded in the
    result so it can be restored.
    .PARAMETER ProfileName
    The AWS profile (default: the standard credential chain).
    .PARAMETER Region
    The AWS region.
    .PARAMETER ConfigPath
    A hipaa-iam.toml configuration with the password policy.
    .PARAMETER ExportsPath
    Plan from an exports directory. Applying acts on the live account, and only when the
    credentials belong to the account of the exports (else nothing changes).
    .PARAMETER Force
    Apply without asking for confirmation.
    .EXAMPLE
    Set-HipaaPasswordPolicy -WhatIf
    Shows what would change.
    .EXAMPLE
    Set-HipaaPasswordPolicy -ProfileName prod -Force
    Applies the policy without a prompt.
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType('HipaaIam.RemediationResult', 'HipaaIam.RemediationPlan')]
    param(
        [string]$ProfileName,
        [string[]]$Region,
        [string]$ConfigPath,
        [string]$ExportsPath,
        [switch]$Force
    )
    $request = ConvertTo-HipaaRequest -Bound $PSBoundParameters
    $request['remediation'] = 'password-policy'
    Invoke-HipaaRemediation -Cmdlet $PSCmdlet -Request $request -Target 'account password policy' -Force:$Force
}

function Enable-HipaaMfaEnforcement {
    <#
    .SYNOPSIS
    Enforces MFA with the deny-without-MFA policy on the human-users group.
    .DESCRIPTION
    Plans and applies the guide's step 3: creates the deny-without-MFA policy, the
    human-users group (the configured name) and attaches the policy to it. An existing
    policy that already denies access without MFA is left alone; one that does not gets the
    guide's statements it lacks added, keeping all of its own. -WhatIf prints the plan.
    .PARAMETER ProfileName
    The AWS profile.
    .PARAMETER Region
    The AWS region.
    .PARAMETER ConfigPath
    A hipaa-iam.toml configuration (group and policy names).
    .PARAMETER ExportsPath
    Plan from an exports directory. Applying acts on the live account, and only when the
    credentials belong to the account of the exports (else nothing changes).
    .PARAMETER Force
    Apply without asking for confirmation.
    .EXAMPLE
    Enable-HipaaMfaEnforcement -WhatIf
    Shows the steps.
    .EXAMPLE
    Enable-HipaaMfaEnforcement -Confirm:$false
    Applies them without a prompt.
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType('HipaaIam.RemediationResult', 'HipaaIam.RemediationPlan')]
    param(
        [string]$ProfileName,
        [string[]]$Region,
        [string]$ConfigPath,
        [string]$ExportsPath,
        [switch]$Force
    )
    $request = ConvertTo-HipaaRequest -Bound $PSBoundParameters
    $request['remediation'] = 'mfa-enforcement'
    Invoke-HipaaRemediation -Cmdlet $PSCmdlet -Request $request -Target 'MFA enforcement group and policy' -Force:$Force
}

function Add-HipaaGroupMembership {
    <#
    .SYNOPSIS
    Adds IAM users to the human-users group (every user belongs to a group).
    .DESCRIPTION
    Plans and applies adding users who are in no group, or the named users, to the
    configured human-users group, so the MFA policy applies to them. -WhatIf prints the plan.
    .PARAMETER UserName
    Only these users (default: every user the audit finds outside the group).
    .PARAMETER ProfileName
    The AWS profile.
    .PARAMETER Region
    The AWS region.
    .PARAMETER ConfigPath
    A hipaa-iam.toml configuration.
    .PARAMETER ExportsPath
    Plan from an exports directory. Applying acts on the live account, and only when the
    credentials belong to the account of the exports (else nothing changes).
    .PARAMETER Force
    Apply without asking for confirmation.
    .EXAMPLE
    Add-HipaaGroupMembership -WhatIf
    Shows which users would be added.
    .EXAMPLE
    'temp.contractor', 'nurse.kim' | Add-HipaaGroupMembership -Force
    Adds two users.
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType('HipaaIam.RemediationResult', 'HipaaIam.RemediationPlan')]
    param(
        [Parameter(ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [string[]]$UserName,
        [string]$ProfileName,
        [string[]]$Region,
        [string]$ConfigPath,
        [string]$ExportsPath,
        [switch]$Force
    )
    begin { $users = New-Object -TypeName System.Collections.Generic.List[string] }
    process { foreach ($u in @($UserName)) { if ($u) { $users.Add($u) } } }
    end {
        $request = ConvertTo-HipaaRequest -Bound $PSBoundParameters
        $request['remediation'] = 'group-membership'
        if ($users.Count -gt 0) { $request['users'] = @($users) }
        Invoke-HipaaRemediation -Cmdlet $PSCmdlet -Request $request -Target 'IAM group membership' -Force:$Force
    }
}

function Set-HipaaPermissionsBoundary {
    <#
    .SYNOPSIS
    Sets the permissions boundary on IAM users.
    .DESCRIPTION
    Plans and applies the guide's step 5: creates the boundary policy (the guide's document,
    or -PolicyFile) and sets it as the permissions boundary of the users without one (or
    the named users). A different existing boundary is replaced only with -Replace.
    -WhatIf prints the plan.
    .PARAMETER UserName
    Only these users.
    .PARAMETER PolicyFile
    A boundary policy document (JSON) instead of the guide's.
    .PARAMETER Replace
    Replace a different boundary a user already has.
    .PARAMETER ProfileName
    The AWS profile.
    .PARAMETER Region
    The AWS region.
    .PARAMETER ConfigPath
    A hipaa-iam.toml configuration.
    .PARAMETER ExportsPath
    Plan from an exports directory. Applying acts on the live account, and only when the
    credentials belong to the account of the exports (else nothing changes).
    .PARAMETER Force
    Apply without asking for confirmation.
    .EXAMPLE
    Set-HipaaPermissionsBoundary -WhatIf
    Shows the boundary steps.
    .EXAMPLE
    Set-HipaaPermissionsBoundary -UserName analyst.jane -PolicyFile .\boundary.json -Force
    Sets a custom boundary on one user.
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType('HipaaIam.RemediationResult', 'HipaaIam.RemediationPlan')]
    param(
        [Parameter(ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [string[]]$UserName,
        [string]$PolicyFile,
        [switch]$Replace,
        [string]$ProfileName,
        [string[]]$Region,
        [string]$ConfigPath,
        [string]$ExportsPath,
        [switch]$Force
    )
    begin { $users = New-Object -TypeName System.Collections.Generic.List[string] }
    process { foreach ($u in @($UserName)) { if ($u) { $users.Add($u) } } }
    end {
        $request = ConvertTo-HipaaRequest -Bound $PSBoundParameters
        $request['remediation'] = 'permissions-boundary'
        if ($users.Count -gt 0) { $request['users'] = @($users) }
        if ($PolicyFile) { $request['policy_file'] = ConvertTo-HipaaFullPath -Path $PolicyFile }
        if ($Replace) { $request['replace'] = $true }
        Invoke-HipaaRemediation -Cmdlet $PSCmdlet -Request $request -Target 'IAM permissions boundaries' -Force:$Force
    }
}

function Enable-HipaaAccessAnalyzer {
    <#
    .SYNOPSIS
    Creates an IAM Access Analyzer in each audited region that has none.
    .DESCRIPTION
    Plans and applies the guide's step 6: an account analyzer in every configured region
    (or -Region) without one. -WhatIf prints the plan.
    .PARAMETER ProfileName
    The AWS profile.
    .PARAMETER Region
    The regions (default: the configuration's, else the AWS region).
    .PARAMETER ConfigPath
    A hipaa-iam.toml configuration.
    .PARAMETER ExportsPath
    Plan from an exports directory. Applying acts on the live account, and only when the
    credentials belong to the account of the exports (else nothing changes).
    .PARAMETER Force
    Apply without asking for confirmation.
    .EXAMPLE
    Enable-HipaaAccessAnalyzer -Region us-east-1, us-west-2 -WhatIf
    Shows which analyzers would be created.
    .EXAMPLE
    Enable-HipaaAccessAnalyzer -Force
    Creates them without a prompt.
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType('HipaaIam.RemediationResult', 'HipaaIam.RemediationPlan')]
    param(
        [string]$ProfileName,
        [string[]]$Region,
        [string]$ConfigPath,
        [string]$ExportsPath,
        [switch]$Force
    )
    $request = ConvertTo-HipaaRequest -Bound $PSBoundParameters
    $request['remediation'] = 'access-analyzer'
    Invoke-HipaaRemediation -Cmdlet $PSCmdlet -Request $request -Target 'IAM Access Analyzer' -Force:$Force
}

function New-HipaaIamUser {
    <#
    .SYNOPSIS
    Creates an IAM user the HIPAA way: in the human-users group, with the permissions boundary.
    .DESCRIPTION
    Plans and applies creating a user with the permissions boundary (unless
    -NoPermissionsBoundary) in the human-users group. -ConsoleAccess gives a console password
    that must be changed at first sign-in: -TemporaryPassword as a SecureString (never
    echoed or logged; it becomes plain text only in a buffer passed to the library, zeroed
    after the call), or omitted, a generated one returned once as a SecureString in
    GeneratedPassword. -WhatIf prints the plan.
    .PARAMETER UserName
    The new user's name.
    .PARAMETER ConsoleAccess
    Give the user a console password.
    .PARAMETER TemporaryPassword
    The temporary console password (Read-Host -AsSecureString).
    .PARAMETER NoPermissionsBoundary
    Do not set the permissions boundary.
    .PARAMETER ProfileName
    The AWS profile.
    .PARAMETER Region
    The AWS region.
    .PARAMETER ConfigPath
    A hipaa-iam.toml configuration.
    .PARAMETER ExportsPath
    Plan from an exports directory. Applying acts on the live account, and only when the
    credentials belong to the account of the exports (else nothing changes).
    .PARAMETER Force
    Apply without asking for confirmation.
    .EXAMPLE
    New-HipaaIamUser -UserName analyst.jane -WhatIf
    Shows the steps.
    .EXAMPLE
    New-HipaaIamUser -UserName analyst.jane -ConsoleAccess -TemporaryPassword (Read-Host -AsSecureString 'Password')
    Creates a console user with a password typed at the prompt.
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType('HipaaIam.RemediationResult', 'HipaaIam.RemediationPlan')]
    param(
        [Parameter(Mandatory, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string]$UserName,
        [switch]$ConsoleAccess,
        [System.Security.SecureString]$TemporaryPassword,
        [switch]$NoPermissionsBoundary,
        [string]$ProfileName,
        [string[]]$Region,
        [string]$ConfigPath,
        [string]$ExportsPath,
        [switch]$Force
    )
    if ($TemporaryPassword -and -not $ConsoleAccess) {
        throw [System.ArgumentException]::new('-TemporaryPassword needs -ConsoleAccess', 'TemporaryPassword')
    }
    $request = ConvertTo-HipaaRequest -Bound $PSBoundParameters
    $request['remediation'] = 'create-user'
    $request['user_name'] = $UserName
    $request['boundary'] = -not $NoPermissionsBoundary
    if ($ConsoleAccess) { $request['console'] = $true }
    $result = Invoke-HipaaRemediation -Cmdlet $PSCmdlet -Request $request -Target "IAM user $UserName" -Force:$Force -Secret $TemporaryPassword
    foreach ($r in @($result)) {
        if ($null -ne $r -and $r.PSObject.Properties['generated_console_password']) {
            $secure = New-Object -TypeName System.Security.SecureString
            foreach ($c in ([string]$r.generated_console_password).ToCharArray()) { $secure.AppendChar($c) }
            $secure.MakeReadOnly()
            $r.PSObject.Properties.Remove('generated_console_password')
            $r | Add-Member -NotePropertyName GeneratedPassword -NotePropertyValue $secure
        }
        $r
    }
}

function Test-HipaaIamPolicy {
    <#
    .SYNOPSIS
    Checks IAM policy documents kept in files and returns one object per problem, at its file, line and column.
    .DESCRIPTION
    Lints JSON policy documents and the policies of Terraform files, as `hipaa-iam
    lint-policy` does: actions and wildcards that match no real IAM action (typos such as
    s3:GetObjects, with the closest real action), full access, service-wide wildcards,
    NotAction with Allow, MFA conditions written with Bool (which long-term access keys
    bypass), iam:PassRole on every role, and documents that are not valid policies.
    A JSON file holds one policy document (an object with "Statement"). In a Terraform file
    (.tf) the attributes named policy or ending in _policy (assume_role_policy, an
    inline_policy's policy) are read when their value is a heredoc holding JSON or a
    jsonencode({...}) expression, and so are data "aws_iam_policy_document" blocks; a value
    that is no literal (var.bucket_arn) is an opaque string that matches nothing special. A directory is searched for *.json and *.tf files
    (hidden directories such as .terraform skipped); there a JSON file that is not a policy
    document is skipped, and one that is not valid JSON is skipped with a warning.
    Each problem is an object with File, Line, Column (in characters), Rule, Severity,
    Message and Pointer (the JSON pointer into the document). -FailOn decides failure: after
    every problem has been written to the pipeline, a terminating error (ID HipaaIam.FailOn)
    is thrown and $LASTEXITCODE is set to 1 when a problem at or above that severity exists.
    The default, none, never fails.
    .PARAMETER Path
    Policy files (JSON, Terraform .tf) and directories to search for them; relative paths are
    relative to the current location. Takes Get-ChildItem's output from the pipeline.
    .PARAMETER FailOn
    critical, high, medium, low or none (default): fail when a problem of this severity or
    above exists.
    .EXAMPLE
    Test-HipaaIamPolicy -Path .\policies, .\terraform\iam.tf | Format-Table File, Line, Column, Rule, Message
    Lists the problems of a policy directory and a Terraform file.
    .EXAMPLE
    Get-ChildItem -Path .\policies -Filter *.json | Test-HipaaIamPolicy -FailOn high
    In CI: fails on high or critical problems of the piped files.
    #>
    [CmdletBinding()]
    [OutputType('HipaaIam.PolicyProblem')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [Alias('FullName')]
        [string[]]$Path,
        [ValidateSet('critical', 'high', 'medium', 'low', 'none')]
        [string]$FailOn = 'none'
    )
    begin {
        $paths = New-Object -TypeName System.Collections.ArrayList
    }
    process {
        foreach ($p in $Path) { $null = $paths.Add((ConvertTo-HipaaFullPath -Path $p)) }
    }
    end {
        # One call for every path: the -FailOn verdict (the library's) covers them all.
        $request = [ordered]@{ paths = @($paths); fail_on = $FailOn }
        $lint = Invoke-HipaaNative -Cmdlet $PSCmdlet -Function LintPolicy -Request $request
        foreach ($w in @($lint.report.warnings)) { if ($w) { Write-Warning -Message "$w" } }
        foreach ($p in @($lint.report.problems)) {
            if ($null -eq $p) { continue }
            [PSCustomObject]@{
                File     = $p.file
                Line     = [int]$p.line
                Column   = [int]$p.column
                Rule     = $p.rule
                Severity = $p.severity
                Message  = $p.message
                Pointer  = $p.pointer
            } | Add-HipaaTypeName -TypeName 'HipaaIam.PolicyProblem'
        }
        if ($lint.verdict.failed) { Assert-HipaaVerdict -Cmdlet $PSCmdlet -Verdict $lint.verdict -What 'policy problems' }
    }
}

function ConvertTo-HipaaContext {
    # A request's context keys from a hashtable or an object (ConvertFrom-Json's): each key
    # with a string or an array of strings (a boolean as true / false, as in JSON).
    param($Context)
    $out = [ordered]@{}
    if ($null -eq $Context) { return $out }
    $isDictionary = $Context -is [System.Collections.IDictionary]
    $names = if ($isDictionary) { @($Context.Keys) } else { @($Context.PSObject.Properties | ForEach-Object { $_.Name }) }
    foreach ($name in $names) {
        $value = if ($isDictionary) { $Context[$name] } else { $Context.$name }
        $texts = @($value | ForEach-Object { if ($_ -is [bool]) { "$_".ToLowerInvariant() } else { [string]$_ } })
        $out[[string]$name] = if ($value -is [System.Array]) { $texts } else { $texts[0] }
    }
    $out
}

function Test-HipaaIamAccess {
    <#
    .SYNOPSIS
    Explains how AWS would judge requests of users and roles: allowed, denied or not granted, and the statements that decided.
    .DESCRIPTION
    Judges each request as `hipaa-iam access explain` does, from the principal's identity
    policies (its own and, for a user, its groups') within its permissions boundary. The
    request's context holds the keys given with -Context plus those the principal implies
    (aws:username, aws:userid, aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType,
    aws:PrincipalTag/*); every other key is absent. These are identity-based answers:
    resource-based policies (bucket, key, queue policies, trust policies), session policies and
    service control policies are not considered, and each answer's not_considered names those
    that apply to its resource. Requests come from the parameters or from the pipeline
    (objects with Principal, Action, Resource and optionally Context properties, such as the
    lines of a JSON-lines file through ConvertFrom-Json); the account is read once for all of
    them, and one object is written per request, in order, with principal, action, resource,
    decision (allowed, denied, not-granted), conditional_allow, conditional_deny, statements,
    path (the principals the access goes through; empty for direct access), reason,
    incomplete, not_considered and warnings.
    .PARAMETER Principal
    The user or role: its name or ARN.
    .PARAMETER Action
    The action, service:action (e.g. s3:GetObject).
    .PARAMETER Resource
    The resource's ARN (or *).
    .PARAMETER Context
    Context keys and their values, e.g. @{ 'aws:MultiFactorAuthPresent' = 'true' }.
    .PARAMETER ExportsPath
    An exports directory to read. Omitted: the live account.
    .PARAMETER ProfileName
    The AWS profile for the live account (default: the standard credential chain).
    .PARAMETER Region
    The regions of a live collection.
    .EXAMPLE
    Test-HipaaIamAccess -ExportsPath .\examples\demo-account -Principal jordan.lee -Action s3:GetObject -Resource arn:aws:s3:::phi-records/x -Context @{ 'aws:MultiFactorAuthPresent' = 'true' }
    Explains one request.
    .EXAMPLE
    Get-Content .\requests.jsonl | Where-Object { $_ } | ConvertFrom-Json | Test-HipaaIamAccess -ExportsPath .\exports | Format-Table principal, action, decision, reason
    Explains the requests of a JSON-lines file, in order.
    #>
    [CmdletBinding()]
    [OutputType('HipaaIam.AccessExplanation')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [Alias('UserName', 'RoleName')]
        [string]$Principal,
        [Parameter(Mandatory, Position = 1, ValueFromPipelineByPropertyName)]
        [string]$Action,
        [Parameter(Mandatory, Position = 2, ValueFromPipelineByPropertyName)]
        [string]$Resource,
        [Parameter(ValueFromPipelineByPropertyName)]
        $Context,
        [Alias('Exports')]
        [string]$ExportsPath,
        [string]$ProfileName,
        [string[]]$Region
    )
    begin {
        $requests = New-Object -TypeName System.Collections.ArrayList
    }
    process {
        $one = [ordered]@{ principal = $Principal; action = $Action; resource = $Resource }
        $keys = ConvertTo-HipaaContext -Context $Context
        if ($keys.Count -gt 0) { $one['context'] = $keys }
        $null = $requests.Add($one)
    }
    end {
        # One call for every request: the account is read once.
        $request = ConvertTo-HipaaRequest -Bound $PSBoundParameters
        $request['requests'] = @($requests)
        foreach ($e in @(Invoke-HipaaNative -Cmdlet $PSCmdlet -Function AccessExplain -Request $request)) {
            if ($null -eq $e) { continue }
            foreach ($w in @($e.warnings)) { if ($w) { Write-Warning -Message "$w" } }
            $e | Add-HipaaTypeName -TypeName 'HipaaIam.AccessExplanation'
        }
    }
}

function Get-HipaaIamAccessPath {
    <#
    .SYNOPSIS
    Lists every user and role that can do an action on a resource, and how.
    .DESCRIPTION
    Answers `hipaa-iam access who-can`: every user and role (service-linked roles aside)
    whose identity policies, within its permissions boundary, allow the action on the
    resource, definitely (decision allowed) or under conditions (decision conditional, with
    the condition keys in requires, MFA for aws:MultiFactorAuthPresent), and every one that
    reaches the access through other principals (assuming roles, taking over users, joining
    groups, rewriting policies), with the hops in path. One object per
    principal: principal (ARN), name, type (user, role), decision, requires, allowed_by,
    conditional_deny and path (the principals the access goes through; empty for direct
    access). These are identity-based answers: the resource-based, session and service
    control policies that were not considered are written as verbose messages, and
    principals whose policies are missing from the data as warnings.
    .PARAMETER Action
    The action, service:action (e.g. s3:GetObject).
    .PARAMETER Resource
    The resource's ARN (or *).
    .PARAMETER ExportsPath
    An exports directory to read. Omitted: the live account.
    .PARAMETER ProfileName
    The AWS profile for the live account (default: the standard credential chain).
    .PARAMETER Region
    The regions of a live collection.
    .EXAMPLE
    Get-HipaaIamAccessPath -ExportsPath .\examples\demo-account -Action s3:GetObject -Resource arn:aws:s3:::phi-records/x | Format-Table type, name, decision, requires
    Who can read an object of the PHI bucket.
    .EXAMPLE
    Get-HipaaIamAccessPath -Action kms:Decrypt -Resource arn:aws:kms:us-east-1:123456789012:key/k1 -Verbose | Where-Object decision -eq 'conditional'
    On the live account: who can decrypt with a key only under conditions (the verbose messages name the key policy, which was not considered).
    #>
    [CmdletBinding()]
    [OutputType('HipaaIam.AccessPath')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [string]$Action,
        [Parameter(Mandatory, Position = 1, ValueFromPipelineByPropertyName)]
        [string]$Resource,
        [Alias('Exports')]
        [string]$ExportsPath,
        [string]$ProfileName,
        [string[]]$Region
    )
    process {
        $request = ConvertTo-HipaaRequest -Bound $PSBoundParameters
        $request['action'] = $Action
        $request['resource'] = $Resource
        $answer = Invoke-HipaaNative -Cmdlet $PSCmdlet -Function AccessWhoCan -Request $request
        Write-Verbose -Message "$($answer.scope)"
        foreach ($n in @($answer.not_considered)) { if ($n) { Write-Verbose -Message "not considered: $n" } }
        foreach ($n in @($answer.not_evaluated)) { if ($n) { Write-Warning -Message "not evaluated: $n" } }
        foreach ($w in @($answer.warnings)) { if ($w) { Write-Warning -Message "$w" } }
        foreach ($a in @($answer.principals)) {
            if ($null -eq $a) { continue }
            $a | Add-HipaaTypeName -TypeName 'HipaaIam.AccessPath'
        }
    }
}

New-Alias -Name Audit-MFA -Value Get-HipaaMfaStatus -Force

function Compare-HipaaIamAudit {
    <#
    .SYNOPSIS
    Compares two evidence directories of earlier audits: what is new, resolved and still open since the last review.
    .DESCRIPTION
    Verifies each evidence directory (Invoke-HipaaIamAudit -OutputPath, or `hipaa-iam audit
    --output-dir`) against its manifest.json first and refuses, naming the changed files, one
    that does not verify. Then compares them as `hipaa-iam diff OLD NEW` does: a finding is
    its check and resource; it is new when it fails now and did not before, resolved when it
    failed before and does not now, still open when it fails in both (with the date it was
    first seen), changed when its status or detail changed. Also the exceptions added,
    expired and removed, the principals (IAM users and roles, Identity Center users) added
    and removed, and the failing findings per severity then and now. Organization evidence
    is compared account by account, with the accounts added and removed.
    Returns one HipaaIam.AuditDiff object (the library's JSON). -FailOn decides failure:
    after the object is written, a terminating error (ID HipaaIam.FailOn) is thrown and
    $LASTEXITCODE is set to 1 when a new or still-open failing finding reaches that severity.
    .PARAMETER OldPath
    The earlier evidence directory.
    .PARAMETER NewPath
    The later evidence directory.
    .PARAMETER FailOn
    critical, high, medium, low or none (default).
    .EXAMPLE
    Compare-HipaaIamAudit -OldPath .\reports\2026-11 -NewPath .\reports\2026-12 | Select-Object -ExpandProperty account
    Lists what changed in the month.
    .EXAMPLE
    (Compare-HipaaIamAudit .\reports\2026-11 .\reports\2026-12).account.resolved | Format-Table check_id, resource_name
    The gaps closed since the last review.
    #>
    [CmdletBinding()]
    [OutputType('HipaaIam.AuditDiff')]
    param(
        [Parameter(Mandatory, Position = 0)][string]$OldPath,
        [Parameter(Mandatory, Position = 1)][string]$NewPath,
        [ValidateSet('critical', 'high', 'medium', 'low', 'none')]
        [string]$FailOn = 'none'
    )
    $request = [ordered]@{
        old_dir = ConvertTo-HipaaFullPath -Path $OldPath
        new_dir = ConvertTo-HipaaFullPath -Path $NewPath
        fail_on = $FailOn
    }
    $diff = Invoke-HipaaNative -Cmdlet $PSCmdlet -Function Diff -Request $request
    $diff | Add-HipaaTypeName -TypeName 'HipaaIam.AuditDiff'
    if ($diff.failing -gt 0) {
        $verdict = [PSCustomObject]@{ failing = $diff.failing; fail_on = $FailOn; failing_checks = @('new or still open') }
        Assert-HipaaVerdict -Cmdlet $PSCmdlet -Verdict $verdict -What 'failing findings'
    }
}

function Start-HipaaIamAccessReview {
    <#
    .SYNOPSIS
    Writes the access review roster (access_review.csv) into an evidence directory.
    .DESCRIPTION
    Verifies the evidence directory against its manifest, then writes access_review.csv,
    one row per IAM user, IAM role and Identity Center user, with its groups, effective
    administrator access (IAM-010, IAM-022, IAM-025, administrator permission sets), MFA,
    console access, access keys, last use and open findings, and the empty columns
    Decision (keep, revoke or modify), Reviewer and Comment; the file is added to the
    directory's manifest. Copy the roster, fill it in, then sign it with
    Complete-HipaaIamAccessReview. As `hipaa-iam review start --evidence DIR` does.
    Returns an object with roster (the file), roster_id and principals.
    .PARAMETER EvidencePath
    The evidence directory (Invoke-HipaaIamAudit -OutputPath).
    .EXAMPLE
    $r = Start-HipaaIamAccessReview -EvidencePath .\reports\2026-12; Copy-Item $r.roster .\review-2026-12.csv
    Starts the review and takes a copy to fill in.
    .EXAMPLE
    Start-HipaaIamAccessReview .\reports\2026-12 | Select-Object -ExpandProperty principals
    How many principals the reviewer has to decide on.
    #>
    [CmdletBinding()]
    [OutputType('HipaaIam.AccessReviewStart')]
    param(
        [Parameter(Mandatory, Position = 0)][string]$EvidencePath
    )
    $request = [ordered]@{ evidence_dir = ConvertTo-HipaaFullPath -Path $EvidencePath }
    Invoke-HipaaNative -Cmdlet $PSCmdlet -Function ReviewStart -Request $request |
        Add-HipaaTypeName -TypeName 'HipaaIam.AccessReviewStart'
}

function Complete-HipaaIamAccessReview {
    <#
    .SYNOPSIS
    Checks a filled-in access review roster and signs the review into the evidence directory.
    .DESCRIPTION
    Checks the roster against the one Start-HipaaIamAccessReview wrote: every row needs a
    decision (keep, revoke or modify); a principal the evidence does not have, an edited
    principal column, a missing principal or a roster started on another evidence directory
    is an error naming the row. Then writes review.json (reviewer, title, time, decisions,
    counts and the roster's SHA-256), review.md and the signed roster
    (access_review_signed.csv) into the evidence directory and its manifest, so
    `hipaa-iam verify` fails when any of them is edited afterwards. As `hipaa-iam review
    sign` does. Returns the review and the changes its revoke and modify decisions imply
    (plans: never applied by this command).
    .PARAMETER EvidencePath
    The evidence directory the review was started in.
    .PARAMETER RosterPath
    The filled-in roster (a copy kept outside the evidence directory).
    .PARAMETER Reviewer
    Who reviewed and signs.
    .PARAMETER Title
    The reviewer's title.
    .EXAMPLE
    Complete-HipaaIamAccessReview -EvidencePath .\reports\2026-12 -RosterPath .\review-2026-12.csv -Reviewer 'Jane Doe' -Title 'Privacy Officer'
    Signs the review and shows the planned changes.
    .EXAMPLE
    (Complete-HipaaIamAccessReview .\reports\2026-12 -RosterPath .\review.csv -Reviewer 'Jane Doe' -Title 'CISO').plans | ForEach-Object { $_.steps }
    Lists the steps the revoke and modify decisions imply, to review and run by hand.
    #>
    [CmdletBinding()]
    [OutputType('HipaaIam.AccessReview')]
    param(
        [Parameter(Mandatory, Position = 0)][string]$EvidencePath,
        [Parameter(Mandatory)][string]$RosterPath,
        [Parameter(Mandatory)][string]$Reviewer,
        [Parameter(Mandatory)][string]$Title
    )
    $request = [ordered]@{
        evidence_dir = ConvertTo-HipaaFullPath -Path $EvidencePath
        roster       = ConvertTo-HipaaFullPath -Path $RosterPath
        reviewer     = $Reviewer
        title        = $Title
    }
    Invoke-HipaaNative -Cmdlet $PSCmdlet -Function ReviewSign -Request $request |
        Add-HipaaTypeName -TypeName 'HipaaIam.AccessReview'
}

Export-ModuleMember -Function @(
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
) -Alias @('Audit-MFA')
