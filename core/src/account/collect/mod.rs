//! The live collector: calls AWS and produces the same files the AWS CLI would.
//!
//! A collection makes a fixed, small number of calls whatever the size of the account
//! (never one per user): STS `GetCallerIdentity`; IAM `GetAccountAuthorizationDetails`
//! (pages of 1000), the credential report (generate, poll, get), `GetAccountPasswordPolicy`,
//! `GetAccountSummary`, `ListVirtualMFADevices` (pages of 1000); and per audited region,
//! concurrently, Access Analyzer `ListAnalyzers` and `ListFindingsV2` for the region's
//! ACTIVE external-access analyzer, and the IAM Identity Center data (see
//! [`collect_identity_center`]: its requests grow with permission sets, provisioned accounts
//! and groups, never with users).
//!
//! The work takes SDK clients ([`Clients`]) so that tests can hand in mocked ones;
//! [`collect_live`] and [`collect_to_dir`] build them from the standard credential chain.

mod cli_json;
mod identity_center;

pub use identity_center::{collect_identity_center, IdentityCenterClients, IdentityCenterFiles, IdentityCenterOptions};

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use aws_config::SdkConfig;
use serde_json::Value;

use super::{file, ExportSet};
use crate::aws::{self, Failure, Network, Pager};
use crate::manifest::Manifest;
use crate::{Error, Result};

/// The SDK clients a collection uses.
#[derive(Debug, Clone)]
pub struct Clients {
    /// IAM (global).
    pub iam: aws_sdk_iam::Client,
    /// STS.
    pub sts: aws_sdk_sts::Client,
    /// Access Analyzer, one client per audited region.
    pub access_analyzer: BTreeMap<String, aws_sdk_accessanalyzer::Client>,
    /// IAM Identity Center and its identity store, per audited region (the same regions as
    /// Access Analyzer). Empty: no Identity Center data is collected.
    pub identity_center: BTreeMap<String, IdentityCenterClients>,
}

impl Clients {
    /// Clients for `regions` from `config`; with no regions, the configuration's region.
    /// Access Analyzer clients retry at most 3 times: the source is optional, and a region
    /// where it is unavailable should not hold the collection up for a minute.
    pub fn new(config: &SdkConfig, regions: &[String]) -> Result<Clients> {
        Clients::build(config, regions, None)
    }

    /// Like [`Clients::new`], for one account of an organization run: the clients get
    /// retry partitions of their own (named after `account`), so each account has its own
    /// retry token bucket and adaptive rate limiter instead of sharing the process-wide ones.
    pub fn for_account(config: &SdkConfig, regions: &[String], account: &str) -> Result<Clients> {
        Clients::build(config, regions, Some(account))
    }

    fn build(config: &SdkConfig, regions: &[String], account: Option<&str>) -> Result<Clients> {
        use aws_sdk_iam::config::retry::RetryPartition;
        let partition = |service: &str| account.map(|a| RetryPartition::new(format!("hipaa-iam-{a}-{service}")));
        let regions = collection_regions(config, regions)?;
        let mut access_analyzer = BTreeMap::new();
        let mut identity_center = BTreeMap::new();
        for region in regions {
            identity_center.insert(region.clone(), IdentityCenterClients::new(config, &region, account));
            let mut conf = aws::access_analyzer(config)
                .region(aws_sdk_accessanalyzer::config::Region::new(region.clone()))
                .retry_config(aws::retry_config().with_max_attempts(3));
            conf.set_retry_partition(partition(&format!("access-analyzer-{region}")));
            let conf = conf.build();
            access_analyzer.insert(region, aws_sdk_accessanalyzer::Client::from_conf(conf));
        }
        let mut iam = aws::iam(config);
        iam.set_retry_partition(partition("iam"));
        let mut sts = aws::sts(config);
        sts.set_retry_partition(partition("sts"));
        let (iam, sts) = (iam.build(), sts.build());
        Ok(Clients {
            iam: aws_sdk_iam::Client::from_conf(iam),
            sts: aws_sdk_sts::Client::from_conf(sts),
            access_analyzer,
            identity_center,
        })
    }
}

