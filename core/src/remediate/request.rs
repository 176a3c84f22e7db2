//! One description of "which remediation, with which options" and one shape of its
//! printed result, shared by the CLI and the C ABI.

use std::path::Path;

use serde::Deserialize;
use serde_json::{json, Value};

use super::{
    access_analyzer, create_user, group_membership, mfa_enforcement, password_policy, permissions_boundary,
    AnalyzerOptions, BoundaryOptions, CreateUserOptions, GroupMembershipOptions, Outcome, Password, Plan, Remediation,
    Status,
};
#[cfg(feature = "aws")]
use super::{SdkConfig, Secrets};
use crate::account::Account;
#[cfg(feature = "aws")]
use crate::api::Source;
use crate::config::Config;
use crate::error::Field;
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
        let only_for = |field: Field, set: bool, allowed: &[Remediation]| -> Result<()> {
            if set && !allowed.contains(&remediation) {
                let list: Vec<&str> = allowed.iter().map(|a| a.as_str()).collect();
                return Err(Error::field_in(
                    field,
                    "",
                    format!(" applies only to {}", list.join(", ")),
                ));
            }
            Ok(())
        };
        only_for(
            Field::Users,
            !self.users.is_empty(),
            &[GroupMembership, PermissionsBoundary],
        )?;
        only_for(Field::PolicyFile, self.policy_file.is_some(), &[PermissionsBoundary])?;
        only_for(Field::Replace, self.replace, &[PermissionsBoundary])?;
        only_for(Field::UserName, self.user_name.is_some(), &[CreateUser])?;
        only_for(Field::Boundary, !self.boundary, &[CreateUser])?;
        only_for(Field::Console, self.console, &[CreateUser])?;
        if let Some(u) = self.users.iter().find(|u| u.trim().is_empty()) {
            return Err(Error::field(Field::Users, format!("empty user name in {u:?}")));
        }
        if remediation == CreateUser {
            let name = self
                .user_name
                .as_deref()
                .ok_or_else(|| Error::field_in(Field::UserName, "create-user needs ", " NAME"))?;
            super::validate_user_name(name)?;
        }
        Ok(())
    }
}

/// A remediation request, as the C ABI (and through it PowerShell) sends it: which
/// remediation, the source and configuration, the options, and for `create-user` with
/// `console` the temporary password. Unknown fields are errors.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// The remediation.
    pub remediation: Remediation,
    /// Plan from this exports directory instead of the live account (apply acts on the
    /// live account, and only when the credentials belong to the exports' account).
    #[serde(default)]
    pub exports_dir: Option<std::path::PathBuf>,
    /// The AWS profile.
    #[serde(default)]
    pub profile: Option<String>,
    /// The regions (access-analyzer); empty = the configuration's, else the SDK's region.
    #[serde(default)]
    pub regions: Vec<String>,
    /// Configuration file.
    #[serde(default)]
    pub config_path: Option<std::path::PathBuf>,
    /// Configuration as TOML text (instead of a file).
    #[serde(default)]
    pub config: Option<String>,
    /// create-user with `console`: the temporary password (must meet the configured
    /// policy). Omitted: one is generated and returned once. Never logged.
    #[serde(default)]
    pub console_password: Option<Password>,
    /// group-membership, permissions-boundary: only these users.
    #[serde(default)]
    pub users: Vec<String>,
    /// permissions-boundary: a boundary document file.
    #[serde(default)]
    pub policy_file: Option<std::path::PathBuf>,
    /// permissions-boundary: replace a different existing boundary.
    #[serde(default)]
    pub replace: bool,
    /// create-user: the new user's name.
    #[serde(default)]
    pub user_name: Option<String>,
    /// create-user: give the user the permissions boundary (default true).
    #[serde(default = "yes")]
    pub boundary: bool,
    /// create-user: a console password that must be changed at first sign-in.
    #[serde(default)]
    pub console: bool,
}

fn yes() -> bool {
    true
}

impl Request {
    /// The remediation's options.
    pub fn options(&self) -> Options {
        Options {
            users: self.users.clone(),
            policy_file: self.policy_file.clone(),
            replace: self.replace,
            user_name: self.user_name.clone(),
            boundary: self.boundary,
            console: self.console,
        }
    }

    /// Validates the options, loads the configuration and the account, and plans.
    #[cfg(feature = "aws")]
    pub async fn plan(&self) -> Result<Planned> {
        let options = self.options();
        options.validate(self.remediation)?;
        let config =
            crate::api::load_request_config(self.config_path.as_deref(), self.config.as_deref(), &self.regions)?.config;
        let source = Source {
            exports_dir: self.exports_dir.clone(),
            profile: self.profile.clone(),
            regions: self.regions.clone(),
            network: Default::default(),
        };
        prepare(self.remediation, &source, config, &options).await
    }

    /// The secrets of applying: for `console`, the request's password (checked against
    /// the configured policy) or a generated one.
    #[cfg(feature = "aws")]
    pub fn secrets(&self, config: &Config) -> Result<Secrets> {
        if !self.console {
            return Ok(Secrets::default());
        }
        Ok(match &self.console_password {
            Some(password) => {
                super::check_password(password, &config.password_policy)?;
                Secrets {
                    console_password: Some(password.clone()),
                    generated: false,
                }
            }
            None => Secrets {
                console_password: Some(super::generate_password(&config.password_policy)?),
                generated: true,
            },
        })
    }
}

/// A plan, and what applying it needs.
#[cfg(feature = "aws")]
#[derive(Debug)]
pub struct Planned {
    /// The plan.
    pub plan: Plan,
    /// The AWS configuration (credentials, region, endpoint).
    pub sdk: SdkConfig,
    /// The regions remediated (access-analyzer).
    pub regions: Vec<String>,
    /// The configuration.
    pub config: Config,
}

/// The regions a remediation works on: the source's, else the configuration's, else the
/// AWS configuration's region.
#[cfg(feature = "aws")]
pub fn regions(source: &Source, config: &Config, sdk: &SdkConfig) -> Vec<String> {
    if !source.regions.is_empty() {
        source.regions.clone()
    } else if !config.regions.is_empty() {
        config.regions.clone()
    } else {
        sdk.region().map(|r| vec![r.to_string()]).unwrap_or_default()
    }
}

/// Plans `remediation` for every face: validates `options`, resolves the regions, loads
/// the account from `source` and, when its data does not say which account it is, asks
/// AWS whose credentials these are.
#[cfg(feature = "aws")]
pub async fn prepare(remediation: Remediation, source: &Source, config: Config, options: &Options) -> Result<Planned> {
    options.validate(remediation)?;
    let sdk = crate::aws::sdk_config(source.profile.as_deref(), &source.network).await;
    let regions = regions(source, &config, &sdk);
    let mut account = source.load(&regions).await?;
    if account.account_id.is_none() {
        account.account_id = Some(super::caller_account_id(&sdk).await?);
    }
    let plan = plan(remediation, &account, &config, options, &regions)?;
    Ok(Planned {
        plan,
        sdk,
        regions,
        config,
    })
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
