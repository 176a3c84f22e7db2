//! The checks: pure functions of the account data and the configuration.
//!
//! Each check is one [`Check`]: its catalogue metadata and its function, defined together
//! as a `static` in its family's file (`password.rs`, `mfa.rs`, ...), which lists its
//! checks in its `CHECKS`. [`CATALOGUE`] gathers the families' checks in ID order;
//! [`audit`] runs them, applies the configured exceptions and returns the [`AuditReport`]
//! every face prints.

mod analyzer;
mod credentials;
mod enforcement;
mod escalation;
mod identity_center;
mod mfa;
mod organization;
mod password;
mod policies;
mod root;
mod trust;
mod users;

pub(crate) use enforcement::mfa_gaps;
pub(crate) use identity_center::permission_set_admin;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use crate::account::{Account, Collected, CredentialRow, User};
use crate::config::Config;
use crate::findings::{AppliedException, AttestationRecord, AuditReport, Check, Finding, Status};
pub(crate) use crate::text::listed;
use crate::{Error, Result};

/// Every family's checks; a family file lists its own.
const FAMILIES: &[&[&Check]] = &[
    password::CHECKS,
    mfa::CHECKS,
    enforcement::CHECKS,
    users::CHECKS,
    policies::CHECKS,
    escalation::CHECKS,
    credentials::CHECKS,
    root::CHECKS,
    analyzer::CHECKS,
    trust::CHECKS,
    organization::CHECKS,
    identity_center::CHECKS,
];

/// The check families by name (their files under `checks/`), each with its checks: the
/// workbook's sheet per family.
pub fn families() -> [(&'static str, &'static [&'static Check]); 12] {
    [
        ("Password", password::CHECKS),
        ("MFA", mfa::CHECKS),
        ("MFA enforcement", enforcement::CHECKS),
        ("Users", users::CHECKS),
        ("Policies", policies::CHECKS),
        ("Privilege escalation", escalation::CHECKS),
        ("Credentials", credentials::CHECKS),
        ("Root", root::CHECKS),
        ("Access Analyzer", analyzer::CHECKS),
        ("Role trust", trust::CHECKS),
        ("Organization", organization::CHECKS),
        ("Identity Center", identity_center::CHECKS),
    ]
}

/// Every check, in ID order (docs/checks.md).
pub static CATALOGUE: LazyLock<Vec<&'static Check>> = LazyLock::new(|| {
    let mut all: Vec<&'static Check> = FAMILIES.iter().flat_map(|f| f.iter().copied()).collect();
    all.sort_by_key(|c| c.id);
    all
});

/// The position of check `id` (exact) in the [`CATALOGUE`], in constant time.
pub fn position(id: &str) -> Option<usize> {
    static INDEX: LazyLock<std::collections::HashMap<&'static str, usize>> =
        LazyLock::new(|| CATALOGUE.iter().enumerate().map(|(i, c)| (c.id, i)).collect());
    INDEX.get(id).copied()
}

/// The catalogue entry of `id` (case-insensitive).
pub fn info(id: &str) -> Option<&'static Check> {
    CATALOGUE.iter().copied().find(|c| c.id.eq_ignore_ascii_case(id))
}

/// Every check ID, in catalogue order.
pub fn ids() -> Vec<&'static str> {
    CATALOGUE.iter().map(|c| c.id).collect()
}

/// `IAM-001 ... IAM-023`: the first and last IDs of the catalogue.
pub fn id_range() -> String {
    match (CATALOGUE.first(), CATALOGUE.last()) {
        (Some(first), Some(last)) => format!("{} ... {}", first.id, last.id),
        _ => String::new(),
    }
}

/// Parses a list of check IDs given by a user (`IAM-002,IAM-004`): each must be in the
/// catalogue; the error names the first unknown one. Returns the canonical IDs.
pub fn parse_ids(list: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for raw in list {
        let id = raw.trim();
        if id.is_empty() {
            continue;
        }
        match info(id) {
            Some(c) => out.push(c.id.to_string()),
            None => {
                return Err(Error::InvalidArgument(format!(
                    "unknown check ID {id:?} (known: {}; see `hipaa-iam checks`)",
                    id_range()
                )))
            }
        }
    }
    Ok(out)
}

