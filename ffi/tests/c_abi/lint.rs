//! `hipaa_iam_lint_policy`: called from Rust as C calls it, from a C program compiled with
//! AddressSanitizer and from Python ctypes; it answers what `hipaa-iam lint-policy --format
//! json` prints, and errors name the file.
#![allow(clippy::unwrap_used, unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use hipaa_iam::*;
use hipaa_iam_tests::workspace_root;

use crate::abi::call;
use crate::callers::{cdylib, compile_example, run_sanitized, target_dir};

fn examples() -> PathBuf {
    workspace_root().join("examples/policies")
}

/// What the CLI prints for `lint-policy PATHS --format json --fail-on FAIL_ON`.
fn cli_json(paths: &[&Path], fail_on: &str) -> serde_json::Value {
    let cli = target_dir().join(if cfg!(windows) { "hipaa-iam.exe" } else { "hipaa-iam" });
    let out = Command::new(&cli)
        .arg("lint-policy")
        .args(paths)
        .args(["--format", "json", "--fail-on", fail_on])
        .env_remove("GITHUB_ACTIONS")
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `file:line:column severity rule` of each problem of a response.
fn lines(result: &serde_json::Value) -> Vec<String> {
    result["report"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{}:{}:{} {} {}",
                p["file"].as_str().unwrap(),
                p["line"],
                p["column"],
                p["severity"].as_str().unwrap(),
                p["rule"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn lint_policy_answers_what_the_cli_prints() {
    let request = serde_json::json!({ "paths": [examples()], "fail_on": "medium" });
    let (status, out, err) = call(hipaa_iam_lint_policy, Some(request.to_string().as_bytes()));
    assert_eq!(status, 0, "{err}");
    let result: serde_json::Value = serde_json::from_str(&out.unwrap()).unwrap();
    assert_eq!(result, cli_json(&[&examples()], "medium"));
    assert_eq!(result["verdict"]["failing"], 10);
    assert_eq!(result["verdict"]["failed"], true);
    let typos = examples().join("typos.json").to_string_lossy().replace('\\', "/");
    let got = lines(&result);
    assert!(
        got.contains(&format!("{typos}:19:18 medium unknown-action")),
        "{got:#?}"
    );

    // fail_on defaults to none.
    let request = serde_json::json!({ "paths": [examples().join("terraform")] });
    let (status, out, _) = call(hipaa_iam_lint_policy, Some(request.to_string().as_bytes()));
    assert_eq!(status, 0);
    let result: serde_json::Value = serde_json::from_str(&out.unwrap()).unwrap();
    assert_eq!(result["verdict"]["fail_on"], "none");
    assert_eq!(result["verdict"]["failed"], false);
    assert_eq!(result["report"]["problems"].as_array().unwrap().len(), 4);
}

#[test]
fn lint_policy_errors_name_the_file_or_the_field() {
    let dir = hipaa_iam_tests::temp_dir();
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{\"Statement\": [}").unwrap();
    let missing = dir.path().join("missing.json");
    for (request, status, message) in [
        (
            serde_json::json!({ "paths": [broken] }),
            HipaaIamStatus::InvalidInput,
            format!("{}: line 1 column 16: not valid JSON: expected value", broken.display()),
        ),
        (
            serde_json::json!({ "paths": [missing] }),
            HipaaIamStatus::IoError,
            format!("{}: No such file or directory (os error 2)", missing.display()),
        ),
        (
            serde_json::json!({ "paths": [] }),
            HipaaIamStatus::InvalidArgument,
            "no policy file or directory to lint".to_string(),
        ),
    ] {
        let (got, out, err) = call(hipaa_iam_lint_policy, Some(request.to_string().as_bytes()));
        assert_eq!(got, status as i32, "{request}: {err}");
        assert!(out.is_none());
        assert_eq!(err, message);
    }
    for request in [r#"{"paths": ["x"], "fail_on": "severe"}"#, r#"{"path": ["x"]}"#, "{}"] {
        let (got, out, err) = call(hipaa_iam_lint_policy, Some(request.as_bytes()));
        assert_eq!(got, HipaaIamStatus::InvalidJson as i32, "{request}: {err}");
        assert!(out.is_none() && err.starts_with("request_json: "), "{err}");
    }
}

#[test]
fn lint_policy_from_a_c_program_with_asan_and_from_python_ctypes() {
    let lib = cdylib();
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out_dir = tempfile::tempdir().unwrap();
    let exe = compile_example("lint_demo", out_dir.path());
    let want = lines(&cli_json(&[&examples()], "high"));
    assert_eq!(want.len(), 10);

    let run = run_sanitized(&exe, &[examples().as_os_str()]);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr),
    );
    assert!(
        !stderr.contains("AddressSanitizer") && !stderr.contains("runtime error"),
        "{stderr}"
    );
    assert_eq!(run.status.code(), Some(1), "stdout: {stdout}\nstderr: {stderr}");
    assert_eq!(stdout.lines().collect::<Vec<_>>(), want);
    // A file that is no policy: the library's message, exit 2.
    let run = Command::new(&exe).arg(crate_dir.join("Cargo.toml")).output().unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("Cargo.toml: line 1 column 2: not valid JSON: expected value")
    );

    let python = hipaa_iam_tests::python();
    let script = crate_dir.join("examples").join("lint_demo.py");
    let run = Command::new(&python)
        .arg(&script)
        .arg(&lib)
        .arg(examples())
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "{}", String::from_utf8_lossy(&run.stderr));
    assert_eq!(String::from_utf8_lossy(&run.stdout).lines().collect::<Vec<_>>(), want);
    let run = Command::new(&python)
        .arg(&script)
        .arg("--json")
        .arg(&lib)
        .arg(examples().join("typos.json"))
        .output()
        .unwrap();
    let from_python: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(from_python, cli_json(&[&examples().join("typos.json")], "high"));
}
