//! Organization runs: every ACTIVE member account of an AWS Organization, each collected
//! with its own assumed-role credentials and audited with the one collector and the one
//! set of checks.
//!
//! The steps: [`list_accounts`] (`organizations:ListAccounts`, every page), [`select`]
//! (`--accounts`, `--shard I/N`), then [`run`] assumes the role in each selected account
//! (`sts:AssumeRole`, the partition taken from the caller's identity) and runs
//! [`collect`](crate::account::collect::collect) with clients built from those
//! credentials, at most `concurrency` accounts at a time. Each account has its own SDK
//! configuration and its own retry budget, so one throttled account does not slow the
//! others. An account whose role cannot be assumed, or whose collection fails, gets an
//! error naming what failed; the others go on.
//!
//! The organization and STS clients are passed in ([`OrgClients`]) so that tests can hand
//! in mocked ones. The live steps are built with the `aws` feature; selecting accounts
//! and auditing a directory made by `collect --org` need no AWS.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use crate::account::Account;
use crate::api;
use crate::config::LoadedConfig;
use crate::error::Field;
use crate::{Error, Result};

#[cfg(feature = "aws")]
mod collect;
mod data;
mod evidence;
pub mod identity_center;
#[cfg(feature = "aws")]
mod live;
mod merge;

#[cfg(feature = "aws")]
pub use collect::{collect_organization, OrgCollectOptions, CONCURRENT_POLICIES};
pub use data::{
    is_ou_id, is_policy_id, is_root_id, org_file, policy_type, read_collected_organization, OrgFiles, OrganizationData,
    ORG_DIR,
};
pub use evidence::{write_org_evidence, AccountRun};
#[cfg(feature = "aws")]
pub use live::*;
pub use merge::{merge, MergeOutcome};

/// The role assumed in each member account when none is given: the one AWS Organizations
/// creates in the accounts it creates.
pub const DEFAULT_ROLE_NAME: &str = "OrganizationAccountAccessRole";

/// The session name of every assumed role (it shows in the member accounts' CloudTrail).
pub const SESSION_NAME: &str = "hipaa-iam-audit";

/// The default number of accounts worked on at the same time.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// A member account of the organization.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct OrgAccount {
    /// The 12-digit account ID.
    pub id: String,
    /// The account's name in AWS Organizations (empty when unknown).
    pub name: String,
}

/// `--shard I/N`: the I-th (1-based) of N shards. Shard I takes the accounts at positions
/// I, I+N, I+2N, ... (1-based) of the list sorted by account ID, so N jobs with shards
/// 1/N .. N/N cover every account exactly once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based index, 1 ..= count.
    pub index: usize,
    /// The number of shards, at least 1.
    pub count: usize,
}

impl FromStr for Shard {
    type Err = Error;

