//! Organization runs end to end on moto: an organization of 5 member accounts made with
//! the AWS CLI, each given its own IAM state through credentials from moto's STS
//! `AssumeRole` into it, then `hipaa-iam audit --org` must report each account's own
//! findings; `--accounts` and `--shard` select the right accounts; `collect --org` then
//! `audit --org --exports` gives the same findings without AWS.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Output;

use hipaa_iam_tests::{finding_triples, moto, read_tree as tree, Moto, TempCredentials, MOTO_ACCOUNT_ID};
use serde_json::Value;

use crate::common::BIN;
use hipaa_iam_tests::output;

const ROLE: &str = "OrganizationAccountAccessRole";

fn hipaa_iam(moto: &Moto, args: &[&str], cwd: &Path) -> Output {
    output(moto.command(BIN).args(args).current_dir(cwd))
}

/// The organization: the management account (moto's default) and 5 members, `accounts[i]`
/// is member i+1. Member 1: a console user without MFA; member 2: a strong password policy;
/// member 3: an empty group; member 4: a user with an inline policy; member 5: a role member 1
/// may assume (an account of the organization: not outside, even when member 1 is not among
/// the accounts audited). The management account: a user of its own, in no group, and a role
/// an outside account may assume without an external ID.
struct Org {
    members: Vec<(String, String)>,
}

impl Org {
    fn id(&self, member: usize) -> &str {
        &self.members[member - 1].0
    }

    fn all_ids(&self) -> BTreeSet<String> {
        let mut ids: BTreeSet<String> = self.members.iter().map(|(id, _)| id.clone()).collect();
        ids.insert(MOTO_ACCOUNT_ID.to_string());
        ids
    }
}

fn build(m: &Moto) -> Org {
    m.aws(&["organizations", "create-organization", "--feature-set", "ALL"]);
    let mut members = Vec::new();
    for i in 1..=5 {
        let name = format!("member-{i}");
        let created = m.aws(&[
            "organizations",
            "create-account",
            "--email",
            &format!("{name}@example.com"),
            "--account-name",
            &name,
        ]);
        let status = &created["CreateAccountStatus"];
        assert_eq!(status["State"], "SUCCEEDED", "{created}");
        members.push((status["AccountId"].as_str().unwrap().to_string(), name));
    }
    let org = Org { members };
    let as_member = |i: usize| m.assume_role(org.id(i), ROLE);

    let c1 = as_member(1);
    m.aws_with(&c1, &["iam", "create-user", "--user-name", "nomfa"]);
    m.aws_with(
        &c1,
        &[
            "iam",
            "create-login-profile",
            "--user-name",
            "nomfa",
            "--password",
            "Correct-Horse-9-Battery",
        ],
    );

    let c2 = as_member(2);
    m.aws_with(
        &c2,
        &[
            "iam",
            "update-account-password-policy",
            "--minimum-password-length",
            "14",
            "--require-symbols",
            "--require-numbers",
            "--require-uppercase-characters",
            "--require-lowercase-characters",
            "--max-password-age",
            "90",
            "--password-reuse-prevention",
            "24",
            "--allow-users-to-change-password",
        ],
    );

    let c3 = as_member(3);
    m.aws_with(&c3, &["iam", "create-group", "--group-name", "lonely"]);

    let c4: TempCredentials = as_member(4);
    m.aws_with(&c4, &["iam", "create-user", "--user-name", "direct"]);
    m.aws_with(
        &c4,
        &[
            "iam",
            "put-user-policy",
            "--user-name",
            "direct",
            "--policy-name",
            "read",
            "--policy-document",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
        ],
    );

    let trusting = |account: &str| hipaa_iam_tests::account::trusting_account(account).to_string();
    let c5 = as_member(5);
    m.aws_with(
        &c5,
        &[
            "iam",
            "create-role",
            "--role-name",
            "member-1-reader",
            "--assume-role-policy-document",
            &trusting(org.id(1)),
        ],
    );

    m.aws(&["iam", "create-user", "--user-name", "mgmt-user"]);
    m.aws(&[
        "iam",
        "create-role",
        "--role-name",
        "vendor-scanner",
        "--assume-role-policy-document",
        &trusting("210987654321"),
    ]);
    org
}

/// `(check, resource, status)` of one account's report.
type Findings = BTreeSet<(String, String, String)>;

