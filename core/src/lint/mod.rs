//! Linting IAM policy documents kept in files (`hipaa-iam lint-policy`): the documents of
//! JSON and Terraform files at their lines and columns ([`source`]).

pub mod source;
mod terraform;
