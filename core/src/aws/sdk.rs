//! The live side of [`crate::aws`]: the SDK configuration, the HTTP client that refuses
//! oversized answers, the interceptor that names the endpoint in every error, the service
//! client builders, the one caller-identity call, and reading the SDK's errors into
//! [`Failure`]s. Built with the `aws` feature only.

use std::fmt;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::interceptors::context::{
    FinalizerInterceptorContextMut, FinalizerInterceptorContextRef, InterceptorContext,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse, OrchestratorError};
use aws_smithy_runtime_api::client::result::{ConnectorError, SdkError};
use aws_smithy_runtime_api::client::retries::classifiers::{ClassifyRetry, RetryAction, RetryClassifierPriority};
use aws_smithy_runtime_api::client::runtime_components::{RuntimeComponents, RuntimeComponentsBuilder};
use aws_smithy_runtime_api::client::runtime_plugin::RuntimePlugin;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::{Failure, Network, MIB};
use crate::Result;

impl Network {
    /// The SDK's timeout configuration.
    pub fn timeout_config(&self) -> TimeoutConfig {
        TimeoutConfig::builder()
            .connect_timeout(self.connect_timeout)
            .read_timeout(self.read_timeout)
            .operation_attempt_timeout(self.attempt_timeout)
            .operation_timeout(self.operation_timeout)
            .build()
    }
}

/// The retry configuration of every client: the SDK's adaptive mode (client-side rate
/// limiting plus exponential backoff on throttling and transient errors), 8 attempts,
/// all within the operation timeout.
pub fn retry_config() -> RetryConfig {
    RetryConfig::adaptive().with_max_attempts(8)
}

/// The AWS SDK configuration from the standard credential chain (environment, profiles,
/// SSO, IMDS; `AWS_ENDPOINT_URL` honoured), with [`retry_config`], the timeouts of `net`
/// and the SDK's own HTTPS client refusing answers over `net.max_response_bytes`.
pub async fn sdk_config(profile: Option<&str>, net: &Network) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(retry_config())
        .timeout_config(net.timeout_config());
    if let Some(client) = default_http_client() {
        loader = loader.http_client(LimitedClient {
            inner: client,
            max: net.max_response_bytes,
        });
    }
    if let Some(p) = profile {
        loader = loader.profile_name(p);
    }
    loader.load().await
}

/// The HTTPS client the SDK would use by itself (TLS, proxy settings from the environment).
fn default_http_client() -> Option<SharedHttpClient> {
    let plugin = aws_smithy_runtime::client::defaults::default_http_client_plugin_v2(BehaviorVersion::latest())?;
    plugin
        .runtime_components(&RuntimeComponentsBuilder::new("hipaa-iam"))
        .http_client()
}

/// An HTTP client whose answers fail with [`TooLarge`] once their body passes `max` bytes.
#[derive(Debug, Clone)]
struct LimitedClient {
    inner: SharedHttpClient,
    max: u64,
}

impl HttpClient for LimitedClient {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(LimitedConnector {
            inner: self.inner.http_connector(settings, components),
            max: self.max,
        })
    }

    fn validate_base_client_config(
        &self,
        components: &RuntimeComponentsBuilder,
        cfg: &ConfigBag,
    ) -> std::result::Result<(), BoxError> {
        self.inner.validate_base_client_config(components, cfg)
    }

    fn connector_metadata(&self) -> Option<aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata> {
        self.inner.connector_metadata()
    }
}

#[derive(Debug)]
struct LimitedConnector {
    inner: SharedHttpConnector,
    max: u64,
}

impl HttpConnector for LimitedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let (answer, max) = (self.inner.call(request), self.max);
        HttpConnectorFuture::new(async move {
            let response = answer.await?;
            Ok(response.map(|body| limit(body, max)))
        })
    }
}

