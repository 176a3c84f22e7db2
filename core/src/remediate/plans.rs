//! The planners: pure functions of the account data and the configuration.

use chrono::NaiveDate;
use serde_json::Value;

use super::{
    validate_user_name, Call, Expect, PasswordPolicySettings, Plan, Remediation, Requirement, Step,
    DENY_WITHOUT_MFA_JSON, PERMISSIONS_BOUNDARY_JSON,
};
use crate::account::{Account, Collected, ManagedPolicy, PasswordEnabled, PasswordPolicy, User};
use crate::config::{Config, PasswordPolicyConfig};
use crate::error::Field;
use crate::{Error, Result};

/// The name of the analyzer `access-analyzer` creates (the hardening guide's).
pub const ANALYZER_NAME: &str = "account-access-analyzer";

/// The check whose exceptions exempt a user from `permissions-boundary`.
const BOUNDARY_CHECK: &str = "IAM-008";

fn step(
    id: impl Into<String>,
    description: impl Into<String>,
    call: Call,
    depends_on: &[&str],
    expect: Expect,
) -> Step {
    Step {
        id: id.into(),
        description: description.into(),
        call,
        depends_on: depends_on.iter().map(|s| s.to_string()).collect(),
        expect,
    }
}

fn account_id(account: &Account) -> Result<String> {
    account.account_id.clone().ok_or_else(|| {
        Error::InvalidArgument(
            "the account ID is unknown (not in the account data); it is needed for the ARNs of the policies".into(),
        )
    })
}

fn parse_builtin(text: &str) -> Value {
    // The built-in documents are part of the program and covered by tests.
    serde_json::from_str(text).unwrap_or(Value::Null)
}

fn policy_arn(account_id: &str, name: &str) -> String {
    format!("arn:aws:iam::{account_id}:policy/{name}")
}

/// Whether two policy documents mean the same: compared as parsed JSON, with a single
/// string and a one-element list taken as equal, and the order of statements, of
/// action / resource lists and of condition values ignored. Keys are compared exactly.
pub fn semantically_equal(a: &Value, b: &Value) -> bool {
    normalize(a) == normalize(b)
}

fn normalize(doc: &Value) -> Value {
    let Value::Object(map) = doc else { return doc.clone() };
    let mut out = map.clone();
    if let Some(statements) = map.get("Statement") {
        let list = match statements {
            Value::Array(items) => items.iter().map(normalize_statement).collect(),
            other => vec![normalize_statement(other)],
        };
        out.insert("Statement".into(), as_sorted_list(Value::Array(list)));
    }
    Value::Object(out)
}

fn normalize_statement(statement: &Value) -> Value {
    let Value::Object(map) = statement else {
        return statement.clone();
    };
    let mut out = serde_json::Map::new();
    for (k, v) in map {
        let n = match (k.as_str(), v) {
            ("Action" | "NotAction" | "Resource" | "NotResource", v) => as_sorted_list(v.clone()),
            ("Principal" | "NotPrincipal", Value::Object(p)) => Value::Object(
                p.iter()
                    .map(|(pk, pv)| (pk.clone(), as_sorted_list(pv.clone())))
                    .collect(),
            ),
            ("Condition", Value::Object(ops)) => Value::Object(
                ops.iter()
                    .map(|(op, keys)| {
                        let keys = match keys {
                            Value::Object(km) => Value::Object(
                                km.iter()
                                    .map(|(ck, cv)| (ck.clone(), as_sorted_list(cv.clone())))
                                    .collect(),
                            ),
                            other => other.clone(),
                        };
                        (op.clone(), keys)
                    })
                    .collect(),
            ),
            (_, v) => v.clone(),
        };
        out.insert(k.clone(), n);
    }
    Value::Object(out)
}

/// Why an existing policy whose default document is `current` needs no change for a step
/// whose document is `target`.
pub(super) fn in_place_reason(current: &Value, target: &Value) -> &'static str {
    if semantically_equal(current, target) {
        "it exists with this document"
    } else {
        // Met without being the same document: the requirement is IAM-004's.
        "it exists and denies access without MFA on its own (IAM-004); it is left unchanged"
    }
}

/// The statements of a policy document (`Statement` as a list or a single object).
pub(super) fn statements_of(doc: &Value) -> Vec<Value> {
    match doc.get("Statement") {
        Some(Value::Array(items)) => items.clone(),
        Some(Value::Null) | None => Vec::new(),
        Some(one) => vec![one.clone()],
    }
}

/// A statement's meaning, for comparison: normalised, without its `Sid` (a label).
fn statement_key(statement: &Value) -> Value {
    let mut n = normalize_statement(statement);
    if let Value::Object(map) = &mut n {
        map.remove("Sid");
    }
    n
}

/// `current` with every statement of `wanted` that it lacks (compared by meaning, `Sid`
/// aside) added after its own. Nothing of `current` is removed or changed: its statements,
/// their order, `Version` and `Id` stay. An added statement whose `Sid` is taken gets a
/// numbered one (`Sid2`, ...), since a policy's `Sid`s must differ.
pub fn add_missing_statements(current: &Value, wanted: &Value) -> Value {
    let mut out = match current {
        Value::Object(map) => map.clone(),
        _ => serde_json::Map::new(),
    };
    let mut statements = statements_of(current);
    let mut have: Vec<Value> = statements.iter().map(statement_key).collect();
    let sid = |s: &Value| s.get("Sid").and_then(Value::as_str).map(str::to_string);
    let mut sids: std::collections::HashSet<String> = statements.iter().filter_map(sid).collect();
    for statement in statements_of(wanted) {
        let key = statement_key(&statement);
        if have.contains(&key) {
            continue;
        }
        let mut statement = statement;
        if let Some(s) = sid(&statement) {
            let mut free = s.clone();
            let mut n = 2;
            while sids.contains(&free) {
                free = format!("{s}{n}");
                n += 1;
            }
            if free != s {
                statement["Sid"] = Value::String(free.clone());
            }
            sids.insert(free);
        }
        have.push(key);
        statements.push(statement);
    }
    out.insert("Statement".into(), Value::Array(statements));
    Value::Object(out)
}

