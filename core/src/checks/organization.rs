//! Checks of the account's place in its AWS Organization (organization runs): IAM-033
//! org-guardrails.

use super::finding;
use crate::account::{Account, AccountOrg, OrgPolicies, PolicyState, ScpStatus};
use crate::config::Config;
use crate::findings::{
    AttachedOrgPolicy, Check, Finding, GuardrailLevel, GuardrailState, OrgGuardrails, ResourceType, Severity, Status,
};
use crate::policy::CeilingKind;

/// This family's checks.
pub(crate) static CHECKS: &[&Check] = &[&ORG_GUARDRAILS];

/// IAM-033 org-guardrails: its catalogue entry and the function that decides it.
pub(crate) static ORG_GUARDRAILS: Check = Check {
    id: "IAM-033",
    slug: "org-guardrails",
    title: "Service control policies guard the account",
    severity: Severity::Medium,
    resource_type: ResourceType::Account,
    hipaa: &["§164.308(a)(4)(ii)(B)"],
    description: "Organization runs, one finding per account: fails when no service control policy restricts anything in the account, that is when every SCP that applies to it, directly or through its organizational units and the root, lets every action through on every resource (only FullAWSAccess, or SCPs that allow everything and deny nothing), or when SCPs are not enabled in the organization. Decided from the policies' documents: an SCP restricts when some level of the account's chain (root, each organizational unit, the account) has no SCP allowing every action, or an SCP denies some action; the detail lists the SCPs attached at each level and what restricts. AWS semantics: an action is permitted by SCPs only if at every level of the chain some attached SCP allows it and no SCP anywhere in the chain denies it; SCPs never apply to the management account (not-evaluated there: nothing can guard it) nor to service-linked roles. Outside organization runs, or when the organization's policies could not be read (the run is not from the management account or a delegated administrator), not-evaluated with the reason.",
    remediation: "Attach service control policies that deny what no workload of the account needs (leaving the organization, disabling CloudTrail or GuardDuty, IAM user and access key creation, regions not in use) to the account's organizational unit or the root.",
    remediate: None,
    run: org_guardrails,
};

/// The SCPs attached at each level: `root r-ab12: FullAWSAccess (p-FullAWSAccess); OU
/// Clinical (ou-...): FullAWSAccess (p-FullAWSAccess), DenyIAM (p-...); account ...: ...`.
pub(crate) fn by_level(org: &AccountOrg, kind: CeilingKind) -> Option<String> {
    let PolicyState::Attached(levels) = org.policies(kind) else {
        return None;
    };
    let parts: Vec<String> = org
        .path
        .iter()
        .zip(levels)
        .map(|(node, policies)| {
            let names: Vec<String> = policies.iter().map(|p| p.label()).collect();
            let names = if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            };
            format!("{}: {names}", node.describe())
        })
        .collect();
    Some(parts.join("; "))
}

/// IAM-033 org-guardrails.
pub(crate) fn org_guardrails(account: &Account, _config: &Config) -> Vec<Finding> {
    let id = account.account_id.clone().unwrap_or_default();
    let partition = account
        .users
        .iter()
        .map(|u| u.arn.as_str())
        .chain(account.roles.iter().map(|r| r.arn.as_str()))
        .find_map(crate::aws::partition_of)
        .unwrap_or_else(|| "aws".to_string());
    let arn = format!("arn:{partition}:iam::{id}:root");
    let name = if id.is_empty() { "account".to_string() } else { id };
    let (status, detail) = match account.organization.scp_status() {
        ScpStatus::NotCollected => (
            Status::NotEvaluated,
            "not an organization run: the service control policies were not collected (`hipaa-iam audit --org` judges them)"
                .to_string(),
        ),
        ScpStatus::Unknown(why) => (
            Status::NotEvaluated,
            format!("the service control policies that apply to the account are unknown: {why}"),
        ),
        ScpStatus::ManagementAccount => (
            Status::NotEvaluated,
            "the organization's management account: service control policies never apply to it, so no SCP can guard it; keep workloads and PHI out of it"
                .to_string(),
        ),
        ScpStatus::NotEnabled(why) => (Status::Fail, format!("no service control policy applies: {why}")),
        ScpStatus::Apply => judge(&account.organization),
    };
    vec![finding(&ORG_GUARDRAILS, &arn, &name, status, detail)]
}

