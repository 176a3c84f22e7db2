//! One question about many resources: "on which of these ARNs may this principal do this
//! action?", for checks that would otherwise evaluate every principal against every resource
//! (IAM-023: every user against every other user, group and role, which grows with the
//! square of the account).
//!
//! Two things keep the work about linear:
//!
//! - only the resources that some definite `Allow` of the principal names are evaluated: a
//!   resource pattern's literal prefix and suffix (after its policy variables are resolved)
//!   pick its candidates from the ARNs sorted forwards and backwards, so
//!   `arn:aws:iam::*:user/${aws:username}` costs one lookup, not one match per user; the
//!   matches of a pattern without variables are worked out once;
//! - an answer that cannot depend on the context keys that differ between the principals
//!   asking (e.g. `aws:username`) is remembered by the statements that decided it, and shared
//!   by every principal with those statements (typically everyone in the same groups).

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
    matches: RefCell<HashMap<String, TargetSet>>,
    /// Shared answers, by action (lower-cased) and the addresses of the statements that
    /// decided them.
    answers: RefCell<HashMap<(String, Vec<usize>), TargetSet>>,
}

/// Marks the end of the identity statements in an answer's key, then whether a boundary is set.
const IDENTITY_END: usize = usize::MAX;
const NO_BOUNDARY: usize = usize::MAX - 1;

fn backwards_cmp(a: &str, b: &[u8]) -> Ordering {
    a.bytes().rev().cmp(b.iter().rev().copied())
}

impl<'a> Targets<'a> {
    /// The targets `arns` (answers are indices into this order). `varying` names the context
    /// keys whose values differ between the principals that will ask (for users of one
    /// account: `aws:username`, `aws:userid`); answers that depend on none of them are
    /// shared.
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
            answers: RefCell::default(),
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

    /// The targets on which `principal.evaluate(action, arn, ctx)` is
    /// [allowed](super::Decision::Allowed), exactly: candidates come from the resources its
    /// definite `Allow` statements name, and each candidate is evaluated in full.
    pub fn allowed(&self, principal: &Principal<'a>, action: &str, ctx: &Context) -> TargetSet {
        let varying: Vec<&str> = self.varying.iter().map(String::as_str).collect();
        let mut key = Vec::new();
        let mut shared = true;
        let mut allows: Vec<&Statement> = Vec::new();
        let definite_allow = |s: &Statement| s.effect() == Effect::Allow && s.conditions_hold(ctx) == Tri::Yes;
        for s in principal.identity.iter().flat_map(|d| d.statements()) {
            if s.matches_action(action) {
                key.push(std::ptr::from_ref(s) as usize);
                shared &= !s.depends_on(&varying);
                if definite_allow(s) {
                    allows.push(s);
                }
            }
        }
        key.push(IDENTITY_END);
        let mut boundary_allows = true;
        match principal.boundary {
            None => key.push(NO_BOUNDARY),
            Some(b) => {
                boundary_allows = false;
                for s in b.statements().iter().filter(|s| s.matches_action(action)) {
                    key.push(std::ptr::from_ref(s) as usize);
                    shared &= !s.depends_on(&varying);
                    boundary_allows |= definite_allow(s);
                }
            }
        }
        if allows.is_empty() || !boundary_allows {
            return TargetSet::from([]);
        }
        if !shared {
            return self.evaluate(principal, action, ctx, &allows);
        }
        let key = (action.to_ascii_lowercase(), key);
        if let Some(hit) = self.answers.borrow().get(&key) {
            return hit.clone();
        }
        let answer = self.evaluate(principal, action, ctx, &allows);
        self.answers.borrow_mut().insert(key, answer.clone());
        answer
    }

    fn evaluate(&self, principal: &Principal<'a>, action: &str, ctx: &Context, allows: &[&Statement]) -> TargetSet {
        let mut candidates = Vec::new();
        for s in allows {
            match s.resources() {
                Resources::Resource(patterns) => {
                    for p in patterns {
                        self.candidates(p, ctx, &mut candidates);
                    }
                }
                Resources::NotResource(_) => {
                    candidates.clear();
                    candidates.extend(0..u32::try_from(self.arns.len()).unwrap_or(u32::MAX));
                    break;
                }
                Resources::Missing => {}
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        candidates
            .into_iter()
            .filter(|&i| principal.evaluate(action, self.arn(i), ctx).is_allowed())
            .collect()
    }

    /// Adds the targets `p` may match under `ctx` (a superset of those it matches).
    fn candidates(&self, p: &ResourcePattern, ctx: &Context, out: &mut Vec<u32>) {
        match p.template() {
            None => {
                let text = p.as_str();
                if let Some(hit) = self.matches.borrow().get(text) {
                    out.extend_from_slice(hit);
                    return;
                }
                let (prefix, suffix) = p.pattern().literal_ends();
                let found: TargetSet = self
                    .narrow(&prefix, &suffix)
                    .iter()
                    .copied()
                    .filter(|&i| p.pattern().matches(self.arn(i)))
                    .collect();
                out.extend_from_slice(&found);
                self.matches.borrow_mut().insert(text.to_string(), found);
            }
            Some(t) => {
                // A variable without a value leaves the match unknown: never a definite allow.
                let _ = t.with_resolved(ctx, false, |toks| {
                    let (prefix, suffix) = literal_ends(toks);
                    out.extend(
                        self.narrow(&prefix, &suffix)
                            .iter()
                            .copied()
                            .filter(|&i| glob(toks, self.arn(i).as_bytes(), false)),
                    );
                });
            }
        }
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
