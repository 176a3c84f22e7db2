//! Linting policy documents kept in a repository (`hipaa-iam lint-policy`): the problems of
//! one document, each located by a JSON pointer, decided by the same evaluator and action
//! catalogue as the account audit.

mod rules;

pub use rules::*;
