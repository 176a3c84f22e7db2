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
