//! Every check of the catalogue on small accounts: each passes on one, fails on another,
//! and is `not-evaluated` (or `error`) where the data it needs is absent. The accounts are
//! exports directories under `tests/fixtures/` or built here with a compact builder that
//! writes the AWS CLI's JSON shapes.
//!
//! This file holds what every family shares (the builder, the accounts, the case runner and
//! the coverage test); each check family's cases and tests are in `checks/<family>.rs`, beside
//! its `core/src/checks/<family>.rs`.
#![allow(clippy::unwrap_used, clippy::field_reassign_with_default)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use hipaa_iam_core::account::{Account, ExportSet};
use hipaa_iam_core::checks::{self, CATALOGUE};
use hipaa_iam_core::config::{Config, Exception};
use hipaa_iam_core::findings::{AuditReport, Finding, Status};
use hipaa_iam_core::manifest::Manifest;
use hipaa_iam_tests::account::{ago, attached, merge, policy_arn, Cred, TestAccount as B, ACCOUNT};
use serde_json::{json, Value};

/// The account a test account describes, read the way an exports directory is read.
trait Build {
    fn account(&self) -> Account;
}

impl Build for B {
    fn account(&self) -> Account {
        let set = ExportSet {
            dir: None,
            files: self.files(),
            manifest: Some(serde_json::from_value::<Manifest>(self.manifest()).unwrap()),
        };
        Account::from_exports(&set).unwrap()
    }
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(name)
}

/// The guide's `deny_without_mfa.json` (step 3), the document the remediation installs,
/// with its condition operator replaced by `operator`.
fn deny_without_mfa(operator: &str) -> Value {
    let text = hipaa_iam_core::remediate::DENY_WITHOUT_MFA_JSON.replace("\"BoolIfExists\"", &format!("\"{operator}\""));
    serde_json::from_str(&text).unwrap()
}

fn admin_doc() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
}

fn boundary_doc() -> Value {
    serde_json::from_str(include_str!("../data/permissions_boundary.json")).unwrap()
}

fn strong_password_policy() -> Value {
    json!({
        "MinimumPasswordLength": 14, "RequireSymbols": true, "RequireNumbers": true,
        "RequireUppercaseCharacters": true, "RequireLowercaseCharacters": true,
        "AllowUsersToChangePassword": true, "ExpirePasswords": true, "MaxPasswordAge": 90,
        "PasswordReusePrevention": 24, "HardExpiry": false
    })
}

fn audit(b: &B) -> AuditReport {
    checks::audit(&b.account(), &Config::default(), None)
}

fn find<'a>(r: &'a AuditReport, check: &str, resource: &str) -> &'a Finding {
    r.findings
        .iter()
        .find(|f| f.check.id == check && f.resource_name == resource)
        .unwrap_or_else(|| panic!("no {check} finding for {resource}; findings: {:#?}", summary(r)))
}

fn summary(r: &AuditReport) -> Vec<String> {
    r.findings
        .iter()
        .map(|f| format!("{} {} {} {}", f.check.id, f.resource_name, f.status, f.detail))
        .collect()
}

mod analyzer;
mod credentials;
mod enforcement;
mod engine;
mod escalation;
mod identity_center;
mod mfa;
mod organization;
mod password;
mod policies;
mod root;
mod trust;
mod users;

/// Each family's cases, and its checks that read only `authorization-details.json`.
const FAMILIES: &[(&[Case], &[&str])] = &[
    (password::CASES, password::AUTHORIZATION_ONLY),
    (mfa::CASES, mfa::AUTHORIZATION_ONLY),
    (enforcement::CASES, enforcement::AUTHORIZATION_ONLY),
    (users::CASES, users::AUTHORIZATION_ONLY),
    (policies::CASES, policies::AUTHORIZATION_ONLY),
    (escalation::CASES, escalation::AUTHORIZATION_ONLY),
    (credentials::CASES, credentials::AUTHORIZATION_ONLY),
    (root::CASES, root::AUTHORIZATION_ONLY),
    (analyzer::CASES, analyzer::AUTHORIZATION_ONLY),
    (trust::CASES, trust::AUTHORIZATION_ONLY),
    (organization::CASES, organization::AUTHORIZATION_ONLY),
    (identity_center::CASES, identity_center::AUTHORIZATION_ONLY),
];

