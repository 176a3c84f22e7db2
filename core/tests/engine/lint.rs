//! `lint-policy`'s rules on whole documents: which problems, at which JSON pointers.

use hipaa_iam_core::lint::{lint_document, Rule};
use serde_json::{json, Value};

fn problems(v: Value) -> Vec<(Rule, String)> {
    lint_document(&v).into_iter().map(|p| (p.rule, p.pointer)).collect()
}

fn p(rule: Rule, pointer: &str) -> (Rule, String) {
    (rule, pointer.to_string())
}

#[test]
fn the_documents_remediation_writes_have_no_problem() {
    for text in [
        hipaa_iam_core::remediate::DENY_WITHOUT_MFA_JSON,
        hipaa_iam_core::remediate::PERMISSIONS_BOUNDARY_JSON,
    ] {
        let v: Value = serde_json::from_str(text).expect("json");
        assert_eq!(lint_document(&v), vec![], "{text}");
    }
}

#[test]
fn the_guides_boundary_denies_a_service_prefix_iam_does_not_have() {
    // The guide lists `sso-admin:*` (the AWS CLI's name for Identity Center administration);
    // IAM's prefix is `sso`, which the same statement also denies.
    let text = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/permissions_boundary.json"
    ));
    let found = lint_document(&serde_json::from_str(text).expect("json"));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].rule, found[0].pointer.as_str()),
        (Rule::UnknownAction, "/Statement/2/Action/3")
    );
    assert_eq!(
        found[0].message,
        "\"sso-admin:*\" (Deny Action of DenyOrgAndAccountAdmin): no AWS service has the prefix \"sso-admin\"; did you mean sso:*?; the Deny does not apply to it: the protection silently does not apply"
    );
}

#[test]
fn each_rule_points_at_the_value_at_fault() {
    let v = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "Admin", "Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
        {"Sid": "S3", "Effect": "Allow", "Action": ["s3:GetObject", "s3:*"], "Resource": "*"},
        {"Sid": "Pass", "Effect": "Allow", "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": "*"},
        {"Sid": "PassScoped", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "*",
         "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}},
        {"Sid": "Mfa", "Effect": "Deny", "NotAction": ["iam:EnableMfaDevices"], "Resource": "*",
         "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}},
        {"Sid": "MfaAllow", "Effect": "Allow", "Action": "ec2:StopInstances", "Resource": "*",
         "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}},
        {"Sid": "Except", "Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
        {"Sid": "ExceptHere", "Effect": "Allow", "NotAction": "s3:DeleteObject", "Resource": "arn:aws:s3:::b/*"}
    ]});
    assert_eq!(
        problems(v),
        vec![
            p(Rule::ServiceWildcard, "/Statement/0/Action"),
            p(Rule::ServiceWildcard, "/Statement/1/Action/1"),
            p(Rule::PassRoleStar, "/Statement/2/Resource"),
            p(
                Rule::MfaBypass,
                "/Statement/4/Condition/Bool/aws:MultiFactorAuthPresent"
            ),
            p(Rule::UnknownAction, "/Statement/4/NotAction/0"),
            p(
                Rule::MfaBypass,
                "/Statement/5/Condition/BoolIfExists/aws:MultiFactorAuthPresent"
            ),
            p(Rule::AllowNotAction, "/Statement/6/NotAction"),
            p(Rule::AllowNotAction, "/Statement/7/NotAction"),
        ]
    );
}

#[test]
fn full_access_is_reported_once_and_covers_what_it_implies() {
    let v = json!({"Statement": {"Effect": "Allow", "NotAction": "iam:NoSuchThing", "Resource": "*"}});
    let found = lint_document(&v);
    assert_eq!(
        found.iter().map(|p| (p.rule, p.pointer.as_str())).collect::<Vec<_>>(),
        [
            (Rule::FullAccess, "/Statement"),
            (Rule::UnknownAction, "/Statement/NotAction")
        ]
    );
    assert!(
        found[1].message.contains("more is granted than meant"),
        "{}",
        found[1].message
    );
    let admin = json!({"Statement": [{"Sid": "A", "Effect": "Allow", "Action": "*", "Resource": "*"}]});
    let found = lint_document(&admin);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rule, Rule::FullAccess);
    assert_eq!(
        found[0].message,
        "the policy allows every action on every resource (A), and no Deny removes anything"
    );
}

#[test]
fn an_invalid_document_is_one_problem_at_the_field() {
    let v = json!({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
                                 {"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"}]});
    let found = lint_document(&v);
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].rule, found[0].pointer.as_str()),
        (Rule::InvalidPolicy, "/Statement/1/Effect")
    );
    assert!(
        found[0].message.contains("expected Allow or Deny"),
        "{}",
        found[0].message
    );
    let found = lint_document(&json!({"Version": "2012-10-17"}));
    assert_eq!((found[0].rule, found[0].pointer.as_str()), (Rule::InvalidPolicy, ""));
    for r in Rule::ALL {
        assert_eq!(Rule::from_id(r.id()), Some(*r));
    }
}
