//! The rules: what is wrong with one policy document, and where.

use serde_json::Value;

use crate::findings::Severity;
use crate::policy::{unknown_actions, Actions, Document, Effect, Statement, WildcardScope};

/// What a problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// The document is not a valid policy (AWS would refuse it).
    InvalidPolicy,
    /// An action, service prefix or wildcard that names no real action.
    UnknownAction,
    /// The document allows every action on every resource.
    FullAccess,
    /// Every action of a service (`s3:*`), or every action under conditions, on every
    /// resource.
    ServiceWildcard,
    /// `Allow` with `NotAction`: every other action, including those AWS adds later.
    AllowNotAction,
    /// An MFA condition that long-term access keys bypass.
    MfaBypass,
    /// `iam:PassRole` on every role.
    PassRoleStar,
}

impl Rule {
    /// Every rule, in the order problems are reported for one place.
    pub const ALL: &'static [Rule] = &[
        Rule::InvalidPolicy,
        Rule::UnknownAction,
        Rule::FullAccess,
        Rule::ServiceWildcard,
        Rule::AllowNotAction,
        Rule::MfaBypass,
        Rule::PassRoleStar,
    ];

    /// Its identifier (`unknown-action`).
    pub fn id(self) -> &'static str {
        match self {
            Rule::InvalidPolicy => "invalid-policy",
            Rule::UnknownAction => "unknown-action",
            Rule::FullAccess => "full-access",
            Rule::ServiceWildcard => "service-wildcard",
            Rule::AllowNotAction => "allow-not-action",
            Rule::MfaBypass => "mfa-condition-bypass",
            Rule::PassRoleStar => "pass-role-star",
        }
    }

    /// The rule whose identifier is `id`.
    pub fn from_id(id: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|r| r.id() == id)
    }

    /// One line saying what the rule finds.
    pub fn title(self) -> &'static str {
        match self {
            Rule::InvalidPolicy => "The document is not a valid IAM policy",
            Rule::UnknownAction => "An action or service that no AWS service has",
            Rule::FullAccess => "The policy allows every action on every resource",
            Rule::ServiceWildcard => "Every action of a service on every resource",
            Rule::AllowNotAction => "Allow with NotAction grants every other action",
            Rule::MfaBypass => "An MFA condition that long-term access keys bypass",
            Rule::PassRoleStar => "iam:PassRole on every role",
        }
    }

    /// How to fix it.
    pub fn help(self) -> &'static str {
        match self {
            Rule::InvalidPolicy => "Fix the field named in the message; AWS refuses a policy it cannot parse.",
            Rule::UnknownAction => "Correct the name (the message suggests the closest real action). A misspelled action in a Deny protects nothing; in a NotAction it exempts nothing.",
            Rule::FullAccess => "Grant the actions and resources the job needs instead of * on *; keep administrator access in few, MFA-protected roles.",
            Rule::ServiceWildcard => "Replace service:* with the actions the job needs, or scope Resource to the resources it needs.",
            Rule::AllowNotAction => "List the allowed actions in Action instead: NotAction with Allow also grants every action AWS adds later.",
            Rule::MfaBypass => "Use BoolIfExists with \"false\" in a Deny (a request signed with long-term access keys has no aws:MultiFactorAuthPresent key, so Bool does not match it), or Bool with \"true\" in an Allow.",
            Rule::PassRoleStar => "Limit iam:PassRole to the roles the workload passes (Resource with role ARNs), and to the services with an iam:PassedToService condition.",
        }
    }

    /// How serious a problem of this rule is.
    pub fn severity(self) -> Severity {
        match self {
            Rule::InvalidPolicy | Rule::FullAccess | Rule::MfaBypass | Rule::PassRoleStar => Severity::High,
            Rule::UnknownAction | Rule::ServiceWildcard | Rule::AllowNotAction => Severity::Medium,
        }
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// One problem of a document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// What it is.
    pub rule: Rule,
    /// Where: an RFC 6901 JSON pointer into the document (`/Statement/1/Action/0`; `""` for
    /// the whole document).
    pub pointer: String,
    /// What is wrong, in a sentence naming the statement and the values at fault.
    pub message: String,
}

