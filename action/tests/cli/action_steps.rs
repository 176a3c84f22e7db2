//! Runs the composite action (`action/action.yml`) the way the GitHub runner does: each
//! step's `run` script with its `shell: bash` (`bash --noprofile --norc -eo pipefail`), the
//! `env:` it declares with `${{ inputs.* }}` substituted, a fresh `GITHUB_OUTPUT` and
//! `GITHUB_STEP_SUMMARY` per step, `GITHUB_ACTION_PATH`, `GITHUB_ACTIONS=true`,
//! `RUNNER_OS`/`RUNNER_ARCH`/`RUNNER_TEMP`, and the step `if:` conditions on earlier steps'
//! outputs. The binary comes from `HIPAA_IAM_BIN` (the test build), which run.sh honours
//! instead of downloading or building one.
//!
//! Unix only: the steps are bash scripts, and on Windows `bash` on the PATH may be WSL's
//! rather than the runner's Git Bash; the action-selftest workflow runs the action on
//! Windows runners.
#![cfg(unix)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_norway::Value;

use crate::common::{hipaa_iam, BIN};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

fn action() -> Value {
    let text = std::fs::read_to_string(root().join("action/action.yml")).expect("read action.yml");
    serde_norway::from_str(&text).expect("action.yml is YAML")
}

/// What one run of the action did.
#[derive(Debug, Default)]
struct Run {
    /// Names of the steps that ran, in order.
    ran: Vec<String>,
    /// The failing step's name and exit status, if one failed.
    failed: Option<(String, i32)>,
    /// Every run step's stdout and stderr.
    log: String,
    /// The action's outputs (`outputs:` resolved from the steps' outputs).
    outputs: BTreeMap<String, String>,
    /// Everything the steps appended to their step summaries.
    summary: String,
}

/// Parses a `GITHUB_OUTPUT` file: `name=value` and `name<<DELIM ... DELIM`.
fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((name, delim)) = line.split_once("<<") {
            let mut value = Vec::new();
            for l in lines.by_ref() {
                if l == delim {
                    break;
                }
                value.push(l);
            }
            out.insert(name.to_string(), value.join("\n"));
        } else if let Some((name, value)) = line.split_once('=') {
            out.insert(name.to_string(), value.to_string());
        }
    }
    out
}

/// Substitutes `${{ inputs.NAME }}` the way the runner does (the value, as data).
fn substitute(text: &str, inputs: &BTreeMap<String, String>) -> String {
    let mut s = text.to_string();
    for (name, value) in inputs {
        s = s.replace(&format!("${{{{ inputs.{name} }}}}"), value);
    }
    assert!(!s.contains("${{"), "an expression the test does not know: {text}");
    s
}

/// Evaluates the `if:` forms action.yml uses: none, or `steps.ID.outputs.NAME == 'VALUE'`.
fn condition(cond: Option<&str>, steps: &BTreeMap<String, BTreeMap<String, String>>) -> bool {
    let Some(cond) = cond else { return true };
    let (lhs, rhs) = cond.split_once("==").unwrap_or_else(|| panic!("unknown if: {cond}"));
    let path: Vec<&str> = lhs.trim().split('.').collect();
    assert!(
        path.len() == 4 && path[0] == "steps" && path[2] == "outputs",
        "unknown if: {cond}"
    );
    let value = steps
        .get(path[1])
        .and_then(|o| o.get(path[3]))
        .cloned()
        .unwrap_or_default();
    value == rhs.trim().trim_matches('\'')
}

