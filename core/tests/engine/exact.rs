//! What the evaluator decides over the IAM action catalogue: "every action" is every real
//! action, a Deny of a name no service has removes nothing, a wildcard cancelled by a Deny
//! in its own document grants nothing, and names that match no real action are found.

use hipaa_iam_core::policy::catalogue;
use hipaa_iam_core::policy::{
    unknown_actions, ActionSet, Document, Effect, Pattern, Principal, Unknown, WildcardScope,
};
use serde_json::{json, Value};

fn doc(v: Value) -> Document {
    Document::from_json(&v).expect("valid policy document")
}

fn full_access(v: Value) -> bool {
    let d = doc(v);
    let by_principal = Principal::new(vec![&d], None).allows_everything();
    assert_eq!(by_principal, d.allows_everything(), "principal and document agree");
    by_principal
}

#[test]
fn allow_not_action_of_a_name_no_service_has_is_full_access() {
    assert!(full_access(
        json!({"Statement": {"Effect": "Allow", "NotAction": "iam:NoSuchThing", "Resource": "*"}})
    ));
    assert!(full_access(
        json!({"Statement": {"Effect": "Allow", "NotAction": ["nosuchservice:*", "s3:GetObjects"], "Resource": "*"}})
    ));
    // One real action left out: not full access.
    assert!(!full_access(
        json!({"Statement": {"Effect": "Allow", "NotAction": "s3:GetObject", "Resource": "*"}})
    ));
}

#[test]
fn allow_not_action_star_grants_nothing() {
    let d = doc(json!({"Statement": {"Effect": "Allow", "NotAction": "*", "Resource": "*"}}));
    assert!(!d.allows_everything());
    assert!(d.statements()[0].action_set().is_empty());
    assert_eq!(d.wildcard_allows(), vec![], "nothing is granted, so no wildcard");
}

#[test]
fn deny_of_a_name_no_service_has_removes_nothing() {
    assert!(full_access(json!({"Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": ["iam:CreateUsers", "nosuch:*"], "Resource": "*"}
    ]})));
    // A Deny of NotAction "*" is about no action; a Deny on NotResource "*" about no resource.
    assert!(full_access(json!({"Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "NotAction": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "iam:CreateUser", "NotResource": "*"}
    ]})));
    // A real one, on one resource, removes something.
    assert!(!full_access(json!({"Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "arn:aws:s3:::phi"}
    ]})));
}

#[test]
fn every_services_wildcard_together_is_full_access() {
    let cat = catalogue::get();
    let mut actions: Vec<String> = cat.services().map(|s| format!("{}:*", s.prefix())).collect();
    assert!(full_access(
        json!({"Statement": {"Effect": "Allow", "Action": actions.clone(), "Resource": "*"}})
    ));
    // Split over two statements and two documents, still every action.
    let half = actions.split_off(actions.len() / 2);
    let a = doc(json!({"Statement": {"Effect": "Allow", "Action": actions.clone(), "Resource": "*"}}));
    let b = doc(json!({"Statement": {"Effect": "Allow", "Action": half, "Resource": "*"}}));
    assert!(Principal::new(vec![&a, &b], None).allows_everything());
    assert!(!Principal::new(vec![&a], None).allows_everything());
    // NotAction iam:* with an Allow of iam:* elsewhere: every action.
    let not_iam = doc(json!({"Statement": {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}}));
    let iam = doc(json!({"Statement": {"Effect": "Allow", "Action": "iam:*", "Resource": "*"}}));
    assert!(Principal::new(vec![&not_iam, &iam], None).allows_everything());
    assert!(!Principal::new(vec![&not_iam], None).allows_everything());
}

#[test]
fn wildcard_cancelled_by_a_deny_in_the_same_document_grants_nothing() {
    let d = doc(json!({"Statement": [
        {"Sid": "All", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}
    ]}));
    assert_eq!(d.wildcard_allows(), vec![]);
    // A conditional Deny cancels nothing; a Deny on one bucket cancels nothing on *.
    for deny in [
        json!({"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}),
        json!({"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::phi"}),
    ] {
        let d = doc(json!({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, deny]}));
        let w = d.wildcard_allows();
        assert_eq!(w.len(), 1, "{deny}");
        assert_eq!(w[0].removed_by_deny, 0);
    }
    // Partly cancelled: still a wildcard, with what is left counted.
    let d = doc(json!({"Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"}
    ]}));
    let w = d.wildcard_allows();
    let s3 = catalogue::get().count(&Pattern::new("s3:*", true));
    let delete = catalogue::get().count(&Pattern::new("s3:Delete*", true));
    assert!(delete > 5, "{delete}");
    assert_eq!((w[0].granted, w[0].removed_by_deny), (s3 - delete, delete));
    assert_eq!(w[0].scope, WildcardScope::Service("s3".into()));
}

