//! `hipaa-iam remediate` end to end against a moto server: a weak state made with the
//! real AWS CLI, `--dry-run` (nothing changes), `--yes` (the state is fixed), and again
//! (every step "already in place").
//!
//! The plans are made from the account data the AWS CLI exports (`--exports DIR`, written
//! fresh before every run); apply re-reads the live state before each step.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use base64::Engine;
use hipaa_iam_tests::{demo_account_as, moto, Moto, MOTO_ACCOUNT_ID};
use serde_json::{json, Value};

use crate::common::BIN;

/// Writes the account data the AWS CLI exports into a new directory.
fn snapshot(m: &Moto) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    // Local policies only: moto lists its 1000+ AWS-managed policies without `PolicyName`.
    let mut auth = m.aws(&[
        "iam",
        "get-account-authorization-details",
        "--filter",
        "User",
        "Group",
        "Role",
        "LocalManagedPolicy",
    ]);
    // moto also leaves out `PolicyName`, which AWS always returns: put it back from the ARN.
    for p in auth["Policies"].as_array_mut().unwrap() {
        if p.get("PolicyName").is_none() {
            let name = p["Arn"].as_str().unwrap().rsplit('/').next().unwrap().to_string();
            p["PolicyName"] = Value::String(name);
        }
    }
    std::fs::write(dir.path().join("authorization-details.json"), auth.to_string()).unwrap();
    let pw = m.aws_raw(&["iam", "get-account-password-policy"]);
    if pw.status.success() {
        std::fs::write(dir.path().join("password-policy.json"), &pw.stdout).unwrap();
    } else {
        assert!(String::from_utf8_lossy(&pw.stderr).contains("NoSuchEntity"));
    }
    m.aws(&["iam", "generate-credential-report"]);
    let report = m.aws(&["iam", "get-credential-report"]);
    let csv = base64::engine::general_purpose::STANDARD
        .decode(report["Content"].as_str().unwrap())
        .unwrap();
    std::fs::write(dir.path().join("credential-report.csv"), csv).unwrap();
    dir
}

fn run(m: &Moto, exports: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.arg("remediate")
        .args(args)
        .arg("--exports")
        .arg(exports)
        .envs(m.env())
        .env("HOME", exports);
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(text) = stdin {
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    }
    child.wait_with_output().unwrap()
}

/// Runs with `--format json` on a fresh snapshot and returns the JSON, asserting the exit
/// status.
fn run_json(m: &Moto, args: &[&str], stdin: Option<&str>, status: i32) -> Value {
    let dir = snapshot(m);
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let out = run(m, dir.path(), &all, stdin);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(status),
        "hipaa-iam remediate {args:?}\nstdout: {stdout}\nstderr: {stderr}"
    );
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

