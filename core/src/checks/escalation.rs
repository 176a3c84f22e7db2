//! Checks decided on the access graph ([`crate::account::graph`]): IAM-023
//! privilege-escalation, IAM-025 admin-via-role, IAM-026 role-privilege-escalation. Each
//! finding's detail gives the path hop by hop.

use std::collections::BTreeMap;

use super::policies::{is_are, org_note, user_admin, AdminVerdict};
use super::{finding, from_source, listed, missing_groups};
use crate::account::graph::{every_hop_needs_mfa, AccessGraph, AdminRoles, Escalations, Gains, NodeId, EXAMINED};
use crate::account::{boundary_of, Account, Labelled};
use crate::config::Config;
use crate::findings::{Check, Finding, Remediation, ResourceType, Severity, Status};
use crate::policy::{Document, Principal};

/// This family's checks.
pub(crate) static CHECKS: &[&Check] = &[&PRIVILEGE_ESCALATION, &ADMIN_VIA_ROLE, &ROLE_PRIVILEGE_ESCALATION];

const SOURCE: &str = "authorization";

/// How many paths a finding writes out.
const SHOWN: usize = 5;

/// Why a user without an escalation path is not known to have none: documents it depends on
/// are not in the data (its managed policies, boundary or groups), or it may add itself to a
/// group the data does not describe (named in other users' `GroupList`).
fn escalation_unknown(
    l: &Labelled<'_>,
    b: &Result<Option<&Document>, String>,
    principal: &Principal<'_>,
    missing_groups: &BTreeMap<&str, Vec<&str>>,
) -> Option<String> {
    let mut gone = l.unknown();
    if let Err(arn) = b {
        gone.push(format!("permissions boundary {arn}"));
    }
    let mut why = Vec::new();
    if !gone.is_empty() {
        why.push(format!("{} not in the data", is_are(&gone)));
    }
    let others: Vec<&str> = missing_groups
        .keys()
        .copied()
        .filter(|g| !l.missing_groups.contains(g))
        .collect();
    if !others.is_empty() && principal.may_allow("iam:AddUserToGroup") {
        why.push(format!(
            "iam:AddUserToGroup may be allowed on group {}, which {} not in the data",
            listed(&others, 5),
            if others.len() == 1 { "is" } else { "are" }
        ));
    }
    (!why.is_empty()).then(|| why.join("; "))
}

/// The detail of a principal with escalation paths: each path written out with what it
/// gains, then how many more there are.
fn paths_detail(graph: &AccessGraph, account: &Account, start: NodeId, gains: &Gains) -> String {
    let shown: Vec<String> = gains
        .shown
        .iter()
        .map(|g| {
            let hops = graph.hops(account, &g.path);
            format!("{} (gains {})", graph.render(account, start, &g.path, &hops), g.what)
        })
        .collect();
    let more = gains.total - gains.shown.len();
    let more = match (more, gains.stopped) {
        (0, false) => String::new(),
        (n, false) => format!("; and {n} more"),
        (n, true) => format!(
            "; and at least {n} more (only the nearest {EXAMINED} principals were examined once a path was found)"
        ),
    };
    format!("escalation paths: {}{more}", shown.join("; "))
}

