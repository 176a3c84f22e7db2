//! The exported functions that do work: JSON request in, JSON response out.

use std::ffi::{c_char, CString};

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::guard::{ffi_guard, FfiError, HipaaIamStatus};

/// Parses the request, runs `f`, and writes the JSON response to `*out_json`.
///
/// # Safety
/// `request_json` must be NULL or a NUL-terminated string; `out_json` must be NULL or
/// point to writable storage for one pointer.
unsafe fn json_call<Req, Resp>(
    request_json: *const c_char,
    out_json: *mut *mut c_char,
    f: impl FnOnce(Req) -> Result<Resp, FfiError>,
) -> Result<(), FfiError>
where
    Req: DeserializeOwned,
    Resp: Serialize,
{
    if out_json.is_null() {
        return Err(FfiError::new(HipaaIamStatus::InvalidArgument, "out_json is NULL"));
    }
    // SAFETY: forwarded caller contract.
    let text = unsafe { crate::request_str(request_json, "request_json") }?;
    #[cfg(feature = "test-panic")]
    if text.contains("\"__test_panic__\"") {
        panic!("deliberate test panic");
    }
    let request: Req = parse_request(text)?;
    let response = f(request)?;
    let json = serde_json::to_string(&response)
        .map_err(|e| FfiError::new(HipaaIamStatus::InvalidJson, format!("response: {e}")))?;
    let c =
        CString::new(json).map_err(|_| FfiError::new(HipaaIamStatus::InvalidJson, "response: contains a NUL byte"))?;
    // SAFETY: out_json is non-NULL and writable per the caller's contract; written only on success.
    unsafe { *out_json = c.into_raw() };
    Ok(())
}

/// Parses a request: a JSON object, nothing else. serde would read a JSON array as the
/// request's fields in order (`[]` as `{}`, `["DIR"]` as the first field), so the shape is
/// checked before the fields are read.
fn parse_request<Req: DeserializeOwned>(text: &str) -> Result<Req, FfiError> {
    let invalid = |message: String| FfiError::new(HipaaIamStatus::InvalidJson, format!("request_json: {message}"));
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
    let kind = match &value {
        serde_json::Value::Object(_) => None,
        serde_json::Value::Array(_) => Some("an array"),
        serde_json::Value::String(_) => Some("a string"),
        serde_json::Value::Number(_) => Some("a number"),
        serde_json::Value::Bool(_) => Some("a boolean"),
        serde_json::Value::Null => Some("null"),
    };
    if let Some(kind) = kind {
        return Err(invalid(format!("the request must be a JSON object, not {kind}")));
    }
    // Parsed again from the text so that errors name the line and column.
    serde_json::from_str(text).map_err(|e| invalid(e.to_string()))
}

/// An empty request object: `{}` (unknown fields are errors).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Empty {}

/// Runs the audit of a request.
fn audit(request: &AuditRequest) -> Result<hipaa_iam_core::api::Audit, FfiError> {
    Ok(crate::runtime().block_on(request.audit())?)
}

/// The check catalogue: a JSON array of `{id, slug, title, severity, resource_type,
/// hipaa, description, remediation, remediate}`, as `hipaa-iam checks --format json`
/// prints. `request_json` is `"{}"`.
///
/// # Safety
/// `request_json` must be NULL or a NUL-terminated string; `out_json` must be NULL or
/// point to writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn hipaa_iam_checks(request_json: *const c_char, out_json: *mut *mut c_char) -> i32 {
    ffi_guard!({
        // SAFETY: forwarded caller contract.
        unsafe {
            json_call(request_json, out_json, |_: Empty| {
                Ok(&*hipaa_iam_core::checks::CATALOGUE)
            })
        }
    })
}

use hipaa_iam_core::api::AuditRequest;

/// Runs the audit. Request: `{"exports_dir": "DIR"}` for offline data (omit it to collect
/// live with the standard AWS credential chain), optionally `"profile"`, `"regions": [..]`,
/// `"config_path": "FILE"` or `"config": "TOML text"`, `"checks": ["IAM-002", ..]`.
/// Response: the findings report, the same JSON `hipaa-iam audit --format json` prints.
///
/// # Safety
/// `request_json` must be NULL or a NUL-terminated string; `out_json` must be NULL or
/// point to writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn hipaa_iam_audit(request_json: *const c_char, out_json: *mut *mut c_char) -> i32 {
    ffi_guard!({
        // SAFETY: forwarded caller contract.
        unsafe { json_call(request_json, out_json, |r: AuditRequest| Ok(audit(&r)?.report)) }
    })
}