/// Runs `hipaa-iam remediate` live (the account data collected from moto) with
/// `--format json`.
fn run_live_json(m: &Moto, args: &[&str], status: i32) -> Value {
    let cwd = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .arg("remediate")
        .args(args)
        .args(["--format", "json"])
        .envs(m.env())
        .current_dir(cwd.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(
        out.status.code(),
        Some(status),
        "hipaa-iam remediate {args:?}\nstdout: {stdout}\nstderr: {stderr}"
    );
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

/// `hipaa-iam audit --format json --checks CHECKS` of the live (moto) account: the
/// (check, resource, status) of each finding.
fn audit(m: &Moto, checks: &str) -> Vec<(String, String, String)> {
    let cwd = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["audit", "--format", "json", "--checks", checks])
        .envs(m.env())
        .current_dir(cwd.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(matches!(out.status.code(), Some(0 | 1)), "audit failed: {stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let field = |k: &str| f[k].as_str().unwrap().to_string();
            (field("check_id"), field("resource_name"), field("status"))
        })
        .collect()
}

fn assert_audit_passes(m: &Moto, checks: &str, resources: &[&str]) {
    let findings = audit(m, checks);
    for r in resources {
        assert!(
            findings.iter().any(|(_, name, _)| name == r),
            "no {checks} finding for {r}: {findings:?}"
        );
    }
    for (check, name, status) in &findings {
        if resources.is_empty() || resources.contains(&name.as_str()) {
            assert_eq!(status, "pass", "{check} {name}: {findings:?}");
        }
    }
    assert!(!findings.is_empty(), "{checks}: no findings");
}

fn statuses(doc: &Value) -> Vec<(String, String)> {
    doc["results"]
        .as_array()
        .unwrap_or_else(|| panic!("no results: {doc}"))
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn assert_all(doc: &Value, status: &str) {
    let got = statuses(doc);
    assert!(!got.is_empty(), "{doc}");
    for (id, s) in &got {
        assert_eq!(s, status, "step {id}: {doc}");
    }
}

fn password_policy(m: &Moto) -> Value {
    m.aws(&["iam", "get-account-password-policy"])["PasswordPolicy"].clone()
}

#[test]
fn password_policy_is_raised_without_weakening_and_is_idempotent() {
    let m = moto();
    m.aws(&["iam", "create-user", "--user-name", "alice"]);
    // Weak, except a longer minimum length than the configured 14.
    m.aws(&[
        "iam",
        "update-account-password-policy",
        "--minimum-password-length",
        "20",
        "--password-reuse-prevention",
        "5",
    ]);
    let before = password_policy(&m);
    assert_eq!(audit(&m, "IAM-001")[0].2, "fail");

    let dry = run_json(&m, &["password-policy", "--dry-run"], None, 0);
    assert_eq!(dry["applied"], false);
    assert_eq!(dry["plan"][0]["expect"], "change");
    assert_eq!(dry["plan"][0]["call"]["Operation"], "UpdateAccountPasswordPolicy");
    assert_eq!(dry["plan"][0]["call"]["Arguments"]["MinimumPasswordLength"], 20);
    assert_eq!(password_policy(&m), before, "--dry-run changed nothing");

    // Without --yes and without a terminal: the plan only.
    let no_yes = run_json(&m, &["password-policy"], None, 0);
    assert_eq!(no_yes["applied"], false);
    assert_eq!(password_policy(&m), before);

    let applied = run_json(&m, &["password-policy", "--yes"], None, 0);
    assert_eq!(
        statuses(&applied),
        [("set-password-policy".to_string(), "done".to_string())]
    );
    assert_eq!(
        applied["results"][0]["previous"]["MinimumPasswordLength"], 20,
        "the old policy is in the result"
    );
    assert_eq!(applied["results"][0]["previous"]["PasswordReusePrevention"], 5);
    let after = password_policy(&m);
    assert_eq!(after["MinimumPasswordLength"], 20, "a longer length stays: {after}");
    for key in [
        "RequireSymbols",
        "RequireNumbers",
        "RequireUppercaseCharacters",
        "RequireLowercaseCharacters",
        "AllowUsersToChangePassword",
    ] {
        assert_eq!(after[key], true, "{key}: {after}");
    }
    assert_eq!(after["MaxPasswordAge"], 90);
    assert_eq!(after["PasswordReusePrevention"], 24);

    let again = run_json(&m, &["password-policy", "--yes"], None, 0);
    assert_eq!(again["plan"][0]["expect"], "in_place");
    assert_all(&again, "already_in_place");
    assert_eq!(password_policy(&m), after);
    assert_audit_passes(&m, "IAM-001", &[]);
}

const BOOL_DOC: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":["iam:*","sts:GetSessionToken"],"Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}]}"#;

fn guide_mfa_doc() -> Value {
    serde_json::from_str(hipaa_iam_core::remediate::DENY_WITHOUT_MFA_JSON).unwrap()
}

