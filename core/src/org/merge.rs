//! Merging the organization evidence of several shards into one tree.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::account::file;
use crate::account::is_account_id;
use crate::findings::AuditReport;
use crate::manifest::{sha256_hex, Manifest};
use crate::report::evidence::REPORT_HTML;
use crate::report::evidence::{EvidenceFile, FINDINGS_JSON};
use crate::report::org::{
    write_tree, AccountStatus, AccountView, ConfigRef, OrgAccount, OrgFileOptions, OrgIndex, ORG_EVIDENCE_XLSX,
    ORG_FINDINGS_CSV, ORG_JSON, ORG_REPORT_HTML,
};
use crate::{Error, Result};

/// What [`merge`] did.
#[derive(Debug)]
pub struct MergeOutcome {
    /// The merged tree's top manifest.
    pub manifest: Manifest,
    /// Accounts audited, from all shards.
    pub audited: usize,
    /// Accounts with an error, from all shards.
    pub errored: usize,
}

/// One account read from a shard.
struct ShardAccount {
    entry: OrgAccount,
    shard: PathBuf,
    /// The report and the account directory's files (its `manifest.json` last), byte for byte.
    evidence: Option<(AuditReport, Vec<EvidenceFile>)>,
}

fn shard_error(shard: &Path, message: impl std::fmt::Display) -> Error {
    Error::InvalidArgument(format!("shard {}: {message}", shard.display()))
}

