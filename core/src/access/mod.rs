//! Access queries: `explain` (how AWS would judge one concrete request of a user or role)
//! and `who_can` (which users and roles can do an action on a resource).
//!
//! Both answer *identity-based* access: the principal's identity policies (its own and, for a
//! user, its groups') within its permissions boundary, judged by the one evaluator
//! ([`Principal::evaluate`]). Resource-based policies (bucket, key, queue policies), session
//! policies and, in single-account runs, service control policies are not read: every answer
//! says which of them were not considered ([`not_considered`]); a KMS key is judged as if its
//! key policy delegated to IAM.
//!
//! Every answer carries a `path` of [`Hop`]s: empty for direct access (the principal's own
//! policies), the hops through other principals (assuming a role, passing it) for access
//! reached through the access graph.
//!
//! ```
//! # use hipaa_iam_core::access::Request;
//! let r = Request::from_json_line(
//!     r#"{"principal": "alice", "action": "s3:GetObject", "resource": "arn:aws:s3:::phi/x",
//!         "context": {"aws:MultiFactorAuthPresent": "true"}}"#,
//! )
//! .unwrap();
//! assert_eq!(r.context["aws:MultiFactorAuthPresent"], ["true"]);
//! ```

pub mod phi;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

/// One step of a path through other principals (the access graph's): `from` can do `action`
/// on `to`, allowed by the statements `allowed_by`, needing `requires` (`MFA`, `an external
/// ID`).
pub use crate::account::graph::Hop;
use crate::account::graph::{EdgeKind, NodeId, NodeKind, NodeSet, Step};
use crate::account::{boundary_of, role_context, user_context, Labelled};
use crate::account::{Account, Role, User};
use crate::error::Field;
use crate::policy::{
    catalogue, Ceiling, Context, Decision, Document, Effect, Evaluation, MatchedStatement, Principal, Tri,
};
use crate::{Error, Result};

/// What every answer says of its scope.
pub const SCOPE: &str = "identity-based access: the principal's identity policies (its own and its groups') within its permissions boundary; resource-based policies, session policies and service control policies were not considered";

/// What every answer says of its scope when the account's organization policies are known
/// (an account of a `collect --org` directory).
pub const SCOPE_ORG: &str = "identity-based access: the principal's identity policies (its own and its groups') within its permissions boundary, capped by the organization's service and resource control policies that apply to its account; resource-based policies and session policies were not considered";

/// [`SCOPE`] or [`SCOPE_ORG`], as the account's organization data is known or not.
pub fn scope(account: &Account) -> &'static str {
    match account.organization {
        crate::account::OrgPolicies::Known(_) => SCOPE_ORG,
        _ => SCOPE,
    }
}

/// One request to judge: a principal (a user or role, by name or ARN), an action, a resource
/// and the context keys the caller gives (each with one value or several).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawRequest")]
pub struct Request {
    /// The user or role: its name or ARN (an assumed-role ARN names its role).
    pub principal: String,
    /// `service:Action`.
    pub action: String,
    /// The resource's ARN (or `*`).
    pub resource: String,
    /// Context keys (as written) and their values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub context: BTreeMap<String, Vec<String>>,
}

/// A request as written, before its context values are checked.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequest {
    principal: String,
    action: String,
    resource: String,
    #[serde(default)]
    context: serde_json::Map<String, serde_json::Value>,
}

impl TryFrom<RawRequest> for Request {
    type Error = String;

    fn try_from(raw: RawRequest) -> std::result::Result<Request, String> {
        let mut context = BTreeMap::new();
        for (key, value) in raw.context {
            let scalar = |v: &serde_json::Value| match v {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Bool(b) => Some(b.to_string()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            };
            let values = match &value {
                serde_json::Value::Array(items) => items.iter().map(scalar).collect::<Option<Vec<_>>>(),
                other => scalar(other).map(|s| vec![s]),
            };
            let values = values.ok_or_else(|| {
                format!("field `context`: key {key:?} must have a string (or a number or boolean) or an array of them")
            })?;
            context.insert(key, values);
        }
        let request = Request {
            principal: raw.principal,
            action: raw.action,
            resource: raw.resource,
            context,
        };
        request
            .check()
            .map_err(|(field, message)| format!("field `{}`: {message}", field.name()))?;
        Ok(request)
    }
}

impl Request {
    /// A request without context keys.
    pub fn new(principal: impl Into<String>, action: impl Into<String>, resource: impl Into<String>) -> Request {
        Request {
            principal: principal.into(),
            action: action.into(),
            resource: resource.into(),
            context: BTreeMap::new(),
        }
    }

    /// The request with `key` given one more value.
    pub fn with(mut self, key: impl Into<String>, value: impl Into<String>) -> Request {
        self.context.entry(key.into()).or_default().push(value.into());
        self
    }

    /// Reads one request line: a JSON object with `principal`, `action`, `resource` and
    /// optionally `context` (`{"key": "value" or ["v1", "v2"]}`). Unknown fields are errors;
    /// the message names the field.
    pub fn from_json_line(line: &str) -> std::result::Result<Request, String> {
        serde_json::from_str(line).map_err(|e| {
            // serde_json ends its message with the position; a line's column is enough.
            let text = e.to_string();
            let message = text.rsplit_once(" at line ").map_or(text.as_str(), |(m, _)| m);
            format!("{message} (column {})", e.column())
        })
    }

