//! The account data: the AWS CLI outputs described in README.md ("The exports directory"),
//! read into one [`Account`] value.
//!
//! There is one input shape. [`ExportSet`] holds the files (from a directory an auditor
//! received, or collected live into memory by [`collect`]); [`Account::from_exports`]
//! parses them. A live audit is collect-into-memory plus the same parse.

#[cfg(feature = "aws")]
pub mod collect;
mod credential_report;
mod exports;
pub mod graph;
mod identity;
pub mod identity_center;
mod model;
mod organization;

pub use credential_report::{AccessKeyInfo, CredentialReport, CredentialRow, PasswordEnabled, ReportTime};
pub use exports::{file, ExportSet, InputLimits};
pub use identity::{boundary_of, role_context, user_context, Labelled};
pub use model::*;
pub use organization::{AccountOrg, OrgNode, OrgNodeKind, OrgPolicies, OrgPolicy, PolicyState, ScpStatus};

pub use crate::policy::is_account_id;
