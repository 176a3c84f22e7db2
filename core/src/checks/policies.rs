//! Checks decided by evaluating policy documents (never by names): IAM-009
//! boundary-guardrails, IAM-010 user-admin-access, IAM-011 service-wildcards, IAM-022
//! role-admin-access, IAM-023 privilege-escalation.
//!
//! A managed policy referenced but absent from the data, or a group that a user's
//! `GroupList` names but `GroupDetailList` lacks (a file made with `--filter User`), is
//! treated conservatively: it is assumed to deny nothing (and a missing boundary to restrict
//! nothing), and a user or role that is not found to have the access from the documents
//! present is `not-evaluated` rather than passed, since the missing document might grant it.

use super::{finding, from_source, group_arn, listed, missing_groups};
use crate::account::{boundary_of, Account, Labelled, User};
use crate::config::Config;
use crate::findings::{Check, Finding, Remediation, ResourceType, Severity, Status};
use crate::policy::{evaluate, unknown_actions, Context, Decision, Document, WildcardScope};

/// This family's checks.
pub(crate) static CHECKS: &[&Check] = &[
    &BOUNDARY_GUARDRAILS,
    &USER_ADMIN_ACCESS,
    &SERVICE_WILDCARDS,
    &ROLE_ADMIN_ACCESS,
    &POLICY_UNKNOWN_ACTIONS,
];

const SOURCE: &str = "authorization";

/// `a is` / `a, b are`.
pub(crate) fn is_are(items: &[String]) -> String {
    match items {
        [one] => format!("{one} is"),
        many => format!("{} are", many.join(", ")),
    }
}

/// The admin verdict of a principal, shared by IAM-010, IAM-022 and IAM-023.
pub(crate) struct AdminVerdict {
    pub status: Status,
    pub detail: String,
}

/// The admin verdict of documents that are not one account's principal (an Identity Center
/// permission set, judged as written): no organization policy caps them here.
pub(crate) fn admin_verdict(
    labelled: &Labelled<'_>,
    boundary: &Result<Option<&Document>, String>,
    what: &str,
) -> AdminVerdict {
    verdict(None, labelled, boundary, what)
}

/// The admin verdict of a user or role of `account`: capped by the organization's policies
/// that apply to it, and a failing detail says what they are to it (they let it through, do
/// not apply, or are unknown).
fn account_admin_verdict(
    account: &Account,
    labelled: &Labelled<'_>,
    boundary: &Result<Option<&Document>, String>,
    what: &str,
) -> AdminVerdict {
    verdict(Some(account), labelled, boundary, what)
}

fn verdict(
    account: Option<&Account>,
    labelled: &Labelled<'_>,
    boundary: &Result<Option<&Document>, String>,
    what: &str,
) -> AdminVerdict {
    let b = boundary.as_ref().ok().copied().flatten();
    let principal = labelled.principal(b);
    let unknown = labelled.unknown();
    let missing_note = if unknown.is_empty() {
        String::new()
    } else {
        format!("; {} not in the data (assumed to deny nothing)", is_are(&unknown))
    };
    if principal.allows_everything_uncapped() {
        let via = labelled.granting_everything().join("; ");
        let bnote = match boundary {
            Ok(Some(_)) => " and the permissions boundary allows everything too",
            Ok(None) => " and no permissions boundary limits it",
            Err(_) => " (the permissions boundary is not in the data: assumed to restrict nothing)",
        };
        let limits = principal.ceiling.map(|c| c.limits()).unwrap_or_default();
        if !limits.is_empty() {
            return AdminVerdict {
                status: Status::Pass,
                detail: format!(
                    "not full access: {what} every action on every resource through {via}{bnote}, but the organization's policies cap it: {}{missing_note}",
                    limits.join("; ")
                ),
            };
        }
        let org = account
            .map(|a| format!("; {}", org_note(a, principal.ceiling.is_some())))
            .unwrap_or_default();
        return AdminVerdict {
            status: Status::Fail,
            detail: format!("{what} every action on every resource through {via}{bnote}{org}{missing_note}"),
        };
    }
    if !unknown.is_empty() {
        return AdminVerdict {
            status: Status::NotEvaluated,
            detail: format!(
                "the policies present do not grant full access, but {} not in the data and might",
                is_are(&unknown)
            ),
        };
    }
    let why = if !principal.identity_grants_every_action() {
        "no unconditional Allow of * on *".to_string()
    } else {
        match b {
            Some(_) => "an Allow of * on * exists, but the permissions boundary or a Deny limits it".to_string(),
            None => "an Allow of * on * exists, but a Deny statement removes part of it".to_string(),
        }
    };
    AdminVerdict {
        status: Status::Pass,
        detail: format!("not full access: {why}"),
    }
}

