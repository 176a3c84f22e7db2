//! The identity policies of a user or role, each document with a label that names it the
//! way a reader finds it (`AdministratorAccess (attached to group admins)`), and its
//! permissions boundary: what the checks and the access queries evaluate.

use super::{Account, AttachedPolicy, Boundary, Group, InlinePolicy, ManagedPolicy, PolicyDoc, Role, User};
use crate::policy::Document;

/// Identity documents with a label each (`AdministratorAccess (attached to group admins)`),
/// the ARNs of attached managed policies missing from the data, and the groups of a user
/// missing from the data.
#[derive(Default)]
pub(crate) struct Labelled<'a> {
    pub docs: Vec<&'a Document>,
    pub jsons: Vec<&'a serde_json::Value>,
    pub labels: Vec<String>,
    pub missing: Vec<String>,
    pub missing_groups: Vec<&'a str>,
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

    /// A group's policies.
    pub fn add_group(&mut self, account: &'a Account, g: &'a Group, owner: &str) {
        self.add(account, &g.attached_managed_policies, &g.group_policy_list, owner);
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

    /// A role's policies.
    pub fn role(account: &'a Account, r: &'a Role) -> Labelled<'a> {
        let mut l = Labelled::default();
        l.add(
            account,
            &r.attached_managed_policies,
            &r.role_policy_list,
            &format!("role {}", r.role_name),
        );
        l
    }
}

/// The boundary of a user or role: `Ok(Some)` the document, `Ok(None)` none set,
/// `Err(arn)` set but missing from the data.
pub(crate) fn boundary<'a>(account: &'a Account, b: Option<&'a Boundary>) -> Result<Option<&'a Document>, String> {
    match b {
        None => Ok(None),
        Some(b) => account
            .boundary_document(Some(b))
            .map(|d: &PolicyDoc| Some(&d.document))
            .ok_or_else(|| b.permissions_boundary_arn.clone()),
    }
}
