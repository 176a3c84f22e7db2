//! MFA enforcement: IAM-004 mfa-enforcement-policy and IAM-005 human-users-enforced.
//!
//! A group enforces MFA when its policies (some policy alone, or all of them together)
//! definitely deny sensitive actions on `*` both when `aws:MultiFactorAuthPresent` is
//! `false` (console sign-in without MFA) and when the key is absent (requests signed with
//! long-term access keys), and do not deny the MFA self-service actions in either case.

use super::{finding, from_source, group_arn, listed, missing_groups, per_user_report};
use crate::account::Labelled;
use crate::account::{Account, Group};
use crate::config::Config;
use crate::findings::{Check, Finding, Remediation, ResourceType, Severity, Status};
use crate::policy::{evaluate, Context, Document};

/// This family's checks.
pub(crate) static CHECKS: &[&Check] = &[&MFA_ENFORCEMENT_POLICY, &HUMAN_USERS_ENFORCED];

/// Actions that must be denied without MFA.
pub(crate) const SENSITIVE: &[&str] = &["s3:GetObject", "iam:CreateUser", "ec2:RunInstances"];

/// Actions a user without MFA needs to set MFA up; they must not be denied.
pub(crate) const SELF_SERVICE: &[&str] = &[
    "iam:CreateVirtualMFADevice",
    "iam:EnableMFADevice",
    "iam:ListMFADevices",
    "iam:ListVirtualMFADevices",
    "iam:ResyncMFADevice",
    "iam:GetUser",
    "iam:ChangePassword",
    "sts:GetSessionToken",
];

const KEY: &str = "aws:MultiFactorAuthPresent";

