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
        let source = api::Source {
            exports_dir: self.exports_dir.clone(),
            profile: self.profile.clone(),
            regions: self.regions.clone(),
            network: Default::default(),
        };
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
                if let Some(exports) = &r.exports_dir {
                    hipaa_iam_core::report::evidence::ensure_apart(&dir, exports)?;
                }
                let audit = r.run()?;
                let options = hipaa_iam_core::report::EvidenceOptions { excel: r.excel };
                Ok(hipaa_iam_core::report::write_evidence(
                    &dir,
                    &audit.report,
                    &audit.account,
                    &audit.config,
                    &options,
                )?)
            })
        }
    })
}

/// The request of [`hipaa_iam_remediation_plan`] and [`hipaa_iam_remediation_apply`].
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RemediationRequest {
    /// `password-policy`, `mfa-enforcement`, `group-membership`, `permissions-boundary`,
    /// `access-analyzer` or `create-user`.
    remediation: hipaa_iam_core::remediate::Remediation,
    /// Plan from this exports directory instead of the live account (apply acts on the
    /// live account, and only when the credentials belong to the exports' account).
    #[serde(default)]
    exports_dir: Option<std::path::PathBuf>,
    #[serde(default)]
    profile: Option<String>,
    #[serde(default)]
    regions: Vec<String>,
    #[serde(default)]
    config_path: Option<std::path::PathBuf>,
    #[serde(default)]
    config: Option<String>,
    /// create-user with `console`: the temporary password (must meet the configured
    /// policy). Omitted: one is generated and returned once as
    /// `generated_console_password`. Never logged.
    #[serde(default)]
    console_password: Option<String>,
    /// group-membership, permissions-boundary: only these users.
    #[serde(default)]
    users: Vec<String>,
    /// permissions-boundary: a boundary document file.
    #[serde(default)]
    policy_file: Option<std::path::PathBuf>,
    /// permissions-boundary: replace a different existing boundary.
    #[serde(default)]
    replace: bool,
    /// create-user: the new user's name.
    #[serde(default)]
    user_name: Option<String>,
    /// create-user: give the user the permissions boundary (default true).
    #[serde(default = "yes")]
    boundary: bool,
    /// create-user: a console password that must be changed at first sign-in.
    #[serde(default)]
    console: bool,
}

fn yes() -> bool {
    true
}

impl RemediationRequest {
    /// Builds the plan; returns it with what applying it needs.
    fn plan(
        &self,
    ) -> Result<
        (
            hipaa_iam_core::remediate::Plan,
            hipaa_iam_core::remediate::SdkConfig,
            Vec<String>,
            hipaa_iam_core::config::Config,
        ),
        FfiError,
    > {
        use hipaa_iam_core::{api, remediate};
        if self.config.is_some() && self.config_path.is_some() {
            return Err(FfiError::new(
                HipaaIamStatus::InvalidArgument,
                "request: give either config (TOML text) or config_path, not both",
            ));
        }
        let options = remediate::request::Options {
            users: self.users.clone(),
            policy_file: self.policy_file.clone(),
            replace: self.replace,
            user_name: self.user_name.clone(),
            boundary: self.boundary,
            console: self.console,
        };
        options.validate(self.remediation)?;
        let config = api::load_config(self.config_path.as_deref(), self.config.as_deref(), &self.regions)?.config;
        let rt = crate::runtime();
        let sdk = rt.block_on(hipaa_iam_core::aws::sdk_config(
            self.profile.as_deref(),
            &Default::default(),
        ));
        let regions: Vec<String> = if !config.regions.is_empty() {
            config.regions.clone()
        } else {
            sdk.region().map(|r| vec![r.to_string()]).unwrap_or_default()
        };
        let source = api::Source {
            exports_dir: self.exports_dir.clone(),
            profile: self.profile.clone(),
            regions: regions.clone(),
            network: Default::default(),
        };
        let mut account = rt.block_on(source.load(&regions))?;
        if account.account_id.is_none() {
            account.account_id = Some(rt.block_on(remediate::caller_account_id(&sdk))?);
        }
        let plan = remediate::request::plan(self.remediation, &account, &config, &options, &regions)?;
        Ok((plan, sdk, regions, config))
    }
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
                let (plan, ..) = r.plan()?;
                Ok(hipaa_iam_core::remediate::request::document(&plan, true, None, None))
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
                use hipaa_iam_core::remediate::{self, Clients, Password, Secrets};
                let (plan, sdk, regions, config) = r.plan()?;
                let secrets = if r.console {
                    match &r.console_password {
                        Some(p) => {
                            let password = Password::new(p.clone());
                            remediate::check_password(&password, &config.password_policy)?;
                            Secrets {
                                console_password: Some(password),
                                generated: false,
                            }
                        }
                        None => Secrets {
                            console_password: Some(remediate::generate_password(&config.password_policy)?),
                            generated: true,
                        },
                    }
                } else {
                    Secrets::default()
                };
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
