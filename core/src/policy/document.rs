//! Parsing and compiling policy documents.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::{Map, Value};

use super::action_set::ActionSet;
use super::condition::{self, kind, Condition, Tri};
use super::context::Context;
use super::pattern::Pattern;
use super::template::Template;

/// The policy language version that has policy variables.
pub const VERSION_2012: &str = "2012-10-17";

/// A statement's effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Effect {
    /// `"Allow"`.
    Allow,
    /// `"Deny"`.
    Deny,
}

/// The actions a statement is about.
#[derive(Debug, Clone)]
pub enum Actions {
    /// `Action`: the listed patterns (case-insensitive).
    Action(Vec<Pattern>),
    /// `NotAction`: every action except the listed patterns.
    NotAction(Vec<Pattern>),
}

/// The resources a statement is about.
#[derive(Debug, Clone)]
pub enum Resources {
    /// `Resource`: the listed patterns (case-sensitive).
    Resource(Vec<ResourcePattern>),
    /// `NotResource`: every resource except the listed patterns.
    NotResource(Vec<ResourcePattern>),
    /// Neither is present (a trust policy): matches no resource.
    Missing,
}

/// A resource pattern: an ARN with `*`/`?` wildcards, possibly with policy variables.
#[derive(Debug, Clone)]
pub struct ResourcePattern {
    pattern: Pattern,
    template: Option<Template>,
}

impl ResourcePattern {
    fn new(text: &str, variables: bool) -> ResourcePattern {
        let template = if variables { Template::parse(text) } else { None };
        ResourcePattern {
            pattern: Pattern::new(text, false),
            template,
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        self.pattern.as_str()
    }

    /// Whether it has policy variables (`${...}`), resolved at evaluation time.
    pub fn has_variables(&self) -> bool {
        self.template.is_some()
    }

    /// The compiled pattern as written.
    pub(crate) fn pattern(&self) -> &Pattern {
        &self.pattern
    }

    /// Its policy variables, when it has some.
    pub(crate) fn template(&self) -> Option<&Template> {
        self.template.as_ref()
    }

    /// Whether the pattern matches every resource (`*`).
    pub fn matches_everything(&self) -> bool {
        self.template.is_none() && self.pattern.matches_everything()
    }

    /// Whether `resource` matches; [`Tri::Unknown`] when a policy variable has no value in
    /// `ctx` (and no default).
    pub fn matches(&self, resource: &str, ctx: &Context) -> Tri {
        match &self.template {
            None => tri(self.pattern.matches(resource)),
            Some(t) => t.matches(resource, ctx, false).map_or(Tri::Unknown, tri),
        }
    }
}

fn tri(b: bool) -> Tri {
    if b {
        Tri::Yes
    } else {
        Tri::No
    }
}

/// One statement of a policy document.
#[derive(Debug, Clone)]
pub struct Statement {
    index: usize,
    sid: Option<String>,
    effect: Effect,
    actions: Actions,
    resources: Resources,
    // Boxed: most statements have neither, and an inline `Value` would make every
    // statement of every document larger.
    principal: Option<Box<Value>>,
    not_principal: Option<Box<Value>>,
    conditions: Vec<Condition>,
    /// [`Statement::grants_everything`], decided once when compiled (the admin checks ask it
    /// of every statement of every principal).
    everything: bool,
}

impl Statement {
    /// The statement's position in its document (0-based).
    pub fn index(&self) -> usize {
        self.index
    }

    /// `Sid`, if any.
    pub fn sid(&self) -> Option<&str> {
        self.sid.as_deref()
    }

    /// A name for messages: `Sid` when present, otherwise `statement N` (1-based).
    pub fn label(&self) -> String {
        match &self.sid {
            Some(s) if !s.is_empty() => s.clone(),
            _ => format!("statement {}", self.index + 1),
        }
    }

    /// `Effect`.
    pub fn effect(&self) -> Effect {
        self.effect
    }

    /// `Action` or `NotAction`.
    pub fn actions(&self) -> &Actions {
        &self.actions
    }

    /// `Resource`, `NotResource`, or neither.
    pub fn resources(&self) -> &Resources {
        &self.resources
    }

    /// `Principal` as written (trust and resource policies); not evaluated.
    pub fn principal(&self) -> Option<&Value> {
        self.principal.as_deref()
    }

    /// `NotPrincipal` as written; not evaluated.
    pub fn not_principal(&self) -> Option<&Value> {
        self.not_principal.as_deref()
    }

