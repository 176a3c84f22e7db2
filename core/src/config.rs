//! Configuration: thresholds, names, regions, skipped checks and exceptions
//! (`hipaa-iam.toml`, or `--config FILE`).

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The password policy the account must have (IAM-001) and that
/// `remediate password-policy` sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PasswordPolicyConfig {
    /// Minimum length (default 14).
    pub minimum_length: i64,
    /// Symbols required (default true).
    pub require_symbols: bool,
    /// Numbers required (default true).
    pub require_numbers: bool,
    /// Upper-case letters required (default true).
    pub require_uppercase: bool,
    /// Lower-case letters required (default true).
    pub require_lowercase: bool,
    /// Passwords must expire within this many days (default 90).
    pub max_age_days: i64,
    /// Previous passwords that cannot be reused (default 24).
    pub reuse_prevention: i64,
    /// Users may change their own password (default true).
    pub allow_users_to_change: bool,
}

impl Default for PasswordPolicyConfig {
    fn default() -> Self {
        PasswordPolicyConfig {
            minimum_length: 14,
            require_symbols: true,
            require_numbers: true,
            require_uppercase: true,
            require_lowercase: true,
            max_age_days: 90,
            reuse_prevention: 24,
            allow_users_to_change: true,
        }
    }
}

/// An accepted risk: turns a `fail` of `check` on `resource` into `excepted` until
/// `expires`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exception {
    /// The check ID, e.g. `IAM-002`.
    pub check: String,
    /// The resource: an ARN or a name; `*` and `?` globs allowed.
    pub resource: String,
    /// Why the risk is accepted.
    pub reason: String,
    /// Who approved it.
    pub approved_by: String,
    /// The last day it is valid (inclusive), `YYYY-MM-DD`.
    pub expires: NaiveDate,
}

impl Exception {
    /// Whether the exception is still valid on `today`.
    pub fn is_valid_on(&self, today: NaiveDate) -> bool {
        today <= self.expires
    }

    /// Whether it covers a finding of `check_id` on a resource with this ARN or name.
    pub fn covers(&self, check_id: &str, arn: &str, name: &str) -> bool {
        self.check.eq_ignore_ascii_case(check_id)
            && (glob_match(&self.resource, arn) || glob_match(&self.resource, name))
    }
}

/// Case-sensitive glob match with `*` (any run) and `?` (one character).
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti, mut star, mut mark) = (0usize, 0usize, None::<usize>, 0usize);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            pi += 1;
            mark = ti;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// The whole configuration. Every field has a default; an empty file is valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The group whose policy enforces MFA (IAM-004, IAM-005), default `human-users`.
    pub human_users_group: String,
    /// The deny-without-MFA managed policy's name (remediation), default `deny-without-mfa`.
    pub mfa_policy_name: String,
    /// The permissions boundary policy's name (IAM-008, IAM-009), default
    /// `permissions-boundary-base`.
    pub boundary_policy_name: String,
    /// Access keys older than this many days fail IAM-012 (default 90).
    pub access_key_max_age_days: i64,
    /// Credentials unused for this many days fail IAM-013 (default 90).
    pub unused_credentials_days: i64,
    /// Root use within this many days fails IAM-018 (default 30).
    pub root_recent_use_days: i64,
    /// The Access Analyzer regions to audit; empty = the configured AWS region.
    pub regions: Vec<String>,
    /// Check IDs not to run.
    pub skip_checks: Vec<String>,
    /// The password policy required (IAM-001) and set by remediation.
    pub password_policy: PasswordPolicyConfig,
    /// Accepted risks.
    #[serde(rename = "exception")]
    pub exceptions: Vec<Exception>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            human_users_group: "human-users".into(),
            mfa_policy_name: "deny-without-mfa".into(),
            boundary_policy_name: "permissions-boundary-base".into(),
            access_key_max_age_days: 90,
            unused_credentials_days: 90,
            root_recent_use_days: 30,
            regions: Vec::new(),
            skip_checks: Vec::new(),
            password_policy: PasswordPolicyConfig::default(),
            exceptions: Vec::new(),
        }
    }
}

/// The name of the configuration file looked for in the current directory.
pub const DEFAULT_FILE: &str = "hipaa-iam.toml";

/// A loaded configuration and where it came from.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    /// The configuration.
    pub config: Config,
    /// The file it was read from; `None` = built-in defaults.
    pub path: Option<PathBuf>,
    /// SHA-256 of the file's bytes (or of the defaults' canonical TOML).
    pub sha256: String,
}

