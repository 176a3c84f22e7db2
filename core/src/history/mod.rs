//! Audits over time: what changed between two evidence directories ([`diff`]), each
//! verified against its manifest before it is read.
//!
//! Every face (the CLI's `diff`, the C ABI's `hipaa_iam_diff`, PowerShell's
//! `Compare-HipaaIamAudit`) calls this one implementation.

pub mod diff;
pub mod review;

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

/// The findings of the earlier evidence directory `dir` of one account (`audit --previous`):
/// verified first; refused when it is an organization's, or another account's than
/// `account_id` (when both are known).
pub fn previous_report(dir: &Path, account_id: Option<&str>) -> Result<AuditReport> {
    let evidence = load(dir)?;
    let report = match evidence.content {
        EvidenceContent::Account(r) => *r,
        EvidenceContent::Organization(_) => {
            return Err(Error::InvalidArgument(format!(
                "{}: the previous evidence is an organization's: give one account's evidence directory (audit --output-dir)",
                dir.display()
            )))
        }
    };
    if let (Some(then), Some(now)) = (report.account_id.as_deref(), account_id) {
        if then != now {
            return Err(Error::input(
                dir.join(FINDINGS_JSON),
                "account_id",
                format!("the previous evidence is of account {then}, this audit of account {now}"),
            ));
        }
    }
    Ok(report)
}

/// Sets the first sighting of every failing finding of `report`: that of the same finding
/// (check and resource) in `previous` when it was failing there too (its `first_seen`, or
/// that audit's data time), else this audit's data time. Other findings have none. Every
/// finding first seen at the same time shares one string.
pub fn carry_first_seen(report: &mut AuditReport, previous: &AuditReport) {
    use std::collections::HashMap;
    use std::sync::Arc;
    let now: Arc<str> = report.as_of.as_str().into();
    let then: Arc<str> = previous.as_of.as_str().into();
    let before: HashMap<(&str, &str), Option<&Arc<str>>> = previous
        .findings
        .iter()
        .filter(|f| f.status == crate::findings::Status::Fail)
        .map(|f| ((f.check.id, f.resource_arn.as_str()), f.first_seen.as_ref()))
        .collect();
    // Earlier first sightings are few distinct dates: shared, not copied per finding.
    let mut shared: HashMap<&str, Arc<str>> = HashMap::new();
    for f in &mut report.findings {
        f.first_seen = if f.status != crate::findings::Status::Fail {
            None
        } else {
            match before.get(&(f.check.id, f.resource_arn.as_str())) {
                Some(Some(t)) => Some(shared.entry(&***t).or_insert_with(|| Arc::clone(t)).clone()),
                Some(None) => Some(then.clone()),
                None => Some(now.clone()),
            }
        };
    }
}

/// What changed between the `previous` audit and `report` (see [`SinceLastReview`]): the
/// failing findings new, resolved and still open, matched as `hipaa-iam diff` matches them.
pub fn since(previous: &AuditReport, report: &AuditReport) -> SinceLastReview {
    let d = diff::diff_reports(previous, report);
    SinceLastReview::new(
        previous.as_of.clone(),
        report.as_of.clone(),
        d.new,
        d.resolved,
        d.still_open,
    )
}

pub use crate::report::since::{SinceLastReview, SINCE_LAST_REVIEW_ROWS};

pub use crate::report::register::days_between;