#[test]
fn mfa_enforcement_adds_the_guide_statement_to_a_bool_policy_in_a_new_version_creates_the_group_and_attaches() {
    let m = moto();
    m.aws(&["iam", "create-user", "--user-name", "alice"]);
    // A policy of that name using Bool (long-term keys bypass it), with 5 versions.
    let arn = m.aws(&[
        "iam",
        "create-policy",
        "--policy-name",
        "deny-without-mfa",
        "--policy-document",
        BOOL_DOC,
    ])["Policy"]["Arn"]
        .as_str()
        .unwrap()
        .to_string();
    for _ in 0..4 {
        m.aws(&[
            "iam",
            "create-policy-version",
            "--policy-arn",
            &arn,
            "--policy-document",
            BOOL_DOC,
        ]);
    }
    let versions = |m: &Moto| m.aws(&["iam", "list-policy-versions", "--policy-arn", &arn])["Versions"].clone();
    let before = versions(&m);
    assert_eq!(before.as_array().unwrap().len(), 5);

    let dry = run_json(&m, &["mfa-enforcement", "--dry-run"], None, 0);
    let ids: Vec<&str> = dry["plan"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "delete-old-policy-version",
            "update-policy",
            "create-group",
            "attach-policy"
        ]
    );
    // v1 is the default; the oldest non-default version is v2.
    assert_eq!(dry["plan"][0]["call"]["Arguments"]["VersionId"], "v2");
    assert_eq!(versions(&m), before, "--dry-run changed nothing");
    assert!(!m
        .aws_raw(&["iam", "get-group", "--group-name", "human-users"])
        .status
        .success());

    let applied = run_json(&m, &["mfa-enforcement", "--yes"], None, 0);
    assert_all(&applied, "done");
    let deleted = &applied["results"][0]["previous"];
    assert_eq!(deleted["VersionId"], "v2");
    assert_eq!(
        deleted["Document"],
        serde_json::from_str::<Value>(BOOL_DOC).unwrap(),
        "the deleted version is recorded"
    );

    let after = versions(&m);
    let after = after.as_array().unwrap();
    assert_eq!(after.len(), 5, "{after:?}");
    assert!(!after.iter().any(|v| v["VersionId"] == "v2"));
    let default = after.iter().find(|v| v["IsDefaultVersion"] == true).unwrap()["VersionId"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(default, "v6");
    let doc = m.aws(&[
        "iam",
        "get-policy-version",
        "--policy-arn",
        &arn,
        "--version-id",
        &default,
    ])["PolicyVersion"]["Document"]
        .clone();
    let bool_doc: Value = serde_json::from_str(BOOL_DOC).unwrap();
    assert_eq!(
        doc,
        json!({"Version": "2012-10-17", "Statement": [bool_doc["Statement"][0], guide_mfa_doc()["Statement"][0]]}),
        "the policy's own statement kept, the guide's (BoolIfExists) added"
    );
    let attached = m.aws(&["iam", "list-attached-group-policies", "--group-name", "human-users"]);
    assert_eq!(
        attached["AttachedPolicies"],
        json!([{"PolicyName": "deny-without-mfa", "PolicyArn": arn}])
    );

    let again = run_json(&m, &["mfa-enforcement", "--yes"], None, 0);
    let ids: Vec<String> = statuses(&again).into_iter().map(|(id, _)| id).collect();
    assert_eq!(ids, ["create-policy", "create-group", "attach-policy"]);
    assert_all(&again, "already_in_place");
    assert_eq!(
        m.aws(&["iam", "list-policies", "--scope", "Local"])["Policies"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "no duplicate"
    );
}

#[test]
fn mfa_enforcement_live_on_an_account_without_it_creates_everything_once() {
    let m = moto();
    m.aws(&["iam", "create-user", "--user-name", "alice"]);
    m.aws(&[
        "iam",
        "create-login-profile",
        "--user-name",
        "alice",
        "--password",
        "Initial-Passw0rd!x",
    ]);
    let dry = run_live_json(&m, &["mfa-enforcement", "--dry-run"], 0);
    assert_eq!(dry["applied"], false);
    assert!(!m
        .aws_raw(&["iam", "get-group", "--group-name", "human-users"])
        .status
        .success());
    let applied = run_live_json(&m, &["mfa-enforcement", "--yes"], 0);
    assert_eq!(
        statuses(&applied),
        [
            ("create-policy".to_string(), "done".to_string()),
            ("create-group".to_string(), "done".to_string()),
            ("attach-policy".to_string(), "done".to_string())
        ]
    );
    let arn = "arn:aws:iam::123456789012:policy/deny-without-mfa";
    let doc = m.aws(&["iam", "get-policy-version", "--policy-arn", arn, "--version-id", "v1"])["PolicyVersion"]
        ["Document"]
        .clone();
    assert_eq!(doc, guide_mfa_doc());
    let again = run_live_json(&m, &["mfa-enforcement", "--yes"], 0);
    assert_all(&again, "already_in_place");
    assert_audit_passes(&m, "IAM-004", &["human-users"]);

    // Then group-membership, live: alice (console) is enforced.
    assert_eq!(audit(&m, "IAM-005")[0].2, "fail");
    let joined = run_live_json(&m, &["group-membership", "--yes"], 0);
    assert_eq!(statuses(&joined), [("add-user:alice".to_string(), "done".to_string())]);
    assert_audit_passes(&m, "IAM-005,IAM-006", &["alice"]);
}

fn groups_of(m: &Moto, user: &str) -> Vec<String> {
    m.aws(&["iam", "list-groups-for-user", "--user-name", user])["Groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["GroupName"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn group_membership_adds_console_users_to_human_users() {
    let m = moto();
    m.aws(&["iam", "create-group", "--group-name", "human-users"]);
    m.aws(&["iam", "create-group", "--group-name", "ops"]);
    for u in ["alice", "bob", "carol", "dave"] {
        m.aws(&["iam", "create-user", "--user-name", u]);
    }
    for u in ["alice", "bob", "dave"] {
        m.aws(&[
            "iam",
            "create-login-profile",
            "--user-name",
            u,
            "--password",
            "Initial-Passw0rd!x",
        ]);
    }
    m.aws(&["iam", "add-user-to-group", "--user-name", "bob", "--group-name", "ops"]);
    m.aws(&[
        "iam",
        "add-user-to-group",
        "--user-name",
        "dave",
        "--group-name",
        "human-users",
    ]);

    let dry = run_json(&m, &["group-membership", "--dry-run"], None, 0);
    let plan: Vec<(&str, &str)> = dry["plan"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap(), s["expect"].as_str().unwrap()))
        .collect();
    assert_eq!(
        plan,
        [
            ("add-user:alice", "change"),
            ("add-user:bob", "change"),
            ("add-user:dave", "in_place")
        ]
    );
    assert!(groups_of(&m, "alice").is_empty(), "--dry-run changed nothing");

    let applied = run_json(&m, &["group-membership", "--yes"], None, 0);
    assert_eq!(
        statuses(&applied),
        [
            ("add-user:alice".to_string(), "done".to_string()),
            ("add-user:bob".to_string(), "done".to_string()),
            ("add-user:dave".to_string(), "already_in_place".to_string())
        ]
    );
    assert_eq!(groups_of(&m, "alice"), ["human-users"]);
    let mut bob = groups_of(&m, "bob");
    bob.sort();
    assert_eq!(bob, ["human-users", "ops"]);
    assert!(groups_of(&m, "carol").is_empty(), "carol has no console password");

    let again = run_json(&m, &["group-membership", "--yes"], None, 0);
    assert_eq!(statuses(&again).len(), 3);
    assert_all(&again, "already_in_place");

    // --users picks users explicitly; an unknown user is an error (exit 2).
    let carol = run_json(&m, &["group-membership", "--users", "carol", "--yes"], None, 0);
    assert_all(&carol, "done");
    assert_eq!(groups_of(&m, "carol"), ["human-users"]);
    assert_audit_passes(&m, "IAM-006", &["alice", "bob", "carol", "dave"]);
    let dir = snapshot(&m);
    let out = run(&m, dir.path(), &["group-membership", "--users", "zed", "--yes"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--users: there is no user named \"zed\""));
}

#[test]
fn create_user_provisions_once_and_never_shows_the_password() {
    const SECRET: &str = "Temp-Passw0rd!for-Jane";
    let m = moto();
    m.aws(&["iam", "create-group", "--group-name", "human-users"]);
    m.aws(&["iam", "create-user", "--user-name", "alice"]);
    let args = [
        "create-user",
        "--user-name",
        "analyst.jane",
        "--no-boundary",
        "--console",
    ];

    let dry = run_json(
        &m,
        &[&args[..], &["--dry-run"]].concat(),
        Some(&format!("{SECRET}\n")),
        0,
    );
    let ids: Vec<&str> = dry["plan"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["create-user", "add-to-group", "create-login-profile"]);
    assert!(
        !m.aws_raw(&["iam", "get-user", "--user-name", "analyst.jane"])
            .status
            .success(),
        "--dry-run created nothing"
    );

    // Apply with the password on standard input, in both formats; grep every stream.
    let dir = snapshot(&m);
    let out = run(
        &m,
        dir.path(),
        &[&args[..], &["--yes", "--format", "json"]].concat(),
        Some(&format!("{SECRET}\n")),
    );
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        !stdout.contains(SECRET) && !stderr.contains(SECRET),
        "the password leaked:\n{stdout}\n{stderr}"
    );
    let applied: Value = serde_json::from_str(&stdout).unwrap();
    assert_all(&applied, "done");
    assert!(applied.get("generated_console_password").is_none());

    assert_eq!(
        m.aws(&["iam", "get-user", "--user-name", "analyst.jane"])["User"]["UserName"],
        "analyst.jane"
    );
    assert_eq!(groups_of(&m, "analyst.jane"), ["human-users"]);
    assert_eq!(
        m.aws(&["iam", "get-login-profile", "--user-name", "analyst.jane"])["LoginProfile"]["UserName"],
        "analyst.jane"
    );

    let dir = snapshot(&m);
    let out = run(
        &m,
        dir.path(),
        &[&args[..], &["--yes"]].concat(),
        Some(&format!("{SECRET}\n")),
    );
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(!stdout.contains(SECRET) && !stderr.contains(SECRET));
    assert!(stdout.contains("3 already in place"), "{stdout}");
    let again = run_json(&m, &[&args[..], &["--yes"]].concat(), Some(&format!("{SECRET}\n")), 0);
    assert_all(&again, "already_in_place");
    assert_audit_passes(&m, "IAM-006", &["analyst.jane"]);

    // A password that does not meet the policy is refused before any change, unnamed.
    let dir = snapshot(&m);
    let weak = "weakpass";
    let out = run(
        &m,
        dir.path(),
        &[
            "create-user",
            "--user-name",
            "bob",
            "--no-boundary",
            "--console",
            "--yes",
        ],
        Some(weak),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("does not meet the password policy") && !stderr.contains(weak),
        "{stderr}"
    );
    assert!(!m.aws_raw(&["iam", "get-user", "--user-name", "bob"]).status.success());
}

