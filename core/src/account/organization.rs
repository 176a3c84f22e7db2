//! An account's place in its AWS Organization and the organization policies that apply to
//! it (organization runs): its chain from the root through the organizational units, the
//! service control policies (SCPs) and resource control policies (RCPs) attached at each
//! level, and the [`Ceiling`] they put over its principals.
//!
//! Outside organization runs nothing of this is known ([`OrgPolicies::NotCollected`]); when
//! the organization's data could not be read it is unknown with the reason. Nothing is
//! guessed: an unknown policy type caps nothing, and the checks say it is unknown.

use std::sync::Arc;

use crate::policy::{Ceiling, CeilingKind, Chain, Document, Level, RCP_SERVICES};

/// What a node of the organization is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OrgNodeKind {
    /// The organization's root.
    Root,
    /// An organizational unit.
    OrganizationalUnit,
    /// A member account.
    Account,
}

/// One node of an account's chain: the root, an organizational unit, the account.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OrgNode {
    /// What it is.
    pub kind: OrgNodeKind,
    /// `r-ab12`, `ou-ab12-cdef3456`, `111111111111`.
    pub id: String,
    /// Its name (empty when the data does not give it).
    #[serde(default)]
    pub name: String,
}

impl OrgNode {
    /// `root r-ab12`, `OU Clinical (ou-ab12-cdef3456)`, `account 111111111111`.
    pub fn describe(&self) -> String {
        match self.kind {
            OrgNodeKind::Root => format!("root {}", self.id),
            OrgNodeKind::OrganizationalUnit if self.name.is_empty() => format!("OU {}", self.id),
            OrgNodeKind::OrganizationalUnit => format!("OU {} ({})", self.name, self.id),
            OrgNodeKind::Account => format!("account {}", self.id),
        }
    }
}

/// A policy attached to a node.
#[derive(Debug, Clone)]
pub struct OrgPolicy {
    /// `p-abcd1234` (`p-FullAWSAccess` for the AWS managed default).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Whether AWS manages it (`FullAWSAccess`, `RCPFullAWSAccess`).
    pub aws_managed: bool,
    /// Its content, parsed.
    pub document: Arc<Document>,
}

impl OrgPolicy {
    /// `DenyIAM (p-abcd1234)`.
    pub fn label(&self) -> String {
        format!("{} ({})", self.name, self.id)
    }

    /// Whether this is AWS's default policy that lets everything through (`FullAWSAccess`
    /// or `RCPFullAWSAccess`): AWS managed and allowing every action on every resource.
    pub fn is_full_access(&self) -> bool {
        self.aws_managed && self.document.allows_everything()
    }
}

/// The policies of one type (SCPs or RCPs) for an account.
#[derive(Debug, Clone)]
pub enum PolicyState {
    /// They could not be read: why (the file or call that failed, with AWS's error).
    Unknown(String),
    /// The policy type is not enabled in the organization: none applies (why, e.g. `not
    /// enabled at root r-ab12`).
    NotEnabled(String),
    /// The policies attached at each node of the account's chain (same order as
    /// [`AccountOrg::path`]).
    Attached(Vec<Vec<OrgPolicy>>),
}

/// An account in its organization: the chain from the root and the policies.
#[derive(Debug, Clone)]
pub struct AccountOrg {
    /// The organization's ID (`o-...`).
    pub organization_id: String,
    /// The management account's ID (`MasterAccountId`): organization policies never apply
    /// to it.
    pub management_account: String,
    /// The account's ID.
    pub account: String,
    /// Root, organizational units, the account; empty when the account's place is unknown.
    pub path: Vec<OrgNode>,
    /// The service control policies.
    pub scp: PolicyState,
    /// The resource control policies.
    pub rcp: PolicyState,
    ceiling: Ceiling,
}

