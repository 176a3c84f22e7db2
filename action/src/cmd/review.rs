//! `hipaa-iam review start|sign`: the access review of an evidence directory
//! (`hipaa_iam_core::history::review`).

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use hipaa_iam_core::history::review::{self, SignRequest};
use hipaa_iam_core::text::terminal_safe;

use crate::EXIT_OK;

/// Arguments of `hipaa-iam review`.
#[derive(Debug, Args)]
pub struct ReviewArgs {
    #[command(subcommand)]
    pub step: Step,
}

/// The steps of a review.
#[derive(Debug, Subcommand)]
pub enum Step {
    /// Write the roster to fill in (access_review.csv: one row per IAM user, role and
    /// Identity Center user) into an evidence directory, and list it in its manifest
    Start(StartArgs),
    /// Check a filled-in roster, sign it (review.json, review.md, access_review_signed.csv
    /// into the evidence and its manifest) and print the changes the revoke and modify
    /// decisions imply (planned, never applied)
    Sign(SignArgs),
}

/// Output format of `review`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Plain text
    Text,
    /// JSON
    Json,
}

/// Arguments of `review start`.
#[derive(Debug, Args)]
pub struct StartArgs {
    /// The evidence directory (audit --output-dir), verified first
    #[arg(long, value_name = "DIR")]
    pub evidence: PathBuf,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Arguments of `review sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The evidence directory the review was started in
    #[arg(long, value_name = "DIR")]
    pub evidence: PathBuf,
    /// The filled-in roster (a copy of access_review.csv kept outside the evidence)
    #[arg(long, value_name = "FILE")]
    pub roster: PathBuf,
    /// Who reviewed and signs
    #[arg(long, value_name = "NAME")]
    pub reviewer: String,
    /// The reviewer's title
    #[arg(long, value_name = "TITLE")]
    pub title: String,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Runs a step.
pub fn run(args: ReviewArgs) -> hipaa_iam_core::Result<u8> {
    match args.step {
        Step::Start(a) => {
            let started = review::start(&a.evidence)?;
            super::term::to_stdout(|out| {
                match a.format {
                Format::Json => {
                    serde_json::to_writer_pretty(&mut *out, &started).map_err(std::io::Error::other)?;
                    writeln!(out)
                }
                Format::Text => writeln!(
                    out,
                    "roster written to {} ({} principals, roster ID {}): copy it, fill in Decision (keep, revoke or modify), Reviewer and Comment, then run `hipaa-iam review sign --evidence {} --roster FILE --reviewer NAME --title TITLE`",
                    started.roster.display(),
                    started.principals,
                    started.roster_id,
                    a.evidence.display()
                ),
            }
            })?;
        }
        Step::Sign(a) => {
            let signed = review::sign(&SignRequest {
                evidence_dir: a.evidence.clone(),
                roster: a.roster,
                reviewer: a.reviewer,
                title: a.title,
            })?;
            super::term::to_stdout(|out| match a.format {
                Format::Json => {
                    serde_json::to_writer_pretty(&mut *out, &signed).map_err(std::io::Error::other)?;
                    writeln!(out)
                }
                Format::Text => {
                    let c = signed.review.counts;
                    writeln!(
                        out,
                        "review signed by {} ({}): {} principals, {} keep, {} revoke, {} modify; written to {} (check with `hipaa-iam verify {}`)",
                        terminal_safe(&signed.review.reviewer),
                        terminal_safe(&signed.review.title),
                        c.principals,
                        c.keep,
                        c.revoke,
                        c.modify,
                        a.evidence.join(review::REVIEW_JSON).display(),
                        a.evidence.display()
                    )?;
                    if !signed.plans.is_empty() {
                        writeln!(out, "\nPlanned changes (NOT applied; review each and run it yourself):")?;
                    }
                    for p in &signed.plans {
                        writeln!(
                            out,
                            "\n{} {} ({}):",
                            p.principal_type,
                            terminal_safe(&p.name),
                            p.decision.as_str()
                        )?;
                        for s in &p.steps {
                            writeln!(out, "  {}", terminal_safe(s))?;
                        }
                    }
                    Ok(())
                }
            })?;
        }
    }
    Ok(EXIT_OK)
}
