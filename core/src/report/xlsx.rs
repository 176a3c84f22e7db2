//! `evidence.xlsx`: the [`ReportModel`] as an auditor's workbook (rust_xlsxwriter, every
//! sheet in its constant-memory mode): Summary, Findings (autofilter, frozen header,
//! severity colours, how long each failing finding has been open), Since last review
//! (with `audit --previous`), Risk register, MFA audit, a sheet per check family, and in
//! an evidence directory "Access review", the roster of principals to fill in. Also
//! `audit --format xlsx`.
//!
//! Every cell that holds account data is written as a string, never a formula: a user
//! named `=cmd|' /C calc'!A0` is that text in its cell.
//!
//! Size: Excel takes 1,048,576 rows a sheet, 100,000 users give 1.1 million findings, and
//! each row costs about 7.5 us to write and compress. The Findings sheet lists the findings
//! that are not passes, check by check in catalogue order, then passes, up to
//! [`FINDING_ROWS`] rows; what is left out is a row per check that counts it and names the
//! check's CSV, which lists every finding.

use std::io::Write;

use rust_xlsxwriter::{
    Color, DataValidation, DocProperties, ExcelDateTime, Format, FormatBorder, ProtectionOptions, Workbook, Worksheet,
    XlsxError,
};

use super::csv_file::CsvTable;
use super::model::{ReportModel, STATUSES};
use super::register::{effective_status, RiskRow};
use crate::checks;
use crate::findings::{Check, Finding, Severity, Status};

/// The workbook's file name in an evidence directory.
pub const EVIDENCE_XLSX: &str = "evidence.xlsx";

/// The most findings the Findings sheet lists (not passing first, then passing). 10,000
/// users' failing findings fit; at 100,000 users the rest is counted per check and the
/// workbook still takes well under a second.
pub const FINDING_ROWS: usize = 50_000;

/// Excel's longest cell text.
const CELL_MAX: usize = 32_767;

/// The Findings sheet's columns.
pub const FINDING_COLUMNS: [&str; 15] = [
    "CheckId",
    "Title",
    "Severity",
    "Status",
    "ResourceType",
    "ResourceName",
    "ResourceArn",
    "Detail",
    "SourceFile",
    "ExceptionReason",
    "ExceptionApprovedBy",
    "ExceptionExpires",
    "OpenSince",
    "Hipaa",
    "EvidenceCsv",
];

pub(super) struct Styles {
    pub(super) header: Format,
    pub(super) bold: Format,
    pub(super) wrap: Format,
    severity: [Format; 4],
    status: [Format; 5],
}

impl Styles {
    pub(super) fn new() -> Styles {
        let fill = |rgb: u32| Format::new().set_background_color(Color::RGB(rgb));
        Styles {
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xDDE3EA))
                .set_border_bottom(FormatBorder::Thin),
            bold: Format::new().set_bold(),
            wrap: Format::new().set_text_wrap(),
            // Severity::ALL_DESC order.
            severity: [
                fill(0xF4B6B6).set_bold(),
                fill(0xF8D7DA),
                fill(0xFFE8C2),
                fill(0xEEF1F4),
            ],
            // STATUSES order.
            status: [
                fill(0xF8D7DA),
                fill(0xFFE8C2),
                fill(0xD8EFD9),
                fill(0xE6D5EE),
                fill(0xE5E5E5),
            ],
        }
    }

    pub(super) fn severity(&self, s: Severity) -> &Format {
        &self.severity[Severity::ALL_DESC.iter().position(|x| *x == s).unwrap_or(3)]
    }

    fn status(&self, s: Status) -> &Format {
        &self.status[STATUSES.iter().position(|x| *x == s).unwrap_or(4)]
    }
}

/// Text for a cell: cut to Excel's limit (rust_xlsxwriter refuses longer text).
pub(super) fn cell(s: &str) -> &str {
    if s.len() <= CELL_MAX {
        return s;
    }
    let mut end = CELL_MAX - 3;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// A sheet being filled row by row (the constant-memory mode takes rows in order).
pub(super) struct Sheet<'w> {
    pub(super) ws: &'w mut Worksheet,
    pub(super) row: u32,
}

