//! The organization's page and workbook, at the top of an organization's evidence tree:
//! `org_report.html` (one self-contained page in the style of `report.html`, readable
//! without JavaScript and printable) and `org_evidence.xlsx` (sheets Accounts, Risk
//! register and Guardrails). Both hold one row per account (its ID and name, audited or
//! its error, failing findings by severity, the checks failing, the data time, and the
//! relative path of its `report.html` when it has one), the organization risk register
//! ([`super::org::org_register`]) and each account's organization policies.
//!
//! Like the other organization files they depend only on the accounts' findings, names
//! and errors, in account ID order, and hold no wall-clock time (the workbook's creation
//! time is the latest data time): shards merged with [`crate::org::merge`] give the same
//! bytes as one run over all the accounts. Names from AWS are data: HTML-escaped with
//! control characters shown ([`super::html::shown`]), and text cells in the workbook,
//! never formulas.

use std::borrow::Cow;

use askama::Template;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, XlsxError};

use super::html::shown;
use super::org::{self, guardrail_rows, AccountView, ConfigRef, GuardrailRow, GUARDRAILS_INTRO};
use super::register::RiskRow;
use super::xlsx::{self, cell, Styles};
use crate::findings::{Severity, Status};
use crate::{Error, Result};

/// The organization's page.
pub const ORG_REPORT_HTML: &str = "org_report.html";
/// The organization's workbook.
pub const ORG_EVIDENCE_XLSX: &str = "org_evidence.xlsx";

/// One account as the page and the workbook list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow<'a> {
    /// The 12-digit account ID.
    pub id: &'a str,
    /// Its name in AWS Organizations (empty when unknown).
    pub name: &'a str,
    /// Why it was not audited.
    pub error: Option<&'a str>,
    /// Failing findings by severity, in [`Severity::ALL_DESC`] order.
    pub fails: [usize; 4],
    /// Checks with at least one failing finding.
    pub checks_failing: usize,
    /// The instant its data describes (empty when not audited).
    pub as_of: &'a str,
    /// Its page relative to the organization's (`<id>/report.html`), when it has one.
    pub report: Option<String>,
}

/// What the organization's page and workbook show.
#[derive(Debug)]
pub struct OrgReport<'a> {
    /// Every account, by ID.
    pub accounts: Vec<AccountRow<'a>>,
    /// Accounts audited.
    pub audited: usize,
    /// Accounts not audited.
    pub errored: usize,
    /// Audited accounts with failing findings.
    pub failing_accounts: usize,
    /// Failing findings of all accounts by severity.
    pub fails: [usize; 4],
    /// The data times: `T`, `T1 to T2`, or `no account audited`.
    pub as_of: String,
    /// The latest data time (the workbook's creation time).
    pub latest: Option<String>,
    /// The configuration's name.
    pub config: String,
    /// The configuration's SHA-256.
    pub config_sha256: String,
    /// The organization risk register.
    pub register: Vec<RiskRow>,
    /// The organization policies of each audited account whose findings hold them.
    pub guardrails: Vec<GuardrailRow<'a>>,
}

