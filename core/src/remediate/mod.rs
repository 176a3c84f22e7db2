//! Remediation: a plan first, then an idempotent apply.
//!
//! Each remediation ([`Remediation`]) is a pure function of the account data and the
//! configuration that returns a [`Plan`]: a list of concrete [`Step`]s, each naming the
//! exact AWS call and its arguments ([`Call`]) and the steps it depends on. Printing the
//! plan changes nothing. [`apply`] executes it: before each step it re-checks what it
//! cheaply can (an existing correct resource is left alone, never duplicated), and it
//! records each step's [`Outcome`] together with the state the step replaced, so that
//! state can be restored. A failed step stops the steps that depend on it and nothing
//! else.
//!
//! The policy documents the remediations create are the hardening guide's own:
//! [`DENY_WITHOUT_MFA_JSON`] and [`PERMISSIONS_BOUNDARY_JSON`].

#[cfg(feature = "aws")]
mod apply;
mod password;
mod plans;
pub mod request;

use serde::{Deserialize, Serialize};

/// The remediations (defined with the findings model: a check names the one that fixes it).
pub use crate::findings::Remediation;
#[cfg(feature = "aws")]
pub use apply::{apply, caller_account_id, Clients, Secrets};
#[cfg(feature = "aws")]
pub use aws_config::SdkConfig;
pub use password::{check_password, generate_password, validate_user_name, Password};
pub use plans::{
    access_analyzer, add_missing_statements, create_user, group_membership, merge_password_policy, mfa_enforcement,
    password_policy, permissions_boundary, semantically_equal, AnalyzerOptions, BoundaryOptions, CreateUserOptions,
    GroupMembershipOptions, ANALYZER_NAME,
};

/// The deny-without-MFA policy document of the hardening guide (step 3), with
/// `BoolIfExists` so that long-term access keys (where `aws:MultiFactorAuthPresent` is
/// absent) are denied too.
pub const DENY_WITHOUT_MFA_JSON: &str = include_str!("policies/deny_without_mfa.json");

/// The permissions boundary of the hardening guide (step 5, `permissions_boundary.json`).
pub const PERMISSIONS_BOUNDARY_JSON: &str = include_str!("policies/permissions_boundary.json");

/// Today's date (UTC), the day exceptions are judged on.
pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// The password policy settings sent with `UpdateAccountPasswordPolicy` (AWS's argument
/// names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PasswordPolicySettings {
    /// `MinimumPasswordLength`.
    pub minimum_password_length: i64,
    /// `RequireSymbols`.
    pub require_symbols: bool,
    /// `RequireNumbers`.
    pub require_numbers: bool,
    /// `RequireUppercaseCharacters`.
    pub require_uppercase_characters: bool,
    /// `RequireLowercaseCharacters`.
    pub require_lowercase_characters: bool,
    /// `AllowUsersToChangePassword`.
    pub allow_users_to_change_password: bool,
    /// `MaxPasswordAge` (days); `None` = passwords do not expire.
    pub max_password_age: Option<i64>,
    /// `PasswordReusePrevention`; `None` = not set.
    pub password_reuse_prevention: Option<i64>,
    /// `HardExpiry`.
    pub hard_expiry: bool,
}

/// One AWS call of a step, with its exact arguments (AWS's names). Serialised as
/// `{"Operation": "...", "Arguments": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "Operation", content = "Arguments", rename_all_fields = "PascalCase")]
pub enum Call {
    /// `iam:UpdateAccountPasswordPolicy`. At apply time the settings are merged again with
    /// the live policy, so a setting made stronger since the plan is not weakened.
    UpdateAccountPasswordPolicy(PasswordPolicySettings),
    /// `iam:CreatePolicy`. `PolicyArn` is the ARN the policy will have (for the re-check);
    /// a policy of that name that exists is never changed by this step: it is in place when
    /// it meets `InPlaceWhen`, else left as it is.
    CreatePolicy {
        /// The policy's name.
        policy_name: String,
        /// The document.
        policy_document: serde_json::Value,
        /// The ARN it will have.
        policy_arn: String,
        /// When an existing policy of that name is already right.
        #[serde(default, skip_serializing_if = "Requirement::is_same_document")]
        in_place_when: Requirement,
    },
    /// `iam:DeletePolicyVersion` (to make room for a new version: at most 5 are kept).
    DeletePolicyVersion {
        /// The policy.
        policy_arn: String,
        /// The version to delete.
        version_id: String,
    },
    /// `iam:CreatePolicyVersion` with `SetAsDefault`, adding statements to a policy: the
    /// document is the default version's, with the statements it lacks added. At apply time
    /// the default version is read again: when it meets `InPlaceWhen`, or already has every
    /// statement of `PolicyDocument`, nothing changes; otherwise the new version keeps every
    /// statement it has then and adds those of `PolicyDocument` it lacks. No statement is
    /// ever removed.
    CreatePolicyVersion {
        /// The policy.
        policy_arn: String,
        /// The new document.
        policy_document: serde_json::Value,
        /// Make it the default version.
        set_as_default: bool,
        /// When the existing default version is already right.
        #[serde(default, skip_serializing_if = "Requirement::is_same_document")]
        in_place_when: Requirement,
    },
    /// `iam:CreateGroup`.
    CreateGroup {
        /// The group.
        group_name: String,
    },
    /// `iam:AttachGroupPolicy`.
    AttachGroupPolicy {
        /// The group.
        group_name: String,
        /// The managed policy.
        policy_arn: String,
    },
    /// `iam:AddUserToGroup`.
    AddUserToGroup {
        /// The group.
        group_name: String,
        /// The user.
        user_name: String,
    },
    /// `iam:PutUserPermissionsBoundary`. `Replace`: whether a different existing boundary
    /// may be replaced (`--replace`).
    PutUserPermissionsBoundary {
        /// The user.
        user_name: String,
        /// The boundary policy's ARN.
        permissions_boundary: String,
        /// Whether a different existing boundary is replaced.
        replace: bool,
    },
    /// `access-analyzer:CreateAnalyzer` in `Region`.
    CreateAnalyzer {
        /// The region.
        region: String,
        /// The analyzer's name.
        analyzer_name: String,
        /// `ACCOUNT`.
        #[serde(rename = "Type")]
        analyzer_type: String,
    },
    /// `iam:CreateUser`.
    CreateUser {
        /// The user.
        user_name: String,
        /// The boundary policy's ARN, if any.
        permissions_boundary: Option<String>,
    },
    /// `iam:CreateLoginProfile`. The password is supplied at apply time ([`Secrets`]) and
    /// is never part of the plan.
    CreateLoginProfile {
        /// The user.
        user_name: String,
        /// The user must set a new password at first sign-in.
        password_reset_required: bool,
    },
}