impl Sheet<'_> {
    pub(super) fn header(&mut self, names: &[&str], styles: &Styles, widths: &[f64]) -> Result<(), XlsxError> {
        for (c, name) in names.iter().enumerate() {
            self.ws
                .write_string_with_format(self.row, c as u16, *name, &styles.header)?;
        }
        for (c, w) in widths.iter().enumerate() {
            self.ws.set_column_width(c as u16, *w)?;
        }
        self.ws.set_freeze_panes(self.row + 1, 0)?;
        self.row += 1;
        Ok(())
    }

    /// One row: each cell a string (data is never a formula), with an optional format.
    pub(super) fn strings(&mut self, cells: &[(&str, Option<&Format>)]) -> Result<(), XlsxError> {
        for (c, (text, format)) in cells.iter().enumerate() {
            let text = cell(text);
            match format {
                Some(f) => self.ws.write_string_with_format(self.row, c as u16, text, f)?,
                None => self.ws.write_string(self.row, c as u16, text)?,
            };
        }
        self.row += 1;
        Ok(())
    }

    pub(super) fn number(&mut self, col: u16, n: usize) -> Result<(), XlsxError> {
        self.ws.write_number(self.row, col, n as f64)?;
        Ok(())
    }

    pub(super) fn filter(&mut self, header_row: u32, columns: usize) -> Result<(), XlsxError> {
        if self.row > header_row + 1 {
            self.ws.autofilter(header_row, 0, self.row - 1, (columns - 1) as u16)?;
        }
        Ok(())
    }
}

pub(super) fn sheet<'w>(wb: &'w mut Workbook, name: &str) -> Result<Sheet<'w>, XlsxError> {
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(name)?;
    Ok(Sheet { ws, row: 0 })
}

fn summary(wb: &mut Workbook, m: &ReportModel<'_>, st: &Styles) -> Result<(), XlsxError> {
    let mut s = sheet(wb, "Summary")?;
    s.ws.set_column_width(0, 28.0)?;
    s.ws.set_column_width(1, 70.0)?;
    s.ws.write_string_with_format(0, 0, "HIPAA IAM audit", &st.bold)?;
    s.row = 2;
    let sc = &m.scope;
    let verdict = m.verdict();
    for (k, v) in [
        ("Verdict", verdict.as_str()),
        ("Account", sc.account.as_str()),
        ("Data as of", sc.as_of.as_str()),
        ("Source", sc.source.as_str()),
        ("Access Analyzer regions", sc.regions.as_str()),
        ("Tool", sc.tool_version.as_str()),
        ("IAM action catalogue", sc.catalogue.as_str()),
        ("Configuration", sc.config.as_str()),
        ("Configuration SHA-256", sc.config_sha256.as_str()),
    ] {
        s.strings(&[(k, Some(&st.bold)), (v, None)])?;
    }
    if let Some(since) = &m.since {
        let text = format!(
            "compared with the audit of data as of {}: {} new, {} resolved, {} still open failing findings (sheet Since last review)",
            since.previous_as_of,
            since.new.len(),
            since.resolved.len(),
            since.still_open.len()
        );
        s.strings(&[("Since last review", Some(&st.bold)), (&text, None)])?;
    }
    s.row += 1;
    let mut head = vec!["Severity"];
    head.extend(STATUSES.iter().map(|x| x.as_str()));
    s.strings(&head.iter().map(|h| (*h, Some(&st.header))).collect::<Vec<_>>())?;
    for (i, sev) in Severity::ALL_DESC.iter().enumerate() {
        s.ws.write_string_with_format(s.row, 0, sev.as_str(), st.severity(*sev))?;
        for (j, n) in m.counts[i].iter().enumerate() {
            s.number(j as u16 + 1, *n)?;
        }
        s.row += 1;
    }
    s.ws.write_string_with_format(s.row, 0, "total", &st.bold)?;
    for j in 0..STATUSES.len() {
        s.number(j as u16 + 1, m.counts.iter().map(|r| r[j]).sum())?;
    }
    s.row += 2;
    s.strings(&[(
        "Every cell that holds account data is text, never a formula. The evidence directory's CSV per check lists every finding; manifest.json holds the SHA-256 of every file.",
        None,
    )])?;
    if !m.report.warnings.is_empty() {
        s.row += 1;
        s.strings(&[("Warnings", Some(&st.bold))])?;
        for w in &m.report.warnings {
            s.strings(&[(w.as_str(), None)])?;
        }
    }
    Ok(())
}

