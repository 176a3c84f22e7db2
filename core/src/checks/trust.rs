//! Checks of the roles' trust policies, who may assume a role: IAM-027 role-trust-public
//! and IAM-028 role-trust-external.
//!
//! A trust statement opens the role when it is an `Allow` whose action covers
//! `sts:AssumeRole`, `sts:AssumeRoleWithWebIdentity` or `sts:AssumeRoleWithSAML`. A `Deny`
//! never opens it; an unconditional `Deny` of the same action for the same principal (or
//! for `*`) closes what an `Allow` opens. Service-linked roles are AWS's and are skipped.

use super::{finding, from_source, listed};
use crate::account::{Account, Role};
use crate::config::Config;
use crate::findings::{Check, Finding, ResourceType, Severity, Status};
use crate::policy::{Condition, Document, Effect, NamedPrincipal, Principals, Statement};

/// This family's checks.
pub(crate) static CHECKS: &[&Check] = &[&ROLE_TRUST_PUBLIC, &ROLE_TRUST_EXTERNAL];

const SOURCE: &str = "authorization";

/// The actions that assume a role.
const ASSUME: [&str; 3] = [
    "sts:AssumeRole",
    "sts:AssumeRoleWithWebIdentity",
    "sts:AssumeRoleWithSAML",
];

/// The condition keys that limit a trust of `*` to known callers.
const LIMITING_KEYS: [&str; 6] = [
    "aws:PrincipalAccount",
    "aws:PrincipalOrgID",
    "aws:PrincipalArn",
    "aws:SourceAccount",
    "aws:SourceArn",
    "sts:ExternalId",
];

/// The keys every request of an AWS principal has: an `...IfExists` condition on them
/// still applies. On the others (`aws:PrincipalOrgID` is absent for an account outside any
/// organization, `aws:SourceAccount` when no service calls on someone's behalf,
/// `sts:ExternalId` when the caller gives none) `...IfExists` lets the caller through by
/// leaving the key out.
const ALWAYS_PRESENT: [&str; 2] = ["aws:PrincipalAccount", "aws:PrincipalArn"];

