//! MFA: IAM-002 console-mfa, IAM-003 user-mfa.

use super::*;

/// This family's checks that read only `authorization-details.json`, which every audit
/// requires: they cannot be `not-evaluated`.
pub(super) const AUTHORIZATION_ONLY: &[&str] = &[];

/// Accounts and what this family's checks decide on them: each check passes on one, fails
/// on another and is `not-evaluated` (or `error`) where its data is absent.
pub(super) static CASES: &[Case] = &[
    on_compliant(&[
        ("IAM-002", "alice", Pass),
        ("IAM-003", "alice", Pass),
        ("IAM-003", "ci-deployer", Pass),
    ]),
    on_gaps(&[("IAM-002", "bob", Fail), ("IAM-003", "svc-batch", Fail)]),
    on_bare(&[("IAM-002", "ann", NotEval), ("IAM-003", "ann", NotEval)]),
    on_failed_sources(&[("IAM-002", "ann", Err_)]),
];

#[test]
fn cases() {
    run_cases(CASES);
}

#[test]
fn user_missing_from_the_report_is_not_evaluated() {
    let b = B::new().user("late", &["g"], json!({}));
    let f = audit(&b);
    let f = find(&f, "IAM-002", "late");
    assert_eq!(f.status, NotEval);
    assert!(f.detail.contains("no row"), "{}", f.detail);
}
