//! Property tests of the readers of untrusted input: every file of an exports directory and
//! the policy parser. Whatever the bytes or the JSON, reading never panics and never hangs,
//! and either succeeds or returns an error that names the file (and, for policy documents,
//! the field).
#![allow(clippy::unwrap_used)]

use std::sync::mpsc;
use std::time::Duration;

use hipaa_iam_core::account::{file, Account};
use hipaa_iam_core::policy::{decode_document, evaluate, Context, Document, Principal};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Map, Value};

const AUTH_EMPTY: &str = r#"{"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}"#;

/// How long one property may run in all: far more than its cases take, so only a read
/// that does not end fails it.
const DEADLINE: Duration = Duration::from_secs(120);

/// Runs `property` over the strategy `make` returns, on another thread; fails when a case
/// fails (with the smallest failing input) or when the whole run does not end within
/// [`DEADLINE`].
fn check<S: Strategy>(
    name: &str,
    cases: u32,
    make: impl FnOnce() -> S + Send + 'static,
    property: impl Fn(S::Value) -> Result<(), TestCaseError> + Send + 'static,
) {
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::spawn(move || {
        let strategy = make();
        let mut runner = TestRunner::new(Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        });
        let result = runner.run(&strategy, property).map_err(|e| e.to_string());
        let _ = tx.send(result);
    });
    match rx.recv_timeout(DEADLINE) {
        Ok(Ok(())) => {}
        Ok(Err(e)) => panic!("{name}: {e}"),
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{name}: did not end within {DEADLINE:?} (a read hangs)"),
        Err(mpsc::RecvTimeoutError::Disconnected) => match handle.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => panic!("{name}: the property ended without a result"),
        },
    }
}

// ---------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------

/// Every field name the readers know, so that arbitrary JSON reaches past the top level.
const FIELDS: &[&str] = &[
    "UserDetailList",
    "GroupDetailList",
    "RoleDetailList",
    "Policies",
    "UserName",
    "UserId",
    "Arn",
    "Path",
    "CreateDate",
    "GroupList",
    "UserPolicyList",
    "PolicyName",
    "PolicyDocument",
    "AttachedManagedPolicies",
    "PolicyArn",
    "PermissionsBoundary",
    "PermissionsBoundaryArn",
    "PermissionsBoundaryType",
    "GroupName",
    "GroupPolicyList",
    "RoleName",
    "AssumeRolePolicyDocument",
    "RolePolicyList",
    "PolicyVersionList",
    "Document",
    "VersionId",
    "IsDefaultVersion",
    "DefaultVersionId",
    "AttachmentCount",
    "PasswordPolicy",
    "MinimumPasswordLength",
    "RequireSymbols",
    "MaxPasswordAge",
    "HardExpiry",
    "SummaryMap",
    "Users",
    "VirtualMFADevices",
    "SerialNumber",
    "User",
    "EnableDate",
    "analyzers",
    "findings",
    "arn",
    "name",
    "type",
    "status",
    "id",
    "resource",
    "resourceType",
    "error",
    "tool",
    "version",
    "generated_at",
    "account_id",
    "regions",
    "not_collected",
    "files",
    "credential_report_generated_at",
    "Version",
    "Statement",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
    "Principal",
    "NotPrincipal",
    "Sid",
];

/// Strings that mean something to a reader or the policy language.
const WORDS: &[&str] = &[
    "",
    "Allow",
    "Deny",
    "*",
    "*:*",
    "s3:*",
    "iam:?et*",
    "2012-10-17",
    "2008-10-17",
    "${aws:username}",
    "arn:aws:iam::123456789012:user/${aws:username}",
    "${aws:PrincipalTag/team, 'x'}",
    "${",
    "${*}",
    "}",
    "arn:aws:iam::123456789012:user/alice",
    "arn:aws:iam::aws:policy/AdministratorAccess",
    "arn:aws:iam::123456789012:policy/p",
    "alice",
    "v1",
    "v2",
    "true",
    "false",
    "2024-01-02T03:04:05Z",
    "not a date",
    "StringEquals",
    "StringLike",
    "Bool",
    "BoolIfExists",
    "ForAnyValue:StringLike",
    "Null",
    "aws:MultiFactorAuthPresent",
    "aws:username",
    "%7B%22Statement%22%3A%5B%5D%7D",
    "%ZZ",
    "{",
    "{}",
    "ACTIVE",
    "ACCOUNT",
    "us-east-1",
    "../x",
    "\u{202e}",
    "\u{0}",
    "é?*",
];

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(WORDS).prop_map(str::to_string),
        1 => ".{0,16}",
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(FIELDS).prop_map(str::to_string),
        1 => word(),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        4 => word().prop_map(Value::String),
    ]
}

