//! The typed account model, parsed from the AWS CLI's JSON shapes.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

use super::credential_report::CredentialReport;
use super::exports::{file, ExportSet};
use crate::input::parse_json;
use crate::policy::Document;
use crate::{Error, Result};

/// Whether a piece of optional account data is available.
#[derive(Debug, Clone, PartialEq)]
pub enum Collected<T> {
    /// The data was collected.
    Yes(T),
    /// The file is absent: the data was not collected.
    No,
    /// The collector tried and the call failed (`call` is the file / API, `reason` the
    /// AWS error code and message recorded in the manifest).
    Failed {
        /// What could not be collected.
        call: String,
        /// Why.
        reason: String,
    },
}

impl<T> Collected<T> {
    /// The data, if collected.
    pub fn get(&self) -> Option<&T> {
        match self {
            Collected::Yes(t) => Some(t),
            _ => None,
        }
    }
}

/// A policy document as it appears in account data: the parsed, compiled [`Document`]
/// and the JSON it came from (URL-decoded).
#[derive(Debug, Clone)]
pub struct PolicyDoc {
    /// The compiled document, ready for evaluation.
    pub document: Document,
    /// The document as JSON.
    pub json: PolicyJson,
}

/// A policy document's JSON, held as compact text and parsed into a [`serde_json::Value`]
/// the first time it is looked at (it dereferences to that value). The checks evaluate the
/// compiled [`Document`] and look at the JSON of only a few documents, and a parsed tree
/// takes several times the memory of its text: in a large account, most of the memory.
#[derive(Clone)]
pub struct PolicyJson {
    text: Box<str>,
    value: OnceLock<serde_json::Value>,
}

impl PolicyJson {
    fn new(value: &serde_json::Value) -> Self {
        PolicyJson {
            // Serialising a `Value` cannot fail: its map keys are strings.
            text: serde_json::to_string(value).unwrap_or_default().into_boxed_str(),
            value: OnceLock::new(),
        }
    }

    /// The document as compact JSON text.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl std::ops::Deref for PolicyJson {
    type Target = serde_json::Value;

    fn deref(&self) -> &serde_json::Value {
        // The text was written by serde_json from a value, so it always parses.
        self.value
            .get_or_init(|| serde_json::from_str(&self.text).unwrap_or(serde_json::Value::Null))
    }
}

impl PartialEq<serde_json::Value> for PolicyJson {
    fn eq(&self, other: &serde_json::Value) -> bool {
        **self == *other
    }
}

impl std::fmt::Debug for PolicyJson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for PolicyDoc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        let json = crate::policy::decode_document(&value).map_err(serde::de::Error::custom)?;
        let document = Document::from_json(&json).map_err(serde::de::Error::custom)?;
        Ok(PolicyDoc {
            document,
            json: PolicyJson::new(&json),
        })
    }
}

impl Serialize for PolicyDoc {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        (*self.json).serialize(s)
    }
}

/// An inline policy (user, group or role).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct InlinePolicy {
    /// Its name.
    pub policy_name: String,
    /// Its document.
    pub policy_document: PolicyDoc,
}

/// A managed policy attached to a user, group or role.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct AttachedPolicy {
    /// Its name.
    pub policy_name: String,
    /// Its ARN.
    pub policy_arn: String,
}

/// A permissions boundary.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct Boundary {
    /// `Policy`.
    #[serde(default)]
    pub permissions_boundary_type: Option<String>,
    /// The boundary policy's ARN.
    pub permissions_boundary_arn: String,
}

/// A tag of a user or role (`Tags` entry): the principal's `aws:PrincipalTag/KEY`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    /// The tag's key.
    pub key: String,
    /// Its value.
    #[serde(default)]
    pub value: String,
}

