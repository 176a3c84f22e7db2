//! Every check of the catalogue on small accounts: each passes on one, fails on another,
//! and is `not-evaluated` (or `error`) where the data it needs is absent. The accounts are
//! exports directories under `tests/fixtures/` or built here with a compact builder that
//! writes the AWS CLI's JSON shapes.
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
    serde_json::from_str(include_str!("data/permissions_boundary.json")).unwrap()
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

// ---------------------------------------------------------------------------------------
// The table of cases: every catalogue check passes, fails, and (where its data is
// optional) is not evaluated. `every_check_is_covered` reads this table.

struct Case {
    name: &'static str,
    account: fn() -> Account,
    config: fn() -> Config,
    expect: &'static [(&'static str, &'static str, Status)],
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

static CASES: &[Case] = &[
    Case {
        name: "compliant fixture",
        account: compliant,
        config: defaults,
        expect: &[
            ("IAM-001", ACCOUNT, Pass),
            ("IAM-002", "alice", Pass),
            ("IAM-003", "alice", Pass),
            ("IAM-003", "ci-deployer", Pass),
            ("IAM-006", "alice", Pass),
            ("IAM-007", "alice", Pass),
            ("IAM-008", "alice", Pass),
            ("IAM-012", "ci-deployer", Pass),
            ("IAM-013", "alice", Pass),
            ("IAM-013", "ci-deployer", Pass),
            ("IAM-014", "ci-deployer", Pass),
            ("IAM-015", "<root_account>", Pass),
            ("IAM-016", "<root_account>", Pass),
            ("IAM-017", "<root_account>", Pass),
            ("IAM-018", "<root_account>", Pass),
            ("IAM-019", "us-east-1", Pass),
            ("IAM-020", "us-east-1", Pass),
            ("IAM-021", "human-users", Pass),
            ("IAM-004", "human-users", Pass),
            ("IAM-005", "alice", Pass),
            ("IAM-005", "ci-deployer", Pass),
            ("IAM-009", "permissions-boundary-base", Pass),
            ("IAM-010", "alice", Pass),
            ("IAM-010", "ci-deployer", Pass),
            ("IAM-011", "ci-deploy", Pass),
            ("IAM-011", "deny-without-mfa", Pass),
            ("IAM-011", "permissions-boundary-base", Pass),
            ("IAM-011", "app-server/read-records", Pass),
            ("IAM-022", "app-server", Pass),
            ("IAM-023", "alice", Pass),
            ("IAM-023", "ci-deployer", Pass),
        ],
    },
    Case {
        name: "gaps fixture",
        account: gaps,
        config: defaults,
        expect: &[
            ("IAM-001", ACCOUNT, Fail),
            ("IAM-002", "bob", Fail),
            ("IAM-003", "svc-batch", Fail),
            ("IAM-006", "bob", Fail),
            ("IAM-007", "bob", Fail),
            ("IAM-008", "bob", Fail),
            ("IAM-008", "carol", Fail),
            ("IAM-012", "svc-batch", Fail),
            ("IAM-013", "bob", Fail),
            ("IAM-014", "svc-batch", Fail),
            ("IAM-015", "<root_account>", Fail),
            ("IAM-016", "<root_account>", Fail),
            ("IAM-017", "<root_account>", Fail),
            ("IAM-018", "<root_account>", Fail),
            ("IAM-019", "us-east-1", Fail),
            ("IAM-019", "eu-west-1", Pass),
            ("IAM-020", "us-east-1", NotEval),
            ("IAM-020", "5f1e-s3-public", Fail),
            ("IAM-021", "empty-group", Fail),
            ("IAM-004", "human-users", Fail),
            ("IAM-005", "bob", Fail),
            ("IAM-005", "carol", Fail),
            ("IAM-005", "svc-batch", Pass),
            ("IAM-009", "permissions-boundary-base", Fail),
            ("IAM-010", "bob", Fail),
            ("IAM-010", "carol", Pass),
            ("IAM-011", "devs/dev-all", Fail),
            ("IAM-011", "other-boundary", Fail),
            ("IAM-022", "admin-role", Fail),
            ("IAM-023", "carol", Fail),
            ("IAM-023", "svc-batch", Pass),
        ],
    },
    Case {
        name: "only authorization details",
        account: bare,
        config: defaults,
        expect: &[
            ("IAM-001", ACCOUNT, Fail),
            ("IAM-002", "ann", NotEval),
            ("IAM-003", "ann", NotEval),
            ("IAM-012", "ann", NotEval),
            ("IAM-013", "ann", NotEval),
            ("IAM-014", "ann", NotEval),
            ("IAM-015", "<root_account>", NotEval),
            ("IAM-016", "<root_account>", NotEval),
            ("IAM-017", "<root_account>", NotEval),
            ("IAM-018", "<root_account>", NotEval),
            ("IAM-019", "(no region)", NotEval),
            ("IAM-020", "(no region)", NotEval),
            ("IAM-005", "ann", NotEval),
            ("IAM-009", "permissions-boundary-base", NotEval),
        ],
    },
    Case {
        name: "a referenced managed policy is missing",
        account: missing_policy,
        config: defaults,
        expect: &[
            ("IAM-004", "human-users", Fail),
            ("IAM-010", "ann", NotEval),
            ("IAM-022", "worker", NotEval),
            ("IAM-023", "ann", NotEval),
        ],
    },
    Case {
        name: "collection failed",
        account: failed_sources,
        config: defaults,
        expect: &[
            ("IAM-001", ACCOUNT, Err_),
            ("IAM-002", "ann", Err_),
            ("IAM-012", "ann", Err_),
            ("IAM-015", "<root_account>", Err_),
            ("IAM-017", "<root_account>", Err_),
            ("IAM-018", "<root_account>", Err_),
            ("IAM-019", "eu-west-1", Err_),
            ("IAM-020", "eu-west-1", Err_),
        ],
    },
    Case {
        name: "account summary decides root (good)",
        account: summary_root_ok,
        config: defaults,
        expect: &[
            ("IAM-015", "<root_account>", Pass),
            ("IAM-017", "<root_account>", Pass),
            ("IAM-016", "<root_account>", NotEval),
            ("IAM-018", "<root_account>", NotEval),
        ],
    },
    Case {
        name: "account summary decides root (bad)",
        account: summary_root_bad,
        config: defaults,
        expect: &[("IAM-015", "<root_account>", Fail), ("IAM-017", "<root_account>", Fail)],
    },
    Case {
        name: "no root row, no summary",
        account: no_root_data,
        config: defaults,
        expect: &[
            ("IAM-015", "<root_account>", NotEval),
            ("IAM-017", "<root_account>", NotEval),
        ],
    },
    Case {
        name: "root MFA, virtual devices not collected",
        account: root_mfa_no_vmfa,
        config: defaults,
        expect: &[
            ("IAM-015", "<root_account>", Pass),
            ("IAM-016", "<root_account>", NotEval),
        ],
    },
    Case {
        name: "compliant fixture under stricter thresholds",
        account: compliant,
        config: custom_thresholds,
        expect: &[
            ("IAM-001", ACCOUNT, Fail),
            ("IAM-012", "ci-deployer", Fail),
            ("IAM-013", "alice", Fail),
            ("IAM-018", "<root_account>", Fail),
        ],
    },
];

#[test]
fn cases() {
    let mut failures = Vec::new();
    for case in CASES {
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

/// Checks whose only input is `authorization-details.json`, which every audit requires:
/// they cannot be `not-evaluated`.
const AUTHORIZATION_ONLY: &[&str] = &[
    "IAM-001", "IAM-004", "IAM-006", "IAM-007", "IAM-008", "IAM-009", "IAM-010", "IAM-011", "IAM-021", "IAM-022",
    "IAM-023",
];

#[test]
fn every_check_is_covered() {
    let mut seen: BTreeMap<&str, BTreeSet<Status>> = BTreeMap::new();
    for case in CASES {
        for (check, _, status) in case.expect {
            seen.entry(check).or_default().insert(*status);
        }
    }
    for extra in EXTRA_COVERAGE {
        seen.entry(extra.0).or_default().insert(extra.1);
    }
    let mut missing = Vec::new();
    for c in CATALOGUE.iter() {
        let s = seen.get(c.id).cloned().unwrap_or_default();
        for want in [Pass, Fail] {
            if !s.contains(&want) {
                missing.push(format!("{}: no {want} case", c.id));
            }
        }
        if !AUTHORIZATION_ONLY.contains(&c.id) && !s.contains(&NotEval) {
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

/// Coverage that dedicated tests below assert (check, status).
const EXTRA_COVERAGE: &[(&str, Status)] = &[];

// ---------------------------------------------------------------------------------------
// The policy-evaluation cases of the checks (decided from documents, never names).

fn url_encoded(v: &Value) -> Value {
    Value::String(percent_encoding::utf8_percent_encode(&v.to_string(), percent_encoding::NON_ALPHANUMERIC).to_string())
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

#[test]
fn guide_deny_without_mfa_on_the_group_passes_iam_004() {
    let r = audit(&mfa_account(
        deny_without_mfa("BoolIfExists"),
        &["human-users"],
        &["human-users"],
    ));
    let f = find(&r, "IAM-004", "human-users");
    assert_eq!(f.status, Pass, "{}", f.detail);
    assert_eq!(find(&r, "IAM-005", "alice").status, Pass);
    // The same document URL-encoded, as raw API responses carry it.
    let r = audit(&mfa_account(
        url_encoded(&deny_without_mfa("BoolIfExists")),
        &["human-users"],
        &["human-users"],
    ));
    assert_eq!(find(&r, "IAM-004", "human-users").status, Pass);
    // As an inline group policy with Statement as an object.
    let mut doc = deny_without_mfa("BoolIfExists");
    doc["Statement"] = doc["Statement"][0].clone();
    let b = B::new()
        .group("human-users", &[], &[("dwm", doc)])
        .user("alice", &["human-users"], json!({}));
    assert_eq!(find(&audit(&b), "IAM-004", "human-users").status, Pass);
}

#[test]
fn bool_instead_of_bool_if_exists_fails_naming_long_term_keys() {
    let r = audit(&mfa_account(
        deny_without_mfa("Bool"),
        &["human-users"],
        &["human-users"],
    ));
    let f = find(&r, "IAM-004", "human-users");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("long-term access keys"), "{}", f.detail);
    assert!(f.detail.contains("Bool instead of BoolIfExists"), "{}", f.detail);
    assert!(
        f.detail.contains("absent"),
        "the failing context is named: {}",
        f.detail
    );
    assert_eq!(find(&r, "IAM-005", "alice").status, Fail);
}

#[test]
fn the_policy_on_another_group_or_on_no_group_fails() {
    // Attached to another group: human-users does not enforce, but that other group does
    // (IAM-005 judges membership of any enforcing group).
    let r = audit(&mfa_account(
        deny_without_mfa("BoolIfExists"),
        &["clinicians"],
        &["clinicians", "human-users"],
    ));
    assert_eq!(find(&r, "IAM-004", "human-users").status, Fail);
    assert_eq!(find(&r, "IAM-005", "alice").status, Pass);
    // Attached to no group.
    let r = audit(&mfa_account(deny_without_mfa("BoolIfExists"), &[], &["human-users"]));
    let f = find(&r, "IAM-004", "human-users");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("no policy"), "{}", f.detail);
    assert_eq!(find(&r, "IAM-005", "alice").status, Fail);
    // No such group at all.
    let r = audit(&mfa_account(
        deny_without_mfa("BoolIfExists"),
        &["clinicians"],
        &["clinicians"],
    ));
    let f = find(&r, "IAM-004", "human-users");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("does not exist"), "{}", f.detail);
    // The configured group name is honoured.
    let mut c = Config::default();
    c.human_users_group = "clinicians".into();
    let r = checks::audit(
        &mfa_account(deny_without_mfa("BoolIfExists"), &["clinicians"], &["clinicians"]).account(),
        &c,
        None,
    );
    assert_eq!(find(&r, "IAM-004", "clinicians").status, Pass);
}

#[test]
fn denying_mfa_self_service_or_only_some_actions_fails() {
    let deny_all = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]});
    let f = audit(&mfa_account(deny_all, &["human-users"], &["human-users"]));
    let f = find(&f, "IAM-004", "human-users");
    assert_eq!(f.status, Fail);
    assert!(
        f.detail.contains("self-service") && f.detail.contains("iam:EnableMFADevice"),
        "{}",
        f.detail
    );
    let s3_only = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]});
    let f = audit(&mfa_account(s3_only, &["human-users"], &["human-users"]));
    let f = find(&f, "IAM-004", "human-users");
    assert_eq!(f.status, Fail);
    assert!(
        f.detail.contains("iam:CreateUser") && !f.detail.contains("s3:GetObject,"),
        "{}",
        f.detail
    );
    // A condition the evaluator does not understand never counts as enforcement.
    let odd = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "NotAction": "iam:ChangePassword", "Resource": "*",
        "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}}]});
    assert_eq!(
        find(
            &audit(&mfa_account(odd, &["human-users"], &["human-users"])),
            "IAM-004",
            "human-users"
        )
        .status,
        Fail
    );
}

