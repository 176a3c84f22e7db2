//! The files of the account data, held in memory, and reading / writing them as a directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::manifest::Manifest;
use crate::{Error, Result};

/// The file names of the account data (CHECKS.md, "Account data").
pub mod file {
    /// `aws iam get-account-authorization-details --output json` (required).
    pub const AUTHORIZATION_DETAILS: &str = "authorization-details.json";
    /// The credential report, base64-decoded CSV.
    pub const CREDENTIAL_REPORT: &str = "credential-report.csv";
    /// `aws iam get-account-password-policy --output json`; absent = no policy.
    pub const PASSWORD_POLICY: &str = "password-policy.json";
    /// `aws iam get-account-summary --output json` (optional).
    pub const ACCOUNT_SUMMARY: &str = "account-summary.json";
    /// `aws iam list-virtual-mfa-devices --output json` (optional).
    pub const VIRTUAL_MFA_DEVICES: &str = "virtual-mfa-devices.json";
    /// The manifest written by `hipaa-iam collect` (optional when reading).
    pub const MANIFEST: &str = "manifest.json";
    /// The folder of the per-region Access Analyzer files.
    pub const ACCESS_ANALYZER_DIR: &str = "access-analyzer";

    /// `access-analyzer/<region>/analyzers.json`.
    pub fn analyzers(region: &str) -> String {
        format!("{ACCESS_ANALYZER_DIR}/{region}/analyzers.json")
    }

    /// `access-analyzer/<region>/findings.json`.
    pub fn analyzer_findings(region: &str) -> String {
        format!("{ACCESS_ANALYZER_DIR}/{region}/findings.json")
    }

    /// How the AWS CLI makes each file, for error messages and the README.
    pub fn how_to_make(name: &str) -> &'static str {
        match name {
            AUTHORIZATION_DETAILS => "aws iam get-account-authorization-details --output json > authorization-details.json",
            CREDENTIAL_REPORT => "aws iam generate-credential-report; aws iam get-credential-report --query Content --output text | base64 -d > credential-report.csv",
            PASSWORD_POLICY => "aws iam get-account-password-policy --output json > password-policy.json",
            ACCOUNT_SUMMARY => "aws iam get-account-summary --output json > account-summary.json",
            VIRTUAL_MFA_DEVICES => "aws iam list-virtual-mfa-devices --output json > virtual-mfa-devices.json",
            _ => "hipaa-iam collect --output DIR",
        }
    }
}

/// The account data files, by relative path (`/`-separated), plus where they came from.
#[derive(Debug, Clone, Default)]
pub struct ExportSet {
    /// The directory the files were read from, or `None` when collected live.
    pub dir: Option<PathBuf>,
    /// File contents by relative path.
    pub files: BTreeMap<String, Vec<u8>>,
    /// The manifest, when the directory has one (or the collector made one).
    pub manifest: Option<Manifest>,
}

impl ExportSet {
    /// Reads an exports directory: every account-data file that is present, and
    /// `manifest.json` if there is one. Files that are absent are simply not collected.
    pub fn read_dir(dir: &Path) -> Result<Self> {
        let meta = std::fs::metadata(dir).map_err(|e| Error::io(dir, e))?;
        if !meta.is_dir() {
            return Err(Error::input(
                dir,
                "",
                "not a directory (expected an exports directory, see `hipaa-iam audit --help`)",
            ));
        }
        let mut set = ExportSet {
            dir: Some(dir.to_path_buf()),
            ..Default::default()
        };
        for name in [
            file::AUTHORIZATION_DETAILS,
            file::CREDENTIAL_REPORT,
            file::PASSWORD_POLICY,
            file::ACCOUNT_SUMMARY,
            file::VIRTUAL_MFA_DEVICES,
        ] {
            set.read_if_present(dir, name)?;
        }
        let aa = dir.join(file::ACCESS_ANALYZER_DIR);
        if aa.is_dir() {
            let mut regions: Vec<String> = Vec::new();
            for entry in std::fs::read_dir(&aa).map_err(|e| Error::io(&aa, e))? {
                let entry = entry.map_err(|e| Error::io(&aa, e))?;
                if entry.path().is_dir() {
                    regions.push(entry.file_name().to_string_lossy().into_owned());
                }
            }
            regions.sort();
            for region in regions {
                set.read_if_present(dir, &file::analyzers(&region))?;
                set.read_if_present(dir, &file::analyzer_findings(&region))?;
            }
        }
        let manifest_path = dir.join(file::MANIFEST);
        if manifest_path.is_file() {
            set.manifest = Some(Manifest::read(&manifest_path)?);
        }
        Ok(set)
    }

    fn read_if_present(&mut self, dir: &Path, name: &str) -> Result<()> {
        let path = dir.join(name);
        match std::fs::read(&path) {
            Ok(bytes) => {
                self.files.insert(name.to_string(), bytes);
                Ok(())
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::io(path, e)),
        }
    }

    /// The path to show in messages for file `name`: inside the directory, or `<live>/name`.
    pub fn display_path(&self, name: &str) -> PathBuf {
        match &self.dir {
            Some(d) => d.join(name),
            None => PathBuf::from("<live>").join(name),
        }
    }

    /// The contents of `name`, if present.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.files.get(name).map(Vec::as_slice)
    }

    /// The regions for which Access Analyzer files are present.
    pub fn analyzer_regions(&self) -> Vec<String> {
        let mut regions: Vec<String> = self
            .files
            .keys()
            .filter_map(|k| k.strip_prefix("access-analyzer/"))
            .filter_map(|rest| rest.split_once('/').map(|(r, _)| r.to_string()))
            .collect();
        regions.dedup();
        regions
    }

    /// Why `name` was not collected, when the manifest says.
    pub fn not_collected_reason(&self, name: &str) -> Option<&str> {
        self.manifest
            .as_ref()
            .and_then(|m| m.not_collected.get(name))
            .map(String::as_str)
    }

    /// Writes every file into `dir` (created if needed) and then `manifest.json` with the
    /// SHA-256 of each file. Each file is written to a temporary name and renamed.
    pub fn write_dir(&self, dir: &Path, manifest: &mut Manifest) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        for (name, bytes) in &self.files {
            crate::manifest::write_atomic(&dir.join(name), bytes)?;
            manifest.add_file(name, bytes);
        }
        manifest.write(&dir.join(file::MANIFEST))
    }
}
