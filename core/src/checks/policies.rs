//! Checks decided by evaluating policy documents (never by names): IAM-009
//! boundary-guardrails, IAM-010 user-admin-access, IAM-011 service-wildcards, IAM-022
//! role-admin-access, IAM-023 privilege-escalation.
//!
//! A managed policy referenced but absent from the data, or a group that a user's
//! `GroupList` names but `GroupDetailList` lacks (a file made with `--filter User`), is
//! treated conservatively: it is assumed to deny nothing (and a missing boundary to restrict
//! nothing), and a user or role that is not found to have the access from the documents
//! present is `not-evaluated` rather than passed, since the missing document might grant it.

use std::collections::BTreeMap;

use super::{finding, from_source, group_arn, listed, missing_groups};
use crate::account::{boundary_of, Account, Labelled, User};
use crate::config::Config;
use crate::findings::{Check, Finding, Remediation, ResourceType, Severity, Status};
use crate::policy::{
    evaluate, pass_role, unknown_actions, Context, Decision, Document, Principal, TargetSet, Targets, WildcardScope,
};

/// This family's checks.
pub(crate) static CHECKS: &[&Check] = &[
    &BOUNDARY_GUARDRAILS,
    &USER_ADMIN_ACCESS,
    &SERVICE_WILDCARDS,
    &ROLE_ADMIN_ACCESS,
    &PRIVILEGE_ESCALATION,
    &POLICY_UNKNOWN_ACTIONS,
];

const SOURCE: &str = "authorization";

