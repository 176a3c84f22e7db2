//! Questions over the walks of every principal: which paths gain access (IAM-023, IAM-026),
//! which roles with full access a user can assume (IAM-025). Principals of one
//! [class](AccessGraph::class) have the same answer, worked out once.

use std::collections::HashMap;

use super::{AccessGraph, EdgeKind, NodeId, NodeKind, Power, Step, ASSUME};
use crate::account::Account;

/// One way to obtain access: the hops, and what the last one gains.
#[derive(Debug, Clone)]
pub struct Gain {
    /// The hops from the principal asked about.
    pub path: Vec<Step>,
    /// What is gained beyond the principal's own access (`every action`, `3 actions it lacks
    /// (...)`), or for a rewrite what the rewritten principal may then be given.
    pub what: String,
}

/// The gains of one principal: the first few, and how many there are.
#[derive(Debug, Clone, Default)]
pub struct Gains {
    /// The first gains found, nearest first.
    pub shown: Vec<Gain>,
    /// How many there are in all.
    pub total: usize,
}

/// Works out [`Gains`] for many principals, sharing what principals of one class have in
/// common.
#[derive(Debug)]
pub struct Escalations<'a> {
    graph: &'a AccessGraph,
    account: &'a Account,
    limit: usize,
    powers: HashMap<(u32, Option<NodeId>), Power>,
    memo: HashMap<u32, (NodeId, Gains)>,
}

/// `path` with `a` and `b` swapped: the same paths seen from another principal of the class.
fn swapped(path: &[Step], a: NodeId, b: NodeId) -> Vec<Step> {
    let swap = |n: NodeId| {
        if n == a {
            b
        } else if n == b {
            a
        } else {
            n
        }
    };
    path.iter()
        .map(|s| Step {
            from: swap(s.from),
            to: swap(s.to),
            ..*s
        })
        .collect()
}

