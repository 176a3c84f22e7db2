//! The findings model, below both the checks that produce it and the reports that render
//! it: a check's definition ([`Check`]), the remediation that fixes its failures
//! ([`Remediation`]), and what an audit yields ([`Finding`]s in an [`AuditReport`]).

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::account::Account;
use crate::config::Config;

/// A check's logic: a pure function of the account data and the configuration.
pub type CheckFn = fn(&Account, &Config) -> Vec<Finding>;

/// One check: its catalogue metadata (docs/checks.md) and its logic, defined together in its
/// family's file under `checks/`. IDs never change meaning and are never reused.
///
/// Serialised (the `checks --format json` catalogue, the C ABI's) without the function.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Check {
    /// Stable ID, `IAM-001` ...
    pub id: &'static str,
    /// Stable short name, `password-policy` ...
    pub slug: &'static str,
    /// One-line title.
    pub title: &'static str,
    /// Severity of a failure.
    pub severity: Severity,
    /// The kind of resource each finding judges.
    pub resource_type: ResourceType,
    /// HIPAA Security Rule citations.
    pub hipaa: &'static [&'static str],
    /// What the check decides, and when it fails.
    pub description: &'static str,
    /// How to fix a failure.
    pub remediation: &'static str,
    /// The remediation that fixes a failure, where one exists (each face renders it: the CLI
    /// as `hipaa-iam remediate NAME`, PowerShell as its cmdlet, the C ABI as the name).
    pub remediate: Option<Remediation>,
    /// The check itself.
    #[serde(skip)]
    pub run: CheckFn,
}

/// The remediations, by their command-line names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Remediation {
    /// Set the configured password policy without weakening a stronger setting.
    PasswordPolicy,
    /// The deny-without-MFA policy, the human-users group and the attachment.
    MfaEnforcement,
    /// Console users into the human-users group.
    GroupMembership,
    /// The boundary policy, and it as the boundary of the users that lack it.
    PermissionsBoundary,
    /// An ACCOUNT Access Analyzer in each audited region that has none.
    AccessAnalyzer,
    /// Provision a user the guide's way.
    CreateUser,
}

impl Remediation {
    /// Every remediation, in the order `hipaa-iam remediate --help` lists them.
    pub const ALL: [Remediation; 6] = [
        Remediation::PasswordPolicy,
        Remediation::MfaEnforcement,
        Remediation::GroupMembership,
        Remediation::PermissionsBoundary,
        Remediation::AccessAnalyzer,
        Remediation::CreateUser,
    ];

    /// What it does, in one line (`hipaa-iam remediate --help`).
    pub fn summary(self) -> &'static str {
        match self {
            Remediation::PasswordPolicy => "Set the configured password policy (never weakens a stronger setting)",
            Remediation::MfaEnforcement => {
                "Create the deny-without-MFA policy and the human-users group, and attach it"
            }
            Remediation::GroupMembership => "Add console users (or --users) to the human-users group",
            Remediation::PermissionsBoundary => {
                "Create the boundary policy and set it as the boundary of the users that lack it"
            }
            Remediation::AccessAnalyzer => "Create an ACCOUNT Access Analyzer in each audited region that has none",
            Remediation::CreateUser => "Provision a user: boundary, human-users group, optional console password",
        }
    }

    /// The command-line name, e.g. `password-policy`.
    pub fn as_str(self) -> &'static str {
        match self {
            Remediation::PasswordPolicy => "password-policy",
            Remediation::MfaEnforcement => "mfa-enforcement",
            Remediation::GroupMembership => "group-membership",
            Remediation::PermissionsBoundary => "permissions-boundary",
            Remediation::AccessAnalyzer => "access-analyzer",
            Remediation::CreateUser => "create-user",
        }
    }

    /// The command line that runs it: `hipaa-iam remediate password-policy`.
    pub fn command(self) -> String {
        format!("hipaa-iam remediate {}", self.as_str())
    }
}

