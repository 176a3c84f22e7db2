//! Organization evidence: one evidence directory per member account (`<dir>/<account-id>/`,
//! exactly what `audit --output-dir` writes for one account) plus the organization files
//! at the top (`org_summary.md`, `org_findings.csv`, the organization risk register,
//! `org.json` listing the accounts and their errors, and a `manifest.json` over all of it).
//! `merge` combines the directories of several shards into one, after verifying each.

use std::path::Path;

use crate::api::Audit;
use crate::config::LoadedConfig;
use crate::manifest::Manifest;
use crate::report::EvidenceOptions;
use crate::{Error, Result};

/// One member account of an organization run, and what came of it.
#[derive(Debug)]
pub struct AccountRun {
    /// The 12-digit account ID.
    pub id: String,
    /// The account's name in AWS Organizations (empty when unknown).
    pub name: String,
    /// The audit, or the error that stopped it (e.g. the STS error of `AssumeRole`, with
    /// its code and message: `AccessDenied: User: ... is not authorized to perform ...`).
    pub result: std::result::Result<Audit, String>,
}

/// Writes the evidence of an organization run into `dir`: `<dir>/<id>/` for every audited
/// account, then the organization files and `manifest.json`.
pub fn write_org_evidence(
    dir: &Path,
    runs: &[AccountRun],
    config: &LoadedConfig,
    options: &EvidenceOptions,
) -> Result<Manifest> {
    let _ = (dir, runs, config, options);
    Err(Error::InvalidArgument("organization evidence is not written yet".into()))
}
