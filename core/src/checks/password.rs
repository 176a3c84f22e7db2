//! IAM-001: the account password policy.

use super::{finding, from_source, unavailable};
use crate::account::{file, Account, Collected};
use crate::config::Config;
use crate::findings::{Check, Finding, Remediation, ResourceType, Severity, Status};

/// This family's checks.
pub(crate) static CHECKS: &[&Check] = &[&PASSWORD_POLICY];

/// IAM-001 password-policy: its catalogue entry and the function that decides it.
pub(crate) static PASSWORD_POLICY: Check = Check {
    id: "IAM-001",
    slug: "password-policy",
    title: "Account password policy meets the HIPAA baseline",
    severity: Severity::High,
    resource_type: ResourceType::Account,
    hipaa: &["§164.308(a)(5)(ii)(D)", "§164.312(d)"],
    description: "Fails when the account has no password policy, or its minimum length is below 14, symbols, numbers, upper- or lower-case letters are not required, passwords do not expire within 90 days, fewer than 24 previous passwords are remembered, or users may not change their own password. Each unmet setting is named. Thresholds are configurable.",
    remediation: "Set a password policy of at least 14 characters with all four character classes, 90-day expiry and 24-password reuse prevention.",
    remediate: Some(Remediation::PasswordPolicy),
    run: password_policy,
};

/// IAM-001 password-policy.
pub(crate) fn password_policy(account: &Account, config: &Config) -> Vec<Finding> {
    let check = &PASSWORD_POLICY;
    let account_id = account.account_id.clone().unwrap_or_default();
    let arn = format!("arn:aws:iam::{account_id}:account-password-policy");
    let name = if account_id.is_empty() {
        "account".to_string()
    } else {
        account_id.clone()
    };
    let want = &config.password_policy;
    let (status, detail) = match &account.password_policy {
        Collected::Yes(None) => (Status::Fail, "the account has no password policy (IAM defaults apply: 8 characters, no complexity, no expiry, no reuse prevention)".to_string()),
        Collected::Yes(Some(p)) => {
            let mut unmet = Vec::new();
            match p.minimum_password_length {
                Some(n) if n >= want.minimum_length => {}
                n => unmet.push(format!(
                    "MinimumPasswordLength is {} (at least {} required)",
                    n.map_or("unset".to_string(), |n| n.to_string()),
                    want.minimum_length
                )),
            }
            for (required, has, field) in [
                (want.require_symbols, p.require_symbols, "RequireSymbols"),
                (want.require_numbers, p.require_numbers, "RequireNumbers"),
                (want.require_uppercase, p.require_uppercase_characters, "RequireUppercaseCharacters"),
                (want.require_lowercase, p.require_lowercase_characters, "RequireLowercaseCharacters"),
                (want.allow_users_to_change, p.allow_users_to_change_password, "AllowUsersToChangePassword"),
            ] {
                if required && !has {
                    unmet.push(format!("{field} is false"));
                }
            }
            match (p.expire_passwords || p.max_password_age.is_some(), p.max_password_age) {
                (true, Some(d)) if d > 0 && d <= want.max_age_days => {}
                (_, Some(d)) if d > 0 => {
                    unmet.push(format!("MaxPasswordAge is {d} days (at most {} required)", want.max_age_days))
                }
                _ => unmet.push(format!("passwords do not expire (MaxPasswordAge of at most {} days required)", want.max_age_days)),
            }
            match p.password_reuse_prevention {
                Some(n) if n >= want.reuse_prevention => {}
                n => {
                    if want.reuse_prevention > 0 {
                        unmet.push(format!(
                            "PasswordReusePrevention is {} (at least {} required)",
                            n.map_or("unset".to_string(), |n| n.to_string()),
                            want.reuse_prevention
                        ))
                    }
                }
            }
            if unmet.is_empty() {
                (Status::Pass, "the password policy meets every configured requirement".to_string())
            } else {
                (Status::Fail, format!("unmet: {}", unmet.join("; ")))
            }
        }
        other => unavailable(other, file::PASSWORD_POLICY).unwrap_or((Status::NotEvaluated, String::new())),
    };
    vec![from_source(
        finding(check, &arn, &name, status, detail),
        account,
        "password_policy",
    )]
}