fn admin_account() -> B {
    B::new().managed_at("arn:aws:iam::aws:policy/AdministratorAccess", admin_doc())
}

#[test]
fn administrator_access_through_a_group_fails_iam_010() {
    let b = admin_account()
        .group("ops", &["arn:aws:iam::aws:policy/AdministratorAccess"], &[])
        .user("olga", &["ops"], json!({}));
    let r = audit(&b);
    let f = find(&r, "IAM-010", "olga");
    assert_eq!(f.status, Fail);
    assert!(
        f.detail.contains("AdministratorAccess (attached to group ops)"),
        "{}",
        f.detail
    );
    // Administrators are IAM-010's, not IAM-023's.
    assert!(!r
        .findings
        .iter()
        .any(|f| f.check_id == "IAM-023" && f.resource_name == "olga"));
}

#[test]
fn a_policy_named_admin_that_only_reads_does_not_fail() {
    let read =
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]});
    let b = B::new().managed("AdminReadOnly", read).group("g", &[], &[]).user(
        "rita",
        &["g"],
        json!({"AttachedManagedPolicies": [attached(&policy_arn("AdminReadOnly"))]}),
    );
    let r = audit(&b);
    assert_eq!(find(&r, "IAM-010", "rita").status, Pass);
    assert_eq!(find(&r, "IAM-011", "AdminReadOnly").status, Pass);
    assert_eq!(find(&r, "IAM-023", "rita").status, Pass);
}

