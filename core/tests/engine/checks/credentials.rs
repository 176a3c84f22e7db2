//! Credentials: IAM-012 access-key-rotation, IAM-013 unused-credentials, IAM-014
//! single-active-key.

use super::*;

/// This family's checks that read only `authorization-details.json`, which every audit
/// requires: they cannot be `not-evaluated`.
pub(super) const AUTHORIZATION_ONLY: &[&str] = &[];

/// Accounts and what this family's checks decide on them: each check passes on one, fails
/// on another and is `not-evaluated` (or `error`) where its data is absent.
pub(super) static CASES: &[Case] = &[
    on_compliant(&[
        ("IAM-012", "ci-deployer", Pass),
        ("IAM-013", "alice", Pass),
        ("IAM-013", "ci-deployer", Pass),
        ("IAM-014", "ci-deployer", Pass),
    ]),
    on_gaps(&[
        ("IAM-012", "svc-batch", Fail),
        ("IAM-013", "bob", Fail),
        ("IAM-014", "svc-batch", Fail),
    ]),
    on_bare(&[
        ("IAM-012", "ann", NotEval),
        ("IAM-013", "ann", NotEval),
        ("IAM-014", "ann", NotEval),
    ]),
    on_failed_sources(&[("IAM-012", "ann", Err_)]),
    on_compliant_stricter(&[("IAM-012", "ci-deployer", Fail), ("IAM-013", "alice", Fail)]),
];

#[test]
fn cases() {
    run_cases(CASES);
}

#[test]
fn key_rotation_and_unused_credentials_name_the_key_and_age() {
    let b = B::new()
        .user("dave", &["g"], json!({}))
        .cred(Cred::new("dave").key(1, true, 120, Some(2)).key(2, false, 500, None))
        .user("erin", &["g"], json!({}))
        .cred(Cred::new("erin").password(None).mfa());
    let r = audit(&b);
    let f = find(&r, "IAM-012", "dave");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("access key 1 is 120 days old"), "{}", f.detail);
    assert!(!f.detail.contains("access key 2"), "inactive key judged: {}", f.detail);
    assert_eq!(f.source_file.as_deref(), Some("credential-report.csv"));
    // erin's password was never used: counted from its creation 400 days ago.
    let f = find(&r, "IAM-013", "erin");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("never used"), "{}", f.detail);
    assert_eq!(find(&r, "IAM-013", "dave").status, Pass);
    assert_eq!(find(&r, "IAM-014", "dave").status, Pass);
}
