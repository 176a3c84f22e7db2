//! The one error type of the library.

use std::path::PathBuf;

/// Everything that can go wrong inside `hipaa-iam-core`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file of the account data (or another input file) is malformed. `location` names
    /// the line, column or JSON path where that is known. `field`, when set, is the
    /// argument to change, named after the message (`... choose another <field>`).
    #[error("{}: {location}{sep}{message}{}", path.display(), field.map_or("", Field::name),
            sep = if location.is_empty() { "" } else { ": " })]
    Input {
        /// The file.
        path: PathBuf,
        /// Line / column or JSON path inside the file, or empty.
        location: String,
        /// What is wrong.
        message: String,
        /// The argument the message ends by naming, if any.
        field: Option<Field>,
    },
    /// A file or directory could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// An AWS call failed. The code and message are AWS's own when AWS answered; else the
    /// code says what happened instead (`Timeout`, `ConnectionFailed`, ...).
    #[error("AWS {operation} failed: {code}: {message}{}", at(endpoint))]
    Aws {
        /// The API operation, e.g. `GetAccountAuthorizationDetails`.
        operation: String,
        /// The AWS error code, e.g. `AccessDenied`, or a transport description.
        code: String,
        /// The AWS error message.
        message: String,
        /// The endpoint the request went to, when known (`https://iam.amazonaws.com`).
        endpoint: Option<String>,
    },
    /// The configuration file is invalid.
    #[error("{}: {message}", path.display())]
    Config {
        /// The configuration file (or `<inline>`).
        path: PathBuf,
        /// What is wrong, naming the line where known.
        message: String,
    },
    /// An argument is invalid (one that no face names, or that the message does not name).
    #[error("{0}")]
    InvalidArgument(String),
    /// An argument or request field is invalid. The message is `before`, the field's name
    /// in the words of the face that shows it, then `after`: `users: empty user name` in
    /// the C ABI (and [`Display`](std::fmt::Display)), `--users: empty user name` on the CLI.
    #[error("{before}{}{after}", field.name())]
    Argument {
        /// The offending field.
        field: Field,
        /// The message before the field's name.
        before: String,
        /// The message after it.
        after: String,
    },
}

/// A request field or command argument an error is about. Each face names it in its own
/// words (the CLI `--users`, PowerShell `-UserName`); [`Field::name`] is the C ABI's
/// request field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The exports directory (`exports_dir`).
    ExportsDir,
    /// The regions.
    Regions,
    /// The evidence directory (`output_dir`).
    OutputDir,
    /// The users a remediation is limited to.
    Users,
    /// The user name of `create-user`.
    UserName,
    /// The boundary document file of `permissions-boundary`.
    PolicyFile,
    /// Replacing a different boundary.
    Replace,
    /// Giving the new user the permissions boundary.
    Boundary,
    /// Giving the new user a console password.
    Console,
    /// The organization's accounts to work on.
    Accounts,
    /// The shard of the organization's accounts.
    Shard,
    /// The role assumed in each account.
    RoleName,
    /// The external ID of that role.
    ExternalId,
    /// How many accounts at the same time.
    Concurrency,
    /// The principal of an access query (a user or role name or ARN).
    Principal,
    /// The action of an access query.
    Action,
    /// The resource of an access query.
    Resource,
    /// A context key of an access query.
    Context,
}

impl Field {
    /// The C ABI's name: the request field, e.g. `users`.
    pub fn name(self) -> &'static str {
        match self {
            Field::ExportsDir => "exports_dir",
            Field::Regions => "regions",
            Field::OutputDir => "output_dir",
            Field::Users => "users",
            Field::UserName => "user_name",
            Field::PolicyFile => "policy_file",
            Field::Replace => "replace",
            Field::Boundary => "boundary",
            Field::Console => "console",
            Field::Accounts => "accounts",
            Field::Shard => "shard",
            Field::RoleName => "role_name",
            Field::ExternalId => "external_id",
            Field::Concurrency => "concurrency",
            Field::Principal => "principal",
            Field::Action => "action",
            Field::Resource => "resource",
            Field::Context => "context",
        }
    }
}

