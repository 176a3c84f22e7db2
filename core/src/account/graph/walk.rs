//! Walking the graph: the principals one can become, the paths there, and what each hop
//! needs.

use std::collections::{HashMap, HashSet, VecDeque};

use super::{
    may, AccessGraph, EdgeKind, Edges, Fast, NodeId, NodeKind, NodeMap, NodeSet, Power, Trust, TrustedAs, ASSUME, PASS,
};
use crate::account::Account;
use crate::policy::{pass_role, Context, Effect, Evaluation, Statement, Tri};

/// One hop of a path: `from` uses `action` on `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// The principal acting.
    pub from: NodeId,
    /// The principal acted on.
    pub to: NodeId,
    /// What the hop does.
    pub kind: EdgeKind,
    /// The action.
    pub action: &'static str,
}

/// What [`AccessGraph::walk`] reached from one principal, with a shortest path to each.
#[derive(Debug, Clone)]
pub struct Walk {
    /// Where the walk started.
    pub start: NodeId,
    /// The nodes reached (the start aside), nearest first.
    pub reached: Vec<NodeId>,
    parent: NodeMap<Step>,
    /// The nodes reached by `sts:AssumeRole` alone.
    delegated: NodeSet,
}

impl Walk {
    /// Whether the path to `n` only assumes roles.
    pub fn only_assumes(&self, n: NodeId) -> bool {
        self.delegated.contains(&n)
    }

    /// The hops from the start to `to` (empty for the start or a node not reached).
    pub fn path(&self, to: NodeId) -> Vec<Step> {
        let mut out = Vec::new();
        let mut at = to;
        while let Some(step) = self.parent.get(&at) {
            out.push(*step);
            at = step.from;
            if at == self.start {
                break;
            }
        }
        out.reverse();
        out
    }
}

/// One hop, described for people: who allows it and what it needs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Hop {
    /// The acting principal's ARN.
    pub from: String,
    /// The action.
    pub action: String,
    /// The ARN of the principal acted on.
    pub to: String,
    /// The statements that allow it (`developer-access (attached to group developers) [AssumeOps]`),
    /// and for `sts:AssumeRole` the trust policy's statement.
    pub allowed_by: Vec<String>,
    /// What it needs beyond the permission: `MFA`, `an external ID`, `a source identity`,
    /// `a condition on aws:SourceIp`.
    pub requires: Vec<String>,
}

/// The phrase for a condition key a hop depends on.
fn requirement(key: &str) -> String {
    match key.to_ascii_lowercase().as_str() {
        "aws:multifactorauthpresent" | "aws:multifactorauthage" => "MFA".to_string(),
        "sts:externalid" => "an external ID".to_string(),
        "sts:sourceidentity" => "a source identity".to_string(),
        _ => format!("a condition on {key}"),
    }
}

/// The undecided condition keys of `s` under `ctx`, as requirements.
fn undecided(s: &Statement, ctx: &Context, out: &mut Vec<String>) {
    for c in s.conditions() {
        if c.evaluate(ctx) == Tri::Unknown {
            let r = requirement(c.key());
            if !out.contains(&r) {
                out.push(r);
            }
        }
    }
}

/// The context without MFA (long-term keys) and with it.
fn mfa_contexts(ctx: &Context) -> [Context; 2] {
    [
        ctx.clone().absent("aws:MultiFactorAuthPresent"),
        ctx.clone().with("aws:MultiFactorAuthPresent", "true"),
    ]
}

impl AccessGraph {
    /// Every node reachable from `start` through the edges `follow` accepts, breadth first
    /// (so each path is a shortest one). [`EdgeKind::Rewrite`] edges are never followed (they
    /// change a principal, they do not lead to it); [`EdgeKind::Join`] edges only from a
    /// user's walk (a role has no user to add). A node of a class already expanded is not
    /// expanded again: it has the same edges.
    pub fn walk(&self, start: NodeId, follow: impl Fn(&Edges) -> bool) -> Walk {
        self.walk_until(start, follow, &mut |_| true, &mut |_, _| true)
    }

