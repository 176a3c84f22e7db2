//! Linting IAM policy documents kept in files (`hipaa-iam lint-policy`): the rules
//! ([`lint_document`]), the documents of JSON and Terraform files at their lines and columns
//! ([`source`]), and the problems of files at those places ([`files`]).

mod rules;
pub use rules::*;

pub mod files;
pub mod source;
mod terraform;
