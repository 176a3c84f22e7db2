//! MFA enforcement, decided from the policy documents: IAM-004 mfa-enforcement-policy, IAM-005
//! human-users-enforced.

use super::*;

/// This family's checks that read only `authorization-details.json`, which every audit
/// requires: they cannot be `not-evaluated`.
pub(super) const AUTHORIZATION_ONLY: &[&str] = &["IAM-004"];

/// Accounts and what this family's checks decide on them: each check passes on one, fails
/// on another and is `not-evaluated` (or `error`) where its data is absent.
pub(super) static CASES: &[Case] = &[
    on_compliant(&[
        ("IAM-004", "human-users", Pass),
        ("IAM-005", "alice", Pass),
        ("IAM-005", "ci-deployer", Pass),
    ]),
    on_gaps(&[
        ("IAM-004", "human-users", Fail),
        ("IAM-005", "bob", Fail),
        ("IAM-005", "carol", Fail),
        ("IAM-005", "svc-batch", Pass),
    ]),
    on_bare(&[("IAM-005", "ann", NotEval)]),
    on_missing_policy(&[("IAM-004", "human-users", Fail)]),
];

#[test]
fn cases() {
    run_cases(CASES);
}

fn url_encoded(v: &Value) -> Value {
    Value::String(percent_encoding::utf8_percent_encode(&v.to_string(), percent_encoding::NON_ALPHANUMERIC).to_string())
}

#[test]
fn guide_deny_without_mfa_on_the_group_passes_iam_004() {
    let r = audit(&mfa_account(
        deny_without_mfa("BoolIfExists"),
        &["human-users"],
        &["human-users"],
    ));
    let f = find(&r, "IAM-004", "human-users");
    assert_eq!(f.status, Pass, "{}", f.detail);
    assert_eq!(find(&r, "IAM-005", "alice").status, Pass);
    // The same document URL-encoded, as raw API responses carry it.
    let r = audit(&mfa_account(
        url_encoded(&deny_without_mfa("BoolIfExists")),
        &["human-users"],
        &["human-users"],
    ));
    assert_eq!(find(&r, "IAM-004", "human-users").status, Pass);
    // As an inline group policy with Statement as an object.
    let mut doc = deny_without_mfa("BoolIfExists");
    doc["Statement"] = doc["Statement"][0].clone();
    let b = B::new()
        .group("human-users", &[], &[("dwm", doc)])
        .user("alice", &["human-users"], json!({}));
    assert_eq!(find(&audit(&b), "IAM-004", "human-users").status, Pass);
}

#[test]
fn bool_instead_of_bool_if_exists_fails_naming_long_term_keys() {
    let r = audit(&mfa_account(
        deny_without_mfa("Bool"),
        &["human-users"],
        &["human-users"],
    ));
    let f = find(&r, "IAM-004", "human-users");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("long-term access keys"), "{}", f.detail);
    assert!(f.detail.contains("Bool instead of BoolIfExists"), "{}", f.detail);
    assert!(
        f.detail.contains("absent"),
        "the failing context is named: {}",
        f.detail
    );
    assert_eq!(find(&r, "IAM-005", "alice").status, Fail);
}

#[test]
fn the_policy_on_another_group_or_on_no_group_fails() {
    // Attached to another group: human-users does not enforce, but that other group does
    // (IAM-005 judges membership of any enforcing group).
    let r = audit(&mfa_account(
        deny_without_mfa("BoolIfExists"),
        &["clinicians"],
        &["clinicians", "human-users"],
    ));
    assert_eq!(find(&r, "IAM-004", "human-users").status, Fail);
    assert_eq!(find(&r, "IAM-005", "alice").status, Pass);
    // Attached to no group.
    let r = audit(&mfa_account(deny_without_mfa("BoolIfExists"), &[], &["human-users"]));
    let f = find(&r, "IAM-004", "human-users");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("no policy"), "{}", f.detail);
    assert_eq!(find(&r, "IAM-005", "alice").status, Fail);
    // No such group at all.
    let r = audit(&mfa_account(
        deny_without_mfa("BoolIfExists"),
        &["clinicians"],
        &["clinicians"],
    ));
    let f = find(&r, "IAM-004", "human-users");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("does not exist"), "{}", f.detail);
    // The configured group name is honoured.
    let mut c = Config::default();
    c.human_users_group = "clinicians".into();
    let r = checks::audit(
        &mfa_account(deny_without_mfa("BoolIfExists"), &["clinicians"], &["clinicians"]).account(),
        &c,
        None,
    );
    assert_eq!(find(&r, "IAM-004", "clinicians").status, Pass);
}

#[test]
fn denying_mfa_self_service_or_only_some_actions_fails() {
    let deny_all = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]});
    let f = audit(&mfa_account(deny_all, &["human-users"], &["human-users"]));
    let f = find(&f, "IAM-004", "human-users");
    assert_eq!(f.status, Fail);
    assert!(
        f.detail.contains("self-service") && f.detail.contains("iam:EnableMFADevice"),
        "{}",
        f.detail
    );
    let s3_only = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]});
    let f = audit(&mfa_account(s3_only, &["human-users"], &["human-users"]));
    let f = find(&f, "IAM-004", "human-users");
    assert_eq!(f.status, Fail);
    assert!(
        f.detail.contains("iam:CreateUser") && !f.detail.contains("s3:GetObject,"),
        "{}",
        f.detail
    );
    // A condition the evaluator does not understand never counts as enforcement.
    let odd = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "NotAction": "iam:ChangePassword", "Resource": "*",
        "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}}]});
    assert_eq!(
        find(
            &audit(&mfa_account(odd, &["human-users"], &["human-users"])),
            "IAM-004",
            "human-users"
        )
        .status,
        Fail
    );
}

#[test]
fn the_human_users_group_named_by_users_but_missing_is_not_evaluated() {
    let b = B::new()
        .user("alice", &["human-users"], json!({}))
        .cred(Cred::new("alice").password(Some(1)).mfa());
    let r = audit(&b);
    let f = find(&r, "IAM-004", "human-users");
    assert_eq!(f.status, NotEval, "{}", f.detail);
    assert!(f.detail.contains("alice"), "{}", f.detail);
    assert_eq!(find(&r, "IAM-005", "alice").status, NotEval);
    // No user names it: it does not exist.
    let r = audit(&B::new().group("g", &[], &[]).user("alice", &["g"], json!({})));
    assert_eq!(find(&r, "IAM-004", "human-users").status, Fail);
}
