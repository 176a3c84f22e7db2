//! Ceilings above a principal's own policies: the service control policies (SCPs) and
//! resource control policies (RCPs) of AWS Organizations that apply to its account.
//!
//! A [`Ceiling`] is one or more [`Chain`]s (the SCPs, the RCPs), each a list of [`Level`]s
//! from the organization's root down through the organizational units to the account, each
//! level holding the policies attached there. AWS's rule, which every question of
//! [`Principal`](super::Principal) follows:
//!
//! - an action is permitted by a chain only when, at *every* level, some policy attached
//!   there allows it (a level without an `Allow` of it stops it, whatever the other levels
//!   say);
//! - a `Deny` in any policy of any level wins;
//! - a chain never grants anything: it only caps what the identity policies (within the
//!   boundary) allow;
//! - a chain of resource control policies caps only the actions of the services it names
//!   ([`Chain::services`]); one of service control policies caps every action.
//!
//! Who a ceiling applies to is for the caller to decide: AWS exempts the organization's
//! management account and service-linked roles, which then get no ceiling.

use std::sync::{Arc, OnceLock};

use super::action_set::ActionSet;
use super::document::{Document, Effect, ResourcePattern, Resources};
use super::pattern::Pattern;

/// The kind of organization policy a [`Chain`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CeilingKind {
    /// Service control policies: cap what the account's principals may do.
    ServiceControl,
    /// Resource control policies: cap what may be done to the account's resources, for the
    /// services they support.
    ResourceControl,
}

impl CeilingKind {
    /// `SCP` or `RCP`.
    pub fn short(self) -> &'static str {
        match self {
            CeilingKind::ServiceControl => "SCP",
            CeilingKind::ResourceControl => "RCP",
        }
    }

    /// `service control policies` or `resource control policies`.
    pub fn plural(self) -> &'static str {
        match self {
            CeilingKind::ServiceControl => "service control policies",
            CeilingKind::ResourceControl => "resource control policies",
        }
    }
}

/// The service prefixes whose actions resource control policies cap, as AWS lists them
/// (AWS Organizations User Guide, "List of AWS services that support RCPs", at their
/// launch): S3, STS, KMS, SQS and Secrets Manager. An action of another service is not
/// capped by RCPs here; a service AWS adds later is not capped until it is added to this
/// list (access is then overstated, never understated).
pub const RCP_SERVICES: &[&str] = &["kms", "s3", "secretsmanager", "sqs", "sts"];

/// One level of a chain: the root, an organizational unit or the account, and the policies
/// attached to it.
#[derive(Debug, Clone)]
pub struct Level {
    /// `root r-ab12`, `OU Clinical (ou-ab12-cdef3456)`, `account 111111111111`.
    pub name: String,
    /// The policies attached at this level, each with a label (`DenyIAM (p-abcd1234)`).
    pub policies: Vec<(String, Arc<Document>)>,
}

impl Level {
    /// The documents of the level.
    pub fn documents(&self) -> impl Iterator<Item = &Document> + '_ {
        self.policies.iter().map(|(_, d)| &**d)
    }
}

/// One kind of organization policy from the root down to the account.
#[derive(Debug, Clone)]
pub struct Chain {
    /// What the policies are.
    pub kind: CeilingKind,
    /// The service prefixes (lower-case) whose actions the chain caps; empty: every action.
    pub services: Vec<String>,
    /// From the root down to the account: every level must allow an action.
    pub levels: Vec<Level>,
    /// The actions of `services`, worked out on first use.
    scope: OnceLock<ActionSet>,
}

impl Chain {
    /// A chain of `kind` over `levels`, capping the actions of `services` (empty: every
    /// action).
    pub fn new(kind: CeilingKind, services: &[&str], levels: Vec<Level>) -> Chain {
        Chain {
            kind,
            services: services.iter().map(|s| s.to_ascii_lowercase()).collect(),
            levels,
            scope: OnceLock::new(),
        }
    }