    /// What is wrong with the request's fields before any account is read: an empty
    /// principal or resource, an action not of the form `service:action`.
    fn check(&self) -> std::result::Result<(), (Field, String)> {
        if self.principal.trim().is_empty() {
            return Err((Field::Principal, "empty: give a user or role name or ARN".into()));
        }
        check_action(&self.action).map_err(|m| (Field::Action, m))?;
        if self.resource.trim().is_empty() {
            return Err((Field::Resource, "empty: give the resource's ARN, or *".into()));
        }
        if let Some(key) = self.context.keys().find(|k| k.trim().is_empty()) {
            return Err((Field::Context, format!("empty context key {key:?}")));
        }
        Ok(())
    }
}

/// Checks that `action` has the form `service:action` (a service prefix of letters, digits and
/// `-`, a colon, an action name without spaces).
pub fn check_action(action: &str) -> std::result::Result<(), String> {
    let ok = action.split_once(':').is_some_and(|(service, name)| {
        !service.is_empty()
            && service.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !name.is_empty()
            && !name.contains(':')
            && !name.chars().any(char::is_whitespace)
    });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{action:?} is not an action: expected service:action, like s3:GetObject"
        ))
    }
}

/// The largest requests file read without [`crate::input::MAX_INPUT_SIZE_ENV`].
pub const MAX_REQUESTS_FILE_BYTES: u64 = 256 << 20;

/// Reads the requests file `path` ([`read_requests`]).
pub fn read_requests_file(path: &Path) -> Result<Vec<(usize, Request)>> {
    let limit = crate::input::size_limit_from_env()?.unwrap_or(MAX_REQUESTS_FILE_BYTES);
    let bytes = crate::input::read_file(path, limit)?;
    let text = String::from_utf8(bytes).map_err(|e| {
        Error::input(
            path,
            "",
            format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()),
        )
    })?;
    read_requests(path, &text)
}

/// Reads the requests of a file's text: JSON lines, one request each (blank lines are
/// skipped), each with its 1-based line number. An error names the file, the line and the
/// field.
pub fn read_requests(path: &Path, text: &str) -> Result<Vec<(usize, Request)>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let request = Request::from_json_line(line).map_err(|m| Error::input(path, format!("line {}", i + 1), m))?;
        out.push((i + 1, request));
    }
    if out.is_empty() {
        return Err(Error::input(
            path,
            "",
            "no request: expected JSON lines, one request each",
        ));
    }
    Ok(out)
}

/// A user or a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PrincipalKind {
    /// An IAM user.
    User,
    /// An IAM role.
    Role,
}

impl PrincipalKind {
    /// `user` or `role`.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::User => "user",
            PrincipalKind::Role => "role",
        }
    }
}

/// A statement that decided (or could decide) a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecidingStatement {
    /// The policy's label: `AdministratorAccess (attached to group admins)`, `inline s3 on
    /// user alice`, `permissions boundary dev-boundary`.
    pub policy: String,
    /// The statement's `Sid`, or `statement N` (1-based) without one.
    pub statement: String,
    /// `Allow` or `Deny`.
    pub effect: Effect,
    /// Whether the statement is in the permissions boundary.
    pub boundary: bool,
    /// Whether the statement is in a service or resource control policy of the
    /// organization (its `policy` then names the policy and where it is attached).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub organization: bool,
    /// Whether it applies only under conditions the request does not settle.
    pub conditional: bool,
}

impl DecidingStatement {
    /// `policy [statement]`.
    pub fn label(&self) -> String {
        format!("{} [{}]", self.policy, self.statement)
    }
}

/// How AWS would judge one request, from the principal's identity policies and boundary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// The principal's ARN.
    pub principal: String,
    /// Its name.
    pub principal_name: String,
    /// `user` or `role`.
    pub principal_type: PrincipalKind,
    /// The action.
    pub action: String,
    /// The resource.
    pub resource: String,
    /// `allowed`, `denied` or `not-granted`.
    pub decision: Decision,
    /// Not granted, but an `Allow` applies under conditions the request does not settle.
    pub conditional_allow: bool,
    /// Not denied, but a `Deny` applies under conditions the request does not settle.
    pub conditional_deny: bool,
    /// The statements that decided: for `denied` the denies, for `allowed` the allows (and
    /// conditional denies), for `not-granted` every statement that matched.
    pub statements: Vec<DecidingStatement>,
    /// The principals the access goes through (empty: the principal's own policies).
    pub path: Vec<Hop>,
    /// One sentence: why.
    pub reason: String,
    /// What the principal's permissions depend on that the data lacks (a managed policy, a
    /// group, a boundary): the answer may differ with it.
    pub incomplete: Vec<String>,
    /// The policies not considered.
    pub not_considered: Vec<String>,
    /// What the request may have wrong (an action the catalogue does not know).
    pub warnings: Vec<String>,
}

