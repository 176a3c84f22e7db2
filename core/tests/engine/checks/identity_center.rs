//! IAM Identity Center: IAM-029 sso-user-in-group, IAM-030 sso-direct-assignment, IAM-031
//! sso-admin-permission-set, IAM-032 sso-session-duration. The instance is the demo
//! account's (examples/make-demo-account.sh builds it in moto with the AWS CLI and exports it
//! with the CLI commands README.md lists); variants of it are copies with a file changed,
//! removed, or recorded as not collected.

use super::*;
use hipaa_iam_core::account::identity_center::{self, PrincipalKind};

/// This family's checks that read only `authorization-details.json`: none.
pub(super) const AUTHORIZATION_ONLY: &[&str] = &[];

pub(super) static CASES: &[Case] = &[
    case(
        "the demo account's Identity Center",
        demo,
        defaults,
        &[
            ("IAM-029", "sam.contractor", Fail),
            ("IAM-029", "alex.rivera", Pass),
            (
                "IAM-030",
                "FrontDeskCalendar to user sam.contractor in 123456789012",
                Fail,
            ),
            ("IAM-030", "ClinicianAccess to group Clinicians in 123456789012", Pass),
            ("IAM-031", "AdministratorAccess", Fail),
            ("IAM-031", "BillingAccess", Pass),
            ("IAM-032", "AdministratorAccess", Fail),
            ("IAM-032", "ClinicianAccess", Pass),
        ],
    ),
    on_compliant(&[
        ("IAM-029", "IAM Identity Center", NotEval),
        ("IAM-030", "IAM Identity Center", NotEval),
        ("IAM-031", "IAM Identity Center", NotEval),
        ("IAM-032", "IAM Identity Center", NotEval),
    ]),
];

#[test]
fn cases() {
    run_cases(CASES);
}

fn demo_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/demo-account")
}

fn demo() -> Account {
    Account::read_dir(&demo_dir()).unwrap()
}

/// The demo account's files, to change one and read the result.
fn demo_set() -> ExportSet {
    ExportSet::read_dir(&demo_dir()).unwrap()
}

fn ic_file(set: &ExportSet, suffix: &str) -> String {
    let found: Vec<&String> = set
        .files
        .keys()
        .filter(|k| k.starts_with("identity-center/") && k.ends_with(suffix))
        .collect();
    assert!(!found.is_empty(), "no identity-center file ends with {suffix}");
    found[0].clone()
}

fn audit_set(set: &ExportSet, config: &Config) -> AuditReport {
    checks::audit(&Account::from_exports(set).unwrap(), config, None)
}

/// The findings of one check as `resource status`, sorted.
fn verdicts(r: &AuditReport, check: &str) -> Vec<String> {
    let mut v: Vec<String> = r
        .findings
        .iter()
        .filter(|f| f.check.id == check)
        .map(|f| format!("{} {}", f.resource_name, f.status))
        .collect();
    v.sort();
    v
}

#[test]
fn the_demo_instance_reads_as_the_cli_exported_it() {
    let account = demo();
    let ic = account
        .identity_center
        .get()
        .expect("the demo account has Identity Center data");
    assert_eq!(ic.instances.len(), 1);
    let i = &ic.instances[0];
    assert_eq!(i.region, "us-east-1");
    assert_eq!(i.owner_account.as_deref(), Some(ACCOUNT));
    assert!(i.missing.is_empty(), "{:?}", i.missing);
    let users: Vec<&str> = i.users.iter().map(|u| u.user_name.as_str()).collect();
    assert_eq!(users, ["alex.rivera", "dr.reyes", "pat.morgan", "sam.contractor"]);
    let sets: Vec<(&str, Option<u64>)> = i
        .permission_sets
        .iter()
        .map(|p| (p.name.as_str(), p.session_seconds))
        .collect();
    assert_eq!(
        sets,
        [
            ("AdministratorAccess", Some(12 * 3600)),
            ("BillingAccess", Some(4 * 3600)),
            ("ClinicianAccess", Some(4 * 3600)),
            ("FrontDeskCalendar", Some(8 * 3600)),
        ]
    );
    let admin = &i.permission_sets[0];
    assert_eq!(
        admin.managed_policies,
        [(
            "AdministratorAccess".to_string(),
            "arn:aws:iam::aws:policy/AdministratorAccess".to_string()
        )]
    );
    assert_eq!(admin.accounts, [ACCOUNT]);
    assert_eq!(admin.assignments.len(), 1);
    assert_eq!(admin.assignments[0].kind, PrincipalKind::Group);
    let billing = &i.permission_sets[1];
    assert_eq!(
        billing.customer_managed,
        [("billing-claims-access".to_string(), "/".to_string())]
    );
    assert!(
        i.permission_sets[2].inline.is_some(),
        "ClinicianAccess has an inline policy"
    );
    let alex = i.users.iter().find(|u| u.user_name == "alex.rivera").unwrap();
    let groups: Vec<&str> = i.groups_of(&alex.id).iter().map(|g| g.display_name.as_str()).collect();
    assert_eq!(groups, ["IT-Admins"]);
    let access = i.access_of(&alex.id);
    assert_eq!(access.len(), 1);
    assert_eq!(access[0].0.name, "AdministratorAccess");
    assert_eq!(access[0].2, "through group IT-Admins");
}