fn finding_row(
    s: &mut Sheet<'_>,
    m: &ReportModel<'_>,
    st: &Styles,
    f: &Finding,
    status: Status,
    csv: &str,
    hipaa: &str,
) -> Result<(), XlsxError> {
    let ex = f.exception.as_deref();
    let since = m.open_since(f, status);
    s.strings(&[
        (f.check.id, None),
        (f.check.title, None),
        (f.check.severity.as_str(), Some(st.severity(f.check.severity))),
        (status.as_str(), Some(st.status(status))),
        (f.check.resource_type.as_str(), None),
        (&f.resource_name, None),
        (&f.resource_arn, None),
        (&f.detail, None),
        (f.source_file.as_deref().unwrap_or(""), None),
        (ex.map(|e| e.reason.as_str()).unwrap_or(""), None),
        (ex.map(|e| e.approved_by.as_str()).unwrap_or(""), None),
        (ex.map(|e| e.expires.as_str()).unwrap_or(""), None),
        (&since, None),
        (hipaa, None),
        (csv, None),
    ])
}

fn findings(wb: &mut Workbook, m: &ReportModel<'_>, st: &Styles) -> Result<(), XlsxError> {
    let mut s = sheet(wb, "Findings")?;
    s.header(
        &FINDING_COLUMNS,
        st,
        &[
            10.0, 40.0, 10.0, 13.0, 12.0, 28.0, 45.0, 60.0, 28.0, 30.0, 20.0, 12.0, 20.0, 30.0, 32.0,
        ],
    )?;
    let hipaa: Vec<String> = m.checks.iter().map(|c| c.check.hipaa.join("; ")).collect();
    // Every finding that is not a pass.
    let mut left_out: Vec<(&'static Check, &str, usize, &str)> = Vec::new();
    for (c, hipaa) in m.checks.iter().zip(&hipaa) {
        // The header is row 0: `s.row - 1` findings are listed.
        let room = (FINDING_ROWS + 1).saturating_sub(s.row as usize);
        for (f, status) in c.open.iter().take(room) {
            finding_row(&mut s, m, st, f, *status, &c.csv, hipaa)?;
        }
        if c.open.len() > room {
            left_out.push((c.check, "not passing", c.open.len() - room, &c.csv));
        }
    }
    // Passes while the sheet is not too long.
    let as_of = chrono::DateTime::parse_from_rfc3339(&m.report.as_of)
        .ok()
        .map(|t| t.date_naive());
    let mut listed = vec![0usize; m.checks.len()];
    if (s.row as usize) <= FINDING_ROWS {
        let mut i = 0;
        'findings: for f in &m.report.findings {
            while m.checks.get(i).is_some_and(|c| c.check.id != f.check.id) {
                i += 1;
            }
            let Some(c) = m.checks.get(i) else { break };
            if effective_status(f, as_of) != Status::Pass {
                continue;
            }
            if s.row as usize > FINDING_ROWS {
                break 'findings;
            }
            finding_row(&mut s, m, st, f, Status::Pass, &c.csv, &hipaa[i])?;
            listed[i] += 1;
        }
    }
    for (i, c) in m.checks.iter().enumerate() {
        if c.pass_count > listed[i] {
            left_out.push((c.check, "passing", c.pass_count - listed[i], &c.csv));
        }
    }
    let header_row = 0;
    let last_data = s.row;
    for (check, what, n, csv) in left_out {
        let text = format!(
            "{n} more {what} findings of {} are not listed here: {csv} lists them all",
            check.id
        );
        s.strings(&[
            (check.id, None),
            (check.title, None),
            (check.severity.as_str(), None),
            ("", None),
            ("", None),
            ("", None),
            ("", None),
            (&text, None),
            ("", None),
            ("", None),
            ("", None),
            ("", None),
            ("", None),
            ("", None),
            (csv, None),
        ])?;
    }
    if last_data > header_row + 1 {
        s.ws.autofilter(header_row, 0, last_data - 1, (FINDING_COLUMNS.len() - 1) as u16)?;
    }
    Ok(())
}

