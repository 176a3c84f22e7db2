//! The evidence of an organization run: [`write_org_evidence`] renders every audited
//! account's evidence and the organization files ([`crate::report::org`]) and writes the
//! tree all-or-nothing.

use std::path::{Path, PathBuf};

use crate::account::is_account_id;
use crate::api::Audit;
use crate::config::LoadedConfig;
use crate::manifest::Manifest;
use crate::report::evidence::{self, EvidenceOptions};
use crate::report::org::{write_tree, AccountView, ConfigRef, OrgFileOptions};
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
/// account, then the organization files and `manifest.json`. `options.no_html` and
/// `options.no_xlsx` leave out the accounts' `report.html` / `evidence.xlsx` and the
/// organization's `org_report.html` / `org_evidence.xlsx` alike.
pub fn write_org_evidence(
    dir: &Path,
    runs: &[AccountRun],
    config: &LoadedConfig,
    options: &EvidenceOptions,
) -> Result<Manifest> {
    let mut sorted: Vec<&AccountRun> = runs.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    check_ids(sorted.iter().map(|r| r.id.as_str()))?;
    let audited: Vec<(PathBuf, &Audit)> = sorted
        .iter()
        .filter_map(|r| r.result.as_ref().ok().map(|a| (dir.join(&r.id), a)))
        .collect();
    let account_dirs: Vec<PathBuf> = audited.iter().map(|(d, _)| d.clone()).collect();
    let views: Vec<AccountView> = sorted
        .iter()
        .map(|r| AccountView {
            id: &r.id,
            name: &r.name,
            result: r.result.as_ref().map(|a| &a.report).map_err(String::as_str),
            report_html: r.result.is_ok() && !options.no_html,
        })
        .collect();
    write_tree(
        dir,
        &views,
        &ConfigRef::of(config),
        OrgFileOptions {
            excel: options.excel,
            html: !options.no_html,
            xlsx: !options.no_xlsx,
        },
        &account_dirs,
        &mut |staging| {
            // Each account's files stream to disk as they are rendered.
            for (account_dir, audit) in &audited {
                evidence::render_into(
                    &staging.sink(account_dir),
                    &audit.report,
                    &audit.account,
                    config,
                    options,
                    Vec::new(),
                )?;
            }
            Ok(())
        },
    )
}

/// Refuses an ID that is not 12 digits, and the same ID twice (`ids` sorted).
fn check_ids<'a>(ids: impl Iterator<Item = &'a str>) -> Result<()> {
    let mut last: Option<&str> = None;
    for id in ids {
        if !is_account_id(id) {
            return Err(Error::InvalidArgument(format!(
                "invalid account ID {id:?}: expected 12 digits"
            )));
        }
        if last == Some(id) {
            return Err(Error::InvalidArgument(format!("account {id} appears twice")));
        }
        last = Some(id);
    }
    Ok(())
}
