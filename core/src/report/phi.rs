//! The PHI access evidence: `phi_access.csv` and its section of `summary.md`, rendered from
//! [`crate::access::phi`].

use super::csv_file::CsvTable;
use super::register::md_cell;
use crate::access::phi::PhiAccess;
use crate::access::{Access, Reach};

/// The PHI access CSV's name.
pub const PHI_CSV: &str = "phi_access.csv";

/// The CSV's columns.
pub const HEADERS: [&str; 10] = [
    "Resource",
    "ResourceArns",
    "AccessLevel",
    "PrincipalType",
    "Principal",
    "PrincipalArn",
    "Decision",
    "Requires",
    "AllowedBy",
    "Path",
];

/// `sts:AssumeRole -> arn:...; iam:PassRole -> arn:...`: the hops of a path.
fn path(a: &Access) -> String {
    a.path
        .iter()
        .map(|h| {
            let mut s = format!("{} -> {}", h.action, h.to);
            if !h.requires.is_empty() {
                s.push_str(&format!(" (requires {})", h.requires.join(", ")));
            }
            s
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// One row per principal per resource and level; a level nobody has gets one row saying so
/// (`Decision` `none`), so the file shows every level was examined.
pub fn to_csv(rows: &[PhiAccess]) -> CsvTable {
    let mut t = CsvTable::new(&HEADERS);
    for r in rows {
        let arns = r.arns.join("; ");
        if r.who.principals.is_empty() {
            t.push(vec![
                r.label.clone(),
                arns.clone(),
                r.level.to_string(),
                String::new(),
                String::new(),
                String::new(),
                "none".to_string(),
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
        for a in &r.who.principals {
            t.push(vec![
                r.label.clone(),
                arns.clone(),
                r.level.to_string(),
                a.kind.as_str().to_string(),
                a.name.clone(),
                a.principal.clone(),
                a.decision.as_str().to_string(),
                a.requires.join("; "),
                a.allowed_by.join("; "),
                path(a),
            ]);
        }
    }
    t
}

/// The section of `summary.md`: per resource and level, how many principals can, directly
/// and through other principals, and the first few names.
pub fn markdown(rows: &[PhiAccess]) -> String {
    let mut s = String::from(
        "\n## Access to PHI resources\n\nWho can read, write or manage permissions on each resource configured as holding \
         ePHI (`[[phi_resource]]`), from identity policies, boundaries and trust policies; details per principal in \
         `phi_access.csv`. Evidence for §164.308(a)(4) and §164.312(a)(1).\n\n\
         | Resource | Access | Principals | Directly | Through others | Under conditions | Who |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        let all = &r.who.principals;
        let through = all.iter().filter(|a| !a.path.is_empty()).count();
        let conditional = all.iter().filter(|a| a.decision == Reach::Conditional).count();
        let mut names: Vec<String> = all
            .iter()
            .take(5)
            .map(|a| format!("{} {}", a.kind.as_str(), a.name))
            .collect();
        if all.len() > 5 {
            names.push(format!("and {} more", all.len() - 5));
        }
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            md_cell(&r.label),
            r.level,
            all.len(),
            all.len() - through,
            through,
            conditional,
            md_cell(&names.join(", "))
        ));
    }
    s
}
