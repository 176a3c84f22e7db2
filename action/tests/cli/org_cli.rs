//! `audit --org` / `collect --org` without AWS: argument errors name the argument, and an
//! organization collected earlier (`collect --org`'s directory) is audited offline with its
//! accounts' errors kept, the table or JSON on stdout, and the organization exit status.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::common::hipaa_iam_offline;
use hipaa_iam_tests::output;

fn hipaa_iam(args: &[&str], cwd: &Path) -> Output {
    // Nothing here may reach AWS.
    output(hipaa_iam_offline().args(args).current_dir(cwd))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn copy_as(from: &Path, to: &Path, id: &str) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_as(&entry.path(), &target, id);
        } else {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            std::fs::write(&target, text.replace("123456789012", id)).unwrap();
        }
    }
}

/// A collected organization: the demo account's data as that of 111111111111 and
/// 222222222222 (its account ID replaced), and
/// 333333333333 whose role could not be assumed.
fn collected(dir: &Path, with_error: bool) {
    let demo = hipaa_iam_tests::demo_account();
    copy_as(&demo, &dir.join("111111111111"), "111111111111");
    copy_as(&demo, &dir.join("222222222222"), "222222222222");
    let mut accounts = vec![
        serde_json::json!({"id": "111111111111", "name": "clinic"}),
        serde_json::json!({"id": "222222222222", "name": "billing"}),
    ];
    if with_error {
        accounts.push(serde_json::json!({
            "id": "333333333333",
            "name": "research",
            "error": "AccessDenied: User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::333333333333:role/OrganizationAccountAccessRole"
        }));
    }
    std::fs::write(
        dir.join("accounts.json"),
        serde_json::to_vec_pretty(&serde_json::json!({ "accounts": accounts })).unwrap(),
    )
    .unwrap();
}

#[test]
fn org_flags_without_org_and_bad_values_are_errors_naming_the_argument() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["audit", "--shard", "1/2"],
            "--shard only applies to organization runs: add --org",
        ),
        (
            &["audit", "--role-name", "R", "--accounts", "111111111111"],
            "--role-name, --accounts only apply to organization runs: add --org",
        ),
        (
            &["collect", "--output", "x", "--concurrency", "3", "--external-id", "abc"],
            "--external-id, --concurrency only apply to organization runs: add --org",
        ),
        (
            &["audit", "--org", "--shard", "3/2"],
            "--shard: `3/2` has shard number 3; it must be from 1 to 2",
        ),
        (&["audit", "--org", "--shard", "two"], "--shard: `two` is not I/N"),
        (
            &["audit", "--org", "--concurrency", "0"],
            "--concurrency: must be at least 1",
        ),
        (
            &["audit", "--org", "--accounts", "1234"],
            "--accounts: `1234` is not a 12-digit AWS account ID",
        ),
        (
            &["audit", "--org", "--role-name", "a b"],
            "--role-name: `a b` is not an IAM role name",
        ),
        (
            &["audit", "--org", "--format", "sarif"],
            "--format sarif is not available with --org: use table or json",
        ),
        (
            &["audit", "--org", "--format", "csv"],
            "--format csv is not available with --org",
        ),
        (
            &["audit", "--org", "--sarif-file", "x.sarif"],
            "--sarif-file is not available with --org",
        ),
        (
            &["collect", "--org", "--output", "x", "--shard", "0/1"],
            "--shard: `0/1` has shard number 0",
        ),
    ];
    for (args, message) in cases {
        let out = hipaa_iam(args, tmp.path());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    assert!(!tmp.path().join("x").exists(), "nothing is written on bad arguments");
}

