//! The identity policies of one user or role, each with a label saying where it comes from
//! (`AdministratorAccess (attached to group admins)`), gathered once for the checks, the
//! access graph and the access queries.

use super::{Account, AttachedPolicy, Group, InlinePolicy, ManagedPolicy, PolicyDoc, Role, Tag, User};
use crate::policy::{Ceiling, Context, Document, Effect, Evaluation, Principal, Statement};

/// Identity documents with a label each (`AdministratorAccess (attached to group admins)`),
/// the ARNs of attached managed policies missing from the data, and the groups of a user
/// missing from the data.
#[derive(Debug, Default)]
pub struct Labelled<'a> {
    /// The identity policy documents present in the data.
    pub docs: Vec<&'a Document>,
    /// Their JSON, as exported.
    pub jsons: Vec<&'a serde_json::Value>,
    /// Their labels, in the same order.
    pub labels: Vec<String>,
    /// The ARNs of attached managed policies missing from the data.
    pub missing: Vec<String>,
    /// The groups of a user missing from the data.
    pub missing_groups: Vec<&'a str>,
    /// The organization policies over the principal (organization runs; none for the
    /// management account and service-linked roles).
    pub ceiling: Option<&'a Ceiling>,
}

impl<'a> Labelled<'a> {
    fn add(&mut self, account: &'a Account, attached: &'a [AttachedPolicy], inline: &'a [InlinePolicy], owner: &str) {
        for a in attached {
            match account.policy(&a.policy_arn).and_then(ManagedPolicy::default_document) {
                Some(d) => {
                    self.docs.push(&d.document);
                    self.jsons.push(&d.json);
                    self.labels.push(format!("{} (attached to {owner})", a.policy_name));
                }
                None => self.missing.push(a.policy_arn.clone()),
            }
        }
        for p in inline {
            self.docs.push(&p.policy_document.document);
            self.jsons.push(&p.policy_document.json);
            self.labels.push(format!("inline {} on {owner}", p.policy_name));
        }
    }

    /// A group's policies (and the account's ceiling, which caps its members).
    pub fn add_group(&mut self, account: &'a Account, g: &'a Group, owner: &str) {
        self.add(account, &g.attached_managed_policies, &g.group_policy_list, owner);
        self.ceiling = account.ceiling();
    }

    /// A user's policies: its own and its groups'.
    pub fn user(account: &'a Account, u: &'a User) -> Labelled<'a> {
        let mut l = Labelled::default();
        l.add(
            account,
            &u.attached_managed_policies,
            &u.user_policy_list,
            &format!("user {}", u.user_name),
        );
        for g in account.groups_of(u) {
            l.add(
                account,
                &g.attached_managed_policies,
                &g.group_policy_list,
                &format!("group {}", g.group_name),
            );
        }
        l.missing_groups = account.missing_groups_of(u).collect();
        l.ceiling = account.ceiling();
        l
    }

    /// What the principal's permissions depend on that the data lacks, one phrase each
    /// (`managed policy arn:...`, `group admins`); empty when everything is present.
    pub fn unknown(&self) -> Vec<String> {
        self.missing
            .iter()
            .map(|arn| format!("managed policy {arn}"))
            .chain(self.missing_groups.iter().map(|g| format!("group {g}")))
            .collect()
    }

    /// These documents as a principal within `boundary`, capped by the ceiling, for the
    /// evaluator: the one place the checks, the access graph and the access queries get a
    /// principal's effective policies from.
    pub fn principal(&self, boundary: Option<&'a Document>) -> Principal<'a> {
        Principal::new(self.docs.clone(), boundary).capped_by(self.ceiling)
    }

    /// A role's policies.
    pub fn role(account: &'a Account, r: &'a Role) -> Labelled<'a> {
        let mut l = Labelled::default();
        l.add(
            account,
            &r.attached_managed_policies,
            &r.role_policy_list,
            &format!("role {}", r.role_name),
        );
        l.ceiling = account.ceiling_for_role(r);
        l
    }

    /// The labels of the statements granting everything: each one that does alone, or else
    /// the unconditional `Allow` statements on every resource that may do it together.
    pub fn granting_everything(&self) -> Vec<String> {
        let labels = |keep: &dyn Fn(&Statement) -> bool| -> Vec<String> {
            self.docs
                .iter()
                .zip(&self.labels)
                .flat_map(|(d, label)| {
                    d.statements()
                        .iter()
                        .filter(|s| keep(s))
                        .map(move |s| format!("{label} [{}]", s.label()))
                })
                .collect()
        };
        let alone = labels(&|s| s.grants_everything());
        if !alone.is_empty() {
            return alone;
        }
        let together = labels(&Statement::allows_everywhere);
        if together.len() > 1 {
            vec![format!("{} together", together.join(" + "))]
        } else {
            Vec::new()
        }
    }

    /// The labels of the statements that definitely allowed an evaluation.
    pub fn allowed_by(&self, e: &Evaluation) -> String {
        let names: Vec<String> = e
            .matched
            .iter()
            .filter(|m| m.is_identity() && m.effect == Effect::Allow && !m.conditional)
            .filter_map(|m| {
                let label = self.labels.get(m.document)?;
                let s = self.docs.get(m.document)?.statements().get(m.statement)?;
                Some(format!("{label} [{}]", s.label()))
            })
            .collect();
        names.join(", ")
    }
}

