//! SARIF 2.1.0 (`audit --format sarif`, `lint-policy --format sarif`), for GitHub code
//! scanning and other SARIF readers.
//!
//! One rule per check of the catalogue, with its help text and HIPAA citations (as
//! properties and tags). A result for every `fail` finding, and for every `excepted` one
//! with an accepted suppression. Code scanning rejects results without a file location,
//! so each is located at the account data file it was decided from (under the exports
//! directory) or, for a live audit, at the configuration file, line 1.

use serde_json::{json, Value};

use crate::checks::CATALOGUE;
use crate::config::LoadedConfig;
use crate::findings::{AuditReport, Finding, Severity, Status};
use crate::lint::files::LintReport;
use crate::lint::Rule;
use crate::manifest::sha256_hex;

/// The schema URI written into the log.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(sev: Severity) -> &'static str {
    match sev {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// GitHub's `security-severity` (a CVSS-like score that sets the alert's severity).
fn security_severity(sev: Severity) -> &'static str {
    match sev {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
    }
}

/// A path as a relative URI reference: `/` separators, and every byte outside the
/// unreserved set and `/` percent-encoded.
fn uri_for(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The file a finding is located at.
pub fn location_of(report: &AuditReport, finding: &Finding, config: &LoadedConfig) -> String {
    let config_file = || {
        config
            .path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| crate::config::DEFAULT_FILE.to_string())
    };
    if report.source == "live" {
        return config_file();
    }
    match &finding.source_file {
        Some(file) => {
            let dir = report.source.trim_end_matches(['/', '\\']);
            if dir.is_empty() {
                file.to_string()
            } else {
                format!("{dir}/{file}")
            }
        }
        None => config_file(),
    }
}

/// The stable fingerprint of a finding: check and resource.
pub fn fingerprint(finding: &Finding) -> String {
    let resource = if finding.resource_arn.is_empty() {
        &finding.resource_name
    } else {
        &finding.resource_arn
    };
    sha256_hex(format!("{}\u{0}{}", finding.check.id, resource).as_bytes())
}

/// The SARIF log as a JSON value.
pub fn to_value(report: &AuditReport, config: &LoadedConfig) -> Value {
    let rules: Vec<Value> = CATALOGUE
        .iter()
        .map(|c| {
            let mut tags: Vec<String> = vec!["security".into(), "hipaa".into(), "iam".into()];
            tags.extend(c.hipaa.iter().map(|h| format!("HIPAA {h}")));
            let fix = match c.remediate {
                Some(r) => format!("{}\n\nFix: `{} --dry-run`, then without `--dry-run`.", c.remediation, r.command()),
                None => c.remediation.to_string(),
            };
            json!({
                "id": c.id,
                "name": c.slug,
                "shortDescription": { "text": c.title },
                "fullDescription": { "text": c.description },
                "help": {
                    "text": format!("{}\n\n{}\n\nHIPAA: {}", c.description, fix, c.hipaa.join(", ")),
                    "markdown": format!("**{}**\n\n{}\n\n{}\n\nHIPAA Security Rule: {}", c.title, c.description, fix, c.hipaa.join(", ")),
                },
                "defaultConfiguration": { "level": level(c.severity) },
                "properties": {
                    "tags": tags,
                    "precision": "high",
                    "problem.severity": level(c.severity),
                    "security-severity": security_severity(c.severity),
                    "severity": c.severity.as_str(),
                    "hipaa": c.hipaa,
                    "resourceType": c.resource_type.as_str(),
                },
            })
        })
        .collect();

    let results: Vec<Value> = report
        .findings
        .iter()
        .filter(|f| matches!(f.status, Status::Fail | Status::Excepted))
        .map(|f| {
            let rule_index = crate::checks::position(f.check.id);
            let mut r = json!({
                "ruleId": f.check.id,
                "level": level(f.check.severity),
                "message": { "text": format!("{} {}: {}", f.check.resource_type.as_str(), f.resource_name, f.detail) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri_for(&location_of(report, f, config)) },
                        "region": { "startLine": 1 },
                    },
                    "logicalLocations": [{
                        "name": f.resource_name,
                        "fullyQualifiedName": f.resource_arn,
                        "kind": f.check.resource_type.as_str(),
                    }],
                }],
                "partialFingerprints": { "hipaaIamResource/v1": fingerprint(f) },
                "properties": {
                    "resourceArn": f.resource_arn,
                    "resourceName": f.resource_name,
                    "resourceType": f.check.resource_type.as_str(),
                    "status": f.status.as_str(),
                    "hipaa": f.check.hipaa,
                    "remediation": f.remediation(),
                },
            });
            if let (Some(i), Some(obj)) = (rule_index, r.as_object_mut()) {
                obj.insert("ruleIndex".into(), json!(i));
            }
            if f.status == Status::Excepted {
                let justification = f
                    .exception
                    .as_ref()
                    .map(|e| format!("{} (approved by {}, expires {})", e.reason, e.approved_by, e.expires))
                    .unwrap_or_else(|| "accepted risk".to_string());
                if let Some(obj) = r.as_object_mut() {
                    obj.insert(
                        "suppressions".into(),
                        json!([{ "kind": "external", "status": "accepted", "justification": justification }]),
                    );
                }
            }
            r
        })
        .collect();

    let run = json!({
        "automationDetails": { "id": format!("hipaa-iam/{}/", report.account_id.as_deref().unwrap_or("unknown")) },
        "results": results,
        "properties": {
            "accountId": report.account_id,
            "asOf": report.as_of,
            "source": report.source,
            "regions": report.regions,
            "warnings": report.warnings,
        },
    });
    log(&report.tool_version, rules, run)
}