impl std::fmt::Display for Remediation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How serious a failing finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// All severities, most serious first.
    pub const ALL_DESC: [Severity; 4] = [Severity::Critical, Severity::High, Severity::Medium, Severity::Low];

    /// `critical`, `high`, `medium`, `low`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Parses a severity name (case-insensitive).
    pub fn parse(s: &str) -> Option<Severity> {
        match s.to_ascii_lowercase().as_str() {
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A finding's status (docs/checks.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The resource fails the check.
    Fail,
    /// The resource passes.
    Pass,
    /// A valid exception covers a failure.
    Excepted,
    /// The data the check needs could not be read.
    Error,
    /// The data was not collected.
    NotEvaluated,
}

impl Status {
    /// `fail`, `pass`, `excepted`, `error`, `not-evaluated`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Fail => "fail",
            Status::Pass => "pass",
            Status::Excepted => "excepted",
            Status::Error => "error",
            Status::NotEvaluated => "not-evaluated",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of resource a finding judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ResourceType {
    /// The account (e.g. its password policy).
    Account,
    /// An IAM user.
    User,
    /// An IAM group.
    Group,
    /// An IAM role.
    Role,
    /// A managed or inline policy.
    Policy,
    /// The root user.
    Root,
    /// An AWS region.
    Region,
    /// An Access Analyzer finding.
    Finding,
    /// An IAM Identity Center user (of the identity store).
    #[serde(rename = "sso-user")]
    IdentityCenterUser,
    /// An IAM Identity Center account assignment.
    #[serde(rename = "assignment")]
    AccountAssignment,
    /// An IAM Identity Center permission set.
    #[serde(rename = "permission-set")]
    PermissionSet,
}

impl ResourceType {
    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceType::Account => "account",
            ResourceType::User => "user",
            ResourceType::Group => "group",
            ResourceType::Role => "role",
            ResourceType::Policy => "policy",
            ResourceType::Root => "root",
            ResourceType::Region => "region",
            ResourceType::Finding => "finding",
            ResourceType::IdentityCenterUser => "sso-user",
            ResourceType::AccountAssignment => "assignment",
            ResourceType::PermissionSet => "permission-set",
        }
    }
}

/// The exception that turned a finding into `excepted` (or that expired).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedException {
    /// Why the risk is accepted.
    pub reason: String,
    /// Who approved it.
    pub approved_by: String,
    /// Last valid day, `YYYY-MM-DD`.
    pub expires: String,
    /// Whether it had expired at the time of the audit (then the finding stays `fail`).
    pub expired: bool,
    /// Why the exception is too broad to be a reviewed acceptance, when it is: its resource
    /// pattern matches every resource of its check, or more than `exception_max_resources`
    /// of them (the audit warns about it too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub too_broad: Option<String>,
}

/// One judgement of one check on one resource: the findings model every face prints.
///
/// A finding points at its check's catalogue entry ([`Check`]: ID, title, severity, HIPAA
/// citations, remediation) instead of owning copies of it; only what is its own is stored
/// here. Serialised inside an [`AuditReport`] (the findings JSON, schema version
/// [`FINDINGS_SCHEMA_VERSION`]), which states each check's metadata once.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The check that judged the resource (its metadata: `check.id`, `check.severity`, ...).
    pub check: &'static Check,
    /// The outcome.
    pub status: Status,
    /// The resource's ARN (or a stable identifier for regions and the account).
    pub resource_arn: String,
    /// The resource's name.
    pub resource_name: String,
    /// Why it has this status, in one or two sentences.
    pub detail: String,
    /// The account data file the finding was decided from (evidence location); shared by
    /// every finding decided from that file.
    pub source_file: Option<Arc<str>>,
    /// The exception that covers it, if any.
    pub exception: Option<Box<AppliedException>>,
    /// When a failing finding was first seen open (`audit --previous DIR` carries it
    /// forward from the earlier evidence; RFC 3339 data time of the audit that first saw
    /// it). `None`: not tracked (the audit's own data time when the audit had no previous
    /// evidence). Serialised only when set (findings JSON schema 2, optional field).
    pub first_seen: Option<Arc<str>>,
}

impl PartialEq for Finding {
    fn eq(&self, other: &Self) -> bool {
        self.check.id == other.check.id
            && self.status == other.status
            && self.resource_arn == other.resource_arn
            && self.resource_name == other.resource_name
            && self.detail == other.detail
            && self.source_file == other.source_file
            && self.exception == other.exception
            && self.first_seen == other.first_seen
    }
}

impl Eq for Finding {}