#[test]
fn a_collected_organization_is_audited_offline_with_its_errors_and_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("org");
    collected(&dir, true);
    let d = dir.to_str().unwrap();

    let out = hipaa_iam(&["audit", "--org", "--exports", d, "--format", "json"], tmp.path());
    assert_eq!(out.status.code(), Some(2), "an account errored: {}", stderr(&out));
    assert!(
        !stderr(&out).contains('\u{1b}') && !stderr(&out).contains('\r'),
        "no progress bar off a terminal"
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let accounts = doc["accounts"].as_array().unwrap();
    let ids: Vec<&str> = accounts.iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["111111111111", "222222222222", "333333333333"]);
    assert_eq!(accounts[0]["name"], "clinic");
    assert_eq!(accounts[0]["report"]["account_id"], "111111111111");
    assert!(accounts[0].get("error").is_none());
    assert!(accounts[2].get("report").is_none());
    assert!(
        accounts[2]["error"]
            .as_str()
            .unwrap()
            .starts_with("AccessDenied: User: "),
        "{}",
        accounts[2]
    );
    // Exactly the one-account audit of the same data.
    let single = hipaa_iam(
        &[
            "audit",
            "--exports",
            dir.join("111111111111").to_str().unwrap(),
            "--format",
            "json",
        ],
        tmp.path(),
    );
    let single: Value = serde_json::from_slice(&single.stdout).unwrap();
    // But for what the organization run says of the service control policies: this
    // directory has no organization/ folder, so they are unknown (IAM-033, IAM-010's note).
    let without_scps = |findings: &Value| -> Vec<Value> {
        findings
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["check_id"] != "IAM-033")
            .map(|f| {
                let mut f = f.clone();
                let detail = f["detail"].as_str().unwrap();
                let cut = detail.find("; service control policies").unwrap_or(detail.len());
                f["detail"] = Value::from(&detail[..cut]);
                f
            })
            .collect()
    };
    assert_eq!(
        without_scps(&accounts[0]["report"]["findings"]),
        without_scps(&single["findings"])
    );
    let guardrails = accounts[0]["report"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check_id"] == "IAM-033")
        .unwrap();
    assert_eq!(guardrails["status"], "not-evaluated");
    assert!(
        guardrails["detail"]
            .as_str()
            .unwrap()
            .contains("has no organization/ folder"),
        "{guardrails}"
    );

    let out = hipaa_iam(&["audit", "--org", "--exports", d], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    let table = String::from_utf8_lossy(&out.stdout);
    let row = table.lines().find(|l| l.starts_with("333333333333")).unwrap();
    assert!(row.contains("research  ERROR AccessDenied: User: "), "{table}");
    assert!(
        table.contains("3 account(s): 2 audited, 1 error(s); fail-on high:"),
        "{table}"
    );

    // Without the failed account: failing findings at or above --fail-on are exit 1, and
    // --fail-on none is 0.
    let out = hipaa_iam(
        &[
            "audit",
            "--org",
            "--exports",
            d,
            "--accounts",
            "111111111111,222222222222",
        ],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let out = hipaa_iam(
        &["audit", "--org", "--exports", d, "--shard", "1/3", "--fail-on", "none"],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.lines().any(|l| l.starts_with("111111111111")), "{table}");
    assert!(!table.lines().any(|l| l.starts_with("222222222222")), "{table}");

    // A directory with another account's data is that account's error.
    std::fs::remove_dir_all(dir.join("222222222222")).unwrap();
    copy_as(
        &hipaa_iam_tests::demo_account(),
        &dir.join("222222222222"),
        "111111111111",
    );
    let out = hipaa_iam(&["audit", "--org", "--exports", d, "--format", "json"], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let e = doc["accounts"][1]["error"].as_str().unwrap();
    assert!(
        e.starts_with("WrongAccount: ") && e.ends_with("holds the data of account 111111111111"),
        "{e}"
    );
    assert!(doc["accounts"][0]["report"].is_object());

    // An ID that is not in the collected organization.
    let out = hipaa_iam(
        &["audit", "--org", "--exports", d, "--accounts", "444444444444"],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--accounts: 444444444444 is not an active account"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_bad_collected_organization_is_an_error_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out = hipaa_iam(&["audit", "--org", "--exports", empty.to_str().unwrap()], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("has no account directories"), "{}", stderr(&out));

    let bad = tmp.path().join("bad");
    collected(&bad, false);
    std::fs::write(bad.join("accounts.json"), r#"{"accounts":[{"id":"12ab","name":"x"}]}"#).unwrap();
    let out = hipaa_iam(&["audit", "--org", "--exports", bad.to_str().unwrap()], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    let e = stderr(&out);
    assert!(
        e.contains("accounts.json") && e.contains("accounts[0].id") && e.contains("`12ab`"),
        "{e}"
    );
}

#[test]
fn help_gives_the_organization_exit_status() {
    let out = hipaa_iam(&["audit", "--help"], Path::new("."));
    let help = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        help.contains("With --org: 2 when any account ended in an error"),
        "{help}"
    );
    assert!(
        help.contains("--shard <I/N>") && help.contains("--role-name <NAME>"),
        "{help}"
    );
}

#[test]
fn github_output_of_an_organization_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("org");
    collected(&dir, true);
    let (output, summary) = (tmp.path().join("output"), tmp.path().join("summary"));
    let out = crate::common::hipaa_iam()
        .args(["audit", "--org", "--github", "--exports", dir.to_str().unwrap()])
        .current_dir(tmp.path())
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let errors: Vec<String> = stderr(&out)
        .lines()
        .filter(|l| l.starts_with("::error"))
        .map(str::to_string)
        .collect();
    assert_eq!(errors.len(), 1, "{}", stderr(&out));
    assert!(
        errors[0].starts_with("::error title=account 333333333333::AccessDenied: User: "),
        "{}",
        errors[0]
    );
    // The demo account has 17 failing findings at or above high; two accounts hold its data.
    assert_eq!(
        std::fs::read_to_string(&output).unwrap(),
        "failed=true\nfail-count=34\nreport-dir=\nsarif-file=\n"
    );
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(
        summary.starts_with(
            "**hipaa-iam organization audit**: 3 account(s), 1 error(s); 34 failing finding(s) at or above high."
        ),
        "{summary}"
    );
    assert!(summary.contains("222222222222  billing"), "{summary}");
}
