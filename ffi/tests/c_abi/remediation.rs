//! Remediation through the C ABI: the plan from exports, the refusal of bad options before
//! any AWS call, and plan → apply → apply again on a real moto server.
#![allow(clippy::unwrap_used, unsafe_code)]

use std::ffi::{c_char, CStr, CString};

use hipaa_iam::*;
use hipaa_iam_tests::{demo_account, demo_account_as, moto_in_process, MOTO_ACCOUNT_ID};
use serde_json::{json, Value};

fn call(
    f: unsafe extern "C" fn(*const c_char, *mut *mut c_char) -> i32,
    request: &Value,
) -> Result<Value, (i32, String)> {
    let req = CString::new(request.to_string()).unwrap();
    let mut out = std::ptr::null_mut();
    let status = unsafe { f(req.as_ptr(), &mut out) };
    if status != 0 {
        let err = unsafe { CStr::from_ptr(hipaa_iam_last_error()) }
            .to_string_lossy()
            .into_owned();
        assert!(out.is_null());
        return Err((status, err));
    }
    let text = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_string();
    unsafe { hipaa_iam_string_free(out) };
    Ok(serde_json::from_str(&text).unwrap())
}

#[test]
fn plan_from_exports_lists_the_password_policy_change() {
    let doc = call(
        hipaa_iam_remediation_plan,
        &json!({"remediation": "password-policy", "exports_dir": demo_account()}),
    )
    .unwrap();
    assert_eq!(doc["remediation"], "password-policy");
    assert_eq!(doc["dry_run"], true);
    assert_eq!(doc["applied"], false);
    let steps = doc["plan"].as_array().unwrap();
    assert_eq!(steps.len(), 1, "{doc}");
    assert_eq!(steps[0]["call"]["Operation"], "UpdateAccountPasswordPolicy", "{doc}");
    assert_eq!(steps[0]["call"]["Arguments"]["MinimumPasswordLength"], 14, "{doc}");
}

#[test]
fn bad_options_are_refused_before_any_call() {
    let (status, err) = call(
        hipaa_iam_remediation_plan,
        &json!({"remediation": "create-user", "user_name": "bad name!", "exports_dir": demo_account()}),
    )
    .unwrap_err();
    assert_eq!(status, HipaaIamStatus::InvalidArgument as i32);
    assert!(err.contains("bad name!"), "{err}");
    let (status, err) = call(
        hipaa_iam_remediation_plan,
        &json!({"remediation": "password-policy", "replace": true, "exports_dir": demo_account()}),
    )
    .unwrap_err();
    assert_eq!(status, HipaaIamStatus::InvalidArgument as i32);
    // The C ABI names the request field, not the command line's flag.
    assert_eq!(err, "replace applies only to permissions-boundary");
    let (status, err) = call(hipaa_iam_remediation_plan, &json!({"remediation": "reboot"})).unwrap_err();
    assert_eq!(status, HipaaIamStatus::InvalidJson as i32);
    assert!(err.contains("reboot"), "{err}");
}

#[test]
fn apply_is_idempotent_on_moto() {
    let m = moto_in_process();
    m.aws(&[
        "iam",
        "update-account-password-policy",
        "--minimum-password-length",
        "8",
    ]);
    let request = json!({"remediation": "password-policy"});
    let first = call(hipaa_iam_remediation_apply, &request).unwrap();
    assert_eq!(first["applied"], true);
    assert_eq!(first["summary"]["done"], 1, "{first}");
    assert_eq!(first["summary"]["failed"], 0, "{first}");
    let policy = m.aws(&["iam", "get-account-password-policy"]);
    assert_eq!(policy["PasswordPolicy"]["MinimumPasswordLength"], 14);
    assert_eq!(policy["PasswordPolicy"]["PasswordReusePrevention"], 24);
    let again = call(hipaa_iam_remediation_apply, &request).unwrap();
    assert_eq!(again["summary"]["already_in_place"], 1, "{again}");
    assert_eq!(again["summary"]["done"], 0, "{again}");
}

#[test]
fn apply_refuses_credentials_of_another_account_and_changes_nothing_on_moto() {
    let m = moto_in_process();
    m.aws(&[
        "iam",
        "update-account-password-policy",
        "--minimum-password-length",
        "8",
    ]);
    let state = || {
        (
            m.aws(&["iam", "get-account-password-policy"]),
            m.aws(&["iam", "list-policies", "--scope", "Local"]),
            m.aws(&["iam", "list-groups"]),
        )
    };
    let before = state();
    let other = demo_account_as("111111111111", |_, text| Some(text));
    for remediation in ["password-policy", "mfa-enforcement"] {
        let (status, err) = call(
            hipaa_iam_remediation_apply,
            &json!({"remediation": remediation, "exports_dir": other.path()}),
        )
        .unwrap_err();
        assert_eq!(status, HipaaIamStatus::InvalidArgument as i32, "{err}");
        assert!(
            err.contains("made for account 111111111111")
                && err.contains(&format!("belong to account {MOTO_ACCOUNT_ID}"))
                && err.contains("nothing was changed"),
            "{err}"
        );
    }
    assert_eq!(state(), before, "nothing changed in the account");
    // Planning (which changes nothing) from those exports still works.
    let plan = call(
        hipaa_iam_remediation_plan,
        &json!({"remediation": "password-policy", "exports_dir": other.path()}),
    )
    .unwrap();
    assert_eq!(plan["account_id"], "111111111111");
}
