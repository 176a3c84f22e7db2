//! `audit --github` (on by itself when `GITHUB_ACTIONS=true`): the GitHub Actions output of
//! an audit, so the composite action's YAML stays small.
//!
//! - The Markdown summary (`core::report::summary`) is appended to `$GITHUB_STEP_SUMMARY`,
//!   after one line that says what `--fail-on` decided.
//! - `::error` annotations, one per failing finding at or above `--fail-on` (most serious
//!   first, at most [`MAX_ANNOTATIONS`], then one `::warning` that counts the rest).
//! - Step outputs appended to `$GITHUB_OUTPUT`: `failed`, `fail-count`, `report-dir`,
//!   `sarif-file`.
//!
//! Workflow commands are escaped as the runner unescapes them (`%`, CR and LF in the
//! message; also `:` and `,` in properties). Findings never hold secrets (the account
//! model keeps no secret parts of keys), and nothing here prints the environment.

use std::io::Write;
use std::path::Path;

use hipaa_iam_core::config::LoadedConfig;
use hipaa_iam_core::findings::{AuditReport, Finding};
use hipaa_iam_core::report::summary;
use hipaa_iam_core::run::{self, FailOn};

/// At most this many `::error` annotations per run (GitHub shows only the first few per
/// step anyway); the rest are counted in one `::warning`.
pub const MAX_ANNOTATIONS: usize = 50;

/// Whether the GitHub output is on: `--github`, or `GITHUB_ACTIONS=true` unless `--no-github`.
pub fn enabled(github: bool, no_github: bool) -> bool {
    if no_github {
        return false;
    }
    github || std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
}

/// Escapes a workflow command's message (`%`, `\r`, `\n`).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a workflow command's property value (the message rules plus `:` and `,`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The annotation lines: `::error title=IAM-002 console-mfa::nurse.kim: detail`, capped
/// at `max`, then a `::warning::` with the number left out.
pub fn annotations(failing: &[&Finding], fail_on: FailOn, max: usize) -> Vec<String> {
    let mut lines: Vec<String> = failing
        .iter()
        .take(max)
        .map(|f| {
            format!(
                "::error title={}::{}",
                escape_property(&format!("{} {}", f.check.id, f.check.slug)),
                escape_data(&format!(
                    "{}: {} [{}; {}]",
                    f.resource_name,
                    f.detail,
                    f.check.severity.as_str(),
                    f.check.hipaa.join("; ")
                ))
            )
        })
        .collect();
    if failing.len() > max {
        let min = fail_on.as_str();
        lines.push(format!(
            "::warning::{} more failing findings at or above {min} are not annotated; see the job summary and the report directory",
            failing.len() - max
        ));
    }
    lines
}

/// The step summary: what `--fail-on` decided, then the audit summary.
pub fn step_summary(
    report: &AuditReport,
    config: &LoadedConfig,
    fail_on: FailOn,
    fail_count: usize,
    report_dir: Option<&Path>,
) -> String {
    let verdict = match fail_on.threshold() {
        None => "> fail-on none: findings do not fail the step.\n\n".to_string(),
        Some(min) if fail_count == 0 => {
            format!(
                "> fail-on {}: no failing finding at or above it; the step passes.\n\n",
                min.as_str()
            )
        }
        Some(min) => format!(
            "> fail-on {}: **{fail_count} failing finding{} at or above it; the step fails.**\n\n",
            min.as_str(),
            if fail_count == 1 { "" } else { "s" }
        ),
    };
    format!(
        "{verdict}{}{}\n",
        report_links(report_dir),
        summary::markdown(report, config)
    )
}

/// The line that points to the report people read and the workbook in the report
/// directory, when the audit wrote them (the summary names them relative to the
/// `report-dir` output, whose artifact holds them).
fn report_links(report_dir: Option<&Path>) -> String {
    use hipaa_iam_core::report::evidence;
    links(
        report_dir,
        [
            (evidence::REPORT_HTML, "the report to read and print"),
            (evidence::EVIDENCE_XLSX, "the workbook"),
        ],
    )
}

