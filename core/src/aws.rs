//! Talking to AWS: the one SDK configuration every client is built from (credentials,
//! retries, timeouts, and an HTTP client that refuses oversized answers), the builders of
//! the service clients (whose errors name the endpoint), the one caller-identity call, the
//! one check of AWS region names, AWS errors as code, message, operation and endpoint
//! ([`Failure`]), and the one pager every paginated listing goes through ([`Pager`]).
//!
//! The SDK side (in `aws/sdk.rs`) is built with the `aws` feature only; the settings, the
//! region check and the failure and pager data are plain Rust, so the engine builds
//! without the SDK.
//!
//! Every call is bounded: a connection must be made within `connect_timeout`, an answer
//! must start within `read_timeout`, one attempt (answer and body) must end within
//! `attempt_timeout`, and the whole operation, retries and back-off included, within
//! `operation_timeout`. A body larger than `max_response_bytes` is refused while it is
//! read, so memory never grows past it.

use std::collections::HashSet;
use std::time::Duration;

use crate::{Error, Result};

#[cfg(feature = "aws")]
mod sdk;
#[cfg(feature = "aws")]
pub use sdk::*;

/// Timeouts and the response size limit of every AWS call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    /// The longest wait for a TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// The longest wait for the start of an answer (its status line and headers).
    pub read_timeout: Duration,
    /// The longest one attempt may take, the whole answer read.
    pub attempt_timeout: Duration,
    /// The longest one operation may take, every retry and back-off included.
    pub operation_timeout: Duration,
    /// The largest answer body accepted, in bytes.
    pub max_response_bytes: u64,
}

/// 1 MiB.
pub const MIB: u64 = 1024 * 1024;

impl Default for Network {
    /// 10 s to connect, 30 s to the start of an answer, 60 s per attempt, 100 s per
    /// operation with its retries (so an endpoint that never answers ends a run in well
    /// under two minutes), answers up to 100 MiB.
    fn default() -> Self {
        Network {
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            attempt_timeout: Duration::from_secs(60),
            operation_timeout: Duration::from_secs(100),
            max_response_bytes: 100 * MIB,
        }
    }
}

