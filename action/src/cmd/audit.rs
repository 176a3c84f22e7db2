//! `hipaa-iam audit`: runs the checks and prints the findings (a table, the findings
//! model as JSON, or SARIF / JUnit / CSV / Markdown from `hipaa_iam_core::report`), writes
//! the evidence directory with `--output-dir`; the exit status says whether failing
//! findings reach `--fail-on`.

use std::io::{IsTerminal, Write};

use hipaa_iam_core::api;
use hipaa_iam_core::checks::{self, CATALOGUE};
use hipaa_iam_core::findings::{AuditReport, Finding, Severity, Status};
use hipaa_iam_core::report;
use hipaa_iam_core::text::terminal_safe;

use hipaa_iam_core::run::{self, FailOn};

use super::term::{terminal_width, truncate};
use crate::{AuditArgs, AuditFormat, EXIT_FINDINGS, EXIT_OK};

/// Runs the audit.
pub fn run(args: AuditArgs) -> hipaa_iam_core::Result<u8> {
    args.org.check()?;
    let fail_on = args.fail_on.policy();
    if args.org.org {
        if args.previous.is_some() {
            return Err(hipaa_iam_core::Error::InvalidArgument(
                "--previous is not available with --org: compare organization evidence with `hipaa-iam diff OLD NEW`"
                    .into(),
            ));
        }
        return super::org::audit(args);
    }
    // Validate the arguments before touching AWS or the disk.
    if args.format == AuditFormat::Xlsx && std::io::stdout().is_terminal() {
        return Err(hipaa_iam_core::Error::InvalidArgument(
            "--format xlsx writes a binary workbook: redirect stdout to a file (> evidence.xlsx), or use --output-dir DIR, which writes DIR/evidence.xlsx".into(),
        ));
    }
    let only = if args.checks.is_empty() {
        None
    } else {
        Some(checks::parse_ids(&args.checks)?)
    };
    let loaded = api::load_config(args.config.as_deref(), None, &args.source.regions)?;
    let source = args.source.to_source();
    if let Some(dir) = &args.output_dir {
        api::check_output_dir(&source, dir)?;
    }
    // One audit: the output and the evidence below both come from it.
    let mut audit = super::runtime()?.block_on(api::audit(&source, loaded, only.as_deref()))?;
    if let Some(previous) = &args.previous {
        audit.carry_forward(previous)?;
    }
    let (report, loaded) = (&audit.report, &audit.config);

    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    for w in &report.warnings {
        let _ = writeln!(err, "hipaa-iam: warning: {}", terminal_safe(w));
    }
    drop(err);

    let print = || {
        super::term::to_stdout(|out| match args.format {
            AuditFormat::Json => report::findings_json::write(out, report),
            AuditFormat::Table => {
                let style = Style::detect(std::io::stdout().is_terminal());
                write_table(out, report, &style, args.verbose, fail_on)
            }
            AuditFormat::Sarif => out.write_all(report::render(report::Format::Sarif, report, loaded).as_bytes()),
            AuditFormat::Junit => out.write_all(report::render(report::Format::Junit, report, loaded).as_bytes()),
            AuditFormat::Csv => out.write_all(report::render(report::Format::Csv, report, loaded).as_bytes()),
            AuditFormat::Markdown => out.write_all(report::render(report::Format::Markdown, report, loaded).as_bytes()),
            AuditFormat::Html => report::html::write(
                out,
                &report::model::ReportModel::of(report, &audit.account, loaded, audit.since.clone()),
            ),
            AuditFormat::Xlsx => report::xlsx::write(
                out,
                &report::model::ReportModel::of(report, &audit.account, loaded, audit.since.clone()),
            ),
        })
    };
    // SARIF and JUnit files inside the evidence directory are part of its evidence (and of
    // its manifest); elsewhere they are written on their own.
    let mut in_evidence = Vec::new();
    let mut elsewhere = Vec::new();
    for (path, format) in [
        (&args.sarif_file, report::Format::Sarif),
        (&args.junit_file, report::Format::Junit),
    ] {
        if let Some(path) = path {
            let bytes = report::render(format, report, loaded).into_bytes();
            match args
                .output_dir
                .as_deref()
                .and_then(|d| report::evidence::name_in(d, path))
            {
                Some(name) => in_evidence.push((name, bytes)),
                None => elsewhere.push((path, bytes)),
            }
        }
    }
    match &args.output_dir {
        None => print()?,
        Some(dir) => {
            // The report on stdout and the evidence directory are independent renderings
            // of the same audit: the first on a thread of its own while the second is
            // written.
            let options = report::EvidenceOptions {
                excel: args.excel,
                no_html: args.no_html,
                no_xlsx: args.no_xlsx,
                ..Default::default()
            };
            let (printed, written) = std::thread::scope(|scope| {
                let printing = scope.spawn(print);
                let written = audit.write_evidence(dir, &options, in_evidence);
                (printing.join(), written)
            });
            let printed =
                printed.map_err(|_| hipaa_iam_core::Error::io("<stdout>", std::io::Error::other("panicked")))?;
            let manifest = written?;
            printed?;
            eprintln!(
                "hipaa-iam: evidence written to {} ({} files and manifest.json; check with `hipaa-iam verify {}`)",
                dir.display(),
                manifest.files.len(),
                dir.display()
            );
        }
    }
    for (path, bytes) in elsewhere {
        hipaa_iam_core::manifest::write_atomic(path, &bytes)?;
    }
    if super::github::enabled(args.github, args.no_github) {
        // Annotations follow a readable report on stdout; after a machine-readable one
        // (JSON, SARIF, JUnit, CSV) they go to stderr, which the runner reads as well.
        let (dir, sarif) = (args.output_dir.as_deref(), args.sarif_file.as_deref());
        let (mut stdout, mut stderr) = (std::io::stdout().lock(), std::io::stderr().lock());
        let mut to: &mut dyn Write = if matches!(args.format, AuditFormat::Table | AuditFormat::Markdown) {
            &mut stdout
        } else {
            &mut stderr
        };
        let since = audit.since.as_deref();
        super::github::write(&mut to, report, loaded, fail_on, dir, sarif, since)?;
    }
    let code = if run::verdict(report, fail_on).failed {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    };
    // The process ends next: the account and its findings (a large account's hundreds of
    // megabytes in millions of allocations) are left to the operating system to reclaim
    // rather than freed one by one.
    std::mem::forget(audit);
    Ok(code)
}

