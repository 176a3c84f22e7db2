//! `hipaa-iam checks`: the catalogue as a table, as JSON or as Markdown (docs/checks.md).

use std::io::{IsTerminal, Write};

use hipaa_iam_core::checks::CATALOGUE;

use crate::{ChecksArgs, ListFormat, EXIT_OK};

/// Lists the catalogue.
pub fn run(args: ChecksArgs) -> hipaa_iam_core::Result<u8> {
    super::term::to_stdout(|out| match args.format {
        ListFormat::Json => serde_json::to_writer_pretty(&mut *out, &*CATALOGUE)
            .map_err(std::io::Error::other)
            .and_then(|()| writeln!(out)),
        ListFormat::Markdown => out.write_all(hipaa_iam_core::report::catalogue::markdown().as_bytes()),
        ListFormat::Table => {
            let width = if std::io::stdout().is_terminal() {
                super::term::terminal_width()
            } else {
                None
            };
            write_table(out, width)
        }
    })?;
    Ok(EXIT_OK)
}

/// Splits `text` into lines of at most `width` characters at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The table; titles wrap to `width` (the terminal's) with a hanging indent, and the
/// REMEDIATE column is left out when the terminal is too narrow for it.
fn write_table(out: &mut impl Write, width: Option<usize>) -> std::io::Result<()> {
    let slug_w = CATALOGUE.iter().map(|c| c.slug.len()).max().unwrap_or(4);
    let fix_w = CATALOGUE
        .iter()
        .filter_map(|c| c.remediate)
        .map(|r| r.as_str().len())
        .max()
        .unwrap_or(9)
        .max(9);
    let res_w = CATALOGUE
        .iter()
        .map(|c| c.resource_type.as_str().len())
        .max()
        .unwrap_or(8)
        .max(8);
    let row = |id: &str, slug: &str, sev: &str, res: &str, fix: &str, with_fix: bool| {
        let mut r = format!("{id:<7}  {slug:<slug_w$}  {sev:<8}  {res:<res_w$}  ");
        if with_fix {
            r.push_str(&format!("{fix:<fix_w$}  "));
        }
        r
    };
    let full = row("ID", "SLUG", "SEVERITY", "RESOURCE", "REMEDIATE", true)
        .chars()
        .count();
    let with_fix = width.is_none_or(|w| w >= full + 30);
    let head = row("ID", "SLUG", "SEVERITY", "RESOURCE", "REMEDIATE", with_fix);
    let indent = head.chars().count();
    writeln!(out, "{head}TITLE")?;
    for c in CATALOGUE.iter() {
        let prefix = row(
            c.id,
            c.slug,
            c.severity.as_str(),
            c.resource_type.as_str(),
            c.remediate.map_or("-", |r| r.as_str()),
            with_fix,
        );
        let lines = match width {
            Some(w) if w > indent + 10 => wrap(c.title, w - indent),
            _ => vec![c.title.to_string()],
        };
        for (i, line) in lines.iter().enumerate() {
            if i == 0 {
                writeln!(out, "{prefix}{line}")?;
            } else {
                writeln!(out, "{:indent$}{line}", "")?;
            }
        }
    }
    writeln!(out)?;
    let footer = format!(
        "{} checks. `hipaa-iam checks --format json` gives descriptions, HIPAA citations and remediation.",
        CATALOGUE.len()
    );
    for line in wrap(&footer, width.unwrap_or(usize::MAX)) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_every_word_within_the_width() {
        let text = "The human-users group effectively denies access without MFA";
        let lines = wrap(text, 20);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.chars().count() <= 20), "{lines:?}");
        assert_eq!(lines.join(" "), text);
    }

    #[test]
    fn table_wraps_titles_to_the_width() {
        let mut buf = Vec::new();
        write_table(&mut buf, Some(90)).expect("write to memory");
        let text = String::from_utf8_lossy(&buf);
        assert!(text.lines().all(|l| l.chars().count() <= 90), "{text}");
        assert!(CATALOGUE.iter().all(|c| text.contains(c.id)), "{text}");
        assert!(
            !text.contains("REMEDIATE"),
            "too narrow for the REMEDIATE column: {text}"
        );
        let mut wide = Vec::new();
        write_table(&mut wide, Some(160)).expect("write to memory");
        assert!(String::from_utf8_lossy(&wide).contains("REMEDIATE"));
    }
}