impl<'a> OrgReport<'a> {
    /// The model of `views` (sorted by ID) and the organization's register rows.
    pub fn build(views: &[AccountView<'a>], config: &ConfigRef, register: Vec<RiskRow>) -> OrgReport<'a> {
        let accounts: Vec<AccountRow<'a>> = views
            .iter()
            .map(|v| match v.result {
                Ok(report) => {
                    let mut failing_checks: Vec<&str> = report
                        .findings
                        .iter()
                        .filter(|f| f.status == Status::Fail)
                        .map(|f| f.check.id)
                        .collect();
                    failing_checks.sort_unstable();
                    failing_checks.dedup();
                    AccountRow {
                        id: v.id,
                        name: v.name,
                        error: None,
                        fails: Severity::ALL_DESC.map(|s| org::fails_by_severity(report, s)),
                        checks_failing: failing_checks.len(),
                        as_of: report.as_of.as_str(),
                        report: v.report_html.then(|| format!("{}/{}", v.id, super::html::REPORT_HTML)),
                    }
                }
                Err(e) => AccountRow {
                    id: v.id,
                    name: v.name,
                    error: Some(e),
                    fails: [0; 4],
                    checks_failing: 0,
                    as_of: "",
                    report: None,
                },
            })
            .collect();
        let audited = accounts.iter().filter(|a| a.error.is_none()).count();
        let failing_accounts = accounts
            .iter()
            .filter(|a| a.error.is_none() && a.fails.iter().sum::<usize>() > 0)
            .count();
        let mut fails = [0; 4];
        for a in &accounts {
            for (t, n) in fails.iter_mut().zip(a.fails) {
                *t += n;
            }
        }
        let range = org::as_of_range(views);
        let as_of = match &range {
            Some((a, b)) if a == b => a.clone(),
            Some((a, b)) => format!("{a} to {b}"),
            None => "no account audited".to_string(),
        };
        OrgReport {
            errored: accounts.len() - audited,
            audited,
            failing_accounts,
            fails,
            as_of,
            latest: range.map(|(_, b)| b),
            config: config.name.clone(),
            config_sha256: config.sha256.clone(),
            register,
            guardrails: guardrail_rows(views),
            accounts,
        }
    }

    /// Failing findings in all.
    pub fn failing(&self) -> usize {
        self.fails.iter().sum()
    }

    /// The headline: `N failing findings in M of K audited accounts; E could not be audited`.
    pub fn verdict(&self) -> String {
        let mut s = if self.failing() == 0 {
            format!(
                "No failing findings in {}",
                org::plural(self.audited, "audited account")
            )
        } else {
            format!(
                "{} in {} of {}",
                org::plural(self.failing(), "failing finding"),
                self.failing_accounts,
                org::plural(self.audited, "audited account")
            )
        };
        if self.errored > 0 {
            s.push_str(&format!(
                "; {} could not be audited",
                org::plural(self.errored, "account")
            ));
        }
        s
    }

    /// The accounts with only FullAWSAccess (no service control policy restricts anything).
    pub fn only_full_access(&self) -> Vec<&'a str> {
        self.guardrails
            .iter()
            .filter(|g| g.only_full_access)
            .map(|g| g.id)
            .collect()
    }
}

#[derive(Template)]
#[template(path = "org_report.html")]
struct Page<'m, 'a> {
    m: &'m OrgReport<'a>,
    severities: Vec<&'static str>,
    version: &'static str,
    guardrails_intro: &'static str,
}

impl Page<'_, '_> {
    /// A value from AWS, shown: control and bidirectional formatting characters made
    /// visible. Escaped by the template.
    fn t<'s>(&self, s: &'s str) -> Cow<'s, str> {
        shown(s)
    }

    /// An account's failing findings by severity, each with its cell's class (coloured
    /// when not zero).
    fn fail_cells(&self, a: &AccountRow<'_>) -> Vec<(String, usize)> {
        Severity::ALL_DESC
            .iter()
            .zip(a.fails)
            .map(|(sev, n)| {
                let class = if n > 0 {
                    format!("num sev-{}", sev.as_str())
                } else {
                    "num".to_string()
                };
                (class, n)
            })
            .collect()
    }

    fn only_full(&self) -> String {
        self.m.only_full_access().join(", ")
    }
}

/// The organization's page.
pub fn html(model: &OrgReport<'_>) -> Result<Vec<u8>> {
    let page = Page {
        m: model,
        severities: Severity::ALL_DESC.iter().map(|s| s.as_str()).collect(),
        version: crate::VERSION,
        guardrails_intro: GUARDRAILS_INTRO,
    };
    let mut out = Vec::new();
    page.write_into(&mut out)
        .map_err(|e| Error::InvalidArgument(format!("cannot render {ORG_REPORT_HTML}: {e}")))?;
    Ok(out)
}

