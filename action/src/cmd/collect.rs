//! `hipaa-iam collect`.

use crate::{CollectArgs, EXIT_OK};

/// Collects the account data into a directory.
pub fn run(args: CollectArgs) -> hipaa_iam_core::Result<u8> {
    let rt = super::runtime()?;
    rt.block_on(hipaa_iam_core::account::collect::collect_to_dir(
        args.profile.as_deref(),
        &args.regions,
        &args.output,
    ))?;
    Ok(EXIT_OK)
}
