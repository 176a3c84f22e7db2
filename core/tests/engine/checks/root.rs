//! The root user: IAM-015 root-mfa, IAM-016 root-hardware-mfa, IAM-017 root-access-keys, IAM-018
//! root-recent-use.

use super::*;

/// This family's checks that read only `authorization-details.json`, which every audit
/// requires: they cannot be `not-evaluated`.
pub(super) const AUTHORIZATION_ONLY: &[&str] = &[];

/// Accounts and what this family's checks decide on them: each check passes on one, fails
/// on another and is `not-evaluated` (or `error`) where its data is absent.
pub(super) static CASES: &[Case] = &[
    on_compliant(&[
        ("IAM-015", "<root_account>", Pass),
        ("IAM-016", "<root_account>", Pass),
        ("IAM-017", "<root_account>", Pass),
        ("IAM-018", "<root_account>", Pass),
    ]),
    on_gaps(&[
        ("IAM-015", "<root_account>", Fail),
        ("IAM-016", "<root_account>", Fail),
        ("IAM-017", "<root_account>", Fail),
        ("IAM-018", "<root_account>", Fail),
    ]),
    on_bare(&[
        ("IAM-015", "<root_account>", NotEval),
        ("IAM-016", "<root_account>", NotEval),
        ("IAM-017", "<root_account>", NotEval),
        ("IAM-018", "<root_account>", NotEval),
    ]),
    on_failed_sources(&[
        ("IAM-015", "<root_account>", Err_),
        ("IAM-017", "<root_account>", Err_),
        ("IAM-018", "<root_account>", Err_),
    ]),
    case(
        "account summary decides root (good)",
        summary_root_ok,
        defaults,
        &[
            ("IAM-015", "<root_account>", Pass),
            ("IAM-017", "<root_account>", Pass),
            ("IAM-016", "<root_account>", NotEval),
            ("IAM-018", "<root_account>", NotEval),
        ],
    ),
    case(
        "account summary decides root (bad)",
        summary_root_bad,
        defaults,
        &[("IAM-015", "<root_account>", Fail), ("IAM-017", "<root_account>", Fail)],
    ),
    case(
        "no root row, no summary",
        no_root_data,
        defaults,
        &[
            ("IAM-015", "<root_account>", NotEval),
            ("IAM-017", "<root_account>", NotEval),
        ],
    ),
    case(
        "root MFA, virtual devices not collected",
        root_mfa_no_vmfa,
        defaults,
        &[
            ("IAM-015", "<root_account>", Pass),
            ("IAM-016", "<root_account>", NotEval),
        ],
    ),
    on_compliant_stricter(&[("IAM-018", "<root_account>", Fail)]),
];

#[test]
fn cases() {
    run_cases(CASES);
}

#[test]
fn root_with_a_virtual_mfa_device_fails_iam_016() {
    let device = |arn: &str| json!([{"SerialNumber": format!("arn:aws:iam::{ACCOUNT}:mfa/root-account-mfa-device"), "User": {"Arn": arn}, "EnableDate": ago(30)}]);
    let b = B::new()
        .cred(Cred::new("<root_account>").mfa())
        .vmfa(device(&format!("arn:aws:iam::{ACCOUNT}:root")));
    let r = audit(&b);
    let f = find(&r, "IAM-016", "<root_account>");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("root-account-mfa-device"), "{}", f.detail);
    assert_eq!(f.source_file.as_deref(), Some("virtual-mfa-devices.json"));
    let b = B::new()
        .cred(Cred::new("<root_account>").mfa())
        .vmfa(device(&format!("arn:aws:iam::{ACCOUNT}:user/alice")));
    assert_eq!(find(&audit(&b), "IAM-016", "<root_account>").status, Pass);
}
