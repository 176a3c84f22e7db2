//! One module per subcommand.

pub mod audit;
pub mod checks;
pub mod collect;
pub mod github;
pub mod merge;
pub mod mfa;
pub mod org;
pub mod remediate;
pub mod verify;

use hipaa_iam_core::account::Account;

use crate::SourceArgs;

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
        }
    }
}

/// Loads the account: from `--exports DIR`, or collected live into memory.
pub fn load_account(source: &SourceArgs, config_regions: &[String]) -> hipaa_iam_core::Result<Account> {
    runtime()?.block_on(source.to_source().load(config_regions))
}