/// "Since last review" (`audit --previous DIR`): every failing finding new, resolved and
/// still open since the previous audit, one row each, with the days a still-open one has
/// been open.
fn since(wb: &mut Workbook, m: &ReportModel<'_>, st: &Styles) -> Result<(), XlsxError> {
    let Some(since) = &m.since else { return Ok(()) };
    let mut s = sheet(wb, "Since last review")?;
    let head = [
        "Change",
        "CheckId",
        "Title",
        "Severity",
        "ResourceName",
        "ResourceArn",
        "Detail",
        "FirstSeen",
        "DaysOpen",
    ];
    s.header(&head, st, &[12.0, 10.0, 40.0, 10.0, 28.0, 45.0, 60.0, 22.0, 10.0])?;
    for (change, list) in since.lists() {
        for f in list {
            let open = change == "Still open";
            s.strings(&[
                (change, None),
                (f.check_id, None),
                (f.title, None),
                (f.severity.as_str(), Some(st.severity(f.severity))),
                (&f.resource_name, None),
                (&f.resource_arn, None),
                (&f.detail, None),
                (if open { since.first_seen(f) } else { "" }, None),
            ])?;
            if let Some(days) = since.days_open(f).filter(|_| open) {
                s.ws.write_number(s.row - 1, 8, days as f64)?;
            }
        }
    }
    s.filter(0, head.len())
}

/// The Risk register sheet (also the organization workbook's).
pub(super) fn register(wb: &mut Workbook, rows: &[RiskRow], st: &Styles) -> Result<(), XlsxError> {
    let mut s = sheet(wb, "Risk register")?;
    let head = [
        "Risk ID",
        "Severity",
        "Status",
        "Description",
        "HIPAA Standard",
        "Mitigation",
        "Evidence",
        "Fail",
        "Excepted",
        "Pass",
    ];
    s.header(&head, st, &[12.0, 10.0, 10.0, 60.0, 28.0, 60.0, 36.0, 8.0, 9.0, 8.0])?;
    for r in rows {
        s.ws.write_string(s.row, 0, cell(&r.risk_id))?;
        s.ws.write_string_with_format(s.row, 1, r.severity.as_str(), st.severity(r.severity))?;
        s.ws.write_string(s.row, 2, r.status.as_str())?;
        s.ws.write_string_with_format(s.row, 3, cell(&r.description), &st.wrap)?;
        s.ws.write_string(s.row, 4, cell(&r.hipaa_standard))?;
        s.ws.write_string_with_format(s.row, 5, cell(&r.mitigation), &st.wrap)?;
        s.ws.write_string(s.row, 6, cell(&r.evidence))?;
        s.number(7, r.fail_count)?;
        s.number(8, r.excepted_count)?;
        s.number(9, r.pass_count)?;
        s.row += 1;
    }
    s.filter(0, head.len())
}

