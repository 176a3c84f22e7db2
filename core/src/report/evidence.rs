//! The evidence directory (`audit --output-dir`, default `reports/`): `mfa_audit.csv`, one
//! CSV per check that has findings, `findings.json`, `risk_register.csv` and `.md`,
//! `summary.md`, and `manifest.json` with the SHA-256 of every other file.
//!
//! Integrity: every file is streamed to a temporary name in the output directory while its
//! SHA-256 is computed ([`super::staging::Staging`]); only when all of them are written
//! and synced are they renamed into place, `manifest.json` last. A run that fails before
//! the renames leaves the previous evidence untouched and removes its temporary files.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::csv_file::CsvStream;
use super::findings_json;
use super::model::ReportModel;
use super::phi;
use super::register::{self, check_csv_name};
use super::since::SinceLastReview;
use super::staging::{MemorySink, Sink, Staging};
use super::xlsx::RosterSheet;
use super::{mfa, summary};
use crate::account::{file, Account};
use crate::config::LoadedConfig;
use crate::error::Field;
use crate::findings::{AuditReport, Finding, Status};
use crate::manifest::Manifest;
use crate::{Error, Result};

/// The default output directory.
pub const DEFAULT_DIR: &str = "reports";
/// The MFA report's file name.
pub const MFA_CSV: &str = "mfa_audit.csv";
/// The findings as JSON (the [`AuditReport`]).
pub const FINDINGS_JSON: &str = "findings.json";
/// The register as CSV.
pub const REGISTER_CSV: &str = "risk_register.csv";
/// The register as Markdown.
pub const REGISTER_MD: &str = "risk_register.md";
/// The summary.
pub const SUMMARY_MD: &str = "summary.md";
/// The report people read (see [`super::html`]).
pub use super::html::REPORT_HTML;
/// The auditor's workbook (see [`super::xlsx`]).
pub use super::xlsx::EVIDENCE_XLSX;

/// One evidence file: its plain name and its bytes.
pub type EvidenceFile = (String, Vec<u8>);

/// A directory of an evidence tree and the files to write into it.
pub type EvidenceDir = (PathBuf, Vec<EvidenceFile>);

/// Options of the evidence writer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EvidenceOptions {
    /// Prepend the UTF-8 byte-order mark to every CSV (for Excel).
    pub excel: bool,
    /// Leave out `report.html` (`--no-html`).
    pub no_html: bool,
    /// Leave out `evidence.xlsx` (`--no-xlsx`).
    pub no_xlsx: bool,
    /// What changed since the previous audit (`audit --previous DIR`; made by
    /// `crate::history::since`): `summary.md`, `report.html` and `evidence.xlsx` get a
    /// "Since last review" section of it.
    pub since: Option<std::sync::Arc<SinceLastReview>>,
}

/// The columns of `audit --format csv`: one row per finding of every check, each with its
/// check's metadata.
pub const FINDING_HEADERS: [&str; 18] = [
    "CheckId",
    "Slug",
    "Title",
    "Severity",
    "Status",
    "ResourceType",
    "ResourceArn",
    "ResourceName",
    "Detail",
    "Hipaa",
    "Remediation",
    "SourceFile",
    "ExceptionReason",
    "ExceptionApprovedBy",
    "ExceptionExpires",
    "ExceptionExpired",
    "AsOf",
    "FirstSeen",
];

/// The columns of an evidence directory's CSV per check (`IAM-002_console-mfa.csv`): each
/// finding's own fields. The check's title, severity, HIPAA citations and remediation are
/// stated once, in its row of `risk_register.csv` (and in `findings.json`'s `checks`).
/// `FirstSeen`: for a failing finding, when it was first seen failing (`audit --previous`
/// carries it from the earlier evidence; else this audit's data time); empty otherwise.
pub const CHECK_FINDING_HEADERS: [&str; 11] = [
    "CheckId",
    "Status",
    "ResourceArn",
    "ResourceName",
    "Detail",
    "SourceFile",
    "ExceptionReason",
    "ExceptionApprovedBy",
    "ExceptionExpires",
    "ExceptionExpired",
    "FirstSeen",
];