/// What `doc` (a policy document as JSON) fails to do to deny access without MFA on its
/// own, as IAM-004 judges a policy; empty = it does.
pub(crate) fn mfa_gaps(doc: &Value) -> Vec<String> {
    match crate::policy::Document::from_json(doc) {
        Ok(d) => crate::checks::mfa_gaps(&d),
        Err(e) => vec![format!("the document cannot be read: {e}")],
    }
}

impl Requirement {
    /// Whether `current`, an existing policy's default document, needs no change for a
    /// step whose document is `target`.
    pub fn is_met(self, current: &Value, target: &Value) -> bool {
        match self {
            Requirement::SameDocument => semantically_equal(current, target),
            Requirement::EnforcesMfa => mfa_gaps(current).is_empty(),
        }
    }
}

fn as_sorted_list(v: Value) -> Value {
    let mut items = match v {
        Value::Array(items) => items,
        other => vec![other],
    };
    items.sort_by_key(|i| i.to_string());
    items.dedup();
    Value::Array(items)
}

/// The deny-without-MFA document, parsed.
fn deny_without_mfa() -> Value {
    parse_builtin(DENY_WITHOUT_MFA_JSON)
}

/// The seed permissions boundary, parsed.
fn seed_boundary() -> Value {
    parse_builtin(PERMISSIONS_BOUNDARY_JSON)
}

impl From<&PasswordPolicyConfig> for PasswordPolicySettings {
    fn from(c: &PasswordPolicyConfig) -> Self {
        PasswordPolicySettings {
            minimum_password_length: c.minimum_length,
            require_symbols: c.require_symbols,
            require_numbers: c.require_numbers,
            require_uppercase_characters: c.require_uppercase,
            require_lowercase_characters: c.require_lowercase,
            allow_users_to_change_password: c.allow_users_to_change,
            max_password_age: Some(c.max_age_days).filter(|d| *d > 0),
            password_reuse_prevention: Some(c.reuse_prevention).filter(|n| *n > 0),
            hard_expiry: false,
        }
    }
}

impl From<&PasswordPolicy> for PasswordPolicySettings {
    fn from(p: &PasswordPolicy) -> Self {
        PasswordPolicySettings {
            minimum_password_length: p.minimum_password_length.unwrap_or(0),
            require_symbols: p.require_symbols,
            require_numbers: p.require_numbers,
            require_uppercase_characters: p.require_uppercase_characters,
            require_lowercase_characters: p.require_lowercase_characters,
            allow_users_to_change_password: p.allow_users_to_change_password,
            max_password_age: p.max_password_age.filter(|d| *d > 0),
            password_reuse_prevention: p.password_reuse_prevention.filter(|n| *n > 0),
            hard_expiry: p.hard_expiry.unwrap_or(false),
        }
    }
}

/// The password policy to set: `target`, except where `current` is stronger (a longer
/// minimum length, a larger reuse count, a shorter maximum age, a required character
/// class, hard expiry), which stays.
pub fn merge_password_policy(
    current: Option<&PasswordPolicySettings>,
    target: &PasswordPolicySettings,
) -> PasswordPolicySettings {
    let Some(cur) = current else { return target.clone() };
    PasswordPolicySettings {
        minimum_password_length: cur.minimum_password_length.max(target.minimum_password_length),
        require_symbols: cur.require_symbols || target.require_symbols,
        require_numbers: cur.require_numbers || target.require_numbers,
        require_uppercase_characters: cur.require_uppercase_characters || target.require_uppercase_characters,
        require_lowercase_characters: cur.require_lowercase_characters || target.require_lowercase_characters,
        allow_users_to_change_password: cur.allow_users_to_change_password || target.allow_users_to_change_password,
        max_password_age: match (cur.max_password_age, target.max_password_age) {
            (Some(c), Some(t)) => Some(c.min(t)),
            (c, t) => c.or(t),
        },
        password_reuse_prevention: match (cur.password_reuse_prevention, target.password_reuse_prevention) {
            (Some(c), Some(t)) => Some(c.max(t)),
            (c, t) => c.or(t),
        },
        hard_expiry: cur.hard_expiry || target.hard_expiry,
    }
}

/// `password-policy`: one step that sets the configured policy, merged with the current
/// one so that no stronger setting is weakened.
pub fn password_policy(account: &Account, config: &Config) -> Result<Plan> {
    let target = PasswordPolicySettings::from(&config.password_policy);
    let (merged, expect, what) = match &account.password_policy {
        Collected::Yes(Some(p)) => {
            let current = PasswordPolicySettings::from(p);
            let merged = merge_password_policy(Some(&current), &target);
            let expect = if merged == current {
                Expect::InPlace
            } else {
                Expect::Change
            };
            (
                merged,
                expect,
                "update the account password policy (stronger existing settings are kept)",
            )
        }
        Collected::Yes(None) => (
            target,
            Expect::Change,
            "set the account password policy (the account has none)",
        ),
        _ => (
            target,
            Expect::Change,
            "set the account password policy (the current one is read again before it is changed)",
        ),
    };
    Ok(Plan {
        remediation: Remediation::PasswordPolicy,
        account_id: account_id(account)?,
        steps: vec![step(
            "set-password-policy",
            what,
            Call::UpdateAccountPasswordPolicy(merged),
            &[],
            expect,
        )],
    })
}

/// The oldest version of `policy` that is not the default one.
fn oldest_non_default(policy: &ManagedPolicy) -> Option<String> {
    let default = policy.default_version_id.as_deref();
    let version_number = |id: &str| id.trim_start_matches(['v', 'V']).parse::<u64>().unwrap_or(u64::MAX);
    policy
        .policy_version_list
        .iter()
        .filter(|v| !v.is_default_version && Some(v.version_id.as_str()) != default)
        .min_by_key(|v| (v.create_date, version_number(&v.version_id)))
        .map(|v| v.version_id.clone())
}