fn mfa(wb: &mut Workbook, m: &ReportModel<'_>, st: &Styles) -> Result<(), XlsxError> {
    let mut s = sheet(wb, "MFA audit")?;
    let head = [
        "UserName",
        "MFA",
        "MFADeviceType",
        "ConsoleAccess",
        "InMfaGroup",
        "Groups",
        "PasswordLastUsed",
        "AccessKeyLastUsed",
        "Compliant",
    ];
    s.header(&head, st, &[28.0, 10.0, 14.0, 14.0, 12.0, 36.0, 24.0, 24.0, 11.0])?;
    let yes = |b: bool| if b { "true" } else { "false" };
    for r in &m.mfa.rows {
        let groups = r.groups.join(", ");
        let compliant = if r.compliant { &st.status[2] } else { &st.status[0] };
        s.strings(&[
            (&r.user_name, None),
            (r.mfa.as_str(), None),
            (r.mfa_device_type.as_str(), None),
            (yes(r.console_access), None),
            (yes(r.in_mfa_group), None),
            (&groups, None),
            (&r.password_last_used, None),
            (&r.access_key_last_used, None),
            (yes(r.compliant), Some(compliant)),
        ])?;
    }
    let last = s.row;
    if m.mfa.left_out > 0 {
        let note = format!(
            "{} more compliant users are not listed here: mfa_audit.csv lists every user",
            m.mfa.left_out
        );
        s.strings(&[(&note, None)])?;
    }
    if last > 1 {
        s.ws.autofilter(0, 0, last - 1, (head.len() - 1) as u16)?;
    }
    Ok(())
}

fn family(wb: &mut Workbook, m: &ReportModel<'_>, st: &Styles, name: &str, family: &[&Check]) -> Result<(), XlsxError> {
    let mut s = sheet(wb, name)?;
    let head = [
        "CheckId",
        "Title",
        "Severity",
        "Standing",
        "Fail",
        "Excepted",
        "Pass",
        "Error",
        "NotEvaluated",
        "Hipaa",
        "Remediation",
        "EvidenceCsv",
    ];
    s.header(
        &head,
        st,
        &[10.0, 44.0, 10.0, 13.0, 7.0, 9.0, 8.0, 7.0, 12.0, 30.0, 70.0, 32.0],
    )?;
    for check in family {
        let section = m.checks.iter().find(|c| c.check.id == check.id);
        let standing = section.map(|c| c.status());
        let remediation = check.remediation_text();
        s.ws.write_string(s.row, 0, check.id)?;
        s.ws.write_string(s.row, 1, check.title)?;
        s.ws.write_string_with_format(s.row, 2, check.severity.as_str(), st.severity(check.severity))?;
        match standing {
            Some(x) => s.ws.write_string_with_format(s.row, 3, x.as_str(), st.status(x))?,
            None => s.ws.write_string(s.row, 3, "not-run")?,
        };
        for (j, n) in section.map(|c| c.counts).unwrap_or_default().iter().enumerate() {
            s.number(4 + j as u16, *n)?;
        }
        s.ws.write_string(s.row, 9, check.hipaa.join("; "))?;
        s.ws.write_string_with_format(s.row, 10, cell(&remediation), &st.wrap)?;
        s.ws.write_string(s.row, 11, section.map(|c| c.csv.as_str()).unwrap_or(""))?;
        s.row += 1;
    }
    s.filter(0, head.len())
}

/// The "Access review" sheet of a workbook written into an evidence directory.
#[derive(Debug)]
pub enum RosterSheet {
    /// No such sheet (`audit --format xlsx` on stdout: a roster belongs to evidence).
    Absent,
    /// The roster ([`super::roster::roster_from_tables`]).
    Rows(CsvTable),
    /// More principals than a sheet lists ([`FINDING_ROWS`]): a note names
    /// `access_review.csv` instead.
    TooMany(usize),
}