/// A web identity provider whose tokens anyone can obtain, and the conditions a trust of it
/// needs: each inner list is one condition, on any of its keys (after `host:`).
struct Provider {
    host: &'static str,
    /// For messages.
    name: &'static str,
    /// Who can get a token when the conditions are missing.
    anyone: &'static str,
    required: &'static [&'static [&'static str]],
    /// What the conditions must say, for messages (after the keys).
    hint: &'static str,
}

const PROVIDERS: &[Provider] = &[
    Provider {
        host: "token.actions.githubusercontent.com",
        name: "GitHub Actions",
        anyone: "any workflow of any GitHub repository",
        required: &[&["sub"]],
        hint: " that names the repository owner (repo:ORG/REPO:...)",
    },
    Provider {
        host: "cognito-identity.amazonaws.com",
        name: "Cognito identity pools",
        anyone: "any identity of any identity pool",
        required: &[&["aud"], &["amr"]],
        hint: " that is not only wildcards",
    },
    Provider {
        host: "accounts.google.com",
        name: "Google",
        anyone: "any Google account through any application",
        required: &[&["aud"]],
        hint: " that is not only wildcards",
    },
    // AWS names the application key `app_id` for Facebook and Login with Amazon; `aud`
    // is accepted too.
    Provider {
        host: "graph.facebook.com",
        name: "Facebook",
        anyone: "any Facebook user through any application",
        required: &[&["aud", "app_id"]],
        hint: " that is not only wildcards",
    },
    Provider {
        host: "www.amazon.com",
        name: "Login with Amazon",
        anyone: "any Amazon customer through any application",
        required: &[&["aud", "app_id"]],
        hint: " that is not only wildcards",
    },
];

/// `*`, `?*`: a value that matches anything (of enough length).
fn wildcard_only(v: &str) -> bool {
    !v.is_empty() && v.chars().all(|c| c == '*' || c == '?')
}

/// Whether an ARN pattern limits to known accounts: not wildcard-only, and its account
/// field (when it has one) is not wildcard-only either (`arn:aws:iam::*:role/deploy` is
/// any account's `deploy` role).
fn arn_limits(v: &str) -> bool {
    if wildcard_only(v) {
        return false;
    }
    let fields: Vec<&str> = v.splitn(6, ':').collect();
    match fields.get(4) {
        Some(account) if fields.len() == 6 => !wildcard_only(account),
        // A wildcard before the account field covers every account.
        _ => !v.contains(['*', '?']),
    }
}

/// Whether a `token.actions.githubusercontent.com:sub` value names whose workflows may
/// assume the role: `repo:ORG/...` with a literal owner (`repo:org/*` limits to one
/// organization's repositories); `*` and `repo:*` do not. A customised subject claim
/// limits when it does not start with a wildcard.
fn github_subject_limits(v: &str) -> bool {
    if wildcard_only(v) {
        return false;
    }
    match v.strip_prefix("repo:") {
        Some(rest) => {
            let owner = rest.split('/').next().unwrap_or("");
            !owner.is_empty() && !owner.contains(['*', '?'])
        }
        None => !v.starts_with(['*', '?']),
    }
}

/// Whether condition `c`, on one of `keys` (any case), lets only callers with certain values
/// of it through: a positive operator (`StringEquals`, `StringEqualsIgnoreCase`,
/// `StringLike`, `ArnEquals`, `ArnLike`, or their `ForAnyValue:` form) whose every value
/// (they are OR'ed) passes `value_limits`. Negated operators, `Null`, `ForAllValues:` (true
/// when the key is absent) and, for a key that may be absent (`always_present` false),
/// `...IfExists` do not limit.
fn limits(c: &Condition, keys: &[&str], always_present: bool, value_limits: impl Fn(&str) -> bool) -> bool {
    if !keys.iter().any(|k| k.eq_ignore_ascii_case(c.key())) {
        return false;
    }
    let (set, base) = match c.operator().split_once(':') {
        Some((set, base)) => (Some(set), base),
        None => (None, c.operator()),
    };
    if set.is_some_and(|s| !s.eq_ignore_ascii_case("ForAnyValue")) {
        return false;
    }
    let (base, if_exists) = match base.strip_suffix("IfExists") {
        Some(b) => (b, true),
        None => (base, false),
    };
    if if_exists && !always_present {
        return false;
    }
    const POSITIVE: [&str; 5] = [
        "StringEquals",
        "StringEqualsIgnoreCase",
        "StringLike",
        "ArnEquals",
        "ArnLike",
    ];
    if !POSITIVE.iter().any(|p| p.eq_ignore_ascii_case(base)) {
        return false;
    }
    let mut values = c.values().peekable();
    values.peek().is_some() && values.all(value_limits)
}

/// The limiting key of the first condition of `s` that limits a trust of `*` to known
/// callers (see [`LIMITING_KEYS`]), as written.
fn caller_limit(s: &Statement) -> Option<&str> {
    s.conditions()
        .iter()
        .find(|c| {
            let always = ALWAYS_PRESENT.iter().any(|k| k.eq_ignore_ascii_case(c.key()));
            let arn = c.key().to_ascii_lowercase().ends_with("arn");
            limits(c, &LIMITING_KEYS, always, |v| {
                if arn {
                    arn_limits(v)
                } else {
                    !wildcard_only(v)
                }
            })
        })
        .map(Condition::key)
}

/// Whether `s` has a condition on `sts:ExternalId` that requires one of some values.
fn requires_external_id(s: &Statement) -> bool {
    s.conditions()
        .iter()
        .any(|c| limits(c, &["sts:ExternalId"], false, |v| !wildcard_only(v)))
}

/// The conditions a web identity trust misses, each named `host:key` (a condition with
/// several accepted keys as `host:a or host:b`); empty when it has them all.
fn missing_web_conditions(s: &Statement, p: &Provider) -> Vec<String> {
    p.required
        .iter()
        .filter(|keys| {
            let full: Vec<String> = keys.iter().map(|k| format!("{}:{k}", p.host)).collect();
            let full: Vec<&str> = full.iter().map(String::as_str).collect();
            !s.conditions().iter().any(|c| {
                limits(c, &full, true, |v| {
                    if keys.contains(&"sub") && p.host.starts_with("token.actions.") {
                        github_subject_limits(v)
                    } else {
                        !wildcard_only(v)
                    }
                })
            })
        })
        .map(|keys| {
            keys.iter()
                .map(|k| format!("{}:{k}", p.host))
                .collect::<Vec<_>>()
                .join(" or ")
        })
        .collect()
}

/// The assume-role actions `allow` grants to `who` that no unconditional `Deny` of `doc`
/// (for `who`, its account, or `*`) takes back.
fn open_actions(doc: &Document, allow: &Statement, who: &NamedPrincipal) -> Vec<&'static str> {
    ASSUME
        .iter()
        .copied()
        .filter(|a| allow.matches_action(a))
        .filter(|a| {
            !doc.statements().iter().any(|d| {
                d.is_unconditional_deny() && d.matches_action(a) && Principals::of(d).is_some_and(|p| p.covers(who))
            })
        })
        .collect()
}