#[test]
fn details_name_what_was_decided_and_from_what() {
    let r = checks::audit(&demo(), &Config::default(), None);
    let f = find(&r, "IAM-031", "AdministratorAccess");
    assert!(
        f.detail
            .contains("AdministratorAccess (in permission set AdministratorAccess) [statement 1]")
            && f.detail.contains("provisioned to 123456789012")
            && f.detail.contains("assigned to group IT-Admins in 123456789012"),
        "{}",
        f.detail
    );
    assert_eq!(f.source_file.as_deref(), Some("identity-center"));
    let f = find(&r, "IAM-029", "sam.contractor");
    assert!(
        f.detail.contains("no Identity Center group") && f.detail.contains("FrontDeskCalendar in 123456789012"),
        "{}",
        f.detail
    );
    assert!(
        f.resource_arn.starts_with("arn:aws:identitystore:::user/"),
        "{}",
        f.resource_arn
    );
    let f = find(&r, "IAM-032", "FrontDeskCalendar");
    assert_eq!(f.status, Status::Fail);
    assert!(f.detail.contains("8 h (PT8H), over the limit of 4 h"), "{}", f.detail);
    // The customer managed reference resolves to the account's own policy of that name.
    let f = find(&r, "IAM-031", "BillingAccess");
    assert!(f.detail.starts_with("not full access"), "{}", f.detail);
}

#[test]
fn max_session_hours_is_the_limit_of_iam_032() {
    let mut config = Config::default();
    config.max_session_hours = 8;
    let r = checks::audit(&demo(), &config, None);
    assert_eq!(
        verdicts(&r, "IAM-032"),
        [
            "AdministratorAccess fail",
            "BillingAccess pass",
            "ClinicianAccess pass",
            "FrontDeskCalendar pass"
        ]
    );
    config.max_session_hours = 12;
    let r = checks::audit(&demo(), &config, None);
    assert!(verdicts(&r, "IAM-032").iter().all(|v| v.ends_with(" pass")));
    // An unset duration is AWS's default of one hour; a malformed one is an error.
    let mut set = demo_set();
    let name = ic_file(&set, "/permission-set.json");
    let mut doc: Value = serde_json::from_slice(&set.files[&name]).unwrap();
    let ps_name = doc["PermissionSet"]["Name"].as_str().unwrap().to_string();
    doc["PermissionSet"]["SessionDuration"] = json!("eight hours");
    set.files.insert(name.clone(), serde_json::to_vec(&doc).unwrap());
    let r = audit_set(&set, &Config::default());
    let f = find(&r, "IAM-032", &ps_name);
    assert_eq!(f.status, Status::Error, "{}", f.detail);
    assert!(f.detail.contains("\"eight hours\""), "{}", f.detail);
    doc["PermissionSet"].as_object_mut().unwrap().remove("SessionDuration");
    set.files.insert(name, serde_json::to_vec(&doc).unwrap());
    let r = audit_set(&set, &Config::default());
    let f = find(&r, "IAM-032", &ps_name);
    assert_eq!(f.status, Status::Pass, "{}", f.detail);
    assert!(f.detail.contains("1 h (the default)"), "{}", f.detail);
}

