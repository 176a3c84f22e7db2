//! `audit --org` and `collect --org`: the organization's accounts, each with assumed-role
//! credentials (`hipaa_iam_core::org`). The arguments they share, the progress bar, the
//! table and JSON of an organization audit, and its exit status.

use std::io::{IsTerminal, Write};
use std::sync::Arc;

use clap::Args;
#[cfg(feature = "aws")]
use hipaa_iam_core::account::collect;
use hipaa_iam_core::api;
use hipaa_iam_core::checks;
use hipaa_iam_core::findings::{Severity, Status};
use hipaa_iam_core::org::{self, AccountRun, OrgAccount, Progress, Quiet, Shard};
#[cfg(feature = "aws")]
use hipaa_iam_core::org::{OrgClients, OrgOptions};
use hipaa_iam_core::report;
use hipaa_iam_core::run::{self as policy, FailOn};
use hipaa_iam_core::text::terminal_safe;
use hipaa_iam_core::{Error, Result};

use super::term::truncate;
#[cfg(feature = "aws")]
use crate::CollectArgs;
use crate::{AuditArgs, AuditFormat, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};

/// The organization arguments of `audit` and `collect`.
#[derive(Debug, Args, Clone, Default)]
pub struct OrgArgs {
    /// Work on every ACTIVE account of the AWS Organization (listed with the caller's
    /// credentials, which must be the management account's or a delegated administrator's),
    /// assuming --role-name in each; the caller's own account uses the caller's credentials
    #[arg(long)]
    pub org: bool,
    /// With --org: the role assumed in each account [default: OrganizationAccountAccessRole]
    #[arg(long, value_name = "NAME")]
    pub role_name: Option<String>,
    /// With --org: the external ID the role's trust policy requires
    #[arg(long, value_name = "ID")]
    pub external_id: Option<String>,
    /// With --org: how many accounts to work on at the same time [default: 8]
    #[arg(long, value_name = "N")]
    pub concurrency: Option<usize>,
    /// With --org: only these accounts, comma-separated 12-digit IDs (each must be an
    /// ACTIVE account of the organization)
    #[arg(long, value_name = "ID,...", value_delimiter = ',')]
    pub accounts: Vec<String>,
    /// With --org: only shard I of N: every N-th account of the list sorted by ID, starting
    /// at the I-th (1-based), so N jobs with 1/N .. N/N cover the organization once
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
}

impl OrgArgs {
    /// The organization flags given without `--org`: an error naming them.
    pub fn check(&self) -> Result<()> {
        if self.org {
            return Ok(());
        }
        let mut given = Vec::new();
        if self.role_name.is_some() {
            given.push("--role-name");
        }
        if self.external_id.is_some() {
            given.push("--external-id");
        }
        if self.concurrency.is_some() {
            given.push("--concurrency");
        }
        if !self.accounts.is_empty() {
            given.push("--accounts");
        }
        if self.shard.is_some() {
            given.push("--shard");
        }
        if given.is_empty() {
            Ok(())
        } else {
            Err(Error::InvalidArgument(format!(
                "{} only {} to organization runs: add --org",
                given.join(", "),
                if given.len() == 1 { "applies" } else { "apply" }
            )))
        }
    }

    /// `--shard`, parsed.
    pub fn shard(&self) -> Result<Option<Shard>> {
        self.shard.as_deref().map(str::parse).transpose()
    }

    /// The run's options, validated; `regions` are the Access Analyzer regions.
    #[cfg(feature = "aws")]
    pub fn options(&self, regions: &[String]) -> Result<OrgOptions> {
        let opts = OrgOptions {
            role_name: self
                .role_name
                .clone()
                .unwrap_or_else(|| org::DEFAULT_ROLE_NAME.to_string()),
            external_id: self.external_id.clone(),
            concurrency: self.concurrency.unwrap_or(org::DEFAULT_CONCURRENCY),
            regions: regions.to_vec(),
            collect: collect::Options::default(),
            organization: Vec::new(),
            org_data: org::OrgCollectOptions::default(),
        };
        opts.validate()?;
        org::parse_account_ids(&self.accounts)?;
        self.shard()?;
        Ok(opts)
    }

    /// The selection flags, validated (a build without live AWS has no other run options).
    #[cfg(not(feature = "aws"))]
    pub fn options(&self, _regions: &[String]) -> Result<NoLiveRun> {
        org::parse_account_ids(&self.accounts)?;
        self.shard()?;
        Ok(NoLiveRun)
    }
}

/// The progress bar on stderr (accounts done / total, the account being worked on).
#[derive(Debug)]
struct Bar(indicatif::ProgressBar);

impl Progress for Bar {
    fn started(&self, account: &OrgAccount) {
        if account.name.is_empty() {
            self.0.set_message(account.id.clone());
        } else {
            self.0.set_message(format!("{} ({})", account.id, account.name));
        }
    }

