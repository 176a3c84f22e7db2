//! Credentials: IAM-012 access-key-rotation, IAM-013 unused-credentials, IAM-014
//! single-active-key.

use chrono::{DateTime, Utc};

use super::{day, days_since, per_user_report};
use crate::account::{Account, CredentialRow, ReportTime};
use crate::config::Config;
use crate::findings::{Check, Finding, ResourceType, Severity, Status};

/// This family's checks.
pub(crate) static CHECKS: &[&Check] = &[&ACCESS_KEY_ROTATION, &UNUSED_CREDENTIALS, &SINGLE_ACTIVE_KEY];

/// IAM-012 access-key-rotation: its catalogue entry and the function that decides it.
pub(crate) static ACCESS_KEY_ROTATION: Check = Check {
    id: "IAM-012",
    slug: "access-key-rotation",
    title: "Active access keys are rotated within 90 days",
    severity: Severity::High,
    resource_type: ResourceType::User,
    hipaa: &["§164.308(a)(5)(ii)(D)"],
    description: "Fails for each user with an active access key older than 90 days (configurable).",
    remediation: "Create a new access key, move the workload to it, then deactivate and delete the old key.",
    remediate: None,
    run: access_key_rotation,
};

/// IAM-012 access-key-rotation.
pub(crate) fn access_key_rotation(account: &Account, config: &Config) -> Vec<Finding> {
    let max = config.access_key_max_age_days;
    per_user_report(account, &ACCESS_KEY_ROTATION, |_, row| {
        let mut old = Vec::new();
        let mut ok = Vec::new();
        for (n, key) in row.active_keys() {
            let (since, what) = match key.last_rotated.at() {
                Some(t) => (Some(t), "last rotated"),
                None => (row.user_creation_time.at(), "rotation time unknown; user created"),
            };
            match since {
                Some(t) => {
                    let age = days_since(account, t);
                    let text = format!("access key {n} is {age} days old ({what} {})", day(t));
                    if age > max {
                        old.push(text);
                    } else {
                        ok.push(text);
                    }
                }
                None => old.push(format!("access key {n} is active and its age is unknown")),
            }
        }
        if !old.is_empty() {
            (Status::Fail, format!("{} (limit {max} days)", old.join("; ")))
        } else if ok.is_empty() {
            (Status::Pass, "no active access key".into())
        } else {
            (Status::Pass, format!("{} (limit {max} days)", ok.join("; ")))
        }
    })
}

/// When a credential was last used, or, never used, when it was created.
fn last_activity(used: ReportTime, created: Option<DateTime<Utc>>) -> (Option<DateTime<Utc>>, &'static str) {
    match used {
        ReportTime::At(t) => (Some(t), "last used"),
        _ => (created, "never used; created"),
    }
}

fn unused(account: &Account, row: &CredentialRow, max: i64) -> (Vec<String>, Vec<String>) {
    let mut stale = Vec::new();
    let mut fresh = Vec::new();
    let mut judge = |what: String, (t, how): (Option<DateTime<Utc>>, &str)| match t {
        Some(t) => {
            let days = days_since(account, t);
            let text = format!("{what} {how} {} ({days} days ago)", day(t));
            if days > max {
                stale.push(text);
            } else {
                fresh.push(text);
            }
        }
        None => stale.push(format!("{what} has no recorded use or creation time")),
    };
    if row.has_password() {
        let created = row.password_last_changed.at().or(row.user_creation_time.at());
        judge(
            "console password".into(),
            last_activity(row.password_last_used, created),
        );
    }
    for (n, key) in row.active_keys() {
        let created = key.last_rotated.at().or(row.user_creation_time.at());
        judge(format!("access key {n}"), last_activity(key.last_used, created));
    }
    (stale, fresh)
}

/// IAM-013 unused-credentials: its catalogue entry and the function that decides it.
pub(crate) static UNUSED_CREDENTIALS: Check = Check {
    id: "IAM-013",
    slug: "unused-credentials",
    title: "Unused credentials are disabled",
    severity: Severity::Medium,
    resource_type: ResourceType::User,
    hipaa: &["§164.308(a)(3)(ii)(C)", "§164.308(a)(4)(ii)(C)"],
    description: "Fails for each user whose console password or active access key has not been used for 90 days (configurable); never-used credentials count from their creation.",
    remediation: "Disable the unused password (delete the login profile) or deactivate the unused access key.",
    remediate: None,
    run: unused_credentials,
};

/// IAM-013 unused-credentials.
pub(crate) fn unused_credentials(account: &Account, config: &Config) -> Vec<Finding> {
    let max = config.unused_credentials_days;
    per_user_report(account, &UNUSED_CREDENTIALS, |_, row| {
        let (stale, fresh) = unused(account, row, max);
        if !stale.is_empty() {
            (
                Status::Fail,
                format!("unused for more than {max} days: {}", stale.join("; ")),
            )
        } else if fresh.is_empty() {
            (Status::Pass, "no console password and no active access key".into())
        } else {
            (Status::Pass, fresh.join("; "))
        }
    })
}

/// IAM-014 single-active-key: its catalogue entry and the function that decides it.
pub(crate) static SINGLE_ACTIVE_KEY: Check = Check {
    id: "IAM-014",
    slug: "single-active-key",
    title: "Users have at most one active access key",
    severity: Severity::Low,
    resource_type: ResourceType::User,
    hipaa: &["§164.312(a)(2)(i)"],
    description: "Fails for each user with two active access keys.",
    remediation: "Deactivate the key that is not in use.",
    remediate: None,
    run: single_active_key,
};

/// IAM-014 single-active-key.
pub(crate) fn single_active_key(account: &Account, _config: &Config) -> Vec<Finding> {
    per_user_report(account, &SINGLE_ACTIVE_KEY, |_, row| match row.active_keys().count() {
        2 => (Status::Fail, "access keys 1 and 2 are both active".into()),
        n => (Status::Pass, format!("{n} active access key(s)")),
    })
}