/// The regions a collection reads (Access Analyzer, Identity Center): `regions`, checked, or
/// when none are given the configuration's region; an error when there is neither.
pub fn collection_regions(config: &SdkConfig, regions: &[String]) -> Result<Vec<String>> {
    if !regions.is_empty() {
        aws::check_regions(crate::error::Field::Regions, regions)?;
        return Ok(regions.to_vec());
    }
    match config.region() {
        Some(r) => {
            aws::check_region(r.as_ref())
                .map_err(|e| Error::InvalidArgument(format!("the configured AWS region: {e}")))?;
            Ok(vec![r.to_string()])
        }
        None => Err(Error::field_in(
            crate::error::Field::Regions,
            "no AWS region configured: set AWS_REGION (or a profile's region) or pass ",
            "",
        )),
    }
}

/// Tunables of a collection.
#[derive(Debug, Clone)]
pub struct Options {
    /// The first wait between credential report polls; it doubles each time.
    pub report_poll_initial: Duration,
    /// The longest wait between two polls.
    pub report_poll_max: Duration,
    /// How long to wait in total for the credential report before giving up.
    pub report_max_wait: Duration,
    /// How the Identity Center data is read.
    pub identity_center: IdentityCenterOptions,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            report_poll_initial: Duration::from_millis(500),
            report_poll_max: Duration::from_secs(8),
            report_max_wait: Duration::from_secs(60),
            identity_center: IdentityCenterOptions::default(),
        }
    }
}

/// Collects the account data from the live account into memory (the files plus a
/// manifest whose `not_collected` records what failed), every call bounded by `net`.
pub async fn collect_live(profile: Option<&str>, regions: &[String], net: &Network) -> Result<ExportSet> {
    let config = aws::sdk_config(profile, net).await;
    let clients = Clients::new(&config, regions)?;
    collect(&clients, &Options::default()).await
}

/// Collects the account data and writes it, with `manifest.json`, into `dir`. Returns
/// what was collected ([`summary`] describes it).
pub async fn collect_to_dir(profile: Option<&str>, regions: &[String], net: &Network, dir: &Path) -> Result<ExportSet> {
    let mut set = collect_live(profile, regions, net).await?;
    let manifest = write_collection(&set, dir)?;
    set.dir = Some(dir.to_path_buf());
    set.manifest = Some(manifest);
    Ok(set)
}

/// Writes a collected set into `dir` with a fresh manifest (the SHA-256 of every file).
/// Account-data files left in `dir` by an earlier collection that this one did not
/// produce are removed, so the directory never mixes two collections.
pub fn write_collection(set: &ExportSet, dir: &Path) -> Result<Manifest> {
    let mut manifest = match &set.manifest {
        Some(m) => m.clone(),
        None => Manifest::new(),
    };
    manifest.files.clear();
    remove_stale(set, dir)?;
    set.write_dir(dir, &mut manifest)?;
    Ok(manifest)
}