impl AccountOrg {
    /// The account `account` of organization `organization_id` managed from
    /// `management_account`, at `path`, with these policies. The ceiling is built from the
    /// policies that are known (none for the management account).
    pub fn new(
        organization_id: String,
        management_account: String,
        account: String,
        path: Vec<OrgNode>,
        scp: PolicyState,
        rcp: PolicyState,
    ) -> AccountOrg {
        let mut chains = Vec::new();
        if account != management_account {
            for (kind, state, services) in [
                (CeilingKind::ServiceControl, &scp, &[][..]),
                (CeilingKind::ResourceControl, &rcp, RCP_SERVICES),
            ] {
                if let PolicyState::Attached(levels) = state {
                    let levels = path
                        .iter()
                        .zip(levels)
                        .map(|(node, policies)| Level {
                            name: node.describe(),
                            policies: policies.iter().map(|p| (p.label(), p.document.clone())).collect(),
                        })
                        .collect();
                    chains.push(Chain::new(kind, services, levels));
                }
            }
        }
        AccountOrg {
            organization_id,
            management_account,
            account,
            path,
            scp,
            rcp,
            ceiling: Ceiling::new(chains),
        }
    }

    /// Whether the account is the organization's management account.
    pub fn is_management(&self) -> bool {
        self.account == self.management_account
    }

    /// The ceiling the known policies put over the account's principals (empty for the
    /// management account, and for policy types unknown or not enabled).
    pub fn ceiling(&self) -> &Ceiling {
        &self.ceiling
    }

    /// The state of the policies of `kind`.
    pub fn policies(&self, kind: CeilingKind) -> &PolicyState {
        match kind {
            CeilingKind::ServiceControl => &self.scp,
            CeilingKind::ResourceControl => &self.rcp,
        }
    }
}

/// What the organization's policies are to an account.
#[derive(Debug, Clone, Default)]
pub enum OrgPolicies {
    /// Not an organization run: unknown.
    #[default]
    NotCollected,
    /// An organization run whose organization data could not be read: why.
    Unknown(String),
    /// The account's place and policies.
    Known(Arc<AccountOrg>),
}

/// How the service control policies bear on an account's principals, for the checks'
/// details ([`OrgPolicies::scp_status`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScpStatus<'a> {
    /// Not an organization run.
    NotCollected,
    /// An organization run that could not read them.
    Unknown(&'a str),
    /// The management account: they never apply.
    ManagementAccount,
    /// SCPs are not enabled in the organization: none applies.
    NotEnabled(&'a str),
    /// They apply, and are in the account's ceiling.
    Apply,
}

impl ScpStatus<'_> {
    /// For an admin verdict: what the SCPs say about full access, in a phrase after
    /// "service control policies: ". `None` when they apply (the ceiling decided).
    pub fn note(&self) -> Option<String> {
        match self {
            ScpStatus::NotCollected => Some(
                "service control policies unknown (not collected: not an organization run; \
                 `audit --org` applies them)"
                    .into(),
            ),
            ScpStatus::Unknown(why) => Some(format!("service control policies unknown ({why})")),
            ScpStatus::ManagementAccount => {
                Some("service control policies do not apply (the organization's management account)".into())
            }
            ScpStatus::NotEnabled(why) => Some(format!("no service control policy applies ({why})")),
            ScpStatus::Apply => None,
        }
    }
}

impl OrgPolicies {
    /// The account's organization data, when known.
    pub fn known(&self) -> Option<&AccountOrg> {
        match self {
            OrgPolicies::Known(a) => Some(a),
            _ => None,
        }
    }

    /// How the SCPs bear on the account's principals.
    pub fn scp_status(&self) -> ScpStatus<'_> {
        match self {
            OrgPolicies::NotCollected => ScpStatus::NotCollected,
            OrgPolicies::Unknown(why) => ScpStatus::Unknown(why),
            OrgPolicies::Known(a) if a.is_management() => ScpStatus::ManagementAccount,
            OrgPolicies::Known(a) => match &a.scp {
                PolicyState::Unknown(why) => ScpStatus::Unknown(why),
                PolicyState::NotEnabled(why) => ScpStatus::NotEnabled(why),
                PolicyState::Attached(_) => ScpStatus::Apply,
            },
        }
    }

    /// The ceiling over the account's principals (not service-linked roles): `None` when no
    /// organization policy is known to apply.
    pub fn ceiling(&self) -> Option<&Ceiling> {
        self.known().map(AccountOrg::ceiling).filter(|c| !c.is_empty())
    }

    /// The organization's ID, when known.
    pub fn organization_id(&self) -> Option<&str> {
        self.known().map(|a| a.organization_id.as_str())
    }
}
