//! `hipaa-iam diff OLD NEW`: what changed between two audits' evidence.
//!
//! A finding is keyed by its check and resource (`check_id`, `resource_arn`). A finding is
//! *open* when its status is `fail`:
//!
//! - **new**: open now, not open before (absent, passing, excepted, ...);
//! - **resolved**: open before, not open now (passing, excepted or gone);
//! - **still open**: open in both;
//! - **changed**: in both, with another status, or another detail unless it passes in both
//!   (so `fail -> excepted` is both resolved and changed);
//! - exceptions **added** (none before, one in force now), **expired** (in force before,
//!   expired now) and **removed** (one before, none now);
//! - principals (IAM users and roles, Identity Center users: the resources of the checks
//!   that judge them) **added** and **removed**;
//! - failing findings per severity, then and now.
//!
//! Organization evidence compares account by account, and lists the accounts added and
//! removed (and those audited in only one of the two).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use super::{load, Evidence, EvidenceContent};
use crate::findings::{AuditReport, Finding, ResourceType, Severity, Status};
use crate::run::FailOn;
use crate::{Error, Result};

pub use crate::report::since::FindingRef;

/// A finding in both audits with another status or detail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The check.
    pub check_id: &'static str,
    /// Its severity.
    pub severity: Severity,
    /// The resource.
    pub resource_arn: String,
    /// The resource's name.
    pub resource_name: String,
    /// The status before.
    pub old_status: Status,
    /// The status now.
    pub new_status: Status,
    /// The detail before.
    pub old_detail: String,
    /// The detail now.
    pub new_detail: String,
}

/// An exception that was added, expired or removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExceptionChange {
    /// The check.
    pub check_id: &'static str,
    /// The resource.
    pub resource_arn: String,
    /// The resource's name.
    pub resource_name: String,
    /// Who approved it.
    pub approved_by: String,
    /// Its last valid day.
    pub expires: String,
    /// Why the risk is accepted.
    pub reason: String,
}

/// A principal (IAM user or role, Identity Center user).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Principal {
    /// `user`, `role` or `sso-user`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Its name.
    pub name: String,
    /// Its ARN (or identifier).
    pub arn: String,
}

/// Failing findings of one severity, then and now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SeverityCount {
    /// The severity.
    pub severity: Severity,
    /// Failing in the old audit.
    pub then: usize,
    /// Failing now.
    pub now: usize,
}

/// What changed in one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountDiff {
    /// The account ID, when known.
    pub account_id: Option<String>,
    /// The data time of the old audit.
    pub old_as_of: String,
    /// The data time of the new audit.
    pub new_as_of: String,
    /// Failing now, not before.
    pub new: Vec<FindingRef>,
    /// Failing before, not now (status as it was).
    pub resolved: Vec<FindingRef>,
    /// Failing in both.
    pub still_open: Vec<FindingRef>,
    /// In both, with another status or detail.
    pub changed: Vec<Change>,
    /// Exceptions in force now that were not there before.
    pub exceptions_added: Vec<ExceptionChange>,
    /// Exceptions that expired since.
    pub exceptions_expired: Vec<ExceptionChange>,
    /// Exceptions there before, gone now.
    pub exceptions_removed: Vec<ExceptionChange>,
    /// Principals there now, not before.
    pub principals_added: Vec<Principal>,
    /// Principals there before, gone now.
    pub principals_removed: Vec<Principal>,
    /// Failing findings per severity (most serious first), then and now.
    pub severity_counts: Vec<SeverityCount>,
}

/// An account of an organization present in only one audit, or audited in only one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountRef {
    /// The account ID.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Why it is not compared, for accounts in both audits not audited in both.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Its failing findings, when it was audited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failing: Option<usize>,
}

/// One account of an organization compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberDiff {
    /// The account ID.
    pub id: String,
    /// Its name.
    pub name: String,
    /// What changed.
    #[serde(flatten)]
    pub diff: AccountDiff,
}

/// What changed between two evidence directories.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditDiff {
    /// `account` or `organization`.
    pub kind: &'static str,
    /// The old directory.
    pub old: String,
    /// The new directory.
    pub new: String,
    /// One account's diff.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<AccountDiff>,
    /// Organization: each account audited in both.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<MemberDiff>,
    /// Organization: accounts in the new audit only.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub accounts_added: Vec<AccountRef>,
    /// Organization: accounts in the old audit only.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub accounts_removed: Vec<AccountRef>,
    /// Organization: accounts in both not audited in both.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub accounts_not_compared: Vec<AccountRef>,
    /// The findings failing now (new or still open, and those of added accounts) at or
    /// above the threshold given, when one was.
    pub failing: usize,
    /// The threshold.
    pub fail_on: FailOn,
}

