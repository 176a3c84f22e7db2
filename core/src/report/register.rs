//! The risk register (the hardening guide's format plus an Evidence column), generated
//! from the findings: one row per check that has at least one `fail` or `excepted`
//! finding, plus a row per check that passed (status Closed), so an auditor sees
//! coverage, not only gaps.

use std::collections::HashMap;

use serde::Serialize;

use super::csv_file::CsvTable;
use chrono::{DateTime, NaiveDate};

use crate::findings::{AppliedException, AuditReport, Check, Finding, Status};

/// A register row's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RiskStatus {
    /// At least one failing finding (an expired exception does not cover one).
    Open,
    /// Every failure is covered by a valid exception.
    Accepted,
    /// No failure.
    Closed,
    /// A control attested by a person (`[[attestation]]`), within its validity.
    Attested,
    /// An attestation past its last valid day.
    Expired,
}

impl RiskStatus {
    /// `Open`, `Accepted`, `Closed`.
    pub fn as_str(self) -> &'static str {
        match self {
            RiskStatus::Open => "Open",
            RiskStatus::Accepted => "Accepted",
            RiskStatus::Closed => "Closed",
            RiskStatus::Attested => "Attested",
            RiskStatus::Expired => "Expired",
        }
    }
}

/// One row of the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RiskRow {
    /// The check ID (`IAM-002`).
    pub risk_id: String,
    /// The check's slug.
    pub slug: String,
    /// What the risk is, and how many resources it concerns.
    pub description: String,
    /// HIPAA citations, `; `-joined.
    pub hipaa_standard: String,
    /// What is in place, accepted or still to do.
    pub mitigation: String,
    /// Open / Accepted / Closed.
    pub status: RiskStatus,
    /// The CSV file that backs the row and its row count.
    pub evidence: String,
    /// The severity of a failure of the check.
    pub severity: crate::findings::Severity,
    /// Failing findings.
    pub fail_count: usize,
    /// Excepted findings.
    pub excepted_count: usize,
    /// Passing findings.
    pub pass_count: usize,
}

/// The name of a check's evidence CSV: `IAM-002_console-mfa.csv`.
pub fn check_csv_name(check_id: &str, slug: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    format!("{}_{}.csv", clean(check_id), clean(slug))
}

