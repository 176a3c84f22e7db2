//! IAM Identity Center on moto: `hipaa-iam collect` and `scripts/collect-identity-center.sh`
//! (the AWS CLI alone) make the same files with the same JSON (compared parsed: the CLI v1
//! prints timestamps as epoch seconds, the collector as ISO 8601, see
//! `hipaa_iam_tests::identity_center`); the exports read back; a re-collection into the same
//! directory leaves no Identity Center file of the earlier one and nothing else is touched.
//!
//! moto does not implement `GetPermissionsBoundaryForPermissionSet` (it answers HTTP 500):
//! both record that file as not made. Boundaries and an unreadable instance are tested with
//! aws-smithy-mocks (core/tests/engine/identity_center_mocks.rs).
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Output;

use hipaa_iam_core::account::ExportSet;
use hipaa_iam_core::manifest::Manifest;
use hipaa_iam_tests::identity_center::{assert_same_json, in_parallel, Instance};
use hipaa_iam_tests::{moto, output, read_tree, Moto, MOTO_ACCOUNT_ID};
use serde_json::{json, Value};

use crate::common::BIN;

const INLINE: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
const REGIONS: &str = "us-east-1,eu-west-1";

/// What the fixture made.
struct Made {
    instance: Instance,
    admin: String,
    read_only: String,
    empty_group: String,
}

/// Two permission sets (Admin: AdministratorAccess, an inline policy, a customer-managed
/// reference, a relay state, provisioned and assigned to a group and a user; ReadOnly:
/// neither provisioned nor assigned), two users, two groups (one empty).
fn make(m: &Moto) -> Made {
    let i = Instance::of(m);
    let relay = r#"{"RelayState": "https://console.aws.amazon.com/s3/home", "Description": "Full administrator"}"#;
    let mut made = in_parallel::<Vec<String>>(vec![
        Box::new(|| {
            let admin = i.permission_set(m, "Admin", "PT8H", Some(relay));
            in_parallel::<()>(vec![
                Box::new(|| {
                    i.on_permission_set(
                        m,
                        "attach-managed-policy-to-permission-set",
                        &admin,
                        &["--managed-policy-arn", "arn:aws:iam::aws:policy/AdministratorAccess"],
                    );
                }),
                Box::new(|| {
                    i.on_permission_set(
                        m,
                        "put-inline-policy-to-permission-set",
                        &admin,
                        &["--inline-policy", INLINE],
                    );
                }),
                Box::new(|| {
                    i.on_permission_set(
                        m,
                        "attach-customer-managed-policy-reference-to-permission-set",
                        &admin,
                        &["--customer-managed-policy-reference", "Name=phi-read,Path=/clinical/"],
                    );
                }),
                Box::new(|| i.provision(m, &admin)),
            ]);
            vec![admin]
        }),
        Box::new(|| {
            let ps = i.permission_set(m, "ReadOnly", "PT2H", None);
            i.on_permission_set(
                m,
                "attach-managed-policy-to-permission-set",
                &ps,
                &["--managed-policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess"],
            );
            vec![ps]
        }),
        Box::new(|| vec![i.user(m, "alice", Some("alice@example.org")), i.user(m, "bob", None)]),
        Box::new(|| vec![i.group(m, "admins"), i.group(m, "nobody")]),
    ]);
    let groups = made.pop().unwrap();
    let users = made.pop().unwrap();
    let read_only = made.pop().unwrap().remove(0);
    let admin = made.pop().unwrap().remove(0);
    in_parallel::<()>(vec![
        Box::new(|| i.member(m, &groups[0], &users[0])),
        Box::new(|| i.assign(m, &admin, "GROUP", &groups[0])),
        Box::new(|| i.assign(m, &admin, "USER", &users[1])),
    ]);
    Made {
        empty_group: groups[1].clone(),
        instance: i,
        admin,
        read_only,
    }
}

