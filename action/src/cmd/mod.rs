//! One module per subcommand.

pub mod audit;
pub mod checks;
pub mod collect;
pub mod github;
pub mod mfa;
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

/// Loads the account: from `--exports DIR`, or collected live into memory.
pub fn load_account(source: &SourceArgs, config_regions: &[String]) -> hipaa_iam_core::Result<Account> {
    match &source.exports {
        Some(dir) => Account::read_dir(dir),
        None => {
            let regions = if source.regions.is_empty() {
                config_regions.to_vec()
            } else {
                source.regions.clone()
            };
            let rt = runtime()?;
            let set = rt.block_on(hipaa_iam_core::account::collect::collect_live(
                source.profile.as_deref(),
                &regions,
            ))?;
            Account::from_exports(&set)
        }
    }
}