/// Arbitrary JSON, with the readers' field names and meaningful strings likely.
fn json_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            1 => prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            2 => prop::collection::vec((key(), inner), 0..6).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// A pattern: an action or resource, with wildcards and policy variables likely.
fn pattern() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(WORDS).prop_map(str::to_string),
        2 => "[a-z0-9]{1,4}:[A-Za-z*?]{0,6}",
        2 => "arn:aws:(s3|iam)::[0-9]{0,12}:[a-z/*?${}:]{0,16}",
        1 => ".{0,16}",
    ]
}

/// A string or a list of strings (as IAM takes them), sometimes anything.
fn string_or_list() -> impl Strategy<Value = Value> {
    prop_oneof![
        6 => pattern().prop_map(Value::String),
        6 => prop::collection::vec(pattern().prop_map(Value::String), 1..4).prop_map(Value::Array),
        1 => Just(json!([])),
        1 => json_value(),
    ]
}

const OPERATORS: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "Bool",
    "BoolIfExists",
    "Null",
    "ArnLike",
    "NumericLessThan",
    "IpAddress",
    "DateGreaterThan",
    "ForAnyValue:StringLike",
    "ForAllValues:StringEquals",
    "StringLikeIfExists",
];

const CONDITION_KEYS: &[&str] = &[
    "aws:MultiFactorAuthPresent",
    "aws:username",
    "aws:PrincipalTag/team",
    "aws:RequestedRegion",
    "s3:prefix",
];

fn condition() -> impl Strategy<Value = Value> {
    let operator = prop_oneof![4 => prop::sample::select(OPERATORS).prop_map(str::to_string), 1 => word()];
    let key = prop_oneof![4 => prop::sample::select(CONDITION_KEYS).prop_map(str::to_string), 1 => word()];
    let values = prop_oneof![8 => string_or_list(), 1 => leaf()];
    let block = prop::collection::vec((key, values), 0..3).prop_map(|k| Value::Object(k.into_iter().collect()));
    prop_oneof![
        12 => prop::collection::vec((operator, block), 0..3).prop_map(|ops| Value::Object(ops.into_iter().collect())),
        1 => json_value(),
    ]
}

/// A statement: mostly well-formed, with any field sometimes missing, doubled (`Action`
/// with `NotAction`) or replaced by anything.
fn statement() -> impl Strategy<Value = Value> {
    let effect = prop_oneof![16 => prop::sample::select(&["Allow", "Deny"][..]).prop_map(|e| json!(e)), 1 => leaf()];
    let action = (prop::sample::select(&["Action", "NotAction"][..]), string_or_list());
    let resource = proptest::option::weighted(
        0.9,
        (prop::sample::select(&["Resource", "NotResource"][..]), string_or_list()),
    );
    let principal = proptest::option::weighted(
        0.2,
        (
            prop::sample::select(&["Principal", "NotPrincipal"][..]),
            prop_oneof![
                Just(json!("*")),
                Just(json!({"AWS": "arn:aws:iam::123456789012:root"})),
                json_value()
            ],
        ),
    );
    let sid = proptest::option::weighted(0.3, prop_oneof![4 => word().prop_map(Value::String), 1 => leaf()]);
    let extra = proptest::option::weighted(0.05, (key(), json_value()));
    (
        proptest::option::weighted(0.98, effect),
        proptest::option::weighted(0.98, action),
        resource,
        proptest::option::weighted(0.4, condition()),
        principal,
        sid,
        extra,
    )
        .prop_map(|(effect, action, resource, condition, principal, sid, extra)| {
            let mut s = Map::new();
            let mut put = |k: &str, v: Value| {
                s.insert(k.to_string(), v);
            };
            if let Some(e) = effect {
                put("Effect", e);
            }
            if let Some((k, v)) = action {
                put(k, v);
            }
            if let Some((k, v)) = resource {
                put(k, v);
            }
            if let Some(c) = condition {
                put("Condition", c);
            }
            if let Some((k, v)) = principal {
                put(k, v);
            }
            if let Some(v) = sid {
                put("Sid", v);
            }
            if let Some((k, v)) = extra {
                put(&k, v);
            }
            Value::Object(s)
        })
}