/// The MFA report (the hardening guide's Audit-MFA): one row per IAM user, sorted by name,
/// with `UserName`, `MFA` (`HAS_MFA`/`NO_MFA`/`UNKNOWN`), `ConsoleAccess`, `MfaDeviceType`,
/// `InMfaGroup`, `Groups`, `PasswordLastUsed`, `AccessKeyLastUsed`, `Compliant`, as `hipaa-iam mfa`
/// shows.
/// Request: as [`hipaa_iam_audit`] (`checks` is ignored). Response: a JSON array of rows.
///
/// # Safety
/// `request_json` must be NULL or a NUL-terminated string; `out_json` must be NULL or
/// point to writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn hipaa_iam_mfa_report(request_json: *const c_char, out_json: *mut *mut c_char) -> i32 {
    ffi_guard!({
        // SAFETY: forwarded caller contract.
        unsafe {
            json_call(request_json, out_json, |r: AuditRequest| {
                let audit = audit(&r)?;
                Ok(hipaa_iam_core::report::mfa::rows(&audit.account, &audit.config.config))
            })
        }
    })
}

/// Runs the audit and writes the evidence directory (`mfa_audit.csv`, one CSV per check
/// with findings, `findings.json`, the risk register, `summary.md`, `report.html`,
/// `evidence.xlsx`, `manifest.json`), as `hipaa-iam audit --output-dir` does. Request: as
/// [`hipaa_iam_audit`] plus `"output_dir": "DIR"` (default `reports`), `"excel": true` for a
/// UTF-8 BOM on CSVs, and `"html": false` / `"xlsx": false` to leave the page or the
/// workbook out.
/// Response: the manifest (tool, version, time, account, the SHA-256 of every file).
///
/// # Safety
/// `request_json` must be NULL or a NUL-terminated string; `out_json` must be NULL or
/// point to writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn hipaa_iam_write_evidence(request_json: *const c_char, out_json: *mut *mut c_char) -> i32 {
    ffi_guard!({
        // SAFETY: forwarded caller contract.
        unsafe {
            json_call(request_json, out_json, |mut r: AuditRequest| {
                r.output_dir.get_or_insert_with(|| "reports".into());
                let run = crate::runtime().block_on(hipaa_iam_core::api::run(&r))?;
                Ok(run.evidence)
            })
        }
    })
}

/// Audits once and, with `"output_dir": "DIR"`, writes the evidence directory from that
/// same audit (one collection for both: on a live account the findings and the evidence
/// agree), and applies `"fail_on"` (`critical`, `high`, `medium`, `low` or `none`, the
/// default). Request: as [`hipaa_iam_audit`] plus `output_dir`, `excel`, `fail_on`, and
/// `"html": false` / `"xlsx": false` to leave `report.html` / `evidence.xlsx` out.
/// Response: `{"report": <as hipaa_iam_audit>, "verdict": {"fail_on", "failing",
/// "failing_checks", "failed"}, "evidence": <the manifest, or null without output_dir>}`.
///
/// # Safety
/// `request_json` must be NULL or a NUL-terminated string; `out_json` must be NULL or
/// point to writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn hipaa_iam_run_audit(request_json: *const c_char, out_json: *mut *mut c_char) -> i32 {
    ffi_guard!({
        // SAFETY: forwarded caller contract.
        unsafe {
            json_call(request_json, out_json, |r: AuditRequest| {
                let run = crate::runtime().block_on(hipaa_iam_core::api::run(&r))?;
                serde_json::to_value(run.summary())
                    .map_err(|e| FfiError::new(HipaaIamStatus::InvalidJson, format!("response: {e}")))
            })
        }
    })
}

use hipaa_iam_core::remediate::request::{Planned, Request as RemediationRequest};

/// Plans the remediation of a request.
fn plan(request: &RemediationRequest) -> Result<Planned, FfiError> {
    Ok(crate::runtime().block_on(request.plan())?)
}

/// Computes a remediation's plan from the current account data and changes nothing.
/// Request: `{"remediation": "password-policy"}` plus the source and configuration
/// fields of [`hipaa_iam_audit`] and the remediation's options (`users`, `policy_file`,
/// `replace`, `user_name`, `boundary`, `console`). Response: `{remediation, account_id,
/// dry_run: true, applied: false, plan: [steps]}`, as `hipaa-iam remediate NAME --dry-run
/// --format json` prints.
///
/// # Safety
/// `request_json` must be NULL or a NUL-terminated string; `out_json` must be NULL or
/// point to writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn hipaa_iam_remediation_plan(request_json: *const c_char, out_json: *mut *mut c_char) -> i32 {
    ffi_guard!({
        // SAFETY: forwarded caller contract.
        unsafe {
            json_call(request_json, out_json, |r: RemediationRequest| {
                let planned = plan(&r)?;
                Ok(hipaa_iam_core::remediate::request::document(
                    &planned.plan,
                    true,
                    None,
                    None,
                ))
            })
        }
    })
}