impl<'a> Escalations<'a> {
    /// For `account`'s graph, keeping the first `limit` gains of each principal.
    pub fn new(account: &'a Account, limit: usize) -> Escalations<'a> {
        Escalations {
            graph: account.access_graph(),
            account,
            limit,
            powers: HashMap::new(),
            memo: HashMap::new(),
        }
    }

    fn power(&mut self, n: NodeId, member: Option<NodeId>) -> &Power {
        let g = self.graph;
        let account = self.account;
        let member = member.filter(|_| g.kind(n).0 == NodeKind::Group);
        let key = (g.class(n), member.map(|m| g.class(m)));
        self.powers.entry(key).or_insert_with(|| g.power(account, n, member))
    }

    /// The ways `start` can obtain access it does not already have: a path of the graph
    /// with at least one hop other than `sts:AssumeRole` (assuming roles one is trusted with
    /// is delegation: IAM-025 judges where it leads) whose last principal grants something
    /// `start` lacks, or that ends in rewriting the permissions of a principal `start` acts
    /// as (itself, its groups, one it reached) when that may grant something it lacks.
    pub fn of(&mut self, start: NodeId) -> Gains {
        let g = self.graph;
        let class = g.class(start);
        if let Some((rep, gains)) = self.memo.get(&class) {
            let rep = *rep;
            let mut gains = gains.clone();
            for gain in &mut gains.shown {
                gain.path = swapped(&gain.path, rep, start);
            }
            return gains;
        }
        let gains = self.compute(start);
        self.memo.insert(class, (start, gains.clone()));
        gains
    }

    fn compute(&mut self, start: NodeId) -> Gains {
        let g = self.graph;
        let account = self.account;
        let base = self.power(start, None).clone();
        let member = (g.kind(start).0 == NodeKind::User).then_some(start);
        // A principal with every action gains nothing further: the walk stops there.
        let walk = g.walk_until(start, |_| true, &mut |n| !self.power(n, member).anywhere.is_full());
        let mut gains = Gains::default();
        let limit = self.limit;
        let record = |gains: &mut Gains, path: Vec<Step>, what: &dyn Fn() -> String| {
            if gains.shown.len() < limit {
                gains.shown.push(Gain { path, what: what() });
            }
            gains.total += 1;
        };
        for &t in &walk.reached {
            let path = walk.path(t);
            if path.iter().all(|s| s.action == ASSUME) {
                continue;
            }
            let p = self.power(t, member).clone();
            if p.gains_over(&base) {
                record(&mut gains, path, &|| p.describe_gain(&base));
            }
        }
        // Rewrites of a principal the start acts as: itself, what it reached, and the groups
        // of the users among them.
        let mut acting: Vec<NodeId> = std::iter::once(start).chain(walk.reached.iter().copied()).collect();
        let mut controlled = acting.clone();
        for &n in &acting {
            if let (NodeKind::User, i) = g.kind(n) {
                for name in &account.users[i].group_list {
                    if let Some(j) = account.groups.iter().position(|x| &x.group_name == name) {
                        controlled.push(g.group(j));
                    }
                }
            }
        }
        controlled.sort_unstable();
        controlled.dedup();
        let mut seen_class = std::collections::HashSet::new();
        acting.retain(|&n| seen_class.insert(g.class(n)) && (n == start || !self.power(n, member).anywhere.is_full()));
        for q in acting {
            for e in g.edges(q).iter().filter(|e| e.kind == EdgeKind::Rewrite) {
                for &p in &controlled {
                    if e.to.binary_search(&p).is_err() {
                        continue;
                    }
                    let boundary = if e.action.contains("PermissionsBoundary") {
                        None
                    } else {
                        match g.kind(p).0 {
                            NodeKind::Group => g.boundary(account, start).ok().flatten(),
                            _ => g.boundary(account, p).ok().flatten(),
                        }
                    };
                    let after = Power::within(boundary);
                    if after.gains_over(&base) {
                        let mut path = walk.path(q);
                        path.push(Step {
                            from: q,
                            to: p,
                            kind: EdgeKind::Rewrite,
                            action: e.action,
                        });
                        record(&mut gains, path, &|| {
                            format!("may then be given {}", after.describe_gain(&base))
                        });
                    }
                }
            }
        }
        gains
    }
}

/// The roles with full administrator access a user (or role) can assume, directly or by
/// chaining roles: the path to each, nearest first.
#[derive(Debug)]
pub struct AdminRoles<'a> {
    graph: &'a AccessGraph,
    account: &'a Account,
    admin: HashMap<NodeId, bool>,
    memo: HashMap<u32, (NodeId, Vec<Vec<Step>>)>,
}

impl<'a> AdminRoles<'a> {
    /// For `account`'s graph.
    pub fn new(account: &'a Account) -> AdminRoles<'a> {
        AdminRoles {
            graph: account.access_graph(),
            account,
            admin: HashMap::new(),
            memo: HashMap::new(),
        }
    }

    /// Whether role node `n` allows every action on every resource.
    pub fn is_admin(&mut self, n: NodeId) -> bool {
        let (g, account) = (self.graph, self.account);
        *self.admin.entry(n).or_insert_with(|| {
            let l = g.labelled(account, n);
            l.principal(g.boundary(account, n).ok().flatten()).allows_everything()
        })
    }

    /// The paths from `start` by `sts:AssumeRole` to roles with full access.
    pub fn of(&mut self, start: NodeId) -> Vec<Vec<Step>> {
        let g = self.graph;
        let class = g.class(start);
        if let Some((rep, paths)) = self.memo.get(&class) {
            let rep = *rep;
            return paths.iter().map(|p| swapped(p, rep, start)).collect();
        }
        let walk = g.walk(start, |e| e.action == ASSUME);
        let mut paths = Vec::new();
        for &t in &walk.reached {
            if g.kind(t).0 == NodeKind::Role && self.is_admin(t) {
                paths.push(walk.path(t));
            }
        }
        self.memo.insert(class, (start, paths.clone()));
        paths
    }
}
