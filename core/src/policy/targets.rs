//! One question about many resources: "on which of these ARNs may this principal do this
//! action?", for checks that would otherwise evaluate every principal against every resource
//! (IAM-023: every user against every other user, group and role, which grows with the
//! square of the account).
//!
//! The answer is worked out statement by statement rather than resource by resource: for
//! each statement that covers the action, the set of targets its resource definitely matches
//! (see [`Targets::allowed`]), from which the decision of every target follows as in
//! [`Principal::evaluate`]. Three things keep the work about linear:
//!
//! - a resource pattern's literal prefix and suffix (after its policy variables are
//!   resolved) pick its candidates from the ARNs sorted forwards and backwards, so
//!   `arn:aws:iam::*:user/${aws:username}` costs one lookup, not one match per target; the
//!   matches of a pattern without variables are worked out once;
//! - what the statements that cannot depend on the principal's own context keys (e.g.
//!   `aws:username`) say is worked out once for every target, and shared by every principal
//!   with those statements (typically everyone in the same groups);
//! - a principal's own statements (`${aws:username}` and the like) then adjust that shared
//!   answer on the few targets they name.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::rc::Rc;

use super::condition::Tri;
use super::context::Context;
use super::document::{Effect, ResourcePattern, Resources, Statement};
use super::eval::Principal;
use super::pattern::{glob, literal_ends};

/// Indices of [`Targets`], ascending.
pub type TargetSet = Rc<[u32]>;

/// A set of ARNs asked about again and again, by many principals.
///
/// ```
/// use hipaa_iam_core::policy::{Context, Document, Principal, Targets};
/// let doc = Document::from_json(&serde_json::json!({"Version": "2012-10-17", "Statement": [
///     {"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "arn:aws:iam::*:user/${aws:username}"}
/// ]})).unwrap();
/// let users = ["arn:aws:iam::1:user/alice", "arn:aws:iam::1:user/bob"];
/// let targets = Targets::new(users, &["aws:username", "aws:userid"]);
/// let bob = Context::new().with_principal("bob", "AIDBOB", "1");
/// let allowed = targets.allowed(&Principal::new(vec![&doc], None), "iam:CreateAccessKey", &bob);
/// assert_eq!(&allowed[..], &[1]);
/// ```
#[derive(Debug)]
pub struct Targets<'a> {
    arns: Vec<&'a str>,
    /// Indices sorted by ARN.
    forwards: Vec<u32>,
    /// Indices sorted by ARN read backwards.
    backwards: Vec<u32>,
    /// The context keys (lower-cased) whose values differ between the principals asking.
    varying: Vec<String>,
    /// The targets each resource pattern without policy variables matches, by its text.
    matches: RefCell<HashMap<String, Rc<[u32]>>>,
    /// What the statements that do not depend on `varying` say, by action (lower-cased) and
    /// the addresses of those statements.
    shared: RefCell<HashMap<LayerKey, Rc<Layer>>>,
    /// [`Targets::possible`]: an `Allow` counts unless its conditions are definitely false.
    possible: bool,
    /// What a ceiling lets through, by action (lower-cased) and the ceiling's address, for
    /// ceilings whose statements do not depend on `varying`.
    ceilings: RefCell<HashMap<(String, usize), TargetSet>>,
    /// A shared answer capped by a shared ceiling answer, by their addresses (both kept
    /// alive in the value, so no address is reused).
    joined: RefCell<HashMap<(usize, usize), Joined>>,
}

/// A shared answer, a shared ceiling answer, and the first capped by the second.
type Joined = (TargetSet, TargetSet, TargetSet);

/// An action (lower-cased) and the addresses of the statements that cover it.
type LayerKey = (String, Vec<usize>);

/// Marks the end of the identity statements in a key, then whether a boundary is set.
const IDENTITY_END: usize = usize::MAX;
const NO_BOUNDARY: usize = usize::MAX - 1;