impl Finding {
    /// How to fix a failure: the check's remediation, with the command that applies it
    /// where one exists.
    pub fn remediation(&self) -> std::borrow::Cow<'static, str> {
        self.check.remediation_text()
    }
}

impl Check {
    /// The remediation as a finding states it: the text, then `Run: hipaa-iam remediate
    /// NAME` when a remediation applies it.
    pub fn remediation_text(&self) -> std::borrow::Cow<'static, str> {
        match self.remediate {
            Some(r) => std::borrow::Cow::Owned(format!("{} Run: {}", self.remediation, r.command())),
            None => std::borrow::Cow::Borrowed(self.remediation),
        }
    }
}

/// The version of the findings JSON ([`AuditReport`] serialised): `schema_version` in the
/// document. Version 2 states each check's metadata once (`checks`) and each finding's own
/// fields (`findings`); docs/findings-schema.json describes it.
pub const FINDINGS_SCHEMA_VERSION: u32 = 2;

/// The result of one audit: what every face (CLI, C ABI, PowerShell, the Action) prints
/// or writes. Serialised as the findings JSON (schema version [`FINDINGS_SCHEMA_VERSION`],
/// [`crate::report::findings_json`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditReport {
    /// The tool's version.
    pub tool_version: String,
    /// The audited account's ID, when known.
    pub account_id: Option<String>,
    /// The instant the account data describes (RFC 3339).
    pub as_of: String,
    /// `live`, or the exports directory.
    pub source: String,
    /// The Access Analyzer regions audited.
    pub regions: Vec<String>,
    /// Every finding, in catalogue order, then by resource.
    pub findings: Vec<Finding>,
    /// Things the auditor should know that are not findings (an expired exception, a
    /// managed policy missing from the data, ...).
    pub warnings: Vec<String>,
    /// Organization runs: the account's place in the organization and the organization
    /// policies attached at each level (absent outside organization runs).
    pub organization: Option<OrgGuardrails>,
    /// The configured attestations (`[[attestation]]`), judged against the data's date.
    pub attestations: Vec<AttestationRecord>,
}

/// How the organization's policies stand for one kind (SCPs or RCPs) in an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GuardrailState {
    /// They apply: the levels list them.
    Apply,
    /// The policy type is not enabled in the organization.
    NotEnabled,
    /// They could not be read.
    Unknown,
    /// The management account: they never apply (the levels still list what is attached).
    ManagementAccount,
}

/// One organization policy attached at a level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachedOrgPolicy {
    /// `p-abcd1234`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Whether it is AWS's default that lets everything through (`FullAWSAccess`,
    /// `RCPFullAWSAccess`).
    pub full_access: bool,
}

/// One level of an account's chain and what is attached there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuardrailLevel {
    /// The root, an organizational unit, or the account.
    pub node: crate::account::OrgNode,
    /// The service control policies attached.
    #[serde(default)]
    pub scps: Vec<AttachedOrgPolicy>,
    /// The resource control policies attached.
    #[serde(default)]
    pub rcps: Vec<AttachedOrgPolicy>,
}

/// The organization policies of an audited account (organization runs), for the
/// organization summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgGuardrails {
    /// The organization's ID, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// The service control policies.
    pub scp: GuardrailState,
    /// Why they are unknown or not enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scp_reason: Option<String>,
    /// The resource control policies.
    pub rcp: GuardrailState,
    /// Why they are unknown or not enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rcp_reason: Option<String>,
    /// Root, organizational units, account, each with what is attached (empty when unknown).
    #[serde(default)]
    pub levels: Vec<GuardrailLevel>,
    /// Whether a service control policy that applies restricts something (IAM-033 passes).
    pub scp_restricts: bool,
}

/// A control attested by a person ([`crate::config::Attestation`]) as an audit records it:
/// Expired when the data's date is after its last valid day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttestationRecord {
    /// The control (its risk register ID).
    pub control: String,
    /// What is attested.
    pub statement: String,
    /// Where the evidence is.
    pub evidence: String,
    /// Who attested it.
    pub attested_by: String,
    /// When, `YYYY-MM-DD`.
    pub date: String,
    /// Last valid day, `YYYY-MM-DD`.
    pub expires: String,
    /// HIPAA citations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hipaa: Vec<String>,
    /// Whether it had expired at the date of the data.
    pub expired: bool,
}
