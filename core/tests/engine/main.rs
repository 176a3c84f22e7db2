//! The engine's tests (the policy evaluator, the account data, the checks, the evidence,
//! organizations, remediation), in one test binary so the AWS SDK is linked once: each
//! module is one concern. Modules named `*_moto` need the moto server `.ci/run` starts
//! (see `hipaa_iam_tests::moto`); `*_mocks` answer AWS calls with `aws-smithy-mocks` where
//! moto cannot. The memory test is a binary of its own (`memory.rs`): it counts allocations.

mod common;

mod access;
mod checks;
mod collect_mocks;
mod evidence;
mod exact;
mod exports;
mod identity_center_exports;
mod identity_center_mocks;
mod identity_center_moto;
mod input_props;
mod lint;
mod lint_files;
mod org_evidence;
mod org_mocks;
mod org_scp_mocks;
mod policy;
mod remediate_mocks;
mod remediate_moto;
