//! `hipaa-iam mfa`: the hardening guide's Audit-MFA. One row per IAM user with its MFA
//! status, console access, device type, MFA-group membership and groups.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;
use hipaa_iam_core::config::Config;
use hipaa_iam_core::report::mfa;

use crate::{SourceArgs, EXIT_OK};

/// Where `--save-csv` writes when no path is given.
pub const DEFAULT_CSV: &str = "reports/mfa_audit.csv";

/// Arguments of `hipaa-iam mfa`.
#[derive(Debug, Args)]
pub struct MfaArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Configuration file (default: ./hipaa-iam.toml if present, else built-in defaults);
    /// its `human_users_group` is the MFA group
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Also write the report as CSV (default path: reports/mfa_audit.csv)
    #[arg(long, value_name = "PATH", num_args = 0..=1, default_missing_value = DEFAULT_CSV)]
    pub save_csv: Option<PathBuf>,
    /// Write the CSV with a UTF-8 byte-order mark, so Excel reads non-ASCII names correctly
    #[arg(long)]
    pub excel: bool,
}

/// Prints the MFA report (and writes the CSV when asked).
pub fn run(args: MfaArgs) -> hipaa_iam_core::Result<u8> {
    let loaded = Config::load(args.config.as_deref(), &hipaa_iam_core::checks::ids())?;
    let account = super::load_account(&args.source, &loaded.config.regions)?;
    let rows = mfa::rows(&account, &loaded.config);
    let styled = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    print!("{}", mfa::to_table(&rows, &loaded.config.human_users_group, styled));
    if let Some(path) = &args.save_csv {
        let bytes = mfa::to_csv(&rows).to_bytes(args.excel);
        hipaa_iam_core::manifest::write_atomic(path, &bytes)?;
        println!("CSV saved to {}", path.display());
    }
    Ok(EXIT_OK)
}
