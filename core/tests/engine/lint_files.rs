//! `lint-policy` on files: the real-world-shaped documents of `examples/policies` (the
//! guide's two, the demo account's, a Terraform file, one with typos) give exactly these
//! problems at exactly these places; the SARIF log is valid and points at them.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use hipaa_iam_core::api::{lint, LintRequest};
use hipaa_iam_core::lint::files::{lint_paths, LintReport};
use hipaa_iam_core::report::sarif;
use hipaa_iam_core::run::FailOn;
use hipaa_iam_tests::workspace_root;

fn examples() -> PathBuf {
    workspace_root().join("examples/policies")
}

/// `file:line:column rule` of every problem, the file relative to `examples/policies`.
fn places(report: &LintReport, root: &Path) -> Vec<String> {
    let root = format!("{}/", root.to_string_lossy().replace('\\', "/"));
    report
        .problems
        .iter()
        .map(|p| {
            format!(
                "{}:{}:{} {}",
                p.file.strip_prefix(&root).unwrap_or(&p.file),
                p.line,
                p.column,
                p.rule
            )
        })
        .collect()
}

/// What `examples/policies` holds, problem by problem.
const EXPECTED: &[&str] = &[
    "demo-account/imaging-s3-full-access.json:7:17 service-wildcard",
    // The guide's boundary (and the demo account's copy of it) denies `sso-admin:*`, a
    // prefix IAM does not have.
    "demo-account/permissions-boundary-base.json:44:9 unknown-action",
    "guide/permissions_boundary.json:44:9 unknown-action",
    // The heredoc (<<-, indented): iam:PassRole on "*".
    "terraform/main.tf:24:23 pass-role-star",
    // jsonencode: NotAction with Allow on "*" (the statement with `s3:*` is on
    // `var.records_bucket_arn`, an opaque value, so it is no wildcard on every resource).
    "terraform/main.tf:56:23 allow-not-action",
    // jsonencode with a single-object Statement: "*" under an MFA condition.
    "terraform/main.tf:71:18 service-wildcard",
    // A data "aws_iam_policy_document": a misspelt exemption in the guide's MFA Deny.
    "terraform/mfa.tf:9:7 unknown-action",
    "typos.json:7:18 unknown-action",
    "typos.json:13:17 unknown-action",
    "typos.json:19:18 unknown-action",
];

#[test]
fn the_example_policies_give_exact_problems_at_their_places() {
    let report = lint_paths(&[examples()]).expect("lint");
    assert_eq!(places(&report, &examples()), EXPECTED);
    // Every JSON file and the Terraform files were read: 12 JSON documents, 4 in main.tf
    // (the queue's redrive_policy is JSON without Statement, not a policy) and 1 in mfa.tf.
    assert_eq!(report.files.len(), 14, "{:?}", report.files);
    assert_eq!(report.documents, 17);
    assert!(report.warnings.is_empty());

    let typos: Vec<&str> = report
        .problems
        .iter()
        .filter(|p| p.file.ends_with("typos.json"))
        .map(|p| p.message.as_str())
        .collect();
    assert!(typos[0].contains("\"iam:EnableMfaDevices\"") && typos[0].contains("did you mean iam:EnableMFADevice?"));
    assert!(typos[1].contains("did you mean s3:GetObject?"));
    assert!(typos[2].contains("did you mean kms:Decrypt?") && typos[2].contains("the Deny does not apply"));
    let p = &report.problems[0];
    assert_eq!(
        (p.pointer.as_str(), p.severity.as_str()),
        ("/Statement/0/Action", "medium")
    );
}

#[test]
fn fail_on_counts_the_problems_at_or_above_it() {
    let run = |fail_on| {
        lint(&LintRequest {
            paths: vec![examples()],
            fail_on,
        })
        .expect("lint")
        .verdict
    };
    let high = run(FailOn::High);
    assert!(high.failed);
    assert_eq!(high.failing, 1);
    assert_eq!(high.failing_checks, vec!["pass-role-star"]);
    let medium = run(FailOn::Medium);
    assert_eq!(medium.failing, EXPECTED.len());
    assert_eq!(
        medium.failing_checks,
        vec![
            "allow-not-action",
            "pass-role-star",
            "service-wildcard",
            "unknown-action"
        ]
    );
    assert!(!run(FailOn::Critical).failed);
    assert!(!run(FailOn::None).failed);
}

