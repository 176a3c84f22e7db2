//! JUnit XML (`audit --format junit`), for CI systems that read test reports.
//!
//! One `<testsuite>` per check, one `<testcase>` per resource it judged: `fail` is a
//! `<failure>`, `error` an `<error>`, `not-evaluated` `<skipped>`; `pass` and `excepted`
//! pass (an exception is noted in `<system-out>`).

use super::register::by_check;
use crate::findings::{AuditReport, Finding, Status};

/// Text escaped for XML content and attribute values; characters XML 1.0 cannot carry
/// are dropped.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

fn counts<'a>(findings: impl Iterator<Item = &'a Finding>) -> Counts {
    let mut c = Counts {
        tests: 0,
        failures: 0,
        errors: 0,
        skipped: 0,
    };
    for f in findings {
        c.tests += 1;
        match f.status {
            Status::Fail => c.failures += 1,
            Status::Error => c.errors += 1,
            Status::NotEvaluated => c.skipped += 1,
            Status::Pass | Status::Excepted => {}
        }
    }
    c
}

/// The JUnit XML document.
pub fn render(report: &AuditReport) -> String {
    let total = counts(report.findings.iter());
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.push_str(&format!(
        "<testsuites name=\"hipaa-iam {}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" timestamp=\"{}\">\n",
        xml_escape(report.account_id.as_deref().unwrap_or("unknown")),
        total.tests,
        total.failures,
        total.errors,
        total.skipped,
        xml_escape(&report.as_of)
    ));
    for (check, findings) in by_check(report) {
        let c = counts(findings.iter().copied());
        let title = format!("{} {}", check.id, check.slug);
        s.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">\n",
            xml_escape(&title),
            c.tests,
            c.failures,
            c.errors,
            c.skipped
        ));
        for f in findings {
            let name = if f.resource_name.is_empty() {
                &f.resource_arn
            } else {
                &f.resource_name
            };
            s.push_str(&format!(
                "    <testcase classname=\"{}\" name=\"{}\"",
                xml_escape(&format!("hipaa-iam.{}", f.check.id)),
                xml_escape(&format!("{} {}", f.check.resource_type.as_str(), name))
            ));
            let message = format!("{} ({}): {}", f.check.title, f.check.severity.as_str(), f.detail);
            let body = format!(
                "{}\nResource: {}\nHIPAA: {}\nFix: {}",
                f.detail,
                f.resource_arn,
                f.check.hipaa.join(", "),
                f.remediation()
            );
            match f.status {
                Status::Fail => s.push_str(&format!(
                    ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>\n",
                    xml_escape(&message),
                    f.check.severity.as_str(),
                    xml_escape(&body)
                )),
                Status::Error => s.push_str(&format!(
                    ">\n      <error message=\"{}\" type=\"error\">{}</error>\n    </testcase>\n",
                    xml_escape(&message),
                    xml_escape(&body)
                )),
                Status::NotEvaluated => s.push_str(&format!(
                    ">\n      <skipped message=\"{}\"/>\n    </testcase>\n",
                    xml_escape(&format!("not evaluated: {}", f.detail))
                )),
                Status::Excepted => {
                    let note = f
                        .exception
                        .as_ref()
                        .map(|e| {
                            format!(
                                "accepted risk: {} (approved by {}, expires {})",
                                e.reason, e.approved_by, e.expires
                            )
                        })
                        .unwrap_or_else(|| "accepted risk".to_string());
                    s.push_str(&format!(
                        ">\n      <system-out>{}</system-out>\n    </testcase>\n",
                        xml_escape(&format!("{note}\n{}", f.detail))
                    ))
                }
                Status::Pass => s.push_str("/>\n"),
            }
        }
        s.push_str("  </testsuite>\n");
    }
    s.push_str("</testsuites>\n");
    s
}
