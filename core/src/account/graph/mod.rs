//! The access graph: who can become, or empower, whom.
//!
//! Users, groups and roles are nodes (numbered users first, then groups, then roles, each in
//! the account's order). An edge says what its source can do to its target:
//!
//! - [`EdgeKind::Become`]: act with the target's permissions: assume the role
//!   (`sts:AssumeRole`: the caller's identity policies within its boundary allow it and the
//!   role's trust policy trusts the caller by ARN, by account or by `*`; a trust policy that
//!   names the caller's ARN needs no identity allow in the same account, only a boundary that
//!   allows it), pass the role to new compute (`iam:PassRole` on a role that trusts an AWS
//!   service, with one of the [compute actions](crate::policy::pass_role::COMPUTE)), take over
//!   a user's credentials (`iam:CreateAccessKey`, `iam:CreateLoginProfile` on a user without a
//!   password, `iam:UpdateLoginProfile` on one with a password), or rewrite a role's trust
//!   policy (`iam:UpdateAssumeRolePolicy`) and assume it;
//! - [`EdgeKind::Join`]: add the user to the target group (`iam:AddUserToGroup`; a user's own
//!   groups are not targets);
//! - [`EdgeKind::Rewrite`]: change the target's permissions (`iam:Attach*Policy`,
//!   `iam:Put*Policy`, `iam:CreatePolicyVersion` / `iam:SetDefaultPolicyVersion` on a customer
//!   policy attached to it, `iam:Put*PermissionsBoundary` / `iam:Delete*PermissionsBoundary`
//!   on a principal that has a boundary).
//!
//! A principal with full access (every action on every resource) has no edges: it has
//! nothing to gain. Edges are what the source's policies *may* allow: an `Allow` whose conditions the account
//! data cannot decide (MFA, source IP, an external ID) makes an edge, and
//! [`AccessGraph::describe`] names what the hop requires. The graph is built once per account
//! ([`Account::access_graph`](super::Account::access_graph)) with [`Targets`], so its cost
//! grows with the account, not with its square; principals with the same policies share
//! their edge lists and their walks ([`AccessGraph::class`]).

mod escalate;
mod power;
mod walk;

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use super::{boundary_of, Account, Labelled, PasswordEnabled};
use crate::policy::{
    pass_role, Context, Document, Effect, Evaluation, NamedPrincipal, Principal, Principals, Statement, TargetSet,
    Targets, Tri,
};

pub use escalate::{AdminRoles, Escalations, Gain, Gains, EXAMINED};
pub use power::Power;
pub use walk::{every_hop_needs_mfa, Hop, Step, Walk};

/// The edges of the graph, for the documentation: the action, the kind, and what it lets
/// the source do.
pub const EDGES: &[(&str, &str)] = &[
    ("`sts:AssumeRole`", "become the role: the caller's identity policies within its boundary may allow it on the role and the role's trust policy trusts the caller by account (root or ID) or `*`; or the trust policy names the caller's ARN and the caller's boundary (if any) allows it; no definite `Deny` in either. Role chaining follows from roles."),
    ("`iam:PassRole` + a compute action", "become the role: `iam:PassRole` may be allowed on a role whose trust policy names an AWS service, and the caller may be allowed one of the actions that hand a role to new compute (below)."),
    ("`iam:CreateAccessKey`", "become the user (take over its credentials)."),
    ("`iam:CreateLoginProfile`", "become a user without a console password (credential report), or whose password is unknown."),
    ("`iam:UpdateLoginProfile`", "become a user with a console password, or whose password is unknown."),
    ("`iam:UpdateAssumeRolePolicy`", "become the role, after trusting oneself."),
    ("`iam:AddUserToGroup`", "join the group (from a user's walk; its own groups are not targets)."),
    ("`iam:AttachUserPolicy`, `iam:PutUserPolicy`, `iam:AttachGroupPolicy`, `iam:PutGroupPolicy`, `iam:AttachRolePolicy`, `iam:PutRolePolicy`", "rewrite the target's permissions: any action its boundary allows."),
    ("`iam:CreatePolicyVersion`, `iam:SetDefaultPolicyVersion`", "rewrite every principal a customer-managed policy is attached to (or is the boundary of)."),
    ("`iam:PutUserPermissionsBoundary`, `iam:DeleteUserPermissionsBoundary`, `iam:PutRolePermissionsBoundary`, `iam:DeleteRolePermissionsBoundary`", "lift the boundary of a principal that has one."),
];