/// The two contexts in which MFA is missing.
fn contexts() -> [(Context, &'static str); 2] {
    [
        (
            Context::new().with(KEY, "false"),
            "aws:MultiFactorAuthPresent is false (console sign-in without MFA)",
        ),
        (
            Context::new().absent(KEY),
            "aws:MultiFactorAuthPresent is absent (requests signed with long-term access keys)",
        ),
    ]
}

/// What a set of documents fails to do, one sentence per gap; empty = it enforces MFA.
fn gaps(docs: &[&Document]) -> Vec<String> {
    let mut out = Vec::new();
    for (ctx, when) in contexts() {
        let open: Vec<&str> = SENSITIVE
            .iter()
            .copied()
            .filter(|a| !evaluate(docs, a, "*", &ctx).is_denied())
            .collect();
        if !open.is_empty() {
            out.push(format!("{} not denied on * when {when}", open.join(", ")));
        }
        let blocked: Vec<&str> = SELF_SERVICE
            .iter()
            .copied()
            .filter(|a| evaluate(docs, a, "*", &ctx).is_denied())
            .collect();
        if !blocked.is_empty() {
            out.push(format!(
                "MFA self-service {} denied when {when}: users cannot set up MFA",
                blocked.join(", ")
            ));
        }
    }
    out
}

/// What `doc` alone fails to do for IAM-004, one sentence per gap; empty = it enforces MFA
/// on its own. The `mfa-enforcement` remediation judges an existing policy with this.
pub(crate) fn mfa_gaps(doc: &Document) -> Vec<String> {
    gaps(&[doc])
}

/// Whether a document denies on `Bool` (not `BoolIfExists`) of aws:MultiFactorAuthPresent.
fn uses_plain_bool(json: &serde_json::Value) -> bool {
    let statements = match json.get("Statement") {
        Some(serde_json::Value::Array(a)) => a.iter().collect(),
        Some(s) => vec![s],
        None => Vec::new(),
    };
    statements.iter().any(|s| {
        s.get("Effect").and_then(|e| e.as_str()) == Some("Deny")
            && s.get("Condition").and_then(|c| c.as_object()).is_some_and(|c| {
                c.iter().any(|(op, keys)| {
                    op.eq_ignore_ascii_case("Bool")
                        && keys
                            .as_object()
                            .is_some_and(|k| k.keys().any(|k| k.eq_ignore_ascii_case(KEY)))
                })
            })
    })
}

/// IAM-004's verdict on one group.
pub(crate) struct GroupVerdict {
    pub enforces: bool,
    pub detail: String,
}

/// Whether `group`'s policies enforce MFA.
pub(crate) fn group_verdict(account: &Account, group: &Group) -> GroupVerdict {
    let mut l = Labelled::default();
    let owner = format!("group {}", group.group_name);
    l.add_group(account, group, &owner);
    let missing = if l.missing.is_empty() {
        String::new()
    } else {
        format!(
            " (managed policy {} is not in the data: assumed to deny nothing)",
            l.missing.join(", ")
        )
    };
    if l.docs.is_empty() {
        return GroupVerdict {
            enforces: false,
            detail: format!("no policy is attached to the group{missing}"),
        };
    }
    let set_gaps = gaps(&l.docs);
    if set_gaps.is_empty() {
        return GroupVerdict {
            enforces: true,
            detail: format!(
                "the group's policies ({}) deny {} on * both without MFA at the console and with long-term access keys, and leave MFA self-service allowed",
                l.labels.join(", "),
                SENSITIVE.join(", ")
            ),
        };
    }
    for (doc, label) in l.docs.iter().zip(&l.labels) {
        if gaps(&[doc]).is_empty() {
            return GroupVerdict {
                enforces: true,
                detail: format!("{label} enforces MFA on its own"),
            };
        }
    }
    let mut detail = format!(
        "no policy of the group effectively denies access without MFA: {}",
        set_gaps.join("; ")
    );
    let plain_bool: Vec<&String> = l
        .jsons
        .iter()
        .zip(&l.labels)
        .filter(|(j, _)| uses_plain_bool(j))
        .map(|(_, label)| label)
        .collect();
    if !plain_bool.is_empty() {
        detail.push_str(&format!(
            ". {} uses Bool instead of BoolIfExists on aws:MultiFactorAuthPresent: requests signed with long-term access keys carry no such key, so they bypass the deny",
            plain_bool.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
        ));
    }
    detail.push_str(&missing);
    GroupVerdict {
        enforces: false,
        detail,
    }
}

/// IAM-004 mfa-enforcement-policy: its catalogue entry and the function that decides it.
pub(crate) static MFA_ENFORCEMENT_POLICY: Check = Check {
    id: "IAM-004",
    slug: "mfa-enforcement-policy",
    title: "The human-users group effectively denies access without MFA",
    severity: Severity::High,
    resource_type: ResourceType::Group,
    hipaa: &["§164.312(d)", "§164.312(a)(1)"],
    description: "Fails when the human-users group does not exist, or none of its policies effectively denies sensitive actions (s3:GetObject, iam:CreateUser, ...) on * both when aws:MultiFactorAuthPresent is false (console without MFA) and when the key is absent (long-term access keys), while leaving the MFA self-service actions allowed; one policy alone or the group's policies together may do it. A policy using Bool instead of BoolIfExists fails: long-term keys bypass it. Conditions the evaluator cannot decide never count as enforcement.",
    remediation: "Attach the deny-without-MFA policy (BoolIfExists on aws:MultiFactorAuthPresent) to the human-users group.",
    remediate: Some(Remediation::MfaEnforcement),
    run: mfa_enforcement_policy,
};

/// IAM-004 mfa-enforcement-policy: the configured human-users group.
pub(crate) fn mfa_enforcement_policy(account: &Account, config: &Config) -> Vec<Finding> {
    let name = &config.human_users_group;
    let (arn, status, detail) = match account.group(name) {
        None => match missing_groups(account).get(name.as_str()) {
            // Users are in it, so it exists: the data does not describe it.
            Some(members) => (
                group_arn(account, name),
                Status::NotEvaluated,
                format!(
                    "the group {name} is in the GroupList of user {} but not in the data (GroupDetailList): its policies are unknown",
                    listed(members, 5)
                ),
            ),
            None => (
                group_arn(account, name),
                Status::Fail,
                format!("the group {name} does not exist"),
            ),
        },
        Some(g) => {
            let v = group_verdict(account, g);
            (
                g.arn.clone(),
                if v.enforces { Status::Pass } else { Status::Fail },
                v.detail,
            )
        }
    };
    vec![from_source(
        finding(&MFA_ENFORCEMENT_POLICY, &arn, name, status, detail),
        account,
        "authorization",
    )]
}

/// IAM-005 human-users-enforced: its catalogue entry and the function that decides it.
pub(crate) static HUMAN_USERS_ENFORCED: Check = Check {
    id: "IAM-005",
    slug: "human-users-enforced",
    title: "Console users are in a group that enforces MFA",
    severity: Severity::High,
    resource_type: ResourceType::User,
    hipaa: &["§164.312(d)", "§164.312(a)(1)"],
    description: "Fails for each user with a console password who is not a member of a group whose policies pass IAM-004; not-evaluated when none of its groups in the data does and one of its groups is missing from the data.",
    remediation: "Add the user to the human-users group.",
    remediate: Some(Remediation::GroupMembership),
    run: human_users_enforced,
};

/// IAM-005 human-users-enforced.
pub(crate) fn human_users_enforced(account: &Account, _config: &Config) -> Vec<Finding> {
    let verdicts: std::collections::HashMap<&str, GroupVerdict> = account
        .groups
        .iter()
        .map(|g| (g.group_name.as_str(), group_verdict(account, g)))
        .collect();
    per_user_report(account, &HUMAN_USERS_ENFORCED, |u, row| {
        if !row.has_password() {
            return (Status::Pass, "the user has no console password".into());
        }
        let unknown: Vec<&str> = account.missing_groups_of(u).collect();
        match u
            .group_list
            .iter()
            .find(|g| verdicts.get(g.as_str()).is_some_and(|v| v.enforces))
        {
            Some(g) => (Status::Pass, format!("member of {g}, whose policies enforce MFA")),
            // A group the data does not describe might enforce MFA.
            None if !unknown.is_empty() => (
                Status::NotEvaluated,
                format!(
                    "console user whose groups in the data do not enforce MFA, and group {} is not in the data",
                    unknown.join(", ")
                ),
            ),
            None if u.group_list.is_empty() => (
                Status::Fail,
                "console user in no group: nothing denies access without MFA".into(),
            ),
            None => (
                Status::Fail,
                format!(
                    "console user whose groups ({}) do not enforce MFA (see IAM-004)",
                    u.group_list.join(", ")
                ),
            ),
        }
    })
}
