//! The organization's service control policies: IAM-033 org-guardrails, and how SCPs cap
//! the effective permissions every other check and the access queries judge (IAM-010,
//! IAM-022, IAM-023, IAM-025, `access explain` / `who-can`), on organizations written as the
//! AWS CLI prints them (`organization/` of a `collect --org` directory). The SCP semantics
//! themselves are a table at the end.

use std::collections::BTreeMap;

use super::policies::admin_account;
use super::*;
use hipaa_iam_core::access::{self, Request};
use hipaa_iam_core::account::OrgPolicies;
use hipaa_iam_core::manifest::Manifest;
use hipaa_iam_core::org::{OrgFiles, OrganizationData};
use hipaa_iam_core::policy::{Ceiling, CeilingKind, Chain, Context, Decision, Document, Level, Principal};

/// This family's checks that read only `authorization-details.json`: none.
pub(super) const AUTHORIZATION_ONLY: &[&str] = &[];

const ROOT: &str = "r-ab12";
const CLINICAL: &str = "ou-ab12-clinical1";
const WORKLOADS: &str = "ou-ab12-workloads";
const MANAGEMENT: &str = "999999999999";
const FULL: &str = "p-FullAWSAccess";
const DENY_IAM: &str = "p-denyiam1";

fn full_access() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
}

fn deny_iam() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Sid": "NoIAM", "Effect": "Deny", "Action": "iam:*", "Resource": "*"}]})
}

