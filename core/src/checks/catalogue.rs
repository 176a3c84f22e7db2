//! The check catalogue: stable IDs, slugs, titles, severities and HIPAA citations
//! (CHECKS.md). IDs never change meaning and are never reused.

use serde::Serialize;

use crate::report::{ResourceType, Severity};

/// One entry of the catalogue.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CheckInfo {
    /// Stable ID, `IAM-001` ...
    pub id: &'static str,
    /// Stable short name, `password-policy` ...
    pub slug: &'static str,
    /// One-line title.
    pub title: &'static str,
    /// Severity of a failure.
    pub severity: Severity,
    /// The kind of resource each finding judges.
    pub resource_type: ResourceType,
    /// HIPAA Security Rule citations.
    pub hipaa: &'static [&'static str],
    /// What the check decides, and when it fails.
    pub description: &'static str,
    /// How to fix a failure.
    pub remediation: &'static str,
    /// The `hipaa-iam remediate` subcommand that fixes it, where one exists.
    pub remediate: Option<&'static str>,
}

macro_rules! check {
    ($id:literal, $slug:literal, $sev:ident, $res:ident, [$($h:literal),*], $title:literal, $desc:literal, $fix:literal, $rem:expr) => {
        CheckInfo {
            id: $id,
            slug: $slug,
            title: $title,
            severity: Severity::$sev,
            resource_type: ResourceType::$res,
            hipaa: &[$($h),*],
            description: $desc,
            remediation: $fix,
            remediate: $rem,
        }
    };
}