type Key<'a> = (&'static str, &'a str);

fn index(report: &AuditReport) -> BTreeMap<Key<'_>, &Finding> {
    report
        .findings
        .iter()
        .map(|f| ((f.check.id, f.resource_arn.as_str()), f))
        .collect()
}

fn principals(report: &AuditReport) -> BTreeMap<&str, Principal> {
    let mut out = BTreeMap::new();
    for f in &report.findings {
        let kind = match f.check.resource_type {
            ResourceType::User => "user",
            ResourceType::Role => "role",
            ResourceType::IdentityCenterUser => "sso-user",
            _ => continue,
        };
        out.entry(f.resource_arn.as_str()).or_insert_with(|| Principal {
            kind,
            name: f.resource_name.clone(),
            arn: f.resource_arn.clone(),
        });
    }
    out
}

fn exception_change(f: &Finding) -> Option<ExceptionChange> {
    f.exception.as_deref().map(|e| ExceptionChange {
        check_id: f.check.id,
        resource_arn: f.resource_arn.clone(),
        resource_name: f.resource_name.clone(),
        approved_by: e.approved_by.clone(),
        expires: e.expires.clone(),
        reason: e.reason.clone(),
    })
}

fn failing_by_severity(report: &AuditReport) -> [usize; 4] {
    let mut n = [0; 4];
    for f in report.findings.iter().filter(|f| f.status == Status::Fail) {
        if let Some(i) = Severity::ALL_DESC.iter().position(|s| *s == f.check.severity) {
            n[i] += 1;
        }
    }
    n
}

/// Compares two reports of one account.
pub fn diff_reports(old: &AuditReport, new: &AuditReport) -> AccountDiff {
    let before = index(old);
    let after = index(new);
    let open = |f: Option<&&Finding>| f.is_some_and(|f| f.status == Status::Fail);
    let mut d = AccountDiff {
        account_id: new.account_id.clone().or_else(|| old.account_id.clone()),
        old_as_of: old.as_of.clone(),
        new_as_of: new.as_of.clone(),
        new: Vec::new(),
        resolved: Vec::new(),
        still_open: Vec::new(),
        changed: Vec::new(),
        exceptions_added: Vec::new(),
        exceptions_expired: Vec::new(),
        exceptions_removed: Vec::new(),
        principals_added: Vec::new(),
        principals_removed: Vec::new(),
        severity_counts: Vec::new(),
    };
    for f in &new.findings {
        let key = (f.check.id, f.resource_arn.as_str());
        let was = before.get(&key);
        if f.status == Status::Fail {
            let mut r = FindingRef::of(f);
            match was {
                Some(w) if w.status == Status::Fail => {
                    // Open since the old audit's own first sighting, or its data time.
                    if r.first_seen.is_none() {
                        r.first_seen = Some(w.first_seen.as_deref().unwrap_or(&old.as_of).to_string());
                    }
                    d.still_open.push(r);
                }
                _ => {
                    r.first_seen.get_or_insert_with(|| new.as_of.clone());
                    d.new.push(r);
                }
            }
        }
        if let Some(w) = was {
            // A passing finding whose detail moved on (a date, a count) is no news.
            let passing = w.status == Status::Pass && f.status == Status::Pass;
            if w.status != f.status || (w.detail != f.detail && !passing) {
                d.changed.push(Change {
                    check_id: f.check.id,
                    severity: f.check.severity,
                    resource_arn: f.resource_arn.clone(),
                    resource_name: f.resource_name.clone(),
                    old_status: w.status,
                    new_status: f.status,
                    old_detail: w.detail.clone(),
                    new_detail: f.detail.clone(),
                });
            }
        }
        let old_ex = was.and_then(|w| w.exception.as_deref());
        match (old_ex, f.exception.as_deref()) {
            (None, Some(e)) if !e.expired => d.exceptions_added.extend(exception_change(f)),
            (None, Some(_)) => d.exceptions_expired.extend(exception_change(f)),
            (Some(o), Some(e)) if e.expired && !o.expired => d.exceptions_expired.extend(exception_change(f)),
            (Some(o), Some(e)) if !e.expired && (o.expired || o.expires != e.expires) => {
                d.exceptions_added.extend(exception_change(f))
            }
            (Some(_), None) => d.exceptions_removed.extend(was.and_then(|w| exception_change(w))),
            _ => {}
        }
    }
    for f in &old.findings {
        let key = (f.check.id, f.resource_arn.as_str());
        let now = after.get(&key);
        if f.status == Status::Fail && !open(now) {
            d.resolved.push(FindingRef::of(f));
        }
        if now.is_none() && f.exception.is_some() {
            d.exceptions_removed.extend(exception_change(f));
        }
    }
    let (p_old, p_new) = (principals(old), principals(new));
    d.principals_added = p_new
        .iter()
        .filter(|(k, _)| !p_old.contains_key(*k))
        .map(|(_, p)| p.clone())
        .collect();
    d.principals_removed = p_old
        .iter()
        .filter(|(k, _)| !p_new.contains_key(*k))
        .map(|(_, p)| p.clone())
        .collect();
    d.principals_added.sort();
    d.principals_removed.sort();
    let (then, now) = (failing_by_severity(old), failing_by_severity(new));
    d.severity_counts = Severity::ALL_DESC
        .iter()
        .enumerate()
        .map(|(i, s)| SeverityCount {
            severity: *s,
            then: then[i],
            now: now[i],
        })
        .collect();
    d
}

