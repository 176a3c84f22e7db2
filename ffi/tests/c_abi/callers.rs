//! The library as other languages use it: a C program compiled against the generated
//! header (with AddressSanitizer), a Python ctypes script, and eight threads at once.
#![allow(clippy::unwrap_used, unsafe_code)]

use std::ffi::{CStr, CString};
use std::path::{Path, PathBuf};
use std::process::Command;

use hipaa_iam::*;
use hipaa_iam_tests::{demo_account, workspace_root};

/// The target directory holding this test binary's sibling artefacts (`libhipaa_iam.so`,
/// the `hipaa-iam` binary).
pub(crate) fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().parent().unwrap().to_path_buf()
}

pub(crate) fn cdylib() -> PathBuf {
    let name = if cfg!(target_os = "macos") {
        "libhipaa_iam.dylib"
    } else if cfg!(windows) {
        "hipaa_iam.dll"
    } else {
        "libhipaa_iam.so"
    };
    // `cargo test` leaves the cdylib in deps/; `cargo build` also copies it up.
    let dir = target_dir();
    [dir.join("deps").join(name), dir.join(name)]
        .into_iter()
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "{name} is missing from {}; cargo builds it with this crate's tests",
                dir.display()
            )
        })
}

/// The failing findings of the demo account as "<check_id> <severity> <resource_name>".
fn expected_failing_lines() -> Vec<String> {
    let report = audit_json(&format!("{{\"exports_dir\":{}}}", serde_json::json!(demo_account())));
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "fail")
        .map(|f| {
            let check = f["check_id"].as_str().unwrap();
            format!(
                "{} {} {}",
                check,
                report["checks"][check]["severity"].as_str().unwrap(),
                f["resource_name"].as_str().unwrap()
            )
        })
        .collect()
}

fn audit_json(request: &str) -> serde_json::Value {
    let req = CString::new(request).unwrap();
    let mut out = std::ptr::null_mut();
    let status = unsafe { hipaa_iam_audit(req.as_ptr(), &mut out) };
    let err = unsafe { CStr::from_ptr(hipaa_iam_last_error()) }
        .to_string_lossy()
        .into_owned();
    assert_eq!(status, 0, "{err}");
    let text = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_string();
    unsafe { hipaa_iam_string_free(out) };
    serde_json::from_str(&text).unwrap()
}

/// Compiles `ffi/examples/NAME.c` against the generated header and the library, with
/// warnings as errors and AddressSanitizer / UndefinedBehaviorSanitizer, into `dir`.
pub(crate) fn compile_example(name: &str, dir: &Path) -> PathBuf {
    let lib = cdylib();
    let exe = dir.join(name);
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let compiled = Command::new(&cc)
        .args([
            "-std=c11",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-pedantic",
            "-g",
            "-fsanitize=address,undefined",
        ])
        .arg("-fno-omit-frame-pointer")
        .arg("-I")
        .arg(crate_dir.join("include"))
        .arg(crate_dir.join("examples").join(format!("{name}.c")))
        .arg("-o")
        .arg(&exe)
        .arg(&lib)
        .arg(format!("-Wl,-rpath,{}", lib.parent().unwrap().display()))
        .output()
        .unwrap_or_else(|e| panic!("cannot run the C compiler {cc}: {e}"));
    assert!(
        compiled.status.success(),
        "the C example {name}.c does not compile cleanly:\n{}",
        String::from_utf8_lossy(&compiled.stderr)
    );
    exe
}

/// Runs a program compiled by [`compile_example`] with its sanitizers halting on the first
/// error, leaks checked too (the Rust runtime's one-time statics stay reachable).
pub(crate) fn run_sanitized(exe: &Path, args: &[&std::ffi::OsStr]) -> std::process::Output {
    Command::new(exe)
        .args(args)
        .env("ASAN_OPTIONS", "detect_leaks=1:halt_on_error=1:abort_on_error=0")
        .env("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1")
        .output()
        .unwrap()
}

#[test]
fn c_program_compiled_with_warnings_as_errors_and_asan() {
    let out_dir = tempfile::tempdir().unwrap();
    let exe = compile_example("audit_demo", out_dir.path());
    let run = run_sanitized(&exe, &[demo_account().as_os_str()]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        !stderr.contains("AddressSanitizer") && !stderr.contains("runtime error"),
        "{stderr}"
    );
    assert_eq!(run.status.code(), Some(1), "stdout: {stdout}\nstderr: {stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], format!("hipaa-iam {}", env!("CARGO_PKG_VERSION")));
    let want = expected_failing_lines();
    assert!(!want.is_empty());
    assert_eq!(
        &lines[1..lines.len() - 1],
        want.iter().map(String::as_str).collect::<Vec<_>>().as_slice()
    );
    assert_eq!(lines[lines.len() - 1], format!("{} failing finding(s)", want.len()));
}

#[test]
fn python_ctypes_caller_gets_what_the_cli_prints() {
    let lib = cdylib();
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join("audit_demo.py");
    let python = hipaa_iam_tests::python();
    let run = Command::new(&python)
        .arg(&script)
        .arg("--json")
        .arg(&lib)
        .arg(demo_account())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "stderr: {stderr}");
    let from_python: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();

    let cli = target_dir().join(if cfg!(windows) { "hipaa-iam.exe" } else { "hipaa-iam" });
    assert!(
        cli.is_file(),
        "{} is missing; `cargo test --workspace` builds it",
        cli.display()
    );
    let out = Command::new(&cli)
        .args(["audit", "--format", "json", "--exports"])
        .arg(demo_account())
        .current_dir(workspace_root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let from_cli: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(from_python, from_cli);

    // And the plain listing of failing findings.
    let run = Command::new(&python)
        .arg(&script)
        .arg(&lib)
        .arg(demo_account())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    let want = expected_failing_lines();
    assert_eq!(
        &lines[1..lines.len() - 1],
        want.iter().map(String::as_str).collect::<Vec<_>>().as_slice()
    );
}

#[test]
fn eight_threads_auditing_at_once_agree() {
    let request = format!("{{\"exports_dir\":{}}}", serde_json::json!(demo_account()));
    let first = audit_json(&request);
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let request = request.clone();
            std::thread::spawn(move || (0..3).map(|_| audit_json(&request)).collect::<Vec<_>>())
        })
        .collect();
    for h in handles {
        for report in h.join().unwrap() {
            assert_eq!(report, first);
        }
    }
}

