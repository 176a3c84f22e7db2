//! `hipaa-iam verify DIR`: recomputes the SHA-256 of every file listed in
//! `DIR/manifest.json` and reports each changed or missing file. An organization's
//! evidence lists each account's own `manifest.json`; those are verified in turn.
//! Entries that leave the directory (absolute, `..`, a symbolic link pointing outside)
//! are refused unread, special files (FIFOs, devices) are reported unread, and files the
//! manifest does not list, temporary files of an interrupted run among them, are reported.

use std::path::PathBuf;

use clap::Args;
use hipaa_iam_core::account::file;
use hipaa_iam_core::manifest::Manifest;
use hipaa_iam_core::text::{terminal_safe, terminal_safe_lines};

use crate::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};

/// Arguments of `hipaa-iam verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The evidence (or collected account data) directory holding manifest.json
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

/// Exit 0 when every file matches, 1 on any mismatch or missing file, 2 when the
/// manifest cannot be read.
pub fn run(args: VerifyArgs) -> hipaa_iam_core::Result<u8> {
    let path = args.dir.join(file::MANIFEST);
    let manifest = match Manifest::read(&path) {
        Ok(m) => m,
        Err(e) => {
            eprintln!(
                "hipaa-iam: error: cannot read the manifest: {}",
                terminal_safe_lines(&e.to_string())
            );
            return Ok(EXIT_ERROR);
        }
    };
    if manifest.files.is_empty() {
        eprintln!("hipaa-iam: error: {}: the manifest lists no files", path.display());
        return Ok(EXIT_ERROR);
    }
    let (checked, problems) = manifest.verify_counted(&args.dir);
    for p in &problems {
        println!("MISMATCH {}", terminal_safe(p));
    }
    if problems.is_empty() {
        println!("OK: all {checked} files in {} match the manifest", path.display());
        Ok(EXIT_OK)
    } else {
        println!(
            "FAILED: {} of {checked} files do not match {}",
            problems.len(),
            path.display()
        );
        Ok(EXIT_FINDINGS)
    }
}