/// `body`, failing with [`TooLarge`] as soon as more than `max` bytes have come.
fn limit(body: SdkBody, max: u64) -> SdkBody {
    use http_body_util::BodyExt;
    let cap = usize::try_from(max).unwrap_or(usize::MAX);
    SdkBody::from_body_1_x(http_body_util::Limited::new(body, cap).map_err(move |e| -> BoxError {
        if e.is::<http_body_util::LengthLimitError>() {
            Box::new(TooLarge { max })
        } else {
            e
        }
    }))
}

/// An answer whose body passed the size limit.
#[derive(Debug)]
struct TooLarge {
    max: u64,
}

impl fmt::Display for TooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the answer is larger than the limit of {} (--max-response-mib); it was not read further",
            size(self.max)
        )
    }
}

impl std::error::Error for TooLarge {}

/// `100 MiB`, or bytes when below one MiB.
fn size(bytes: u64) -> String {
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// The endpoint a request went to (scheme, host and port; no user information, path or
/// query), stored on the answer and on errors that have none.
#[derive(Debug, Clone, PartialEq, Eq)]
struct EndpointUrl(String);

impl EndpointUrl {
    fn of(url: &str) -> EndpointUrl {
        let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host = authority.rsplit('@').next().unwrap_or_default();
        EndpointUrl(if scheme.is_empty() {
            host.to_string()
        } else {
            format!("{scheme}://{host}")
        })
    }
}

/// An error that never got an answer, with the endpoint it was meant for and, when the
/// operation ran out of time, what the last finished attempt ended with.
#[derive(Debug)]
struct AtEndpoint {
    endpoint: EndpointUrl,
    last_attempt: Option<String>,
    source: BoxError,
}

/// How the last two attempts of an operation failed, the latest last (see
/// [`NameEndpoint`]).
#[derive(Debug, Clone, Default)]
struct LastAttempts(Vec<String>);

impl Storable for LastAttempts {
    type Storer = StoreReplace<Self>;
}

impl fmt::Display for AtEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "request to {}", self.endpoint.0)
    }
}

impl std::error::Error for AtEndpoint {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.source.as_ref())
    }
}

/// Names the endpoint in every error of an operation: on the answer (service errors,
/// unreadable answers) and around a timeout or a connection failure, once the retries are
/// over (so the retry decisions saw the SDK's own error).
#[derive(Debug)]
struct NameEndpoint;

impl Intercept for NameEndpoint {
    fn name(&self) -> &'static str {
        "NameEndpoint"
    }

    fn read_after_attempt(
        &self,
        ctx: &FinalizerInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> std::result::Result<(), BoxError> {
        if let Some(Err(e)) = ctx.output_or_error() {
            let mut last = cfg.load::<LastAttempts>().cloned().unwrap_or_default();
            last.0.push(causes(e));
            if last.0.len() > 2 {
                last.0.remove(0);
            }
            cfg.interceptor_state().store_put(last);
        }
        Ok(())
    }

    fn modify_before_completion(
        &self,
        ctx: &mut FinalizerInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> std::result::Result<(), BoxError> {
        let Some(endpoint) = cfg
            .load::<aws_smithy_types::endpoint::Endpoint>()
            .map(|e| EndpointUrl::of(e.url()))
        else {
            return Ok(());
        };
        if let Some(response) = ctx.response_mut() {
            response.add_extension(endpoint.clone());
        }
        let Some(Err(err)) = ctx.output_or_error_mut() else {
            return Ok(());
        };
        // An attempt cut short by the operation timeout ends with that same timeout: the
        // attempt worth showing is the latest that ended otherwise.
        let final_causes = causes(&*err);
        let last_attempt = cfg
            .load::<LastAttempts>()
            .and_then(|l| l.0.iter().rev().find(|a| !final_causes.contains(a.as_str())).cloned());
        let rewrap = |old: OrchestratorError<_>| -> BoxError {
            Box::new(AtEndpoint {
                endpoint: endpoint.clone(),
                last_attempt: last_attempt.clone(),
                source: Box::new(old),
            })
        };
        if err.is_timeout_error() {
            let old = std::mem::replace(err, OrchestratorError::other("replaced"));
            *err = OrchestratorError::timeout(rewrap(old));
        } else if let Some(c) = err.as_connector_error() {
            let (timeout, io, user, other) = (c.is_timeout(), c.is_io(), c.is_user(), c.as_other());
            let old = std::mem::replace(err, OrchestratorError::other("replaced"));
            let source = rewrap(old);
            *err = OrchestratorError::connector(if timeout {
                ConnectorError::timeout(source)
            } else if io {
                ConnectorError::io(source)
            } else if user {
                ConnectorError::user(source)
            } else {
                ConnectorError::other(source, other)
            });
        }
        Ok(())
    }
}

/// An oversized answer is not asked for again: it would only be as large the next time.
#[derive(Debug)]
struct TooLargeIsFinal;

impl ClassifyRetry for TooLargeIsFinal {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        match ctx.output_or_error() {
            Some(Err(e)) if e.is_response_error() && find::<TooLarge>(e).is_some() => RetryAction::RetryForbidden,
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "TooLargeIsFinal"
    }

    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_after(RetryClassifierPriority::transient_error_classifier())
    }
}