#[test]
fn an_inline_star_on_star_fails_and_a_boundary_without_iam_stops_it() {
    let inline = json!({"UserPolicyList": [{"PolicyName": "everything", "PolicyDocument": {"Version": "2012-10-17", "Statement": {"Action": "*", "Resource": "*", "Effect": "Allow"}}}]});
    let r = audit(&B::new().group("g", &[], &[]).user("ivan", &["g"], inline.clone()));
    let f = find(&r, "IAM-010", "ivan");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("inline everything on user ivan"), "{}", f.detail);
    assert_eq!(find(&r, "IAM-011", "ivan/everything").status, Fail);
    // The guide's boundary does not allow iam:* (it allows a read-only starter set).
    let mut extra = inline;
    merge(
        &mut extra,
        json!({"PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": policy_arn("permissions-boundary-base")}}),
    );
    let r = audit(
        &B::new()
            .managed("permissions-boundary-base", boundary_doc())
            .group("g", &[], &[])
            .user("ivan", &["g"], extra),
    );
    assert_eq!(
        find(&r, "IAM-010", "ivan").status,
        Pass,
        "{}",
        find(&r, "IAM-010", "ivan").detail
    );
    assert_eq!(find(&r, "IAM-008", "ivan").status, Pass);
    assert_eq!(find(&r, "IAM-009", "permissions-boundary-base").status, Pass);
    // Not an administrator, and the boundary denies every escalation path.
    assert_eq!(
        find(&r, "IAM-023", "ivan").status,
        Pass,
        "{}",
        find(&r, "IAM-023", "ivan").detail
    );
}

