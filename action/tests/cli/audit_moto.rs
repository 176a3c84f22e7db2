//! End to end on moto: an account with known gaps is built with the real AWS CLI, its
//! account data is exported with the AWS CLI commands the README lists ("The exports
//! directory"), and `hipaa-iam audit --format json` must report exactly the expected set of
//! (check, resource, status).
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use hipaa_iam_tests::{finding_triples, moto, Moto, MOTO_ACCOUNT_ID};
use serde_json::{json, Value};

use crate::common::hipaa_iam;

fn deny_without_mfa() -> String {
    hipaa_iam_core::remediate::DENY_WITHOUT_MFA_JSON.to_string()
}

/// The account: a weak password policy; `human-users` enforcing MFA with alice in it;
/// bob, a console administrator in no group; svc, a programmatic user whose group lets it
/// attach policies to itself; an empty group; an administrator role; a role an outside
/// account may assume without an external ID.
fn build(m: &Moto) {
    let boundary = include_str!("../../../core/tests/data/permissions_boundary.json");
    let admin = "arn:aws:iam::aws:policy/AdministratorAccess";
    m.aws(&[
        "iam",
        "update-account-password-policy",
        "--minimum-password-length",
        "8",
        "--require-symbols",
    ]);
    m.aws(&[
        "iam",
        "create-policy",
        "--policy-name",
        "deny-without-mfa",
        "--policy-document",
        &deny_without_mfa(),
    ]);
    m.aws(&[
        "iam",
        "create-policy",
        "--policy-name",
        "permissions-boundary-base",
        "--policy-document",
        boundary,
    ]);
    for g in ["human-users", "automation", "empty-group"] {
        m.aws(&["iam", "create-group", "--group-name", g]);
    }
    let dwm = format!("arn:aws:iam::{MOTO_ACCOUNT_ID}:policy/deny-without-mfa");
    m.aws(&[
        "iam",
        "attach-group-policy",
        "--group-name",
        "human-users",
        "--policy-arn",
        &dwm,
    ]);
    let escalate = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": "arn:aws:iam::*:user/${aws:username}"}
    ]});
    m.aws(&[
        "iam",
        "put-group-policy",
        "--group-name",
        "automation",
        "--policy-name",
        "escalate",
        "--policy-document",
        &escalate.to_string(),
    ]);
    for u in ["alice", "bob", "svc"] {
        m.aws(&["iam", "create-user", "--user-name", u]);
    }
    for u in ["alice", "bob"] {
        m.aws(&[
            "iam",
            "create-login-profile",
            "--user-name",
            u,
            "--password",
            "Correct-Horse-9-Battery",
        ]);
    }
    m.aws(&[
        "iam",
        "add-user-to-group",
        "--user-name",
        "alice",
        "--group-name",
        "human-users",
    ]);
    m.aws(&[
        "iam",
        "add-user-to-group",
        "--user-name",
        "svc",
        "--group-name",
        "automation",
    ]);
    m.aws(&["iam", "attach-user-policy", "--user-name", "bob", "--policy-arn", admin]);
    m.aws(&["iam", "create-access-key", "--user-name", "svc"]);
    // The administrator role trusts the account with MFA, and alice may assume it.
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{MOTO_ACCOUNT_ID}:root")}, "Action": "sts:AssumeRole",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]});
    let assume = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
        "Resource": format!("arn:aws:iam::{MOTO_ACCOUNT_ID}:role/admin-role")}]});
    m.aws(&[
        "iam",
        "put-user-policy",
        "--user-name",
        "alice",
        "--policy-name",
        "assume-admin",
        "--policy-document",
        &assume.to_string(),
    ]);
    m.aws(&[
        "iam",
        "create-role",
        "--role-name",
        "admin-role",
        "--assume-role-policy-document",
        &trust.to_string(),
    ]);
    m.aws(&[
        "iam",
        "attach-role-policy",
        "--role-name",
        "admin-role",
        "--policy-arn",
        admin,
    ]);
    let vendor = hipaa_iam_tests::account::trusting_account("210987654321");
    m.aws(&[
        "iam",
        "create-role",
        "--role-name",
        "vendor-scanner",
        "--assume-role-policy-document",
        &vendor.to_string(),
    ]);
}

