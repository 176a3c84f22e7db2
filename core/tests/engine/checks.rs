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

use chrono::{DateTime, Duration, Utc};
use hipaa_iam_core::account::{Account, ExportSet};
use hipaa_iam_core::checks::{self, CATALOGUE};
use hipaa_iam_core::config::{Config, Exception};
use hipaa_iam_core::findings::{AuditReport, Finding, Status};
use hipaa_iam_core::manifest::Manifest;
use serde_json::{json, Value};

const ACCOUNT: &str = "123456789012";
const AS_OF: &str = "2026-11-20T12:00:00Z";

fn as_of() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(AS_OF).unwrap().with_timezone(&Utc)
}

fn ago(days: i64) -> String {
    (as_of() - Duration::days(days)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
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

/// A credential report row.
#[derive(Clone)]
struct Cred {
    user: String,
    created: i64,
    password: Option<Option<i64>>,
    mfa: bool,
    keys: [Option<(bool, i64, Option<i64>)>; 2],
}

impl Cred {
    fn new(user: &str) -> Cred {
        Cred {
            user: user.into(),
            created: 400,
            password: None,
            mfa: false,
            keys: [None, None],
        }
    }
    /// A console password last used `used` days ago (`None`: never).
    fn password(mut self, used: Option<i64>) -> Cred {
        self.password = Some(used);
        self
    }
    fn mfa(mut self) -> Cred {
        self.mfa = true;
        self
    }
    /// Access key `n` (1 or 2): active, rotated `rotated` days ago, used `used` days ago.
    fn key(mut self, n: usize, active: bool, rotated: i64, used: Option<i64>) -> Cred {
        self.keys[n - 1] = Some((active, rotated, used));
        self
    }
    fn csv(&self) -> String {
        let root = self.user == "<root_account>";
        let arn = if root {
            format!("arn:aws:iam::{ACCOUNT}:root")
        } else {
            format!("arn:aws:iam::{ACCOUNT}:user/{}", self.user)
        };
        let t = |d: Option<i64>| d.map(ago).unwrap_or_else(|| "N/A".into());
        let (pw, pw_used, pw_changed) = match (root, self.password) {
            (true, p) => ("not_supported".to_string(), t(p.flatten()), "not_supported".to_string()),
            (false, Some(u)) => ("true".into(), t(u), ago(self.created)),
            (false, None) => ("false".into(), "N/A".into(), "N/A".into()),
        };
        let key = |k: Option<(bool, i64, Option<i64>)>| match k {
            Some((a, r, u)) => format!("{a},{},{},us-east-1,iam", ago(r), t(u)),
            None => "false,N/A,N/A,N/A,N/A".into(),
        };
        format!(
            "{},{arn},{},{pw},{pw_used},{pw_changed},N/A,{},{},{},false,N/A,false,N/A",
            self.user,
            ago(self.created),
            self.mfa,
            key(self.keys[0]),
            key(self.keys[1])
        )
    }
}

const REPORT_HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

/// A compact account builder producing the exports files.
#[derive(Clone, Default)]
struct B {
    users: Vec<Value>,
    groups: Vec<Value>,
    roles: Vec<Value>,
    policies: Vec<Value>,
    creds: Option<Vec<Cred>>,
    password_policy: Option<Value>,
    summary: Option<Value>,
    vmfa: Option<Value>,
    analyzers: BTreeMap<String, (Option<Value>, Option<Value>)>,
    not_collected: BTreeMap<String, String>,
}

fn policy_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:policy/{name}")
}

fn attached(arn: &str) -> Value {
    json!({"PolicyName": arn.rsplit('/').next().unwrap(), "PolicyArn": arn})
}

impl B {
    fn new() -> B {
        B {
            creds: Some(Vec::new()),
            ..Default::default()
        }
    }
    /// A user in `groups`, with extra fields merged in (`AttachedManagedPolicies`, ...).
    fn user(mut self, name: &str, groups: &[&str], extra: Value) -> B {
        let mut u = json!({
            "Path": "/", "UserName": name, "UserId": format!("AID{}", name.to_uppercase()),
            "Arn": format!("arn:aws:iam::{ACCOUNT}:user/{name}"), "CreateDate": ago(400),
            "GroupList": groups, "AttachedManagedPolicies": [], "UserPolicyList": []
        });
        merge(&mut u, extra);
        self.users.push(u);
        self
    }
    fn group(mut self, name: &str, managed: &[&str], inline: &[(&str, Value)]) -> B {
        self.groups.push(json!({
            "Path": "/", "GroupName": name, "GroupId": format!("AGP{}", name.to_uppercase()),
            "Arn": format!("arn:aws:iam::{ACCOUNT}:group/{name}"), "CreateDate": ago(400),
            "AttachedManagedPolicies": managed.iter().map(|a| attached(a)).collect::<Vec<_>>(),
            "GroupPolicyList": inline.iter().map(|(n, d)| json!({"PolicyName": n, "PolicyDocument": d})).collect::<Vec<_>>()
        }));
        self
    }
    fn role(mut self, name: &str, path: &str, managed: &[&str], inline: &[(&str, Value)]) -> B {
        self.roles.push(json!({
            "Path": path, "RoleName": name, "RoleId": format!("ARO{}", name.to_uppercase()),
            "Arn": format!("arn:aws:iam::{ACCOUNT}:role{path}{name}"), "CreateDate": ago(400),
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "AttachedManagedPolicies": managed.iter().map(|a| attached(a)).collect::<Vec<_>>(),
            "RolePolicyList": inline.iter().map(|(n, d)| json!({"PolicyName": n, "PolicyDocument": d})).collect::<Vec<_>>()
        }));
        self
    }
    /// A managed policy (customer-managed unless `arn` is AWS's); `doc` may be a JSON
    /// object or a (URL-encoded) string.
    fn managed_at(mut self, arn: &str, doc: Value) -> B {
        self.policies.push(json!({
            "PolicyName": arn.rsplit('/').next().unwrap(), "PolicyId": "ANPA0000", "Arn": arn, "Path": "/",
            "DefaultVersionId": "v1", "AttachmentCount": 1, "IsAttachable": true,
            "PolicyVersionList": [{"Document": doc, "VersionId": "v1", "IsDefaultVersion": true, "CreateDate": ago(300)}]
        }));
        self
    }
    fn managed(self, name: &str, doc: Value) -> B {
        self.managed_at(&policy_arn(name), doc)
    }
    fn cred(mut self, c: Cred) -> B {
        self.creds.get_or_insert_with(Vec::new).push(c);
        self
    }
    fn no_report(mut self) -> B {
        self.creds = None;
        self
    }
    fn password_policy(mut self, p: Value) -> B {
        self.password_policy = Some(json!({ "PasswordPolicy": p }));
        self
    }
    fn summary(mut self, mfa: i64, keys: i64) -> B {
        self.summary =
            Some(json!({"SummaryMap": {"AccountMFAEnabled": mfa, "AccountAccessKeysPresent": keys, "Users": 3}}));
        self
    }
    fn vmfa(mut self, devices: Value) -> B {
        self.vmfa = Some(json!({ "VirtualMFADevices": devices }));
        self
    }
    fn region(mut self, region: &str, analyzers: Option<Value>, findings: Option<Value>) -> B {
        self.analyzers.insert(
            region.into(),
            (
                analyzers.map(|a| json!({ "analyzers": a })),
                findings.map(|f| json!({ "findings": f })),
            ),
        );
        self
    }
    fn failed(mut self, file: &str, reason: &str) -> B {
        self.not_collected.insert(file.into(), reason.into());
        self
    }
    fn files(&self) -> BTreeMap<String, Vec<u8>> {
        let mut files = BTreeMap::new();
        let mut put = |name: &str, v: &Value| {
            files.insert(name.to_string(), serde_json::to_vec_pretty(v).unwrap());
        };
        put(
            "authorization-details.json",
            &json!({"UserDetailList": self.users, "GroupDetailList": self.groups, "RoleDetailList": self.roles, "Policies": self.policies, "IsTruncated": false}),
        );
        if let Some(p) = &self.password_policy {
            put("password-policy.json", p);
        }
        if let Some(s) = &self.summary {
            put("account-summary.json", s);
        }
        if let Some(v) = &self.vmfa {
            put("virtual-mfa-devices.json", v);
        }
        for (region, (a, f)) in &self.analyzers {
            if let Some(a) = a {
                put(&format!("access-analyzer/{region}/analyzers.json"), a);
            }
            if let Some(f) = f {
                put(&format!("access-analyzer/{region}/findings.json"), f);
            }
        }
        if let Some(creds) = &self.creds {
            let mut csv = String::from(REPORT_HEADER);
            for c in creds {
                csv.push('\n');
                csv.push_str(&c.csv());
            }
            csv.push('\n');
            files.insert("credential-report.csv".into(), csv.into_bytes());
        }
        files
    }
    fn account(&self) -> Account {
        let manifest = Manifest {
            tool: "hipaa-iam".into(),
            generated_at: AS_OF.into(),
            account_id: Some(ACCOUNT.into()),
            credential_report_generated_at: Some(AS_OF.into()),
            not_collected: self.not_collected.clone(),
            regions: self.analyzers.keys().cloned().collect(),
            ..Default::default()
        };
        let set = ExportSet {
            dir: None,
            files: self.files(),
            manifest: Some(manifest),
        };
        Account::from_exports(&set).unwrap()
    }
}

fn merge(into: &mut Value, extra: Value) {
    if let (Some(a), Value::Object(b)) = (into.as_object_mut(), extra) {
        a.extend(b);
    }
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
        .find(|f| f.check_id == check && f.resource_name == resource)
        .unwrap_or_else(|| panic!("no {check} finding for {resource}; findings: {:#?}", summary(r)))
}

fn summary(r: &AuditReport) -> Vec<String> {
    r.findings
        .iter()
        .map(|f| format!("{} {} {} {}", f.check_id, f.resource_name, f.status, f.detail))
        .collect()
}

mod analyzer;
mod credentials;
mod enforcement;
mod engine;
mod mfa;
mod password;
mod policies;
mod root;
mod users;

/// Each family's cases, and its checks that read only `authorization-details.json`.
const FAMILIES: &[(&[Case], &[&str])] = &[
    (password::CASES, password::AUTHORIZATION_ONLY),
    (mfa::CASES, mfa::AUTHORIZATION_ONLY),
    (enforcement::CASES, enforcement::AUTHORIZATION_ONLY),
    (users::CASES, users::AUTHORIZATION_ONLY),
    (policies::CASES, policies::AUTHORIZATION_ONLY),
    (credentials::CASES, credentials::AUTHORIZATION_ONLY),
    (root::CASES, root::AUTHORIZATION_ONLY),
    (analyzer::CASES, analyzer::AUTHORIZATION_ONLY),
];

/// An account, a configuration, and what checks decide on it: (check, resource, status).
struct Case {
    name: &'static str,
    account: fn() -> Account,
    config: fn() -> Config,
    expect: &'static [(&'static str, &'static str, Status)],
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
                .find(|f| f.check_id == *check && f.resource_name == *resource)
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
        let c = checks::info(&f.check_id).unwrap_or_else(|| panic!("{} is not in the catalogue", f.check_id));
        assert_eq!(
            (f.slug.as_str(), f.title.as_str(), f.severity),
            (c.slug, c.title, c.severity),
            "{}",
            f.check_id
        );
        assert_eq!(f.hipaa, c.hipaa, "{}", f.check_id);
        let fix = match c.remediate {
            Some(r) => format!("{} Run: hipaa-iam remediate {}", c.remediation, r.as_str()),
            None => c.remediation.to_string(),
        };
        assert_eq!(f.remediation, fix, "{}", f.check_id);
        seen.insert(f.check_id.as_str());
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