#[test]
fn roles_are_judged_like_users_except_service_linked_ones() {
    let b = admin_account()
        .role("deploy", "/", &["arn:aws:iam::aws:policy/AdministratorAccess"], &[])
        .role("AWSServiceRoleForSupport", "/aws-service-role/support.amazonaws.com/", &["arn:aws:iam::aws:policy/AdministratorAccess"], &[])
        .role("reader", "/", &[], &[("read", json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))]);
    let r = audit(&b);
    assert_eq!(find(&r, "IAM-022", "deploy").status, Fail);
    assert_eq!(find(&r, "IAM-022", "reader").status, Pass);
    assert!(!r.findings.iter().any(|f| f.resource_name == "AWSServiceRoleForSupport"));
}

#[test]
fn escalation_paths_are_evaluated_on_concrete_resources() {
    let only_self = |action: &str, resource: &str| json!({"UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]}}]});
    let base = || B::new().group("g", &[], &[]).user("other", &["g"], json!({}));
    // Attaching policies to oneself through ${aws:username}.
    let r = audit(&base().user(
        "sam",
        &["g"],
        only_self("iam:AttachUserPolicy", "arn:aws:iam::*:user/${aws:username}"),
    ));
    let f = find(&r, "IAM-023", "sam");
    assert_eq!(f.status, Fail);
    assert!(
        f.detail
            .contains("iam:AttachUserPolicy on arn:aws:iam::123456789012:user/sam"),
        "{}",
        f.detail
    );
    // Attaching policies to someone else only is not self-escalation.
    let r = audit(&base().user(
        "sam",
        &["g"],
        only_self("iam:AttachUserPolicy", "arn:aws:iam::*:user/other"),
    ));
    assert_eq!(find(&r, "IAM-023", "sam").status, Pass);
    // Creating another user's access key takes over that identity.
    let r = audit(&base().user("sam", &["g"], only_self("iam:CreateAccessKey", "arn:aws:iam::*:user/*")));
    assert_eq!(find(&r, "IAM-023", "sam").status, Fail);
    // Rotating one's own key is not escalation.
    let r = audit(&base().user(
        "sam",
        &["g"],
        only_self("iam:CreateAccessKey", "arn:aws:iam::*:user/${aws:username}"),
    ));
    assert_eq!(
        find(&r, "IAM-023", "sam").status,
        Pass,
        "{}",
        find(&r, "IAM-023", "sam").detail
    );
    // PassRole alone is not enough; with ec2:RunInstances it is.
    let pass = json!({"UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}}]});
    let with_role = || base().role("app", "/", &[], &[]);
    assert_eq!(
        find(&audit(&with_role().user("sam", &["g"], pass)), "IAM-023", "sam").status,
        Pass
    );
    let pass_run = json!({"UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": "*"}]}}]});
    let r = audit(&with_role().user("sam", &["g"], pass_run));
    let f = find(&r, "IAM-023", "sam");
    assert_eq!(f.status, Fail);
    assert!(
        f.detail
            .contains("iam:PassRole on arn:aws:iam::123456789012:role/app with ec2:RunInstances"),
        "{}",
        f.detail
    );
    // A conditional allow never counts.
    let cond = json!({"UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:AddUserToGroup", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}}]});
    assert_eq!(
        find(&audit(&base().user("sam", &["g"], cond)), "IAM-023", "sam").status,
        Pass
    );
    // CreatePolicyVersion on a customer policy attached to the user's group.
    let b = B::new()
        .managed("team", json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": policy_arn("team")}]}))
        .group("g", &[&policy_arn("team")], &[])
        .user("sam", &["g"], json!({}));
    let f = audit(&b);
    let f = find(&f, "IAM-023", "sam");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("team (attached to group g)"), "{}", f.detail);
}

