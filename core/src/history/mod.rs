//! Audits over time: what changed between two evidence directories ([`diff`]), each
//! verified against its manifest before it is read.
//!
//! Every face (the CLI's `diff`, the C ABI's `hipaa_iam_diff`, PowerShell's
//! `Compare-HipaaIamAudit`) calls this one implementation.

pub mod diff;

use std::path::{Path, PathBuf};

use crate::account::file;
use crate::findings::AuditReport;
use crate::manifest::Manifest;
use crate::report::evidence::FINDINGS_JSON;
use crate::report::org::{AccountStatus, OrgIndex, ORG_JSON};
use crate::{Error, Result};

/// An evidence directory read back after its manifest verified.
#[derive(Debug)]
pub struct Evidence {
    /// The directory.
    pub dir: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
    /// One account's findings, or an organization's.
    pub content: EvidenceContent,
}

/// What an evidence directory holds.
#[derive(Debug)]
pub enum EvidenceContent {
    /// One account (`audit --output-dir`).
    Account(Box<AuditReport>),
    /// An organization (`audit --org --output-dir`): every account of `org.json`.
    Organization(Vec<OrgMember>),
}

/// One account of an organization's evidence.
#[derive(Debug)]
pub struct OrgMember {
    /// The account ID.
    pub id: String,
    /// Its name in AWS Organizations.
    pub name: String,
    /// Its findings, or why it was not audited.
    pub report: std::result::Result<AuditReport, String>,
}

/// Reads and verifies the manifest of `dir`: refuses, naming the files, a directory that
/// does not verify (a changed, missing or unlisted file).
pub fn verified_manifest(dir: &Path) -> Result<Manifest> {
    let path = dir.join(file::MANIFEST);
    let manifest = Manifest::read(&path)?;
    if manifest.files.is_empty() {
        return Err(Error::input(&path, "files", "the manifest lists no files"));
    }
    let problems = manifest.verify(dir);
    if !problems.is_empty() {
        return Err(Error::InvalidArgument(format!(
            "{}: does not verify against {}: {}",
            dir.display(),
            path.display(),
            problems.join("; ")
        )));
    }
    Ok(manifest)
}

/// Reads the findings JSON of a verified directory.
pub fn read_findings(dir: &Path, manifest: &Manifest) -> Result<AuditReport> {
    let path = dir.join(FINDINGS_JSON);
    if !manifest.files.contains_key(FINDINGS_JSON) {
        return Err(Error::input(
            dir.join(file::MANIFEST),
            "files",
            format!("lists no {FINDINGS_JSON}: not an evidence directory of `hipaa-iam audit --output-dir`"),
        ));
    }
    let bytes = crate::input::read_file(&path, u64::MAX)?;
    crate::input::parse_json(&path, &bytes)
}

/// Verifies `dir` against its manifest, then reads its findings (one account) or every
/// account's (an organization: `org.json` at the top).
pub fn load(dir: &Path) -> Result<Evidence> {
    let manifest = verified_manifest(dir)?;
    let content = if manifest.files.contains_key(ORG_JSON) {
        let index_path = dir.join(ORG_JSON);
        let bytes = crate::input::read_file(&index_path, u64::MAX)?;
        let index: OrgIndex = crate::input::parse_json(&index_path, &bytes)?;
        let mut members = Vec::with_capacity(index.accounts.len());
        for a in index.accounts {
            let report = match (a.status, a.evidence.as_deref()) {
                (AccountStatus::Audited, Some(sub)) => {
                    if crate::manifest::check_entry_name(sub).is_err() {
                        return Err(Error::input(
                            &index_path,
                            format!("account {}", a.id),
                            format!("evidence {sub:?} leaves the directory"),
                        ));
                    }
                    let sub_dir = dir.join(sub);
                    let sub_manifest = Manifest::read(&sub_dir.join(file::MANIFEST))?;
                    Ok(read_findings(&sub_dir, &sub_manifest)?)
                }
                _ => Err(a.error.clone().unwrap_or_else(|| "not audited".into())),
            };
            members.push(OrgMember {
                id: a.id,
                name: a.name,
                report,
            });
        }
        EvidenceContent::Organization(members)
    } else {
        EvidenceContent::Account(Box::new(read_findings(dir, &manifest)?))
    };
    Ok(Evidence {
        dir: dir.to_path_buf(),
        manifest,
        content,
    })
}
