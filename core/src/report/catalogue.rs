//! The check catalogue as a Markdown document: docs/checks.md, generated from the check
//! definitions (`hipaa-iam checks --format markdown > docs/checks.md`).

use super::register::md_cell;
use crate::checks::{self, CATALOGUE};
use crate::findings::Check;

/// The command that writes docs/checks.md.
pub const REGENERATE: &str = "hipaa-iam checks --format markdown > docs/checks.md";

/// The catalogue document: an index table, then one section per check with its title,
/// severity, resource kind, HIPAA citations, what it decides, its remediation and the
/// `hipaa-iam remediate` command that applies it.
pub fn markdown() -> String {
    let mut s = String::from("# Check catalogue\n\n");
    s.push_str(&format!(
        "<!-- Generated from the check definitions (core/src/checks/) by `{REGENERATE}`; do not edit by hand. -->\n\n"
    ));
    s.push_str(&format!(
        "The {} checks `hipaa-iam` runs ({}). IDs never change meaning and are never reused. \
         Every check is a pure function of the account data and the configuration; none of them calls AWS.\n\n",
        CATALOGUE.len(),
        checks::id_range()
    ));
    s.push_str(
        "A check emits one finding per resource it judges, with one of these statuses: `fail`, `pass`, \
         `excepted` (a valid exception covers a failure), `error` (the data it needs could not be read: \
         the detail says which call and why), `not-evaluated` (the data was not collected, or a document \
         it depends on is missing from the data).\n\n\
         Citations are 45 CFR sections, written `§164.312(d)`.\n\n",
    );
    s.push_str("| ID | slug | severity | resource | title |\n|----|------|----------|----------|-------|\n");
    for c in CATALOGUE.iter() {
        s.push_str(&format!(
            "| [{}](#{}) | {} | {} | {} | {} |\n",
            c.id,
            anchor(c),
            md_cell(c.slug),
            c.severity.as_str(),
            c.resource_type.as_str(),
            md_cell(c.title)
        ));
    }
    for c in CATALOGUE.iter() {
        s.push_str(&format!("\n## {} {}\n\n", c.id, c.slug));
        s.push_str(&format!("**{}**\n\n", md_cell(c.title)));
        s.push_str(&format!("- Severity: {}\n", c.severity.as_str()));
        s.push_str(&format!("- Resource: {}\n", c.resource_type.as_str()));
        s.push_str(&format!("- HIPAA: {}\n", c.hipaa.join(", ")));
        match c.remediate {
            Some(r) => s.push_str(&format!(
                "- Remediate: `{} --dry-run` shows the plan; `{}` applies it\n",
                r.command(),
                r.command()
            )),
            None => s.push_str("- Remediate: by hand (no `hipaa-iam remediate` command)\n"),
        }
        s.push_str(&format!("\n{}\n\n", md_cell(c.description)));
        s.push_str(&format!("Remediation: {}\n", md_cell(c.remediation)));
    }
    s
}

/// The GitHub anchor of a check's section (`iam-001-password-policy`).
fn anchor(c: &Check) -> String {
    format!("{}-{}", c.id, c.slug).to_ascii_lowercase()
}