/// A user or role of the account, with its policies.
#[derive(Clone, Copy)]
enum Who<'a> {
    User(&'a User),
    Role(&'a Role),
}

impl<'a> Who<'a> {
    fn arn(self) -> &'a str {
        match self {
            Who::User(u) => &u.arn,
            Who::Role(r) => &r.arn,
        }
    }

    fn name(self) -> &'a str {
        match self {
            Who::User(u) => &u.user_name,
            Who::Role(r) => &r.role_name,
        }
    }

    fn kind(self) -> PrincipalKind {
        match self {
            Who::User(_) => PrincipalKind::User,
            Who::Role(_) => PrincipalKind::Role,
        }
    }

    /// Who signs in as this role through IAM Identity Center, when it is one the instance
    /// provisioned ([`crate::account::identity_center::IdentityCenter::sign_ins`]).
    fn identity_center_sign_ins(self, account: &Account) -> Vec<String> {
        match self {
            Who::User(_) => Vec::new(),
            Who::Role(r) => account.identity_center_sign_ins(r),
        }
    }

    fn boundary(self) -> Option<&'a crate::account::Boundary> {
        match self {
            Who::User(u) => u.permissions_boundary.as_ref(),
            Who::Role(r) => r.permissions_boundary.as_ref(),
        }
    }

    fn labelled(self, account: &'a Account) -> Labelled<'a> {
        match self {
            Who::User(u) => Labelled::user(account, u),
            Who::Role(r) => Labelled::role(account, r),
        }
    }

    /// The context keys the principal implies, as [`principal_context`] says.
    fn context(self, account: &Account) -> Context {
        match self {
            Who::User(u) => user_context(account, u),
            Who::Role(r) => role_context(account, r),
        }
    }
}

/// Finds the user or role `name` (a name, a user or role ARN, or an assumed-role ARN); an
/// error names it and suggests the closest name.
fn find<'a>(account: &'a Account, name: &str) -> Result<Who<'a>> {
    let name = name.trim();
    if name.starts_with("arn:") {
        if let Some(u) = account.users.iter().find(|u| u.arn == name) {
            return Ok(Who::User(u));
        }
        if let Some(r) = account.roles.iter().find(|r| r.arn == name) {
            return Ok(Who::Role(r));
        }
        // arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION: a session of role NAME.
        if let Some(role) = name
            .split_once(":assumed-role/")
            .and_then(|(_, rest)| rest.split('/').next())
        {
            if let Some(r) = account.roles.iter().find(|r| r.role_name == role) {
                return Ok(Who::Role(r));
            }
        }
        return Err(Error::field_in(
            Field::Principal,
            "",
            format!(": no user or role has the ARN {name:?} in the account data"),
        ));
    }
    let user = account.user(name);
    let role = account.roles.iter().find(|r| r.role_name == name);
    match (user, role) {
        (Some(u), None) => Ok(Who::User(u)),
        (None, Some(r)) => Ok(Who::Role(r)),
        (Some(u), Some(r)) => Err(Error::field(
            Field::Principal,
            format!(
                "both a user and a role are named {name:?}: give the ARN ({} or {})",
                u.arn, r.arn
            ),
        )),
        (None, None) => {
            let names = account
                .users
                .iter()
                .map(|u| u.user_name.as_str())
                .chain(account.roles.iter().map(|r| r.role_name.as_str()));
            let hint = catalogue::closest_name(name, names)
                .map(|n| {
                    let kind = if account.user(n).is_some() { "user" } else { "role" };
                    format!(" (did you mean {kind} {n:?}?)")
                })
                .unwrap_or_default();
            Err(Error::field(
                Field::Principal,
                format!("no user or role named {name:?} in the account data{hint}"),
            ))
        }
    }
}

/// The context of a concrete request of `principal` (a user or role name or ARN): the keys
/// the principal implies (`aws:username` for a user, `aws:userid`, `aws:PrincipalArn`,
/// `aws:PrincipalAccount`, `aws:PrincipalType` `User` or `AssumedRole`, an
/// `aws:PrincipalTag/KEY` per tag) and then the keys `given` (which replace them: a role
/// session's `aws:userid` holds its session name, unknown unless given); every other key
/// is absent.
pub fn principal_context(account: &Account, principal: &str, given: &BTreeMap<String, Vec<String>>) -> Result<Context> {
    Ok(concrete_context(find(account, principal)?.context(account), given))
}

fn concrete_context(mut ctx: Context, given: &BTreeMap<String, Vec<String>>) -> Context {
    for (key, values) in given {
        ctx = ctx.with_values(key, values.iter().cloned());
    }
    ctx.absent_unless_given()
}

/// The resource-based and organization policies an identity-based answer about `resource`
/// does not consider, one phrase each.
pub fn not_considered(account: &Account, resource: &str) -> Vec<String> {
    let fields: Vec<&str> = resource.splitn(6, ':').collect();
    let mut out = Vec::new();
    if let [_, _, service, _, _, rest] = fields.as_slice() {
        let head = |sep: char| rest.split(sep).next().unwrap_or(rest);
        match *service {
            "s3" => out.push(format!(
                "the S3 bucket policy of arn:aws:s3:::{} (and the object's ACL)",
                head('/')
            )),
            "kms" => out.push(format!(
                "the key policy and grants of {resource}: the key is judged as if its key policy delegated to IAM"
            )),
            "iam" if rest.starts_with("role/") => out.push(format!(
                "the trust policy of {resource} (this answer covers the caller's identity policies)"
            )),
            "sqs" => out.push(format!("the queue policy of {resource}")),
            "sns" => out.push(format!("the topic policy of {resource}")),
            "lambda" => out.push(format!("the resource-based policy of {resource}")),
            "secretsmanager" => out.push(format!("the resource policy of {resource}")),
            "ecr" => out.push(format!("the repository policy of {resource}")),
            "glacier" => out.push(format!("the vault access policy of {resource}")),
            "es" | "aoss" => out.push(format!("the domain access policy of {resource}")),
            "backup" => out.push(format!("the backup vault access policy of {resource}")),
            _ => out.push(format!("any resource-based policy of {resource}")),
        }
    } else {
        out.push(format!("any resource-based policy of {resource}"));
    }
    out.push("session policies (of a role session or federated user)".to_string());
    use crate::account::{OrgPolicies, PolicyState};
    match &account.organization {
        OrgPolicies::NotCollected => out.push(
            "service control policies and resource control policies (not collected in single-account runs)".to_string(),
        ),
        OrgPolicies::Unknown(why) => out.push(format!(
            "service control policies and resource control policies (unknown: {why})"
        )),
        OrgPolicies::Known(org) if org.is_management() => {}
        OrgPolicies::Known(org) => {
            for (kind, state) in [
                ("service control policies", &org.scp),
                ("resource control policies", &org.rcp),
            ] {
                if let PolicyState::Unknown(why) = state {
                    out.push(format!("{kind} (unknown: {why})"));
                }
            }
        }
    }
    out
}