fn collect(m: &Moto, dir: &Path, regions: &str) -> Output {
    let out = output(
        m.command(BIN)
            .args(["collect", "--output", dir.to_str().unwrap(), "--regions", regions]),
    );
    assert!(
        out.status.success(),
        "collect failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `scripts/collect-identity-center.sh` into `dir`, the CLI making one attempt per call
/// (moto's HTTP 500 on the boundary call would otherwise be retried with back-off).
fn script(m: &Moto, dir: &Path) -> Output {
    let script = hipaa_iam_tests::workspace_root().join("scripts/collect-identity-center.sh");
    let mut cmd = m.command("bash");
    cmd.arg(script)
        .args(["--output", dir.to_str().unwrap()])
        .args(["--region", REGIONS])
        .env("HIPAA_IAM_AWS_CLI", hipaa_iam_tests::aws_cli())
        .env("AWS_MAX_ATTEMPTS", "1");
    output(&mut cmd)
}

/// The Identity Center files under `dir`, by relative path.
fn identity_center_files(dir: &Path) -> Vec<String> {
    read_tree(dir)
        .into_keys()
        .filter(|k| k.starts_with("identity-center/"))
        .collect()
}

fn read_json(dir: &Path, name: &str) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join(name)).unwrap()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn collect_and_the_script_make_the_same_identity_center_files() {
    let m = moto();
    let made = make(&m);
    let tmp = hipaa_iam_tests::temp_dir();
    let (collected, scripted) = (tmp.path().join("collected"), tmp.path().join("scripted"));

    let out = collect(&m, &collected, REGIONS);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // moto has an instance in every region: eu-west-1's is empty.
    assert!(
        stderr.contains("identity center: instances 2  permission sets 2  users 2  groups 2"),
        "{stderr}"
    );
    let out = script(&m, &scripted);
    let script_err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "the boundary calls failed: {script_err}");

    let names = identity_center_files(&collected);
    assert_eq!(
        names,
        identity_center_files(&scripted),
        "the same files; the script said: {script_err}"
    );
    let i = &made.instance;
    let base = format!("identity-center/us-east-1/{}", i.id);
    let ps_dir = |ps: &str| format!("{base}/permission-sets/{}", ps.rsplit('/').next().unwrap());
    let (admin, read_only) = (ps_dir(&made.admin), ps_dir(&made.read_only));
    let mut expected = vec![
        "identity-center/eu-west-1/instances.json".to_string(),
        "identity-center/us-east-1/instances.json".to_string(),
        format!("{base}/permission-sets.json"),
        format!("{base}/users.json"),
        format!("{base}/groups.json"),
        format!("{admin}/assignments/{MOTO_ACCOUNT_ID}.json"),
    ];
    for ps in [&admin, &read_only] {
        for leaf in [
            "permission-set.json",
            "managed-policies.json",
            "customer-managed-policies.json",
            "inline-policy.json",
            "accounts.json",
        ] {
            expected.push(format!("{ps}/{leaf}"));
        }
    }
    let listed = read_json(&collected, &format!("{base}/groups.json"));
    for g in listed["Groups"].as_array().unwrap() {
        expected.push(format!(
            "{base}/group-memberships/{}.json",
            g["GroupId"].as_str().unwrap()
        ));
    }
    let eu = read_json(&collected, "identity-center/eu-west-1/instances.json");
    let eu_id = eu["Instances"][0]["InstanceArn"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    for leaf in ["permission-sets.json", "users.json", "groups.json"] {
        expected.push(format!("identity-center/eu-west-1/{eu_id}/{leaf}"));
    }
    expected.sort();
    assert_eq!(names, expected);

    // The same JSON, file by file, and the collector's as the CLI prints it.
    for name in &names {
        let text = std::fs::read_to_string(collected.join(name)).unwrap();
        assert!(text.ends_with("}\n") && text.contains("\n    \""), "{name}: {text}");
        assert_same_json(name, &read_json(&collected, name), &read_json(&scripted, name));
    }

    // What the fixture made is in the files (so the equality above is not vacuous).
    let ps = read_json(&collected, &format!("{admin}/permission-set.json"));
    assert_eq!(ps["PermissionSet"]["Name"], "Admin");
    assert_eq!(ps["PermissionSet"]["SessionDuration"], "PT8H");
    assert_eq!(ps["PermissionSet"]["Description"], "Full administrator");
    assert_eq!(
        ps["PermissionSet"]["RelayState"],
        "https://console.aws.amazon.com/s3/home"
    );
    let created = ps["PermissionSet"]["CreatedDate"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(created).is_ok() && created.ends_with('Z'),
        "a timestamp in ISO 8601 UTC: {created}"
    );
    let inline = read_json(&collected, &format!("{admin}/inline-policy.json"));
    assert_eq!(
        serde_json::from_str::<Value>(inline["InlinePolicy"].as_str().unwrap()).unwrap(),
        serde_json::from_str::<Value>(INLINE).unwrap(),
        "the inline policy is the string the API returns"
    );
    assert_eq!(
        read_json(&collected, &format!("{read_only}/inline-policy.json")),
        json!({"InlinePolicy": ""})
    );
    assert_eq!(
        read_json(&collected, &format!("{admin}/managed-policies.json")),
        json!({"AttachedManagedPolicies": [{"Name": "AdministratorAccess", "Arn": "arn:aws:iam::aws:policy/AdministratorAccess"}]})
    );
    assert_eq!(
        read_json(&collected, &format!("{admin}/customer-managed-policies.json")),
        json!({"CustomerManagedPolicyReferences": [{"Name": "phi-read", "Path": "/clinical/"}]})
    );
    assert_eq!(
        read_json(&collected, &format!("{admin}/accounts.json")),
        json!({"AccountIds": [MOTO_ACCOUNT_ID]})
    );
    assert_eq!(
        read_json(&collected, &format!("{read_only}/accounts.json")),
        json!({"AccountIds": []})
    );
    let assignments = read_json(&collected, &format!("{admin}/assignments/{MOTO_ACCOUNT_ID}.json"));
    let mut kinds: Vec<&str> = assignments["AccountAssignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["PrincipalType"].as_str().unwrap())
        .collect();
    kinds.sort();
    assert_eq!(kinds, ["GROUP", "USER"]);
    let users = read_json(&collected, &format!("{base}/users.json"));
    let alice = users["Users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["UserName"] == "alice")
        .unwrap();
    assert_eq!(
        alice["Emails"],
        json!([{"Value": "alice@example.org", "Type": "work", "Primary": true}])
    );
    assert_eq!(
        read_json(
            &collected,
            &format!("{base}/group-memberships/{}.json", made.empty_group)
        ),
        json!({"GroupMemberships": []})
    );

    // moto answers the boundary call with HTTP 500: recorded by both, no file made.
    let manifest = Manifest::read(&collected.join("manifest.json")).unwrap();
    for ps in [&admin, &read_only] {
        let name = format!("{ps}/permissions-boundary.json");
        let reason = manifest.not_collected.get(&name).unwrap_or_else(|| panic!("{name}"));
        assert!(reason.starts_with("HTTP 500"), "{reason}");
        assert!(script_err.contains(&format!("{name} not made")), "{script_err}");
    }
    assert_eq!(
        manifest
            .not_collected
            .keys()
            .filter(|k| k.starts_with("identity-center/"))
            .count(),
        2,
        "{:?}",
        manifest.not_collected
    );
    assert!(
        manifest.verify(&collected).is_empty(),
        "{:?}",
        manifest.verify(&collected)
    );
    for name in &names {
        assert!(manifest.files.contains_key(name), "{name} is hashed in the manifest");
    }

    // Both directories read back, every Identity Center file with it.
    for dir in [&collected, &scripted] {
        let set = ExportSet::read_dir(dir).unwrap();
        let read: Vec<&String> = set.files.keys().filter(|k| k.starts_with("identity-center/")).collect();
        assert_eq!(read, names.iter().collect::<Vec<_>>(), "{}", dir.display());
        for name in &names {
            assert_eq!(set.files[name], std::fs::read(dir.join(name)).unwrap(), "{name}");
        }
    }

    // Both audit alike: the checks read the script's files as the collector's. Only IAM-031
    // differs: the collector recorded the boundary call's failure (the boundary is unknown,
    // so the verdict is not-evaluated), while the script's directory, without a manifest,
    // says nothing beyond the file's absence (no boundary).
    for name in ["authorization-details.json", "credential-report.csv"] {
        std::fs::copy(collected.join(name), scripted.join(name)).unwrap();
    }
    let audit = |dir: &Path| -> BTreeSet<(String, String, String)> {
        let out = output(
            m.command(BIN)
                .args(["audit", "--exports", dir.to_str().unwrap(), "--format", "json"]),
        );
        let report: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        hipaa_iam_tests::finding_triples(&report)
            .into_iter()
            .filter(|(check, _, _)| ["IAM-029", "IAM-030", "IAM-031", "IAM-032"].contains(&check.as_str()))
            .collect()
    };
    let (from_collect, from_script) = (audit(&collected), audit(&scripted));
    let triple = |c: &str, r: &str, s: &str| (c.to_string(), r.to_string(), s.to_string());
    for expected in [
        triple("IAM-029", "alice", "pass"),
        triple("IAM-029", "bob", "fail"),
        triple("IAM-030", &format!("Admin to user bob in {MOTO_ACCOUNT_ID}"), "fail"),
        triple(
            "IAM-030",
            &format!("Admin to group admins in {MOTO_ACCOUNT_ID}"),
            "pass",
        ),
        triple("IAM-032", "Admin", "fail"),
        triple("IAM-032", "ReadOnly", "pass"),
    ] {
        assert!(from_collect.contains(&expected), "{expected:?} in {from_collect:?}");
        assert!(from_script.contains(&expected), "{expected:?} in {from_script:?}");
    }
    assert!(
        from_collect.contains(&triple("IAM-031", "Admin", "not-evaluated")),
        "{from_collect:?}"
    );
    assert!(
        from_script.contains(&triple("IAM-031", "Admin", "fail")),
        "{from_script:?}"
    );
    let differ: Vec<_> = from_collect.symmetric_difference(&from_script).collect();
    assert!(differ.iter().all(|(check, _, _)| check == "IAM-031"), "{differ:?}");

    // The script refuses to mix its files with an earlier run's.
    let again = script(&m, &scripted);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("exists: remove it first"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
}

#[test]
fn a_re_collection_leaves_no_identity_center_file_of_the_earlier_one() {
    let m = moto();
    let i = Instance::of(&m);
    let (kept, dropped) = (
        i.permission_set(&m, "Kept", "PT1H", None),
        i.permission_set(&m, "Dropped", "PT1H", None),
    );
    let group = i.group(&m, "gone");
    let tmp = hipaa_iam_tests::temp_dir();
    let dir = tmp.path().join("exports");
    collect(&m, &dir, REGIONS);
    let base = format!("identity-center/us-east-1/{}", i.id);
    let id = |arn: &str| arn.rsplit('/').next().unwrap().to_string();
    let dropped_dir = format!("{base}/permission-sets/{}", id(&dropped));
    assert!(dir.join(&dropped_dir).join("permission-set.json").is_file());
    assert!(dir.join(format!("{base}/group-memberships/{group}.json")).is_file());
    // Files of someone else's, beside and inside the tool's folders.
    let theirs = [
        "identity-center/notes.txt".to_string(),
        format!("{base}/README"),
        format!("{dropped_dir}/review.txt"),
    ];
    for name in &theirs {
        std::fs::write(dir.join(name), "mine\n").unwrap();
    }

    m.aws(&[
        "sso-admin",
        "delete-permission-set",
        "--instance-arn",
        &i.arn,
        "--permission-set-arn",
        &dropped,
    ]);
    m.aws(&[
        "identitystore",
        "delete-group",
        "--identity-store-id",
        &i.store,
        "--group-id",
        &group,
    ]);
    // One region only this time: eu-west-1's files go too.
    collect(&m, &dir, "us-east-1");

    let now = identity_center_files(&dir);
    let mut expected = vec![
        "identity-center/us-east-1/instances.json".to_string(),
        format!("{base}/permission-sets.json"),
        format!("{base}/users.json"),
        format!("{base}/groups.json"),
    ];
    for leaf in [
        "permission-set.json",
        "managed-policies.json",
        "customer-managed-policies.json",
        "inline-policy.json",
        "accounts.json",
    ] {
        expected.push(format!("{base}/permission-sets/{}/{leaf}", id(&kept)));
    }
    expected.extend(theirs.iter().cloned());
    expected.sort();
    assert_eq!(now, expected);
    assert!(!dir.join("identity-center/eu-west-1").exists(), "emptied folders go");
    assert!(!dir.join(format!("{base}/group-memberships")).exists());
    for name in &theirs {
        assert_eq!(std::fs::read_to_string(dir.join(name)).unwrap(), "mine\n", "{name}");
    }
    let manifest = Manifest::read(&dir.join("manifest.json")).unwrap();
    let mut problems = manifest.verify(&dir);
    problems.sort();
    let mut foreign: Vec<String> = theirs.iter().map(|n| format!("{n}: not in the manifest")).collect();
    foreign.sort();
    assert_eq!(
        problems, foreign,
        "only the files the tool did not write are unknown to it"
    );
    assert!(!manifest.files.keys().any(|k| k.contains("eu-west-1")));
}