/// The boundary of a user or role: `Ok(Some)` the document, `Ok(None)` none set,
/// `Err(arn)` set but missing from the data.
pub fn boundary_of<'a>(account: &'a Account, b: Option<&'a super::Boundary>) -> Result<Option<&'a Document>, String> {
    match b {
        None => Ok(None),
        Some(b) => account
            .boundary_document(Some(b))
            .map(|d: &PolicyDoc| Some(&d.document))
            .ok_or_else(|| b.permissions_boundary_arn.clone()),
    }
}

/// The context keys a principal's requests carry, as far as the account data tells:
/// `aws:PrincipalArn`, `aws:PrincipalAccount` (from the ARN, else the account's),
/// `aws:PrincipalType` (`User` or `AssumedRole`), `aws:PrincipalOrgID` in organization runs,
/// for a user `aws:username` and `aws:userid`
/// (unknown when the data lacks the ID), for a role `aws:username` absent and `aws:userid`
/// unknown (a session's is `ROLEID:SESSION-NAME`, chosen by the caller), and an
/// `aws:PrincipalTag/KEY` per exported tag, other principal tags absent. Every other key is
/// unknown. The one context of the checks, the access graph and the access queries.
fn principal_context(account: &Account, arn: &str, tags: &[Tag]) -> Context {
    let account_id = arn
        .split(':')
        .nth(4)
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .or_else(|| account.account_id.clone());
    let mut ctx = Context::new().with("aws:PrincipalArn", arn);
    if let Some(id) = account_id {
        ctx = ctx.with("aws:PrincipalAccount", id);
    }
    // In organization runs the organization is known; elsewhere the key stays unknown.
    if let Some(org) = account.organization.organization_id() {
        ctx = ctx.with("aws:PrincipalOrgID", org);
    }
    for t in tags {
        ctx = ctx.with(&format!("aws:PrincipalTag/{}", t.key), &t.value);
    }
    ctx.absent_under("aws:PrincipalTag/")
}

/// The request context of a user (see `principal_context`).
pub fn user_context(account: &Account, u: &User) -> Context {
    let ctx = principal_context(account, &u.arn, &u.tags)
        .with("aws:username", &u.user_name)
        .with("aws:PrincipalType", "User");
    match &u.user_id {
        Some(id) => ctx.with("aws:userid", id),
        None => ctx.unknown("aws:userid"),
    }
}

/// The request context of a role's sessions (see `principal_context`).
pub fn role_context(account: &Account, r: &Role) -> Context {
    principal_context(account, &r.arn, &r.tags)
        .absent("aws:username")
        .unknown("aws:userid")
        .with("aws:PrincipalType", "AssumedRole")
}