/// The SARIF log of one run of this tool: the schema and version, the run's `tool` (this
/// tool's driver, its `version` and its `rules`), then the other members of `run` (an object).
fn log(tool_version: &str, rules: Vec<Value>, run: Value) -> Value {
    let mut members = serde_json::Map::new();
    members.insert(
        "tool".into(),
        json!({
            "driver": {
                "name": "hipaa-iam",
                "version": tool_version,
                "semanticVersion": tool_version,
                "informationUri": "https://github.com/hipaa-iam/hipaa-iam",
                "rules": rules,
            },
        }),
    );
    if let Value::Object(rest) = run {
        members.extend(rest);
    }
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [members],
    })
}

/// A SARIF log pretty-printed, with a final line end.
fn pretty(log: &Value) -> String {
    let mut s = serde_json::to_string_pretty(log).unwrap_or_default();
    s.push('\n');
    s
}

/// The SARIF log, pretty-printed.
pub fn render(report: &AuditReport, config: &LoadedConfig) -> String {
    pretty(&to_value(report, config))
}

/// The SARIF log of `hipaa-iam lint-policy`: one rule per lint rule, one result per problem,
/// located at its file (the path as given, relative stays relative), line and column
/// (columns count Unicode code points, as the run's `columnKind` says).
pub fn lint_to_value(report: &LintReport) -> Value {
    let rules: Vec<Value> = Rule::ALL
        .iter()
        .map(|r| {
            let severity = r.severity();
            json!({
                "id": r.id(),
                "name": r.id(),
                "shortDescription": { "text": r.title() },
                "help": { "text": r.help() },
                "defaultConfiguration": { "level": level(severity) },
                "properties": {
                    "tags": ["security", "iam", "policy"],
                    "precision": "high",
                    "problem.severity": level(severity),
                    "security-severity": security_severity(severity),
                    "severity": severity.as_str(),
                },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .problems
        .iter()
        .map(|p| {
            let mut r = json!({
                "ruleId": p.rule,
                "level": level(p.severity),
                "message": { "text": p.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri_for(&p.file) },
                        "region": { "startLine": p.line, "startColumn": p.column },
                    },
                }],
                "partialFingerprints": {
                    "hipaaIamPolicy/v1": sha256_hex(format!("{}\u{0}{}\u{0}{}", p.rule, p.file, p.pointer).as_bytes()),
                },
                "properties": { "pointer": p.pointer, "severity": p.severity.as_str() },
            });
            if let (Some(i), Some(obj)) = (Rule::ALL.iter().position(|r| r.id() == p.rule), r.as_object_mut()) {
                obj.insert("ruleIndex".into(), json!(i));
            }
            r
        })
        .collect();
    let run = json!({
        "automationDetails": { "id": "hipaa-iam/lint-policy/" },
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {
            "files": report.files,
            "documents": report.documents,
            "warnings": report.warnings,
        },
    });
    log(&report.tool_version, rules, run)
}

/// [`lint_to_value`], pretty-printed.
pub fn render_lint(report: &LintReport) -> String {
    pretty(&lint_to_value(report))
}