#[test]
fn the_lint_sarif_log_is_valid_and_locates_each_problem() {
    let validator = crate::evidence::sarif_schema();
    let report = lint_paths(&[examples()]).expect("lint");
    let log: serde_json::Value = serde_json::from_str(&sarif::render_lint(&report)).expect("json");
    crate::evidence::assert_valid_sarif(&validator, &log);

    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap_or("")).collect();
    assert_eq!(
        ids,
        [
            "invalid-policy",
            "unknown-action",
            "full-access",
            "service-wildcard",
            "allow-not-action",
            "mfa-condition-bypass",
            "pass-role-star"
        ]
    );
    assert_eq!(rules[6]["defaultConfiguration"]["level"], "error");
    assert_eq!(rules[1]["defaultConfiguration"]["level"], "warning");
    assert!(rules[1]["help"]["text"]
        .as_str()
        .unwrap_or("")
        .contains("closest real action"));
    assert_eq!(run["tool"]["driver"]["version"], hipaa_iam_core::VERSION);

    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), EXPECTED.len());
    let located: Vec<String> = results
        .iter()
        .map(|r| {
            let loc = &r["locations"][0]["physicalLocation"];
            let uri = loc["artifactLocation"]["uri"].as_str().unwrap_or("");
            let file = uri.rsplit("examples/policies/").next().unwrap_or(uri);
            let rule = r["ruleId"].as_str().unwrap_or("");
            assert_eq!(rules[r["ruleIndex"].as_u64().unwrap_or(99) as usize]["id"], rule);
            format!(
                "{file}:{}:{} {rule}",
                loc["region"]["startLine"], loc["region"]["startColumn"]
            )
        })
        .collect();
    assert_eq!(located, EXPECTED);
    // A problem's fingerprint does not move with its line.
    assert!(results[0]["partialFingerprints"]["hipaaIamPolicy/v1"]
        .as_str()
        .is_some_and(|f| f.len() == 64));
}

#[test]
fn a_directory_skips_what_is_not_a_policy_and_warns_of_what_is_not_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::write(root.join("package.json"), r#"{"name": "x"}"#).expect("write");
    std::fs::write(root.join("tsconfig.json"), "{\n  // comments\n}\n").expect("write");
    std::fs::create_dir_all(root.join(".terraform/modules")).expect("mkdir");
    std::fs::write(
        root.join(".terraform/modules/x.tf"),
        "policy = <<EOF\n{\"Statement\": \"broken\nEOF\n",
    )
    .expect("write");
    std::fs::write(
        root.join("p.json"),
        "{\r\n  \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"iam:PassRole\", \"Resource\": \"*\"}\r\n}\r\n",
    )
    .expect("write");
    let report = lint_paths(&[root.to_path_buf()]).expect("lint");
    assert_eq!(places(&report, root), ["p.json:2:74 pass-role-star"]);
    assert_eq!(report.files.len(), 1);
    assert_eq!(report.warnings.len(), 1);
    assert!(
        report.warnings[0].starts_with("skipped ")
            && report.warnings[0].contains("tsconfig.json: line 2 column 3: not valid JSON"),
        "{:?}",
        report.warnings
    );
    // Named on its own, the same file is an error.
    let e = lint_paths(&[root.join("tsconfig.json")]).unwrap_err().to_string();
    assert!(e.contains("tsconfig.json: line 2 column 3: not valid JSON"), "{e}");
    let e = lint_paths(&[root.join("package.json")]).unwrap_err().to_string();
    assert!(e.contains("package.json: is not an IAM policy document"), "{e}");
    // A directory without any file to read says so.
    let empty = root.join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let report = lint_paths(std::slice::from_ref(&empty)).expect("lint");
    assert_eq!(
        report.warnings,
        [format!(
            "{}: no *.json or *.tf file below this directory",
            empty.display()
        )]
    );
    let e = lint_paths(&[]).unwrap_err().to_string();
    assert_eq!(e, "no policy file or directory to lint");
}

#[test]
fn a_heredoc_that_is_not_json_is_an_invalid_policy_at_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tf = dir.path().join("iam.tf");
    std::fs::write(
        &tf,
        "resource \"aws_iam_policy\" \"p\" {\n  policy = <<EOF\n{\n  \"Statement\": [\n    ${local.statement}\n  ]\n}\nEOF\n}\n",
    )
    .expect("write");
    let report = lint_paths(&[tf]).expect("lint");
    assert_eq!(places(&report, dir.path()), ["iam.tf:5:5 invalid-policy"]);
    assert!(report.problems[0].message.starts_with("this heredoc is not valid JSON"));
    // A Terraform file that is itself broken is an error naming it and the place.
    let broken = dir.path().join("broken.tf");
    std::fs::write(&broken, "resource \"x\" \"y\" {\n  policy = <<EOF\n{}\n").expect("write");
    let e = lint_paths(&[broken]).unwrap_err().to_string();
    assert!(
        e.ends_with("broken.tf: line 2 column 12: this heredoc is not closed by a line EOF"),
        "{e}"
    );
}
