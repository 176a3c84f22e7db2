//! Service control policies end to end on moto: an organization made with the AWS CLI (SCPs
//! enabled at the root; OU Clinical under an SCP denying `iam:*`, OU Sandbox under
//! FullAWSAccess only; an administrator in a member account of each and in the management
//! account), audited live (`audit --org`) and from `collect --org`'s directory (`audit --org
//! --exports`), which must give the same verdicts: the administrator under the SCP is not a
//! full administrator (IAM-010, the detail naming the SCP), the one in the management account
//! is (SCPs never apply there); IAM-033 passes under the SCP and fails under FullAWSAccess
//! only. `scripts/collect-organization.sh` (the AWS CLI alone) makes the files `collect
//! --org` makes. The organization's Identity Center instance is read once, decided in the
//! audit of the account it was read from, and names who signs in as the role it provisioned.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

use hipaa_iam_tests::{aws_cli, output, read_tree, Moto, MOTO_ACCOUNT_ID};
use serde_json::Value;

use crate::common::BIN;

const ROLE: &str = "OrganizationAccountAccessRole";
const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

fn hipaa_iam(moto: &Moto, args: &[&str], cwd: &Path) -> Output {
    output(moto.command(BIN).args(args).current_dir(cwd))
}

/// The organization's IDs.
struct Org {
    clinical_member: String,
    sandbox_member: String,
    deny_iam: String,
    clinical: String,
}

fn text(v: &Value) -> String {
    v.as_str().unwrap().to_string()
}

fn build(m: &Moto) -> Org {
    m.aws(&["organizations", "create-organization", "--feature-set", "ALL"]);
    let root = text(&m.aws(&["organizations", "list-roots"])["Roots"][0]["Id"]);
    m.aws(&[
        "organizations",
        "enable-policy-type",
        "--root-id",
        &root,
        "--policy-type",
        "SERVICE_CONTROL_POLICY",
    ]);
    let ou = |name: &str| {
        text(
            &m.aws(&[
                "organizations",
                "create-organizational-unit",
                "--parent-id",
                &root,
                "--name",
                name,
            ])["OrganizationalUnit"]["Id"],
        )
    };
    let (clinical, sandbox) = (ou("Clinical"), ou("Sandbox"));
    let member = |name: &str, parent: &str| {
        let created = m.aws(&[
            "organizations",
            "create-account",
            "--email",
            &format!("{name}@example.com"),
            "--account-name",
            name,
        ]);
        let id = text(&created["CreateAccountStatus"]["AccountId"]);
        m.aws(&[
            "organizations",
            "move-account",
            "--account-id",
            &id,
            "--source-parent-id",
            &root,
            "--destination-parent-id",
            parent,
        ]);
        id
    };
    let clinical_member = member("clinical-1", &clinical);
    let sandbox_member = member("sandbox-1", &sandbox);
    let deny_iam = text(
        &m.aws(&[
            "organizations",
            "create-policy",
            "--name",
            "DenyIAM",
            "--type",
            "SERVICE_CONTROL_POLICY",
            "--description",
            "no IAM changes in clinical accounts",
            "--content",
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"NoIAM","Effect":"Deny","Action":"iam:*","Resource":"*"}]}"#,
        ])["Policy"]["PolicySummary"]["Id"],
    );
    m.aws(&[
        "organizations",
        "attach-policy",
        "--policy-id",
        &deny_iam,
        "--target-id",
        &clinical,
    ]);
    for (account, user) in [(&clinical_member, "clinical-admin"), (&sandbox_member, "sandbox-admin")] {
        let c = m.assume_role(account, ROLE);
        m.aws_with(&c, &["iam", "create-user", "--user-name", user]);
        m.aws_with(
            &c,
            &["iam", "attach-user-policy", "--user-name", user, "--policy-arn", ADMIN],
        );
    }
    m.aws(&["iam", "create-user", "--user-name", "mgmt-admin"]);
    m.aws(&[
        "iam",
        "attach-user-policy",
        "--user-name",
        "mgmt-admin",
        "--policy-arn",
        ADMIN,
    ]);
    // The organization's Identity Center instance (the management account's): a user in no
    // group, assigned an administrator permission set with 12-hour sessions directly, and the
    // role provisioning makes for it (moto makes none; AWS's path and name shape).
    let instance = text(&m.aws(&["sso-admin", "list-instances"])["Instances"][0]["InstanceArn"]);
    let store = text(&m.aws(&["sso-admin", "list-instances"])["Instances"][0]["IdentityStoreId"]);
    let user = text(
        &m.aws(&[
            "identitystore",
            "create-user",
            "--identity-store-id",
            &store,
            "--user-name",
            "root.operator",
            "--display-name",
            "Root Operator",
            "--name",
            "GivenName=Root,FamilyName=Operator",
        ])["UserId"],
    );
    let ps = text(
        &m.aws(&[
            "sso-admin",
            "create-permission-set",
            "--instance-arn",
            &instance,
            "--name",
            "OrgAdmin",
            "--session-duration",
            "PT12H",
        ])["PermissionSet"]["PermissionSetArn"],
    );
    m.aws(&[
        "sso-admin",
        "attach-managed-policy-to-permission-set",
        "--instance-arn",
        &instance,
        "--permission-set-arn",
        &ps,
        "--managed-policy-arn",
        ADMIN,
    ]);
    m.aws(&[
        "sso-admin",
        "create-account-assignment",
        "--instance-arn",
        &instance,
        "--target-id",
        MOTO_ACCOUNT_ID,
        "--target-type",
        "AWS_ACCOUNT",
        "--permission-set-arn",
        &ps,
        "--principal-type",
        "USER",
        "--principal-id",
        &user,
    ]);
    m.aws(&[
        "sso-admin",
        "provision-permission-set",
        "--instance-arn",
        &instance,
        "--permission-set-arn",
        &ps,
        "--target-type",
        "AWS_ACCOUNT",
        "--target-id",
        MOTO_ACCOUNT_ID,
    ]);
    m.aws(&[
        "iam",
        "create-role",
        "--role-name",
        SSO_ROLE,
        "--path",
        "/aws-reserved/sso.amazonaws.com/",
        "--assume-role-policy-document",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:saml-provider/AWSSSO_0a1b2c3d4e5f6a7b_DO_NOT_DELETE"},"Action":["sts:AssumeRoleWithSAML","sts:TagSession"],"Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}]}"#,
    ]);
    m.aws(&[
        "iam",
        "attach-role-policy",
        "--role-name",
        SSO_ROLE,
        "--policy-arn",
        ADMIN,
    ]);
    Org {
        clinical_member,
        sandbox_member,
        deny_iam,
        clinical,
    }
}

