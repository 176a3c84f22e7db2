//! The access review's roster (HIPAA §164.308(a)(4)(ii)(C)): one row per IAM user, IAM role
//! and Identity Center user with what a reviewer needs to decide on it, and empty columns
//! for the decision. `crate::history::review` writes it as `access_review.csv` and signs a
//! filled-in copy; the audit writes the same rows as the workbook's "Access review" sheet.

use std::collections::{BTreeMap, BTreeSet};

use crate::findings::{AuditReport, Finding, ResourceType, Status};
use crate::report::csv_file::CsvTable;

/// The roster's columns: the principal's (never edited), then the reviewer's.
pub const ROSTER_HEADERS: [&str; 14] = [
    "RosterId",
    "PrincipalType",
    "Name",
    "Arn",
    "Groups",
    "EffectiveAdmin",
    "MFA",
    "ConsoleAccess",
    "AccessKeys",
    "LastUsed",
    "OpenFindings",
    "Decision",
    "Reviewer",
    "Comment",
];

/// How many leading columns describe the principal (a reviewer must not edit them).
pub const PRINCIPAL_COLUMNS: usize = 11;

/// Rows as maps of column name to cell.
pub(crate) fn maps(head: &[String], rows: &[Vec<String>]) -> Vec<BTreeMap<String, String>> {
    rows.iter()
        .map(|r| head.iter().cloned().zip(r.iter().cloned()).collect())
        .collect()
}

fn status_of<'a>(by: &BTreeMap<(&str, &str), &'a Finding>, check: &str, arn: &str) -> Option<&'a Finding> {
    by.get(&(check, arn)).copied()
}

fn admin_of_user(by: &BTreeMap<(&str, &str), &Finding>, arn: &str) -> String {
    let own = status_of(by, "IAM-010", arn).map(|f| f.status);
    let via = status_of(by, "IAM-025", arn).map(|f| f.status);
    match (own, via) {
        (Some(Status::Fail), _) => "yes (own policies, IAM-010)".into(),
        (Some(Status::Excepted), _) => "yes (own policies, excepted IAM-010)".into(),
        (_, Some(Status::Fail)) => "yes (through roles, IAM-025)".into(),
        (_, Some(Status::Excepted)) => "yes (through roles, excepted IAM-025)".into(),
        (Some(Status::Pass), Some(Status::Pass) | None) => "no".into(),
        _ => "unknown".into(),
    }
}

/// The roster as the audit writes it into `evidence.xlsx` (sheet "Access review"), from
/// the same tables its `mfa_audit.csv` and `identity_center_access.csv` are written from:
/// the rows `hipaa-iam review start` writes into `access_review.csv` from those files.
/// `findings_json_sha256`: the SHA-256 of the evidence's `findings.json` (its first 16
/// digits are the roster ID).
pub fn roster_from_tables(
    findings_json_sha256: &str,
    report: &AuditReport,
    mfa: &CsvTable,
    identity_center: Option<&CsvTable>,
) -> CsvTable {
    let id: String = findings_json_sha256.chars().take(16).collect();
    let ic = identity_center.map(|t| maps(&t.headers, &t.rows)).unwrap_or_default();
    roster_of(&id, report, &maps(&mfa.headers, &mfa.rows), &ic)
}

/// The roster's `LastUsed` of a user: when its console password and its access keys were
/// last used (`console 2026-11-03T09:12:00Z; access key never`), each left out when the
/// user has none; `N/A` when it has neither.
fn last_used(password: &str, key: &str) -> String {
    let known = |v: &str| !v.is_empty() && v != "N/A";
    let parts: Vec<String> = [("console", password), ("access key", key)]
        .iter()
        .filter(|(_, v)| known(v))
        .map(|(what, v)| format!("{what} {v}"))
        .collect();
    if parts.is_empty() {
        "N/A".to_string()
    } else {
        parts.join("; ")
    }
}