/// Runs the action's steps with `with` as its inputs, in `work` (the job's working
/// directory, here the repository root so that relative inputs resolve like in a checkout).
fn run_action(with: &[(&str, &str)], tmp: &Path) -> Run {
    let action = action();
    let mut inputs: BTreeMap<String, String> = BTreeMap::new();
    for (name, spec) in action["inputs"].as_mapping().expect("inputs") {
        let name = name.as_str().expect("input name").to_string();
        let default = spec["default"].as_str().unwrap_or("").to_string();
        inputs.insert(name, default);
    }
    for (name, value) in with {
        assert!(inputs.contains_key(*name), "action.yml has no input {name}");
        inputs.insert(name.to_string(), value.to_string());
    }

    let home = tmp.join("home");
    let runner_temp = tmp.join("runner-temp");
    std::fs::create_dir_all(&home).expect("home");
    std::fs::create_dir_all(&runner_temp).expect("runner temp");
    let mut run = Run::default();
    let mut step_outputs: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let steps = action["runs"]["steps"].as_sequence().expect("runs.steps");
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    for (i, step) in steps.iter().enumerate() {
        let name = step["name"].as_str().unwrap_or("(unnamed)").to_string();
        if !condition(step["if"].as_str(), &step_outputs) {
            continue;
        }
        assert!(
            step.get("uses").is_none(),
            "step {name} uses an action; with HIPAA_IAM_BIN set the test expects only run steps to run"
        );
        let script = step["run"].as_str().unwrap_or_else(|| panic!("step {name} has no run"));
        assert!(
            !script.contains("${{"),
            "step {name}: an expression inside run: (script injection)"
        );
        assert_eq!(step["shell"].as_str(), Some("bash"), "step {name} names shell: bash");

        let script_file = tmp.join(format!("step{i}.sh"));
        std::fs::write(&script_file, script).expect("write the step's script");
        let output_file = tmp.join(format!("step{i}.output"));
        let summary_file = tmp.join(format!("step{i}.summary"));
        std::fs::write(&output_file, "").expect("GITHUB_OUTPUT");
        std::fs::write(&summary_file, "").expect("GITHUB_STEP_SUMMARY");

        let mut cmd = Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script_file)
            .current_dir(root())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &home)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_ACTION_PATH", root().join("action"))
            .env("GITHUB_OUTPUT", &output_file)
            .env("GITHUB_STEP_SUMMARY", &summary_file)
            .env("RUNNER_OS", if cfg!(target_os = "macos") { "macOS" } else { "Linux" })
            .env(
                "RUNNER_ARCH",
                if cfg!(target_arch = "aarch64") { "ARM64" } else { "X64" },
            )
            .env("RUNNER_TEMP", &runner_temp)
            .env("HIPAA_IAM_BIN", BIN);
        if let Some(env) = step["env"].as_mapping() {
            for (k, v) in env {
                let k = k.as_str().expect("env name");
                let v = v
                    .as_str()
                    .unwrap_or_else(|| panic!("step {name}: env {k} is not a string"));
                cmd.env(k, substitute(v, &inputs));
            }
        }
        let out = cmd.output().expect("run bash");
        run.ran.push(name.clone());
        run.log.push_str(&String::from_utf8_lossy(&out.stdout));
        run.log.push_str(&String::from_utf8_lossy(&out.stderr));
        run.summary
            .push_str(&std::fs::read_to_string(&summary_file).expect("read the summary"));
        if let Some(id) = step["id"].as_str() {
            let text = std::fs::read_to_string(&output_file).expect("read GITHUB_OUTPUT");
            step_outputs.insert(id.to_string(), parse_outputs(&text));
        }
        if !out.status.success() {
            run.failed = Some((name, out.status.code().unwrap_or(-1)));
            break;
        }
    }
    for (name, spec) in action["outputs"].as_mapping().expect("outputs") {
        let name = name.as_str().expect("output name");
        let value = spec["value"].as_str().expect("output value");
        let path = value
            .trim()
            .strip_prefix("${{")
            .and_then(|v| v.strip_suffix("}}"))
            .expect("an output is one expression")
            .trim();
        let parts: Vec<&str> = path.split('.').collect();
        assert!(parts.len() == 4 && parts[0] == "steps", "output {name}: {value}");
        let v = step_outputs
            .get(parts[1])
            .and_then(|o| o.get(parts[3]))
            .cloned()
            .unwrap_or_default();
        run.outputs.insert(name.to_string(), v);
    }
    run
}

/// The failing findings at or above high in the demo account, from the CLI's own JSON.
fn expected_high_failures() -> usize {
    let out = hipaa_iam()
        .args([
            "audit",
            "--no-github",
            "--exports",
            "examples/demo-account",
            "--format",
            "json",
        ])
        .current_dir(root())
        .output()
        .expect("run hipaa-iam");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let severity = |f: &serde_json::Value| report["checks"][f["check_id"].as_str().unwrap_or("")]["severity"].clone();
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["status"] == "fail" && (severity(f) == "high" || severity(f) == "critical"))
        .count()
}

