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
    let request: Req = serde_json::from_str(text)
        .map_err(|e| FfiError::new(HipaaIamStatus::InvalidJson, format!("request_json: {e}")))?;
    let response = f(request)?;
    let json = serde_json::to_string(&response)
        .map_err(|e| FfiError::new(HipaaIamStatus::InvalidJson, format!("response: {e}")))?;
    let c = CString::new(json)
        .map_err(|_| FfiError::new(HipaaIamStatus::InvalidJson, "response: contains a NUL byte"))?;
    // SAFETY: out_json is non-NULL and writable per the caller's contract; written only on success.
    unsafe { *out_json = c.into_raw() };
    Ok(())
}

/// An empty request object: `{}` (unknown fields are errors).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Empty {}

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
        unsafe { json_call(request_json, out_json, |_: Empty| Ok(hipaa_iam_core::checks::CATALOGUE)) }
    })
}

/// The request of [`hipaa_iam_audit`], [`hipaa_iam_mfa_report`] and
/// [`hipaa_iam_write_evidence`].
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
struct AuditRequest {
    /// Exports directory; absent = collect live with the standard AWS credential chain.
    exports_dir: Option<std::path::PathBuf>,
    /// AWS profile for a live collection.
    profile: Option<String>,
    /// Access Analyzer regions.
    regions: Vec<String>,
    /// Configuration file.
    config_path: Option<std::path::PathBuf>,
    /// Configuration as TOML text (instead of a file).
    config: Option<String>,
    /// Only these check IDs.
    checks: Option<Vec<String>>,
    /// `hipaa_iam_write_evidence`: the output directory (default `reports`).
    output_dir: Option<std::path::PathBuf>,
    /// `hipaa_iam_write_evidence`: prepend a UTF-8 BOM to CSVs for Excel.
    excel: bool,
}

impl AuditRequest {
    fn run(&self) -> Result<hipaa_iam_core::api::Audit, FfiError> {
        use hipaa_iam_core::api;
        if self.config.is_some() && self.config_path.is_some() {
            return Err(FfiError::new(
                HipaaIamStatus::InvalidArgument,
                "request: give either config (TOML text) or config_path, not both",
            ));
        }
        let config = api::load_config(self.config_path.as_deref(), self.config.as_deref(), &self.regions)?;
        let source =
            api::Source { exports_dir: self.exports_dir.clone(), profile: self.profile.clone(), regions: self.regions.clone() };
        Ok(crate::runtime().block_on(api::audit(&source, config, self.checks.as_deref()))?)
    }
}

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
        unsafe { json_call(request_json, out_json, |r: AuditRequest| Ok(r.run()?.report)) }
    })
}

/// The MFA report (the hardening guide's Audit-MFA): one row per IAM user, sorted by name,
/// with `UserName`, `MFA` (`HAS_MFA`/`NO_MFA`/`UNKNOWN`), `ConsoleAccess`, `MfaDeviceType`,
/// `InMfaGroup`, `Groups`, `PasswordLastUsed`, `Compliant`, as `hipaa-iam mfa` shows.
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
                let audit = r.run()?;
                Ok(hipaa_iam_core::report::mfa::rows(&audit.account, &audit.config.config))
            })
        }
    })
}

/// Runs the audit and writes the evidence directory (`mfa_audit.csv`, one CSV per check
/// with findings, `findings.json`, the risk register, `summary.md`, `manifest.json`), as
/// `hipaa-iam audit --output-dir` does. Request: as [`hipaa_iam_audit`] plus
/// `"output_dir": "DIR"` (default `reports`) and `"excel": true` for a UTF-8 BOM on CSVs.
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
            json_call(request_json, out_json, |r: AuditRequest| {
                let dir = r.output_dir.clone().unwrap_or_else(|| "reports".into());
                let audit = r.run()?;
                let options = hipaa_iam_core::report::EvidenceOptions { excel: r.excel };
                Ok(hipaa_iam_core::report::write_evidence(&dir, &audit.report, &audit.account, &audit.config, &options)?)
            })
        }
    })
}