/// A policy document: mostly policy-shaped, sometimes anything.
fn policy_document() -> impl Strategy<Value = Value> {
    let version = prop_oneof![4 => Just(json!("2012-10-17")), 2 => Just(json!("2008-10-17")), 1 => leaf()];
    let statements = prop_oneof![
        3 => prop::collection::vec(statement(), 0..4).prop_map(Value::Array),
        1 => statement(),
        1 => json_value(),
    ];
    prop_oneof![
        6 => (proptest::option::weighted(0.9, version), proptest::option::weighted(0.95, statements)).prop_map(|(v, s)| {
            let mut doc = Map::new();
            if let Some(v) = v {
                doc.insert("Version".into(), v);
            }
            if let Some(s) = s {
                doc.insert("Statement".into(), s);
            }
            Value::Object(doc)
        }),
        1 => json_value(),
    ]
}

// ---------------------------------------------------------------------------------------
// The files of an exports directory
// ---------------------------------------------------------------------------------------

/// Each file the readers take, with a valid example to mutate.
const FILES: &[(&str, &str)] = &[
    (
        file::AUTHORIZATION_DETAILS,
        r#"{"UserDetailList": [{"UserName": "alice", "Arn": "arn:aws:iam::123456789012:user/alice", "GroupList": ["g"], "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}}]}], "GroupDetailList": [{"GroupName": "g", "Arn": "arn:aws:iam::123456789012:group/g"}], "RoleDetailList": [], "Policies": [{"PolicyName": "p", "Arn": "arn:aws:iam::123456789012:policy/p", "DefaultVersionId": "v1", "PolicyVersionList": [{"Document": "%7B%22Statement%22%3A%5B%5D%7D", "VersionId": "v1", "IsDefaultVersion": true}]}]}"#,
    ),
    (
        file::CREDENTIAL_REPORT,
        "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date\nalice,arn:aws:iam::123456789012:user/alice,2024-01-02T03:04:05+00:00,true,N/A,N/A,false,true,2025-01-01T00:00:00+00:00,N/A,false,N/A,N/A\n",
    ),
    (
        file::PASSWORD_POLICY,
        r#"{"PasswordPolicy": {"MinimumPasswordLength": 14, "RequireSymbols": true, "MaxPasswordAge": 90}}"#,
    ),
    (file::ACCOUNT_SUMMARY, r#"{"SummaryMap": {"Users": 1, "AccountMFAEnabled": 1}}"#),
    (
        file::VIRTUAL_MFA_DEVICES,
        r#"{"VirtualMFADevices": [{"SerialNumber": "arn:aws:iam::123456789012:mfa/alice", "User": {"Arn": "arn:aws:iam::123456789012:user/alice"}, "EnableDate": "2024-01-02T03:04:05Z"}]}"#,
    ),
    (
        "access-analyzer/us-east-1/analyzers.json",
        r#"{"analyzers": [{"arn": "arn:aws:access-analyzer:us-east-1:123456789012:analyzer/a", "name": "a", "type": "ACCOUNT", "status": "ACTIVE"}]}"#,
    ),
    (
        "access-analyzer/us-east-1/findings.json",
        r#"{"findings": [{"id": "f", "resourceType": "AWS::S3::Bucket", "status": "ACTIVE"}]}"#,
    ),
    (
        file::MANIFEST,
        r#"{"tool": "hipaa-iam", "version": "0.1.0", "generated_at": "2026-11-16T14:07:31Z", "regions": ["us-east-1"], "not_collected": {}}"#,
    ),
];

/// Writes `bytes` as `name` into a fresh exports directory (with an empty, valid
/// authorization-details.json unless `name` is that file) and reads it: the read ends,
/// and an error names the file.
fn read_names_the_file(name: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    if name != file::AUTHORIZATION_DETAILS {
        std::fs::write(dir.path().join(file::AUTHORIZATION_DETAILS), AUTH_EMPTY).unwrap();
    }
    std::fs::write(&path, bytes).unwrap();
    if let Err(e) = Account::read_dir(dir.path()) {
        let msg = e.to_string();
        prop_assert!(
            msg.contains(&path.display().to_string()),
            "the error does not name {}: {}",
            path.display(),
            msg
        );
    }
    Ok(())
}

/// A valid file changed: cut short, and `insert` spliced in at a position.
fn mutated(valid: &str) -> impl Strategy<Value = Vec<u8>> {
    let valid = valid.as_bytes().to_vec();
    let len = valid.len();
    (0..=len, 0..=len, prop::collection::vec(any::<u8>(), 0..8)).prop_map(move |(cut, at, insert)| {
        let mut bytes = valid[..cut.max(at)].to_vec();
        let at = at.min(bytes.len());
        bytes.splice(at..at, insert);
        bytes
    })
}

#[test]
fn arbitrary_bytes_in_any_file_never_panic_and_errors_name_the_file() {
    for &(name, _) in FILES {
        check(
            name,
            32,
            || prop::collection::vec(any::<u8>(), 0..256),
            move |bytes| read_names_the_file(name, &bytes),
        );
    }
}

#[test]
fn mutated_files_never_panic_and_errors_name_the_file() {
    for &(name, valid) in FILES {
        read_names_the_file(name, valid.as_bytes()).unwrap();
        check(
            name,
            64,
            move || mutated(valid),
            move |bytes| read_names_the_file(name, &bytes),
        );
    }
}

#[test]
fn arbitrary_json_in_any_file_never_panics_and_errors_name_the_file() {
    for &(name, _) in FILES {
        check(name, 48, json_value, move |value| {
            read_names_the_file(name, value.to_string().as_bytes())
        });
    }
}

#[test]
fn arbitrary_json_in_every_place_of_a_valid_file_never_panics_and_errors_name_the_file() {
    for &(name, valid) in FILES.iter().filter(|(n, _)| *n != file::CREDENTIAL_REPORT) {
        let valid: Value = serde_json::from_str(valid).unwrap();
        let places = leaf_paths(&valid);
        check(
            name,
            64,
            || (prop::sample::select(places), json_value()),
            move |(place, value)| {
                let mut doc = valid.clone();
                *doc.pointer_mut(&place).unwrap() = value;
                read_names_the_file(name, doc.to_string().as_bytes())
            },
        );
    }
}

/// The JSON pointer of every value inside `v` (objects' and arrays' members, at any depth).
fn leaf_paths(v: &Value) -> Vec<String> {
    fn walk(v: &Value, at: String, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    walk(x, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out);
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    walk(x, format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
        out.push(at);
    }
    let mut out = Vec::new();
    walk(v, String::new(), &mut out);
    out.retain(|p| !p.is_empty());
    out
}

fn report_line() -> impl Strategy<Value = String> {
    let cell = prop_oneof![
        prop::sample::select(
            &[
                "true",
                "false",
                "N/A",
                "not_supported",
                "no_information",
                "2024-01-02T03:04:05+00:00",
                "alice",
                "<root_account>",
                "\"a,b\"",
                "\"",
                ""
            ][..]
        )
        .prop_map(str::to_string),
        "[^\n]{0,8}",
    ];
    prop::collection::vec(cell, 0..15).prop_map(|cells| cells.join(","))
}

#[test]
fn arbitrary_credential_reports_never_panic_and_errors_name_the_file() {
    let header = FILES[1].1.lines().next().unwrap().to_string();
    let lines = || (any::<bool>(), prop::collection::vec(report_line(), 0..5));
    check(file::CREDENTIAL_REPORT, 128, lines, move |(with_header, lines)| {
        let mut text = if with_header {
            format!("{header}\n")
        } else {
            String::new()
        };
        text.push_str(&lines.join("\n"));
        read_names_the_file(file::CREDENTIAL_REPORT, text.as_bytes())
    });
}

// ---------------------------------------------------------------------------------------
// The policy parser
// ---------------------------------------------------------------------------------------

/// Parses `value` as a policy document; an error names the field it is about. A document
/// that parses is evaluated, which ends.
fn parse_and_evaluate(value: &Value) -> Result<(), TestCaseError> {
    match Document::from_json(value) {
        Err(msg) => {
            prop_assert!(
                ["Statement", "Version", "Id", "a policy document"]
                    .iter()
                    .any(|p| msg.starts_with(p)),
                "the error names no field: {}",
                msg
            );
        }
        Ok(doc) => {
            let ctx = Context::new()
                .with_principal("alice", "AIDAEXAMPLE", "123456789012")
                .absent("aws:MultiFactorAuthPresent");
            for (action, resource) in [
                ("s3:GetObject", "arn:aws:s3:::b/k"),
                ("iam:CreateUser", "arn:aws:iam::123456789012:user/alice"),
                ("", ""),
            ] {
                let e = evaluate(&[&doc], action, resource, &ctx);
                let _ = e.explain(&[&doc], None);
            }
            let principal = Principal::new(vec![&doc], Some(&doc));
            let _ = principal.allows_everything();
            let _ = principal.may_allow("iam:PassRole");
            let _ = doc.allows_everything();
            let _ = doc.wildcard_allows();
            for s in doc.statements() {
                let _ = s.label();
            }
        }
    }
    Ok(())
}

#[test]
fn policy_documents_never_panic_and_errors_name_the_field() {
    check("policy documents", 384, policy_document, |doc| parse_and_evaluate(&doc));
}

#[test]
fn arbitrary_json_as_a_policy_document_never_panics() {
    check("arbitrary JSON", 256, json_value, |doc| parse_and_evaluate(&doc));
}

#[test]
fn policy_documents_as_strings_never_panic() {
    // As JSON text, URL-encoded (as IAM's API returns them), or as arbitrary text.
    let text = || {
        prop_oneof![
            policy_document().prop_map(|d| d.to_string()),
            policy_document().prop_map(|d| {
                percent_encoding::utf8_percent_encode(&d.to_string(), percent_encoding::NON_ALPHANUMERIC).to_string()
            }),
            mutated(r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#)
                .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
            ".{0,64}",
        ]
    };
    check("policy document strings", 256, text, |text| {
        if let Ok(doc) = decode_document(&Value::String(text)) {
            parse_and_evaluate(&doc)?;
        }
        Ok(())
    });
}

#[test]
fn policy_documents_in_account_data_errors_name_the_file_and_the_field() {
    check(
        "policy documents in authorization-details.json",
        128,
        policy_document,
        |doc| {
            let auth = json!({
                "UserDetailList": [{
                    "UserName": "alice",
                    "Arn": "arn:aws:iam::123456789012:user/alice",
                    "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": doc}],
                }],
            });
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join(file::AUTHORIZATION_DETAILS), auth.to_string()).unwrap();
            if let Err(e) = Account::read_dir(dir.path()) {
                let msg = e.to_string();
                let path = dir.path().join(file::AUTHORIZATION_DETAILS);
                prop_assert!(msg.contains(&path.display().to_string()), "{}", msg);
                prop_assert!(
                    msg.contains("UserDetailList[0].UserPolicyList[0].PolicyDocument"),
                    "{}",
                    msg
                );
            }
            Ok(())
        },
    );
}

