//! Users and groups: IAM-006 user-in-group, IAM-007 no-direct-policies, IAM-008
//! permissions-boundary, IAM-021 group-not-empty.

use super::{finding, from_source};
use crate::account::Account;
use crate::config::Config;
use crate::findings::{Check, Finding, Remediation, ResourceType, Severity, Status};

/// This family's checks.
pub(crate) static CHECKS: &[&Check] = &[
    &USER_IN_GROUP,
    &NO_DIRECT_POLICIES,
    &PERMISSIONS_BOUNDARY,
    &GROUP_NOT_EMPTY,
];

const SOURCE: &str = "authorization";

/// IAM-006 user-in-group: its catalogue entry and the function that decides it.
pub(crate) static USER_IN_GROUP: Check = Check {
    id: "IAM-006",
    slug: "user-in-group",
    title: "Users belong to at least one group",
    severity: Severity::High,
    resource_type: ResourceType::User,
    hipaa: &["§164.308(a)(4)(ii)(C)", "§164.312(a)(1)"],
    description: "Fails for each user who belongs to no IAM group.",
    remediation: "Add the user to a group that reflects their job function; grant permissions through groups.",
    remediate: Some(Remediation::GroupMembership),
    run: user_in_group,
};

/// IAM-006 user-in-group.
pub(crate) fn user_in_group(account: &Account, _config: &Config) -> Vec<Finding> {
    account
        .users
        .iter()
        .map(|u| {
            let (status, detail) = if u.group_list.is_empty() {
                (Status::Fail, "the user belongs to no IAM group".to_string())
            } else {
                (Status::Pass, format!("member of {}", u.group_list.join(", ")))
            };
            from_source(
                finding(&USER_IN_GROUP, &u.arn, &u.user_name, status, detail),
                account,
                SOURCE,
            )
        })
        .collect()
}

/// IAM-007 no-direct-policies: its catalogue entry and the function that decides it.
pub(crate) static NO_DIRECT_POLICIES: Check = Check {
    id: "IAM-007",
    slug: "no-direct-policies",
    title: "Users have no directly attached or inline policies",
    severity: Severity::Medium,
    resource_type: ResourceType::User,
    hipaa: &["§164.308(a)(4)(ii)(B)"],
    description: "Fails for each user with managed policies attached directly or inline policies; permissions should flow from groups.",
    remediation: "Move the user's permissions into a group policy and detach or delete the user's own policies.",
    remediate: None,
    run: no_direct_policies,
};

/// IAM-007 no-direct-policies.
pub(crate) fn no_direct_policies(account: &Account, _config: &Config) -> Vec<Finding> {
    account
        .users
        .iter()
        .map(|u| {
            let mut parts = Vec::new();
            if !u.attached_managed_policies.is_empty() {
                let names: Vec<&str> = u
                    .attached_managed_policies
                    .iter()
                    .map(|p| p.policy_name.as_str())
                    .collect();
                parts.push(format!("attached managed {}", names.join(", ")));
            }
            if !u.user_policy_list.is_empty() {
                let names: Vec<&str> = u.user_policy_list.iter().map(|p| p.policy_name.as_str()).collect();
                parts.push(format!("inline {}", names.join(", ")));
            }
            let (status, detail) = if parts.is_empty() {
                (Status::Pass, "no policy attached to the user directly".to_string())
            } else {
                (
                    Status::Fail,
                    format!("policies on the user itself: {}", parts.join("; ")),
                )
            };
            from_source(
                finding(&NO_DIRECT_POLICIES, &u.arn, &u.user_name, status, detail),
                account,
                SOURCE,
            )
        })
        .collect()
}

/// The policy name of a managed policy ARN (`arn:aws:iam::1:policy/path/name` → `name`).
pub(crate) fn policy_name_of(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// IAM-008 permissions-boundary: its catalogue entry and the function that decides it.
pub(crate) static PERMISSIONS_BOUNDARY: Check = Check {
    id: "IAM-008",
    slug: "permissions-boundary",
    title: "Users have the configured permissions boundary",
    severity: Severity::High,
    resource_type: ResourceType::User,
    hipaa: &["§164.308(a)(4)(ii)(B)", "§164.312(a)(1)"],
    description: "Fails for each user with no permissions boundary, or a boundary other than the configured policy (default permissions-boundary-base).",
    remediation: "Put the permissions-boundary-base policy as the user's permissions boundary.",
    remediate: Some(Remediation::PermissionsBoundary),
    run: permissions_boundary,
};

/// IAM-008 permissions-boundary.
pub(crate) fn permissions_boundary(account: &Account, config: &Config) -> Vec<Finding> {
    let want = &config.boundary_policy_name;
    account
        .users
        .iter()
        .map(|u| {
            let (status, detail) = match &u.permissions_boundary {
                None => (
                    Status::Fail,
                    format!("the user has no permissions boundary ({want} required)"),
                ),
                Some(b) => {
                    let arn = &b.permissions_boundary_arn;
                    let aws_managed = arn.split(':').nth(4) == Some("aws");
                    if policy_name_of(arn) == want && !aws_managed {
                        (Status::Pass, format!("boundary {arn}"))
                    } else {
                        (
                            Status::Fail,
                            format!("the user's boundary is {arn}, not the configured {want}"),
                        )
                    }
                }
            };
            from_source(
                finding(&PERMISSIONS_BOUNDARY, &u.arn, &u.user_name, status, detail),
                account,
                SOURCE,
            )
        })
        .collect()
}

/// IAM-021 group-not-empty: its catalogue entry and the function that decides it.
pub(crate) static GROUP_NOT_EMPTY: Check = Check {
    id: "IAM-021",
    slug: "group-not-empty",
    title: "Groups have members",
    severity: Severity::Low,
    resource_type: ResourceType::Group,
    hipaa: &["§164.308(a)(4)(ii)(C)"],
    description: "Fails for each group with no members.",
    remediation: "Delete the unused group, or add the users it was meant for.",
    remediate: None,
    run: group_not_empty,
};

/// IAM-021 group-not-empty.
pub(crate) fn group_not_empty(account: &Account, _config: &Config) -> Vec<Finding> {
    account
        .groups
        .iter()
        .map(|g| {
            let members = account.members_of(&g.group_name).count();
            let (status, detail) = if members == 0 {
                (Status::Fail, "the group has no members".to_string())
            } else {
                (Status::Pass, format!("{members} member(s)"))
            };
            from_source(
                finding(&GROUP_NOT_EMPTY, &g.arn, &g.group_name, status, detail),
                account,
                SOURCE,
            )
        })
        .collect()
}
