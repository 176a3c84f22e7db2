//! `hipaa_iam_access_explain` and `hipaa_iam_access_who_can`: called from Rust as C calls
//! them, from a C program compiled with AddressSanitizer and from Python ctypes; they answer
//! what `hipaa-iam access explain / who-can --format json` prints, and errors name the
//! request and the field.
#![allow(clippy::unwrap_used, unsafe_code)]

use std::process::Command;

use hipaa_iam::*;
use hipaa_iam_tests::demo_account;
use serde_json::{json, Value};

use crate::abi::call;
use crate::callers::{cdylib, compile_example, run_sanitized, target_dir};

/// What the CLI prints for `access ARGS --format json` on the demo account.
fn cli_json(args: &[&str]) -> Value {
    let cli = target_dir().join(if cfg!(windows) { "hipaa-iam.exe" } else { "hipaa-iam" });
    let out = Command::new(&cli)
        .arg("access")
        .args(args)
        .arg("--exports")
        .arg(demo_account())
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

const PHI: &str = "arn:aws:s3:::phi-records/x";

#[test]
fn access_queries_answer_what_the_cli_prints() {
    let request = json!({"exports_dir": demo_account(), "requests": [
        {"principal": "jordan.lee", "action": "s3:GetObject", "resource": PHI, "context": {"aws:MultiFactorAuthPresent": "true"}},
        {"principal": "jordan.lee", "action": "s3:GetObject", "resource": PHI},
    ]});
    let (status, out, err) = call(hipaa_iam_access_explain, Some(request.to_string().as_bytes()));
    assert_eq!(status, 0, "{err}");
    let got: Value = serde_json::from_str(&out.unwrap()).unwrap();
    assert_eq!(got[0]["decision"], "allowed");
    assert_eq!(got[1]["decision"], "denied");
    let one = cli_json(&[
        "explain",
        "--principal",
        "jordan.lee",
        "--action",
        "s3:GetObject",
        "--resource",
        PHI,
    ]);
    assert_eq!(got[1], one[0]);

    let request = json!({"exports_dir": demo_account(), "action": "s3:GetObject", "resource": PHI});
    let (status, out, err) = call(hipaa_iam_access_who_can, Some(request.to_string().as_bytes()));
    assert_eq!(status, 0, "{err}");
    let got: Value = serde_json::from_str(&out.unwrap()).unwrap();
    assert_eq!(
        got,
        cli_json(&["who-can", "--action", "s3:GetObject", "--resource", PHI])
    );
}

#[test]
fn access_errors_name_the_request_and_the_field() {
    let demo = demo_account();
    let (status, out, err) = call(
        hipaa_iam_access_explain,
        Some(
            json!({"exports_dir": demo, "requests": [
                {"principal": "jordan.lee", "action": "s3:GetObject", "resource": "*"},
                {"principal": "jordan.le", "action": "s3:GetObject", "resource": "*"}]})
            .to_string()
            .as_bytes(),
        ),
    );
    assert_eq!(status, HipaaIamStatus::InvalidArgument as i32);
    assert!(out.is_none());
    assert_eq!(
        err,
        "requests[1]: principal: no user or role named \"jordan.le\" in the account data (did you mean user \"jordan.lee\"?)"
    );
    let (status, _, err) = call(
        hipaa_iam_access_who_can,
        Some(
            json!({"exports_dir": demo, "action": "GetObject", "resource": "*"})
                .to_string()
                .as_bytes(),
        ),
    );
    assert_eq!(status, HipaaIamStatus::InvalidArgument as i32);
    assert!(err.starts_with("action: \"GetObject\" is not an action"), "{err}");
    for (f, request) in [
        (
            hipaa_iam_access_explain
                as unsafe extern "C" fn(*const std::ffi::c_char, *mut *mut std::ffi::c_char) -> i32,
            json!({"exports_dir": demo, "requests": [{"principal": "a", "action": "s3:X", "resource": "*", "extra": 1}]}),
        ),
        (hipaa_iam_access_explain, json!({"exports_dir": demo, "request": []})),
        (
            hipaa_iam_access_who_can,
            json!({"exports_dir": demo, "action": "s3:GetObject"}),
        ),
    ] {
        let (status, out, err) = call(f, Some(request.to_string().as_bytes()));
        assert_eq!(status, HipaaIamStatus::InvalidJson as i32, "{request}: {err}");
        assert!(out.is_none() && err.starts_with("request_json: "), "{err}");
    }
    let (status, _, err) = call(
        hipaa_iam_access_explain,
        Some(json!({"exports_dir": demo}).to_string().as_bytes()),
    );
    assert_eq!(status, HipaaIamStatus::InvalidArgument as i32);
    assert!(err.starts_with("requests: empty"), "{err}");
}

#[test]
fn access_queries_from_a_c_program_with_asan_and_from_python_ctypes() {
    let lib = cdylib();
    let crate_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out_dir = tempfile::tempdir().unwrap();
    let exe = compile_example("access_demo", out_dir.path());
    let demo = demo_account();
    let who = cli_json(&["who-can", "--action", "s3:GetObject", "--resource", PHI]);
    let want: Vec<String> = who["principals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            format!(
                "{} {} {}",
                a["type"].as_str().unwrap(),
                a["name"].as_str().unwrap(),
                a["decision"].as_str().unwrap()
            )
        })
        .collect();
    assert!(want.len() >= 3, "{want:?}");

    let run = run_sanitized(&exe, &[demo.as_os_str(), "s3:GetObject".as_ref(), PHI.as_ref()]);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr),
    );
    assert!(
        !stderr.contains("AddressSanitizer") && !stderr.contains("runtime error"),
        "{stderr}"
    );
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    assert_eq!(stdout.lines().collect::<Vec<_>>(), want);

    let run = run_sanitized(
        &exe,
        &[
            demo.as_os_str(),
            "jordan.lee".as_ref(),
            "s3:GetObject".as_ref(),
            PHI.as_ref(),
        ],
    );
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    assert_eq!(
        String::from_utf8_lossy(&run.stdout),
        "denied arn:aws:iam::123456789012:user/jordan.lee\n"
    );
    let run = Command::new(&exe)
        .args([
            demo.as_os_str(),
            "nobody".as_ref(),
            "s3:GetObject".as_ref(),
            PHI.as_ref(),
        ])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("requests[0]: principal: no user or role named \"nobody\""));

    let python = hipaa_iam_tests::python();
    let script = crate_dir.join("examples").join("access_demo.py");
    let run = Command::new(&python)
        .arg(&script)
        .arg(&lib)
        .arg(&demo)
        .args(["s3:GetObject", PHI])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    let from_python: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(from_python, who);
    let run = Command::new(&python)
        .arg(&script)
        .arg(&lib)
        .arg(&demo)
        .args(["jordan.lee", "s3:GetObject", PHI])
        .output()
        .unwrap();
    let from_python: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(
        from_python,
        cli_json(&[
            "explain",
            "--principal",
            "jordan.lee",
            "--action",
            "s3:GetObject",
            "--resource",
            PHI
        ])
    );
}