fn judge(policies: &OrgPolicies) -> (Status, String) {
    let Some(org) = policies.known() else {
        return (Status::NotEvaluated, "the organization's data is unknown".to_string());
    };
    let attached = by_level(org, CeilingKind::ServiceControl).unwrap_or_default();
    let chain = org
        .ceiling()
        .chains
        .iter()
        .find(|c| c.kind == CeilingKind::ServiceControl);
    let limits = chain.map(|c| c.limits()).unwrap_or_default();
    if limits.is_empty() {
        let only_full = matches!(org.policies(CeilingKind::ServiceControl), PolicyState::Attached(levels)
            if levels.iter().flatten().all(|p| p.is_full_access()));
        let what = if only_full {
            "only FullAWSAccess applies"
        } else {
            "the service control policies that apply restrict nothing (each allows every action and none denies one)"
        };
        (Status::Fail, format!("{what}: {attached}"))
    } else {
        (
            Status::Pass,
            format!(
                "service control policies restrict the account: {}; attached: {attached}",
                limits.join("; ")
            ),
        )
    }
}

/// The account's organization policies for the report ([`AuditReport::organization`]):
/// `None` outside organization runs.
///
/// [`AuditReport::organization`]: crate::findings::AuditReport::organization
pub(crate) fn guardrails(account: &Account) -> Option<OrgGuardrails> {
    let org = match &account.organization {
        OrgPolicies::NotCollected => return None,
        OrgPolicies::Unknown(why) => {
            return Some(OrgGuardrails {
                organization_id: None,
                scp: GuardrailState::Unknown,
                scp_reason: Some(why.clone()),
                rcp: GuardrailState::Unknown,
                rcp_reason: Some(why.clone()),
                levels: Vec::new(),
                scp_restricts: false,
            })
        }
        OrgPolicies::Known(org) => org,
    };
    let state = |kind: CeilingKind| match org.policies(kind) {
        _ if org.is_management() => (GuardrailState::ManagementAccount, None),
        PolicyState::Attached(_) => (GuardrailState::Apply, None),
        PolicyState::NotEnabled(why) => (GuardrailState::NotEnabled, Some(why.clone())),
        PolicyState::Unknown(why) => (GuardrailState::Unknown, Some(why.clone())),
    };
    let (scp, scp_reason) = state(CeilingKind::ServiceControl);
    let (rcp, rcp_reason) = state(CeilingKind::ResourceControl);
    let attached = |kind: CeilingKind, i: usize| -> Vec<AttachedOrgPolicy> {
        match org.policies(kind) {
            PolicyState::Attached(levels) => levels
                .get(i)
                .map(|ps| {
                    ps.iter()
                        .map(|p| AttachedOrgPolicy {
                            id: p.id.clone(),
                            name: p.name.clone(),
                            full_access: p.is_full_access(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    };
    let levels = org
        .path
        .iter()
        .enumerate()
        .map(|(i, node)| GuardrailLevel {
            node: node.clone(),
            scps: attached(CeilingKind::ServiceControl, i),
            rcps: attached(CeilingKind::ResourceControl, i),
        })
        .collect();
    let scp_restricts = scp == GuardrailState::Apply
        && org
            .ceiling()
            .chains
            .iter()
            .any(|c| c.kind == CeilingKind::ServiceControl && !c.lets_everything_through());
    Some(OrgGuardrails {
        organization_id: Some(org.organization_id.clone()),
        scp,
        scp_reason,
        rcp,
        rcp_reason,
        levels,
        scp_restricts,
    })
}
