//! The MFA report (the hardening guide's `Audit-MFA`): one row per IAM user with its MFA
//! status and the columns an auditor needs beside it.

use std::collections::HashSet;

use serde::Serialize;

use super::csv_file::CsvTable;
use crate::account::{Account, ReportTime};
use crate::config::Config;

/// `HAS_MFA` / `NO_MFA` (from the credential report's `mfa_active`), or `UNKNOWN` when
/// the report was not collected or has no row for the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum MfaStatus {
    /// `HAS_MFA`.
    #[serde(rename = "HAS_MFA")]
    HasMfa,
    /// `NO_MFA`.
    #[serde(rename = "NO_MFA")]
    NoMfa,
    /// `UNKNOWN`.
    #[serde(rename = "UNKNOWN")]
    Unknown,
}

impl MfaStatus {
    /// `HAS_MFA`, `NO_MFA`, `UNKNOWN`.
    pub fn as_str(self) -> &'static str {
        match self {
            MfaStatus::HasMfa => "HAS_MFA",
            MfaStatus::NoMfa => "NO_MFA",
            MfaStatus::Unknown => "UNKNOWN",
        }
    }
}

/// What kind of MFA device the user has, as far as the account data tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MfaDeviceType {
    /// A virtual MFA device (`virtual-mfa-devices.json`) is assigned to the user.
    Virtual,
    /// MFA is active and no virtual device is assigned (the virtual list was collected):
    /// a hardware token or a security key.
    Hardware,
    /// MFA is active but the virtual device list was not collected.
    Unknown,
    /// No MFA.
    None,
}

impl MfaDeviceType {
    /// `virtual`, `hardware`, `unknown`, `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            MfaDeviceType::Virtual => "virtual",
            MfaDeviceType::Hardware => "hardware",
            MfaDeviceType::Unknown => "unknown",
            MfaDeviceType::None => "none",
        }
    }
}

/// One user of the MFA report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MfaRow {
    /// The user name.
    pub user_name: String,
    /// `HAS_MFA` / `NO_MFA` / `UNKNOWN`.
    #[serde(rename = "MFA")]
    pub mfa: MfaStatus,
    /// The user has a console password.
    pub console_access: bool,
    /// The kind of device.
    pub mfa_device_type: MfaDeviceType,
    /// Member of the configured human-users group (the one whose policy enforces MFA).
    pub in_mfa_group: bool,
    /// The user's groups, sorted.
    pub groups: Vec<String>,
    /// When the console password was last used: RFC 3339, `never` (a password that was
    /// never used) or `N/A` (no password, or no information).
    pub password_last_used: String,
    /// When one of the user's access keys was last used (the latest of them): RFC 3339,
    /// `never` (keys that were never used) or `N/A` (no access key, or no information).
    pub access_key_last_used: String,
    /// `false` for a console user without MFA, a user outside the MFA group, or a user
    /// whose MFA status is unknown.
    pub compliant: bool,
}

impl MfaRow {
    /// Why the row is not compliant, in a few words (empty when it is).
    pub fn gaps(&self, mfa_group: &str) -> Vec<String> {
        let mut gaps = Vec::new();
        match self.mfa {
            MfaStatus::NoMfa if self.console_access => gaps.push("console access without MFA".to_string()),
            MfaStatus::NoMfa => gaps.push("no MFA".to_string()),
            MfaStatus::Unknown => gaps.push("MFA status unknown (no credential report row)".to_string()),
            MfaStatus::HasMfa => {}
        }
        if !self.in_mfa_group {
            gaps.push(format!("not in the {mfa_group} group"));
        }
        gaps
    }
}

