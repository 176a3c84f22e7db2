//! The root user: IAM-015 root-mfa, IAM-016 root-hardware-mfa, IAM-017 root-access-keys,
//! IAM-018 root-recent-use.
//!
//! The credential report's `<root_account>` row decides; where the report has no root row
//! (or was not collected), the account summary's `AccountMFAEnabled` and
//! `AccountAccessKeysPresent` decide IAM-015 and IAM-017.

use std::collections::BTreeMap;

use super::{day, days_since, finding, unavailable};
use crate::account::{file, Account, Collected, CredentialRow};
use crate::config::Config;
use crate::report::{Finding, ResourceType, Status};

/// Where the root user's facts come from.
enum RootData<'a> {
    Row(&'a CredentialRow),
    Summary(&'a BTreeMap<String, i64>),
    Missing(Status, String),
}

fn root_data(account: &Account, summary_decides: bool) -> RootData<'_> {
    if let Some(row) = account.credential_report.get().and_then(|r| r.root()) {
        return RootData::Row(row);
    }
    if summary_decides {
        if let Collected::Yes(s) = &account.account_summary {
            return RootData::Summary(s);
        }
    }
    let report = match unavailable(&account.credential_report, file::CREDENTIAL_REPORT) {
        Some(x) => x,
        None => (
            Status::NotEvaluated,
            format!("{} has no <root_account> row", file::CREDENTIAL_REPORT),
        ),
    };
    if !summary_decides {
        return RootData::Missing(report.0, report.1);
    }
    let summary =
        unavailable(&account.account_summary, file::ACCOUNT_SUMMARY).unwrap_or((Status::NotEvaluated, String::new()));
    // Error when a source failed; otherwise the data was not collected.
    let status = if report.0 == Status::Error || summary.0 == Status::Error {
        Status::Error
    } else {
        Status::NotEvaluated
    };
    RootData::Missing(status, format!("{}; {}", report.1, summary.1))
}

fn root_finding(account: &Account, id: &str, status: Status, detail: String, source: Option<&str>) -> Finding {
    let account_id = account.account_id.clone().unwrap_or_default();
    let mut f = finding(
        id,
        ResourceType::Root,
        &format!("arn:aws:iam::{account_id}:root"),
        "<root_account>",
        status,
        detail,
    );
    f.source_file = source.and_then(|k| account.sources.get(k).cloned());
    f
}

/// Whether root has MFA, with the source that says so.
fn root_has_mfa(account: &Account) -> Result<(bool, &'static str, String), (Status, String)> {
    match root_data(account, true) {
        RootData::Row(row) => Ok((
            row.mfa_active,
            "credential_report",
            "the credential report's root row".into(),
        )),
        RootData::Summary(s) => match s.get("AccountMFAEnabled") {
            Some(v) => Ok((
                *v > 0,
                "account_summary",
                format!("the account summary (AccountMFAEnabled = {v})"),
            )),
            None => Err((
                Status::NotEvaluated,
                format!("{} has no AccountMFAEnabled", file::ACCOUNT_SUMMARY),
            )),
        },
        RootData::Missing(s, d) => Err((s, d)),
    }
}

/// IAM-015 root-mfa.
pub(crate) fn root_mfa(account: &Account, _config: &Config) -> Vec<Finding> {
    let f = match root_has_mfa(account) {
        Ok((true, src, how)) => root_finding(
            account,
            "IAM-015",
            Status::Pass,
            format!("root has MFA (per {how})"),
            Some(src),
        ),
        Ok((false, src, how)) => root_finding(
            account,
            "IAM-015",
            Status::Fail,
            format!("the root user has no MFA device (per {how})"),
            Some(src),
        ),
        Err((s, d)) => root_finding(account, "IAM-015", s, d, None),
    };
    vec![f]
}