impl AccountDiff {
    /// The findings failing now (new or still open) at or above `fail_on`.
    pub fn failing(&self, fail_on: FailOn) -> usize {
        self.new
            .iter()
            .chain(&self.still_open)
            .filter(|f| fail_on.reaches(f.severity))
            .count()
    }
}

fn kind(e: &Evidence) -> &'static str {
    match e.content {
        EvidenceContent::Account(_) => "one account",
        EvidenceContent::Organization(_) => "an organization",
    }
}

/// Verifies and reads both evidence directories, then compares them.
pub fn diff_dirs(old: &Path, new: &Path, fail_on: FailOn) -> Result<AuditDiff> {
    let a = load(old)?;
    let b = load(new)?;
    diff_evidence(&a, &b, fail_on)
}

/// Compares two evidence directories already read ([`load`]).
pub fn diff_evidence(a: &Evidence, b: &Evidence, fail_on: FailOn) -> Result<AuditDiff> {
    let mut out = AuditDiff {
        kind: "account",
        old: a.dir.display().to_string(),
        new: b.dir.display().to_string(),
        account: None,
        accounts: Vec::new(),
        accounts_added: Vec::new(),
        accounts_removed: Vec::new(),
        accounts_not_compared: Vec::new(),
        failing: 0,
        fail_on,
    };
    match (&a.content, &b.content) {
        (EvidenceContent::Account(old), EvidenceContent::Account(new)) => {
            let d = diff_reports(old, new);
            out.failing = d.failing(fail_on);
            out.account = Some(d);
        }
        (EvidenceContent::Organization(old), EvidenceContent::Organization(new)) => {
            out.kind = "organization";
            let before: BTreeMap<&str, _> = old.iter().map(|m| (m.id.as_str(), m)).collect();
            let after: BTreeMap<&str, _> = new.iter().map(|m| (m.id.as_str(), m)).collect();
            let ids: BTreeSet<&str> = before.keys().chain(after.keys()).copied().collect();
            let failing_of = |r: &std::result::Result<AuditReport, String>| {
                r.as_ref()
                    .ok()
                    .map(|r| r.findings.iter().filter(|f| f.status == Status::Fail).count())
            };
            for id in ids {
                match (before.get(id), after.get(id)) {
                    (Some(o), Some(n)) => match (&o.report, &n.report) {
                        (Ok(ro), Ok(rn)) => {
                            let d = diff_reports(ro, rn);
                            out.failing += d.failing(fail_on);
                            out.accounts.push(MemberDiff {
                                id: id.to_string(),
                                name: n.name.clone(),
                                diff: d,
                            });
                        }
                        (ro, rn) => {
                            if let Ok(r) = rn {
                                out.failing += r.findings.iter().filter(|f| fail_on.fails(f)).count();
                            }
                            let reason = match (ro, rn) {
                                (Err(e), Ok(_)) => format!("not audited in the old evidence: {e}"),
                                (Ok(_), Err(e)) => format!("not audited in the new evidence: {e}"),
                                (Err(_), Err(e)) => format!("audited in neither: {e}"),
                                _ => String::new(),
                            };
                            out.accounts_not_compared.push(AccountRef {
                                id: id.to_string(),
                                name: n.name.clone(),
                                reason: Some(reason),
                                failing: failing_of(rn),
                            });
                        }
                    },
                    (None, Some(n)) => {
                        if let Ok(r) = &n.report {
                            out.failing += r.findings.iter().filter(|f| fail_on.fails(f)).count();
                        }
                        out.accounts_added.push(AccountRef {
                            id: id.to_string(),
                            name: n.name.clone(),
                            reason: n.report.as_ref().err().cloned(),
                            failing: failing_of(&n.report),
                        });
                    }
                    (Some(o), None) => out.accounts_removed.push(AccountRef {
                        id: id.to_string(),
                        name: o.name.clone(),
                        reason: o.report.as_ref().err().cloned(),
                        failing: failing_of(&o.report),
                    }),
                    (None, None) => {}
                }
            }
        }
        _ => {
            return Err(Error::InvalidArgument(format!(
                "cannot compare {} ({}) with {} ({}): both must be one account's evidence or both an organization's",
                a.dir.display(),
                kind(a),
                b.dir.display(),
                kind(b)
            )))
        }
    }
    Ok(out)
}

