//! The live side of an organization run (built with the `aws` feature): the clients of
//! the account the run starts from, `ListAccounts`, assuming the role in each member
//! account, and collecting and auditing the accounts concurrently.

use std::sync::Arc;

pub use aws_config::SdkConfig;
use aws_sdk_iam::config::{Credentials, SharedCredentialsProvider};

use super::{collect_organization, OrgCollectOptions, OrganizationData};
use super::{role_arn, validate_external_id, validate_role_name, AccountRun, OrgAccount, Progress};
use super::{DEFAULT_CONCURRENCY, DEFAULT_ROLE_NAME, SESSION_NAME};
use crate::account::collect::{self, Clients, Options};
use crate::account::{Account, ExportSet};
use crate::api::{self, Audit};
use crate::aws::{self, Failure, Pager};
use crate::config::LoadedConfig;
use crate::error::Field;
use crate::{Error, Result};

/// The clients of the account the run starts from (the organization's management account
/// or a delegated administrator).
#[derive(Debug, Clone)]
pub struct OrgClients {
    /// AWS Organizations, for `ListAccounts`.
    pub organizations: aws_sdk_organizations::Client,
    /// STS, for `GetCallerIdentity` and `AssumeRole`.
    pub sts: aws_sdk_sts::Client,
}

impl OrgClients {
    /// Clients from `config`.
    pub fn new(config: &SdkConfig) -> OrgClients {
        OrgClients {
            organizations: aws_sdk_organizations::Client::from_conf(aws::organizations(config).build()),
            sts: aws_sdk_sts::Client::from_conf(aws::sts(config).build()),
        }
    }
}

/// How an organization run goes.
#[derive(Debug, Clone)]
pub struct OrgOptions {
    /// The role assumed in each account.
    pub role_name: String,
    /// The external ID the role's trust policy asks for, if any.
    pub external_id: Option<String>,
    /// How many accounts are worked on at the same time (at least 1).
    pub concurrency: usize,
    /// Access Analyzer regions collected in each account (empty: the configuration's region).
    pub regions: Vec<String>,
    /// The collector's tunables.
    pub collect: Options,
    /// The IDs of every account of the organization ([`list_accounts`]; also those not
    /// selected): each account's audit counts them as the organization's (IAM-028).
    pub organization: Vec<String>,
    /// How the organization's own data (its tree and policies) is collected.
    pub org_data: OrgCollectOptions,
}

impl Default for OrgOptions {
    fn default() -> Self {
        OrgOptions {
            role_name: DEFAULT_ROLE_NAME.into(),
            external_id: None,
            concurrency: DEFAULT_CONCURRENCY,
            regions: Vec::new(),
            collect: Options::default(),
            organization: Vec::new(),
            org_data: OrgCollectOptions::default(),
        }
    }
}

impl OrgOptions {
    /// Checks the role name, external ID, concurrency and regions.
    pub fn validate(&self) -> Result<()> {
        validate_role_name(&self.role_name)?;
        aws::check_regions(Field::Regions, &self.regions)?;
        if let Some(id) = &self.external_id {
            validate_external_id(id)?;
        }
        if self.concurrency == 0 {
            return Err(Error::field(Field::Concurrency, "must be at least 1"));
        }
        Ok(())
    }
}

/// The caller of an organization run: its account and the partition of its ARN (`aws`,
/// `aws-us-gov`, `aws-cn`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The caller's account ID.
    pub account: String,
    /// The caller's ARN.
    pub arn: String,
    /// The partition, from the ARN.
    pub partition: String,
}

/// Who runs the organization run, and in which partition ([`aws::caller_identity`]).
pub async fn caller(sts: &aws_sdk_sts::Client) -> Result<Caller> {
    let identity = aws::caller_identity(sts).await?;
    Ok(Caller {
        partition: identity.partition()?,
        account: identity.account.unwrap_or_default(),
        arn: identity.arn.unwrap_or_default(),
    })
}