// ---------------------------------------------------------------------------------------
// Details and rules.

#[test]
fn password_policy_names_each_unmet_field() {
    let b = B::new().password_policy(json!({
        "MinimumPasswordLength": 8, "RequireSymbols": false, "RequireNumbers": true,
        "RequireUppercaseCharacters": true, "RequireLowercaseCharacters": false,
        "AllowUsersToChangePassword": true, "ExpirePasswords": false, "PasswordReusePrevention": 5
    }));
    let r = audit(&b);
    let f = find(&r, "IAM-001", ACCOUNT);
    assert_eq!(f.status, Fail);
    for field in [
        "MinimumPasswordLength is 8",
        "RequireSymbols",
        "RequireLowercaseCharacters",
        "do not expire",
        "PasswordReusePrevention is 5",
    ] {
        assert!(f.detail.contains(field), "{field} not in {}", f.detail);
    }
    assert!(!f.detail.contains("RequireNumbers"), "{}", f.detail);
    assert_eq!(f.source_file.as_deref(), Some("password-policy.json"));
    assert!(
        f.remediation.ends_with("Run: hipaa-iam remediate password-policy"),
        "{}",
        f.remediation
    );

    let ok = B::new().password_policy(strong_password_policy());
    assert_eq!(find(&audit(&ok), "IAM-001", ACCOUNT).status, Pass);
    let long_age = B::new().password_policy({
        let mut p = strong_password_policy();
        p["MaxPasswordAge"] = json!(180);
        p
    });
    let f = audit(&long_age);
    assert!(find(&f, "IAM-001", ACCOUNT).detail.contains("MaxPasswordAge is 180"));
}

#[test]
fn key_rotation_and_unused_credentials_name_the_key_and_age() {
    let b = B::new()
        .user("dave", &["g"], json!({}))
        .cred(Cred::new("dave").key(1, true, 120, Some(2)).key(2, false, 500, None))
        .user("erin", &["g"], json!({}))
        .cred(Cred::new("erin").password(None).mfa());
    let r = audit(&b);
    let f = find(&r, "IAM-012", "dave");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("access key 1 is 120 days old"), "{}", f.detail);
    assert!(!f.detail.contains("access key 2"), "inactive key judged: {}", f.detail);
    assert_eq!(f.source_file.as_deref(), Some("credential-report.csv"));
    // erin's password was never used: counted from its creation 400 days ago.
    let f = find(&r, "IAM-013", "erin");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("never used"), "{}", f.detail);
    assert_eq!(find(&r, "IAM-013", "dave").status, Pass);
    assert_eq!(find(&r, "IAM-014", "dave").status, Pass);
}

#[test]
fn user_missing_from_the_report_is_not_evaluated() {
    let b = B::new().user("late", &["g"], json!({}));
    let f = audit(&b);
    let f = find(&f, "IAM-002", "late");
    assert_eq!(f.status, NotEval);
    assert!(f.detail.contains("no row"), "{}", f.detail);
}