#[test]
fn administrator_access_is_decided_by_the_evaluator_not_by_names() {
    let mut set = demo_set();
    let instance_dir = {
        let k = ic_file(&set, "/permission-sets.json");
        k.trim_end_matches("/permission-sets.json").to_string()
    };
    // The ClinicianAccess inline policy rewritten to allow everything: fails, though its name
    // says nothing of administrators.
    let inline = set
        .files
        .keys()
        .filter(|k| k.ends_with("/inline-policy.json"))
        .find(|k| {
            let dir = k.trim_end_matches("inline-policy.json");
            let d: Value = serde_json::from_slice(&set.files[&format!("{dir}permission-set.json")]).unwrap();
            d["PermissionSet"]["Name"] == "ClinicianAccess"
        })
        .unwrap()
        .clone();
    let everything = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "iam:NoSuchAction", "Resource": "*"}]});
    set.files.insert(
        inline.clone(),
        serde_json::to_vec(&json!({"InlinePolicy": everything.to_string()})).unwrap(),
    );
    let r = audit_set(&set, &Config::default());
    let f = find(&r, "IAM-031", "ClinicianAccess");
    assert_eq!(f.status, Status::Fail, "{}", f.detail);
    assert!(
        f.detail.contains("inline policy of permission set ClinicianAccess"),
        "{}",
        f.detail
    );
    assert!(
        f.detail.contains("assigned to group Clinicians in 123456789012"),
        "{}",
        f.detail
    );

    // A permissions boundary that allows only S3 makes it not an administrator; a boundary
    // the data lacks leaves it failing with the boundary assumed to restrict nothing.
    let boundary = inline.replace("inline-policy.json", "permissions-boundary.json");
    set.files.insert(
        boundary.clone(),
        serde_json::to_vec(&json!({"PermissionsBoundary": {"CustomerManagedPolicyReference": {"Name": "permissions-boundary-base", "Path": "/"}}})).unwrap(),
    );
    let r = audit_set(&set, &Config::default());
    let f = find(&r, "IAM-031", "ClinicianAccess");
    assert_eq!(f.status, Status::Pass, "{}", f.detail);
    set.files.insert(
        boundary,
        serde_json::to_vec(&json!({"PermissionsBoundary": {"CustomerManagedPolicyReference": {"Name": "no-such-boundary", "Path": "/"}}})).unwrap(),
    );
    let r = audit_set(&set, &Config::default());
    let f = find(&r, "IAM-031", "ClinicianAccess");
    assert_eq!(f.status, Status::Fail, "{}", f.detail);
    assert!(f.detail.contains("assumed to restrict nothing"), "{}", f.detail);

    // An AWS managed policy whose document the data lacks: not-evaluated, never passed.
    let managed = set
        .files
        .keys()
        .filter(|k| k.ends_with("/managed-policies.json"))
        .find(|k| {
            let dir = k.trim_end_matches("managed-policies.json");
            let d: Value = serde_json::from_slice(&set.files[&format!("{dir}permission-set.json")]).unwrap();
            d["PermissionSet"]["Name"] == "BillingAccess"
        })
        .unwrap()
        .clone();
    set.files.insert(
        managed,
        serde_json::to_vec(&json!({"AttachedManagedPolicies": [{"Name": "PowerUserAccess", "Arn": "arn:aws:iam::aws:policy/PowerUserAccess"}]})).unwrap(),
    );
    let r = audit_set(&set, &Config::default());
    let f = find(&r, "IAM-031", "BillingAccess");
    assert_eq!(f.status, Status::NotEvaluated, "{}", f.detail);
    assert!(
        f.detail.contains("arn:aws:iam::aws:policy/PowerUserAccess"),
        "{}",
        f.detail
    );
    assert!(!instance_dir.is_empty());
}