/// What the graph does not model, for the documentation.
pub const NOT_MODELLED: &[&str] = &[
    "A gain is judged by action: a target that grants an action the source has on other resources only gains something when it has the action on every resource and the source does not.",
    "`iam:PassRole` counts a role whose trust policy names any AWS service, not only the service of the compute action.",
    "`iam:CreateAccessKey` counts a user who already has two access keys (AWS refuses a third).",
    "Joining a group is followed from users only: a role that can add users to groups reaches nothing by it unless its walk took over a user.",
    "Session policies, session tags and resource policies other than trust policies; service control policies outside organization runs.",
];

/// A hasher for the walks' maps of node numbers and addresses: small integer keys, no
/// adversary (the keys are positions the tool assigns), so no need for SipHash's cost.
#[derive(Debug, Default, Clone, Copy)]
pub struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

/// [`FastHasher`]'s builder.
pub(crate) type Fast = std::hash::BuildHasherDefault<FastHasher>;
/// A map keyed by node.
pub(crate) type NodeMap<V> = HashMap<NodeId, V, Fast>;
/// A set of nodes.
pub(crate) type NodeSet = std::collections::HashSet<NodeId, Fast>;

/// A node: an index into [`AccessGraph`]'s numbering.
pub type NodeId = u32;

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeKind {
    /// An IAM user.
    User,
    /// An IAM group.
    Group,
    /// An IAM role.
    Role,
}

/// What an edge lets its source do to its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EdgeKind {
    /// Act with the target's permissions.
    Become,
    /// Add the source's user to the target group.
    Join,
    /// Change the target's permissions.
    Rewrite,
}

/// The edges of one source for one action: every target, ascending. Principals with the
/// same policies share one list.
#[derive(Debug, Clone)]
pub struct Edges {
    /// What the action lets the source do.
    pub kind: EdgeKind,
    /// The action (`sts:AssumeRole`).
    pub action: &'static str,
    /// The targets, ascending.
    pub to: Arc<[NodeId]>,
}

/// How nodes are numbered: users, then groups, then roles.
#[derive(Debug, Clone, Copy, Default)]
struct Numbering {
    users: u32,
    groups: u32,
}

impl Numbering {
    fn user(self, i: usize) -> NodeId {
        count(i)
    }

    fn group(self, i: usize) -> NodeId {
        self.users + count(i)
    }

    fn role(self, i: usize) -> NodeId {
        self.users + self.groups + count(i)
    }
}

/// The access graph of one account.
#[derive(Debug, Clone, Default)]
pub struct AccessGraph {
    ids: Numbering,
    out: Vec<Vec<Edges>>,
    /// Nodes of one class have the same kind, the same policies and boundary, and the same
    /// edges: they reach the same nodes and gain the same access.
    class: Vec<u32>,
}

/// The context keys whose values differ between the principals of one account.
const VARYING: [&str; 5] = [
    "aws:username",
    "aws:userid",
    "aws:PrincipalArn",
    "aws:PrincipalType",
    "aws:PrincipalTag/",
];

