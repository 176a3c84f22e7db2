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
    s.push_str(&evaluator());
    s
}

/// What the policy evaluator decides over the action catalogue, what it does not model, the
/// compute actions of IAM-023's `iam:PassRole` path and the rules of `lint-policy`.
fn evaluator() -> String {
    use crate::lint::Rule;
    use crate::policy::{catalogue, pass_role};
    let source = catalogue::source();
    let mut s = String::from("\n## The policy evaluator\n\n");
    s.push_str(&format!(
        "IAM-009, IAM-010, IAM-011, IAM-022 to IAM-026 evaluate policy documents over the bundled \
         IAM action catalogue ({} actions of {} services, from `{}` {}, dated {}): \"every action\" means \
         every real action, so an `Allow` of `NotAction` with a name no service has is full access, `NotAction: \"*\"` \
         grants nothing, a `Deny` that names no real action removes nothing, and a wildcard that an \
         unconditional `Deny` on `*` in the same policy cancels grants nothing.\n\n",
        catalogue::get().len(),
        catalogue::get().services().len(),
        source.package,
        source.version,
        source.date
    ));
    s.push_str("What the evaluator does not model:\n\n");
    for item in crate::policy::NOT_MODELLED {
        s.push_str(&format!("- {item}\n"));
    }
    s.push_str(&access_graph());
    s.push_str(
        "\n### Actions that hand a role to new compute (IAM-023)\n\n\
         With `iam:PassRole` on a role, each of these lets the caller run code or API calls of its choosing with \
         the role's permissions. The list is reviewed by hand from the catalogue's dependent-action data; \
         *by hand* marks actions whose AWS data does not list `iam:PassRole`.\n\n\
         | family | actions |\n|--------|---------|\n",
    );
    let mut families: Vec<&str> = pass_role::COMPUTE.iter().map(|c| c.family).collect();
    families.dedup();
    for family in families {
        let actions: Vec<String> = pass_role::COMPUTE
            .iter()
            .filter(|c| c.family == family)
            .map(|c| {
                if c.by_hand {
                    format!("`{}` (by hand)", c.action)
                } else {
                    format!("`{}`", c.action)
                }
            })
            .collect();
        s.push_str(&format!("| {family} | {} |\n", actions.join(", ")));
    }
    s.push_str(
        "\n## lint-policy rules\n\n`hipaa-iam lint-policy` reports these problems in policy files, \
         each at its file, line and column.\n\n| rule | severity | what | fix |\n|------|----------|------|-----|\n",
    );
    for r in Rule::ALL {
        s.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            r.id(),
            r.severity().as_str(),
            md_cell(r.title()),
            md_cell(r.help())
        ));
    }
    s
}

/// The access graph's edges and limits (IAM-023, IAM-025, IAM-026 and the access queries).
fn access_graph() -> String {
    use crate::account::graph::{EDGES, NOT_MODELLED};
    let mut s = String::from(
        "\n## The access graph\n\n\
         IAM-023, IAM-025, IAM-026 and `hipaa-iam access` walk one graph per account: users, groups and roles are \
         nodes, and an edge says what its source's policies may let it do to its target. An `Allow` under \
         conditions the account data cannot decide (MFA, a source IP, an external ID) makes an edge, and each \
         finding names what every hop requires. A path of IAM-023 or IAM-026 counts only when its last principal \
         grants something the source lacks; paths that only assume roles are IAM-025's. In organization runs \
         the service control policies (and resource control policies) that apply to the account cap every \
         edge and every principal's power, as for the checks: an action is permitted only when every level \
         of the account's chain (root, organizational units, account) allows it and none denies it; the \
         management account and service-linked roles are not capped.\n\n\
         | action | edge |\n|--------|------|\n",
    );
    for (action, what) in EDGES {
        s.push_str(&format!("| {action} | {} |\n", md_cell(what)));
    }
    s.push_str("\nWhat the graph does not model:\n\n");
    for item in NOT_MODELLED {
        s.push_str(&format!("- {item}\n"));
    }
    s
}

/// The GitHub anchor of a check's section (`iam-001-password-policy`).
fn anchor(c: &Check) -> String {
    format!("{}-{}", c.id, c.slug).to_ascii_lowercase()
}
