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
    /// The last day it is valid (inclusive): a TOML date (`2026-12-31`) or a string
    /// `"2026-12-31"`.
    #[serde(deserialize_with = "de_date")]
    pub expires: NaiveDate,
}

impl Exception {
    /// Whether the exception is still valid on `today`.
    pub fn is_valid_on(&self, today: NaiveDate) -> bool {
        today <= self.expires
    }

    /// Whether its resource pattern matches any resource at all (only `*` and `?`, with a `*`):
    /// it names no resource.
    pub fn matches_any_resource(&self) -> bool {
        self.resource.contains('*') && self.resource.chars().all(|c| c == '*' || c == '?')
    }

    /// Whether its resource is a pattern (has `*` or `?`) rather than one name or ARN.
    pub fn is_pattern(&self) -> bool {
        self.resource.contains(['*', '?'])
    }

    /// Whether it covers a finding of `check_id` on a resource with this ARN or name.
    pub fn covers(&self, check_id: &str, arn: &str, name: &str) -> bool {
        self.check.eq_ignore_ascii_case(check_id)
            && (glob_match(&self.resource, arn) || glob_match(&self.resource, name))
    }
}

/// Reads a date given as a TOML local date or a `YYYY-MM-DD` string.
fn de_date<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<NaiveDate, D::Error> {
    use serde::de::Error as _;
    let text = match toml::Value::deserialize(d)? {
        toml::Value::String(s) => s,
        toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => dt.to_string(),
        other => return Err(D::Error::custom(format!("expected a date YYYY-MM-DD, found {other}"))),
    };
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|e| D::Error::custom(format!("expected a date YYYY-MM-DD, found {text:?} ({e})")))
}

/// Case-sensitive glob match with `*` (any run) and `?` (one character): the policy
/// evaluator's wildcard patterns ([`crate::policy::Pattern`]), linear in the text.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    crate::policy::Pattern::new(pattern, false).matches(text)
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
    /// Identity Center permission sets whose sessions last longer than this many hours fail
    /// IAM-032 (default 4; AWS allows 1 to 12).
    pub max_session_hours: i64,
    /// The Access Analyzer regions to audit; empty = the configured AWS region.
    pub regions: Vec<String>,
    /// Check IDs not to run (not all of them).
    pub skip_checks: Vec<String>,
    /// An exception whose resource pattern matches more resources of its check than this is
    /// warned about as too broad (default 25); so is one matching every resource.
    pub exception_max_resources: i64,
    /// The password policy required (IAM-001) and set by remediation.
    pub password_policy: PasswordPolicyConfig,
    /// Outside AWS accounts (12-digit IDs) whose trust of a role is reviewed and accepted
    /// without an external ID (IAM-028).
    pub trusted_accounts: Vec<String>,
    /// The resources that hold ePHI (`[[phi_resource]]`): the audit writes who can read,
    /// write and manage permissions on each (`phi_access.csv`, a section of `summary.md`).
    #[serde(rename = "phi_resource")]
    pub phi_resources: Vec<PhiResource>,
    /// Accepted risks.
    #[serde(rename = "exception")]
    pub exceptions: Vec<Exception>,
    /// Controls attested by people where no API can show them (`[[attestation]]`, e.g. MFA
    /// for IAM Identity Center): rows of the risk register, Attested until they expire.
    #[serde(rename = "attestation")]
    pub attestations: Vec<Attestation>,
}

/// A control attested by a person: what no API can show (IAM Identity Center's MFA
/// setting has no read API), recorded for the risk register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attestation {
    /// The control, short: `Identity Center MFA`. Its risk register ID.
    pub control: String,
    /// What is attested: `MFA is required for every sign-in to IAM Identity Center`.
    pub statement: String,
    /// Where the evidence is: a ticket, a screenshot's file name, a document.
    pub evidence: String,
    /// Who attests it.
    pub attested_by: String,
    /// The day it was attested.
    #[serde(deserialize_with = "de_date")]
    pub date: NaiveDate,
    /// The last day it is valid (inclusive); after it the register row says Expired.
    #[serde(deserialize_with = "de_date")]
    pub expires: NaiveDate,
    /// HIPAA Security Rule citations it answers (optional).
    #[serde(default)]
    pub hipaa: Vec<String>,
}

