//! Organization evidence: one evidence directory per member account (`<dir>/<account-id>/`,
//! exactly what `audit --output-dir` writes for one account) plus the organization files
//! at the top (`org_summary.md`, `org_findings.csv`, the organization risk register,
//! `org.json` listing the accounts and their errors, the page `org_report.html` and the
//! workbook `org_evidence.xlsx` ([`super::org_report`]), and a `manifest.json` over all of it).
//! [`crate::org::merge`] combines the directories of several shards into one, after verifying each.
//!
//! The top `manifest.json` lists the organization files and every account's own
//! `manifest.json`, so `hipaa-iam verify DIR` checks the whole tree
//! ([`Manifest::verify`] follows nested manifests). The organization files depend only on
//! the accounts' findings, names and errors (sorted by account ID, no wall-clock time), so
//! shards merged with [`crate::org::merge`] give the same files as one run over all the accounts.
//!
//! Integrity: as for one account, everything is rendered in memory first, then every file
//! of every directory is written under a temporary name, and only then renamed into place,
//! the top `manifest.json` last. A failure before the renames leaves the previous evidence
//! as it was.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::csv_file::CsvTable;
use super::evidence::{self, EvidenceFile};
use super::register::{self, md_cell, RiskRow, RiskStatus};
use super::staging::Staging;
use crate::account::file;
use crate::account::is_account_id;
use crate::checks;
use crate::config::LoadedConfig;
use crate::findings::{AttachedOrgPolicy, AuditReport, GuardrailState, OrgGuardrails, Severity, Status};
use crate::manifest::{nested_manifest_dir, Manifest};
use crate::{Error, Result};

/// The list of accounts, their status, errors and evidence paths.
pub const ORG_JSON: &str = "org.json";
/// The organization summary.
pub const ORG_SUMMARY_MD: &str = "org_summary.md";
/// One row per account and check, with the counts by status.
pub const ORG_FINDINGS_CSV: &str = "org_findings.csv";
/// The organization risk register as CSV.
pub const ORG_REGISTER_CSV: &str = "org_risk_register.csv";
/// The organization risk register as Markdown.
pub const ORG_REGISTER_MD: &str = "org_risk_register.md";
/// The organization's workbook (sheets Accounts, Risk register, Guardrails).
pub use super::org_report::ORG_EVIDENCE_XLSX;
/// The organization's page (one row per account, linking to each account's `report.html`).
pub use super::org_report::ORG_REPORT_HTML;

/// What became of an account in `org.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountStatus {
    /// Audited: its evidence directory exists.
    Audited,
    /// Not audited: `error` says why.
    Error,
}

/// One account in `org.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgAccount {
    /// The 12-digit account ID.
    pub id: String,
    /// The account's name in AWS Organizations (empty when unknown).
    pub name: String,
    /// `audited` or `error`.
    pub status: AccountStatus,
    /// Why the account could not be audited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The account's evidence directory, relative to the organization directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

/// `org.json`: every account of the run, sorted by ID.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgIndex {
    /// The accounts.
    pub accounts: Vec<OrgAccount>,
}

/// The configuration an organization's evidence was made with, as its manifests name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigRef {
    /// Its path, or `<defaults>`.
    pub name: String,
    /// SHA-256 of its canonical form.
    pub sha256: String,
}

impl ConfigRef {
    /// The name and hash of a loaded configuration (as [`evidence::manifest_for`] records them).
    pub fn of(config: &LoadedConfig) -> Self {
        ConfigRef {
            name: config
                .path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "<defaults>".into()),
            sha256: config.sha256.clone(),
        }
    }
}

/// What the organization files are made from: one account, its name and its report or error.
#[derive(Debug, Clone, Copy)]
pub struct AccountView<'a> {
    /// The account ID.
    pub id: &'a str,
    /// The account's name.
    pub name: &'a str,
    /// Its findings, or why it was not audited.
    pub result: std::result::Result<&'a AuditReport, &'a str>,
    /// Whether its evidence directory holds `report.html` (the organization's page links to it).
    pub report_html: bool,
}