/// IAM-023 privilege-escalation: its catalogue entry and the function that decides it.
pub(crate) static PRIVILEGE_ESCALATION: Check = Check {
    id: "IAM-023",
    slug: "privilege-escalation",
    title: "Users cannot escalate their own privileges",
    severity: Severity::High,
    resource_type: ResourceType::User,
    hipaa: &["§164.308(a)(3)(i)", "§164.308(a)(4)(ii)(B)"],
    description: "Fails for each user who is not an administrator but can obtain access it does not already have through a path of the access graph (docs/checks.md, \"The access graph\"): rewriting the policies of itself, its groups or a principal it can become (iam:Attach/Put User, Group or Role Policy, iam:CreatePolicyVersion and iam:SetDefaultPolicyVersion on a customer policy attached to it, iam:Put/Delete permissions boundaries of a principal that has one), iam:AddUserToGroup on a group it is not in, taking over another user (iam:CreateAccessKey, iam:CreateLoginProfile on a user without a password, iam:UpdateLoginProfile on one with a password), iam:UpdateAssumeRolePolicy, or iam:PassRole to a role an AWS service can assume together with an action that hands a role to new compute (every action of the reviewed list in docs/checks.md, \"Actions that hand a role to new compute\"), possibly after assuming roles. In organization runs every hop and every gain is capped by the service control policies that apply to the account. A path counts only when its target grants some action the user does not already have (on some resource, or on every resource where the user has it only on some): adding oneself to a group that grants nothing new, or taking over a user with no permissions, is not escalation. Paths that only assume roles are judged by IAM-025. Allows under conditions the data cannot decide count, and the detail names what each hop requires (MFA, a condition key). Without a path, a user whose group, managed policy or boundary is missing from the data, or who may add itself to a group missing from the data, is not-evaluated.",
    remediation: "Remove the escalation permission or put the permissions-boundary-base boundary on the user.",
    remediate: Some(Remediation::PermissionsBoundary),
    run: privilege_escalation,
};

/// IAM-023 privilege-escalation.
pub(crate) fn privilege_escalation(account: &Account, _config: &Config) -> Vec<Finding> {
    let graph = account.access_graph();
    let missing_groups = missing_groups(account);
    let mut escalations = Escalations::new(account, SHOWN);
    account
        .users
        .iter()
        .enumerate()
        .filter_map(|(i, u)| {
            if user_admin(account, u).status == Status::Fail {
                // Administrators are reported by IAM-010.
                return None;
            }
            let n = graph.user(i);
            let gains = escalations.of(n);
            let (status, detail) = if gains.total > 0 {
                (Status::Fail, paths_detail(graph, account, n, &gains))
            } else {
                let l = Labelled::user(account, u);
                let b = boundary_of(account, u.permissions_boundary.as_ref());
                let principal = l.principal(b.as_ref().ok().copied().flatten());
                match escalation_unknown(&l, &b, &principal, &missing_groups) {
                    Some(why) => (
                        Status::NotEvaluated,
                        format!("no escalation path in the policies present, but {why}"),
                    ),
                    None => (
                        Status::Pass,
                        "no path of the access graph gains access the user does not already have".to_string(),
                    ),
                }
            };
            Some(from_source(
                finding(&PRIVILEGE_ESCALATION, &u.arn, &u.user_name, status, detail),
                account,
                SOURCE,
            ))
        })
        .collect()
}

/// IAM-025 admin-via-role: its catalogue entry and the function that decides it.
pub(crate) static ADMIN_VIA_ROLE: Check = Check {
    id: "IAM-025",
    slug: "admin-via-role",
    title: "Users cannot become administrators by assuming roles",
    severity: Severity::High,
    resource_type: ResourceType::User,
    hipaa: &["§164.308(a)(3)(i)", "§164.308(a)(4)(ii)(B)", "§164.312(a)(1)"],
    description: "Fails for each user who is not an administrator by its own policies (IAM-010 does not fail) but can reach a role with full administrator access by assuming roles, directly or through a chain. Each hop needs the caller's identity policies, within its permissions boundary, to allow sts:AssumeRole on the role (possibly under conditions) and the role's trust policy to trust the caller: by its ARN (then, in the same account, only the boundary has to allow it), by its account (root or ID) or by *, within the trust policy's conditions. The detail gives the path hop by hop and whether every hop requires MFA. In organization runs the service control policies that apply to the account cap every hop and the role's access (a role whose SCPs deny part of every action is not a full administrator); outside them they are unknown, and the detail says so. Without a path, a user whose group, managed policy or boundary is missing from the data is not-evaluated.",
    remediation: "Limit who may assume administrator roles (the trust policy's principals and the sts:AssumeRole permission), require MFA on every hop, and review the role's need for full access.",
    remediate: None,
    run: admin_via_role,
};