/// Computes a remediation's plan and applies it to the live account, idempotently: what
/// already exists in the right state is left alone. Request: as
/// [`hipaa_iam_remediation_plan`], plus `console_password` for `create-user` with
/// `console` (omitted: a password meeting the configured policy is generated and
/// returned once as `generated_console_password`). Response: the plan plus `results`
/// (one outcome per step: done, already in place, skipped, failed with the AWS code and
/// message) and `summary` counts. A failed step is reported in the results; the status
/// is still OK. Before any change the credentials' account (`sts:GetCallerIdentity`) must
/// be the one the plan is for (with `exports_dir`, the exports' account): otherwise the
/// status is `INVALID_ARGUMENT`, nothing is changed, and the last error names both
/// accounts.
///
/// # Safety
/// `request_json` must be NULL or a NUL-terminated string; `out_json` must be NULL or
/// point to writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn hipaa_iam_remediation_apply(request_json: *const c_char, out_json: *mut *mut c_char) -> i32 {
    ffi_guard!({
        // SAFETY: forwarded caller contract.
        unsafe {
            json_call(request_json, out_json, |r: RemediationRequest| {
                use hipaa_iam_core::remediate::{self, Clients, Password};
                let Planned {
                    plan,
                    sdk,
                    regions,
                    config,
                } = plan(&r)?;
                let secrets = r.secrets(&config)?;
                let clients = Clients::new(&sdk, &regions);
                let outcomes = crate::runtime().block_on(remediate::apply(&plan, &clients, &secrets))?;
                let shown = secrets.to_show(&outcomes);
                Ok(remediate::request::document(
                    &plan,
                    false,
                    Some(&outcomes),
                    shown.map(Password::expose),
                ))
            })
        }
    })
}

use hipaa_iam_core::api::LintRequest;

/// Lints IAM policy documents kept in files, as `hipaa-iam lint-policy` does. Request:
/// `{"paths": ["policies", "iam/main.tf"], "fail_on": "high"}`: JSON policy files, Terraform
/// files and directories to search for them (relative paths are relative to the process's
/// working directory); `fail_on` is `critical`, `high`, `medium`, `low` or `none` (the
/// default). Response: `{"report": {tool_version, files, documents, problems: [{file, line,
/// column, rule, severity, message, pointer}], warnings}, "verdict": {fail_on, failing,
/// failing_checks (the rule IDs), failed}}`, the JSON `hipaa-iam lint-policy --format json`
/// prints. Errors name the file: `IO_ERROR` for one that does not exist or cannot be read,
/// `INVALID_INPUT` for one that is not valid JSON (or Terraform), or that is named on its own
/// and is not a policy document.
///
/// # Safety
/// `request_json` must be NULL or a NUL-terminated string; `out_json` must be NULL or
/// point to writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn hipaa_iam_lint_policy(request_json: *const c_char, out_json: *mut *mut c_char) -> i32 {
    ffi_guard!({
        // SAFETY: forwarded caller contract.
        unsafe {
            json_call(request_json, out_json, |r: LintRequest| {
                Ok(hipaa_iam_core::api::lint(&r)?)
            })
        }
    })
}

use hipaa_iam_core::api::{AccessExplainRequest, AccessWhoCanRequest};

/// Explains access requests as AWS would judge them from the principals' identity policies
/// and permissions boundaries, as `hipaa-iam access explain` does. Request: the source
/// fields of [`hipaa_iam_audit`] (`exports_dir`, or none to collect live; `profile`,
/// `regions`) and `"requests": [{"principal": "alice" (a user or role name or ARN),
/// "action": "s3:GetObject", "resource": "arn:aws:s3:::phi/x", "context":
/// {"aws:MultiFactorAuthPresent": "true"}}, ..]` (every context key not given is absent).
/// Response: a JSON array, one object per request in order, as `hipaa-iam access explain
/// --format json` prints: `{principal, principal_name, principal_type, action, resource,
/// decision ("allowed", "denied" or "not-granted"), conditional_allow, conditional_deny,
/// statements: [{policy, statement, effect, boundary, conditional}], path, reason,
/// incomplete, not_considered, warnings}`. Identity-based answers: `not_considered` names the
/// resource-based and organization policies that were not read. An unknown principal or an
/// action not of the form `service:action` is `INVALID_ARGUMENT` naming the request
/// (`requests[1]: principal: ...`).
///
/// # Safety
/// `request_json` must be NULL or a NUL-terminated string; `out_json` must be NULL or
/// point to writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn hipaa_iam_access_explain(request_json: *const c_char, out_json: *mut *mut c_char) -> i32 {
    ffi_guard!({
        // SAFETY: forwarded caller contract.
        unsafe {
            json_call(request_json, out_json, |r: AccessExplainRequest| {
                Ok(crate::runtime().block_on(hipaa_iam_core::api::access_explain(&r))?)
            })
        }
    })
}

