//! The C ABI called the way a C or C# caller calls it: raw pointers, statuses, the
//! thread's last error, strings released with `hipaa_iam_string_free`.
#![allow(clippy::unwrap_used, unsafe_code)]

use std::ffi::{c_char, CStr, CString};
use std::ptr;

use hipaa_iam::*;

/// Calls `f` with `request` and returns (status, response or None, last error).
fn call(
    f: unsafe extern "C" fn(*const c_char, *mut *mut c_char) -> i32,
    request: Option<&[u8]>,
) -> (i32, Option<String>, String) {
    let owned = request.map(|r| CString::new(r).unwrap());
    let mut out: *mut c_char = ptr::null_mut();
    let status = unsafe { f(owned.as_ref().map_or(ptr::null(), |c| c.as_ptr()), &mut out) };
    let response = if out.is_null() {
        None
    } else {
        let s = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_string();
        unsafe { hipaa_iam_string_free(out) };
        Some(s)
    };
    let err = unsafe { CStr::from_ptr(hipaa_iam_last_error()) }
        .to_str()
        .unwrap()
        .to_string();
    (status, response, err)
}

#[test]
fn version_is_the_crate_version() {
    let v = unsafe { CStr::from_ptr(hipaa_iam_version()) }.to_str().unwrap();
    assert_eq!(v, env!("CARGO_PKG_VERSION"));
}

#[test]
fn checks_returns_the_catalogue() {
    let (status, out, err) = call(hipaa_iam_checks, Some(b"{}"));
    assert_eq!(status, HipaaIamStatus::Ok as i32, "{err}");
    assert!(err.is_empty());
    let v: serde_json::Value = serde_json::from_str(&out.unwrap()).unwrap();
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, hipaa_iam_core::checks::ids());
}

#[test]
fn null_request_is_an_invalid_argument() {
    let (status, out, err) = call(hipaa_iam_checks, None);
    assert_eq!(status, HipaaIamStatus::InvalidArgument as i32);
    assert!(out.is_none());
    assert!(err.contains("request_json is NULL"), "{err}");
}

#[test]
fn null_out_pointer_is_an_invalid_argument() {
    let req = CString::new("{}").unwrap();
    let status = unsafe { hipaa_iam_checks(req.as_ptr(), ptr::null_mut()) };
    assert_eq!(status, HipaaIamStatus::InvalidArgument as i32);
    let err = unsafe { CStr::from_ptr(hipaa_iam_last_error()) }.to_str().unwrap();
    assert!(err.contains("out_json is NULL"), "{err}");
}

#[test]
fn invalid_utf8_is_an_invalid_argument() {
    let (status, out, err) = call(hipaa_iam_checks, Some(b"{\"x\":\"\xff\xfe\"}"));
    assert_eq!(status, HipaaIamStatus::InvalidArgument as i32);
    assert!(out.is_none());
    assert!(err.contains("not valid UTF-8"), "{err}");
}

#[test]
fn malformed_json_is_invalid_json_naming_the_position() {
    let (status, out, err) = call(hipaa_iam_checks, Some(b"{\"unterminated"));
    assert_eq!(status, HipaaIamStatus::InvalidJson as i32);
    assert!(out.is_none());
    assert!(err.starts_with("request_json:") && err.contains("line 1"), "{err}");
    let (status, _, err) = call(hipaa_iam_checks, Some(b"{\"unknown\":1}"));
    assert_eq!(status, HipaaIamStatus::InvalidJson as i32);
    assert!(err.contains("unknown"), "{err}");
}

#[test]
fn success_clears_the_last_error() {
    let (status, _, _) = call(hipaa_iam_checks, None);
    assert_ne!(status, 0);
    let (status, _, err) = call(hipaa_iam_checks, Some(b"{}"));
    assert_eq!(status, 0);
    assert_eq!(err, "");
}

#[test]
fn a_panic_is_caught_and_the_library_stays_usable() {
    let (status, out, err) = call(hipaa_iam_checks, Some(b"{\"__test_panic__\":true}"));
    assert_eq!(status, HipaaIamStatus::Panic as i32);
    assert!(out.is_none());
    assert!(err.contains("panic"), "{err}");
    let (status, out, _) = call(hipaa_iam_checks, Some(b"{}"));
    assert_eq!(status, 0);
    assert!(out.is_some());
}