/// An account, a configuration, and what checks decide on it: (check, resource, status).
struct Case {
    name: &'static str,
    account: fn() -> Account,
    config: fn() -> Config,
    expect: &'static [(&'static str, &'static str, Status)],
}

/// A case: its name, its account, its configuration, and the (check, resource, status)
/// findings it must give.
const fn case(
    name: &'static str,
    account: fn() -> Account,
    config: fn() -> Config,
    expect: &'static [(&'static str, &'static str, Status)],
) -> Case {
    Case {
        name,
        account,
        config,
        expect,
    }
}

/// The cases every family has, by the account they audit.
const fn on_compliant(expect: &'static [(&'static str, &'static str, Status)]) -> Case {
    case("compliant fixture", compliant, defaults, expect)
}
const fn on_gaps(expect: &'static [(&'static str, &'static str, Status)]) -> Case {
    case("gaps fixture", gaps, defaults, expect)
}
const fn on_bare(expect: &'static [(&'static str, &'static str, Status)]) -> Case {
    case("only authorization details", bare, defaults, expect)
}
const fn on_failed_sources(expect: &'static [(&'static str, &'static str, Status)]) -> Case {
    case("collection failed", failed_sources, defaults, expect)
}
const fn on_compliant_stricter(expect: &'static [(&'static str, &'static str, Status)]) -> Case {
    case(
        "compliant fixture under stricter thresholds",
        compliant,
        custom_thresholds,
        expect,
    )
}
const fn on_missing_policy(expect: &'static [(&'static str, &'static str, Status)]) -> Case {
    case(
        "a referenced managed policy is missing",
        missing_policy,
        defaults,
        expect,
    )
}

