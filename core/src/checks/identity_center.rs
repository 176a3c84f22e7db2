//! IAM Identity Center: IAM-029 sso-user-in-group, IAM-030 sso-direct-assignment,
//! IAM-031 sso-admin-permission-set, IAM-032 sso-session-duration.
//!
//! Decided from the instance's data (`identity-center/<region>/`), which only the
//! management account or a delegated administrator can read: without it every check is one
//! `not-evaluated` finding saying why. Where a part of the instance's data is missing, the
//! checks that need it are `not-evaluated` with the file and the reason.

use super::{finding, from_source};
use crate::account::identity_center::{hours_text, Instance, PermissionSet, PrincipalKind};
use crate::account::{Account, Collected, Labelled};
use crate::config::Config;
use crate::findings::{Check, Finding, ResourceType, Severity, Status};
use crate::policy::Document;

/// This family's checks.
pub(crate) static CHECKS: &[&Check] = &[
    &SSO_USER_IN_GROUP,
    &SSO_DIRECT_ASSIGNMENT,
    &SSO_ADMIN_PERMISSION_SET,
    &SSO_SESSION_DURATION,
];

const SOURCE: &str = "identity_center";

/// The instances to judge, or the one finding that says why there are none.
fn instances<'a>(account: &'a Account, check: &'static Check) -> Result<Vec<&'a Instance>, Vec<Finding>> {
    let none = |status: Status, detail: String| {
        vec![finding(
            check,
            &format!(
                "arn:aws:sso:::instance/*@{}",
                account.account_id.as_deref().unwrap_or("")
            ),
            "IAM Identity Center",
            status,
            detail,
        )]
    };
    if let Some(home) = &account.identity_center_audited_in {
        return Err(none(
            Status::NotEvaluated,
            format!(
                "the organization's Identity Center instance is audited with account {home}, the account the \
                 organization run read it from"
            ),
        ));
    }
    match &account.identity_center {
        Collected::No => Err(none(
            Status::NotEvaluated,
            "the Identity Center data (identity-center/) was not collected: collect it in the management account \
             or the delegated administrator (README.md, \"Account data\")"
                .to_string(),
        )),
        Collected::Failed { call, reason } => Err(none(
            Status::NotEvaluated,
            format!(
                "the Identity Center instance could not be read ({call}: {reason}); only the management account \
                 or a delegated administrator can read it"
            ),
        )),
        Collected::Yes(ic) if ic.instances.is_empty() => {
            let regions: Vec<String> = ic.regions.keys().cloned().collect();
            let failed: Vec<String> = ic
                .regions
                .iter()
                .filter_map(|(r, why)| why.as_ref().map(|w| format!("{r}: {w}")))
                .collect();
            let mut detail = format!(
                "no Identity Center instance in {}: it is read in its own region, from the management account or \
                 the delegated administrator",
                listed(&regions)
            );
            if !failed.is_empty() {
                detail.push_str(&format!(" (not read: {})", failed.join("; ")));
            }
            Err(none(Status::NotEvaluated, detail))
        }
        Collected::Yes(ic) => Ok(ic.instances.iter().collect()),
    }
}

/// Names for people, at most 20 then `and N more`.
fn listed(names: &[String]) -> String {
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    super::listed(&refs, 20)
}

/// A finding of this family, with its evidence location.
fn ic_finding(
    account: &Account,
    check: &'static Check,
    arn: &str,
    name: &str,
    status: Status,
    detail: String,
) -> Finding {
    from_source(finding(check, arn, name, status, detail), account, SOURCE)
}

/// A finding on what an instance holds as a whole (`users of ssoins-...`): that part of its
/// data could not be read, or there is none of what the check judges (a pass, so the
/// register shows the instance was examined).
fn on_instance(
    account: &Account,
    check: &'static Check,
    instance: &Instance,
    what: &str,
    status: Status,
    detail: String,
) -> Finding {
    ic_finding(
        account,
        check,
        &instance.arn,
        &format!("{what} of {}", instance.id),
        status,
        detail,
    )
}

