//! The root user: IAM-015 root-mfa, IAM-016 root-hardware-mfa, IAM-017 root-access-keys, IAM-018
//! root-recent-use.

use super::*;

/// This family's checks that read only `authorization-details.json`, which every audit
/// requires: they cannot be `not-evaluated`.
pub(super) const AUTHORIZATION_ONLY: &[&str] = &[];

/// Accounts and what this family's checks decide on them: each check passes on one, fails
/// on another and is `not-evaluated` (or `error`) where its data is absent.
pub(super) static CASES: &[Case] = &[
    Case {
        name: "compliant fixture",
        account: compliant,
        config: defaults,
        expect: &[
            ("IAM-015", "<root_account>", Pass),
            ("IAM-016", "<root_account>", Pass),
            ("IAM-017", "<root_account>", Pass),
            ("IAM-018", "<root_account>", Pass),
        ],
    },
    Case {
        name: "gaps fixture",
        account: gaps,
        config: defaults,
        expect: &[
            ("IAM-015", "<root_account>", Fail),
            ("IAM-016", "<root_account>", Fail),
            ("IAM-017", "<root_account>", Fail),
            ("IAM-018", "<root_account>", Fail),
        ],
    },
    Case {
        name: "only authorization details",
        account: bare,
        config: defaults,
        expect: &[
            ("IAM-015", "<root_account>", NotEval),
            ("IAM-016", "<root_account>", NotEval),
            ("IAM-017", "<root_account>", NotEval),
            ("IAM-018", "<root_account>", NotEval),
        ],
    },
    Case {
        name: "collection failed",
        account: failed_sources,
        config: defaults,
        expect: &[
            ("IAM-015", "<root_account>", Err_),
            ("IAM-017", "<root_account>", Err_),
            ("IAM-018", "<root_account>", Err_),
        ],
    },
    Case {
        name: "account summary decides root (good)",
        account: summary_root_ok,
        config: defaults,
        expect: &[
            ("IAM-015", "<root_account>", Pass),
            ("IAM-017", "<root_account>", Pass),
            ("IAM-016", "<root_account>", NotEval),
            ("IAM-018", "<root_account>", NotEval),
        ],
    },
    Case {
        name: "account summary decides root (bad)",
        account: summary_root_bad,
        config: defaults,
        expect: &[("IAM-015", "<root_account>", Fail), ("IAM-017", "<root_account>", Fail)],
    },
    Case {
        name: "no root row, no summary",
        account: no_root_data,
        config: defaults,
        expect: &[
            ("IAM-015", "<root_account>", NotEval),
            ("IAM-017", "<root_account>", NotEval),
        ],
    },
    Case {
        name: "root MFA, virtual devices not collected",
        account: root_mfa_no_vmfa,
        config: defaults,
        expect: &[
            ("IAM-015", "<root_account>", Pass),
            ("IAM-016", "<root_account>", NotEval),
        ],
    },
    Case {
        name: "compliant fixture under stricter thresholds",
        account: compliant,
        config: custom_thresholds,
        expect: &[("IAM-018", "<root_account>", Fail)],
    },
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