/// The organization's ACTIVE accounts (`ListAccounts`, every page), sorted by account ID.
pub async fn list_accounts(organizations: &aws_sdk_organizations::Client) -> Result<Vec<OrgAccount>> {
    use aws_sdk_organizations::types::{AccountState, AccountStatus};
    let mut accounts = Vec::new();
    let mut pager = Pager::new("ListAccounts", "NextToken");
    loop {
        let page = organizations
            .list_accounts()
            .set_next_token(pager.token())
            .send()
            .await
            .map_err(|e| Failure::of("ListAccounts", &e))?;
        for a in page.accounts() {
            // `State` replaces `Status`; older answers have only `Status`.
            let active = match a.state() {
                Some(state) => *state == AccountState::Active,
                None => a.status() == Some(&AccountStatus::Active),
            };
            if let (true, Some(id)) = (active, a.id()) {
                accounts.push(OrgAccount {
                    id: id.to_string(),
                    name: a.name().unwrap_or_default().to_string(),
                });
            }
        }
        if !pager.next(page.next_token())? {
            break;
        }
    }
    accounts.sort();
    accounts.dedup_by(|a, b| a.id == b.id);
    Ok(accounts)
}

/// Assumes the role in `account`: the account's own SDK configuration (the base
/// configuration with the role's temporary credentials), or the STS error (operation,
/// code, message and endpoint). The caller's own account is worked on with the caller's credentials: there
/// is nothing to assume (the management account has no OrganizationAccountAccessRole).
async fn account_config(
    clients: &OrgClients,
    base: &SdkConfig,
    caller: &Caller,
    account: &OrgAccount,
    opts: &OrgOptions,
) -> std::result::Result<SdkConfig, String> {
    if account.id == caller.account {
        return Ok(base.clone());
    }
    let arn = role_arn(&caller.partition, &account.id, &opts.role_name);
    let out = clients
        .sts
        .assume_role()
        .role_arn(&arn)
        .role_session_name(SESSION_NAME)
        .set_external_id(opts.external_id.clone())
        .send()
        .await
        .map_err(|e| Failure::of("AssumeRole", &e).into_error().to_string())?;
    let creds = out
        .credentials()
        .ok_or_else(|| format!("InvalidResponse: AssumeRole of {arn} returned no credentials"))?;
    let expiry = std::time::SystemTime::try_from(*creds.expiration()).ok();
    let credentials = Credentials::new(
        creds.access_key_id(),
        creds.secret_access_key(),
        Some(creds.session_token().to_string()),
        expiry,
        "hipaa-iam-assume-role",
    );
    Ok(base
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .retry_config(aws::retry_config())
        .build())
}

/// The organization's IAM Identity Center instance, read once with the credentials the run
/// starts from (the management account or a delegated administrator) in the run's regions
/// ([`collect::collection_regions`]). Each account's own collection leaves
/// Identity Center out ([`collect_account`]).
pub async fn identity_center(base: &SdkConfig, opts: &OrgOptions) -> Result<collect::IdentityCenterFiles> {
    // Without any region there is nothing to read here; each account's collection says so.
    let regions = if opts.regions.is_empty() && base.region().is_none() {
        Vec::new()
    } else {
        collect::collection_regions(base, &opts.regions)?
    };
    let clients = collect::IdentityCenterClients::for_regions(base, &regions, None)?;
    collect::collect_identity_center(&clients, &opts.collect.identity_center).await
}

/// Collects one account: assume the role, build the account's clients (their own retry
/// partition), run the collector. Identity Center is the organization's, read once
/// ([`identity_center`]): not per account.
async fn collect_account(
    clients: &OrgClients,
    base: &SdkConfig,
    caller: &Caller,
    account: &OrgAccount,
    opts: &OrgOptions,
) -> std::result::Result<ExportSet, String> {
    let config = account_config(clients, base, caller, account, opts).await?;
    let mut account_clients = Clients::for_account(&config, &opts.regions, &account.id).map_err(|e| e.to_string())?;
    account_clients.identity_center.clear();
    let set = collect::collect(&account_clients, &opts.collect)
        .await
        .map_err(|e| e.to_string())?;
    // The credentials must be the account's: a role that lands elsewhere is an error.
    let got = set.manifest.as_ref().and_then(|m| m.account_id.clone());
    match got {
        Some(id) if id != account.id => Err(format!(
            "WrongAccount: the credentials for account {} belong to account {id}",
            account.id
        )),
        _ => Ok(set),
    }
}