fn write_json(dir: &Path, name: &str, v: &Value) {
    std::fs::write(dir.join(name), serde_json::to_vec_pretty(v).unwrap()).unwrap();
}

/// Writes the account data files with the AWS CLI commands of the README ("The exports directory").
/// moto has no Access Analyzer, so its optional files are absent.
fn export(m: &Moto, dir: &Path) {
    write_json(
        dir,
        "authorization-details.json",
        &m.aws(&["iam", "get-account-authorization-details"]),
    );
    let mut state = Value::Null;
    for _ in 0..20 {
        state = m.aws(&["iam", "generate-credential-report"]);
        if state["State"] == "COMPLETE" {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert_eq!(state["State"], "COMPLETE");
    let content = m.aws(&["iam", "get-credential-report", "--query", "Content"]);
    let mut b64 = Command::new("base64")
        .arg("-d")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    b64.stdin
        .take()
        .unwrap()
        .write_all(content.as_str().unwrap().as_bytes())
        .unwrap();
    let csv = b64.wait_with_output().unwrap();
    assert!(csv.status.success());
    std::fs::write(dir.join("credential-report.csv"), csv.stdout).unwrap();
    let pp = m.aws_raw(&["iam", "get-account-password-policy"]);
    if pp.status.success() {
        std::fs::write(dir.join("password-policy.json"), pp.stdout).unwrap();
    } else {
        assert!(String::from_utf8_lossy(&pp.stderr).contains("NoSuchEntity"));
    }
    write_json(dir, "account-summary.json", &m.aws(&["iam", "get-account-summary"]));
    write_json(
        dir,
        "virtual-mfa-devices.json",
        &m.aws(&["iam", "list-virtual-mfa-devices"]),
    );
}

fn expected() -> BTreeSet<(String, String, String)> {
    let rows: &[(&str, &str, &str)] = &[
        ("IAM-001", MOTO_ACCOUNT_ID, "fail"),
        ("IAM-002", "alice", "fail"),
        ("IAM-002", "bob", "fail"),
        ("IAM-002", "svc", "pass"),
        ("IAM-003", "alice", "pass"),
        ("IAM-003", "bob", "pass"),
        ("IAM-003", "svc", "fail"),
        ("IAM-004", "human-users", "pass"),
        ("IAM-005", "alice", "pass"),
        ("IAM-005", "bob", "fail"),
        ("IAM-005", "svc", "pass"),
        ("IAM-006", "alice", "pass"),
        ("IAM-006", "bob", "fail"),
        ("IAM-006", "svc", "pass"),
        ("IAM-007", "alice", "fail"),
        ("IAM-007", "bob", "fail"),
        ("IAM-007", "svc", "pass"),
        ("IAM-008", "alice", "fail"),
        ("IAM-008", "bob", "fail"),
        ("IAM-008", "svc", "fail"),
        ("IAM-009", "permissions-boundary-base", "pass"),
        ("IAM-010", "alice", "pass"),
        ("IAM-010", "bob", "fail"),
        ("IAM-010", "svc", "pass"),
        ("IAM-011", "automation/escalate", "fail"),
        ("IAM-011", "alice/assume-admin", "pass"),
        ("IAM-011", "deny-without-mfa", "pass"),
        ("IAM-011", "permissions-boundary-base", "pass"),
        ("IAM-012", "alice", "pass"),
        ("IAM-012", "bob", "pass"),
        ("IAM-012", "svc", "pass"),
        ("IAM-013", "alice", "pass"),
        ("IAM-013", "bob", "pass"),
        ("IAM-013", "svc", "pass"),
        ("IAM-014", "alice", "pass"),
        ("IAM-014", "bob", "pass"),
        ("IAM-014", "svc", "pass"),
        ("IAM-015", "<root_account>", "fail"),
        ("IAM-016", "<root_account>", "fail"),
        ("IAM-017", "<root_account>", "pass"),
        ("IAM-018", "<root_account>", "not-evaluated"),
        ("IAM-019", "(no region)", "not-evaluated"),
        ("IAM-020", "(no region)", "not-evaluated"),
        ("IAM-021", "automation", "pass"),
        ("IAM-021", "empty-group", "fail"),
        ("IAM-021", "human-users", "pass"),
        ("IAM-022", "admin-role", "fail"),
        ("IAM-022", "vendor-scanner", "pass"),
        ("IAM-023", "alice", "pass"),
        ("IAM-023", "svc", "fail"),
        ("IAM-025", "alice", "fail"),
        ("IAM-025", "svc", "pass"),
        ("IAM-026", "vendor-scanner", "pass"),
        // The guide's boundary (tests/data) denies `sso-admin:*`, which no IAM service has.
        ("IAM-024", "permissions-boundary-base", "fail"),
        ("IAM-024", "deny-without-mfa", "pass"),
        ("IAM-024", "automation/escalate", "pass"),
        ("IAM-024", "alice/assume-admin", "pass"),
        ("IAM-027", "admin-role", "pass"),
        ("IAM-027", "vendor-scanner", "pass"),
        ("IAM-028", "admin-role", "pass"),
        ("IAM-028", "vendor-scanner", "fail"),
        // A single-account run: the service control policies are not collected.
        ("IAM-033", "123456789012", "not-evaluated"),
        // The account data has no Identity Center files.
        ("IAM-029", "IAM Identity Center", "not-evaluated"),
        ("IAM-030", "IAM Identity Center", "not-evaluated"),
        ("IAM-031", "IAM Identity Center", "not-evaluated"),
        ("IAM-032", "IAM Identity Center", "not-evaluated"),
    ];
    rows.iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect()
}

/// Runs `hipaa-iam audit --format json` with `extra` arguments against moto; returns the
/// report, the (check_id, resource_name, status) set and stderr.
fn audit(m: &Moto, extra: &[&str]) -> (Value, BTreeSet<(String, String, String)>, String) {
    let out = hipaa_iam()
        .arg("audit")
        .args(extra)
        .args(["--format", "json"])
        .envs(m.env())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let got = finding_triples(&report);
    (report, got, stderr)
}

fn assert_same(got: &BTreeSet<(String, String, String)>, want: &BTreeSet<(String, String, String)>, stderr: &str) {
    let extra: Vec<_> = got.difference(want).collect();
    let missing: Vec<_> = want.difference(got).collect();
    assert!(
        extra.is_empty() && missing.is_empty(),
        "unexpected: {extra:#?}\nmissing: {missing:#?}\nstderr: {stderr}"
    );
}

#[test]
fn audit_of_a_moto_account_reports_exactly_its_gaps() {
    let m = moto();
    build(&m);

    // Live: collected through the SDK into memory. moto has no Access Analyzer, so the
    // audited region's analyzer checks are errors naming the failed call.
    let (live, got, stderr) = audit(&m, &["--regions", "us-east-1"]);
    let mut want_live = expected();
    want_live.retain(|(id, _, _)| id != "IAM-019" && id != "IAM-020");
    // Live, moto's Identity Center instance of the region is collected: empty (no user,
    // group or permission set), so IAM-029..IAM-032 each pass on the instance once.
    want_live.retain(|(id, _, _)| !["IAM-029", "IAM-030", "IAM-031", "IAM-032"].contains(&id.as_str()));
    let instance = live["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check_id"] == "IAM-029")
        .and_then(|f| f["resource_arn"].as_str())
        .and_then(|arn| arn.rsplit('/').next())
        .unwrap()
        .to_string();
    assert!(instance.starts_with("ssoins-"), "{instance}");
    for (id, what) in [
        ("IAM-029", "users"),
        ("IAM-030", "assignments"),
        ("IAM-031", "permission sets"),
        ("IAM-032", "permission sets"),
    ] {
        want_live.insert((id.to_string(), format!("{what} of {instance}"), "pass".to_string()));
    }
    for id in ["IAM-019", "IAM-020"] {
        want_live.insert((id.to_string(), "us-east-1".to_string(), "error".to_string()));
    }
    assert_same(&got, &want_live, &stderr);
    let analyzer = live["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check_id"] == "IAM-019")
        .unwrap();
    assert!(
        analyzer["detail"].as_str().unwrap().contains("analyzers.json"),
        "{analyzer}"
    );

    // Offline: the same account exported with the AWS CLI's own commands.
    let dir = tempfile::tempdir().unwrap();
    export(&m, dir.path());
    let (report, got, stderr) = audit(&m, &["--exports", dir.path().to_str().unwrap()]);
    assert_same(&got, &expected(), &stderr);
    // The details say why.
    let detail = |id: &str, name: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["check_id"] == id && f["resource_name"] == name)
            .map(|f| f["detail"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert!(detail("IAM-001", MOTO_ACCOUNT_ID).contains("MinimumPasswordLength is 8"));
    assert!(
        detail("IAM-010", "bob").contains("AdministratorAccess"),
        "{}",
        detail("IAM-010", "bob")
    );
    assert!(
        detail("IAM-023", "svc").contains("iam:AttachUserPolicy"),
        "{}",
        detail("IAM-023", "svc")
    );
    // The path to the administrator role, hop by hop, live and offline alike.
    let path = detail("IAM-025", "alice");
    assert!(
        path.contains("user alice -> sts:AssumeRole (inline assume-admin on user alice [statement 1], trust policy of role admin-role")
            && path.contains("requires MFA) -> role admin-role -> AdministratorAccess")
            && path.contains("(every hop requires MFA); service control policies unknown (not collected"),
        "{path}"
    );
    let live_path = live["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check_id"] == "IAM-025" && f["resource_name"] == "alice")
        .map(|f| f["detail"].as_str().unwrap().to_string());
    assert_eq!(live_path.as_deref(), Some(path.as_str()));
}