/// IAM-016 root-hardware-mfa.
pub(crate) fn root_hardware_mfa(account: &Account, _config: &Config) -> Vec<Finding> {
    let id = "IAM-016";
    let f = match root_has_mfa(account) {
        Err((s, d)) => root_finding(account, id, s, d, None),
        Ok((false, src, how)) => root_finding(
            account,
            id,
            Status::Fail,
            format!("the root user has no MFA device at all (per {how}); a hardware device is required"),
            Some(src),
        ),
        Ok((true, _, _)) => match &account.virtual_mfa_devices {
            Collected::Yes(devices) => {
                let virtual_root = devices
                    .iter()
                    .find(|d| d.user.as_ref().is_some_and(|u| u.arn.ends_with(":root")));
                match virtual_root {
                    Some(d) => root_finding(
                        account,
                        id,
                        Status::Fail,
                        format!("the root user's MFA is the virtual device {}", d.serial_number),
                        Some("virtual_mfa_devices"),
                    ),
                    None => root_finding(
                        account,
                        id,
                        Status::Pass,
                        "root has MFA and no virtual MFA device is assigned to root: the device is hardware".into(),
                        Some("virtual_mfa_devices"),
                    ),
                }
            }
            other => {
                let (s, d) =
                    unavailable(other, file::VIRTUAL_MFA_DEVICES).unwrap_or((Status::NotEvaluated, String::new()));
                root_finding(
                    account,
                    id,
                    s,
                    format!("{d}: cannot tell a virtual from a hardware device"),
                    None,
                )
            }
        },
    };
    vec![f]
}

/// IAM-017 root-access-keys.
pub(crate) fn root_access_keys(account: &Account, _config: &Config) -> Vec<Finding> {
    let id = "IAM-017";
    let f = match root_data(account, true) {
        RootData::Row(row) => {
            let keys: Vec<String> = row.active_keys().map(|(n, _)| format!("access key {n}")).collect();
            if keys.is_empty() {
                root_finding(account, id, Status::Pass, "the root user has no active access key".into(), Some("credential_report"))
            } else {
                root_finding(
                    account,
                    id,
                    Status::Fail,
                    format!("the root user has {} active", keys.join(" and ")),
                    Some("credential_report"),
                )
            }
        }
        RootData::Summary(s) => match s.get("AccountAccessKeysPresent") {
            Some(0) => root_finding(
                account,
                id,
                Status::Pass,
                "the account summary says the root user has no access key (AccountAccessKeysPresent = 0)".into(),
                Some("account_summary"),
            ),
            Some(v) => root_finding(
                account,
                id,
                Status::Fail,
                format!("the account summary says the root user has access keys (AccountAccessKeysPresent = {v}; it counts active and inactive keys)"),
                Some("account_summary"),
            ),
            None => root_finding(
                account,
                id,
                Status::NotEvaluated,
                format!("{} has no AccountAccessKeysPresent", file::ACCOUNT_SUMMARY),
                None,
            ),
        },
        RootData::Missing(s, d) => root_finding(account, id, s, d, None),
    };
    vec![f]
}

/// IAM-018 root-recent-use.
pub(crate) fn root_recent_use(account: &Account, config: &Config) -> Vec<Finding> {
    let id = "IAM-018";
    let window = config.root_recent_use_days;
    let f = match root_data(account, false) {
        RootData::Row(row) => {
            let mut uses = vec![("password", row.password_last_used.at())];
            for (i, k) in row.access_keys.iter().enumerate() {
                uses.push((if i == 0 { "access key 1" } else { "access key 2" }, k.last_used.at()));
            }
            let recent: Vec<String> = uses
                .iter()
                .filter_map(|(what, t)| t.map(|t| (what, t)))
                .filter(|(_, t)| days_since(account, *t) <= window)
                .map(|(what, t)| format!("root {what} used {} ({} days ago)", day(t), days_since(account, t)))
                .collect();
            if recent.is_empty() {
                root_finding(
                    account,
                    id,
                    Status::Pass,
                    format!("root not used in the last {window} days"),
                    Some("credential_report"),
                )
            } else {
                root_finding(
                    account,
                    id,
                    Status::Fail,
                    format!("{} (window {window} days)", recent.join("; ")),
                    Some("credential_report"),
                )
            }
        }
        RootData::Summary(_) => unreachable_summary(account, id),
        RootData::Missing(s, d) => root_finding(
            account,
            id,
            s,
            format!("{d} (only the root row records root use)"),
            None,
        ),
    };
    vec![f]
}

fn unreachable_summary(account: &Account, id: &str) -> Finding {
    root_finding(
        account,
        id,
        Status::NotEvaluated,
        "the account summary does not record root use".into(),
        None,
    )
}