/// Which organization files to write besides the ones always written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrgFileOptions {
    /// Prepend the UTF-8 byte-order mark to the CSVs (for Excel).
    pub excel: bool,
    /// Write `org_report.html`.
    pub html: bool,
    /// Write `org_evidence.xlsx`.
    pub xlsx: bool,
}

/// Writes an organization's evidence tree all-or-nothing: `write_accounts` writes the
/// accounts' directories (`account_dirs`, each with its own `manifest.json` last) into the
/// staging, then the organization files for `views` (sorted by ID) and the top manifest,
/// last, are written beside them.
pub(crate) fn write_tree(
    dir: &Path,
    views: &[AccountView],
    config: &ConfigRef,
    options: OrgFileOptions,
    account_dirs: &[PathBuf],
    write_accounts: &mut dyn FnMut(&Staging) -> Result<()>,
) -> Result<Manifest> {
    // What the previous evidence here listed, to remove what this run no longer writes.
    let previous_top = evidence::previous_manifest(dir);
    let previous_accounts: Vec<(PathBuf, Option<Manifest>)> = account_dirs
        .iter()
        .map(|d| (d.clone(), evidence::previous_manifest(d)))
        .collect();
    let mut all = account_dirs.to_vec();
    all.push(dir.to_path_buf());
    let staging = Staging::begin(&all)?;
    write_accounts(&staging)?;

    let top = render_org_files(views, config, options)?;
    let mut manifest = Manifest::new();
    manifest.config = Some(config.name.clone());
    manifest.config_sha256 = Some(config.sha256.clone());
    let regions: BTreeSet<&String> = views
        .iter()
        .filter_map(|v| v.result.ok())
        .flat_map(|r| r.regions.iter())
        .collect();
    manifest.regions = regions.into_iter().cloned().collect();
    for (name, bytes) in &top {
        let hash = staging.put(dir, name, &mut |w| w.write_all(bytes))?;
        manifest.files.insert(name.clone(), hash);
    }
    for account_dir in account_dirs {
        let id = account_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some(hash) = staging.hash_of(account_dir, file::MANIFEST) {
            manifest.files.insert(format!("{id}/{}", file::MANIFEST), hash);
        }
    }
    let mut json = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| Error::InvalidArgument(format!("cannot serialise the manifest: {e}")))?;
    json.push(b'\n');
    staging.put(dir, file::MANIFEST, &mut |w| w.write_all(&json))?;
    let written: Vec<Vec<String>> = account_dirs.iter().map(|d| staging.names(d)).collect();
    let written_top = staging.names(dir);
    staging.commit()?;

    // Organization files of the previous run that this one does not write (e.g.
    // org_report.html after --no-html).
    evidence::remove_stale(dir, previous_top.as_ref(), &written_top);

    for ((d, previous), names) in previous_accounts.iter().zip(&written) {
        evidence::remove_stale(d, previous.as_ref(), names);
    }
    if let Some(prev) = previous_top {
        // Accounts of the previous run that this one does not have: their evidence goes,
        // so the tree matches its manifest.
        for name in prev.files.keys() {
            let Some(sub) = nested_manifest_dir(name) else { continue };
            if !is_account_id(sub) || manifest.files.contains_key(name) {
                continue;
            }
            let old_dir = dir.join(sub);
            if let Some(old) = evidence::previous_manifest(&old_dir) {
                evidence::remove_stale(&old_dir, Some(&old), &[]);
                // The account's manifest goes last, and only when nothing else is left
                // (a file someone changed or added there is kept, with the manifest that
                // says what the tool wrote).
                let only_manifest = std::fs::read_dir(&old_dir).is_ok_and(|entries| {
                    entries
                        .filter_map(|e| e.ok())
                        .all(|e| e.file_name() == std::ffi::OsStr::new(file::MANIFEST))
                });
                let manifest_path = old_dir.join(file::MANIFEST);
                let manifest_ours = prev
                    .files
                    .get(name)
                    .is_some_and(|want| crate::files::holds(&manifest_path, want));
                if only_manifest && manifest_ours {
                    let _ = std::fs::remove_file(&manifest_path);
                    let _ = std::fs::remove_dir(&old_dir);
                }
            }
        }
    }
    Ok(manifest)
}

