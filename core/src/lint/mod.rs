//! Linting policy documents kept in a repository (`hipaa-iam lint-policy`): the problems of
//! one document, each located by a JSON pointer, decided by the same evaluator and action
//! catalogue as the account audit ([`lint_document`]); the documents of JSON and Terraform
//! files with the line and column of every value ([`source`]); and the problems of files
//! at those places ([`files`]).

mod rules;

pub use rules::*;

pub mod files;
pub mod source;
mod terraform;