    /// The conditions (AND'ed); empty when the statement has no `Condition`.
    pub fn conditions(&self) -> &[Condition] {
        &self.conditions
    }

    /// Whether `action` (any case) is covered by `Action` / not excluded by `NotAction`.
    pub fn matches_action(&self, action: &str) -> bool {
        match &self.actions {
            Actions::Action(ps) => ps.iter().any(|p| p.matches(action)),
            Actions::NotAction(ps) => !ps.iter().any(|p| p.matches(action)),
        }
    }

    /// Whether `resource` is covered by `Resource` / not excluded by `NotResource`.
    pub fn matches_resource(&self, resource: &str, ctx: &Context) -> Tri {
        let any = |ps: &[ResourcePattern]| {
            let mut r = Tri::No;
            for p in ps {
                r = r.or(p.matches(resource, ctx));
                if r == Tri::Yes {
                    break;
                }
            }
            r
        };
        match &self.resources {
            Resources::Resource(ps) => any(ps),
            Resources::NotResource(ps) => !any(ps),
            Resources::Missing => Tri::No,
        }
    }

    /// Whether the statement applies to this request: [`Tri::Unknown`] when that depends on a
    /// condition or a policy variable the evaluator cannot decide (a *conditional* statement).
    pub fn applies(&self, action: &str, resource: &str, ctx: &Context) -> Tri {
        if !self.matches_action(action) {
            return Tri::No;
        }
        let r = self.matches_resource(resource, ctx);
        if r == Tri::No {
            return r;
        }
        r.and(self.conditions_hold(ctx))
    }

    /// Whether the conditions (AND'ed) hold under `ctx`: [`Tri::Yes`] without conditions. They
    /// read only the context, never the action or the resource.
    pub fn conditions_hold(&self, ctx: &Context) -> Tri {
        let mut r = Tri::Yes;
        for c in &self.conditions {
            r = r.and(c.evaluate(ctx));
            if r == Tri::No {
                break;
            }
        }
        r
    }

    /// Whether what the statement says about a request can change with the values of the
    /// context keys `keys`: a policy variable in its resources or condition values that uses
    /// one of them, or a condition on one of them. When `false`, [`Statement::applies`]
    /// gives the same answer under any two contexts that differ only in `keys`.
    pub fn depends_on(&self, keys: &[&str]) -> bool {
        let resources = match &self.resources {
            Resources::Resource(ps) | Resources::NotResource(ps) => ps.as_slice(),
            Resources::Missing => &[],
        };
        resources
            .iter()
            .any(|p| p.template.as_ref().is_some_and(|t| t.uses_any(keys)))
            || self.conditions.iter().any(|c| c.depends_on(keys))
    }

    /// An unconditional `Allow` of every action on every resource: its actions cover every
    /// action of the [catalogue](super::catalogue) (`*`, `*:*`, a `NotAction` of names no
    /// service has, or a list of every service's wildcard) and a `Resource` pattern is only
    /// `*`s. `NotResource` never counts: each entry excludes something.
    pub fn grants_everything(&self) -> bool {
        self.everything
    }

    fn decide_grants_everything(&self) -> bool {
        if !self.allows_everywhere() {
            return false;
        }
        match &self.actions {
            Actions::Action(ps) if ps.iter().any(covers_every_action) => true,
            // Only a list with a wildcard service, or as many entries as there are services,
            // can cover every action: the others are decided without expanding anything.
            Actions::Action(ps) => {
                (ps.iter().any(wildcard_service) || ps.len() >= super::catalogue::get().services().len())
                    && self.action_set().is_full()
            }
            Actions::NotAction(_) => self.action_set().is_full(),
        }
    }

    /// An `Allow` without conditions on every resource: the statements whose actions
    /// together decide whether a policy grants everything.
    pub fn allows_everywhere(&self) -> bool {
        self.effect == Effect::Allow && self.conditions.is_empty() && self.on_every_resource()
    }

    /// The real actions (of the [catalogue](super::catalogue)) the statement is about:
    /// those its `Action` patterns match, or those its `NotAction` patterns do not.
    pub fn action_set(&self) -> ActionSet {
        let (Actions::Action(ps) | Actions::NotAction(ps)) = &self.actions;
        let mut set = ActionSet::empty();
        for p in ps {
            set.insert_matching(p);
        }
        match self.actions {
            Actions::Action(_) => set,
            Actions::NotAction(_) => set.complement(),
        }
    }