#[test]
fn findings_are_in_catalogue_then_resource_order() {
    let r = checks::audit(&gaps(), &Config::default(), None);
    let pos = |id: &str| CATALOGUE.iter().position(|c| c.id == id).unwrap();
    let keys: Vec<(usize, String)> = r
        .findings
        .iter()
        .map(|f| (pos(&f.check_id), f.resource_name.clone()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    // Deterministic: the same input gives the same report.
    assert_eq!(r, checks::audit(&gaps(), &Config::default(), None));
}

#[test]
fn only_and_skip_select_checks() {
    let only = vec!["IAM-002".to_string(), "iam-006".to_string()];
    let r = checks::audit(&gaps(), &Config::default(), Some(&only));
    let ids: BTreeSet<&str> = r.findings.iter().map(|f| f.check_id.as_str()).collect();
    assert_eq!(ids, BTreeSet::from(["IAM-002", "IAM-006"]));
    let mut c = Config::default();
    c.skip_checks = vec!["IAM-006".into()];
    let r = checks::audit(&gaps(), &c, Some(&only));
    let ids: BTreeSet<&str> = r.findings.iter().map(|f| f.check_id.as_str()).collect();
    assert_eq!(ids, BTreeSet::from(["IAM-002"]));
    let err = checks::parse_ids(&["IAM-002".into(), "IAM-999".into()])
        .unwrap_err()
        .to_string();
    assert!(err.contains("IAM-999"), "{err}");
}

#[test]
fn missing_managed_policy_is_warned_about() {
    let b = B::new()
        .user("ann", &["g"], json!({}))
        .group("g", &[&policy_arn("gone")], &[]);
    let r = audit(&b);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains(&policy_arn("gone")) && w.contains("group g")),
        "{:?}",
        r.warnings
    );
}

// ---------------------------------------------------------------------------------------
// Exceptions.

fn exception(check: &str, resource: &str, expires: &str) -> Exception {
    Exception {
        check: check.into(),
        resource: resource.into(),
        reason: "break-glass account, kept in a safe".into(),
        approved_by: "CISO".into(),
        expires: expires.parse().unwrap(),
    }
}

#[test]
fn valid_exception_excepts_and_expired_one_warns() {
    let mut c = Config::default();
    c.exceptions = vec![
        exception("IAM-002", "bob", "2026-11-20"), // the last valid day is as_of's date
        exception("IAM-006", "arn:aws:iam::*:user/b?b", "2026-11-19"),
    ];
    let r = checks::audit(&gaps(), &c, None);
    let f = find(&r, "IAM-002", "bob");
    assert_eq!(f.status, Excepted);
    let ex = f.exception.as_ref().unwrap();
    assert!(!ex.expired);
    assert_eq!(ex.approved_by, "CISO");
    let f = find(&r, "IAM-006", "bob");
    assert_eq!(f.status, Fail);
    assert!(f.exception.as_ref().unwrap().expired);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("IAM-006") && w.contains("expired on 2026-11-19")),
        "{:?}",
        r.warnings
    );
    // Other failures are untouched.
    assert_eq!(find(&r, "IAM-008", "carol").status, Fail);
}