/// How [`policy_steps`] treats an existing policy of that name.
#[derive(Clone, Copy)]
enum Existing {
    /// Left as it is, whatever its document (the step is "in place" only with this document).
    Keep,
    /// Left as it is when it meets the requirement; otherwise the statements of the
    /// document that it lacks are added as a new default version.
    AddMissing(Requirement),
}

/// The steps that make sure the customer-managed policy `name` exists with `document`:
/// create it; or, for [`Existing::AddMissing`] when its default version falls short, a new
/// default version with its own statements and those of `document` it lacks (after
/// deleting the oldest non-default version when it already has 5). A statement the account
/// wrote is never removed. Returns the steps, the ID of the step the attachment depends
/// on, and the policy's ARN.
fn policy_steps(
    account: &Account,
    account_id: &str,
    name: &str,
    document: &Value,
    existing_policy: Existing,
    what: &str,
) -> (Vec<Step>, String, String) {
    let requirement = match existing_policy {
        Existing::Keep => Requirement::SameDocument,
        Existing::AddMissing(r) => r,
    };
    let create = |arn: &str, description: String, expect: Expect| {
        let call = Call::CreatePolicy {
            policy_name: name.into(),
            policy_document: document.clone(),
            policy_arn: arn.to_string(),
            in_place_when: requirement,
        };
        (
            vec![step("create-policy", description, call, &[], expect)],
            "create-policy".to_string(),
            arn.to_string(),
        )
    };
    let Some(existing) = account.customer_policy_named(name) else {
        let arn = policy_arn(account_id, name);
        return create(&arn, format!("create the {what} policy {name}"), Expect::Change);
    };
    let arn = existing.arn.clone();
    let current = existing.default_document().map(|d| &d.json);
    if let Some(current) = current.filter(|c| requirement.is_met(c, document)) {
        let why = in_place_reason(current, document);
        return create(
            &arn,
            format!("create the {what} policy {name} ({why})"),
            Expect::InPlace,
        );
    }
    if let Existing::Keep = existing_policy {
        return create(
            &arn,
            format!("create the {what} policy {name} (it exists with a different document, which is left unchanged)"),
            Expect::InPlace,
        );
    }
    let (new_document, description, expect) = match current {
        None => (
            document.clone(),
            format!("add the statements of the guide's document that {name} lacks as its new default version (its default version is not in the account data: it is read when applying, and its statements are kept)"),
            Expect::Change,
        ),
        Some(current) => {
            let merged = add_missing_statements(current, document);
            let kept = statements_of(current).len();
            let added = statements_of(&merged).len() - kept;
            let still = match requirement {
                Requirement::EnforcesMfa => mfa_gaps(&merged),
                Requirement::SameDocument => Vec::new(),
            };
            let still = if still.is_empty() {
                String::new()
            } else {
                format!(
                    "; it would still not deny access without MFA ({}): its own statements need editing",
                    still.join("; ")
                )
            };
            if added == 0 {
                (
                    merged,
                    format!("add the statements of the guide's document that {name} lacks"),
                    Expect::Skip(format!(
                        "{name} already has every statement of the guide's document{still}; statements it has are never removed"
                    )),
                )
            } else {
                (
                    merged,
                    format!(
                        "add the {added} statement(s) of the guide's document that {name} lacks as its new default version, keeping its {kept} own statement(s){still}"
                    ),
                    Expect::Change,
                )
            }
        }
    };
    let mut steps = Vec::new();
    let mut deps: Vec<&str> = Vec::new();
    if expect == Expect::Change && existing.policy_version_list.len() >= 5 {
        if let Some(old) = oldest_non_default(existing) {
            steps.push(step(
                "delete-old-policy-version",
                format!("delete version {old} of {name}, its oldest non-default version (a policy keeps at most 5 versions)"),
                Call::DeletePolicyVersion { policy_arn: arn.clone(), version_id: old },
                &[],
                Expect::Change,
            ));
            deps.push("delete-old-policy-version");
        }
    }
    steps.push(step(
        "update-policy",
        description,
        Call::CreatePolicyVersion {
            policy_arn: arn.clone(),
            policy_document: new_document,
            set_as_default: true,
            in_place_when: requirement,
        },
        &deps,
        expect,
    ));
    (steps, "update-policy".into(), arn)
}

/// `mfa-enforcement`: the deny-without-MFA policy, the human-users group, and the
/// attachment, each only if missing. A policy of that name that denies access without MFA
/// on its own (IAM-004) is left as it is; one that does not gets a new default version
/// with its own statements and the guide's statements it lacks.
pub fn mfa_enforcement(account: &Account, config: &Config) -> Result<Plan> {
    let id = account_id(account)?;
    let document = deny_without_mfa();
    let (mut steps, policy_step, arn) = policy_steps(
        account,
        &id,
        &config.mfa_policy_name,
        &document,
        Existing::AddMissing(Requirement::EnforcesMfa),
        "deny-without-MFA",
    );
    let group_name = &config.human_users_group;
    let group = account.group(group_name);
    steps.push(step(
        "create-group",
        format!("create the group {group_name}"),
        Call::CreateGroup {
            group_name: group_name.clone(),
        },
        &[],
        if group.is_some() {
            Expect::InPlace
        } else {
            Expect::Change
        },
    ));
    let attached = group.is_some_and(|g| g.attached_managed_policies.iter().any(|a| a.policy_arn == arn));
    steps.push(step(
        "attach-policy",
        format!("attach {} to the group {group_name}", config.mfa_policy_name),
        Call::AttachGroupPolicy {
            group_name: group_name.clone(),
            policy_arn: arn,
        },
        &[policy_step.as_str(), "create-group"],
        if attached { Expect::InPlace } else { Expect::Change },
    ));
    Ok(Plan {
        remediation: Remediation::MfaEnforcement,
        account_id: id,
        steps,
    })
}

