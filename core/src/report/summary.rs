//! `summary.md`: what a person reads first (also `audit --format markdown`).

use super::register::{self, md_cell, RiskRow, RiskStatus};
use crate::checks;
use crate::config::LoadedConfig;
use crate::findings::{AuditReport, Severity, Status};

const STATUSES: [Status; 5] = [
    Status::Fail,
    Status::Excepted,
    Status::Pass,
    Status::Error,
    Status::NotEvaluated,
];

/// The summary in Markdown: account and time, counts by severity and status, the open
/// risks, the top fixes with their `hipaa-iam remediate` commands, accepted risks,
/// checks that could not run, and warnings.
pub fn markdown(report: &AuditReport, config: &LoadedConfig) -> String {
    markdown_with(report, config, &register::rows(report))
}

/// [`markdown`] from the register's rows, already made ([`register::rows`]).
pub fn markdown_with(report: &AuditReport, config: &LoadedConfig, rows: &[RiskRow]) -> String {
    let mut s = String::new();
    s.push_str("# HIPAA IAM audit summary\n\n");
    s.push_str(&format!(
        "- Account: {}\n",
        md_cell(report.account_id.as_deref().unwrap_or("(unknown)"))
    ));
    s.push_str(&format!("- Data as of: {}\n", md_cell(&report.as_of)));
    s.push_str(&format!("- Source: {}\n", md_cell(&report.source)));
    if !report.regions.is_empty() {
        s.push_str(&format!(
            "- Access Analyzer regions: {}\n",
            md_cell(&report.regions.join(", "))
        ));
    }
    s.push_str(&format!(
        "- Configuration: {} (SHA-256 {})\n",
        md_cell(
            &config
                .path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "<defaults>".into())
        ),
        config.sha256
    ));
    s.push_str(&format!("- Tool: hipaa-iam {}\n\n", md_cell(&report.tool_version)));

    let open: Vec<&RiskRow> = rows.iter().filter(|r| r.status == RiskStatus::Open).collect();
    let failing: usize = open.iter().map(|r| r.fail_count).sum();
    if failing == 0 {
        s.push_str("**Result: no failing findings.**\n\n");
    } else {
        s.push_str(&format!(
            "**Result: {failing} failing finding{} in {} check{}.**\n\n",
            if failing == 1 { "" } else { "s" },
            open.len(),
            if open.len() == 1 { "" } else { "s" }
        ));
    }

    s.push_str("## Findings by severity and status\n\n| Severity |");
    for st in STATUSES {
        s.push_str(&format!(" {} |", st.as_str()));
    }
    s.push_str("\n|---|");
    s.push_str(&"---|".repeat(STATUSES.len()));
    s.push('\n');
    // One pass over the findings: counts by severity and status.
    let mut counts = [[0usize; STATUSES.len()]; Severity::ALL_DESC.len()];
    for f in &report.findings {
        let sev = Severity::ALL_DESC.iter().position(|s| *s == f.check.severity);
        let st = STATUSES.iter().position(|s| *s == f.status);
        if let (Some(sev), Some(st)) = (sev, st) {
            counts[sev][st] += 1;
        }
    }
    for (i, sev) in Severity::ALL_DESC.iter().enumerate() {
        s.push_str(&format!("| {} |", sev.as_str()));
        for n in counts[i] {
            s.push_str(&format!(" {n} |"));
        }
        s.push('\n');
    }
    s.push_str("| **total** |");
    for j in 0..STATUSES.len() {
        let total: usize = counts.iter().map(|row| row[j]).sum();
        s.push_str(&format!(" {total} |"));
    }
    s.push_str("\n\n");

    s.push_str("## Open risks\n\n");
    if open.is_empty() {
        s.push_str("None.\n\n");
    } else {
        let open_rows: Vec<RiskRow> = open.iter().map(|r| (*r).clone()).collect();
        s.push_str(&register::markdown_table(&open_rows));
        s.push('\n');
    }

    s.push_str("## Top fixes\n\n");
    let mut fixes: Vec<&RiskRow> = open.clone();
    fixes.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(b.fail_count.cmp(&a.fail_count))
            .then(a.risk_id.cmp(&b.risk_id))
    });
    if fixes.is_empty() {
        s.push_str("Nothing to fix.\n\n");
    }
    for (i, r) in fixes.iter().take(10).enumerate() {
        let info = checks::info(&r.risk_id);
        let remediation = info.map(|c| c.remediation).unwrap_or("");
        s.push_str(&format!(
            "{}. **{}** ({}, {} failing): {}\n",
            i + 1,
            md_cell(&r.risk_id),
            r.severity.as_str(),
            r.fail_count,
            md_cell(remediation)
        ));
        if let Some(cmd) = info.and_then(|c| c.remediate).map(|r| r.command()) {
            s.push_str(&format!("   `{cmd} --dry-run` shows the plan; `{cmd}` applies it.\n"));
        }
    }
    s.push('\n');

    let accepted: Vec<&RiskRow> = rows.iter().filter(|r| r.status == RiskStatus::Accepted).collect();
    if !accepted.is_empty() {
        s.push_str("## Accepted risks\n\n");
        for r in accepted {
            s.push_str(&format!("- **{}**: {}\n", md_cell(&r.risk_id), md_cell(&r.mitigation)));
        }
        s.push('\n');
    }

    let undecided: Vec<String> = register::by_check(report)
        .into_iter()
        .filter(|(_, fs)| {
            fs.iter()
                .any(|f| matches!(f.status, Status::Error | Status::NotEvaluated))
        })
        .map(|(id, fs)| {
            let f = fs
                .iter()
                .find(|f| matches!(f.status, Status::Error | Status::NotEvaluated));
            format!(
                "- **{}** ({}): {}",
                md_cell(id.id),
                f.map(|f| f.status.as_str()).unwrap_or(""),
                md_cell(f.map(|f| f.detail.as_str()).unwrap_or(""))
            )
        })
        .collect();
    if !undecided.is_empty() {
        s.push_str("## Not evaluated or failed to run\n\n");
        s.push_str(&undecided.join("\n"));
        s.push_str("\n\n");
    }

    if !report.warnings.is_empty() {
        s.push_str("## Warnings\n\n");
        for w in &report.warnings {
            s.push_str(&format!("- {}\n", md_cell(w)));
        }
        s.push('\n');
    }

    s.push_str("## About the evidence files\n\n");
    s.push_str(
        "The CSV files are UTF-8 (RFC 4180 quoting). A cell that begins with `=`, `+`, `-`, `@`, a tab, a \
         carriage return or an apostrophe is written with one extra leading apostrophe (`'`), so that a \
         spreadsheet shows it as text and never runs it as a formula (IAM names may contain `+=,.@_-`). \
         Remove one leading apostrophe to read the original value. `manifest.json` holds the SHA-256 of \
         every file; `hipaa-iam verify DIR` checks them.\n",
    );
    s
}