    fn finished(&self, _account: &OrgAccount, _ok: bool) {
        self.0.inc(1);
    }
}

/// A progress bar of `total` accounts when stderr is a terminal, else nothing at all.
fn progress(total: usize) -> (Arc<dyn Progress>, Option<indicatif::ProgressBar>) {
    if !std::io::stderr().is_terminal() || total == 0 {
        return (Arc::new(Quiet), None);
    }
    let bar = indicatif::ProgressBar::with_draw_target(Some(total as u64), indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} accounts  {elapsed}  {wide_msg}") {
        bar.set_style(style);
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    (Arc::new(Bar(bar.clone())), Some(bar))
}

/// The selected accounts of the live organization, what the run needs to reach them, and
/// the IDs of every account of the organization.
#[cfg(feature = "aws")]
async fn live_accounts(
    profile: Option<&str>,
    args: &OrgArgs,
    net: &hipaa_iam_core::aws::Network,
) -> Result<(OrgClients, org::SdkConfig, Vec<OrgAccount>, Vec<String>)> {
    let config = hipaa_iam_core::aws::sdk_config(profile, net).await;
    let clients = OrgClients::new(&config);
    let all = org::list_accounts(&clients.organizations).await?;
    let selected = org::select(&all, &args.accounts, args.shard()?)?;
    let organization = all.into_iter().map(|a| a.id).collect();
    Ok((clients, config, selected, organization))
}

/// `audit --org`: every selected account audited (live, or from a `collect --org`
/// directory with `--exports`), the table or JSON on stdout, the organization evidence
/// with `--output-dir`; exit 2 when an account failed, else 1 on failing findings at or
/// above `--fail-on`, else 0.
pub fn audit(args: AuditArgs) -> Result<u8> {
    let fail_on = args.fail_on.policy();
    // Validate everything before touching AWS or the disk.
    if !matches!(args.format, AuditFormat::Table | AuditFormat::Json) {
        let name = match args.format {
            AuditFormat::Sarif => "sarif",
            AuditFormat::Junit => "junit",
            AuditFormat::Csv => "csv",
            AuditFormat::Html => "html",
            AuditFormat::Xlsx => "xlsx",
            _ => "markdown",
        };
        return Err(Error::InvalidArgument(format!(
            "--format {name} is not available with --org: use table or json (--output-dir writes every account's evidence files)"
        )));
    }
    for (given, flag) in [
        (args.sarif_file.is_some(), "--sarif-file"),
        (args.junit_file.is_some(), "--junit-file"),
    ] {
        if given {
            return Err(Error::InvalidArgument(format!(
                "{flag} is not available with --org (--output-dir writes every account's evidence files)"
            )));
        }
    }
    let only = if args.checks.is_empty() {
        None
    } else {
        Some(checks::parse_ids(&args.checks)?)
    };
    let opts = args.org.options(&args.source.regions)?;
    let loaded = api::load_config(args.config.as_deref(), None, &args.source.regions)?;

    if let (Some(out), Some(exports)) = (&args.output_dir, &args.source.exports) {
        report::evidence::ensure_apart(out, exports)?;
    }
    let runs = match &args.source.exports {
        Some(dir) => {
            let listed: Vec<OrgAccount> = org::read_collected(dir)?
                .into_iter()
                .map(|a| OrgAccount { id: a.id, name: a.name })
                .collect();
            let total = org::select(&listed, &args.org.accounts, args.org.shard()?)?.len();
            let (progress, bar) = progress(total);
            let runs = org::audit_collected(
                dir,
                &args.org.accounts,
                args.org.shard()?,
                &loaded,
                only.as_deref(),
                progress.as_ref(),
            );
            if let Some(bar) = bar {
                bar.finish_and_clear();
            }
            runs?
        }
        None => live_audit(&args, opts, &loaded, only.as_deref())?,
    };

    let mut err = std::io::stderr().lock();
    for run in &runs {
        if let Ok(audit) = &run.result {
            for w in &audit.report.warnings {
                let _ = writeln!(err, "hipaa-iam: warning: account {}: {}", run.id, terminal_safe(w));
            }
        }
    }
    drop(err);

    super::term::to_stdout(|out| match args.format {
        AuditFormat::Json => serde_json::to_writer_pretty(&mut *out, &to_json(&runs))
            .map_err(std::io::Error::other)
            .and_then(|()| writeln!(out)),
        _ => write_table(out, &runs, fail_on),
    })?;

    if let Some(dir) = &args.output_dir {
        let options = report::EvidenceOptions {
            excel: args.excel,
            no_html: args.no_html,
            no_xlsx: args.no_xlsx,
            ..Default::default()
        };
        let manifest = org::write_org_evidence(dir, &runs, &loaded, &options)?;
        eprintln!(
            "hipaa-iam: organization evidence written to {} ({} files and manifest.json; check with `hipaa-iam verify {}`)",
            dir.display(),
            manifest.files.len(),
            dir.display()
        );
    }
    if super::github::enabled(args.github, args.no_github) {
        super::github::write_org(
            &mut std::io::stderr().lock(),
            &runs,
            fail_on,
            fail_count(&runs, fail_on),
            args.output_dir.as_deref(),
            &table_string(&runs, fail_on),
        )?;
    }
    Ok(exit_status(&runs, fail_on))
}