/// The width of the status column (`NOT-EVALUATED`).
const STATUS_W: usize = 13;

/// Terminal styling: ANSI colours on a terminal, nothing when piped or with `NO_COLOR`.
pub struct Style {
    colour: bool,
    /// The terminal's width, when printing to one.
    pub width: Option<usize>,
}

impl Style {
    /// Colour only on a terminal and never with `NO_COLOR` set (to anything non-empty).
    pub fn detect(is_terminal: bool) -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let width = if is_terminal { terminal_width() } else { None };
        Style {
            colour: is_terminal && !no_color,
            width,
        }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn status(&self, s: Status) -> String {
        let label = format!("{:<STATUS_W$}", s.as_str().to_uppercase());
        let code = match s {
            Status::Fail => "1;31",
            Status::Excepted | Status::Error => "33",
            Status::NotEvaluated => "2",
            Status::Pass => "32",
        };
        self.paint(code, &label)
    }
}

fn status_rank(s: Status) -> u8 {
    match s {
        Status::Fail => 0,
        Status::Error => 1,
        Status::Excepted => 2,
        Status::NotEvaluated => 3,
        Status::Pass => 4,
    }
}

fn catalogue_index(id: &str) -> usize {
    checks::position(id).unwrap_or(usize::MAX)
}

fn write_row(out: &mut impl Write, f: &Finding, style: &Style, name_w: usize) -> std::io::Result<()> {
    let resource_name = terminal_safe(&f.resource_name);
    let head = format!(
        "  {} {} {:<26} {:<name_w$}  ",
        style.status(f.status),
        f.check.id,
        f.check.slug,
        resource_name
    );
    // The visible width of the head (without colour codes).
    let head_w = 2
        + 8
        + 1
        + f.check.id.len()
        + 1
        + 26.max(f.check.slug.len())
        + 1
        + name_w.max(f.resource_name.chars().count())
        + 2;
    let mut detail = f.detail.clone();
    if let Some(e) = &f.exception {
        if f.status == Status::Excepted {
            detail = format!(
                "{detail} [excepted until {} by {}: {}]",
                e.expires, e.approved_by, e.reason
            );
        } else if e.expired {
            detail = format!("{detail} [exception expired {}]", e.expires);
        }
    }
    let detail = terminal_safe(&detail);
    let detail = match style.width {
        Some(w) if w > head_w + 10 => truncate(&detail, w - head_w),
        _ => detail.into_owned(),
    };
    writeln!(out, "{head}{detail}")
}

