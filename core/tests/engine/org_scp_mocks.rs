//! Collecting the organization's tree and policies (`org::collect_organization`), where moto
//! cannot show it: a refused `ListPolicies` (moto never refuses: that one call's answer is an
//! aws-smithy-mocks error, every other call goes to moto), and `ListChildren` /
//! `ListTargetsForPolicy` pages (moto answers both in one page). `ListPolicies` pages are
//! moto's own.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::sync::Arc;

use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_organizations::operation::describe_organization::DescribeOrganizationOutput;
use aws_sdk_organizations::operation::describe_policy::DescribePolicyOutput;
use aws_sdk_organizations::operation::list_children::ListChildrenOutput;
use aws_sdk_organizations::operation::list_policies::{ListPoliciesError, ListPoliciesOutput};
use aws_sdk_organizations::operation::list_roots::ListRootsOutput;
use aws_sdk_organizations::operation::list_targets_for_policy::ListTargetsForPolicyOutput;
use aws_sdk_organizations::types::error::AccessDeniedException;
use aws_sdk_organizations::types::{
    Child, ChildType, Organization, OrganizationFeatureSet, Policy, PolicySummary, PolicyTargetSummary, PolicyType,
    PolicyTypeStatus, PolicyTypeSummary, Root, TargetType,
};
use aws_smithy_mocks::{mock, Rule, RuleMode};
use common::{interceptor, mock_config};
use hipaa_iam_core::account::{OrgPolicies, PolicyState};
use hipaa_iam_core::findings::Status;
use hipaa_iam_core::org::{self, OrgClients, OrgCollectOptions, OrganizationData, Quiet};
use hipaa_iam_tests::{moto_in_process, MOTO_ACCOUNT_ID};
use serde_json::Value;

const ROLE: &str = "OrganizationAccountAccessRole";

async fn moto_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .retry_config(hipaa_iam_core::aws::retry_config())
        .load()
        .await
}

fn json(files: &org::OrgFiles, name: &str) -> Value {
    serde_json::from_slice(
        files
            .files
            .get(name)
            .unwrap_or_else(|| panic!("{name}: {:?}", files.files.keys())),
    )
    .unwrap()
}

/// `ListPolicies` of the SCPs answered AccessDenied (moto cannot refuse a call: this one
/// call is an aws-smithy-mocks rule, every other call goes to moto): the SCPs are unknown,
/// IAM-033 is not-evaluated with AWS's error and IAM-010 says the SCPs are unknown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_scp_listing_leaves_the_scps_unknown_on_moto() {
    let m = moto_in_process();
    m.aws(&["organizations", "create-organization", "--feature-set", "ALL"]);
    let root = m.aws(&["organizations", "list-roots"])["Roots"][0]["Id"]
        .as_str()
        .unwrap()
        .to_string();
    m.aws(&[
        "organizations",
        "enable-policy-type",
        "--root-id",
        &root,
        "--policy-type",
        "SERVICE_CONTROL_POLICY",
    ]);
    let created = m.aws(&[
        "organizations",
        "create-account",
        "--email",
        "clinic@example.com",
        "--account-name",
        "clinic",
    ]);
    let member = created["CreateAccountStatus"]["AccountId"]
        .as_str()
        .unwrap()
        .to_string();
    let c = m.assume_role(&member, ROLE);
    m.aws_with(&c, &["iam", "create-user", "--user-name", "clinic-admin"]);
    m.aws_with(
        &c,
        &[
            "iam",
            "attach-user-policy",
            "--user-name",
            "clinic-admin",
            "--policy-arn",
            "arn:aws:iam::aws:policy/AdministratorAccess",
        ],
    );

    // A modeled error replaces the answer of the one call; every other call reaches moto.
    let refused = mock!(aws_sdk_organizations::Client::list_policies)
        .match_requests(|r| r.filter() == Some(&PolicyType::ServiceControlPolicy))
        .then_error(|| {
            let message = "You don't have permissions to access this resource.";
            ListPoliciesError::AccessDeniedException(
                AccessDeniedException::builder()
                    .message(message)
                    .meta(
                        aws_smithy_types::error::ErrorMetadata::builder()
                            .code("AccessDeniedException")
                            .message(message)
                            .build(),
                    )
                    .build(),
            )
        });
    let base = moto_config().await;
    let conf = aws_sdk_organizations::config::Builder::from(&base)
        .interceptor(interceptor(RuleMode::MatchAny, [&refused]).allow_passthrough())
        .build();
    let clients = OrgClients {
        organizations: aws_sdk_organizations::Client::from_conf(conf),
        sts: aws_sdk_sts::Client::new(&base),
    };

    let files = org::collect_organization(&clients.organizations, &OrgCollectOptions::default())
        .await
        .unwrap();
    assert_eq!(refused.num_calls(), 1);
    let why = files
        .manifest
        .not_collected
        .get("policies/service-control-policies.json")
        .unwrap_or_else(|| panic!("{:?} {:?}", files.manifest.not_collected, files.files.keys()));
    assert!(why.starts_with("AccessDeniedException: "), "{why}");
    // Everything else came from moto.
    assert_eq!(
        json(&files, "organization.json")["Organization"]["MasterAccountId"],
        MOTO_ACCOUNT_ID
    );
    assert!(files.files.contains_key(&format!("children/{root}/accounts.json")));
    assert!(
        !files.files.keys().any(|k| k.starts_with("policies/")),
        "{:?}",
        files.files.keys()
    );

    let accounts = org::list_accounts(&clients.organizations).await.unwrap();
    let config = hipaa_iam_core::api::load_config(None, Some(""), &[]).unwrap();
    let runs = org::audit(
        &clients,
        &base,
        &accounts,
        &org::OrgOptions::default(),
        &config,
        None,
        Arc::new(Quiet),
    )
    .await
    .unwrap();
    let run = runs.iter().find(|r| r.id == member).unwrap();
    let report = &run.result.as_ref().unwrap().report;
    let find = |check: &str, resource: &str| {
        report
            .findings
            .iter()
            .find(|f| f.check.id == check && f.resource_name == resource)
            .unwrap_or_else(|| panic!("no {check} {resource}"))
    };
    let g = find("IAM-033", &member);
    assert_eq!(g.status, Status::NotEvaluated);
    assert!(
        g.detail
            .contains("policies/service-control-policies.json could not be collected: AccessDeniedException"),
        "{}",
        g.detail
    );
    let a = find("IAM-010", "clinic-admin");
    assert_eq!(a.status, Status::Fail);
    assert!(a.detail.contains("service control policies unknown"), "{}", a.detail);
    assert_eq!(
        report.organization.as_ref().unwrap().scp,
        hipaa_iam_core::findings::GuardrailState::Unknown
    );
}