fn named_users<'a>(account: &'a Account, names: &[String]) -> Result<Vec<&'a User>> {
    names
        .iter()
        .map(|n| {
            account.user(n).ok_or_else(|| {
                Error::field(
                    Field::Users,
                    format!("there is no user named {n:?} in the account data"),
                )
            })
        })
        .collect()
}

fn missing_group_reason(group: &str) -> String {
    format!("the group {group} does not exist; run `hipaa-iam remediate mfa-enforcement` first (it creates the group with the deny-without-MFA policy)")
}

/// Options of `group-membership`.
#[derive(Debug, Clone, Default)]
pub struct GroupMembershipOptions {
    /// The users to add (`--users`); empty = every user with a console password.
    pub users: Vec<String>,
}

/// `group-membership`: every console user (or each of `--users`) into the human-users
/// group.
pub fn group_membership(account: &Account, config: &Config, opts: &GroupMembershipOptions) -> Result<Plan> {
    let id = account_id(account)?;
    let users: Vec<&User> = if opts.users.is_empty() {
        let report = match &account.credential_report {
            Collected::Yes(r) => r,
            Collected::No => {
                return Err(Error::field_in(
                    Field::Users,
                    "the credential report is needed to find the users with a console password; it was not collected (or pass ",
                    " NAME,...)",
                ))
            }
            Collected::Failed { call, reason } => {
                return Err(Error::field_in(
                    Field::Users,
                    format!(
                        "the credential report is needed to find the users with a console password; {call} failed: {reason} (or pass "
                    ),
                    " NAME,...)",
                ))
            }
        };
        account
            .users
            .iter()
            .filter(|u| {
                report
                    .user(&u.user_name)
                    .is_some_and(|r| r.password_enabled == PasswordEnabled::Yes)
            })
            .collect()
    } else {
        named_users(account, &opts.users)?
    };
    let group = &config.human_users_group;
    let group_exists = account.group(group).is_some();
    let steps = users
        .iter()
        .map(|u| {
            let expect = if !group_exists {
                Expect::Skip(missing_group_reason(group))
            } else if u.group_list.iter().any(|g| g == group) {
                Expect::InPlace
            } else {
                Expect::Change
            };
            let now = if u.group_list.is_empty() {
                "in no group".to_string()
            } else {
                format!("in {}", u.group_list.join(", "))
            };
            step(
                format!("add-user:{}", u.user_name),
                format!("add {} to the group {group} (now {now})", u.user_name),
                Call::AddUserToGroup {
                    group_name: group.clone(),
                    user_name: u.user_name.clone(),
                },
                &[],
                expect,
            )
        })
        .collect();
    Ok(Plan {
        remediation: Remediation::GroupMembership,
        account_id: id,
        steps,
    })
}

/// Options of `permissions-boundary`.
#[derive(Debug, Clone)]
pub struct BoundaryOptions {
    /// The users (`--users`); empty = every user not covered by a valid IAM-008 exception.
    pub users: Vec<String>,
    /// The boundary document (`--policy-file`, already validated); `None` = the guide's.
    pub policy_document: Option<Value>,
    /// Replace a different existing boundary (`--replace`).
    pub replace: bool,
    /// The day exceptions are judged on.
    pub today: NaiveDate,
}

/// `permissions-boundary`: the boundary policy, then it as the boundary of each user that
/// lacks it.
pub fn permissions_boundary(account: &Account, config: &Config, opts: &BoundaryOptions) -> Result<Plan> {
    let id = account_id(account)?;
    let document = opts.policy_document.clone().unwrap_or_else(seed_boundary);
    let name = &config.boundary_policy_name;
    let (mut steps, policy_step, arn) =
        policy_steps(account, &id, name, &document, Existing::Keep, "permissions boundary");
    let users: Vec<&User> = if opts.users.is_empty() {
        account
            .users
            .iter()
            .filter(|u| {
                !config
                    .exception_for(BOUNDARY_CHECK, &u.arn, &u.user_name)
                    .is_some_and(|e| e.is_valid_on(opts.today))
            })
            .collect()
    } else {
        named_users(account, &opts.users)?
    };
    for u in users {
        steps.push(boundary_step(u, &arn, opts.replace, &policy_step));
    }
    Ok(Plan {
        remediation: Remediation::PermissionsBoundary,
        account_id: id,
        steps,
    })
}

fn boundary_step(user: &User, arn: &str, replace: bool, policy_step: &str) -> Step {
    let current = user
        .permissions_boundary
        .as_ref()
        .map(|b| b.permissions_boundary_arn.as_str());
    let expect = match current {
        Some(c) if c == arn => Expect::InPlace,
        Some(c) if !replace => Expect::Skip(format!("has boundary {c}; use --replace")),
        _ => Expect::Change,
    };
    let description = match current {
        Some(c) if c != arn => format!(
            "replace the permissions boundary of {} ({c}) with {arn}",
            user.user_name
        ),
        _ => format!("set {arn} as the permissions boundary of {}", user.user_name),
    };
    step(
        format!("put-boundary:{}", user.user_name),
        description,
        Call::PutUserPermissionsBoundary {
            user_name: user.user_name.clone(),
            permissions_boundary: arn.into(),
            replace,
        },
        &[policy_step],
        expect,
    )
}

/// Options of `access-analyzer`.
#[derive(Debug, Clone, Default)]
pub struct AnalyzerOptions {
    /// The audited regions (`--regions`, else the configuration's, else the SDK's).
    pub regions: Vec<String>,
}