#[test]
fn string_free_accepts_null() {
    unsafe { hipaa_iam_string_free(ptr::null_mut()) };
}

/// Every export that takes a request.
const REQUEST_FUNCTIONS: [(&str, unsafe extern "C" fn(*const c_char, *mut *mut c_char) -> i32); 6] = [
    ("hipaa_iam_checks", hipaa_iam_checks),
    ("hipaa_iam_audit", hipaa_iam_audit),
    ("hipaa_iam_mfa_report", hipaa_iam_mfa_report),
    ("hipaa_iam_write_evidence", hipaa_iam_write_evidence),
    ("hipaa_iam_remediation_plan", hipaa_iam_remediation_plan),
    ("hipaa_iam_remediation_apply", hipaa_iam_remediation_apply),
];

#[test]
fn a_request_that_is_not_a_json_object_is_invalid_json_everywhere() {
    // serde reads an array as a struct's fields in order: `[]` would be `{}` (a live audit
    // with ambient credentials) and `["DIR"]` would be `{"exports_dir": "DIR"}`.
    let demo = serde_json::json!([hipaa_iam_tests::demo_account()]).to_string();
    let cases: [(&[u8], &str); 7] = [
        (b"[]", "an array"),
        (demo.as_bytes(), "an array"),
        (b"  [{\"remediation\": \"password-policy\"}]  ", "an array"),
        (b"\"{}\"", "a string"),
        (b"0", "a number"),
        (b"true", "a boolean"),
        (b"null", "null"),
    ];
    for (name, f) in REQUEST_FUNCTIONS {
        for (request, kind) in cases {
            let (status, out, err) = call(f, Some(request));
            let shown = String::from_utf8_lossy(request);
            assert_eq!(
                status,
                HipaaIamStatus::InvalidJson as i32,
                "{name}({shown}): {err} {:?}",
                out.map(|o| o.chars().take(200).collect::<String>())
            );
            assert!(out.is_none(), "{name}({shown}) wrote a response");
            assert_eq!(
                err,
                format!("request_json: the request must be a JSON object, not {kind}"),
                "{name}({shown})"
            );
        }
    }
}

#[test]
fn a_missing_exports_directory_is_invalid_input_everywhere() {
    let missing = hipaa_iam_tests::temp_dir().path().join("no-such-exports");
    for (name, f) in REQUEST_FUNCTIONS.into_iter().skip(1) {
        let mut request = serde_json::json!({ "exports_dir": missing });
        if name.starts_with("hipaa_iam_remediation") {
            request["remediation"] = "password-policy".into();
        }
        let (status, out, err) = call(f, Some(request.to_string().as_bytes()));
        assert_eq!(status, HipaaIamStatus::InvalidInput as i32, "{name}: {err}");
        assert!(out.is_none());
        assert_eq!(
            err,
            format!(
                "{}: the exports directory does not exist (make one with `hipaa-iam collect --output DIR` or the AWS CLI commands in the README)",
                missing.display()
            ),
            "{name}"
        );
    }
}

#[test]
fn a_region_that_is_not_a_region_name_is_an_invalid_argument() {
    let demo = hipaa_iam_tests::demo_account();
    let audit = serde_json::json!({"exports_dir": demo, "regions": ["us-east-1", "../x"]}).to_string();
    let plan = serde_json::json!({
        "remediation": "access-analyzer",
        "exports_dir": demo,
        "regions": ["../x"],
    })
    .to_string();
    for (f, request) in [
        (
            hipaa_iam_audit as unsafe extern "C" fn(*const c_char, *mut *mut c_char) -> i32,
            &audit,
        ),
        (hipaa_iam_mfa_report, &audit),
        (hipaa_iam_remediation_plan, &plan),
    ] {
        let (status, out, err) = call(f, Some(request.as_bytes()));
        assert_eq!(status, HipaaIamStatus::InvalidArgument as i32, "{request}: {err}");
        assert!(out.is_none());
        assert_eq!(err, "regions: `../x` is not an AWS region name (like us-east-1)");
    }
}