/// An organization as `collect --org` writes it, from a compact description.
struct OrgSpec {
    /// (OU ID, name, parent ID).
    ous: Vec<(&'static str, &'static str, &'static str)>,
    /// (account ID, parent ID).
    accounts: Vec<(&'static str, &'static str)>,
    /// (policy ID, name, AWS managed, content, targets).
    scps: Vec<(&'static str, &'static str, bool, Value, Vec<&'static str>)>,
    scp_enabled: bool,
    /// Files that could not be collected, with the reason.
    failed: Vec<(String, &'static str)>,
}

impl OrgSpec {
    /// The root, OU Clinical under it with OU Workloads under that; the management account
    /// under the root, ACCOUNT in Workloads. FullAWSAccess everywhere.
    fn new() -> OrgSpec {
        OrgSpec {
            ous: vec![(CLINICAL, "Clinical", ROOT), (WORKLOADS, "Workloads", CLINICAL)],
            accounts: vec![(MANAGEMENT, ROOT), (ACCOUNT, WORKLOADS)],
            scps: vec![(
                FULL,
                "FullAWSAccess",
                true,
                full_access(),
                vec![ROOT, CLINICAL, WORKLOADS, MANAGEMENT, ACCOUNT],
            )],
            scp_enabled: true,
            failed: Vec::new(),
        }
    }

    fn scp(mut self, id: &'static str, name: &'static str, content: Value, targets: Vec<&'static str>) -> OrgSpec {
        self.scps.push((id, name, false, content, targets));
        self
    }

    fn files(&self) -> OrgFiles {
        let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        let mut put = |name: String, v: Value| {
            files.insert(name, serde_json::to_vec_pretty(&v).unwrap());
        };
        put(
            "organization.json".into(),
            json!({"Organization": {"Id": "o-exampleorg1", "Arn": "arn:aws:organizations::999999999999:organization/o-exampleorg1",
                   "FeatureSet": "ALL", "MasterAccountId": MANAGEMENT, "MasterAccountEmail": "m@example.com",
                   "AvailablePolicyTypes": []}}),
        );
        let types = if self.scp_enabled {
            json!([{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}])
        } else {
            json!([])
        };
        put(
            "roots.json".into(),
            json!({"Roots": [{"Id": ROOT, "Arn": "arn:aws:organizations::999999999999:root/o-exampleorg1/r-ab12", "Name": "Root", "PolicyTypes": types}]}),
        );
        for parent in [ROOT, CLINICAL, WORKLOADS] {
            let ous: Vec<Value> = self
                .ous
                .iter()
                .filter(|(_, _, p)| *p == parent)
                .map(|(id, _, _)| json!({"Id": id, "Type": "ORGANIZATIONAL_UNIT"}))
                .collect();
            let accounts: Vec<Value> = self
                .accounts
                .iter()
                .filter(|(_, p)| *p == parent)
                .map(|(id, _)| json!({"Id": id, "Type": "ACCOUNT"}))
                .collect();
            put(
                format!("children/{parent}/organizational-units.json"),
                json!({"Children": ous}),
            );
            put(
                format!("children/{parent}/accounts.json"),
                json!({"Children": accounts}),
            );
        }
        let summaries: Vec<Value> = self
            .scps
            .iter()
            .map(|(id, name, managed, _, _)| json!({"Id": id, "Arn": format!("arn:aws:organizations::aws:policy/service_control_policy/{id}"), "Name": name, "Description": "", "Type": "SERVICE_CONTROL_POLICY", "AwsManaged": managed}))
            .collect();
        put(
            "policies/service-control-policies.json".into(),
            json!({"Policies": summaries}),
        );
        for (id, name, managed, content, targets) in &self.scps {
            put(
                format!("policies/{id}/policy.json"),
                json!({"Policy": {"PolicySummary": {"Id": id, "Name": name, "Type": "SERVICE_CONTROL_POLICY", "AwsManaged": managed},
                       "Content": content.to_string()}}),
            );
            let targets: Vec<Value> = targets
                .iter()
                .map(|t| {
                    let (kind, name) = if t.starts_with("r-") {
                        ("ROOT", "Root")
                    } else if *t == CLINICAL {
                        ("ORGANIZATIONAL_UNIT", "Clinical")
                    } else if *t == WORKLOADS {
                        ("ORGANIZATIONAL_UNIT", "Workloads")
                    } else {
                        ("ACCOUNT", "an account")
                    };
                    json!({"TargetId": t, "Arn": format!("arn:aws:organizations::x:{t}"), "Name": name, "Type": kind})
                })
                .collect();
            put(format!("policies/{id}/targets.json"), json!({"Targets": targets}));
        }
        let mut manifest = Manifest::new();
        for (name, reason) in &self.failed {
            files.remove(name);
            manifest.not_collected.insert(name.clone(), reason.to_string());
        }
        OrgFiles {
            dir: None,
            files,
            manifest,
        }
    }

    /// What the organization says of `account`.
    fn policies_of(&self, account: &str) -> OrgPolicies {
        OrganizationData::from_files(&self.files()).policies_of(account)
    }
}

/// The account of `b` as `account_id` of the organization `spec`.
fn in_org(b: &B, spec: &OrgSpec, account_id: &str) -> Account {
    let mut a = b.account();
    a.account_id = Some(account_id.to_string());
    a.organization = spec.policies_of(account_id);
    a
}

/// An administrator (AdministratorAccess through a group), a role with full access, and a
/// user who can become it.
fn admins() -> B {
    admin_account()
        .group("admins", &[ADMIN], &[])
        .user("root-like", &["admins"], json!({}))
        .role("ops-admin", "/", &[ADMIN], &[])
        .trust("ops-admin", json!({"Version": "2012-10-17", "Statement": [{"Sid": "Trust", "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": "sts:AssumeRole"}]}))
        .user(
            "climber",
            &[],
            json!({"UserPolicyList": [{"PolicyName": "assume", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Sid": "Assume", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": format!("arn:aws:iam::{ACCOUNT}:role/ops-admin")}]}}]}),
        )
}

const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

fn only_full_access() -> Account {
    in_org(&admins(), &OrgSpec::new(), ACCOUNT)
}

fn deny_iam_on_ou() -> Account {
    in_org(
        &admins(),
        &OrgSpec::new().scp(DENY_IAM, "DenyIAM", deny_iam(), vec![CLINICAL]),
        ACCOUNT,
    )
}

fn management() -> Account {
    in_org(
        &admins(),
        &OrgSpec::new().scp(DENY_IAM, "DenyIAM", deny_iam(), vec![ROOT]),
        MANAGEMENT,
    )
}

fn scps_not_enabled() -> Account {
    let mut spec = OrgSpec::new();
    spec.scp_enabled = false;
    in_org(&admins(), &spec, ACCOUNT)
}

fn scp_listing_denied() -> Account {
    let mut spec = OrgSpec::new().scp(DENY_IAM, "DenyIAM", deny_iam(), vec![CLINICAL]);
    spec.failed.push((
        "policies/service-control-policies.json".into(),
        "AccessDeniedException: You don't have permissions to access this resource.",
    ));
    in_org(&admins(), &spec, ACCOUNT)
}