/// The same line for an organization's report directory: its `org_report.html` (which
/// links each account's `report.html`) and `org_evidence.xlsx`.
fn org_report_links(report_dir: Option<&Path>) -> String {
    use hipaa_iam_core::report::org_report;
    links(
        report_dir,
        [
            (
                org_report::ORG_REPORT_HTML,
                "the organization's report, linking each account's",
            ),
            (org_report::ORG_EVIDENCE_XLSX, "the workbook"),
        ],
    )
}

fn links(report_dir: Option<&Path>, names: [(&str, &str); 2]) -> String {
    let Some(dir) = report_dir else {
        return String::new();
    };
    let files: Vec<String> = names
        .iter()
        .filter(|(name, _)| dir.join(name).is_file())
        .map(|(name, what)| format!("[{name}]({name}) ({what})"))
        .collect();
    if files.is_empty() {
        return String::new();
    }
    format!(
        "> Full report: {} in the report directory (the `report-dir` output; upload it as an artifact to open them).\n\n",
        files.join(" and ")
    )
}

/// The step outputs in `$GITHUB_OUTPUT` syntax (`name=value` lines; values are paths and
/// numbers, and a value with a line break uses the delimiter form).
pub fn outputs(fail_count: usize, report_dir: Option<&Path>, sarif_file: Option<&Path>) -> String {
    let path = |p: Option<&Path>| p.map(|p| p.display().to_string()).unwrap_or_default();
    let mut s = String::new();
    for (name, value) in [
        ("failed", (fail_count > 0).to_string()),
        ("fail-count", fail_count.to_string()),
        ("report-dir", path(report_dir)),
        ("sarif-file", path(sarif_file)),
    ] {
        if value.contains('\n') || value.contains('\r') {
            let delimiter = format!("hipaa_iam_{}", hipaa_iam_core::manifest::sha256_hex(value.as_bytes()));
            s.push_str(&format!("{name}<<{delimiter}\n{value}\n{delimiter}\n"));
        } else {
            s.push_str(&format!("{name}={value}\n"));
        }
    }
    s
}

fn append(var: &str, text: &str) -> hipaa_iam_core::Result<()> {
    let Some(path) = std::env::var_os(var).filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let path = Path::new(&path);
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| hipaa_iam_core::Error::io(path, e))?;
    file.write_all(text.as_bytes())
        .map_err(|e| hipaa_iam_core::Error::io(path, e))
}

/// Writes the GitHub output of an audit: annotations to `out`, the summary to
/// `$GITHUB_STEP_SUMMARY` (with the "Since last review" section when the audit had
/// `--previous` evidence) and the outputs to `$GITHUB_OUTPUT` (each skipped when unset).
#[allow(clippy::too_many_arguments)]
pub fn write(
    out: &mut impl Write,
    report: &AuditReport,
    config: &LoadedConfig,
    fail_on: FailOn,
    report_dir: Option<&Path>,
    sarif_file: Option<&Path>,
    since: Option<&hipaa_iam_core::report::since::SinceLastReview>,
) -> hipaa_iam_core::Result<()> {
    let failing = run::failing(report, fail_on);
    for line in annotations(&failing, fail_on, MAX_ANNOTATIONS) {
        writeln!(out, "{line}").map_err(|e| hipaa_iam_core::Error::io("<stdout>", e))?;
    }
    let mut summary = step_summary(report, config, fail_on, failing.len(), report_dir);
    if let Some(since) = since {
        summary.push_str(&since.markdown());
    }
    append("GITHUB_STEP_SUMMARY", &summary)?;
    append("GITHUB_OUTPUT", &outputs(failing.len(), report_dir, sarif_file))
}