/// Which columns a findings CSV has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingColumns {
    /// [`FINDING_HEADERS`]: each row with its check's metadata (`audit --format csv`).
    Full,
    /// [`CHECK_FINDING_HEADERS`]: each finding's own fields (the CSV per check).
    Own,
}

/// Streams findings as CSV, one row per finding, in the columns asked for; HIPAA citations
/// joined with `; `.
pub fn write_findings_csv<'a>(
    w: &mut dyn Write,
    report: &AuditReport,
    findings: impl IntoIterator<Item = &'a Finding>,
    columns: FindingColumns,
    excel: bool,
) -> std::io::Result<()> {
    let headers: &[&str] = match columns {
        FindingColumns::Full => &FINDING_HEADERS,
        FindingColumns::Own => &CHECK_FINDING_HEADERS,
    };
    let mut out = CsvStream::new(w, headers, excel)?;
    // The check's constant cells, rendered once per check rather than once per finding.
    let mut constants: Option<(&'static str, [String; 4])> = None;
    for f in findings {
        let ex = f.exception.as_deref();
        let (reason, approved, expires, expired) = match ex {
            Some(e) => (
                e.reason.as_str(),
                e.approved_by.as_str(),
                e.expires.as_str(),
                if e.expired { "true" } else { "false" },
            ),
            None => ("", "", "", ""),
        };
        let status = f.status.as_str();
        let source = f.source_file.as_deref().unwrap_or("");
        let first_seen = match (&f.first_seen, f.status) {
            (Some(t), _) => t,
            (None, Status::Fail) => report.as_of.as_str(),
            (None, _) => "",
        };
        match columns {
            FindingColumns::Own => out.row(&[
                f.check.id,
                status,
                &f.resource_arn,
                &f.resource_name,
                &f.detail,
                source,
                reason,
                approved,
                expires,
                expired,
                first_seen,
            ])?,
            FindingColumns::Full => {
                if constants.as_ref().is_none_or(|(id, _)| *id != f.check.id) {
                    constants = Some((
                        f.check.id,
                        [
                            f.check.severity.as_str().to_string(),
                            f.check.resource_type.as_str().to_string(),
                            f.check.hipaa.join("; "),
                            f.check.remediation_text().into_owned(),
                        ],
                    ));
                }
                let Some((_, [severity, resource_type, hipaa, remediation])) = &constants else {
                    continue;
                };
                out.row(&[
                    f.check.id,
                    f.check.slug,
                    f.check.title,
                    severity,
                    status,
                    resource_type,
                    &f.resource_arn,
                    &f.resource_name,
                    &f.detail,
                    hipaa,
                    remediation,
                    source,
                    reason,
                    approved,
                    expires,
                    expired,
                    &report.as_of,
                    first_seen,
                ])?
            }
        }
    }
    out.finish()
}

/// Findings as CSV bytes (see [`write_findings_csv`]).
pub fn findings_csv<'a>(
    report: &AuditReport,
    findings: impl IntoIterator<Item = &'a Finding>,
    columns: FindingColumns,
    excel: bool,
) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = write_findings_csv(&mut out, report, findings, columns, excel);
    out
}

