//! The C ABI called the way a C or C# caller calls it: raw pointers, statuses, the
//! thread's last error, strings released with `hipaa_iam_string_free`.
#![allow(clippy::unwrap_used, unsafe_code)]

use std::ffi::{c_char, CStr, CString};
use std::ptr;

use hipaa_iam::*;

/// Calls `f` with `request` and returns (status, response or None, last error).
pub(crate) fn call(
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
const REQUEST_FUNCTIONS: [(&str, unsafe extern "C" fn(*const c_char, *mut *mut c_char) -> i32); 10] = [
    ("hipaa_iam_checks", hipaa_iam_checks),
    ("hipaa_iam_audit", hipaa_iam_audit),
    ("hipaa_iam_run_audit", hipaa_iam_run_audit),
    ("hipaa_iam_mfa_report", hipaa_iam_mfa_report),
    ("hipaa_iam_write_evidence", hipaa_iam_write_evidence),
    ("hipaa_iam_remediation_plan", hipaa_iam_remediation_plan),
    ("hipaa_iam_remediation_apply", hipaa_iam_remediation_apply),
    ("hipaa_iam_lint_policy", hipaa_iam_lint_policy),
    ("hipaa_iam_access_explain", hipaa_iam_access_explain),
    ("hipaa_iam_access_who_can", hipaa_iam_access_who_can),
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
    // Every function that reads account data (not the catalogue, not the lint).
    for (name, f) in REQUEST_FUNCTIONS
        .into_iter()
        .skip(1)
        .filter(|(n, _)| *n != "hipaa_iam_lint_policy")
    {
        let mut request = serde_json::json!({ "exports_dir": missing });
        if name.starts_with("hipaa_iam_remediation") {
            request["remediation"] = "password-policy".into();
        }
        if name == "hipaa_iam_access_explain" {
            request["requests"] =
                serde_json::json!([{"principal": "alice", "action": "s3:GetObject", "resource": "*"}]);
        }
        if name == "hipaa_iam_access_who_can" {
            request["action"] = "s3:GetObject".into();
            request["resource"] = "*".into();
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

fn json_ok(
    f: unsafe extern "C" fn(*const c_char, *mut *mut c_char) -> i32,
    request: &serde_json::Value,
) -> serde_json::Value {
    let (status, out, err) = call(f, Some(request.to_string().as_bytes()));
    assert_eq!(status, 0, "{request}: {err}");
    serde_json::from_str(&out.unwrap()).unwrap()
}

#[test]
fn run_audit_returns_the_report_the_verdict_and_the_evidence_of_one_audit() {
    let demo = hipaa_iam_tests::demo_account();
    let dir = hipaa_iam_tests::temp_dir();
    let evidence = dir.path().join("evidence");
    let run = json_ok(
        hipaa_iam_run_audit,
        &serde_json::json!({"exports_dir": demo, "output_dir": evidence, "fail_on": "high"}),
    );
    // The report is the one hipaa_iam_audit returns.
    let alone = json_ok(hipaa_iam_audit, &serde_json::json!({ "exports_dir": demo }));
    assert_eq!(run["report"], alone);
    // The verdict is the library's run policy: the CLI's `--fail-on high` counts 17.
    assert_eq!(run["verdict"]["fail_on"], "high");
    assert_eq!(run["verdict"]["failing"], 17, "{}", run["verdict"]);
    assert_eq!(run["verdict"]["failed"], true);
    assert!(run["verdict"]["failing_checks"]
        .as_array()
        .unwrap()
        .contains(&"IAM-002".into()));
    // The evidence was written from the same report.
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(evidence.join("findings.json")).unwrap()).unwrap();
    assert_eq!(written["as_of"], run["report"]["as_of"]);
    assert_eq!(written["findings"], run["report"]["findings"]);
    assert!(
        run["evidence"].to_string().contains("findings.json"),
        "{}",
        run["evidence"]
    );

    // Without output_dir nothing is written, and fail_on defaults to none.
    let plain = json_ok(hipaa_iam_run_audit, &serde_json::json!({ "exports_dir": demo }));
    assert_eq!(plain["evidence"], serde_json::Value::Null);
    assert_eq!(plain["verdict"]["fail_on"], "none");
    assert_eq!(plain["verdict"]["failed"], false);
    assert_eq!(plain["verdict"]["failing"], 0);

    let (status, _, err) = call(
        hipaa_iam_run_audit,
        Some(
            serde_json::json!({"exports_dir": demo, "fail_on": "severe"})
                .to_string()
                .as_bytes(),
        ),
    );
    assert_eq!(status, HipaaIamStatus::InvalidJson as i32);
    assert!(err.contains("severe"), "{err}");
}

#[test]
fn run_audit_collects_a_live_account_once_for_the_report_and_the_evidence_on_moto() {
    let m = hipaa_iam_tests::moto_in_process();
    m.aws(&["iam", "create-user", "--user-name", "nurse.kim"]);
    let dir = hipaa_iam_tests::temp_dir();
    let evidence = dir.path().join("evidence");
    let (run, bodies) = m.recording(|| {
        json_ok(
            hipaa_iam_run_audit,
            &serde_json::json!({"output_dir": evidence, "regions": ["us-east-1"]}),
        )
    });
    let collections = bodies
        .iter()
        .filter(|b| b.contains("Action=GetAccountAuthorizationDetails"))
        .count();
    assert_eq!(
        collections, 1,
        "one collection for the report and the evidence:\n{bodies:#?}"
    );
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(evidence.join("findings.json")).unwrap()).unwrap();
    assert_eq!(written["as_of"], run["report"]["as_of"]);
    assert_eq!(written["findings"], run["report"]["findings"]);
    assert!(run["report"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["resource_name"] == "nurse.kim"));
}

fn last_error_json() -> serde_json::Value {
    let text = unsafe { CStr::from_ptr(hipaa_iam_last_error_json()) }.to_str().unwrap();
    serde_json::from_str(text).unwrap()
}

#[test]
fn the_last_error_as_json_names_the_status_the_kind_and_the_field() {
    // A field error: the request field, and the message around its name.
    let request = serde_json::json!({
        "remediation": "create-user",
        "users": ["alice"],
        "exports_dir": hipaa_iam_tests::demo_account(),
    });
    let (status, _, err) = call(hipaa_iam_remediation_plan, Some(request.to_string().as_bytes()));
    assert_eq!(status, HipaaIamStatus::InvalidArgument as i32);
    let e = last_error_json();
    assert_eq!(e["status"], 1, "{e}");
    assert_eq!(e["status_name"], "InvalidArgument");
    assert_eq!(e["kind"], "argument");
    assert_eq!(e["field"], "users");
    assert_eq!(e["code"], serde_json::Value::Null);
    assert_eq!(e["operation"], serde_json::Value::Null);
    assert_eq!(e["message"], err);
    assert_eq!(err, "users applies only to group-membership, permissions-boundary");
    assert_eq!(
        format!(
            "{}-UserName{}",
            e["field_before"].as_str().unwrap(),
            e["field_after"].as_str().unwrap()
        ),
        "-UserName applies only to group-membership, permissions-boundary"
    );

    // An input error: no field, no AWS code.
    let missing = hipaa_iam_tests::temp_dir().path().join("gone");
    let (status, _, _) = call(
        hipaa_iam_audit,
        Some(serde_json::json!({ "exports_dir": missing }).to_string().as_bytes()),
    );
    assert_eq!(status, HipaaIamStatus::InvalidInput as i32);
    let e = last_error_json();
    assert_eq!(
        (e["status"].as_i64(), e["kind"].as_str()),
        (Some(3), Some("input")),
        "{e}"
    );
    assert_eq!(e["field"], serde_json::Value::Null);

    // Malformed JSON and a caught panic have kinds of their own.
    call(hipaa_iam_checks, Some(b"{"));
    assert_eq!(last_error_json()["kind"], "json");
    call(hipaa_iam_checks, Some(b"{\"__test_panic__\":true}"));
    assert_eq!(last_error_json()["kind"], "panic");
    assert_eq!(last_error_json()["status_name"], "Panic");

    // Success: status 0, an empty message.
    call(hipaa_iam_checks, Some(b"{}"));
    let e = last_error_json();
    assert_eq!(
        (e["status"].as_i64(), e["message"].as_str()),
        (Some(0), Some("")),
        "{e}"
    );
}

#[test]
fn an_aws_failure_carries_its_code_and_operation_on_moto() {
    // A local server that answers every request with an IAM AccessDenied error.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                use std::io::{Read, Write};
                let mut buf = [0u8; 65536];
                let _ = stream.read(&mut buf);
                let body = "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not allowed here</Message></Error><RequestId>1</RequestId></ErrorResponse>";
                let _ = write!(
                    stream,
                    "HTTP/1.1 403 Forbidden\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
    // The AWS endpoint comes from the environment: holding this process's moto server keeps
    // the binary's other in-process AWS tests from running meanwhile, and the endpoint is
    // put back after.
    let m = hipaa_iam_tests::moto_in_process();
    std::env::set_var("AWS_ENDPOINT_URL", &endpoint);
    let (status, _, err) = call(
        hipaa_iam_audit,
        Some(serde_json::json!({"regions": ["us-east-1"]}).to_string().as_bytes()),
    );
    let e = last_error_json();
    std::env::set_var("AWS_ENDPOINT_URL", &m.endpoint);
    assert_eq!(status, HipaaIamStatus::AwsError as i32, "{err}");
    assert_eq!(e["kind"], "aws", "{e}");
    assert_eq!(e["code"], "AccessDenied", "{e}");
    assert!(e["operation"].as_str().is_some_and(|o| !o.is_empty()), "{e}");
    assert_eq!(e["message"], err);
}

#[test]
fn status_names_come_from_the_library() {
    let name = |s: i32| {
        let p = hipaa_iam_status_name(s);
        (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_string())
    };
    assert_eq!(name(0).as_deref(), Some("Ok"));
    assert_eq!(
        name(HipaaIamStatus::InvalidInput as i32).as_deref(),
        Some("InvalidInput")
    );
    assert_eq!(name(HipaaIamStatus::AwsError as i32).as_deref(), Some("AwsError"));
    assert_eq!(name(7).as_deref(), Some("Panic"));
    assert_eq!(name(8), None);
    assert_eq!(name(-1), None);
}