#[test]
fn fail_on_high_fails_with_the_count_outputs_annotations_and_reports() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out_dir = tmp.path().join("reports");
    let out_s = out_dir.to_str().expect("utf-8 path");
    let run = run_action(
        &[
            ("exports-dir", "examples/demo-account"),
            ("fail-on", "high"),
            ("output-dir", out_s),
            ("format", "sarif, junit"),
        ],
        tmp.path(),
    );
    let expected = expected_high_failures();
    assert_eq!(expected, 17, "the demo account's failing findings at or above high");
    assert_eq!(run.failed, Some(("Audit".to_string(), 1)), "{}", run.log);
    assert_eq!(run.ran, ["Validate inputs", "Audit"]);
    assert_eq!(run.outputs["failed"], "true");
    assert_eq!(run.outputs["fail-count"], expected.to_string());
    assert_eq!(run.outputs["report-dir"], out_s);
    let sarif = out_dir.join("hipaa-iam.sarif");
    assert_eq!(run.outputs["sarif-file"], sarif.to_str().expect("utf-8"));
    let sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&sarif).expect("the SARIF file")).expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let junit = std::fs::read_to_string(out_dir.join("hipaa-iam.junit.xml")).expect("the JUnit file");
    assert!(junit.contains("<testsuite"), "{junit}");
    assert!(out_dir.join("summary.md").is_file() && out_dir.join("manifest.json").is_file());

    let errors: Vec<&str> = run.log.lines().filter(|l| l.starts_with("::error ")).collect();
    assert_eq!(errors.len(), expected, "{}", run.log);
    // Most serious first: the critical console-MFA findings lead.
    assert!(
        errors[0].starts_with("::error title=IAM-002 console-mfa::"),
        "{}",
        errors[0]
    );
    assert!(run
        .summary
        .contains("fail-on high: **17 failing findings at or above it"));
}

#[test]
fn fail_on_none_passes_and_reports() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out_dir = tmp.path().join("out");
    let run = run_action(
        &[
            ("exports-dir", "examples/demo-account"),
            ("fail-on", "none"),
            ("output-dir", out_dir.to_str().expect("utf-8")),
        ],
        tmp.path(),
    );
    assert_eq!(run.failed, None, "{}", run.log);
    assert_eq!(run.ran, ["Validate inputs", "Audit"]);
    assert_eq!(run.outputs["failed"], "false");
    assert_eq!(run.outputs["fail-count"], "0");
    assert_eq!(run.outputs["sarif-file"], "");
    assert!(!run.log.contains("::error"), "{}", run.log);
    assert!(run.summary.contains("fail-on none: findings do not fail the step."));
    assert!(out_dir.join("findings.json").is_file());
}

#[test]
fn previous_report_dir_adds_since_last_review_to_the_job_summary() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let first = tmp.path().join("first");
    let second = tmp.path().join("second");
    let first_s = first.to_str().expect("utf-8");
    let run = run_action(
        &[
            ("exports-dir", "examples/demo-account"),
            ("fail-on", "none"),
            ("output-dir", first_s),
        ],
        tmp.path(),
    );
    assert_eq!(run.failed, None, "{}", run.log);
    assert!(!run.summary.contains("Since last review"));
    let run = run_action(
        &[
            ("exports-dir", "examples/demo-account"),
            ("fail-on", "none"),
            ("output-dir", second.to_str().expect("utf-8")),
            ("previous-report-dir", first_s),
        ],
        tmp.path(),
    );
    assert_eq!(run.failed, None, "{}", run.log);
    assert!(run.summary.contains("## Since last review"), "{}", run.summary);
    assert!(
        run.summary.contains("0 new, 0 resolved, 32 still open"),
        "{}",
        run.summary
    );
    let summary = std::fs::read_to_string(second.join("summary.md")).expect("summary.md");
    assert!(summary.contains("## Since last review"));

    // Validation: a directory without a manifest; with org: true.
    for (with, message) in [
        (
            vec![
                ("exports-dir", "examples/demo-account"),
                ("previous-report-dir", "examples"),
            ],
            "input previous-report-dir: 'examples' holds no manifest.json",
        ),
        (
            vec![("org", "true"), ("previous-report-dir", first_s)],
            "input previous-report-dir: not available with org: true",
        ),
    ] {
        let run = run_action(&with, tmp.path());
        assert_eq!(run.failed, Some(("Validate inputs".to_string(), 1)), "{}", run.log);
        assert!(run.log.contains(message), "{}", run.log);
    }
}