/// Combines the organization evidence of several shards (directories written by
/// [`write_org_evidence`], e.g. by `audit --org --shard I/N`) into `output`, which must not
/// exist or be empty.
///
/// Every shard's manifest is verified first, nested account manifests included; a shard
/// that does not verify, the same account in two shards, or shards made with different
/// configurations (or with and without `excel`, `--no-html` or `--no-xlsx`) are refused
/// before anything is written.
/// The accounts' directories are copied byte for byte; the organization files are rebuilt
/// from each account's `findings.json` and the shards' `org.json`, so the result is what
/// one run over all the accounts writes. Written all-or-nothing.
pub fn merge(output: &Path, shards: &[PathBuf]) -> Result<MergeOutcome> {
    if shards.is_empty() {
        return Err(Error::InvalidArgument(
            "merge needs at least one shard directory".into(),
        ));
    }
    if let Ok(meta) = std::fs::symlink_metadata(output) {
        if !meta.is_dir() {
            return Err(Error::input(
                output,
                "",
                "the merge output exists and is not a directory",
            ));
        }
        let mut entries = std::fs::read_dir(output).map_err(|e| Error::io(output, e))?;
        if entries.next().is_some() {
            return Err(Error::input(
                output,
                "",
                "the merge output directory is not empty (give a new or empty directory)",
            ));
        }
    }

    let mut config: Option<(ConfigRef, PathBuf)> = None;
    let mut excel: Option<(bool, PathBuf)> = None;
    // Whether each shard has the organization's page and workbook (not with --no-html /
    // --no-xlsx): the merge writes them when the shards do, and refuses a mix.
    let mut pages: Option<((bool, bool), PathBuf)> = None;
    let mut accounts: BTreeMap<String, ShardAccount> = BTreeMap::new();
    for shard in shards {
        let manifest_path = shard.join(file::MANIFEST);
        let manifest =
            Manifest::read(&manifest_path).map_err(|e| shard_error(shard, format!("cannot read its manifest: {e}")))?;
        let problems = manifest.verify(shard);
        if !problems.is_empty() {
            return Err(shard_error(
                shard,
                format!(
                    "does not verify against {}: {}",
                    manifest_path.display(),
                    problems.join("; ")
                ),
            ));
        }
        if !manifest.files.contains_key(ORG_JSON) || !manifest.files.contains_key(ORG_FINDINGS_CSV) {
            return Err(shard_error(
                shard,
                format!("is not organization evidence (its manifest lists no {ORG_JSON} or {ORG_FINDINGS_CSV})"),
            ));
        }
        let this_config = ConfigRef {
            name: manifest.config.clone().unwrap_or_else(|| "<defaults>".into()),
            sha256: manifest
                .config_sha256
                .clone()
                .ok_or_else(|| shard_error(shard, format!("{} has no config_sha256", manifest_path.display())))?,
        };
        match &config {
            None => config = Some((this_config.clone(), shard.clone())),
            Some((c, first)) if c.sha256 != this_config.sha256 => {
                return Err(Error::InvalidArgument(format!(
                    "shards audited with different configurations: {} (SHA-256 {}) and {} (SHA-256 {})",
                    first.display(),
                    c.sha256,
                    shard.display(),
                    this_config.sha256
                )))
            }
            Some(_) => {}
        }
        let findings_csv =
            std::fs::read(shard.join(ORG_FINDINGS_CSV)).map_err(|e| Error::io(shard.join(ORG_FINDINGS_CSV), e))?;
        let this_excel = findings_csv.starts_with(b"\xEF\xBB\xBF");
        match &excel {
            None => excel = Some((this_excel, shard.clone())),
            Some((x, first)) if *x != this_excel => {
                return Err(Error::InvalidArgument(format!(
                    "shards written with and without --excel: {} and {}",
                    first.display(),
                    shard.display()
                )))
            }
            Some(_) => {}
        }
        let these_pages = (
            manifest.files.contains_key(ORG_REPORT_HTML),
            manifest.files.contains_key(ORG_EVIDENCE_XLSX),
        );
        match &pages {
            None => pages = Some((these_pages, shard.clone())),
            Some((p, first)) if *p != these_pages => {
                let (option, file, first_has) = if p.0 != these_pages.0 {
                    ("--no-html", ORG_REPORT_HTML, p.0)
                } else {
                    ("--no-xlsx", ORG_EVIDENCE_XLSX, p.1)
                };
                return Err(Error::InvalidArgument(format!(
                    "shards written with and without {option}: {} {} {file}, {} {}",
                    first.display(),
                    if first_has { "has" } else { "lacks" },
                    shard.display(),
                    if first_has { "does not" } else { "has it" },
                )));
            }
            Some(_) => {}
        }

        let index_path = shard.join(ORG_JSON);
        let bytes = std::fs::read(&index_path).map_err(|e| Error::io(&index_path, e))?;
        let index: OrgIndex = crate::input::parse_json(&index_path, &bytes)?;
        for entry in index.accounts {
            if !is_account_id(&entry.id) {
                return Err(Error::input(
                    &index_path,
                    "accounts",
                    format!("invalid account ID {:?}: expected 12 digits", entry.id),
                ));
            }
            if let Some(other) = accounts.get(&entry.id) {
                return Err(Error::InvalidArgument(format!(
                    "account {} is in two shards: {} and {}",
                    entry.id,
                    other.shard.display(),
                    shard.display()
                )));
            }
            let evidence = match entry.status {
                AccountStatus::Error => None,
                AccountStatus::Audited => Some(read_account(shard, &index_path, &manifest, &entry, &this_config)?),
            };
            accounts.insert(
                entry.id.clone(),
                ShardAccount {
                    entry,
                    shard: shard.clone(),
                    evidence,
                },
            );
        }
    }
    let (config, _) = config.ok_or_else(|| Error::InvalidArgument("no shard".into()))?;
    let excel = excel.map(|(x, _)| x).unwrap_or(false);
    let (html, xlsx) = pages.map(|(p, _)| p).unwrap_or((true, true));

    let views: Vec<AccountView> = accounts
        .values()
        .map(|a| AccountView {
            id: &a.entry.id,
            name: &a.entry.name,
            result: match &a.evidence {
                Some((report, _)) => Ok(report),
                None => Err(a.entry.error.as_deref().unwrap_or("")),
            },
            report_html: a
                .evidence
                .as_ref()
                .is_some_and(|(_, files)| files.iter().any(|(n, _)| n == REPORT_HTML)),
        })
        .collect();
    let parts: Vec<(PathBuf, &[EvidenceFile])> = accounts
        .values()
        .filter_map(|a| {
            a.evidence
                .as_ref()
                .map(|(_, files)| (output.join(&a.entry.id), files.as_slice()))
        })
        .collect();
    let audited = parts.len();
    let errored = views.len() - audited;
    let account_dirs: Vec<PathBuf> = parts.iter().map(|(d, _)| d.clone()).collect();
    let options = OrgFileOptions { excel, html, xlsx };
    let manifest = write_tree(output, &views, &config, options, &account_dirs, &mut |staging| {
        for (account_dir, files) in &parts {
            for (name, bytes) in files.iter() {
                staging.put(account_dir, name, &mut |w| w.write_all(bytes))?;
            }
        }
        Ok(())
    })?;
    Ok(MergeOutcome {
        manifest,
        audited,
        errored,
    })
}