/// The organization files (everything at the top but `manifest.json`), by file name.
pub fn render_org_files(
    views: &[AccountView],
    config: &ConfigRef,
    options: OrgFileOptions,
) -> Result<Vec<EvidenceFile>> {
    let excel = options.excel;
    let index = OrgIndex {
        accounts: views
            .iter()
            .map(|v| OrgAccount {
                id: v.id.to_string(),
                name: v.name.to_string(),
                status: if v.result.is_ok() {
                    AccountStatus::Audited
                } else {
                    AccountStatus::Error
                },
                error: v.result.err().map(str::to_string),
                evidence: v.result.is_ok().then(|| v.id.to_string()),
            })
            .collect(),
    };
    let mut json = serde_json::to_vec_pretty(&index)
        .map_err(|e| Error::InvalidArgument(format!("cannot serialise {ORG_JSON}: {e}")))?;
    json.push(b'\n');
    let register_rows = org_register(views);
    let mut files = vec![
        (ORG_JSON.to_string(), json),
        (ORG_SUMMARY_MD.to_string(), org_summary(views, config).into_bytes()),
        (ORG_FINDINGS_CSV.to_string(), org_findings_csv(views).to_bytes(excel)),
        (
            ORG_REGISTER_CSV.to_string(),
            register::to_csv(&register_rows).to_bytes(excel),
        ),
        (
            ORG_REGISTER_MD.to_string(),
            org_register_markdown(views, &register_rows).into_bytes(),
        ),
    ];
    if options.html || options.xlsx {
        let model = super::org_report::OrgReport::build(views, config, register_rows);
        if options.html {
            files.push((ORG_REPORT_HTML.to_string(), super::org_report::html(&model)?));
        }
        if options.xlsx {
            files.push((ORG_EVIDENCE_XLSX.to_string(), super::org_report::workbook(&model)?));
        }
    }
    Ok(files)
}

/// The columns of `org_findings.csv`.
pub const ORG_FINDINGS_HEADERS: [&str; 10] = [
    "Account",
    "AccountName",
    "CheckId",
    "Title",
    "Severity",
    "Fail",
    "Pass",
    "NotEvaluated",
    "Error",
    "Excepted",
];

/// Counts of a check's findings in one account by status.
fn count(findings: &[&crate::findings::Finding], status: Status) -> usize {
    findings.iter().filter(|f| f.status == status).count()
}

/// `org_findings.csv`: one row per audited account and check that has findings, by
/// account ID then in catalogue order.
pub fn org_findings_csv(views: &[AccountView]) -> CsvTable {
    let mut t = CsvTable::new(&ORG_FINDINGS_HEADERS);
    for v in views {
        let Ok(report) = v.result else { continue };
        for (check, findings) in register::by_check(report) {
            t.push(vec![
                v.id.to_string(),
                v.name.to_string(),
                check.id.to_string(),
                check.title.to_string(),
                check.severity.as_str().to_string(),
                count(&findings, Status::Fail).to_string(),
                count(&findings, Status::Pass).to_string(),
                count(&findings, Status::NotEvaluated).to_string(),
                count(&findings, Status::Error).to_string(),
                count(&findings, Status::Excepted).to_string(),
            ]);
        }
    }
    t
}

/// A check's position in the catalogue (unknown IDs last, by ID).
fn catalogue_key(check_id: &str) -> (usize, String) {
    let pos = checks::CATALOGUE
        .iter()
        .position(|c| c.id.eq_ignore_ascii_case(check_id))
        .unwrap_or(usize::MAX);
    (pos, check_id.to_string())
}