fn backwards_cmp(a: &str, b: &[u8]) -> Ordering {
    a.bytes().rev().cmp(b.iter().rev().copied())
}

/// The targets a statement's resource definitely matches.
enum Matched {
    /// These (ascending).
    Only(Vec<u32>),
    /// All but these (ascending): a `NotResource`.
    AllBut(Vec<u32>),
}

impl Matched {
    fn contains(&self, i: u32) -> bool {
        match self {
            Matched::Only(v) => v.binary_search(&i).is_ok(),
            Matched::AllBut(v) => v.binary_search(&i).is_err(),
        }
    }
}

/// What a statement that covers the action and definitely applies under the context does.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    /// An identity `Allow`.
    Allow,
    /// A `Deny`, identity or boundary: it wins.
    Deny,
    /// A boundary `Allow`.
    Bound,
}

/// What some statements say about every target.
#[derive(Debug, Default)]
struct Layer {
    allow: Vec<bool>,
    deny: Vec<bool>,
    bound: Vec<bool>,
    /// The targets some identity `Allow` of the layer matches (ascending).
    allowed: Vec<u32>,
    /// The decision from this layer alone (a boundary, if set, must allow as well).
    answer: TargetSet,
}

impl<'a> Targets<'a> {
    /// The targets `arns` (answers are indices into this order). `varying` names the context
    /// keys whose values differ between the principals that will ask (for users of one
    /// account: `aws:username`, `aws:userid`): the contexts given to [`Targets::allowed`]
    /// must differ in no other key. What depends on none of them is shared.
    pub fn new(arns: impl IntoIterator<Item = &'a str>, varying: &[&str]) -> Targets<'a> {
        let arns: Vec<&'a str> = arns.into_iter().collect();
        let count = u32::try_from(arns.len()).unwrap_or(u32::MAX);
        let mut forwards: Vec<u32> = (0..count).collect();
        forwards.sort_by(|&a, &b| arns[a as usize].cmp(arns[b as usize]));
        let mut backwards: Vec<u32> = (0..count).collect();
        backwards.sort_by(|&a, &b| backwards_cmp(arns[a as usize], arns[b as usize].as_bytes()));
        Targets {
            arns,
            forwards,
            backwards,
            varying: varying.iter().map(|k| k.to_ascii_lowercase()).collect(),
            matches: RefCell::default(),
            shared: RefCell::default(),
            possible: false,
            ceilings: RefCell::default(),
            joined: RefCell::default(),
        }
    }

    /// Like [`Targets::new`], but [`Targets::allowed`] answers which targets the action *may*
    /// be allowed on: an `Allow` whose conditions are undecided under the context counts as
    /// applying (a `Deny` still counts only when it definitely applies). The access graph asks
    /// this, so that a path needing MFA or another condition is a path, with its condition.
    pub fn possible(arns: impl IntoIterator<Item = &'a str>, varying: &[&str]) -> Targets<'a> {
        Targets {
            possible: true,
            ..Targets::new(arns, varying)
        }
    }

    /// Whether statement `s` counts under `ctx`: it definitely applies, or, in
    /// [`Targets::possible`] mode, it is an `Allow` that may apply.
    fn counts(&self, s: &Statement, ctx: &Context) -> bool {
        match s.conditions_hold(ctx) {
            Tri::Yes => true,
            Tri::Unknown => self.possible && s.effect() == Effect::Allow,
            Tri::No => false,
        }
    }

    /// How many targets there are.
    pub fn len(&self) -> usize {
        self.arns.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.arns.is_empty()
    }

    /// The ARN of target `i`.
    pub fn arn(&self, i: u32) -> &'a str {
        self.arns[i as usize]
    }

    fn count(&self) -> u32 {
        u32::try_from(self.arns.len()).unwrap_or(u32::MAX)
    }

    /// The targets on which `principal.evaluate(action, arn, ctx)` is
    /// [allowed](super::Decision::Allowed), exactly.
    ///
    /// Only the statements that cover the action count, each with its conditions decided
    /// once under `ctx` (they read the context, never the resource). A target is allowed
    /// when an identity `Allow` that definitely applies matches it, no `Deny` that
    /// definitely applies (identity, boundary or ceiling) does, with a boundary a boundary
    /// `Allow` that definitely applies matches it too, and with a ceiling so does an `Allow`
    /// of every level of every chain that caps the action.
    pub fn allowed(&self, principal: &Principal<'a>, action: &str, ctx: &Context) -> TargetSet {
        let uncapped = self.allowed_uncapped(principal, action, ctx);
        let Some(ceiling) = principal.ceiling else {
            return uncapped;
        };
        if uncapped.is_empty() || ceiling.capping(action).next().is_none() {
            return uncapped;
        }
        let cap = self.through(ceiling, action, ctx);
        let shared = Rc::strong_count(&uncapped) > 1 && Rc::strong_count(&cap) > 1;
        let key = (uncapped.as_ptr() as usize, cap.as_ptr() as usize);
        if shared {
            if let Some((_, _, hit)) = self.joined.borrow().get(&key) {
                return hit.clone();
            }
        }
        let joined: TargetSet = uncapped
            .iter()
            .copied()
            .filter(|i| cap.binary_search(i).is_ok())
            .collect();
        if shared {
            self.joined.borrow_mut().insert(key, (uncapped, cap, joined.clone()));
        }
        joined
    }

    /// The targets the chains of `ceiling` that cap `action` let it through to under `ctx`:
    /// at every level an `Allow` that counts matches the target, and no `Deny` that
    /// definitely applies does.
    fn through(&self, ceiling: &super::Ceiling, action: &str, ctx: &Context) -> TargetSet {
        let varying: Vec<&str> = self.varying.iter().map(String::as_str).collect();
        let statements = || {
            ceiling
                .capping(action)
                .flat_map(|(_, c)| c.documents())
                .flat_map(|d| d.statements_for(action))
                .filter(|s| s.matches_action(action))
        };
        let personal = statements().any(|s| s.depends_on(&varying));
        let key = (action.to_ascii_lowercase(), std::ptr::from_ref(ceiling) as usize);
        if !personal {
            if let Some(hit) = self.ceilings.borrow().get(&key) {
                return hit.clone();
            }
        }
        let n = self.arns.len();
        let mut through = vec![true; n];
        let mut denied = vec![false; n];
        for (_, chain) in ceiling.capping(action) {
            for level in &chain.levels {
                let mut allowed = vec![false; n];
                for s in level
                    .documents()
                    .flat_map(|d| d.statements_for(action))
                    .filter(|s| s.matches_action(action) && self.counts(s, ctx))
                {
                    let marks = match s.effect() {
                        Effect::Allow => &mut allowed,
                        Effect::Deny => &mut denied,
                    };
                    match self.matched(s, ctx) {
                        Matched::Only(v) => v.iter().for_each(|&i| marks[i as usize] = true),
                        Matched::AllBut(v) => {
                            for (i, mark) in marks.iter_mut().enumerate() {
                                *mark |= v.binary_search(&(i as u32)).is_err();
                            }
                        }
                    }
                }
                for (t, a) in through.iter_mut().zip(allowed) {
                    *t &= a;
                }
            }
        }
        let answer: TargetSet = (0..self.count())
            .filter(|&i| through[i as usize] && !denied[i as usize])
            .collect();
        if !personal {
            self.ceilings.borrow_mut().insert(key, answer.clone());
        }
        answer
    }

    /// [`Targets::allowed`] without the principal's ceiling.
    fn allowed_uncapped(&self, principal: &Principal<'a>, action: &str, ctx: &Context) -> TargetSet {
        let varying: Vec<&str> = self.varying.iter().map(String::as_str).collect();
        let mut key = Vec::new();
        let mut own: Vec<(&Statement, Role)> = Vec::new();
        let (mut any_allow, mut any_bound) = (false, principal.boundary.is_none());
        let mut visit = |s: &'a Statement, boundary: bool, key: &mut Vec<usize>| {
            let definite = self.counts(s, ctx);
            let role = match (s.effect(), boundary) {
                (Effect::Deny, _) => Role::Deny,
                (Effect::Allow, false) => Role::Allow,
                (Effect::Allow, true) => Role::Bound,
            };
            any_allow |= definite && role == Role::Allow;
            any_bound |= definite && role == Role::Bound;
            if s.depends_on(&varying) {
                if definite {
                    own.push((s, role));
                }
            } else {
                key.push(std::ptr::from_ref(s) as usize);
            }
        };
        for s in principal.identity.iter().flat_map(|d| d.statements_for(action)) {
            if s.matches_action(action) {
                visit(s, false, &mut key);
            }
        }
        key.push(IDENTITY_END);
        match principal.boundary {
            None => key.push(NO_BOUNDARY),
            Some(b) => {
                for s in b.statements_for(action).filter(|s| s.matches_action(action)) {
                    visit(s, true, &mut key);
                }
            }
        }
        if !any_allow || !any_bound {
            return TargetSet::from([]);
        }
        let key = (action.to_ascii_lowercase(), key);
        let cached = self.shared.borrow().get(&key).cloned();
        let layer = match cached {
            Some(layer) => layer,
            None => {
                let layer = Rc::new(self.layer(principal, action, &key.1, ctx));
                self.shared.borrow_mut().insert(key, layer.clone());
                layer
            }
        };
        if own.is_empty() {
            return layer.answer.clone();
        }
        // The principal's own statements, on top of the shared layer.
        let own: Vec<(Matched, Role)> = own.into_iter().map(|(s, role)| (self.matched(s, ctx), role)).collect();
        let mut candidates: Vec<u32> = if own
            .iter()
            .any(|(m, role)| *role == Role::Allow && matches!(m, Matched::AllBut(_)))
        {
            (0..self.count()).collect()
        } else {
            let mut c = layer.allowed.clone();
            for (m, role) in &own {
                if let (Matched::Only(v), Role::Allow) = (m, role) {
                    c.extend_from_slice(v);
                }
            }
            c.sort_unstable();
            c.dedup();
            c
        };
        let says = |i: u32, role: Role| own.iter().any(|(m, r)| *r == role && m.contains(i));
        let bounded = principal.boundary.is_some();
        candidates.retain(|&i| {
            let t = i as usize;
            (layer.allow[t] || says(i, Role::Allow))
                && (!bounded || layer.bound[t] || says(i, Role::Bound))
                && !(layer.deny[t] || says(i, Role::Deny))
        });
        candidates.into()
    }