/// An IAM user (`UserDetailList` entry).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct User {
    /// Path.
    #[serde(default)]
    pub path: Option<String>,
    /// User name.
    pub user_name: String,
    /// User ID.
    #[serde(default)]
    pub user_id: Option<String>,
    /// ARN.
    pub arn: String,
    /// Creation time.
    #[serde(default)]
    pub create_date: Option<DateTime<Utc>>,
    /// Inline policies.
    #[serde(default)]
    pub user_policy_list: Vec<InlinePolicy>,
    /// Names of the groups the user is in.
    #[serde(default)]
    pub group_list: Vec<String>,
    /// Managed policies attached to the user.
    #[serde(default)]
    pub attached_managed_policies: Vec<AttachedPolicy>,
    /// The permissions boundary, if any.
    #[serde(default)]
    pub permissions_boundary: Option<Boundary>,
    /// Its tags (`aws:PrincipalTag/KEY` in its requests).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

/// An IAM group (`GroupDetailList` entry).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Group {
    /// Path.
    #[serde(default)]
    pub path: Option<String>,
    /// Group name.
    pub group_name: String,
    /// Group ID.
    #[serde(default)]
    pub group_id: Option<String>,
    /// ARN.
    pub arn: String,
    /// Creation time.
    #[serde(default)]
    pub create_date: Option<DateTime<Utc>>,
    /// Inline policies.
    #[serde(default)]
    pub group_policy_list: Vec<InlinePolicy>,
    /// Attached managed policies.
    #[serde(default)]
    pub attached_managed_policies: Vec<AttachedPolicy>,
}

/// An IAM role (`RoleDetailList` entry).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Role {
    /// Path (`/aws-service-role/` for service-linked roles).
    #[serde(default)]
    pub path: Option<String>,
    /// Role name.
    pub role_name: String,
    /// Role ID.
    #[serde(default)]
    pub role_id: Option<String>,
    /// ARN.
    pub arn: String,
    /// Creation time.
    #[serde(default)]
    pub create_date: Option<DateTime<Utc>>,
    /// Trust policy.
    #[serde(default)]
    pub assume_role_policy_document: Option<PolicyDoc>,
    /// Inline policies.
    #[serde(default)]
    pub role_policy_list: Vec<InlinePolicy>,
    /// Attached managed policies.
    #[serde(default)]
    pub attached_managed_policies: Vec<AttachedPolicy>,
    /// The permissions boundary, if any.
    #[serde(default)]
    pub permissions_boundary: Option<Boundary>,
    /// Its tags (`aws:PrincipalTag/KEY` in its requests).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

impl Role {
    /// Whether this is a service-linked role (path `/aws-service-role/`).
    pub fn is_service_linked(&self) -> bool {
        self.path
            .as_deref()
            .is_some_and(|p| p.starts_with("/aws-service-role/"))
    }
}

/// One version of a managed policy.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyVersion {
    /// The document.
    pub document: PolicyDoc,
    /// `v1`, `v2`, ...
    pub version_id: String,
    /// Whether this is the default (effective) version.
    #[serde(default)]
    pub is_default_version: bool,
    /// Creation time.
    #[serde(default)]
    pub create_date: Option<DateTime<Utc>>,
}

/// A managed policy (`Policies` entry), AWS-managed or customer-managed.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ManagedPolicy {
    /// Name. Some producers (moto) leave it out; it is then the last segment of the ARN.
    #[serde(default)]
    pub policy_name: String,
    /// ID.
    #[serde(default)]
    pub policy_id: Option<String>,
    /// ARN.
    pub arn: String,
    /// Path.
    #[serde(default)]
    pub path: Option<String>,
    /// The default version's ID.
    #[serde(default)]
    pub default_version_id: Option<String>,
    /// How many identities it is attached to.
    #[serde(default)]
    pub attachment_count: Option<i64>,
    /// The versions (the CLI returns at least the default one).
    #[serde(default)]
    pub policy_version_list: Vec<PolicyVersion>,
}

impl ManagedPolicy {
    /// Whether AWS manages this policy (`arn:aws:iam::aws:policy/...`).
    pub fn is_aws_managed(&self) -> bool {
        self.arn.split(':').nth(4) == Some("aws")
    }

