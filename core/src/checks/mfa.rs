//! MFA: IAM-002 console-mfa, IAM-003 user-mfa.

use super::per_user_report;
use crate::account::Account;
use crate::config::Config;
use crate::report::{Finding, Status};

/// IAM-002 console-mfa.
pub(crate) fn console_mfa(account: &Account, _config: &Config) -> Vec<Finding> {
    per_user_report(account, "IAM-002", |_, row| {
        match (row.has_password(), row.mfa_active) {
            (true, false) => (Status::Fail, "the user has a console password and no MFA device".into()),
            (true, true) => (Status::Pass, "the user has a console password and an MFA device".into()),
            (false, _) => (Status::Pass, "the user has no console password".into()),
        }
    })
}

/// IAM-003 user-mfa.
pub(crate) fn user_mfa(account: &Account, _config: &Config) -> Vec<Finding> {
    per_user_report(account, "IAM-003", |_, row| {
        let keys: Vec<String> = row.active_keys().map(|(n, _)| format!("access key {n}")).collect();
        if row.has_password() {
            (
                Status::Pass,
                "the user has a console password (judged by IAM-002)".into(),
            )
        } else if keys.is_empty() {
            (
                Status::Pass,
                "the user has no console password and no active access key".into(),
            )
        } else if row.mfa_active {
            (
                Status::Pass,
                format!("programmatic user ({} active) with an MFA device", keys.join(", ")),
            )
        } else {
            (
                Status::Fail,
                format!("programmatic user with {} active and no MFA device", keys.join(" and ")),
            )
        }
    })
}