    /// [`AccessGraph::walk`], expanding only the nodes `expand` accepts (the start always),
    /// and telling `visit` of each node reached (and whether its path only assumes roles)
    /// as it is reached: the walk stops when `visit` returns `false`.
    pub fn walk_until(
        &self,
        start: NodeId,
        follow: impl Fn(&Edges) -> bool,
        expand: &mut dyn FnMut(NodeId) -> bool,
        visit: &mut dyn FnMut(NodeId, bool) -> bool,
    ) -> Walk {
        let from_user = self.kind(start).0 == NodeKind::User;
        let mut parent: NodeMap<Step> = NodeMap::default();
        let mut reached = Vec::new();
        let mut delegated = NodeSet::default();
        let mut expanded = NodeSet::default();
        let mut lists: HashSet<usize, Fast> = HashSet::default();
        let mut queue = VecDeque::from([start]);
        'walk: while let Some(at) = queue.pop_front() {
            if (at != start && !expand(at)) || !expanded.insert(self.class(at)) {
                continue;
            }
            for e in self.edges(at) {
                if e.kind == EdgeKind::Rewrite || (e.kind == EdgeKind::Join && !from_user) || !follow(e) {
                    continue;
                }
                // Principals with the same policies share their lists: once one is followed,
                // every node on it has been reached.
                if !lists.insert(e.to.as_ptr() as usize) {
                    continue;
                }
                for &to in e.to.iter() {
                    if to == start || parent.contains_key(&to) {
                        continue;
                    }
                    parent.insert(
                        to,
                        Step {
                            from: at,
                            to,
                            kind: e.kind,
                            action: e.action,
                        },
                    );
                    let only_assumes = e.action == ASSUME && (at == start || delegated.contains(&at));
                    if only_assumes {
                        delegated.insert(to);
                    }
                    reached.push(to);
                    queue.push_back(to);
                    if !visit(to, only_assumes) {
                        break 'walk;
                    }
                }
            }
        }
        Walk {
            start,
            reached,
            parent,
            delegated,
        }
    }

    /// The power of `n` (a group's within `boundary_of_member`, the boundary of the user who
    /// joins it).
    pub fn power(&self, account: &Account, n: NodeId, boundary_of_member: Option<NodeId>) -> Power {
        let l = self.labelled(account, n);
        let b = match (self.kind(n).0, boundary_of_member) {
            (NodeKind::Group, Some(m)) => self.boundary(account, m),
            _ => self.boundary(account, n),
        };
        Power::of(&l.docs, b.ok().flatten(), l.ceiling)
    }

    /// The resource `step`'s action is on: the target's ARN, or for a new policy version the
    /// first customer policy attached to the target that the source may change.
    fn resource(&self, account: &Account, step: &Step, may_on: &dyn Fn(&str) -> bool) -> String {
        if step.action == "iam:CreatePolicyVersion" || step.action == "iam:SetDefaultPolicyVersion" {
            let (kind, i) = self.kind(step.to);
            let (attached, boundary) = match kind {
                NodeKind::User => (
                    &account.users[i].attached_managed_policies,
                    &account.users[i].permissions_boundary,
                ),
                NodeKind::Group => (&account.groups[i].attached_managed_policies, &None),
                NodeKind::Role => (
                    &account.roles[i].attached_managed_policies,
                    &account.roles[i].permissions_boundary,
                ),
            };
            let candidates = attached
                .iter()
                .map(|a| a.policy_arn.as_str())
                .chain(boundary.iter().map(|b| b.permissions_boundary_arn.as_str()));
            for arn in candidates {
                if account.policy(arn).is_some_and(|p| !p.is_aws_managed()) && may_on(arn) {
                    return arn.to_string();
                }
            }
        }
        self.arn(account, step.to).to_string()
    }

    /// `step` for people: the statements that allow it and what it needs (MFA when it is
    /// allowed only with MFA; the keys of conditions the data cannot decide), and for
    /// `sts:AssumeRole` how the role's trust policy admits the caller.
    pub fn describe(&self, account: &Account, step: &Step) -> Hop {
        let l = self.labelled(account, step.from);
        let b = self.boundary(account, step.from);
        let principal = l.principal(b.ok().flatten());
        let ctx = self.context(account, step.from);
        let [without, with] = mfa_contexts(&ctx);
        let resource = self.resource(account, step, &|arn| may(&principal.evaluate(step.action, arn, &ctx)));
        let mut requires = Vec::new();
        let first = principal.evaluate(step.action, &resource, &without);
        let (e, used): (Evaluation, &Context) = if may(&first) {
            (first, &without)
        } else {
            requires.push("MFA".to_string());
            (principal.evaluate(step.action, &resource, &with), &with)
        };
        let mut allowed_by = Vec::new();
        for m in e
            .matched
            .iter()
            .filter(|m| m.is_identity() && m.effect == Effect::Allow)
        {
            if let (Some(label), Some(s)) = (
                l.labels.get(m.document),
                l.docs.get(m.document).and_then(|d| d.statements().get(m.statement)),
            ) {
                allowed_by.push(format!("{label} [{}]", s.label()));
                if m.conditional {
                    undecided(s, used, &mut requires);
                }
            }
        }
        for m in e
            .matched
            .iter()
            .filter(|m| m.conditional && m.effect == Effect::Deny && m.is_identity())
        {
            if let Some(s) = l.docs.get(m.document).and_then(|d| d.statements().get(m.statement)) {
                undecided(s, used, &mut requires);
            }
        }
        if step.action == ASSUME {
            let (_, r) = self.kind(step.to);
            let role = &account.roles[r];
            let trust = Trust::of(role.assume_role_policy_document.as_ref().map(|d| &d.document));
            let caller = self.arn(account, step.from);
            let admitted = trust
                .admits(caller, used)
                .map(|a| (a, used))
                .or_else(|| trust.admits(caller, &with).map(|a| (a, &with)));
            if let Some(((how, s), c)) = admitted {
                if std::ptr::eq(c, &with) && !requires.iter().any(|r| r == "MFA") {
                    requires.push("MFA".to_string());
                }
                let whom = match how {
                    TrustedAs::Arn => format!("trusts {}", self.name(account, step.from)),
                    TrustedAs::Account => "trusts the account".to_string(),
                };
                allowed_by.push(format!(
                    "trust policy of role {} [{}]: {whom}",
                    role.role_name,
                    s.label()
                ));
                undecided(s, c, &mut requires);
            }
        }
        if step.action == PASS {
            let compute: Vec<&str> = pass_role::COMPUTE
                .iter()
                .map(|c| c.action)
                .filter(|a| principal.may_allow(a))
                .collect();
            allowed_by.push(format!("with {}", crate::text::listed(&compute, 3)));
        }
        requires.dedup();
        Hop {
            from: self.arn(account, step.from).to_string(),
            action: step.action.to_string(),
            to: resource,
            allowed_by,
            requires,
        }
    }

    /// Every hop of `path`, [described](AccessGraph::describe).
    pub fn hops(&self, account: &Account, path: &[Step]) -> Vec<Hop> {
        path.iter().map(|s| self.describe(account, s)).collect()
    }

    /// A path for a finding's detail, from its steps and their [`AccessGraph::hops`]: `user
    /// dev.dina -> sts:AssumeRole (developer-access (attached to group developers)
    /// [AssumeOps]; trust policy of role ops-admin [1]: trusts the account; requires MFA) ->
    /// role ops-admin`.
    pub fn render(&self, account: &Account, start: NodeId, path: &[Step], hops: &[Hop]) -> String {
        let mut out = self.name(account, start);
        for (step, hop) in path.iter().zip(hops) {
            let mut why = hop.allowed_by.join(", ");
            if !hop.requires.is_empty() {
                why.push_str(&format!("; requires {}", hop.requires.join(", ")));
            }
            let target = if hop.to == self.arn(account, step.to) {
                self.name(account, step.to)
            } else {
                format!("policy {} of {}", hop.to, self.name(account, step.to))
            };
            out.push_str(&format!(" -> {} ({why}) -> {target}", step.action));
        }
        out
    }
}

