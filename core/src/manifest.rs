//! The SHA-256 manifest written beside collected account data and evidence, and its
//! verification.

use std::collections::BTreeMap;
use std::path::Path;

use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// `manifest.json`: what was collected or written, when, from which account, and the
/// SHA-256 of every file, so an auditor can prove nothing changed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always `hipaa-iam`.
    pub tool: String,
    /// The tool's version.
    pub version: String,
    /// The IAM action catalogue the tool judged actions with: its date and source release
    /// (absent from manifests written before the catalogue existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_catalogue: Option<crate::policy::catalogue::Source>,
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
            action_catalogue: Some(crate::policy::catalogue::source().clone()),
            ..Default::default()
        }
    }

    /// Records `bytes` as the content of `name`.
    pub fn add_file(&mut self, name: &str, bytes: &[u8]) {
        self.files.insert(name.to_string(), sha256_hex(bytes));
    }

    /// Reads a manifest file; an error names the file and the JSON path.
    pub fn read(path: &Path) -> Result<Self> {
        let bytes = crate::input::read_file(path, MAX_MANIFEST_BYTES)?;
        crate::input::parse_json(path, &bytes)
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
        let root = std::fs::canonicalize(dir).ok();
        for (name, expected) in &self.files {
            checked += 1;
            if let Err(why) = check_entry_name(name) {
                problems.push(format!("{prefix}{name}: refused: {why}"));
                continue;
            }
            let path = dir.join(name);
            match (std::fs::canonicalize(&path), &root) {
                (Ok(real), Some(root)) if !real.starts_with(root) => {
                    problems.push(format!(
                        "{prefix}{name}: refused: a symbolic link to {}, outside the directory",
                        real.display()
                    ));
                    continue;
                }
                (Err(e), _) if e.kind() == std::io::ErrorKind::NotFound => {
                    let dangling = std::fs::symlink_metadata(&path).is_ok();
                    problems.push(format!(
                        "{prefix}{name}: missing{}",
                        if dangling { " (a symbolic link to nothing)" } else { "" }
                    ));
                    continue;
                }
                _ => {}
            }
            let actual = match crate::files::sha256_file(&path) {
                Ok(h) => h,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    problems.push(format!("{prefix}{name}: missing"));
                    continue;
                }
                Err(e) => {
                    problems.push(format!("{prefix}{name}: unreadable: {e}"));
                    continue;
                }
            };
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
                match Manifest::read(&path) {
                    Ok(m) => checked += m.verify_into(&dir.join(sub), &nested_prefix, depth + 1, problems),
                    Err(e) => problems.push(format!("{prefix}{name}: unreadable manifest: {e}")),
                }
            }
        }
        self.report_unlisted(dir, prefix, problems);
        checked
    }

    /// Adds a problem for every file under `dir` that this manifest does not list (its own
    /// `manifest.json` aside; directories with a nested manifest are that manifest's to
    /// judge): an extra file, or a temporary file an interrupted run left behind.
    fn report_unlisted(&self, dir: &Path, prefix: &str, problems: &mut Vec<String>) {
        let nested: Vec<&str> = self.files.keys().filter_map(|n| nested_manifest_dir(n)).collect();
        let mut found = Vec::new();
        list_files(dir, "", &nested, 0, &mut found);
        for rel in found {
            if rel == FILE_NAME || self.files.contains_key(&rel) {
                continue;
            }
            let base = rel.rsplit('/').next().unwrap_or(&rel);
            if crate::files::temp_pid(base).is_some() {
                problems.push(format!(
                    "{prefix}{rel}: a temporary file an interrupted hipaa-iam run left behind (not evidence; the next write into this directory removes it)"
                ));
            } else {
                problems.push(format!("{prefix}{rel}: not in the manifest"));
            }
        }
    }
}

/// Why a manifest entry's name is refused: an absolute path, a `..`, `.` or empty part, a
/// backslash or a control character. Entries are plain relative `/`-separated paths, so
/// verifying never reads outside the directory.
pub fn check_entry_name(name: &str) -> std::result::Result<(), &'static str> {
    if name.is_empty() {
        return Err("an empty path");
    }
    if name.starts_with('/') || Path::new(name).is_absolute() {
        return Err("an absolute path");
    }
    if name.contains('\\') {
        return Err("a backslash in the path");
    }
    if name.chars().any(char::is_control) {
        return Err("a control character in the path");
    }
    if name.split('/').any(|c| c.is_empty() || c == "." || c == "..") {
        return Err("the path leaves the directory or has an empty, `.` or `..` part");
    }
    Ok(())
}

/// How deep [`list_files`] descends, and how many names it gathers at most.
const MAX_LIST_DEPTH: usize = 16;
const MAX_LISTED: usize = 1_000_000;

/// Every entry under `dir` that is not a directory, by path relative to the top
/// (`/`-separated), without following symbolic links and without entering the
/// subdirectories `skip` (relative to the top).
fn list_files(dir: &Path, rel: &str, skip: &[&str], depth: usize, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.filter_map(|e| e.ok()).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        if out.len() >= MAX_LISTED {
            return;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = if rel.is_empty() { name } else { format!("{rel}/{name}") };
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir {
            if depth < MAX_LIST_DEPTH && !skip.contains(&path.as_str()) {
                list_files(&entry.path(), &path, skip, depth + 1, out);
            }
        } else {
            out.push(path);
        }
    }
}

/// The file name of a manifest: `manifest.json`.
pub const FILE_NAME: &str = "manifest.json";

/// The largest manifest read (an organization of thousands of accounts lists one line
/// per account: far below this).
pub const MAX_MANIFEST_BYTES: u64 = 64 * 1024 * 1024;

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

pub use crate::files::{sha256_hex, write_atomic};