/// Output formats of a diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffFormat {
    /// Plain text for a terminal.
    Table,
    /// Markdown.
    Markdown,
    /// JSON ([`AuditDiff`]).
    Json,
}

/// Renders `diff` in `format`.
pub fn render(diff: &AuditDiff, format: DiffFormat) -> String {
    match format {
        DiffFormat::Json => {
            let mut s = serde_json::to_string_pretty(diff).unwrap_or_default();
            s.push('\n');
            s
        }
        DiffFormat::Markdown => markdown(diff),
        DiffFormat::Table => table(diff),
    }
}

fn md(s: &str) -> String {
    crate::report::register::md_cell(s)
}

fn md_findings(out: &mut String, title: &str, list: &[FindingRef]) {
    let _ = writeln!(out, "\n#### {title} ({})\n", list.len());
    if list.is_empty() {
        out.push_str("None.\n");
        return;
    }
    out.push_str("| Severity | Check | Resource | Status | First seen | Detail |\n|---|---|---|---|---|---|\n");
    for f in list {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            f.severity,
            f.check_id,
            md(&f.resource_name),
            f.status,
            md(f.first_seen.as_deref().unwrap_or("")),
            md(&f.detail)
        );
    }
}

fn md_account(out: &mut String, d: &AccountDiff) {
    let _ = writeln!(
        out,
        "Data as of {} then, {} now.\n\n| Severity | Failing then | Failing now |\n|---|---|---|",
        md(&d.old_as_of),
        md(&d.new_as_of)
    );
    for c in &d.severity_counts {
        let _ = writeln!(out, "| {} | {} | {} |", c.severity, c.then, c.now);
    }
    md_findings(out, "New", &d.new);
    md_findings(out, "Resolved", &d.resolved);
    md_findings(out, "Still open", &d.still_open);
    let _ = writeln!(out, "\n#### Changed ({})\n", d.changed.len());
    if d.changed.is_empty() {
        out.push_str("None.\n");
    } else {
        out.push_str("| Check | Resource | Status | Detail now |\n|---|---|---|---|\n");
        for c in &d.changed {
            let _ = writeln!(
                out,
                "| {} | {} | {} -> {} | {} |",
                c.check_id,
                md(&c.resource_name),
                c.old_status,
                c.new_status,
                md(&c.new_detail)
            );
        }
    }
    for (title, list) in [
        ("Exceptions added", &d.exceptions_added),
        ("Exceptions expired", &d.exceptions_expired),
        ("Exceptions removed", &d.exceptions_removed),
    ] {
        let _ = writeln!(out, "\n#### {title} ({})\n", list.len());
        if list.is_empty() {
            out.push_str("None.\n");
        }
        for e in list {
            let _ = writeln!(
                out,
                "- {} on {}: approved by {}, until {} ({})",
                e.check_id,
                md(&e.resource_name),
                md(&e.approved_by),
                md(&e.expires),
                md(&e.reason)
            );
        }
    }
    for (title, list) in [
        ("Principals added", &d.principals_added),
        ("Principals removed", &d.principals_removed),
    ] {
        let _ = writeln!(out, "\n#### {title} ({})\n", list.len());
        if list.is_empty() {
            out.push_str("None.\n");
        }
        for p in list {
            let _ = writeln!(out, "- {} {} (`{}`)", p.kind, md(&p.name), md(&p.arn));
        }
    }
}

fn markdown(diff: &AuditDiff) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## Since last review\n\nFrom `{}` to `{}`.\n",
        md(&diff.old),
        md(&diff.new)
    );
    if let Some(d) = &diff.account {
        md_account(&mut out, d);
    }
    for (title, list) in [
        ("Accounts added", &diff.accounts_added),
        ("Accounts removed", &diff.accounts_removed),
        ("Accounts not compared", &diff.accounts_not_compared),
    ] {
        if diff.kind != "organization" {
            break;
        }
        let _ = writeln!(out, "### {title} ({})\n", list.len());
        for a in list {
            let _ = writeln!(
                out,
                "- {} {}{}",
                a.id,
                md(&a.name),
                a.reason.as_deref().map(|r| format!(": {}", md(r))).unwrap_or_default()
            );
        }
        out.push('\n');
    }
    for m in &diff.accounts {
        let _ = writeln!(out, "### Account {} {}\n", m.id, md(&m.name));
        md_account(&mut out, &m.diff);
        out.push('\n');
    }
    out
}

