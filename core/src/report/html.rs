//! `report.html`: the report people read, one self-contained page (inline CSS and SVG, a
//! few lines of optional script, no network), rendered from the [`ReportModel`] by the
//! compile-time checked template `core/templates/report.html` (askama; every value is
//! HTML-escaped). Also `audit --format html`.

use std::borrow::Cow;
use std::io::Write;

use askama::Template;

use super::model::{CheckSection, ReportModel, STATUSES};
use super::since::{FindingRef, SinceLastReview};
use crate::findings::{Finding, Severity, Status};
use crate::text::is_unsafe;

/// The page's file name in an evidence directory.
pub const REPORT_HTML: &str = "report.html";

/// Findings of one check listed open (expanded) at most; a longer list starts collapsed.
const OPEN_LIST_MAX: usize = 100;

/// One segment of a bar of the chart.
#[derive(Debug)]
struct Segment {
    x: u32,
    width: u32,
    status: &'static str,
    count: usize,
}

/// One severity's bar.
#[derive(Debug)]
struct Bar {
    severity: &'static str,
    y: u32,
    total: usize,
    segments: Vec<Segment>,
}

#[derive(Template)]
#[template(path = "report.html")]
struct Page<'m, 'a> {
    m: &'m ReportModel<'a>,
    bars: Vec<Bar>,
    statuses: Vec<&'static str>,
    rows: Vec<CountRow>,
    totals: Vec<usize>,
}

/// One severity's counts by status.
#[derive(Debug)]
struct CountRow {
    severity: &'static str,
    counts: Vec<usize>,
}

/// The chart's geometry: label column, bar area width, bar height and gap.
const LABEL_W: u32 = 80;
const BAR_W: u32 = 520;
const BAR_H: u32 = 26;
const BAR_GAP: u32 = 10;

impl Page<'_, '_> {
    /// A value from AWS, shown: control and bidirectional formatting characters made
    /// visible (`␛`, `[U+202E]`) rather than passed to the page. Escaped by the template.
    fn t<'s>(&self, s: &'s str) -> Cow<'s, str> {
        shown(s)
    }

    fn pass_rows(&self) -> usize {
        super::model::PASS_ROWS_PER_CHECK
    }

    fn has_open(&self) -> bool {
        self.m.open_checks().next().is_some()
    }

    /// The account for the print footer (a CSS string): its letters and digits only.
    fn account_css(&self) -> String {
        self.m
            .scope
            .account
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect()
    }

    /// The statuses other than pass that the check has, with their counts.
    fn open_badges(&self, c: &CheckSection<'_>) -> Vec<(&'static str, usize)> {
        STATUSES
            .iter()
            .zip(c.counts)
            .filter(|(st, n)| *n > 0 && **st != Status::Pass)
            .map(|(st, n)| (st.as_str(), n))
            .collect()
    }

    fn chart_height(&self) -> u32 {
        4 * (BAR_H + BAR_GAP) + 30
    }

    fn expanded(&self, c: &CheckSection<'_>) -> bool {
        c.open.len() <= OPEN_LIST_MAX
    }

    fn source<'s>(&self, f: &'s Finding) -> Cow<'s, str> {
        shown(f.source_file.as_deref().unwrap_or(""))
    }

    fn exception(&self, f: &Finding) -> String {
        match f.exception.as_deref() {
            None => String::new(),
            Some(e) => shown(&format!(
                "{}{} (approved by {}, until {})",
                if e.expired { "EXPIRED: " } else { "" },
                e.reason,
                e.approved_by,
                e.expires
            ))
            .into_owned(),
        }
    }

    fn remediation(&self, c: &CheckSection<'_>) -> String {
        c.check.remediation_text().into_owned()
    }

    fn hipaa(&self, c: &CheckSection<'_>) -> String {
        c.check.hipaa.join("; ")
    }

    fn join_groups(&self, groups: &[String]) -> String {
        shown(&groups.join(", ")).into_owned()
    }

    fn open_since(&self, f: &Finding, st: &Status) -> String {
        self.m.open_since(f, *st)
    }

    fn days(&self, since: &SinceLastReview, f: &FindingRef) -> String {
        since.days_open(f).map_or_else(|| "-".to_string(), |n| n.to_string())
    }

    fn status_of(&self, st: &Status) -> &'static str {
        st.as_str()
    }
}

/// `s` with every control and bidirectional formatting character made visible: C0
/// controls and DEL as their Unicode control pictures (`␛`), others as `[U+202E]`.
pub fn shown(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            c if !is_unsafe(c) => out.push(c),
            '\u{0}'..='\u{1f}' => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('?')),
            '\u{7f}' => out.push('\u{2421}'),
            c => out.push_str(&format!("[U+{:04X}]", c as u32)),
        }
    }
    Cow::Owned(out)
}

fn bars(m: &ReportModel<'_>) -> Vec<Bar> {
    let max = m
        .counts
        .iter()
        .map(|r| r.iter().sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1);
    Severity::ALL_DESC
        .iter()
        .enumerate()
        .map(|(i, sev)| {
            let mut x = LABEL_W;
            let segments = STATUSES
                .iter()
                .zip(m.counts[i])
                .filter(|(_, n)| *n > 0)
                .map(|(st, n)| {
                    // At least one pixel, so a single finding shows.
                    let width = ((n as u64 * BAR_W as u64) / max as u64).max(1) as u32;
                    let seg = Segment {
                        x,
                        width,
                        status: st.as_str(),
                        count: n,
                    };
                    x += width;
                    seg
                })
                .collect();
            Bar {
                severity: sev.as_str(),
                y: i as u32 * (BAR_H + BAR_GAP) + 8,
                total: m.counts[i].iter().sum(),
                segments,
            }
        })
        .collect()
}

/// Streams the page of `model` into `w`.
pub fn write(w: &mut dyn Write, model: &ReportModel<'_>) -> std::io::Result<()> {
    let page = Page {
        m: model,
        bars: bars(model),
        statuses: STATUSES.iter().map(|s| s.as_str()).collect(),
        rows: Severity::ALL_DESC
            .iter()
            .zip(model.counts)
            .map(|(s, c)| CountRow {
                severity: s.as_str(),
                counts: c.to_vec(),
            })
            .collect(),
        totals: (0..STATUSES.len())
            .map(|j| model.counts.iter().map(|r| r[j]).sum())
            .collect(),
    };
    let mut out = std::io::BufWriter::with_capacity(1 << 16, w);
    page.write_into(&mut out)?;
    out.flush()
}

/// The page of `model` as a string.
pub fn render(model: &ReportModel<'_>) -> String {
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = write(&mut out, model);
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_made_visible() {
        assert_eq!(shown("a\u{1b}[31mb"), "a\u{241b}[31mb");
        assert_eq!(shown("x\u{202e}y"), "x[U+202E]y");
        assert_eq!(shown("plain <b>"), "plain <b>");
    }
}
