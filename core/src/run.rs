//! The run policy, once for every face: which failing findings fail a run (`fail-on`),
//! how many there are, and the decision a face turns into its exit status or error.

use serde::{Deserialize, Serialize};

use crate::findings::{AuditReport, Finding, Severity, Status};
use crate::lint::files::LintReport;

/// The `fail-on` threshold: the lowest severity of a failing finding that fails the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    /// Only critical failing findings fail the run.
    Critical,
    /// High or critical.
    High,
    /// Medium or above.
    Medium,
    /// Any failing finding.
    Low,
    /// Findings never fail the run.
    #[default]
    None,
}

impl FailOn {
    /// The lowest severity that fails the run, or `None` when nothing does.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Critical => Some(Severity::Critical),
            FailOn::High => Some(Severity::High),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::Low => Some(Severity::Low),
            FailOn::None => None,
        }
    }

    /// `critical`, `high`, `medium`, `low` or `none`.
    pub fn as_str(self) -> &'static str {
        self.threshold().map_or("none", Severity::as_str)
    }

    /// Whether `finding` fails the run: a `fail` at or above the threshold.
    pub fn fails(self, finding: &Finding) -> bool {
        finding.status == Status::Fail && self.reaches(finding.check.severity)
    }

    /// Whether `severity` is at or above the threshold.
    pub fn reaches(self, severity: Severity) -> bool {
        self.threshold().is_some_and(|min| severity >= min)
    }
}

/// The failing findings of `report` at or above `fail_on`, most serious first, then in
/// catalogue order.
pub fn failing(report: &AuditReport, fail_on: FailOn) -> Vec<&Finding> {
    let mut v: Vec<&Finding> = report.findings.iter().filter(|f| fail_on.fails(f)).collect();
    let index = |id: &str| crate::checks::position(id).unwrap_or(usize::MAX);
    v.sort_by(|a, b| {
        b.check
            .severity
            .cmp(&a.check.severity)
            .then(index(a.check.id).cmp(&index(b.check.id)))
    });
    v
}

/// The number of failing findings of `report` at or above `fail_on`.
pub fn failing_count(report: &AuditReport, fail_on: FailOn) -> usize {
    report.findings.iter().filter(|f| fail_on.fails(f)).count()
}

/// What `fail-on` decided about one audit: every face reports this (the CLI as its exit
/// status, PowerShell as its `HipaaIam.FailOn` error, the C ABI as data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// The threshold applied.
    pub fail_on: FailOn,
    /// The failing findings at or above it.
    pub failing: usize,
    /// Their check IDs, sorted, each once.
    pub failing_checks: Vec<String>,
    /// Whether the run fails (`failing > 0`).
    pub failed: bool,
}

impl Verdict {
    /// The verdict of `fail_on` given the IDs (check or rule) of what fails it, one per
    /// failing finding or problem.
    fn of<'a>(fail_on: FailOn, failing_ids: impl Iterator<Item = &'a str>) -> Verdict {
        let mut ids: Vec<String> = failing_ids.map(str::to_string).collect();
        let failing = ids.len();
        ids.sort_unstable();
        ids.dedup();
        Verdict {
            fail_on,
            failing,
            failing_checks: ids,
            failed: failing > 0,
        }
    }
}

/// The [`Verdict`] of `report` under `fail_on`.
pub fn verdict(report: &AuditReport, fail_on: FailOn) -> Verdict {
    Verdict::of(
        fail_on,
        report.findings.iter().filter(|f| fail_on.fails(f)).map(|f| f.check.id),
    )
}

/// The [`Verdict`] of a lint under `fail_on`: the problems at or above it fail the run, and
/// `failing_checks` holds their rule IDs.
pub fn lint_verdict(report: &LintReport, fail_on: FailOn) -> Verdict {
    Verdict::of(
        fail_on,
        report
            .problems
            .iter()
            .filter(|p| fail_on.reaches(p.severity))
            .map(|p| p.rule),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> AuditReport {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/demo-account");
        let account = crate::account::Account::read_dir(&dir).expect("the demo account");
        crate::checks::audit(&account, &crate::config::Config::default(), None)
    }

    #[test]
    fn thresholds_count_failing_findings_at_or_above_them() {
        let report = demo();
        assert_eq!(failing_count(&report, FailOn::None), 0);
        assert_eq!(failing_count(&report, FailOn::High), 17);
        assert_eq!(failing_count(&report, FailOn::Low), 32);
        assert!(failing_count(&report, FailOn::Critical) <= failing_count(&report, FailOn::High));
        let v = verdict(&report, FailOn::High);
        assert!(v.failed && v.failing == 17 && v.failing_checks.contains(&"IAM-002".to_string()));
        assert!(!verdict(&report, FailOn::None).failed);
        let sorted = failing(&report, FailOn::Low);
        assert_eq!(sorted.len(), 32);
        assert!(sorted.windows(2).all(|w| w[0].check.severity >= w[1].check.severity));
        assert_eq!(FailOn::Medium.as_str(), "medium");
        assert_eq!(FailOn::None.as_str(), "none");
        assert_eq!(serde_json::to_value(FailOn::High).expect("serialises"), "high");
    }
}