/// Runs the checks (all, or those in `only`) minus the configured `skip_checks` and
/// returns their findings, in catalogue order and then by resource name. Exceptions are
/// not applied (see [`audit`]).
///
/// The checks are pure functions of the account: they run on as many threads as the
/// machine has cores (each takes the next check not yet taken), and their findings are
/// put together in catalogue order, so the result never depends on the threads.
pub fn run(account: &Account, config: &Config, only: Option<&[String]>) -> Vec<Finding> {
    let selected: Vec<&'static Check> = CATALOGUE
        .iter()
        .copied()
        .filter(|c| !config.is_skipped(c.id))
        .filter(|c| only.is_none_or(|only| only.iter().any(|o| o.eq_ignore_ascii_case(c.id))))
        .collect();
    let judge = |check: &Check| {
        let mut fs = (check.run)(account, config);
        fs.sort_by(|a, b| (&a.resource_name, &a.resource_arn).cmp(&(&b.resource_name, &b.resource_arn)));
        fs
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(selected.len());
    let mut results: Vec<Vec<Finding>> = if threads <= 1 {
        selected.iter().map(|c| judge(c)).collect()
    } else {
        let next = std::sync::atomic::AtomicUsize::new(0);
        let slots: Vec<std::sync::Mutex<Vec<Finding>>> =
            selected.iter().map(|_| std::sync::Mutex::new(Vec::new())).collect();
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(check) = selected.get(i) else { break };
                    let fs = judge(check);
                    *slots[i].lock().unwrap_or_else(std::sync::PoisonError::into_inner) = fs;
                });
            }
        });
        slots
            .into_iter()
            .map(|m| m.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner))
            .collect()
    };
    let mut findings = Vec::with_capacity(results.iter().map(Vec::len).sum());
    for fs in &mut results {
        findings.append(fs);
    }
    findings
}

/// Runs the checks and applies the exceptions: a valid exception turns `fail` into
/// `excepted`; an expired one leaves `fail`, is recorded on the finding
/// (`exception.expired`) and is warned about. Exceptions are judged against the date of
/// `account.as_of`. The report's `source` is left empty for the caller to fill in.
pub fn audit(account: &Account, config: &Config, only: Option<&[String]>) -> AuditReport {
    let mut findings = run(account, config, only);
    let mut warnings = data_warnings(account);
    let today = account.as_of.date_naive();
    let ran = |id: &str| !config.is_skipped(id) && only.is_none_or(|o| o.iter().any(|x| x.eq_ignore_ascii_case(id)));
    let broad = too_broad(&findings, config);
    for (ex, why) in config.exceptions.iter().zip(&broad) {
        if let (Some(why), true) = (why, ran(&ex.check)) {
            warnings.push(format!(
                "the exception for {} on {:?} (approved by {}) is too broad: {why}; it excepts every failure \
                 of those resources, today's and future ones, without review; name the resources it is for{}",
                ex.check,
                ex.resource,
                ex.approved_by,
                if ex.matches_any_resource() {
                    ""
                } else {
                    ", or raise exception_max_resources if so many are intended"
                }
            ));
        }
    }
    let mut used = BTreeSet::new();
    for f in findings.iter_mut().filter(|f| f.status == Status::Fail) {
        let Some((i, ex)) = config
            .exceptions
            .iter()
            .enumerate()
            .find(|(_, e)| e.covers(f.check.id, &f.resource_arn, &f.resource_name))
        else {
            continue;
        };
        used.insert(i);
        let expired = !ex.is_valid_on(today);
        f.exception = Some(Box::new(AppliedException {
            reason: ex.reason.clone(),
            approved_by: ex.approved_by.clone(),
            expires: ex.expires.to_string(),
            expired,
            too_broad: broad[i].clone(),
        }));
        if expired {
            warnings.push(format!(
                "the exception for {} on {} (approved by {}) expired on {}: the finding stays failing",
                f.check.id, f.resource_name, ex.approved_by, ex.expires
            ));
        } else {
            f.status = Status::Excepted;
        }
    }
    for (i, ex) in config.exceptions.iter().enumerate() {
        if !used.contains(&i) && ran(&ex.check) {
            warnings.push(format!(
                "the exception for {} on {:?} matches no failing finding (is it still needed?)",
                ex.check, ex.resource
            ));
        }
    }
    let attestations: Vec<AttestationRecord> = config
        .attestations
        .iter()
        .map(|a| AttestationRecord {
            control: a.control.clone(),
            statement: a.statement.clone(),
            evidence: a.evidence.clone(),
            attested_by: a.attested_by.clone(),
            date: a.date.to_string(),
            expires: a.expires.to_string(),
            hipaa: a.hipaa.clone(),
            expired: today > a.expires,
        })
        .collect();
    for a in attestations.iter().filter(|a| a.expired) {
        warnings.push(format!(
            "the attestation of {:?} (by {}) expired on {}: attest it again",
            a.control, a.attested_by, a.expires
        ));
    }
    AuditReport {
        tool_version: crate::VERSION.to_string(),
        account_id: account.account_id.clone(),
        as_of: account.as_of.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        source: String::new(),
        regions: analyzer::audited_regions(account, config),
        findings,
        warnings,
        organization: organization::guardrails(account),
        attestations,
    }
}

