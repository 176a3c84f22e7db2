//! The policy evaluator against the seed guide's policies and the shapes IAM documents take.

use hipaa_iam_core::policy::{
    decode_document, evaluate, Context, Decision, Document, Effect, Principal, Tri, WildcardScope,
};
use serde_json::{json, Value};

fn doc(v: Value) -> Document {
    Document::from_json(&v).expect("valid policy document")
}

fn err(v: Value) -> String {
    Document::from_json(&v).expect_err("invalid policy document")
}

const MFA: &str = "aws:MultiFactorAuthPresent";

/// The guide's `deny_without_mfa.json` (step 3), with the condition operator replaceable.
fn deny_without_mfa(operator: &str) -> Document {
    let text = hipaa_iam_core::remediate::DENY_WITHOUT_MFA_JSON.replace("\"BoolIfExists\"", &format!("\"{operator}\""));
    doc(serde_json::from_str(&text).expect("the guide's document is JSON"))
}

fn seed_boundary() -> Document {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/permissions_boundary.json"
    ))
    .expect("seed boundary");
    let v = decode_document(&Value::String(text)).expect("decodes");
    doc(v)
}

const ADMIN: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

fn admin() -> Document {
    doc(serde_json::from_str(ADMIN).expect("json"))
}

#[test]
fn deny_without_mfa_bool_if_exists_denies_console_and_keys() {
    let d = deny_without_mfa("BoolIfExists");
    let console = Context::new().with(MFA, "false");
    let keys = Context::new().absent(MFA);
    let with_mfa = Context::new().with(MFA, "true");
    for ctx in [&console, &keys] {
        let e = evaluate(&[&d], "s3:GetObject", "*", ctx);
        assert_eq!(e.decision, Decision::Denied, "{ctx:?}");
        assert!(!e.conditional_deny);
        assert_eq!(e.matched.len(), 1);
        assert_eq!(e.matched[0].effect, Effect::Deny);
        assert!(
            e.explain(&[&d], None).contains("DenyAllActionsIfNoMFA"),
            "{}",
            e.explain(&[&d], None)
        );
        assert_eq!(evaluate(&[&d], "iam:CreateUser", "*", ctx).decision, Decision::Denied);
        for allowed in [
            "iam:ChangePassword",
            "sts:GetSessionToken",
            "iam:EnableMFADevice",
            "IAM:enablemfadevice",
        ] {
            let e = evaluate(&[&d], allowed, "*", ctx);
            assert_eq!(e.decision, Decision::NotGranted, "{allowed}");
            assert!(e.matched.is_empty());
        }
    }
    assert_eq!(
        evaluate(&[&d], "s3:GetObject", "*", &with_mfa).decision,
        Decision::NotGranted
    );
    // Nothing known about MFA: the deny may apply but is not definite.
    let e = evaluate(&[&d], "s3:GetObject", "*", &Context::new());
    assert_eq!(e.decision, Decision::NotGranted);
    assert!(e.conditional_deny);
}

#[test]
fn deny_without_mfa_with_bool_lets_long_term_keys_through() {
    let d = deny_without_mfa("Bool");
    let console = Context::new().with(MFA, "false");
    let keys = Context::new().absent(MFA);
    assert_eq!(
        evaluate(&[&d], "s3:GetObject", "*", &console).decision,
        Decision::Denied
    );
    let e = evaluate(&[&d], "s3:GetObject", "*", &keys);
    assert_eq!(e.decision, Decision::NotGranted);
    assert!(!e.conditional_deny);
    assert!(e.matched.is_empty());
}

#[test]
fn explicit_deny_wins_over_allow() {
    let d = deny_without_mfa("BoolIfExists");
    let a = admin();
    let keys = Context::new().absent(MFA);
    assert_eq!(
        evaluate(&[&a, &d], "s3:GetObject", "*", &keys).decision,
        Decision::Denied
    );
    assert_eq!(
        evaluate(&[&a, &d], "iam:ChangePassword", "*", &keys).decision,
        Decision::Allowed
    );
    assert_eq!(
        evaluate(&[&a, &d], "s3:GetObject", "*", &Context::new().with(MFA, "true")).decision,
        Decision::Allowed
    );
}

#[test]
fn administrator_access_allows_everything() {
    let a = admin();
    assert!(a.allows_everything());
    assert!(Principal::new(vec![&a], None).allows_everything());
    assert!(evaluate(&[&a], "anything:AtAll", "arn:aws:s3:::b", &Context::new()).is_allowed());
}

