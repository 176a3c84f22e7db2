//! The evidence directory (`audit --output-dir`, default `reports/`): `mfa_audit.csv`, one
//! CSV per check that has findings, `findings.json`, `risk_register.csv` and `.md`,
//! `summary.md`, and `manifest.json` with the SHA-256 of every other file.
//!
//! Integrity: everything is rendered in memory first; then every file is written to a
//! temporary name in the output directory; only when all of them are written are they
//! renamed into place, `manifest.json` last. A run that fails before the renames leaves
//! the previous evidence untouched and removes its temporary files.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::csv_file::CsvTable;
use super::phi;
use super::register::{self, check_csv_name};
use super::{mfa, summary};
use crate::account::{file, Account};
use crate::config::LoadedConfig;
use crate::error::Field;
use crate::findings::{AuditReport, Finding};
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

/// One evidence file: its plain name and its bytes.
pub type EvidenceFile = (String, Vec<u8>);

/// A directory of an evidence tree and the files to write into it.
pub type EvidenceDir = (PathBuf, Vec<EvidenceFile>);

/// Options of the evidence writer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EvidenceOptions {
    /// Prepend the UTF-8 byte-order mark to every CSV (for Excel).
    pub excel: bool,
}

/// The columns of the findings CSVs (per check, and `audit --format csv`).
pub const FINDING_HEADERS: [&str; 17] = [
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
];

/// Findings as a CSV table, one row per finding; HIPAA citations joined with `; `.
pub fn findings_csv<'a>(report: &AuditReport, findings: impl IntoIterator<Item = &'a Finding>) -> CsvTable {
    let mut t = CsvTable::new(&FINDING_HEADERS);
    for f in findings {
        let ex = f.exception.as_ref();
        t.push(vec![
            f.check_id.clone(),
            f.slug.clone(),
            f.title.clone(),
            f.severity.as_str().to_string(),
            f.status.as_str().to_string(),
            f.resource_type.as_str().to_string(),
            f.resource_arn.clone(),
            f.resource_name.clone(),
            f.detail.clone(),
            f.hipaa.join("; "),
            f.remediation.clone(),
            f.source_file.clone().unwrap_or_default(),
            ex.map(|e| e.reason.clone()).unwrap_or_default(),
            ex.map(|e| e.approved_by.clone()).unwrap_or_default(),
            ex.map(|e| e.expires.clone()).unwrap_or_default(),
            ex.map(|e| e.expired.to_string()).unwrap_or_default(),
            report.as_of.clone(),
        ]);
    }
    t
}

/// Every evidence file, rendered in memory, by file name (`manifest.json` excluded).
pub fn render_files(
    report: &AuditReport,
    account: &Account,
    config: &LoadedConfig,
    options: &EvidenceOptions,
) -> Result<Vec<(String, Vec<u8>)>> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mfa_rows = mfa::rows(account, &config.config);
    files.push((MFA_CSV.to_string(), mfa::to_csv(&mfa_rows).to_bytes(options.excel)));
    for (check_id, findings) in register::by_check(report) {
        let slug = findings.first().map(|f| f.slug.as_str()).unwrap_or("");
        let table = findings_csv(report, findings.iter().copied());
        files.push((check_csv_name(check_id, slug), table.to_bytes(options.excel)));
    }
    let mut json = serde_json::to_vec_pretty(report)
        .map_err(|e| Error::InvalidArgument(format!("cannot serialise the findings: {e}")))?;
    json.push(b'\n');
    files.push((FINDINGS_JSON.to_string(), json));
    let rows = register::rows(report);
    files.push((
        REGISTER_CSV.to_string(),
        register::to_csv(&rows).to_bytes(options.excel),
    ));
    files.push((
        REGISTER_MD.to_string(),
        register::to_markdown(report, &rows).into_bytes(),
    ));
    if let Some(table) = super::identity_center::to_csv(account) {
        files.push((
            super::identity_center::IDENTITY_CENTER_CSV.to_string(),
            table.to_bytes(options.excel),
        ));
    }
    let mut summary = summary::markdown(report, config);
    if !config.config.phi_resources.is_empty() {
        let phi = crate::access::phi::phi_access(account, &config.config.phi_resources);
        files.push((phi::PHI_CSV.to_string(), phi::to_csv(&phi).to_bytes(options.excel)));
        summary.push_str(&phi::markdown(&phi));
    }
    files.push((SUMMARY_MD.to_string(), summary.into_bytes()));
    Ok(files)
}