/// Renders every evidence file into `sink`, then `extra` (reports the caller renders into
/// the same directory, e.g. `audit --sarif-file DIR/x.sarif`), then `manifest.json` with
/// the SHA-256 of every other file, last. Returns the manifest.
///
/// Each file streams into the sink as it is rendered: on disk, nothing of it stays in
/// memory.
pub fn render_into(
    sink: &dyn Sink,
    report: &AuditReport,
    account: &Account,
    config: &LoadedConfig,
    options: &EvidenceOptions,
    extra: Vec<EvidenceFile>,
) -> Result<Manifest> {
    let excel = options.excel;
    let mut manifest = manifest_for(report, account, config);
    let names: Vec<&str> = extra.iter().map(|(n, _)| n.as_str()).collect();
    let hashes = std::thread::scope(|scope| -> Result<Vec<(String, String)>> {
        // The largest file, on a second thread while the others are rendered. Its hash is
        // the access review's roster ID, which the workbook's last sheet waits for.
        let (json_hash, roster_id) = std::sync::mpsc::channel::<String>();
        let roster_id = std::sync::Mutex::new(roster_id);
        let json = scope.spawn(move || {
            let hash = sink.put(FINDINGS_JSON, &mut |w| findings_json::write(w, report));
            if let Ok(h) = &hash {
                let _ = json_hash.send(h.clone());
            }
            hash
        });
        let mut hashes: Vec<(String, String)> = Vec::new();
        let mut put = |name: &str, body: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>| -> Result<()> {
            if names.contains(&name) {
                return Err(Error::InvalidArgument(format!(
                    "{name} is an evidence file of its own: give the extra report another name"
                )));
            }
            hashes.push((name.to_string(), sink.put(name, body)?));
            Ok(())
        };
        let rest = (|| -> Result<Vec<(String, String)>> {
            let mfa_rows = mfa::rows(account, &config.config);
            let mfa_table = mfa::to_csv(&mfa_rows);
            put(MFA_CSV, &mut |w| mfa_table.write_to(w, excel))?;
            let ic_table = super::identity_center::to_csv(account);
            let groups = register::by_check(report);
            let rows = register::rows_of(report, &groups);
            // The report model (report.html, evidence.xlsx) takes what it lists from the
            // groups; the page and the workbook are rendered on threads of their own while
            // the CSVs are written.
            let (html, xlsx) = (!options.no_html, !options.no_xlsx);
            let since_md = options.since.as_ref().map(|s| s.markdown());
            let model = (html || xlsx).then(|| {
                let mut m = ReportModel::build(report, config, &groups, rows.clone(), &mfa_rows);
                m.since = options.since.clone();
                m
            });
            drop(mfa_rows);
            for (name, wanted) in [(REPORT_HTML, html), (EVIDENCE_XLSX, xlsx)] {
                if wanted && names.contains(&name) {
                    return Err(Error::InvalidArgument(format!(
                        "{name} is an evidence file of its own: give the extra report another name"
                    )));
                }
            }
            std::thread::scope(|inner| -> Result<Vec<(String, String)>> {
                let page = model
                    .as_ref()
                    .filter(|_| html)
                    .map(|m| inner.spawn(move || sink.put(REPORT_HTML, &mut |w| super::html::write(w, m))));
                let (mfa_table, ic_table, roster_id) = (&mfa_table, ic_table.as_ref(), &roster_id);
                let roster = move || {
                    if mfa_table.rows.len() > super::xlsx::FINDING_ROWS {
                        return RosterSheet::TooMany(mfa_table.rows.len());
                    }
                    match roster_id.lock().ok().and_then(|rx| rx.recv().ok()) {
                        Some(id) => {
                            RosterSheet::Rows(super::roster::roster_from_tables(&id, report, mfa_table, ic_table))
                        }
                        // findings.json failed: the evidence fails with it.
                        None => RosterSheet::Absent,
                    }
                };
                let book = model.as_ref().filter(|_| xlsx).map(|m| {
                    inner.spawn(move || sink.put(EVIDENCE_XLSX, &mut |w| super::xlsx::write_with(w, m, &roster)))
                });
                let csvs = (|| -> Result<()> {
                    for (check, findings) in &groups {
                        put(&check_csv_name(check.id, check.slug), &mut |w| {
                            write_findings_csv(w, report, findings.iter().copied(), FindingColumns::Own, excel)
                        })?;
                    }
                    put(REGISTER_CSV, &mut |w| register::to_csv(&rows).write_to(w, excel))?;
                    put(REGISTER_MD, &mut |w| {
                        w.write_all(register::to_markdown(report, &rows).as_bytes())
                    })?;
                    if let Some(table) = ic_table {
                        put(super::identity_center::IDENTITY_CENTER_CSV, &mut |w| {
                            table.write_to(w, excel)
                        })?;
                    }
                    let mut summary = summary::markdown_with(report, config, &rows);
                    if !config.config.phi_resources.is_empty() {
                        let phi = crate::access::phi::phi_access(account, &config.config.phi_resources);
                        put(phi::PHI_CSV, &mut |w| phi::to_csv(&phi).write_to(w, excel))?;
                        summary.push_str(&phi::markdown(&phi));
                    }
                    if let Some(since) = &since_md {
                        summary.push_str(since);
                    }
                    put(SUMMARY_MD, &mut |w| w.write_all(summary.as_bytes()))?;
                    Ok(())
                })();
                let mut done = Vec::new();
                for (name, thread) in [(REPORT_HTML, page), (EVIDENCE_XLSX, book)] {
                    if let Some(t) = thread {
                        let hash = t
                            .join()
                            .map_err(|_| Error::InvalidArgument(format!("rendering {name} panicked")))?;
                        done.push((name.to_string(), hash));
                    }
                }
                csvs?;
                done.into_iter().map(|(n, h)| Ok((n, h?))).collect()
            })
        })();
        let json = json
            .join()
            .map_err(|_| Error::InvalidArgument(format!("rendering {FINDINGS_JSON} panicked")))?;
        hashes.extend(rest?);
        hashes.push((FINDINGS_JSON.to_string(), json?));
        Ok(hashes)
    })?;
    manifest.files.extend(hashes);
    for (name, bytes) in extra {
        if name == file::MANIFEST || name == FINDINGS_JSON {
            return Err(Error::InvalidArgument(format!(
                "{name} is an evidence file of its own: give the extra report another name"
            )));
        }
        let hash = sink.put(&name, &mut |w| w.write_all(&bytes))?;
        manifest.files.insert(name, hash);
    }
    let mut json = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| Error::InvalidArgument(format!("cannot serialise the manifest: {e}")))?;
    json.push(b'\n');
    sink.put_bytes(file::MANIFEST, &json)?;
    Ok(manifest)
}