/// Whether every one of `hops` requires MFA (and there is one).
pub fn every_hop_needs_mfa(hops: &[Hop]) -> bool {
    !hops.is_empty() && hops.iter().all(|h| h.requires.iter().any(|r| r == "MFA"))
}

impl AccessGraph {
    /// Every node that can reach one of `targets` by becoming or joining other principals,
    /// with the first hop of a shortest path toward the nearest (the targets themselves are
    /// not in the map). Worked backwards from the targets once, each shared edge list
    /// followed once: the cost grows with the account and its distinct edge lists, not with
    /// the number of principals asking.
    pub fn reaching(&self, targets: &[NodeId]) -> NodeMap<Step> {
        // The distinct lists, who has each, and which lists each node is on.
        let mut ids: HashMap<usize, usize, Fast> = HashMap::default();
        let mut lists: Vec<(&Edges, Vec<NodeId>)> = Vec::new();
        for n in 0..u32::try_from(self.len()).unwrap_or(u32::MAX) {
            for e in self.edges(n).iter().filter(|e| e.kind != EdgeKind::Rewrite) {
                let id = *ids.entry(e.to.as_ptr() as usize).or_insert_with(|| {
                    lists.push((e, Vec::new()));
                    lists.len() - 1
                });
                lists[id].1.push(n);
            }
        }
        let mut on: NodeMap<Vec<usize>> = NodeMap::default();
        for (id, (e, _)) in lists.iter().enumerate() {
            for &m in e.to.iter() {
                on.entry(m).or_default().push(id);
            }
        }
        let mut next: NodeMap<Step> = NodeMap::default();
        let is_target: NodeSet = targets.iter().copied().collect();
        let mut fired = vec![false; lists.len()];
        let mut queue: VecDeque<NodeId> = targets.iter().copied().collect();
        while let Some(t) = queue.pop_front() {
            for &id in on.get(&t).map_or(&[][..], Vec::as_slice) {
                if std::mem::replace(&mut fired[id], true) {
                    continue;
                }
                let (e, sources) = &lists[id];
                for &s in sources {
                    if is_target.contains(&s) || next.contains_key(&s) {
                        continue;
                    }
                    next.insert(
                        s,
                        Step {
                            from: s,
                            to: t,
                            kind: e.kind,
                            action: e.action,
                        },
                    );
                    queue.push_back(s);
                }
            }
        }
        next
    }
}
