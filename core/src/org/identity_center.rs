//! The organization's IAM Identity Center instance in organization runs: read once, with the
//! credentials of the account the run starts from (the management account or a delegated
//! administrator), into `<dir>/identity-center/` beside `accounts.json`, in the layout of a
//! single account's exports directory, with its own `manifest.json` (the SHA-256 of each
//! file, the account it was read from, and what could not be collected; `hipaa-iam verify
//! DIR/identity-center` checks it).
//!
//! Every account's audit shares the instance: the roles Identity Center provisions in it are
//! named by who signs in as them, and IAM-029..IAM-032 are decided once, in the audit of the
//! account the instance was read from ([`attach`]).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use crate::account::identity_center::{self, IdentityCenter, DIR};
use crate::account::{Account, Collected, ExportSet};
use crate::manifest::Manifest;
use crate::{Error, Result};

/// The organization's Identity Center data, as every account of the run shares it.
#[derive(Debug, Clone)]
pub struct SharedIdentityCenter {
    /// The instance (or why it could not be read).
    pub data: Collected<Arc<IdentityCenter>>,
    /// The account it was read from: the one whose audit decides IAM-029..IAM-032.
    pub read_from: Option<String>,
}

impl SharedIdentityCenter {
    /// Gives `account` the organization's instance: the data, and unless `account` is the
    /// one it was read from, the account whose audit decides the Identity Center checks.
    /// Nothing changes when the run collected no Identity Center data.
    pub fn attach(&self, account: &mut Account, id: &str) {
        if matches!(self.data, Collected::No) {
            return;
        }
        account.identity_center = self.data.clone();
        account.identity_center_audited_in = self.read_from.clone().filter(|home| home != id);
    }

    /// From collected files (keys `identity-center/...`) and their not-collected reasons.
    pub fn from_files(
        files: BTreeMap<String, Vec<u8>>,
        not_collected: BTreeMap<String, String>,
        read_from: Option<String>,
    ) -> Result<SharedIdentityCenter> {
        SharedIdentityCenter::from_set(None, files, not_collected, read_from)
    }

    /// The instance of `files` (read from `dir`, or collected live when `None`, for the paths
    /// its errors name) with its not-collected reasons.
    fn from_set(
        dir: Option<std::path::PathBuf>,
        files: BTreeMap<String, Vec<u8>>,
        not_collected: BTreeMap<String, String>,
        read_from: Option<String>,
    ) -> Result<SharedIdentityCenter> {
        let mut manifest = Manifest::new();
        manifest.not_collected = not_collected;
        manifest.account_id = read_from.clone();
        let set = ExportSet {
            dir,
            files,
            manifest: Some(manifest),
        };
        Ok(SharedIdentityCenter {
            data: identity_center::collected(&set)?,
            read_from,
        })
    }
}

/// Writes the organization's Identity Center files into `<top>/identity-center/` (each to a
/// temporary name, then renamed) with their manifest; a file of an earlier collection that
/// its manifest lists and this one did not make is removed.
pub fn write(
    top: &Path,
    files: &BTreeMap<String, Vec<u8>>,
    not_collected: &BTreeMap<String, String>,
    read_from: Option<&str>,
) -> Result<Manifest> {
    let dir = top.join(DIR);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let manifest_path = dir.join(crate::manifest::FILE_NAME);
    let previous = Manifest::read(&manifest_path).ok();
    let prefix = format!("{DIR}/");
    let mut manifest = Manifest::new();
    manifest.source = Some("live".into());
    manifest.account_id = read_from.map(str::to_string);
    for (name, reason) in not_collected {
        manifest
            .not_collected
            .insert(name.strip_prefix(&prefix).unwrap_or(name).to_string(), reason.clone());
    }
    for (name, bytes) in files {
        let Some(inner) = name.strip_prefix(&prefix) else {
            return Err(Error::InvalidArgument(format!(
                "{name} is not an Identity Center file ({DIR}/...)"
            )));
        };
        crate::manifest::check_entry_name(inner)
            .map_err(|why| Error::InvalidArgument(format!("{name} cannot be written: {why}")))?;
        crate::manifest::write_atomic(&dir.join(inner), bytes)?;
        manifest.add_file(inner, bytes);
    }
    if let Some(prev) = previous {
        for name in prev.files.keys().filter(|n| !manifest.files.contains_key(*n)) {
            if crate::manifest::check_entry_name(name).is_ok() {
                let path = dir.join(name);
                if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
                    std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
                }
            }
        }
    }
    manifest.write(&manifest_path)?;
    Ok(manifest)
}

/// Reads `<top>/identity-center/` written by [`write`]: `Collected::No` when there is no such
/// folder (a directory collected before organization runs read Identity Center, or by hand).
pub fn read(top: &Path) -> Result<SharedIdentityCenter> {
    let dir = top.join(DIR);
    if !std::fs::symlink_metadata(&dir).is_ok_and(|m| m.is_dir()) {
        return Ok(SharedIdentityCenter {
            data: Collected::No,
            read_from: None,
        });
    }
    // The layout's files, read as an exports directory reads them (size limits, no FIFOs).
    let mut set = ExportSet::read_dir(top)?;
    set.files.retain(|k, _| k.starts_with(&format!("{DIR}/")));
    let manifest_path = dir.join(crate::manifest::FILE_NAME);
    let manifest = if manifest_path.is_file() {
        Some(Manifest::read(&manifest_path)?)
    } else {
        None
    };
    let read_from = manifest.as_ref().and_then(|m| m.account_id.clone());
    let not_collected = manifest
        .map(|m| {
            m.not_collected
                .into_iter()
                .map(|(k, v)| (format!("{DIR}/{k}"), v))
                .collect()
        })
        .unwrap_or_default();
    SharedIdentityCenter::from_set(Some(top.to_path_buf()), set.files, not_collected, read_from)
}