/// The manifest of an evidence directory before its files are added: tool, time, account,
/// the credential report's time, regions, source, the configuration and its hash.
pub fn manifest_for(report: &AuditReport, account: &Account, config: &LoadedConfig) -> Manifest {
    let mut m = Manifest::new();
    m.account_id = report.account_id.clone().or_else(|| account.account_id.clone());
    m.credential_report_generated_at = account
        .credential_report
        .get()
        .and_then(|r| r.generated)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    m.regions = report.regions.clone();
    m.source = Some(report.source.clone());
    m.config = Some(
        config
            .path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "<defaults>".into()),
    );
    m.config_sha256 = Some(config.sha256.clone());
    m
}

/// Every file of an evidence directory rendered in memory, `manifest.json` last, and the
/// manifest: what [`write_evidence_with`] streams to disk.
pub fn evidence_files(
    report: &AuditReport,
    account: &Account,
    config: &LoadedConfig,
    options: &EvidenceOptions,
    extra: Vec<EvidenceFile>,
) -> Result<(Manifest, Vec<EvidenceFile>)> {
    let sink = MemorySink::default();
    let manifest = render_into(&sink, report, account, config, options, extra)?;
    Ok((manifest, sink.into_files()))
}

/// Writes the evidence into `dir` (created if needed) and returns its manifest.
///
/// Every file is streamed to a temporary name in `dir` while its SHA-256 is computed, then
/// all are renamed into place (`manifest.json` last). Files listed by the previous
/// `manifest.json` of the directory that this run does not write (e.g. the CSV of a check
/// that no longer has findings) are removed after the renames, so the directory matches
/// its manifest.
pub fn write_evidence(
    dir: &Path,
    report: &AuditReport,
    account: &Account,
    config: &LoadedConfig,
    options: &EvidenceOptions,
) -> Result<Manifest> {
    write_evidence_with(dir, report, account, config, options, Vec::new())
}

