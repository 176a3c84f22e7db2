//! The IAM credential report (`credential-report.csv`).

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, Utc};

use crate::{Error, Result};

/// A time cell of the credential report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportTime {
    /// A timestamp.
    At(DateTime<Utc>),
    /// `N/A`: does not apply (e.g. never used, no password).
    NotApplicable,
    /// `no_information`: IAM has no record (e.g. last used before tracking began).
    NoInformation,
    /// `not_supported`: the field does not apply to this row (root).
    NotSupported,
}

impl ReportTime {
    /// The timestamp, if any.
    pub fn at(self) -> Option<DateTime<Utc>> {
        match self {
            ReportTime::At(t) => Some(t),
            _ => None,
        }
    }
}

/// `password_enabled` of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordEnabled {
    /// The user has a console password.
    Yes,
    /// No console password.
    No,
    /// `not_supported` (the root row).
    NotSupported,
}

/// One access key's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessKeyInfo {
    /// `access_key_N_active`.
    pub active: bool,
    /// `access_key_N_last_rotated` (creation or rotation time).
    pub last_rotated: ReportTime,
    /// `access_key_N_last_used_date`.
    pub last_used: ReportTime,
}

/// One row of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialRow {
    /// `user` (`<root_account>` for root).
    pub user: String,
    /// `arn`.
    pub arn: String,
    /// `user_creation_time`.
    pub user_creation_time: ReportTime,
    /// `password_enabled`.
    pub password_enabled: PasswordEnabled,
    /// `password_last_used`.
    pub password_last_used: ReportTime,
    /// `password_last_changed`.
    pub password_last_changed: ReportTime,
    /// `mfa_active`.
    pub mfa_active: bool,
    /// The two access keys.
    pub access_keys: [AccessKeyInfo; 2],
}

impl CredentialRow {
    /// Whether this is the root user's row.
    pub fn is_root(&self) -> bool {
        self.user == CredentialReport::ROOT
    }

    /// Whether the user has a console password.
    pub fn has_password(&self) -> bool {
        self.password_enabled == PasswordEnabled::Yes
    }

    /// The active access keys, with their slot number (1 or 2).
    pub fn active_keys(&self) -> impl Iterator<Item = (usize, &AccessKeyInfo)> {
        self.access_keys
            .iter()
            .enumerate()
            .filter(|(_, k)| k.active)
            .map(|(i, k)| (i + 1, k))
    }
}

/// The parsed credential report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialReport {
    /// When the report was generated, if known (from the manifest).
    pub generated: Option<DateTime<Utc>>,
    /// Every row, in file order, including root's.
    pub rows: Vec<CredentialRow>,
    index: HashMap<String, usize>,
}

const REQUIRED: &[&str] = &[
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
];

impl CredentialReport {
    /// The user name of the root row.
    pub const ROOT: &'static str = "<root_account>";

    /// Parses the CSV. A UTF-8 BOM and CRLF line ends are accepted; a missing column, a
    /// short row or an unreadable value is an error naming the file, line and column.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Self> {
        let bytes = crate::input::strip_bom(bytes);
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(Error::input(
                path,
                "",
                "the file is empty (expected the credential report CSV with its header line)",
            ));
        }
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(bytes);
        let headers = rdr
            .headers()
            .map_err(|e| Error::input(path, "line 1", format!("unreadable header: {e}")))?
            .clone();
        let col: HashMap<String, usize> = headers
            .iter()
            .enumerate()
            .map(|(i, h)| (h.trim().to_ascii_lowercase(), i))
            .collect();
        let missing: Vec<&str> = REQUIRED.iter().copied().filter(|c| !col.contains_key(*c)).collect();
        if !missing.is_empty() {
            return Err(Error::input(
                path,
                "line 1",
                format!(
                    "missing column(s) {} (is this an IAM credential report?)",
                    missing.join(", ")
                ),
            ));
        }
        let mut rows = Vec::new();
        // Where each user's row is, and the line of each row: a user listed twice is
        // refused, since which of the two rows is true is unknown.
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut lines: Vec<u64> = Vec::new();
        for record in rdr.records() {
            let record = record.map_err(|e| {
                let line = e.position().map(|p| format!("line {}", p.line())).unwrap_or_default();
                Error::input(path, line, format!("malformed row: {e}"))
            })?;
            let line = record.position().map(|p| p.line()).unwrap_or(0);
            if record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let cell = |name: &str| record.get(col[name]).unwrap_or("").trim();
            let ctx = |name: &str, msg: String| Error::input(path, format!("line {line}, column {name}"), msg);
            let time = |name: &str| parse_time(cell(name)).map_err(|m| ctx(name, m));
            let boolean = |name: &str| parse_bool(cell(name)).map_err(|m| ctx(name, m));
            let key = |n: u8| -> Result<AccessKeyInfo> {
                Ok(AccessKeyInfo {
                    active: boolean(&format!("access_key_{n}_active"))?,
                    last_rotated: time(&format!("access_key_{n}_last_rotated"))?,
                    last_used: time(&format!("access_key_{n}_last_used_date"))?,
                })
            };
            let password_enabled = match cell("password_enabled").to_ascii_lowercase().as_str() {
                "true" => PasswordEnabled::Yes,
                "false" => PasswordEnabled::No,
                "not_supported" => PasswordEnabled::NotSupported,
                other => {
                    return Err(ctx(
                        "password_enabled",
                        format!("expected true, false or not_supported, found {other:?}"),
                    ))
                }
            };
            let user = cell("user").to_string();
            if user.is_empty() {
                return Err(ctx("user", "empty user name".into()));
            }
            if let Some(&first) = index.get(&user) {
                return Err(ctx(
                    "user",
                    format!(
                        "a second row for user {user:?} (the first is line {}); the report has one row per user",
                        lines[first]
                    ),
                ));
            }
            index.insert(user.clone(), rows.len());
            lines.push(line);
            rows.push(CredentialRow {
                user,
                arn: cell("arn").to_string(),
                user_creation_time: time("user_creation_time")?,
                password_enabled,
                password_last_used: time("password_last_used")?,
                password_last_changed: time("password_last_changed")?,
                mfa_active: boolean("mfa_active")?,
                access_keys: [key(1)?, key(2)?],
            });
        }
        Ok(CredentialReport {
            generated: None,
            rows,
            index,
        })
    }

    /// The row of user `name` (`<root_account>` for root).
    pub fn user(&self, name: &str) -> Option<&CredentialRow> {
        self.index.get(name).map(|&i| &self.rows[i])
    }

    /// The root row, if the report has one.
    pub fn root(&self) -> Option<&CredentialRow> {
        self.user(Self::ROOT)
    }
}

fn parse_bool(s: &str) -> std::result::Result<bool, String> {
    match s.to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        // A root row or an unsupported field reads as "not active".
        "not_supported" | "n/a" => Ok(false),
        _ => Err(format!("expected true or false, found {s:?}")),
    }
}

fn parse_time(s: &str) -> std::result::Result<ReportTime, String> {
    match s.to_ascii_lowercase().as_str() {
        "n/a" | "" => Ok(ReportTime::NotApplicable),
        "no_information" => Ok(ReportTime::NoInformation),
        "not_supported" => Ok(ReportTime::NotSupported),
        _ => DateTime::parse_from_rfc3339(s)
            .map(|t| ReportTime::At(t.with_timezone(&Utc)))
            .map_err(|e| format!("expected an ISO 8601 time, N/A, no_information or not_supported, found {s:?} ({e})")),
    }
}