#[test]
fn exception_globs_match_names_and_arns() {
    let mut c = Config::default();
    c.exceptions = vec![exception("IAM-008", "*", "2030-01-01")];
    let r = checks::audit(&gaps(), &c, None);
    assert!(r
        .findings
        .iter()
        .filter(|f| f.check_id == "IAM-008")
        .all(|f| f.status != Fail));
    c.exceptions = vec![exception("IAM-008", "arn:aws:iam::123456789012:user/c*", "2030-01-01")];
    let r = checks::audit(&gaps(), &c, None);
    assert_eq!(find(&r, "IAM-008", "carol").status, Excepted);
    assert_eq!(find(&r, "IAM-008", "bob").status, Fail);
    // A pass is never excepted, and an exception for another check does not apply.
    c.exceptions = vec![exception("IAM-002", "carol", "2030-01-01")];
    let r = checks::audit(&gaps(), &c, None);
    assert_eq!(find(&r, "IAM-008", "carol").status, Fail);
    assert!(
        r.warnings.iter().any(|w| w.contains("matches no failing finding")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn root_with_a_virtual_mfa_device_fails_iam_016() {
    let device = |arn: &str| json!([{"SerialNumber": format!("arn:aws:iam::{ACCOUNT}:mfa/root-account-mfa-device"), "User": {"Arn": arn}, "EnableDate": ago(30)}]);
    let b = B::new()
        .cred(Cred::new("<root_account>").mfa())
        .vmfa(device(&format!("arn:aws:iam::{ACCOUNT}:root")));
    let r = audit(&b);
    let f = find(&r, "IAM-016", "<root_account>");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("root-account-mfa-device"), "{}", f.detail);
    assert_eq!(f.source_file.as_deref(), Some("virtual-mfa-devices.json"));
    let b = B::new()
        .cred(Cred::new("<root_account>").mfa())
        .vmfa(device(&format!("arn:aws:iam::{ACCOUNT}:user/alice")));
    assert_eq!(find(&audit(&b), "IAM-016", "<root_account>").status, Pass);
}

// ---------------------------------------------------------------------------------------
// Groups that users are in but the data does not describe (`--filter User`, trimmed files).

/// breakglass is in `admins` (AdministratorAccess in AWS), which the data lacks; carl is in
/// `g`, which it has.
fn missing_admin_group() -> B {
    admin_account()
        .group("g", &[], &[])
        .user("breakglass", &["admins"], json!({}))
        .cred(Cred::new("breakglass").password(Some(1)).mfa())
        .user("carl", &["g"], json!({}))
        .cred(Cred::new("carl"))
}

#[test]
fn a_group_missing_from_the_data_leaves_its_members_not_evaluated() {
    let r = audit(&missing_admin_group());
    for check in ["IAM-010", "IAM-023"] {
        let f = find(&r, check, "breakglass");
        assert_eq!(f.status, NotEval, "{check}: {}", f.detail);
        assert!(f.detail.contains("group admins"), "{check}: {}", f.detail);
    }
    // Console user whose only group is unknown: it might enforce MFA.
    let f = find(&r, "IAM-005", "breakglass");
    assert_eq!(f.status, NotEval, "{}", f.detail);
    assert!(f.detail.contains("admins"), "{}", f.detail);
    // Its inline policies cannot be judged.
    let f = find(&r, "IAM-011", "admins");
    assert_eq!(f.status, NotEval, "{}", f.detail);
    // Membership itself is known from the user's GroupList.
    assert_eq!(find(&r, "IAM-006", "breakglass").status, Pass);
    // Users whose groups are all present are judged as before.
    assert_eq!(find(&r, "IAM-010", "carl").status, Pass);
    assert_eq!(find(&r, "IAM-023", "carl").status, Pass);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("group admins") && w.contains("breakglass") && w.contains("--filter User")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn what_the_present_documents_decide_stays_decided_when_a_group_is_missing() {
    // Full access from the user's own policy: a missing group cannot take it away (it is
    // assumed to deny nothing, as a missing managed policy is).
    let inline = json!({"UserPolicyList": [{"PolicyName": "everything", "PolicyDocument": admin_doc()}]});
    let r = audit(&missing_admin_group().user("ivan", &["admins"], inline));
    let f = find(&r, "IAM-010", "ivan");
    assert_eq!(f.status, Fail, "{}", f.detail);
    assert!(f.detail.contains("group admins is not in the data"), "{}", f.detail);
    // An escalation path in the present documents fails whatever the missing group holds.
    let own = json!({"UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": "arn:aws:iam::*:user/${aws:username}"}]}}]});
    let r = audit(&missing_admin_group().user("sam", &["admins"], own));
    assert_eq!(find(&r, "IAM-023", "sam").status, Fail);
    // A console user in an enforcing group passes IAM-005 whatever its other, missing, group holds.
    let b = mfa_account(deny_without_mfa("BoolIfExists"), &["human-users"], &["human-users"])
        .user("dora", &["human-users", "admins"], json!({}))
        .cred(Cred::new("dora").password(Some(1)).mfa());
    assert_eq!(find(&audit(&b), "IAM-005", "dora").status, Pass);
}

#[test]
fn adding_oneself_to_a_group_the_data_lacks_is_not_evaluated() {
    // sam may add users to `admins` only; the data has no such group (breakglass is in it).
    let add = json!({"UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:AddUserToGroup", "Resource": format!("arn:aws:iam::{ACCOUNT}:group/admins")}]}}]});
    let r = audit(&missing_admin_group().user("sam", &["g"], add));
    let f = find(&r, "IAM-023", "sam");
    assert_eq!(f.status, NotEval, "{}", f.detail);
    assert!(
        f.detail.contains("iam:AddUserToGroup") && f.detail.contains("admins"),
        "{}",
        f.detail
    );
}

#[test]
fn the_human_users_group_named_by_users_but_missing_is_not_evaluated() {
    let b = B::new()
        .user("alice", &["human-users"], json!({}))
        .cred(Cred::new("alice").password(Some(1)).mfa());
    let r = audit(&b);
    let f = find(&r, "IAM-004", "human-users");
    assert_eq!(f.status, NotEval, "{}", f.detail);
    assert!(f.detail.contains("alice"), "{}", f.detail);
    assert_eq!(find(&r, "IAM-005", "alice").status, NotEval);
    // No user names it: it does not exist.
    let r = audit(&B::new().group("g", &[], &[]).user("alice", &["g"], json!({})));
    assert_eq!(find(&r, "IAM-004", "human-users").status, Fail);
}