    /// Whether the chain caps `action` (any case): it caps every action, or the action's
    /// service is one of [`Chain::services`].
    pub fn caps(&self, action: &str) -> bool {
        if self.services.is_empty() {
            return true;
        }
        let service = action.split_once(':').map_or(action, |(s, _)| s);
        self.services.iter().any(|s| s.eq_ignore_ascii_case(service))
    }

    /// The real actions the chain caps.
    pub fn scope(&self) -> &ActionSet {
        self.scope.get_or_init(|| {
            if self.services.is_empty() {
                return ActionSet::full();
            }
            let mut set = ActionSet::empty();
            for s in &self.services {
                set.insert_matching(&Pattern::new(&format!("{s}:*"), true));
            }
            set
        })
    }

    /// Every document of every level.
    pub fn documents(&self) -> impl Iterator<Item = &Document> + '_ {
        self.levels.iter().flat_map(Level::documents)
    }

    /// Whether the chain lets every action it caps through on every resource: at every level
    /// the unconditional `Allow` statements on every resource cover all of them, and no
    /// unconditional `Deny` removes one of them on some resource.
    pub fn lets_everything_through(&self) -> bool {
        self.levels.iter().all(|l| self.level_lets_everything_through(l)) && self.removals().is_empty()
    }

    fn level_lets_everything_through(&self, level: &Level) -> bool {
        let docs: Vec<&Document> = level.documents().collect();
        if self.services.is_empty() {
            return super::eval::grants_every_action(&docs);
        }
        let mut granted = ActionSet::empty();
        for d in &docs {
            granted.union_with(d.granted_everywhere());
        }
        self.scope().is_subset(&granted)
    }

    /// The unconditional `Deny` statements that remove some capped action on some resource:
    /// (level, policy label, what it removes).
    fn removals(&self) -> Vec<(&Level, &str, ActionSet)> {
        let mut out = Vec::new();
        for level in &self.levels {
            for (label, doc) in &level.policies {
                let mut removed = ActionSet::empty();
                for s in doc.statements().iter().filter(|s| s.removes_something()) {
                    removed.union_with(&s.action_set());
                }
                removed.intersect_with(self.scope());
                if !removed.is_empty() {
                    out.push((level, label.as_str(), removed));
                }
            }
        }
        out
    }

    /// Why the chain does not let every capped action through, one phrase each, naming the
    /// policies: `SCP DenyIAM (p-abcd1234) attached to OU Clinical (ou-...) denies iam:*`, or
    /// `no SCP attached to OU Clinical (ou-...) allows every action (attached: ReadOnly
    /// (p-...))`. Empty when it lets everything through.
    pub fn limits(&self) -> Vec<String> {
        let kind = self.kind.short();
        let mut out = Vec::new();
        for level in &self.levels {
            if !self.level_lets_everything_through(level) {
                let attached: Vec<&str> = level.policies.iter().map(|(l, _)| l.as_str()).collect();
                let attached = if attached.is_empty() {
                    "none attached".to_string()
                } else {
                    format!("attached: {}", attached.join(", "))
                };
                out.push(format!(
                    "no {kind} attached to {} allows every action on every resource ({attached})",
                    level.name
                ));
            }
        }
        for (level, label, removed) in self.removals() {
            out.push(format!(
                "{kind} {label} attached to {} denies {}",
                level.name,
                removed.describe(3)
            ));
        }
        out
    }

    /// What may be allowed through the chain, as sets of real actions, for the access
    /// graph's powers: the actions some `Allow` of every level may grant on some resource
    /// (`anywhere`), those every level grants unconditionally on every resource
    /// (`everywhere`), and those an unconditional `Deny` on every resource removes
    /// (`denied`). Actions the chain does not cap are in the first two and not the third.
    pub fn sets(&self) -> (ActionSet, ActionSet, ActionSet) {
        let outside = self.scope().clone().complement();
        let mut anywhere = ActionSet::full();
        let mut everywhere = ActionSet::full();
        let mut denied = ActionSet::empty();
        for level in &self.levels {
            let mut some = outside.clone();
            let mut every = outside.clone();
            for d in level.documents() {
                some.union_with(d.allowed_somewhere());
                every.union_with(d.granted_everywhere());
                denied.union_with(d.denied_everywhere());
            }
            anywhere.intersect_with(&some);
            everywhere.intersect_with(&every);
        }
        denied.intersect_with(self.scope());
        (anywhere, everywhere, denied)
    }

    /// [`Principal::may_allow`](super::Principal::may_allow) of the chain for `action`:
    /// every level has an `Allow` that covers it (resources and conditions aside), and no
    /// unconditional `Deny` on every resource covers it. An action the chain does not cap
    /// passes.
    pub fn may_allow(&self, action: &str) -> bool {
        if !self.caps(action) {
            return true;
        }
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
        self.levels.iter().all(|l| l.documents().any(allows)) && !self.documents().any(denies_everywhere)
    }

    /// [`Chain::may_allow`] for an action of the catalogue, from each document's action sets.
    pub fn may_allow_action(&self, a: &super::catalogue::Action<'_>) -> bool {
        if !self.scope().contains(a) {
            return true;
        }
        self.levels
            .iter()
            .all(|l| l.documents().any(|d| d.allowed_somewhere().contains(a)))
            && !self.documents().any(|d| d.denied_everywhere().contains(a))
    }
}