#[test]
fn an_invalid_user_name_is_refused_before_any_call() {
    // An endpoint that counts connections: the CLI must not reach it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    listener.set_nonblocking(true).unwrap();
    for bad in ["jane doe", "jane/doe", "x;rm", &"a".repeat(65)] {
        let out = Command::new(BIN)
            .args(["remediate", "create-user", "--user-name", bad, "--yes"])
            .env("AWS_ENDPOINT_URL", &endpoint)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("--user-name"), "{stderr}");
    }
    let mut calls = 0;
    while listener.accept().is_ok() {
        calls += 1;
    }
    assert_eq!(calls, 0, "the CLI connected to AWS before refusing the name");
}

#[test]
fn exports_of_another_account_are_refused_and_nothing_changes() {
    let m = moto();
    m.aws(&["iam", "create-user", "--user-name", "alice"]);
    m.aws(&[
        "iam",
        "update-account-password-policy",
        "--minimum-password-length",
        "8",
    ]);
    let state = |m: &Moto| {
        (
            password_policy(m),
            m.aws(&["iam", "list-policies", "--scope", "Local"]),
            m.aws(&["iam", "list-groups"]),
            groups_of(m, "alice"),
        )
    };
    let before = state(&m);
    // The demo account's data under another account ID; moto's credentials are 123456789012's.
    let other = demo_account_as("111111111111", |_, text| Some(text));
    for remediation in [
        "password-policy",
        "mfa-enforcement",
        "group-membership",
        "permissions-boundary",
    ] {
        for format in ["table", "json"] {
            let out = run(&m, other.path(), &[remediation, "--yes", "--format", format], None);
            let (stdout, stderr) = (
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
            );
            assert_eq!(out.status.code(), Some(2), "{remediation}\n{stdout}\n{stderr}");
            assert!(
                stderr.contains("made for account 111111111111")
                    && stderr.contains(&format!("belong to account {MOTO_ACCOUNT_ID}"))
                    && stderr.contains("nothing was changed"),
                "{remediation}: {stderr}"
            );
            assert!(
                !stdout.contains("Results") && !stdout.contains("\"results\""),
                "{remediation}: {stdout}"
            );
        }
    }
    assert_eq!(state(&m), before, "nothing changed in the account");
    // The account's own data is applied as before.
    let applied = run_json(&m, &["password-policy", "--yes"], None, 0);
    assert_all(&applied, "done");
}