/// IAM-031's and IAM-032's finding on an instance whose permission sets could not be listed,
/// or that has none; `None` when it has some.
fn permission_sets_listed(account: &Account, check: &'static Check, instance: &Instance) -> Option<Finding> {
    if let Some(why) = instance.missing_among(&["permission-sets.json"]) {
        return Some(on_instance(
            account,
            check,
            instance,
            "permission sets",
            Status::NotEvaluated,
            format!("the permission sets could not be listed ({why})"),
        ));
    }
    instance.permission_sets.is_empty().then(|| {
        on_instance(
            account,
            check,
            instance,
            "permission sets",
            Status::Pass,
            "the instance has no permission sets".to_string(),
        )
    })
}

/// The partition of an instance (`aws`, `aws-us-gov`), from its ARN.
fn partition(instance: &Instance) -> &str {
    instance
        .arn
        .split(':')
        .nth(1)
        .filter(|p| !p.is_empty())
        .unwrap_or("aws")
}

/// The identity store ARN of a user.
pub(crate) fn user_arn(instance: &Instance, user_id: &str) -> String {
    format!("arn:{}:identitystore:::user/{user_id}", partition(instance))
}

/// IAM-029 sso-user-in-group: its catalogue entry and the function that decides it.
pub(crate) static SSO_USER_IN_GROUP: Check = Check {
    id: "IAM-029",
    slug: "sso-user-in-group",
    title: "Every IAM Identity Center user belongs to a group",
    severity: Severity::High,
    resource_type: ResourceType::IdentityCenterUser,
    hipaa: &["§164.308(a)(4)(ii)(C)", "§164.312(a)(1)"],
    description: "Fails for each user of the Identity Center identity store that is a member of no group: access \
                  should be granted to groups of people with the same job, and reviewed as such (the group-membership \
                  rule, for Identity Center). Memberships come from `list-group-memberships` of every group. Without \
                  the instance's data (only the management account or the delegated administrator reads it), one \
                  not-evaluated finding says why.",
    remediation: "Add the user to the Identity Center group of its job (`aws identitystore create-group-membership`), \
                  or delete the user if it no longer needs access.",
    remediate: None,
    run: sso_user_in_group,
};

fn sso_user_in_group(account: &Account, _config: &Config) -> Vec<Finding> {
    let check = &SSO_USER_IN_GROUP;
    let instances = match instances(account, check) {
        Ok(i) => i,
        Err(f) => return f,
    };
    let mut out = Vec::new();
    for instance in instances {
        if let Some(why) = instance.missing_among(&["users.json"]) {
            out.push(on_instance(
                account,
                check,
                instance,
                "users",
                Status::NotEvaluated,
                format!("the identity store's users could not be read ({why})"),
            ));
            continue;
        }
        let memberships_missing = instance.missing_among(&["groups.json", "group-memberships/"]);
        if instance.users.is_empty() {
            out.push(on_instance(
                account,
                check,
                instance,
                "users",
                Status::Pass,
                "the identity store has no users".to_string(),
            ));
        }
        for u in &instance.users {
            let groups = instance.groups_of(&u.id);
            let (status, detail) = if !groups.is_empty() {
                let names: Vec<String> = groups.iter().map(|g| g.display_name.clone()).collect();
                (Status::Pass, format!("member of {}", listed(&names)))
            } else if let Some(why) = &memberships_missing {
                (
                    Status::NotEvaluated,
                    format!("in no group among those read, but the group data is incomplete ({why})"),
                )
            } else {
                let direct: Vec<String> = instance
                    .access_of(&u.id)
                    .into_iter()
                    .map(|(ps, acct, _)| format!("{} in {acct}", ps.name))
                    .collect();
                let assigned = if direct.is_empty() {
                    String::new()
                } else {
                    format!("; it is assigned {} directly", listed(&direct))
                };
                (Status::Fail, format!("member of no Identity Center group{assigned}"))
            };
            out.push(ic_finding(
                account,
                check,
                &user_arn(instance, &u.id),
                &u.user_name,
                status,
                detail,
            ));
        }
    }
    out
}