/// The `Allow` statements of a trust policy that may let someone assume the role, with their
/// principals.
fn allows(doc: &Document) -> impl Iterator<Item = (&Statement, Principals)> {
    doc.statements()
        .iter()
        .filter(|s| s.effect() == Effect::Allow && ASSUME.iter().any(|a| s.matches_action(a)))
        .filter_map(|s| Principals::of(s).map(|p| (s, p)))
}

/// One finding per role that is not service-linked: `judge` decides the roles whose trust
/// policy is in the data.
fn per_role(
    account: &Account,
    check: &'static Check,
    judge: impl Fn(&Role, &Document) -> (Status, String),
) -> Vec<Finding> {
    account
        .roles
        .iter()
        .filter(|r| !r.is_service_linked())
        .map(|r| {
            let (status, detail) = match &r.assume_role_policy_document {
                Some(doc) => judge(r, &doc.document),
                None => (
                    Status::NotEvaluated,
                    "the role has no AssumeRolePolicyDocument in authorization-details.json".to_string(),
                ),
            };
            from_source(finding(check, &r.arn, &r.role_name, status, detail), account, SOURCE)
        })
        .collect()
}

/// IAM-027 role-trust-public: its catalogue entry and the function that decides it.
pub(crate) static ROLE_TRUST_PUBLIC: Check = Check {
    id: "IAM-027",
    slug: "role-trust-public",
    title: "Roles cannot be assumed by anyone",
    severity: Severity::Critical,
    resource_type: ResourceType::Role,
    hipaa: &["§164.312(a)(1)", "§164.308(a)(4)(ii)(B)"],
    description: "Fails for each role that is not service-linked whose trust policy lets any principal assume it (sts:AssumeRole, sts:AssumeRoleWithWebIdentity or sts:AssumeRoleWithSAML): an Allow for \"*\", {\"AWS\": \"*\"} or a NotPrincipal (everyone but those listed) without a condition that limits callers to known accounts or the organization (StringEquals, StringLike, ArnEquals or ArnLike on aws:PrincipalAccount, aws:PrincipalOrgID, aws:PrincipalArn, aws:SourceAccount, aws:SourceArn or sts:ExternalId, keys in any case; a value of only wildcards, an ARN whose account is a wildcard, a negated operator or an IfExists form on a key the caller can leave out does not limit); or a web identity provider anyone can get tokens from without a condition on who: GitHub Actions (token.actions.githubusercontent.com) without a :sub condition naming the repository owner (repo:org/* limits, repo:* does not), Cognito identity pools without both :aud and :amr, Google without :aud, Facebook and Login with Amazon without :app_id (or :aud). An unconditional Deny of the action for * takes the trust back. The detail names the statement (Sid or position), the principal and the condition that would limit it.",
    remediation: "Name the accounts or roles that may assume the role in its trust policy, or add a condition on aws:PrincipalOrgID or aws:PrincipalAccount; for GitHub Actions, add a token.actions.githubusercontent.com:sub condition naming the repositories (repo:ORG/REPO:...).",
    remediate: None,
    run: role_trust_public,
};