/// A resource that holds ePHI: a label and the ARNs (patterns with `*` allowed, e.g. a
/// bucket and its objects) it covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhiResource {
    /// What it is, for people: `EHR records bucket`.
    pub label: String,
    /// Its ARNs: one string or a list.
    #[serde(deserialize_with = "one_or_many")]
    pub arn: Vec<String>,
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
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
            max_session_hours: 4,
            regions: Vec::new(),
            skip_checks: Vec::new(),
            exception_max_resources: 25,
            password_policy: PasswordPolicyConfig::default(),
            trusted_accounts: Vec::new(),
            phi_resources: Vec::new(),
            exceptions: Vec::new(),
            attestations: Vec::new(),
        }
    }
}

/// The positions of the values validated after parsing, for errors that name the line.
#[derive(Debug, Default, Deserialize)]
struct Spans {
    #[serde(default)]
    skip_checks: Vec<toml::Spanned<String>>,
    #[serde(default)]
    exception: Vec<ExceptionSpans>,
    #[serde(default)]
    trusted_accounts: Vec<toml::Spanned<String>>,
    #[serde(default)]
    phi_resource: Vec<toml::Spanned<toml::Value>>,
    #[serde(default)]
    attestation: Vec<toml::Spanned<toml::Value>>,
}