pub(crate) fn roster_of(
    id: &str,
    report: &AuditReport,
    mfa: &[BTreeMap<String, String>],
    identity_center: &[BTreeMap<String, String>],
) -> CsvTable {
    let id = id.to_string();
    let by: BTreeMap<(&str, &str), &Finding> = report
        .findings
        .iter()
        .map(|f| ((f.check.id, f.resource_arn.as_str()), f))
        .collect();
    let mut open: BTreeMap<&str, usize> = BTreeMap::new();
    let mut open_by_name: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    let mut users: BTreeMap<String, String> = BTreeMap::new();
    let mut roles: BTreeMap<&str, &str> = BTreeMap::new();
    for f in &report.findings {
        if f.status == Status::Fail {
            *open.entry(f.resource_arn.as_str()).or_default() += 1;
            *open_by_name
                .entry((f.check.resource_type.as_str(), f.resource_name.as_str()))
                .or_default() += 1;
        }
        match f.check.resource_type {
            ResourceType::User => {
                users
                    .entry(f.resource_name.clone())
                    .or_insert_with(|| f.resource_arn.clone());
            }
            ResourceType::Role => {
                roles.entry(f.resource_arn.as_str()).or_insert(f.resource_name.as_str());
            }
            _ => {}
        }
    }
    let mut table = CsvTable::new(&ROSTER_HEADERS);
    let mut seen = BTreeSet::new();
    let cell = |row: &BTreeMap<String, String>, k: &str| row.get(k).cloned().unwrap_or_default();
    let keys = |arn: &str| match status_of(&by, "IAM-012", arn) {
        Some(f) if f.detail.starts_with("no active access key") => "none".to_string(),
        Some(_) => "active".to_string(),
        None => String::new(),
    };
    for row in mfa {
        let name = cell(row, "UserName");
        let arn = users.get(&name).cloned().unwrap_or_default();
        seen.insert(name.clone());
        table.push(vec![
            id.clone(),
            "user".into(),
            name.clone(),
            arn.clone(),
            cell(row, "Groups"),
            admin_of_user(&by, &arn),
            cell(row, "MFA"),
            cell(row, "ConsoleAccess"),
            keys(&arn),
            last_used(&cell(row, "PasswordLastUsed"), &cell(row, "AccessKeyLastUsed")),
            open.get(arn.as_str()).copied().unwrap_or(0).to_string(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    for (name, arn) in users
        .iter()
        .filter(|(n, _)| !seen.contains(*n) && n.as_str() != "<root_account>")
    {
        table.push(vec![
            id.clone(),
            "user".into(),
            name.clone(),
            arn.clone(),
            String::new(),
            admin_of_user(&by, arn),
            String::new(),
            String::new(),
            keys(arn),
            String::new(),
            open.get(arn.as_str()).copied().unwrap_or(0).to_string(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    for (arn, name) in &roles {
        let admin = match status_of(&by, "IAM-022", arn).map(|f| f.status) {
            Some(Status::Fail) => "yes (IAM-022)",
            Some(Status::Excepted) => "yes (excepted IAM-022)",
            Some(Status::Pass) => "no",
            _ => "unknown",
        };
        table.push(vec![
            id.clone(),
            "role".into(),
            name.to_string(),
            arn.to_string(),
            String::new(),
            admin.into(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            open.get(arn).copied().unwrap_or(0).to_string(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    for row in identity_center {
        let name = cell(row, "UserName");
        let admin = if cell(row, "Administrator") == "yes" {
            "yes (permission set)"
        } else {
            "no"
        };
        table.push(vec![
            id.clone(),
            "sso-user".into(),
            name.clone(),
            format!("{}/{}", cell(row, "Instance"), cell(row, "UserId")),
            cell(row, "Groups"),
            admin.into(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            open_by_name
                .get(&("sso-user", name.as_str()))
                .copied()
                .unwrap_or(0)
                .to_string(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    table
}
