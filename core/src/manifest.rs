//! The SHA-256 manifest written beside collected account data and evidence, and its
//! verification.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Error, Result};

/// `manifest.json`: what was collected or written, when, from which account, and the
/// SHA-256 of every file, so an auditor can prove nothing changed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always `hipaa-iam`.
    pub tool: String,
    /// The tool's version.
    pub version: String,
    /// When the files were written (UTC, RFC 3339).
    pub generated_at: String,
    /// The AWS account ID, from STS `GetCallerIdentity`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// The caller's ARN, from STS `GetCallerIdentity`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caller_arn: Option<String>,
    /// The credential report's `GeneratedTime` (it may be up to four hours old).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_report_generated_at: Option<String>,
    /// The regions audited for Access Analyzer.
    #[serde(default)]
    pub regions: Vec<String>,
    /// Where the account data came from: `live` or the exports directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The configuration used (evidence manifests only): its path or `<defaults>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    /// SHA-256 of the configuration's canonical form (evidence manifests only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_sha256: Option<String>,
    /// Optional sources that could not be collected, by file, with the reason
    /// (the AWS error code and message).
    #[serde(default)]
    pub not_collected: BTreeMap<String, String>,
    /// SHA-256 (lower-case hex) of every file written, by relative path.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
}

impl Manifest {
    /// A new manifest stamped with the tool, version and the current UTC time.
    pub fn new() -> Self {
        Manifest {
            tool: "hipaa-iam".into(),
            version: crate::VERSION.into(),
            generated_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            ..Default::default()
        }
    }

    /// Records `bytes` as the content of `name`.
    pub fn add_file(&mut self, name: &str, bytes: &[u8]) {
        self.files.insert(name.to_string(), sha256_hex(bytes));
    }

    /// Reads a manifest file; an error names the file and the JSON path.
    pub fn read(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        crate::account::parse_json(path, &bytes)
    }

    /// Writes the manifest (pretty JSON) atomically.
    pub fn write(&self, path: &Path) -> Result<()> {
        let mut json = serde_json::to_vec_pretty(self).map_err(|e| Error::input(path, "", e.to_string()))?;
        json.push(b'\n');
        write_atomic(path, &json)
    }

    /// Recomputes the hash of every file listed, relative to `dir`. Returns one line per
    /// problem (a changed or missing file); empty means everything matches.
    ///
    /// Nested evidence (an organization's `<account-id>/manifest.json`): a listed file
    /// named `manifest.json` inside a subdirectory is, once its own hash matches, read
    /// and verified in turn against its directory, its problems named by their path from
    /// `dir` (`111111111111/findings.json: changed ...`).
    pub fn verify(&self, dir: &Path) -> Vec<String> {
        self.verify_counted(dir).1
    }

    /// [`Manifest::verify`], also returning how many files were checked in all
    /// (nested manifests' files included).
    pub fn verify_counted(&self, dir: &Path) -> (usize, Vec<String>) {
        let mut problems = Vec::new();
        let checked = self.verify_into(dir, "", 0, &mut problems);
        (checked, problems)
    }

    fn verify_into(&self, dir: &Path, prefix: &str, depth: usize, problems: &mut Vec<String>) -> usize {
        let mut checked = 0;
        for (name, expected) in &self.files {
            checked += 1;
            let path = dir.join(name);
            match std::fs::read(&path) {
                Ok(bytes) => {
                    let actual = sha256_hex(&bytes);
                    if !actual.eq_ignore_ascii_case(expected) {
                        problems.push(format!(
                            "{prefix}{name}: changed (SHA-256 {actual}, manifest says {expected})"
                        ));
                    } else if let Some(sub) = nested_manifest_dir(name) {
                        let nested_prefix = format!("{prefix}{sub}/");
                        if depth >= MAX_NESTING {
                            problems.push(format!("{prefix}{name}: manifests nested too deeply"));
                            continue;
                        }
                        match crate::account::parse_json::<Manifest>(&path, &bytes) {
                            Ok(m) => checked += m.verify_into(&dir.join(sub), &nested_prefix, depth + 1, problems),
                            Err(e) => problems.push(format!("{prefix}{name}: unreadable manifest: {e}")),
                        }
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => problems.push(format!("{prefix}{name}: missing")),
                Err(e) => problems.push(format!("{prefix}{name}: unreadable: {e}")),
            }
        }
        checked
    }
}

/// How deep manifests may nest (an organization tree uses one level).
const MAX_NESTING: usize = 4;

/// The directory of a nested manifest entry: `111111111111` for
/// `111111111111/manifest.json`; `None` for any other name, or a path that leaves the
/// directory (`..`, absolute).
pub fn nested_manifest_dir(name: &str) -> Option<&str> {
    let sub = name.strip_suffix("/manifest.json")?;
    let plain = !sub.is_empty()
        && !sub.starts_with('/')
        && !sub.contains('\\')
        && sub.split('/').all(|c| !c.is_empty() && c != "." && c != "..");
    plain.then_some(sub)
}

/// SHA-256 of `bytes` as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename,
/// so a reader sees either the old file or the new one, never a half-written one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    Ok(())
}