/// Checks one AWS region name: lower-case letters and digits in at least three parts
/// joined by `-`, the first letters only, the last digits only (`us-east-1`,
/// `us-gov-west-1`, `eusc-de-east-1`). Anything else (`../x`, `US-EAST-1`, an empty name)
/// is refused before it reaches a file path or a host name.
pub fn check_region(name: &str) -> std::result::Result<(), String> {
    let parts: Vec<&str> = name.split('-').collect();
    let ok = name.len() <= 32
        && parts.len() >= 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
        && parts[0].bytes().all(|b| b.is_ascii_lowercase())
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{}` is not an AWS region name (like us-east-1)",
            name.escape_debug()
        ))
    }
}

/// Checks every region of `regions` with [`check_region`]; the error names `field` (the
/// argument or request field the regions came from).
pub fn check_regions(field: crate::error::Field, regions: &[String]) -> Result<()> {
    for r in regions {
        check_region(r).map_err(|e| Error::field(field, e))?;
    }
    Ok(())
}

/// The partition of an ARN (`arn:PARTITION:...`).
pub fn partition_of(arn: &str) -> Option<String> {
    let mut parts = arn.split(':');
    match (parts.next(), parts.next()) {
        (Some("arn"), Some(p)) if !p.is_empty() => Some(p.to_string()),
        _ => None,
    }
}

/// An AWS call's failure: the operation, AWS's error code and message (or, when there was
/// no AWS answer, what happened instead), the endpoint when known, and whether AWS
/// answered (a service error) or the request never got an answer (network, timeout).
#[derive(Debug, Clone)]
#[cfg_attr(not(feature = "aws"), allow(dead_code))]
pub(crate) struct Failure {
    pub(crate) operation: String,
    pub(crate) code: String,
    pub(crate) message: String,
    pub(crate) endpoint: Option<String>,
    pub(crate) answered: bool,
}

#[cfg_attr(not(feature = "aws"), allow(dead_code))]
impl Failure {
    /// A failure of `operation` found in an answer that AWS gave (an answer without what
    /// it must hold, a listing that repeats itself, ...), without an endpoint.
    pub(crate) fn new(operation: &str, code: &str, message: impl Into<String>) -> Failure {
        Failure {
            operation: operation.to_string(),
            code: code.to_string(),
            message: message.into(),
            endpoint: None,
            answered: true,
        }
    }

    /// Whether AWS answered with this error code.
    pub(crate) fn is(&self, code: &str) -> bool {
        self.code == code
    }

    /// `<code>: <message>`.
    pub(crate) fn reason(&self) -> String {
        format!("{}: {}", self.code, self.message)
    }

    /// The message, and the endpoint when known: `<message> (endpoint <url>)`.
    pub(crate) fn message_at(&self) -> String {
        format!("{}{}", self.message, crate::error::at(&self.endpoint))
    }

    /// The failure as an [`Error::Aws`].
    pub(crate) fn into_error(self) -> Error {
        Error::Aws {
            operation: self.operation,
            code: self.code,
            message: self.message,
            endpoint: self.endpoint,
        }
    }
}

impl From<Failure> for Error {
    fn from(f: Failure) -> Error {
        f.into_error()
    }
}

/// One paginated listing (`Marker` / `NextToken`): the token to send with the next
/// request, and every token the listing has returned so far. A token returned a second
/// time is an `InvalidPagination` failure of the listing's operation: never an endless
/// loop, never a list silently cut short.
///
/// ```text
/// let mut pager = Pager::new("ListVirtualMFADevices", "Marker");
/// loop {
///     let page = iam.list_virtual_mfa_devices().set_marker(pager.token()).send().await?;
///     // ... use the page ...
///     if !pager.next(page.is_truncated().then_some(page.marker()).flatten())? {
///         break;
///     }
/// }
/// ```
#[derive(Debug)]
#[cfg_attr(not(feature = "aws"), allow(dead_code))]
pub(crate) struct Pager {
    operation: &'static str,
    field: &'static str,
    token: Option<String>,
    seen: HashSet<String>,
}

#[cfg_attr(not(feature = "aws"), allow(dead_code))]
impl Pager {
    /// The pager of `operation`, whose pages name the next one in `field`.
    pub(crate) fn new(operation: &'static str, field: &'static str) -> Pager {
        Pager {
            operation,
            field,
            token: None,
            seen: HashSet::new(),
        }
    }

    /// The token to send with the next request (`None` for the first page).
    pub(crate) fn token(&self) -> Option<String> {
        self.token.clone()
    }

    /// Moves on to the page `next` names (`None` or empty: the page just read was the
    /// last) and says whether there is another page to ask for.
    pub(crate) fn next(&mut self, next: Option<&str>) -> std::result::Result<bool, Failure> {
        let Some(t) = next.filter(|t| !t.is_empty()) else {
            return Ok(false);
        };
        if !self.seen.insert(t.to_string()) {
            return Err(Failure::new(
                self.operation,
                "InvalidPagination",
                format!(
                    "the service returned the same {} twice ({}); stopping",
                    self.field,
                    t.escape_debug()
                ),
            ));
        }
        self.token = Some(t.to_string());
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn region_names_of_every_partition_pass_and_paths_do_not() {
        for ok in [
            "us-east-1",
            "eu-central-2",
            "ap-southeast-5",
            "us-gov-west-1",
            "cn-northwest-1",
            "us-isob-east-1",
            "eusc-de-east-1",
        ] {
            check_region(ok).unwrap();
        }
        for bad in [
            "",
            "../x",
            "us-east-1/../..",
            "US-EAST-1",
            "us_east_1",
            "useast1",
            "us-east",
            "us--east-1",
            "-us-east-1",
            "us-east-1-",
            "1-us-east",
            "us-east-1\u{1b}[31m",
            "us-east-1 ",
        ] {
            let e = check_region(bad).unwrap_err();
            assert!(e.contains("is not an AWS region name"), "{bad:?}: {e}");
            assert!(!e.contains('\u{1b}'), "control characters are escaped: {e:?}");
        }
        let e = check_regions(crate::error::Field::Regions, &["us-east-1".into(), "../x".into()])
            .unwrap_err()
            .to_string();
        assert_eq!(e, "regions: `../x` is not an AWS region name (like us-east-1)");
    }

    #[test]
    fn a_listing_that_returns_a_token_again_is_an_error_naming_the_operation() {
        let mut pager = Pager::new("ListAccounts", "NextToken");
        assert_eq!(pager.token(), None);
        assert!(pager.next(Some("a")).unwrap());
        assert_eq!(pager.token().as_deref(), Some("a"));
        assert!(pager.next(Some("b")).unwrap());
        // A cycle of two tokens, not only the same token twice in a row.
        let f = pager.next(Some("a")).unwrap_err();
        assert_eq!(
            (f.operation.as_str(), f.code.as_str()),
            ("ListAccounts", "InvalidPagination")
        );
        assert_eq!(
            Error::from(f).to_string(),
            "AWS ListAccounts failed: InvalidPagination: the service returned the same NextToken twice (a); stopping"
        );
        let mut pager = Pager::new("ListAnalyzers", "NextToken");
        assert!(!pager.next(None).unwrap(), "no token: the last page");
        assert!(!pager.next(Some("")).unwrap(), "an empty token: the last page");
    }

    #[test]
    fn the_default_timeouts_end_a_dead_endpoint_within_two_minutes() {
        let n = Network::default();
        assert!(n.operation_timeout < Duration::from_secs(120), "{n:?}");
        assert!(n.connect_timeout <= n.attempt_timeout && n.read_timeout <= n.attempt_timeout);
        assert!(n.attempt_timeout <= n.operation_timeout);
    }
}