#[test]
fn a_bad_fail_on_fails_validation_with_its_message() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let run = run_action(
        &[("exports-dir", "examples/demo-account"), ("fail-on", "severe")],
        tmp.path(),
    );
    assert_eq!(run.failed, Some(("Validate inputs".to_string(), 1)), "{}", run.log);
    assert_eq!(run.ran, ["Validate inputs"]);
    assert!(
        run.log
            .contains("::error::input fail-on: 'severe' is not one of critical, high, medium, low, none"),
        "{}",
        run.log
    );
    for (input, value, message) in [
        (
            "format",
            "sarif,html",
            "::error::input format: 'html' is not one of sarif, junit",
        ),
        ("checks", "IAM-002,*", "::error::input checks: '*' is not a check ID"),
        (
            "exports-dir",
            "no/such/dir",
            "::error::input exports-dir: 'no/such/dir' is not a directory",
        ),
    ] {
        let run = run_action(&[(input, value)], tmp.path());
        assert_eq!(run.ran, ["Validate inputs"], "{input}");
        assert!(run.log.contains(message), "{input}: {}", run.log);
    }
}

#[test]
fn lint_policies_lints_the_matched_files_and_fails_after_the_audit() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out_dir = tmp.path().join("reports");
    let out_s = out_dir.to_str().expect("utf-8 path");
    // Lint only (no audit, no AWS): the problems are annotated in the lint step, and the last
    // step fails the job on those at or above fail-on.
    let run = run_action(
        &[
            (
                "lint-policies",
                "examples/policies/**/*.json,\n examples/policies/terraform/*.tf",
            ),
            ("audit", "false"),
            ("fail-on", "high"),
            ("output-dir", out_s),
        ],
        tmp.path(),
    );
    assert_eq!(
        run.ran,
        ["Validate inputs", "Lint policies", "Fail on policy problems"],
        "{}",
        run.log
    );
    assert_eq!(
        run.failed,
        Some(("Fail on policy problems".to_string(), 1)),
        "{}",
        run.log
    );
    assert!(
        run.log.contains("::error::policy problems at or above high"),
        "{}",
        run.log
    );
    assert_eq!(run.outputs["lint-failed"], "true");
    let sarif = out_dir.join("hipaa-iam-policies.sarif");
    assert_eq!(run.outputs["lint-sarif-file"], sarif.to_str().expect("utf-8"));
    let log: serde_json::Value = serde_json::from_slice(&std::fs::read(&sarif).expect("SARIF")).expect("JSON");
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 10);
    let errors: Vec<&str> = run.log.lines().filter(|l| l.starts_with("::error file=")).collect();
    assert_eq!(errors.len(), 1, "{}", run.log);
    assert!(
        errors[0].starts_with("::error file=examples/policies/terraform/main.tf,line=24,col=23,title=pass-role-star"),
        "{}",
        errors[0]
    );
    assert!(
        run.log
            .contains("examples/policies/typos.json:13:17: medium unknown-action"),
        "{}",
        run.log
    );
    assert_eq!(run.outputs["failed"], "", "no audit ran");

    // With the audit, and nothing at or above fail-on: every step passes.
    let run = run_action(
        &[
            ("lint-policies", "examples/policies/guide/*.json"),
            ("exports-dir", "examples/demo-account"),
            ("fail-on", "none"),
            ("output-dir", out_s),
        ],
        tmp.path(),
    );
    assert_eq!(run.failed, None, "{}", run.log);
    assert_eq!(run.ran, ["Validate inputs", "Lint policies", "Audit"]);
    assert_eq!(run.outputs["lint-failed"], "false");
    assert_eq!(run.outputs["failed"], "false");

    for (with, message) in [
        (
            vec![("lint-policies", "examples/policies/*.json, no/such/**/*.json")],
            "::error::input lint-policies: 'no/such/**/*.json' matches no file",
        ),
        (
            vec![("lint-policies", "examples/policies/typos.json"), ("audit", "maybe")],
            "::error::input audit: 'maybe' is not true or false",
        ),
        (
            vec![("audit", "false")],
            "::error::input audit: false, but lint-policies is empty: there is nothing to do",
        ),
    ] {
        let run = run_action(&with, tmp.path());
        assert_eq!(run.ran, ["Validate inputs"], "{with:?}");
        assert!(run.log.contains(message), "{with:?}: {}", run.log);
    }
}

