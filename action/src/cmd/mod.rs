//! One module per subcommand.

pub mod access;
pub mod audit;
pub mod checks;
pub mod collect;
pub mod diff;
pub mod github;
pub mod lint;
pub mod merge;
pub mod mfa;
pub mod org;
pub mod remediate;
pub mod review;
pub mod term;
pub mod verify;

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use clap::Args;
use hipaa_iam_core::account::Account;
use hipaa_iam_core::aws::{Network, MIB};

use crate::SourceArgs;

/// The `--help` heading of [`NetworkArgs`].
const NETWORK: &str = "Network (every AWS call)";

/// The timeouts and the response size limit of the commands that call AWS.
#[derive(Debug, Args, Clone)]
pub struct NetworkArgs {
    /// Seconds to wait for a connection to an AWS endpoint
    #[arg(long, help_heading = NETWORK, value_name = "SECS", env = "HIPAA_IAM_CONNECT_TIMEOUT",
          default_value_t = Seconds(Network::default().connect_timeout))]
    pub connect_timeout: Seconds,
    /// Seconds to wait for the start of an answer
    #[arg(long, help_heading = NETWORK, value_name = "SECS", env = "HIPAA_IAM_READ_TIMEOUT",
          default_value_t = Seconds(Network::default().read_timeout))]
    pub read_timeout: Seconds,
    /// Seconds one attempt of a call may take, the whole answer read
    #[arg(long, help_heading = NETWORK, value_name = "SECS", env = "HIPAA_IAM_ATTEMPT_TIMEOUT",
          default_value_t = Seconds(Network::default().attempt_timeout))]
    pub attempt_timeout: Seconds,
    /// Seconds one call may take with all its retries; a call still unanswered then ends the
    /// command with exit status 2 and an error naming the call and the endpoint
    #[arg(long, help_heading = NETWORK, value_name = "SECS", env = "HIPAA_IAM_OPERATION_TIMEOUT",
          default_value_t = Seconds(Network::default().operation_timeout))]
    pub operation_timeout: Seconds,
    /// The largest answer accepted, in MiB; a larger one is refused while it is read
    #[arg(long, help_heading = NETWORK, value_name = "MIB", env = "HIPAA_IAM_MAX_RESPONSE_MIB",
          default_value_t = Network::default().max_response_bytes / MIB,
          value_parser = clap::value_parser!(u64).range(1..=4096))]
    pub max_response_mib: u64,
}

impl NetworkArgs {
    /// The library's description of these settings.
    pub fn to_network(&self) -> Network {
        Network {
            connect_timeout: self.connect_timeout.0,
            read_timeout: self.read_timeout.0,
            attempt_timeout: self.attempt_timeout.0,
            operation_timeout: self.operation_timeout.0,
            max_response_bytes: self.max_response_mib * MIB,
        }
    }
}

/// A duration given in seconds (`30`, `0.5`), from a millisecond to an hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seconds(pub Duration);

impl FromStr for Seconds {
    type Err = String;

    fn from_str(s: &str) -> Result<Seconds, String> {
        let secs: f64 = s
            .trim()
            .parse()
            .map_err(|_| "expected a number of seconds, like 30 or 0.5".to_string())?;
        if !(0.001..=3600.0).contains(&secs) {
            return Err("must be from 0.001 to 3600 seconds".into());
        }
        Ok(Seconds(Duration::from_secs_f64(secs)))
    }
}

impl fmt::Display for Seconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.as_secs_f64())
    }
}

/// The value parser of `--regions`: the library's one check of region names.
pub fn region(s: &str) -> Result<String, String> {
    hipaa_iam_core::aws::check_region(s).map(|()| s.to_string())
}

/// The command line's name for a field the library's errors name: `--users`.
pub fn flag(field: hipaa_iam_core::error::Field) -> String {
    use hipaa_iam_core::error::Field;
    match field {
        Field::ExportsDir => "--exports",
        Field::Regions => "--regions",
        Field::OutputDir => "--output-dir",
        Field::Users => "--users",
        Field::UserName => "--user-name",
        Field::PolicyFile => "--policy-file",
        Field::Replace => "--replace",
        Field::Boundary => "--no-boundary",
        Field::Console => "--console",
        Field::Accounts => "--accounts",
        Field::Shard => "--shard",
        Field::RoleName => "--role-name",
        Field::ExternalId => "--external-id",
        Field::Concurrency => "--concurrency",
        Field::Principal => "--principal",
        Field::Action => "--action",
        Field::Resource => "--resource",
        Field::Context => "--context",
    }
    .to_string()
}

/// The error of a command that needs live AWS in a build without it (`cargo build
/// --no-default-features`): what it was, and what to do instead.
#[cfg(not(feature = "aws"))]
pub fn without_aws(what: &str) -> hipaa_iam_core::Error {
    hipaa_iam_core::Error::InvalidArgument(format!(
        "{what} needs live AWS, and this hipaa-iam was built without it (cargo --no-default-features): \
         build it with its default features, or audit the AWS CLI's exports with --exports"
    ))
}

/// A tokio runtime for the AWS calls.
pub fn runtime() -> hipaa_iam_core::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| hipaa_iam_core::Error::io("<tokio runtime>", e))
}

impl SourceArgs {
    /// The library's description of this source.
    pub fn to_source(&self) -> hipaa_iam_core::api::Source {
        hipaa_iam_core::api::Source {
            exports_dir: self.exports.clone(),
            profile: self.profile.clone(),
            regions: self.regions.clone(),
            network: self.network.to_network(),
        }
    }
}

/// Loads the account: from `--exports DIR`, or collected live into memory.
pub fn load_account(source: &SourceArgs, config_regions: &[String]) -> hipaa_iam_core::Result<Account> {
    runtime()?.block_on(source.to_source().load(config_regions))
}