/// The problems of one policy document (a JSON object), in document order. Never fails: a
/// document that is not a valid policy gives one [`Rule::InvalidPolicy`] problem pointing at
/// the field at fault.
pub fn lint_document(json: &Value) -> Vec<Problem> {
    let doc = match Document::from_json(json) {
        Ok(doc) => doc,
        Err(message) => {
            return vec![Problem {
                rule: Rule::InvalidPolicy,
                pointer: pointer_of_path(json, &message),
                message,
            }]
        }
    };
    let mut out = Vec::new();
    let at = Places { json };
    for u in unknown_actions(&doc) {
        out.push(Problem {
            rule: Rule::UnknownAction,
            pointer: at.entry(u.statement, u.field(), u.index),
            message: u.describe(),
        });
    }
    let full = doc.allows_everything();
    if full {
        let granting = doc.statements().iter().find(|s| s.grants_everything()).or_else(|| {
            doc.statements()
                .iter()
                .find(|s| s.effect() == Effect::Allow && s.on_every_resource())
        });
        let (pointer, by) = match granting {
            Some(s) => (at.statement(s.index()), format!(" ({})", s.label())),
            None => (at.field_of_document("Statement"), String::new()),
        };
        out.push(Problem {
            rule: Rule::FullAccess,
            pointer,
            message: format!("the policy allows every action on every resource{by}, and no Deny removes anything"),
        });
    }
    for w in doc.wildcard_allows() {
        let statement = &doc.statements()[w.statement];
        let label = statement.label();
        let cond = if w.conditional { ", under conditions" } else { "" };
        let cut = if w.removed_by_deny > 0 {
            format!(
                " ({} actions, after the {} a Deny removes)",
                w.granted, w.removed_by_deny
            )
        } else {
            String::new()
        };
        let (rule, message) = match &w.scope {
            WildcardScope::Everything if full => continue,
            WildcardScope::Everything if w.not_action => (
                Rule::AllowNotAction,
                format!(
                    "{label} allows NotAction [{}] on *: none of them is a real action, so it allows every action{cond}",
                    w.action
                ),
            ),
            WildcardScope::Everything => (
                Rule::ServiceWildcard,
                format!("{label} allows {:?} (every action) on *{cond}{cut}", w.action),
            ),
            WildcardScope::Service(service) => (
                Rule::ServiceWildcard,
                format!("{label} allows {:?} (every action of {service}) on *{cond}{cut}", w.action),
            ),
            WildcardScope::EverythingExcept(_) => (
                Rule::AllowNotAction,
                format!(
                    "{label} allows every action but [{}] on *{cond}: {} actions today, and every action AWS adds later",
                    w.action, w.granted
                ),
            ),
        };
        let pointer = match statement.actions() {
            Actions::NotAction(_) => at.field(w.statement, "NotAction"),
            Actions::Action(ps) => {
                let index = ps.iter().position(|p| p.as_str() == w.action).unwrap_or(0);
                at.entry(w.statement, "Action", index)
            }
        };
        out.push(Problem { rule, pointer, message });
    }
    for s in doc.statements() {
        // Allow NotAction on specific resources (the wildcard list covers those on *).
        if s.effect() == Effect::Allow && matches!(s.actions(), Actions::NotAction(_)) && !s.on_every_resource() {
            out.push(Problem {
                rule: Rule::AllowNotAction,
                pointer: at.field(s.index(), "NotAction"),
                message: format!(
                    "{} allows every action but those listed in NotAction ({} actions today, and every action AWS adds later) on its resources",
                    s.label(),
                    s.action_set().len()
                ),
            });
        }
        mfa_bypass(s, &at, &mut out);
        if !full && passes_any_role(s) && !s.action_set().is_full() {
            out.push(Problem {
                rule: Rule::PassRoleStar,
                pointer: at.field(s.index(), "Resource"),
                message: format!(
                    "{} allows iam:PassRole on every role without an iam:PassedToService condition: any role, an administrator's too, can be handed to new compute",
                    s.label()
                ),
            });
        }
    }
    out.sort_by_cached_key(Problem::document_order);
    out
}

impl Problem {
    /// Its key in document order: by statement, then by place within it (array indices as
    /// numbers), then by rule. Worked out once per problem when sorting.
    fn document_order(&self) -> (Vec<(u64, String)>, Rule) {
        let parts = self
            .pointer
            .split('/')
            .map(|t| (t.parse::<u64>().unwrap_or(u64::MAX), t.to_string()))
            .collect();
        (parts, self.rule)
    }
}

/// An `Allow` without conditions on `iam:PassedToService` whose actions cover
/// `iam:PassRole` and whose `Resource` is every resource (a statement about every action is
/// already a full-access or wildcard problem).
fn passes_any_role(s: &Statement) -> bool {
    s.effect() == Effect::Allow
        && s.on_every_resource()
        && s.matches_action("iam:PassRole")
        && !s
            .conditions()
            .iter()
            .any(|c| c.key().eq_ignore_ascii_case("iam:PassedToService"))
}