/// For each configured exception, why it is too broad to be a reviewed acceptance, if it is:
/// its pattern matches any resource at all, or every resource of its check (two or more),
/// or more than `exception_max_resources` of them. Counted over the check's findings,
/// whatever their status: what the exception would except as soon as it fails.
fn too_broad(findings: &[Finding], config: &Config) -> Vec<Option<String>> {
    let max = usize::try_from(config.exception_max_resources).unwrap_or(usize::MAX);
    config
        .exceptions
        .iter()
        .map(|ex| {
            let of_check: Vec<&Finding> = findings
                .iter()
                .filter(|f| f.check.id.eq_ignore_ascii_case(&ex.check))
                .collect();
            let covered = of_check
                .iter()
                .filter(|f| ex.covers(f.check.id, &f.resource_arn, &f.resource_name))
                .count();
            let total = of_check.len();
            if ex.matches_any_resource() {
                Some(format!(
                    "its resource pattern matches every resource of {} ({covered} of {total} here)",
                    ex.check
                ))
            } else if ex.is_pattern() && total >= 2 && covered == total {
                Some(format!(
                    "its resource pattern matches every resource of {} ({covered} of {total})",
                    ex.check
                ))
            } else if covered > max {
                Some(format!(
                    "its resource pattern matches {covered} resources of {}, more than exception_max_resources ({max})",
                    ex.check
                ))
            } else {
                None
            }
        })
        .collect()
}

/// The groups that users' `GroupList` names but the data does not describe, each with its
/// members (user names, in user order).
pub(crate) fn missing_groups(account: &Account) -> BTreeMap<&str, Vec<&str>> {
    let mut out: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for u in &account.users {
        for g in account.missing_groups_of(u) {
            out.entry(g).or_default().push(&u.user_name);
        }
    }
    out
}

/// The ARN of group `name` of the account, for a group the data does not describe (its path
/// is unknown: `/` is assumed).
pub(crate) fn group_arn(account: &Account, name: &str) -> String {
    format!(
        "arn:aws:iam::{}:group/{name}",
        account.account_id.as_deref().unwrap_or("")
    )
}

/// Warnings about the data itself: groups and managed policies referenced but absent.
fn data_warnings(account: &Account) -> Vec<String> {
    let mut warnings: Vec<String> = missing_groups(account)
        .into_iter()
        .map(|(group, members)| {
            format!(
                "group {group} (in the GroupList of user {}) is not in authorization-details.json's \
                 GroupDetailList (a file made with `--filter User`, or trimmed?): its policies are unknown; \
                 the checks that need them (IAM-004, IAM-005, IAM-010, IAM-011, IAM-023) are not-evaluated \
                 for its members rather than passed",
                listed(&members, 5)
            )
        })
        .collect();
    let mut missing = BTreeSet::new();
    let mut note = |arn: &str, by: String| {
        if account.policy(arn).and_then(|p| p.default_document()).is_none() {
            missing.insert((arn.to_string(), by));
        }
    };
    for u in &account.users {
        for a in &u.attached_managed_policies {
            note(&a.policy_arn, format!("user {}", u.user_name));
        }
        if let Some(b) = &u.permissions_boundary {
            note(&b.permissions_boundary_arn, format!("user {} (boundary)", u.user_name));
        }
    }
    for g in &account.groups {
        for a in &g.attached_managed_policies {
            note(&a.policy_arn, format!("group {}", g.group_name));
        }
    }
    for r in &account.roles {
        for a in &r.attached_managed_policies {
            note(&a.policy_arn, format!("role {}", r.role_name));
        }
        if let Some(b) = &r.permissions_boundary {
            note(&b.permissions_boundary_arn, format!("role {} (boundary)", r.role_name));
        }
    }
    warnings.extend(missing.into_iter().map(|(arn, by)| {
        format!(
            "managed policy {arn} (attached to {by}) is not in authorization-details.json: its permissions \
             are unknown; checks assume it denies nothing, and access that might depend on it is \
             not-evaluated rather than passed"
        )
    }));
    warnings
}