/// What the organization's policies say of a principal's full access, for a failing
/// admin verdict: they let it through (`capped`: a ceiling applies), they do not apply
/// (the management account), or they are unknown (not an organization run, or unreadable).
pub(crate) fn org_note(account: &Account, capped: bool) -> String {
    match account.organization.scp_status().note() {
        Some(note) if capped => format!("{note}; the resource control policies that apply let it through"),
        Some(note) => note,
        None => "the service control policies that apply let it through".to_string(),
    }
}

/// Whether `user` is an administrator (IAM-010's verdict).
pub(crate) fn user_admin(account: &Account, u: &User) -> AdminVerdict {
    let l = Labelled::user(account, u);
    account_admin_verdict(
        account,
        &l,
        &boundary_of(account, u.permissions_boundary.as_ref()),
        "the user's policies allow",
    )
}

/// IAM-010 user-admin-access: its catalogue entry and the function that decides it.
pub(crate) static USER_ADMIN_ACCESS: Check = Check {
    id: "IAM-010",
    slug: "user-admin-access",
    title: "Users do not have full administrator access",
    severity: Severity::High,
    resource_type: ResourceType::User,
    hipaa: &["§164.308(a)(3)(i)", "§164.308(a)(4)(ii)(B)", "§164.312(a)(1)"],
    description: "Fails for each user whose effective identity permissions (user and group policies, managed and inline, intersected with the permissions boundary, and in organization runs capped by the service control policies that apply to the account) allow every action on every resource through statements without conditions. Decided from policy documents, never names, over the IAM action catalogue: every action means every real action (an Allow of NotAction with a name no service has is full access; a Deny that names no real action removes nothing). A service control policy caps only when every level from the root to the account allows an action and none denies it: a user whose own policies grant everything in an account whose SCPs deny iam:* passes, and the detail names the SCP and where it is attached. Outside organization runs the SCPs are unknown and the detail says so; in the management account they do not apply. A user whose group or managed policy is missing from the data is not-evaluated unless the documents present already grant everything.",
    remediation: "Replace full administrator access with job-specific permissions; keep administrators few, behind MFA and a boundary.",
    remediate: Some(Remediation::PermissionsBoundary),
    run: user_admin_access,
};

/// IAM-010 user-admin-access.
pub(crate) fn user_admin_access(account: &Account, _config: &Config) -> Vec<Finding> {
    account
        .users
        .iter()
        .map(|u| {
            let v = user_admin(account, u);
            from_source(
                finding(&USER_ADMIN_ACCESS, &u.arn, &u.user_name, v.status, v.detail),
                account,
                SOURCE,
            )
        })
        .collect()
}

/// IAM-022 role-admin-access: its catalogue entry and the function that decides it.
pub(crate) static ROLE_ADMIN_ACCESS: Check = Check {
    id: "IAM-022",
    slug: "role-admin-access",
    title: "Roles do not have full administrator access",
    severity: Severity::Medium,
    resource_type: ResourceType::Role,
    hipaa: &["§164.308(a)(4)(ii)(B)"],
    description: "Fails for each role that is not service-linked whose permissions (intersected with its boundary, and in organization runs capped by the service control policies that apply to the account, as for IAM-010) allow every action on every resource through statements without conditions.",
    remediation: "Scope the role's policies to the actions and resources its workload needs.",
    remediate: None,
    run: role_admin_access,
};

/// IAM-022 role-admin-access.
pub(crate) fn role_admin_access(account: &Account, _config: &Config) -> Vec<Finding> {
    account
        .roles
        .iter()
        .filter(|r| !r.is_service_linked())
        .map(|r| {
            let l = Labelled::role(account, r);
            let v = account_admin_verdict(
                account,
                &l,
                &boundary_of(account, r.permissions_boundary.as_ref()),
                "the role's policies allow",
            );
            from_source(
                finding(&ROLE_ADMIN_ACCESS, &r.arn, &r.role_name, v.status, v.detail),
                account,
                SOURCE,
            )
        })
        .collect()
}

/// IAM-011 service-wildcards: its catalogue entry and the function that decides it.
pub(crate) static SERVICE_WILDCARDS: Check = Check {
    id: "IAM-011",
    slug: "service-wildcards",
    title: "Customer policies do not grant service-wide wildcards",
    severity: Severity::Medium,
    resource_type: ResourceType::Policy,
    hipaa: &["§164.308(a)(4)(ii)(B)"],
    description: "Fails for each customer-managed or inline policy that allows service:* or * actions (or everything but a NotAction list) on resource *, judged over the IAM action catalogue: a wildcard the policy's own unconditional Deny on * cancels entirely, a wildcard of a service no AWS service has, and NotAction * grant nothing and do not fail; a NotAction of names no service has is every action.",
    remediation: "Replace wildcard actions with the specific actions the job needs, or scope the resources.",
    remediate: None,
    run: service_wildcards,
};