/// The organization policies that cap a principal: one [`Chain`] per kind that applies.
/// The empty ceiling caps nothing.
#[derive(Debug, Clone, Default)]
pub struct Ceiling {
    /// The chains.
    pub chains: Vec<Chain>,
}

impl Ceiling {
    /// A ceiling of these chains.
    pub fn new(chains: Vec<Chain>) -> Ceiling {
        Ceiling { chains }
    }

    /// Whether no chain applies.
    pub fn is_empty(&self) -> bool {
        self.chains.is_empty()
    }

    /// The chains that cap `action`, with their positions.
    pub fn capping<'c, 'a>(&'c self, action: &'a str) -> impl Iterator<Item = (usize, &'c Chain)> + use<'c, 'a> {
        self.chains.iter().enumerate().filter(move |(_, c)| c.caps(action))
    }

    /// Whether every chain lets every action through ([`Chain::lets_everything_through`]).
    pub fn lets_everything_through(&self) -> bool {
        self.chains.iter().all(Chain::lets_everything_through)
    }

    /// Why not, naming the policies ([`Chain::limits`]).
    pub fn limits(&self) -> Vec<String> {
        self.chains.iter().flat_map(Chain::limits).collect()
    }

    /// Whether every chain may allow `action` ([`Chain::may_allow`]).
    pub fn may_allow(&self, action: &str) -> bool {
        self.chains.iter().all(|c| c.may_allow(action))
    }

    /// Whether every chain may allow the catalogue's action `a`.
    pub fn may_allow_action(&self, a: &super::catalogue::Action<'_>) -> bool {
        self.chains.iter().all(|c| c.may_allow_action(a))
    }

    /// The label of the policy `policy` of level `level` of chain `chain`, with where it is
    /// attached and what it is: `SCP DenyIAM (p-abcd1234) attached to OU Clinical (ou-...)`.
    pub fn describe(&self, chain: usize, level: usize, policy: usize) -> Option<String> {
        let c = self.chains.get(chain)?;
        let l = c.levels.get(level)?;
        let (label, _) = l.policies.get(policy)?;
        Some(format!("{} {label} attached to {}", c.kind.short(), l.name))
    }

    /// The document of the policy `policy` of level `level` of chain `chain`.
    pub fn document(&self, chain: usize, level: usize, policy: usize) -> Option<&Document> {
        let (_, d) = self.chains.get(chain)?.levels.get(level)?.policies.get(policy)?;
        Some(d)
    }
}