/// The manifest of an evidence directory: tool, time, account, the credential report's
/// time, regions, source, the configuration and its hash, and the SHA-256 of `files`.
pub fn manifest_for(
    report: &AuditReport,
    account: &Account,
    config: &LoadedConfig,
    files: &[(String, Vec<u8>)],
) -> Manifest {
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
    for (name, bytes) in files {
        m.add_file(name, bytes);
    }
    m
}

/// Every file of an evidence directory, rendered in memory, then `extra` (reports the
/// caller renders into the same directory, e.g. `audit --sarif-file DIR/x.sarif`),
/// `manifest.json` last, and the manifest itself: what [`write_evidence_with`] writes.
pub fn evidence_files(
    report: &AuditReport,
    account: &Account,
    config: &LoadedConfig,
    options: &EvidenceOptions,
    extra: Vec<EvidenceFile>,
) -> Result<(Manifest, Vec<EvidenceFile>)> {
    let mut files = render_files(report, account, config, options)?;
    for (name, bytes) in extra {
        if files.iter().any(|(n, _)| *n == name) || name == file::MANIFEST {
            return Err(Error::InvalidArgument(format!(
                "{name} is an evidence file of its own: give the extra report another name"
            )));
        }
        files.push((name, bytes));
    }
    let manifest = manifest_for(report, account, config, &files);
    let mut json = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| Error::InvalidArgument(format!("cannot serialise the manifest: {e}")))?;
    json.push(b'\n');
    files.push((file::MANIFEST.to_string(), json));
    Ok((manifest, files))
}