/// Writes the GitHub output of an organization audit: one `::error` annotation per account
/// that ended in an error to `out`; the verdict and the accounts' table (`table`) to
/// `$GITHUB_STEP_SUMMARY`; the outputs (`fail_count`: over all accounts) to `$GITHUB_OUTPUT`.
pub fn write_org(
    out: &mut impl Write,
    runs: &[hipaa_iam_core::org::AccountRun],
    fail_on: FailOn,
    fail_count: usize,
    report_dir: Option<&Path>,
    table: &str,
) -> hipaa_iam_core::Result<()> {
    let errors: Vec<(&str, &str)> = runs
        .iter()
        .filter_map(|r| r.result.as_ref().err().map(|e| (r.id.as_str(), e.as_str())))
        .collect();
    for (id, e) in &errors {
        writeln!(
            out,
            "::error title={}::{}",
            escape_property(&format!("account {id}")),
            escape_data(e)
        )
        .map_err(|e| hipaa_iam_core::Error::io("<stderr>", e))?;
    }
    let verdict = match fail_on.threshold() {
        Some(min) => format!(
            "**hipaa-iam organization audit**: {} account(s), {} error(s); {fail_count} failing finding(s) at or above {}.",
            runs.len(),
            errors.len(),
            min.as_str()
        ),
        None => format!(
            "**hipaa-iam organization audit**: {} account(s), {} error(s); fail-on none.",
            runs.len(),
            errors.len()
        ),
    };
    append(
        "GITHUB_STEP_SUMMARY",
        &format!("{verdict}\n\n{}```\n{table}```\n", org_report_links(report_dir)),
    )?;
    append("GITHUB_OUTPUT", &outputs(fail_count, report_dir, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_runner() {
        assert_eq!(escape_data("50%\r\nnext: a,b"), "50%25%0D%0Anext: a,b");
        assert_eq!(escape_property("IAM-002 a:b,c%\n"), "IAM-002 a%3Ab%2Cc%25%0A");
    }

    fn demo_report() -> AuditReport {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/demo-account");
        let account = hipaa_iam_core::account::Account::read_dir(&dir).expect("the demo account");
        let config = hipaa_iam_core::config::Config::default();
        hipaa_iam_core::checks::audit(&account, &config, None)
    }

    #[test]
    fn annotations_are_capped_and_count_the_rest() {
        let report = demo_report();
        let failing = run::failing(&report, FailOn::High);
        assert_eq!(failing.len(), 17);
        let lines = annotations(&failing, FailOn::High, 5);
        assert_eq!(lines.len(), 6);
        assert!(
            lines[..5].iter().all(|l| l.starts_with("::error title=IAM-")),
            "{lines:?}"
        );
        assert!(
            lines[0].starts_with("::error title=IAM-002 console-mfa::"),
            "{}",
            lines[0]
        );
        assert!(
            lines[0].contains("[critical; §164.312(d); §164.312(a)(1)]"),
            "{}",
            lines[0]
        );
        assert!(
            lines[5].starts_with("::warning::12 more failing findings at or above high are not annotated"),
            "{}",
            lines[5]
        );
        assert_eq!(annotations(&failing, FailOn::High, MAX_ANNOTATIONS).len(), 17);
        assert!(failing_none_is_empty(&report));
    }

    fn failing_none_is_empty(report: &AuditReport) -> bool {
        run::failing(report, FailOn::None).is_empty() && run::failing(report, FailOn::Low).len() == 32
    }

    #[test]
    fn outputs_use_the_delimiter_form_for_line_breaks() {
        let s = outputs(3, Some(Path::new("a\nb")), None);
        assert!(
            s.starts_with("failed=true\nfail-count=3\nreport-dir<<hipaa_iam_"),
            "{s}"
        );
        assert!(s.ends_with("sarif-file=\n"), "{s}");
        assert_eq!(
            outputs(0, None, None),
            "failed=false\nfail-count=0\nreport-dir=\nsarif-file=\n"
        );
    }
}