/// The findings grouped by check, in the report's (catalogue) order.
pub fn by_check(report: &AuditReport) -> Vec<(&'static Check, Vec<&Finding>)> {
    let mut groups: Vec<(&'static Check, Vec<&Finding>)> = Vec::new();
    let mut index: HashMap<&'static str, usize> = HashMap::new();
    for f in &report.findings {
        let id = f.check.id;
        // The checks emit their findings together: most lookups are the group before.
        let i = match groups.last() {
            Some((last, _)) if last.id == id => groups.len() - 1,
            _ => *index.entry(id).or_insert_with(|| {
                groups.push((f.check, Vec::new()));
                groups.len() - 1
            }),
        };
        groups[i].1.push(f);
    }
    groups
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else if let Some(stem) = word.strip_suffix('y') {
        format!("{n} {stem}ies")
    } else {
        format!("{n} {word}s")
    }
}

fn names(findings: &[(&Finding, Status)], status: Status, limit: usize) -> String {
    let all: Vec<&str> = findings
        .iter()
        .filter(|(_, s)| *s == status)
        .map(|(f, _)| f.resource_name.as_str())
        .collect();
    let mut s = all.iter().take(limit).copied().collect::<Vec<_>>().join(", ");
    if all.len() > limit {
        s.push_str(&format!(" and {} more", all.len() - limit));
    }
    s
}

/// The date of the data (`as_of`), against which exception expiry is judged.
fn as_of_date(report: &AuditReport) -> Option<NaiveDate> {
    DateTime::parse_from_rfc3339(&report.as_of).ok().map(|t| t.date_naive())
}

/// Whether an exception no longer covers its finding: flagged expired, or its last valid
/// day is before the data's date.
fn lapsed(e: &AppliedException, as_of: Option<NaiveDate>) -> bool {
    e.expired
        || match (NaiveDate::parse_from_str(&e.expires, "%Y-%m-%d"), as_of) {
            (Ok(expires), Some(today)) => expires < today,
            _ => false,
        }
}

/// A finding's status for the register: `excepted` under an exception that has lapsed
/// counts as `fail` (an expired exception keeps a risk Open).
pub fn effective_status(f: &Finding, as_of: Option<NaiveDate>) -> Status {
    match (&f.status, &f.exception) {
        (Status::Excepted, Some(e)) if lapsed(e, as_of) => Status::Fail,
        (s, _) => *s,
    }
}

/// Whole days from the RFC 3339 instant `from` to `to`.
pub fn days_between(from: &str, to: &str) -> Option<i64> {
    let a = DateTime::parse_from_rfc3339(from).ok()?;
    let b = DateTime::parse_from_rfc3339(to).ok()?;
    Some((b - a).num_days())
}

/// When the oldest of `findings`' failing findings was first seen (`audit --previous`),
/// when that is before the audit's data time: `"; open since DATE (N days)"`, else nothing.
fn open_since(findings: &[(&Finding, Status)], as_of: &str) -> String {
    let oldest = findings
        .iter()
        .filter(|(f, s)| *s == Status::Fail && f.status == Status::Fail)
        .filter_map(|(f, _)| f.first_seen.as_deref())
        .filter(|t| *t != as_of)
        .min();
    match oldest.and_then(|t| days_between(t, as_of).map(|d| (t, d))) {
        Some((t, days)) => format!(
            "; open since {} ({days} day{})",
            t.get(..10).unwrap_or(t),
            if days == 1 { "" } else { "s" }
        ),
        None => String::new(),
    }
}

/// The register rows, in check order, then a row per attestation. Checks whose findings are
/// all `error` or `not-evaluated` have no row (nothing was decided; the summary lists them).
pub fn rows(report: &AuditReport) -> Vec<RiskRow> {
    rows_of(report, &by_check(report))
}

/// [`rows`] from the findings already grouped by check ([`by_check`]).
pub fn rows_of(report: &AuditReport, groups: &[(&'static Check, Vec<&Finding>)]) -> Vec<RiskRow> {
    let mut out = check_rows(report, groups);
    out.extend(attestation_rows(report));
    out
}

/// A row per attestation (`[[attestation]]`): Attested, or Expired past its last valid day.
pub fn attestation_rows(report: &AuditReport) -> Vec<RiskRow> {
    report
        .attestations
        .iter()
        .map(|a| {
            let status = if a.expired {
                RiskStatus::Expired
            } else {
                RiskStatus::Attested
            };
            RiskRow {
                risk_id: a.control.clone(),
                slug: "attestation".to_string(),
                description: a.statement.clone(),
                hipaa_standard: a.hipaa.join("; "),
                mitigation: format!(
                    "{} by {} on {}, valid until {}",
                    if a.expired {
                        "Attested (EXPIRED: attest again)"
                    } else {
                        "Attested"
                    },
                    a.attested_by,
                    a.date,
                    a.expires
                ),
                status,
                evidence: a.evidence.clone(),
                severity: crate::findings::Severity::Medium,
                fail_count: usize::from(a.expired),
                excepted_count: 0,
                pass_count: usize::from(!a.expired),
            }
        })
        .collect()
}

fn check_rows(report: &AuditReport, groups: &[(&'static Check, Vec<&Finding>)]) -> Vec<RiskRow> {
    let mut out = Vec::new();
    let as_of = as_of_date(report);
    for (check, plain) in groups {
        let check: &'static Check = check;
        if plain.is_empty() {
            continue;
        }
        let findings: Vec<(&Finding, Status)> = plain.iter().map(|f| (*f, effective_status(f, as_of))).collect();
        let count = |s: Status| findings.iter().filter(|(_, st)| *st == s).count();
        let (fail, excepted, pass, errors) = (
            count(Status::Fail),
            count(Status::Excepted),
            count(Status::Pass),
            count(Status::Error),
        );
        let status = if fail > 0 {
            RiskStatus::Open
        } else if excepted > 0 {
            RiskStatus::Accepted
        } else if pass > 0 {
            RiskStatus::Closed
        } else {
            continue;
        };
        let resource = check.resource_type.as_str();
        let judged = fail + excepted + pass;
        let description = match status {
            RiskStatus::Open => format!(
                "{}: {} of {} fail ({}){}",
                check.title,
                fail,
                plural(judged, resource),
                names(&findings, Status::Fail, 5),
                open_since(&findings, &report.as_of)
            ),
            RiskStatus::Accepted => {
                format!(
                    "{}: {} of {} fail under an accepted exception",
                    check.title,
                    excepted,
                    plural(judged, resource)
                )
            }
            RiskStatus::Closed | RiskStatus::Attested | RiskStatus::Expired => {
                format!("{}: all {} pass", check.title, plural(judged, resource))
            }
        };
        let remediation = check.remediation;
        let mut exceptions: Vec<String> = Vec::new();
        let mut too_broad: Vec<&str> = Vec::new();
        for (f, _) in findings
            .iter()
            .filter(|(_, s)| matches!(s, Status::Excepted | Status::Fail))
        {
            if let Some(why) = f.exception.as_ref().and_then(|e| e.too_broad.as_deref()) {
                if !too_broad.contains(&why) {
                    too_broad.push(why);
                }
            }
            if let Some(e) = &f.exception {
                let text = format!(
                    "{} {}: {} (approved by {}, expires {})",
                    if lapsed(e, as_of) {
                        "EXPIRED exception for"
                    } else {
                        "exception for"
                    },
                    f.resource_name,
                    e.reason,
                    e.approved_by,
                    e.expires
                );
                if !exceptions.contains(&text) {
                    exceptions.push(text);
                }
            }
        }
        let mut mitigation = match status {
            RiskStatus::Open => format!("Not yet applied: {remediation}"),
            RiskStatus::Accepted => "Risk accepted".to_string(),
            RiskStatus::Closed | RiskStatus::Attested | RiskStatus::Expired => format!("In place: {}", check.title),
        };
        for why in too_broad {
            mitigation.push_str(&format!("; WARNING: an exception is too broad: {why}"));
        }
        if !exceptions.is_empty() {
            mitigation.push_str(&format!("; {}", exceptions.join("; ")));
        }
        if errors > 0 {
            mitigation.push_str(&format!(
                "; {} could not be evaluated (error)",
                plural(errors, resource)
            ));
        }
        out.push(RiskRow {
            risk_id: check.id.to_string(),
            slug: check.slug.to_string(),
            description,
            hipaa_standard: check.hipaa.join("; "),
            mitigation,
            status,
            evidence: format!(
                "{} ({})",
                check_csv_name(check.id, check.slug),
                plural(findings.len(), "row")
            ),
            severity: check.severity,
            fail_count: fail,
            excepted_count: excepted,
            pass_count: pass,
        });
    }
    out
}

/// The register's columns: the guide's five plus Evidence.
pub const HEADERS: [&str; 6] = [
    "Risk ID",
    "Risk Description",
    "HIPAA Standard",
    "Mitigation Applied",
    "Status",
    "Evidence",
];

/// `risk_register.csv`.
pub fn to_csv(rows: &[RiskRow]) -> CsvTable {
    let mut t = CsvTable::new(&HEADERS);
    for r in rows {
        t.push(vec![
            r.risk_id.clone(),
            r.description.clone(),
            r.hipaa_standard.clone(),
            r.mitigation.clone(),
            r.status.as_str().to_string(),
            r.evidence.clone(),
        ]);
    }
    t
}

/// `risk_register.md`: the same rows as a Markdown table.
pub fn to_markdown(report: &AuditReport, rows: &[RiskRow]) -> String {
    let mut s = String::new();
    s.push_str("# HIPAA IAM risk register\n\n");
    s.push_str(&format!(
        "Account {}, data as of {}.\n\n",
        md_cell(report.account_id.as_deref().unwrap_or("(unknown)")),
        md_cell(&report.as_of)
    ));
    s.push_str(&markdown_table(rows));
    s
}

/// The register rows as a Markdown table (also used by the summary).
pub fn markdown_table(rows: &[RiskRow]) -> String {
    let mut s = format!("| {} |\n|{}\n", HEADERS.join(" | "), "---|".repeat(HEADERS.len()));
    for r in rows {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            md_cell(&r.risk_id),
            md_cell(&r.description),
            md_cell(&r.hipaa_standard),
            md_cell(&r.mitigation),
            r.status.as_str(),
            md_cell(&r.evidence)
        ));
    }
    s
}

/// Text made safe for a Markdown table cell: pipes, backslashes, HTML and Markdown
/// emphasis characters escaped, line breaks flattened, other control and bidirectional
/// characters replaced ([`crate::text::terminal_safe`]).
pub fn md_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' | '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if crate::text::is_unsafe(c) => out.push(crate::text::REPLACEMENT),
            c => out.push(c),
        }
    }
    out
}
