//! `hipaa-iam diff OLD NEW`: what changed between two audits' evidence directories
//! (`hipaa_iam_core::history::diff`), each verified against its manifest first.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use hipaa_iam_core::history::diff::{self, DiffFormat};

use crate::{FailOn, EXIT_FINDINGS, EXIT_OK};

/// The exit status of `diff`, shown by `diff --help`.
pub const DIFF_EXIT: &str = "Exit status: 0 no new or still-open failing finding at or above --fail-on; 1 new or \
    still-open failing findings at or above --fail-on (organizations: also those of accounts added or not \
    audited before); 2 the command could not run (a directory that does not verify against its manifest, \
    unreadable findings, one account's evidence against an organization's).";

/// Output format of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Plain text
    Table,
    /// Markdown (the "Since last review" section)
    Markdown,
    /// JSON
    Json,
}

/// Arguments of `hipaa-iam diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier evidence directory (audit --output-dir)
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The later evidence directory
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Exit with status 1 when a new or still-open failing finding has this severity or a higher one
    #[arg(long, value_enum, value_name = "SEVERITY", default_value_t = FailOn::High)]
    pub fail_on: FailOn,
}

/// Runs the comparison.
pub fn run(args: DiffArgs) -> hipaa_iam_core::Result<u8> {
    let d = diff::diff_dirs(&args.old, &args.new, args.fail_on.policy())?;
    let format = match args.format {
        Format::Table => DiffFormat::Table,
        Format::Markdown => DiffFormat::Markdown,
        Format::Json => DiffFormat::Json,
    };
    let text = diff::render(&d, format);
    super::term::to_stdout(|out| out.write_all(text.as_bytes()))?;
    Ok(if d.failing > 0 { EXIT_FINDINGS } else { EXIT_OK })
}
