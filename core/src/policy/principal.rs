//! Reading the `Principal` and `NotPrincipal` of a statement (trust and resource policies):
//! who it names, by kind. Reading only: whether a given caller matches, within the
//! statement's conditions, is for whoever asks.

use serde_json::Value;

use super::document::Statement;

/// Whether `id` is a 12-digit AWS account ID.
pub fn is_account_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

/// One principal named in a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NamedPrincipal {
    /// `"Principal": "*"` or `{"AWS": "*"}`: every principal of every account, and
    /// anonymous callers.
    Anyone,
    /// A whole AWS account: its 12-digit ID (`"123456789012"`) or its root ARN
    /// (`arn:aws:iam::123456789012:root`), which both mean every principal of the account
    /// that the account's own policies allow.
    Account {
        /// The 12-digit account ID.
        id: String,
        /// The entry as written.
        written: String,
    },
    /// One IAM principal by ARN (a role, a user, an assumed-role session, a federated user).
    Arn {
        /// The account ID in the ARN, when it has a 12-digit one.
        account: Option<String>,
        /// The ARN as written.
        arn: String,
    },
    /// An `AWS` entry that is neither `*`, an account nor an ARN: IAM writes a principal's
    /// unique ID (`AROA...`) in place of the ARN of a principal that was deleted.
    UniqueId(String),
    /// `{"Service": "ec2.amazonaws.com"}`.
    Service(String),
    /// `{"Federated": ...}`: a web identity provider (`cognito-identity.amazonaws.com`,
    /// `accounts.google.com`) or the ARN of an OIDC or SAML provider of the account.
    Federated(String),
    /// `{"CanonicalUser": ...}` (S3).
    CanonicalUser(String),
    /// Anything else (an unknown key, a value that is not a string), as JSON text.
    Unrecognised(String),
}

impl NamedPrincipal {
    /// Reads one `AWS` entry.
    pub fn aws(text: &str) -> NamedPrincipal {
        let text = text.trim();
        if text == "*" {
            return NamedPrincipal::Anyone;
        }
        if is_account_id(text) {
            return NamedPrincipal::Account {
                id: text.to_string(),
                written: text.to_string(),
            };
        }
        if let Some(rest) = text.strip_prefix("arn:") {
            // arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE
            let fields: Vec<&str> = rest.splitn(5, ':').collect();
            let account = fields.get(3).filter(|a| is_account_id(a)).map(|a| a.to_string());
            if let (Some(id), [_, "iam", "", _, "root"]) = (&account, fields.as_slice()) {
                return NamedPrincipal::Account {
                    id: id.clone(),
                    written: text.to_string(),
                };
            }
            return NamedPrincipal::Arn {
                account,
                arn: text.to_string(),
            };
        }
        NamedPrincipal::UniqueId(text.to_string())
    }

    /// The AWS account this principal belongs to: an account's or an ARN's; `None` for the
    /// others.
    pub fn account(&self) -> Option<&str> {
        match self {
            NamedPrincipal::Account { id, .. } => Some(id),
            NamedPrincipal::Arn { account, .. } => account.as_deref(),
            _ => None,
        }
    }

    /// The entry as written, for messages: `*`, `AWS arn:aws:iam::...:root`, `Service
    /// ec2.amazonaws.com`, `Federated accounts.google.com`.
    pub fn describe(&self) -> String {
        match self {
            NamedPrincipal::Anyone => "*".to_string(),
            NamedPrincipal::Account { written, .. } => format!("AWS {written}"),
            NamedPrincipal::Arn { arn, .. } => format!("AWS {arn}"),
            NamedPrincipal::UniqueId(id) => format!("AWS {id}"),
            NamedPrincipal::Service(s) => format!("Service {s}"),
            NamedPrincipal::Federated(f) => format!("Federated {f}"),
            NamedPrincipal::CanonicalUser(c) => format!("CanonicalUser {c}"),
            NamedPrincipal::Unrecognised(u) => u.clone(),
        }
    }

    /// For a `Federated` entry, the web identity provider's host: the entry itself
    /// (`accounts.google.com`), or what follows `oidc-provider/` in an OIDC provider's ARN
    /// (`token.actions.githubusercontent.com`). `None` for the others (a SAML provider too).
    pub fn web_identity_provider(&self) -> Option<&str> {
        let NamedPrincipal::Federated(f) = self else {
            return None;
        };
        if f.starts_with("arn:") {
            f.split_once(":oidc-provider/").map(|(_, host)| host)
        } else {
            Some(f.as_str())
        }
    }
}

/// The principals of a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principals {
    /// `NotPrincipal`: the statement is about every principal except those listed.
    pub negated: bool,
    /// The principals listed, in the order written.
    pub listed: Vec<NamedPrincipal>,
}