#[test]
fn a_missing_directory_is_reported_with_its_path() {
    let req = CString::new("{\"exports_dir\":\"/nonexistent/hipaa-iam-exports\"}").unwrap();
    let mut out = std::ptr::null_mut();
    let status = unsafe { hipaa_iam_audit(req.as_ptr(), &mut out) };
    assert_eq!(status, HipaaIamStatus::InvalidInput as i32);
    assert!(out.is_null());
    let err = unsafe { CStr::from_ptr(hipaa_iam_last_error()) }
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        err.contains("/nonexistent/hipaa-iam-exports") && err.contains("does not exist"),
        "{err}"
    );
}

#[test]
fn malformed_account_data_and_config_have_their_own_statuses() {
    let dir = hipaa_iam_tests::exports_dir(&[("authorization-details.json", "{\"UserDetailList\": [")]);
    let req = format!("{{\"exports_dir\":{}}}", serde_json::json!(dir.path()));
    let req = CString::new(req).unwrap();
    let mut out = std::ptr::null_mut();
    let status = unsafe { hipaa_iam_audit(req.as_ptr(), &mut out) };
    assert_eq!(status, HipaaIamStatus::InvalidInput as i32);
    let err = unsafe { CStr::from_ptr(hipaa_iam_last_error()) }
        .to_str()
        .unwrap()
        .to_string();
    assert!(err.contains("authorization-details.json"), "{err}");

    let req = format!(
        "{{\"exports_dir\":{},\"config\":\"bogus_key = 1\\n\"}}",
        serde_json::json!(demo_account())
    );
    let req = CString::new(req).unwrap();
    let status = unsafe { hipaa_iam_audit(req.as_ptr(), &mut out) };
    assert_eq!(status, HipaaIamStatus::InvalidConfig as i32);
    let err = unsafe { CStr::from_ptr(hipaa_iam_last_error()) }
        .to_str()
        .unwrap()
        .to_string();
    assert!(err.contains("bogus_key") && err.contains("line 1"), "{err}");
}

#[test]
fn mfa_report_and_evidence_through_the_abi() {
    let req = format!("{{\"exports_dir\":{}}}", serde_json::json!(demo_account()));
    let req = CString::new(req).unwrap();
    let mut out = std::ptr::null_mut();
    let status = unsafe { hipaa_iam_mfa_report(req.as_ptr(), &mut out) };
    assert_eq!(status, 0);
    let rows: serde_json::Value = serde_json::from_str(unsafe { CStr::from_ptr(out) }.to_str().unwrap()).unwrap();
    unsafe { hipaa_iam_string_free(out) };
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 12);
    let names: Vec<&str> = rows.iter().map(|r| r["UserName"].as_str().unwrap()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert!(rows.iter().any(|r| r["MFA"] == "NO_MFA"));

    let dir = tempfile::tempdir().unwrap();
    let evidence = dir.path().join("evidence");
    let req = format!(
        "{{\"exports_dir\":{},\"output_dir\":{}}}",
        serde_json::json!(demo_account()),
        serde_json::json!(evidence)
    );
    let req = CString::new(req).unwrap();
    let status = unsafe { hipaa_iam_write_evidence(req.as_ptr(), &mut out) };
    assert_eq!(
        status,
        0,
        "{}",
        unsafe { CStr::from_ptr(hipaa_iam_last_error()) }.to_string_lossy()
    );
    let manifest: serde_json::Value = serde_json::from_str(unsafe { CStr::from_ptr(out) }.to_str().unwrap()).unwrap();
    unsafe { hipaa_iam_string_free(out) };
    let files = manifest["files"].as_object().unwrap();
    assert!(files.contains_key("mfa_audit.csv") && files.contains_key("risk_register.csv"));
    for (name, hash) in files {
        let bytes = std::fs::read(evidence.join(name)).unwrap();
        assert_eq!(
            hipaa_iam_core::manifest::sha256_hex(&bytes),
            hash.as_str().unwrap(),
            "{name}"
        );
    }
}