/// `audit --org` of the live organization: every selected account audited through its role.
#[cfg(feature = "aws")]
fn live_audit(
    args: &AuditArgs,
    mut opts: OrgOptions,
    loaded: &hipaa_iam_core::config::LoadedConfig,
    only: Option<&[String]>,
) -> Result<Vec<AccountRun>> {
    if opts.regions.is_empty() {
        opts.regions = loaded.config.regions.clone();
    }
    let rt = super::runtime()?;
    rt.block_on(async {
        let (clients, config, accounts, organization) = live_accounts(
            args.source.profile.as_deref(),
            &args.org,
            &args.source.network.to_network(),
        )
        .await?;
        opts.organization = organization;
        let (progress, bar) = progress(accounts.len());
        let runs = org::audit(&clients, &config, &accounts, &opts, loaded, only, progress).await;
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        runs
    })
}

/// What a build without live AWS has in place of a live run's options: nothing.
#[cfg(not(feature = "aws"))]
#[derive(Debug)]
pub struct NoLiveRun;

/// `audit --org` without `--exports` needs live AWS, which this build does not have.
#[cfg(not(feature = "aws"))]
fn live_audit(
    _args: &AuditArgs,
    _opts: NoLiveRun,
    _loaded: &hipaa_iam_core::config::LoadedConfig,
    _only: Option<&[String]>,
) -> Result<Vec<AccountRun>> {
    Err(super::without_aws("`audit --org` without --exports"))
}

