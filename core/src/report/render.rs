//! The stdout renderers of `audit --format` that this module owns: SARIF, JUnit, CSV and
//! Markdown (table and JSON are the audit command's own).

use super::{evidence, junit, sarif, summary};
use crate::config::LoadedConfig;
use crate::findings::AuditReport;
use crate::{Error, Result};

/// A report format rendered to one string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// SARIF 2.1.0.
    Sarif,
    /// JUnit XML.
    Junit,
    /// CSV, one row per finding (UTF-8, no BOM, formula cells neutralised).
    Csv,
    /// The Markdown summary (`summary.md`).
    Markdown,
}

impl std::str::FromStr for Format {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "sarif" => Ok(Format::Sarif),
            "junit" => Ok(Format::Junit),
            "csv" => Ok(Format::Csv),
            "markdown" | "md" => Ok(Format::Markdown),
            other => Err(Error::InvalidArgument(format!(
                "unknown report format {other:?} (expected sarif, junit, csv or markdown)"
            ))),
        }
    }
}

/// Renders `report` in `format`. `config` is the configuration the audit ran with (SARIF
/// locates live findings at its file; the summary names it and its hash).
pub fn render(format: Format, report: &AuditReport, config: &LoadedConfig) -> String {
    match format {
        Format::Sarif => sarif::render(report, config),
        Format::Junit => junit::render(report),
        Format::Csv => {
            let bytes = evidence::findings_csv(report, &report.findings, evidence::FindingColumns::Full, false);
            String::from_utf8_lossy(&bytes).into_owned()
        }
        Format::Markdown => summary::markdown(report, config),
    }
}