/// IAM-027 role-trust-public.
pub(crate) fn role_trust_public(account: &Account, _config: &Config) -> Vec<Finding> {
    per_role(account, &ROLE_TRUST_PUBLIC, |_, doc| {
        let mut faults = Vec::new();
        let mut limited = Vec::new();
        for (s, principals) in allows(doc) {
            if principals.is_anyone() {
                let open = open_actions(doc, s, &NamedPrincipal::Anyone);
                if !open.is_empty() {
                    match caller_limit(s) {
                        Some(key) => limited.push(format!(
                            "{} trusts {} only with a condition on {key}",
                            s.label(),
                            principals.describe()
                        )),
                        None => faults.push(format!(
                            "{} allows {} to {} without a condition on {} (any of them limits it)",
                            s.label(),
                            open.join(", "),
                            principals.describe(),
                            LIMITING_KEYS.join(", ")
                        )),
                    }
                }
            }
            if principals.negated {
                continue;
            }
            for who in &principals.listed {
                let Some(p) = who
                    .web_identity_provider()
                    .and_then(|host| PROVIDERS.iter().find(|p| p.host.eq_ignore_ascii_case(host)))
                else {
                    continue;
                };
                let open = open_actions(doc, s, who);
                if open.is_empty() {
                    continue;
                }
                let missing = missing_web_conditions(s, p);
                if missing.is_empty() {
                    limited.push(format!("{} trusts {} with conditions on who", s.label(), p.name));
                } else {
                    faults.push(format!(
                        "{} allows {} to {} ({}: {}) without a condition on {}{}",
                        s.label(),
                        open.join(", "),
                        who.describe(),
                        p.name,
                        p.anyone,
                        missing.join(" and "),
                        p.hint
                    ));
                }
            }
        }
        if !faults.is_empty() {
            (
                Status::Fail,
                format!("anyone can assume the role: {}", faults.join("; ")),
            )
        } else if limited.is_empty() {
            (
                Status::Pass,
                "the trust policy opens the role to no one but the principals it names".to_string(),
            )
        } else {
            (Status::Pass, format!("no open trust: {}", limited.join("; ")))
        }
    })
}

/// IAM-028 role-trust-external: its catalogue entry and the function that decides it.
pub(crate) static ROLE_TRUST_EXTERNAL: Check = Check {
    id: "IAM-028",
    slug: "role-trust-external",
    title: "Roles trusted by outside accounts require an external ID",
    severity: Severity::High,
    resource_type: ResourceType::Role,
    hipaa: &["§164.308(b)(1)", "§164.312(a)(1)"],
    description: "Fails for each role that is not service-linked whose trust policy allows an AWS account to assume it (by account ID, by its root ARN or by the ARN of one of its principals) that is not the audited account, not listed in the configuration's trusted_accounts and, in organization runs, not an account of the organization, without a condition requiring an external ID (StringEquals or StringLike on sts:ExternalId with a value that is not only wildcards): the confused-deputy protection AWS asks third parties to use. An unconditional Deny of the action for that account, principal or * takes the trust back. Trust of * is IAM-027's.",
    remediation: "Require an external ID (a condition on sts:ExternalId) in each outside account's trust, with the value its owner gives; once an account is reviewed and known, list it in trusted_accounts.",
    remediate: None,
    run: role_trust_external,
};

