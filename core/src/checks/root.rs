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
use crate::findings::{Check, Finding, ResourceType, Severity, Status};

/// This family's checks.
pub(crate) static CHECKS: &[&Check] = &[&ROOT_MFA, &ROOT_HARDWARE_MFA, &ROOT_ACCESS_KEYS, &ROOT_RECENT_USE];

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

fn root_finding(
    account: &Account,
    check: &'static Check,
    status: Status,
    detail: String,
    source: Option<&str>,
) -> Finding {
    let account_id = account.account_id.clone().unwrap_or_default();
    let mut f = finding(
        check,
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

/// IAM-015 root-mfa: its catalogue entry and the function that decides it.
pub(crate) static ROOT_MFA: Check = Check {
    id: "IAM-015",
    slug: "root-mfa",
    title: "The root user has MFA",
    severity: Severity::Critical,
    resource_type: ResourceType::Root,
    hipaa: &["§164.312(d)"],
    description: "Fails when the root user has no MFA device.",
    remediation: "Sign in as root and enable a hardware MFA device.",
    remediate: None,
    run: root_mfa,
};

/// IAM-015 root-mfa.
pub(crate) fn root_mfa(account: &Account, _config: &Config) -> Vec<Finding> {
    let f = match root_has_mfa(account) {
        Ok((true, src, how)) => root_finding(
            account,
            &ROOT_MFA,
            Status::Pass,
            format!("root has MFA (per {how})"),
            Some(src),
        ),
        Ok((false, src, how)) => root_finding(
            account,
            &ROOT_MFA,
            Status::Fail,
            format!("the root user has no MFA device (per {how})"),
            Some(src),
        ),
        Err((s, d)) => root_finding(account, &ROOT_MFA, s, d, None),
    };
    vec![f]
}

/// IAM-016 root-hardware-mfa: its catalogue entry and the function that decides it.
pub(crate) static ROOT_HARDWARE_MFA: Check = Check {
    id: "IAM-016",
    slug: "root-hardware-mfa",
    title: "The root user's MFA is a hardware device",
    severity: Severity::Medium,
    resource_type: ResourceType::Root,
    hipaa: &["§164.312(d)"],
    description: "Fails when the root user's MFA device is a virtual device (one assigned to root in the virtual MFA device list), or when root has no MFA at all.",
    remediation: "Replace the root user's virtual MFA with a hardware MFA device or security key.",
    remediate: None,
    run: root_hardware_mfa,
};

/// IAM-016 root-hardware-mfa.
pub(crate) fn root_hardware_mfa(account: &Account, _config: &Config) -> Vec<Finding> {
    let check = &ROOT_HARDWARE_MFA;
    let f = match root_has_mfa(account) {
        Err((s, d)) => root_finding(account, check, s, d, None),
        Ok((false, src, how)) => root_finding(
            account,
            check,
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
                        check,
                        Status::Fail,
                        format!("the root user's MFA is the virtual device {}", d.serial_number),
                        Some("virtual_mfa_devices"),
                    ),
                    None => root_finding(
                        account,
                        check,
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
                    check,
                    s,
                    format!("{d}: cannot tell a virtual from a hardware device"),
                    None,
                )
            }
        },
    };
    vec![f]
}

/// IAM-017 root-access-keys: its catalogue entry and the function that decides it.
pub(crate) static ROOT_ACCESS_KEYS: Check = Check {
    id: "IAM-017",
    slug: "root-access-keys",
    title: "The root user has no active access keys",
    severity: Severity::Critical,
    resource_type: ResourceType::Root,
    hipaa: &["§164.312(a)(2)(i)", "§164.308(a)(4)(ii)(C)"],
    description: "Fails when the root user has an active access key.",
    remediation: "Delete the root user's access keys; use IAM roles or users instead.",
    remediate: None,
    run: root_access_keys,
};

/// IAM-017 root-access-keys.
pub(crate) fn root_access_keys(account: &Account, _config: &Config) -> Vec<Finding> {
    let check = &ROOT_ACCESS_KEYS;
    let f = match root_data(account, true) {
        RootData::Row(row) => {
            let keys: Vec<String> = row.active_keys().map(|(n, _)| format!("access key {n}")).collect();
            if keys.is_empty() {
                root_finding(account, check, Status::Pass, "the root user has no active access key".into(), Some("credential_report"))
            } else {
                root_finding(
                    account,
                    check,
                    Status::Fail,
                    format!("the root user has {} active", keys.join(" and ")),
                    Some("credential_report"),
                )
            }
        }
        RootData::Summary(s) => match s.get("AccountAccessKeysPresent") {
            Some(0) => root_finding(
                account,
                check,
                Status::Pass,
                "the account summary says the root user has no access key (AccountAccessKeysPresent = 0)".into(),
                Some("account_summary"),
            ),
            Some(v) => root_finding(
                account,
                check,
                Status::Fail,
                format!("the account summary says the root user has access keys (AccountAccessKeysPresent = {v}; it counts active and inactive keys)"),
                Some("account_summary"),
            ),
            None => root_finding(
                account,
                check,
                Status::NotEvaluated,
                format!("{} has no AccountAccessKeysPresent", file::ACCOUNT_SUMMARY),
                None,
            ),
        },
        RootData::Missing(s, d) => root_finding(account, check, s, d, None),
    };
    vec![f]
}

/// IAM-018 root-recent-use: its catalogue entry and the function that decides it.
pub(crate) static ROOT_RECENT_USE: Check = Check {
    id: "IAM-018",
    slug: "root-recent-use",
    title: "The root user is not used for routine work",
    severity: Severity::Medium,
    resource_type: ResourceType::Root,
    hipaa: &["§164.312(a)(2)(i)", "§164.312(b)"],
    description: "Fails when the root password or a root access key was used in the last 30 days (configurable).",
    remediation: "Stop using root for routine tasks; review the root activity in CloudTrail.",
    remediate: None,
    run: root_recent_use,
};

/// IAM-018 root-recent-use.
pub(crate) fn root_recent_use(account: &Account, config: &Config) -> Vec<Finding> {
    let check = &ROOT_RECENT_USE;
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
                    check,
                    Status::Pass,
                    format!("root not used in the last {window} days"),
                    Some("credential_report"),
                )
            } else {
                root_finding(
                    account,
                    check,
                    Status::Fail,
                    format!("{} (window {window} days)", recent.join("; ")),
                    Some("credential_report"),
                )
            }
        }
        RootData::Summary(_) => unreachable_summary(account, check),
        RootData::Missing(s, d) => root_finding(
            account,
            check,
            s,
            format!("{d} (only the root row records root use)"),
            None,
        ),
    };
    vec![f]
}

fn unreachable_summary(account: &Account, check: &'static Check) -> Finding {
    root_finding(
        account,
        check,
        Status::NotEvaluated,
        "the account summary does not record root use".into(),
        None,
    )
}