/// Every check, in ID order.
pub static CATALOGUE: &[CheckInfo] = &[
    check!("IAM-001", "password-policy", High, Account, ["§164.308(a)(5)(ii)(D)", "§164.312(d)"],
        "Account password policy meets the HIPAA baseline",
        "Fails when the account has no password policy, or its minimum length is below 14, symbols, numbers, upper- or lower-case letters are not required, passwords do not expire within 90 days, fewer than 24 previous passwords are remembered, or users may not change their own password. Each unmet setting is named. Thresholds are configurable.",
        "Set a password policy of at least 14 characters with all four character classes, 90-day expiry and 24-password reuse prevention.",
        Some("password-policy")),
    check!("IAM-002", "console-mfa", Critical, User, ["§164.312(d)", "§164.312(a)(1)"],
        "Users with console access have MFA",
        "Fails for each user who has a console password and no MFA device.",
        "Have the user enable an MFA device (virtual or hardware) and enforce MFA with the deny-without-MFA policy on the human-users group.",
        Some("mfa-enforcement")),
    check!("IAM-003", "user-mfa", Medium, User, ["§164.312(d)"],
        "Programmatic users have MFA",
        "Fails for each user without a console password who has an active access key and no MFA device.",
        "Assign an MFA device and require MFA (sts:GetSessionToken) for sensitive calls, or replace the long-term keys with a role.",
        None),
    check!("IAM-004", "mfa-enforcement-policy", High, Group, ["§164.312(d)", "§164.312(a)(1)"],
        "The human-users group effectively denies access without MFA",
        "Fails when the human-users group does not exist, or none of its policies effectively denies sensitive actions (s3:GetObject, iam:CreateUser, ...) on * both when aws:MultiFactorAuthPresent is false (console without MFA) and when the key is absent (long-term access keys), while leaving the MFA self-service actions allowed; one policy alone or the group's policies together may do it. A policy using Bool instead of BoolIfExists fails: long-term keys bypass it. Conditions the evaluator cannot decide never count as enforcement.",
        "Attach the deny-without-MFA policy (BoolIfExists on aws:MultiFactorAuthPresent) to the human-users group.",
        Some("mfa-enforcement")),
    check!("IAM-005", "human-users-enforced", High, User, ["§164.312(d)", "§164.312(a)(1)"],
        "Console users are in a group that enforces MFA",
        "Fails for each user with a console password who is not a member of a group whose policies pass IAM-004; not-evaluated when none of its groups in the data does and one of its groups is missing from the data.",
        "Add the user to the human-users group.",
        Some("group-membership")),
    check!("IAM-006", "user-in-group", High, User, ["§164.308(a)(4)(ii)(C)", "§164.312(a)(1)"],
        "Users belong to at least one group",
        "Fails for each user who belongs to no IAM group.",
        "Add the user to a group that reflects their job function; grant permissions through groups.",
        Some("group-membership")),
    check!("IAM-007", "no-direct-policies", Medium, User, ["§164.308(a)(4)(ii)(B)"],
        "Users have no directly attached or inline policies",
        "Fails for each user with managed policies attached directly or inline policies; permissions should flow from groups.",
        "Move the user's permissions into a group policy and detach or delete the user's own policies.",
        None),
    check!("IAM-008", "permissions-boundary", High, User, ["§164.308(a)(4)(ii)(B)", "§164.312(a)(1)"],
        "Users have the configured permissions boundary",
        "Fails for each user with no permissions boundary, or a boundary other than the configured policy (default permissions-boundary-base).",
        "Put the permissions-boundary-base policy as the user's permissions boundary.",
        Some("permissions-boundary")),
    check!("IAM-009", "boundary-guardrails", Medium, Policy, ["§164.308(a)(4)(ii)(B)"],
        "The boundary policy denies privilege tampering",
        "Fails when the configured boundary policy exists but lets through (allows, rather than denies or leaves ungranted) IAM privilege tampering (creating, attaching or putting policies; creating users, roles, keys or login profiles; changing group membership; iam:PassRole on *) or organization and account administration.",
        "Add Deny statements for IAM policy tampering, iam:PassRole on * and organizations:*/account:* to the boundary policy (the guide's permissions_boundary.json).",
        Some("permissions-boundary")),
    check!("IAM-010", "user-admin-access", High, User, ["§164.308(a)(3)(i)", "§164.308(a)(4)(ii)(B)", "§164.312(a)(1)"],
        "Users do not have full administrator access",
        "Fails for each user whose effective identity permissions (user and group policies, managed and inline, intersected with the permissions boundary) allow every action on every resource through statements without conditions. Decided from policy documents, never names. A user whose group or managed policy is missing from the data is not-evaluated unless the documents present already grant everything.",
        "Replace full administrator access with job-specific permissions; keep administrators few, behind MFA and a boundary.",
        Some("permissions-boundary")),
    check!("IAM-011", "service-wildcards", Medium, Policy, ["§164.308(a)(4)(ii)(B)"],
        "Customer policies do not grant service-wide wildcards",
        "Fails for each customer-managed or inline policy that allows service:* or * actions on resource *.",
        "Replace wildcard actions with the specific actions the job needs, or scope the resources.",
        None),
    check!("IAM-012", "access-key-rotation", High, User, ["§164.308(a)(5)(ii)(D)"],
        "Active access keys are rotated within 90 days",
        "Fails for each user with an active access key older than 90 days (configurable).",
        "Create a new access key, move the workload to it, then deactivate and delete the old key.",
        None),
    check!("IAM-013", "unused-credentials", Medium, User, ["§164.308(a)(3)(ii)(C)", "§164.308(a)(4)(ii)(C)"],
        "Unused credentials are disabled",
        "Fails for each user whose console password or active access key has not been used for 90 days (configurable); never-used credentials count from their creation.",
        "Disable the unused password (delete the login profile) or deactivate the unused access key.",
        None),
    check!("IAM-014", "single-active-key", Low, User, ["§164.312(a)(2)(i)"],
        "Users have at most one active access key",
        "Fails for each user with two active access keys.",
        "Deactivate the key that is not in use.",
        None),
    check!("IAM-015", "root-mfa", Critical, Root, ["§164.312(d)"],
        "The root user has MFA",
        "Fails when the root user has no MFA device.",
        "Sign in as root and enable a hardware MFA device.",
        None),
    check!("IAM-016", "root-hardware-mfa", Medium, Root, ["§164.312(d)"],
        "The root user's MFA is a hardware device",
        "Fails when the root user's MFA device is a virtual device (one assigned to root in the virtual MFA device list), or when root has no MFA at all.",
        "Replace the root user's virtual MFA with a hardware MFA device or security key.",
        None),
    check!("IAM-017", "root-access-keys", Critical, Root, ["§164.312(a)(2)(i)", "§164.308(a)(4)(ii)(C)"],
        "The root user has no active access keys",
        "Fails when the root user has an active access key.",
        "Delete the root user's access keys; use IAM roles or users instead.",
        None),
    check!("IAM-018", "root-recent-use", Medium, Root, ["§164.312(a)(2)(i)", "§164.312(b)"],
        "The root user is not used for routine work",
        "Fails when the root password or a root access key was used in the last 30 days (configurable).",
        "Stop using root for routine tasks; review the root activity in CloudTrail.",
        None),
    check!("IAM-019", "access-analyzer-enabled", High, Region, ["§164.312(b)", "§164.308(a)(1)(ii)(D)"],
        "IAM Access Analyzer is enabled in every audited region",
        "Fails for each audited region with no ACTIVE external-access analyzer (account or organization).",
        "Create an ACCOUNT analyzer in the region.",
        Some("access-analyzer")),
    check!("IAM-020", "access-analyzer-findings", High, Finding, ["§164.312(b)", "§164.312(a)(1)"],
        "No resource is reachable from outside the account",
        "Fails for each ACTIVE Access Analyzer finding that shows a resource reachable from outside the account.",
        "Remove the external access from the resource's policy, or archive the finding if the access is intended and documented.",
        None),
    check!("IAM-021", "group-not-empty", Low, Group, ["§164.308(a)(4)(ii)(C)"],
        "Groups have members",
        "Fails for each group with no members.",
        "Delete the unused group, or add the users it was meant for.",
        None),
    check!("IAM-022", "role-admin-access", Medium, Role, ["§164.308(a)(4)(ii)(B)"],
        "Roles do not have full administrator access",
        "Fails for each role that is not service-linked whose permissions (intersected with its boundary) allow every action on every resource through statements without conditions.",
        "Scope the role's policies to the actions and resources its workload needs.",
        None),
    check!("IAM-023", "privilege-escalation", High, User, ["§164.308(a)(3)(i)", "§164.308(a)(4)(ii)(B)"],
        "Users cannot escalate their own privileges",
        "Fails for each user who is not an administrator but whose effective permissions allow a known escalation path (iam:CreatePolicyVersion, iam:SetDefaultPolicyVersion, iam:Attach/Put User or Group Policy, iam:AddUserToGroup, iam:CreateAccessKey, iam:CreateLoginProfile, iam:UpdateLoginProfile, iam:UpdateAssumeRolePolicy, iam:PassRole with a compute-creating action) on a resource that covers it, with no boundary denying it. Evaluated on concrete resources: the user's own ARN (attach or put user policy), another user's ARN (access keys and login profiles: taking over that identity), the user's groups, every group (add user to group), the customer policies attached to the user or its groups (policy versions) and every role (trust policy, PassRole). Only definite allows count. Without a definite path, a user whose group, managed policy or boundary is missing from the data, or who may add itself to a group missing from the data, is not-evaluated.",
        "Remove the escalation permission or put the permissions-boundary-base boundary on the user.",
        Some("permissions-boundary")),
];

/// The catalogue entry for `id` (case-insensitive).
pub fn info(id: &str) -> Option<&'static CheckInfo> {
    CATALOGUE.iter().find(|c| c.id.eq_ignore_ascii_case(id))
}

/// Every check ID.
pub fn ids() -> Vec<&'static str> {
    CATALOGUE.iter().map(|c| c.id).collect()
}