/// The default version's document of `arn`.
fn default_document(m: &Moto, arn: &str) -> (String, Value) {
    let policy = m.aws(&["iam", "get-policy", "--policy-arn", arn]);
    let id = policy["Policy"]["DefaultVersionId"].as_str().unwrap().to_string();
    let doc = m.aws(&["iam", "get-policy-version", "--policy-arn", arn, "--version-id", &id])["PolicyVersion"]
        ["Document"]
        .clone();
    (id, doc)
}

/// Creates the policy `deny-without-mfa` with `doc`; returns its ARN.
fn create_mfa_policy(m: &Moto, doc: &Value) -> String {
    m.aws(&[
        "iam",
        "create-policy",
        "--policy-name",
        "deny-without-mfa",
        "--policy-document",
        &doc.to_string(),
    ])["Policy"]["Arn"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A Deny of the account's own, unrelated to MFA.
fn extra_deny() -> Value {
    json!({"Sid": "NoBucketDeletes", "Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"})
}

#[test]
fn mfa_enforcement_leaves_a_policy_that_passes_iam_004_with_an_extra_deny_alone() {
    let m = moto();
    let mut statements = guide_mfa_doc()["Statement"].as_array().unwrap().clone();
    statements.push(extra_deny());
    let original = json!({"Version": "2012-10-17", "Statement": statements});
    let arn = create_mfa_policy(&m, &original);
    m.aws(&["iam", "create-group", "--group-name", "human-users"]);
    m.aws(&[
        "iam",
        "attach-group-policy",
        "--group-name",
        "human-users",
        "--policy-arn",
        &arn,
    ]);
    assert_audit_passes(&m, "IAM-004", &["human-users"]);

    let dry = run_json(&m, &["mfa-enforcement", "--dry-run"], None, 0);
    assert_eq!(dry["plan"][0]["id"], "create-policy", "{dry}");
    assert_eq!(dry["plan"][0]["expect"], "in_place", "{dry}");
    let applied = run_json(&m, &["mfa-enforcement", "--yes"], None, 0);
    assert_all(&applied, "already_in_place");
    assert!(
        applied["results"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("denies access without MFA on its own"),
        "{applied}"
    );
    let (version, doc) = default_document(&m, &arn);
    assert_eq!(version, "v1", "no new version");
    assert_eq!(doc, original, "every statement is still there");
}

#[test]
fn mfa_enforcement_keeps_every_statement_of_a_policy_that_fails_iam_004() {
    let m = moto();
    m.aws(&["iam", "create-user", "--user-name", "alice"]);
    // Bool (long-term keys bypass it) and an extra Deny of the account's own.
    let bool_doc: Value = serde_json::from_str(BOOL_DOC).unwrap();
    let original = json!({"Version": "2012-10-17", "Statement": [bool_doc["Statement"][0], extra_deny()]});
    let arn = create_mfa_policy(&m, &original);

    let applied = run_json(&m, &["mfa-enforcement", "--yes"], None, 0);
    assert_all(&applied, "done");
    assert_eq!(applied["results"][0]["id"], "update-policy");
    assert_eq!(applied["results"][0]["previous"]["Document"], original);
    let (version, doc) = default_document(&m, &arn);
    assert_eq!(version, "v2");
    let now = doc["Statement"].as_array().unwrap();
    for statement in original["Statement"].as_array().unwrap() {
        assert!(now.contains(statement), "{statement} was dropped: {doc}");
    }
    assert!(now.contains(&guide_mfa_doc()["Statement"][0]), "{doc}");
    assert_eq!(now.len(), 3, "{doc}");
    assert_audit_passes(&m, "IAM-004", &["human-users"]);

    // Applying again changes nothing.
    let again = run_json(&m, &["mfa-enforcement", "--yes"], None, 0);
    assert_all(&again, "already_in_place");
    assert_eq!(default_document(&m, &arn).0, "v2");
}

#[test]
fn option_errors_name_the_command_line_flags() {
    // Refused before any AWS call: the library's errors in the command line's words.
    let demo = hipaa_iam_tests::demo_account();
    for (args, expected) in [
        (
            &["password-policy", "--replace"][..],
            "hipaa-iam: error: --replace applies only to permissions-boundary",
        ),
        (
            &["password-policy", "--no-boundary"][..],
            "hipaa-iam: error: --no-boundary applies only to create-user",
        ),
        (
            &["create-user"][..],
            "hipaa-iam: error: create-user needs --user-name NAME",
        ),
        (
            &["create-user", "--user-name", "bad name"][..],
            "hipaa-iam: error: --user-name \"bad name\": the character ' ' is not allowed",
        ),
        (
            &["group-membership", "--users", " "][..],
            "hipaa-iam: error: --users: empty user name in \" \"",
        ),
    ] {
        let out = Command::new(BIN)
            .arg("remediate")
            .args(args)
            .arg("--exports")
            .arg(&demo)
            .arg("--dry-run")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.starts_with(expected), "{args:?}: {stderr}");
    }
}

/// `audit --output-dir` of a fresh snapshot of the moto account into `out` (with `extra`).
fn evidence_of(m: &Moto, out: &Path, extra: &[&str]) {
    let exports = snapshot(m);
    let o = Command::new(BIN)
        .args(["audit", "--exports"])
        .arg(exports.path())
        .arg("--output-dir")
        .arg(out)
        .args(["--format", "json"])
        .args(extra)
        .envs(m.env())
        .output()
        .unwrap();
    assert!(
        o.status.code().unwrap() <= 1,
        "audit: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn diff_after_remediate_fixed_a_gap_and_a_user_was_added_names_resolved_new_and_still_open() {
    let m = moto();
    m.aws(&["iam", "create-user", "--user-name", "alice"]);
    m.aws(&[
        "iam",
        "create-login-profile",
        "--user-name",
        "alice",
        "--password",
        "Correct-Horse-9!",
    ]);
    m.aws(&[
        "iam",
        "update-account-password-policy",
        "--minimum-password-length",
        "8",
    ]);
    let tmp = tempfile::tempdir().unwrap();
    let (before, after) = (tmp.path().join("before"), tmp.path().join("after"));
    evidence_of(&m, &before, &[]);

    // remediate fixes the password policy; a console user without MFA joins.
    run_json(&m, &["password-policy", "--yes"], None, 0);
    m.aws(&["iam", "create-user", "--user-name", "bob"]);
    m.aws(&[
        "iam",
        "create-login-profile",
        "--user-name",
        "bob",
        "--password",
        "Correct-Horse-9!",
    ]);
    evidence_of(&m, &after, &["--previous", before.to_str().unwrap()]);

    let out = Command::new(BIN)
        .args([
            "diff",
            before.to_str().unwrap(),
            after.to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "critical gaps still open: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    let a = &d["account"];
    let has = |list: &Value, check: &str, name: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .any(|f| f["check_id"] == check && f["resource_name"] == name)
    };
    assert!(has(&a["resolved"], "IAM-001", MOTO_ACCOUNT_ID), "{}", a["resolved"]);
    assert!(has(&a["new"], "IAM-002", "bob"), "{}", a["new"]);
    assert!(has(&a["still_open"], "IAM-002", "alice"), "{}", a["still_open"]);
    assert!(!has(&a["new"], "IAM-002", "alice"));
    let added: Vec<&str> = a["principals_added"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["arn"].as_str().unwrap())
        .collect();
    assert_eq!(added, [format!("arn:aws:iam::{MOTO_ACCOUNT_ID}:user/bob")]);

    // The second audit carried alice's first sighting from the first.
    let read =
        |dir: &Path| -> Value { serde_json::from_slice(&std::fs::read(dir.join("findings.json")).unwrap()).unwrap() };
    let (then, now) = (read(&before), read(&after));
    let alice = now["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check_id"] == "IAM-002" && f["resource_name"] == "alice")
        .unwrap();
    assert_eq!(alice["first_seen"], then["as_of"], "{alice}");
    let bob = now["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check_id"] == "IAM-002" && f["resource_name"] == "bob")
        .unwrap();
    assert_eq!(bob["first_seen"], now["as_of"], "{bob}");
}