/// Reads an audited account of a shard: its (already verified) manifest, every file it
/// lists, and its `findings.json`.
fn read_account(
    shard: &Path,
    index_path: &Path,
    top: &Manifest,
    entry: &OrgAccount,
    config: &ConfigRef,
) -> Result<(AuditReport, Vec<EvidenceFile>)> {
    if entry.evidence.as_deref() != Some(entry.id.as_str()) {
        return Err(Error::input(
            index_path,
            format!("account {}", entry.id),
            format!("evidence is {:?}, expected {:?}", entry.evidence, entry.id),
        ));
    }
    let listed = format!("{}/{}", entry.id, file::MANIFEST);
    if !top.files.contains_key(&listed) {
        return Err(shard_error(shard, format!("its manifest does not list {listed}")));
    }
    let dir = shard.join(&entry.id);
    let manifest_path = dir.join(file::MANIFEST);
    let manifest_bytes = std::fs::read(&manifest_path).map_err(|e| Error::io(&manifest_path, e))?;
    // The bytes copied are the bytes verified (nothing changed since the verification).
    let unchanged = |name: &str, listed: Option<&String>, bytes: &[u8]| -> Result<()> {
        if listed.map(String::as_str) == Some(sha256_hex(bytes).as_str()) {
            Ok(())
        } else {
            Err(shard_error(shard, format!("{name} changed while it was being merged")))
        }
    };
    unchanged(&listed, top.files.get(&listed), &manifest_bytes)?;
    let manifest: Manifest = crate::input::parse_json(&manifest_path, &manifest_bytes)?;
    if manifest.config_sha256.as_deref() != Some(config.sha256.as_str()) {
        return Err(Error::input(
            &manifest_path,
            "config_sha256",
            format!(
                "{:?} differs from the shard's configuration {}",
                manifest.config_sha256, config.sha256
            ),
        ));
    }
    let mut files = Vec::new();
    for name in manifest.files.keys() {
        if name.contains(['/', '\\']) || name.starts_with('.') || name == file::MANIFEST {
            return Err(Error::input(
                &manifest_path,
                "files",
                format!("unexpected file name {name:?}"),
            ));
        }
        let path = dir.join(name);
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        unchanged(&format!("{}/{name}", entry.id), manifest.files.get(name), &bytes)?;
        files.push((name.clone(), bytes));
    }
    files.push((file::MANIFEST.to_string(), manifest_bytes));
    let findings_path = dir.join(FINDINGS_JSON);
    let findings = files
        .iter()
        .find(|(n, _)| n == FINDINGS_JSON)
        .ok_or_else(|| Error::input(&manifest_path, "files", format!("no {FINDINGS_JSON} listed")))?;
    let report: AuditReport = crate::input::parse_json(&findings_path, &findings.1)?;
    Ok((report, files))
}
