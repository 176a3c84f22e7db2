//! IAM Access Analyzer: IAM-019 access-analyzer-enabled, IAM-020 access-analyzer-findings.

use super::{finding, unavailable};
use crate::account::{file, Account, Collected, RegionAnalyzers};
use crate::config::Config;
use crate::findings::{Check, Finding, Remediation, ResourceType, Severity, Status};

/// This family's checks.
pub(crate) static CHECKS: &[&Check] = &[&ACCESS_ANALYZER_ENABLED, &ACCESS_ANALYZER_FINDINGS];

/// The audited regions: the configured ones, else those the account data has files for.
pub(crate) fn audited_regions(account: &Account, config: &Config) -> Vec<String> {
    let mut regions: Vec<String> = if config.regions.is_empty() {
        account.access_analyzer.keys().cloned().collect()
    } else {
        config.regions.clone()
    };
    regions.sort();
    regions.dedup();
    regions
}

fn region_arn(account: &Account, region: &str) -> String {
    format!(
        "arn:aws:access-analyzer:{region}:{}:analyzer/*",
        account.account_id.as_deref().unwrap_or("")
    )
}

const NO_DATA: RegionAnalyzers = RegionAnalyzers {
    analyzers: Collected::No,
    findings: Collected::No,
};

/// One finding when no region is audited at all.
fn no_region(account: &Account, check: &'static Check) -> Vec<Finding> {
    vec![finding(
        check,
        &region_arn(account, "*"),
        "(no region)",
        Status::NotEvaluated,
        format!(
            "no {}/<region>/ files and no audited region configured: Access Analyzer was not collected",
            file::ACCESS_ANALYZER_DIR
        ),
    )]
}

/// IAM-019 access-analyzer-enabled: its catalogue entry and the function that decides it.
pub(crate) static ACCESS_ANALYZER_ENABLED: Check = Check {
    id: "IAM-019",
    slug: "access-analyzer-enabled",
    title: "IAM Access Analyzer is enabled in every audited region",
    severity: Severity::High,
    resource_type: ResourceType::Region,
    hipaa: &["§164.312(b)", "§164.308(a)(1)(ii)(D)"],
    description: "Fails for each audited region with no ACTIVE external-access analyzer (account or organization).",
    remediation: "Create an ACCOUNT analyzer in the region.",
    remediate: Some(Remediation::AccessAnalyzer),
    run: analyzer_enabled,
};

/// IAM-019 access-analyzer-enabled.
pub(crate) fn analyzer_enabled(account: &Account, config: &Config) -> Vec<Finding> {
    let check = &ACCESS_ANALYZER_ENABLED;
    let regions = audited_regions(account, config);
    if regions.is_empty() {
        return no_region(account, check);
    }
    regions
        .iter()
        .map(|region| {
            let data = account.access_analyzer.get(region).unwrap_or(&NO_DATA);
            let path = file::analyzers(region);
            let (status, detail) = match &data.analyzers {
                Collected::Yes(list) => match list.iter().find(|a| a.is_active_external_access()) {
                    Some(a) => (Status::Pass, format!("ACTIVE {} analyzer {}", a.analyzer_type, a.name)),
                    None if list.is_empty() => (Status::Fail, format!("no analyzer in {region}")),
                    None => {
                        let seen: Vec<String> = list
                            .iter()
                            .map(|a| format!("{} ({} {})", a.name, a.analyzer_type, a.status))
                            .collect();
                        (
                            Status::Fail,
                            format!(
                                "no ACTIVE external-access analyzer in {region}; found {}",
                                seen.join(", ")
                            ),
                        )
                    }
                },
                other => unavailable(other, &path).unwrap_or((Status::NotEvaluated, String::new())),
            };
            let mut f = finding(check, &region_arn(account, region), region, status, detail);
            if data.analyzers.get().is_some() {
                f.source_file = Some(path.into());
            }
            f
        })
        .collect()
}

/// IAM-020 access-analyzer-findings: its catalogue entry and the function that decides it.
pub(crate) static ACCESS_ANALYZER_FINDINGS: Check = Check {
    id: "IAM-020",
    slug: "access-analyzer-findings",
    title: "No resource is reachable from outside the account",
    severity: Severity::High,
    resource_type: ResourceType::Finding,
    hipaa: &["§164.312(b)", "§164.312(a)(1)"],
    description: "Fails for each ACTIVE Access Analyzer finding that shows a resource reachable from outside the account.",
    remediation: "Remove the external access from the resource's policy, or archive the finding if the access is intended and documented.",
    remediate: None,
    run: analyzer_findings,
};

/// IAM-020 access-analyzer-findings.
pub(crate) fn analyzer_findings(account: &Account, config: &Config) -> Vec<Finding> {
    let check = &ACCESS_ANALYZER_FINDINGS;
    let regions = audited_regions(account, config);
    if regions.is_empty() {
        return no_region(account, check);
    }
    let mut out = Vec::new();
    for region in &regions {
        let data = account.access_analyzer.get(region).unwrap_or(&NO_DATA);
        let path = file::analyzer_findings(region);
        let region_finding = |status, detail| {
            let mut f = finding(check, &region_arn(account, region), region, status, detail);
            if data.findings.get().is_some() {
                f.source_file = Some(path.as_str().into());
            }
            f
        };
        match &data.findings {
            Collected::Yes(list) => {
                let external: Vec<_> = list
                    .iter()
                    .filter(|f| f.status.eq_ignore_ascii_case("ACTIVE"))
                    .filter(|f| {
                        f.finding_type
                            .as_deref()
                            .is_none_or(|t| t.eq_ignore_ascii_case("ExternalAccess"))
                    })
                    .collect();
                if external.is_empty() {
                    out.push(region_finding(
                        Status::Pass,
                        format!(
                            "no ACTIVE external-access finding in {region} ({} finding(s) in total)",
                            list.len()
                        ),
                    ));
                }
                for af in external {
                    let resource = af.resource.clone().unwrap_or_default();
                    let owner = af.resource_owner_account.as_deref().unwrap_or("?");
                    let mut f = finding(
                        check,
                        &resource,
                        &af.id,
                        Status::Fail,
                        format!(
                            "{} {resource} (owner {owner}, {region}) is reachable from outside the account (finding {})",
                            af.resource_type, af.id
                        ),
                    );
                    f.source_file = Some(path.as_str().into());
                    out.push(f);
                }
            }
            other => {
                let (s, d) = unavailable(other, &path).unwrap_or((Status::NotEvaluated, String::new()));
                let why = match data.analyzers.get() {
                    Some(list) if !list.iter().any(|a| a.is_active_external_access()) => {
                        " (the region has no ACTIVE analyzer: see IAM-019)"
                    }
                    _ => "",
                };
                out.push(region_finding(s, format!("{d}{why}")));
            }
        }
    }
    out
}