/// When an existing policy's default version needs no change.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Requirement {
    /// It has the step's document (compared by meaning).
    #[default]
    SameDocument,
    /// It denies access without MFA on its own, as IAM-004 judges a policy: whatever else
    /// it says is the account's own and stays.
    EnforcesMfa,
}

impl Requirement {
    fn is_same_document(&self) -> bool {
        *self == Requirement::SameDocument
    }
}

impl Call {
    /// `service:Operation`, e.g. `iam:CreatePolicy`.
    pub fn operation(&self) -> &'static str {
        match self {
            Call::UpdateAccountPasswordPolicy(_) => "iam:UpdateAccountPasswordPolicy",
            Call::CreatePolicy { .. } => "iam:CreatePolicy",
            Call::DeletePolicyVersion { .. } => "iam:DeletePolicyVersion",
            Call::CreatePolicyVersion { .. } => "iam:CreatePolicyVersion",
            Call::CreateGroup { .. } => "iam:CreateGroup",
            Call::AttachGroupPolicy { .. } => "iam:AttachGroupPolicy",
            Call::AddUserToGroup { .. } => "iam:AddUserToGroup",
            Call::PutUserPermissionsBoundary { .. } => "iam:PutUserPermissionsBoundary",
            Call::CreateAnalyzer { .. } => "access-analyzer:CreateAnalyzer",
            Call::CreateUser { .. } => "iam:CreateUser",
            Call::CreateLoginProfile { .. } => "iam:CreateLoginProfile",
        }
    }

    /// The arguments as JSON (AWS's names).
    pub fn arguments(&self) -> serde_json::Value {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.get("Arguments").cloned())
            .unwrap_or_default()
    }
}

/// What the plan expects of a step, judged from the account data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "expect", content = "reason", rename_all = "snake_case")]
pub enum Expect {
    /// The step will change the account.
    Change,
    /// The account data says it is already in place (apply re-checks it).
    InPlace,
    /// The step will not run, for this reason.
    Skip(String),
}

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// A stable ID within the plan, e.g. `create-policy` or `add-user:alice`.
    pub id: String,
    /// What the step does, in words.
    pub description: String,
    /// The AWS call and its exact arguments.
    pub call: Call,
    /// The IDs of the steps that must succeed before this one runs.
    pub depends_on: Vec<String>,
    /// What the account data says about it.
    #[serde(flatten)]
    pub expect: Expect,
}

/// A remediation plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The remediation, e.g. `mfa-enforcement`.
    pub remediation: Remediation,
    /// The account the plan is for.
    pub account_id: String,
    /// The steps, in the order they run.
    pub steps: Vec<Step>,
}

impl Plan {
    /// The step with `id`.
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }

    /// Whether any step is expected to change the account.
    pub fn has_changes(&self) -> bool {
        self.steps.iter().any(|s| s.expect == Expect::Change)
    }
}

/// The outcome of one step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The call was made and succeeded.
    Done,
    /// The resource already existed in the right state; nothing was changed.
    AlreadyInPlace,
    /// The step did not run (see the reason).
    Skipped,
    /// The call failed (see the AWS code and message).
    Failed,
}

impl Status {
    /// `done`, `already in place`, `skipped`, `failed`.
    pub fn label(&self) -> &'static str {
        match self {
            Status::Done => "done",
            Status::AlreadyInPlace => "already in place",
            Status::Skipped => "skipped",
            Status::Failed => "failed",
        }
    }
}

/// What happened to one step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// The step's ID.
    pub id: String,
    /// The call.
    pub operation: String,
    /// Done, already in place, skipped or failed.
    pub status: Status,
    /// A sentence: what was found or done, why it was skipped, or the AWS error message.
    pub detail: String,
    /// For a failure: the AWS error code (e.g. `AccessDenied`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// The state the step replaced (e.g. the old password policy, the old boundary, a
    /// deleted policy version's document), so it can be restored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<serde_json::Value>,
    /// What the step produced (e.g. the created resource's ARN).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<serde_json::Value>,
}

#[cfg(feature = "aws")]
impl Outcome {
    fn new(step: &Step, status: Status, detail: impl Into<String>) -> Outcome {
        Outcome {
            id: step.id.clone(),
            operation: step.call.operation().to_string(),
            status,
            detail: detail.into(),
            error_code: None,
            previous: None,
            result: None,
        }
    }
}

/// The exit status of a set of outcomes: 0 when every step is done, in place or skipped;
/// 1 when a step failed.
pub fn exit_status(outcomes: &[Outcome]) -> u8 {
    if outcomes.iter().any(|o| o.status == Status::Failed) {
        1
    } else {
        0
    }
}