/// The readable table: findings that are not passes grouped by severity (failing first),
/// passes summarised per check (listed with `verbose`), then the one-line summary.
pub fn write_table(
    out: &mut impl Write,
    report: &AuditReport,
    style: &Style,
    verbose: bool,
    fail_on: FailOn,
) -> std::io::Result<()> {
    writeln!(
        out,
        "hipaa-iam audit of account {} (data as of {}, from {})",
        terminal_safe(report.account_id.as_deref().unwrap_or("(unknown)")),
        terminal_safe(&report.as_of),
        terminal_safe(if report.source.is_empty() { "-" } else { &report.source })
    )?;
    let name_w = report
        .findings
        .iter()
        .filter(|f| verbose || f.status != Status::Pass)
        .map(|f| f.resource_name.chars().count())
        .max()
        .unwrap_or(0)
        .min(32);
    for sev in Severity::ALL_DESC {
        let mut rows: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.check.severity == sev && (verbose || f.status != Status::Pass))
            .collect();
        if rows.is_empty() {
            continue;
        }
        rows.sort_by_cached_key(|f| (status_rank(f.status), catalogue_index(f.check.id)));
        writeln!(out)?;
        let heading_code = match sev {
            Severity::Critical => "1;35",
            Severity::High => "1;31",
            Severity::Medium => "1;33",
            Severity::Low => "1",
        };
        writeln!(out, "{}", style.paint(heading_code, &sev.as_str().to_uppercase()))?;
        for f in rows {
            write_row(out, f, style, name_w)?;
        }
    }
    if !verbose {
        // One pass over the findings, counted by catalogue position.
        let mut counts = vec![0usize; CATALOGUE.len()];
        for f in report.findings.iter().filter(|f| f.status == Status::Pass) {
            if let Some(i) = checks::position(f.check.id) {
                counts[i] += 1;
            }
        }
        let passes: Vec<(&str, &str, usize)> = CATALOGUE
            .iter()
            .zip(counts)
            .filter(|(_, n)| *n > 0)
            .map(|(c, n)| (c.id, c.slug, n))
            .collect();
        if !passes.is_empty() {
            writeln!(out)?;
            writeln!(
                out,
                "{}",
                style.paint("1;32", "PASSED (counts per check; --verbose lists them)")
            )?;
            for (id, slug, n) in passes {
                writeln!(out, "  {id} {slug:<26} {n} pass")?;
            }
        }
    }
    writeln!(out)?;
    writeln!(out, "{}", summary_line(report))?;
    match fail_on.threshold() {
        Some(min) => writeln!(
            out,
            "fail-on {}: {} failing finding(s) at or above it",
            min.as_str(),
            run::failing_count(report, fail_on)
        )?,
        None => writeln!(out, "fail-on none: findings do not fail the run")?,
    }
    Ok(())
}

/// `23 checks, 412 findings: 5 critical, 12 high, 3 medium, 0 low failing; 380 passed, ...`.
pub fn summary_line(report: &AuditReport) -> String {
    let ids: std::collections::HashSet<&str> = report.findings.iter().map(|f| f.check.id).collect();
    let count = |s: Status| report.findings.iter().filter(|f| f.status == s).count();
    let failing: Vec<String> = Severity::ALL_DESC
        .iter()
        .map(|sev| {
            let n = report
                .findings
                .iter()
                .filter(|f| f.status == Status::Fail && f.check.severity == *sev)
                .count();
            format!("{n} {}", sev.as_str())
        })
        .collect();
    format!(
        "{} checks, {} findings: {} failing; {} passed, {} excepted, {} error, {} not evaluated",
        ids.len(),
        report.findings.len(),
        failing.join(", "),
        count(Status::Pass),
        count(Status::Excepted),
        count(Status::Error),
        count(Status::NotEvaluated)
    )
}