    /// Whether the statement is about at least one real action (an `Action` pattern that
    /// matches one, or a `NotAction` that leaves one out) on at least one resource.
    pub fn covers_some_action(&self) -> bool {
        let some_resource = match &self.resources {
            Resources::Resource(_) => true,
            Resources::NotResource(ps) => !ps.iter().any(ResourcePattern::matches_everything),
            Resources::Missing => false,
        };
        some_resource
            && match &self.actions {
                Actions::Action(ps) => ps
                    .iter()
                    .any(|p| p.matches_everything() || super::catalogue::get().expand(p).next().is_some()),
                Actions::NotAction(_) => !self.action_set().is_empty(),
            }
    }

    /// Whether a `Resource` pattern is only `*`s (every resource).
    pub fn on_every_resource(&self) -> bool {
        matches!(&self.resources, Resources::Resource(ps) if ps.iter().any(ResourcePattern::matches_everything))
    }

    /// A `Deny` without conditions.
    pub fn is_unconditional_deny(&self) -> bool {
        self.effect == Effect::Deny && self.conditions.is_empty()
    }

    /// A `Deny` without conditions that removes at least one real action on at least one
    /// resource ([`Statement::covers_some_action`]): a `Deny` of `iam:NoSuchAction` removes
    /// nothing.
    pub fn removes_something(&self) -> bool {
        self.is_unconditional_deny() && self.covers_some_action()
    }
}

/// Whether an action pattern has a wildcard in its service part (`*:Get*`, `s?:*`), so that
/// it may match actions of many services.
fn wildcard_service(p: &Pattern) -> bool {
    p.as_str()
        .split(':')
        .next()
        .is_some_and(|service| service.contains(['*', '?']))
}

/// Whether an action pattern matches every IAM action (`service:name`, both parts
/// non-empty): only `*`s, or `S:N` where `S` and `N` each consist of `*`s and at most one
/// `?` (e.g. `*:*`, `?*:*`).
pub fn covers_every_action(p: &Pattern) -> bool {
    if p.matches_everything() {
        return true;
    }
    let side = |s: &str| s.contains('*') && s.chars().all(|c| c == '*' || c == '?') && s.matches('?').count() <= 1;
    match p.as_str().split_once(':') {
        Some((service, name)) => side(service) && side(name),
        None => false,
    }
}

/// What an `Allow` on resource `*` covers, for [`Document::wildcard_allows`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum WildcardScope {
    /// Every action (`*`, `*:*`, a `NotAction` of names no service has).
    Everything,
    /// Every action of one service (`s3:*`): the service as written.
    Service(String),
    /// `NotAction`: every action except these patterns.
    EverythingExcept(Vec<String>),
}

/// An `Allow` statement granting whole services (or everything) on resource `*`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WildcardAllow {
    /// The statement's position in the document (0-based).
    pub statement: usize,
    /// Its `Sid`, if any.
    pub sid: Option<String>,
    /// The action pattern as written (`NotAction` statements: the excluded patterns joined
    /// with `, `).
    pub action: String,
    /// What the pattern covers.
    pub scope: WildcardScope,
    /// Whether the statement has conditions.
    pub conditional: bool,
    /// Whether the statement uses `NotAction` (`action` lists the excluded patterns).
    pub not_action: bool,
    /// How many real actions it grants, once the document's unconditional `Deny` statements
    /// on every resource are taken out (never 0: such statements are left out).
    pub granted: usize,
    /// How many real actions of the pattern those `Deny` statements take out.
    pub removed_by_deny: usize,
}

/// A parsed, compiled policy document: parse once, evaluate many times.
#[derive(Debug, Clone)]
pub struct Document {
    version: Option<String>,
    id: Option<String>,
    statements: Vec<Statement>,
    /// The statements whose `Action` entries all name one action (no wildcard), by each
    /// lower-cased action they name (indices, ascending).
    named: HashMap<String, Vec<usize>>,
    /// The other statements: a wildcard `Action` entry or a `NotAction` (ascending).
    unnamed: Vec<usize>,
    /// Of the unconditional `Allow` statements on every resource: how many `Action` entries
    /// they have, and whether one has a `NotAction` or a wildcard in its service.
    allow_entries: usize,
    allow_open_ended: bool,
    /// [`Document::granted_everywhere`], computed on first use (a managed policy is shared by
    /// many principals).
    granted: OnceLock<ActionSet>,
    /// Whether some statement [removes something](Statement::removes_something), computed on
    /// first use.
    removes: OnceLock<bool>,
    /// [`Document::allowed_somewhere`], computed on first use.
    somewhere: OnceLock<ActionSet>,
    /// [`Document::denied_everywhere`], computed on first use.
    denied: OnceLock<ActionSet>,
}