/// `access-analyzer`: an ACCOUNT analyzer in each audited region without an ACTIVE
/// external-access analyzer.
pub fn access_analyzer(account: &Account, _config: &Config, opts: &AnalyzerOptions) -> Result<Plan> {
    let id = account_id(account)?;
    if opts.regions.is_empty() {
        return Err(Error::field_in(
            Field::Regions,
            "no region to remediate: pass ",
            ", set `regions` in the configuration, or configure an AWS region",
        ));
    }
    let mut regions = opts.regions.clone();
    regions.sort();
    regions.dedup();
    let steps = regions
        .iter()
        .map(|region| {
            let active = account
                .access_analyzer
                .get(region)
                .and_then(|r| r.analyzers.get())
                .and_then(|list| list.iter().find(|a| a.is_active_external_access()));
            let (description, expect) = match active {
                Some(a) => (
                    format!(
                        "create an ACCOUNT analyzer in {region} (the ACTIVE analyzer {} exists)",
                        a.name
                    ),
                    Expect::InPlace,
                ),
                None => (
                    format!("create the ACCOUNT analyzer {ANALYZER_NAME} in {region}"),
                    Expect::Change,
                ),
            };
            step(
                format!("create-analyzer:{region}"),
                description,
                Call::CreateAnalyzer {
                    region: region.clone(),
                    analyzer_name: ANALYZER_NAME.into(),
                    analyzer_type: "ACCOUNT".into(),
                },
                &[],
                expect,
            )
        })
        .collect();
    Ok(Plan {
        remediation: Remediation::AccessAnalyzer,
        account_id: id,
        steps,
    })
}

/// Options of `create-user`.
#[derive(Debug, Clone)]
pub struct CreateUserOptions {
    /// The new user's name (validated against IAM's rules).
    pub user_name: String,
    /// Give the user the configured permissions boundary (default; `--no-boundary` = false).
    pub boundary: bool,
    /// Give the user a console password that must be changed at first sign-in.
    pub console: bool,
}