/// `a is` / `a, b are`.
fn is_are(items: &[String]) -> String {
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

fn admin_verdict(labelled: &Labelled<'_>, boundary: &Result<Option<&Document>, String>, what: &str) -> AdminVerdict {
    let b = boundary.as_ref().ok().copied().flatten();
    let principal = Principal::new(labelled.docs.clone(), b);
    let unknown = labelled.unknown();
    let missing_note = if unknown.is_empty() {
        String::new()
    } else {
        format!("; {} not in the data (assumed to deny nothing)", is_are(&unknown))
    };
    if principal.allows_everything() {
        let via = labelled.granting_everything().join("; ");
        let bnote = match boundary {
            Ok(Some(_)) => " and the permissions boundary allows everything too",
            Ok(None) => " and no permissions boundary limits it",
            Err(_) => " (the permissions boundary is not in the data: assumed to restrict nothing)",
        };
        return AdminVerdict {
            status: Status::Fail,
            detail: format!("{what} every action on every resource through {via}{bnote}{missing_note}"),
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

/// Whether `user` is an administrator (IAM-010's verdict).
pub(crate) fn user_admin(account: &Account, u: &User) -> AdminVerdict {
    let l = Labelled::user(account, u);
    admin_verdict(
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
    description: "Fails for each user whose effective identity permissions (user and group policies, managed and inline, intersected with the permissions boundary) allow every action on every resource through statements without conditions. Decided from policy documents, never names, over the IAM action catalogue: every action means every real action (an Allow of NotAction with a name no service has is full access; a Deny that names no real action removes nothing). A user whose group or managed policy is missing from the data is not-evaluated unless the documents present already grant everything.",
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
    description: "Fails for each role that is not service-linked whose permissions (intersected with its boundary) allow every action on every resource through statements without conditions.",
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
            let v = admin_verdict(
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

/// Why a user without a definite escalation path is not known to have none: documents it
/// depends on are not in the data (its managed policies, boundary or groups), or it may add
/// itself to a group the data does not describe (named in other users' `GroupList`).
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

/// The escalation paths of one user, in the order they are found: the first few written
/// out, all of them counted (one user may reach thousands of others).
#[derive(Default)]
struct Paths {
    shown: Vec<String>,
    total: usize,
}

impl Paths {
    const SHOWN: usize = 5;

    /// Counts one path; `describe` is called only for the ones shown.
    fn push(&mut self, describe: impl FnOnce() -> String) {
        if self.shown.len() < Self::SHOWN {
            self.shown.push(describe());
        }
        self.total += 1;
    }

    /// Counts the paths of `allowed[a]` (targets on which `actions[a]` is allowed), target by
    /// target and, for one target, action by action, leaving out target `skip`.
    fn push_targets(
        &mut self,
        actions: &[&str],
        allowed: &[TargetSet],
        skip: Option<u32>,
        describe: impl Fn(&str, u32) -> String,
    ) {
        let count = |set: &TargetSet| set.len() - skip.map_or(0, |s| usize::from(set.binary_search(&s).is_ok()));
        let total: usize = allowed.iter().map(count).sum();
        // Only the first few are written out: merge the sorted lists that far.
        let mut cursor = vec![0usize; allowed.len()];
        while self.shown.len() < Self::SHOWN {
            let next = (0..allowed.len())
                .filter_map(|a| {
                    let set = &allowed[a];
                    let mut c = cursor[a];
                    while c < set.len() && Some(set[c]) == skip {
                        c += 1;
                    }
                    cursor[a] = c;
                    set.get(c).map(|&t| (t, a))
                })
                .min();
            let Some((target, a)) = next else { break };
            cursor[a] += 1;
            self.shown.push(describe(actions[a], target));
        }
        self.total += total;
    }
}

/// IAM-023 privilege-escalation: its catalogue entry and the function that decides it.
pub(crate) static PRIVILEGE_ESCALATION: Check = Check {
    id: "IAM-023",
    slug: "privilege-escalation",
    title: "Users cannot escalate their own privileges",
    severity: Severity::High,
    resource_type: ResourceType::User,
    hipaa: &["§164.308(a)(3)(i)", "§164.308(a)(4)(ii)(B)"],
    description: "Fails for each user who is not an administrator but whose effective permissions allow a known escalation path (iam:CreatePolicyVersion, iam:SetDefaultPolicyVersion, iam:Attach/Put User or Group Policy, iam:AddUserToGroup, iam:CreateAccessKey, iam:CreateLoginProfile, iam:UpdateLoginProfile, iam:UpdateAssumeRolePolicy, iam:PassRole together with an action that hands a role to new compute: every action of the reviewed list in docs/checks.md (\"Actions that hand a role to new compute\"), over EC2, Auto Scaling, Lambda, ECS, Glue, SageMaker, CodeBuild, CloudFormation, Data Pipeline, EMR, Batch, App Runner and more) on a resource that covers it, with no boundary denying it. Evaluated on concrete resources: the user's own ARN (attach or put user policy), another user's ARN (access keys and login profiles: taking over that identity), the user's groups, every group (add user to group), the customer policies attached to the user or its groups (policy versions) and every role (trust policy, PassRole). Only definite allows count. Without a definite path, a user whose group, managed policy or boundary is missing from the data, or who may add itself to a group missing from the data, is not-evaluated.",
    remediation: "Remove the escalation permission or put the permissions-boundary-base boundary on the user.",
    remediate: Some(Remediation::PermissionsBoundary),
    run: privilege_escalation,
};

/// IAM-023 privilege-escalation.
///
/// The questions that range over the whole account (may this user take over any other user,
/// add itself to any group, change or pass any role?) go through [`Targets`], so the check
/// grows about linearly with the account rather than with its square.
pub(crate) fn privilege_escalation(account: &Account, _config: &Config) -> Vec<Finding> {
    const TAKEOVER: [&str; 3] = [
        "iam:CreateAccessKey",
        "iam:CreateLoginProfile",
        "iam:UpdateLoginProfile",
    ];
    let missing_groups = missing_groups(account);
    // Every user's context differs from another's only in these keys (one account).
    let varying = ["aws:username", "aws:userid"];
    let users = Targets::new(account.users.iter().map(|u| u.arn.as_str()), &varying);
    let groups = Targets::new(account.groups.iter().map(|g| g.arn.as_str()), &varying);
    let roles = Targets::new(
        account
            .roles
            .iter()
            .filter(|r| !r.is_service_linked())
            .map(|r| r.arn.as_str()),
        &varying,
    );
    account
        .users
        .iter()
        .enumerate()
        .filter_map(|(index, u)| {
            let l = Labelled::user(account, u);
            let b = boundary_of(account, u.permissions_boundary.as_ref());
            if admin_verdict(&l, &b, "").status == Status::Fail {
                // Administrators are reported by IAM-010.
                return None;
            }
            let principal = Principal::new(l.docs.clone(), b.as_ref().ok().copied().flatten());
            let ctx = Context::new().with_principal(
                &u.user_name,
                u.user_id.as_deref().unwrap_or(""),
                account.account_id.as_deref().unwrap_or(""),
            );
            let mut paths = Paths::default();
            let describe = |action: &str, resource: &str| {
                let e = principal.evaluate(action, resource, &ctx);
                format!("{action} on {resource} (allowed by {})", l.allowed_by(&e))
            };
            let try_path = |paths: &mut Paths, action: &str, resource: &str| {
                if principal.evaluate(action, resource, &ctx).is_allowed() {
                    paths.push(|| describe(action, resource));
                }
            };
            for action in ["iam:AttachUserPolicy", "iam:PutUserPolicy"] {
                try_path(&mut paths, action, &u.arn);
            }
            // Taking over another identity's credentials.
            let allowed: Vec<TargetSet> = TAKEOVER.iter().map(|a| users.allowed(&principal, a, &ctx)).collect();
            let me = u32::try_from(index).ok();
            paths.push_targets(&TAKEOVER, &allowed, me, |a, t| describe(a, users.arn(t)));
            for g in account.groups_of(u) {
                for action in ["iam:AttachGroupPolicy", "iam:PutGroupPolicy"] {
                    try_path(&mut paths, action, &g.arn);
                }
            }
            let action = "iam:AddUserToGroup";
            let allowed = groups.allowed(&principal, action, &ctx);
            paths.push_targets(&[action], &[allowed], None, |a, t| describe(a, groups.arn(t)));
            let mut own_policies: Vec<&str> = u
                .attached_managed_policies
                .iter()
                .map(|a| a.policy_arn.as_str())
                .collect();
            for g in account.groups_of(u) {
                own_policies.extend(g.attached_managed_policies.iter().map(|a| a.policy_arn.as_str()));
            }
            own_policies.sort_unstable();
            own_policies.dedup();
            for arn in own_policies
                .iter()
                .filter(|a| account.policy(a).is_some_and(|p| !p.is_aws_managed()))
            {
                for action in ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"] {
                    try_path(&mut paths, action, arn);
                }
            }
            let action = "iam:UpdateAssumeRolePolicy";
            let allowed = roles.allowed(&principal, action, &ctx);
            paths.push_targets(&[action], &[allowed], None, |a, t| describe(a, roles.arn(t)));
            // Most users cannot pass any role: the compute actions are tried only for those
            // who can pass one.
            let action = "iam:PassRole";
            let passable = if principal.may_allow(action) {
                roles.allowed(&principal, action, &ctx)
            } else {
                TargetSet::default()
            };
            if !passable.is_empty() {
                let can_compute: Vec<&str> = pass_role::COMPUTE
                    .iter()
                    .map(|c| c.action)
                    .filter(|a| principal.evaluate(a, "*", &ctx).is_allowed())
                    .collect();
                if !can_compute.is_empty() {
                    let compute = listed(&can_compute, 3);
                    paths.push_targets(&[action], &[passable], None, |a, t| {
                        let arn = roles.arn(t);
                        let e = principal.evaluate(a, arn, &ctx);
                        format!("{a} on {arn} with {compute} (allowed by {})", l.allowed_by(&e))
                    });
                }
            }
            let (status, detail) = if paths.total > 0 {
                let more = if paths.total > paths.shown.len() {
                    format!(" and {} more", paths.total - paths.shown.len())
                } else {
                    String::new()
                };
                (
                    Status::Fail,
                    format!("escalation paths: {}{more}", paths.shown.join("; ")),
                )
            } else if let Some(why) = escalation_unknown(&l, &b, &principal, &missing_groups) {
                (
                    Status::NotEvaluated,
                    format!("no escalation path in the policies present, but {why}"),
                )
            } else {
                (
                    Status::Pass,
                    "no known escalation path is definitely allowed".to_string(),
                )
            };
            Some(from_source(
                finding(&PRIVILEGE_ESCALATION, &u.arn, &u.user_name, status, detail),
                account,
                SOURCE,
            ))
        })
        .collect()
}
