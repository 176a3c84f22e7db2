//! `hipaa-iam lint-policy` end to end: the text lines and summary, the exit statuses of
//! `--fail-on` (as `audit`'s), JSON and SARIF naming files as given, GitHub annotations at
//! their places, bad input (exit 2, naming the file and place), hostile text made harmless.
#![allow(clippy::unwrap_used)]

use std::process::{Command, Output};

use hipaa_iam_tests::{output, workspace_root};
use serde_json::Value;

use crate::common::hipaa_iam;

/// `hipaa-iam lint-policy ARGS...` from the workspace root (so paths are given relative).
fn lint(args: &[&str]) -> Output {
    let mut c: Command = hipaa_iam();
    c.current_dir(workspace_root()).arg("lint-policy").args(args);
    output(&mut c)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The number of actions `NotAction` leaves depends on the catalogue's date: `N` instead.
fn without_counts(s: &str) -> String {
    let mut out = String::new();
    for part in s.split_inclusive(' ') {
        if part == "actions " && out.ends_with(|c: char| c.is_ascii_digit() || c == ' ') {
            let trimmed = out
                .trim_end()
                .trim_end_matches(|c: char| c.is_ascii_digit())
                .to_string();
            out = format!("{trimmed}N ");
        }
        out.push_str(part);
    }
    out
}

const EXAMPLE_LINES: &str = "\
examples/policies/demo-account/imaging-s3-full-access.json:7:17: medium service-wildcard: ImagingEverything allows \"s3:*\" (every action of s3) on *
examples/policies/demo-account/permissions-boundary-base.json:44:9: medium unknown-action: \"sso-admin:*\" (Deny Action of DenyOrgAndAccountAdmin): no AWS service has the prefix \"sso-admin\"; did you mean sso:*?; the Deny does not apply to it: the protection silently does not apply
examples/policies/guide/permissions_boundary.json:44:9: medium unknown-action: \"sso-admin:*\" (Deny Action of DenyOrgAndAccountAdmin): no AWS service has the prefix \"sso-admin\"; did you mean sso:*?; the Deny does not apply to it: the protection silently does not apply
examples/policies/terraform/main.tf:24:23: high pass-role-star: PassAnyRole allows iam:PassRole on every role without an iam:PassedToService condition: any role, an administrator's too, can be handed to new compute
examples/policies/terraform/main.tf:56:23: medium allow-not-action: EverythingElse allows every action but [iam:*, organizations:*] on *: N actions today, and every action AWS adds later
examples/policies/terraform/main.tf:71:18: medium service-wildcard: statement 1 allows \"*\" (every action) on *, under conditions
examples/policies/terraform/mfa.tf:9:7: medium unknown-action: \"iam:EnableMfaDevices\" (Deny NotAction of DenyAllActionsIfNoMFA): iam has no such action; did you mean iam:EnableMFADevice?; the intended exemption does not apply: the Deny covers the real action too
examples/policies/typos.json:7:18: medium unknown-action: \"iam:EnableMfaDevices\" (Allow Action of SelfServiceMfa): iam has no such action; did you mean iam:EnableMFADevice?; it grants nothing: the permission meant is missing
examples/policies/typos.json:13:17: medium unknown-action: \"s3:GetObjects\" (Allow Action of ReadRecords): s3 has no such action; did you mean s3:GetObject?; it grants nothing: the permission meant is missing
examples/policies/typos.json:19:18: medium unknown-action: \"kms:decrypts\" (Deny Action of DenyDecryptOutsideVpc): kms has no such action; did you mean kms:Decrypt?; the Deny does not apply to it: the protection silently does not apply

10 problems (0 critical, 1 high, 9 medium, 0 low) in 6 of 14 files, 17 policy documents
";

#[test]
fn lint_policy_prints_each_problem_at_its_place_and_exits_as_audit() {
    let out = lint(&["examples/policies"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(
        without_counts(&text(&out.stdout)),
        format!("{EXAMPLE_LINES}fail-on high: 1 problem(s) at or above it\n")
    );
    assert_eq!(text(&out.stderr), "");

    let out = lint(&["examples/policies", "--fail-on", "critical"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).ends_with("fail-on critical: 0 problem(s) at or above it\n"));
    let out = lint(&["examples/policies", "--fail-on", "medium"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).ends_with("fail-on medium: 10 problem(s) at or above it\n"));
    let out = lint(&["examples/policies", "--fail-on", "none"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).ends_with("fail-on none: problems do not fail the run\n"));

    // Files named one by one, and a clean one.
    let out = lint(&[
        "examples/policies/guide/deny_without_mfa.json",
        "examples/policies/demo-account/ops-admin.trust.json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stdout),
        "0 problems (0 critical, 0 high, 0 medium, 0 low) in 0 of 2 files, 2 policy documents\n\
         fail-on high: 0 problem(s) at or above it\n"
    );

    let help = text(&lint(&["--help"]).stdout);
    for needle in [
        "mfa-condition-bypass",
        "jsonencode",
        "_policy",
        "skipped silently",
        "Exit status: 0",
    ] {
        assert!(help.contains(needle), "--help lacks {needle}: {help}");
    }
}

#[test]
fn lint_policy_json_and_sarif_name_the_files_as_given() {
    let out = lint(&[
        "examples/policies/typos.json",
        "--format",
        "json",
        "--fail-on",
        "medium",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["report"]["files"],
        serde_json::json!(["examples/policies/typos.json"])
    );
    assert_eq!(v["report"]["problems"][1]["pointer"], "/Statement/1/Action");
    assert_eq!(v["report"]["problems"][1]["line"], 13);
    assert_eq!(v["verdict"]["failing"], 3);
    assert_eq!(v["verdict"]["failing_checks"], serde_json::json!(["unknown-action"]));

    let dir = hipaa_iam_tests::temp_dir();
    let file = dir.path().join("lint.sarif");
    let out = lint(&[
        "examples/policies/terraform",
        "--format",
        "sarif",
        "--sarif-file",
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        std::fs::read(&file).unwrap(),
        out.stdout,
        "--sarif-file holds what --format sarif prints"
    );
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let places: Vec<(String, u64, u64)> = results
        .iter()
        .map(|r| {
            let l = &r["locations"][0]["physicalLocation"];
            (
                l["artifactLocation"]["uri"].as_str().unwrap().to_string(),
                l["region"]["startLine"].as_u64().unwrap(),
                l["region"]["startColumn"].as_u64().unwrap(),
            )
        })
        .collect();
    let tf = "examples/policies/terraform/main.tf".to_string();
    let mfa = "examples/policies/terraform/mfa.tf".to_string();
    assert_eq!(
        places,
        vec![(tf.clone(), 24, 23), (tf.clone(), 56, 23), (tf, 71, 18), (mfa, 9, 7)]
    );
}

#[test]
fn lint_policy_bad_input_exits_2_naming_the_file_and_place() {
    let dir = hipaa_iam_tests::temp_dir();
    let d = dir.path();
    std::fs::write(
        d.join("broken.json"),
        "{\n  \"Statement\": [\n    {\"Effect\": \"Allow\",,}\n  ]\n}\n",
    )
    .unwrap();
    std::fs::write(d.join("package.json"), "{\"name\": \"x\"}\n").unwrap();
    std::fs::write(
        d.join("broken.tf"),
        "resource \"a\" \"b\" {\n  policy = \"unclosed\n}\n",
    )
    .unwrap();
    for (file, message) in [
        ("missing.json", "missing.json: No such file or directory"),
        (
            "broken.json",
            "broken.json: line 3 column 24: not valid JSON: key must be a string",
        ),
        (
            "package.json",
            "package.json: is not an IAM policy document (a JSON object with \"Statement\")",
        ),
        (
            "broken.tf",
            "broken.tf: line 2 column 12: this string is not closed on its line",
        ),
    ] {
        let out = lint(&[d.join(file).to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{file}");
        let err = text(&out.stderr);
        assert!(
            err.starts_with("hipaa-iam: error: ") && err.contains(message),
            "{file}: {err}"
        );
        assert_eq!(text(&out.stdout), "", "nothing half-written for {file}");
    }
    // No file at all, or an unknown format: usage errors.
    assert_eq!(lint(&[]).status.code(), Some(2));
    assert_eq!(lint(&["examples/policies", "--format", "xml"]).status.code(), Some(2));
    // In a directory, the JSON file that is not valid is skipped with a warning, the one
    // that is no policy silently; the Terraform file still breaks the run.
    std::fs::remove_file(d.join("broken.tf")).unwrap();
    let out = lint(&[d.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.starts_with("hipaa-iam: warning: skipped ") && err.contains("broken.json: line 3 column 24"),
        "{err}"
    );
    assert!(!err.contains("package.json"));
    assert!(text(&out.stdout).starts_with("0 problems (0 critical, 0 high, 0 medium, 0 low) in 0 of 0 files"));
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_naming_it_not_a_hang() {
    let dir = hipaa_iam_tests::temp_dir();
    let fifo = dir.path().join("policy.json");
    let status = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success());
    // Named, and found in a directory: nothing opens it for a blocking read.
    for arg in [&fifo, &dir.path().to_path_buf()] {
        let out = lint(&[arg.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{}", arg.display());
        let err = text(&out.stderr);
        assert!(
            err.contains(&format!(
                "{}: is a FIFO (named pipe), not a regular file",
                fifo.display()
            )),
            "{err}"
        );
    }
}

#[test]
fn lint_policy_annotates_problems_at_their_places_for_github() {
    let mut c = hipaa_iam();
    c.current_dir(workspace_root()).env("GITHUB_ACTIONS", "true").args([
        "lint-policy",
        "examples/policies/terraform/main.tf",
        "--format",
        "sarif",
    ]);
    let out = output(&mut c);
    assert_eq!(out.status.code(), Some(1));
    // After SARIF on stdout, the annotations go to stderr: only those at or above fail-on.
    assert_eq!(
        text(&out.stderr),
        "::error file=examples/policies/terraform/main.tf,line=24,col=23,title=pass-role-star (high)::PassAnyRole allows \
         iam:PassRole on every role without an iam:PassedToService condition: any role, an administrator's too, can be \
         handed to new compute\n"
    );
    serde_json::from_slice::<Value>(&out.stdout).expect("stdout is still the SARIF log alone");
    let mut c = hipaa_iam();
    c.current_dir(workspace_root()).env("GITHUB_ACTIONS", "true").args([
        "lint-policy",
        "examples/policies/terraform/main.tf",
        "--no-github",
    ]);
    assert!(!text(&output(&mut c).stdout).contains("::error"));
}

#[test]
fn lint_policy_shows_hostile_text_as_data() {
    let dir = hipaa_iam_tests::temp_dir();
    // A file name and an action with control characters: an escape sequence and a line
    // break that would forge a workflow command.
    let name = "evil\u{1b}[31m\n::error::x.json";
    let file = dir.path().join(name);
    std::fs::write(
        &file,
        "{\"Statement\": {\"Effect\": \"Deny\", \"Action\": \"s3:Get\\u001b[2JObject\\n::warning::y\", \"Resource\": \"*\"}}",
    )
    .unwrap();
    let mut c = hipaa_iam();
    c.current_dir(dir.path())
        .env("GITHUB_ACTIONS", "true")
        .args(["lint-policy", "--fail-on", "medium", name]);
    let out = output(&mut c);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(!stdout.contains('\u{1b}'), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].starts_with(
            "evil?[31m?::error::x.json:1:44: medium unknown-action: \"s3:Get\\u{1b}[2JObject\\n::warning::y\""
        ),
        "{stdout}"
    );
    // The annotation escapes the line break in both the file property and the message.
    let annotation = lines.iter().find(|l| l.starts_with("::error file=")).unwrap();
    assert!(
        annotation.starts_with("::error file=evil?[31m%0A%3A%3Aerror%3A%3Ax.json,line=1,col=44,"),
        "{annotation}"
    );
    assert!(
        !stdout
            .lines()
            .any(|l| l.starts_with("::error::") || l.starts_with("::warning::")),
        "{stdout}"
    );
}