/// Writes the evidence into `dir` (created if needed) and returns its manifest.
///
/// Everything is rendered first, then written to temporary files in `dir`, then renamed
/// into place (`manifest.json` last). Files listed by the previous `manifest.json` of the
/// directory that this run does not write (e.g. the CSV of a check that no longer has
/// findings) are removed after the renames, so the directory matches its manifest.
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
    let (manifest, files) = evidence_files(report, account, config, options, extra)?;
    let previous = previous_manifest(dir);
    write_files_atomically(dir, &files)?;
    remove_stale(dir, previous.as_ref(), &files);
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
pub fn remove_stale(dir: &Path, previous: Option<&Manifest>, written: &[(String, Vec<u8>)]) {
    let Some(prev) = previous else { return };
    let written: BTreeSet<&str> = written.iter().map(|(n, _)| n.as_str()).collect();
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

pub use crate::files::temp_name;

/// The account-data files of an exports directory: evidence is never written among them.
const ACCOUNT_DATA: [&str; 5] = [
    file::AUTHORIZATION_DETAILS,
    file::CREDENTIAL_REPORT,
    file::PASSWORD_POLICY,
    file::ACCOUNT_SUMMARY,
    file::VIRTUAL_MFA_DEVICES,
];

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

/// What the evidence directory `dir` already holds that this tool may replace: the files
/// its previous `manifest.json` lists, with their hashes. Refuses a directory that holds
/// account data, or a `manifest.json` this tool did not write, naming it.
fn owned_files(dir: &Path) -> Result<BTreeMap<String, String>> {
    for name in ACCOUNT_DATA {
        let p = dir.join(name);
        if std::fs::symlink_metadata(&p).is_ok() {
            return Err(Error::input_naming(
                &p,
                "the output directory holds account data (an exports directory): evidence is not written among it, so nothing there is overwritten or deleted; choose another ",
                Field::OutputDir,
            ));
        }
    }
    let path = dir.join(file::MANIFEST);
    if std::fs::symlink_metadata(&path).is_err() {
        return Ok(BTreeMap::new());
    }
    match Manifest::read(&path) {
        Ok(m) if m.tool == "hipaa-iam" => Ok(m.files),
        Ok(_) | Err(_) => Err(Error::input_naming(
            &path,
            "exists and is not a manifest written by hipaa-iam: not overwritten; move it away or choose another ",
            Field::OutputDir,
        )),
    }
}

/// Refuses to replace `target` unless it is a regular file whose content is what the
/// directory's previous manifest (`owned`) says this tool wrote there.
fn ensure_replaceable(target: &Path, name: &str, owned: &BTreeMap<String, String>) -> Result<()> {
    let Ok(meta) = std::fs::symlink_metadata(target) else {
        return Ok(());
    };
    if meta.is_dir() {
        return Err(Error::input(
            target,
            "",
            "a directory is in the way of this evidence file",
        ));
    }
    if name == file::MANIFEST {
        // owned_files has checked it: a manifest this tool wrote.
        return Ok(());
    }
    if owned.get(name).is_some_and(|h| crate::files::holds(target, h)) {
        Ok(())
    } else {
        Err(Error::input_naming(
            target,
            "exists and is not evidence this tool wrote (it is not in the directory's manifest.json, or it changed since): not overwritten; move it away or choose another ",
            Field::OutputDir,
        ))
    }
}

/// Writes `files` (plain names) into `dir` all-or-nothing as far as the file system
/// allows: every target is checked, every file is written and synced under a temporary
/// name, and only then are they renamed in order. On any failure before the renames,
/// the temporary files are removed and the directory is left as it was.
pub fn write_files_atomically(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<()> {
    write_dirs_atomically(&[(dir.to_path_buf(), files)])
}

/// [`write_files_atomically`] over several directories at once (an evidence tree): every
/// target of every directory is checked, every file of every directory is written under a
/// temporary name, and only then are all of them renamed, directory by directory in the
/// order given (so the last file of the last directory, e.g. the top `manifest.json`, is
/// renamed last). A failure before the renames removes every temporary file and every
/// directory this call created, leaving the tree as it was.
/// `parts` borrow or own their files (`&[EvidenceFile]` or an [`EvidenceDir`]'s `Vec`):
/// the evidence of a large account is never copied on its way to the disk.
pub fn write_dirs_atomically<F: AsRef<[EvidenceFile]>>(parts: &[(PathBuf, F)]) -> Result<()> {
    for (dir, files) in parts {
        if let Ok(meta) = std::fs::metadata(dir) {
            if !meta.is_dir() {
                return Err(Error::input(
                    dir,
                    "",
                    "the output directory is an existing file, not a directory",
                ));
            }
        }
        for (name, _) in files.as_ref() {
            if name.is_empty() || name.contains(['/', '\\']) || name == "." || name == ".." {
                return Err(Error::InvalidArgument(format!("invalid evidence file name {name:?}")));
            }
        }
        let owned = owned_files(dir)?;
        for (name, _) in files.as_ref() {
            ensure_replaceable(&dir.join(name), name, &owned)?;
        }
    }
    // Directories that do not exist yet, deepest first, to remove again on failure.
    let mut created: Vec<PathBuf> = Vec::new();
    for (dir, _) in parts {
        let mut d = dir.as_path();
        while !d.as_os_str().is_empty() && std::fs::symlink_metadata(d).is_err() {
            if !created.iter().any(|c| c == d) {
                created.push(d.to_path_buf());
            }
            match d.parent() {
                Some(p) => d = p,
                None => break,
            }
        }
    }
    created.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    let remove_created = || {
        for d in &created {
            let _ = std::fs::remove_dir(d);
        }
    };
    let mut written: Vec<(PathBuf, PathBuf)> = Vec::new();
    let cleanup = |written: &[(PathBuf, PathBuf)]| {
        for (t, _) in written {
            let _ = std::fs::remove_file(t);
        }
    };
    for (dir, _) in parts {
        if let Err(e) = std::fs::create_dir_all(dir) {
            remove_created();
            return Err(Error::io(dir, e));
        }
    }
    for (dir, _) in parts {
        // Leftovers of interrupted runs (never another running writer's files).
        crate::files::remove_leftover_temps(dir);
    }
    for (dir, files) in parts {
        for (name, bytes) in files.as_ref() {
            let tmp = temp_name(dir, name);
            let result = (|| -> std::io::Result<()> {
                let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
                f.write_all(bytes)?;
                f.sync_all()
            })();
            match result {
                Ok(()) => written.push((tmp, dir.join(name))),
                Err(e) => {
                    // create_new: an existing file at the temporary name is not ours to delete.
                    if e.kind() != std::io::ErrorKind::AlreadyExists && tmp.is_file() {
                        let _ = std::fs::remove_file(&tmp);
                    }
                    cleanup(&written);
                    remove_created();
                    return Err(Error::io(&tmp, e));
                }
            }
        }
    }
    for (i, (tmp, target)) in written.iter().enumerate() {
        if let Err(e) = std::fs::rename(tmp, target) {
            cleanup(&written[i..]);
            return Err(Error::io(target, e));
        }
    }
    for (dir, _) in parts {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}