impl Document {
    /// Compiles a policy document given as a JSON object (see [`super::decode_document`] for
    /// strings). Errors name the field: `Statement[2].Effect: expected Allow or Deny`.
    ///
    /// Policy variables (`${aws:username}`) are recognised when `Version` is `2012-10-17`;
    /// with an older or missing version they are literal text, as in AWS.
    pub fn from_json(value: &Value) -> Result<Document, String> {
        let Value::Object(obj) = value else {
            return Err(format!(
                "a policy document must be a JSON object, found {}",
                kind(value)
            ));
        };
        let version = optional_string(obj, "Version", "Version")?;
        let id = optional_string(obj, "Id", "Id")?;
        let variables = version.as_deref() == Some(VERSION_2012);
        let statements = match obj.get("Statement") {
            None => return Err("Statement: missing".into()),
            Some(Value::Object(s)) => vec![compile_statement(s, 0, "Statement", variables)?],
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let path = format!("Statement[{i}]");
                    match s {
                        Value::Object(s) => compile_statement(s, i, &path, variables),
                        other => Err(format!("{path}: expected an object, found {}", kind(other))),
                    }
                })
                .collect::<Result<_, _>>()?,
            Some(other) => {
                return Err(format!(
                    "Statement: expected an object or an array, found {}",
                    kind(other)
                ))
            }
        };
        let mut named: HashMap<String, Vec<usize>> = HashMap::new();
        let mut unnamed = Vec::new();
        for (i, s) in statements.iter().enumerate() {
            match &s.actions {
                Actions::Action(ps) if ps.iter().all(Pattern::is_literal) => {
                    for p in ps {
                        let list = named.entry(p.as_str().to_ascii_lowercase()).or_default();
                        if list.last() != Some(&i) {
                            list.push(i);
                        }
                    }
                }
                _ => unnamed.push(i),
            }
        }
        let mut allow_entries = 0usize;
        let mut allow_open_ended = false;
        for s in statements.iter().filter(|s| s.allows_everywhere()) {
            match &s.actions {
                Actions::NotAction(_) => allow_open_ended = true,
                Actions::Action(ps) => {
                    allow_entries += ps.len();
                    allow_open_ended |= ps.iter().any(wildcard_service);
                }
            }
        }
        Ok(Document {
            version,
            id,
            statements,
            named,
            unnamed,
            allow_entries,
            allow_open_ended,
            granted: OnceLock::new(),
            removes: OnceLock::new(),
            somewhere: OnceLock::new(),
            denied: OnceLock::new(),
        })
    }

    /// Whether the document's unconditional `Allow` statements on every resource could, with
    /// others, cover every action: some has a `NotAction` or a wildcard service, or they have
    /// `entries` entries or more (`entries` of other documents added, against the number of
    /// services). Decided without expanding anything.
    pub(crate) fn allow_shape(&self) -> (usize, bool) {
        (self.allow_entries, self.allow_open_ended)
    }

    /// The real actions the document's unconditional `Allow` statements on every resource
    /// grant together (denies aside); computed once per document.
    pub fn granted_everywhere(&self) -> &ActionSet {
        self.granted.get_or_init(|| {
            let mut set = ActionSet::empty();
            for s in self.statements.iter().filter(|s| s.allows_everywhere()) {
                if s.grants_everything() {
                    return ActionSet::full();
                }
                set.union_with(&s.action_set());
            }
            set
        })
    }

    /// The real actions some `Allow` statement of the document is about, on some resource and
    /// under some conditions: what the document may grant at most; computed once per
    /// document.
    pub fn allowed_somewhere(&self) -> &ActionSet {
        self.somewhere.get_or_init(|| {
            let mut set = ActionSet::empty();
            for s in self.statements.iter().filter(|s| s.effect() == Effect::Allow) {
                if !matches!(s.resources(), Resources::Missing) {
                    set.union_with(&s.action_set());
                }
            }
            set
        })
    }

    /// The real actions an unconditional `Deny` on every resource removes; computed once per
    /// document.
    pub fn denied_everywhere(&self) -> &ActionSet {
        self.denied.get_or_init(|| {
            let mut set = ActionSet::empty();
            for s in self
                .statements
                .iter()
                .filter(|s| s.is_unconditional_deny() && s.on_every_resource())
            {
                set.union_with(&s.action_set());
            }
            set
        })
    }

    /// Whether some unconditional `Deny` of the document removes a real action on some
    /// resource ([`Statement::removes_something`]); computed once per document.
    pub fn removes_something(&self) -> bool {
        *self
            .removes
            .get_or_init(|| self.statements.iter().any(Statement::removes_something))
    }

    /// The statements that may cover `action` (any case), in document order: those whose
    /// `Action` names it, and those with a wildcard `Action` entry or a `NotAction` (which
    /// [`Statement::matches_action`] still has to decide). A document of many statements
    /// each naming a few actions is thus evaluated without looking at all of them.
    pub fn statements_for<'d>(&'d self, action: &str) -> impl Iterator<Item = &'d Statement> + 'd {
        // Lower-cased on the stack: this runs for every document of every evaluation.
        let mut buf = [0u8; 128];
        let named: &'d [usize] = if action.len() <= buf.len() {
            let lower = &mut buf[..action.len()];
            lower.copy_from_slice(action.as_bytes());
            lower.make_ascii_lowercase();
            std::str::from_utf8(lower).ok().and_then(|a| self.named.get(a))
        } else {
            self.named.get(action.to_ascii_lowercase().as_str())
        }
        .map_or(&[], Vec::as_slice);
        let (mut a, mut b) = (named.iter().peekable(), self.unnamed.iter().peekable());
        std::iter::from_fn(move || {
            let next = match (a.peek(), b.peek()) {
                (Some(&&x), Some(&&y)) if x < y => a.next(),
                (Some(_), Some(_)) | (None, Some(_)) => b.next(),
                (Some(_), None) => a.next(),
                (None, None) => None,
            };
            next.map(|&i| &self.statements[i])
        })
    }

    /// `Version`, if any.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// `Id`, if any.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The statements, in order.
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    /// Whether this document alone allows every action on every resource: its unconditional
    /// `Allow` statements on every resource cover every real action, and no unconditional
    /// `Deny` [removes something](Statement::removes_something) (as
    /// [`super::Principal::allows_everything`]).
    pub fn allows_everything(&self) -> bool {
        super::eval::grants_every_action(&[self]) && !self.removes_something()
    }

    /// `Allow` statements (with or without conditions) that grant every action, or every
    /// action of a service (`s3:*`, `*:*`), or everything but a `NotAction` list, on a
    /// `Resource` of only `*`s, judged over the [catalogue](super::catalogue) and after the
    /// document's own unconditional `Deny` statements on every resource: a wildcard they
    /// cancel entirely, one of a service no AWS service has, and `NotAction: "*"` grant
    /// nothing and are left out; a `NotAction` of names no service has is
    /// [`WildcardScope::Everything`]. One entry per such action pattern.
    pub fn wildcard_allows(&self) -> Vec<WildcardAllow> {
        let mut out = Vec::new();
        // What the unconditional denies on every resource take out, worked out only when a
        // wildcard is found.
        let denied: OnceCell<ActionSet> = OnceCell::new();
        let denied = || {
            denied.get_or_init(|| {
                let mut set = ActionSet::empty();
                for d in self
                    .statements
                    .iter()
                    .filter(|d| d.is_unconditional_deny() && d.on_every_resource())
                {
                    set.union_with(&d.action_set());
                }
                set
            })
        };
        for s in &self.statements {
            if s.effect != Effect::Allow || !s.on_every_resource() {
                continue;
            }
            let conditional = !s.conditions.is_empty();
            let mut push = |action: String, scope: WildcardScope, mut granted: ActionSet| {
                let before = granted.len();
                granted.subtract(denied());
                if granted.is_empty() {
                    return;
                }
                out.push(WildcardAllow {
                    statement: s.index,
                    sid: s.sid.clone(),
                    action,
                    scope,
                    conditional,
                    not_action: matches!(s.actions, Actions::NotAction(_)),
                    granted: granted.len(),
                    removed_by_deny: before - granted.len(),
                })
            };
            match &s.actions {
                Actions::Action(ps) => {
                    for p in ps {
                        if covers_every_action(p) {
                            push(p.as_str().to_string(), WildcardScope::Everything, ActionSet::full());
                        } else if let Some((service, name)) = p.as_str().split_once(':') {
                            if !name.is_empty() && name.chars().all(|c| c == '*') {
                                push(
                                    p.as_str().to_string(),
                                    WildcardScope::Service(service.to_string()),
                                    ActionSet::matching(p),
                                );
                            }
                        }
                    }
                }
                Actions::NotAction(ps) => {
                    let excluded: Vec<String> = ps.iter().map(|p| p.as_str().to_string()).collect();
                    let granted = s.action_set();
                    let scope = if granted.is_full() {
                        WildcardScope::Everything
                    } else {
                        WildcardScope::EverythingExcept(excluded.clone())
                    };
                    push(excluded.join(", "), scope, granted);
                }
            }
        }
        out
    }
}