fn not_an_org_run() -> Account {
    admins().account()
}

pub(super) static CASES: &[Case] = &[
    case(
        "only FullAWSAccess",
        only_full_access,
        defaults,
        &[
            ("IAM-033", ACCOUNT, Fail),
            ("IAM-010", "root-like", Fail),
            ("IAM-022", "ops-admin", Fail),
            ("IAM-025", "climber", Fail),
        ],
    ),
    case(
        "an SCP denies iam:* on the account's OU",
        deny_iam_on_ou,
        defaults,
        &[
            ("IAM-033", ACCOUNT, Pass),
            ("IAM-010", "root-like", Pass),
            ("IAM-022", "ops-admin", Pass),
            ("IAM-025", "climber", Pass),
        ],
    ),
    case(
        "the management account",
        management,
        defaults,
        &[("IAM-033", MANAGEMENT, NotEval), ("IAM-010", "root-like", Fail)],
    ),
    case(
        "SCPs not enabled",
        scps_not_enabled,
        defaults,
        &[("IAM-033", ACCOUNT, Fail), ("IAM-010", "root-like", Fail)],
    ),
    case(
        "ListPolicies refused",
        scp_listing_denied,
        defaults,
        &[("IAM-033", ACCOUNT, NotEval), ("IAM-010", "root-like", Fail)],
    ),
    case(
        "not an organization run",
        not_an_org_run,
        defaults,
        &[("IAM-033", ACCOUNT, NotEval), ("IAM-010", "root-like", Fail)],
    ),
];

#[test]
fn cases() {
    run_cases(CASES);
}

fn report_of(a: &Account) -> AuditReport {
    checks::audit(a, &Config::default(), None)
}

#[test]
fn the_detail_names_the_scp_that_caps_an_administrator_and_where_it_is_attached() {
    let r = report_of(&deny_iam_on_ou());
    let f = find(&r, "IAM-010", "root-like");
    assert_eq!(f.status, Pass);
    assert!(
        f.detail
            .contains("SCP DenyIAM (p-denyiam1) attached to OU Clinical (ou-ab12-clinical1) denies iam:*"),
        "{}",
        f.detail
    );
    assert!(
        f.detail.contains("AdministratorAccess (attached to group admins)"),
        "{}",
        f.detail
    );
    let g = find(&r, "IAM-033", ACCOUNT);
    assert!(g.detail.contains("DenyIAM (p-denyiam1)"), "{}", g.detail);
    assert!(
        g.detail.contains("root r-ab12: FullAWSAccess (p-FullAWSAccess); OU Clinical (ou-ab12-clinical1): FullAWSAccess (p-FullAWSAccess), DenyIAM (p-denyiam1); OU Workloads (ou-ab12-workloads): FullAWSAccess (p-FullAWSAccess); account 123456789012: FullAWSAccess (p-FullAWSAccess)"),
        "{}",
        g.detail
    );
    // The report carries the guardrails for the organization summary.
    let org = r.organization.as_ref().unwrap();
    assert!(org.scp_restricts);
    assert_eq!(org.levels.len(), 4);
    assert_eq!(
        org.levels[1].scps.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["FullAWSAccess", "DenyIAM"]
    );
}

#[test]
fn outside_organization_runs_and_in_the_management_account_the_detail_says_why_scps_do_not_decide() {
    let r = report_of(&not_an_org_run());
    let f = find(&r, "IAM-010", "root-like");
    assert!(
        f.detail.contains("service control policies unknown (not collected"),
        "{}",
        f.detail
    );
    let f = find(&r, "IAM-025", "climber");
    assert!(
        f.detail.contains("service control policies unknown (not collected"),
        "{}",
        f.detail
    );
    assert!(r.organization.is_none(), "no guardrails outside organization runs");

    let r = report_of(&management());
    let f = find(&r, "IAM-010", "root-like");
    assert!(
        f.detail
            .contains("service control policies do not apply (the organization's management account)"),
        "{}",
        f.detail
    );
    assert!(find(&r, "IAM-033", MANAGEMENT).detail.contains("management account"));

    let r = report_of(&scp_listing_denied());
    let f = find(&r, "IAM-010", "root-like");
    assert!(f.detail.contains("service control policies unknown"), "{}", f.detail);
    assert!(f.detail.contains("AccessDeniedException"), "{}", f.detail);
    let g = find(&r, "IAM-033", ACCOUNT);
    assert!(
        g.detail
            .contains("policies/service-control-policies.json could not be collected"),
        "{}",
        g.detail
    );

    let r = report_of(&only_full_access());
    let f = find(&r, "IAM-010", "root-like");
    assert!(
        f.detail
            .contains("the service control policies that apply let it through"),
        "{}",
        f.detail
    );
    let g = find(&r, "IAM-033", ACCOUNT);
    assert!(
        g.detail.starts_with("only FullAWSAccess applies: root r-ab12"),
        "{}",
        g.detail
    );
}

