//! The password policy: IAM-001 password-policy.

use super::*;

/// This family's checks that read only `authorization-details.json`, which every audit
/// requires: they cannot be `not-evaluated`.
pub(super) const AUTHORIZATION_ONLY: &[&str] = &["IAM-001"];

/// Accounts and what this family's checks decide on them: each check passes on one, fails
/// on another and is `not-evaluated` (or `error`) where its data is absent.
pub(super) static CASES: &[Case] = &[
    on_compliant(&[("IAM-001", ACCOUNT, Pass)]),
    on_gaps(&[("IAM-001", ACCOUNT, Fail)]),
    on_bare(&[("IAM-001", ACCOUNT, Fail)]),
    on_failed_sources(&[("IAM-001", ACCOUNT, Err_)]),
    on_compliant_stricter(&[("IAM-001", ACCOUNT, Fail)]),
];

#[test]
fn cases() {
    run_cases(CASES);
}

#[test]
fn password_policy_names_each_unmet_field() {
    let b = B::new().password_policy(json!({
        "MinimumPasswordLength": 8, "RequireSymbols": false, "RequireNumbers": true,
        "RequireUppercaseCharacters": true, "RequireLowercaseCharacters": false,
        "AllowUsersToChangePassword": true, "ExpirePasswords": false, "PasswordReusePrevention": 5
    }));
    let r = audit(&b);
    let f = find(&r, "IAM-001", ACCOUNT);
    assert_eq!(f.status, Fail);
    for field in [
        "MinimumPasswordLength is 8",
        "RequireSymbols",
        "RequireLowercaseCharacters",
        "do not expire",
        "PasswordReusePrevention is 5",
    ] {
        assert!(f.detail.contains(field), "{field} not in {}", f.detail);
    }
    assert!(!f.detail.contains("RequireNumbers"), "{}", f.detail);
    assert_eq!(f.source_file.as_deref(), Some("password-policy.json"));
    assert!(
        f.remediation().ends_with("Run: hipaa-iam remediate password-policy"),
        "{}",
        f.remediation()
    );

    let ok = B::new().password_policy(strong_password_policy());
    assert_eq!(find(&audit(&ok), "IAM-001", ACCOUNT).status, Pass);
    let long_age = B::new().password_policy({
        let mut p = strong_password_policy();
        p["MaxPasswordAge"] = json!(180);
        p
    });
    let f = audit(&long_age);
    assert!(find(&f, "IAM-001", ACCOUNT).detail.contains("MaxPasswordAge is 180"));
}