    /// The default (effective) version's document.
    pub fn default_document(&self) -> Option<&PolicyDoc> {
        self.policy_version_list
            .iter()
            .find(|v| v.is_default_version || self.default_version_id.as_deref() == Some(v.version_id.as_str()))
            .map(|v| &v.document)
    }
}

/// `authorization-details.json`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuthorizationDetails {
    /// Users.
    #[serde(default)]
    pub user_detail_list: Vec<User>,
    /// Groups.
    #[serde(default)]
    pub group_detail_list: Vec<Group>,
    /// Roles.
    #[serde(default)]
    pub role_detail_list: Vec<Role>,
    /// Managed policies (local and, when attached, AWS-managed).
    #[serde(default)]
    pub policies: Vec<ManagedPolicy>,
}

impl AuthorizationDetails {
    /// Refuses data that lists a user, group, role or managed policy twice (by name or ARN),
    /// or gives a managed policy two versions with one ID or two default versions: which
    /// entry is true is unknown, and reading either could hide a finding. The AWS CLI
    /// merges its pages into one document without repeats, as the collector does.
    fn refuse_duplicates(&self, path: &Path) -> Result<()> {
        let users = self
            .user_detail_list
            .iter()
            .map(|u| [Some(&*u.user_name), Some(&*u.arn)]);
        unique(path, "UserDetailList", "user", users)?;
        let groups = self
            .group_detail_list
            .iter()
            .map(|g| [Some(&*g.group_name), Some(&*g.arn)]);
        unique(path, "GroupDetailList", "group", groups)?;
        let roles = self
            .role_detail_list
            .iter()
            .map(|r| [Some(&*r.role_name), Some(&*r.arn)]);
        unique(path, "RoleDetailList", "role", roles)?;
        // A customer managed policy's name is unique in its account; an AWS managed policy
        // may share it.
        let policies = self
            .policies
            .iter()
            .map(|p| [Some(&*p.arn), (!p.is_aws_managed()).then_some(&*p.policy_name)]);
        unique(path, "Policies", "managed policy", policies)?;
        for (i, p) in self.policies.iter().enumerate() {
            let list = format!("Policies[{i}].PolicyVersionList");
            let ids = p.policy_version_list.iter().map(|v| [Some(&*v.version_id)]);
            unique(path, &list, &format!("policy {:?} version", p.arn), ids)?;
            let mut defaults = p
                .policy_version_list
                .iter()
                .enumerate()
                .filter(|(_, v)| v.is_default_version || p.default_version_id.as_deref() == Some(&*v.version_id));
            if let (Some((first, a)), Some((second, b))) = (defaults.next(), defaults.next()) {
                return Err(Error::input(
                    path,
                    format!("at {list}[{second}]"),
                    format!(
                        "policy {:?} has two default versions, {:?} here and {:?} at {list}[{first}] (by IsDefaultVersion or DefaultVersionId {:?})",
                        p.arn,
                        b.version_id,
                        a.version_id,
                        p.default_version_id.as_deref().unwrap_or_default()
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Refuses two entries of `list` that share a key: each item gives its keys (name, ARN,
/// ...), `None` for one that does not apply; keys are compared position by position.
fn unique<'a, const N: usize>(
    path: &Path,
    list: &str,
    what: &str,
    items: impl Iterator<Item = [Option<&'a str>; N]>,
) -> Result<()> {
    let mut seen: [HashMap<&'a str, usize>; N] = std::array::from_fn(|_| HashMap::new());
    for (i, keys) in items.enumerate() {
        for (seen, key) in seen.iter_mut().zip(keys) {
            let Some(key) = key else { continue };
            if let Some(first) = seen.insert(key, i) {
                return Err(Error::input(
                    path,
                    format!("at {list}[{i}]"),
                    format!("{what} {key:?} is listed twice: here and at {list}[{first}]"),
                ));
            }
        }
    }
    Ok(())
}

/// The account password policy (`password-policy.json`, key `PasswordPolicy`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct PasswordPolicy {
    /// Minimum length.
    #[serde(default)]
    pub minimum_password_length: Option<i64>,
    /// Symbols required.
    #[serde(default)]
    pub require_symbols: bool,
    /// Numbers required.
    #[serde(default)]
    pub require_numbers: bool,
    /// Upper-case letters required.
    #[serde(default)]
    pub require_uppercase_characters: bool,
    /// Lower-case letters required.
    #[serde(default)]
    pub require_lowercase_characters: bool,
    /// Users may change their own password.
    #[serde(default)]
    pub allow_users_to_change_password: bool,
    /// Passwords expire.
    #[serde(default)]
    pub expire_passwords: bool,
    /// Days after which passwords expire.
    #[serde(default)]
    pub max_password_age: Option<i64>,
    /// How many previous passwords cannot be reused.
    #[serde(default)]
    pub password_reuse_prevention: Option<i64>,
    /// Expired passwords need an administrator reset.
    #[serde(default)]
    pub hard_expiry: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PasswordPolicyFile {
    password_policy: PasswordPolicy,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AccountSummaryFile {
    summary_map: BTreeMap<String, i64>,
}

/// A virtual MFA device (`virtual-mfa-devices.json`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VirtualMfaDevice {
    /// The device's serial number (an ARN).
    pub serial_number: String,
    /// The user it is assigned to, if any.
    #[serde(default)]
    pub user: Option<MfaUser>,
    /// When it was enabled (absent = not assigned).
    #[serde(default)]
    pub enable_date: Option<DateTime<Utc>>,
}

/// The user a virtual MFA device belongs to.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MfaUser {
    /// The user's ARN (`arn:aws:iam::<id>:root` for the root user).
    pub arn: String,
    /// The user name, when present.
    #[serde(default)]
    pub user_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct VirtualMfaFile {
    #[serde(rename = "VirtualMFADevices")]
    virtual_mfa_devices: Vec<VirtualMfaDevice>,
}

/// An Access Analyzer analyzer (`access-analyzer/<region>/analyzers.json`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Analyzer {
    /// ARN.
    pub arn: String,
    /// Name.
    pub name: String,
    /// `ACCOUNT`, `ORGANIZATION`, `ACCOUNT_UNUSED_ACCESS`, ...
    #[serde(rename = "type")]
    pub analyzer_type: String,
    /// `ACTIVE`, `CREATING`, `DISABLED`, `FAILED`.
    pub status: String,
}

impl Analyzer {
    /// An ACTIVE analyzer of external access (account or organization zone of trust).
    pub fn is_active_external_access(&self) -> bool {
        self.status.eq_ignore_ascii_case("ACTIVE")
            && (self.analyzer_type.eq_ignore_ascii_case("ACCOUNT")
                || self.analyzer_type.eq_ignore_ascii_case("ORGANIZATION"))
    }
}

/// An Access Analyzer finding (`ListFindingsV2` summary).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalyzerFinding {
    /// Finding ID.
    pub id: String,
    /// The resource ARN.
    #[serde(default)]
    pub resource: Option<String>,
    /// `AWS::S3::Bucket`, `AWS::IAM::Role`, ...
    pub resource_type: String,
    /// The account that owns the resource.
    #[serde(default)]
    pub resource_owner_account: Option<String>,
    /// `ACTIVE`, `ARCHIVED`, `RESOLVED`.
    pub status: String,
    /// `ExternalAccess`, `UnusedIAMRole`, ...
    #[serde(default)]
    pub finding_type: Option<String>,
    /// An analysis error, if any.
    #[serde(default)]
    pub error: Option<String>,
}

#[derive(Deserialize)]
struct AnalyzersFile {
    analyzers: Vec<Analyzer>,
}

#[derive(Deserialize)]
struct FindingsFile {
    findings: Vec<AnalyzerFinding>,
}

/// Access Analyzer data of one region.
#[derive(Debug, Clone)]
pub struct RegionAnalyzers {
    /// The analyzers in the region.
    pub analyzers: Collected<Vec<Analyzer>>,
    /// The findings of the region's ACTIVE external-access analyzer.
    pub findings: Collected<Vec<AnalyzerFinding>>,
}

/// Everything the checks know about one AWS account.
#[derive(Debug, Clone)]
pub struct Account {
    /// The account ID, from the manifest or the ARNs in the data.
    pub account_id: Option<String>,
    /// The time the data describes: the credential report's generation time when
    /// known, else the manifest's time, else now. Ages (key rotation, last use) are
    /// measured to this instant, so a replayed audit judges as the original did.
    pub as_of: DateTime<Utc>,
    /// Users, sorted by name.
    pub users: Vec<User>,
    /// Groups, sorted by name.
    pub groups: Vec<Group>,
    /// Roles, sorted by name.
    pub roles: Vec<Role>,
    /// Managed policies, sorted by ARN.
    pub policies: Vec<ManagedPolicy>,
    /// The credential report.
    pub credential_report: Collected<CredentialReport>,
    /// The password policy: `Yes(None)` is an account without one.
    pub password_policy: Collected<Option<PasswordPolicy>>,
    /// `GetAccountSummary`'s map.
    pub account_summary: Collected<BTreeMap<String, i64>>,
    /// Virtual MFA devices.
    pub virtual_mfa_devices: Collected<Vec<VirtualMfaDevice>>,
    /// Access Analyzer data by region (the audited regions).
    pub access_analyzer: BTreeMap<String, RegionAnalyzers>,
    /// Which file each kind of data came from (for evidence locations).
    pub sources: BTreeMap<&'static str, std::sync::Arc<str>>,
    /// In organization runs, the IDs of the organization's accounts (empty otherwise): a role
    /// trusting one of them trusts no outside account (IAM-028).
    pub organization_accounts: Vec<String>,
    /// In organization runs, the account's place in the organization and the service and
    /// resource control policies that apply to it; outside them, not collected. Set before
    /// the access graph is first used.
    pub organization: super::OrgPolicies,
    /// IAM Identity Center, when the data has it (`identity-center/`): `No` when it was not
    /// collected, `Failed` when no region's instances could be listed.
    pub identity_center: Collected<std::sync::Arc<super::identity_center::IdentityCenter>>,
    /// In organization runs, the account the organization's Identity Center instance is
    /// audited with (IAM-029..IAM-032), when it is another: this account's data is the
    /// shared instance, for naming who signs in as its roles.
    pub identity_center_audited_in: Option<String>,
    user_index: HashMap<String, usize>,
    /// The access graph, built on first use ([`Account::access_graph`]).
    graph: std::sync::OnceLock<std::sync::Arc<super::graph::AccessGraph>>,
    group_index: HashMap<String, usize>,
    policy_index: HashMap<String, usize>,
}

impl Account {
    /// Reads an exports directory into an account.
    pub fn read_dir(dir: &Path) -> Result<Account> {
        Account::from_exports(&ExportSet::read_dir(dir)?)
    }

    /// Parses the account data files. `authorization-details.json` is required; every
    /// other file is optional, and its absence means that data was not collected (for
    /// `password-policy.json`: the account has no password policy, unless the manifest
    /// says the call failed).
    pub fn from_exports(set: &ExportSet) -> Result<Account> {
        let mut sources = BTreeMap::new();
        let collected = |name: &str| -> Option<(String, String)> {
            set.not_collected_reason(name)
                .map(|r| (name.to_string(), r.to_string()))
        };

        // The two large files (the authorization details and the credential report) parse
        // at the same time, each on its own thread; errors are reported in the same order
        // as when they were read one after the other.
        let report_file = set.get(file::CREDENTIAL_REPORT);
        let (auth_parsed, report_parsed) = std::thread::scope(|scope| {
            let report = scope
                .spawn(|| report_file.map(|b| CredentialReport::parse(&set.display_path(file::CREDENTIAL_REPORT), b)));
            let auth = set
                .get(file::AUTHORIZATION_DETAILS)
                .map(|b| parse_json::<AuthorizationDetails>(&set.display_path(file::AUTHORIZATION_DETAILS), b));
            (auth, report.join())
        });
        let report_parsed = report_parsed
            .map_err(|_| Error::input(set.display_path(file::CREDENTIAL_REPORT), "", "parsing it panicked"))?;
        let mut auth: AuthorizationDetails = match auth_parsed {
            Some(parsed) => parsed?,
            None => {
                let why = set
                    .not_collected_reason(file::AUTHORIZATION_DETAILS)
                    .map(|r| format!(" (the collector recorded: {r})"))
                    .unwrap_or_default();
                return Err(Error::input(
                    set.display_path(file::AUTHORIZATION_DETAILS),
                    "",
                    format!(
                        "missing: every audit needs it{why}; make it with `{}`",
                        file::how_to_make(file::AUTHORIZATION_DETAILS)
                    ),
                ));
            }
        };
        for p in auth.policies.iter_mut().filter(|p| p.policy_name.is_empty()) {
            p.policy_name = p.arn.rsplit('/').next().unwrap_or_default().to_string();
        }
        auth.refuse_duplicates(&set.display_path(file::AUTHORIZATION_DETAILS))?;
        sources.insert("authorization", file::AUTHORIZATION_DETAILS.into());

        let report_generated = set
            .manifest
            .as_ref()
            .and_then(|m| m.credential_report_generated_at.as_deref())
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc));
        let credential_report = match report_parsed {
            Some(parsed) => {
                sources.insert("credential_report", file::CREDENTIAL_REPORT.into());
                let mut report = parsed?;
                report.generated = report_generated;
                Collected::Yes(report)
            }
            None => failed_or_absent(collected(file::CREDENTIAL_REPORT)),
        };

        let password_policy = match set.get(file::PASSWORD_POLICY) {
            Some(b) => {
                sources.insert("password_policy", file::PASSWORD_POLICY.into());
                let f: PasswordPolicyFile = parse_json(&set.display_path(file::PASSWORD_POLICY), b)?;
                Collected::Yes(Some(f.password_policy))
            }
            None => match collected(file::PASSWORD_POLICY) {
                Some((call, reason)) => Collected::Failed { call, reason },
                None => Collected::Yes(None),
            },
        };

        let account_summary = match set.get(file::ACCOUNT_SUMMARY) {
            Some(b) => {
                sources.insert("account_summary", file::ACCOUNT_SUMMARY.into());
                let f: AccountSummaryFile = parse_json(&set.display_path(file::ACCOUNT_SUMMARY), b)?;
                Collected::Yes(f.summary_map)
            }
            None => failed_or_absent(collected(file::ACCOUNT_SUMMARY)),
        };

        let virtual_mfa_devices = match set.get(file::VIRTUAL_MFA_DEVICES) {
            Some(b) => {
                sources.insert("virtual_mfa_devices", file::VIRTUAL_MFA_DEVICES.into());
                let f: VirtualMfaFile = parse_json(&set.display_path(file::VIRTUAL_MFA_DEVICES), b)?;
                Collected::Yes(f.virtual_mfa_devices)
            }
            None => failed_or_absent(collected(file::VIRTUAL_MFA_DEVICES)),
        };

        let mut regions: Vec<String> = set.analyzer_regions();
        if let Some(m) = &set.manifest {
            regions.extend(m.regions.iter().cloned());
        }
        regions.sort();
        regions.dedup();
        let mut access_analyzer = BTreeMap::new();
        for region in regions {
            let an = file::analyzers(&region);
            let fi = file::analyzer_findings(&region);
            let analyzers = match set.get(&an) {
                Some(b) => Collected::Yes(parse_json::<AnalyzersFile>(&set.display_path(&an), b)?.analyzers),
                None => failed_or_absent(collected(&an)),
            };
            let findings = match set.get(&fi) {
                Some(b) => Collected::Yes(parse_json::<FindingsFile>(&set.display_path(&fi), b)?.findings),
                None => failed_or_absent(collected(&fi)),
            };
            access_analyzer.insert(region, RegionAnalyzers { analyzers, findings });
        }

        let identity_center = super::identity_center::collected(set)?;
        if matches!(identity_center, Collected::Yes(_)) {
            sources.insert("identity_center", super::identity_center::DIR.into());
        }

        let manifest_time = set
            .manifest
            .as_ref()
            .and_then(|m| DateTime::parse_from_rfc3339(&m.generated_at).ok())
            .map(|t| t.with_timezone(&Utc));
        let as_of = report_generated.or(manifest_time).unwrap_or_else(Utc::now);

        let mut users = auth.user_detail_list;
        users.sort_by(|a, b| a.user_name.cmp(&b.user_name));
        let mut groups = auth.group_detail_list;
        groups.sort_by(|a, b| a.group_name.cmp(&b.group_name));
        let mut roles = auth.role_detail_list;
        roles.sort_by(|a, b| a.role_name.cmp(&b.role_name));
        let mut policies = auth.policies;
        policies.sort_by(|a, b| a.arn.cmp(&b.arn));

        let account_id = set.manifest.as_ref().and_then(|m| m.account_id.clone()).or_else(|| {
            account_id_from_arns(
                users
                    .iter()
                    .map(|u| u.arn.as_str())
                    .chain(groups.iter().map(|g| g.arn.as_str())),
            )
        });

        let mut account = Account {
            account_id,
            as_of,
            users,
            groups,
            roles,
            policies,
            credential_report,
            password_policy,
            account_summary,
            virtual_mfa_devices,
            access_analyzer,
            sources,
            organization_accounts: Vec::new(),
            organization: super::OrgPolicies::NotCollected,
            identity_center,
            identity_center_audited_in: None,
            user_index: HashMap::new(),
            graph: std::sync::OnceLock::new(),
            group_index: HashMap::new(),
            policy_index: HashMap::new(),
        };
        account.reindex();
        Ok(account)
    }

    fn reindex(&mut self) {
        self.user_index = self
            .users
            .iter()
            .enumerate()
            .map(|(i, u)| (u.user_name.clone(), i))
            .collect();
        self.group_index = self
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| (g.group_name.clone(), i))
            .collect();
        self.policy_index = self
            .policies
            .iter()
            .enumerate()
            .map(|(i, p)| (p.arn.clone(), i))
            .collect();
    }

    /// The access graph of the account, built on first use and shared by the checks, the
    /// access queries and the reports. Built from the account as it is then: the account is
    /// not to change afterwards.
    pub fn access_graph(&self) -> &super::graph::AccessGraph {
        self.graph
            .get_or_init(|| std::sync::Arc::new(super::graph::AccessGraph::build(self)))
    }

    /// The organization policies over the account's users, groups and roles that are not
    /// service-linked (organization runs, member accounts): `None` when none is known to
    /// apply.
    pub fn ceiling(&self) -> Option<&crate::policy::Ceiling> {
        self.organization.ceiling()
    }

    /// The organization policies over role `r`: none for a service-linked role (AWS exempts
    /// them), else [`Account::ceiling`].
    pub fn ceiling_for_role(&self, r: &Role) -> Option<&crate::policy::Ceiling> {
        if r.is_service_linked() {
            None
        } else {
            self.ceiling()
        }
    }

    /// The user named `name`.
    pub fn user(&self, name: &str) -> Option<&User> {
        self.user_index.get(name).map(|&i| &self.users[i])
    }

    /// The group named `name`.
    pub fn group(&self, name: &str) -> Option<&Group> {
        self.group_index.get(name).map(|&i| &self.groups[i])
    }

    /// The position of the group named `name` in [`Account::groups`].
    pub fn group_position(&self, name: &str) -> Option<usize> {
        self.group_index.get(name).copied()
    }

    /// The managed policy with ARN `arn`.
    pub fn policy(&self, arn: &str) -> Option<&ManagedPolicy> {
        self.policy_index.get(arn).map(|&i| &self.policies[i])
    }

    /// Who signs in as `role` through IAM Identity Center, when the data has the instance and
    /// the role is one it provisioned for a permission set (empty otherwise).
    pub fn identity_center_sign_ins(&self, role: &Role) -> Vec<String> {
        let (Some(ic), Some(account)) = (self.identity_center.get(), self.account_id.as_deref()) else {
            return Vec::new();
        };
        ic.sign_ins(account, &role.role_name, role.path.as_deref().unwrap_or("/"))
    }

    /// The managed policy named `name` that this account owns (customer-managed).
    pub fn customer_policy_named(&self, name: &str) -> Option<&ManagedPolicy> {
        self.policies
            .iter()
            .find(|p| !p.is_aws_managed() && p.policy_name == name)
    }

    /// The groups `user` is a member of (those present in the data; [`Account::missing_groups_of`]
    /// names the others).
    pub fn groups_of<'a>(&'a self, user: &'a User) -> impl Iterator<Item = &'a Group> + 'a {
        user.group_list.iter().filter_map(move |g| self.group(g))
    }

    /// The groups in `user`'s `GroupList` that the data does not describe (no
    /// `GroupDetailList` entry: a file made with `--filter User`, or trimmed by hand). Their
    /// policies are unknown.
    pub fn missing_groups_of<'a>(&'a self, user: &'a User) -> impl Iterator<Item = &'a str> + 'a {
        user.group_list
            .iter()
            .filter(move |g| self.group(g).is_none())
            .map(String::as_str)
    }

    /// The members of the group named `group`.
    pub fn members_of<'a>(&'a self, group: &'a str) -> impl Iterator<Item = &'a User> + 'a {
        self.users
            .iter()
            .filter(move |u| u.group_list.iter().any(|g| g == group))
    }

    /// The documents of `attached` managed policies (default versions) plus `inline`.
    /// A managed policy missing from the data is reported in the second list by ARN.
    pub fn documents<'a>(
        &'a self,
        attached: &'a [AttachedPolicy],
        inline: &'a [InlinePolicy],
    ) -> (Vec<&'a PolicyDoc>, Vec<&'a str>) {
        let mut docs = Vec::new();
        let mut missing = Vec::new();
        for a in attached {
            match self.policy(&a.policy_arn).and_then(ManagedPolicy::default_document) {
                Some(d) => docs.push(d),
                None => missing.push(a.policy_arn.as_str()),
            }
        }
        docs.extend(inline.iter().map(|p| &p.policy_document));
        (docs, missing)
    }