pub(super) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The organization risk register: one row per check, made from every account's own
/// register rows ([`register::rows`]). Open when the check is Open in any account;
/// Accepted when it is Accepted in some and Open in none; Closed when Closed everywhere.
pub fn org_register(views: &[AccountView]) -> Vec<RiskRow> {
    let mut by_check: BTreeMap<(usize, String), Vec<(&str, RiskRow)>> = BTreeMap::new();
    for v in views {
        let Ok(report) = v.result else { continue };
        for row in register::rows(report) {
            // Attestations are the configuration's, the same in every account: added once below.
            if matches!(row.status, RiskStatus::Attested | RiskStatus::Expired) {
                continue;
            }
            by_check
                .entry(catalogue_key(&row.risk_id))
                .or_default()
                .push((v.id, row));
        }
    }
    let mut out = Vec::new();
    for ((_, check_id), rows) in by_check {
        let Some((_, first)) = rows.first() else { continue };
        let info = checks::info(&check_id);
        let title = info.map(|i| i.title).unwrap_or(first.slug.as_str());
        let with =
            |s: RiskStatus| -> Vec<&str> { rows.iter().filter(|(_, r)| r.status == s).map(|(id, _)| *id).collect() };
        let (open, accepted) = (with(RiskStatus::Open), with(RiskStatus::Accepted));
        let judged = rows.len();
        let fail_count: usize = rows.iter().map(|(_, r)| r.fail_count).sum();
        let excepted_count: usize = rows.iter().map(|(_, r)| r.excepted_count).sum();
        let pass_count: usize = rows.iter().map(|(_, r)| r.pass_count).sum();
        let status = if !open.is_empty() {
            RiskStatus::Open
        } else if !accepted.is_empty() {
            RiskStatus::Accepted
        } else {
            RiskStatus::Closed
        };
        let description = match status {
            RiskStatus::Open => format!(
                "{title}: fails in {} of {} ({}): {}",
                open.len(),
                plural(judged, "account"),
                plural(fail_count, "failing finding"),
                rows.iter()
                    .filter(|(_, r)| r.status == RiskStatus::Open)
                    .map(|(id, r)| format!("{id} ({})", r.fail_count))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            RiskStatus::Accepted => format!(
                "{title}: fails under an accepted exception in {} of {}",
                accepted.len(),
                plural(judged, "account")
            ),
            RiskStatus::Closed | RiskStatus::Attested | RiskStatus::Expired => {
                format!("{title}: passes in all {}", plural(judged, "account"))
            }
        };
        let remediation = info.map(|i| i.remediation).unwrap_or("");
        let mut mitigation = match status {
            RiskStatus::Open => format!("Not yet applied in {}: {remediation}", open.join(", ")),
            RiskStatus::Accepted => format!("Risk accepted in {}", accepted.join(", ")),
            RiskStatus::Closed | RiskStatus::Attested | RiskStatus::Expired => {
                format!("In place in all {}: {title}", plural(judged, "account"))
            }
        };
        if status == RiskStatus::Open && !accepted.is_empty() {
            mitigation.push_str(&format!("; risk accepted in {}", accepted.join(", ")));
        }
        let closed = with(RiskStatus::Closed);
        if status != RiskStatus::Closed && !closed.is_empty() {
            mitigation.push_str(&format!("; in place in {}", closed.join(", ")));
        }
        let csv = register::check_csv_name(&check_id, &first.slug);
        out.push(RiskRow {
            risk_id: check_id.clone(),
            slug: first.slug.clone(),
            description,
            hipaa_standard: first.hipaa_standard.clone(),
            mitigation,
            status,
            evidence: format!("<account>/{csv} ({})", plural(judged, "account")),
            severity: first.severity,
            fail_count,
            excepted_count,
            pass_count,
        });
    }
    if let Some(report) = views.iter().find_map(|v| v.result.ok()) {
        out.extend(register::attestation_rows(report));
    }
    out
}

/// The first and last `as_of` of the audited accounts' data.
pub(super) fn as_of_range(views: &[AccountView]) -> Option<(String, String)> {
    let mut times: Vec<&str> = views
        .iter()
        .filter_map(|v| v.result.ok())
        .map(|r| r.as_of.as_str())
        .collect();
    times.sort_by_key(|t| (chrono::DateTime::parse_from_rfc3339(t).ok(), t.to_string()));
    Some((times.first()?.to_string(), times.last()?.to_string()))
}

fn as_of_line(views: &[AccountView]) -> String {
    match as_of_range(views) {
        Some((a, b)) if a == b => md_cell(&a),
        Some((a, b)) => format!("{} to {}", md_cell(&a), md_cell(&b)),
        None => "no account audited".to_string(),
    }
}

fn org_register_markdown(views: &[AccountView], rows: &[RiskRow]) -> String {
    let audited = views.iter().filter(|v| v.result.is_ok()).count();
    let mut s = String::from("# HIPAA IAM organization risk register\n\n");
    s.push_str(&format!(
        "{} audited, data as of {}. Each account's own register is `<account>/{}`.\n\n",
        plural(audited, "account"),
        as_of_line(views),
        evidence::REGISTER_MD
    ));
    s.push_str(&register::markdown_table(rows));
    s
}

/// Failing findings of one report by severity.
pub(super) fn fails_by_severity(report: &AuditReport, severity: Severity) -> usize {
    report
        .findings
        .iter()
        .filter(|f| f.check.severity == severity && f.status == Status::Fail)
        .count()
}

/// A check with failing findings in some accounts (the summary's ranking).
struct FailingCheck {
    title: String,
    severity: Severity,
    accounts: usize,
    fails: usize,
}

/// The policies attached at each level: `root r-ab12: FullAWSAccess; OU Clinical
/// (ou-...): DenyIAM (p-...)`, for one kind; `None` when nothing is attached anywhere.
fn levels_text(
    g: &OrgGuardrails,
    pick: fn(&crate::findings::GuardrailLevel) -> &Vec<AttachedOrgPolicy>,
) -> Option<String> {
    if g.levels.iter().all(|l| pick(l).is_empty()) {
        return None;
    }
    let text = g
        .levels
        .iter()
        .map(|l| {
            let names: Vec<String> = pick(l).iter().map(|p| format!("{} ({})", p.name, p.id)).collect();
            let names = if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            };
            format!("{}: {names}", l.node.describe())
        })
        .collect::<Vec<_>>()
        .join("; ");
    Some(text)
}