/// `aws iam get-account-authorization-details --filter User` lists users with their
/// GroupList but no group: an administrator through a group must not pass.
#[test]
fn users_exported_without_their_groups_are_not_evaluated() {
    let m = moto();
    let admin = "arn:aws:iam::aws:policy/AdministratorAccess";
    m.aws(&["iam", "create-group", "--group-name", "admins"]);
    m.aws(&[
        "iam",
        "attach-group-policy",
        "--group-name",
        "admins",
        "--policy-arn",
        admin,
    ]);
    m.aws(&["iam", "create-user", "--user-name", "break-glass"]);
    m.aws(&[
        "iam",
        "add-user-to-group",
        "--user-name",
        "break-glass",
        "--group-name",
        "admins",
    ]);
    let run = |auth: &Value| {
        let dir = tempfile::tempdir().unwrap();
        write_json(dir.path(), "authorization-details.json", auth);
        let out = hipaa_iam()
            .args(["audit", "--format", "json", "--checks", "IAM-010,IAM-023", "--exports"])
            .arg(dir.path())
            .envs(m.env())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
        (report, out.status.code(), stderr)
    };
    let status = |report: &Value, check: &str| {
        let f = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["check_id"] == check && f["resource_name"] == "break-glass")
            .unwrap_or_else(|| panic!("no {check} finding: {report}"));
        (
            f["status"].as_str().unwrap().to_string(),
            f["detail"].as_str().unwrap().to_string(),
        )
    };

    // The whole file: the administrator fails IAM-010.
    let (report, code, stderr) = run(&m.aws(&["iam", "get-account-authorization-details"]));
    assert_eq!(status(&report, "IAM-010").0, "fail", "{stderr}");
    assert_eq!(code, Some(1));

    // Users only.
    let users_only = m.aws(&["iam", "get-account-authorization-details", "--filter", "User"]);
    assert_eq!(users_only["GroupDetailList"], json!([]), "{users_only}");
    assert_eq!(users_only["UserDetailList"][0]["GroupList"], json!(["admins"]));
    let (report, _code, stderr) = run(&users_only);
    for check in ["IAM-010", "IAM-023"] {
        let (s, detail) = status(&report, check);
        assert_eq!(s, "not-evaluated", "{check}: {detail}");
        assert!(detail.contains("group admins"), "{check}: {detail}");
    }
    assert!(
        stderr.contains("warning: group admins") && stderr.contains("break-glass"),
        "{stderr}"
    );
}