    /// What the statements of `principal` at the addresses in `key` (those that do not
    /// depend on the varying keys) say about every target.
    fn layer(&self, principal: &Principal<'a>, action: &str, key: &[usize], ctx: &Context) -> Layer {
        let n = self.arns.len();
        let mut layer = Layer {
            allow: vec![false; n],
            deny: vec![false; n],
            bound: vec![false; n],
            ..Layer::default()
        };
        let boundary = principal
            .boundary
            .iter()
            .flat_map(|d| d.statements_for(action))
            .map(|s| (s, true));
        for (s, in_boundary) in principal
            .identity
            .iter()
            .flat_map(|d| d.statements_for(action))
            .map(|s| (s, false))
            .chain(boundary)
        {
            if !key.contains(&(std::ptr::from_ref(s) as usize)) || !self.counts(s, ctx) {
                continue;
            }
            let marks = match (s.effect(), in_boundary) {
                (Effect::Deny, _) => &mut layer.deny,
                (Effect::Allow, false) => &mut layer.allow,
                (Effect::Allow, true) => &mut layer.bound,
            };
            match self.matched(s, ctx) {
                Matched::Only(v) => v.iter().for_each(|&i| marks[i as usize] = true),
                Matched::AllBut(v) => {
                    for (i, mark) in marks.iter_mut().enumerate() {
                        *mark |= v.binary_search(&(i as u32)).is_err();
                    }
                }
            }
        }
        let bounded = principal.boundary.is_some();
        layer.allowed = (0..self.count()).filter(|&i| layer.allow[i as usize]).collect();
        layer.answer = layer
            .allowed
            .iter()
            .copied()
            .filter(|&i| (!bounded || layer.bound[i as usize]) && !layer.deny[i as usize])
            .collect();
        layer
    }