#[test]
fn an_scp_capping_the_escalation_action_removes_the_path() {
    // bob may create access keys for alice, who administers the account: escalation,
    // unless an SCP denies iam:CreateAccessKey.
    let b = admin_account()
        .group("admins", &[ADMIN], &[])
        .user("alice", &["admins"], json!({}))
        .user(
            "bob",
            &[],
            json!({"UserPolicyList": [{"PolicyName": "keys", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "*"}, {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}]}),
        );
    let open = in_org(&b, &OrgSpec::new(), ACCOUNT);
    assert_eq!(find(&report_of(&open), "IAM-023", "bob").status, Fail);
    let deny_keys = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:CreateAccessKey", "Resource": "*"}]});
    let capped = in_org(
        &b,
        &OrgSpec::new().scp("p-denykeys", "DenyKeys", deny_keys, vec![WORKLOADS]),
        ACCOUNT,
    );
    let r = report_of(&capped);
    assert_eq!(find(&r, "IAM-023", "bob").status, Pass, "{:#?}", summary(&r));
    // alice keeps everything but CreateAccessKey: no longer a full administrator.
    let alice = find(&r, "IAM-010", "alice");
    assert_eq!(alice.status, Pass);
    assert!(
        alice.detail.contains("DenyKeys (p-denykeys) attached to OU Workloads"),
        "{}",
        alice.detail
    );
}

#[test]
fn access_queries_apply_the_scps_and_name_the_denying_one() {
    let a = deny_iam_on_ou();
    let e = access::explain(&a, &Request::new("root-like", "iam:CreateUser", "*")).unwrap();
    assert_eq!(e.decision, Decision::Denied);
    assert!(
        e.reason
            .contains("SCP DenyIAM (p-denyiam1) attached to OU Clinical (ou-ab12-clinical1) [NoIAM]"),
        "{}",
        e.reason
    );
    assert!(e
        .statements
        .iter()
        .any(|s| s.organization && s.effect == hipaa_iam_core::policy::Effect::Deny));
    assert!(
        !e.not_considered.iter().any(|n| n.contains("service control")),
        "{:?}",
        e.not_considered
    );
    let e = access::explain(&a, &Request::new("root-like", "s3:GetObject", "arn:aws:s3:::phi/x")).unwrap();
    assert_eq!(e.decision, Decision::Allowed, "{}", e.reason);

    let who = access::who_can(&a, "iam:CreateUser", "*").unwrap();
    assert!(who.principals.is_empty(), "{:?}", who.principals);
    assert_eq!(who.scope, access::SCOPE_ORG);
    let who = access::who_can(&only_full_access(), "iam:CreateUser", "*").unwrap();
    let names: Vec<&str> = who.principals.iter().map(|p| p.name.as_str()).collect();
    assert!(names.contains(&"root-like") && names.contains(&"climber"), "{names:?}");

    // Outside organization runs the SCPs are listed as not considered.
    let e = access::explain(&not_an_org_run(), &Request::new("root-like", "iam:CreateUser", "*")).unwrap();
    assert_eq!(e.decision, Decision::Allowed);
    assert!(e
        .not_considered
        .iter()
        .any(|n| n.contains("not collected in single-account runs")));
}

