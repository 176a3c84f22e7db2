//! Credentials: IAM-012 access-key-rotation, IAM-013 unused-credentials, IAM-014
//! single-active-key.

use chrono::{DateTime, Utc};

use super::{day, days_since, per_user_report};
use crate::account::{Account, CredentialRow, ReportTime};
use crate::config::Config;
use crate::report::{Finding, Status};

/// IAM-012 access-key-rotation.
pub(crate) fn access_key_rotation(account: &Account, config: &Config) -> Vec<Finding> {
    let max = config.access_key_max_age_days;
    per_user_report(account, "IAM-012", |_, row| {
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

/// IAM-013 unused-credentials.
pub(crate) fn unused_credentials(account: &Account, config: &Config) -> Vec<Finding> {
    let max = config.unused_credentials_days;
    per_user_report(account, "IAM-013", |_, row| {
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

/// IAM-014 single-active-key.
pub(crate) fn single_active_key(account: &Account, _config: &Config) -> Vec<Finding> {
    per_user_report(account, "IAM-014", |_, row| match row.active_keys().count() {
        2 => (Status::Fail, "access keys 1 and 2 are both active".into()),
        n => (Status::Pass, format!("{n} active access key(s)")),
    })
}