impl Principals {
    /// Reads a `Principal` or `NotPrincipal` value: `"*"`, or an object whose `AWS`,
    /// `Service`, `Federated` and `CanonicalUser` entries are strings or arrays of strings.
    pub fn read(value: &Value, negated: bool) -> Principals {
        let mut listed = Vec::new();
        match value {
            Value::String(s) if s.trim() == "*" => listed.push(NamedPrincipal::Anyone),
            Value::Object(kinds) => {
                for (kind, entries) in kinds {
                    let texts: Vec<Option<&str>> = match entries {
                        Value::Array(items) => items.iter().map(Value::as_str).collect(),
                        other => vec![other.as_str()],
                    };
                    for text in texts {
                        let Some(text) = text else {
                            listed.push(NamedPrincipal::Unrecognised(format!("{kind} {entries}")));
                            continue;
                        };
                        let text = text.trim();
                        listed.push(match kind.to_ascii_lowercase().as_str() {
                            "aws" => NamedPrincipal::aws(text),
                            "service" => NamedPrincipal::Service(text.to_string()),
                            "federated" => NamedPrincipal::Federated(text.to_string()),
                            "canonicaluser" => NamedPrincipal::CanonicalUser(text.to_string()),
                            _ => NamedPrincipal::Unrecognised(format!("{kind} {text}")),
                        });
                    }
                }
            }
            other => listed.push(NamedPrincipal::Unrecognised(other.to_string())),
        }
        Principals { negated, listed }
    }

    /// A statement's `Principal` or `NotPrincipal`; `None` when it has neither (an identity
    /// policy's statement).
    pub fn of(statement: &Statement) -> Option<Principals> {
        match (statement.principal(), statement.not_principal()) {
            (Some(p), _) => Some(Principals::read(p, false)),
            (None, Some(n)) => Some(Principals::read(n, true)),
            (None, None) => None,
        }
    }

    /// Whether the statement is about every principal: `*` (or `{"AWS": "*"}`) is listed,
    /// or it is a `NotPrincipal` (everyone but those listed).
    pub fn is_anyone(&self) -> bool {
        self.negated || self.listed.contains(&NamedPrincipal::Anyone)
    }

    /// Whether the statement is about `p`: it is listed (or `*` is), or, for a
    /// `NotPrincipal`, it is not listed. An account listed covers the ARNs in it.
    pub fn covers(&self, p: &NamedPrincipal) -> bool {
        let listed = self.listed.iter().any(|l| {
            l == p
                || *l == NamedPrincipal::Anyone
                || matches!(l, NamedPrincipal::Account { id, .. } if p.account() == Some(id))
                || matches!((l, p), (NamedPrincipal::Arn { arn: a, .. }, NamedPrincipal::Arn { arn: b, .. }) if a == b)
        });
        listed != self.negated
    }