/// IAM-030 sso-direct-assignment: its catalogue entry and the function that decides it.
pub(crate) static SSO_DIRECT_ASSIGNMENT: Check = Check {
    id: "IAM-030",
    slug: "sso-direct-assignment",
    title: "Permission sets are assigned to groups, not to individual users",
    severity: Severity::Medium,
    resource_type: ResourceType::AccountAssignment,
    hipaa: &["§164.308(a)(4)(ii)(B)"],
    description: "One finding per account assignment of every permission set in every account it is provisioned \
                  to: fails when the assignment is to an individual Identity Center user rather than to a group. \
                  Direct assignments escape group-based access reviews and outlive job changes.",
    remediation: "Assign the permission set to the group of people who need it, add the user to that group, and \
                  delete the user's own assignment (`aws sso-admin delete-account-assignment`).",
    remediate: None,
    run: sso_direct_assignment,
};

fn sso_direct_assignment(account: &Account, _config: &Config) -> Vec<Finding> {
    let check = &SSO_DIRECT_ASSIGNMENT;
    let instances = match instances(account, check) {
        Ok(i) => i,
        Err(f) => return f,
    };
    let mut out = Vec::new();
    for instance in instances {
        let missing = instance.missing_among(&["permission-sets.json", "/accounts.json", "/assignments/"]);
        if let Some(why) = &missing {
            out.push(on_instance(
                account,
                check,
                instance,
                "assignments",
                Status::NotEvaluated,
                format!("the account assignments could not all be read ({why})"),
            ));
        }
        if instance.assignments().next().is_none() && missing.is_none() {
            out.push(on_instance(
                account,
                check,
                instance,
                "assignments",
                Status::Pass,
                "no permission set is assigned to anyone".to_string(),
            ));
        }
        for (ps, a) in instance.assignments() {
            let who = instance.principal_name(a.kind, &a.principal_id);
            let name = format!("{} to {who} in {}", ps.name, a.account);
            let arn = format!("{}/{}/{}/{}", ps.arn, a.account, a.kind.as_str(), a.principal_id);
            let (status, detail) = match a.kind {
                PrincipalKind::Group => {
                    let members = instance.members.get(&a.principal_id).map_or(0, |m| m.len());
                    (
                        Status::Pass,
                        format!(
                            "assigned to a group ({members} member{})",
                            if members == 1 { "" } else { "s" }
                        ),
                    )
                }
                PrincipalKind::User => (
                    Status::Fail,
                    format!(
                        "permission set {} is assigned to {who} directly in account {}, not through a group",
                        ps.name, a.account
                    ),
                ),
            };
            out.push(ic_finding(account, check, &arn, &name, status, detail));
        }
    }
    out
}

/// IAM-031 sso-admin-permission-set: its catalogue entry and the function that decides it.
pub(crate) static SSO_ADMIN_PERMISSION_SET: Check = Check {
    id: "IAM-031",
    slug: "sso-admin-permission-set",
    title: "No provisioned or assigned permission set grants full administrator access",
    severity: Severity::High,
    resource_type: ResourceType::PermissionSet,
    hipaa: &["§164.308(a)(3)(i)", "§164.308(a)(4)(ii)(B)"],
    description: "Fails for each permission set that is provisioned to an account or assigned to someone and whose \
                  policies (AWS managed, customer managed, inline) within its permissions boundary allow every action \
                  on every resource, decided by the policy evaluator over the action catalogue, as IAM-010 decides \
                  for users. The documents come from the account data: AWS managed policies attached anywhere in the \
                  account, and customer managed policies (which live in each account) of the audited account; \
                  `AdministratorAccess` is known. A permission set whose documents are not all in the data is \
                  not-evaluated unless those present already grant everything. The detail names the accounts and \
                  the users and groups it is assigned to.",
    remediation: "Replace the administrator permission set with job-specific ones; keep the few administrator \
                  assignments to a group, with short sessions, and review them.",
    remediate: None,
    run: sso_admin_permission_set,
};