const ASSUME: &str = "sts:AssumeRole";
/// Every action an edge is built from (with the compute actions of `iam:PassRole`).
const EDGE_ACTIONS: &[&str] = &[
    ASSUME,
    PASS,
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:AttachUserPolicy",
    "iam:PutUserPolicy",
    "iam:DeleteUserPermissionsBoundary",
    "iam:PutUserPermissionsBoundary",
    "iam:AddUserToGroup",
    "iam:AttachGroupPolicy",
    "iam:PutGroupPolicy",
    "iam:UpdateAssumeRolePolicy",
    "iam:AttachRolePolicy",
    "iam:PutRolePolicy",
    "iam:DeleteRolePermissionsBoundary",
    "iam:PutRolePermissionsBoundary",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
];
const PASS: &str = "iam:PassRole";

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl AccessGraph {
    /// How many nodes there are.
    pub fn len(&self) -> usize {
        self.out.len()
    }

    /// Whether the graph has no node.
    pub fn is_empty(&self) -> bool {
        self.out.is_empty()
    }

    /// The node of the account's `i`th user.
    pub fn user(&self, i: usize) -> NodeId {
        self.ids.user(i)
    }

    /// The node of the account's `i`th group.
    pub fn group(&self, i: usize) -> NodeId {
        self.ids.group(i)
    }

    /// The node of the account's `i`th role.
    pub fn role(&self, i: usize) -> NodeId {
        self.ids.role(i)
    }

    /// What `n` is, and its index in the account's users, groups or roles.
    pub fn kind(&self, n: NodeId) -> (NodeKind, usize) {
        let Numbering { users, groups } = self.ids;
        if n < users {
            (NodeKind::User, n as usize)
        } else if n < users + groups {
            (NodeKind::Group, (n - users) as usize)
        } else {
            (NodeKind::Role, (n - users - groups) as usize)
        }
    }

    /// The edges out of `n`.
    pub fn edges(&self, n: NodeId) -> &[Edges] {
        &self.out[n as usize]
    }

    /// The class of `n`: nodes of one class have the same policies and edges.
    pub fn class(&self, n: NodeId) -> u32 {
        self.class[n as usize]
    }

    /// The ARN of `n`.
    pub fn arn<'a>(&self, account: &'a Account, n: NodeId) -> &'a str {
        match self.kind(n) {
            (NodeKind::User, i) => &account.users[i].arn,
            (NodeKind::Group, i) => &account.groups[i].arn,
            (NodeKind::Role, i) => &account.roles[i].arn,
        }
    }

    /// `user alice`, `group admins`, `role ops-admin`.
    pub fn name(&self, account: &Account, n: NodeId) -> String {
        match self.kind(n) {
            (NodeKind::User, i) => format!("user {}", account.users[i].user_name),
            (NodeKind::Group, i) => format!("group {}", account.groups[i].group_name),
            (NodeKind::Role, i) => format!("role {}", account.roles[i].role_name),
        }
    }

    /// The identity documents of `n` with their labels (a group: its own policies).
    pub fn labelled<'a>(&self, account: &'a Account, n: NodeId) -> Labelled<'a> {
        match self.kind(n) {
            (NodeKind::User, i) => Labelled::user(account, &account.users[i]),
            (NodeKind::Role, i) => Labelled::role(account, &account.roles[i]),
            (NodeKind::Group, i) => {
                let g = &account.groups[i];
                let mut l = Labelled::default();
                l.add_group(account, g, &format!("group {}", g.group_name));
                l
            }
        }
    }

    /// The permissions boundary of `n` (`Err(arn)`: set but missing from the data).
    pub fn boundary<'a>(&self, account: &'a Account, n: NodeId) -> Result<Option<&'a Document>, String> {
        match self.kind(n) {
            (NodeKind::User, i) => boundary_of(account, account.users[i].permissions_boundary.as_ref()),
            (NodeKind::Role, i) => boundary_of(account, account.roles[i].permissions_boundary.as_ref()),
            (NodeKind::Group, _) => Ok(None),
        }
    }

    /// The organization policies over `n` (organization runs; none for a service-linked
    /// role or the management account).
    pub fn ceiling<'a>(&self, account: &'a Account, n: NodeId) -> Option<&'a crate::policy::Ceiling> {
        match self.kind(n) {
            (NodeKind::Role, i) => account.ceiling_for_role(&account.roles[i]),
            _ => account.ceiling(),
        }
    }

    /// The context of `n`'s requests, as far as the account data tells
    /// ([`user_context`](super::user_context), [`role_context`](super::role_context)); a
    /// group's is empty.
    pub fn context(&self, account: &Account, n: NodeId) -> Context {
        match self.kind(n) {
            (NodeKind::User, i) => super::user_context(account, &account.users[i]),
            (NodeKind::Role, i) => super::role_context(account, &account.roles[i]),
            (NodeKind::Group, _) => Context::new(),
        }
    }

    /// Builds the graph of `account`.
    pub fn build(account: &Account) -> AccessGraph {
        Builder::new(account).build()
    }
}