impl Config {
    /// Parses TOML text; errors name `path` and the line. `known_checks` are the valid
    /// check IDs (for `skip_checks` and exceptions).
    pub fn parse(path: &Path, text: &str, known_checks: &[&str]) -> Result<Config> {
        let cfg: Config = toml::from_str(text).map_err(|e| {
            let location = e
                .span()
                .map(|s| {
                    let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                    format!("line {line}: ")
                })
                .unwrap_or_default();
            Error::Config {
                path: path.to_path_buf(),
                message: format!("{location}{}", e.message()),
            }
        })?;
        let line_of = |needle: &str| -> String {
            text.lines()
                .position(|l| l.contains(needle))
                .map(|i| format!("line {}: ", i + 1))
                .unwrap_or_default()
        };
        let known = |id: &str| known_checks.iter().any(|k| k.eq_ignore_ascii_case(id));
        for id in &cfg.skip_checks {
            if !known(id) {
                return Err(Error::Config {
                    path: path.to_path_buf(),
                    message: format!(
                        "{}skip_checks: unknown check ID {id:?} (see `hipaa-iam checks`)",
                        line_of(id)
                    ),
                });
            }
        }
        for ex in &cfg.exceptions {
            if !known(&ex.check) {
                return Err(Error::Config {
                    path: path.to_path_buf(),
                    message: format!(
                        "{}exception: unknown check ID {:?} (see `hipaa-iam checks`)",
                        line_of(&ex.check),
                        ex.check
                    ),
                });
            }
            if ex.resource.trim().is_empty() || ex.reason.trim().is_empty() || ex.approved_by.trim().is_empty() {
                return Err(Error::Config {
                    path: path.to_path_buf(),
                    message: format!(
                        "{}exception for {}: resource, reason and approved_by must not be empty",
                        line_of(&ex.check),
                        ex.check
                    ),
                });
            }
        }
        for (name, v) in [
            ("access_key_max_age_days", cfg.access_key_max_age_days),
            ("unused_credentials_days", cfg.unused_credentials_days),
            ("root_recent_use_days", cfg.root_recent_use_days),
            ("password_policy.minimum_length", cfg.password_policy.minimum_length),
            ("password_policy.max_age_days", cfg.password_policy.max_age_days),
            ("password_policy.reuse_prevention", cfg.password_policy.reuse_prevention),
        ] {
            if v < 0 {
                let key = name.rsplit('.').next().unwrap_or(name);
                return Err(Error::Config {
                    path: path.to_path_buf(),
                    message: format!("{}{name} must not be negative", line_of(key)),
                });
            }
        }
        Ok(cfg)
    }

    /// Loads `explicit` if given (it must exist), else `hipaa-iam.toml` in the current
    /// directory if present, else the defaults.
    pub fn load(explicit: Option<&Path>, known_checks: &[&str]) -> Result<LoadedConfig> {
        let path = match explicit {
            Some(p) => Some(p.to_path_buf()),
            None => Some(PathBuf::from(DEFAULT_FILE)).filter(|p| p.is_file()),
        };
        match path {
            Some(p) => {
                let bytes = std::fs::read(&p).map_err(|e| Error::io(&p, e))?;
                let text = String::from_utf8(bytes.clone()).map_err(|_| Error::Config {
                    path: p.clone(),
                    message: "not valid UTF-8".into(),
                })?;
                let config = Config::parse(&p, &text, known_checks)?;
                Ok(LoadedConfig {
                    config,
                    path: Some(p),
                    sha256: crate::manifest::sha256_hex(&bytes),
                })
            }
            None => {
                let config = Config::default();
                let canonical = toml::to_string(&config).unwrap_or_default();
                Ok(LoadedConfig {
                    config,
                    path: None,
                    sha256: crate::manifest::sha256_hex(canonical.as_bytes()),
                })
            }
        }
    }

    /// The exception covering a finding, if any (valid or expired).
    pub fn exception_for(&self, check_id: &str, arn: &str, name: &str) -> Option<&Exception> {
        self.exceptions.iter().find(|e| e.covers(check_id, arn, name))
    }

    /// Whether `check_id` is skipped.
    pub fn is_skipped(&self, check_id: &str) -> bool {
        self.skip_checks.iter().any(|c| c.eq_ignore_ascii_case(check_id))
    }
}