/// The warnings of a request's action: one the catalogue does not know (with the closest
/// real action).
fn action_warnings(action: &str) -> Vec<String> {
    let cat = catalogue::get();
    if cat.contains(action) || action.contains(['*', '?']) {
        return Vec::new();
    }
    let hint = cat
        .suggest(action, 1)
        .first()
        .map(|s| format!(" (did you mean {}?)", s.action.name()))
        .unwrap_or_default();
    vec![format!(
        "{action} is not an action of the IAM action catalogue{hint}: only statements whose patterns match it as written apply"
    )]
}

/// The labelled documents, boundary and what is missing, of one principal.
struct Policies<'a> {
    labelled: Labelled<'a>,
    ceiling: Option<&'a Ceiling>,
    boundary: Option<(&'a Document, String)>,
    incomplete: Vec<String>,
}

impl<'a> Policies<'a> {
    fn of(account: &'a Account, who: Who<'a>) -> Policies<'a> {
        let labelled = who.labelled(account);
        let mut incomplete: Vec<String> = labelled
            .unknown()
            .into_iter()
            .map(|w| format!("{w} (missing from the account data)"))
            .collect();
        let boundary = match boundary_of(account, who.boundary()) {
            Ok(Some(doc)) => {
                let arn = who.boundary().map_or("", |b| b.permissions_boundary_arn.as_str());
                let name = account.policy(arn).map_or(arn, |p| p.policy_name.as_str());
                Some((doc, format!("permissions boundary {name}")))
            }
            Ok(None) => None,
            Err(arn) => {
                incomplete.push(format!(
                    "permissions boundary {arn} (missing from the account data; taken to restrict nothing)"
                ));
                None
            }
        };
        Policies {
            ceiling: labelled.ceiling,
            labelled,
            boundary,
            incomplete,
        }
    }

    fn principal(&self) -> Principal<'a> {
        self.labelled.principal(self.boundary.as_ref().map(|(d, _)| *d))
    }

    /// The document and label of a matched statement.
    fn document(&self, m: &MatchedStatement) -> Option<(&'a Document, std::borrow::Cow<'_, str>)> {
        if let Some(at) = m.ceiling {
            let c = self.ceiling?;
            let doc = c.document(at.chain, at.level, m.document)?;
            return Some((doc, c.describe(at.chain, at.level, m.document)?.into()));
        }
        if m.boundary {
            self.boundary.as_ref().map(|(d, l)| (*d, l.as_str().into()))
        } else {
            Some((
                *self.labelled.docs.get(m.document)?,
                self.labelled.labels.get(m.document)?.as_str().into(),
            ))
        }
    }

    fn statement(&self, m: &MatchedStatement) -> Option<DecidingStatement> {
        let (doc, label) = self.document(m)?;
        let s = doc.statements().get(m.statement)?;
        Some(DecidingStatement {
            policy: label.to_string(),
            statement: s.label(),
            effect: m.effect,
            boundary: m.boundary,
            organization: m.ceiling.is_some(),
            conditional: m.conditional,
        })
    }
}

/// `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Where a deciding statement is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Origin {
    Identity,
    Boundary,
    Organization,
}

impl Origin {
    fn of(s: &DecidingStatement) -> Origin {
        if s.organization {
            Origin::Organization
        } else if s.boundary {
            Origin::Boundary
        } else {
            Origin::Identity
        }
    }
}

