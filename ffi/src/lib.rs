//! The C ABI of `hipaa-iam`: JSON in, JSON out.
//!
//! Every function that does work has the shape
//! `int32_t f(const char *request_json, char **out_json)`: it returns a [`HipaaIamStatus`]
//! (0 = ok); on success `*out_json` receives a NUL-terminated UTF-8 JSON string that the
//! library allocated and the caller releases with [`hipaa_iam_string_free`]; on failure
//! `*out_json` is left untouched and [`hipaa_iam_last_error`] describes what went wrong.
//!
//! No panic crosses the boundary: every export runs inside one guard ([`ffi_guard!`]) that
//! turns a panic into [`HipaaIamStatus::Panic`]. NULL pointers, invalid UTF-8 and malformed
//! JSON are errors, never crashes. Calls from several threads at once are safe; live AWS
//! calls run on one multi-threaded tokio runtime made on first use.
#![warn(missing_docs)]
// The C ABI is the one place this workspace needs `unsafe`: raw pointers from C.
#![allow(unsafe_code)]

mod guard;
use guard::{ffi_guard_ptr, ffi_guard_void};
mod api;

use std::ffi::{c_char, CStr, CString};

pub use api::*;
pub use guard::HipaaIamStatus;

/// The library's version, a static NUL-terminated string (never free it).
#[no_mangle]
pub extern "C" fn hipaa_iam_version() -> *const c_char {
    ffi_guard_ptr!({ VERSION.as_ptr().cast() })
}

static VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");

/// The last error message of the calling thread, or an empty string when the thread's
/// last call succeeded. The pointer stays valid until the same thread's next call into
/// the library; do not free it.
#[no_mangle]
pub extern "C" fn hipaa_iam_last_error() -> *const c_char {
    ffi_guard_ptr!({ guard::last_error_ptr() })
}

/// The last error of the calling thread as a JSON object: `{"status": 3, "status_name":
/// "InvalidInput", "kind": "input", "field": null, "field_before": null, "field_after":
/// null, "code": null, "operation": null, "message": "..."}`. `kind` is `argument`,
/// `json`, `input`, `config`, `aws`, `io` or `panic`; `code` and `operation` are AWS's
/// error code and the API operation for AWS failures, else null; `field` is the request
/// field the error is about (e.g. `users`), else null, and then `message` is
/// `field_before` + `field` + `field_after`, so a caller can put its own name for the
/// field in between. After a call that succeeded: status 0 and an empty message. The
/// pointer stays valid until the same thread's next call into the library; do not free it.
#[no_mangle]
pub extern "C" fn hipaa_iam_last_error_json() -> *const c_char {
    ffi_guard_ptr!({ guard::last_error_json_ptr() })
}

/// The name of a status code (`InvalidInput` for 3), a static NUL-terminated string
/// (never free it), or NULL for a number that is not a status. Callers read the names
/// from here instead of copying the numbers.
#[no_mangle]
pub extern "C" fn hipaa_iam_status_name(status: i32) -> *const c_char {
    ffi_guard_ptr!({
        HipaaIamStatus::ALL
            .iter()
            .find(|s| **s as i32 == status)
            .map_or(std::ptr::null(), |s| s.name_nul().as_ptr().cast())
    })
}

/// Releases a string the library returned through an `out_json` parameter. NULL is
/// accepted and ignored; never free the same string twice, and never free a string
/// with C's `free`.
///
/// # Safety
/// `s` must be NULL or a pointer received from this library's `out_json` and not yet freed.
#[no_mangle]
pub unsafe extern "C" fn hipaa_iam_string_free(s: *mut c_char) {
    ffi_guard_void!({
        if !s.is_null() {
            // SAFETY: the caller promises `s` came from `CString::into_raw` in this library.
            drop(unsafe { CString::from_raw(s) });
        }
    })
}

/// Reads a request string: non-NULL, valid UTF-8.
///
/// # Safety
/// `p` must be NULL or point to a NUL-terminated string.
unsafe fn request_str<'a>(p: *const c_char, what: &str) -> Result<&'a str, guard::FfiError> {
    if p.is_null() {
        return Err(guard::FfiError::new(
            HipaaIamStatus::InvalidArgument,
            format!("{what} is NULL"),
        ));
    }
    // SAFETY: non-NULL and NUL-terminated per the caller's contract.
    let s = unsafe { CStr::from_ptr(p) };
    s.to_str().map_err(|e| {
        guard::FfiError::new(
            HipaaIamStatus::InvalidArgument,
            format!("{what} is not valid UTF-8: {e}"),
        )
    })
}

/// The one tokio runtime for live AWS calls, made on first use; safe to use from several
/// threads at once.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: once_cell::sync::Lazy<tokio::runtime::Runtime> = once_cell::sync::Lazy::new(|| {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("hipaa-iam")
            .build()
            .unwrap_or_else(|e| panic!("cannot start the tokio runtime: {e}"))
    });
    &RUNTIME
}
