//! Action names no AWS service has (IAM-024, `lint-policy`): typos that make a `Deny`
//! protect nothing, an exemption exempt nothing, or an `Allow` grant more than meant.

use super::catalogue;
use super::document::{Actions, Document, Effect};
use super::pattern::Pattern;

/// Why an action entry names nothing real.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unknown {
    /// The service prefix is no AWS service's (`s4:GetObject`).
    Service,
    /// The service exists but has no such action (`s3:GetObjects`).
    Action,
    /// A wildcard that matches no real action (`s3:GetObjects*`).
    Wildcard,
    /// Not `service:action` at all (`GetObject`).
    Malformed,
}

/// An `Action` or `NotAction` entry that names no real action.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UnknownAction {
    /// The statement's position in the document (0-based).
    pub statement: usize,
    /// The statement's `Sid`, if any.
    pub sid: Option<String>,
    /// The statement's effect.
    pub effect: Effect,
    /// Whether the entry is in `NotAction` (else `Action`).
    pub not_action: bool,
    /// Its position in the list (0 when the field is a single string).
    pub index: usize,
    /// The entry as written.
    pub name: String,
    /// Why it names nothing.
    pub unknown: Unknown,
    /// The closest real action (or wildcard over the closest service), if one is close.
    pub suggestion: Option<String>,
}

impl UnknownAction {
    /// `Action` or `NotAction`.
    pub fn field(&self) -> &'static str {
        if self.not_action {
            "NotAction"
        } else {
            "Action"
        }
    }

    /// What the mistake does.
    pub fn consequence(&self) -> &'static str {
        match (self.effect, self.not_action) {
            (Effect::Deny, false) => "the Deny does not apply to it: the protection silently does not apply",
            (Effect::Deny, true) => "the intended exemption does not apply: the Deny covers the real action too",
            (Effect::Allow, true) => "the intended exclusion does not apply: more is granted than meant",
            (Effect::Allow, false) => "it grants nothing: the permission meant is missing",
        }
    }

    /// `"s3:GetObjects" (Deny Action of DenyPHI): no such action in s3; did you mean
    /// s3:GetObject? the Deny does not apply ...`.
    pub fn describe(&self) -> String {
        let cat = catalogue::get();
        let service = self.name.split_once(':').map_or("", |(s, _)| s);
        let why = match self.unknown {
            Unknown::Service => format!("no AWS service has the prefix {service:?}"),
            Unknown::Action => format!(
                "{} has no such action",
                cat.service(service).map_or(service, |s| s.prefix())
            ),
            Unknown::Wildcard => "the wildcard matches no real action".to_string(),
            Unknown::Malformed => "not of the form service:action".to_string(),
        };
        let statement = self
            .sid
            .clone()
            .unwrap_or_else(|| format!("statement {}", self.statement + 1));
        let effect = match self.effect {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        };
        let hint = self
            .suggestion
            .as_ref()
            .map_or(String::new(), |s| format!("; did you mean {s}?"));
        format!(
            "{:?} ({effect} {} of {statement}): {why}{hint}; {}",
            self.name,
            self.field(),
            self.consequence()
        )
    }
}

/// Every `Action`/`NotAction` entry of `doc` that names no real action of the catalogue
/// (compared case-insensitively; a wildcard counts when it matches none), in document order.
pub fn unknown_actions(doc: &Document) -> Vec<UnknownAction> {
    let mut out = Vec::new();
    for s in doc.statements() {
        let (not_action, patterns) = match s.actions() {
            Actions::Action(ps) => (false, ps),
            Actions::NotAction(ps) => (true, ps),
        };
        for (index, p) in patterns.iter().enumerate() {
            if let Some((unknown, suggestion)) = judge(p) {
                out.push(UnknownAction {
                    statement: s.index(),
                    sid: s.sid().map(str::to_string),
                    effect: s.effect(),
                    not_action,
                    index,
                    name: p.as_str().to_string(),
                    unknown,
                    suggestion,
                });
            }
        }
    }
    out
}

/// Why `p` names nothing real, with a suggestion; `None` when it names something.
fn judge(p: &Pattern) -> Option<(Unknown, Option<String>)> {
    if p.matches_everything() {
        return None;
    }
    let cat = catalogue::get();
    let text = p.as_str();
    let Some((service, action)) = text.split_once(':') else {
        // Many services share an action's name: no one of them is the one meant.
        return Some((Unknown::Malformed, None));
    };
    if p.is_literal() {
        if cat.contains(text) {
            return None;
        }
        let suggestion = cat
            .suggest(text, 1)
            .first()
            .map(|s| s.action.name().to_string())
            .or_else(|| {
                let other = cat.suggest_service(service)?;
                let suggested = cat.suggest(&format!("{other}:{action}"), 1);
                suggested.first().map(|s| s.action.name().to_string())
            });
        let unknown = if cat.service(service).is_some() {
            Unknown::Action
        } else {
            Unknown::Service
        };
        return Some((unknown, suggestion));
    }
    if cat.expand(p).next().is_some() {
        return None;
    }
    let wild_service = service.contains(['*', '?']);
    if !wild_service && cat.service(service).is_none() {
        let suggestion = cat.suggest_service(service).map(|s| format!("{s}:{action}"));
        return Some((Unknown::Service, suggestion));
    }
    Some((Unknown::Wildcard, None))
}