/// "Access review": the roster to fill in, the same rows `hipaa-iam review start` writes
/// into `access_review.csv`. The principal's columns are locked (the sheet is protected
/// without a password, autofilter allowed); Decision offers keep / revoke / modify.
fn access_review(wb: &mut Workbook, st: &Styles, roster: RosterSheet) -> Result<(), XlsxError> {
    let table = match roster {
        RosterSheet::Absent => return Ok(()),
        RosterSheet::TooMany(n) => {
            let mut s = sheet(wb, "Access review")?;
            let note = format!(
                "{n} principals are more than a sheet lists: `hipaa-iam review start --evidence DIR` writes the roster as access_review.csv"
            );
            return s.strings(&[(&note, None)]);
        }
        RosterSheet::Rows(table) => table,
    };
    let mut s = sheet(wb, "Access review")?;
    let head: Vec<&str> = table.headers.iter().map(String::as_str).collect();
    s.header(
        &head,
        st,
        &[
            18.0, 12.0, 28.0, 45.0, 30.0, 26.0, 10.0, 13.0, 11.0, 24.0, 12.0, 11.0, 20.0, 40.0,
        ],
    )?;
    let open = Format::new().set_unlocked().set_background_color(Color::RGB(0xFFF8DC));
    let reviewer = head.len() - 3;
    for row in &table.rows {
        let cells: Vec<(&str, Option<&Format>)> = row
            .iter()
            .enumerate()
            .map(|(i, c)| (c.as_str(), (i >= reviewer).then_some(&open)))
            .collect();
        s.strings(&cells)?;
    }
    if !table.rows.is_empty() {
        let decisions = DataValidation::new()
            .allow_list_strings(&["keep", "revoke", "modify"])?
            .set_error_title("Decision")?
            .set_error_message("keep, revoke or modify")?;
        s.ws.add_data_validation(1, reviewer as u16, s.row - 1, reviewer as u16, &decisions)?;
    }
    s.filter(0, head.len())?;
    s.ws.protect_with_options(&ProtectionOptions {
        use_autofilter: true,
        sort: true,
        format_columns: true,
        ..ProtectionOptions::default()
    });
    Ok(())
}

/// The workbook of `model` as bytes.
pub fn workbook(model: &ReportModel<'_>) -> Result<Vec<u8>, XlsxError> {
    workbook_with(model, &|| RosterSheet::Absent)
}

/// [`workbook`] with the "Access review" sheet `roster` gives (asked for last, when the
/// other sheets are written).
pub fn workbook_with(model: &ReportModel<'_>, roster: &dyn Fn() -> RosterSheet) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    // The fastest deflate level: the workbook is the last evidence file to finish, and
    // level 1 writes it in about half the time of the default 6 for a slightly larger file.
    wb.set_zip_compression_level(1);
    // The workbook states the data's time as its creation time, not the clock's: the same
    // audit gives the same bytes (an organization's merged shards equal its whole run).
    let created = ExcelDateTime::parse_from_str(model.report.as_of.trim_end_matches('Z'))
        .or_else(|_| ExcelDateTime::from_ymd(1980, 1, 1))?;
    wb.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let st = Styles::new();
    summary(&mut wb, model, &st)?;
    findings(&mut wb, model, &st)?;
    since(&mut wb, model, &st)?;
    register(&mut wb, &model.register, &st)?;
    mfa(&mut wb, model, &st)?;
    for (name, checks) in checks::families() {
        family(&mut wb, model, &st, name, checks)?;
    }
    access_review(&mut wb, &st, roster())?;
    wb.save_to_buffer()
}

/// Writes the workbook of `model` into `w`.
pub fn write(w: &mut dyn Write, model: &ReportModel<'_>) -> std::io::Result<()> {
    write_with(w, model, &|| RosterSheet::Absent)
}

/// Writes the workbook of `model` with the "Access review" sheet `roster` gives into `w`.
pub fn write_with(w: &mut dyn Write, model: &ReportModel<'_>, roster: &dyn Fn() -> RosterSheet) -> std::io::Result<()> {
    let bytes =
        workbook_with(model, roster).map_err(|e| std::io::Error::other(format!("cannot write the workbook: {e}")))?;
    w.write_all(&bytes)
}