macro_rules! service_builder {
    ($(#[$doc:meta])* $name:ident, $krate:ident) => {
        $(#[$doc])*
        /// Its errors name the endpoint, and an oversized answer is not retried.
        pub fn $name(config: &SdkConfig) -> $krate::config::Builder {
            $krate::config::Builder::from(config)
                .interceptor(NameEndpoint)
                .retry_classifier(TooLargeIsFinal)
        }
    };
}

service_builder!(
    /// The IAM client configuration from `config`.
    iam,
    aws_sdk_iam
);
service_builder!(
    /// The STS client configuration from `config`.
    sts,
    aws_sdk_sts
);
service_builder!(
    /// The Access Analyzer client configuration from `config` (set its region).
    access_analyzer,
    aws_sdk_accessanalyzer
);
service_builder!(
    /// The AWS Organizations client configuration from `config`.
    organizations,
    aws_sdk_organizations
);
service_builder!(
    /// The IAM Identity Center administration (SSO Admin) client configuration from
    /// `config` (set its region).
    sso_admin,
    aws_sdk_ssoadmin
);
service_builder!(
    /// The Identity Store client configuration from `config` (set its region).
    identity_store,
    aws_sdk_identitystore
);

impl Failure {
    /// The failure of `operation` from the SDK's error: never its debug output.
    pub(crate) fn of<E>(operation: &str, err: &SdkError<E, HttpResponse>) -> Failure
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let endpoint = err
            .raw_response()
            .and_then(|r| r.extension::<EndpointUrl>())
            .or_else(|| find::<AtEndpoint>(err).map(|a| &a.endpoint))
            .map(|e| e.0.clone());
        let (code, message, answered) = match err {
            SdkError::ServiceError(ctx) => match ctx.err().code() {
                Some(code) => (
                    code.to_string(),
                    ctx.err()
                        .message()
                        .map_or_else(|| "(AWS gave no message)".to_string(), shorten),
                    true,
                ),
                None => unread_answer(ctx.raw()),
            },
            SdkError::ResponseError(ctx) => match find::<TooLarge>(err) {
                Some(too_large) => ("ResponseTooLarge".to_string(), too_large.to_string(), true),
                None => match ctx.raw().body().bytes() {
                    Some(b) if !b.is_empty() => unread_answer(ctx.raw()),
                    _ => (
                        format!("HTTP {}", ctx.raw().status().as_u16()),
                        format!("the answer could not be read: {}", causes(err)),
                        true,
                    ),
                },
            },
            SdkError::TimeoutError(_) => ("Timeout".to_string(), timeout_message(err), false),
            SdkError::DispatchFailure(d) => {
                if d.is_timeout() {
                    ("Timeout".to_string(), timeout_message(err), false)
                } else if d.is_io() {
                    ("ConnectionFailed".to_string(), causes(err), false)
                } else {
                    ("RequestFailed".to_string(), causes(err), false)
                }
            }
            _ => ("RequestFailed".to_string(), causes(err), false),
        };
        Failure {
            operation: operation.to_string(),
            code,
            message,
            endpoint,
            answered,
        }
    }
}

/// Whose credentials a client has: STS `GetCallerIdentity`'s answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The caller's account ID, as AWS gave it.
    pub account: Option<String>,
    /// The caller's ARN, as AWS gave it.
    pub arn: Option<String>,
}

