//! `hipaa-iam access explain` and `access who-can` on the demo account: one request from the
//! flags, several from a JSON-lines file (answered in input order), the errors that name the
//! line and the field (exit 2), who-can as a table, JSON and CSV, and hostile principal
//! names kept as data.
#![allow(clippy::unwrap_used)]

use std::process::Output;

use hipaa_iam_core::report::csv_file::unneutralise;
use hipaa_iam_tests::account::{TestAccount, ACCOUNT};
use hipaa_iam_tests::{demo_account, output, temp_dir, text};
use serde_json::{json, Value};

use crate::common::hipaa_iam_offline;

fn access(args: &[&str]) -> Output {
    let mut c = hipaa_iam_offline();
    c.arg("access").args(args);
    output(&mut c)
}

fn demo() -> String {
    demo_account().display().to_string()
}

#[test]
fn explain_one_request_from_the_flags() {
    let dir = demo();
    let base = [
        "explain",
        "--exports",
        &dir,
        "--principal",
        "jordan.lee",
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::phi-records/x",
    ];
    let out = access(&base);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.contains(
            "DENIED: explicitly denied by deny-without-mfa (attached to group human-users) [DenyAllActionsIfNoMFA]"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("the S3 bucket policy of arn:aws:s3:::phi-records"),
        "{stdout}"
    );
    assert!(stdout.contains("identity-based"), "{stdout}");

    let with_mfa = [
        &base[..],
        &["--context", "aws:MultiFactorAuthPresent=true", "--format", "json"],
    ]
    .concat();
    let out = access(&with_mfa);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["decision"], "allowed");
    assert_eq!(v[0]["principal"], format!("arn:aws:iam::{ACCOUNT}:user/jordan.lee"));
    assert_eq!(
        v[0]["statements"][0]["policy"],
        "AdministratorAccess (attached to group admins)"
    );
    assert_eq!(v[0]["path"], json!([]));
}