#[test]
fn escalation_paths_are_listed_target_by_target_and_all_counted() {
    let wide = json!({"UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["iam:CreateLoginProfile", "iam:CreateAccessKey"], "Resource": "arn:aws:iam::*:user/*"},
        {"Effect": "Allow", "Action": "iam:AddUserToGroup", "Resource": "*"}]}}]});
    let mut b = B::new().group("g", &[], &[]).group("h", &[], &[]);
    for name in ["d", "a", "c", "b"] {
        b = b.user(name, &["g"], json!({}));
    }
    let r = audit(&b.user("sam", &["g"], wide));
    let f = find(&r, "IAM-023", "sam");
    assert_eq!(f.status, Fail);
    let user = |n: &str| format!("arn:aws:iam::{ACCOUNT}:user/{n}");
    let by = "(allowed by inline p on user sam [statement 1])";
    let want = format!(
        "escalation paths: iam:CreateAccessKey on {a} {by}; iam:CreateLoginProfile on {a} {by}; \
         iam:CreateAccessKey on {b} {by}; iam:CreateLoginProfile on {b} {by}; iam:CreateAccessKey on {c} {by} \
         and 5 more",
        a = user("a"),
        b = user("b"),
        c = user("c"),
    );
    // 4 other users x 2 actions, and 2 groups to join; never sam itself.
    assert_eq!(f.detail, want);
}

// ---------------------------------------------------------------------------------------
// Exceptions too broad to be a reviewed acceptance.

fn too_broad_warnings(r: &AuditReport) -> Vec<&String> {
    r.warnings.iter().filter(|w| w.contains("too broad")).collect()
}

#[test]
fn an_exception_for_every_resource_applies_but_is_warned_about_everywhere() {
    let mut c = Config::default();
    c.exceptions = vec![exception("IAM-008", "*", "2030-01-01")];
    let r = checks::audit(&gaps(), &c, None);
    // It still applies...
    let f = find(&r, "IAM-008", "carol");
    assert_eq!(f.status, Excepted);
    // ...but loudly: on the finding, in the warnings, the register and the summary.
    let why = f.exception.as_ref().unwrap().too_broad.as_deref().unwrap();
    assert!(why.contains("every resource of IAM-008"), "{why}");
    let w = too_broad_warnings(&r);
    assert!(
        w.len() == 1 && w[0].contains("IAM-008") && w[0].contains("\"*\"") && w[0].contains("CISO"),
        "{:?}",
        r.warnings
    );
    let rows = hipaa_iam_core::report::register::rows(&r);
    let row = rows.iter().find(|r| r.risk_id == "IAM-008").unwrap();
    assert!(
        row.mitigation.contains("WARNING: an exception is too broad"),
        "{}",
        row.mitigation
    );
    let loaded = hipaa_iam_core::config::LoadedConfig {
        config: c.clone(),
        path: None,
        sha256: String::new(),
    };
    let md = hipaa_iam_core::report::summary::markdown(&r, &loaded);
    let warnings = md.split("## Warnings").nth(1).unwrap_or_default();
    assert!(warnings.contains("too broad"), "{md}");
}

#[test]
fn exceptions_matching_all_or_too_many_resources_are_too_broad_and_named_ones_are_not() {
    let broad = |resource: &str, max: i64| {
        let mut c = Config::default();
        c.exception_max_resources = max;
        c.exceptions = vec![exception("IAM-008", resource, "2030-01-01")];
        too_broad_warnings(&checks::audit(&gaps(), &c, None))
            .into_iter()
            .cloned()
            .collect::<Vec<_>>()
    };
    // A pattern that happens to cover every user (3 of 3).
    let w = broad("arn:aws:iam::123456789012:user/*", 25);
    assert!(w.len() == 1 && w[0].contains("3 of 3"), "{w:?}");
    // Two of three, over a limit of one.
    let w = broad("*o*", 1);
    assert!(
        w.len() == 1 && w[0].contains("2 resources") && w[0].contains("exception_max_resources (1)"),
        "{w:?}"
    );
    assert!(broad("*o*", 2).is_empty(), "two of three, within the limit");
    // A named resource is never too broad, even alone on its check.
    assert!(broad("carol", 25).is_empty());
    let mut c = Config::default();
    c.exceptions = vec![exception("IAM-001", ACCOUNT, "2030-01-01")];
    assert!(too_broad_warnings(&checks::audit(&gaps(), &c, None)).is_empty());
    // A check that did not run says nothing.
    let mut c = Config::default();
    c.skip_checks = vec!["IAM-008".into()];
    c.exceptions = vec![exception("IAM-008", "*", "2030-01-01")];
    assert!(too_broad_warnings(&checks::audit(&gaps(), &c, None)).is_empty());
}