/// Every page of `ListPolicies` (moto pages it: one policy a page with a page size of 1).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_of_the_policy_listing_is_collected_on_moto() {
    let m = moto_in_process();
    m.aws(&["organizations", "create-organization", "--feature-set", "ALL"]);
    let root = m.aws(&["organizations", "list-roots"])["Roots"][0]["Id"]
        .as_str()
        .unwrap()
        .to_string();
    m.aws(&[
        "organizations",
        "enable-policy-type",
        "--root-id",
        &root,
        "--policy-type",
        "SERVICE_CONTROL_POLICY",
    ]);
    for name in ["DenyA", "DenyB", "DenyC"] {
        let content = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Action":"{}:*","Resource":"*"}}]}}"#,
            name.to_lowercase()
        );
        let id = m.aws(&[
            "organizations",
            "create-policy",
            "--name",
            name,
            "--type",
            "SERVICE_CONTROL_POLICY",
            "--description",
            name,
            "--content",
            &content,
        ])["Policy"]["PolicySummary"]["Id"]
            .as_str()
            .unwrap()
            .to_string();
        m.aws(&[
            "organizations",
            "attach-policy",
            "--policy-id",
            &id,
            "--target-id",
            &root,
        ]);
    }
    let base = moto_config().await;
    let client = aws_sdk_organizations::Client::new(&base);
    let files = org::collect_organization(&client, &OrgCollectOptions { page_size: Some(1) })
        .await
        .unwrap();
    let listing = json(&files, "policies/service-control-policies.json");
    let names: Vec<&str> = listing["Policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["Name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["FullAWSAccess", "DenyA", "DenyB", "DenyC"],
        "every page, in order"
    );
    let data = OrganizationData::from_files(&files);
    let OrgPolicies::Known(org) = data.policies_of(MOTO_ACCOUNT_ID) else {
        panic!("unknown")
    };
    assert!(org.is_management());
    let PolicyState::Attached(levels) = &org.scp else {
        panic!("{:?}", org.scp)
    };
    let at_root: Vec<&str> = levels[0].iter().map(|p| p.name.as_str()).collect();
    assert_eq!(at_root, ["FullAWSAccess", "DenyA", "DenyB", "DenyC"]);
}

fn child(id: &str, t: ChildType) -> Child {
    Child::builder().id(id).r#type(t).build()
}