    /// The targets `s`'s resource definitely matches under `ctx`: those a `Resource` pattern
    /// matches, or for `NotResource` those no pattern matches. A policy variable without a
    /// value leaves its pattern's match unknown, never definite: such a `Resource` pattern
    /// matches nothing for certain, and such a `NotResource` leaves nothing certain.
    fn matched(&self, s: &Statement, ctx: &Context) -> Matched {
        let (ps, not) = match s.resources() {
            Resources::Resource(ps) => (ps, false),
            Resources::NotResource(ps) => (ps, true),
            Resources::Missing => return Matched::Only(Vec::new()),
        };
        let mut out = Vec::new();
        for p in ps {
            match self.pattern_matches(p, ctx) {
                Some(found) => out.extend_from_slice(&found),
                None if not => return Matched::Only(Vec::new()),
                None => {}
            }
        }
        out.sort_unstable();
        out.dedup();
        if not {
            Matched::AllBut(out)
        } else {
            Matched::Only(out)
        }
    }

    /// The targets `p` matches under `ctx` (ascending), `None` when a policy variable has no
    /// value. Those of a pattern without variables are worked out once.
    fn pattern_matches(&self, p: &ResourcePattern, ctx: &Context) -> Option<Rc<[u32]>> {
        let Some(t) = p.template() else {
            let text = p.as_str();
            if let Some(hit) = self.matches.borrow().get(text) {
                return Some(hit.clone());
            }
            let (prefix, suffix) = p.pattern().literal_ends();
            let mut found: Vec<u32> = self
                .narrow(&prefix, &suffix)
                .iter()
                .copied()
                .filter(|&i| p.pattern().matches(self.arn(i)))
                .collect();
            found.sort_unstable();
            let found: Rc<[u32]> = found.into();
            self.matches.borrow_mut().insert(text.to_string(), found.clone());
            return Some(found);
        };
        if t.is_null(ctx) {
            return Some(Rc::from(Vec::new()));
        }
        t.with_resolved(ctx, false, |toks| {
            let (prefix, suffix) = literal_ends(toks);
            let mut found: Vec<u32> = self
                .narrow(&prefix, &suffix)
                .iter()
                .copied()
                .filter(|&i| glob(toks, self.arn(i).as_bytes(), false))
                .collect();
            found.sort_unstable();
            found.into()
        })
    }

    /// The targets that start with `prefix` or those that end with `suffix`, whichever are
    /// fewer (unsorted).
    fn narrow(&self, prefix: &[u8], suffix: &[u8]) -> &[u32] {
        let arns = &self.arns;
        let start = self.forwards.partition_point(|&i| arns[i as usize].as_bytes() < prefix);
        let len = self.forwards[start..].partition_point(|&i| arns[i as usize].as_bytes().starts_with(prefix));
        let by_prefix = &self.forwards[start..start + len];
        let start = self
            .backwards
            .partition_point(|&i| backwards_cmp(arns[i as usize], suffix) == Ordering::Less);
        let len = self.backwards[start..].partition_point(|&i| arns[i as usize].as_bytes().ends_with(suffix));
        let by_suffix = &self.backwards[start..start + len];
        if by_suffix.len() < by_prefix.len() {
            by_suffix
        } else {
            by_prefix
        }
    }
}