#[test]
fn administrator_access_is_known_without_the_accounts_copy() {
    // The compliant fixture's account, which has no AdministratorAccess attached (so not its
    // document), with the demo's Identity Center: AWS's AdministratorAccess is still known.
    let mut set = ExportSet::read_dir(&fixture("compliant")).unwrap();
    let demo = demo_set();
    for (k, v) in demo.files.iter().filter(|(k, _)| k.starts_with("identity-center/")) {
        set.files.insert(k.clone(), v.clone());
    }
    let account = Account::from_exports(&set).unwrap();
    assert!(
        account.policy("arn:aws:iam::aws:policy/AdministratorAccess").is_none(),
        "the compliant fixture must lack AdministratorAccess for this test"
    );
    let r = checks::audit(&account, &Config::default(), None);
    assert_eq!(find(&r, "IAM-031", "AdministratorAccess").status, Status::Fail);
    // The customer managed policy billing-claims-access is not in this account: unknown.
    let f = find(&r, "IAM-031", "BillingAccess");
    assert_eq!(f.status, Status::NotEvaluated, "{}", f.detail);
    assert!(
        f.detail.contains("customer managed policy /billing-claims-access"),
        "{}",
        f.detail
    );
}

#[test]
fn missing_or_uncollected_data_is_not_evaluated_with_the_reason() {
    // The instance listing refused (a member account): every check says why, once.
    let mut set = demo_set();
    set.files.retain(|k, _| !k.starts_with("identity-center/"));
    let listing = identity_center::path::instances("us-east-1");
    set.manifest.as_mut().unwrap().not_collected.insert(
        listing.clone(),
        "AccessDeniedException: User is not authorized to perform sso:ListInstances".into(),
    );
    let r = audit_set(&set, &Config::default());
    for check in ["IAM-029", "IAM-030", "IAM-031", "IAM-032"] {
        let f = find(&r, check, "IAM Identity Center");
        assert_eq!(f.status, Status::NotEvaluated);
        assert!(
            f.detail.contains("sso:ListInstances") && f.detail.contains(&listing),
            "{check}: {}",
            f.detail
        );
        assert_eq!(r.findings.iter().filter(|f| f.check.id == check).count(), 1);
    }

    // No instance in the region.
    let mut set = demo_set();
    set.files.retain(|k, _| !k.starts_with("identity-center/"));
    set.files.insert(listing, br#"{"Instances": []}"#.to_vec());
    let r = audit_set(&set, &Config::default());
    let f = find(&r, "IAM-031", "IAM Identity Center");
    assert_eq!(f.status, Status::NotEvaluated);
    assert!(
        f.detail.contains("no Identity Center instance in us-east-1"),
        "{}",
        f.detail
    );

    // A group's memberships not collected: a user in no group read is not-evaluated, not
    // failed; users found in another group still pass.
    let mut set = demo_set();
    let memberships: Vec<String> = set
        .files
        .keys()
        .filter(|k| k.contains("/group-memberships/"))
        .cloned()
        .collect();
    let gone = memberships[0].clone();
    set.files.remove(&gone);
    set.manifest
        .as_mut()
        .unwrap()
        .not_collected
        .insert(gone.clone(), "ThrottlingException: Rate exceeded".into());
    let r = audit_set(&set, &Config::default());
    let f = find(&r, "IAM-029", "sam.contractor");
    assert_eq!(f.status, Status::NotEvaluated, "{}", f.detail);
    assert!(
        f.detail.contains("Rate exceeded") && f.detail.contains(&gone),
        "{}",
        f.detail
    );
    assert!(verdicts(&r, "IAM-029").iter().any(|v| v.ends_with(" pass")));

    // A permission set's policies not collected: only that permission set is not-evaluated.
    let mut set = demo_set();
    let managed = ic_file(&set, "/managed-policies.json");
    set.files.remove(&managed);
    let r = audit_set(&set, &Config::default());
    let statuses: Vec<Status> = r
        .findings
        .iter()
        .filter(|f| f.check.id == "IAM-031")
        .map(|f| f.status)
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == Status::NotEvaluated).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(statuses.len(), 4);
}