/// `create-user`: the guide's provisioning: the boundary policy if missing, the user with
/// the boundary, membership of the human-users group (skipped, saying why, when the group
/// does not exist: `mfa-enforcement` creates it together with its policy), and an optional
/// console password that must be reset.
pub fn create_user(account: &Account, config: &Config, opts: &CreateUserOptions) -> Result<Plan> {
    validate_user_name(&opts.user_name)?;
    let id = account_id(account)?;
    let name = &opts.user_name;
    let existing = account.user(name);
    let mut steps = Vec::new();
    let mut user_deps: Vec<&str> = Vec::new();
    let boundary_arn = if opts.boundary {
        let (policy, policy_step, arn) = policy_steps(
            account,
            &id,
            &config.boundary_policy_name,
            &seed_boundary(),
            Existing::Keep,
            "permissions boundary",
        );
        steps.extend(policy.into_iter().map(|mut s| {
            s.id = "create-boundary-policy".into();
            s
        }));
        debug_assert_eq!(policy_step, "create-policy");
        user_deps.push("create-boundary-policy");
        Some(arn)
    } else {
        None
    };
    let user_expect = match existing {
        None => Expect::Change,
        Some(u) => {
            let current = u
                .permissions_boundary
                .as_ref()
                .map(|b| b.permissions_boundary_arn.as_str());
            match &boundary_arn {
                Some(want) if current != Some(want.as_str()) => Expect::Skip(format!(
                    "the user exists with {}; run `hipaa-iam remediate permissions-boundary --users {name}`",
                    current
                        .map(|c| format!("boundary {c}"))
                        .unwrap_or_else(|| "no boundary".into())
                )),
                _ => Expect::InPlace,
            }
        }
    };
    steps.push(step(
        "create-user",
        match &boundary_arn {
            Some(arn) => format!("create the user {name} with the permissions boundary {arn}"),
            None => format!("create the user {name} without a permissions boundary"),
        },
        Call::CreateUser {
            user_name: name.clone(),
            permissions_boundary: boundary_arn.clone(),
        },
        &user_deps,
        user_expect,
    ));
    let group = &config.human_users_group;
    let group_expect = if account.group(group).is_none() {
        Expect::Skip(missing_group_reason(group))
    } else if existing.is_some_and(|u| u.group_list.iter().any(|g| g == group)) {
        Expect::InPlace
    } else {
        Expect::Change
    };
    steps.push(step(
        "add-to-group",
        format!("add {name} to the group {group}"),
        Call::AddUserToGroup {
            group_name: group.clone(),
            user_name: name.clone(),
        },
        &["create-user"],
        group_expect,
    ));
    if opts.console {
        let has_password = account
            .credential_row(name)
            .is_some_and(|r| r.password_enabled == PasswordEnabled::Yes);
        steps.push(step(
            "create-login-profile",
            format!("give {name} a console password that must be changed at first sign-in"),
            Call::CreateLoginProfile {
                user_name: name.clone(),
                password_reset_required: true,
            },
            &["create-user"],
            if existing.is_some() && has_password {
                Expect::InPlace
            } else {
                Expect::Change
            },
        ));
    }
    Ok(Plan {
        remediation: Remediation::CreateUser,
        account_id: id,
        steps,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::account::{file, ExportSet};
    use crate::config::Exception;
    use serde_json::json;

    const ID: &str = "123456789012";

    fn account(auth: Value, extra: &[(&str, String)]) -> Account {
        let mut set = ExportSet::default();
        set.files
            .insert(file::AUTHORIZATION_DETAILS.into(), auth.to_string().into_bytes());
        for (name, text) in extra {
            set.files.insert((*name).into(), text.clone().into_bytes());
        }
        Account::from_exports(&set).unwrap()
    }

    fn user(name: &str, groups: &[&str], boundary: Option<&str>) -> Value {
        let mut u = json!({"UserName": name, "Arn": format!("arn:aws:iam::{ID}:user/{name}"), "GroupList": groups});
        if let Some(b) = boundary {
            u["PermissionsBoundary"] = json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": b});
        }
        u
    }

    fn with_policy(p: Value) -> Account {
        account(
            json!({"UserDetailList": [user("alice", &[], None)], "Policies": [p]}),
            &[],
        )
    }

    fn pw_file(p: Value) -> (&'static str, String) {
        (file::PASSWORD_POLICY, json!({ "PasswordPolicy": p }).to_string())
    }

    fn settings(plan: &Plan) -> &PasswordPolicySettings {
        match &plan.steps[0].call {
            Call::UpdateAccountPasswordPolicy(s) => s,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn password_policy_never_weakens_a_stronger_setting() {
        let stronger = pw_file(json!({
            "MinimumPasswordLength": 20, "RequireSymbols": true, "RequireNumbers": false,
            "RequireUppercaseCharacters": false, "RequireLowercaseCharacters": true,
            "AllowUsersToChangePassword": false, "ExpirePasswords": true, "MaxPasswordAge": 30,
            "PasswordReusePrevention": 30, "HardExpiry": true
        }));
        let a = account(json!({"UserDetailList": [user("alice", &[], None)]}), &[stronger]);
        let plan = password_policy(&a, &Config::default()).unwrap();
        assert_eq!(plan.steps[0].expect, Expect::Change);
        let s = settings(&plan);
        assert_eq!(s.minimum_password_length, 20, "a longer length stays");
        assert_eq!(s.password_reuse_prevention, Some(30), "a larger reuse count stays");
        assert_eq!(s.max_password_age, Some(30), "a shorter maximum age stays");
        assert!(s.hard_expiry, "hard expiry stays");
        assert!(
            s.require_symbols && s.require_numbers && s.require_uppercase_characters && s.require_lowercase_characters
        );
        assert!(s.allow_users_to_change_password);
    }

    #[test]
    fn password_policy_raises_a_weak_one_and_sets_one_where_none_exists() {
        let weak = pw_file(json!({"MinimumPasswordLength": 8, "RequireSymbols": false, "ExpirePasswords": false}));
        let a = account(json!({"UserDetailList": [user("alice", &[], None)]}), &[weak]);
        let plan = password_policy(&a, &Config::default()).unwrap();
        let expected = PasswordPolicySettings::from(&Config::default().password_policy);
        assert_eq!(settings(&plan), &expected);
        assert_eq!(expected.minimum_password_length, 14);
        assert_eq!(expected.max_password_age, Some(90));
        assert_eq!(expected.password_reuse_prevention, Some(24));

        let none = account(json!({"UserDetailList": [user("alice", &[], None)]}), &[]);
        let plan = password_policy(&none, &Config::default()).unwrap();
        assert_eq!(settings(&plan), &expected);
        assert!(plan.steps[0].description.contains("has none"));
    }

    #[test]
    fn a_policy_that_meets_the_configured_one_is_in_place() {
        let exact = pw_file(json!({
            "MinimumPasswordLength": 14, "RequireSymbols": true, "RequireNumbers": true,
            "RequireUppercaseCharacters": true, "RequireLowercaseCharacters": true,
            "AllowUsersToChangePassword": true, "ExpirePasswords": true, "MaxPasswordAge": 90,
            "PasswordReusePrevention": 24
        }));
        let a = account(json!({"UserDetailList": [user("alice", &[], None)]}), &[exact]);
        assert_eq!(
            password_policy(&a, &Config::default()).unwrap().steps[0].expect,
            Expect::InPlace
        );
    }

    #[test]
    fn documents_are_compared_by_meaning() {
        let guide = deny_without_mfa();
        let mut reordered: Value = serde_json::from_str(
            r#"{"Statement": {"Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": ["false"]}},
                "Resource": ["*"], "Effect": "Deny", "Sid": "DenyAllActionsIfNoMFA",
                "NotAction": ["iam:ChangePassword", "sts:GetSessionToken", "sts:GetCallerIdentity", "iam:GetUser",
                  "iam:DeleteVirtualMFADevice", "iam:ResyncMFADevice", "iam:ListVirtualMFADevices",
                  "iam:ListMFADevices", "iam:EnableMFADevice", "iam:CreateVirtualMFADevice"]},
               "Version": "2012-10-17"}"#,
        )
        .unwrap();
        assert!(semantically_equal(&guide, &reordered));
        reordered["Statement"]["Condition"] = json!({"Bool": {"aws:MultiFactorAuthPresent": "false"}});
        assert!(!semantically_equal(&guide, &reordered), "Bool is not BoolIfExists");
    }

    fn version(id: &str, default: bool, doc: &Value, day: u32) -> Value {
        json!({"VersionId": id, "IsDefaultVersion": default, "Document": doc,
               "CreateDate": format!("2024-01-{day:02}T00:00:00Z")})
    }

    #[test]
    fn mfa_policy_with_another_document_gets_a_new_version_after_the_oldest_is_deleted() {
        let bool_doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "NotAction": "iam:*",
            "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}]});
        let arn = format!("arn:aws:iam::{ID}:policy/deny-without-mfa");
        let versions: Vec<Value> = (1..=5)
            .map(|i| version(&format!("v{i}"), i == 2, &bool_doc, i))
            .collect();
        let a = with_policy(
            json!({"PolicyName": "deny-without-mfa", "Arn": arn, "DefaultVersionId": "v2",
            "PolicyVersionList": versions}),
        );
        let plan = mfa_enforcement(&a, &Config::default()).unwrap();
        let ids: Vec<&str> = plan.steps.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "delete-old-policy-version",
                "update-policy",
                "create-group",
                "attach-policy"
            ]
        );
        assert_eq!(
            plan.steps[0].call,
            Call::DeletePolicyVersion {
                policy_arn: arn.clone(),
                version_id: "v1".into()
            }
        );
        assert_eq!(plan.steps[1].depends_on, ["delete-old-policy-version"]);
        let Call::CreatePolicyVersion {
            set_as_default: true,
            policy_document,
            in_place_when: Requirement::EnforcesMfa,
            ..
        } = &plan.steps[1].call
        else {
            panic!("{:?}", plan.steps[1].call)
        };
        // Its own (Bool) statement stays; the guide's is added.
        assert_eq!(
            policy_document["Statement"],
            json!([bool_doc["Statement"][0], deny_without_mfa()["Statement"][0]])
        );
        assert_eq!(plan.steps[3].depends_on, ["update-policy", "create-group"]);

        // With fewer than 5 versions nothing is deleted; with the guide's document, nothing changes.
        let a = with_policy(
            json!({"PolicyName": "deny-without-mfa", "Arn": arn, "DefaultVersionId": "v1",
            "PolicyVersionList": [version("v1", true, &bool_doc, 1)]}),
        );
        let ids: Vec<String> = mfa_enforcement(&a, &Config::default())
            .unwrap()
            .steps
            .into_iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(ids, ["update-policy", "create-group", "attach-policy"]);
        let a = with_policy(
            json!({"PolicyName": "deny-without-mfa", "Arn": arn, "DefaultVersionId": "v1",
            "PolicyVersionList": [version("v1", true, &deny_without_mfa(), 1)]}),
        );
        let plan = mfa_enforcement(&a, &Config::default()).unwrap();
        assert_eq!(plan.steps[0].id, "create-policy");
        assert_eq!(plan.steps[0].expect, Expect::InPlace);
    }

    fn guide_statement() -> Value {
        deny_without_mfa()["Statement"][0].clone()
    }

    fn mfa_policy(doc: &Value) -> Account {
        with_policy(
            json!({"PolicyName": "deny-without-mfa", "Arn": format!("arn:aws:iam::{ID}:policy/deny-without-mfa"),
            "DefaultVersionId": "v1", "PolicyVersionList": [version("v1", true, doc, 1)]}),
        )
    }

    #[test]
    fn an_mfa_policy_that_passes_iam_004_with_statements_of_its_own_is_left_alone() {
        // The guide's statement under another Sid, plus two Denies of the account's own.
        let mut renamed = guide_statement();
        renamed["Sid"] = json!("OurMfaRule");
        let doc = json!({"Version": "2012-10-17", "Statement": [
            renamed,
            {"Sid": "NoBucketDeletes", "Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:DeleteAccountPasswordPolicy", "Resource": "*"}
        ]});
        let plan = mfa_enforcement(&mfa_policy(&doc), &Config::default()).unwrap();
        let ids: Vec<&str> = plan.steps.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["create-policy", "create-group", "attach-policy"]);
        assert_eq!(plan.steps[0].expect, Expect::InPlace);
        assert!(
            plan.steps[0].description.contains("left unchanged"),
            "{}",
            plan.steps[0].description
        );

        // A different document that enforces MFA on its own (fewer exemptions than the
        // guide's) is left alone too.
        let own = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny",
            "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices",
                "iam:ListVirtualMFADevices", "iam:ResyncMFADevice", "iam:GetUser", "iam:ChangePassword",
                "sts:GetSessionToken"],
            "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]});
        assert!(!semantically_equal(&own, &deny_without_mfa()));
        let plan = mfa_enforcement(&mfa_policy(&own), &Config::default()).unwrap();
        assert_eq!(plan.steps[0].id, "create-policy");
        assert_eq!(plan.steps[0].expect, Expect::InPlace);
    }

    #[test]
    fn an_mfa_policy_that_fails_iam_004_keeps_every_statement_and_gains_the_guides() {
        let own = json!([
            {"Sid": "DenyAllActionsIfNoMFA", "Effect": "Deny", "Action": "s3:*", "Resource": "*",
             "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}},
            {"Sid": "NoBucketDeletes", "Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}
        ]);
        let doc = json!({"Version": "2012-10-17", "Id": "ours", "Statement": own});
        let plan = mfa_enforcement(&mfa_policy(&doc), &Config::default()).unwrap();
        assert_eq!(plan.steps[0].id, "update-policy");
        assert_eq!(plan.steps[0].expect, Expect::Change);
        let Call::CreatePolicyVersion { policy_document, .. } = &plan.steps[0].call else {
            panic!("{:?}", plan.steps[0].call)
        };
        let mut added = guide_statement();
        added["Sid"] = json!("DenyAllActionsIfNoMFA2"); // the guide's Sid is taken
        assert_eq!(
            policy_document,
            &json!({"Version": "2012-10-17", "Id": "ours", "Statement": [own[0], own[1], added]})
        );
        assert!(mfa_gaps(policy_document).is_empty(), "the result passes IAM-004");
        assert!(plan.steps[0].description.contains("keeping its 2 own statement(s)"));

        // A statement that denies MFA self-service cannot be fixed by adding: the plan adds
        // the guide's statement and says the rest needs editing.
        let locked = json!({"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "*", "Resource": "*",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}});
        let plan = mfa_enforcement(&mfa_policy(&locked), &Config::default()).unwrap();
        let Call::CreatePolicyVersion { policy_document, .. } = &plan.steps[0].call else {
            panic!("{:?}", plan.steps[0].call)
        };
        assert_eq!(
            policy_document["Statement"],
            json!([locked["Statement"], guide_statement()])
        );
        assert!(
            plan.steps[0].description.contains("its own statements need editing"),
            "{}",
            plan.steps[0].description
        );
        // ... and once it has the guide's statement, there is nothing to add: skipped.
        let plan = mfa_enforcement(&mfa_policy(policy_document), &Config::default()).unwrap();
        assert!(
            matches!(&plan.steps[0].expect, Expect::Skip(why) if why.contains("never removed")),
            "{:?}",
            plan.steps[0]
        );
    }

    #[test]
    fn adding_missing_statements_never_changes_what_is_there() {
        let current = json!({"Version": "2008-10-17", "Statement": {"Sid": "A", "Effect": "Deny", "Action": "x:Y", "Resource": "*"}});
        let wanted = json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "B", "Effect": "Deny", "Action": ["x:Y"], "Resource": ["*"]},
            {"Sid": "A", "Effect": "Allow", "Action": "x:Z", "Resource": "*"},
            {"Sid": "A", "Effect": "Allow", "Action": "x:W", "Resource": "*"}
        ]});
        let merged = add_missing_statements(&current, &wanted);
        assert_eq!(
            merged,
            json!({"Version": "2008-10-17", "Statement": [
                {"Sid": "A", "Effect": "Deny", "Action": "x:Y", "Resource": "*"},
                {"Sid": "A2", "Effect": "Allow", "Action": "x:Z", "Resource": "*"},
                {"Sid": "A3", "Effect": "Allow", "Action": "x:W", "Resource": "*"}
            ]}),
            "the same statement under another Sid is not added again; taken Sids are numbered"
        );
        assert_eq!(add_missing_statements(&merged, &wanted), merged, "idempotent");
    }

    #[test]
    fn group_membership_takes_console_users_and_skips_when_the_group_is_missing() {
        let header = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date";
        let row = |u: &str, pw: &str| {
            format!("{u},arn:aws:iam::{ID}:user/{u},2024-01-01T00:00:00+00:00,{pw},N/A,N/A,false,false,N/A,N/A,false,N/A,N/A")
        };
        let report = format!(
            "{header}\n{}\n{}\n{}\n",
            row("alice", "true"),
            row("bob", "false"),
            row("carol", "true")
        );
        let auth = json!({
            "UserDetailList": [user("alice", &[], None), user("bob", &[], None), user("carol", &["human-users"], None)],
            "GroupDetailList": [{"GroupName": "human-users", "Arn": format!("arn:aws:iam::{ID}:group/human-users")}]
        });
        let a = account(auth.clone(), &[(file::CREDENTIAL_REPORT, report.clone())]);
        let plan = group_membership(&a, &Config::default(), &GroupMembershipOptions::default()).unwrap();
        let got: Vec<(&str, &Expect)> = plan.steps.iter().map(|s| (s.id.as_str(), &s.expect)).collect();
        assert_eq!(
            got,
            [
                ("add-user:alice", &Expect::Change),
                ("add-user:carol", &Expect::InPlace)
            ]
        );

        let mut no_group = auth;
        no_group["GroupDetailList"] = json!([]);
        let a = account(no_group, &[(file::CREDENTIAL_REPORT, report)]);
        let plan = group_membership(
            &a,
            &Config::default(),
            &GroupMembershipOptions {
                users: vec!["bob".into()],
            },
        )
        .unwrap();
        assert!(matches!(&plan.steps[0].expect, Expect::Skip(why) if why.contains("mfa-enforcement")));
        let err = group_membership(
            &a,
            &Config::default(),
            &GroupMembershipOptions {
                users: vec!["zed".into()],
            },
        );
        assert!(
            matches!(
                err,
                Err(Error::Argument {
                    field: Field::Users,
                    ..
                })
            ),
            "{err:?}"
        );
    }

    #[test]
    fn boundary_skips_a_different_boundary_unless_replace_and_honours_exceptions() {
        let ours = format!("arn:aws:iam::{ID}:policy/permissions-boundary-base");
        let other = format!("arn:aws:iam::{ID}:policy/legacy");
        let a = account(
            json!({"UserDetailList": [user("alice", &[], None), user("bob", &[], Some(&other)),
                user("carol", &[], Some(&ours)), user("svc-ci", &[], None)]}),
            &[],
        );
        let mut config = Config::default();
        config.exceptions.push(Exception {
            check: "IAM-008".into(),
            resource: "svc-*".into(),
            reason: "CI".into(),
            approved_by: "CISO".into(),
            expires: NaiveDate::from_ymd_opt(2099, 1, 1).unwrap(),
        });
        let opts = BoundaryOptions {
            users: vec![],
            policy_document: None,
            replace: false,
            today: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        };
        let plan = permissions_boundary(&a, &config, &opts).unwrap();
        let got: Vec<(&str, &Expect)> = plan.steps.iter().map(|s| (s.id.as_str(), &s.expect)).collect();
        let skip = Expect::Skip(format!("has boundary {other}; use --replace"));
        assert_eq!(
            got,
            [
                ("create-policy", &Expect::Change),
                ("put-boundary:alice", &Expect::Change),
                ("put-boundary:bob", &skip),
                ("put-boundary:carol", &Expect::InPlace)
            ]
        );
        let plan = permissions_boundary(
            &a,
            &config,
            &BoundaryOptions {
                replace: true,
                ..opts.clone()
            },
        )
        .unwrap();
        assert_eq!(plan.steps[2].expect, Expect::Change);
        // An expired exception no longer exempts.
        let late = BoundaryOptions {
            today: NaiveDate::from_ymd_opt(2100, 1, 1).unwrap(),
            ..opts
        };
        assert_eq!(permissions_boundary(&a, &config, &late).unwrap().steps.len(), 5);
    }

    #[test]
    fn create_user_refuses_an_invalid_name_and_plans_the_guide_steps() {
        let a = account(json!({"UserDetailList": [user("alice", &[], None)]}), &[]);
        let bad = CreateUserOptions {
            user_name: "jane doe".into(),
            boundary: true,
            console: true,
        };
        assert!(create_user(&a, &Config::default(), &bad)
            .unwrap_err()
            .to_string()
            .contains("not allowed"));
        let ok = CreateUserOptions {
            user_name: "analyst.jane".into(),
            ..bad
        };
        let plan = create_user(&a, &Config::default(), &ok).unwrap();
        let ids: Vec<&str> = plan.steps.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "create-boundary-policy",
                "create-user",
                "add-to-group",
                "create-login-profile"
            ]
        );
        assert_eq!(plan.steps[1].depends_on, ["create-boundary-policy"]);
        assert!(
            matches!(&plan.steps[2].expect, Expect::Skip(_)),
            "human-users is missing"
        );
        let json = serde_json::to_value(&plan).unwrap();
        assert_eq!(json["steps"][3]["call"]["Operation"], "CreateLoginProfile");
        assert!(json["steps"][3]["call"]["Arguments"].get("Password").is_none());
    }

    #[test]
    fn the_builtin_documents_parse() {
        assert!(deny_without_mfa().is_object());
        assert_eq!(
            deny_without_mfa()["Statement"][0]["Condition"]["BoolIfExists"]["aws:MultiFactorAuthPresent"],
            "false"
        );
        assert_eq!(seed_boundary()["Statement"].as_array().unwrap().len(), 4);
    }
}