    /// Every identity policy document that applies to `user`: user inline, user attached,
    /// and for each group in the data its inline and attached policies. Managed policies
    /// missing from the data are listed by ARN in the second value (groups missing from the
    /// data: [`Account::missing_groups_of`]).
    pub fn user_identity_documents<'a>(&'a self, user: &'a User) -> (Vec<&'a PolicyDoc>, Vec<&'a str>) {
        let (mut docs, mut missing) = self.documents(&user.attached_managed_policies, &user.user_policy_list);
        for g in self.groups_of(user) {
            let (d, m) = self.documents(&g.attached_managed_policies, &g.group_policy_list);
            docs.extend(d);
            missing.extend(m);
        }
        (docs, missing)
    }

    /// The boundary document of a user or role, when it has one and it is in the data.
    pub fn boundary_document(&self, boundary: Option<&Boundary>) -> Option<&PolicyDoc> {
        boundary
            .and_then(|b| self.policy(&b.permissions_boundary_arn))
            .and_then(ManagedPolicy::default_document)
    }

    /// The credential report row of `user`, if the report was collected and has one.
    pub fn credential_row(&self, user: &str) -> Option<&super::CredentialRow> {
        self.credential_report.get().and_then(|r| r.user(user))
    }
}

fn failed_or_absent<T>(reason: Option<(String, String)>) -> Collected<T> {
    match reason {
        Some((call, reason)) => Collected::Failed { call, reason },
        None => Collected::No,
    }
}

fn account_id_from_arns<'a>(mut arns: impl Iterator<Item = &'a str>) -> Option<String> {
    arns.find_map(|a| a.split(':').nth(4).filter(|id| !id.is_empty()).map(str::to_string))
}