#[derive(Debug, Deserialize)]
struct ExceptionSpans {
    check: toml::Spanned<String>,
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
        let spans: Spans = toml::from_str(text).unwrap_or_default();
        let line_at = |span: std::ops::Range<usize>| -> String {
            format!(
                "line {}: ",
                text[..span.start.min(text.len())].matches('\n').count() + 1
            )
        };
        let err = |message: String| Error::Config {
            path: path.to_path_buf(),
            message,
        };
        let known = |id: &str| known_checks.iter().any(|k| k.eq_ignore_ascii_case(id));
        for (i, id) in cfg.skip_checks.iter().enumerate() {
            if !known(id) {
                let at = spans.skip_checks.get(i).map(|s| line_at(s.span())).unwrap_or_default();
                return Err(err(format!(
                    "{at}skip_checks: unknown check ID {id:?} (see `hipaa-iam checks`)"
                )));
            }
        }
        let skipped = known_checks.iter().filter(|k| cfg.is_skipped(k)).count();
        if !known_checks.is_empty() && skipped == known_checks.len() {
            let at = text
                .lines()
                .position(|l| l.trim_start().starts_with("skip_checks"))
                .map(|i| format!("line {}: ", i + 1))
                .unwrap_or_default();
            return Err(err(format!(
                "{at}skip_checks lists every check ({skipped} of {skipped}): the audit would check nothing and \
                 pass; remove the checks that should run from skip_checks"
            )));
        }
        for (i, ex) in cfg.exceptions.iter().enumerate() {
            let sp = spans.exception.get(i);
            if !known(&ex.check) {
                let at = sp.map(|s| line_at(s.check.span())).unwrap_or_default();
                return Err(err(format!(
                    "{at}exception: unknown check ID {:?} (see `hipaa-iam checks`)",
                    ex.check
                )));
            }
            for (field, value) in [
                ("resource", &ex.resource),
                ("reason", &ex.reason),
                ("approved_by", &ex.approved_by),
            ] {
                if value.trim().is_empty() {
                    let at = sp.map(|s| line_at(s.check.span())).unwrap_or_default();
                    return Err(err(format!(
                        "{at}exception for {}: {field} must not be empty",
                        ex.check
                    )));
                }
            }
        }
        for region in &cfg.regions {
            if let Err(e) = crate::aws::check_region(region) {
                let at = text
                    .lines()
                    .position(|l| l.trim_start().starts_with("regions"))
                    .map(|i| format!("line {}: ", i + 1))
                    .unwrap_or_default();
                return Err(err(format!("{at}regions: {e}")));
            }
        }
        for (i, id) in cfg.trusted_accounts.iter().enumerate() {
            if !crate::account::is_account_id(id) {
                let at = spans
                    .trusted_accounts
                    .get(i)
                    .map(|s| line_at(s.span()))
                    .unwrap_or_default();
                return Err(err(format!(
                    "{at}trusted_accounts: {id:?} is not a 12-digit AWS account ID"
                )));
            }
        }
        for (i, r) in cfg.phi_resources.iter().enumerate() {
            let at = spans.phi_resource.get(i).map(|s| line_at(s.span())).unwrap_or_default();
            if r.label.trim().is_empty() {
                return Err(err(format!("{at}phi_resource: label must not be empty")));
            }
            if r.arn.is_empty() {
                return Err(err(format!(
                    "{at}phi_resource {:?}: arn must name at least one ARN",
                    r.label
                )));
            }
            for arn in &r.arn {
                let fields: Vec<&str> = arn.splitn(6, ':').collect();
                if fields.len() < 6 || fields[0] != "arn" || fields[2].is_empty() {
                    return Err(err(format!(
                        "{at}phi_resource {:?}: arn {arn:?} is not an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE)",
                        r.label
                    )));
                }
            }
        }
        for (i, a) in cfg.attestations.iter().enumerate() {
            let at = spans.attestation.get(i).map(|s| line_at(s.span())).unwrap_or_default();
            for (field, value) in [
                ("control", &a.control),
                ("statement", &a.statement),
                ("evidence", &a.evidence),
                ("attested_by", &a.attested_by),
            ] {
                if value.trim().is_empty() {
                    return Err(err(format!(
                        "{at}attestation {:?}: {field} must not be empty",
                        a.control
                    )));
                }
            }
            if a.expires < a.date {
                return Err(err(format!(
                    "{at}attestation {:?}: expires ({}) is before date ({})",
                    a.control, a.expires, a.date
                )));
            }
            if cfg.attestations[..i]
                .iter()
                .any(|b| b.control.eq_ignore_ascii_case(&a.control))
            {
                return Err(err(format!(
                    "{at}attestation {:?}: another attestation has the same control; give each its own",
                    a.control
                )));
            }
        }
        let p = &cfg.password_policy;
        for (name, v, min, max) in [
            ("access_key_max_age_days", cfg.access_key_max_age_days, 1, 36_500),
            ("unused_credentials_days", cfg.unused_credentials_days, 1, 36_500),
            ("root_recent_use_days", cfg.root_recent_use_days, 0, 36_500),
            ("max_session_hours", cfg.max_session_hours, 1, 12),
            ("exception_max_resources", cfg.exception_max_resources, 1, 1_000_000),
            // The ranges AWS accepts for the account password policy.
            ("password_policy.minimum_length", p.minimum_length, 6, 128),
            ("password_policy.max_age_days", p.max_age_days, 1, 1095),
            ("password_policy.reuse_prevention", p.reuse_prevention, 0, 24),
        ] {
            if v < min || v > max {
                let key = name.rsplit('.').next().unwrap_or(name);
                let at = text
                    .lines()
                    .position(|l| l.trim_start().starts_with(key))
                    .map(|i| format!("line {}: ", i + 1))
                    .unwrap_or_default();
                return Err(err(format!("{at}{name} is {v}; it must be between {min} and {max}")));
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
                let bytes = crate::input::read_file(&p, 16 * 1024 * 1024)?;
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ids() -> Vec<&'static str> {
        crate::checks::ids()
    }

    fn parse(text: &str) -> Result<Config> {
        Config::parse(Path::new("hipaa-iam.toml"), text, &ids())
    }

    fn message(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn attestations_are_read_and_validated_naming_the_line() {
        let ok = "[[attestation]]\ncontrol = \"Identity Center MFA\"\nstatement = \"MFA at every sign-in\"\n\
                  evidence = \"SEC-412\"\nattested_by = \"Dana\"\ndate = 2026-11-02\nexpires = \"2027-05-02\"\n";
        let cfg = parse(ok).unwrap();
        assert_eq!(cfg.attestations.len(), 1);
        let a = &cfg.attestations[0];
        assert_eq!(a.control, "Identity Center MFA");
        assert_eq!(a.expires.to_string(), "2027-05-02");
        assert!(a.hipaa.is_empty());
        let m = message(&ok.replace("evidence = \"SEC-412\"", "evidence = \" \""));
        assert!(
            m.contains("line 1: attestation \"Identity Center MFA\": evidence must not be empty"),
            "{m}"
        );
        let m = message(&ok.replace("2027-05-02", "2026-01-01"));
        assert!(m.contains("expires (2026-01-01) is before date (2026-11-02)"), "{m}");
        let m = message(&format!(
            "{ok}\n{}",
            ok.replace("Identity Center MFA", "identity center mfa")
        ));
        assert!(m.contains("line 9: ") && m.contains("same control"), "{m}");
        let m = message(&ok.replace("date = 2026-11-02", "date = \"yesterday\""));
        assert!(m.contains("expected a date YYYY-MM-DD"), "{m}");
        let m = message(&format!("{ok}signed = true\n"));
        assert!(m.contains("unknown field `signed`"), "{m}");
    }

    #[test]
    fn max_session_hours_is_between_1_and_12() {
        assert_eq!(parse("").unwrap().max_session_hours, 4);
        assert_eq!(parse("max_session_hours = 12").unwrap().max_session_hours, 12);
        let m = message("\nmax_session_hours = 13");
        assert!(
            m.contains("line 2: max_session_hours is 13; it must be between 1 and 12"),
            "{m}"
        );
    }

    #[test]
    fn empty_file_is_the_defaults() {
        assert_eq!(parse("").unwrap(), Config::default());
    }

    #[test]
    fn the_example_file_documents_every_key_with_its_default() {
        let text = include_str!("../../hipaa-iam.example.toml");
        assert_eq!(parse(text).unwrap(), Config::default());
        // Every key of the configuration (and of each table) appears in the example.
        let value = toml::Value::try_from(Config::default()).unwrap();
        let mut keys = Vec::new();
        for (k, v) in value.as_table().unwrap() {
            keys.push(k.clone());
            if let Some(t) = v.as_table() {
                keys.extend(t.keys().cloned());
            }
        }
        keys.extend(["check", "resource", "reason", "approved_by", "expires"].map(String::from));
        for k in keys {
            assert!(
                text.contains(&format!("{k} ="))
                    || text.contains(&format!("[[{k}]]"))
                    || text.contains(&format!("[{k}]")),
                "{k} is not documented"
            );
        }
        // The commented exception is valid once uncommented.
        let uncommented: String = text
            .lines()
            .map(|l| {
                l.strip_prefix("# ")
                    .filter(|r| r.contains(" = ") || r.starts_with("[["))
                    .unwrap_or(l)
            })
            .collect::<Vec<_>>()
            .join("\n");
        let cfg = parse(&uncommented).unwrap();
        assert_eq!(cfg.exceptions.len(), 1);
        assert_eq!(cfg.exceptions[0].expires, NaiveDate::from_ymd_opt(2027, 6, 30).unwrap());
    }

    #[test]
    fn every_threshold_is_read() {
        let cfg = parse(
            r#"
human_users_group = "clinicians"
mfa_policy_name = "mfa-or-nothing"
boundary_policy_name = "pb"
access_key_max_age_days = 45
unused_credentials_days = 60
root_recent_use_days = 7
regions = ["us-east-1", "eu-west-1"]
skip_checks = ["iam-016"]
[password_policy]
minimum_length = 16
require_symbols = false
require_numbers = false
require_uppercase = false
require_lowercase = false
max_age_days = 60
reuse_prevention = 12
allow_users_to_change = false
"#,
        )
        .unwrap();
        assert_eq!(cfg.human_users_group, "clinicians");
        assert_eq!(cfg.mfa_policy_name, "mfa-or-nothing");
        assert_eq!(cfg.boundary_policy_name, "pb");
        assert_eq!(
            (
                cfg.access_key_max_age_days,
                cfg.unused_credentials_days,
                cfg.root_recent_use_days
            ),
            (45, 60, 7)
        );
        assert_eq!(cfg.regions, ["us-east-1", "eu-west-1"]);
        assert!(cfg.is_skipped("IAM-016"));
        let p = &cfg.password_policy;
        assert_eq!((p.minimum_length, p.max_age_days, p.reuse_prevention), (16, 60, 12));
        assert!(
            !(p.require_symbols
                || p.require_numbers
                || p.require_uppercase
                || p.require_lowercase
                || p.allow_users_to_change)
        );
    }

    #[test]
    fn unknown_keys_name_the_line() {
        let m = message("human_users_group = \"x\"\nhuman_user_group = \"y\"\n");
        assert!(m.contains("line 2") && m.contains("human_user_group"), "{m}");
        let m = message("[password_policy]\nminimum_length = 14\nminimum_lenght = 20\n");
        assert!(m.contains("line 3") && m.contains("minimum_lenght"), "{m}");
        let m = message("[[exception]]\ncheck = \"IAM-002\"\nresource = \"a\"\nreason = \"r\"\napproved_by = \"b\"\nexpires = 2030-01-01\nexpiry = 1\n");
        assert!(m.contains("line 7") && m.contains("expiry"), "{m}");
    }

    #[test]
    fn bad_dates_name_the_line() {
        for bad in ["\"2026-13-01\"", "\"next year\"", "2026-12-31T10:00:00Z", "20261231"] {
            let text = format!("[[exception]]\ncheck = \"IAM-002\"\nresource = \"a\"\nreason = \"r\"\napproved_by = \"b\"\nexpires = {bad}\n");
            let m = message(&text);
            assert!(m.contains("line 6") && m.contains("YYYY-MM-DD"), "{bad}: {m}");
        }
        let ok = "[[exception]]\ncheck = \"IAM-002\"\nresource = \"a\"\nreason = \"r\"\napproved_by = \"b\"\nexpires = \"2026-12-31\"\n";
        assert_eq!(
            parse(ok).unwrap().exceptions[0].expires,
            NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()
        );
    }

    #[test]
    fn unknown_check_ids_name_the_line() {
        let m = message("# IAM-999 is mentioned in a comment\nskip_checks = [\n  \"IAM-001\",\n  \"IAM-999\",\n]\n");
        assert!(m.contains("line 4") && m.contains("IAM-999"), "{m}");
        let m = message("[[exception]]\ncheck = \"IAM-002\"\nresource = \"a\"\nreason = \"r\"\napproved_by = \"b\"\nexpires = 2030-01-01\n\n[[exception]]\ncheck = \"IAM-099\"\nresource = \"a\"\nreason = \"r\"\napproved_by = \"b\"\nexpires = 2030-01-01\n");
        assert!(m.contains("line 9") && m.contains("IAM-099"), "{m}");
        let m = message("[[exception]]\ncheck = \"IAM-002\"\nresource = \"a\"\nreason = \" \"\napproved_by = \"b\"\nexpires = 2030-01-01\n");
        assert!(m.contains("line 2") && m.contains("reason"), "{m}");
    }

    #[test]
    fn out_of_range_thresholds_name_the_line() {
        let m = message("regions = []\naccess_key_max_age_days = -5\n");
        assert!(m.contains("line 2") && m.contains("access_key_max_age_days"), "{m}");
        let m = message("[password_policy]\nreuse_prevention = 30\n");
        assert!(m.contains("line 2") && m.contains("between 0 and 24"), "{m}");
        let m = message("access_key_max_age_days = \"ninety\"\n");
        assert!(m.contains("line 1"), "{m}");
    }

    #[test]
    fn skipping_every_check_is_an_error_naming_the_key() {
        let all: Vec<String> = ids().iter().map(|id| format!("\"{}\"", id.to_lowercase())).collect();
        let m = message(&format!("regions = []\nskip_checks = [\n  {}\n]\n", all.join(",\n  ")));
        assert!(
            m.contains("line 2") && m.contains("skip_checks") && m.contains("every check"),
            "{m}"
        );
        // All but one is allowed.
        let some = &all[1..];
        assert!(parse(&format!("skip_checks = [{}]\n", some.join(", "))).is_ok());
    }

    #[test]
    fn phi_resources_are_read_with_one_arn_or_many_and_bad_ones_name_the_line() {
        assert!(Config::default().phi_resources.is_empty());
        let cfg = parse(
            "[[phi_resource]]\nlabel = \"EHR records\"\narn = [\"arn:aws:s3:::ehr\", \"arn:aws:s3:::ehr/*\"]\n\n\
             [[phi_resource]]\nlabel = \"EHR key\"\narn = \"arn:aws:kms:us-east-1:123456789012:key/k\"\n",
        )
        .unwrap();
        assert_eq!(cfg.phi_resources.len(), 2);
        assert_eq!(cfg.phi_resources[0].arn, ["arn:aws:s3:::ehr", "arn:aws:s3:::ehr/*"]);
        assert_eq!(cfg.phi_resources[1].arn, ["arn:aws:kms:us-east-1:123456789012:key/k"]);
        let m = message("\n[[phi_resource]]\nlabel = \"x\"\narn = \"s3://ehr\"\n");
        assert!(m.contains("line 2") && m.contains("\"s3://ehr\" is not an ARN"), "{m}");
        let m = message("[[phi_resource]]\nlabel = \" \"\narn = \"arn:aws:s3:::ehr\"\n");
        assert!(m.contains("label must not be empty"), "{m}");
        let m = message("[[phi_resource]]\nlabel = \"x\"\narn = []\n");
        assert!(m.contains("at least one ARN"), "{m}");
        let m = message("[[phi_resource]]\nlabel = \"x\"\narns = \"arn:aws:s3:::ehr\"\n");
        assert!(m.contains("arns"), "{m}");
    }

    #[test]
    fn trusted_accounts_are_read_and_each_must_be_an_account_id() {
        assert!(Config::default().trusted_accounts.is_empty());
        let cfg = parse("trusted_accounts = [\"210987654321\", \"111122223333\"]\n").unwrap();
        assert_eq!(cfg.trusted_accounts, ["210987654321", "111122223333"]);
        for (bad, line) in [
            ("\"2109876543\"", 2),
            ("\"arn:aws:iam::210987654321:root\"", 2),
            ("\" 210987654321\"", 2),
        ] {
            let m = message(&format!("regions = []\ntrusted_accounts = [{bad}]\n"));
            assert!(
                m.contains(&format!("line {line}"))
                    && m.contains("trusted_accounts")
                    && m.contains(bad)
                    && m.contains("12-digit"),
                "{bad}: {m}"
            );
        }
        // The bad value is named on its own line in a list written one per line.
        let m = message("trusted_accounts = [\n  \"210987654321\",\n  \"21098765432x\",\n]\n");
        assert!(m.contains("line 3") && m.contains("21098765432x"), "{m}");
    }

    #[test]
    fn exception_max_resources_is_read_and_bounded() {
        assert_eq!(Config::default().exception_max_resources, 25);
        assert_eq!(
            parse("exception_max_resources = 3\n").unwrap().exception_max_resources,
            3
        );
        let m = message("exception_max_resources = 0\n");
        assert!(m.contains("line 1") && m.contains("exception_max_resources"), "{m}");
    }

    #[test]
    fn load_reads_the_explicit_file_and_hashes_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "root_recent_use_days = 3\n").unwrap();
        let loaded = Config::load(Some(&path), &ids()).unwrap();
        assert_eq!(loaded.config.root_recent_use_days, 3);
        assert_eq!(
            loaded.sha256,
            crate::manifest::sha256_hex(b"root_recent_use_days = 3\n")
        );
        let missing = Config::load(Some(&dir.path().join("nope.toml")), &ids())
            .unwrap_err()
            .to_string();
        assert!(missing.contains("nope.toml"), "{missing}");
    }