/// IAM-028 role-trust-external.
pub(crate) fn role_trust_external(account: &Account, config: &Config) -> Vec<Finding> {
    let organization = !account.organization_accounts.is_empty();
    let trusted_by = if organization {
        "this account, the organization's accounts and trusted_accounts"
    } else {
        "this account and trusted_accounts"
    };
    per_role(account, &ROLE_TRUST_EXTERNAL, |role, doc| {
        // The audited account: the data's, else the role's own.
        let own = account
            .account_id
            .clone()
            .or_else(|| NamedPrincipal::aws(&role.arn).account().map(str::to_string));
        let trusted = |id: &str| {
            own.as_deref() == Some(id)
                || config.trusted_accounts.iter().any(|t| t == id)
                || account.organization_accounts.iter().any(|o| o == id)
        };
        let mut faults = Vec::new();
        let mut with_id: Vec<String> = Vec::new();
        for (s, principals) in allows(doc).filter(|(_, p)| !p.negated) {
            for who in &principals.listed {
                let Some(id) = who.account().filter(|id| !trusted(id)) else {
                    continue;
                };
                let open = open_actions(doc, s, who);
                if open.is_empty() {
                    continue;
                }
                if requires_external_id(s) {
                    with_id.push(format!("{id} ({})", s.label()));
                } else {
                    faults.push(format!(
                        "{} allows {} to account {id} ({}) without an sts:ExternalId condition",
                        s.label(),
                        open.join(", "),
                        who.describe()
                    ));
                }
            }
        }
        if !faults.is_empty() {
            (
                Status::Fail,
                format!(
                    "the role trusts accounts outside {trusted_by} without an external ID: {}",
                    faults.join("; ")
                ),
            )
        } else if with_id.is_empty() {
            (Status::Pass, "the role trusts no outside account".to_string())
        } else {
            let names: Vec<&str> = with_id.iter().map(String::as_str).collect();
            (
                Status::Pass,
                format!(
                    "every outside account the role trusts needs an external ID: {}",
                    listed(&names, 5)
                ),
            )
        }
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::{json, Value};

    fn statement(v: Value) -> Statement {
        let doc = Document::from_json(&json!({"Version": "2012-10-17", "Statement": [v]})).unwrap();
        doc.statements()[0].clone()
    }

    fn trust_of_anyone(condition: Value) -> Statement {
        statement(json!({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole", "Condition": condition}))
    }

    #[test]
    fn each_limiting_key_limits_a_trust_of_anyone_and_other_conditions_do_not() {
        let limiting = [
            json!({"StringEquals": {"aws:PrincipalAccount": "210987654321"}}),
            json!({"StringEquals": {"aws:principalaccount": ["210987654321", "123456789012"]}}),
            json!({"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}),
            json!({"ForAnyValue:StringLike": {"aws:PrincipalOrgID": "o-abc*"}}),
            json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::210987654321:role/*"}}),
            json!({"ArnEquals": {"aws:SourceArn": "arn:aws:s3:::upload-bucket"}}),
            json!({"StringEquals": {"aws:SourceAccount": "210987654321"}}),
            json!({"StringEquals": {"sts:ExternalId": "c0ffee-42"}}),
            json!({"StringEqualsIfExists": {"aws:PrincipalAccount": "210987654321"}}),
            json!({"StringEqualsIgnoreCase": {"AWS:PRINCIPALORGID": "o-abc123"}}),
            json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}, "StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}),
        ];
        for c in limiting {
            assert!(caller_limit(&trust_of_anyone(c.clone())).is_some(), "{c}");
        }
        let open = [
            json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
            json!({"StringLike": {"aws:PrincipalArn": "*"}}),
            json!({"StringLike": {"aws:PrincipalAccount": ["210987654321", "*"]}}),
            json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/deploy"}}),
            json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:*"}}),
            json!({"StringNotEquals": {"aws:PrincipalAccount": "210987654321"}}),
            json!({"Null": {"aws:PrincipalOrgID": "false"}}),
            json!({"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-abc123"}}),
            json!({"StringEqualsIfExists": {"sts:ExternalId": "c0ffee-42"}}),
            json!({"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}),
            json!({"StringEquals": {"aws:PrincipalTag/team": "ops"}}),
            json!({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}),
        ];
        for c in open {
            assert!(caller_limit(&trust_of_anyone(c.clone())).is_none(), "{c}");
        }
    }

    #[test]
    fn a_github_subject_limits_only_when_it_names_the_owner() {
        for (v, limits) in [
            ("repo:example-org/ehr-api:ref:refs/heads/main", true),
            ("repo:example-org/*", true),
            ("repo:example-org/ehr-*:environment:prod", true),
            ("repository_owner_id:1234:*", true),
            ("*", false),
            ("repo:*", false),
            ("repo:*/ehr-api:*", false),
            ("repo:example-*/ehr-api:*", false),
            ("*:ref:refs/heads/main", false),
        ] {
            assert_eq!(github_subject_limits(v), limits, "{v}");
        }
    }

    #[test]
    fn arn_patterns_limit_only_with_an_account() {
        for (v, limits) in [
            ("arn:aws:iam::210987654321:role/deploy", true),
            ("arn:aws:iam::2109876543*:role/*", true),
            ("arn:aws:s3:::upload-bucket", true),
            ("arn:aws:iam::*:role/deploy", false),
            ("arn:aws:iam::*", false),
            ("*", false),
        ] {
            assert_eq!(arn_limits(v), limits, "{v}");
        }
    }

    #[test]
    fn external_id_conditions_are_read_like_the_other_limits() {
        let with = |c: Value| {
            requires_external_id(&statement(
                json!({"Effect": "Allow", "Principal": {"AWS": "210987654321"},
                "Action": "sts:AssumeRole", "Condition": c}),
            ))
        };
        assert!(with(json!({"StringEquals": {"sts:ExternalId": "c0ffee-42"}})));
        assert!(with(json!({"StringLike": {"STS:externalid": "c0ffee-*"}})));
        assert!(!with(json!({"StringLike": {"sts:ExternalId": "*"}})));
        assert!(!with(json!({"StringEqualsIfExists": {"sts:ExternalId": "c0ffee-42"}})));
        assert!(!with(json!({"StringNotEquals": {"sts:ExternalId": "c0ffee-42"}})));
        assert!(!with(json!({"StringEquals": {"aws:PrincipalAccount": "210987654321"}})));
    }
}
