//! Minimum-necessary evidence (§164.308(a)(4), §164.312(a)(1)): for each resource the
//! configuration names as holding ePHI (`[[phi_resource]]`) and each access level (read,
//! write, permissions management, from the action catalogue's access levels of the
//! resource's service), who can, and how: [`who_can_any`](super::who_can_any) of the
//! level's actions on the resource's ARNs.

use serde::Serialize;

use super::{who_can_any, WhoCan};
use crate::account::Account;
use crate::config::PhiResource;
use crate::policy::catalogue::{self, AccessLevel};

/// The access levels reported, each with the catalogue levels it covers.
pub const LEVELS: &[(&str, &[AccessLevel])] = &[
    ("read", &[AccessLevel::List, AccessLevel::Read]),
    ("write", &[AccessLevel::Write, AccessLevel::Tagging]),
    ("permissions-management", &[AccessLevel::PermissionsManagement]),
];

/// Who can reach one PHI resource at one access level.
#[derive(Debug, Clone, Serialize)]
pub struct PhiAccess {
    /// The resource's label.
    pub label: String,
    /// Its ARNs.
    pub arns: Vec<String>,
    /// `read`, `write` or `permissions-management`.
    pub level: &'static str,
    /// How many actions of the level its services have.
    pub actions: usize,
    /// Who can do one of them on one of the ARNs, directly or through a path.
    pub who: WhoCan,
}

/// The service prefix of an ARN (`s3` of `arn:aws:s3:::bucket`).
fn service(arn: &str) -> Option<&str> {
    arn.split(':').nth(2).filter(|s| !s.is_empty())
}

/// The answer for every PHI resource and level, in the configuration's order.
pub fn phi_access(account: &Account, resources: &[PhiResource]) -> Vec<PhiAccess> {
    let cat = catalogue::get();
    let mut out = Vec::new();
    for r in resources {
        let mut services: Vec<&str> = r.arn.iter().filter_map(|a| service(a)).collect();
        services.sort_unstable();
        services.dedup();
        let arns: Vec<&str> = r.arn.iter().map(String::as_str).collect();
        for &(level, levels) in LEVELS {
            let actions: Vec<&str> = services
                .iter()
                .filter_map(|s| cat.service(s))
                .flat_map(|s| s.actions())
                .filter(|a| levels.contains(&a.access_level()))
                .map(|a| a.name())
                .collect();
            out.push(PhiAccess {
                label: r.label.clone(),
                arns: r.arn.clone(),
                level,
                actions: actions.len(),
                who: who_can_any(account, &actions, &arns),
            });
        }
    }
    out
}
