//! `hipaa-iam lint-policy FILE...`: the problems of IAM policy documents kept in files (JSON
//! policy documents, the policies of Terraform files), each at its file, line and column;
//! the exit status says whether problems reach `--fail-on`, as `audit`'s does.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use hipaa_iam_core::api::{self, Lint, LintRequest};
use hipaa_iam_core::findings::Severity;
use hipaa_iam_core::lint::files::{LintReport, Located};
use hipaa_iam_core::lint::Rule;
use hipaa_iam_core::report::sarif;
use hipaa_iam_core::run::FailOn;
use hipaa_iam_core::text::terminal_safe;

use super::github::{enabled, escape_data, escape_property, MAX_ANNOTATIONS};
use crate::{EXIT_FINDINGS, EXIT_OK};

/// What `lint-policy --help` says after the options: the rules (from the library), the files
/// read, the exit status.
pub static LINT_HELP: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let rules: Vec<String> = Rule::ALL
        .iter()
        .map(|r| format!("  {:<21} {} ({})", r.id(), r.title(), r.severity().as_str()))
        .collect();
    format!(
        "What is checked (rule, what it finds, severity):\n{}\n\n{FILES_AND_EXIT}",
        rules.join("\n")
    )
});

/// The files `lint-policy` reads and its exit status, for `--help`.
const FILES_AND_EXIT: &str = "\
    Files: a JSON file holds one policy document (an object with \"Statement\"); a Terraform file (.tf) is read \
    for the attributes named policy or ending in _policy (assume_role_policy, inline_policy's policy, ...) \
    whose value is a heredoc holding JSON or a jsonencode({...}) expression, and data \"aws_iam_policy_document\" \
    blocks (not their dynamic blocks or the documents they merge), at their real lines and columns. In jsonencode \
    and data sources, an expression that is not a literal (var.bucket_arn) is an opaque string, written ${...}, \
    that matches nothing special. A directory is searched \
    for *.json and *.tf files, skipping hidden directories (.terraform/, .git/); there, a JSON file that is not \
    a policy document is skipped silently, and one that is not valid JSON is skipped with a warning (as is a \
    directory without such files). A file \
    named on its own must be a policy document.\n\n\
    Exit status: 0 no problem at or above --fail-on; 1 problems at or above --fail-on; 2 the command could not \
    run (a file that cannot be read, that is not valid JSON, or that is named and is not a policy document).";

/// Arguments of `hipaa-iam lint-policy`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Policy files (JSON, Terraform .tf) and directories to search for them
    #[arg(value_name = "FILE", required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = LintFormat::Text)]
    pub format: LintFormat,
    /// Exit with status 1 when a problem has this severity or a higher one
    #[arg(long, value_enum, value_name = "SEVERITY", default_value_t = crate::FailOn::High)]
    pub fail_on: crate::FailOn,
    /// Also write the problems as SARIF 2.1.0 to this file (for GitHub code scanning)
    #[arg(long, value_name = "FILE")]
    pub sarif_file: Option<PathBuf>,
    /// GitHub Actions output: an ::error annotation at the file, line and column of each
    /// problem at or above --fail-on. On by itself when GITHUB_ACTIONS=true
    #[arg(long, conflicts_with = "no_github")]
    pub github: bool,
    /// No GitHub Actions output, even when GITHUB_ACTIONS=true
    #[arg(long)]
    pub no_github: bool,
}

/// Output format of `lint-policy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    /// One line per problem, `file:line:column: severity rule: message`, by file, then a summary
    Text,
    /// The files, documents, problems and the fail-on verdict as JSON
    Json,
    /// SARIF 2.1.0, for GitHub code scanning (results at their files, lines and columns)
    Sarif,
}