fn reason(e: &Evaluation, statements: &[DecidingStatement], ceiling: Option<&Ceiling>) -> String {
    let pick = |effect: Effect, conditional: bool, origin: Option<Origin>| -> Vec<String> {
        statements
            .iter()
            .filter(|s| s.effect == effect && s.conditional == conditional && origin.is_none_or(|o| Origin::of(s) == o))
            .map(DecidingStatement::label)
            .collect()
    };
    let mut out = match e.decision {
        Decision::Denied => format!("explicitly denied by {}", and_list(&pick(Effect::Deny, false, None))),
        Decision::Allowed => {
            let mut s = format!(
                "allowed by {}",
                and_list(&pick(Effect::Allow, false, Some(Origin::Identity)))
            );
            let within = pick(Effect::Allow, false, Some(Origin::Boundary));
            if !within.is_empty() {
                s.push_str(&format!(", within the boundary ({})", and_list(&within)));
            }
            let org = pick(Effect::Allow, false, Some(Origin::Organization));
            if !org.is_empty() {
                s.push_str(&format!(", through the organization's policies ({})", and_list(&org)));
            }
            s
        }
        Decision::NotGranted => {
            let (identity, bounded) = (
                pick(Effect::Allow, false, Some(Origin::Identity)),
                pick(Effect::Allow, false, Some(Origin::Boundary)),
            );
            if e.capped {
                let levels: Vec<String> = e
                    .capped_at
                    .iter()
                    .filter_map(|at| {
                        let c = ceiling?.chains.get(at.chain)?;
                        Some(format!(
                            "no {} attached to {} allows it",
                            c.kind.short(),
                            c.levels.get(at.level)?.name
                        ))
                    })
                    .collect();
                format!(
                    "{} allows it but the organization's policies do not: {}",
                    and_list(&identity),
                    and_list(&levels)
                )
            } else if !identity.is_empty() {
                format!(
                    "{} allows it but the permissions boundary does not",
                    and_list(&identity)
                )
            } else if !bounded.is_empty() {
                format!(
                    "the permissions boundary allows it ({}) but no identity policy does",
                    and_list(&bounded)
                )
            } else {
                "no statement allows it (implicit deny)".to_string()
            }
        }
    };
    if e.conditional_allow {
        out.push_str(&format!(
            "; may be allowed under conditions the request does not settle by {}",
            and_list(&pick(Effect::Allow, true, None))
        ));
    }
    if e.conditional_deny {
        out.push_str(&format!(
            "; may be denied under conditions the request does not settle by {}",
            and_list(&pick(Effect::Deny, true, None))
        ));
    }
    out
}

/// Judges `request` as AWS would from the principal's identity policies and boundary: the
/// context holds the keys the request gives and those the principal implies
/// ([`principal_context`]), every other key absent. Errors: an unknown principal (naming the
/// closest user or role name), an action not of the form `service:action`.
pub fn explain(account: &Account, request: &Request) -> Result<Explanation> {
    request
        .check()
        .map_err(|(field, message)| Error::field(field, message))?;
    let who = find(account, &request.principal)?;
    let ctx = concrete_context(who.context(account), &request.context);
    let policies = Policies::of(account, who);
    let e = policies.principal().evaluate(&request.action, &request.resource, &ctx);
    let statements: Vec<DecidingStatement> = e
        .matched
        .iter()
        .filter(|m| match e.decision {
            Decision::Denied => m.effect == Effect::Deny && !m.conditional,
            Decision::Allowed => (m.effect == Effect::Allow && !m.conditional) || m.effect == Effect::Deny,
            Decision::NotGranted => true,
        })
        .filter_map(|m| policies.statement(m))
        .collect();
    let mut why = reason(&e, &statements, policies.ceiling);
    let path = if e.is_allowed() {
        Vec::new()
    } else {
        path_to_access(account, who, request)
    };
    if let Some(last) = path.last() {
        why.push_str(&format!(
            "; through other principals it can reach {} by {} hop{} ending at {}",
            request.action,
            path.len(),
            if path.len() == 1 { "" } else { "s" },
            last.to
        ));
    }
    Ok(Explanation {
        principal: who.arn().to_string(),
        principal_name: who.name().to_string(),
        principal_type: who.kind(),
        action: request.action.clone(),
        resource: request.resource.clone(),
        decision: e.decision,
        conditional_allow: e.conditional_allow,
        conditional_deny: e.conditional_deny,
        reason: why,
        statements,
        path,
        incomplete: policies.incomplete,
        not_considered: not_considered(account, &request.resource),
        warnings: action_warnings(&request.action),
    })
}

/// The shortest path of the [access graph](crate::account::graph) from `who` to a principal
/// whose own policies allow (or may allow) the request's action on its resource: a user or
/// role it can become, or a group it can join, judged with that principal's own context and
/// the keys the request gives. Empty when there is none.
fn path_to_access(account: &Account, who: Who<'_>, request: &Request) -> Vec<Hop> {
    let graph = account.access_graph();
    let start = match who {
        Who::User(u) => account
            .users
            .iter()
            .position(|x| std::ptr::eq(x, u))
            .map(|i| graph.user(i)),
        Who::Role(r) => account
            .roles
            .iter()
            .position(|x| std::ptr::eq(x, r))
            .map(|i| graph.role(i)),
    };
    let Some(start) = start else { return Vec::new() };
    let allows = |n: NodeId| -> bool {
        let w = match graph.kind(n) {
            (NodeKind::User, i) => Who::User(&account.users[i]),
            (NodeKind::Role, i) => Who::Role(&account.roles[i]),
            (NodeKind::Group, _) => {
                let e = graph.labelled(account, n).principal(None).evaluate(
                    &request.action,
                    &request.resource,
                    &Context::new(),
                );
                return e.is_allowed() || e.conditional_allow;
            }
        };
        let ctx = concrete_context(w.context(account), &request.context);
        let e = Policies::of(account, w)
            .principal()
            .evaluate(&request.action, &request.resource, &ctx);
        e.is_allowed() || e.conditional_allow
    };
    let mut found = None;
    let walk = graph.walk_until(start, |_| true, &mut |_| true, &mut |n, _| {
        if allows(n) {
            found = Some(n);
            return false;
        }
        true
    });
    found.map_or_else(Vec::new, |n| graph.hops(account, &walk.path(n)))
}

/// [`explain`] of each request of a requests file, in order; an error (an unknown principal)
/// names the file and the line.
pub fn explain_lines(account: &Account, path: &Path, requests: &[(usize, Request)]) -> Result<Vec<Explanation>> {
    requests
        .iter()
        .map(|(line, r)| explain(account, r).map_err(|e| Error::input(path, format!("line {line}"), e.to_string())))
        .collect()
}

