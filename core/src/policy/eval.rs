//! Evaluating requests against sets of documents and against a principal (identity policies
//! intersected with a permissions boundary).

use super::ceiling::Ceiling;
use super::condition::Tri;
use super::context::Context;
use super::document::{Document, Effect, ResourcePattern, Resources};

/// The outcome of an evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    /// An `Allow` applies for certain and no `Deny` does.
    Allowed,
    /// A `Deny` applies for certain (explicit deny wins).
    Denied,
    /// Nothing definitely allows it (the implicit deny), and nothing definitely denies it.
    NotGranted,
}

/// A statement that matched the request's action and resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct MatchedStatement {
    /// Whether the statement is in the permissions boundary ([`Principal::evaluate`]).
    pub boundary: bool,
    /// For a statement of an organization policy ([`Principal::ceiling`]): its chain and
    /// level; [`MatchedStatement::document`] is then the policy's index in the level.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ceiling: Option<CeilingAt>,
    /// The index of its document in the list evaluated (the identity list for a
    /// principal; 0 for the boundary).
    pub document: usize,
    /// Its index in the document ([`Document::statements`]).
    pub statement: usize,
    /// Its effect.
    pub effect: Effect,
    /// Whether it applies only under conditions (or policy variables) that could not be
    /// decided from the context.
    pub conditional: bool,
}

/// Where in a [`Ceiling`] a statement is: the chain and the level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct CeilingAt {
    /// The chain's position in [`Ceiling::chains`].
    pub chain: usize,
    /// The level's position in the chain (0: the root).
    pub level: usize,
}

impl MatchedStatement {
    /// Whether the statement is one of the principal's identity policies (not its boundary,
    /// not an organization policy).
    pub fn is_identity(&self) -> bool {
        !self.boundary && self.ceiling.is_none()
    }
}

/// The answer to "is this action on this resource allowed", with what decided it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Evaluation {
    /// The decision, counting only statements that apply for certain.
    pub decision: Decision,
    /// The decision is [`Decision::NotGranted`] but a conditional `Allow` matched: the
    /// request may be allowed when its undecided conditions hold (for a principal: both
    /// the identity policies and the boundary allow or may allow).
    pub conditional_allow: bool,
    /// The decision is not [`Decision::Denied`] but a conditional `Deny` matched: the request
    /// may be denied in practice, which never counts as a definite deny.
    pub conditional_deny: bool,
    /// Every statement that matched the action and resource and whose conditions were not
    /// definitely false, in evaluation order.
    pub matched: Vec<MatchedStatement>,
    /// The decision is not [`Decision::Allowed`] only because a level of the principal's
    /// [ceiling](Principal::ceiling) does not allow it: the identity policies and the
    /// boundary do, and nothing denies it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub capped: bool,
    /// The levels of the ceiling that allow it nowhere (when [`Evaluation::capped`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub capped_at: Vec<CeilingAt>,
}

impl Decision {
    /// `allowed`, `denied` or `not-granted`, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allowed => "allowed",
            Decision::Denied => "denied",
            Decision::NotGranted => "not-granted",
        }
    }
}

impl Evaluation {
    /// Whether the decision is [`Decision::Allowed`].
    pub fn is_allowed(&self) -> bool {
        self.decision == Decision::Allowed
    }

    /// Whether the decision is [`Decision::Denied`].
    pub fn is_denied(&self) -> bool {
        self.decision == Decision::Denied
    }

