//! Applying a plan: each step re-checked, then executed, and its outcome recorded.

use std::collections::{BTreeMap, HashSet};

use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};
use serde_json::{json, Value};

use super::password::Password;
use super::plans::{in_place_reason, statements_of};
use crate::aws::{Failure, Pager};

use super::{
    add_missing_statements, merge_password_policy, Call, Expect, Outcome, PasswordPolicySettings, Plan, Requirement,
    Status, Step,
};

/// The AWS clients a plan is applied with. Tests inject `aws-smithy-mocks` clients.
#[derive(Debug, Clone)]
pub struct Clients {
    /// STS: whose credentials these are (`GetCallerIdentity`), checked before any change.
    pub sts: aws_sdk_sts::Client,
    /// IAM.
    pub iam: aws_sdk_iam::Client,
    /// Access Analyzer, one client per region.
    pub analyzers: BTreeMap<String, aws_sdk_accessanalyzer::Client>,
}

impl Clients {
    /// The clients from an SDK configuration (see [`crate::aws::sdk_config`]),
    /// with an Access Analyzer client for each of `regions`.
    pub fn new(conf: &aws_config::SdkConfig, regions: &[String]) -> Clients {
        let analyzers = regions
            .iter()
            .map(|r| {
                let c = crate::aws::access_analyzer(conf)
                    .region(aws_sdk_accessanalyzer::config::Region::new(r.clone()))
                    .build();
                (r.clone(), aws_sdk_accessanalyzer::Client::from_conf(c))
            })
            .collect();
        Clients {
            sts: aws_sdk_sts::Client::from_conf(crate::aws::sts(conf).build()),
            iam: aws_sdk_iam::Client::from_conf(crate::aws::iam(conf).build()),
            analyzers,
        }
    }
}

/// Secrets supplied at apply time, never part of a plan.
#[derive(Debug, Default, Clone)]
pub struct Secrets {
    /// The console password for `CreateLoginProfile`.
    pub console_password: Option<Password>,
    /// Whether the password was generated (and so is to be shown once).
    pub generated: bool,
}

impl Secrets {
    /// The generated console password to show, once, after applying: only when it was
    /// generated (a password the caller supplied is never echoed) and the login profile
    /// was actually created with it.
    pub fn to_show(&self, outcomes: &[Outcome]) -> Option<&Password> {
        self.console_password.as_ref().filter(|_| self.generated).filter(|_| {
            outcomes
                .iter()
                .any(|o| o.id == "create-login-profile" && o.status == Status::Done)
        })
    }
}

/// The account ID of the caller (`sts:GetCallerIdentity`).
pub async fn caller_account_id(conf: &aws_config::SdkConfig) -> crate::Result<String> {
    account_of(&aws_sdk_sts::Client::from_conf(crate::aws::sts(conf).build())).await
}

async fn account_of(sts: &aws_sdk_sts::Client) -> crate::Result<String> {
    let caller = crate::aws::caller_identity(sts).await?;
    caller.account_id().map(str::to_string)
}

/// Refuses to apply `plan` with credentials of another account than the one it was made
/// for (e.g. planned from another account's exports): a plan's steps, ARNs and "already in
/// place" judgements are that account's.
async fn ensure_same_account(plan: &Plan, clients: &Clients) -> crate::Result<()> {
    let caller = account_of(&clients.sts).await?;
    if caller == plan.account_id {
        return Ok(());
    }
    Err(crate::Error::InvalidArgument(format!(
        "refusing to apply {}: the plan was made for account {}, but the AWS credentials belong to account {caller}; nothing was changed (use credentials of account {} (e.g. --profile), or plan from the data of account {caller})",
        plan.remediation.as_str(),
        plan.account_id,
        plan.account_id,
    )))
}

fn is_no_such_entity<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> bool {
    err.code() == Some("NoSuchEntity")
}

type StepResult = Result<Outcome, Failure>;