/// Customer-managed policies (their default version) and the inline policies of users,
/// groups and roles that are not service-linked: `(ARN, name, document)`, where an inline
/// policy has its owner's ARN and the name `owner/policy`. The policies IAM-011 and IAM-024
/// judge.
fn customer_documents(account: &Account) -> Vec<(&str, String, &Document)> {
    let mut out: Vec<(&str, String, &Document)> = Vec::new();
    for p in account.policies.iter().filter(|p| !p.is_aws_managed()) {
        if let Some(d) = p.default_document() {
            out.push((&p.arn, p.policy_name.clone(), &d.document));
        }
    }
    for u in &account.users {
        for p in &u.user_policy_list {
            out.push((
                &u.arn,
                format!("{}/{}", u.user_name, p.policy_name),
                &p.policy_document.document,
            ));
        }
    }
    for g in &account.groups {
        for p in &g.group_policy_list {
            out.push((
                &g.arn,
                format!("{}/{}", g.group_name, p.policy_name),
                &p.policy_document.document,
            ));
        }
    }
    for r in account.roles.iter().filter(|r| !r.is_service_linked()) {
        for p in &r.role_policy_list {
            out.push((
                &r.arn,
                format!("{}/{}", r.role_name, p.policy_name),
                &p.policy_document.document,
            ));
        }
    }
    out
}

/// One finding per [customer document](customer_documents), judged by `judge` (status and
/// detail), then a not-evaluated finding for each group the data does not describe (its
/// inline policies are unknown).
fn judge_customer_documents(
    account: &Account,
    check: &'static Check,
    judge: impl Fn(&Document) -> (Status, String),
) -> Vec<Finding> {
    let mut out: Vec<Finding> = customer_documents(account)
        .into_iter()
        .map(|(arn, name, doc)| {
            let (status, detail) = judge(doc);
            from_source(finding(check, arn, &name, status, detail), account, SOURCE)
        })
        .collect();
    for (group, members) in missing_groups(account) {
        out.push(from_source(
            finding(
                check,
                &group_arn(account, group),
                group,
                Status::NotEvaluated,
                format!(
                    "the group {group} (in the GroupList of user {}) is not in the data: its inline policies are unknown",
                    listed(&members, 5)
                ),
            ),
            account,
            SOURCE,
        ));
    }
    out
}

/// IAM-011 service-wildcards: customer-managed and inline policies.
pub(crate) fn service_wildcards(account: &Account, _config: &Config) -> Vec<Finding> {
    judge_customer_documents(account, &SERVICE_WILDCARDS, |doc| {
        let hits: Vec<String> = doc
            .wildcard_allows()
            .iter()
            .map(|w| {
                let what = match &w.scope {
                    WildcardScope::Everything if w.not_action => {
                        format!("NotAction [{}] (every action: it names no real action)", w.action)
                    }
                    WildcardScope::Everything => format!("\"{}\" (every action)", w.action),
                    WildcardScope::Service(s) => format!("\"{}\" (all of {s})", w.action),
                    WildcardScope::EverythingExcept(_) => format!("NotAction [{}] (every other action)", w.action),
                };
                let sid = w
                    .sid
                    .clone()
                    .unwrap_or_else(|| format!("statement {}", w.statement + 1));
                let cond = if w.conditional { ", with conditions" } else { "" };
                let cut = if w.removed_by_deny > 0 {
                    format!(", less the {} actions a Deny in the policy removes", w.removed_by_deny)
                } else {
                    String::new()
                };
                format!("{sid} allows {what} on *{cond}{cut}")
            })
            .collect();
        if hits.is_empty() {
            (Status::Pass, "no service-wide wildcard on resource *".to_string())
        } else {
            (Status::Fail, hits.join("; "))
        }
    })
}

