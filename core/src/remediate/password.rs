//! User names and console passwords for `create-user`.

use crate::config::PasswordPolicyConfig;
use crate::error::Field;
use crate::{Error, Result};

/// A console password. It cannot be printed by accident: `Debug` shows `<redacted>`, it
/// has no `Display` and no `Serialize`; [`Password::expose`] is the one way to read it.
#[derive(Clone)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

impl<'de> serde::Deserialize<'de> for Password {
    /// A password in a request (the C ABI's `console_password`): a JSON string.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Password, D::Error> {
        String::deserialize(d).map(Password)
    }
}

impl Password {
    /// Wraps a password.
    pub fn new(secret: String) -> Password {
        Password(secret)
    }

    /// The password itself, for the AWS call and the one place it is shown.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Checks a user name against IAM's rules: 1 to 64 characters of `A-Z a-z 0-9 + = , . @ _ -`.
pub fn validate_user_name(name: &str) -> Result<()> {
    let len = name.chars().count();
    if len == 0 || len > 64 {
        return Err(Error::field_in(
            Field::UserName,
            "",
            format!(" {name:?}: IAM user names are 1 to 64 characters long (this one has {len})"),
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "+=,.@_-".contains(*c)))
    {
        return Err(Error::field_in(
            Field::UserName,
            "",
            format!(" {name:?}: the character {bad:?} is not allowed; IAM user names use only letters, digits and + = , . @ _ -"),
        ));
    }
    Ok(())
}

/// The symbols IAM accepts in a password (a subset that is safe to type and paste).
const SYMBOLS: &str = "!@#$%^&*()_+-=[]{}|";

/// Checks a password against the configured policy. The error names the unmet rules,
/// never the password.
pub fn check_password(password: &Password, policy: &PasswordPolicyConfig) -> Result<()> {
    let p = password.expose();
    let mut unmet = Vec::new();
    let min = policy.minimum_length.max(1);
    if (p.chars().count() as i64) < min {
        unmet.push(format!("at least {min} characters"));
    }
    if p.chars().count() > 128 {
        unmet.push("at most 128 characters".to_string());
    }
    if policy.require_uppercase && !p.chars().any(|c| c.is_ascii_uppercase()) {
        unmet.push("an upper-case letter".to_string());
    }
    if policy.require_lowercase && !p.chars().any(|c| c.is_ascii_lowercase()) {
        unmet.push("a lower-case letter".to_string());
    }
    if policy.require_numbers && !p.chars().any(|c| c.is_ascii_digit()) {
        unmet.push("a digit".to_string());
    }
    if policy.require_symbols && !p.chars().any(|c| c.is_ascii_punctuation()) {
        unmet.push("a symbol".to_string());
    }
    if p.chars().any(|c| c.is_control()) {
        unmet.push("no control characters".to_string());
    }
    if unmet.is_empty() {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "the console password does not meet the password policy: it needs {}",
            unmet.join(", ")
        )))
    }
}

/// Generates a strong password that meets `policy`: at least 20 characters (or the
/// policy's minimum if longer), with upper- and lower-case letters, digits and symbols,
/// from the operating system's random source.
pub fn generate_password(policy: &PasswordPolicyConfig) -> Result<Password> {
    const UPPER: &str = "ABCDEFGHJKLMNPQRSTUVWXYZ";
    const LOWER: &str = "abcdefghijkmnopqrstuvwxyz";
    const DIGITS: &str = "23456789";
    let classes = [UPPER, LOWER, DIGITS, SYMBOLS];
    let all: Vec<char> = classes.concat().chars().collect();
    let len = usize::try_from(policy.minimum_length.clamp(20, 128)).unwrap_or(20);
    loop {
        let mut bytes = vec![0u8; len * 2];
        getrandom::getrandom(&mut bytes)
            .map_err(|e| Error::InvalidArgument(format!("cannot generate a password: no random source: {e}")))?;
        // Rejection sampling keeps every character equally likely.
        let limit = 256 - (256 % all.len());
        let chars: Vec<char> = bytes
            .iter()
            .filter(|&&b| usize::from(b) < limit)
            .map(|&b| all[usize::from(b) % all.len()])
            .take(len)
            .collect();
        if chars.len() < len {
            continue;
        }
        let candidate: String = chars.into_iter().collect();
        if classes.iter().all(|class| candidate.chars().any(|c| class.contains(c))) {
            return Ok(Password(candidate));
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn user_names_follow_iam_rules() {
        for ok in ["analyst.jane", "a", "A+b=c,d.e@f_g-h", &"x".repeat(64)] {
            assert!(validate_user_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "jane doe", "jane/doe", "jäne", "a;b", &"x".repeat(65)] {
            let err = validate_user_name(bad).unwrap_err().to_string();
            assert!(err.contains("user_name"), "{err}");
        }
    }

    #[test]
    fn generated_passwords_meet_the_policy_and_differ() {
        let policy = PasswordPolicyConfig::default();
        let a = generate_password(&policy).unwrap();
        let b = generate_password(&policy).unwrap();
        assert!(check_password(&a, &policy).is_ok());
        assert!(a.expose().len() >= 20);
        assert_ne!(a.expose(), b.expose());
        assert!(!format!("{a:?}").contains(a.expose()));
    }

    #[test]
    fn a_weak_password_is_refused_without_being_named() {
        let policy = PasswordPolicyConfig::default();
        let weak = Password::new("hunter2".into());
        let err = check_password(&weak, &policy).unwrap_err().to_string();
        assert!(
            err.contains("at least 14 characters") && err.contains("a symbol"),
            "{err}"
        );
        assert!(!err.contains("hunter2"));
    }
}