#[test]
fn deeply_nested_json_is_an_error_not_a_crash() {
    // Deeper than serde_json's recursion limit where a reader looks: refused with the file
    // named, never a stack overflow. Where no reader looks (an unknown field), it is skipped.
    let deep = |field: &str| format!("{{\"{field}\": {}{}}}", "[".repeat(100_000), "]".repeat(100_000));
    for (name, field) in [
        (file::AUTHORIZATION_DETAILS, "UserDetailList"),
        (file::PASSWORD_POLICY, "PasswordPolicy"),
        (file::MANIFEST, "regions"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(file::AUTHORIZATION_DETAILS), AUTH_EMPTY).unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, deep(field)).unwrap();
        let msg = Account::read_dir(dir.path()).unwrap_err().to_string();
        assert!(msg.contains(&path.display().to_string()), "{msg}");
        std::fs::write(&path, deep("NoSuchField")).unwrap();
        let _ = Account::read_dir(dir.path());
    }
    // A policy document is read as any JSON first: the recursion limit stops it.
    let auth = format!(
        r#"{{"UserDetailList": [{{"UserName": "a", "Arn": "arn:aws:iam::123456789012:user/a", "UserPolicyList": [{{"PolicyName": "p", "PolicyDocument": {}{}}}]}}]}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(file::AUTHORIZATION_DETAILS);
    std::fs::write(&path, auth).unwrap();
    let msg = Account::read_dir(dir.path()).unwrap_err().to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.contains("recursion limit"), "{msg}");
}