/// IAM-024 policy-unknown-actions: its catalogue entry and the function that decides it.
pub(crate) static POLICY_UNKNOWN_ACTIONS: Check = Check {
    id: "IAM-024",
    slug: "policy-unknown-actions",
    title: "Customer policies name only real actions",
    severity: Severity::Medium,
    resource_type: ResourceType::Policy,
    hipaa: &["§164.308(a)(4)(ii)(B)"],
    description: "Fails for each customer-managed or inline policy (user, group or role) with an Action or NotAction entry that names no real action according to the bundled IAM action catalogue: an unknown service prefix, an unknown action (names compare case-insensitively), a wildcard that matches no action, or a name not of the form service:action. The detail gives the closest real action and what the mistake does: in a Deny's Action the protection silently does not apply, in a Deny's NotAction the intended exemption does not apply, in an Allow's NotAction more is granted than meant, in an Allow's Action the permission meant is missing.",
    remediation: "Correct each name to the real action (the detail suggests the closest one); hipaa-iam lint-policy finds these in policy files before they are deployed.",
    remediate: None,
    run: policy_unknown_actions,
};

/// IAM-024 policy-unknown-actions.
pub(crate) fn policy_unknown_actions(account: &Account, _config: &Config) -> Vec<Finding> {
    let source = crate::policy::catalogue::source();
    judge_customer_documents(account, &POLICY_UNKNOWN_ACTIONS, |doc| {
        let unknown = unknown_actions(doc);
        if unknown.is_empty() {
            (
                Status::Pass,
                format!(
                    "every action named is a real action (IAM action catalogue of {})",
                    source.date
                ),
            )
        } else {
            let items: Vec<String> = unknown.iter().map(|u| u.describe()).collect();
            (
                Status::Fail,
                format!(
                    "{} not in the IAM action catalogue of {}: {}",
                    if items.len() == 1 { "1 name is" } else { "names are" },
                    source.date,
                    items.join("; ")
                ),
            )
        }
    })
}

/// What the boundary must deny (IAM-009), each on `*`.
const GUARDRAILS: &[&str] = &[
    "iam:CreatePolicy",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:AttachUserPolicy",
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutGroupPolicy",
    "iam:PutRolePolicy",
    "iam:CreateUser",
    "iam:CreateRole",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:AddUserToGroup",
    "iam:PassRole",
    "organizations:LeaveOrganization",
    "organizations:CreateAccount",
    "account:CloseAccount",
    "account:PutAlternateContact",
];

/// IAM-009 boundary-guardrails: its catalogue entry and the function that decides it.
pub(crate) static BOUNDARY_GUARDRAILS: Check = Check {
    id: "IAM-009",
    slug: "boundary-guardrails",
    title: "The boundary policy denies privilege tampering",
    severity: Severity::Medium,
    resource_type: ResourceType::Policy,
    hipaa: &["§164.308(a)(4)(ii)(B)"],
    description: "Fails when the configured boundary policy exists but lets through (allows, rather than denies or leaves ungranted) IAM privilege tampering (creating, attaching or putting policies; creating users, roles, keys or login profiles; changing group membership; iam:PassRole on *) or organization and account administration.",
    remediation: "Add Deny statements for IAM policy tampering, iam:PassRole on * and organizations:*/account:* to the boundary policy (the guide's permissions_boundary.json).",
    remediate: Some(Remediation::PermissionsBoundary),
    run: boundary_guardrails,
};

/// IAM-009 boundary-guardrails.
pub(crate) fn boundary_guardrails(account: &Account, config: &Config) -> Vec<Finding> {
    let name = &config.boundary_policy_name;
    let Some(policy) = account.customer_policy_named(name) else {
        let arn = format!(
            "arn:aws:iam::{}:policy/{name}",
            account.account_id.as_deref().unwrap_or("")
        );
        return vec![from_source(
            finding(
                &BOUNDARY_GUARDRAILS,
                &arn,
                name,
                Status::NotEvaluated,
                format!("the boundary policy {name} does not exist (IAM-008 fails every user without it)"),
            ),
            account,
            SOURCE,
        )];
    };
    let (status, detail) = match policy.default_document() {
        None => (
            Status::Error,
            format!("the policy {} has no default version document in the data", policy.arn),
        ),
        Some(doc) => {
            let ctx = Context::new();
            let open: Vec<&str> = GUARDRAILS
                .iter()
                .copied()
                .filter(|a| {
                    let e = evaluate(&[&doc.document], a, "*", &ctx);
                    // A boundary caps permissions: an action it does not grant is blocked too.
                    e.decision == Decision::Allowed || e.conditional_allow
                })
                .collect();
            if open.is_empty() {
                (Status::Pass, "the boundary denies (or does not grant) every privilege-tampering and account-administration action on *".to_string())
            } else {
                (
                    Status::Fail,
                    format!("the boundary lets through on *: {}", open.join(", ")),
                )
            }
        }
    };
    vec![from_source(
        finding(&BOUNDARY_GUARDRAILS, &policy.arn, &policy.policy_name, status, detail),
        account,
        SOURCE,
    )]
}