/// [`write_evidence`] with `extra` files (plain names) written into the same directory and
/// listed in its manifest.
pub fn write_evidence_with(
    dir: &Path,
    report: &AuditReport,
    account: &Account,
    config: &LoadedConfig,
    options: &EvidenceOptions,
    extra: Vec<EvidenceFile>,
) -> Result<Manifest> {
    let previous = previous_manifest(dir);
    let dir = dir.to_path_buf();
    let staging = Staging::begin(std::slice::from_ref(&dir))?;
    let manifest = render_into(&staging.sink(&dir), report, account, config, options, extra)?;
    let names = staging.names(&dir);
    staging.commit()?;
    remove_stale(&dir, previous.as_ref(), &names);
    Ok(manifest)
}

/// The `manifest.json` this tool wrote earlier into `dir`, if there is one.
pub fn previous_manifest(dir: &Path) -> Option<Manifest> {
    Manifest::read(&dir.join(file::MANIFEST))
        .ok()
        .filter(|m| m.tool == "hipaa-iam")
}

/// Removes the files `previous` (the directory's earlier manifest) lists that `written`
/// does not contain, so the directory matches its new manifest. A file is removed only
/// when it is a plain name this writer could have written and its content is still what
/// the previous manifest says this tool wrote there: a file changed or put there by
/// someone else is never deleted (`hipaa-iam verify` then reports it as not in the
/// manifest).
pub fn remove_stale(dir: &Path, previous: Option<&Manifest>, written: &[String]) {
    let Some(prev) = previous else { return };
    let written: BTreeSet<&str> = written.iter().map(String::as_str).collect();
    for (stale, hash) in prev.files.iter().filter(|(n, _)| !written.contains(n.as_str())) {
        if stale.contains(['/', '\\']) || stale.starts_with('.') || stale == file::MANIFEST {
            continue;
        }
        let path = dir.join(stale);
        if crate::files::holds(&path, hash) {
            let _ = std::fs::remove_file(&path);
        }
    }
}

pub use super::staging::{temp_name, write_dirs_atomically};

/// Refuses an evidence directory `output` that is, contains or is inside the exports
/// directory `exports` the audit reads: writing there would overwrite or delete account
/// data (and, inside it, become part of the next audit's input).
pub fn ensure_apart(output: &Path, exports: &Path) -> Result<()> {
    let out = resolve(output);
    let exp = resolve(exports);
    let relation = if out == exp {
        "is"
    } else if out.starts_with(&exp) {
        "is inside"
    } else if exp.starts_with(&out) {
        "contains"
    } else {
        return Ok(());
    };
    Err(Error::field_in(
        Field::OutputDir,
        format!(
            "the output directory {} {relation} the exports directory {}: evidence goes into a directory of its own, so the account data is never overwritten or deleted (choose another ",
            output.display(),
            exports.display()
        ),
        ")",
    ))
}

/// The plain file name of `path` when it lies directly in directory `dir` (both resolved:
/// `reports/x.sarif` and `./reports/../reports/x.sarif` are in `reports`).
pub fn name_in(dir: &Path, path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    if name == "." || name == ".." {
        return None;
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    (resolve(parent) == resolve(dir)).then(|| name.to_string())
}

/// `path` made absolute with symbolic links resolved as far as it exists (a directory
/// about to be created resolves through its nearest existing ancestor).
fn resolve(path: &Path) -> PathBuf {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut existing = abs.as_path();
    let mut rest: Vec<&std::ffi::OsStr> = Vec::new();
    loop {
        if let Ok(real) = std::fs::canonicalize(existing) {
            let mut p = real;
            for c in rest.iter().rev() {
                match c.to_str() {
                    Some("..") => {
                        p.pop();
                    }
                    Some(".") => {}
                    _ => p.push(c),
                }
            }
            return p;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name);
                existing = parent;
            }
            _ => return abs,
        }
    }
}