fn remove_stale(set: &ExportSet, dir: &Path) -> Result<()> {
    let mut candidates: Vec<String> = [
        file::AUTHORIZATION_DETAILS,
        file::CREDENTIAL_REPORT,
        file::PASSWORD_POLICY,
        file::ACCOUNT_SUMMARY,
        file::VIRTUAL_MFA_DEVICES,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let aa = dir.join(file::ACCESS_ANALYZER_DIR);
    if aa.is_dir() {
        for entry in std::fs::read_dir(&aa).map_err(|e| Error::io(&aa, e))? {
            let entry = entry.map_err(|e| Error::io(&aa, e))?;
            let region = entry.file_name().to_string_lossy().into_owned();
            candidates.push(file::analyzers(&region));
            candidates.push(file::analyzer_findings(&region));
        }
    }
    for name in candidates {
        let path = dir.join(&name);
        if !set.files.contains_key(&name) && path.is_file() {
            std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
        }
    }
    remove_stale_identity_center(set, dir)
}

/// Removes the Identity Center files (the layout's names only, see
/// [`file::IDENTITY_CENTER_DIR`]) that this collection did not produce, then the layout's
/// folders left empty. Anything else in those folders stays, and so do the folders holding
/// it. Symbolic links are not followed: a link in the tree is removed as a file would be
/// (when it has a layout name), never what it points to.
fn remove_stale_identity_center(set: &ExportSet, dir: &Path) -> Result<()> {
    use file::permission_set;
    // The entries (relative paths) directly in `parent` that are folders (`want_dir`) or not,
    // whose names pass `keep`; links are not followed.
    let entries = |parent: &str, want_dir: bool, keep: &dyn Fn(&str) -> bool| -> Result<Vec<String>> {
        let path = dir.join(parent);
        if !std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&path).map_err(|e| Error::io(&path, e))? {
            let entry = entry.map_err(|e| Error::io(&path, e))?;
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if let (true, Some(name)) = (is_dir == want_dir, entry.file_name().to_str()) {
                if keep(name) {
                    out.push(format!("{parent}/{name}"));
                }
            }
        }
        Ok(out)
    };
    let folders = |parent: &str, keep: &dyn Fn(&str) -> bool| entries(parent, true, keep);
    // The `<stem>.json` entries (not folders) directly in `parent`.
    let json_files = |parent: &str| {
        entries(parent, false, &|name: &str| {
            name.strip_suffix(".json").is_some_and(file::is_path_segment)
        })
    };
    let mut candidates: Vec<String> = Vec::new();
    // Deepest first, so that a folder is tried only once what it held is gone.
    let mut folders_to_prune: Vec<String> = Vec::new();
    for region in folders(file::IDENTITY_CENTER_DIR, &|n| aws::check_region(n).is_ok())? {
        candidates.push(format!("{region}/instances.json"));
        for instance in folders(&region, &file::is_path_segment)? {
            for leaf in ["permission-sets.json", "users.json", "groups.json"] {
                candidates.push(format!("{instance}/{leaf}"));
            }
            let memberships = format!("{instance}/group-memberships");
            candidates.extend(json_files(&memberships)?);
            let sets = format!("{instance}/permission-sets");
            for ps in folders(&sets, &file::is_path_segment)? {
                candidates.extend(permission_set::FILES.iter().map(|leaf| format!("{ps}/{leaf}")));
                let assignments = format!("{ps}/{}", permission_set::ASSIGNMENTS_DIR);
                candidates.extend(json_files(&assignments)?);
                folders_to_prune.push(assignments);
                folders_to_prune.push(ps);
            }
            folders_to_prune.push(sets);
            folders_to_prune.push(memberships);
            folders_to_prune.push(instance);
        }
        folders_to_prune.push(region);
    }
    folders_to_prune.push(file::IDENTITY_CENTER_DIR.to_string());
    for name in candidates {
        let path = dir.join(&name);
        let present = std::fs::symlink_metadata(&path).is_ok_and(|m| !m.is_dir());
        if present && !set.files.contains_key(&name) {
            std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
        }
    }
    for folder in folders_to_prune {
        // Fails, and is meant to, when the folder still holds something.
        let path = dir.join(&folder);
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
            let _ = std::fs::remove_dir(&path);
        }
    }
    Ok(())
}