/// Runs `work` on the collected data of every account in `accounts`, at most
/// `opts.concurrency` accounts at a time, each with its own assumed-role credentials.
/// Returns every account with its result, sorted by account ID. Errors of the run as a
/// whole (the caller's identity) are returned as such; an account's errors are its own.
pub async fn run<T, F>(
    clients: &OrgClients,
    base: &SdkConfig,
    accounts: &[OrgAccount],
    opts: &OrgOptions,
    progress: Arc<dyn Progress>,
    work: F,
) -> Result<Vec<(OrgAccount, std::result::Result<T, String>)>>
where
    T: Send + 'static,
    F: Fn(&OrgAccount, ExportSet) -> std::result::Result<T, String> + Send + Sync + 'static,
{
    opts.validate()?;
    let caller = Arc::new(caller(&clients.sts).await?);
    let semaphore = Arc::new(tokio::sync::Semaphore::new(opts.concurrency));
    let work = Arc::new(work);
    let mut tasks = tokio::task::JoinSet::new();
    for account in accounts.iter().cloned() {
        let (clients, base, caller, opts) = (clients.clone(), base.clone(), caller.clone(), opts.clone());
        let (semaphore, work, progress) = (semaphore.clone(), work.clone(), progress.clone());
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            progress.started(&account);
            let result = match collect_account(&clients, &base, &caller, &account, &opts).await {
                Ok(set) => (*work)(&account, set),
                Err(e) => Err(e),
            };
            progress.finished(&account, result.is_ok());
            (account, result)
        });
    }
    let mut results = Vec::with_capacity(accounts.len());
    while let Some(joined) = tasks.join_next().await {
        results.push(joined.map_err(|e| Error::InvalidArgument(format!("an account's task failed: {e}")))?);
    }
    results.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(results)
}

/// Audits every account of `accounts` (see [`run`]) with `config` and `only` (check IDs),
/// the same audit [`api::audit`] runs for one account, except that each account's audit
/// counts `opts.organization` (when empty, `accounts`) as the organization's accounts and
/// is under the organization's service and resource control policies, collected first with
/// the caller's credentials ([`collect_organization`]; unknown, with the reason, where they
/// cannot be read).
pub async fn audit(
    clients: &OrgClients,
    base: &SdkConfig,
    accounts: &[OrgAccount],
    opts: &OrgOptions,
    config: &LoadedConfig,
    only: Option<&[String]>,
    progress: Arc<dyn Progress>,
) -> Result<Vec<AccountRun>> {
    let only = only.map(crate::checks::parse_ids).transpose()?;
    let config = config.clone();
    let organization = if opts.organization.is_empty() {
        accounts.iter().map(|a| a.id.clone()).collect()
    } else {
        opts.organization.clone()
    };
    opts.validate()?;
    let files = collect_organization(&clients.organizations, &opts.org_data).await?;
    let data = std::sync::Arc::new(OrganizationData::from_files(&files));
    let ic = identity_center(base, opts).await?;
    let ic = std::sync::Arc::new(super::identity_center::SharedIdentityCenter::from_files(
        ic.files,
        ic.not_collected,
        Some(caller(&clients.sts).await?.account),
    )?);
    let results = run(clients, base, accounts, opts, progress, move |account, set| {
        let source = format!("live (account {})", account.id);
        let policies = data.policies_of(&account.id);
        audit_set(
            &set,
            source,
            config.clone(),
            only.as_deref(),
            &organization,
            policies,
            &ic,
        )
        .map_err(|e| e.to_string())
    })
    .await?;
    Ok(results
        .into_iter()
        .map(|(account, result)| AccountRun {
            id: account.id,
            name: account.name,
            result,
        })
        .collect())
}

/// Audits one collected account.
fn audit_set(
    set: &ExportSet,
    source: String,
    config: LoadedConfig,
    only: Option<&[String]>,
    organization: &[String],
    policies: crate::account::OrgPolicies,
    identity_center: &super::identity_center::SharedIdentityCenter,
) -> Result<Audit> {
    let mut account = Account::from_exports(set)?;
    account.organization_accounts = organization.to_vec();
    account.organization = policies;
    if let Some(id) = account.account_id.clone() {
        identity_center.attach(&mut account, &id);
    }
    Ok(api::audit_account(account, source, config, only))
}
