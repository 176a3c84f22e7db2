//! `hipaa-iam-core`: everything that knows AWS IAM and the HIPAA Security Rule.
//!
//! Data flows one way: AWS (or an auditor's files) → [`account::Account`] →
//! [`checks`] → [`findings::Finding`]s → [`report`]s and evidence. Remediation is the only writer to AWS,
//! and it goes plan → apply.
#![warn(missing_docs)]

pub mod access;
pub mod account;
pub mod api;
pub mod aws;
pub mod checks;
pub mod config;
pub mod error;
pub mod files;
pub mod findings;
pub mod history;
pub mod input;
pub mod lint;
pub mod manifest;
pub mod org;
pub mod policy;
pub mod remediate;
pub mod report;
pub mod run;
pub mod text;

pub use error::{Error, Result};

/// The version of this library (and of the `hipaa-iam` tool built from it).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