/// A few lines saying what was collected.
pub fn summary(set: &ExportSet, dir: &Path) -> String {
    let mut out = String::new();
    let m = set.manifest.clone().unwrap_or_default();
    out.push_str(&format!(
        "Collected account {} (as {}) into {}\n",
        m.account_id.as_deref().unwrap_or("(unknown)"),
        m.caller_arn.as_deref().unwrap_or("(unknown)"),
        dir.display()
    ));
    if let Some(Ok(v)) = set
        .get(file::AUTHORIZATION_DETAILS)
        .map(serde_json::from_slice::<Value>)
    {
        let n = |k: &str| v.get(k).and_then(Value::as_array).map_or(0, Vec::len);
        out.push_str(&format!(
            "  users {}  groups {}  roles {}  managed policies {}\n",
            n("UserDetailList"),
            n("GroupDetailList"),
            n("RoleDetailList"),
            n("Policies")
        ));
    }
    if let Some(line) = identity_center_summary(set) {
        out.push_str(&line);
    }
    if let Some(t) = &m.credential_report_generated_at {
        out.push_str(&format!("  credential report generated at {t}\n"));
    }
    out.push_str(&format!(
        "  files: {}\n",
        set.files.keys().cloned().collect::<Vec<_>>().join(", ")
    ));
    for (name, reason) in &m.not_collected {
        out.push_str(&format!("  not collected: {name}: {reason}\n"));
    }
    out
}

/// `  identity center: instances I  permission sets P  users U  groups G` over every
/// region, when any region's `instances.json` was collected.
fn identity_center_summary(set: &ExportSet) -> Option<String> {
    let prefix = format!("{}/", file::IDENTITY_CENTER_DIR);
    let count = |leaf: &str, key: &str| -> usize {
        set.files
            .iter()
            .filter(|(name, _)| name.starts_with(&prefix) && name.ends_with(leaf))
            .filter_map(|(_, bytes)| serde_json::from_slice::<Value>(bytes).ok())
            .map(|v| v.get(key).and_then(Value::as_array).map_or(0, Vec::len))
            .sum()
    };
    let any = set
        .files
        .keys()
        .any(|name| name.starts_with(&prefix) && name.ends_with("/instances.json"));
    any.then(|| {
        format!(
            "  identity center: instances {}  permission sets {}  users {}  groups {}\n",
            count("/instances.json", "Instances"),
            count("/permission-sets.json", "PermissionSets"),
            count("/users.json", "Users"),
            count("/groups.json", "Groups")
        )
    })
}

/// The result of one optional source.
enum Optional<T> {
    Got(T),
    Failed(String),
}

