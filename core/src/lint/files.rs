//! Linting the policy documents of files: each problem of [`super::lint_document`] at its
//! file, line and column.

use std::path::PathBuf;

use serde::Serialize;

use super::source::{self, PolicyFile, Position, Read};
use super::{lint_document, Rule};
use crate::findings::Severity;
use crate::Result;

/// One problem, at its place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Located {
    /// The file, as given or as found below a directory given, with `/` separators.
    pub file: String,
    /// The line, from 1.
    pub line: usize,
    /// The column in characters, from 1.
    pub column: usize,
    /// The rule's ID (`unknown-action`, ...).
    pub rule: &'static str,
    /// The rule's severity.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// The JSON pointer (RFC 6901) of the value in its policy document (`/Statement/0/Action/1`;
    /// empty for the whole document).
    pub pointer: String,
}

/// What linting some files found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LintReport {
    /// The version of the tool.
    pub tool_version: String,
    /// The files read that may hold policy documents (JSON policy files and Terraform files),
    /// in the order they were read.
    pub files: Vec<String>,
    /// How many policy documents they hold.
    pub documents: usize,
    /// The problems, by file (in the order of `files`), then line and column.
    pub problems: Vec<Located>,
    /// Files skipped below a directory because they are not valid JSON (a `tsconfig.json`
    /// with comments), one message each naming the file and where it breaks; and each
    /// directory given that holds no `*.json` or `*.tf` file.
    pub warnings: Vec<String>,
}

impl LintReport {
    /// How many problems have `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.problems.iter().filter(|p| p.severity == severity).count()
    }
}

/// Lints `paths`: files (a JSON policy document, or a Terraform file) and directories
/// (every `*.json` and `*.tf` below them, see [`source::expand`]). An error names the first
/// file that cannot be read, or that is named on its own and is not a policy document.
pub fn lint_paths(paths: &[PathBuf]) -> Result<LintReport> {
    if paths.is_empty() {
        return Err(crate::Error::InvalidArgument(
            "no policy file or directory to lint".into(),
        ));
    }
    let limit = crate::input::size_limit_from_env()?.unwrap_or(source::MAX_POLICY_FILE_BYTES);
    let mut report = LintReport {
        tool_version: crate::VERSION.to_string(),
        ..LintReport::default()
    };
    let inputs = source::expand(paths)?;
    for dir in paths.iter().filter(|p| p.is_dir()) {
        if !inputs.iter().any(|i| i.path.starts_with(dir)) {
            report.warnings.push(format!(
                "{}: no *.json or *.tf file below this directory",
                source::display_path(dir)
            ));
        }
    }
    for input in inputs {
        match source::read(&input, limit)? {
            Read::Policies(file) => {
                report.files.push(file.name());
                report.documents += file.documents.len();
                report.problems.extend(lint_file(&file));
            }
            Read::NotPolicy => {}
            Read::NotJson(e) => report.warnings.push(format!("skipped {e}")),
        }
    }
    Ok(report)
}

/// The problems of the documents of `file`, sorted by place.
pub fn lint_file(file: &PolicyFile) -> Vec<Located> {
    let name = file.name();
    let at = |position: Position, rule: Rule, message: String, pointer: String| Located {
        file: name.clone(),
        line: position.line,
        column: position.column,
        rule: rule.id(),
        severity: rule.severity(),
        message,
        pointer,
    };
    let mut out = Vec::new();
    for doc in &file.documents {
        for p in lint_document(&doc.value) {
            let position = file.position(doc.offsets.of(&p.pointer));
            out.push(at(position, p.rule, p.message, p.pointer));
        }
    }
    for u in &file.unreadable {
        out.push(at(
            file.position(u.offset),
            Rule::InvalidPolicy,
            u.message.clone(),
            String::new(),
        ));
    }
    // Stable: problems at the same place keep the order the rules gave them.
    out.sort_by_key(|p| (p.line, p.column));
    out
}
