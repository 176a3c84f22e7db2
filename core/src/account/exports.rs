//! The files of the account data, held in memory, and reading / writing them as a directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::input::read_input_file;
use crate::manifest::Manifest;
use crate::{Error, Result};

/// The file names of the account data (README.md, "The exports directory").
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
    pub const MANIFEST: &str = crate::manifest::FILE_NAME;
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

/// How large the files of an exports directory may be. Each file is held in memory while it
/// is parsed, so a limit keeps a wrong file (a disk image, a log) from exhausting memory.
///
/// The defaults fit large accounts with room to spare: at IAM's default quotas (5,000 users,
/// 1,000 roles, 1,500 customer managed policies of five versions) with every document at its
/// largest, `aws iam get-account-authorization-details` prints under 300 MB (its indentation
/// makes the text over three times the documents' own size), plus the AWS managed policies
/// attached; the credential report of 5,000 users is about 2 MB, and the other files are
/// smaller still. [`InputLimits::ENV`] raises (or lowers) them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputLimits {
    /// The largest `authorization-details.json`, in bytes.
    pub authorization_details: u64,
    /// The largest of every other file (the credential report, the other JSON files and
    /// `manifest.json`), in bytes.
    pub other: u64,
}

impl Default for InputLimits {
    fn default() -> Self {
        InputLimits {
            authorization_details: 1 << 30,
            other: 256 << 20,
        }
    }
}

impl InputLimits {
    /// The environment variable that replaces both limits: a size in bytes, or with a
    /// `KiB`, `MiB` or `GiB` suffix (`K`, `M`, `G` too).
    pub const ENV: &'static str = crate::input::MAX_INPUT_SIZE_ENV;

    /// The same limit for every file.
    pub fn uniform(bytes: u64) -> Self {
        InputLimits {
            authorization_details: bytes,
            other: bytes,
        }
    }

    /// The defaults, or [`InputLimits::ENV`] when it is set; a malformed value is an error
    /// naming the variable.
    pub fn from_env() -> Result<Self> {
        Ok(crate::input::size_limit_from_env()?.map_or_else(Self::default, Self::uniform))
    }

    /// The limit of file `name` (relative path in the exports directory).
    pub fn of(&self, name: &str) -> u64 {
        if name == file::AUTHORIZATION_DETAILS {
            self.authorization_details
        } else {
            self.other
        }
    }
}

impl ExportSet {
    /// Reads an exports directory: every account-data file that is present, and
    /// `manifest.json` if there is one. Files that are absent are simply not collected.
    /// File sizes are limited by [`InputLimits::from_env`].
    pub fn read_dir(dir: &Path) -> Result<Self> {
        Self::read_dir_with(dir, InputLimits::from_env()?)
    }

    /// [`ExportSet::read_dir`] with the given size limits.
    pub fn read_dir_with(dir: &Path, limits: InputLimits) -> Result<Self> {
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
            set.read_if_present(dir, name, &limits)?;
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
                set.read_if_present(dir, &file::analyzers(&region), &limits)?;
                set.read_if_present(dir, &file::analyzer_findings(&region), &limits)?;
            }
        }
        set.read_tree(dir, super::identity_center::DIR, &limits)?;
        let manifest_path = dir.join(file::MANIFEST);
        if let Some(bytes) = read_input_file(&manifest_path, limits.of(file::MANIFEST))? {
            set.manifest = Some(crate::input::parse_json(&manifest_path, &bytes)?);
        }
        Ok(set)
    }

    /// Reads every `.json` file under `dir/sub` (sorted; nested directories too). Only
    /// regular files and directories are followed: a symbolic link is not, so the tree
    /// cannot lead outside the exports directory.
    fn read_tree(&mut self, dir: &Path, sub: &str, limits: &InputLimits) -> Result<()> {
        let root = dir.join(sub);
        match std::fs::symlink_metadata(&root) {
            Ok(m) if m.is_dir() => {}
            _ => return Ok(()),
        }
        let mut pending = vec![sub.to_string()];
        while let Some(rel) = pending.pop() {
            let here = dir.join(&rel);
            let mut entries: Vec<(String, std::fs::FileType)> = Vec::new();
            for entry in std::fs::read_dir(&here).map_err(|e| Error::io(&here, e))? {
                let entry = entry.map_err(|e| Error::io(&here, e))?;
                let kind = entry.file_type().map_err(|e| Error::io(&here, e))?;
                entries.push((entry.file_name().to_string_lossy().into_owned(), kind));
            }
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            for (name, kind) in entries {
                let child = format!("{rel}/{name}");
                if kind.is_dir() {
                    pending.push(child);
                } else if kind.is_file() && name.ends_with(".json") {
                    self.read_if_present(dir, &child, limits)?;
                }
            }
        }
        Ok(())
    }

    fn read_if_present(&mut self, dir: &Path, name: &str, limits: &InputLimits) -> Result<()> {
        if let Some(bytes) = read_input_file(&dir.join(name), limits.of(name))? {
            self.files.insert(name.to_string(), bytes);
        }
        Ok(())
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
