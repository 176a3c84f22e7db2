//! One way to load account data and configuration and to run an audit, shared by every
//! face of the tool (the CLI, the C ABI and through it PowerShell), so they cannot
//! disagree.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::account::Account;
use crate::checks;
use crate::config::{Config, LoadedConfig};
use crate::findings::AuditReport;
use crate::manifest::Manifest;
use crate::report::evidence::EvidenceFile;
use crate::report::EvidenceOptions;
use crate::run::{FailOn, Verdict};
use crate::{Error, Result};

/// Where the account data comes from.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Source {
    /// An exports directory (the AWS CLI's files); `None` = collect live from AWS.
    pub exports_dir: Option<PathBuf>,
    /// The AWS profile for a live collection (default: the standard credential chain).
    pub profile: Option<String>,
    /// Access Analyzer regions to audit; empty = the configuration's, else the SDK's region.
    pub regions: Vec<String>,
    /// Timeouts and the response size limit of a live collection.
    #[serde(skip)]
    pub network: crate::aws::Network,
}

impl Source {
    /// `live`, or the exports directory.
    pub fn describe(&self) -> String {
        match &self.exports_dir {
            Some(dir) => dir.display().to_string(),
            None => "live".to_string(),
        }
    }

    /// Loads the account: reads the exports directory, or collects live into memory.
    /// `config_regions` are used when this source names no regions. A missing exports
    /// directory is an [`Error::Input`] naming it, like a malformed one.
    pub async fn load(&self, config_regions: &[String]) -> Result<Account> {
        match &self.exports_dir {
            Some(dir) if std::fs::metadata(dir).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound) => Err(Error::input(
                dir,
                "",
                "the exports directory does not exist (make one with `hipaa-iam collect --output DIR` or the AWS CLI commands in the README)",
            )),
            Some(dir) => Account::read_dir(dir),
            #[cfg(feature = "aws")]
            None => {
                let regions = if self.regions.is_empty() {
                    config_regions
                } else {
                    &self.regions
                };
                let set =
                    crate::account::collect::collect_live(self.profile.as_deref(), regions, &self.network).await?;
                Account::from_exports(&set)
            }
            #[cfg(not(feature = "aws"))]
            None => {
                let _ = config_regions;
                Err(Error::InvalidArgument(
                    "no exports directory given, and this build collects no live account data (built without the `aws` feature)".into(),
                ))
            }
        }
    }
}

/// Loads the configuration: the TOML text `inline` if given, else the file `path`, else
/// `./hipaa-iam.toml` if present, else the defaults. `regions`, when not empty, replace
/// the configured regions (each must be an AWS region name).
pub fn load_config(path: Option<&Path>, inline: Option<&str>, regions: &[String]) -> Result<LoadedConfig> {
    crate::aws::check_regions(crate::error::Field::Regions, regions)?;
    let ids = checks::ids();
    let mut loaded = match inline {
        Some(text) => {
            let origin = PathBuf::from("<inline config>");
            let config = Config::parse(&origin, text, &ids)?;
            LoadedConfig {
                config,
                path: Some(origin),
                sha256: crate::manifest::sha256_hex(text.as_bytes()),
            }
        }
        None => Config::load(path, &ids)?,
    };
    if !regions.is_empty() {
        loaded.config.regions = regions.to_vec();
    }
    Ok(loaded)
}

/// Refuses an evidence directory that would overlap the account data `source` reads (see
/// [`crate::report::evidence::ensure_apart`]); every face calls it before the audit runs.
pub fn check_output_dir(source: &Source, output: &Path) -> Result<()> {
    match &source.exports_dir {
        Some(exports) => crate::report::evidence::ensure_apart(output, exports),
        None => Ok(()),
    }
}

/// The result of [`audit`]: the report, and the account and configuration it was made
/// from (the evidence writers need all three).
#[derive(Debug)]
pub struct Audit {
    /// The findings and their context.
    pub report: AuditReport,
    /// The account data audited.
    pub account: Account,
    /// The configuration used.
    pub config: LoadedConfig,
    /// What changed since the previous audit the findings' first sightings were carried
    /// from ([`Audit::carry_forward`]).
    pub since: Option<std::sync::Arc<crate::report::since::SinceLastReview>>,
}

