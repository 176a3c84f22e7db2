//! Users and groups: IAM-006 user-in-group, IAM-007 no-direct-policies, IAM-008
//! permissions-boundary, IAM-021 group-not-empty.

use super::*;

/// This family's checks that read only `authorization-details.json`, which every audit
/// requires: they cannot be `not-evaluated`.
pub(super) const AUTHORIZATION_ONLY: &[&str] = &["IAM-006", "IAM-007", "IAM-008", "IAM-021"];

/// Accounts and what this family's checks decide on them: each check passes on one, fails
/// on another and is `not-evaluated` (or `error`) where its data is absent.
pub(super) static CASES: &[Case] = &[
    on_compliant(&[
        ("IAM-006", "alice", Pass),
        ("IAM-007", "alice", Pass),
        ("IAM-008", "alice", Pass),
        ("IAM-021", "human-users", Pass),
    ]),
    on_gaps(&[
        ("IAM-006", "bob", Fail),
        ("IAM-007", "bob", Fail),
        ("IAM-008", "bob", Fail),
        ("IAM-008", "carol", Fail),
        ("IAM-021", "empty-group", Fail),
    ]),
];

#[test]
fn cases() {
    run_cases(CASES);
}