    fn from_str(s: &str) -> Result<Shard> {
        let bad = |why: &str| Error::field(Field::Shard, format!("`{s}` {why}"));
        let (i, n) = s
            .trim()
            .split_once('/')
            .ok_or_else(|| bad("is not I/N (e.g. 1/4: the first of 4 shards)"))?;
        let parse = |part: &str, what: &str| {
            part.trim()
                .parse::<usize>()
                .map_err(|_| bad(&format!("has {what} `{part}`, which is not a whole number")))
        };
        let (index, count) = (parse(i, "shard number")?, parse(n, "shard count")?);
        if count == 0 {
            return Err(bad("has a shard count of 0; it must be at least 1"));
        }
        if index == 0 || index > count {
            return Err(bad(&format!("has shard number {index}; it must be from 1 to {count}")));
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

pub use crate::account::is_account_id;

/// Validates the `--accounts` list: every item a 12-digit account ID (duplicates removed).
pub fn parse_account_ids(list: &[String]) -> Result<Vec<String>> {
    let mut ids = BTreeSet::new();
    for item in list {
        let id = item.trim();
        if !is_account_id(id) {
            return Err(Error::field(
                Field::Accounts,
                format!("`{item}` is not a 12-digit AWS account ID"),
            ));
        }
        ids.insert(id.to_string());
    }
    Ok(ids.into_iter().collect())
}

/// The accounts to work on: `accounts` (all when empty; every ID must be in `all`),
/// sorted by account ID, then the `shard`'s share of them.
pub fn select(all: &[OrgAccount], accounts: &[String], shard: Option<Shard>) -> Result<Vec<OrgAccount>> {
    let mut sorted = all.to_vec();
    sorted.sort();
    sorted.dedup_by(|a, b| a.id == b.id);
    let wanted = parse_account_ids(accounts)?;
    if !wanted.is_empty() {
        let missing: Vec<&str> = wanted
            .iter()
            .filter(|id| !sorted.iter().any(|a| &a.id == *id))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            return Err(Error::field(
                Field::Accounts,
                format!(
                    "{} {} not an active account of the organization",
                    missing.join(", "),
                    if missing.len() == 1 { "is" } else { "are" }
                ),
            ));
        }
        sorted.retain(|a| wanted.contains(&a.id));
    }
    Ok(match shard {
        Some(s) => sorted
            .into_iter()
            .enumerate()
            .filter(|(i, _)| i % s.count == s.index - 1)
            .map(|(_, a)| a)
            .collect(),
        None => sorted,
    })
}

/// Validates `--role-name`: an IAM role name, optionally with a path (`path/name`).
pub fn validate_role_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 512
        && !name.starts_with('/')
        && !name.ends_with('/')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-/".contains(c));
    if ok {
        Ok(())
    } else {
        Err(Error::field(
            Field::RoleName,
            format!("`{name}` is not an IAM role name (letters, digits and +=,.@_- , optionally path/name)"),
        ))
    }
}

/// Validates `--external-id`: 2 to 1224 characters of letters, digits and `+=,.@:/-_`.
pub fn validate_external_id(id: &str) -> Result<()> {
    let ok = (2..=1224).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@:/-_".contains(c));
    if ok {
        Ok(())
    } else {
        Err(Error::field(
            Field::ExternalId,
            "must be 2 to 1224 characters of letters, digits and +=,.@:/-_",
        ))
    }
}

/// Told as accounts start and finish (a progress bar, or nothing).
pub trait Progress: Send + Sync {
    /// Work on `account` started.
    fn started(&self, account: &OrgAccount);
    /// Work on `account` finished (`ok` false: it ended in an error).
    fn finished(&self, account: &OrgAccount, ok: bool);
}

/// A [`Progress`] that says nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Quiet;

impl Progress for Quiet {
    fn started(&self, _: &OrgAccount) {}
    fn finished(&self, _: &OrgAccount, _: bool) {}
}

pub use crate::aws::partition_of;

/// The ARN of `role_name` in `account`.
pub fn role_arn(partition: &str, account: &str, role_name: &str) -> String {
    format!("arn:{partition}:iam::{account}:role/{role_name}")
}

/// The listing `collect --org` writes at the top of its directory: every selected account,
/// and for those that could not be collected, the error.
pub const LISTING: &str = "accounts.json";

/// One entry of [`LISTING`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ListedAccount {
    /// The 12-digit account ID (its data is in `<dir>/<id>/` when there is no error).
    pub id: String,
    /// The account's name in AWS Organizations.
    #[serde(default)]
    pub name: String,
    /// Why the account could not be collected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The document of [`LISTING`].
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Listing {
    /// The accounts, sorted by ID.
    pub accounts: Vec<ListedAccount>,
    /// The IDs of every active account of the organization when it was collected (also
    /// those `--accounts` or `--shard` left out), sorted: the accounts each account's audit
    /// counts as the organization's (IAM-028). Absent in a listing written before it was
    /// recorded: the listed accounts count then.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub organization: Vec<String>,
}

/// Writes [`LISTING`] into `dir` (to a temporary name, then renamed).
pub fn write_listing(dir: &std::path::Path, listing: &Listing) -> Result<()> {
    let mut text = serde_json::to_string_pretty(listing)
        .map_err(|e| Error::InvalidArgument(format!("cannot serialise {LISTING}: {e}")))?;
    text.push('\n');
    crate::manifest::write_atomic(&dir.join(LISTING), text.as_bytes())
}

/// The accounts of a directory made by `collect --org`: those of its [`LISTING`] (with
/// their names and errors; other account directories, left by an earlier collection, are
/// not part of it), or without a listing every `<12-digit-id>/` subdirectory; sorted by ID.
pub fn read_collected(dir: &std::path::Path) -> Result<Vec<ListedAccount>> {
    read_listing(dir).map(|l| l.accounts)
}

/// [`read_collected`]'s accounts, and the organization's account IDs: the listing's
/// `organization`, else every account listed.
fn read_listing(dir: &std::path::Path) -> Result<Listing> {
    if !dir.is_dir() {
        return Err(Error::field(
            Field::ExportsDir,
            format!(
                "{} is not a directory (make one with `hipaa-iam collect --org --output DIR`)",
                dir.display()
            ),
        ));
    }
    let mut accounts: std::collections::BTreeMap<String, ListedAccount> = std::collections::BTreeMap::new();
    let mut organization = Vec::new();
    let listing_path = dir.join(LISTING);
    if listing_path.is_file() {
        let bytes = crate::input::read_file(&listing_path, crate::manifest::MAX_MANIFEST_BYTES)?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        let listing: Listing = serde_path_to_error::deserialize(de)
            .map_err(|e| Error::input(&listing_path, e.path().to_string(), e.inner().to_string()))?;
        for (i, a) in listing.accounts.into_iter().enumerate() {
            if !is_account_id(&a.id) {
                return Err(Error::input(
                    &listing_path,
                    format!("accounts[{i}].id"),
                    format!("`{}` is not a 12-digit AWS account ID", a.id),
                ));
            }
            accounts.insert(a.id.clone(), a);
        }
        for (i, id) in listing.organization.into_iter().enumerate() {
            if !is_account_id(&id) {
                return Err(Error::input(
                    &listing_path,
                    format!("organization[{i}]"),
                    format!("`{id}` is not a 12-digit AWS account ID"),
                ));
            }
            organization.push(id);
        }
    }
    // Without a listing (a directory put together by hand), every account directory.
    let entries = if listing_path.is_file() {
        Vec::new()
    } else {
        std::fs::read_dir(dir)
            .map_err(|e| Error::io(dir, e))?
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| Error::io(dir, e))?
    };
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_account_id(&name) && entry.path().is_dir() {
            accounts.entry(name.clone()).or_insert(ListedAccount {
                id: name,
                name: String::new(),
                error: None,
            });
        }
    }
    if accounts.is_empty() {
        return Err(Error::field(
            Field::ExportsDir,
            format!(
                "{} has no account directories (<12-digit account ID>/) and no {LISTING}; \
                 make it with `hipaa-iam collect --org --output DIR`",
                dir.display()
            ),
        ));
    }
    if organization.is_empty() {
        organization = accounts.keys().cloned().collect();
    }
    organization.sort();
    organization.dedup();
    Ok(Listing {
        accounts: accounts.into_values().collect(),
        organization,
    })
}

