//! `hipaa-iam access` end to end on moto: users, a group with a policy and a role with a
//! trust policy are created with the real AWS CLI; `access who-can` and `access explain`
//! against the live account give the same answers as against `hipaa-iam collect`'s exports.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Output;

use hipaa_iam_tests::{moto, output, temp_dir, text, Moto, MOTO_ACCOUNT_ID};
use serde_json::{json, Value};

use crate::common::BIN;

const PHI: &str = "arn:aws:s3:::phi-records/chart.pdf";

fn build(m: &Moto) {
    m.aws(&["iam", "create-group", "--group-name", "clinicians"]);
    let read_with_mfa = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "ReadRecordsWithMFA", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::phi-records/*",
         "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}
    ]});
    m.aws(&[
        "iam",
        "put-group-policy",
        "--group-name",
        "clinicians",
        "--policy-name",
        "read-records",
        "--policy-document",
        &read_with_mfa.to_string(),
    ]);
    for u in ["nurse.ada", "nurse.bea", "clerk.cal"] {
        m.aws(&["iam", "create-user", "--user-name", u]);
    }
    for u in ["nurse.ada", "nurse.bea"] {
        m.aws(&[
            "iam",
            "add-user-to-group",
            "--group-name",
            "clinicians",
            "--user-name",
            u,
        ]);
    }
    let trust = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{MOTO_ACCOUNT_ID}:root")}, "Action": "sts:AssumeRole"}
    ]});
    m.aws(&[
        "iam",
        "create-role",
        "--role-name",
        "records-reader",
        "--assume-role-policy-document",
        &trust.to_string(),
    ]);
    let read = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "ReadRecords", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::phi-records", "arn:aws:s3:::phi-records/*"]}
    ]});
    m.aws(&[
        "iam",
        "put-role-policy",
        "--role-name",
        "records-reader",
        "--policy-name",
        "read",
        "--policy-document",
        &read.to_string(),
    ]);
}

fn hipaa_iam(m: &Moto, args: &[&str], cwd: &Path) -> Output {
    output(m.command(BIN).args(args).current_dir(cwd))
}

fn json_of(out: &Output) -> Value {
    let (stdout, stderr) = text(out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

#[test]
fn who_can_and_explain_live_agree_with_the_collected_exports_on_moto() {
    let m = moto();
    build(&m);
    let tmp = temp_dir();
    let dir = tmp.path().join("exports");
    let collected = hipaa_iam(&m, &["collect", "--output", dir.to_str().unwrap()], tmp.path());
    assert!(collected.status.success(), "{}", text(&collected).1);
    let exports = dir.to_str().unwrap();

    let who = [
        "access",
        "who-can",
        "--action",
        "s3:GetObject",
        "--resource",
        PHI,
        "--format",
        "json",
    ];
    let live = json_of(&hipaa_iam(&m, &who, tmp.path()));
    let offline = json_of(&hipaa_iam(
        &m,
        &[&who[..], &["--exports", exports]].concat(),
        tmp.path(),
    ));
    assert_eq!(live, offline);
    let found: Vec<(String, String, Value)> = live["principals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["name"].as_str().unwrap().to_string(),
                a["decision"].as_str().unwrap().to_string(),
                a["requires"].clone(),
            )
        })
        .collect();
    let row = |n: &str, d: &str, r: Value| (n.to_string(), d.to_string(), r);
    assert_eq!(
        found,
        vec![
            row("nurse.ada", "conditional", json!(["MFA"])),
            row("nurse.bea", "conditional", json!(["MFA"])),
            row("records-reader", "allowed", json!([])),
        ],
        "{live}"
    );

    let explain = [
        "access",
        "explain",
        "--principal",
        "nurse.ada",
        "--action",
        "s3:GetObject",
        "--resource",
        PHI,
        "--context",
        "aws:MultiFactorAuthPresent=true",
        "--format",
        "json",
    ];
    let live = json_of(&hipaa_iam(&m, &explain, tmp.path()));
    let offline = json_of(&hipaa_iam(
        &m,
        &[&explain[..], &["--exports", exports]].concat(),
        tmp.path(),
    ));
    assert_eq!(live, offline);
    assert_eq!(live[0]["decision"], "allowed");
    assert_eq!(
        live[0]["statements"][0]["policy"],
        "inline read-records on group clinicians"
    );
}