fn children_page(
    parent: &'static str,
    t: ChildType,
    token: Option<&'static str>,
    ids: &[&str],
    next: Option<&'static str>,
) -> Rule {
    let (t2, ids): (ChildType, Vec<String>) = (t.clone(), ids.iter().map(|s| s.to_string()).collect());
    mock!(aws_sdk_organizations::Client::list_children)
        .match_requests(move |r| r.parent_id() == Some(parent) && r.child_type() == Some(&t) && r.next_token() == token)
        .then_output(move || {
            ListChildrenOutput::builder()
                .set_children(Some(ids.iter().map(|id| child(id, t2.clone())).collect()))
                .set_next_token(next.map(str::to_string))
                .build()
        })
}

fn target(id: &str, t: TargetType, name: &str) -> PolicyTargetSummary {
    PolicyTargetSummary::builder()
        .target_id(id)
        .arn(format!("arn:aws:organizations::999999999999:x/{id}"))
        .name(name)
        .r#type(t)
        .build()
}

fn summary(id: &str, name: &str, managed: bool) -> PolicySummary {
    PolicySummary::builder()
        .id(id)
        .arn(format!("arn:aws:organizations::aws:policy/service_control_policy/{id}"))
        .name(name)
        .description(name)
        .r#type(PolicyType::ServiceControlPolicy)
        .aws_managed(managed)
        .build()
}

