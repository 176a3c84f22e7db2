//! `hipaa-iam collect`.

#[cfg(feature = "aws")]
use hipaa_iam_core::account::collect;

use crate::CollectArgs;
#[cfg(feature = "aws")]
use crate::EXIT_OK;

/// Collects the account data into a directory and says on stderr what was collected.
#[cfg(feature = "aws")]
pub fn run(args: CollectArgs) -> hipaa_iam_core::Result<u8> {
    args.org.check()?;
    if args.org.org {
        return super::org::collect(args);
    }
    let rt = super::runtime()?;
    let set = rt.block_on(collect::collect_to_dir(
        args.profile.as_deref(),
        &args.regions,
        &args.network.to_network(),
        &args.output,
    ))?;
    eprint!("{}", collect::summary(&set, &args.output));
    Ok(EXIT_OK)
}

/// `collect` reads AWS, which this build cannot.
#[cfg(not(feature = "aws"))]
pub fn run(_args: CollectArgs) -> hipaa_iam_core::Result<u8> {
    Err(super::without_aws("`collect`"))
}