/// How a principal can do the action of a [`who_can`] question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reach {
    /// Allowed, whatever the request's context.
    Allowed,
    /// Allowed when the conditions in `requires` hold.
    Conditional,
}

impl Reach {
    /// `allowed` or `conditional`.
    pub fn as_str(self) -> &'static str {
        match self {
            Reach::Allowed => "allowed",
            Reach::Conditional => "conditional",
        }
    }
}

/// One principal that can do the action of a [`who_can`] question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Access {
    /// Its ARN.
    pub principal: String,
    /// Its name.
    pub name: String,
    /// `user` or `role`.
    #[serde(rename = "type")]
    pub kind: PrincipalKind,
    /// `allowed`, or `conditional` (when `requires` holds).
    pub decision: Reach,
    /// The condition keys the allowing statements need, `MFA` for
    /// `aws:MultiFactorAuthPresent` and `aws:MultiFactorAuthAge` (empty when allowed).
    pub requires: Vec<String>,
    /// The statements that allow it (`policy [statement]`).
    pub allowed_by: Vec<String>,
    /// Whether a `Deny` may apply under conditions.
    pub conditional_deny: bool,
    /// The principals the access goes through (empty: its own policies).
    pub path: Vec<Hop>,
    /// For a role IAM Identity Center provisioned for a permission set, who signs in as it
    /// (`user alex.rivera through group IT-Admins via permission set AdministratorAccess`),
    /// from the Identity Center data when the account data has it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub identity_center: Vec<String>,
}

/// The answer of [`who_can`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WhoCan {
    /// The action asked about.
    pub action: String,
    /// The resource asked about.
    pub resource: String,
    /// What the answer covers ([`SCOPE`]).
    pub scope: &'static str,
    /// Every user and role (service-linked roles aside) that can do it, users first, each by
    /// name.
    pub principals: Vec<Access>,
    /// Principals whose policies are partly missing from the data and were not found to
    /// have the access: the missing part might grant it (`user bob: managed policy ...`).
    pub not_evaluated: Vec<String>,
    /// The policies not considered.
    pub not_considered: Vec<String>,
    /// What the question may have wrong (an action the catalogue does not know).
    pub warnings: Vec<String>,
}

/// The condition keys one conditional statement needs under `ctx`, as a reader names them.
fn requirements(doc: &Document, m: &MatchedStatement, ctx: &Context, out: &mut Vec<String>) {
    let Some(s) = doc.statements().get(m.statement) else {
        return;
    };
    let mut any = false;
    for c in s.conditions().iter().filter(|c| c.evaluate(ctx) == Tri::Unknown) {
        any = true;
        let name = if c.key().eq_ignore_ascii_case("aws:MultiFactorAuthPresent")
            || c.key().eq_ignore_ascii_case("aws:MultiFactorAuthAge")
        {
            "MFA".to_string()
        } else if c.understood_operator().is_none() {
            format!("{} {}", c.operator(), c.key())
        } else {
            c.key().to_string()
        };
        if !out.contains(&name) {
            out.push(name);
        }
    }
    if !any {
        let name = "the values of the policy variables in its resources".to_string();
        if !out.contains(&name) {
            out.push(name);
        }
    }
}

/// Whether what `doc` allows can differ between principals with the same documents: a
/// policy variable anywhere, or a condition on a key the principal implies.
fn depends_on_principal(doc: &Document) -> bool {
    doc.statements().iter().any(|s| {
        let resources = match s.resources() {
            crate::policy::Resources::Resource(ps) | crate::policy::Resources::NotResource(ps) => ps.as_slice(),
            crate::policy::Resources::Missing => &[],
        };
        resources.iter().any(|p| p.has_variables())
            || s.conditions().iter().any(|c| {
                let key = c.key().to_ascii_lowercase();
                key.starts_with("aws:principal")
                    || key == "aws:username"
                    || key == "aws:userid"
                    || c.values().any(|v| v.contains("${"))
            })
    })
}

/// Every user and role (service-linked roles aside) whose own identity policies, within its
/// boundary, allow `action` on `resource`, definitely or under conditions, and every one that
/// reaches such a principal (or a group whose policies allow it) through the access graph,
/// with its path. Keys the question
/// does not fix are unknown (a condition on one is a requirement, e.g. `MFA`), those the
/// principal implies are its own. Principals with the same documents and no policy
/// variables or conditions on principal keys share one evaluation.
pub fn who_can(account: &Account, action: &str, resource: &str) -> Result<WhoCan> {
    check_action(action).map_err(|m| Error::field(Field::Action, m))?;
    if resource.trim().is_empty() {
        return Err(Error::field(Field::Resource, "empty: give the resource's ARN, or *"));
    }
    let mut answer = who_can_any(account, &[action], &[resource]);
    answer.action = action.to_string();
    answer.resource = resource.to_string();
    answer.not_considered = not_considered(account, resource);
    answer.warnings = action_warnings(action);
    Ok(answer)
}

/// The first of `actions` on the first of `resources` that `principal` may be allowed
/// under `ctx` (allowed first, else allowed under conditions).
fn may_any(principal: &Principal<'_>, actions: &[&str], resources: &[&str], ctx: &Context) -> Option<Evaluation> {
    let mut conditional = None;
    for action in actions.iter().filter(|a| principal.may_allow_known(a)) {
        for resource in resources {
            let e = principal.evaluate(action, resource, ctx);
            if e.decision == Decision::Allowed {
                return Some(e);
            }
            if e.conditional_allow && conditional.is_none() {
                conditional = Some(e);
            }
        }
    }
    conditional
}