#[test]
fn inputs_are_data_never_executed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let unique = format!(
        "/tmp/pwned-{}-{}",
        std::process::id(),
        tmp.path().display().to_string().len()
    );
    let _ = std::fs::remove_file(&unique);
    // Each would run `touch` if a step evaluated it as shell code (command substitution,
    // backticks, breaking out of double or single quotes). HOME is the test's own directory.
    let payloads = [
        format!("$(touch {unique})"),
        format!("`touch {unique}`"),
        format!("\"; touch {unique}; rm -rf ~; \""),
        format!("'; touch {unique}; rm -rf ~; '"),
    ];
    for (i, hostile) in payloads.iter().enumerate() {
        // As the output directory: valid, so the audit writes into a directory of that name.
        let out_dir = tmp.path().join(format!("out{i} {}", hostile.replace('/', "_")));
        let out_s = out_dir.to_str().expect("utf-8");
        let run = run_action(
            &[
                ("exports-dir", "examples/demo-account"),
                ("fail-on", "none"),
                ("output-dir", out_s),
            ],
            tmp.path(),
        );
        assert_eq!(run.failed, None, "{hostile}: {}", run.log);
        assert!(
            out_dir.join("summary.md").is_file(),
            "{hostile}: the literal directory name is used"
        );
        assert_eq!(run.outputs["report-dir"], out_s);

        // As values that fail validation: the message quotes them, nothing runs them.
        for input in [
            "fail-on",
            "checks",
            "regions",
            "config",
            "version",
            "format",
            "exports-dir",
            "org",
            "role-name",
            "shard",
            "lint-policies",
            "audit",
        ] {
            let run = run_action(&[(input, hostile.as_str())], tmp.path());
            assert_eq!(run.ran, ["Validate inputs"], "{input} = {hostile}: {}", run.log);
            assert!(run.log.contains("::error::input "), "{input} = {hostile}: {}", run.log);
            assert!(
                run.log.contains("touch"),
                "{input}: the value is shown as given: {}",
                run.log
            );
        }
        // The organization inputs, validated with org: true.
        for input in ["role-name", "shard"] {
            let run = run_action(&[("org", "true"), (input, hostile.as_str())], tmp.path());
            assert_eq!(run.ran, ["Validate inputs"], "{input} = {hostile}: {}", run.log);
            assert!(
                run.log.contains(&format!("::error::input {input}: ")) && run.log.contains("touch"),
                "{input} = {hostile}: {}",
                run.log
            );
        }
        assert!(
            !Path::new(&unique).exists(),
            "an input was executed: {unique} exists after {hostile}"
        );
        assert!(tmp.path().join("home").is_dir(), "HOME survived {hostile}");
    }
}

#[test]
fn the_step_summary_matches_the_snapshot() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let run = run_action(
        &[
            ("exports-dir", "examples/demo-account"),
            ("output-dir", tmp.path().join("r").to_str().expect("utf-8")),
        ],
        tmp.path(),
    );
    assert!(run.failed.is_some());
    let snapshot = root().join("action/tests/snapshots/summary.md");
    if std::env::var_os("HIPAA_IAM_BLESS").is_some() {
        std::fs::create_dir_all(snapshot.parent().expect("snapshots dir")).expect("create the snapshots dir");
        std::fs::write(&snapshot, &run.summary).expect("write the snapshot");
    }
    let expected = std::fs::read_to_string(&snapshot).expect("the snapshot (HIPAA_IAM_BLESS=1 writes it)");
    assert_eq!(
        run.summary, expected,
        "the step summary changed; rerun with HIPAA_IAM_BLESS=1 to accept it"
    );
}

#[test]
fn github_output_follows_github_actions_and_keeps_machine_formats_clean() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let output = tmp.path().join("output");
    let summary = tmp.path().join("summary");
    let audit = |extra: &[&str]| {
        hipaa_iam()
            .args(["audit", "--exports", "examples/demo-account", "--format", "json"])
            .args(extra)
            .current_dir(root())
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_OUTPUT", &output)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .output()
            .expect("run hipaa-iam")
    };
    // On by itself under GitHub Actions: the JSON on stdout stays JSON, the annotations go
    // to stderr, the outputs and summary are appended.
    let out = audit(&[]);
    assert_eq!(out.status.code(), Some(1));
    let _: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is only the JSON report");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.lines().filter(|l| l.starts_with("::error title=")).count(),
        17,
        "{stderr}"
    );
    let outputs = std::fs::read_to_string(&output).expect("GITHUB_OUTPUT written");
    assert_eq!(outputs, "failed=true\nfail-count=17\nreport-dir=\nsarif-file=\n");
    assert!(std::fs::read_to_string(&summary)
        .expect("summary")
        .contains("# HIPAA IAM audit summary"));

    // --no-github: nothing GitHub-specific, and the files are left alone.
    std::fs::remove_file(&output).expect("rm");
    std::fs::remove_file(&summary).expect("rm");
    let out = audit(&["--no-github"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("::error"));
    assert!(!output.exists() && !summary.exists());
}