/// AWS's `AdministratorAccess` managed policy: its document is AWS's and never changes.
const ADMINISTRATOR_ACCESS: &str = "AdministratorAccess";
static ADMINISTRATOR_ACCESS_DOC: std::sync::LazyLock<Option<Document>> = std::sync::LazyLock::new(|| {
    Document::from_json(&serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
    }))
    .ok()
});

/// A permission set's documents, each labelled, and its boundary: what the evaluator judges.
pub(crate) fn permission_set_documents<'a>(
    account: &'a Account,
    instance: &Instance,
    ps: &'a PermissionSet,
) -> (Labelled<'a>, Result<Option<&'a Document>, String>) {
    let mut l = Labelled::default();
    let aws_managed = |arn: &str| -> Option<&'a Document> {
        if let Some(p) = account.policy(arn).and_then(|p| p.default_document()) {
            return Some(&p.document);
        }
        let is_admin = arn.split(':').nth(4) == Some("aws")
            && arn.rsplit(':').next() == Some(&format!("policy/{ADMINISTRATOR_ACCESS}"));
        if is_admin {
            ADMINISTRATOR_ACCESS_DOC.as_ref()
        } else {
            None
        }
    };
    let customer = |name: &str, path: &str| -> Option<(&'a Document, String)> {
        let id = account.account_id.as_deref()?;
        let arn = format!("arn:{}:iam::{id}:policy{path}{name}", partition(instance));
        account
            .policy(&arn)
            .and_then(|p| p.default_document())
            .map(|d| (&d.document, arn))
    };
    for (name, arn) in &ps.managed_policies {
        match aws_managed(arn) {
            Some(d) => {
                l.docs.push(d);
                l.labels.push(format!("{name} (in permission set {})", ps.name));
            }
            None => l.missing.push(arn.clone()),
        }
    }
    for (name, path) in &ps.customer_managed {
        match customer(name, path) {
            Some((d, _)) => {
                l.docs.push(d);
                l.labels.push(format!(
                    "customer managed {path}{name} of account {} (in permission set {})",
                    account.account_id.as_deref().unwrap_or(""),
                    ps.name
                ));
            }
            None => l.missing.push(format!(
                "customer managed policy {path}{name} (it lives in each account the permission set is provisioned to)"
            )),
        }
    }
    if let Some(inline) = &ps.inline {
        l.docs.push(&inline.document);
        l.labels.push(format!("inline policy of permission set {}", ps.name));
    }
    use crate::account::identity_center::BoundaryRef;
    let boundary = match &ps.boundary {
        None => Ok(None),
        Some(BoundaryRef::Managed(arn)) => aws_managed(arn).map(Some).ok_or_else(|| arn.clone()),
        Some(BoundaryRef::Customer(name, path)) => customer(name, path)
            .map(|(d, _)| Some(d))
            .ok_or_else(|| format!("customer managed policy {path}{name}")),
    };
    (l, boundary)
}

/// Who a permission set is assigned to, for people: `group Admins in 111111111111, user
/// jane in 222222222222`.
fn assigned_to(instance: &Instance, ps: &PermissionSet) -> Vec<String> {
    ps.assignments
        .iter()
        .map(|a| format!("{} in {}", instance.principal_name(a.kind, &a.principal_id), a.account))
        .collect()
}

/// Whether a permission set grants full administrator access (IAM-031's verdict, without
/// regard to whether it is assigned): `Fail` yes, `Pass` no, `NotEvaluated` unknown.
pub(crate) fn permission_set_admin(account: &Account, instance: &Instance, ps: &PermissionSet) -> Status {
    let (labelled, boundary) = permission_set_documents(account, instance, ps);
    super::policies::admin_verdict(&labelled, &boundary, "").status
}