/// `ListChildren`, `ListPolicies` and `ListTargetsForPolicy` answered in two pages each
/// (aws-smithy-mocks: moto answers `ListChildren` and `ListTargetsForPolicy` in one page):
/// every page is followed, the pages merge into one document as the AWS CLI prints it, and
/// the requests are exactly one per page, never one per account.
#[tokio::test]
async fn listings_are_followed_page_by_page_within_the_request_budget() {
    const ROOT: &str = "r-ab12";
    const OU_A: &str = "ou-ab12-aaaaaaaa";
    const OU_B: &str = "ou-ab12-bbbbbbbb";
    let org = mock!(aws_sdk_organizations::Client::describe_organization).then_output(|| {
        DescribeOrganizationOutput::builder()
            .organization(
                Organization::builder()
                    .id("o-mockorg123")
                    .feature_set(OrganizationFeatureSet::All)
                    .master_account_id("999999999999")
                    .build(),
            )
            .build()
    });
    let roots = mock!(aws_sdk_organizations::Client::list_roots).then_output(|| {
        ListRootsOutput::builder()
            .roots(
                Root::builder()
                    .id(ROOT)
                    .name("Root")
                    .policy_types(
                        PolicyTypeSummary::builder()
                            .r#type(PolicyType::ServiceControlPolicy)
                            .status(PolicyTypeStatus::Enabled)
                            .build(),
                    )
                    .build(),
            )
            .build()
    });
    let ou = ChildType::OrganizationalUnit;
    let acct = ChildType::Account;
    let mut rules = vec![
        org,
        roots,
        children_page(ROOT, ou.clone(), None, &[OU_A], Some("ou-2")),
        children_page(ROOT, ou.clone(), Some("ou-2"), &[OU_B], None),
        children_page(ROOT, acct.clone(), None, &["999999999999"], Some("acct-2")),
        children_page(ROOT, acct.clone(), Some("acct-2"), &["111111111111"], None),
        children_page(OU_A, ou.clone(), None, &[], None),
        children_page(OU_A, acct.clone(), None, &["222222222222"], Some("a-2")),
        children_page(OU_A, acct.clone(), Some("a-2"), &["333333333333"], None),
        children_page(OU_B, ou.clone(), None, &[], None),
        children_page(OU_B, acct.clone(), None, &[], None),
    ];
    rules.push(
        mock!(aws_sdk_organizations::Client::list_policies)
            .match_requests(|r| r.next_token().is_none())
            .then_output(|| {
                ListPoliciesOutput::builder()
                    .policies(summary("p-FullAWSAccess", "FullAWSAccess", true))
                    .next_token("p-2")
                    .build()
            }),
    );
    rules.push(
        mock!(aws_sdk_organizations::Client::list_policies)
            .match_requests(|r| r.next_token() == Some("p-2"))
            .then_output(|| {
                ListPoliciesOutput::builder()
                    .policies(summary("p-denyiam1", "DenyIAM", false))
                    .build()
            }),
    );
    for (id, content) in [
        (
            "p-FullAWSAccess",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
        ),
        (
            "p-denyiam1",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}"#,
        ),
    ] {
        rules.push(
            mock!(aws_sdk_organizations::Client::describe_policy)
                .match_requests(move |r| r.policy_id() == Some(id))
                .then_output(move || {
                    DescribePolicyOutput::builder()
                        .policy(
                            Policy::builder()
                                .policy_summary(summary(id, id, id == "p-FullAWSAccess"))
                                .content(content)
                                .build(),
                        )
                        .build()
                }),
        );
    }
    rules.push(
        mock!(aws_sdk_organizations::Client::list_targets_for_policy)
            .match_requests(|r| r.policy_id() == Some("p-FullAWSAccess") && r.next_token().is_none())
            .then_output(|| {
                ListTargetsForPolicyOutput::builder()
                    .targets(target(ROOT, TargetType::Root, "Root"))
                    .targets(target(OU_A, TargetType::OrganizationalUnit, "Clinical"))
                    .targets(target(OU_B, TargetType::OrganizationalUnit, "Sandbox"))
                    .next_token("t-2")
                    .build()
            }),
    );
    rules.push(
        mock!(aws_sdk_organizations::Client::list_targets_for_policy)
            .match_requests(|r| r.policy_id() == Some("p-FullAWSAccess") && r.next_token() == Some("t-2"))
            .then_output(|| {
                let mut b = ListTargetsForPolicyOutput::builder();
                for id in ["999999999999", "111111111111", "222222222222", "333333333333"] {
                    b = b.targets(target(id, TargetType::Account, "an account"));
                }
                b.build()
            }),
    );
    rules.push(
        mock!(aws_sdk_organizations::Client::list_targets_for_policy)
            .match_requests(|r| r.policy_id() == Some("p-denyiam1"))
            .then_output(|| {
                ListTargetsForPolicyOutput::builder()
                    .targets(target(OU_A, TargetType::OrganizationalUnit, "Clinical"))
                    .build()
            }),
    );
    let conf = aws_sdk_organizations::config::Builder::from(&mock_config())
        .interceptor(interceptor(RuleMode::MatchAny, &rules))
        .build();
    let client = aws_sdk_organizations::Client::from_conf(conf);
    let files = org::collect_organization(&client, &OrgCollectOptions::default())
        .await
        .unwrap();

    // One request per page: 1 + 1 + 2 x 3 parents' pages (7) + 2 + 2 x 2 policies (5) = 16,
    // each rule exactly once; nothing per account.
    for (i, r) in rules.iter().enumerate() {
        assert_eq!(r.num_calls(), 1, "rule {i}");
    }
    let ids = |name: &str, list: &str, key: &str| -> Vec<String> {
        json(&files, name)[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c[key].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        ids(&format!("children/{ROOT}/organizational-units.json"), "Children", "Id"),
        [OU_A, OU_B]
    );
    assert_eq!(
        ids(&format!("children/{ROOT}/accounts.json"), "Children", "Id"),
        ["999999999999", "111111111111"]
    );
    assert_eq!(
        ids(&format!("children/{OU_A}/accounts.json"), "Children", "Id"),
        ["222222222222", "333333333333"]
    );
    assert_eq!(
        ids("policies/service-control-policies.json", "Policies", "Id"),
        ["p-FullAWSAccess", "p-denyiam1"]
    );
    assert_eq!(
        ids("policies/p-FullAWSAccess/targets.json", "Targets", "TargetId").len(),
        7
    );
    // The merged documents are the CLI's: no NextToken.
    assert!(json(&files, &format!("children/{ROOT}/accounts.json"))
        .get("NextToken")
        .is_none());
    assert_eq!(
        files.manifest.not_collected["policies/resource-control-policies.json"],
        "not attempted: RESOURCE_CONTROL_POLICY is not enabled at the root (roots.json)"
    );

    // What it says of the accounts: the OU's SCP for those under it, FullAWSAccess only for
    // the one under the root, nothing for the management account.
    let data = OrganizationData::from_files(&files);
    let scps = |account: &str| -> Vec<Vec<String>> {
        let OrgPolicies::Known(org) = data.policies_of(account) else {
            panic!("{account}")
        };
        match &org.scp {
            PolicyState::Attached(levels) => levels
                .iter()
                .map(|l| l.iter().map(|p| p.name.clone()).collect())
                .collect(),
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(
        scps("333333333333"),
        [
            vec!["FullAWSAccess"],
            vec!["FullAWSAccess", "DenyIAM"],
            vec!["FullAWSAccess"]
        ]
    );
    assert_eq!(scps("111111111111"), [vec!["FullAWSAccess"], vec!["FullAWSAccess"]]);
    let OrgPolicies::Known(mgmt) = data.policies_of("999999999999") else {
        panic!()
    };
    assert!(mgmt.is_management() && mgmt.ceiling().is_empty());
    let OrgPolicies::Known(member) = data.policies_of("222222222222") else {
        panic!()
    };
    assert_eq!(
        member.path.iter().map(|n| n.describe()).collect::<Vec<_>>(),
        [
            "root r-ab12".to_string(),
            format!("OU Clinical ({OU_A})"),
            "account 222222222222".to_string()
        ]
    );
}