impl Caller {
    /// The account ID; an answer without one is an `InvalidResponse` error.
    pub fn account_id(&self) -> Result<&str> {
        match self.account.as_deref() {
            Some(a) if !a.is_empty() => Ok(a),
            _ => Err(Failure::new("GetCallerIdentity", "InvalidResponse", "the answer has no account ID").into()),
        }
    }

    /// The partition of the caller's ARN (`aws`, `aws-us-gov`, `aws-cn`); an ARN without
    /// one is an `InvalidResponse` error.
    pub fn partition(&self) -> Result<String> {
        let arn = self.arn.as_deref().unwrap_or_default();
        super::partition_of(arn).ok_or_else(|| {
            Failure::new(
                "GetCallerIdentity",
                "InvalidResponse",
                format!("the caller's ARN `{arn}` has no partition"),
            )
            .into()
        })
    }
}

/// STS `GetCallerIdentity`: the one call that says whose credentials `sts` has (the
/// collector's manifest, an organization run's partition, remediation's same-account
/// check).
pub async fn caller_identity(sts: &aws_sdk_sts::Client) -> Result<Caller> {
    let out = sts
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| Failure::of("GetCallerIdentity", &e))?;
    Ok(Caller {
        account: out.account().map(str::to_string),
        arn: out.arn().map(str::to_string),
    })
}

/// The first error of type `T` in the chain of `err` (itself included).
fn find<'a, T: std::error::Error + 'static>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a T> {
    let mut next = Some(err);
    while let Some(e) = next {
        if let Some(t) = e.downcast_ref::<T>() {
            return Some(t);
        }
        next = e.source();
    }
    None
}

/// The causes of an error without an AWS answer, from the outside in, without the SDK's
/// generic layers ("dispatch failure", "io error", ...) and without repeats.
fn causes(err: &(dyn std::error::Error + 'static)) -> String {
    const GENERIC: [&str; 12] = [
        "dispatch failure",
        "io error",
        "timeout",
        "timeout error",
        "other",
        "connector error",
        "response error",
        "failed to construct request",
        "unhandled error",
        "an unknown error occurred",
        "request has timed out",
        "timed out",
    ];
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        next = e.source();
        if e.is::<AtEndpoint>() {
            continue;
        }
        let text = e.to_string();
        let text = text.trim();
        if text.is_empty() || GENERIC.contains(&text) || text == "replaced" {
            continue;
        }
        if parts.last().is_some_and(|last| last.contains(text)) {
            continue;
        }
        parts.push(text.to_string());
    }
    if parts.is_empty() {
        "no answer (no further detail)".to_string()
    } else {
        shorten(&parts.join(": "))
    }
}