/// The Accounts sheet's columns.
pub const ACCOUNT_COLUMNS: [&str; 11] = [
    "Account",
    "Name",
    "Status",
    "Error",
    "Critical",
    "High",
    "Medium",
    "Low",
    "ChecksFailing",
    "DataAsOf",
    "Report",
];

fn accounts_sheet(wb: &mut Workbook, m: &OrgReport<'_>, st: &Styles) -> std::result::Result<(), XlsxError> {
    let mut s = xlsx::sheet(wb, "Accounts")?;
    s.header(
        &ACCOUNT_COLUMNS,
        st,
        &[15.0, 30.0, 10.0, 60.0, 9.0, 8.0, 9.0, 8.0, 14.0, 22.0, 28.0],
    )?;
    for a in &m.accounts {
        let status = if a.error.is_some() { "error" } else { "audited" };
        let error = a.error.unwrap_or("");
        let report = a.report.as_deref().unwrap_or("");
        let row = s.row;
        // Every cell from AWS (ID, name, error, time) is a string, never a formula.
        s.ws.write_string(row, 0, cell(a.id))?;
        s.ws.write_string(row, 1, cell(a.name))?;
        s.ws.write_string(row, 2, status)?;
        s.ws.write_string_with_format(row, 3, cell(error), &st.wrap)?;
        if a.error.is_none() {
            for (j, (n, sev)) in a.fails.iter().zip(Severity::ALL_DESC).enumerate() {
                if *n > 0 {
                    s.ws.write_number_with_format(row, 4 + j as u16, *n as f64, st.severity(sev))?;
                } else {
                    s.number(4 + j as u16, *n)?;
                }
            }
            s.number(8, a.checks_failing)?;
        }
        s.ws.write_string(row, 9, cell(a.as_of))?;
        s.ws.write_string(row, 10, cell(report))?;
        s.row += 1;
    }
    s.filter(0, ACCOUNT_COLUMNS.len())
}

/// The Guardrails sheet's columns.
pub const GUARDRAIL_COLUMNS: [&str; 5] = ["Account", "Name", "Guardrails", "SCPsByLevel", "RCPsByLevel"];

fn guardrails_sheet(wb: &mut Workbook, m: &OrgReport<'_>, st: &Styles) -> std::result::Result<(), XlsxError> {
    let mut s = xlsx::sheet(wb, "Guardrails")?;
    s.header(&GUARDRAIL_COLUMNS, st, &[15.0, 30.0, 36.0, 70.0, 50.0])?;
    for g in &m.guardrails {
        s.strings(&[
            (g.id, None),
            (g.name, None),
            (g.verdict, None),
            (&g.scps, Some(&st.wrap)),
            (&g.rcps, Some(&st.wrap)),
        ])?;
    }
    s.filter(0, GUARDRAIL_COLUMNS.len())
}

/// The organization's workbook as bytes.
pub fn workbook(model: &OrgReport<'_>) -> Result<Vec<u8>> {
    let build = || -> std::result::Result<Vec<u8>, XlsxError> {
        let mut wb = Workbook::new();
        wb.set_zip_compression_level(1);
        // The latest data time as the creation time, never the clock's: the same accounts
        // give the same bytes however the run was split.
        let created = model
            .latest
            .as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&chrono::Utc).format("%Y-%m-%dT%H:%M:%S").to_string())
            .and_then(|t| ExcelDateTime::parse_from_str(&t).ok())
            .map_or_else(|| ExcelDateTime::from_ymd(1980, 1, 1), Ok)?;
        wb.set_properties(&DocProperties::new().set_creation_datetime(&created));
        let st = Styles::new();
        accounts_sheet(&mut wb, model, &st)?;
        xlsx::register(&mut wb, &model.register, &st)?;
        guardrails_sheet(&mut wb, model, &st)?;
        wb.save_to_buffer()
    };
    build().map_err(|e| Error::InvalidArgument(format!("cannot write {ORG_EVIDENCE_XLSX}: {e}")))
}
