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

impl HipaaIamStatus {
    /// Every status, in number order.
    pub const ALL: [HipaaIamStatus; 8] = [
        HipaaIamStatus::Ok,
        HipaaIamStatus::InvalidArgument,
        HipaaIamStatus::InvalidJson,
        HipaaIamStatus::InvalidInput,
        HipaaIamStatus::InvalidConfig,
        HipaaIamStatus::AwsError,
        HipaaIamStatus::IoError,
        HipaaIamStatus::Panic,
    ];

    /// The status's name, e.g. `InvalidInput`, NUL-terminated.
    pub(crate) fn name_nul(self) -> &'static str {
        match self {
            HipaaIamStatus::Ok => "Ok\0",
            HipaaIamStatus::InvalidArgument => "InvalidArgument\0",
            HipaaIamStatus::InvalidJson => "InvalidJson\0",
            HipaaIamStatus::InvalidInput => "InvalidInput\0",
            HipaaIamStatus::InvalidConfig => "InvalidConfig\0",
            HipaaIamStatus::AwsError => "AwsError\0",
            HipaaIamStatus::IoError => "IoError\0",
            HipaaIamStatus::Panic => "Panic\0",
        }
    }

    /// The status's name, e.g. `InvalidInput`.
    pub fn name(self) -> &'static str {
        self.name_nul().trim_end_matches('\0')
    }
}

/// An error on its way to the caller: a status, a kind, the message, and what the caller
/// may act on without reading the message (the field, AWS's code and operation).
#[derive(Debug)]
pub(crate) struct FfiError {
    pub status: HipaaIamStatus,
    /// `argument`, `json`, `input`, `config`, `aws`, `io` or `panic`.
    pub kind: &'static str,
    pub message: String,
    /// The request field the error is about, and the message's text around its name.
    pub field: Option<Box<(hipaa_iam_core::error::Field, String, String)>>,
    /// AWS errors: the error code and the operation.
    pub aws: Option<Box<(String, String)>>,
}

impl FfiError {
    pub fn new(status: HipaaIamStatus, message: impl Into<String>) -> Self {
        let kind = match status {
            HipaaIamStatus::InvalidJson => "json",
            HipaaIamStatus::InvalidInput => "input",
            HipaaIamStatus::InvalidConfig => "config",
            HipaaIamStatus::AwsError => "aws",
            HipaaIamStatus::IoError => "io",
            HipaaIamStatus::Panic => "panic",
            HipaaIamStatus::Ok | HipaaIamStatus::InvalidArgument => "argument",
        };
        FfiError {
            status,
            kind,
            message: message.into(),
            field: None,
            aws: None,
        }
    }

    /// The error as `hipaa_iam_last_error_json` returns it.
    fn to_json(&self) -> String {
        let (field, before, after) = match self.field.as_deref() {
            Some((f, b, a)) => (Some(f.name()), Some(b.as_str()), Some(a.as_str())),
            None => (None, None, None),
        };
        serde_json::json!({
            "status": self.status as i32,
            "status_name": self.status.name(),
            "kind": self.kind,
            "field": field,
            "field_before": before,
            "field_after": after,
            "code": self.aws.as_deref().map(|(code, _)| code),
            "operation": self.aws.as_deref().map(|(_, operation)| operation),
            "message": self.message,
        })
        .to_string()
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
            E::InvalidArgument(_) | E::Argument { .. } => HipaaIamStatus::InvalidArgument,
        };
        let aws = match &e {
            E::Aws { code, operation, .. } => Some(Box::new((code.clone(), operation.clone()))),
            _ => None,
        };
        FfiError {
            status,
            kind: e.kind(),
            message: e.to_string(),
            field: e.field_parts().map(Box::new),
            aws,
        }
    }
}

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
    static LAST_ERROR_JSON: RefCell<CString> = RefCell::new(ok_json());
}

/// The last error JSON of a thread whose last call succeeded.
fn ok_json() -> CString {
    let json = serde_json::json!({
        "status": 0, "status_name": "Ok", "kind": null, "field": null, "field_before": null,
        "field_after": null, "code": null, "operation": null, "message": "",
    });
    CString::new(json.to_string()).unwrap_or_default()
}

/// A C string of `text`, any NUL replaced (JSON and error text never hold one).
fn c_string(text: &str) -> CString {
    CString::new(text.replace('\0', "\\0")).unwrap_or_default()
}

/// Records `e` as the calling thread's last error.
pub(crate) fn set_last_error(e: &FfiError) {
    LAST_ERROR.with(|l| *l.borrow_mut() = c_string(&e.message));
    LAST_ERROR_JSON.with(|l| *l.borrow_mut() = c_string(&e.to_json()));
}

/// Clears the calling thread's last error.
pub(crate) fn clear_last_error() {
    LAST_ERROR.with(|e| *e.borrow_mut() = CString::default());
    LAST_ERROR_JSON.with(|e| *e.borrow_mut() = ok_json());
}

/// A pointer to the thread's last error, valid until the thread's next call.
pub(crate) fn last_error_ptr() -> *const c_char {
    LAST_ERROR.with(|e| e.borrow().as_ptr())
}

/// A pointer to the thread's last error as JSON, valid until the thread's next call.
pub(crate) fn last_error_json_ptr() -> *const c_char {
    LAST_ERROR_JSON.with(|e| e.borrow().as_ptr())
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
    set_last_error(&e);
    e.status as i32
}

/// Records a caught panic and returns [`HipaaIamStatus::Panic`].
pub(crate) fn panicked(payload: &(dyn std::any::Any + Send)) -> i32 {
    set_last_error(&FfiError::new(
        HipaaIamStatus::Panic,
        format!(
            "internal error (panic caught at the C boundary): {}",
            panic_message(payload)
        ),
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