/// Validates `only` (check IDs), loads the account from `source` and runs the checks.
pub async fn audit(source: &Source, config: LoadedConfig, only: Option<&[String]>) -> Result<Audit> {
    let only = only.map(checks::parse_ids).transpose()?;
    let account = source.load(&config.config.regions).await?;
    Ok(audit_account(account, source.describe(), config, only.as_deref()))
}

/// Runs the checks (`only`: check IDs already validated with [`checks::parse_ids`]) on an
/// account already loaded; `source` describes where its data came from.
pub fn audit_account(account: Account, source: String, config: LoadedConfig, only: Option<&[String]>) -> Audit {
    let mut report = checks::audit(&account, &config.config, only);
    report.source = source;
    Audit {
        report,
        account,
        config,
        since: None,
    }
}

impl Audit {
    /// Writes the evidence directory of this audit (its report, account and configuration:
    /// one collection for the objects and the evidence), with `extra` files listed in the
    /// same manifest.
    pub fn write_evidence(&self, dir: &Path, options: &EvidenceOptions, extra: Vec<EvidenceFile>) -> Result<Manifest> {
        let mut options = options.clone();
        if options.since.is_none() {
            options.since = self.since.clone();
        }
        crate::report::write_evidence_with(dir, &self.report, &self.account, &self.config, &options, extra)
    }

    /// Carries each still-open finding's first sighting forward from the evidence
    /// directory `previous_dir` (verified against its manifest first), and keeps that
    /// audit's comparison with this one for the "Since last review" sections.
    pub fn carry_forward(&mut self, previous_dir: &Path) -> Result<()> {
        let previous = crate::history::previous_report(previous_dir, self.report.account_id.as_deref())?;
        crate::history::carry_first_seen(&mut self.report, &previous);
        self.since = Some(std::sync::Arc::new(crate::history::since(&previous, &self.report)));
        Ok(())
    }
}

/// A request to audit, as the C ABI (and through it PowerShell) sends it: the source, the
/// configuration, the checks, and optionally the evidence directory and the `fail-on`
/// threshold. Unknown fields are errors.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuditRequest {
    /// Exports directory; absent = collect live with the standard AWS credential chain.
    pub exports_dir: Option<PathBuf>,
    /// AWS profile for a live collection.
    pub profile: Option<String>,
    /// Access Analyzer regions.
    pub regions: Vec<String>,
    /// Configuration file.
    pub config_path: Option<PathBuf>,
    /// Configuration as TOML text (instead of a file).
    pub config: Option<String>,
    /// Only these check IDs.
    pub checks: Option<Vec<String>>,
    /// Also write the evidence directory here, from the same audit.
    pub output_dir: Option<PathBuf>,
    /// Prepend a UTF-8 BOM to the evidence CSVs (for Excel).
    pub excel: bool,
    /// Write `report.html` into the evidence directory (default `true`).
    pub html: bool,
    /// Write `evidence.xlsx` into the evidence directory (default `true`).
    pub xlsx: bool,
    /// The `fail-on` threshold of the verdict (default `none`).
    pub fail_on: FailOn,
    /// An earlier evidence directory of the same account (verified first): each
    /// still-open finding keeps the date it was first seen (`audit --previous DIR`).
    pub previous_dir: Option<PathBuf>,
}

impl Default for AuditRequest {
    fn default() -> Self {
        AuditRequest {
            exports_dir: None,
            profile: None,
            regions: Vec::new(),
            config_path: None,
            config: None,
            checks: None,
            output_dir: None,
            excel: false,
            html: true,
            xlsx: true,
            fail_on: FailOn::default(),
            previous_dir: None,
        }
    }
}

impl AuditRequest {
    /// The source of the account data.
    pub fn source(&self) -> Source {
        Source {
            exports_dir: self.exports_dir.clone(),
            profile: self.profile.clone(),
            regions: self.regions.clone(),
            network: Default::default(),
        }
    }

    /// The configuration: `config` (TOML text) or `config_path`, not both.
    pub fn load_config(&self) -> Result<LoadedConfig> {
        load_request_config(self.config_path.as_deref(), self.config.as_deref(), &self.regions)
    }