/// Runs the collection with `clients`: every file, and a manifest (account, caller,
/// credential report time, regions, not-collected reasons; file hashes).
pub async fn collect(clients: &Clients, opts: &Options) -> Result<ExportSet> {
    // Access Analyzer regions run concurrently with each other and with the IAM calls. An
    // early error drops the set, which stops them.
    let mut region_tasks = tokio::task::JoinSet::new();
    for (region, client) in &clients.access_analyzer {
        let (region, client) = (region.clone(), client.clone());
        region_tasks.spawn(async move {
            let result = collect_region(&client, &region).await;
            (region, result)
        });
    }
    // Identity Center too, every region at once (a JoinSet, so that it stops with the set).
    let mut identity_center_task = tokio::task::JoinSet::new();
    {
        let (ic, ic_opts) = (clients.identity_center.clone(), opts.identity_center.clone());
        identity_center_task.spawn(async move { collect_identity_center(&ic, &ic_opts).await });
    }

    let identity = aws::caller_identity(&clients.sts).await?;

    let mut set = ExportSet::default();
    let mut manifest = Manifest::new();
    manifest.source = Some("live".into());
    manifest.account_id = identity.account;
    manifest.caller_arn = identity.arn;
    manifest.regions = clients.access_analyzer.keys().cloned().collect();

    // Start the credential report first: AWS builds it while the other calls run.
    let started = generate_report(&clients.iam).await?;

    let auth = authorization_details(&clients.iam).await?;
    set.files
        .insert(file::AUTHORIZATION_DETAILS.into(), cli_json::pretty(&auth));

    let mut record = |name: &str, result: Optional<Value>| match result {
        Optional::Got(v) => {
            set.files.insert(name.to_string(), cli_json::pretty(&v));
        }
        Optional::Failed(reason) => {
            manifest.not_collected.insert(name.to_string(), reason);
        }
    };
    // `None` is NoSuchEntity: the account has no password policy, so no file.
    if let Some(result) = password_policy(&clients.iam).await? {
        record(file::PASSWORD_POLICY, result);
    }
    record(file::ACCOUNT_SUMMARY, account_summary(&clients.iam).await?);
    record(file::VIRTUAL_MFA_DEVICES, virtual_mfa_devices(&clients.iam).await?);

    let (csv, generated) = credential_report(&clients.iam, opts, started).await?;
    set.files.insert(file::CREDENTIAL_REPORT.into(), csv);
    manifest.credential_report_generated_at = generated;

    let mut regions = BTreeMap::new();
    while let Some(joined) = region_tasks.join_next().await {
        let (region, result) = joined.map_err(|e| {
            Failure::new(
                "ListAnalyzers",
                "InternalError",
                format!("the collection task of a region failed: {e}"),
            )
        })?;
        regions.insert(region, result);
    }
    for result in regions.into_values() {
        let result = result?;
        set.files.extend(result.files);
        manifest.not_collected.extend(result.not_collected);
    }
    while let Some(joined) = identity_center_task.join_next().await {
        let result = joined.map_err(|e| {
            Failure::new(
                "ListInstances",
                "InternalError",
                format!("the Identity Center collection task failed: {e}"),
            )
        })??;
        set.files.extend(result.files);
        manifest.not_collected.extend(result.not_collected);
    }

    for (name, bytes) in &set.files {
        manifest.add_file(name, bytes);
    }
    set.manifest = Some(manifest);
    Ok(set)
}

/// `GetAccountAuthorizationDetails`, every page (`MaxItems` 1000), merged into one
/// document as `aws iam get-account-authorization-details` prints it.
async fn authorization_details(iam: &aws_sdk_iam::Client) -> Result<Value> {
    let (mut users, mut groups, mut roles, mut policies) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut pager = Pager::new("GetAccountAuthorizationDetails", "Marker");
    loop {
        let page = iam
            .get_account_authorization_details()
            .max_items(1000)
            .set_marker(pager.token())
            .send()
            .await
            .map_err(|e| Failure::of("GetAccountAuthorizationDetails", &e))?;
        users.extend(page.user_detail_list().iter().map(cli_json::user_detail));
        groups.extend(page.group_detail_list().iter().map(cli_json::group_detail));
        roles.extend(page.role_detail_list().iter().map(cli_json::role_detail));
        policies.extend(page.policies().iter().map(cli_json::managed_policy));
        if !pager.next(page.is_truncated().then_some(page.marker()).flatten())? {
            break;
        }
    }
    Ok(cli_json::Obj::new()
        .put("UserDetailList", users)
        .put("GroupDetailList", groups)
        .put("RoleDetailList", roles)
        .put("Policies", policies)
        .build())
}

/// `GetAccountPasswordPolicy`: `None` when the account has none (NoSuchEntity).
async fn password_policy(iam: &aws_sdk_iam::Client) -> Result<Option<Optional<Value>>> {
    match iam.get_account_password_policy().send().await {
        Ok(out) => Ok(Some(match out.password_policy() {
            Some(p) => Optional::Got(cli_json::password_policy(p)),
            None => Optional::Failed("InvalidResponse: the response has no PasswordPolicy".into()),
        })),
        Err(e) => {
            let f = Failure::of("GetAccountPasswordPolicy", &e);
            if f.is("NoSuchEntity") {
                Ok(None)
            } else {
                optional_failure(f).map(Some)
            }
        }
    }
}

