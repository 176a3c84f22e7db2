//! What changed since the last review (`audit --previous DIR`), as every report shows it:
//! the failing findings new, resolved and still open, with when each still-open one was
//! first seen. `crate::history::since` compares two audits to make it; this module only
//! holds and presents the result, so the reports need nothing from the history layer.

use serde::Serialize;

use crate::findings::{Finding, Severity, Status};
use crate::report::register::days_between;

/// One finding as the diff names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingRef {
    /// The check.
    pub check_id: &'static str,
    /// Its title.
    pub title: &'static str,
    /// Its severity.
    pub severity: Severity,
    /// The status (now; before for resolved findings).
    pub status: Status,
    /// The resource.
    pub resource_arn: String,
    /// The resource's name.
    pub resource_name: String,
    /// Why it has this status.
    pub detail: String,
    /// When it was first seen open, when the evidence records it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
}

impl FindingRef {
    /// The finding `f` as the lists name it.
    pub fn of(f: &Finding) -> Self {
        FindingRef {
            check_id: f.check.id,
            title: f.check.title,
            severity: f.check.severity,
            status: f.status,
            resource_arn: f.resource_arn.clone(),
            resource_name: f.resource_name.clone(),
            detail: f.detail.clone(),
            first_seen: f.first_seen.as_deref().map(str::to_string),
        }
    }
}

/// What changed since the last review (`audit --previous DIR`): the failing findings new,
/// resolved and still open (the oldest first). One model for every report that shows it:
/// `summary.md` and the job summary ([`Self::markdown`]), `report.html` and
/// `evidence.xlsx` (through the report model).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinceLastReview {
    /// The data time of the previous audit.
    pub previous_as_of: String,
    /// The data time of this audit.
    pub as_of: String,
    /// Failing now, not before.
    pub new: Vec<FindingRef>,
    /// Failing before, not now.
    pub resolved: Vec<FindingRef>,
    /// Failing in both, the longest open first (then the most severe).
    pub still_open: Vec<FindingRef>,
}

impl SinceLastReview {
    /// The three lists of a comparison of the audits of data as of `previous_as_of` and
    /// `as_of` (`crate::history::since` makes them); still-open findings are put the longest
    /// open first, then the most severe.
    pub fn new(
        previous_as_of: String,
        as_of: String,
        new: Vec<FindingRef>,
        resolved: Vec<FindingRef>,
        mut still_open: Vec<FindingRef>,
    ) -> Self {
        still_open.sort_by(|a, b| a.first_seen.cmp(&b.first_seen).then(b.severity.cmp(&a.severity)));
        SinceLastReview {
            previous_as_of,
            as_of,
            new,
            resolved,
            still_open,
        }
    }

    /// When a still-open finding was first seen (this audit's data time when not recorded).
    pub fn first_seen<'a>(&'a self, f: &'a FindingRef) -> &'a str {
        f.first_seen.as_deref().unwrap_or(&self.as_of)
    }

    /// Whole days a still-open finding has been open, when its times parse.
    pub fn days_open(&self, f: &FindingRef) -> Option<i64> {
        days_between(self.first_seen(f), &self.as_of)
    }

    /// The three lists with their titles, in the order the reports show them.
    pub fn lists(&self) -> [(&'static str, &[FindingRef]); 3] {
        [
            ("New", &self.new),
            ("Resolved", &self.resolved),
            ("Still open", &self.still_open),
        ]
    }

    /// The "Since last review" section in Markdown, at most [`SINCE_LAST_REVIEW_ROWS`] per
    /// list (`hipaa-iam diff` lists all).
    pub fn markdown(&self) -> String {
        use std::fmt::Write as _;
        let md = crate::report::register::md_cell;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "\n## Since last review\n\nCompared with the audit of data as of {}: {} new, {} resolved, {} still open failing finding(s).\n",
            md(&self.previous_as_of),
            self.new.len(),
            self.resolved.len(),
            self.still_open.len()
        );
        for (title, list) in self.lists() {
            let days = title == "Still open";
            let _ = writeln!(s, "### {title} ({})\n", list.len());
            if list.is_empty() {
                s.push_str("None.\n\n");
                continue;
            }
            s.push_str(if days {
                "| Severity | Check | Resource | First seen | Days open |\n|---|---|---|---|---|\n"
            } else {
                "| Severity | Check | Resource | Detail |\n|---|---|---|---|\n"
            });
            for f in list.iter().take(SINCE_LAST_REVIEW_ROWS) {
                if days {
                    let _ = writeln!(
                        s,
                        "| {} | {} | {} | {} | {} |",
                        f.severity,
                        f.check_id,
                        md(&f.resource_name),
                        md(self.first_seen(f)),
                        self.days_open(f).map_or("-".to_string(), |n| n.to_string())
                    );
                } else {
                    let _ = writeln!(
                        s,
                        "| {} | {} | {} | {} |",
                        f.severity,
                        f.check_id,
                        md(&f.resource_name),
                        md(&f.detail)
                    );
                }
            }
            if list.len() > SINCE_LAST_REVIEW_ROWS {
                let _ = writeln!(
                    s,
                    "\n... and {} more (`hipaa-iam diff` lists them all).",
                    list.len() - SINCE_LAST_REVIEW_ROWS
                );
            }
            s.push('\n');
        }
        s
    }
}

/// The most findings each list of the Markdown section shows.
pub const SINCE_LAST_REVIEW_ROWS: usize = 100;