    /// Loads the configuration and the account, and runs the checks.
    pub async fn audit(&self) -> Result<Audit> {
        let config = self.load_config()?;
        audit(&self.source(), config, self.checks.as_deref()).await
    }
}

/// [`load_config`] for a request that may give the configuration as a file or as text,
/// but not both.
pub fn load_request_config(path: Option<&Path>, inline: Option<&str>, regions: &[String]) -> Result<LoadedConfig> {
    if path.is_some() && inline.is_some() {
        return Err(Error::InvalidArgument(
            "request: give either config (TOML text) or config_path, not both".into(),
        ));
    }
    load_config(path, inline, regions)
}

/// The result of [`run`]: one audit, its `fail-on` verdict, and the manifest of the
/// evidence written from that same audit (when an output directory was given).
#[derive(Debug)]
pub struct Run {
    /// The audit.
    pub audit: Audit,
    /// What `fail-on` decided.
    pub verdict: Verdict,
    /// The evidence directory's manifest, when it was written.
    pub evidence: Option<Manifest>,
}

/// What a face returns of a [`Run`] as data: `{report, verdict, evidence}`.
#[derive(Debug, Serialize)]
pub struct RunSummary<'a> {
    /// The findings report.
    pub report: &'a AuditReport,
    /// What `fail-on` decided.
    pub verdict: &'a Verdict,
    /// The evidence manifest, or `null`.
    pub evidence: Option<&'a Manifest>,
}

impl Run {
    /// The data a face returns.
    pub fn summary(&self) -> RunSummary<'_> {
        RunSummary {
            report: &self.audit.report,
            verdict: &self.verdict,
            evidence: self.evidence.as_ref(),
        }
    }
}

/// Audits once and, with `output_dir`, writes the evidence of that same audit (the
/// directory is checked before the audit runs); applies `fail_on`.
pub async fn run(request: &AuditRequest) -> Result<Run> {
    let source = request.source();
    if let Some(dir) = &request.output_dir {
        check_output_dir(&source, dir)?;
    }
    let mut audit = request.audit().await?;
    if let Some(previous) = &request.previous_dir {
        audit.carry_forward(previous)?;
    }
    let evidence = match &request.output_dir {
        Some(dir) => {
            let options = EvidenceOptions {
                excel: request.excel,
                no_html: !request.html,
                no_xlsx: !request.xlsx,
                ..Default::default()
            };
            Some(audit.write_evidence(dir, &options, Vec::new())?)
        }
        None => None,
    };
    let verdict = crate::run::verdict(&audit.report, request.fail_on);
    Ok(Run {
        audit,
        verdict,
        evidence,
    })
}

/// A request to lint policy files (the C ABI's `hipaa_iam_lint_policy`, PowerShell's
/// `Test-HipaaIamPolicy`): `{"paths": ["policies", "main.tf"], "fail_on": "high"}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LintRequest {
    /// Files and directories (see [`crate::lint::files::lint_paths`]).
    pub paths: Vec<PathBuf>,
    /// The threshold (default `none`).
    #[serde(default)]
    pub fail_on: FailOn,
}

/// The result of [`lint`]: the problems and what `fail-on` decided, `{report, verdict}`.
#[derive(Debug, Clone, Serialize)]
pub struct Lint {
    /// The files, documents and problems.
    pub report: crate::lint::files::LintReport,
    /// What `fail-on` decided (`failing_checks` holds rule IDs).
    pub verdict: Verdict,
}

/// Lints the files of `request` and applies its `fail_on`.
pub fn lint(request: &LintRequest) -> Result<Lint> {
    let report = crate::lint::files::lint_paths(&request.paths)?;
    let verdict = crate::run::lint_verdict(&report, request.fail_on);
    Ok(Lint { report, verdict })
}

/// A request to explain access requests (the C ABI's `hipaa_iam_access_explain`,
/// PowerShell's `Test-HipaaIamAccess`): the source fields of [`AuditRequest`] and
/// `"requests": [{"principal", "action", "resource", "context"}, ..]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AccessExplainRequest {
    /// Exports directory; absent = collect live with the standard AWS credential chain.
    pub exports_dir: Option<PathBuf>,
    /// AWS profile for a live collection.
    pub profile: Option<String>,
    /// Regions of a live collection (Access Analyzer; access queries do not read it).
    pub regions: Vec<String>,
    /// The requests, judged in order.
    pub requests: Vec<crate::access::Request>,
}

