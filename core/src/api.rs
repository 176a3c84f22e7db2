//! One way to load account data and configuration and to run an audit, shared by every
//! face of the tool (the CLI, the C ABI and through it PowerShell), so they cannot
//! disagree.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::account::Account;
use crate::checks;
use crate::config::{Config, LoadedConfig};
use crate::findings::AuditReport;
use crate::{Error, Result};

/// Where the account data comes from.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Source {
    /// An exports directory (the AWS CLI's files); `None` = collect live from AWS.
    pub exports_dir: Option<PathBuf>,
    /// The AWS profile for a live collection (default: the standard credential chain).
    pub profile: Option<String>,
    /// Access Analyzer regions to audit; empty = the configuration's, else the SDK's region.
    pub regions: Vec<String>,
    /// Timeouts and the response size limit of a live collection.
    #[serde(skip)]
    pub network: crate::aws::Network,
}

impl Source {
    /// `live`, or the exports directory.
    pub fn describe(&self) -> String {
        match &self.exports_dir {
            Some(dir) => dir.display().to_string(),
            None => "live".to_string(),
        }
    }

    /// Loads the account: reads the exports directory, or collects live into memory.
    /// `config_regions` are used when this source names no regions. A missing exports
    /// directory is an [`Error::Input`] naming it, like a malformed one.
    pub async fn load(&self, config_regions: &[String]) -> Result<Account> {
        match &self.exports_dir {
            Some(dir) if std::fs::metadata(dir).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound) => Err(Error::input(
                dir,
                "",
                "the exports directory does not exist (make one with `hipaa-iam collect --output DIR` or the AWS CLI commands in the README)",
            )),
            Some(dir) => Account::read_dir(dir),
            #[cfg(feature = "aws")]
            None => {
                let regions = if self.regions.is_empty() {
                    config_regions
                } else {
                    &self.regions
                };
                let set =
                    crate::account::collect::collect_live(self.profile.as_deref(), regions, &self.network).await?;
                Account::from_exports(&set)
            }
            #[cfg(not(feature = "aws"))]
            None => {
                let _ = config_regions;
                Err(Error::InvalidArgument(
                    "no exports directory given, and this build collects no live account data (built without the `aws` feature)".into(),
                ))
            }
        }
    }
}

/// Loads the configuration: the TOML text `inline` if given, else the file `path`, else
/// `./hipaa-iam.toml` if present, else the defaults. `regions`, when not empty, replace
/// the configured regions (each must be an AWS region name).
pub fn load_config(path: Option<&Path>, inline: Option<&str>, regions: &[String]) -> Result<LoadedConfig> {
    crate::aws::check_regions("regions", regions)?;
    let ids = checks::ids();
    let mut loaded = match inline {
        Some(text) => {
            let origin = PathBuf::from("<inline config>");
            let config = Config::parse(&origin, text, &ids)?;
            LoadedConfig {
                config,
                path: Some(origin),
                sha256: crate::manifest::sha256_hex(text.as_bytes()),
            }
        }
        None => Config::load(path, &ids)?,
    };
    if !regions.is_empty() {
        loaded.config.regions = regions.to_vec();
    }
    Ok(loaded)
}

/// Refuses an evidence directory that would overlap the account data `source` reads (see
/// [`crate::report::evidence::ensure_apart`]); every face calls it before the audit runs.
pub fn check_output_dir(source: &Source, output: &Path) -> Result<()> {
    match &source.exports_dir {
        Some(exports) => crate::report::evidence::ensure_apart(output, exports),
        None => Ok(()),
    }
}

/// The result of [`audit`]: the report, and the account and configuration it was made
/// from (the evidence writers need all three).
#[derive(Debug)]
pub struct Audit {
    /// The findings and their context.
    pub report: AuditReport,
    /// The account data audited.
    pub account: Account,
    /// The configuration used.
    pub config: LoadedConfig,
}

/// Validates `only` (check IDs), loads the account from `source` and runs the checks.
pub async fn audit(source: &Source, config: LoadedConfig, only: Option<&[String]>) -> Result<Audit> {
    let only = only.map(checks::parse_ids).transpose()?;
    let account = source.load(&config.config.regions).await?;
    Ok(audit_account(account, source.describe(), config, only.as_deref()))
}

/// Runs the checks (`only`: check IDs already validated with [`checks::parse_ids`]) on an
/// account already loaded; `source` describes where its data came from.
pub fn audit_account(account: Account, source: String, config: LoadedConfig, only: Option<&[String]>) -> Audit {
    let mut report = checks::audit(&account, &config.config, only);
    report.source = source;
    Audit {
        report,
        account,
        config,
    }
}