    /// A short English explanation naming the deciding statements by `Sid` (or position),
    /// e.g. `denied by DenyAllActionsIfNoMFA (document 1)`. `docs` and `boundary` are
    /// what was evaluated.
    pub fn explain(&self, docs: &[&Document], boundary: Option<&Document>) -> String {
        let name = |m: &MatchedStatement| {
            if let Some(at) = m.ceiling {
                return format!(
                    "statement {} (organization policy {} of level {} of chain {})",
                    m.statement + 1,
                    m.document + 1,
                    at.level + 1,
                    at.chain + 1
                );
            }
            let doc = if m.boundary {
                boundary
            } else {
                docs.get(m.document).copied()
            };
            let label = doc
                .and_then(|d| d.statements().get(m.statement))
                .map_or_else(|| format!("statement {}", m.statement + 1), |s| s.label());
            if m.boundary {
                format!("{label} (boundary)")
            } else {
                format!("{label} (document {})", m.document + 1)
            }
        };
        let list = |effect: Effect, conditional: bool| {
            let names: Vec<String> = self
                .matched
                .iter()
                .filter(|m| m.effect == effect && m.conditional == conditional)
                .map(name)
                .collect();
            names.join(", ")
        };
        let mut out = match self.decision {
            Decision::Denied => format!("denied by {}", list(Effect::Deny, false)),
            Decision::Allowed => format!("allowed by {}", list(Effect::Allow, false)),
            Decision::NotGranted => {
                let allows = list(Effect::Allow, false);
                let definite = |in_boundary: bool| {
                    self.matched.iter().any(|m| {
                        m.effect == Effect::Allow && !m.conditional && m.boundary == in_boundary && m.ceiling.is_none()
                    })
                };
                if allows.is_empty() {
                    "not granted by any statement".to_string()
                } else if self.capped {
                    format!(
                        "not granted: allowed by {allows} but not through every level of the organization's policies"
                    )
                } else if definite(true) && !definite(false) {
                    format!("not granted: the boundary allows it ({allows}) but no identity policy does")
                } else {
                    format!("not granted: allowed by {allows} but not by the boundary")
                }
            }
        };
        if self.conditional_allow {
            out.push_str(&format!(
                "; may be allowed under conditions by {}",
                list(Effect::Allow, true)
            ));
        }
        if self.conditional_deny {
            out.push_str(&format!(
                "; may be denied under conditions by {}",
                list(Effect::Deny, true)
            ));
        }
        out
    }
}

/// What one layer (a document set) says, before the layers are combined.
#[derive(Debug, Default, Clone, Copy)]
struct Layer {
    allowed: bool,
    denied: bool,
    maybe_allowed: bool,
    maybe_denied: bool,
}

fn scan<'a>(
    docs: impl Iterator<Item = &'a Document>,
    boundary: bool,
    ceiling: Option<CeilingAt>,
    action: &str,
    resource: &str,
    ctx: &Context,
    matched: &mut Vec<MatchedStatement>,
) -> Layer {
    let mut layer = Layer::default();
    for (d, doc) in docs.enumerate() {
        for s in doc.statements_for(action) {
            let applies = s.applies(action, resource, ctx);
            if applies == Tri::No {
                continue;
            }
            let conditional = applies == Tri::Unknown;
            match (s.effect(), conditional) {
                (Effect::Allow, false) => layer.allowed = true,
                (Effect::Allow, true) => layer.maybe_allowed = true,
                (Effect::Deny, false) => layer.denied = true,
                (Effect::Deny, true) => layer.maybe_denied = true,
            }
            matched.push(MatchedStatement {
                boundary,
                ceiling,
                document: d,
                statement: s.index(),
                effect: s.effect(),
                conditional,
            });
        }
    }
    layer
}

/// Evaluates `action` (any case) on `resource` (an ARN, or `*`) against `docs` (identity
/// policies of one principal, or any set that applies together) under `ctx`.
///
/// A statement applies when its action, resource and conditions match; when that depends
/// on something undecidable (an operator the evaluator does not understand, a key the
/// context does not know, a policy variable without a value) it is *conditional*. The
/// decision counts only statements that apply for certain: any `Deny` wins, then any
/// `Allow`; otherwise the action is not granted. Conditional statements are reported in
/// [`Evaluation::conditional_allow`] / [`Evaluation::conditional_deny`]: a conditional
/// `Allow` never makes an allow definite, and a conditional `Deny` is never a definite deny.
pub fn evaluate(docs: &[&Document], action: &str, resource: &str, ctx: &Context) -> Evaluation {
    let mut matched = Vec::new();
    let l = scan(docs.iter().copied(), false, None, action, resource, ctx, &mut matched);
    let decision = if l.denied {
        Decision::Denied
    } else if l.allowed {
        Decision::Allowed
    } else {
        Decision::NotGranted
    };
    Evaluation {
        decision,
        conditional_allow: decision == Decision::NotGranted && l.maybe_allowed,
        conditional_deny: decision != Decision::Denied && l.maybe_denied,
        matched,
        capped: false,
        capped_at: Vec::new(),
    }
}

/// The policies that decide what a user or role may do: its identity policies (user or
/// role, inline and attached, and for a user those of its groups), intersected with its
/// permissions boundary when it has one, and capped by the organization policies of its
/// account (its [`Ceiling`]) in organization runs.
#[derive(Debug, Clone, Default)]
pub struct Principal<'a> {
    /// Identity policy documents.
    pub identity: Vec<&'a Document>,
    /// The permissions boundary document, if one is set.
    pub boundary: Option<&'a Document>,
    /// The service and resource control policies that cap it, if any apply (none for the
    /// management account, service-linked roles, or when they are unknown).
    pub ceiling: Option<&'a Ceiling>,
}