    /// `*`, `AWS arn:...`, or `everyone but AWS arn:...` (a `NotPrincipal`), for messages.
    pub fn describe(&self) -> String {
        let names: Vec<String> = self.listed.iter().map(NamedPrincipal::describe).collect();
        if self.negated {
            format!("everyone but {}", names.join(", "))
        } else {
            names.join(", ")
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn read(v: Value) -> Vec<NamedPrincipal> {
        Principals::read(&v, false).listed
    }

    fn account(id: &str, written: &str) -> NamedPrincipal {
        NamedPrincipal::Account {
            id: id.into(),
            written: written.into(),
        }
    }

    #[test]
    fn each_shape_of_principal_is_read_by_kind() {
        let role = "arn:aws:iam::210987654321:role/deployer";
        let cases: Vec<(Value, Vec<NamedPrincipal>)> = vec![
            (json!("*"), vec![NamedPrincipal::Anyone]),
            (json!({"AWS": "*"}), vec![NamedPrincipal::Anyone]),
            (json!({"AWS": ["*"]}), vec![NamedPrincipal::Anyone]),
            (
                json!({"AWS": "123456789012"}),
                vec![account("123456789012", "123456789012")],
            ),
            (
                json!({"AWS": "arn:aws:iam::123456789012:root"}),
                vec![account("123456789012", "arn:aws:iam::123456789012:root")],
            ),
            (
                json!({"AWS": "arn:aws-us-gov:iam::123456789012:root"}),
                vec![account("123456789012", "arn:aws-us-gov:iam::123456789012:root")],
            ),
            (
                json!({"AWS": role}),
                vec![NamedPrincipal::Arn {
                    account: Some("210987654321".into()),
                    arn: role.into(),
                }],
            ),
            (
                json!({"AWS": "arn:aws:sts::210987654321:assumed-role/deployer/session"}),
                vec![NamedPrincipal::Arn {
                    account: Some("210987654321".into()),
                    arn: "arn:aws:sts::210987654321:assumed-role/deployer/session".into(),
                }],
            ),
            (
                json!({"AWS": "AROAEXAMPLEID"}),
                vec![NamedPrincipal::UniqueId("AROAEXAMPLEID".into())],
            ),
            (
                json!({"Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"]}),
                vec![
                    NamedPrincipal::Service("ec2.amazonaws.com".into()),
                    NamedPrincipal::Service("lambda.amazonaws.com".into()),
                ],
            ),
            (
                json!({"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}),
                vec![NamedPrincipal::Federated(
                    "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com".into(),
                )],
            ),
            (
                json!({"CanonicalUser": "79a59df900b949e55d96a1e698fbaced"}),
                vec![NamedPrincipal::CanonicalUser("79a59df900b949e55d96a1e698fbaced".into())],
            ),
            (
                json!({"Robot": "r2"}),
                vec![NamedPrincipal::Unrecognised("Robot r2".into())],
            ),
            (json!(7), vec![NamedPrincipal::Unrecognised("7".into())]),
            (json!({"AWS": 7}), vec![NamedPrincipal::Unrecognised("AWS 7".into())]),
        ];
        for (value, want) in cases {
            assert_eq!(read(value.clone()), want, "{value}");
        }
        // Kinds mixed in one object, arrays of several.
        let mixed = read(json!({"AWS": ["123456789012", role], "Service": "ec2.amazonaws.com"}));
        assert_eq!(mixed.len(), 3);
        assert_eq!(mixed[0].account(), Some("123456789012"));
        assert_eq!(mixed[1].account(), Some("210987654321"));
        assert_eq!(mixed[2].account(), None);
    }

    #[test]
    fn an_arn_is_an_account_only_when_it_is_the_iam_root() {
        // A user named root is a user, not the account.
        let user = NamedPrincipal::aws("arn:aws:iam::123456789012:user/root");
        assert!(matches!(user, NamedPrincipal::Arn { .. }), "{user:?}");
        let sts = NamedPrincipal::aws("arn:aws:sts::123456789012:root");
        assert!(matches!(sts, NamedPrincipal::Arn { .. }), "{sts:?}");
        assert!(matches!(
            NamedPrincipal::aws("arn:aws:iam::123456789012:root"),
            NamedPrincipal::Account { .. }
        ));
        // An ARN without a 12-digit account has none.
        assert_eq!(NamedPrincipal::aws("arn:aws:iam::*:root").account(), None);
        assert_eq!(NamedPrincipal::aws("12345678901").account(), None);
    }

    #[test]
    fn web_identity_providers_are_named_by_host() {
        let p = |f: &str| NamedPrincipal::Federated(f.into());
        assert_eq!(
            p("arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com").web_identity_provider(),
            Some("token.actions.githubusercontent.com")
        );
        assert_eq!(
            p("cognito-identity.amazonaws.com").web_identity_provider(),
            Some("cognito-identity.amazonaws.com")
        );
        assert_eq!(
            p("arn:aws:iam::123456789012:saml-provider/Okta").web_identity_provider(),
            None
        );
        assert_eq!(
            NamedPrincipal::Service("accounts.google.com".into()).web_identity_provider(),
            None
        );
    }

    #[test]
    fn not_principal_is_everyone_but_those_listed() {
        let ours = NamedPrincipal::aws("arn:aws:iam::123456789012:role/ops");
        let theirs = NamedPrincipal::aws("arn:aws:iam::210987654321:role/ops");
        let not = Principals::read(&json!({"AWS": "arn:aws:iam::123456789012:root"}), true);
        assert!(not.is_anyone());
        assert!(!not.covers(&ours), "the account listed covers its roles");
        assert!(not.covers(&theirs));
        assert_eq!(not.describe(), "everyone but AWS arn:aws:iam::123456789012:root");
        let plain = Principals::read(&json!({"AWS": "123456789012"}), false);
        assert!(!plain.is_anyone());
        assert!(plain.covers(&ours) && !plain.covers(&theirs));
        let star = Principals::read(&json!("*"), false);
        assert!(star.is_anyone() && star.covers(&theirs));
        let one = Principals::read(&json!({"AWS": ["arn:aws:iam::210987654321:role/ops"]}), false);
        assert!(one.covers(&theirs) && !one.covers(&ours));
    }

    #[test]
    fn a_statement_gives_its_principal_or_not_principal() {
        let doc = super::super::Document::from_json(&json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": "sts:AssumeRole"},
            {"Effect": "Deny", "NotPrincipal": {"AWS": "123456789012"}, "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
        ]}))
        .unwrap();
        let s = doc.statements();
        assert_eq!(Principals::of(&s[0]).map(|p| p.negated), Some(false));
        assert_eq!(Principals::of(&s[1]).map(|p| p.negated), Some(true));
        assert_eq!(Principals::of(&s[2]), None);
    }
}