fn sso_admin_permission_set(account: &Account, _config: &Config) -> Vec<Finding> {
    let check = &SSO_ADMIN_PERMISSION_SET;
    let instances = match instances(account, check) {
        Ok(i) => i,
        Err(f) => return f,
    };
    let mut out = Vec::new();
    for instance in instances {
        out.extend(permission_sets_listed(account, check, instance));
        for ps in &instance.permission_sets {
            let own = format!("/{}/", ps.id);
            if let Some(why) = instance.missing_among(&[
                &format!("{own}managed-policies.json"),
                &format!("{own}customer-managed-policies.json"),
                &format!("{own}inline-policy.json"),
                &format!("{own}permissions-boundary.json"),
            ]) {
                out.push(ic_finding(
                    account,
                    check,
                    &ps.arn,
                    &ps.name,
                    Status::NotEvaluated,
                    format!("the permission set's policies could not all be read ({why})"),
                ));
                continue;
            }
            let (labelled, boundary) = permission_set_documents(account, instance, ps);
            let verdict = super::policies::admin_verdict(&labelled, &boundary, "the permission set's policies allow");
            let assigned = assigned_to(instance, ps);
            let (status, detail) = match verdict.status {
                Status::Fail if assigned.is_empty() && ps.accounts.is_empty() => (
                    Status::Pass,
                    format!(
                        "{}; but it is neither provisioned to an account nor assigned to anyone",
                        verdict.detail
                    ),
                ),
                Status::Fail => {
                    let to = if assigned.is_empty() {
                        "assigned to no one".to_string()
                    } else {
                        format!("assigned to {}", assigned.join(", "))
                    };
                    (
                        Status::Fail,
                        format!(
                            "{}; provisioned to {}; {to}",
                            verdict.detail,
                            if ps.accounts.is_empty() {
                                "no account".to_string()
                            } else {
                                listed(&ps.accounts)
                            }
                        ),
                    )
                }
                s => (s, verdict.detail),
            };
            out.push(ic_finding(account, check, &ps.arn, &ps.name, status, detail));
        }
    }
    out
}

/// IAM-032 sso-session-duration: its catalogue entry and the function that decides it.
pub(crate) static SSO_SESSION_DURATION: Check = Check {
    id: "IAM-032",
    slug: "sso-session-duration",
    title: "Identity Center sessions end within the configured limit",
    severity: Severity::Medium,
    resource_type: ResourceType::PermissionSet,
    hipaa: &["§164.312(a)(2)(iii)"],
    description: "Fails for each permission set whose session duration (ISO 8601, AWS's default one hour when \
                  unset) is longer than `max_session_hours` (default 4): sessions that outlive the working period \
                  defeat the automatic-logoff expectation.",
    remediation: "Shorten the permission set's session duration (`aws sso-admin update-permission-set \
                  --session-duration PT4H`) and re-provision it.",
    remediate: None,
    run: sso_session_duration,
};

fn sso_session_duration(account: &Account, config: &Config) -> Vec<Finding> {
    let check = &SSO_SESSION_DURATION;
    let instances = match instances(account, check) {
        Ok(i) => i,
        Err(f) => return f,
    };
    let limit = u64::try_from(config.max_session_hours).unwrap_or(0) * 3600;
    let mut out = Vec::new();
    for instance in instances {
        out.extend(permission_sets_listed(account, check, instance));
        for ps in &instance.permission_sets {
            let own = format!("/{}/permission-set.json", ps.id);
            let (status, detail) = if let Some(why) = instance.missing_among(&[&own]) {
                (
                    Status::NotEvaluated,
                    format!("the permission set could not be described ({why})"),
                )
            } else {
                match ps.effective_session_seconds() {
                    None => (
                        Status::Error,
                        format!(
                            "the session duration {:?} is not an ISO 8601 duration",
                            ps.session_duration.as_deref().unwrap_or("")
                        ),
                    ),
                    Some(s) if s > limit => (
                        Status::Fail,
                        format!(
                            "sessions last {} ({}), over the limit of {}",
                            hours_text(s),
                            ps.session_duration.as_deref().unwrap_or("unset"),
                            hours_text(limit)
                        ),
                    ),
                    Some(_) => (
                        Status::Pass,
                        format!("sessions last {}, within {}", ps.session_text(), hours_text(limit)),
                    ),
                }
            };
            out.push(ic_finding(account, check, &ps.arn, &ps.name, status, detail));
        }
    }
    out
}
