//! `hipaa_iam_diff`, `hipaa_iam_review_start` and `hipaa_iam_review_sign`: called from Rust
//! as C calls them, from a C program compiled with AddressSanitizer and from Python ctypes,
//! over evidence the C ABI itself wrote (the demo account, then with nurse.garcia given MFA).
#![allow(clippy::unwrap_used, unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use hipaa_iam::*;

use crate::abi::call;
use crate::callers::{cdylib, compile_example, run_sanitized};

/// The demo account with nurse.garcia's MFA turned on.
fn later() -> tempfile::TempDir {
    hipaa_iam_tests::demo_account_as("123456789012", |rel, text| {
        if rel != "credential-report.csv" {
            return Some(text);
        }
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let mfa = lines[0].split(',').position(|h| h == "mfa_active").unwrap();
        for line in lines.iter_mut().filter(|l| l.starts_with("nurse.garcia,")) {
            let mut cells: Vec<&str> = line.split(',').collect();
            cells[mfa] = "true";
            *line = cells.join(",");
        }
        Some(lines.join("\n") + "\n")
    })
}

fn evidence(exports: &Path, out: &Path) {
    let request = serde_json::json!({ "exports_dir": exports, "output_dir": out });
    let (status, _, err) = call(hipaa_iam_write_evidence, Some(request.to_string().as_bytes()));
    assert_eq!(status, 0, "{err}");
}

fn pair(dir: &Path) -> (PathBuf, PathBuf) {
    let (old, new) = (dir.join("old"), dir.join("new"));
    evidence(&hipaa_iam_tests::demo_account(), &old);
    evidence(later().path(), &new);
    (old, new)
}

fn json(
    f: unsafe extern "C" fn(*const std::ffi::c_char, *mut *mut std::ffi::c_char) -> i32,
    request: serde_json::Value,
) -> (i32, Option<serde_json::Value>, String) {
    let (status, out, err) = call(f, Some(request.to_string().as_bytes()));
    (status, out.map(|o| serde_json::from_str(&o).unwrap()), err)
}

#[test]
fn diff_and_review_through_the_c_abi() {
    let tmp = tempfile::tempdir().unwrap();
    let (old, new) = pair(tmp.path());
    let (status, out, err) = json(
        hipaa_iam_diff,
        serde_json::json!({ "old_dir": old, "new_dir": new, "fail_on": "critical" }),
    );
    assert_eq!(status, 0, "{err}");
    let d = out.unwrap();
    let resolved: Vec<&str> = d["account"]["resolved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["resource_name"].as_str().unwrap())
        .collect();
    assert_eq!(resolved, ["nurse.garcia"]);
    assert_eq!(d["failing"], 2, "nurse.kim and temp.contractor still lack MFA");

    // An audit with previous_dir carries the first sightings forward from the old evidence.
    let exports = later();
    let request = serde_json::json!({ "exports_dir": exports.path(), "previous_dir": old });
    let (status, out, err) = json(hipaa_iam_run_audit, request);
    assert_eq!(status, 0, "{err}");
    let report = &out.unwrap()["report"];
    let kim = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check_id"] == "IAM-002" && f["resource_name"] == "nurse.kim")
        .unwrap()
        .clone();
    assert_eq!(kim["first_seen"], "2026-11-16T14:05:12Z");

    // Refused: evidence that does not verify (naming the file), an unknown field.
    std::fs::write(new.join("summary.md"), "edited").unwrap();
    let (status, out, err) = json(hipaa_iam_diff, serde_json::json!({ "old_dir": old, "new_dir": new }));
    assert_eq!(status, HipaaIamStatus::InvalidArgument as i32);
    assert!(out.is_none());
    assert!(err.contains("summary.md: changed"), "{err}");
    let (status, _, _) = json(hipaa_iam_diff, serde_json::json!({ "old": old }));
    assert_eq!(status, HipaaIamStatus::InvalidJson as i32);

    // Review: start, a roster with a row undecided is refused naming the row, then signed.
    let (status, out, err) = json(hipaa_iam_review_start, serde_json::json!({ "evidence_dir": old }));
    assert_eq!(status, 0, "{err}");
    let started = out.unwrap();
    let roster_path = PathBuf::from(started["roster"].as_str().unwrap());
    let text = std::fs::read_to_string(&roster_path).unwrap();
    let copy = tmp.path().join("roster.csv");
    let decided: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                l.to_string()
            } else {
                format!("{},keep,,", l.strip_suffix(",,,").unwrap())
            }
        })
        .collect();
    let mut undecided = decided.clone();
    undecided[2] = text.lines().nth(2).unwrap().to_string();
    std::fs::write(&copy, undecided.join("\r\n") + "\r\n").unwrap();
    let sign = serde_json::json!({ "evidence_dir": old, "roster": copy, "reviewer": "Jane Doe", "title": "CISO" });
    let (status, _, err) = json(hipaa_iam_review_sign, sign.clone());
    assert_eq!(status, HipaaIamStatus::InvalidInput as i32, "{err}");
    assert!(err.contains("row 3 (") && err.contains("no decision"), "{err}");
    std::fs::write(&copy, decided.join("\r\n") + "\r\n").unwrap();
    let (status, out, err) = json(hipaa_iam_review_sign, sign);
    assert_eq!(status, 0, "{err}");
    let signed = out.unwrap();
    assert_eq!(signed["review"]["counts"]["keep"], started["principals"]);
    assert_eq!(signed["plans"].as_array().unwrap().len(), 0, "nothing revoked");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(old.join("manifest.json")).unwrap()).unwrap();
    for name in [
        "access_review.csv",
        "access_review_signed.csv",
        "review.json",
        "review.md",
    ] {
        assert!(manifest["files"][name].is_string(), "{name} in the manifest");
    }
}

#[test]
fn diff_from_a_c_program_with_asan_and_review_from_python_ctypes() {
    let tmp = tempfile::tempdir().unwrap();
    let (old, new) = pair(tmp.path());
    let exe = compile_example("history_demo", tmp.path());
    let run = run_sanitized(&exe, &[old.as_os_str(), new.as_os_str()]);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr),
    );
    assert!(
        !stderr.contains("AddressSanitizer") && !stderr.contains("runtime error"),
        "{stderr}"
    );
    assert_eq!(run.status.code(), Some(1), "{stdout} {stderr}");
    assert!(stdout.starts_with("failing "), "{stdout}");
    let failing: u64 = stdout.trim().trim_start_matches("failing ").parse().unwrap();
    assert!(failing > 2, "high and critical still open: {stdout}");
    // A directory without a manifest: the library's message, exit 2.
    let run = Command::new(&exe).arg(tmp.path()).arg(&new).output().unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("manifest.json"));

    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join("history_demo.py");
    let run = Command::new(hipaa_iam_tests::python())
        .arg(&script)
        .arg(cdylib())
        .arg(&old)
        .arg(&new)
        .arg(tmp.path().join("roster.csv"))
        .arg("temp.contractor")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(doc["diff"]["account"]["resolved"][0]["resource_name"], "nurse.garcia");
    assert_eq!(doc["signed"]["review"]["counts"]["revoke"], 1);
    assert_eq!(doc["signed"]["plans"][0]["name"], "temp.contractor");
    let review: serde_json::Value = serde_json::from_slice(&std::fs::read(new.join("review.json")).unwrap()).unwrap();
    assert_eq!(review["title"], "Privacy Officer");
}