/// Audits each case's account and compares the findings with its expectations.
fn run_cases(cases: &[Case]) {
    let mut failures = Vec::new();
    for case in cases {
        let report = checks::audit(&(case.account)(), &(case.config)(), None);
        for (check, resource, status) in case.expect {
            match report
                .findings
                .iter()
                .find(|f| f.check.id == *check && f.resource_name == *resource)
            {
                Some(f) if f.status == *status => {}
                Some(f) => failures.push(format!(
                    "{}: {check} {resource}: expected {status}, got {} ({})",
                    case.name, f.status, f.detail
                )),
                None => failures.push(format!(
                    "{}: {check} {resource}: no finding; have {:#?}",
                    case.name,
                    summary(&report)
                )),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every catalogue check has a pass and a fail case, and a not-evaluated one unless it reads
/// only `authorization-details.json`.
#[test]
fn every_check_is_covered() {
    let mut seen: BTreeMap<&str, BTreeSet<Status>> = BTreeMap::new();
    for (cases, _) in FAMILIES {
        for case in *cases {
            for (check, _, status) in case.expect {
                seen.entry(check).or_default().insert(*status);
            }
        }
    }
    let authorization_only: Vec<&str> = FAMILIES.iter().flat_map(|(_, ids)| ids.iter().copied()).collect();
    let mut missing = Vec::new();
    for c in CATALOGUE.iter() {
        let s = seen.get(c.id).cloned().unwrap_or_default();
        for want in [Pass, Fail] {
            if !s.contains(&want) {
                missing.push(format!("{}: no {want} case", c.id));
            }
        }
        if !authorization_only.contains(&c.id) && !s.contains(&NotEval) {
            missing.push(format!("{}: no not-evaluated case", c.id));
        }
    }
    // IAM-001's data is the one optional file whose absence has a meaning (no policy):
    // its unreadable case is `error`.
    if !seen.get("IAM-001").is_some_and(|s| s.contains(&Err_)) {
        missing.push("IAM-001: no error case".into());
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

use Status::{Error as Err_, Excepted, Fail, NotEvaluated as NotEval, Pass};

fn defaults() -> Config {
    Config::default()
}

/// A well-run account: every check passes.
fn compliant() -> Account {
    Account::read_dir(&fixture("compliant")).unwrap()
}

/// An account with gaps everywhere.
fn gaps() -> Account {
    Account::read_dir(&fixture("gaps")).unwrap()
}

/// Each check's findings carry that check's own catalogue fields (a check cannot label its
/// findings with another check's metadata).
#[test]
fn findings_carry_their_checks_catalogue_fields() {
    let r = checks::audit(&gaps(), &Config::default(), None);
    let mut seen = std::collections::BTreeSet::new();
    for f in &r.findings {
        let c = checks::info(f.check.id).unwrap_or_else(|| panic!("{} is not in the catalogue", f.check.id));
        assert_eq!(
            (f.check.slug, f.check.title, f.check.severity),
            (c.slug, c.title, c.severity),
            "{}",
            f.check.id
        );
        assert_eq!(f.check.hipaa, c.hipaa, "{}", f.check.id);
        let fix = match c.remediate {
            Some(r) => format!("{} Run: hipaa-iam remediate {}", c.remediation, r.as_str()),
            None => c.remediation.to_string(),
        };
        assert_eq!(f.remediation(), fix, "{}", f.check.id);
        seen.insert(f.check.id);
    }
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), checks::ids());
}

/// Only authorization details: every optional source absent.
fn bare() -> Account {
    B::new().no_report().user("ann", &[], json!({})).account()
}

/// Policies attached but absent from the data.
fn missing_policy() -> Account {
    B::new()
        .user("ann", &["human-users"], json!({}))
        .group("human-users", &[&policy_arn("deny-without-mfa")], &[])
        .role("worker", "/", &[&policy_arn("worker-policy")], &[])
        .account()
}

/// Optional sources that the collector tried and failed.
fn failed_sources() -> Account {
    B::new()
        .no_report()
        .user("ann", &[], json!({}))
        .failed(
            "credential-report.csv",
            "AccessDenied: not authorized to perform iam:GenerateCredentialReport",
        )
        .failed(
            "password-policy.json",
            "AccessDenied: not authorized to perform iam:GetAccountPasswordPolicy",
        )
        .failed(
            "account-summary.json",
            "AccessDenied: not authorized to perform iam:GetAccountSummary",
        )
        .failed(
            "virtual-mfa-devices.json",
            "AccessDenied: not authorized to perform iam:ListVirtualMFADevices",
        )
        .region("eu-west-1", None, None)
        .failed(
            "access-analyzer/eu-west-1/analyzers.json",
            "AccessDeniedException: no access",
        )
        .failed(
            "access-analyzer/eu-west-1/findings.json",
            "AccessDeniedException: no access",
        )
        .account()
}

/// The credential report has no root row (as moto's): the account summary decides.
fn summary_only(mfa: i64, keys: i64) -> B {
    B::new()
        .user("ann", &[], json!({}))
        .cred(Cred::new("ann"))
        .summary(mfa, keys)
}

fn summary_root_ok() -> Account {
    summary_only(1, 0).account()
}

fn summary_root_bad() -> Account {
    summary_only(0, 2).account()
}

/// A report without a root row and no summary: root checks cannot be decided.
fn no_root_data() -> Account {
    B::new().user("ann", &[], json!({})).cred(Cred::new("ann")).account()
}

/// Root with MFA but the virtual-MFA list not collected.
fn root_mfa_no_vmfa() -> Account {
    B::new().cred(Cred::new("<root_account>").mfa()).account()
}

fn custom_thresholds() -> Config {
    let mut c = Config::default();
    c.access_key_max_age_days = 10;
    c.unused_credentials_days = 1;
    c.root_recent_use_days = 365;
    c.password_policy.minimum_length = 20;
    c
}

/// Users alice (console, MFA) in `groups`, and the deny-without-mfa policy (`doc`).
fn mfa_account(doc: Value, attach_to: &[&str], groups: &[&str]) -> B {
    let mut b = B::new().managed("deny-without-mfa", doc);
    for g in groups {
        let arn = policy_arn("deny-without-mfa");
        let managed: Vec<&str> = if attach_to.contains(g) {
            vec![arn.as_str()]
        } else {
            vec![]
        };
        b = b.group(g, &managed, &[]);
    }
    b.user("alice", groups, json!({}))
        .cred(Cred::new("alice").password(Some(1)).mfa())
}