#[test]
fn org_inputs_are_validated_with_messages_naming_them() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for (with, message) in [
        (vec![("org", "yes")], "::error::input org: 'yes' is not true or false"),
        (
            vec![("org", "true"), ("shard", "3/2")],
            "::error::input shard: '3/2' is not I/N with 1 <= I <= N (e.g. 2/4)",
        ),
        (
            vec![("org", "true"), ("shard", "0/2")],
            "::error::input shard: '0/2' is not I/N",
        ),
        (
            vec![("org", "true"), ("shard", "1")],
            "::error::input shard: '1' is not I/N",
        ),
        (
            vec![("org", "true"), ("role-name", "bad role")],
            "::error::input role-name: 'bad role' is not an IAM role name",
        ),
        (
            vec![("org", "true"), ("format", "sarif")],
            "::error::input format: sarif and junit are not available with org: true",
        ),
        (
            vec![("shard", "1/2")],
            "::error::input shard: '1/2' is given, but shard only applies with org: true",
        ),
        (
            vec![("role-name", "Audit")],
            "::error::input role-name: 'Audit' is given, but role-name only applies with org: true",
        ),
    ] {
        let run = run_action(&with, tmp.path());
        assert_eq!(run.ran, ["Validate inputs"], "{with:?}: {}", run.log);
        assert_eq!(run.failed, Some(("Validate inputs".to_string(), 1)), "{with:?}");
        assert!(run.log.contains(message), "{with:?}: {}", run.log);
    }
}

/// Copies the demo account's files into `to` as the data of account `id`.
fn copy_demo(to: &Path, id: &str) {
    fn copy(from: &Path, to: &Path, id: &str) {
        std::fs::create_dir_all(to).expect("mkdir");
        for entry in std::fs::read_dir(from).expect("read_dir") {
            let entry = entry.expect("entry");
            let target = to.join(entry.file_name());
            if entry.path().is_dir() {
                copy(&entry.path(), &target, id);
            } else {
                let text = std::fs::read_to_string(entry.path()).expect("read");
                std::fs::write(&target, text.replace("123456789012", id)).expect("write");
            }
        }
    }
    copy(&root().join("examples/demo-account"), to, id);
}

#[test]
fn org_true_runs_an_organization_audit_of_the_shard() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // A collected organization (as `collect --org` writes it): the demo account's data as
    // that of three accounts.
    let org = tmp.path().join("org");
    for id in ["111111111111", "222222222222", "333333333333"] {
        copy_demo(&org.join(id), id);
    }
    std::fs::write(
        org.join("accounts.json"),
        r#"{"accounts":[{"id":"111111111111","name":"clinic"},{"id":"222222222222","name":"billing"},{"id":"333333333333","name":"research"}]}"#,
    )
    .expect("listing");
    let out_dir = tmp.path().join("reports");
    let run = run_action(
        &[
            ("org", "true"),
            ("shard", "2/2"),
            ("role-name", "audit/HipaaAudit"),
            ("exports-dir", org.to_str().expect("utf-8")),
            ("output-dir", out_dir.to_str().expect("utf-8")),
        ],
        tmp.path(),
    );
    assert_eq!(run.ran, ["Validate inputs", "Audit"], "{}", run.log);
    // The demo account has failing findings at or above high: the step fails.
    assert!(
        matches!(&run.failed, Some((step, _)) if step == "Audit"),
        "{:?}: {}",
        run.failed,
        run.log
    );
    let rows: Vec<&str> = run
        .log
        .lines()
        .filter(|l| l.len() > 12 && l[..12].bytes().all(|b| b.is_ascii_digit()))
        .collect();
    assert_eq!(rows.len(), 1, "shard 2/2 of 3 accounts is the second: {}", run.log);
    assert!(rows[0].starts_with("222222222222  billing"), "{}", rows[0]);
    assert!(rows[0].contains("  FAIL"), "{}", rows[0]);
    assert!(run.log.lines().any(|l| l.starts_with("ACCOUNT")), "{}", run.log);
}
