//! MFA: IAM-002 console-mfa, IAM-003 user-mfa.

use super::per_user_report;
use crate::account::Account;
use crate::config::Config;
use crate::findings::{Check, Finding, Remediation, ResourceType, Severity, Status};

/// This family's checks.
pub(crate) static CHECKS: &[&Check] = &[&CONSOLE_MFA, &USER_MFA];

/// IAM-002 console-mfa: its catalogue entry and the function that decides it.
pub(crate) static CONSOLE_MFA: Check = Check {
    id: "IAM-002",
    slug: "console-mfa",
    title: "Users with console access have MFA",
    severity: Severity::Critical,
    resource_type: ResourceType::User,
    hipaa: &["§164.312(d)", "§164.312(a)(1)"],
    description: "Fails for each user who has a console password and no MFA device.",
    remediation: "Have the user enable an MFA device (virtual or hardware) and enforce MFA with the deny-without-MFA policy on the human-users group.",
    remediate: Some(Remediation::MfaEnforcement),
    run: console_mfa,
};

/// IAM-002 console-mfa.
pub(crate) fn console_mfa(account: &Account, _config: &Config) -> Vec<Finding> {
    per_user_report(account, &CONSOLE_MFA, |_, row| {
        match (row.has_password(), row.mfa_active) {
            (true, false) => (Status::Fail, "the user has a console password and no MFA device".into()),
            (true, true) => (Status::Pass, "the user has a console password and an MFA device".into()),
            (false, _) => (Status::Pass, "the user has no console password".into()),
        }
    })
}

/// IAM-003 user-mfa: its catalogue entry and the function that decides it.
pub(crate) static USER_MFA: Check = Check {
    id: "IAM-003",
    slug: "user-mfa",
    title: "Programmatic users have MFA",
    severity: Severity::Medium,
    resource_type: ResourceType::User,
    hipaa: &["§164.312(d)"],
    description: "Fails for each user without a console password who has an active access key and no MFA device.",
    remediation: "Assign an MFA device and require MFA (sts:GetSessionToken) for sensitive calls, or replace the long-term keys with a role.",
    remediate: None,
    run: user_mfa,
};

/// IAM-003 user-mfa.
pub(crate) fn user_mfa(account: &Account, _config: &Config) -> Vec<Finding> {
    per_user_report(account, &USER_MFA, |_, row| {
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
