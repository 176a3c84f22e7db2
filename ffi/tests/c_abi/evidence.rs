//! The evidence through the C ABI: `hipaa_iam_write_evidence` and `hipaa_iam_run_audit`
//! with `output_dir` write `report.html` and `evidence.xlsx`, list them in the manifest
//! they return, and leave each out for `"html": false` / `"xlsx": false`.
#![allow(clippy::unwrap_used, unsafe_code)]

use std::ffi::c_char;
use std::path::Path;

use hipaa_iam::*;

use crate::abi::call;

fn ok(
    f: unsafe extern "C" fn(*const c_char, *mut *mut c_char) -> i32,
    request: &serde_json::Value,
) -> serde_json::Value {
    let (status, out, err) = call(f, Some(request.to_string().as_bytes()));
    assert_eq!(status, 0, "{request}: {err}");
    serde_json::from_str(&out.unwrap()).unwrap()
}

/// The files a returned manifest lists, each checked against the file on disk.
fn listed(manifest: &serde_json::Value, dir: &Path) -> Vec<String> {
    let files = manifest["files"].as_object().unwrap();
    for (name, hash) in files {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        assert_eq!(
            hipaa_iam_core::manifest::sha256_hex(&bytes),
            hash.as_str().unwrap(),
            "{name}"
        );
    }
    files.keys().cloned().collect()
}

#[test]
fn write_evidence_writes_the_page_and_the_workbook_and_leaves_each_out_on_request() {
    let demo = hipaa_iam_tests::demo_account();
    let tmp = hipaa_iam_tests::temp_dir();
    let cases: [(&str, serde_json::Value, bool, bool); 4] = [
        ("both", serde_json::json!({}), true, true),
        ("no-html", serde_json::json!({"html": false}), false, true),
        ("no-xlsx", serde_json::json!({"xlsx": false}), true, false),
        (
            "neither",
            serde_json::json!({"html": false, "xlsx": false}),
            false,
            false,
        ),
    ];
    for (case, extra, html, xlsx) in cases {
        let dir = tmp.path().join(case);
        let mut request = serde_json::json!({"exports_dir": demo, "output_dir": dir});
        request
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let manifest = ok(hipaa_iam_write_evidence, &request);
        let files = listed(&manifest, &dir);
        assert!(files.contains(&"findings.json".to_string()), "{case}: {files:?}");
        assert_eq!(files.contains(&"report.html".to_string()), html, "{case}: {files:?}");
        assert_eq!(files.contains(&"evidence.xlsx".to_string()), xlsx, "{case}: {files:?}");
        assert_eq!(dir.join("report.html").is_file(), html, "{case}");
        assert_eq!(dir.join("evidence.xlsx").is_file(), xlsx, "{case}");
        if html {
            let page = std::fs::read_to_string(dir.join("report.html")).unwrap();
            assert!(
                page.starts_with("<!DOCTYPE html>") && page.contains("123456789012"),
                "{case}"
            );
        }
        if xlsx {
            // A zip archive (the workbook), not an empty file.
            let book = std::fs::read(dir.join("evidence.xlsx")).unwrap();
            assert!(book.starts_with(b"PK\x03\x04") && book.len() > 4096, "{case}");
        }
    }

    // A value that is not a boolean is refused, naming what was given, and nothing is written.
    let (status, _, err) = call(
        hipaa_iam_write_evidence,
        Some(
            serde_json::json!({"exports_dir": demo, "output_dir": tmp.path().join("bad"), "html": "no"})
                .to_string()
                .as_bytes(),
        ),
    );
    assert_eq!(status, HipaaIamStatus::InvalidJson as i32);
    assert!(
        err.starts_with("request_json: invalid type: string \"no\", expected a boolean"),
        "{err}"
    );
    assert!(!tmp.path().join("bad").exists());
}

#[test]
fn run_audit_with_output_dir_writes_the_page_and_the_workbook_and_leaves_each_out_on_request() {
    let demo = hipaa_iam_tests::demo_account();
    let tmp = hipaa_iam_tests::temp_dir();
    let dir = tmp.path().join("run");
    let run = ok(
        hipaa_iam_run_audit,
        &serde_json::json!({"exports_dir": demo, "output_dir": dir}),
    );
    let files = listed(&run["evidence"], &dir);
    assert!(
        files.contains(&"report.html".to_string()) && files.contains(&"evidence.xlsx".to_string()),
        "{files:?}"
    );

    // Again into the same directory without them: gone from the manifest and the disk.
    let run = ok(
        hipaa_iam_run_audit,
        &serde_json::json!({"exports_dir": demo, "output_dir": dir, "html": false, "xlsx": false}),
    );
    let files = listed(&run["evidence"], &dir);
    assert!(
        !files.contains(&"report.html".to_string()) && !files.contains(&"evidence.xlsx".to_string()),
        "{files:?}"
    );
    assert!(!dir.join("report.html").exists() && !dir.join("evidence.xlsx").exists());
    assert!(files.contains(&"findings.json".to_string()));
}