/// Lints the files.
pub fn run(args: LintArgs) -> hipaa_iam_core::Result<u8> {
    let fail_on = args.fail_on.policy();
    let lint = api::lint(&LintRequest {
        paths: args.paths.clone(),
        fail_on,
    })?;
    let report = &lint.report;
    for w in &report.warnings {
        eprintln!("hipaa-iam: warning: {}", terminal_safe(w));
    }
    super::term::to_stdout(|out| match args.format {
        LintFormat::Text => write_text(out, &lint),
        LintFormat::Json => serde_json::to_writer_pretty(&mut *out, &lint)
            .map_err(std::io::Error::other)
            .and_then(|()| writeln!(out)),
        LintFormat::Sarif => out.write_all(sarif::render_lint(report).as_bytes()),
    })?;
    if let Some(path) = &args.sarif_file {
        hipaa_iam_core::manifest::write_atomic(path, sarif::render_lint(report).as_bytes())?;
    }
    if enabled(args.github, args.no_github) {
        // After the text report on stdout; after JSON or SARIF on stderr.
        let lines = annotations(report, fail_on, MAX_ANNOTATIONS);
        let written = if args.format == LintFormat::Text {
            lines.iter().try_for_each(|l| writeln!(std::io::stdout(), "{l}"))
        } else {
            lines.iter().try_for_each(|l| writeln!(std::io::stderr(), "{l}"))
        };
        written.map_err(|e| hipaa_iam_core::Error::io("<stdout>", e))?;
    }
    Ok(if lint.verdict.failed { EXIT_FINDINGS } else { EXIT_OK })
}

/// `file:line:column: severity rule: message`, control characters of the file name and
/// message (which quote the file's text) made harmless.
pub fn line(p: &Located) -> String {
    format!(
        "{}:{}:{}: {} {}: {}",
        terminal_safe(&p.file),
        p.line,
        p.column,
        p.severity.as_str(),
        p.rule,
        terminal_safe(&p.message)
    )
}

/// The problems, one per line by file and place, then `N problems (...) in M of F files,
/// D policy documents` and what `--fail-on` decided.
pub fn write_text(out: &mut impl Write, lint: &Lint) -> std::io::Result<()> {
    let report = &lint.report;
    for p in &report.problems {
        writeln!(out, "{}", line(p))?;
    }
    if !report.problems.is_empty() {
        writeln!(out)?;
    }
    writeln!(out, "{}", summary_line(report))?;
    match lint.verdict.fail_on.threshold() {
        Some(min) => writeln!(
            out,
            "fail-on {}: {} problem(s) at or above it",
            min.as_str(),
            lint.verdict.failing
        ),
        None => writeln!(out, "fail-on none: problems do not fail the run"),
    }
}

/// `3 problems (1 critical, 2 high, 0 medium, 0 low) in 2 of 5 files, 7 policy documents`.
pub fn summary_line(report: &LintReport) -> String {
    let mut with_problems: Vec<&str> = report.problems.iter().map(|p| p.file.as_str()).collect();
    with_problems.dedup();
    let counts: Vec<String> = Severity::ALL_DESC
        .iter()
        .map(|s| format!("{} {}", report.count(*s), s.as_str()))
        .collect();
    format!(
        "{} problem{} ({}) in {} of {} file{}, {} policy document{}",
        report.problems.len(),
        if report.problems.len() == 1 { "" } else { "s" },
        counts.join(", "),
        with_problems.len(),
        report.files.len(),
        if report.files.len() == 1 { "" } else { "s" },
        report.documents,
        if report.documents == 1 { "" } else { "s" },
    )
}

/// `::error file=F,line=L,col=C,title=rule::message` for each problem at or above
/// `fail_on` (at most `max`, then one `::warning` counting the rest).
pub fn annotations(report: &LintReport, fail_on: FailOn, max: usize) -> Vec<String> {
    let failing: Vec<&Located> = report.problems.iter().filter(|p| fail_on.reaches(p.severity)).collect();
    let mut lines: Vec<String> = failing
        .iter()
        .take(max)
        .map(|p| {
            // Escaped for the runner, then what control characters remain (an escape
            // sequence in a file name) made harmless for the log.
            let line = format!(
                "::error file={},line={},col={},title={}::{}",
                escape_property(&p.file),
                p.line,
                p.column,
                escape_property(&format!("{} ({})", p.rule, p.severity.as_str())),
                escape_data(&p.message)
            );
            terminal_safe(&line).into_owned()
        })
        .collect();
    if failing.len() > max {
        lines.push(format!(
            "::warning::{} more problems at or above {} are not annotated; see the SARIF file or the log",
            failing.len() - max,
            fail_on.as_str()
        ));
    }
    lines
}
