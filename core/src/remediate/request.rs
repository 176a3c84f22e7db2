//! One description of "which remediation, with which options" and one shape of its
//! printed result, shared by the CLI and the C ABI.

use std::path::Path;

use serde::Deserialize;
use serde_json::{json, Value};

use super::{
    access_analyzer, create_user, group_membership, mfa_enforcement, password_policy, permissions_boundary,
    AnalyzerOptions, BoundaryOptions, CreateUserOptions, GroupMembershipOptions, Outcome, Plan, Remediation, Status,
};
use crate::account::Account;
use crate::config::Config;
use crate::{Error, Result};

/// The options of a remediation (the CLI's flags; the C ABI's request fields).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Options {
    /// group-membership, permissions-boundary: only these users.
    pub users: Vec<String>,
    /// permissions-boundary: a file with the boundary document (default: the guide's).
    pub policy_file: Option<std::path::PathBuf>,
    /// permissions-boundary: replace a different existing boundary.
    pub replace: bool,
    /// create-user: the new user's name.
    pub user_name: Option<String>,
    /// create-user: give the user the permissions boundary (default true).
    pub boundary: bool,
    /// create-user: a console password that must be changed at first sign-in.
    pub console: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            users: Vec::new(),
            policy_file: None,
            replace: false,
            user_name: None,
            boundary: true,
            console: false,
        }
    }
}

impl Options {
    /// Checks that every option given applies to `remediation`, and validates what can be
    /// validated before any AWS call (the user name against IAM's rules).
    pub fn validate(&self, remediation: Remediation) -> Result<()> {
        use Remediation::*;
        let only_for = |flag: &str, set: bool, allowed: &[Remediation]| -> Result<()> {
            if set && !allowed.contains(&remediation) {
                let list: Vec<&str> = allowed.iter().map(|a| a.as_str()).collect();
                return Err(Error::InvalidArgument(format!(
                    "{flag} applies only to {}",
                    list.join(", ")
                )));
            }
            Ok(())
        };
        only_for(
            "--users",
            !self.users.is_empty(),
            &[GroupMembership, PermissionsBoundary],
        )?;
        only_for("--policy-file", self.policy_file.is_some(), &[PermissionsBoundary])?;
        only_for("--replace", self.replace, &[PermissionsBoundary])?;
        only_for("--user-name", self.user_name.is_some(), &[CreateUser])?;
        only_for("--no-boundary", !self.boundary, &[CreateUser])?;
        only_for("--console", self.console, &[CreateUser])?;
        if let Some(u) = self.users.iter().find(|u| u.trim().is_empty()) {
            return Err(Error::InvalidArgument(format!("--users: empty user name in {u:?}")));
        }
        if remediation == CreateUser {
            let name = self
                .user_name
                .as_deref()
                .ok_or_else(|| Error::InvalidArgument("create-user needs --user-name NAME".into()))?;
            super::validate_user_name(name)?;
        }
        Ok(())
    }
}

/// Reads and validates a boundary document file with the project's policy parser.
pub fn read_policy_file(path: &Path) -> Result<Value> {
    let bytes = crate::input::read_file(path, 16 * 1024 * 1024)?;
    let value: Value = crate::input::parse_json(path, &bytes)?;
    let doc = crate::policy::decode_document(&value).map_err(|m| Error::input(path, "", m))?;
    crate::policy::Document::from_json(&doc)
        .map_err(|m| Error::input(path, "", format!("not a valid policy document: {m}")))?;
    Ok(doc)
}

/// Builds the plan of `remediation` from the account data. `regions` are the audited
/// regions (access-analyzer).
pub fn plan(
    remediation: Remediation,
    account: &Account,
    config: &Config,
    options: &Options,
    regions: &[String],
) -> Result<Plan> {
    options.validate(remediation)?;
    match remediation {
        Remediation::PasswordPolicy => password_policy(account, config),
        Remediation::MfaEnforcement => mfa_enforcement(account, config),
        Remediation::GroupMembership => group_membership(
            account,
            config,
            &GroupMembershipOptions {
                users: options.users.clone(),
            },
        ),
        Remediation::PermissionsBoundary => permissions_boundary(
            account,
            config,
            &BoundaryOptions {
                users: options.users.clone(),
                policy_document: options.policy_file.as_deref().map(read_policy_file).transpose()?,
                replace: options.replace,
                today: super::today(),
            },
        ),
        Remediation::AccessAnalyzer => access_analyzer(
            account,
            config,
            &AnalyzerOptions {
                regions: regions.to_vec(),
            },
        ),
        Remediation::CreateUser => create_user(
            account,
            config,
            &CreateUserOptions {
                user_name: options.user_name.clone().unwrap_or_default(),
                boundary: options.boundary,
                console: options.console,
            },
        ),
    }
}

/// Counts of the outcomes by status.
pub fn summary(outcomes: &[Outcome]) -> Value {
    let n = |s: Status| outcomes.iter().filter(|o| o.status == s).count();
    json!({
        "done": n(Status::Done),
        "already_in_place": n(Status::AlreadyInPlace),
        "skipped": n(Status::Skipped),
        "failed": n(Status::Failed),
    })
}

/// The JSON document of a plan and, when it was applied, its results: what
/// `hipaa-iam remediate --format json` prints and the C ABI returns. A generated console
/// password (shown once) is included only when given.
pub fn document(plan: &Plan, dry_run: bool, outcomes: Option<&[Outcome]>, generated_password: Option<&str>) -> Value {
    let mut doc = json!({
        "remediation": plan.remediation,
        "account_id": plan.account_id,
        "dry_run": dry_run,
        "applied": outcomes.is_some(),
        "plan": plan.steps,
    });
    if let Some(outcomes) = outcomes {
        doc["results"] = json!(outcomes);
        doc["summary"] = summary(outcomes);
        if let Some(p) = generated_password {
            doc["generated_console_password"] = json!(p);
        }
    }
    doc
}