/// What the policies of one kind are to an account, for the summary's table.
fn state_text(state: GuardrailState, reason: Option<&str>, listed: Option<String>) -> String {
    match (state, listed) {
        (GuardrailState::Apply, Some(listed)) => listed,
        (GuardrailState::Apply, None) => "none attached".to_string(),
        (GuardrailState::ManagementAccount, Some(listed)) => {
            format!("do not apply (management account); attached: {listed}")
        }
        (GuardrailState::ManagementAccount, None) => "do not apply (management account)".to_string(),
        (GuardrailState::NotEnabled, _) => format!("not enabled ({})", reason.unwrap_or("")),
        (GuardrailState::Unknown, _) => format!("unknown ({})", reason.unwrap_or("")),
    }
}

/// One audited account's organization policies, as the summary and the page show them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardrailRow<'a> {
    /// The account ID.
    pub id: &'a str,
    /// The account's name.
    pub name: &'a str,
    /// What the SCPs are to the account: `restricted by SCPs`, `only FullAWSAccess (no SCP
    /// restricts)`, ...
    pub verdict: &'static str,
    /// No service control policy restricts anything in the account (IAM-033 fails).
    pub only_full_access: bool,
    /// The SCPs attached at each level of the account's chain, root first.
    pub scps: String,
    /// The RCPs likewise.
    pub rcps: String,
}