/// `collect --org`: `<output>/<account-id>/` for every selected account (exactly what
/// `collect` writes for one) and `<output>/accounts.json` listing the accounts and errors.
#[cfg(feature = "aws")]
pub fn collect(args: CollectArgs) -> Result<u8> {
    let opts = args.org.options(&args.regions)?;
    let output = args.output.clone();
    let rt = super::runtime()?;
    let results = rt.block_on(async {
        let (clients, config, accounts, organization) =
            live_accounts(args.profile.as_deref(), &args.org, &args.network.to_network()).await?;
        // The organization's own data first, with the caller's credentials: its policies and
        // its Identity Center instance.
        let files = org::collect_organization(&clients.organizations, &opts.org_data).await?;
        let caller = org::caller(&clients.sts).await?;
        let ic = org::identity_center(&config, &opts).await?;
        let (progress, bar) = progress(accounts.len());
        let dir = output.clone();
        let results = org::run(&clients, &config, &accounts, &opts, progress, move |account, set| {
            let sub = dir.join(&account.id);
            collect::write_collection(&set, &sub)
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
        .await;
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        results.map(|r| (r, organization, files, ic, caller))
    })?;
    let (results, organization, files, ic, caller) = results;
    let listing = org::Listing {
        organization,
        accounts: results
            .iter()
            .map(|(a, r)| org::ListedAccount {
                id: a.id.clone(),
                name: a.name.clone(),
                error: r.as_ref().err().cloned(),
            })
            .collect(),
    };
    std::fs::create_dir_all(&output).map_err(|e| Error::io(&output, e))?;
    org::write_listing(&output, &listing)?;
    files.write_dir(&output)?;
    if !ic.files.is_empty() || !ic.not_collected.is_empty() {
        org::identity_center::write(&output, &ic.files, &ic.not_collected, Some(&caller.account))?;
    }
    let mut err = std::io::stderr().lock();
    for (name, reason) in &files.manifest.not_collected {
        let _ = writeln!(
            err,
            "not collected: {}/{}: {}",
            org::ORG_DIR,
            terminal_safe(name),
            terminal_safe(reason)
        );
    }
    for (name, reason) in &ic.not_collected {
        let _ = writeln!(err, "not collected: {}: {}", terminal_safe(name), terminal_safe(reason));
    }
    for a in &listing.accounts {
        let label = label(&a.id, &a.name);
        let _ = match &a.error {
            None => writeln!(
                err,
                "collected {} into {}",
                terminal_safe(&label),
                terminal_safe(&output.join(&a.id).display().to_string())
            ),
            Some(e) => writeln!(err, "ERROR {}: {}", terminal_safe(&label), terminal_safe(e)),
        };
    }
    let failed = listing.accounts.iter().filter(|a| a.error.is_some()).count();
    let _ = writeln!(
        err,
        "{} account(s): {} collected, {failed} error(s); listed in {}",
        listing.accounts.len(),
        listing.accounts.len() - failed,
        output.join(org::LISTING).display()
    );
    Ok(if failed > 0 { EXIT_ERROR } else { EXIT_OK })
}

#[cfg(feature = "aws")]
fn label(id: &str, name: &str) -> String {
    if name.is_empty() {
        id.to_string()
    } else {
        format!("{id} ({name})")
    }
}

/// `{"accounts":[{"id","name","report"} | {"id","name","error"}]}`.
pub fn to_json(runs: &[AccountRun]) -> serde_json::Value {
    let accounts: Vec<serde_json::Value> = runs
        .iter()
        .map(|run| match &run.result {
            Ok(audit) => serde_json::json!({
                "id": run.id,
                "name": run.name,
                "report": audit.report,
            }),
            Err(e) => serde_json::json!({
                "id": run.id,
                "name": run.name,
                "error": e,
            }),
        })
        .collect();
    serde_json::json!({ "accounts": accounts })
}

/// The failing findings of `run` at or above `fail_on`.
fn failing_at(run: &AccountRun, fail_on: FailOn) -> usize {
    run.result
        .as_ref()
        .map_or(0, |audit| policy::failing_count(&audit.report, fail_on))
}

/// 2 when an account ended in an error; else 1 when an account has a failing finding at
/// or above `fail_on`; else 0.
pub fn exit_status(runs: &[AccountRun], fail_on: FailOn) -> u8 {
    if runs.iter().any(|r| r.result.is_err()) {
        EXIT_ERROR
    } else if runs.iter().any(|r| failing_at(r, fail_on) > 0) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// The table of an organization audit: one row per account with its failing findings per
/// severity, or ERROR and the message; then a summary.
pub fn write_table(out: &mut impl Write, runs: &[AccountRun], fail_on: FailOn) -> std::io::Result<()> {
    let name_w = runs
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(4, 32);
    writeln!(
        out,
        "{:<12}  {:<name_w$}  {:>8} {:>5} {:>6} {:>4}  RESULT",
        "ACCOUNT", "NAME", "CRITICAL", "HIGH", "MEDIUM", "LOW"
    )?;
    for run in runs {
        let name = truncate(&terminal_safe(&run.name), name_w);
        match &run.result {
            Ok(audit) => {
                let n = |sev: Severity| {
                    audit
                        .report
                        .findings
                        .iter()
                        .filter(|f| f.status == Status::Fail && f.check.severity == sev)
                        .count()
                };
                let errors = audit
                    .report
                    .findings
                    .iter()
                    .filter(|f| f.status == Status::Error)
                    .count();
                let verdict = if failing_at(run, fail_on) > 0 { "FAIL" } else { "ok" };
                let extra = if errors > 0 {
                    format!(" ({errors} check error(s))")
                } else {
                    String::new()
                };
                writeln!(
                    out,
                    "{:<12}  {:<name_w$}  {:>8} {:>5} {:>6} {:>4}  {verdict}{extra}",
                    run.id,
                    name,
                    n(Severity::Critical),
                    n(Severity::High),
                    n(Severity::Medium),
                    n(Severity::Low)
                )?;
            }
            Err(e) => writeln!(
                out,
                "{:<12}  {:<name_w$}  ERROR {}",
                terminal_safe(&run.id),
                name,
                terminal_safe(e)
            )?,
        }
    }
    let errors = runs.iter().filter(|r| r.result.is_err()).count();
    let failing: Vec<usize> = runs.iter().map(|r| failing_at(r, fail_on)).collect();
    let failing_accounts = failing.iter().filter(|n| **n > 0).count();
    writeln!(out)?;
    write!(
        out,
        "{} account(s): {} audited, {errors} error(s); ",
        runs.len(),
        runs.len() - errors
    )?;
    match fail_on.threshold() {
        Some(min) => writeln!(
            out,
            "fail-on {}: {} failing finding(s) at or above it in {failing_accounts} account(s)",
            min.as_str(),
            failing.iter().sum::<usize>()
        ),
        None => writeln!(out, "fail-on none: findings do not fail the run"),
    }
}

/// [`write_table`] as a string (for the GitHub step summary).
pub fn table_string(runs: &[AccountRun], fail_on: FailOn) -> String {
    let mut buf = Vec::new();
    let _ = write_table(&mut buf, runs, fail_on);
    String::from_utf8_lossy(&buf).into_owned()
}

/// The total of failing findings at or above `fail_on` over all accounts.
pub fn fail_count(runs: &[AccountRun], fail_on: FailOn) -> usize {
    runs.iter().map(|r| failing_at(r, fail_on)).sum()
}