/// When `exports` is an account's directory inside a directory made by `collect --org`
/// (`<dir>/<id>/`, `<dir>` holding [`LISTING`] that lists `<id>`), puts the account under its
/// organization: the organization's accounts, the policies of `<dir>/organization/`
/// ([`read_collected_organization`]) and its Identity Center instance of
/// `<dir>/identity-center/` ([`identity_center::read`]). Returns whether it did; another
/// directory is left alone. The access queries use it, so that an account collected with its
/// organization is judged under its service control policies and names who signs in as the
/// roles Identity Center provisioned.
pub fn attach_collected_organization(account: &mut Account, exports: &std::path::Path) -> Result<bool> {
    let Some((top, id)) = exports
        .parent()
        .zip(exports.file_name().and_then(|n| n.to_str()))
        .filter(|(_, id)| is_account_id(id))
    else {
        return Ok(false);
    };
    let top = if top.as_os_str().is_empty() {
        std::path::Path::new(".")
    } else {
        top
    };
    if !top.join(LISTING).is_file() {
        return Ok(false);
    }
    let listing = read_listing(top)?;
    if !listing.accounts.iter().any(|a| a.id == id) {
        return Ok(false);
    }
    account.organization_accounts = listing.organization;
    account.organization = read_collected_organization(top)?.policies_of(id);
    identity_center::read(top)?.attach(account, id);
    Ok(true)
}