/// The guardrails of every audited account whose findings hold the organization's policies.
pub fn guardrail_rows<'a>(views: &[AccountView<'a>]) -> Vec<GuardrailRow<'a>> {
    views
        .iter()
        .filter_map(|v| v.result.ok().and_then(|r| r.organization.as_ref()).map(|g| (v, g)))
        .map(|(v, g)| {
            let (verdict, only_full_access) = match g.scp {
                GuardrailState::Apply if g.scp_restricts => ("restricted by SCPs", false),
                GuardrailState::Apply => ("only FullAWSAccess (no SCP restricts)", true),
                GuardrailState::NotEnabled => ("none (SCPs not enabled)", true),
                GuardrailState::ManagementAccount => ("SCPs do not apply (management account)", false),
                GuardrailState::Unknown => ("unknown", false),
            };
            GuardrailRow {
                id: v.id,
                name: v.name,
                verdict,
                only_full_access,
                scps: state_text(g.scp, g.scp_reason.as_deref(), levels_text(g, |l| &l.scps)),
                rcps: state_text(g.rcp, g.rcp_reason.as_deref(), levels_text(g, |l| &l.rcps)),
            }
        })
        .collect()
}

/// What the guardrails' table says of them, before it.
pub const GUARDRAILS_INTRO: &str =
    "The service control policies (SCPs) attached at each level of each account's chain, root first; \
     an action is permitted only if at every level some SCP allows it and no SCP denies it. \
     Resource control policies (RCPs) likewise, for the resources of the services they cover.";

/// `## Guardrails`: for every audited account, the service control policies attached at
/// each level of its chain (root, organizational units, account), whether they restrict
/// anything, and its resource control policies; then the accounts that have only
/// FullAWSAccess (no SCP restricts anything).
fn guardrails_section(views: &[AccountView]) -> String {
    let mut s = String::from("## Guardrails\n\n");
    let rows = guardrail_rows(views);
    if rows.is_empty() {
        s.push_str("No account's findings hold the organization's policies.\n\n");
        return s;
    }
    s.push_str(GUARDRAILS_INTRO);
    s.push_str("\n\n");
    s.push_str("| Account | Name | Guardrails | SCPs by level | RCPs by level |\n|---|---|---|---|---|\n");
    let mut only_full = Vec::new();
    for g in &rows {
        if g.only_full_access {
            only_full.push(g.id);
        }
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            md_cell(g.id),
            md_cell(g.name),
            g.verdict,
            md_cell(&g.scps),
            md_cell(&g.rcps)
        ));
    }
    s.push('\n');
    if only_full.is_empty() {
        s.push_str("Accounts with only FullAWSAccess: none.\n\n");
    } else {
        s.push_str(&format!(
            "Accounts with only FullAWSAccess (no service control policy restricts anything; IAM-033 fails): {}.\n\n",
            only_full.iter().map(|id| md_cell(id)).collect::<Vec<_>>().join(", ")
        ));
    }
    s
}