    #[test]
    fn exceptions_cover_by_name_or_arn_and_expire_after_their_day() {
        let ex = Exception {
            check: "IAM-002".into(),
            resource: "arn:aws:iam::*:user/svc-*".into(),
            reason: "r".into(),
            approved_by: "a".into(),
            expires: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
        };
        assert!(ex.covers("iam-002", "arn:aws:iam::123456789012:user/svc-batch", "svc-batch"));
        assert!(!ex.covers("IAM-003", "arn:aws:iam::123456789012:user/svc-batch", "svc-batch"));
        assert!(!ex.covers("IAM-002", "arn:aws:iam::123456789012:user/alice", "alice"));
        assert!(ex.is_valid_on(NaiveDate::from_ymd_opt(2026, 6, 30).unwrap()));
        assert!(!ex.is_valid_on(NaiveDate::from_ymd_opt(2026, 7, 1).unwrap()));
    }

    /// A plainly recursive glob matcher: the reference.
    fn reference(p: &[char], t: &[char]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some(('*', rest)) => (0..=t.len()).any(|i| reference(rest, &t[i..])),
            Some(('?', rest)) => !t.is_empty() && reference(rest, &t[1..]),
            Some((c, rest)) => t.first() == Some(c) && reference(rest, &t[1..]),
        }
    }

    proptest::proptest! {
        #[test]
        fn glob_match_agrees_with_the_reference(pattern in "[ab*?/:]{0,8}", text in "[ab/:é]{0,10}") {
            let p: Vec<char> = pattern.chars().collect();
            let t: Vec<char> = text.chars().collect();
            proptest::prop_assert_eq!(glob_match(&pattern, &text), reference(&p, &t));
        }

        #[test]
        fn a_pattern_built_from_the_text_matches_it(text in "[a-z:/-]{0,12}", cut in 0usize..12) {
            let cut = cut.min(text.len());
            let pattern = format!("{}*", &text[..cut]);
            proptest::prop_assert!(glob_match(&pattern, &text));
        }
    }
}
