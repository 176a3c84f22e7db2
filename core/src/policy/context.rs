//! The request context a policy is evaluated against.

/// What the context knows about one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyState<'a> {
    /// The key is in the request, with these values (one for a single-valued key).
    Present(&'a [String]),
    /// The key is known not to be in the request (e.g. `aws:MultiFactorAuthPresent` for a
    /// request signed with long-term access keys).
    Absent,
    /// Nothing is known about the key: conditions on it cannot be decided.
    Unknown,
}

/// The request context: condition keys (case-insensitive) that are known present with
/// values, known absent, or unknown. A key never mentioned is unknown, unless the context
/// was made [closed](Context::absent_unless_given) (a concrete request, where every key not
/// given is absent) or the key is under a [closed prefix](Context::absent_under).
///
/// ```
/// use hipaa_iam_core::policy::Context;
/// let console_without_mfa = Context::new().with("aws:MultiFactorAuthPresent", "false");
/// let long_term_keys = Context::new().absent("aws:MultiFactorAuthPresent");
/// let alice = Context::new().with_principal("alice", "AIDAEXAMPLE", "123456789012");
/// # let _ = (console_without_mfa, long_term_keys, alice);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// Lower-cased key, and what is known of it.
    entries: Vec<(String, Entry)>,
    /// Lower-cased prefixes under which a key not in `entries` is absent (`""`: every key).
    absent_prefixes: Vec<String>,
}

/// What [`Context`] records of one key.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    Present(Vec<String>),
    Absent,
    Unknown,
}

impl Context {
    /// An empty context: every key is unknown.
    pub fn new() -> Context {
        Context::default()
    }

    fn set(mut self, key: &str, values: Entry) -> Context {
        let key = key.to_ascii_lowercase();
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = values,
            None => self.entries.push((key, values)),
        }
        self
    }

    /// `key` is present with the single value `value` (replacing what was said before).
    pub fn with(self, key: &str, value: impl Into<String>) -> Context {
        self.set(key, Entry::Present(vec![value.into()]))
    }

    /// `key` is present with several values (a multi-valued key such as `aws:TagKeys`).
    pub fn with_values<I, S>(self, key: &str, values: I) -> Context
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.set(key, Entry::Present(values.into_iter().map(Into::into).collect()))
    }

    /// `key` is known not to be in the request (replacing what was said before).
    pub fn absent(self, key: &str) -> Context {
        self.set(key, Entry::Absent)
    }

    /// Nothing is known about `key`, even in a closed context (e.g. `aws:userid` of a role
    /// session, which holds the session's name).
    pub fn unknown(self, key: &str) -> Context {
        self.set(key, Entry::Unknown)
    }

    /// A concrete request: every key not given (before or after this call) is absent, as
    /// AWS evaluates a request whose context lacks a key.
    ///
    /// ```
    /// use hipaa_iam_core::policy::{Context, KeyState};
    /// let ctx = Context::new().with("aws:username", "alice").absent_unless_given();
    /// assert_eq!(ctx.get("aws:MultiFactorAuthPresent"), KeyState::Absent);
    /// assert_eq!(Context::new().get("aws:MultiFactorAuthPresent"), KeyState::Unknown);
    /// ```
    pub fn absent_unless_given(self) -> Context {
        self.absent_under("")
    }

    /// Every key under `prefix` (any case, e.g. `aws:PrincipalTag/`) that is not given is
    /// absent: the tags a principal does not have.
    pub fn absent_under(mut self, prefix: &str) -> Context {
        self.absent_prefixes.push(prefix.to_ascii_lowercase());
        self
    }

    /// The principal's identity, for policy variables and conditions: `aws:username`,
    /// `aws:userid` and `aws:PrincipalAccount`.
    pub fn with_principal(self, user_name: &str, user_id: &str, account: &str) -> Context {
        self.with("aws:username", user_name)
            .with("aws:userid", user_id)
            .with("aws:PrincipalAccount", account)
    }

    /// What is known about `key` (any case).
    pub fn get(&self, key: &str) -> KeyState<'_> {
        match self.entries.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)) {
            Some((_, Entry::Present(values))) => KeyState::Present(values),
            Some((_, Entry::Absent)) => KeyState::Absent,
            Some((_, Entry::Unknown)) => KeyState::Unknown,
            None if self
                .absent_prefixes
                .iter()
                .any(|p| key.get(..p.len()).is_some_and(|head| head.eq_ignore_ascii_case(p))) =>
            {
                KeyState::Absent
            }
            None => KeyState::Unknown,
        }
    }

    /// The value of a present single-valued key (what a policy variable resolves to).
    pub fn single_value(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            KeyState::Present([v]) => Some(v),
            _ => None,
        }
    }
}