/// Evaluations shared by the principals with the same documents, boundary and ceiling.
type SharedEvaluations =
    HashMap<(Vec<*const Document>, Option<*const Document>, Option<*const Ceiling>), Option<Evaluation>>;

/// [`who_can`] for any of `actions` on any of `resources` (checked by the caller): every
/// user and role that may do one of them, directly or through a path, as one answer (the
/// PHI access evidence asks this of each access level of each PHI resource).
pub fn who_can_any(account: &Account, actions: &[&str], resources: &[&str]) -> WhoCan {
    let graph = account.access_graph();
    let who: Vec<(Who<'_>, NodeId)> = account
        .users
        .iter()
        .enumerate()
        .map(|(i, u)| (Who::User(u), graph.user(i)))
        .chain(
            account
                .roles
                .iter()
                .enumerate()
                .filter(|(_, r)| !r.is_service_linked())
                .map(|(i, r)| (Who::Role(r), graph.role(i))),
        )
        .collect();
    // The principals with the access of their own, by node.
    let mut direct: NodeSet = NodeSet::default();
    // Per document: whether it depends on the principal (memoised by address).
    let mut depends: HashMap<*const Document, bool> = HashMap::new();
    // Per set of documents that depends on no principal: the shared evaluation.
    let mut shared: SharedEvaluations = HashMap::new();
    let empty = Context::new();
    let mut principals = Vec::new();
    let mut not_evaluated = Vec::new();
    let mut not_evaluated_nodes = Vec::new();
    for &(w, node) in &who {
        let (docs, missing): (Vec<&Document>, usize) = match w {
            Who::User(u) => {
                let (docs, missing) = account.user_identity_documents(u);
                let groups = account.missing_groups_of(u).count();
                (docs.into_iter().map(|d| &d.document).collect(), missing.len() + groups)
            }
            Who::Role(r) => {
                let (docs, missing) = account.documents(&r.attached_managed_policies, &r.role_policy_list);
                (docs.into_iter().map(|d| &d.document).collect(), missing.len())
            }
        };
        let bound = boundary_of(account, w.boundary());
        let incomplete = missing > 0 || bound.is_err();
        let bound = bound.ok().flatten();
        let ceiling = match w {
            Who::User(_) => account.ceiling(),
            Who::Role(r) => account.ceiling_for_role(r),
        };
        let principal = Principal::new(docs, bound).capped_by(ceiling);
        let org_docs = principal
            .ceiling
            .into_iter()
            .flat_map(|c| c.chains.iter().flat_map(|ch| ch.documents()));
        let personal = principal
            .identity
            .iter()
            .copied()
            .chain(principal.boundary)
            .chain(org_docs)
            .any(|d| {
                *depends
                    .entry(std::ptr::from_ref(d))
                    .or_insert_with(|| depends_on_principal(d))
            });
        let judge = |ctx: &Context| may_any(&principal, actions, resources, ctx);
        let found = if personal {
            let ctx = w.context(account);
            judge(&ctx).map(|e| (e, ctx))
        } else {
            let key = (
                principal.identity.iter().map(|d| *d as *const Document).collect(),
                principal.boundary.map(|d| d as *const Document),
                principal.ceiling.map(|c| c as *const Ceiling),
            );
            shared
                .entry(key)
                .or_insert_with(|| judge(&empty))
                .clone()
                .map(|e| (e, Context::new()))
        };
        let Some((e, ctx)) = found else {
            if incomplete {
                let policies = Policies::of(account, w);
                not_evaluated_nodes.push(node);
                not_evaluated.push(format!(
                    "{} {}: {}",
                    w.kind().as_str(),
                    w.name(),
                    and_list(&policies.incomplete)
                ));
            }
            continue;
        };
        let policies = Policies::of(account, w);
        let mut requires = Vec::new();
        let mut allowed_by = Vec::new();
        for m in e.matched.iter().filter(|m| m.effect == Effect::Allow) {
            let Some((doc, _)) = policies.document(m) else { continue };
            if m.conditional && e.decision != Decision::Allowed {
                requirements(doc, m, &ctx, &mut requires);
            }
            if m.is_identity() && (!m.conditional || e.decision != Decision::Allowed) {
                if let Some(s) = policies.statement(m) {
                    allowed_by.push(s.label());
                }
            }
        }
        principals.push(Access {
            principal: w.arn().to_string(),
            name: w.name().to_string(),
            kind: w.kind(),
            decision: if e.decision == Decision::Allowed {
                Reach::Allowed
            } else {
                Reach::Conditional
            },
            requires,
            allowed_by,
            conditional_deny: e.conditional_deny,
            path: Vec::new(),
            identity_center: w.identity_center_sign_ins(account),
        });
        direct.insert(node);
    }
    let through = through_paths(account, &who, &direct, &principals, actions, resources);
    for (node, access) in through {
        if let Some(k) = not_evaluated_nodes.iter().position(|n| *n == node) {
            not_evaluated_nodes.remove(k);
            not_evaluated.remove(k);
        }
        principals.push(access);
    }
    WhoCan {
        action: actions.join(", "),
        resource: resources.join(", "),
        scope: scope(account),
        principals,
        not_evaluated,
        not_considered: resources.iter().flat_map(|r| not_considered(account, r)).collect(),
        warnings: Vec::new(),
    }
}

/// The principals of `who` without the access of their own that reach one with it through
/// the [access graph](crate::account::graph): by becoming it (assuming a role, passing a role
/// to compute, taking over a user), by joining a group whose policies allow it, or by
/// rewriting the policies of themselves, their groups or a principal they can become (within
/// its boundary). Each with its path hop by hop; the access is conditional when a hop, or
/// the last principal's own access, requires something.
fn through_paths(
    account: &Account,
    who: &[(Who<'_>, NodeId)],
    direct: &NodeSet,
    principals: &[Access],
    actions: &[&str],
    resources: &[&str],
) -> Vec<(NodeId, Access)> {
    let graph = account.access_graph();
    let mut targets: Vec<NodeId> = direct.iter().copied().collect();
    // Groups whose own policies may allow it: a user who joins one gets it.
    let mut groups: NodeSet = NodeSet::default();
    for (i, g) in account.groups.iter().enumerate() {
        let mut l = Labelled::default();
        l.add_group(account, g, &format!("group {}", g.group_name));
        if may_any(&l.principal(None), actions, resources, &Context::new()).is_some() {
            groups.insert(graph.group(i));
        }
    }
    targets.extend(groups.iter().copied());
    // Principals that can rewrite their own policies (or their groups', or those of a
    // principal they can become directly), within a boundary that may allow the action.
    let mut rewriters: NodeSet = NodeSet::default();
    // Whether two edge lists share a node, by their addresses (lists are shared).
    let mut overlaps: HashMap<(usize, usize), bool> = HashMap::new();
    for &(w, n) in who {
        if direct.contains(&n) {
            continue;
        }
        let edges = graph.edges(n);
        let mut own: Vec<NodeId> = vec![n];
        if let Who::User(u) = w {
            own.extend(
                u.group_list
                    .iter()
                    .filter_map(|g| account.group_position(g))
                    .map(|j| graph.group(j)),
            );
        }
        let rewrites = edges.iter().filter(|e| e.kind == EdgeKind::Rewrite).any(|r| {
            own.iter().any(|p| r.to.binary_search(p).is_ok())
                || edges.iter().filter(|e| e.kind == EdgeKind::Become).any(|b| {
                    *overlaps
                        .entry((r.to.as_ptr() as usize, b.to.as_ptr() as usize))
                        .or_insert_with(|| intersects(&r.to, &b.to))
                })
        });
        if rewrites {
            // What a rewritten policy may grant: whatever the boundary allows, within the ceiling.
            let within = match graph.boundary(account, n) {
                Ok(Some(b)) => may_any(
                    &Principal::new(vec![b], None).capped_by(graph.ceiling(account, n)),
                    actions,
                    resources,
                    &Context::new(),
                )
                .is_some(),
                _ => graph
                    .ceiling(account, n)
                    .is_none_or(|c| actions.iter().any(|a| c.may_allow(a))),
            };
            if within {
                rewriters.insert(n);
            }
        }
    }
    targets.extend(rewriters.iter().copied());
    let next = graph.reaching(&targets);
    let targets: NodeSet = targets.into_iter().collect();
    let by_node: std::collections::HashMap<&str, &Access> =
        principals.iter().map(|a| (a.principal.as_str(), a)).collect();
    let mut out = Vec::new();
    for &(w, n) in who {
        if direct.contains(&n) {
            continue;
        }
        let mut steps: Vec<Step> = Vec::new();
        let mut at = n;
        while let Some(step) = next.get(&at) {
            steps.push(*step);
            at = step.to;
        }
        let last = at;
        if !rewriters.contains(&last) && (steps.is_empty() || !targets.contains(&last)) {
            continue;
        }
        let mut hops: Vec<Hop> = graph.hops(account, &steps);
        let mut requires: Vec<String> = hops.iter().flat_map(|h| h.requires.iter().cloned()).collect();
        let mut allowed_by = Vec::new();
        let mut conditional_deny = false;
        let mut definite = true;
        if let Some(a) = by_node.get(graph.arn(account, last)) {
            requires.extend(a.requires.iter().cloned());
            allowed_by.clone_from(&a.allowed_by);
            conditional_deny = a.conditional_deny;
            definite = a.decision == Reach::Allowed;
        } else if groups.contains(&last) {
            allowed_by.push(format!("the policies of {}", graph.name(account, last)));
        } else if let Some(e) = graph.edges(last).iter().find(|e| e.kind == EdgeKind::Rewrite) {
            let step = Step {
                from: last,
                to: last,
                kind: EdgeKind::Rewrite,
                action: e.action,
            };
            let hop = graph.describe(account, &step);
            requires.extend(hop.requires.iter().cloned());
            allowed_by.push(format!("a policy it writes with {}", e.action));
            hops.push(hop);
        }
        requires.sort();
        requires.dedup();
        let kind = match graph.kind(n).0 {
            NodeKind::Role => PrincipalKind::Role,
            _ => PrincipalKind::User,
        };
        out.push((
            n,
            Access {
                principal: w.arn().to_string(),
                name: w.name().to_string(),
                kind,
                decision: if definite && requires.is_empty() {
                    Reach::Allowed
                } else {
                    Reach::Conditional
                },
                requires,
                allowed_by,
                conditional_deny,
                path: hops,
                identity_center: w.identity_center_sign_ins(account),
            },
        ));
    }
    out
}

/// Whether two ascending lists share an element.
fn intersects(a: &[NodeId], b: &[NodeId]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}
