//! The live collector: calls AWS and produces the same files the AWS CLI would.

use std::path::Path;

use super::ExportSet;
use crate::{Error, Result};

/// Collects the account data from the live account into memory.
pub async fn collect_live(profile: Option<&str>, regions: &[String]) -> Result<ExportSet> {
    let _ = (profile, regions);
    Err(Error::InvalidArgument("live collection is not available yet".into()))
}

/// Collects the account data and writes it, with `manifest.json`, into `dir`.
pub async fn collect_to_dir(profile: Option<&str>, regions: &[String], dir: &Path) -> Result<()> {
    let _ = (profile, regions, dir);
    Err(Error::InvalidArgument("live collection is not available yet".into()))
}
