//! IAM Access Analyzer: IAM-019 access-analyzer-enabled, IAM-020 access-analyzer-findings.

use super::*;

/// This family's checks that read only `authorization-details.json`, which every audit
/// requires: they cannot be `not-evaluated`.
pub(super) const AUTHORIZATION_ONLY: &[&str] = &[];

/// Accounts and what this family's checks decide on them: each check passes on one, fails
/// on another and is `not-evaluated` (or `error`) where its data is absent.
pub(super) static CASES: &[Case] = &[
    on_compliant(&[("IAM-019", "us-east-1", Pass), ("IAM-020", "us-east-1", Pass)]),
    on_gaps(&[
        ("IAM-019", "us-east-1", Fail),
        ("IAM-019", "eu-west-1", Pass),
        ("IAM-020", "us-east-1", NotEval),
        ("IAM-020", "5f1e-s3-public", Fail),
    ]),
    on_bare(&[("IAM-019", "(no region)", NotEval), ("IAM-020", "(no region)", NotEval)]),
    on_failed_sources(&[("IAM-019", "eu-west-1", Err_), ("IAM-020", "eu-west-1", Err_)]),
];

#[test]
fn cases() {
    run_cases(CASES);
}