/// A finding of check `c` on one resource (of the kind the check judges).
pub(crate) fn finding(c: &'static Check, arn: &str, name: &str, status: Status, detail: String) -> Finding {
    Finding {
        check: c,
        status,
        resource_arn: arn.into(),
        resource_name: name.into(),
        detail,
        source_file: None,
        exception: None,
        first_seen: None,
    }
}

/// Sets the finding's evidence file from `account.sources[key]`.
pub(crate) fn from_source(mut f: Finding, account: &Account, key: &str) -> Finding {
    f.source_file = account.sources.get(key).cloned();
    f
}

/// The status and detail for data that is not available.
pub(crate) fn unavailable<T>(data: &Collected<T>, file: &str) -> Option<(Status, String)> {
    match data {
        Collected::Yes(_) => None,
        Collected::No => Some((Status::NotEvaluated, format!("{file} was not collected"))),
        Collected::Failed { call, reason } if call == file => {
            Some((Status::Error, format!("{file} could not be collected: {reason}")))
        }
        Collected::Failed { call, reason } => Some((
            Status::Error,
            format!("{file} could not be collected: {call} failed: {reason}"),
        )),
    }
}

/// One finding per user from the credential report: `judge` decides users that have a
/// row; users without a row, or every user when the report is missing, are
/// `not-evaluated` (or `error`).
pub(crate) fn per_user_report(
    account: &Account,
    check: &'static Check,
    judge: impl Fn(&User, &CredentialRow) -> (Status, String),
) -> Vec<Finding> {
    let file = crate::account::file::CREDENTIAL_REPORT;
    let missing = unavailable(&account.credential_report, file);
    account
        .users
        .iter()
        .map(|u| {
            let (status, detail) = match (&missing, account.credential_row(&u.user_name)) {
                (Some((s, d)), _) => (*s, d.clone()),
                (None, Some(row)) => judge(u, row),
                (None, None) => (
                    Status::NotEvaluated,
                    format!("the user has no row in {file} (created after the report was generated?)"),
                ),
            };
            from_source(
                finding(check, &u.arn, &u.user_name, status, detail),
                account,
                "credential_report",
            )
        })
        .collect()
}

/// Whole days from `t` to the account's `as_of`.
pub(crate) fn days_since(account: &Account, t: chrono::DateTime<chrono::Utc>) -> i64 {
    (account.as_of - t).num_days()
}

/// `2026-11-22`.
pub(crate) fn day(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_is_every_family_once_in_id_order() {
        let ids = ids();
        assert_eq!(ids.len(), FAMILIES.iter().map(|f| f.len()).sum::<usize>());
        assert!(
            ids.windows(2).all(|w| w[0] < w[1]),
            "IDs repeat or are out of order: {ids:?}"
        );
        for c in CATALOGUE.iter() {
            let digits = c.id.strip_prefix("IAM-").unwrap_or("");
            assert!(
                digits.len() == 3 && digits.bytes().all(|b| b.is_ascii_digit()),
                "{}",
                c.id
            );
            assert_eq!(info(&c.id.to_ascii_lowercase()).map(|i| i.slug), Some(c.slug));
            assert!(
                !c.hipaa.is_empty() && !c.title.is_empty() && !c.description.is_empty(),
                "{}",
                c.id
            );
        }
        let mut slugs: Vec<&str> = CATALOGUE.iter().map(|c| c.slug).collect();
        slugs.sort_unstable();
        slugs.dedup();
        assert_eq!(slugs.len(), CATALOGUE.len(), "slugs repeat");
        assert_eq!(id_range(), format!("{} ... {}", ids[0], ids[ids.len() - 1]));
        assert!(info("IAM-000").is_none());
    }
}
