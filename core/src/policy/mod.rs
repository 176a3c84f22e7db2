//! IAM policy documents: parsing and evaluation.
//!
//! A [`Document`] is parsed and compiled once (wildcards, conditions, policy variables) and
//! then evaluated many times without allocating:
//!
//! - [`evaluate`] answers "is action A on resource R allowed, denied or not granted under
//!   context C" for a set of documents, explicit deny winning;
//! - [`Principal::evaluate`] does the same for identity policies intersected with a
//!   permissions boundary and capped by the organization's service and resource control
//!   policies ([`Ceiling`]) where they apply;
//! - [`Principal::allows_everything`] and [`Document::wildcard_allows`] answer the symbolic
//!   questions of the admin-access and wildcard checks;
//! - [`Targets::allowed`] answers "on which of these many ARNs is the action allowed" without
//!   evaluating every one of them for every principal.
//!
//! What the evaluator cannot decide (an operator it does not understand, a condition key
//! the [`Context`] does not know, a policy variable on such a key) makes a statement
//! *conditional*: a conditional `Allow` never makes an allow definite, and a conditional
//! `Deny` never counts as a definite deny. A policy variable on a key the context knows to be
//! absent has no value and matches nothing, as in AWS.
//!
//! ```
//! use hipaa_iam_core::policy::{evaluate, Context, Decision, Document};
//! let doc = Document::from_json(&serde_json::json!({
//!     "Version": "2012-10-17",
//!     "Statement": {"Effect": "Deny", "NotAction": "iam:ChangePassword", "Resource": "*",
//!                   "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}
//! })).unwrap();
//! let keys = Context::new().absent("aws:MultiFactorAuthPresent");
//! assert_eq!(evaluate(&[&doc], "s3:GetObject", "*", &keys).decision, Decision::Denied);
//! assert_eq!(evaluate(&[&doc], "iam:ChangePassword", "*", &keys).decision, Decision::NotGranted);
//! ```

mod action_set;
pub mod catalogue;
mod ceiling;
mod condition;
mod context;
mod document;
mod eval;
pub mod pass_role;
mod pattern;
mod principal;
mod targets;
mod template;
mod unknown;

pub use action_set::ActionSet;
pub use ceiling::{Ceiling, CeilingKind, Chain, Level, RCP_SERVICES};
pub use condition::{Condition, Operator, Tri};
pub use context::{Context, KeyState};
pub use document::{
    covers_every_action, Actions, Document, Effect, ResourcePattern, Resources, Statement, WildcardAllow,
    WildcardScope, VERSION_2012,
};
pub use eval::{evaluate, CeilingAt, Decision, Evaluation, MatchedStatement, Principal};
pub use pattern::Pattern;
pub use principal::{is_account_id, NamedPrincipal, Principals};
pub use targets::{TargetSet, Targets};
pub use unknown::{unknown_actions, Unknown, UnknownAction};

/// What the evaluator does not model, as the documentation lists it.
pub const NOT_MODELLED: &[&str] = &[
    "Condition operators other than `Bool`, `Null` and the `String*` family (`IpAddress`, `Arn*`, `Date*`, `Numeric*`, `ForAnyValue:`/`ForAllValues:` forms): a statement using one is *conditional*. A conditional `Allow` never makes an allow definite and a conditional `Deny` never counts as a definite deny.",
    "Resource-based policies (bucket, key, queue policies) and session policies: access is judged from identity policies, boundaries and trust policies.",
    "Service control policies and resource control policies in single-account runs: they are unknown there. Organization runs apply them to every principal but the management account's and service-linked roles; resource control policies cap only the actions of S3, STS, KMS, SQS and Secrets Manager (the services that supported them at their launch).",
    "Whether an action applies to a resource type: an `Allow` of `s3:GetObject` on a bucket ARN is taken as written.",
    "Actions AWS added after the catalogue's date: they are unknown to IAM-024 and `lint-policy` until the catalogue is refreshed (`scripts/update-iam-catalogue`).",
];

/// Turns a document given as a JSON object, a JSON string, or a URL-encoded JSON string
/// into a JSON object (as raw IAM API responses carry them URL-encoded).
pub fn decode_document(value: &serde_json::Value) -> Result<serde_json::Value, String> {
    match value {
        serde_json::Value::String(s) => {
            let text = if s.trim_start().starts_with('{') {
                s.clone()
            } else {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8()
                    .map_err(|e| format!("policy document is not valid URL-encoded UTF-8: {e}"))?
                    .into_owned()
            };
            let json: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| format!("policy document is not valid JSON: {e}"))?;
            if !json.is_object() {
                return Err("a policy document must be a JSON object".into());
            }
            Ok(json)
        }
        serde_json::Value::Object(_) => Ok(value.clone()),
        other => Err(format!(
            "a policy document must be a JSON object or string, found {}",
            condition::kind(other)
        )),
    }
}