/// Whether the account's `i`th user is a target of an action (e.g. has a password).
type Keep = fn(&Account, usize) -> bool;

/// How a role's trust policy admits a caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustedAs {
    /// It names the caller's ARN: no identity policy needs to allow `sts:AssumeRole` (in the
    /// same account), only the boundary.
    Arn,
    /// It trusts the caller's account (its root or ID) or `*`: the caller's identity policies
    /// must allow `sts:AssumeRole` on the role.
    Account,
}

/// The statements of a role's trust policy about `sts:AssumeRole`, read once.
struct Trust<'a> {
    allows: Vec<(&'a Statement, Principals)>,
    denies: Vec<(&'a Statement, Principals)>,
    /// Some `Allow` names an AWS service: the role can be passed to compute.
    service: bool,
    /// Whether the answer depends on who asks beyond "same account": a `Deny` naming ARNs,
    /// or conditions on the caller's keys.
    per_caller: bool,
}

impl<'a> Trust<'a> {
    fn of(doc: Option<&'a Document>) -> Trust<'a> {
        let mut t = Trust {
            allows: Vec::new(),
            denies: Vec::new(),
            service: false,
            per_caller: false,
        };
        let Some(doc) = doc else { return t };
        for s in doc.statements() {
            let Some(ps) = Principals::of(s) else { continue };
            if s.effect() == Effect::Allow && ps.listed.iter().any(|p| matches!(p, NamedPrincipal::Service(_))) {
                t.service = true;
            }
            if !s.matches_action(ASSUME) {
                continue;
            }
            t.per_caller |= s.depends_on(&VARYING);
            match s.effect() {
                Effect::Allow => t.allows.push((s, ps)),
                Effect::Deny => {
                    t.per_caller |= !ps.is_anyone();
                    t.denies.push((s, ps));
                }
            }
        }
        t
    }

    /// How the trust policy admits `caller` (an ARN of the account) under `ctx`: `None` when
    /// no `Allow` may apply to it or a `Deny` definitely does.
    fn admits(&self, caller: &str, ctx: &Context) -> Option<(TrustedAs, &'a Statement)> {
        let p = NamedPrincipal::aws(caller);
        if self
            .denies
            .iter()
            .any(|(s, ps)| ps.covers(&p) && s.conditions_hold(ctx) == Tri::Yes)
        {
            return None;
        }
        let mut found = None;
        for (s, ps) in &self.allows {
            if s.conditions_hold(ctx) == Tri::No || !ps.covers(&p) {
                continue;
            }
            let by_arn = !ps.negated
                && ps
                    .listed
                    .iter()
                    .any(|l| matches!(l, NamedPrincipal::Arn { arn, .. } if arn == caller));
            if by_arn {
                return Some((TrustedAs::Arn, *s));
            }
            found = found.or(Some((TrustedAs::Account, *s)));
        }
        found
    }
}

/// Whether the evaluation may allow: allowed, or allowed under undecided conditions, and not
/// definitely denied.
fn may(e: &Evaluation) -> bool {
    !e.is_denied() && (e.is_allowed() || e.conditional_allow)
}

/// The identity-independent part of an edge list, shared between principals whose
/// [`Targets`] answer is the same list.
#[derive(Default)]
struct Interner {
    map: HashMap<(usize, &'static str), Arc<[NodeId]>>,
    /// The answers keyed by address, kept alive so that no address is reused.
    keep: Vec<TargetSet>,
}

impl Interner {
    fn get(
        &mut self,
        set: &TargetSet,
        action: &'static str,
        make: impl FnOnce(&[u32]) -> Vec<NodeId>,
    ) -> Arc<[NodeId]> {
        let make = |set: &[u32]| -> Arc<[NodeId]> {
            let mut nodes = make(set);
            nodes.sort_unstable();
            nodes.dedup();
            nodes.into()
        };
        // An answer only this principal holds (its own `${aws:username}` statements) is not
        // shared: no use keeping it.
        if Rc::strong_count(set) == 1 {
            return make(set);
        }
        let key = (set.as_ptr() as usize, action);
        if let Some(hit) = self.map.get(&key) {
            return hit.clone();
        }
        let arc = make(set);
        self.keep.push(set.clone());
        self.map.insert(key, arc.clone());
        arc
    }
}

struct Builder<'a> {
    account: &'a Account,
    graph: AccessGraph,
    users: Targets<'a>,
    groups: Targets<'a>,
    /// The roles that are not service-linked, and their indices in the account.
    roles: Targets<'a>,
    role_index: Vec<usize>,
    trust: Vec<Trust<'a>>,
    /// Roles (positions in `roles`) whose trust depends on the caller.
    per_caller: Vec<u32>,
    /// Roles (positions in `roles`) whose trust policy names an ARN, by that ARN.
    named: HashMap<String, Vec<u32>>,
    /// Customer-managed policies, and the nodes each is attached to (or the boundary of).
    policies: Targets<'a>,
    attached: Vec<Vec<NodeId>>,
    interner: Interner,
    /// The catalogue entries of the actions the graph asks about, looked up once.
    known: HashMap<&'static str, crate::policy::catalogue::Action<'static>>,
}

impl<'a> Builder<'a> {
    fn new(account: &'a Account) -> Builder<'a> {
        let graph = AccessGraph {
            ids: Numbering {
                users: count(account.users.len()),
                groups: count(account.groups.len()),
            },
            out: vec![Vec::new(); account.users.len() + account.groups.len() + account.roles.len()],
            class: Vec::new(),
        };
        let role_index: Vec<usize> = (0..account.roles.len())
            .filter(|&i| !account.roles[i].is_service_linked())
            .collect();
        let trust: Vec<Trust<'a>> = role_index
            .iter()
            .map(|&i| {
                Trust::of(
                    account.roles[i]
                        .assume_role_policy_document
                        .as_ref()
                        .map(|d| &d.document),
                )
            })
            .collect();
        let per_caller = (0..count(trust.len()))
            .filter(|&r| trust[r as usize].per_caller)
            .collect();
        let mut named: HashMap<String, Vec<u32>> = HashMap::new();
        for (r, t) in trust.iter().enumerate() {
            for (_, ps) in &t.allows {
                for p in &ps.listed {
                    if let NamedPrincipal::Arn { arn, .. } = p {
                        let list = named.entry(arn.clone()).or_default();
                        if list.last() != Some(&count(r)) {
                            list.push(count(r));
                        }
                    }
                }
            }
        }
        let customer: Vec<usize> = (0..account.policies.len())
            .filter(|&i| !account.policies[i].is_aws_managed())
            .collect();
        let mut by_arn: HashMap<&str, usize> = HashMap::new();
        for (k, &i) in customer.iter().enumerate() {
            by_arn.insert(account.policies[i].arn.as_str(), k);
        }
        let mut attached = vec![Vec::new(); customer.len()];
        let mut attach = |arn: &str, n: NodeId| {
            if let Some(&k) = by_arn.get(arn) {
                attached[k].push(n);
            }
        };
        for (i, u) in account.users.iter().enumerate() {
            let n = graph.user(i);
            u.attached_managed_policies
                .iter()
                .for_each(|a| attach(&a.policy_arn, n));
            if let Some(b) = &u.permissions_boundary {
                attach(&b.permissions_boundary_arn, n);
            }
        }
        for (i, g) in account.groups.iter().enumerate() {
            let n = graph.group(i);
            g.attached_managed_policies
                .iter()
                .for_each(|a| attach(&a.policy_arn, n));
        }
        for &i in &role_index {
            let r = &account.roles[i];
            let n = graph.role(i);
            r.attached_managed_policies
                .iter()
                .for_each(|a| attach(&a.policy_arn, n));
            if let Some(b) = &r.permissions_boundary {
                attach(&b.permissions_boundary_arn, n);
            }
        }
        Builder {
            account,
            users: Targets::possible(account.users.iter().map(|u| u.arn.as_str()), &VARYING),
            groups: Targets::possible(account.groups.iter().map(|g| g.arn.as_str()), &VARYING),
            roles: Targets::possible(role_index.iter().map(|&i| account.roles[i].arn.as_str()), &VARYING),
            role_index,
            trust,
            per_caller,
            named,
            policies: Targets::possible(customer.iter().map(|&i| account.policies[i].arn.as_str()), &VARYING),
            attached,
            graph,
            interner: Interner::default(),
            known: EDGE_ACTIONS
                .iter()
                .copied()
                .chain(pass_role::COMPUTE.iter().map(|c| c.action))
                .filter_map(|a| crate::policy::catalogue::get().action(a).map(|x| (a, x)))
                .collect(),
        }
    }

    /// Works out every source's edges and every node's class in one pass, gathering each
    /// node's documents once.
    fn build(mut self) -> AccessGraph {
        let account = self.account;
        let mut classes: HashMap<Vec<usize>, u32> = HashMap::new();
        let mut class = Vec::with_capacity(self.graph.len());
        for n in 0..count(self.graph.len()) {
            let (kind, i) = self.graph.kind(n);
            let l = self.graph.labelled(account, n);
            let b = self.graph.boundary(account, n);
            let source = match kind {
                NodeKind::User => true,
                NodeKind::Role => !account.roles[i].is_service_linked(),
                NodeKind::Group => false,
            };
            if source {
                let principal = l.principal(b.as_ref().ok().copied().flatten());
                // A principal with every action gains nothing by becoming or changing
                // another: its edges would be most of the account, and no walk needs them.
                if !principal.allows_everything() {
                    let ctx = self.graph.context(account, n);
                    let edges = self.edges_of(n, &principal, &ctx);
                    self.graph.out[n as usize] = edges;
                }
            }
            // The class: same kind, same documents and boundary, same edge lists.
            let mut key = vec![kind as usize];
            key.extend(l.docs.iter().map(|d| std::ptr::from_ref(*d) as usize));
            key.push(usize::MAX);
            key.extend(l.missing.iter().map(|m| m.len()));
            key.push(usize::MAX);
            match b {
                Ok(Some(b)) => key.push(std::ptr::from_ref(b) as usize),
                Ok(None) => key.push(0),
                Err(_) => key.push(1),
            }
            key.push(l.ceiling.map_or(0, |c| std::ptr::from_ref(c) as usize));
            for e in self.graph.edges(n) {
                key.push(e.kind as usize);
                key.push(e.action.as_ptr() as usize);
                key.push(e.to.as_ptr() as usize);
                key.push(e.to.len());
            }
            let next = count(classes.len());
            class.push(*classes.entry(key).or_insert(next));
        }
        self.graph.class = class;
        self.graph
    }

    fn edges_of(&mut self, n: NodeId, principal: &Principal<'a>, ctx: &Context) -> Vec<Edges> {
        let account = self.account;
        let g = self.graph.ids;
        let account_id = account.account_id.as_deref();
        let known = &self.known;
        let may_allow = |principal: &Principal<'_>, action: &str| match known.get(action) {
            Some(a) => principal.may_allow_action(a),
            None => principal.may_allow_known(action),
        };
        let mut out: Vec<Edges> = Vec::new();
        let push = |out: &mut Vec<Edges>, kind, action, to: Arc<[NodeId]>| {
            // A list of the source alone leads nowhere (its own keys, its own policies are
            // judged by the walk's start).
            let only_itself = to.len() == 1 && to[0] == n && kind == EdgeKind::Become;
            if !to.is_empty() && !only_itself {
                out.push(Edges { kind, action, to });
            }
        };
        let caller = self.graph.arn(account, n);
        let is_user = self.graph.kind(n).0 == NodeKind::User;

        // sts:AssumeRole through trust of the account (or `*`): the identity must allow it.
        if may_allow(principal, ASSUME) {
            let set = self.roles.allowed(principal, ASSUME, ctx);
            let trust = &self.trust;
            let role_index = &self.role_index;
            let shared = self.interner.get(&set, ASSUME, |set| {
                set.iter()
                    .filter(|&&r| !trust[r as usize].per_caller)
                    .filter(|&&r| opens_to_account(&trust[r as usize], account_id))
                    .map(|&r| g.role(role_index[r as usize]))
                    .collect()
            });
            push(&mut out, EdgeKind::Become, ASSUME, shared);
            let extra: Vec<NodeId> = self
                .per_caller
                .iter()
                .filter(|r| set.binary_search(r).is_ok())
                .filter(|&&r| self.trust[r as usize].admits(caller, ctx).is_some())
                .map(|&r| g.role(self.role_index[r as usize]))
                .collect();
            push(&mut out, EdgeKind::Become, ASSUME, extra.into());
        }
        // sts:AssumeRole of roles whose trust policy names the caller: the boundary decides.
        if let Some(named) = self.named.get(caller) {
            let extra: Vec<NodeId> = named
                .iter()
                .filter(|&&r| {
                    let arn = account.roles[self.role_index[r as usize]].arn.as_str();
                    self.trust[r as usize]
                        .admits(caller, ctx)
                        .is_some_and(|(how, _)| how == TrustedAs::Arn)
                        && !principal.evaluate(ASSUME, arn, ctx).is_denied()
                        && principal.caps_may_allow(ASSUME, arn, ctx)
                })
                .map(|&r| g.role(self.role_index[r as usize]))
                .collect();
            push(&mut out, EdgeKind::Become, ASSUME, extra.into());
        }
        // iam:PassRole to a role an AWS service can assume, with a compute action.
        if may_allow(principal, PASS) && pass_role::COMPUTE.iter().any(|c| may_allow(principal, c.action)) {
            let set = self.roles.allowed(principal, PASS, ctx);
            let trust = &self.trust;
            let role_index = &self.role_index;
            let to = self.interner.get(&set, PASS, |set| {
                set.iter()
                    .filter(|&&r| trust[r as usize].service)
                    .map(|&r| g.role(role_index[r as usize]))
                    .collect()
            });
            push(&mut out, EdgeKind::Become, PASS, to);
        }
        // Users: taking over credentials, rewriting policies and boundaries.
        let users: &[(&'static str, EdgeKind, Keep)] = &[
            ("iam:CreateAccessKey", EdgeKind::Become, |_, _| true),
            ("iam:CreateLoginProfile", EdgeKind::Become, |a, i| {
                password(a, i) != Some(PasswordEnabled::Yes)
            }),
            ("iam:UpdateLoginProfile", EdgeKind::Become, |a, i| {
                password(a, i).is_none_or(|p| p == PasswordEnabled::Yes)
            }),
            ("iam:AttachUserPolicy", EdgeKind::Rewrite, |_, _| true),
            ("iam:PutUserPolicy", EdgeKind::Rewrite, |_, _| true),
            ("iam:DeleteUserPermissionsBoundary", EdgeKind::Rewrite, |a, i| {
                a.users[i].permissions_boundary.is_some()
            }),
            ("iam:PutUserPermissionsBoundary", EdgeKind::Rewrite, |a, i| {
                a.users[i].permissions_boundary.is_some()
            }),
        ];
        for &(action, kind, keep) in users {
            if !may_allow(principal, action) {
                continue;
            }
            let set = self.users.allowed(principal, action, ctx);
            let to = self.interner.get(&set, action, |set| {
                set.iter()
                    .filter(|&&i| keep(account, i as usize))
                    .map(|&i| g.user(i as usize))
                    .collect()
            });
            push(&mut out, kind, action, to);
        }
        // Groups: joining (users only, not their own groups), rewriting policies.
        let groups: &[(&'static str, EdgeKind)] = &[
            ("iam:AddUserToGroup", EdgeKind::Join),
            ("iam:AttachGroupPolicy", EdgeKind::Rewrite),
            ("iam:PutGroupPolicy", EdgeKind::Rewrite),
        ];
        for &(action, kind) in groups {
            if (kind == EdgeKind::Join && !is_user) || !may_allow(principal, action) {
                continue;
            }
            let set = self.groups.allowed(principal, action, ctx);
            let mut to = self
                .interner
                .get(&set, action, |set| set.iter().map(|&i| g.group(i as usize)).collect());
            if kind == EdgeKind::Join {
                let (_, u) = self.graph.kind(n);
                let own: Vec<NodeId> = account.users[u]
                    .group_list
                    .iter()
                    .filter_map(|name| account.group_position(name))
                    .map(|i| g.group(i))
                    .filter(|m| to.binary_search(m).is_ok())
                    .collect();
                if !own.is_empty() {
                    to = to.iter().copied().filter(|m| !own.contains(m)).collect();
                }
            }
            push(&mut out, kind, action, to);
        }
        // Roles: rewriting the trust policy (then assuming it), policies and boundaries.
        let roles: &[(&'static str, EdgeKind, bool)] = &[
            ("iam:UpdateAssumeRolePolicy", EdgeKind::Become, false),
            ("iam:AttachRolePolicy", EdgeKind::Rewrite, false),
            ("iam:PutRolePolicy", EdgeKind::Rewrite, false),
            ("iam:DeleteRolePermissionsBoundary", EdgeKind::Rewrite, true),
            ("iam:PutRolePermissionsBoundary", EdgeKind::Rewrite, true),
        ];
        for &(action, kind, bounded_only) in roles {
            if !may_allow(principal, action) {
                continue;
            }
            let set = self.roles.allowed(principal, action, ctx);
            let role_index = &self.role_index;
            let to = self.interner.get(&set, action, |set| {
                set.iter()
                    .map(|&r| role_index[r as usize])
                    .filter(|&i| !bounded_only || account.roles[i].permissions_boundary.is_some())
                    .map(|i| g.role(i))
                    .collect()
            });
            push(&mut out, kind, action, to);
        }
        // Customer policies: a new default version rewrites every principal it is attached to.
        for action in ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"] {
            if !may_allow(principal, action) {
                continue;
            }
            let set = self.policies.allowed(principal, action, ctx);
            let attached = &self.attached;
            let to = self.interner.get(&set, action, |set| {
                set.iter().flat_map(|&k| attached[k as usize].iter().copied()).collect()
            });
            push(&mut out, EdgeKind::Rewrite, action, to);
        }
        out
    }
}

/// Whether a trust policy that does not depend on the caller has an `Allow` that may admit
/// every principal of the account `account_id` (unknown: any account): by the account (its
/// root or ID) or `*`.
fn opens_to_account(t: &Trust<'_>, account_id: Option<&str>) -> bool {
    !t.per_caller
        && t.allows.iter().any(|(s, ps)| {
            s.conditions_hold(&Context::new()) != Tri::No
                && (ps.is_anyone()
                    || ps
                        .listed
                        .iter()
                        .any(|p| matches!(p, NamedPrincipal::Account { id, .. } if account_id.is_none_or(|a| a == id))))
        })
}

/// The `password_enabled` of the account's `i`th user, when the credential report has it.
fn password(account: &Account, i: usize) -> Option<PasswordEnabled> {
    account
        .credential_row(&account.users[i].user_name)
        .map(|r| r.password_enabled)
}