/// `Deny` + `Bool` `aws:MultiFactorAuthPresent` `"false"` (a request with long-term keys has
/// no such key, so the Deny does not apply to it), and `Allow` + `BoolIfExists` `"true"` (it
/// applies to such requests).
fn mfa_bypass(s: &Statement, at: &Places<'_>, out: &mut Vec<Problem>) {
    for c in s.conditions() {
        if !c.key().eq_ignore_ascii_case("aws:MultiFactorAuthPresent") {
            continue;
        }
        let op = c.operator();
        let has = |v: &str| c.values().any(|x| x.eq_ignore_ascii_case(v));
        let message = match s.effect() {
            Effect::Deny if op.eq_ignore_ascii_case("Bool") && has("false") => format!(
                "{} denies with Bool aws:MultiFactorAuthPresent \"false\": requests signed with long-term access keys carry no such key, so the Deny does not apply to them (use BoolIfExists)",
                s.label()
            ),
            Effect::Allow if op.eq_ignore_ascii_case("BoolIfExists") && has("true") => format!(
                "{} allows with BoolIfExists aws:MultiFactorAuthPresent \"true\": requests signed with long-term access keys carry no such key, so it allows them without MFA (use Bool)",
                s.label()
            ),
            _ => continue,
        };
        out.push(Problem {
            rule: Rule::MfaBypass,
            pointer: at.condition(s.index(), op, c.key()),
            message,
        });
    }
}

/// Builds JSON pointers into the document as written (`Statement` an object or an array,
/// a field a string or an array).
struct Places<'a> {
    json: &'a Value,
}

impl Places<'_> {
    fn statement(&self, index: usize) -> String {
        match self.json.get("Statement") {
            Some(Value::Array(_)) => format!("/Statement/{index}"),
            _ => "/Statement".to_string(),
        }
    }

    fn statement_json(&self, index: usize) -> Option<&Value> {
        match self.json.get("Statement")? {
            Value::Array(items) => items.get(index),
            other => Some(other),
        }
    }

    fn field_of_document(&self, key: &str) -> String {
        format!("/{}", escape(key))
    }

    /// The field `key` of statement `index`, or the statement when it has no such field.
    fn field(&self, index: usize, key: &str) -> String {
        let base = self.statement(index);
        match self.statement_json(index).and_then(|s| s.get(key)) {
            Some(_) => format!("{base}/{}", escape(key)),
            None => base,
        }
    }

    /// Entry `entry` of the field `key` (the field itself when it is a single string).
    fn entry(&self, index: usize, key: &str, entry: usize) -> String {
        let field = self.field(index, key);
        match self.statement_json(index).and_then(|s| s.get(key)) {
            Some(Value::Array(_)) => format!("{field}/{entry}"),
            _ => field,
        }
    }

    /// `Condition/<operator>/<key>` of statement `index`, as written.
    fn condition(&self, index: usize, operator: &str, key: &str) -> String {
        let base = self.field(index, "Condition");
        let Some(Value::Object(block)) = self.statement_json(index).and_then(|s| s.get("Condition")) else {
            return base;
        };
        let Some((op_name, Value::Object(keys))) = block.iter().find(|(k, _)| k.as_str() == operator) else {
            return base;
        };
        match keys.keys().find(|k| k.eq_ignore_ascii_case(key)) {
            Some(k) => format!("{base}/{}/{}", escape(op_name), escape(k)),
            None => format!("{base}/{}", escape(op_name)),
        }
    }
}

/// RFC 6901 escaping of one reference token.
fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// The JSON pointer of the longest prefix of an error's path (`Statement[2].Effect: ...`,
/// as [`Document::from_json`] writes them) that exists in `json`.
fn pointer_of_path(json: &Value, message: &str) -> String {
    let Some((path, _)) = message.split_once(": ") else {
        return String::new();
    };
    let mut pointer = String::new();
    let mut here = json;
    let mut tokens: Vec<String> = Vec::new();
    // `Statement[2].Condition.StringEquals.aws:x` -> Statement, 2, Condition, StringEquals, aws:x
    let mut rest = path;
    while !rest.is_empty() {
        let end = rest.find(['.', '[']).unwrap_or(rest.len());
        if end > 0 {
            tokens.push(rest[..end].to_string());
        }
        rest = &rest[end..];
        if let Some(r) = rest.strip_prefix('[') {
            let close = r.find(']').unwrap_or(r.len());
            tokens.push(r[..close].to_string());
            rest = r.get(close + 1..).unwrap_or("");
        }
        rest = rest.strip_prefix('.').unwrap_or(rest);
    }
    for t in tokens {
        let next = match here {
            Value::Object(map) => map.get(&t),
            Value::Array(items) => t.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        };
        match next {
            Some(v) => {
                pointer.push('/');
                pointer.push_str(&escape(&t));
                here = v;
            }
            None => break,
        }
    }
    pointer
}