/// One row per IAM user, sorted by name.
pub fn rows(account: &Account, config: &Config) -> Vec<MfaRow> {
    let virtual_devices = account.virtual_mfa_devices.get();
    // The users with a virtual device, by ARN and by name, looked up once per user (a scan
    // of every device per user made this report quadratic in the number of users).
    let virtual_users = virtual_devices.map(|devices| {
        let (mut arns, mut names) = (HashSet::new(), HashSet::new());
        for u in devices.iter().filter_map(|d| d.user.as_ref()) {
            arns.insert(u.arn.as_str());
            names.extend(u.user_name.as_deref());
        }
        (arns, names)
    });
    let mut rows: Vec<MfaRow> = account
        .users
        .iter()
        .map(|user| {
            let cred = account.credential_row(&user.user_name);
            let mfa = match cred {
                Some(r) if r.mfa_active => MfaStatus::HasMfa,
                Some(_) => MfaStatus::NoMfa,
                None => MfaStatus::Unknown,
            };
            let console_access = cred.is_some_and(|r| r.has_password());
            let has_virtual = virtual_users.as_ref().is_some_and(|(arns, names)| {
                arns.contains(user.arn.as_str()) || names.contains(user.user_name.as_str())
            });
            let mfa_device_type = if has_virtual {
                MfaDeviceType::Virtual
            } else if mfa == MfaStatus::HasMfa {
                if virtual_devices.is_some() {
                    MfaDeviceType::Hardware
                } else {
                    MfaDeviceType::Unknown
                }
            } else {
                MfaDeviceType::None
            };
            let mut groups = user.group_list.clone();
            groups.sort();
            let in_mfa_group = groups.iter().any(|g| g == &config.human_users_group);
            let password_last_used = match cred.map(|r| r.password_last_used) {
                Some(ReportTime::At(t)) => t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                Some(ReportTime::NotApplicable) if console_access => "never".to_string(),
                _ => "N/A".to_string(),
            };
            let access_key_last_used = cred.map_or_else(|| "N/A".to_string(), key_last_used);
            let compliant = in_mfa_group && mfa != MfaStatus::Unknown && !(console_access && mfa == MfaStatus::NoMfa);
            MfaRow {
                user_name: user.user_name.clone(),
                mfa,
                console_access,
                mfa_device_type,
                in_mfa_group,
                groups,
                password_last_used,
                access_key_last_used,
                compliant,
            }
        })
        .collect();
    rows.sort_by(|a, b| a.user_name.cmp(&b.user_name));
    rows
}

/// The latest use of any of the row's access keys (see [`MfaRow::access_key_last_used`]).
fn key_last_used(row: &crate::account::CredentialRow) -> String {
    let keys: Vec<_> = row
        .access_keys
        .iter()
        .filter(|k| k.active || k.last_rotated.at().is_some())
        .collect();
    match keys.iter().filter_map(|k| k.last_used.at()).max() {
        Some(t) => t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        None if !keys.is_empty() => "never".to_string(),
        None => "N/A".to_string(),
    }
}

/// The columns of `mfa_audit.csv`.
pub const CSV_HEADERS: [&str; 9] = [
    "UserName",
    "MFA",
    "ConsoleAccess",
    "MfaDeviceType",
    "InMfaGroup",
    "Groups",
    "PasswordLastUsed",
    "AccessKeyLastUsed",
    "Compliant",
];

/// The rows as `mfa_audit.csv` (through the one CSV writer: formula cells neutralised).
pub fn to_csv(rows: &[MfaRow]) -> CsvTable {
    let mut table = CsvTable::new(&CSV_HEADERS);
    for r in rows {
        table.push(vec![
            r.user_name.clone(),
            r.mfa.as_str().to_string(),
            r.console_access.to_string(),
            r.mfa_device_type.as_str().to_string(),
            r.in_mfa_group.to_string(),
            r.groups.join(";"),
            r.password_last_used.clone(),
            r.access_key_last_used.clone(),
            r.compliant.to_string(),
        ]);
    }
    table
}

/// The console table in the guide's style (`alice  NO_MFA  ❌ HIPAA compliance gap`).
/// `styled`: colours and symbols for a terminal; otherwise plain ASCII markers, for pipes
/// and `NO_COLOR`.
pub fn to_table(rows: &[MfaRow], mfa_group: &str, styled: bool) -> String {
    let name_w = rows
        .iter()
        .map(|r| r.user_name.chars().count())
        .max()
        .unwrap_or(0)
        .max("USER".len());
    let mut out = String::new();
    out.push_str(&format!(
        "{:<name_w$}  {:<7}  {:<7}  {:<8}  {:<9}  RESULT\n",
        "USER", "MFA", "CONSOLE", "DEVICE", "MFA GROUP"
    ));
    for r in rows {
        let gaps = r.gaps(mfa_group);
        let verdict = match (r.compliant, styled) {
            (true, true) => "\x1b[32m✅ compliant\x1b[0m".to_string(),
            (true, false) => "[ok] compliant".to_string(),
            (false, true) => format!("\x1b[31m❌ HIPAA compliance gap\x1b[0m: {}", gaps.join(", ")),
            (false, false) => format!("[GAP] HIPAA compliance gap: {}", gaps.join(", ")),
        };
        out.push_str(&format!(
            "{:<name_w$}  {:<7}  {:<7}  {:<8}  {:<9}  {}\n",
            crate::text::terminal_safe(&r.user_name),
            r.mfa.as_str(),
            if r.console_access { "yes" } else { "no" },
            r.mfa_device_type.as_str(),
            if r.in_mfa_group { "yes" } else { "no" },
            verdict
        ));
    }
    let gaps = rows.iter().filter(|r| !r.compliant).count();
    out.push_str(&format!(
        "\n{} users, {} compliant, {} with a compliance gap\n",
        rows.len(),
        rows.len() - gaps,
        gaps
    ));
    out
}