#[test]
fn explain_requests_from_a_file_in_input_order() {
    let tmp = temp_dir();
    let file = tmp.path().join("requests.jsonl");
    let lines = [
        json!({"principal": "jordan.lee", "action": "s3:GetObject", "resource": "arn:aws:s3:::phi-records/x",
               "context": {"aws:MultiFactorAuthPresent": "true"}}),
        json!({"principal": "jordan.lee", "action": "s3:GetObject", "resource": "arn:aws:s3:::phi-records/x"}),
        json!({"principal": "ops-admin", "action": "iam:CreateUser", "resource": "*"}),
        json!({"principal": "reception.smith", "action": "ec2:RunInstances", "resource": "*",
               "context": {"aws:MultiFactorAuthPresent": true}}),
    ];
    let body: Vec<String> = lines.iter().map(Value::to_string).collect();
    std::fs::write(&file, format!("{}\n\n{}\n", body[..2].join("\n"), body[2..].join("\n"))).unwrap();
    let dir = demo();
    let out = access(&[
        "explain",
        "--exports",
        &dir,
        "--requests",
        file.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let got: Vec<(&str, &str)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["principal"].as_str().unwrap(), e["decision"].as_str().unwrap()))
        .collect();
    let user = |n: &str| format!("arn:aws:iam::{ACCOUNT}:user/{n}");
    let role = format!("arn:aws:iam::{ACCOUNT}:role/ops-admin");
    assert_eq!(
        got,
        vec![
            (user("jordan.lee").as_str(), "allowed"),
            (user("jordan.lee").as_str(), "denied"),
            (role.as_str(), "allowed"),
            (user("reception.smith").as_str(), "not-granted"),
        ]
    );

    let out = access(&[
        "explain",
        "--exports",
        &dir,
        "--requests",
        file.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    let csv = String::from_utf8(out.stdout).unwrap();
    assert_eq!(csv.lines().count(), 5, "{csv}");
    assert!(csv.starts_with("principal,action,resource,decision,"), "{csv}");
}

#[test]
fn explain_errors_name_the_line_and_the_field() {
    let tmp = temp_dir();
    let dir = demo();
    let good = json!({"principal": "jordan.lee", "action": "s3:GetObject", "resource": "*"}).to_string();
    let cases = [
        (json!({"principal": "jordan.lee", "action": "s3:GetObject", "resource": "*", "contxt": {}}).to_string(), "line 3: unknown field `contxt`"),
        (json!({"principal": "jordan.lee", "resource": "*"}).to_string(), "line 3: missing field `action`"),
        (json!({"principal": "jordan.lee", "action": "GetObject", "resource": "*"}).to_string(), "line 3: field `action`: \"GetObject\" is not an action"),
        (json!({"principal": "jordan.le", "action": "s3:GetObject", "resource": "*"}).to_string(), "line 3: principal: no user or role named \"jordan.le\" in the account data (did you mean user \"jordan.lee\"?)"),
        ("{\"principal\": ".to_string(), "line 3: "),
    ];
    for (line, want) in cases {
        let file = tmp.path().join("requests.jsonl");
        std::fs::write(&file, format!("{good}\n\n{line}\n")).unwrap();
        let out = access(&[
            "explain",
            "--exports",
            &dir,
            "--requests",
            file.to_str().unwrap(),
            "--format",
            "json",
        ]);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{line}: {stderr}");
        assert!(stdout.is_empty(), "nothing half-written: {stdout}");
        assert!(
            stderr.contains("requests.jsonl: ") && stderr.contains(want),
            "{line}: {stderr}"
        );
    }
    let out = access(&[
        "explain",
        "--exports",
        &dir,
        "--principal",
        "jordan.lee",
        "--action",
        "s3:GetObject",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("missing --resource"), "{}", text(&out).1);
    let out = access(&[
        "explain",
        "--exports",
        &dir,
        "--principal",
        "x",
        "--action",
        "s3",
        "--resource",
        "*",
    ]);
    assert!(
        text(&out).1.contains("--action: \"s3\" is not an action"),
        "{}",
        text(&out).1
    );
    let out = access(&[
        "explain",
        "--exports",
        &dir,
        "--principal",
        "jordan.lee",
        "--action",
        "s3:GetObject",
        "--resource",
        "*",
        "--context",
        "novalue",
    ]);
    assert!(
        text(&out).1.contains("--context: \"novalue\": expected KEY=VALUE"),
        "{}",
        text(&out).1
    );
    let help = access(&["explain", "--help"]);
    let help = text(&help).0;
    assert!(
        help.contains("identity-based") && help.contains("Exit status: 0 answered"),
        "{help}"
    );
}

#[test]
fn who_can_as_a_table_json_and_csv() {
    let dir = demo();
    let args = [
        "who-can",
        "--exports",
        &dir,
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::phi-records/x",
    ];
    let out = access(&args);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.starts_with("who can s3:GetObject on arn:aws:s3:::phi-records/x\n"),
        "{stdout}"
    );
    assert!(stdout.contains("role  ops-admin "), "{stdout}");
    assert!(
        stdout.contains("the S3 bucket policy of arn:aws:s3:::phi-records"),
        "{stdout}"
    );

    let out = access(&[&args[..], &["--format", "json"]].concat());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = v["principals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"ops-admin") && names.contains(&"break-glass"),
        "{names:?}"
    );
    assert!(
        !names.contains(&"AWSServiceRoleForAccessAnalyzer"),
        "service-linked roles are left out"
    );
    assert!(!names.contains(&"reception.smith"), "{names:?}");
    assert!(v["scope"].as_str().unwrap().contains("identity-based"));

    let out = access(&[&args[..], &["--format", "csv"]].concat());
    let csv = String::from_utf8(out.stdout).unwrap();
    let mut rows = csv.lines();
    assert_eq!(
        rows.next(),
        Some("principal,name,type,decision,requires,allowed_by,conditional_deny,path,identity_center")
    );
    assert_eq!(rows.count(), names.len(), "{csv}");
}

#[test]
fn hostile_principal_names_are_data_in_every_format() {
    let admin = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});
    let names = [
        "=HYPERLINK(\"http://x\")",
        "red\u{1b}[31mALERT",
        "line\n::error::forged",
    ];
    let dir = names
        .iter()
        .fold(TestAccount::new(), |b, n| {
            b.user(
                n,
                &[],
                json!({"UserPolicyList": [{"PolicyName": "all", "PolicyDocument": admin}]}),
            )
        })
        .write();
    let d = dir.path().to_str().unwrap();
    let args = ["who-can", "--exports", d, "--action", "s3:GetObject", "--resource", "*"];
    let out = access(&[&args[..], &["--format", "csv"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
    let mut reader = csv::ReaderBuilder::new().from_reader(&out.stdout[..]);
    let cells: Vec<String> = reader.records().map(|r| r.unwrap()[1].to_string()).collect();
    assert!(
        cells.iter().any(|c| c == "'=HYPERLINK(\"http://x\")"),
        "formula neutralised: {cells:?}"
    );
    let mut back: Vec<&str> = cells.iter().map(|c| unneutralise(c)).collect();
    back.sort_unstable();
    let mut want = names.to_vec();
    want.sort_unstable();
    assert_eq!(back, want, "the names themselves are kept");

    let out = access(&args);
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        !table.contains('\u{1b}') && !table.lines().any(|l| l.starts_with("::error::")),
        "{table}"
    );
    assert!(
        table.contains("red?[31mALERT") && table.contains("line?::error::forged"),
        "{table}"
    );

    let out = access(&[
        "explain",
        "--exports",
        d,
        "--principal",
        "red\u{1b}[31mALERT",
        "--action",
        "s3:GetObject",
        "--resource",
        "*",
    ]);
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.contains("user/red?[31mALERT") && !table.contains('\u{1b}'),
        "{table}"
    );
}

#[test]
fn who_can_shows_who_signs_in_as_identity_center_roles_in_every_format() {
    let dir = demo();
    let base = [
        "who-can",
        "--exports",
        &dir,
        "--action",
        "iam:CreateUser",
        "--resource",
        "*",
    ];
    let out = access(&base);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let at = stdout
        .lines()
        .position(|l| l.starts_with("role  AWSReservedSSO_AdministratorAccess_3f9a1c2b4d5e6f70"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert_eq!(
        stdout.lines().nth(at + 1).unwrap(),
        "      signs in through IAM Identity Center: user alex.rivera through group IT-Admins via permission set AdministratorAccess"
    );
    let out = access(&[&base[..], &["--format", "json"]].concat());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let role = v["principals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "AWSReservedSSO_AdministratorAccess_3f9a1c2b4d5e6f70")
        .unwrap();
    assert_eq!(
        role["identity_center"],
        json!(["user alex.rivera through group IT-Admins via permission set AdministratorAccess"])
    );
    let ops = v["principals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "ops-admin")
        .unwrap();
    assert!(ops.get("identity_center").is_none(), "{ops}");
    let out = access(&[&base[..], &["--format", "csv"]].concat());
    let csv = String::from_utf8(out.stdout).unwrap();
    let mut rows = csv.lines();
    assert!(rows.next().unwrap().ends_with(",path,identity_center"), "{csv}");
    assert!(
        rows.any(|l| l.starts_with(
            "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess"
        ) && l
            .ends_with(",user alex.rivera through group IT-Admins via permission set AdministratorAccess")),
        "{csv}"
    );
}