/// ` (endpoint URL)`, or nothing.
pub(crate) fn at(endpoint: &Option<String>) -> String {
    endpoint
        .as_deref()
        .map_or_else(String::new, |e| format!(" (endpoint {e})"))
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An [`Error::Io`] for `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// An [`Error::Input`] for `path` at `location`.
    pub fn input(path: impl Into<PathBuf>, location: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Input {
            path: path.into(),
            location: location.into(),
            message: message.into(),
            field: None,
        }
    }

    /// An [`Error::Input`] whose message ends by naming `field` (`... choose another `).
    pub fn input_naming(path: impl Into<PathBuf>, message: impl Into<String>, field: Field) -> Self {
        Error::Input {
            path: path.into(),
            location: String::new(),
            message: message.into(),
            field: Some(field),
        }
    }

    /// An [`Error::Argument`]: `<field>: <message>`.
    pub fn field(field: Field, message: impl Into<String>) -> Self {
        Error::Argument {
            field,
            before: String::new(),
            after: format!(": {}", message.into()),
        }
    }

    /// An [`Error::Argument`] with the field's name inside the message: `before`, the
    /// name, `after`.
    pub fn field_in(field: Field, before: impl Into<String>, after: impl Into<String>) -> Self {
        Error::Argument {
            field,
            before: before.into(),
            after: after.into(),
        }
    }

    /// What kind of error this is: `input`, `io`, `aws`, `config` or `argument`.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Input { .. } => "input",
            Error::Io { .. } => "io",
            Error::Aws { .. } => "aws",
            Error::Config { .. } => "config",
            Error::InvalidArgument(_) | Error::Argument { .. } => "argument",
        }
    }

    /// The field the message names, and the message's text before and after that name.
    pub fn field_parts(&self) -> Option<(Field, String, String)> {
        match self {
            Error::Argument { field, before, after } => Some((*field, before.clone(), after.clone())),
            Error::Input { field: Some(field), .. } => {
                let whole = self.to_string();
                let before = whole.strip_suffix(field.name()).unwrap_or(&whole).to_string();
                Some((*field, before, String::new()))
            }
            _ => None,
        }
    }

    /// The message, with `name(field)` for the field it names: how a face shows the error
    /// in its own words (`Display` uses [`Field::name`]).
    pub fn message_with(&self, name: impl Fn(Field) -> String) -> String {
        match self.field_parts() {
            Some((field, before, after)) => format!("{before}{}{after}", name(field)),
            None => self.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_error_is_shown_in_each_face_s_words() {
        let cli = |f: Field| format!("--{}", f.name().replace('_', "-"));
        let e = Error::field(Field::Users, "empty user name in \"\"");
        assert_eq!(e.to_string(), "users: empty user name in \"\"");
        assert_eq!(e.message_with(cli), "--users: empty user name in \"\"");
        assert_eq!(
            e.message_with(|_| "-UserName".into()),
            "-UserName: empty user name in \"\""
        );
        assert_eq!(e.kind(), "argument");

        let e = Error::field_in(Field::UserName, "create-user needs ", " NAME");
        assert_eq!(e.to_string(), "create-user needs user_name NAME");
        assert_eq!(e.message_with(cli), "create-user needs --user-name NAME");

        // A name inside the message is data: only the field's own place is replaced.
        let e = Error::field(Field::Users, "no user named \"users\"");
        assert_eq!(e.message_with(cli), "--users: no user named \"users\"");

        let e = Error::input_naming("/tmp/x", "not overwritten; choose another ", Field::OutputDir);
        assert_eq!(e.to_string(), "/tmp/x: not overwritten; choose another output_dir");
        assert_eq!(
            e.message_with(cli),
            "/tmp/x: not overwritten; choose another --output-dir"
        );
        assert_eq!(e.kind(), "input");

        let e = Error::input("/tmp/x", "line 2", "bad");
        assert_eq!(e.message_with(cli), "/tmp/x: line 2: bad");
        assert!(e.field_parts().is_none());
    }
}