#[test]
fn wildcards_over_services_no_one_has_grant_nothing() {
    let d = doc(json!({"Statement": {"Effect": "Allow", "Action": ["s4:*", "ec2:*"], "Resource": "*"}}));
    let w = d.wildcard_allows();
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].action, "ec2:*");
    // NotAction of names that are not real: every action.
    let d = doc(json!({"Statement": {"Effect": "Allow", "NotAction": "iam:NoSuchThing", "Resource": "*"}}));
    assert_eq!(d.wildcard_allows()[0].scope, WildcardScope::Everything);
}

#[test]
fn action_sets_count_the_catalogue() {
    let cat = catalogue::get();
    assert_eq!(ActionSet::full().len(), cat.len());
    assert!(ActionSet::full().is_full());
    assert!(ActionSet::empty().is_empty());
    let s3_get = ActionSet::matching(&Pattern::new("s3:Get*", true));
    assert_eq!(s3_get.len(), cat.count(&Pattern::new("s3:Get*", true)));
    assert!(s3_get.iter().all(|a| a.name().starts_with("s3:Get")));
    assert_eq!(s3_get.clone().complement().len(), cat.len() - s3_get.len());
    let mut both = s3_get.clone();
    both.union_with(&ActionSet::matching(&Pattern::new("S3:PUTOBJECT", true)));
    assert_eq!(both.len(), s3_get.len() + 1);
    both.subtract(&s3_get);
    assert_eq!(both.iter().map(|a| a.name()).collect::<Vec<_>>(), ["s3:PutObject"]);
    assert_eq!(ActionSet::matching(&Pattern::new("iam:*", true)).describe(3), "iam:*");
}

#[test]
fn realistic_typos_are_unknown_with_the_closest_real_action() {
    let d = doc(json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "DenyNoMfa", "Effect": "Deny", "NotAction": ["iam:EnableMfaDevices", "iam:ListMFADevices"], "Resource": "*"},
        {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObjects", "s3:GetObject", "kms:decrypts"], "Resource": "*"},
        {"Sid": "Guard", "Effect": "Deny", "Action": ["s4:DeleteBucket", "s3:DeleteObjects*", "GetObject"], "Resource": "*"},
        {"Sid": "Broad", "Effect": "Allow", "NotAction": "iam:CreateUsers", "Resource": "arn:aws:s3:::x"}
    ]}));
    let found: Vec<(String, Unknown, Option<String>, Effect, bool)> = unknown_actions(&d)
        .into_iter()
        .map(|u| (u.name, u.unknown, u.suggestion, u.effect, u.not_action))
        .collect();
    let some = |s: &str| Some(s.to_string());
    assert_eq!(
        found,
        vec![
            (
                "iam:EnableMfaDevices".into(),
                Unknown::Action,
                some("iam:EnableMFADevice"),
                Effect::Deny,
                true
            ),
            (
                "s3:GetObjects".into(),
                Unknown::Action,
                some("s3:GetObject"),
                Effect::Allow,
                false
            ),
            (
                "kms:decrypts".into(),
                Unknown::Action,
                some("kms:Decrypt"),
                Effect::Allow,
                false
            ),
            (
                "s4:DeleteBucket".into(),
                Unknown::Service,
                some("s3:DeleteBucket"),
                Effect::Deny,
                false
            ),
            ("s3:DeleteObjects*".into(), Unknown::Wildcard, None, Effect::Deny, false),
            ("GetObject".into(), Unknown::Malformed, None, Effect::Deny, false),
            (
                "iam:CreateUsers".into(),
                Unknown::Action,
                some("iam:CreateUser"),
                Effect::Allow,
                true
            ),
        ]
    );
    let described: Vec<String> = unknown_actions(&d).iter().map(|u| u.describe()).collect();
    assert_eq!(
        described[0],
        "\"iam:EnableMfaDevices\" (Deny NotAction of DenyNoMfa): iam has no such action; did you mean iam:EnableMFADevice?; the intended exemption does not apply: the Deny covers the real action too"
    );
    assert!(
        described[3].contains("no AWS service has the prefix \"s4\""),
        "{}",
        described[3]
    );
    assert!(
        described[3].contains("the protection silently does not apply"),
        "{}",
        described[3]
    );
    assert!(described[6].contains("more is granted than meant"), "{}", described[6]);
    // Case does not make a name unknown, and real wildcards are fine.
    let d = doc(
        json!({"Statement": {"Effect": "Allow", "Action": ["S3:getobject", "ec2:Describe*", "*", "*:Get*"], "Resource": "*"}}),
    );
    assert_eq!(unknown_actions(&d), vec![]);
}