/// The role Identity Center provisions in the management account for the permission set
/// OrgAdmin.
const SSO_ROLE: &str = "AWSReservedSSO_OrgAdmin_0a1b2c3d4e5f6a7b";

/// Every account's findings of `audit --org --format json`: account → check → resource →
/// (status, detail).
type Verdicts = BTreeMap<String, BTreeMap<(String, String), (String, String)>>;

fn verdicts(out: &Output) -> Verdicts {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let doc: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}); stderr: {stderr}"));
    doc["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            assert!(a.get("error").is_none(), "{a}; stderr: {stderr}");
            let findings = a["report"]["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    (
                        (text(&f["check_id"]), text(&f["resource_name"])),
                        (text(&f["status"]), text(&f["detail"])),
                    )
                })
                .collect();
            (text(&a["id"]), findings)
        })
        .collect()
}

fn verdict<'a>(v: &'a Verdicts, account: &str, check: &str, resource: &str) -> &'a (String, String) {
    v[account]
        .get(&(check.to_string(), resource.to_string()))
        .unwrap_or_else(|| {
            panic!(
                "no {check} finding for {resource} in {account}: {:?}",
                v[account].keys()
            )
        })
}

#[test]
fn scps_cap_administrators_the_same_live_and_from_the_collected_directory_on_moto() {
    let m = hipaa_iam_tests::moto();
    let org = build(&m);
    let tmp = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let live = verdicts(&hipaa_iam(&m, &["audit", "--org", "--format", "json"], tmp.path()));
    let dir = tmp.path().join("org");
    let collected = hipaa_iam(&m, &["collect", "--org", "--output", dir.to_str().unwrap()], tmp.path());
    assert_eq!(
        collected.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&collected.stderr)
    );
    let reports = tmp.path().join("reports");
    let replay = crate::common::hipaa_iam()
        .args([
            "audit",
            "--org",
            "--format",
            "json",
            "--exports",
            dir.to_str().unwrap(),
            "--output-dir",
            reports.to_str().unwrap(),
        ])
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let replayed = verdicts(&replay);
    assert_eq!(
        replayed, live,
        "the same verdicts and details live and from the collected directory"
    );
    eprintln!("three organization runs: {:?}", started.elapsed());

    for v in [&live, &replayed] {
        // Under the SCP: not a full administrator, and the detail names it and where.
        let (status, detail) = verdict(v, &org.clinical_member, "IAM-010", "clinical-admin");
        assert_eq!(status, "pass", "{detail}");
        assert!(
            detail.contains(&format!(
                "SCP DenyIAM ({}) attached to OU Clinical ({}) denies iam:*",
                org.deny_iam, org.clinical
            )),
            "{detail}"
        );
        // Under FullAWSAccess only: a full administrator.
        let (status, detail) = verdict(v, &org.sandbox_member, "IAM-010", "sandbox-admin");
        assert_eq!(status, "fail", "{detail}");
        assert!(
            detail.contains("the service control policies that apply let it through"),
            "{detail}"
        );
        // The management account: SCPs never apply.
        let (status, detail) = verdict(v, MOTO_ACCOUNT_ID, "IAM-010", "mgmt-admin");
        assert_eq!(status, "fail", "{detail}");
        assert!(
            detail.contains("do not apply (the organization's management account)"),
            "{detail}"
        );
        // IAM-033.
        let (status, detail) = verdict(v, &org.clinical_member, "IAM-033", &org.clinical_member);
        assert_eq!(status, "pass", "{detail}");
        let (status, detail) = verdict(v, &org.sandbox_member, "IAM-033", &org.sandbox_member);
        assert_eq!(status, "fail", "{detail}");
        assert!(detail.starts_with("only FullAWSAccess applies: root r-"), "{detail}");
        let (status, _) = verdict(v, MOTO_ACCOUNT_ID, "IAM-033", MOTO_ACCOUNT_ID);
        assert_eq!(status, "not-evaluated");
        // Identity Center: read once, decided in the audit of the account it was read from,
        // shared with the others.
        let (status, detail) = verdict(v, MOTO_ACCOUNT_ID, "IAM-029", "root.operator");
        assert_eq!(status, "fail", "{detail}");
        // moto does not implement get-permissions-boundary-for-permission-set: with its
        // boundary unknown, the permission set is not judged.
        let (status, detail) = verdict(v, MOTO_ACCOUNT_ID, "IAM-031", "OrgAdmin");
        assert_eq!(status, "not-evaluated", "{detail}");
        assert!(detail.contains("permissions-boundary.json"), "{detail}");
        assert_eq!(verdict(v, MOTO_ACCOUNT_ID, "IAM-032", "OrgAdmin").0, "fail");
        for member in [&org.clinical_member, &org.sandbox_member] {
            for check in ["IAM-029", "IAM-030", "IAM-031", "IAM-032"] {
                let (status, detail) = verdict(v, member, check, "IAM Identity Center");
                assert_eq!(status, "not-evaluated", "{detail}");
                assert!(
                    detail.contains("audited with account 123456789012"),
                    "{member} {check}: {detail}"
                );
            }
        }
    }
    let ic_manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join("identity-center/manifest.json")).unwrap()).unwrap();
    assert_eq!(ic_manifest["account_id"], MOTO_ACCOUNT_ID, "{ic_manifest}");
    assert!(
        ic_manifest["files"]
            .as_object()
            .unwrap()
            .contains_key("us-east-1/instances.json"),
        "{ic_manifest}"
    );
    let verify = crate::common::hipaa_iam()
        .args(["verify", dir.join("identity-center").to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        verify.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    for account in [MOTO_ACCOUNT_ID, org.clinical_member.as_str()] {
        assert!(
            !dir.join(account).join("identity-center").exists(),
            "each account's own collection leaves Identity Center out"
        );
    }
    // Who signs in as the role it provisioned, from the collected directory.
    let who = crate::common::hipaa_iam()
        .args([
            "access",
            "who-can",
            "--exports",
            dir.join(MOTO_ACCOUNT_ID).to_str().unwrap(),
            "--action",
            "iam:CreateUser",
            "--resource",
            "*",
            "--format",
            "json",
        ])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let who: Value = serde_json::from_slice(&who.stdout).unwrap();
    let role = who["principals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == SSO_ROLE)
        .unwrap_or_else(|| panic!("{who}"));
    assert_eq!(
        role["identity_center"],
        serde_json::json!(["user root.operator via permission set OrgAdmin (assigned directly)"]),
        "{role}"
    );

    // The access queries on an account of the collected directory apply its SCPs.
    let explain = crate::common::hipaa_iam()
        .args([
            "access",
            "explain",
            "--exports",
            dir.join(&org.clinical_member).to_str().unwrap(),
            "--principal",
            "clinical-admin",
            "--action",
            "iam:CreateUser",
            "--resource",
            "*",
            "--format",
            "json",
        ])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert_eq!(
        explain.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&explain.stderr)
    );
    let answer: Value = serde_json::from_slice(&explain.stdout).unwrap();
    assert_eq!(answer[0]["decision"], "denied", "{answer}");
    assert!(
        answer[0]["reason"].as_str().unwrap().contains(&format!(
            "SCP DenyIAM ({}) attached to OU Clinical ({}) [NoIAM]",
            org.deny_iam, org.clinical
        )),
        "{answer}"
    );
    let who = crate::common::hipaa_iam()
        .args([
            "access",
            "who-can",
            "--exports",
            dir.join(&org.sandbox_member).to_str().unwrap(),
            "--action",
            "iam:CreateUser",
            "--resource",
            "*",
            "--format",
            "json",
        ])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let who: Value = serde_json::from_slice(&who.stdout).unwrap();
    assert_eq!(who["principals"][0]["name"], "sandbox-admin", "{who}");
    assert!(
        who["scope"]
            .as_str()
            .unwrap()
            .contains("capped by the organization's service and resource control policies"),
        "{who}"
    );

    // What collect --org wrote, as the layout names it.
    let files = read_tree(&dir.join("organization"));
    for name in [
        "organization.json".to_string(),
        "roots.json".into(),
        "policies/service-control-policies.json".into(),
        format!("policies/{}/policy.json", org.deny_iam),
        format!("policies/{}/targets.json", org.deny_iam),
        "policies/p-FullAWSAccess/policy.json".into(),
        format!("children/{}/accounts.json", org.clinical),
        format!("children/{}/organizational-units.json", org.clinical),
        "manifest.json".into(),
    ] {
        assert!(files.contains_key(&name), "{name}: {:?}", files.keys());
    }
    let manifest: Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    assert!(
        manifest["not_collected"]["policies/resource-control-policies.json"]
            .as_str()
            .unwrap()
            .contains("RESOURCE_CONTROL_POLICY is not enabled"),
        "{manifest}"
    );

    // The organization summary's guardrails section.
    let summary = std::fs::read_to_string(reports.join("org_summary.md")).unwrap();
    let section = summary
        .split("## Guardrails")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .unwrap_or_else(|| panic!("{summary}"));
    let row = |id: &str| {
        section
            .lines()
            .find(|l| l.starts_with(&format!("| {id} |")))
            .unwrap_or_else(|| panic!("{section}"))
            .to_string()
    };
    assert!(
        row(&org.clinical_member).contains("| restricted by SCPs |"),
        "{section}"
    );
    assert!(
        row(&org.clinical_member).contains(&format!(
            "OU Clinical ({}): FullAWSAccess (p-FullAWSAccess), DenyIAM ({})",
            org.clinical, org.deny_iam
        )),
        "{section}"
    );
    assert!(row(&org.sandbox_member).contains("only FullAWSAccess"), "{section}");
    assert!(
        row(MOTO_ACCOUNT_ID).contains("SCPs do not apply (management account)"),
        "{section}"
    );
    assert!(
        section.contains(&format!(
            "Accounts with only FullAWSAccess (no service control policy restricts anything; IAM-033 fails): {}.",
            org.sandbox_member
        )),
        "{section}"
    );
}

#[test]
fn the_script_makes_the_files_collect_org_makes_on_moto() {
    let m = hipaa_iam_tests::moto();
    let org = build(&m);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("org");
    let collected = hipaa_iam(&m, &["collect", "--org", "--output", dir.to_str().unwrap()], tmp.path());
    assert_eq!(collected.status.code(), Some(0));

    let by_script = tmp.path().join("by-script");
    let script = hipaa_iam_tests::workspace_root().join("scripts/collect-organization.sh");
    let out = output(
        m.command("bash")
            .arg(&script)
            .arg(&by_script)
            .env("AWS_CLI", aws_cli())
            .current_dir(tmp.path()),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("organization/policies/resource-control-policies.json: RESOURCE_CONTROL_POLICY is not enabled"),
        "{stderr}"
    );
    let mine = read_tree(&dir.join("organization"));
    let theirs = read_tree(&by_script.join("organization"));
    let names = |t: &BTreeMap<String, Vec<u8>>| t.keys().filter(|k| *k != "manifest.json").cloned().collect::<Vec<_>>();
    assert_eq!(names(&mine), names(&theirs), "the same files");
    for (name, bytes) in &theirs {
        let a: Value = serde_json::from_slice(&mine[name]).unwrap();
        let b: Value = serde_json::from_slice(bytes).unwrap();
        assert_eq!(a, b, "{name}: the same document as the AWS CLI prints");
    }
    assert!(theirs.contains_key(&format!("policies/{}/targets.json", org.deny_iam)));

    // The accounts' directories with the script's organization data audit the same.
    std::fs::remove_dir_all(dir.join("organization")).unwrap();
    std::fs::rename(by_script.join("organization"), dir.join("organization")).unwrap();
    let replay = crate::common::hipaa_iam()
        .args(["audit", "--org", "--format", "json", "--exports", dir.to_str().unwrap()])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let v = verdicts(&replay);
    assert_eq!(verdict(&v, &org.clinical_member, "IAM-010", "clinical-admin").0, "pass");
    assert_eq!(
        verdict(&v, &org.sandbox_member, "IAM-033", &org.sandbox_member).0,
        "fail"
    );
}
