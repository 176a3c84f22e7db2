//! The panic guard, status codes and the thread's last error.

use std::cell::RefCell;
use std::ffi::{c_char, CString};

/// Status codes returned by every function of the library. Numbers are stable and
/// never reused.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HipaaIamStatus {
    /// Success; `*out_json` holds the result.
    Ok = 0,
    /// An argument is invalid: a NULL pointer, a string that is not UTF-8, or a request
    /// field with a wrong value.
    InvalidArgument = 1,
    /// The request is not valid JSON, or not of the expected shape: not a JSON object,
    /// an unknown field, a field of the wrong type.
    InvalidJson = 2,
    /// The account data is malformed, or the exports directory is missing or not a
    /// directory.
    InvalidInput = 3,
    /// The configuration is invalid.
    InvalidConfig = 4,
    /// An AWS call failed; the last error has AWS's code and message.
    AwsError = 5,
    /// A file or directory could not be read or written.
    IoError = 6,
    /// A panic inside the library was caught; the library stays usable.
    Panic = 7,
}

/// An error on its way to the caller: a status and a message.
#[derive(Debug)]
pub(crate) struct FfiError {
    pub status: HipaaIamStatus,
    pub message: String,
}

impl FfiError {
    pub fn new(status: HipaaIamStatus, message: impl Into<String>) -> Self {
        FfiError {
            status,
            message: message.into(),
        }
    }
}

impl From<hipaa_iam_core::Error> for FfiError {
    fn from(e: hipaa_iam_core::Error) -> Self {
        use hipaa_iam_core::Error as E;
        let status = match &e {
            E::Input { .. } => HipaaIamStatus::InvalidInput,
            E::Io { .. } => HipaaIamStatus::IoError,
            E::Aws { .. } => HipaaIamStatus::AwsError,
            E::Config { .. } => HipaaIamStatus::InvalidConfig,
            E::InvalidArgument(_) => HipaaIamStatus::InvalidArgument,
        };
        FfiError::new(status, e.to_string())
    }
}

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

/// Records `message` as the calling thread's last error.
pub(crate) fn set_last_error(message: &str) {
    // JSON and error text never hold NUL, but be safe: replace any.
    let c = CString::new(message.replace('\0', "\\0")).unwrap_or_default();
    LAST_ERROR.with(|e| *e.borrow_mut() = c);
}

/// Clears the calling thread's last error.
pub(crate) fn clear_last_error() {
    LAST_ERROR.with(|e| *e.borrow_mut() = CString::default());
}

/// A pointer to the thread's last error, valid until the thread's next call.
pub(crate) fn last_error_ptr() -> *const c_char {
    LAST_ERROR.with(|e| e.borrow().as_ptr())
}

/// The message of a caught panic payload.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// Turns a failed call into its status, recording the message.
pub(crate) fn fail(e: FfiError) -> i32 {
    set_last_error(&e.message);
    e.status as i32
}

/// Records a caught panic and returns [`HipaaIamStatus::Panic`].
pub(crate) fn panicked(payload: &(dyn std::any::Any + Send)) -> i32 {
    set_last_error(&format!(
        "internal error (panic caught at the C boundary): {}",
        panic_message(payload)
    ));
    HipaaIamStatus::Panic as i32
}

/// Runs an export's body (a block evaluating to `Result<(), FfiError>`) inside the panic
/// guard and returns the status as `i32`. Every `#[no_mangle]` function uses this macro
/// or one of its two siblings below; a test checks that none is missing.
macro_rules! ffi_guard {
    ($body:block) => {{
        let run = || -> Result<(), $crate::guard::FfiError> { $body };
        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(run)) {
            Ok(Ok(())) => {
                $crate::guard::clear_last_error();
                $crate::guard::HipaaIamStatus::Ok as i32
            }
            Ok(Err(e)) => $crate::guard::fail(e),
            Err(payload) => $crate::guard::panicked(&*payload),
        }
    }};
}

/// [`ffi_guard!`] for exports that return a pointer (NULL on panic).
macro_rules! ffi_guard_ptr {
    ($body:block) => {{
        match ::std::panic::catch_unwind(|| $body) {
            Ok(p) => p,
            Err(payload) => {
                $crate::guard::panicked(&*payload);
                ::std::ptr::null()
            }
        }
    }};
}

/// [`ffi_guard!`] for exports that return nothing.
macro_rules! ffi_guard_void {
    ($body:block) => {{
        if let Err(payload) = ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| $body)) {
            $crate::guard::panicked(&*payload);
        }
    }};
}

pub(crate) use {ffi_guard, ffi_guard_ptr, ffi_guard_void};