/// Lists every user and role (service-linked roles aside) whose identity policies, within
/// its permissions boundary, allow an action on a resource, as `hipaa-iam access who-can
/// --format json` prints. Request: the source fields of [`hipaa_iam_audit`], `"action":
/// "s3:GetObject"` and `"resource": "arn:aws:s3:::phi/x"`. Response: `{action, resource,
/// scope, principals: [{principal, name, type ("user" or "role"), decision ("allowed" or
/// "conditional"), requires (condition keys, "MFA"), allowed_by, conditional_deny, path}],
/// not_evaluated, not_considered, warnings}`.
///
/// # Safety
/// `request_json` must be NULL or a NUL-terminated string; `out_json` must be NULL or
/// point to writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn hipaa_iam_access_who_can(request_json: *const c_char, out_json: *mut *mut c_char) -> i32 {
    ffi_guard!({
        // SAFETY: forwarded caller contract.
        unsafe {
            json_call(request_json, out_json, |r: AccessWhoCanRequest| {
                Ok(crate::runtime().block_on(hipaa_iam_core::api::access_who_can(&r))?)
            })
        }
    })
}

use hipaa_iam_core::api::{DiffRequest, ReviewSignRequest, ReviewStartRequest};

/// Compares two evidence directories (`audit --output-dir`, one account's or an
/// organization's), each verified against its manifest first, as `hipaa-iam diff OLD NEW
/// --format json` does. Request: `{"old_dir": "DIR", "new_dir": "DIR", "fail_on": "high"}`
/// (`fail_on` defaults to `none`). Response: `{kind, old, new, account: {new, resolved,
/// still_open, changed, exceptions_added, exceptions_expired, exceptions_removed,
/// principals_added, principals_removed, severity_counts, ...}, accounts, accounts_added,
/// accounts_removed, accounts_not_compared, failing, fail_on}`. A directory that does not
/// verify is `INVALID_ARGUMENT` naming it and its changed files.
///
/// # Safety
/// `request_json` must be NULL or a NUL-terminated string; `out_json` must be NULL or
/// point to writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn hipaa_iam_diff(request_json: *const c_char, out_json: *mut *mut c_char) -> i32 {
    ffi_guard!({
        // SAFETY: forwarded caller contract.
        unsafe {
            json_call(request_json, out_json, |r: DiffRequest| {
                Ok(hipaa_iam_core::api::diff(&r)?)
            })
        }
    })
}

/// Starts an access review, as `hipaa-iam review start --evidence DIR` does: writes the
/// roster `access_review.csv` into the (verified) evidence directory and its manifest.
/// Request: `{"evidence_dir": "DIR"}`. Response: `{roster, roster_id, principals}`.
///
/// # Safety
/// `request_json` must be NULL or a NUL-terminated string; `out_json` must be NULL or
/// point to writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn hipaa_iam_review_start(request_json: *const c_char, out_json: *mut *mut c_char) -> i32 {
    ffi_guard!({
        // SAFETY: forwarded caller contract.
        unsafe {
            json_call(request_json, out_json, |r: ReviewStartRequest| {
                Ok(hipaa_iam_core::api::review_start(&r)?)
            })
        }
    })
}

/// Checks a filled-in roster and signs the review, as `hipaa-iam review sign` does:
/// writes `review.json`, `review.md` and `access_review_signed.csv` into the evidence and
/// its manifest. Request: `{"evidence_dir": "DIR", "roster": "FILE", "reviewer": "NAME",
/// "title": "TITLE"}`. Response: `{review: {reviewer, title, signed_at, roster_id,
/// roster_sha256, account_id, as_of, counts, decisions}, plans: [{principal_type, name,
/// decision, steps}]}` (the plans are never applied). A row without a decision, an unknown
/// principal, an edited principal column or a roster of other evidence is `INVALID_INPUT`
/// naming the roster and the row.
///
/// # Safety
/// `request_json` must be NULL or a NUL-terminated string; `out_json` must be NULL or
/// point to writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn hipaa_iam_review_sign(request_json: *const c_char, out_json: *mut *mut c_char) -> i32 {
    ffi_guard!({
        // SAFETY: forwarded caller contract.
        unsafe {
            json_call(request_json, out_json, |r: ReviewSignRequest| {
                Ok(hipaa_iam_core::api::review_sign(&r)?)
            })
        }
    })
}
