//! `hipaa-iam merge --output OUT SHARD_DIR...`: combines the organization evidence of
//! several shards (`audit --org --shard I/N --output-dir ...`) into one directory, after
//! verifying every shard's manifest (`org::merge` does the work).

use std::path::PathBuf;

use clap::Args;
use hipaa_iam_core::org;

use crate::EXIT_OK;

/// Arguments of `hipaa-iam merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The merged evidence directory; it must not exist or be empty
    #[arg(long, short, value_name = "OUT")]
    pub output: PathBuf,
    /// The shards' organization evidence directories (each with its manifest.json and org.json)
    #[arg(value_name = "SHARD_DIR", required = true)]
    pub shards: Vec<PathBuf>,
}

/// Exit 0 when merged; an error (exit 2) names the shard and file that was refused.
pub fn run(args: MergeArgs) -> hipaa_iam_core::Result<u8> {
    let outcome = org::merge(&args.output, &args.shards)?;
    println!(
        "Merged {} shard{} into {}: {} account{} audited, {} with errors ({} files in manifest.json)",
        args.shards.len(),
        if args.shards.len() == 1 { "" } else { "s" },
        args.output.display(),
        outcome.audited,
        if outcome.audited == 1 { "" } else { "s" },
        outcome.errored,
        outcome.manifest.files.len()
    );
    Ok(EXIT_OK)
}