/// `org_summary.md`: the accounts audited and errored, each account's failing findings by
/// severity, the guardrails (the organization policies of each account), the checks
/// failing in most accounts, and the errors with their messages.
pub fn org_summary(views: &[AccountView], config: &ConfigRef) -> String {
    let audited: Vec<(&AccountView, &AuditReport)> =
        views.iter().filter_map(|v| v.result.ok().map(|r| (v, r))).collect();
    let errored: Vec<(&AccountView, &str)> = views.iter().filter_map(|v| v.result.err().map(|e| (v, e))).collect();
    let mut s = String::from("# HIPAA IAM organization audit summary\n\n");
    s.push_str(&format!(
        "- Accounts: {} ({} audited, {} with errors)\n",
        views.len(),
        audited.len(),
        errored.len()
    ));
    s.push_str(&format!("- Data as of: {}\n", as_of_line(views)));
    s.push_str(&format!(
        "- Configuration: {} (SHA-256 {})\n",
        md_cell(&config.name),
        md_cell(&config.sha256)
    ));
    s.push_str(&format!("- Tool: hipaa-iam {}\n\n", md_cell(crate::VERSION)));

    let failing_total: usize = audited
        .iter()
        .map(|(_, r)| r.findings.iter().filter(|f| f.status == Status::Fail).count())
        .sum();
    let failing_accounts = audited
        .iter()
        .filter(|(_, r)| r.findings.iter().any(|f| f.status == Status::Fail))
        .count();
    s.push_str(&format!(
        "**Result: {} in {} of {} audited",
        plural(failing_total, "failing finding"),
        failing_accounts,
        plural(audited.len(), "account"),
    ));
    if errored.is_empty() {
        s.push_str(".**\n\n");
    } else {
        s.push_str(&format!(
            "; {} could not be audited.**\n\n",
            plural(errored.len(), "account")
        ));
    }

    s.push_str("## Accounts\n\nFailing findings by severity.\n\n| Account | Name | Status |");
    for sev in Severity::ALL_DESC {
        s.push_str(&format!(" {} |", sev.as_str()));
    }
    s.push_str(" Evidence |\n|---|---|---|");
    s.push_str(&"---|".repeat(Severity::ALL_DESC.len()));
    s.push_str("---|\n");
    for v in views {
        s.push_str(&format!("| {} | {} |", md_cell(v.id), md_cell(v.name)));
        match v.result {
            Ok(report) => {
                s.push_str(" audited |");
                for sev in Severity::ALL_DESC {
                    s.push_str(&format!(" {} |", fails_by_severity(report, sev)));
                }
                s.push_str(&format!(" {}/{} |\n", md_cell(v.id), evidence::SUMMARY_MD));
            }
            Err(_) => {
                s.push_str(" error |");
                s.push_str(&" - |".repeat(Severity::ALL_DESC.len()));
                s.push_str(" - |\n");
            }
        }
    }
    s.push('\n');

    s.push_str(&guardrails_section(views));

    s.push_str("## Checks failing in most accounts\n\n");
    // Per check: the accounts where it has failing findings, and how many.
    let mut per_check: BTreeMap<(usize, String), FailingCheck> = BTreeMap::new();
    for (_, report) in &audited {
        for (check, findings) in register::by_check(report) {
            let fails = count(&findings, Status::Fail);
            if fails == 0 {
                continue;
            }
            let e = per_check
                .entry(catalogue_key(check.id))
                .or_insert_with(|| FailingCheck {
                    title: check.title.to_string(),
                    severity: check.severity,
                    accounts: 0,
                    fails: 0,
                });
            e.accounts += 1;
            e.fails += fails;
        }
    }
    let mut ranked: Vec<(&(usize, String), &FailingCheck)> = per_check.iter().collect();
    ranked.sort_by(|(ka, a), (kb, b)| {
        b.accounts
            .cmp(&a.accounts)
            .then(b.severity.cmp(&a.severity))
            .then(b.fails.cmp(&a.fails))
            .then(ka.cmp(kb))
    });
    if ranked.is_empty() {
        s.push_str("None.\n\n");
    } else {
        s.push_str("| Check | Title | Severity | Accounts failing | Failing findings |\n|---|---|---|---|---|\n");
        for ((_, id), c) in ranked.iter().take(10) {
            s.push_str(&format!(
                "| {} | {} | {} | {} of {} | {} |\n",
                md_cell(id),
                md_cell(&c.title),
                c.severity.as_str(),
                c.accounts,
                audited.len(),
                c.fails
            ));
        }
        s.push('\n');
    }

    s.push_str("## Errors\n\n");
    if errored.is_empty() {
        s.push_str("None.\n");
    } else {
        s.push_str("| Account | Name | Error |\n|---|---|---|\n");
        for (v, e) in &errored {
            s.push_str(&format!(
                "| {} | {} | {} |\n",
                md_cell(v.id),
                md_cell(v.name),
                md_cell(e)
            ));
        }
    }
    s
}