#[test]
fn a_service_linked_role_is_not_capped() {
    let b = admin_account().role(
        "AWSServiceRoleForSupport",
        "/aws-service-role/support.amazonaws.com/",
        &[ADMIN],
        &[],
    );
    let a = in_org(
        &b,
        &OrgSpec::new().scp(DENY_IAM, "DenyIAM", deny_iam(), vec![ROOT]),
        ACCOUNT,
    );
    let e = access::explain(&a, &Request::new("AWSServiceRoleForSupport", "iam:CreateUser", "*")).unwrap();
    assert_eq!(e.decision, Decision::Allowed, "{}", e.reason);
}

#[test]
fn an_account_missing_from_the_tree_or_an_unreadable_organization_is_unknown() {
    let spec = OrgSpec::new();
    match spec.policies_of("555555555555") {
        OrgPolicies::Known(org) => match &org.scp {
            hipaa_iam_core::account::PolicyState::Unknown(why) => {
                assert!(why.contains("account 555555555555 was not found"), "{why}")
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
    let mut spec = OrgSpec::new();
    spec.failed.push((
        "organization.json".into(),
        "AccessDeniedException: not the management account",
    ));
    let a = in_org(&admins(), &spec, ACCOUNT);
    let r = report_of(&a);
    let g = find(&r, "IAM-033", ACCOUNT);
    assert_eq!(g.status, NotEval);
    assert!(
        g.detail
            .contains("organization/organization.json could not be collected: AccessDeniedException"),
        "{}",
        g.detail
    );
    // A malformed policy content: unknown, naming the file.
    let mut spec = OrgSpec::new();
    spec.scps
        .push((DENY_IAM, "Broken", false, json!("{not json"), vec![ROOT]));
    let g = find(&report_of(&in_org(&admins(), &spec, ACCOUNT)), "IAM-033", ACCOUNT).clone();
    assert_eq!(g.status, NotEval);
    assert!(
        g.detail.contains("policies/p-denyiam1/policy.json at Policy.Content"),
        "{}",
        g.detail
    );
}

/// An organization policy document.
fn doc(statements: Value) -> std::sync::Arc<Document> {
    std::sync::Arc::new(Document::from_json(&json!({"Version": "2012-10-17", "Statement": statements})).unwrap())
}

fn level(name: &str, docs: &[std::sync::Arc<Document>]) -> Level {
    Level {
        name: name.into(),
        policies: docs
            .iter()
            .enumerate()
            .map(|(i, d)| (format!("p{i}"), d.clone()))
            .collect(),
    }
}

/// The SCP semantics, one row each: the levels (root first), the action, and whether an
/// administrator (Allow * on *) may do it; and whether it is still a full administrator.
#[test]
fn scp_semantics_table() {
    let allow_all = doc(json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]));
    let allow_s3 = doc(json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]));
    let deny_iam_doc = doc(json!([{"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]));
    let not_action_iam = doc(json!([{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]));
    let deny_not_s3 = doc(json!([{"Effect": "Deny", "NotAction": ["s3:*", "sts:*"], "Resource": "*"}]));
    let deny_without_mfa = doc(
        json!([{"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]),
    );
    type Row = (
        &'static str,
        Vec<Vec<std::sync::Arc<Document>>>,
        &'static str,
        Decision,
        bool,
    );
    let rows: Vec<Row> = vec![
        (
            "FullAWSAccess at every level",
            vec![
                vec![allow_all.clone()],
                vec![allow_all.clone()],
                vec![allow_all.clone()],
            ],
            "iam:CreateUser",
            Decision::Allowed,
            true,
        ),
        (
            "every level must allow: the OU allows only s3",
            vec![vec![allow_all.clone()], vec![allow_s3.clone()], vec![allow_all.clone()]],
            "iam:CreateUser",
            Decision::NotGranted,
            false,
        ),
        (
            "every level must allow: s3 allowed at every level",
            vec![vec![allow_all.clone()], vec![allow_s3.clone()], vec![allow_all.clone()]],
            "s3:GetObject",
            Decision::Allowed,
            false,
        ),
        (
            "a level with no policy allows nothing",
            vec![vec![allow_all.clone()], vec![], vec![allow_all.clone()]],
            "s3:GetObject",
            Decision::NotGranted,
            false,
        ),
        (
            "a deny at the root wins",
            vec![vec![allow_all.clone(), deny_iam_doc.clone()], vec![allow_all.clone()]],
            "iam:CreateUser",
            Decision::Denied,
            false,
        ),
        (
            "a deny at the account wins",
            vec![vec![allow_all.clone()], vec![allow_all.clone(), deny_iam_doc.clone()]],
            "iam:PassRole",
            Decision::Denied,
            false,
        ),
        (
            "a deny leaves other services",
            vec![vec![allow_all.clone()], vec![allow_all.clone(), deny_iam_doc.clone()]],
            "ec2:RunInstances",
            Decision::Allowed,
            false,
        ),
        (
            "Allow NotAction iam:* at a level",
            vec![vec![allow_all.clone()], vec![not_action_iam.clone()]],
            "iam:CreateUser",
            Decision::NotGranted,
            false,
        ),
        (
            "Allow NotAction iam:* lets others through",
            vec![vec![allow_all.clone()], vec![not_action_iam.clone()]],
            "kms:Decrypt",
            Decision::Allowed,
            false,
        ),
        (
            "Deny NotAction [s3, sts] denies the rest",
            vec![vec![allow_all.clone(), deny_not_s3.clone()]],
            "kms:Decrypt",
            Decision::Denied,
            false,
        ),
        (
            "Deny NotAction [s3, sts] spares s3",
            vec![vec![allow_all.clone(), deny_not_s3.clone()]],
            "s3:PutObject",
            Decision::Allowed,
            false,
        ),
        (
            "a conditional deny never counts as a deny",
            vec![vec![allow_all.clone(), deny_without_mfa.clone()]],
            "s3:DeleteObject",
            Decision::Allowed,
            true,
        ),
    ];
    let admin = Document::from_json(&full_access()).unwrap();
    let ctx = Context::new().with("aws:MultiFactorAuthPresent", "true");
    for (name, levels, action, want, everything) in rows {
        let chain = Chain::new(
            CeilingKind::ServiceControl,
            &[],
            levels
                .iter()
                .enumerate()
                .map(|(i, docs)| level(&format!("level {i}"), docs))
                .collect(),
        );
        let ceiling = Ceiling::new(vec![chain]);
        let p = Principal::new(vec![&admin], None).capped_by(Some(&ceiling));
        assert_eq!(p.evaluate(action, "*", &ctx).decision, want, "{name}");
        assert_eq!(p.allows_everything(), everything, "{name}: full administrator");
        assert!(p.allows_everything_uncapped(), "{name}");
        // The graph's cheap test agrees with the evaluator on every row.
        assert_eq!(
            p.may_allow_known(action),
            want == Decision::Allowed,
            "{name}: may_allow"
        );
        // Nothing without an identity allow: SCPs never grant.
        let nothing = Principal::new(vec![], None).capped_by(Some(&ceiling));
        assert_ne!(
            nothing.evaluate(action, "*", &ctx).decision,
            Decision::Allowed,
            "{name}: SCPs grant nothing"
        );
    }
    // The management account: the organization gives it no ceiling at all.
    let spec = OrgSpec::new().scp(DENY_IAM, "DenyIAM", deny_iam(), vec![ROOT]);
    match spec.policies_of(MANAGEMENT) {
        OrgPolicies::Known(org) => {
            assert!(org.is_management());
            assert!(org.ceiling().is_empty(), "SCPs never apply to the management account");
        }
        other => panic!("{other:?}"),
    }
    match spec.policies_of(ACCOUNT) {
        OrgPolicies::Known(org) => assert!(!org.ceiling().is_empty()),
        other => panic!("{other:?}"),
    }
    // Resource control policies cap only the services they cover.
    let rcp = Chain::new(
        CeilingKind::ResourceControl,
        hipaa_iam_core::policy::RCP_SERVICES,
        vec![level(
            "root",
            &[
                allow_all.clone(),
                doc(json!([{"Effect": "Deny", "Action": "*", "Resource": "*"}])),
            ],
        )],
    );
    let ceiling = Ceiling::new(vec![rcp]);
    let p = Principal::new(vec![&admin], None).capped_by(Some(&ceiling));
    assert_eq!(p.evaluate("s3:GetObject", "*", &ctx).decision, Decision::Denied);
    assert_eq!(p.evaluate("ec2:RunInstances", "*", &ctx).decision, Decision::Allowed);
}
