//! Users and groups: IAM-006 user-in-group, IAM-007 no-direct-policies, IAM-008
//! permissions-boundary, IAM-021 group-not-empty.

use super::{finding, from_source};
use crate::account::Account;
use crate::config::Config;
use crate::report::{Finding, ResourceType, Status};

const SOURCE: &str = "authorization";

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
                finding("IAM-006", ResourceType::User, &u.arn, &u.user_name, status, detail),
                account,
                SOURCE,
            )
        })
        .collect()
}

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
                finding("IAM-007", ResourceType::User, &u.arn, &u.user_name, status, detail),
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
                finding("IAM-008", ResourceType::User, &u.arn, &u.user_name, status, detail),
                account,
                SOURCE,
            )
        })
        .collect()
}

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
                finding("IAM-021", ResourceType::Group, &g.arn, &g.group_name, status, detail),
                account,
                SOURCE,
            )
        })
        .collect()
}