/// An optional source's failure: recorded when AWS answered (AccessDenied, not
/// implemented, ...); an error when the request got no answer at all.
fn optional_failure<T>(f: Failure) -> Result<Optional<T>> {
    if f.answered {
        Ok(Optional::Failed(f.reason()))
    } else {
        Err(f.into_error())
    }
}

async fn account_summary(iam: &aws_sdk_iam::Client) -> Result<Optional<Value>> {
    match iam.get_account_summary().send().await {
        Ok(out) => Ok(Optional::Got(cli_json::account_summary(out.summary_map()))),
        Err(e) => optional_failure(Failure::of("GetAccountSummary", &e)),
    }
}

/// `ListVirtualMFADevices`, every page, every assignment status (the API's default).
async fn virtual_mfa_devices(iam: &aws_sdk_iam::Client) -> Result<Optional<Value>> {
    let mut devices = Vec::new();
    let mut pager = Pager::new("ListVirtualMFADevices", "Marker");
    loop {
        let page = match iam
            .list_virtual_mfa_devices()
            .max_items(1000)
            .set_marker(pager.token())
            .send()
            .await
        {
            Ok(p) => p,
            Err(e) => return optional_failure(Failure::of("ListVirtualMFADevices", &e)),
        };
        devices.extend(page.virtual_mfa_devices().iter().map(cli_json::virtual_mfa_device));
        if !pager.next(page.is_truncated().then_some(page.marker()).flatten())? {
            break;
        }
    }
    Ok(Optional::Got(
        cli_json::Obj::new().put("VirtualMFADevices", devices).build(),
    ))
}

/// Whether a `GenerateCredentialReport` answer says the report is ready.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReportState {
    Complete,
    Pending,
}

/// One `GenerateCredentialReport` call. LimitExceeded (too many generations at once) is
/// "pending": the caller backs off and asks again.
async fn generate_report(iam: &aws_sdk_iam::Client) -> Result<ReportState> {
    match iam.generate_credential_report().send().await {
        Ok(out) => Ok(match out.state() {
            Some(aws_sdk_iam::types::ReportStateType::Complete) => ReportState::Complete,
            _ => ReportState::Pending,
        }),
        Err(e) => {
            let f = Failure::of("GenerateCredentialReport", &e);
            if f.is("LimitExceeded") {
                Ok(ReportState::Pending)
            } else {
                Err(f.into_error())
            }
        }
    }
}

/// Polls until the credential report is complete, then gets it: the CSV bytes and its
/// `GeneratedTime`. The first call is at once (the report was started before the other
/// calls); before every later call the wait doubles from `report_poll_initial` up to
/// `report_poll_max`. No call starts and no wait ends after `report_max_wait`, whatever
/// the answers (each call itself bounded by the operation timeout), so the loop always
/// ends.
async fn credential_report(
    iam: &aws_sdk_iam::Client,
    opts: &Options,
    first: ReportState,
) -> Result<(Vec<u8>, Option<String>)> {
    let deadline = tokio::time::Instant::now() + opts.report_max_wait;
    let mut delay = opts.report_poll_initial;
    let mut pause = |operation: &str, why: &str| {
        let this = delay;
        delay = (delay * 2).min(opts.report_poll_max);
        if tokio::time::Instant::now() + this > deadline {
            Err(Failure::new(
                operation,
                "Timeout",
                format!(
                    "the credential report was not ready within {} s ({why})",
                    opts.report_max_wait.as_secs_f64()
                ),
            )
            .into_error())
        } else {
            Ok(tokio::time::sleep(this))
        }
    };
    let mut state = first;
    let mut why = String::from("still being generated");
    // `first` was asked before the other calls, which take a while on a large account (the
    // report is often ready by then): the next call is at once, the later ones after a wait.
    let mut at_once = true;
    loop {
        let operation = match state {
            ReportState::Pending => "GenerateCredentialReport",
            ReportState::Complete => "GetCredentialReport",
        };
        if !std::mem::take(&mut at_once) {
            pause(operation, &why)?.await;
        }
        if state == ReportState::Pending {
            state = generate_report(iam).await?;
            why = "still being generated".into();
            at_once = state == ReportState::Complete;
            continue;
        }
        match iam.get_credential_report().send().await {
            Ok(out) => {
                let csv = out.content().map(|b| b.as_ref().to_vec()).ok_or_else(|| {
                    Failure::new("GetCredentialReport", "InvalidResponse", "the response has no Content")
                })?;
                return Ok((csv, out.generated_time().map(cli_json::timestamp_string)));
            }
            Err(e) => {
                let f = Failure::of("GetCredentialReport", &e);
                if f.is("ReportNotPresent") || f.is("ReportExpired") {
                    state = ReportState::Pending;
                } else if !f.is("ReportInProgress") {
                    return Err(f.into_error());
                }
                why = f.reason();
            }
        }
    }
}