/// What the levels of a ceiling say together.
#[derive(Debug, Clone)]
struct Capped {
    /// Every level of every chain allows for certain.
    allowed: bool,
    /// Every level allows, for certain or under conditions.
    maybe_allowed: bool,
    denied: bool,
    maybe_denied: bool,
    /// The levels without an `Allow` for certain.
    short: Vec<CeilingAt>,
}

impl<'a> Principal<'a> {
    /// A principal with these identity documents and boundary, and no ceiling.
    pub fn new(identity: Vec<&'a Document>, boundary: Option<&'a Document>) -> Principal<'a> {
        Principal {
            identity,
            boundary,
            ceiling: None,
        }
    }

    /// The principal capped by `ceiling` (`None`, or an empty ceiling: nothing caps it).
    pub fn capped_by(mut self, ceiling: Option<&'a Ceiling>) -> Principal<'a> {
        self.ceiling = ceiling.filter(|c| !c.is_empty());
        self
    }

    fn scan_ceiling(&self, action: &str, resource: &str, ctx: &Context, matched: &mut Vec<MatchedStatement>) -> Capped {
        let mut c = Capped {
            allowed: true,
            maybe_allowed: true,
            denied: false,
            maybe_denied: false,
            short: Vec::new(),
        };
        let Some(ceiling) = self.ceiling else { return c };
        for (ci, chain) in ceiling.capping(action) {
            for (li, level) in chain.levels.iter().enumerate() {
                let at = CeilingAt { chain: ci, level: li };
                let l = scan(level.documents(), false, Some(at), action, resource, ctx, matched);
                c.denied |= l.denied;
                c.maybe_denied |= l.maybe_denied;
                c.allowed &= l.allowed;
                c.maybe_allowed &= l.allowed || l.maybe_allowed;
                if !l.allowed {
                    c.short.push(at);
                }
            }
        }
        c
    }

    /// The effective decision: allowed only when the identity policies allow, the boundary
    /// (if any) allows, and every level of the ceiling (if any) allows; a definite deny in
    /// any of them wins. In [`Evaluation::matched`], boundary statements have `boundary:
    /// true` and the ceiling's have `ceiling` set.
    pub fn evaluate(&self, action: &str, resource: &str, ctx: &Context) -> Evaluation {
        let mut matched = Vec::new();
        let id = scan(
            self.identity.iter().copied(),
            false,
            None,
            action,
            resource,
            ctx,
            &mut matched,
        );
        let b = match self.boundary {
            Some(doc) => scan(std::iter::once(doc), true, None, action, resource, ctx, &mut matched),
            None => Layer {
                allowed: true,
                ..Layer::default()
            },
        };
        let cap = self.scan_ceiling(action, resource, ctx, &mut matched);
        let decision = if id.denied || b.denied || cap.denied {
            Decision::Denied
        } else if id.allowed && b.allowed && cap.allowed {
            Decision::Allowed
        } else {
            Decision::NotGranted
        };
        let capped = decision == Decision::NotGranted && id.allowed && b.allowed;
        Evaluation {
            decision,
            conditional_allow: decision == Decision::NotGranted
                && (id.allowed || id.maybe_allowed)
                && (b.allowed || b.maybe_allowed)
                && cap.maybe_allowed,
            conditional_deny: decision != Decision::Denied && (id.maybe_denied || b.maybe_denied || cap.maybe_denied),
            matched,
            capped,
            capped_at: if capped { cap.short } else { Vec::new() },
        }
    }

    /// Whether the boundary (if any) and the ceiling (if any) may allow `action` on
    /// `resource` under `ctx`, for certain or under conditions, and neither denies it for
    /// certain: what a request needs beyond the identity policies (a role's trust policy
    /// that names the caller stands in for them in the same account).
    pub fn caps_may_allow(&self, action: &str, resource: &str, ctx: &Context) -> bool {
        let mut matched = Vec::new();
        let b = match self.boundary {
            Some(doc) => scan(std::iter::once(doc), true, None, action, resource, ctx, &mut matched),
            None => Layer {
                allowed: true,
                ..Layer::default()
            },
        };
        let cap = self.scan_ceiling(action, resource, ctx, &mut matched);
        !b.denied && !cap.denied && (b.allowed || b.maybe_allowed) && cap.maybe_allowed
    }

    /// Whether `action` can be allowed on some resource, decided from the statements that
    /// cover it, resources and conditions aside: some identity `Allow` covers it, the
    /// boundary (when set) has an `Allow` that covers it, every level of the ceiling has
    /// one, and no unconditional `Deny` on every resource (`Resource: "*"`) covers it. When
    /// it is `false`, [`Principal::evaluate`] of `action` is neither allowed nor a
    /// conditional allow, on any resource and in any context: a cheap test before
    /// evaluating one action on many resources.
    pub fn may_allow(&self, action: &str) -> bool {
        let allows = |d: &Document| {
            d.statements_for(action)
                .any(|s| s.effect() == Effect::Allow && s.matches_action(action))
        };
        let denies_everywhere = |d: &Document| {
            d.statements_for(action).any(|s| {
                s.is_unconditional_deny()
                    && s.matches_action(action)
                    && matches!(s.resources(), Resources::Resource(ps) if ps.iter().any(ResourcePattern::matches_everything))
            })
        };
        self.identity.iter().any(|d| allows(d))
            && self.boundary.is_none_or(allows)
            && !self
                .identity
                .iter()
                .chain(self.boundary.iter())
                .any(|d| denies_everywhere(d))
            && self.ceiling.is_none_or(|c| c.may_allow(action))
    }

    /// [`Principal::may_allow`] for an action of the [catalogue](super::catalogue), from each
    /// document's action sets worked out once ([`Document::allowed_somewhere`],
    /// [`Document::denied_everywhere`]): cheap however many statements the documents have, for
    /// questions asked of every principal. An action the catalogue does not know falls back
    /// to [`Principal::may_allow`].
    pub fn may_allow_known(&self, action: &str) -> bool {
        match super::catalogue::get().action(action) {
            Some(a) => self.may_allow_action(&a),
            None => self.may_allow(action),
        }
    }

    /// [`Principal::may_allow_known`] for an action already looked up in the catalogue.
    pub fn may_allow_action(&self, a: &super::catalogue::Action<'_>) -> bool {
        self.identity.iter().any(|d| d.allowed_somewhere().contains(a))
            && self.boundary.is_none_or(|b| b.allowed_somewhere().contains(a))
            && !self
                .identity
                .iter()
                .chain(self.boundary.iter())
                .any(|d| d.denied_everywhere().contains(a))
            && self.ceiling.is_none_or(|c| c.may_allow_action(a))
    }

    /// Whether the principal may do everything (IAM-010, IAM-022), decided from the
    /// documents and the [action catalogue](super::catalogue): the identity policies'
    /// unconditional `Allow` statements on every resource together cover every real action
    /// (`*`; `NotAction` of names no service has; every service's wildcard), so do the
    /// boundary's when one is set, every level of the ceiling lets every action through,
    /// and no unconditional `Deny` in any of them removes a real action on some resource.
    /// Conditional statements neither grant nor remove.
    pub fn allows_everything(&self) -> bool {
        self.allows_everything_uncapped() && self.ceiling.is_none_or(Ceiling::lets_everything_through)
    }

    /// [`Principal::allows_everything`] without the ceiling: what the principal's own
    /// policies and boundary allow, whatever the organization's policies say.
    pub fn allows_everything_uncapped(&self) -> bool {
        self.identity_grants_every_action()
            && self.boundary.is_none_or(|b| grants_every_action(&[b]))
            && !self
                .identity
                .iter()
                .chain(self.boundary.iter())
                .any(|d| d.removes_something())
    }

    /// Whether the identity policies' unconditional `Allow` statements on every resource
    /// together cover every real action, boundary and denies aside (the first condition of
    /// [`Principal::allows_everything`]).
    pub fn identity_grants_every_action(&self) -> bool {
        grants_every_action(&self.identity)
    }
}

/// Whether the unconditional `Allow` statements on every resource of `docs` together cover
/// every action of the catalogue (denies aside).
pub(crate) fn grants_every_action(docs: &[&Document]) -> bool {
    if docs
        .iter()
        .any(|d| d.statements().iter().any(|s| s.grants_everything()))
    {
        return true;
    }
    // Without a NotAction or a wildcard over services, only a list naming every service
    // can cover every action: most principals are decided here, without expanding anything.
    let (entries, open_ended) = docs.iter().fold((0, false), |(n, open), d| {
        let (dn, dopen) = d.allow_shape();
        (n + dn, open || dopen)
    });
    if !open_ended && entries < super::catalogue::get().services().len() {
        return false;
    }
    let mut set = super::ActionSet::empty();
    for d in docs {
        set.union_with(d.granted_everywhere());
        if set.is_full() {
            return true;
        }
    }
    false
}
