//! Questions over the walks of every principal: which paths gain access (IAM-023, IAM-026),
//! which roles with full access a user can assume (IAM-025). Principals of one
//! [class](AccessGraph::class) have the same answer, worked out once.

use std::collections::{HashMap, HashSet};

use super::{AccessGraph, EdgeKind, Fast, NodeId, NodeKind, NodeSet, Power, Step, ASSUME};
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
    /// How many there are in all (at least, when `stopped`).
    pub total: usize,
    /// The walk stopped early: once a gain was found it examined only the nearest
    /// [`EXAMINED`] principals, so there may be more.
    pub stopped: bool,
}

/// Once a principal is known to gain something, how many principals its walk examines before
/// it stops counting: an account where many users can take over every other user would
/// otherwise cost the square of its size.
pub const EXAMINED: usize = 1000;

/// The powers worked out, by class (and for a group, the class of the user who joins it).
type Powers = HashMap<(u32, Option<u32>), std::rc::Rc<Power>, Fast>;

/// Works out [`Gains`] for many principals, sharing what principals of one class have in
/// common.
#[derive(Debug)]
pub struct Escalations<'a> {
    graph: &'a AccessGraph,
    account: &'a Account,
    limit: usize,
    powers: std::cell::RefCell<Powers>,
    /// [`Power::describe_gain`] by the addresses of the two powers (it walks the catalogue).
    described: std::cell::RefCell<HashMap<(usize, usize), String, Fast>>,
    memo: HashMap<u32, (NodeId, Gains), Fast>,
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
            powers: std::cell::RefCell::default(),
            described: std::cell::RefCell::default(),
            memo: HashMap::default(),
        }
    }

    fn describe(&self, gained: &Power, base: &Power) -> String {
        let key = (std::ptr::from_ref(gained) as usize, std::ptr::from_ref(base) as usize);
        if let Some(hit) = self.described.borrow().get(&key) {
            return hit.clone();
        }
        let text = gained.describe_gain(base);
        self.described.borrow_mut().insert(key, text.clone());
        text
    }

    fn power(&self, n: NodeId, member: Option<NodeId>) -> std::rc::Rc<Power> {
        let g = self.graph;
        let member = member.filter(|_| g.kind(n).0 == NodeKind::Group);
        let key = (g.class(n), member.map(|m| g.class(m)));
        if let Some(p) = self.powers.borrow().get(&key) {
            return p.clone();
        }
        let p = std::rc::Rc::new(g.power(self.account, n, member));
        self.powers.borrow_mut().insert(key, p.clone());
        p
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
        let base = self.power(start, None);
        let member = (g.kind(start).0 == NodeKind::User).then_some(start);
        let limit = self.limit;
        let mut gains = Gains::default();
        let record = |gains: &mut Gains, path: Vec<Step>, what: &dyn Fn() -> String| {
            if gains.shown.len() < limit {
                gains.shown.push(Gain { path, what: what() });
            }
            gains.total += 1;
        };
        // The start's own groups, for rewrites.
        let own_groups: Vec<NodeId> = match g.kind(start) {
            (NodeKind::User, i) => account.users[i]
                .group_list
                .iter()
                .filter_map(|name| account.group_position(name))
                .map(|j| g.group(j))
                .collect(),
            _ => Vec::new(),
        };
        // Rewriting itself or its groups first: the usual escalation, found without a walk.
        let mut rewritten = NodeSet::default();
        let mut after: HashMap<(usize, usize, bool), Power> = HashMap::new();
        let mut rewrite = |gains: &mut Gains,
                           rewritten: &mut NodeSet,
                           path: &dyn Fn() -> Vec<Step>,
                           p: NodeId,
                           action: &'static str| {
            if rewritten.contains(&p) {
                return;
            }
            let lifts = action.contains("PermissionsBoundary");
            let boundary = if lifts {
                None
            } else {
                match g.kind(p).0 {
                    NodeKind::Group => g.boundary(account, start).ok().flatten(),
                    _ => g.boundary(account, p).ok().flatten(),
                }
            };
            let ceiling = g.ceiling(account, p);
            let key = (
                boundary.map_or(0, |d| std::ptr::from_ref(d) as usize),
                ceiling.map_or(0, |c| std::ptr::from_ref(c) as usize),
                lifts,
            );
            let power = after.entry(key).or_insert_with(|| Power::within(boundary, ceiling));
            if power.gains_over(&base) {
                rewritten.insert(p);
                if gains.shown.len() < limit {
                    let what = format!("may then be given {}", power.describe_gain(&base));
                    record(gains, path(), &|| what.clone());
                } else {
                    gains.total += 1;
                }
            }
        };
        for e in g.edges(start).iter().filter(|e| e.kind == EdgeKind::Rewrite) {
            for &p in std::iter::once(&start).chain(&own_groups) {
                if e.to.binary_search(&p).is_ok() {
                    let step = Step {
                        from: start,
                        to: p,
                        kind: EdgeKind::Rewrite,
                        action: e.action,
                    };
                    rewrite(&mut gains, &mut rewritten, &|| vec![step], p, e.action);
                }
            }
        }
        // The walk: a principal with every action gains nothing further, so the walk does
        // not go on from one; once something is gained, only the nearest principals count.
        let mut found: Vec<NodeId> = Vec::new();
        let mut visited = 0usize;
        let mut stopped = false;
        let walk = g.walk_until(
            start,
            |_| true,
            &mut |n| !self.power(n, member).anywhere.is_full(),
            &mut |n, only_assumes| {
                visited += 1;
                if !only_assumes && self.power(n, member).gains_over(&base) {
                    found.push(n);
                }
                if (gains.total > 0 || !found.is_empty()) && visited >= EXAMINED {
                    stopped = true;
                    return false;
                }
                true
            },
        );
        for t in found {
            if gains.shown.len() < limit {
                let what = self.describe(&self.power(t, member), &base);
                record(&mut gains, walk.path(t), &|| what.clone());
            } else {
                gains.total += 1;
            }
        }
        // Rewrites of a principal the start acts as: itself, what it reached, and the groups
        // of the users among them. Each is counted once, through the first rewrite edge that
        // reaches it (nearest first); principals of one class share their edge lists, so each
        // distinct list is intersected with them once.
        let acting: Vec<NodeId> = std::iter::once(start).chain(walk.reached.iter().copied()).collect();
        let mut controlled = acting.clone();
        for &n in &acting {
            if let (NodeKind::User, i) = g.kind(n) {
                controlled.extend(
                    account.users[i]
                        .group_list
                        .iter()
                        .filter_map(|name| account.group_position(name))
                        .map(|j| g.group(j)),
                );
            }
        }
        controlled.sort_unstable();
        controlled.dedup();
        let mut lists: Vec<(NodeId, &'static str, &[NodeId])> = Vec::new();
        let mut seen_lists = HashSet::new();
        for &q in &acting {
            if q != start && self.power(q, member).anywhere.is_full() {
                continue;
            }
            for e in g.edges(q).iter().filter(|e| e.kind == EdgeKind::Rewrite) {
                if seen_lists.insert((e.to.as_ptr() as usize, e.action)) {
                    lists.push((q, e.action, &e.to));
                }
            }
        }
        for (q, action, to) in lists {
            // Both ascending: one merge.
            let (mut a, mut b) = (0, 0);
            while a < to.len() && b < controlled.len() {
                let p = match to[a].cmp(&controlled[b]) {
                    std::cmp::Ordering::Less => {
                        a += 1;
                        continue;
                    }
                    std::cmp::Ordering::Greater => {
                        b += 1;
                        continue;
                    }
                    std::cmp::Ordering::Equal => to[a],
                };
                a += 1;
                b += 1;
                let step = Step {
                    from: q,
                    to: p,
                    kind: EdgeKind::Rewrite,
                    action,
                };
                let path = || {
                    let mut path = walk.path(q);
                    path.push(step);
                    path
                };
                rewrite(&mut gains, &mut rewritten, &path, p, action);
            }
        }
        gains.stopped = stopped;
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