/// What one region contributed.
#[derive(Debug, Default)]
struct RegionResult {
    files: BTreeMap<String, Vec<u8>>,
    not_collected: BTreeMap<String, String>,
}

/// `ListAnalyzers` and, for the region's ACTIVE external-access analyzer (ACCOUNT
/// preferred over ORGANIZATION), `ListFindingsV2`. Failures are recorded, not fatal,
/// unless the request got no answer at all.
async fn collect_region(client: &aws_sdk_accessanalyzer::Client, region: &str) -> Result<RegionResult> {
    let mut result = RegionResult::default();
    let analyzers_file = file::analyzers(region);
    let findings_file = file::analyzer_findings(region);

    let mut analyzers = Vec::new();
    let mut pager = Pager::new("ListAnalyzers", "NextToken");
    loop {
        match client.list_analyzers().set_next_token(pager.token()).send().await {
            Ok(page) => {
                analyzers.extend(page.analyzers().iter().cloned());
                if !pager.next(page.next_token())? {
                    break;
                }
            }
            Err(e) => {
                let f = Failure::of("ListAnalyzers", &e);
                if !f.answered {
                    return Err(f.into_error());
                }
                result.not_collected.insert(analyzers_file, f.reason());
                result.not_collected.insert(
                    findings_file,
                    format!("not attempted: ListAnalyzers failed ({})", f.code),
                );
                return Ok(result);
            }
        }
    }
    let listing = cli_json::Obj::new()
        .put(
            "analyzers",
            analyzers.iter().map(cli_json::analyzer).collect::<Vec<_>>(),
        )
        .build();
    result.files.insert(analyzers_file, cli_json::pretty(&listing));

    use aws_sdk_accessanalyzer::types::{AnalyzerStatus, Type};
    let active = |t: Type| {
        analyzers
            .iter()
            .find(|a| *a.status() == AnalyzerStatus::Active && *a.r#type() == t)
    };
    let Some(analyzer) = active(Type::Account).or_else(|| active(Type::Organization)) else {
        // No analyzer of external access: nothing to list (IAM-019 reports the region).
        return Ok(result);
    };

    let mut findings = Vec::new();
    let mut pager = Pager::new("ListFindingsV2", "NextToken");
    loop {
        match client
            .list_findings_v2()
            .analyzer_arn(analyzer.arn())
            .set_next_token(pager.token())
            .send()
            .await
        {
            Ok(page) => {
                findings.extend(page.findings().iter().map(cli_json::finding));
                if !pager.next(page.next_token())? {
                    break;
                }
            }
            Err(e) => {
                let f = Failure::of("ListFindingsV2", &e);
                if !f.answered {
                    return Err(f.into_error());
                }
                result.not_collected.insert(findings_file, f.reason());
                return Ok(result);
            }
        }
    }
    result.files.insert(
        findings_file,
        cli_json::pretty(&cli_json::Obj::new().put("findings", findings).build()),
    );
    Ok(result)
}