/// Applies `plan` in order and returns one outcome per step. Before each step what can
/// be cheaply re-checked is (an existing correct resource is "already in place"); a step
/// whose dependency failed (or was not run for that reason) is skipped; a step the plan
/// marks as skipped is reported with its reason. A password in `secrets` never appears in
/// an outcome.
///
/// Before any step, the account of `clients`' credentials (`sts:GetCallerIdentity`) must
/// be the plan's: otherwise nothing is changed and the error names both accounts.
pub async fn apply(plan: &Plan, clients: &Clients, secrets: &Secrets) -> crate::Result<Vec<Outcome>> {
    ensure_same_account(plan, clients).await?;
    let mut outcomes = Vec::with_capacity(plan.steps.len());
    let mut blocked: HashSet<String> = HashSet::new();
    for step in &plan.steps {
        if let Some(dep) = step.depends_on.iter().find(|d| blocked.contains(*d)) {
            outcomes.push(Outcome::new(
                step,
                Status::Skipped,
                format!("not run: step {dep} did not succeed"),
            ));
            blocked.insert(step.id.clone());
            continue;
        }
        if let Expect::Skip(reason) = &step.expect {
            outcomes.push(Outcome::new(step, Status::Skipped, reason.clone()));
            continue;
        }
        let outcome = match run(step, clients, secrets).await {
            Ok(o) => o,
            Err(f) => {
                let mut message = f.message_at();
                if let Some(p) = &secrets.console_password {
                    if !p.expose().is_empty() {
                        message = message.replace(p.expose(), "<redacted>");
                    }
                }
                let mut o = Outcome::new(
                    step,
                    Status::Failed,
                    format!("{} failed: {}: {message}", f.operation, f.code),
                );
                o.error_code = Some(f.code);
                o
            }
        };
        if outcome.status == Status::Failed {
            blocked.insert(step.id.clone());
        }
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

async fn run(step: &Step, c: &Clients, secrets: &Secrets) -> StepResult {
    let iam = &c.iam;
    match &step.call {
        Call::UpdateAccountPasswordPolicy(target) => password_policy(step, iam, target).await,
        Call::CreatePolicy {
            policy_name,
            policy_document,
            policy_arn,
            in_place_when,
        } => match default_document(iam, policy_arn).await? {
            Some((_, doc)) if in_place_when.is_met(&doc, policy_document) => Ok(Outcome::new(
                step,
                Status::AlreadyInPlace,
                format!("{policy_arn}: {}", in_place_reason(&doc, policy_document)),
            )),
            Some(_) => Ok(Outcome::new(
                step,
                Status::Skipped,
                match in_place_when {
                    Requirement::SameDocument => format!("{policy_arn} exists with a different document, left unchanged"),
                    Requirement::EnforcesMfa => format!(
                        "{policy_arn} exists and does not deny access without MFA on its own; left unchanged here (run the remediation again: its plan adds the statements it lacks)"
                    ),
                },
            )),
            None => {
                let out = iam
                    .create_policy()
                    .policy_name(policy_name)
                    .policy_document(policy_document.to_string())
                    .send()
                    .await
                    .map_err(|e| Failure::of("CreatePolicy", &e))?;
                let arn = out.policy().and_then(|p| p.arn()).unwrap_or(policy_arn).to_string();
                let mut o = Outcome::new(step, Status::Done, format!("created {arn}"));
                o.result = Some(json!({ "PolicyArn": arn }));
                Ok(o)
            }
        },
        Call::DeletePolicyVersion { policy_arn, version_id } => {
            let versions = iam
                .list_policy_versions()
                .policy_arn(policy_arn)
                .send()
                .await
                .map_err(|e| Failure::of("ListPolicyVersions", &e))?;
            let Some(v) = versions
                .versions()
                .iter()
                .find(|v| v.version_id() == Some(version_id.as_str()))
            else {
                return Ok(Outcome::new(
                    step,
                    Status::AlreadyInPlace,
                    format!("version {version_id} no longer exists"),
                ));
            };
            if v.is_default_version() {
                return Ok(Outcome::new(
                    step,
                    Status::Skipped,
                    format!("version {version_id} is now the default version; it is not deleted"),
                ));
            }
            let doc = version_document(iam, policy_arn, version_id).await?;
            iam.delete_policy_version()
                .policy_arn(policy_arn)
                .version_id(version_id)
                .send()
                .await
                .map_err(|e| Failure::of("DeletePolicyVersion", &e))?;
            let mut o = Outcome::new(
                step,
                Status::Done,
                format!("deleted version {version_id} of {policy_arn}"),
            );
            o.previous = Some(json!({ "VersionId": version_id, "Document": doc }));
            Ok(o)
        }
        Call::CreatePolicyVersion {
            policy_arn,
            policy_document,
            set_as_default,
            in_place_when,
        } => {
            let Some((current_id, current)) = default_document(iam, policy_arn).await? else {
                return Err(Failure::new("GetPolicy", "NoSuchEntity", format!("{policy_arn} no longer exists; plan again")));
            };
            if in_place_when.is_met(&current, policy_document) {
                return Ok(Outcome::new(
                    step,
                    Status::AlreadyInPlace,
                    format!("{policy_arn}: {}", in_place_reason(&current, policy_document)),
                ));
            }
            // Re-read, not the plan's copy: a statement written since the plan stays too.
            let document = add_missing_statements(&current, policy_document);
            let count = |d: &Value| statements_of(d).len();
            let (kept, added) = (count(&current), count(&document).saturating_sub(count(&current)));
            if added == 0 {
                return Ok(Outcome::new(
                    step,
                    Status::AlreadyInPlace,
                    format!("the default version {current_id} of {policy_arn} already has every statement"),
                ));
            }
            let out = iam
                .create_policy_version()
                .policy_arn(policy_arn)
                .policy_document(document.to_string())
                .set_as_default(*set_as_default)
                .send()
                .await
                .map_err(|e| Failure::of("CreatePolicyVersion", &e))?;
            let new_id = out
                .policy_version()
                .and_then(|v| v.version_id())
                .unwrap_or_default()
                .to_string();
            let mut o = Outcome::new(
                step,
                Status::Done,
                format!(
                    "created version {new_id} of {policy_arn} as the default: its {kept} statement(s) kept, {added} added"
                ),
            );
            o.previous = Some(json!({ "DefaultVersionId": current_id, "Document": current }));
            o.result = Some(json!({ "VersionId": new_id, "Document": document }));
            Ok(o)
        }
        Call::CreateGroup { group_name } => match iam.get_group().group_name(group_name).send().await {
            Ok(_) => Ok(Outcome::new(
                step,
                Status::AlreadyInPlace,
                format!("the group {group_name} exists"),
            )),
            Err(e) if is_no_such_entity(&e) => {
                let out = iam
                    .create_group()
                    .group_name(group_name)
                    .send()
                    .await
                    .map_err(|e| Failure::of("CreateGroup", &e))?;
                let mut o = Outcome::new(step, Status::Done, format!("created the group {group_name}"));
                o.result = out.group().map(|g| json!({ "Arn": g.arn() }));
                Ok(o)
            }
            Err(e) => Err(Failure::of("GetGroup", &e)),
        },
        Call::AttachGroupPolicy { group_name, policy_arn } => {
            let mut pager = Pager::new("ListAttachedGroupPolicies", "Marker");
            loop {
                let out = iam
                    .list_attached_group_policies()
                    .group_name(group_name)
                    .set_marker(pager.token())
                    .send()
                    .await
                    .map_err(|e| Failure::of("ListAttachedGroupPolicies", &e))?;
                if out
                    .attached_policies()
                    .iter()
                    .any(|p| p.policy_arn() == Some(policy_arn.as_str()))
                {
                    return Ok(Outcome::new(
                        step,
                        Status::AlreadyInPlace,
                        format!("{policy_arn} is attached to {group_name}"),
                    ));
                }
                if !pager.next(out.is_truncated().then_some(out.marker()).flatten())? {
                    break;
                }
            }
            iam.attach_group_policy()
                .group_name(group_name)
                .policy_arn(policy_arn)
                .send()
                .await
                .map_err(|e| Failure::of("AttachGroupPolicy", &e))?;
            Ok(Outcome::new(
                step,
                Status::Done,
                format!("attached {policy_arn} to {group_name}"),
            ))
        }
        Call::AddUserToGroup { group_name, user_name } => {
            let mut pager = Pager::new("ListGroupsForUser", "Marker");
            loop {
                let out = iam
                    .list_groups_for_user()
                    .user_name(user_name)
                    .set_marker(pager.token())
                    .send()
                    .await
                    .map_err(|e| Failure::of("ListGroupsForUser", &e))?;
                if out.groups().iter().any(|g| g.group_name() == group_name) {
                    return Ok(Outcome::new(
                        step,
                        Status::AlreadyInPlace,
                        format!("{user_name} is in {group_name}"),
                    ));
                }
                if !pager.next(out.is_truncated().then_some(out.marker()).flatten())? {
                    break;
                }
            }
            iam.add_user_to_group()
                .group_name(group_name)
                .user_name(user_name)
                .send()
                .await
                .map_err(|e| Failure::of("AddUserToGroup", &e))?;
            Ok(Outcome::new(
                step,
                Status::Done,
                format!("added {user_name} to {group_name}"),
            ))
        }
        Call::PutUserPermissionsBoundary {
            user_name,
            permissions_boundary,
            replace,
        } => {
            let out = iam
                .get_user()
                .user_name(user_name)
                .send()
                .await
                .map_err(|e| Failure::of("GetUser", &e))?;
            let current = out
                .user()
                .and_then(|u| u.permissions_boundary())
                .and_then(|b| b.permissions_boundary_arn())
                .map(str::to_string);
            match current.as_deref() {
                Some(c) if c == permissions_boundary => {
                    return Ok(Outcome::new(
                        step,
                        Status::AlreadyInPlace,
                        format!("{user_name} has the boundary {c}"),
                    ))
                }
                Some(c) if !replace => {
                    return Ok(Outcome::new(
                        step,
                        Status::Skipped,
                        format!("has boundary {c}; use --replace"),
                    ))
                }
                _ => {}
            }
            iam.put_user_permissions_boundary()
                .user_name(user_name)
                .permissions_boundary(permissions_boundary)
                .send()
                .await
                .map_err(|e| Failure::of("PutUserPermissionsBoundary", &e))?;
            let mut o = Outcome::new(
                step,
                Status::Done,
                format!("set the boundary of {user_name} to {permissions_boundary}"),
            );
            o.previous = Some(json!({ "PermissionsBoundary": current }));
            Ok(o)
        }
        Call::CreateAnalyzer {
            region,
            analyzer_name,
            analyzer_type,
        } => create_analyzer(step, c, region, analyzer_name, analyzer_type).await,
        Call::CreateUser {
            user_name,
            permissions_boundary,
        } => match iam.get_user().user_name(user_name).send().await {
            Ok(out) => {
                let current = out
                    .user()
                    .and_then(|u| u.permissions_boundary())
                    .and_then(|b| b.permissions_boundary_arn())
                    .map(str::to_string);
                match permissions_boundary {
                        Some(want) if current.as_deref() != Some(want.as_str()) => Ok(Outcome::new(
                            step,
                            Status::Skipped,
                            format!(
                                "the user exists with {}; run `hipaa-iam remediate permissions-boundary --users {user_name}`",
                                current.map(|c| format!("boundary {c}")).unwrap_or_else(|| "no boundary".into())
                            ),
                        )),
                        _ => Ok(Outcome::new(step, Status::AlreadyInPlace, format!("the user {user_name} exists"))),
                    }
            }
            Err(e) if is_no_such_entity(&e) => {
                let out = iam
                    .create_user()
                    .user_name(user_name)
                    .set_permissions_boundary(permissions_boundary.clone())
                    .send()
                    .await
                    .map_err(|e| Failure::of("CreateUser", &e))?;
                let mut o = Outcome::new(step, Status::Done, format!("created the user {user_name}"));
                o.result = out.user().map(|u| json!({ "Arn": u.arn() }));
                Ok(o)
            }
            Err(e) => Err(Failure::of("GetUser", &e)),
        },
        Call::CreateLoginProfile {
            user_name,
            password_reset_required,
        } => match iam.get_login_profile().user_name(user_name).send().await {
            Ok(_) => Ok(Outcome::new(
                step,
                Status::AlreadyInPlace,
                format!("{user_name} has a console password (not changed)"),
            )),
            Err(e) if is_no_such_entity(&e) => {
                let Some(password) = &secrets.console_password else {
                    return Err(Failure::new("CreateLoginProfile", "NoPassword", "no console password was supplied"));
                };
                iam.create_login_profile()
                    .user_name(user_name)
                    .password(password.expose())
                    .password_reset_required(*password_reset_required)
                    .send()
                    .await
                    .map_err(|e| Failure::of("CreateLoginProfile", &e))?;
                Ok(Outcome::new(
                    step,
                    Status::Done,
                    format!("gave {user_name} a console password that must be changed at first sign-in"),
                ))
            }
            Err(e) => Err(Failure::of("GetLoginProfile", &e)),
        },
    }
}

fn settings_from_sdk(p: &aws_sdk_iam::types::PasswordPolicy) -> PasswordPolicySettings {
    PasswordPolicySettings {
        minimum_password_length: i64::from(p.minimum_password_length().unwrap_or(0)),
        require_symbols: p.require_symbols(),
        require_numbers: p.require_numbers(),
        require_uppercase_characters: p.require_uppercase_characters(),
        require_lowercase_characters: p.require_lowercase_characters(),
        allow_users_to_change_password: p.allow_users_to_change_password(),
        max_password_age: p.max_password_age().map(i64::from).filter(|d| *d > 0),
        password_reuse_prevention: p.password_reuse_prevention().map(i64::from).filter(|n| *n > 0),
        hard_expiry: p.hard_expiry().unwrap_or(false),
    }
}

fn to_i32(v: i64) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

async fn password_policy(step: &Step, iam: &aws_sdk_iam::Client, target: &PasswordPolicySettings) -> StepResult {
    let live = match iam.get_account_password_policy().send().await {
        Ok(out) => out.password_policy().map(settings_from_sdk),
        Err(e) if is_no_such_entity(&e) => None,
        Err(e) => return Err(Failure::of("GetAccountPasswordPolicy", &e)),
    };
    let merged = merge_password_policy(live.as_ref(), target);
    let previous = Some(serde_json::to_value(&live).unwrap_or(Value::Null));
    if live.as_ref() == Some(&merged) {
        let mut o = Outcome::new(
            step,
            Status::AlreadyInPlace,
            "the password policy meets or exceeds the configured one",
        );
        o.previous = previous;
        return Ok(o);
    }
    iam.update_account_password_policy()
        .minimum_password_length(to_i32(merged.minimum_password_length))
        .require_symbols(merged.require_symbols)
        .require_numbers(merged.require_numbers)
        .require_uppercase_characters(merged.require_uppercase_characters)
        .require_lowercase_characters(merged.require_lowercase_characters)
        .allow_users_to_change_password(merged.allow_users_to_change_password)
        .set_max_password_age(merged.max_password_age.map(to_i32))
        .set_password_reuse_prevention(merged.password_reuse_prevention.map(to_i32))
        .hard_expiry(merged.hard_expiry)
        .send()
        .await
        .map_err(|e| Failure::of("UpdateAccountPasswordPolicy", &e))?;
    let mut o = Outcome::new(
        step,
        Status::Done,
        if live.is_some() {
            "updated the password policy"
        } else {
            "set the password policy (there was none)"
        },
    );
    o.previous = previous;
    o.result = serde_json::to_value(&merged).ok();
    Ok(o)
}

/// The default version's ID and document of `arn`, or `None` when the policy does not
/// exist.
async fn default_document(iam: &aws_sdk_iam::Client, arn: &str) -> Result<Option<(String, Value)>, Failure> {
    let policy = match iam.get_policy().policy_arn(arn).send().await {
        Ok(out) => out,
        Err(e) if is_no_such_entity(&e) => return Ok(None),
        Err(e) => return Err(Failure::of("GetPolicy", &e)),
    };
    let version = policy
        .policy()
        .and_then(|p| p.default_version_id())
        .unwrap_or("v1")
        .to_string();
    let doc = version_document(iam, arn, &version).await?;
    Ok(Some((version, doc)))
}

async fn version_document(iam: &aws_sdk_iam::Client, arn: &str, version: &str) -> Result<Value, Failure> {
    let out = iam
        .get_policy_version()
        .policy_arn(arn)
        .version_id(version)
        .send()
        .await
        .map_err(|e| Failure::of("GetPolicyVersion", &e))?;
    let raw = out.policy_version().and_then(|v| v.document()).unwrap_or_default();
    crate::policy::decode_document(&Value::String(raw.to_string()))
        .map_err(|message| Failure::new("GetPolicyVersion", "InvalidDocument", message))
}

async fn create_analyzer(step: &Step, c: &Clients, region: &str, name: &str, analyzer_type: &str) -> StepResult {
    use aws_sdk_accessanalyzer::types::{AnalyzerStatus, Type};
    let Some(client) = c.analyzers.get(region) else {
        return Err(Failure::new(
            "ListAnalyzers",
            "NoClient",
            format!("no Access Analyzer client for region {region}"),
        ));
    };
    let mut pager = Pager::new("ListAnalyzers", "NextToken");
    let mut same_name: Option<String> = None;
    loop {
        let out = client
            .list_analyzers()
            .set_next_token(pager.token())
            .send()
            .await
            .map_err(|e| Failure::of("ListAnalyzers", &e))?;
        for a in out.analyzers() {
            let external = matches!(a.r#type(), Type::Account | Type::Organization);
            if external && *a.status() == AnalyzerStatus::Active {
                return Ok(Outcome::new(
                    step,
                    Status::AlreadyInPlace,
                    format!(
                        "the ACTIVE {} analyzer {} exists in {region}",
                        a.r#type().as_str(),
                        a.name()
                    ),
                ));
            }
            if a.name() == name {
                same_name = Some(format!("{} {}", a.r#type().as_str(), a.status().as_str()));
            }
        }
        if !pager.next(out.next_token())? {
            break;
        }
    }
    if let Some(what) = same_name {
        return Ok(Outcome::new(
            step,
            Status::Skipped,
            format!("an analyzer named {name} exists in {region} ({what}); it is not duplicated"),
        ));
    }
    let out = client
        .create_analyzer()
        .analyzer_name(name)
        .r#type(Type::from(analyzer_type))
        .send()
        .await
        .map_err(|e| Failure::of("CreateAnalyzer", &e))?;
    let mut o = Outcome::new(
        step,
        Status::Done,
        format!("created the ACCOUNT analyzer {name} in {region}"),
    );
    o.result = out.arn().map(|a| json!({ "Arn": a }));
    Ok(o)
}