/// `; the last attempt: <causes>` when the operation ran out of time after an attempt that
/// failed otherwise, else nothing.
fn last_attempt(err: &(dyn std::error::Error + 'static)) -> String {
    find::<AtEndpoint>(err)
        .and_then(|a| a.last_attempt.as_deref())
        .map_or_else(String::new, |last| format!("; the last attempt: {last}"))
}

/// What timed out, and the setting that bounds it.
fn timeout_message(err: &(dyn std::error::Error + 'static)) -> String {
    let text = causes(err);
    let setting = if text.contains("operation timeout (all attempts") {
        "--operation-timeout"
    } else if text.contains("attempt timeout") {
        "--attempt-timeout"
    } else if text.contains("read timeout") {
        "--read-timeout"
    } else if text.contains("connect timeout") {
        "--connect-timeout"
    } else {
        return format!("{text}{}", last_attempt(err));
    };
    format!("no answer in time: {text} ({setting}){}", last_attempt(err))
}

/// Code, message and `answered` for an answer the SDK could not read as this service's
/// error: the `Code` and `Message` of an AWS error in another shape (XML with `<Errors>`
/// around it, JSON with `__type` or `code`), else `HTTP <status>` and the start of the
/// body (e.g. a proxy's or an emulator's HTML page).
fn unread_answer(response: &HttpResponse) -> (String, String, bool) {
    let body = response.body().bytes().map(String::from_utf8_lossy).unwrap_or_default();
    if let Some((code, message)) = error_in(&body) {
        return (code, shorten(&message), true);
    }
    let status = format!("HTTP {}", response.status().as_u16());
    if body.trim().is_empty() {
        (status, "the response is not an AWS error and has no body".into(), true)
    } else {
        (
            status,
            shorten(&format!("the response is not an AWS error: {body}")),
            true,
        )
    }
}

/// The error code and message of an AWS error document in XML or JSON, if `body` is one.
fn error_in(body: &str) -> Option<(String, String)> {
    let body = body.trim();
    let clean = |s: &str| s.trim().chars().filter(|c| !c.is_control()).collect::<String>();
    if body.starts_with('{') {
        let v: serde_json::Value = serde_json::from_str(body).ok()?;
        let field = |keys: &[&str]| keys.iter().find_map(|k| v.get(*k)?.as_str().map(clean));
        let code = field(&["__type", "code", "Code"])?;
        // `__type` may be `namespace#Code`.
        let code = code.rsplit('#').next().unwrap_or_default().to_string();
        let message = field(&["message", "Message"]).unwrap_or_default();
        return (!code.is_empty()).then_some((code, message));
    }
    if !body.starts_with('<') {
        return None;
    }
    let element = |name: &str| {
        let (open, close) = (format!("<{name}>"), format!("</{name}>"));
        let start = body.find(&open)? + open.len();
        let len = body[start..].find(&close)?;
        let text = body[start..start + len]
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&");
        Some(clean(&text))
    };
    let code = element("Code").filter(|c| {
        !c.is_empty() && c.len() <= 128 && c.chars().all(|ch| ch.is_ascii_alphanumeric() || "._:-".contains(ch))
    })?;
    Some((code, element("Message").unwrap_or_default()))
}

/// Keeps a message readable when a server answers with a whole HTML page: one line, at
/// most 300 characters.
fn shorten(s: &str) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 300 {
        let cut: String = one_line.chars().take(300).collect();
        format!("{cut}...")
    } else {
        one_line
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn aws_errors_in_other_shapes_are_read_and_other_bodies_are_not() {
        let moto_sts = "<?xml version=\"1.0\"?><ErrorResponse><Errors><Error><Code>InvalidClientTokenId</Code>\
                        <Message>The token &amp; the key are invalid.</Message></Error></Errors></ErrorResponse>";
        assert_eq!(
            error_in(moto_sts),
            Some(("InvalidClientTokenId".into(), "The token & the key are invalid.".into()))
        );
        assert_eq!(
            error_in(r#"{"__type":"com.amazon.coral.service#AccessDeniedException","message":"no"}"#),
            Some(("AccessDeniedException".into(), "no".into()))
        );
        assert_eq!(error_in("<html><body><h1>502 Bad Gateway</h1></body></html>"), None);
        assert_eq!(error_in("<Error><Code>a b {c}</Code></Error>"), None, "not a code");
        assert_eq!(error_in("plain text"), None);
        assert_eq!(error_in(r#"{"ok":true}"#), None);
    }

    #[test]
    fn endpoints_are_shown_without_user_information_path_or_query() {
        assert_eq!(
            EndpointUrl::of("https://iam.amazonaws.com").0,
            "https://iam.amazonaws.com"
        );
        assert_eq!(
            EndpointUrl::of("http://user:secret@127.0.0.1:5000/path?x=1").0,
            "http://127.0.0.1:5000"
        );
        assert_eq!(size(100 * MIB), "100 MiB");
        assert_eq!(size(1000), "1000 bytes");
    }
}