/// Audits the accounts of a directory made by `collect --org` without calling AWS:
/// `<dir>/<id>/` for each selected account, under the organization's policies of
/// `<dir>/organization/` ([`read_collected_organization`]); an account the collection could
/// not collect keeps its error.
pub fn audit_collected(
    dir: &std::path::Path,
    accounts: &[String],
    shard: Option<Shard>,
    config: &LoadedConfig,
    only: Option<&[String]>,
    progress: &dyn Progress,
) -> Result<Vec<AccountRun>> {
    let only = only.map(crate::checks::parse_ids).transpose()?;
    let Listing {
        accounts: listed,
        organization,
    } = read_listing(dir)?;
    let all: Vec<OrgAccount> = listed
        .iter()
        .map(|a| OrgAccount {
            id: a.id.clone(),
            name: a.name.clone(),
        })
        .collect();
    let selected = select(&all, accounts, shard)?;
    let org_data = read_collected_organization(dir)?;
    let identity_center = identity_center::read(dir)?;
    let mut runs = Vec::with_capacity(selected.len());
    for account in selected {
        progress.started(&account);
        let error = listed.iter().find(|a| a.id == account.id).and_then(|a| a.error.clone());
        let result = match error {
            Some(e) => Err(e),
            None => {
                let sub = dir.join(&account.id);
                match Account::read_dir(&sub) {
                    Ok(mut a) => {
                        a.organization_accounts = organization.clone();
                        a.organization = org_data.policies_of(&account.id);
                        identity_center.attach(&mut a, &account.id);
                        match &a.account_id {
                            // The directory must hold the data of the account it is named after.
                            Some(found) if *found != account.id => Err(format!(
                                "WrongAccount: {} holds the data of account {found}",
                                sub.display()
                            )),
                            _ => Ok(api::audit_account(
                                a,
                                sub.display().to_string(),
                                config.clone(),
                                only.as_deref(),
                            )),
                        }
                    }
                    Err(e) => Err(e.to_string()),
                }
            }
        };
        progress.finished(&account, result.is_ok());
        runs.push(AccountRun {
            id: account.id,
            name: account.name,
            result,
        });
    }
    Ok(runs)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn accounts(ids: &[&str]) -> Vec<OrgAccount> {
        ids.iter()
            .map(|id| OrgAccount {
                id: id.to_string(),
                name: format!("name-{id}"),
            })
            .collect()
    }

    fn ids(list: &[OrgAccount]) -> Vec<&str> {
        list.iter().map(|a| a.id.as_str()).collect()
    }

    const FIVE: [&str; 5] = [
        "555555555555",
        "111111111111",
        "333333333333",
        "222222222222",
        "444444444444",
    ];

    #[test]
    fn shard_parses_and_rejects_with_the_argument_named() {
        assert_eq!("2/3".parse::<Shard>().unwrap(), Shard { index: 2, count: 3 });
        assert_eq!(" 1/1 ".parse::<Shard>().unwrap(), Shard { index: 1, count: 1 });
        for (bad, why) in [
            ("0/2", "from 1 to 2"),
            ("3/2", "from 1 to 2"),
            ("1/0", "at least 1"),
            ("1-2", "is not I/N"),
            ("a/2", "not a whole number"),
            ("1/", "not a whole number"),
            ("-1/2", "not a whole number"),
        ] {
            let e = bad.parse::<Shard>().unwrap_err().to_string();
            assert!(e.starts_with("shard: "), "{bad}: {e}");
            assert!(e.contains(bad.trim()) && e.contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn select_sorts_and_shards_into_disjoint_sets_that_cover_all() {
        let all = accounts(&FIVE);
        let everything = select(&all, &[], None).unwrap();
        assert_eq!(
            ids(&everything),
            [
                "111111111111",
                "222222222222",
                "333333333333",
                "444444444444",
                "555555555555"
            ]
        );
        for n in 1..=7 {
            let mut union = Vec::new();
            for i in 1..=n {
                let part = select(&all, &[], Some(Shard { index: i, count: n })).unwrap();
                union.extend(part.into_iter().map(|a| a.id));
            }
            let mut sorted = union.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), union.len(), "n={n}: an account is in two shards");
            assert_eq!(sorted, ids(&everything), "n={n}");
        }
        // Every N-th of the sorted list, 1-based.
        let first = select(&all, &[], Some(Shard { index: 1, count: 2 })).unwrap();
        assert_eq!(ids(&first), ["111111111111", "333333333333", "555555555555"]);
        let second = select(&all, &[], Some(Shard { index: 2, count: 2 })).unwrap();
        assert_eq!(ids(&second), ["222222222222", "444444444444"]);
        assert_eq!(second[0].name, "name-222222222222");
    }

    #[test]
    fn select_restricts_to_accounts_then_shards() {
        let all = accounts(&FIVE);
        let some = select(&all, &["444444444444".into(), "222222222222".into()], None).unwrap();
        assert_eq!(ids(&some), ["222222222222", "444444444444"]);
        let wanted = ["555555555555".into(), "111111111111".into(), "333333333333".into()];
        let shard = select(&all, &wanted, Some(Shard { index: 2, count: 2 })).unwrap();
        assert_eq!(ids(&shard), ["333333333333"]);
    }

    #[test]
    fn accounts_not_in_the_organization_or_malformed_are_errors_naming_them() {
        let all = accounts(&FIVE);
        let e = select(&all, &["111111111111".into(), "999999999999".into()], None)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("accounts: 999999999999 is not"), "{e}");
        assert!(!e.contains("111111111111"), "{e}");
        let e = select(&all, &["12345".into()], None).unwrap_err().to_string();
        assert_eq!(e, "accounts: `12345` is not a 12-digit AWS account ID");
        let e = parse_account_ids(&["1234567890ab".into()]).unwrap_err().to_string();
        assert!(e.contains("`1234567890ab`"), "{e}");
    }

    #[cfg(feature = "aws")]
    #[test]
    fn options_are_validated_naming_the_argument() {
        let ok = OrgOptions::default();
        ok.validate().unwrap();
        let e = OrgOptions {
            concurrency: 0,
            ..OrgOptions::default()
        }
        .validate()
        .unwrap_err()
        .to_string();
        assert_eq!(e, "concurrency: must be at least 1");
        for bad in ["", "bad name", "/lead", "role;rm", "trail/"] {
            let e = validate_role_name(bad).unwrap_err().to_string();
            assert!(e.starts_with("role_name: "), "{bad}: {e}");
        }
        validate_role_name("audit/HipaaAudit").unwrap();
        validate_role_name("OrganizationAccountAccessRole").unwrap();
        assert!(validate_external_id("x")
            .unwrap_err()
            .to_string()
            .starts_with("external_id: "));
        assert!(validate_external_id("a b").is_err());
        validate_external_id("customer-1234:prod").unwrap();
    }

    #[test]
    fn partition_comes_from_the_arn() {
        assert_eq!(
            partition_of("arn:aws-us-gov:iam::123456789012:user/a").as_deref(),
            Some("aws-us-gov")
        );
        assert_eq!(
            partition_of("arn:aws:sts::123456789012:assumed-role/r/s").as_deref(),
            Some("aws")
        );
        assert_eq!(partition_of("not-an-arn"), None);
        assert_eq!(
            role_arn("aws-us-gov", "111111111111", "OrganizationAccountAccessRole"),
            "arn:aws-us-gov:iam::111111111111:role/OrganizationAccountAccessRole"
        );
    }
}