#[test]
fn hostile_ids_in_the_data_are_refused_naming_the_file() {
    let mut set = demo_set();
    let name = ic_file(&set, "/permission-sets.json");
    set.files.insert(
        name.clone(),
        br#"{"PermissionSets": ["arn:aws:sso:::permissionSet/ssoins-1/../../ps-1"]}"#.to_vec(),
    );
    let e = match Account::from_exports(&set) {
        Ok(_) => panic!("the data is refused"),
        Err(e) => e.to_string(),
    };
    assert!(e.contains(&name) && e.contains("PermissionSets[0]"), "{e}");

    let mut set = demo_set();
    let name = ic_file(&set, "/assignments/123456789012.json");
    let mut doc: Value = serde_json::from_slice(&set.files[&name]).unwrap();
    doc["AccountAssignments"][0]["PrincipalType"] = json!("ROBOT");
    set.files.insert(name.clone(), serde_json::to_vec(&doc).unwrap());
    let e = match Account::from_exports(&set) {
        Ok(_) => panic!("the data is refused"),
        Err(e) => e.to_string(),
    };
    assert!(
        e.contains(&name) && e.contains("PrincipalType") && e.contains("ROBOT"),
        "{e}"
    );
}

#[test]
fn an_organizations_instance_is_written_once_read_back_and_decided_in_one_account() {
    use hipaa_iam_core::org::identity_center as org_ic;
    let demo = demo_set();
    let files: BTreeMap<String, Vec<u8>> = demo
        .files
        .iter()
        .filter(|(k, _)| k.starts_with("identity-center/"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let top = tempfile::tempdir().unwrap();
    let refused = BTreeMap::from([(
        "identity-center/eu-west-1/instances.json".to_string(),
        "AccessDeniedException: not here".to_string(),
    )]);
    let manifest = org_ic::write(top.path(), &files, &refused, Some(ACCOUNT)).unwrap();
    assert_eq!(manifest.files.len(), files.len());
    assert!(
        manifest.files.contains_key("us-east-1/instances.json"),
        "{:?}",
        manifest.files.keys()
    );
    // A file of the caller's own beside them is never touched.
    std::fs::write(top.path().join("identity-center/notes.txt"), "mine").unwrap();

    let shared = org_ic::read(top.path()).unwrap();
    assert_eq!(shared.read_from.as_deref(), Some(ACCOUNT));
    let ic = shared.data.get().expect("read back");
    assert_eq!(ic.instances[0].users.len(), 4);
    assert_eq!(
        ic.regions.get("eu-west-1").cloned().flatten().as_deref(),
        Some("AccessDeniedException: not here")
    );

    // Decided in the account it was read from; the others say where.
    let mut home = Account::read_dir(&fixture("compliant")).unwrap();
    shared.attach(&mut home, ACCOUNT);
    let r = checks::audit(&home, &Config::default(), None);
    assert_eq!(find(&r, "IAM-029", "sam.contractor").status, Status::Fail);
    let mut member = Account::read_dir(&fixture("compliant")).unwrap();
    shared.attach(&mut member, "210987654321");
    let r = checks::audit(&member, &Config::default(), None);
    for check in ["IAM-029", "IAM-030", "IAM-031", "IAM-032"] {
        let f = find(&r, check, "IAM Identity Center");
        assert_eq!(f.status, Status::NotEvaluated);
        assert!(f.detail.contains("audited with account 123456789012"), "{}", f.detail);
    }

    // A later collection with less: the files it no longer makes go, the caller's stay.
    let fewer: BTreeMap<String, Vec<u8>> = files
        .iter()
        .filter(|(k, _)| !k.contains("/group-memberships/"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    org_ic::write(top.path(), &fewer, &BTreeMap::new(), Some(ACCOUNT)).unwrap();
    let tree: Vec<String> = walk(&top.path().join("identity-center"));
    assert!(
        !tree
            .iter()
            .any(|p| p.contains("group-memberships/") && p.ends_with(".json")),
        "{tree:?}"
    );
    assert!(tree.iter().any(|p| p.ends_with("notes.txt")), "{tree:?}");

    // No folder: nothing shared, nothing changed.
    let empty = tempfile::tempdir().unwrap();
    let none = org_ic::read(empty.path()).unwrap();
    let mut account = Account::read_dir(&fixture("compliant")).unwrap();
    none.attach(&mut account, "210987654321");
    assert!(account.identity_center_audited_in.is_none());
}

/// Every file under `dir`, as paths relative to it.
fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                pending.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out
}