/// A request to list who can do an action on a resource (the C ABI's
/// `hipaa_iam_access_who_can`, PowerShell's `Get-HipaaIamAccessPath`): the source fields of
/// [`AuditRequest`], `"action"` and `"resource"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessWhoCanRequest {
    /// Exports directory; absent = collect live with the standard AWS credential chain.
    #[serde(default)]
    pub exports_dir: Option<PathBuf>,
    /// AWS profile for a live collection.
    #[serde(default)]
    pub profile: Option<String>,
    /// Regions of a live collection.
    #[serde(default)]
    pub regions: Vec<String>,
    /// `service:Action`.
    pub action: String,
    /// The resource's ARN (or `*`).
    pub resource: String,
}

fn access_source(exports_dir: &Option<PathBuf>, profile: &Option<String>, regions: &[String]) -> Result<Source> {
    crate::aws::check_regions(crate::error::Field::Regions, regions)?;
    Ok(Source {
        exports_dir: exports_dir.clone(),
        profile: profile.clone(),
        regions: regions.to_vec(),
        network: Default::default(),
    })
}

/// Loads the account once and explains each request of `request`, in order; an error names
/// the request (`requests[2]: principal: no user or role named ...`).
pub async fn access_explain(request: &AccessExplainRequest) -> Result<Vec<crate::access::Explanation>> {
    if request.requests.is_empty() {
        return Err(Error::InvalidArgument(
            "requests: empty: give at least one {\"principal\", \"action\", \"resource\"}".into(),
        ));
    }
    let account = access_source(&request.exports_dir, &request.profile, &request.regions)?
        .load(&[])
        .await?;
    request
        .requests
        .iter()
        .enumerate()
        .map(|(i, r)| {
            crate::access::explain(&account, r).map_err(|e| match e.field_parts() {
                Some((field, before, after)) => Error::field_in(field, format!("requests[{i}]: {before}"), after),
                None => Error::InvalidArgument(format!("requests[{i}]: {e}")),
            })
        })
        .collect()
}

/// Loads the account and answers who can do the request's action on its resource.
pub async fn access_who_can(request: &AccessWhoCanRequest) -> Result<crate::access::WhoCan> {
    crate::access::check_action(&request.action).map_err(|m| Error::field(crate::error::Field::Action, m))?;
    let account = access_source(&request.exports_dir, &request.profile, &request.regions)?
        .load(&[])
        .await?;
    crate::access::who_can(&account, &request.action, &request.resource)
}

/// A request to compare two evidence directories (the C ABI's `hipaa_iam_diff`,
/// PowerShell's `Compare-HipaaIamAudit`): `{"old_dir", "new_dir", "fail_on"}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiffRequest {
    /// The earlier evidence directory.
    pub old_dir: PathBuf,
    /// The later evidence directory.
    pub new_dir: PathBuf,
    /// The threshold applied to the new and still-open failing findings (default `none`).
    #[serde(default)]
    pub fail_on: FailOn,
}

/// Verifies both directories and compares them ([`crate::history::diff`]).
pub fn diff(request: &DiffRequest) -> Result<crate::history::diff::AuditDiff> {
    crate::history::diff::diff_dirs(&request.old_dir, &request.new_dir, request.fail_on)
}

/// A request to start an access review (the C ABI's `hipaa_iam_review_start`,
/// PowerShell's `Start-HipaaIamAccessReview`): `{"evidence_dir"}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewStartRequest {
    /// The evidence directory.
    pub evidence_dir: PathBuf,
}

/// Writes the roster into the evidence ([`crate::history::review::start`]).
pub fn review_start(request: &ReviewStartRequest) -> Result<crate::history::review::Started> {
    crate::history::review::start(&request.evidence_dir)
}

pub use crate::history::review::SignRequest as ReviewSignRequest;

/// Checks and signs a filled-in roster ([`crate::history::review::sign`]).
pub fn review_sign(request: &ReviewSignRequest) -> Result<crate::history::review::Signed> {
    crate::history::review::sign(request)
}