fn table_findings(out: &mut String, title: &str, list: &[FindingRef]) {
    let _ = writeln!(out, "{title}: {}", list.len());
    for f in list {
        let since = f
            .first_seen
            .as_deref()
            .map(|s| format!(" (since {s})"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {:<8} {:<8} {}{}  {}",
            f.severity.as_str().to_uppercase(),
            f.check_id,
            crate::text::terminal_safe(&f.resource_name),
            since,
            crate::text::terminal_safe(&f.detail)
        );
    }
}

fn table_account(out: &mut String, d: &AccountDiff) {
    let _ = writeln!(
        out,
        "data as of {} then, {} now",
        crate::text::terminal_safe(&d.old_as_of),
        crate::text::terminal_safe(&d.new_as_of)
    );
    let counts: Vec<String> = d
        .severity_counts
        .iter()
        .map(|c| format!("{} {} -> {}", c.severity, c.then, c.now))
        .collect();
    let _ = writeln!(out, "failing per severity: {}", counts.join(", "));
    table_findings(out, "NEW", &d.new);
    table_findings(out, "RESOLVED", &d.resolved);
    table_findings(out, "STILL OPEN", &d.still_open);
    let _ = writeln!(out, "CHANGED: {}", d.changed.len());
    for c in &d.changed {
        let _ = writeln!(
            out,
            "  {:<8} {} {} -> {}  {}",
            c.check_id,
            crate::text::terminal_safe(&c.resource_name),
            c.old_status,
            c.new_status,
            crate::text::terminal_safe(&c.new_detail)
        );
    }
    for (title, list) in [
        ("EXCEPTIONS ADDED", &d.exceptions_added),
        ("EXCEPTIONS EXPIRED", &d.exceptions_expired),
        ("EXCEPTIONS REMOVED", &d.exceptions_removed),
    ] {
        let _ = writeln!(out, "{title}: {}", list.len());
        for e in list {
            let _ = writeln!(
                out,
                "  {:<8} {} until {} by {}",
                e.check_id,
                crate::text::terminal_safe(&e.resource_name),
                crate::text::terminal_safe(&e.expires),
                crate::text::terminal_safe(&e.approved_by)
            );
        }
    }
    for (title, list) in [
        ("PRINCIPALS ADDED", &d.principals_added),
        ("PRINCIPALS REMOVED", &d.principals_removed),
    ] {
        let _ = writeln!(out, "{title}: {}", list.len());
        for p in list {
            let _ = writeln!(out, "  {:<8} {}", p.kind, crate::text::terminal_safe(&p.arn));
        }
    }
}

fn table(diff: &AuditDiff) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "hipaa-iam diff {} -> {}",
        crate::text::terminal_safe(&diff.old),
        crate::text::terminal_safe(&diff.new)
    );
    if let Some(d) = &diff.account {
        table_account(&mut out, d);
    }
    if diff.kind == "organization" {
        for (title, list) in [
            ("ACCOUNTS ADDED", &diff.accounts_added),
            ("ACCOUNTS REMOVED", &diff.accounts_removed),
            ("ACCOUNTS NOT COMPARED", &diff.accounts_not_compared),
        ] {
            let _ = writeln!(out, "{title}: {}", list.len());
            for a in list {
                let _ = writeln!(
                    out,
                    "  {} {}{}",
                    a.id,
                    crate::text::terminal_safe(&a.name),
                    a.reason
                        .as_deref()
                        .map(|r| format!(": {}", crate::text::terminal_safe(r)))
                        .unwrap_or_default()
                );
            }
        }
        for m in &diff.accounts {
            let _ = writeln!(out, "\nACCOUNT {} {}", m.id, crate::text::terminal_safe(&m.name));
            table_account(&mut out, &m.diff);
        }
    }
    match diff.fail_on.threshold() {
        Some(min) => {
            let _ = writeln!(
                out,
                "fail-on {}: {} new or still-open failing finding(s) at or above it",
                min.as_str(),
                diff.failing
            );
        }
        None => {
            let _ = writeln!(out, "fail-on none: findings do not fail the run");
        }
    }
    out
}