#[test]
fn read_only_policy_named_like_admin_does_not_allow_everything() {
    // The name plays no part: only the documents decide.
    let d = doc(
        json!({"Version":"2012-10-17","Statement":[{"Sid":"AdminReadOnly","Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}),
    );
    assert!(!d.allows_everything());
    assert!(!Principal::new(vec![&d], None).allows_everything());
    assert!(evaluate(&[&d], "s3:GetObject", "*", &Context::new()).is_allowed());
    assert!(!evaluate(&[&d], "s3:PutObject", "*", &Context::new()).is_allowed());
}

#[test]
fn single_statement_object_allowing_everything() {
    let d = doc(json!({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}));
    assert!(Principal::new(vec![&d], None).allows_everything());
    let d = doc(
        json!({"Statement": {"Effect": "Allow", "Action": ["s3:GetObject", "*:*"], "Resource": ["arn:aws:s3:::x", "*"]}}),
    );
    assert!(Principal::new(vec![&d], None).allows_everything());
}

#[test]
fn what_is_not_everything() {
    let not_everything = [
        json!({"Statement": {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}}),
        json!({"Statement": {"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::phi/*"}}),
        json!({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::*"}}),
        json!({"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}),
        json!({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*",
                             "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}}),
        json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},
                             {"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"}]}),
        json!({"Statement": {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ec2.amazonaws.com"}}}),
    ];
    for v in not_everything {
        let d = doc(v.clone());
        assert!(!Principal::new(vec![&d], None).allows_everything(), "{v}");
    }
    // A conditional deny neither grants nor removes.
    let d = doc(
        json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}),
    );
    assert!(Principal::new(vec![&d], None).allows_everything());
}

#[test]
fn boundary_limits_everything() {
    let a = admin();
    let s3_only = doc(json!({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}));
    let p = Principal::new(vec![&a], Some(&s3_only));
    assert!(!p.allows_everything());
    let ctx = Context::new();
    assert!(p.evaluate("s3:GetObject", "*", &ctx).is_allowed());
    let e = p.evaluate("iam:CreateUser", "*", &ctx);
    assert_eq!(e.decision, Decision::NotGranted);
    assert!(
        e.explain(&[&a], Some(&s3_only)).contains("not by the boundary"),
        "{}",
        e.explain(&[&a], Some(&s3_only))
    );

    let seed = seed_boundary();
    let p = Principal::new(vec![&a], Some(&seed));
    assert!(!p.allows_everything());
    let e = p.evaluate("iam:CreatePolicyVersion", "*", &ctx);
    assert_eq!(e.decision, Decision::Denied);
    assert!(e.matched.iter().any(|m| m.boundary && m.effect == Effect::Deny));
    assert!(e
        .explain(&[&a], Some(&seed))
        .contains("DenyIAMPolicyTampering (boundary)"));
    assert!(p.evaluate("organizations:LeaveOrganization", "*", &ctx).is_denied());
    assert!(p.evaluate("s3:GetObject", "arn:aws:s3:::phi/x", &ctx).is_allowed());
    assert_eq!(p.evaluate("s3:PutObject", "*", &ctx).decision, Decision::NotGranted);

    // A boundary that allows everything leaves the identity's grant intact.
    let p = Principal::new(vec![&a], Some(&a));
    assert!(p.allows_everything());
    // The boundary alone grants nothing.
    let read = doc(json!({"Statement": {"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}}));
    let p = Principal::new(vec![&read], Some(&a));
    assert!(!p.allows_everything());
    let e = p.evaluate("iam:CreateUser", "*", &ctx);
    assert_eq!(e.decision, Decision::NotGranted);
    assert_eq!(
        e.explain(&[&read], Some(&a)),
        "not granted: the boundary allows it (statement 1 (boundary)) but no identity policy does"
    );
    assert_eq!(
        p.evaluate("s3:GetObject", "*", &ctx).explain(&[&read], Some(&a)),
        "allowed by statement 1 (document 1), statement 1 (boundary)"
    );
}

#[test]
fn statement_and_action_shapes() {
    let ctx = Context::new();
    let one = doc(json!({"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}));
    let many = doc(
        json!({"Statement": [{"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"], "Resource": ["arn:aws:s3:::a/*", "*"]}]}),
    );
    for d in [&one, &many] {
        assert!(evaluate(&[d], "s3:GetObject", "arn:aws:s3:::a/b", &ctx).is_allowed());
        assert!(evaluate(&[d], "S3:getobject", "arn:aws:s3:::a/b", &ctx).is_allowed());
        assert!(!evaluate(&[d], "s3:DeleteObject", "arn:aws:s3:::a/b", &ctx).is_allowed());
    }
    assert_eq!(one.statements().len(), 1);
    assert_eq!(many.statements().len(), 1);
    let empty = doc(json!({"Version": "2012-10-17", "Statement": []}));
    assert_eq!(
        evaluate(&[&empty], "s3:GetObject", "*", &ctx).decision,
        Decision::NotGranted
    );
}

#[test]
fn url_encoded_and_string_documents() {
    let encoded = Value::String(
        "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D"
            .into(),
    );
    let v = decode_document(&encoded).expect("decodes");
    assert_eq!(v, serde_json::from_str::<Value>(ADMIN).expect("json"));
    assert!(doc(v).allows_everything());
    let plain = decode_document(&Value::String(ADMIN.into())).expect("decodes");
    assert!(doc(plain).allows_everything());
    let object = decode_document(&serde_json::from_str(ADMIN).expect("json")).expect("decodes");
    assert!(doc(object).allows_everything());

    assert!(decode_document(&Value::String("%7Bnot json".into()))
        .expect_err("bad")
        .contains("not valid JSON"));
    assert!(decode_document(&json!(42)).is_err());
    assert!(decode_document(&Value::String("%5B1%5D".into()))
        .expect_err("array")
        .contains("JSON object"));
}

#[test]
fn not_resource() {
    let d = doc(json!({"Statement": [
        {"Effect": "Allow", "Action": "s3:*", "NotResource": ["arn:aws:s3:::phi", "arn:aws:s3:::phi/*"]}]}));
    let ctx = Context::new();
    assert!(evaluate(&[&d], "s3:GetObject", "arn:aws:s3:::public/x", &ctx).is_allowed());
    assert!(!evaluate(&[&d], "s3:GetObject", "arn:aws:s3:::phi/x", &ctx).is_allowed());
    let deny = doc(json!({"Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::allowed/*"}]}));
    assert!(evaluate(&[&deny], "s3:GetObject", "arn:aws:s3:::other/x", &ctx).is_denied());
    assert!(evaluate(&[&deny], "s3:GetObject", "arn:aws:s3:::allowed/x", &ctx).is_allowed());
}

#[test]
fn conditional_statements_are_never_definite() {
    let allow_ip = doc(
        json!({"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*",
        "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}}),
    );
    let ctx = Context::new().with("aws:SourceIp", "10.1.2.3");
    let e = evaluate(&[&allow_ip], "s3:GetObject", "*", &ctx);
    assert_eq!(e.decision, Decision::NotGranted);
    assert!(e.conditional_allow);
    assert!(e.matched[0].conditional);
    assert!(e.explain(&[&allow_ip], None).contains("may be allowed"));

    let deny_ip = doc(
        json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Sid": "NotFromOffice", "Effect": "Deny", "Action": "*", "Resource": "*",
         "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}),
    );
    let e = evaluate(&[&deny_ip], "s3:GetObject", "*", &ctx);
    assert_eq!(e.decision, Decision::Allowed);
    assert!(e.conditional_deny);
    assert!(e
        .explain(&[&deny_ip], None)
        .contains("may be denied under conditions by NotFromOffice"));

    // A known operator on a key the context does not mention.
    let deny_region = doc(json!({"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*",
        "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}}}));
    let e = evaluate(&[&deny_region], "ec2:RunInstances", "*", &Context::new());
    assert_eq!(e.decision, Decision::NotGranted);
    assert!(e.conditional_deny);
    // Set operators are not understood.
    let any = doc(json!({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*",
        "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": "team"}}}}));
    let e = evaluate(
        &[&any],
        "ec2:CreateTags",
        "*",
        &Context::new().with("aws:TagKeys", "team"),
    );
    assert_eq!(e.decision, Decision::NotGranted);
    assert!(e.conditional_allow);
    // But a definitely-false condition alongside an unknown one removes the statement.
    let both = doc(json!({"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*",
        "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}, "Bool": {"aws:SecureTransport": "false"}}}}));
    let e = evaluate(
        &[&both],
        "s3:GetObject",
        "*",
        &Context::new().with("aws:SecureTransport", "true"),
    );
    assert!(!e.conditional_deny);
    assert!(e.matched.is_empty());
}

#[test]
fn condition_operators() {
    let ctx = Context::new()
        .with("aws:PrincipalTag/Team", "Clinical")
        .with("s3:prefix", "home/alice/notes")
        .absent("aws:SourceVpc");
    let case = |cond: Value| -> Tri {
        let d = doc(json!({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": cond}}));
        d.statements()[0].applies("s3:ListBucket", "*", &ctx)
    };
    assert_eq!(
        case(json!({"StringEquals": {"aws:PrincipalTag/Team": "Clinical"}})),
        Tri::Yes
    );
    assert_eq!(
        case(json!({"StringEquals": {"AWS:PRINCIPALTAG/TEAM": ["Billing", "Clinical"]}})),
        Tri::Yes
    );
    assert_eq!(
        case(json!({"StringEquals": {"aws:PrincipalTag/Team": "clinical"}})),
        Tri::No
    );
    assert_eq!(
        case(json!({"StringEqualsIgnoreCase": {"aws:PrincipalTag/Team": "clinical"}})),
        Tri::Yes
    );
    assert_eq!(
        case(json!({"StringNotEquals": {"aws:PrincipalTag/Team": "Billing"}})),
        Tri::Yes
    );
    assert_eq!(
        case(json!({"StringNotEquals": {"aws:PrincipalTag/Team": ["Billing", "Clinical"]}})),
        Tri::No
    );
    assert_eq!(case(json!({"StringLike": {"s3:prefix": "home/*"}})), Tri::Yes);
    assert_eq!(case(json!({"StringLike": {"s3:prefix": "Home/*"}})), Tri::No);
    assert_eq!(case(json!({"StringNotLike": {"s3:prefix": "home/*"}})), Tri::No);
    assert_eq!(case(json!({"StringLike": {"s3:prefix": "home/?lice/*"}})), Tri::Yes);
    // Several keys and operators are AND'ed.
    assert_eq!(
        case(json!({"StringEquals": {"aws:PrincipalTag/Team": "Clinical"}, "StringLike": {"s3:prefix": "tmp/*"}})),
        Tri::No
    );
    // Absent keys.
    assert_eq!(case(json!({"StringEquals": {"aws:SourceVpc": "vpc-1"}})), Tri::No);
    assert_eq!(
        case(json!({"StringEqualsIfExists": {"aws:SourceVpc": "vpc-1"}})),
        Tri::Yes
    );
    assert_eq!(case(json!({"StringNotEquals": {"aws:SourceVpc": "vpc-1"}})), Tri::Yes);
    assert_eq!(case(json!({"Null": {"aws:SourceVpc": "true"}})), Tri::Yes);
    assert_eq!(case(json!({"Null": {"aws:SourceVpc": "false"}})), Tri::No);
    assert_eq!(case(json!({"Null": {"s3:prefix": "false"}})), Tri::Yes);
    assert_eq!(case(json!({"Null": {"s3:prefix": true}})), Tri::No);
    // Unknown key, even with IfExists or Null.
    assert_eq!(
        case(json!({"StringEqualsIfExists": {"aws:RequestedRegion": "us-east-1"}})),
        Tri::Unknown
    );
    assert_eq!(case(json!({"Null": {"aws:RequestedRegion": "true"}})), Tri::Unknown);
    // Bool accepts JSON booleans and compares case-insensitively.
    let mfa = Context::new().with(MFA, "TRUE");
    let d = doc(
        json!({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {MFA: true}}}}),
    );
    assert!(evaluate(&[&d], "s3:GetObject", "*", &mfa).is_allowed());
}

#[test]
fn context_keys_are_case_insensitive_and_later_statements_replace() {
    let d = deny_without_mfa("BoolIfExists");
    let ctx = Context::new().with("AWS:multifactorauthpresent", "false");
    assert!(evaluate(&[&d], "s3:GetObject", "*", &ctx).is_denied());
    let ctx = Context::new().with(MFA, "true").absent("aws:MULTIFACTORAUTHPRESENT");
    assert!(evaluate(&[&d], "s3:GetObject", "*", &ctx).is_denied());
}

#[test]
fn question_mark_and_case_in_actions() {
    let d = doc(json!({"Statement": {"Effect": "Allow", "Action": ["iam:?etUser", "EC2:Describe*"], "Resource": "*"}}));
    let ctx = Context::new();
    assert!(evaluate(&[&d], "iam:GetUser", "*", &ctx).is_allowed());
    assert!(evaluate(&[&d], "iam:SetUser", "*", &ctx).is_allowed());
    assert!(!evaluate(&[&d], "iam:GetUsers", "*", &ctx).is_allowed());
    assert!(!evaluate(&[&d], "iam:etUser", "*", &ctx).is_allowed());
    assert!(evaluate(&[&d], "ec2:describeinstances", "*", &ctx).is_allowed());
    // Resources are case-sensitive.
    let r = doc(json!({"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::PHI-?/*"}}));
    assert!(evaluate(&[&r], "s3:GetObject", "arn:aws:s3:::PHI-1/x", &ctx).is_allowed());
    assert!(!evaluate(&[&r], "s3:GetObject", "arn:aws:s3:::phi-1/x", &ctx).is_allowed());
}

#[test]
fn policy_variables() {
    let d = doc(json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "OwnUser", "Effect": "Allow", "Action": ["iam:ChangePassword", "iam:*AccessKey*"],
         "Resource": "arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}"},
        {"Sid": "Home", "Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:userid}/*"}]}));
    let alice = Context::new().with_principal("alice", "AIDAALICE", "123456789012");
    let own = "arn:aws:iam::123456789012:user/alice";
    let other = "arn:aws:iam::123456789012:user/bob";
    assert!(evaluate(&[&d], "iam:CreateAccessKey", own, &alice).is_allowed());
    assert!(!evaluate(&[&d], "iam:CreateAccessKey", other, &alice).is_allowed());
    assert!(evaluate(&[&d], "s3:GetObject", "arn:aws:s3:::home/AIDAALICE/x", &alice).is_allowed());
    assert!(!evaluate(&[&d], "s3:GetObject", "arn:aws:s3:::home/AIDABOB/x", &alice).is_allowed());
    // Unresolvable: never a definite allow.
    let e = evaluate(&[&d], "iam:CreateAccessKey", own, &Context::new());
    assert_eq!(e.decision, Decision::NotGranted);
    assert!(e.conditional_allow);

    // A deny with an unresolvable variable is not a definite deny.
    let deny = doc(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::home/${aws:username}/*"}]}));
    let e = evaluate(&[&deny], "s3:GetObject", "arn:aws:s3:::home/bob/x", &Context::new());
    assert_eq!(e.decision, Decision::Allowed);
    assert!(e.conditional_deny);
    let e = evaluate(&[&deny], "s3:GetObject", "arn:aws:s3:::home/bob/x", &alice);
    assert_eq!(e.decision, Decision::Denied);
    assert!(evaluate(&[&deny], "s3:GetObject", "arn:aws:s3:::home/alice/x", &alice).is_allowed());

    // Variables in condition values.
    let cond = doc(
        json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:ListBucket",
        "Resource": "*", "Condition": {"StringLike": {"s3:prefix": "home/${aws:username}/*"}}}}),
    );
    let ctx = alice.clone().with("s3:prefix", "home/alice/docs");
    assert!(evaluate(&[&cond], "s3:ListBucket", "*", &ctx).is_allowed());
    let ctx = alice.clone().with("s3:prefix", "home/bob/docs");
    assert!(!evaluate(&[&cond], "s3:ListBucket", "*", &ctx).is_allowed());

    // The 2008 language has no variables: the text is literal.
    let old = doc(
        json!({"Version": "2008-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*",
        "Resource": "arn:aws:s3:::home/${aws:username}"}}),
    );
    assert!(evaluate(&[&old], "s3:GetObject", "arn:aws:s3:::home/${aws:username}", &alice).is_allowed());
    assert!(!evaluate(&[&old], "s3:GetObject", "arn:aws:s3:::home/alice", &alice).is_allowed());
}

#[test]
fn wildcard_allows_names_the_actions() {
    let d = doc(json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "Broad", "Effect": "Allow", "Action": ["s3:*", "ec2:Describe*", "*:*"], "Resource": "*"},
        {"Effect": "Allow", "Action": "kms:*", "Resource": "arn:aws:kms:us-east-1:123456789012:key/1"},
        {"Effect": "Deny", "Action": "iam:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
        {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}]}));
    let w = d.wildcard_allows();
    let summary: Vec<(usize, &str, &WildcardScope, bool)> = w
        .iter()
        .map(|w| (w.statement, w.action.as_str(), &w.scope, w.conditional))
        .collect();
    assert_eq!(
        summary,
        vec![
            (0, "s3:*", &WildcardScope::Service("s3".into()), false),
            (0, "*:*", &WildcardScope::Everything, false),
            (3, "dynamodb:*", &WildcardScope::Service("dynamodb".into()), true),
            (
                4,
                "iam:*, organizations:*",
                &WildcardScope::EverythingExcept(vec!["iam:*".into(), "organizations:*".into()]),
                false
            ),
        ]
    );
    assert_eq!(w[0].sid.as_deref(), Some("Broad"));
    assert!(seed_boundary().wildcard_allows().is_empty());
}

#[test]
fn malformed_documents_have_clear_errors() {
    assert!(err(json!("text")).contains("must be a JSON object"));
    assert!(err(json!([1])).contains("must be a JSON object"));
    assert_eq!(err(json!({"Version": "2012-10-17"})), "Statement: missing");
    assert_eq!(
        err(
            json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Effect": "Allow", "Action": "*"},
                                  {"Effect": "Permit", "Action": "*", "Resource": "*"}]})
        ),
        "Statement[2].Effect: expected Allow or Deny, found \"Permit\""
    );
    assert_eq!(
        err(json!({"Statement": {"Action": "*", "Resource": "*"}})),
        "Statement.Effect: missing (expected Allow or Deny)"
    );
    assert_eq!(
        err(json!({"Statement": [{"Effect": "Allow", "Action": 5, "Resource": "*"}]})),
        "Statement[0].Action: expected a string or an array of strings, found a number"
    );
    assert_eq!(
        err(json!({"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", {"x": 1}], "Resource": "*"}]})),
        "Statement[0].Action[1]: expected a string, found an object"
    );
    assert_eq!(
        err(json!({"Statement": [{"Effect": "Deny", "Action": "*", "NotAction": "iam:*", "Resource": "*"}]})),
        "Statement[0]: has both Action and NotAction"
    );
    assert_eq!(
        err(json!({"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*", "NotResource": "x"}]})),
        "Statement[0]: has both Resource and NotResource"
    );
    assert_eq!(
        err(json!({"Statement": [{"Effect": "Deny", "Resource": "*"}]})),
        "Statement[0]: has neither Action nor NotAction"
    );
    assert_eq!(
        err(json!({"Statement": [{"Effect": "Allow", "NotAction": [], "Resource": "*"}]})),
        "Statement[0].NotAction: must not be empty"
    );
    assert_eq!(
        err(json!({"Statement": "x"})),
        "Statement: expected an object or an array, found a string"
    );
    assert_eq!(
        err(json!({"Statement": [7]})),
        "Statement[0]: expected an object, found a number"
    );
    assert_eq!(
        err(json!({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": "x"}}})),
        "Statement.Condition.Bool: expected an object of condition keys, found a string"
    );
    assert_eq!(
        err(
            json!({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"k": null}}}})
        ),
        "Statement.Condition.Bool.k: expected a string, number, boolean or an array of them, found null"
    );
}

#[test]
fn trust_policies_keep_principal_and_have_no_resource() {
    let d = doc(json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}));
    let s = &d.statements()[0];
    assert_eq!(s.principal(), Some(&json!({"Service": "lambda.amazonaws.com"})));
    assert!(matches!(s.resources(), hipaa_iam_core::policy::Resources::Missing));
    assert!(!d.allows_everything());
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn corpus() -> Vec<Document> {
        vec![
            deny_without_mfa("BoolIfExists"),
            seed_boundary(),
            doc(json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["s3:Get*", "iam:?et*"], "Resource": ["arn:aws:s3:::a*", "*"]},
                {"Effect": "Deny", "NotAction": "s3:*", "NotResource": "arn:aws:s3:::a/${aws:username}",
                 "Condition": {"StringLike": {"aws:PrincipalTag/team": "a*"}}},
                {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]})),
        ]
    }

    fn context(mfa: u8, team: Option<&str>, user: bool) -> Context {
        let mut ctx = match mfa {
            0 => Context::new(),
            1 => Context::new().absent(MFA),
            2 => Context::new().with(MFA, "false"),
            _ => Context::new().with(MFA, "true"),
        };
        if let Some(t) = team {
            ctx = ctx.with("aws:PrincipalTag/team", t);
        }
        if user {
            ctx = ctx.with_principal("a", "AIDAA", "123456789012");
        }
        ctx
    }

    proptest! {
        #[test]
        fn deny_all_wins_and_admin_fills_the_gaps(
            action in "(s3|iam|ec2|sts):(Get|Put|Create|Change)[A-Za-z]{0,6}",
            resource in "(\\*|arn:aws:s3:::a[a-z/]{0,4}|arn:aws:iam::123456789012:user/[a-z]{1,3})",
            mfa in 0u8..4,
            team in proptest::option::of("[ab]{1,3}"),
            user in any::<bool>(),
            subset in proptest::collection::vec(any::<bool>(), 3),
        ) {
            let corpus = corpus();
            let ctx = context(mfa, team.as_deref(), user);
            let docs: Vec<&Document> = corpus.iter().zip(&subset).filter(|(_, keep)| **keep).map(|(d, _)| d).collect();
            let base = evaluate(&docs, &action, &resource, &ctx);
            // The same request with different case in the action decides the same way.
            let upper = evaluate(&docs, &action.to_uppercase(), &resource, &ctx);
            prop_assert_eq!(&base, &upper);

            let deny_all = doc(json!({"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}}));
            let admin = admin();
            let mut with_deny = docs.clone();
            with_deny.push(&deny_all);
            prop_assert_eq!(evaluate(&with_deny, &action, &resource, &ctx).decision, Decision::Denied);

            let mut with_admin = docs.clone();
            with_admin.push(&admin);
            let e = evaluate(&with_admin, &action, &resource, &ctx);
            let expected = if base.is_denied() { Decision::Denied } else { Decision::Allowed };
            prop_assert_eq!(e.decision, expected);
            prop_assert!(!e.conditional_allow);

            // A boundary of AdministratorAccess changes nothing; an empty identity grants nothing.
            let p = Principal::new(docs.clone(), Some(&admin));
            prop_assert_eq!(p.evaluate(&action, &resource, &ctx).decision, base.decision);
            prop_assert_ne!(Principal::new(vec![], Some(&admin)).evaluate(&action, &resource, &ctx).decision, Decision::Allowed);

            // Conditional flags never contradict the decision.
            prop_assert!(!(base.is_allowed() && base.conditional_allow));
            prop_assert!(!(base.is_denied() && base.conditional_deny));
        }

        #[test]
        fn statements_for_an_action_are_those_that_cover_it_in_order(
            action in "(s3|iam|ec2|sts|IAM):(Get|Put|Create|Change|get)(Object|User|Password|AccessKey)?[A-Za-z]{0,3}",
        ) {
            let mut docs = corpus();
            docs.push(doc(json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["iam:CreateUser", "IAM:getuser", "iam:CreateUser"], "Resource": "*"},
                {"Effect": "Deny", "Action": "iam:GetUser", "Resource": "*"},
                {"Effect": "Allow", "Action": ["iam:ChangePassword", "iam:Get*"], "Resource": "*"},
                {"Effect": "Allow", "NotAction": "iam:GetUser", "Resource": "*"}]})));
            for d in &docs {
                let all: Vec<usize> = d.statements().iter().filter(|s| s.matches_action(&action)).map(|s| s.index()).collect();
                let indexed: Vec<usize> = d.statements_for(&action).filter(|s| s.matches_action(&action)).map(|s| s.index()).collect();
                prop_assert_eq!(all, indexed);
            }
        }
    }
}

#[test]
fn may_allow_is_false_only_when_no_resource_or_context_can_allow() {
    let self_keys = doc(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "arn:aws:iam::*:user/${aws:username}"},
        {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*",
         "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
        {"Effect": "Deny", "Action": "iam:UpdateLoginProfile", "Resource": "*"}
    ]}));
    let p = Principal::new(vec![&self_keys], None);
    assert!(p.may_allow("iam:CreateAccessKey"));
    assert!(p.may_allow("IAM:createaccesskey"), "actions match in any case");
    assert!(
        p.may_allow("s3:GetObject"),
        "covered by the conditional NotAction allow"
    );
    assert!(!p.may_allow("iam:CreateLoginProfile"));
    assert!(!p.may_allow("iam:UpdateLoginProfile"), "a Deny never allows");
    assert!(!Principal::new(vec![], None).may_allow("s3:GetObject"));
    // Where may_allow says no, no resource and no context gives an allow or a conditional one.
    let ctx = Context::new().with_principal("sam", "AIDASAM", "123456789012");
    for resource in [
        "*",
        "arn:aws:iam::123456789012:user/sam",
        "arn:aws:iam::123456789012:user/other",
    ] {
        for action in ["iam:CreateLoginProfile", "iam:UpdateLoginProfile"] {
            for c in [&ctx, &Context::new()] {
                let e = p.evaluate(action, resource, c);
                assert!(!e.is_allowed() && !e.conditional_allow, "{action} on {resource}: {e:?}");
            }
        }
    }
    assert!(p
        .evaluate("iam:CreateAccessKey", "arn:aws:iam::123456789012:user/sam", &ctx)
        .is_allowed());

    // A boundary without an Allow for the action, or an unconditional Deny of it on every
    // resource (the guide's boundary denies iam:CreateAccessKey), rules it out too.
    let admin = doc(json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}));
    let boundary = seed_boundary();
    let s3_only =
        doc(json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}));
    let deny_one = doc(
        json!({"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "iam:CreateAccessKey", "Resource": "arn:aws:iam::*:user/alice"}}),
    );
    assert!(Principal::new(vec![&admin], None).may_allow("iam:CreateAccessKey"));
    assert!(!Principal::new(vec![&admin], Some(&boundary)).may_allow("iam:CreateAccessKey"));
    assert!(!Principal::new(vec![&admin], Some(&s3_only)).may_allow("iam:CreateLoginProfile"));
    assert!(Principal::new(vec![&admin], Some(&s3_only)).may_allow("s3:GetObject"));
    assert!(
        Principal::new(vec![&admin, &deny_one], None).may_allow("iam:CreateAccessKey"),
        "a Deny of some resources leaves the others"
    );
    for (identity, b) in [(vec![&admin], Some(&boundary)), (vec![&admin], Some(&s3_only))] {
        let p = Principal::new(identity, b);
        for action in [
            "iam:CreateAccessKey",
            "iam:CreateLoginProfile",
            "iam:UpdateLoginProfile",
        ] {
            let e = p.evaluate(action, "arn:aws:iam::123456789012:user/other", &ctx);
            assert_eq!(
                p.may_allow(action),
                e.is_allowed() || e.conditional_allow,
                "{action}: {e:?}"
            );
        }
    }
}

mod targets {
    use super::*;
    use hipaa_iam_core::policy::Targets;
    use proptest::prelude::*;

    /// One statement per document, so that principals share documents (and answers).
    fn statements() -> Vec<Document> {
        let s = |v: Value| doc(json!({"Version": "2012-10-17", "Statement": v}));
        vec![
            s(
                json!({"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "arn:aws:iam::*:user/${aws:username}"}),
            ),
            s(json!({"Effect": "Allow", "Action": "iam:*AccessKey*", "Resource": "arn:aws:iam::*:user/*"})),
            s(
                json!({"Effect": "Deny", "Action": "iam:CreateAccessKey", "NotResource": "arn:aws:iam::*:user/${aws:username}"}),
            ),
            s(json!({"Effect": "Allow", "Action": "iam:Create*", "Resource": "arn:aws:iam::123456789012:user/team/*"})),
            s(
                json!({"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "*", "Condition": {"StringEquals": {"aws:username": "b"}}}),
            ),
            s(json!({"Effect": "Deny", "Action": "*", "Resource": "arn:aws:iam::*:user/a*"})),
            s(json!({"Effect": "Allow", "Action": "iam:CreateLoginProfile", "NotResource": "arn:aws:iam::*:user/c"})),
            s(
                json!({"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "arn:aws:iam::*:user/${aws:username}*"}),
            ),
            s(
                json!({"Effect": "Allow", "Action": ["iam:CreateAccessKey", "iam:CreateLoginProfile"], "Resource": "arn:aws:iam::*:user/?"}),
            ),
            s(
                json!({"Effect": "Deny", "NotAction": "iam:ChangePassword", "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}),
            ),
            s(
                json!({"Effect": "Allow", "Action": "iam:*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}),
            ),
            s(
                json!({"Effect": "Allow", "Action": "iam:CreateLoginProfile", "Resource": "arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username, 'b'}"}),
            ),
            s(
                json!({"Effect": "Allow", "Action": "iam:CreateLoginProfile", "Resource": ["arn:aws:iam::123456789012:user/b", "arn:aws:iam::123456789012:user/team/c*"]}),
            ),
            doc(
                json!({"Statement": {"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "arn:aws:iam::*:user/${aws:username}"}}),
            ),
            s(
                json!({"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "arn:aws:iam::${aws:PrincipalAccount}:user/team/*"}),
            ),
        ]
    }

    fn boundaries() -> Vec<Document> {
        vec![
            admin(),
            doc(json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}})),
            doc(json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "iam:*", "Resource": "arn:aws:iam::*:user/${aws:username}"},
                {"Effect": "Allow", "Action": "iam:CreateLoginProfile", "Resource": "*"}]})),
        ]
    }

    proptest! {
        #[test]
        fn targets_answer_what_evaluating_every_target_would(
            names in proptest::collection::btree_set("(team/)?[abc]{1,2}", 1..8),
            // Sets of documents (as groups give them) and the principals that have them.
            sets in proptest::collection::vec(
                (proptest::collection::vec(any::<bool>(), 15), proptest::option::of(0usize..3)),
                1..3,
            ),
            principals in proptest::collection::vec((0usize..3, "[abc]{1,2}", any::<bool>()), 1..6),
        ) {
            let statements = statements();
            let boundaries = boundaries();
            let arns: Vec<String> = names.iter().map(|n| format!("arn:aws:iam::123456789012:user/{n}")).collect();
            let targets = Targets::new(arns.iter().map(String::as_str), &["aws:username", "aws:userid"]);
            for (set, user, known) in &principals {
                let (subset, boundary) = &sets[set % sets.len()];
                let identity: Vec<&Document> = statements.iter().zip(subset).filter(|(_, k)| **k).map(|(d, _)| d).collect();
                let p = Principal::new(identity, boundary.map(|b| &boundaries[b]));
                // The contexts differ only in the keys given to Targets::new as varying.
                let ctx = if *known {
                    Context::new().with_principal(user, "AIDAUSER", "123456789012")
                } else {
                    Context::new().with("aws:PrincipalAccount", "123456789012")
                };
                for action in ["iam:CreateAccessKey", "IAM:createloginprofile", "s3:GetObject"] {
                    let want: Vec<u32> = (0..arns.len() as u32)
                        .filter(|&i| p.evaluate(action, &arns[i as usize], &ctx).is_allowed())
                        .collect();
                    let got = targets.allowed(&p, action, &ctx);
                    prop_assert_eq!(&got[..], &want[..], "{} as {:?} (known: {})", action, user, known);
                }
            }
        }
    }
}