/// IAM-025 admin-via-role.
pub(crate) fn admin_via_role(account: &Account, _config: &Config) -> Vec<Finding> {
    let graph = account.access_graph();
    let mut admins = AdminRoles::new(account);
    account
        .users
        .iter()
        .enumerate()
        .filter_map(|(i, u)| {
            let own: AdminVerdict = user_admin(account, u);
            if own.status == Status::Fail {
                // Administrators by their own policies are reported by IAM-010.
                return None;
            }
            let n = graph.user(i);
            let paths = admins.of(n);
            let (status, detail) = if let Some(first) = paths.first() {
                let l = graph.labelled(account, first.last().map_or(n, |s| s.to));
                let via = l.granting_everything().join("; ");
                let hops = graph.hops(account, first);
                let mfa = if every_hop_needs_mfa(&hops) {
                    "every hop requires MFA"
                } else {
                    "not every hop requires MFA"
                };
                let more = match paths.len() - 1 {
                    0 => String::new(),
                    1 => "; 1 more role with full access is reachable".to_string(),
                    k => format!("; {k} more roles with full access are reachable"),
                };
                (
                    Status::Fail,
                    format!(
                        "can become a full administrator by assuming roles: {} -> {via} ({mfa}){more}; {}",
                        graph.render(account, n, first, &hops),
                        org_note(account, l.ceiling.is_some())
                    ),
                )
            } else if own.status == Status::NotEvaluated {
                (
                    Status::NotEvaluated,
                    format!(
                        "no role with full access is reachable in the data present, but {}",
                        own.detail
                    ),
                )
            } else {
                (
                    Status::Pass,
                    "no role with full administrator access is reachable by assuming roles".to_string(),
                )
            };
            Some(from_source(
                finding(&ADMIN_VIA_ROLE, &u.arn, &u.user_name, status, detail),
                account,
                SOURCE,
            ))
        })
        .collect()
}

/// IAM-026 role-privilege-escalation: its catalogue entry and the function that decides it.
pub(crate) static ROLE_PRIVILEGE_ESCALATION: Check = Check {
    id: "IAM-026",
    slug: "role-privilege-escalation",
    title: "Roles cannot escalate their own privileges",
    severity: Severity::High,
    resource_type: ResourceType::Role,
    hipaa: &["§164.308(a)(3)(i)", "§164.308(a)(4)(ii)(B)"],
    description: "Fails for each role that is not service-linked and not a full administrator (IAM-022 does not fail) but can obtain access it does not already have through the paths of IAM-023: iam:AttachRolePolicy or iam:PutRolePolicy on itself, a new version of a customer policy attached to it, iam:PassRole to a more powerful role with a compute-creating action, taking over a user, rewriting a role's trust policy, possibly after assuming roles. A path counts only when its target grants something the role does not already have. In organization runs every hop and every gain is capped by the service control policies that apply to the account. Without a path, a role whose managed policy or boundary is missing from the data is not-evaluated.",
    remediation: "Remove the escalation permission from the role or give it a permissions boundary that denies changing IAM.",
    remediate: None,
    run: role_privilege_escalation,
};

/// IAM-026 role-privilege-escalation.
pub(crate) fn role_privilege_escalation(account: &Account, _config: &Config) -> Vec<Finding> {
    let graph = account.access_graph();
    let mut escalations = Escalations::new(account, SHOWN);
    let mut admins = AdminRoles::new(account);
    account
        .roles
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.is_service_linked())
        .filter_map(|(i, r)| {
            let n = graph.role(i);
            if admins.is_admin(n) {
                // Reported by IAM-022.
                return None;
            }
            let gains = escalations.of(n);
            let l = Labelled::role(account, r);
            let b = boundary_of(account, r.permissions_boundary.as_ref());
            let mut gone = l.unknown();
            if let Err(arn) = &b {
                gone.push(format!("permissions boundary {arn}"));
            }
            let (status, detail) = if gains.total > 0 {
                (Status::Fail, paths_detail(graph, account, n, &gains))
            } else if !gone.is_empty() {
                (
                    Status::NotEvaluated,
                    format!(
                        "no escalation path in the policies present, but {} not in the data",
                        is_are(&gone)
                    ),
                )
            } else {
                (
                    Status::Pass,
                    "no path of the access graph gains access the role does not already have".to_string(),
                )
            };
            Some(from_source(
                finding(&ROLE_PRIVILEGE_ESCALATION, &r.arn, &r.role_name, status, detail),
                account,
                SOURCE,
            ))
        })
        .collect()
}