/// The accounts of `audit --org --format json`: id → (name, findings).
fn accounts(out: &Output) -> BTreeMap<String, (String, Findings)> {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let doc: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}); stderr: {stderr}"));
    let list = doc["accounts"].as_array().unwrap();
    let ids: Vec<&str> = list.iter().map(|a| a["id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted, "accounts are sorted by ID");
    list.iter()
        .map(|a| {
            assert!(a.get("error").is_none(), "account error: {a}; stderr: {stderr}");
            (
                a["id"].as_str().unwrap().to_string(),
                (a["name"].as_str().unwrap().to_string(), finding_triples(&a["report"])),
            )
        })
        .collect()
}

fn with(findings: &Findings, check: &str, status: &str) -> BTreeSet<String> {
    findings
        .iter()
        .filter(|(c, _, s)| c == check && s == status)
        .map(|(_, r, _)| r.clone())
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The expected exit status of a run: 1 when a failing finding is high or critical.
fn expected_status(out: &Output) -> i32 {
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let failing = doc["accounts"].as_array().unwrap().iter().any(|a| {
        let severity = |f: &Value| a["report"]["checks"][f["check_id"].as_str().unwrap_or("")]["severity"].clone();
        a["report"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["status"] == "fail" && (severity(f) == "high" || severity(f) == "critical"))
    });
    i32::from(failing)
}

#[test]
fn each_account_of_the_organization_is_audited_with_its_own_state() {
    let m = moto();
    let org = build(&m);
    let tmp = tempfile::tempdir().unwrap();
    let out = hipaa_iam(&m, &["audit", "--org", "--format", "json"], tmp.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let all = accounts(&out);
    assert_eq!(all.keys().cloned().collect::<BTreeSet<_>>(), org.all_ids(), "{stderr}");
    assert_eq!(out.status.code(), Some(expected_status(&out)), "{stderr}");
    assert_eq!(
        out.status.code(),
        Some(1),
        "console user without MFA is critical: {stderr}"
    );
    assert!(
        out.stderr.is_empty() || !stderr.contains('\u{1b}'),
        "no progress bar when stderr is not a terminal: {stderr}"
    );

    for (id, (name, f)) in &all {
        let member = org.members.iter().position(|(m, _)| m == id).map(|i| i + 1);
        match member {
            Some(i) => assert_eq!(name, &format!("member-{i}")),
            None => assert_eq!(id, MOTO_ACCOUNT_ID),
        }
        // The account-level findings name the account itself: its own data was collected.
        assert_eq!(
            f.iter()
                .filter(|(c, _, _)| c == "IAM-001")
                .map(|(_, r, _)| r.clone())
                .collect::<BTreeSet<_>>(),
            set(&[id]),
            "{id}"
        );
        let users: BTreeSet<String> = f
            .iter()
            .filter(|(c, _, _)| c == "IAM-006")
            .map(|(_, r, _)| r.clone())
            .collect();
        let expect_users = match member {
            Some(1) => set(&["nomfa"]),
            Some(4) => set(&["direct"]),
            Some(_) => set(&[]),
            None => set(&["mgmt-user"]),
        };
        assert_eq!(users, expect_users, "{id}: the account's own users");
        let console_without_mfa = with(f, "IAM-002", "fail");
        assert_eq!(
            console_without_mfa,
            if member == Some(1) { set(&["nomfa"]) } else { set(&[]) },
            "{id}"
        );
        let policy = if member == Some(2) { "pass" } else { "fail" };
        assert_eq!(with(f, "IAM-001", policy), set(&[id]), "{id}: password policy");
        assert_eq!(
            with(f, "IAM-021", "fail"),
            if member == Some(3) { set(&["lonely"]) } else { set(&[]) },
            "{id}: empty groups"
        );
        assert_eq!(
            with(f, "IAM-007", "fail"),
            if member == Some(4) { set(&["direct"]) } else { set(&[]) },
            "{id}: direct policies"
        );
        // Trust of another account of the organization is not outside trust; the role
        // Organizations made in each member trusts the management account.
        assert_eq!(
            with(f, "IAM-028", "fail"),
            if member.is_none() {
                set(&["vendor-scanner"])
            } else {
                set(&[])
            },
            "{id}: outside trust"
        );
        if member == Some(5) {
            assert!(with(f, "IAM-028", "pass").contains("member-1-reader"), "{f:?}");
        }
    }

    // The table: one row per account, with the member's name.
    let out = hipaa_iam(&m, &["audit", "--org", "--concurrency", "2"], tmp.path());
    let table = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let header = table.lines().next().unwrap();
    assert!(header.starts_with("ACCOUNT") && header.contains("CRITICAL"), "{table}");
    for (id, name) in &org.members {
        let row = table
            .lines()
            .find(|l| l.starts_with(id.as_str()))
            .unwrap_or_else(|| panic!("{table}"));
        assert!(row.contains(name.as_str()), "{row}");
    }
    let row1 = table.lines().find(|l| l.starts_with(org.id(1))).unwrap();
    assert!(row1.contains("  FAIL"), "{row1}");
    // Member 3's failing findings per severity: its empty group adds one low.
    let row3 = table.lines().find(|l| l.starts_with(org.id(3))).unwrap();
    let row5 = table.lines().find(|l| l.starts_with(org.id(5))).unwrap();
    let low = |row: &str| row.split_whitespace().nth(5).unwrap().parse::<usize>().unwrap();
    assert_eq!(low(row3), low(row5) + 1, "{row3}\n{row5}");
    assert!(
        table.contains("6 account(s): 6 audited, 0 error(s); fail-on high:"),
        "{table}"
    );
}

#[test]
fn accounts_and_shards_select_disjoint_sets_whose_union_is_all() {
    let m = moto();
    let org = build(&m);
    let tmp = tempfile::tempdir().unwrap();
    let all = accounts(&hipaa_iam(&m, &["audit", "--org", "--format", "json"], tmp.path()));
    assert_eq!(all.len(), 6);

    // Member 5 without member 1, whose trust of it stays that of an account of the
    // organization.
    let two = format!("{},{}", org.id(4), org.id(5));
    let picked = accounts(&hipaa_iam(
        &m,
        &["audit", "--org", "--format", "json", "--accounts", &two],
        tmp.path(),
    ));
    assert_eq!(
        picked.keys().cloned().collect::<BTreeSet<_>>(),
        set(&[org.id(4), org.id(5)])
    );
    for (id, v) in &picked {
        assert_eq!(v, &all[id], "{id}: the same findings as in the whole run");
    }

    let mut sorted: Vec<String> = org.all_ids().into_iter().collect();
    sorted.sort();
    let mut union = BTreeMap::new();
    for (i, shard) in ["1/2", "2/2"].iter().enumerate() {
        let part = accounts(&hipaa_iam(
            &m,
            &["audit", "--org", "--format", "json", "--shard", shard],
            tmp.path(),
        ));
        let expected: BTreeSet<String> = sorted.iter().skip(i).step_by(2).cloned().collect();
        assert_eq!(
            part.keys().cloned().collect::<BTreeSet<_>>(),
            expected,
            "--shard {shard}"
        );
        for (id, v) in part {
            assert!(union.insert(id.clone(), v).is_none(), "{id} is in both shards");
        }
    }
    assert_eq!(union, all, "the shards together are the unsharded run");

    // An account outside the organization is an error naming it; nothing is audited.
    let out = hipaa_iam(
        &m,
        &["audit", "--org", "--accounts", &format!("{},999999999999", org.id(1))],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--accounts: 999999999999 is not an active account of the organization"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn collect_org_then_audit_org_exports_gives_the_live_findings() {
    let m = moto();
    let org = build(&m);
    let tmp = tempfile::tempdir().unwrap();
    let live = accounts(&hipaa_iam(&m, &["audit", "--org", "--format", "json"], tmp.path()));

    let dir = tmp.path().join("org");
    let out = hipaa_iam(&m, &["collect", "--org", "--output", dir.to_str().unwrap()], tmp.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    for id in org.all_ids() {
        let sub = dir.join(&id);
        for file in ["authorization-details.json", "credential-report.csv", "manifest.json"] {
            assert!(sub.join(file).is_file(), "{}: {file}", sub.display());
        }
        let manifest: Value = serde_json::from_slice(&std::fs::read(sub.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(manifest["account_id"], id.as_str());
        // Exactly what `collect` writes for one account: it verifies.
        let v = hipaa_iam(&m, &["verify", sub.to_str().unwrap()], tmp.path());
        assert_eq!(v.status.code(), Some(0), "{}", String::from_utf8_lossy(&v.stdout));
    }
    let listing: Value = serde_json::from_slice(&std::fs::read(dir.join("accounts.json")).unwrap()).unwrap();
    let listed: Vec<(&str, &str)> = listing["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            assert!(a.get("error").is_none(), "{a}");
            (a["id"].as_str().unwrap(), a["name"].as_str().unwrap())
        })
        .collect();
    assert_eq!(listed.len(), 6);
    assert!(listed.contains(&(org.id(3), "member-3")), "{listing}");

    // Offline: no AWS at all (an endpoint that does not answer).
    let offline = crate::common::hipaa_iam()
        .args(["audit", "--org", "--format", "json", "--exports", dir.to_str().unwrap()])
        .envs(m.env())
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env_remove("GITHUB_ACTIONS")
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let replayed = accounts(&offline);
    assert_eq!(replayed, live, "the same accounts, names and findings as the live run");
    assert_eq!(offline.status.code(), Some(1));

    // Selections apply to the collected organization the same way.
    let shard = accounts(
        &crate::common::hipaa_iam()
            .args([
                "audit",
                "--org",
                "--format",
                "json",
                "--exports",
                dir.to_str().unwrap(),
                "--shard",
                "2/3",
            ])
            .env_remove("GITHUB_ACTIONS")
            .current_dir(tmp.path())
            .output()
            .unwrap(),
    );
    let sorted: Vec<String> = org.all_ids().into_iter().collect();
    let expected: BTreeSet<String> = sorted.iter().skip(1).step_by(3).cloned().collect();
    assert_eq!(shard.keys().cloned().collect::<BTreeSet<_>>(), expected);
}

/// A file's text with every ISO 8601 date-time replaced by `<time>`: two live runs differ
/// in when they ran and in when moto made each credential report, and in nothing else.
fn without_times(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let b = text.as_bytes();
    let shape = b"dddd-dd-ddTdd:dd:dd";
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        let is_time = i + shape.len() <= b.len()
            && shape
                .iter()
                .zip(&b[i..])
                .all(|(s, c)| if *s == b'd' { c.is_ascii_digit() } else { s == c });
        if is_time {
            let mut j = i + shape.len();
            while j < b.len() && (b[j].is_ascii_digit() || b".:+-Z".contains(&b[j])) {
                j += 1;
            }
            out.push_str("<time>");
            i = j;
        } else {
            let ch = text[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

#[test]
fn shards_merged_are_the_unsharded_run() {
    let m = moto();
    let _org = build(&m);
    let tmp = tempfile::tempdir().unwrap();
    let dir = |name: &str| tmp.path().join(name).to_str().unwrap().to_string();

    let whole = hipaa_iam(&m, &["audit", "--org", "--output-dir", &dir("whole")], tmp.path());
    assert_eq!(
        whole.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&whole.stderr)
    );
    for (shard, out) in [("1/2", "s1"), ("2/2", "s2")] {
        let o = hipaa_iam(
            &m,
            &["audit", "--org", "--shard", shard, "--output-dir", &dir(out)],
            tmp.path(),
        );
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "--shard {shard}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let merged = hipaa_iam(
        &m,
        &["merge", "--output", &dir("merged"), &dir("s1"), &dir("s2")],
        tmp.path(),
    );
    assert_eq!(
        merged.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&merged.stderr)
    );
    let verified = hipaa_iam(&m, &["verify", &dir("merged")], tmp.path());
    assert_eq!(
        verified.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );

    let (whole, merged) = (tree(&tmp.path().join("whole")), tree(&tmp.path().join("merged")));
    assert_eq!(
        whole.keys().collect::<Vec<_>>(),
        merged.keys().collect::<Vec<_>>(),
        "the same files"
    );
    assert!(
        whole.contains_key("org_findings.csv") && whole.len() > 6 * 5,
        "{:?}",
        whole.keys()
    );
    for (name, bytes) in &whole {
        if name.ends_with("manifest.json") {
            continue; // hashes of files holding times, and the times themselves
        }
        assert_eq!(
            without_times(bytes),
            without_times(&merged[name]),
            "{name}: the merged file differs from the unsharded run's"
        );
    }
    // The organization's findings hold no time at all: equal byte for byte.
    for name in ["org_findings.csv", "org_risk_register.csv", "org.json"] {
        assert_eq!(whole[name], merged[name], "{name}");
    }
}