fn optional_string(obj: &Map<String, Value>, key: &str, path: &str) -> Result<Option<String>, String> {
    match obj.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(format!("{path}: expected a string, found {}", kind(other))),
    }
}

fn string_list(v: &Value, path: &str) -> Result<Vec<String>, String> {
    let list = match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(s) => Ok(s.clone()),
                other => Err(format!("{path}[{i}]: expected a string, found {}", kind(other))),
            })
            .collect::<Result<_, _>>()?,
        other => {
            return Err(format!(
                "{path}: expected a string or an array of strings, found {}",
                kind(other)
            ))
        }
    };
    if list.is_empty() {
        return Err(format!("{path}: must not be empty"));
    }
    Ok(list)
}

/// The value of exactly one of `key` / `not_key`.
fn one_of<'a>(
    s: &'a Map<String, Value>,
    key: &str,
    not_key: &str,
    path: &str,
) -> Result<Option<(bool, &'a Value)>, String> {
    match (s.get(key), s.get(not_key)) {
        (Some(_), Some(_)) => Err(format!("{path}: has both {key} and {not_key}")),
        (Some(v), None) => Ok(Some((false, v))),
        (None, Some(v)) => Ok(Some((true, v))),
        (None, None) => Ok(None),
    }
}

fn compile_statement(s: &Map<String, Value>, index: usize, path: &str, variables: bool) -> Result<Statement, String> {
    let sid = optional_string(s, "Sid", &format!("{path}.Sid"))?;
    let effect = match s.get("Effect") {
        Some(Value::String(e)) if e == "Allow" => Effect::Allow,
        Some(Value::String(e)) if e == "Deny" => Effect::Deny,
        Some(Value::String(e)) => return Err(format!("{path}.Effect: expected Allow or Deny, found {e:?}")),
        Some(other) => return Err(format!("{path}.Effect: expected Allow or Deny, found {}", kind(other))),
        None => return Err(format!("{path}.Effect: missing (expected Allow or Deny)")),
    };
    let actions = match one_of(s, "Action", "NotAction", path)? {
        None => return Err(format!("{path}: has neither Action nor NotAction")),
        Some((not, v)) => {
            let field = if not { "NotAction" } else { "Action" };
            let ps = string_list(v, &format!("{path}.{field}"))?
                .iter()
                .map(|a| Pattern::new(a, true))
                .collect();
            if not {
                Actions::NotAction(ps)
            } else {
                Actions::Action(ps)
            }
        }
    };
    let resources = match one_of(s, "Resource", "NotResource", path)? {
        None => Resources::Missing,
        Some((not, v)) => {
            let field = if not { "NotResource" } else { "Resource" };
            let ps = string_list(v, &format!("{path}.{field}"))?
                .iter()
                .map(|r| ResourcePattern::new(r, variables))
                .collect();
            if not {
                Resources::NotResource(ps)
            } else {
                Resources::Resource(ps)
            }
        }
    };
    let conditions = match s.get("Condition") {
        None => Vec::new(),
        Some(block) => condition::compile(block, &format!("{path}.Condition"), variables)?,
    };
    if s.contains_key("Principal") && s.contains_key("NotPrincipal") {
        return Err(format!("{path}: has both Principal and NotPrincipal"));
    }
    let mut statement = Statement {
        index,
        sid,
        effect,
        actions,
        resources,
        principal: s.get("Principal").cloned().map(Box::new),
        not_principal: s.get("NotPrincipal").cloned().map(Box::new),
        conditions,
        everything: false,
    };
    statement.everything = statement.decide_grants_everything();
    Ok(statement)
}
