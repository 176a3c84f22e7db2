//! Applying remediation plans against `aws-smithy-mocks` clients, for what moto does not
//! implement (user permissions boundaries, Access Analyzer) and for failures: the exact
//! calls made, in order (`RuleMode::Sequential`: a call out of order, or one more call
//! than the rules, panics), and what a failed step stops.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::collections::BTreeMap;

use aws_sdk_accessanalyzer::operation::create_analyzer::CreateAnalyzerOutput;
use aws_sdk_accessanalyzer::operation::list_analyzers::ListAnalyzersOutput;
use aws_sdk_accessanalyzer::types::{AnalyzerStatus, AnalyzerSummary, Type};
use aws_sdk_iam::error::ErrorMetadata;
use aws_sdk_iam::operation::add_user_to_group::AddUserToGroupError;
use aws_sdk_iam::operation::create_group::CreateGroupOutput;
use aws_sdk_iam::operation::create_login_profile::{CreateLoginProfileError, CreateLoginProfileOutput};
use aws_sdk_iam::operation::create_policy::{CreatePolicyError, CreatePolicyOutput};
use aws_sdk_iam::operation::create_user::CreateUserOutput;
use aws_sdk_iam::operation::get_group::GetGroupError;
use aws_sdk_iam::operation::get_login_profile::GetLoginProfileError;
use aws_sdk_iam::operation::get_policy::GetPolicyError;
use aws_sdk_iam::operation::get_user::{GetUserError, GetUserOutput};
use aws_sdk_iam::operation::put_user_permissions_boundary::{
    PutUserPermissionsBoundaryError, PutUserPermissionsBoundaryOutput,
};
use aws_sdk_iam::types::{AttachedPermissionsBoundary, Group, PermissionsBoundaryAttachmentType, Policy, User};
use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityOutput;
use aws_smithy_mocks::{mock, Rule, RuleMode};
use aws_smithy_types::DateTime;
use common::{interceptor, mock_config};
use hipaa_iam_core::account::{file, Account, ExportSet};
use hipaa_iam_core::config::Config;
use hipaa_iam_core::remediate::{
    self, AnalyzerOptions, BoundaryOptions, Clients, CreateUserOptions, Outcome, Password, Secrets, Status,
};
use serde_json::{json, Value};

const ID: &str = "123456789012";
const BOUNDARY_ARN: &str = "arn:aws:iam::123456789012:policy/permissions-boundary-base";
const OTHER_ARN: &str = "arn:aws:iam::123456789012:policy/legacy-boundary";

fn iam(rules: &[&Rule]) -> aws_sdk_iam::Client {
    let conf = aws_sdk_iam::config::Builder::from(&mock_config())
        .interceptor(interceptor(RuleMode::Sequential, rules.iter().copied()))
        .build();
    aws_sdk_iam::Client::from_conf(conf)
}

fn analyzer(region: &str, rules: &[&Rule]) -> aws_sdk_accessanalyzer::Client {
    let conf = aws_sdk_accessanalyzer::config::Builder::from(&mock_config())
        .region(aws_sdk_accessanalyzer::config::Region::new(region.to_string()))
        .interceptor(interceptor(RuleMode::Sequential, rules.iter().copied()))
        .build();
    aws_sdk_accessanalyzer::Client::from_conf(conf)
}

/// STS answering `GetCallerIdentity` for `account` (the IAM calls of these tests are
/// mocked, so the caller's identity is too).
fn sts(account: &'static str) -> aws_sdk_sts::Client {
    // A simple rule answers every call.
    let rule = mock!(aws_sdk_sts::Client::get_caller_identity).then_output(move || {
        GetCallerIdentityOutput::builder()
            .account(account)
            .arn(format!("arn:aws:iam::{account}:user/admin"))
            .user_id("AIDATEST")
            .build()
    });
    let conf = aws_sdk_sts::config::Builder::from(&mock_config())
        .interceptor(interceptor(RuleMode::Sequential, [&rule]))
        .build();
    aws_sdk_sts::Client::from_conf(conf)
}

fn clients(iam: aws_sdk_iam::Client) -> Clients {
    Clients {
        sts: sts(ID),
        iam,
        analyzers: BTreeMap::new(),
    }
}

fn meta(code: &str, message: &str) -> ErrorMetadata {
    ErrorMetadata::builder().code(code).message(message).build()
}

fn account(auth: Value) -> Account {
    let mut set = ExportSet::default();
    set.files
        .insert(file::AUTHORIZATION_DETAILS.into(), auth.to_string().into_bytes());
    Account::from_exports(&set).unwrap()
}

fn user_json(name: &str, boundary: Option<&str>) -> Value {
    let mut u = json!({"UserName": name, "Arn": format!("arn:aws:iam::{ID}:user/{name}")});
    if let Some(b) = boundary {
        u["PermissionsBoundary"] = json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": b});
    }
    u
}

fn sdk_user(name: &str, boundary: Option<&str>) -> User {
    User::builder()
        .path("/")
        .user_name(name)
        .user_id(format!("AIDA{}", name.to_uppercase()))
        .arn(format!("arn:aws:iam::{ID}:user/{name}"))
        .create_date(DateTime::from_secs(1_700_000_000))
        .set_permissions_boundary(boundary.map(|b| {
            AttachedPermissionsBoundary::builder()
                .permissions_boundary_type(PermissionsBoundaryAttachmentType::Policy)
                .permissions_boundary_arn(b)
                .build()
        }))
        .build()
        .unwrap()
}

fn get_policy_missing(arn: &'static str) -> Rule {
    mock!(aws_sdk_iam::Client::get_policy)
        .match_requests(move |r| r.policy_arn() == Some(arn))
        .then_error(|| GetPolicyError::generic(meta("NoSuchEntity", "Policy not found")))
}

fn create_policy_ok(name: &'static str, arn: &'static str, expected_doc: Value) -> Rule {
    mock!(aws_sdk_iam::Client::create_policy)
        .match_requests(move |r| {
            r.policy_name() == Some(name)
                && r.policy_document().map(|d| serde_json::from_str::<Value>(d).unwrap()) == Some(expected_doc.clone())
        })
        .then_output(move || {
            CreatePolicyOutput::builder()
                .policy(Policy::builder().arn(arn).build())
                .build()
        })
}

fn get_user(name: &'static str, boundary: Option<&'static str>) -> Rule {
    mock!(aws_sdk_iam::Client::get_user)
        .match_requests(move |r| r.user_name() == Some(name))
        .then_output(move || GetUserOutput::builder().user(sdk_user(name, boundary)).build())
}

fn put_boundary_ok(name: &'static str) -> Rule {
    mock!(aws_sdk_iam::Client::put_user_permissions_boundary)
        .match_requests(move |r| r.user_name() == Some(name) && r.permissions_boundary() == Some(BOUNDARY_ARN))
        .then_output(|| PutUserPermissionsBoundaryOutput::builder().build())
}

fn statuses(outcomes: &[Outcome]) -> Vec<(&str, Status)> {
    outcomes.iter().map(|o| (o.id.as_str(), o.status.clone())).collect()
}

fn assert_all_called_once(rules: &[&Rule]) {
    for (i, r) in rules.iter().enumerate() {
        assert_eq!(r.num_calls(), 1, "rule {i} was called {} times", r.num_calls());
    }
}

fn boundary_account() -> Account {
    account(json!({"UserDetailList": [
        user_json("alice", None),
        user_json("bob", Some(OTHER_ARN)),
        user_json("carol", Some(BOUNDARY_ARN)),
    ]}))
}

fn boundary_opts() -> BoundaryOptions {
    BoundaryOptions {
        users: vec![],
        policy_document: None,
        replace: false,
        today: remediate::today(),
    }
}

fn seed_boundary() -> Value {
    serde_json::from_str(remediate::PERMISSIONS_BOUNDARY_JSON).unwrap()
}

#[tokio::test]
async fn permissions_boundary_makes_exactly_these_calls_in_order() {
    let plan = remediate::permissions_boundary(&boundary_account(), &Config::default(), &boundary_opts()).unwrap();
    let rules = [
        get_policy_missing(BOUNDARY_ARN),
        create_policy_ok("permissions-boundary-base", BOUNDARY_ARN, seed_boundary()),
        get_user("alice", None),
        put_boundary_ok("alice"),
        // bob has another boundary: skipped by the plan, no call.
        get_user("carol", Some(BOUNDARY_ARN)),
    ];
    let refs: Vec<&Rule> = rules.iter().collect();
    let outcomes = remediate::apply(&plan, &clients(iam(&refs)), &Secrets::default())
        .await
        .unwrap();
    assert_eq!(
        statuses(&outcomes),
        [
            ("create-policy", Status::Done),
            ("put-boundary:alice", Status::Done),
            ("put-boundary:bob", Status::Skipped),
            ("put-boundary:carol", Status::AlreadyInPlace),
        ]
    );
    assert_eq!(outcomes[1].previous, Some(json!({"PermissionsBoundary": null})));
    assert_eq!(outcomes[2].detail, format!("has boundary {OTHER_ARN}; use --replace"));
    assert_eq!(remediate::exit_status(&outcomes), 0);
    assert_all_called_once(&refs);
}

#[tokio::test]
async fn replace_puts_the_boundary_over_a_different_one_and_records_the_old_one() {
    let opts = BoundaryOptions {
        users: vec!["bob".into()],
        replace: true,
        ..boundary_opts()
    };
    let plan = remediate::permissions_boundary(&boundary_account(), &Config::default(), &opts).unwrap();
    let rules = [
        get_policy_missing(BOUNDARY_ARN),
        create_policy_ok("permissions-boundary-base", BOUNDARY_ARN, seed_boundary()),
        get_user("bob", Some(OTHER_ARN)),
        put_boundary_ok("bob"),
    ];
    let refs: Vec<&Rule> = rules.iter().collect();
    let outcomes = remediate::apply(&plan, &clients(iam(&refs)), &Secrets::default())
        .await
        .unwrap();
    assert_eq!(
        statuses(&outcomes),
        [("create-policy", Status::Done), ("put-boundary:bob", Status::Done)]
    );
    assert_eq!(outcomes[1].previous, Some(json!({"PermissionsBoundary": OTHER_ARN})));
    assert_all_called_once(&refs);
}

#[tokio::test]
async fn a_failed_boundary_on_one_user_does_not_stop_the_others() {
    let plan = remediate::permissions_boundary(&boundary_account(), &Config::default(), &boundary_opts()).unwrap();
    let rules = [
        get_policy_missing(BOUNDARY_ARN),
        create_policy_ok("permissions-boundary-base", BOUNDARY_ARN, seed_boundary()),
        get_user("alice", None),
        mock!(aws_sdk_iam::Client::put_user_permissions_boundary).then_error(|| {
            PutUserPermissionsBoundaryError::generic(meta(
                "AccessDenied",
                "not authorized to perform iam:PutUserPermissionsBoundary",
            ))
        }),
        get_user("carol", Some(BOUNDARY_ARN)),
    ];
    let refs: Vec<&Rule> = rules.iter().collect();
    let outcomes = remediate::apply(&plan, &clients(iam(&refs)), &Secrets::default())
        .await
        .unwrap();
    assert_eq!(outcomes[1].status, Status::Failed);
    assert_eq!(outcomes[1].error_code.as_deref(), Some("AccessDenied"));
    assert!(
        outcomes[1]
            .detail
            .contains("PutUserPermissionsBoundary failed: AccessDenied: not authorized"),
        "{}",
        outcomes[1].detail
    );
    assert_eq!(outcomes[3].status, Status::AlreadyInPlace, "carol's step still ran");
    assert_eq!(remediate::exit_status(&outcomes), 1);
    assert_all_called_once(&refs);
}

#[tokio::test]
async fn a_failed_policy_stops_its_dependents_and_nothing_else() {
    // mfa-enforcement: the policy fails; the group (independent) is still created; the
    // attachment (depends on both) is not attempted.
    let plan = remediate::mfa_enforcement(
        &account(json!({"UserDetailList": [user_json("alice", None)]})),
        &Config::default(),
    )
    .unwrap();
    const MFA_ARN: &str = "arn:aws:iam::123456789012:policy/deny-without-mfa";
    let rules = [
        get_policy_missing(MFA_ARN),
        mock!(aws_sdk_iam::Client::create_policy).then_error(|| {
            CreatePolicyError::generic(meta(
                "AccessDenied",
                "User is not authorized to perform iam:CreatePolicy",
            ))
        }),
        mock!(aws_sdk_iam::Client::get_group)
            .match_requests(|r| r.group_name() == Some("human-users"))
            .then_error(|| GetGroupError::generic(meta("NoSuchEntity", "Group human-users not found"))),
        mock!(aws_sdk_iam::Client::create_group)
            .match_requests(|r| r.group_name() == Some("human-users"))
            .then_output(|| {
                CreateGroupOutput::builder()
                    .group(
                        Group::builder()
                            .path("/")
                            .group_name("human-users")
                            .group_id("AGPA1")
                            .arn("arn:aws:iam::123456789012:group/human-users")
                            .create_date(DateTime::from_secs(1_700_000_000))
                            .build()
                            .unwrap(),
                    )
                    .build()
            }),
    ];
    let refs: Vec<&Rule> = rules.iter().collect();
    let outcomes = remediate::apply(&plan, &clients(iam(&refs)), &Secrets::default())
        .await
        .unwrap();
    assert_eq!(
        statuses(&outcomes),
        [
            ("create-policy", Status::Failed),
            ("create-group", Status::Done),
            ("attach-policy", Status::Skipped)
        ]
    );
    assert_eq!(outcomes[0].error_code.as_deref(), Some("AccessDenied"));
    assert!(outcomes[0]
        .detail
        .contains("User is not authorized to perform iam:CreatePolicy"));
    assert_eq!(outcomes[2].detail, "not run: step create-policy did not succeed");
    assert_eq!(remediate::exit_status(&outcomes), 1);
    assert_all_called_once(&refs);
}

fn summary(name: &str, t: Type, status: AnalyzerStatus) -> AnalyzerSummary {
    AnalyzerSummary::builder()
        .arn(format!("arn:aws:access-analyzer:us-east-1:{ID}:analyzer/{name}"))
        .name(name)
        .r#type(t)
        .created_at(DateTime::from_secs(1_700_000_000))
        .status(status)
        .build()
        .unwrap()
}

fn list_analyzers(list: Vec<AnalyzerSummary>) -> Rule {
    mock!(aws_sdk_accessanalyzer::Client::list_analyzers).then_output(move || {
        ListAnalyzersOutput::builder()
            .set_analyzers(Some(list.clone()))
            .build()
            .unwrap()
    })
}

fn create_analyzer_ok(region: &'static str) -> Rule {
    mock!(aws_sdk_accessanalyzer::Client::create_analyzer)
        .match_requests(|r| r.analyzer_name() == Some("account-access-analyzer") && r.r#type() == Some(&Type::Account))
        .then_output(move || {
            CreateAnalyzerOutput::builder()
                .arn(format!(
                    "arn:aws:access-analyzer:{region}:{ID}:analyzer/account-access-analyzer"
                ))
                .build()
        })
}

#[tokio::test]
async fn access_analyzer_creates_an_account_analyzer_only_where_none_is_active() {
    let mut set = ExportSet::default();
    set.files.insert(
        file::AUTHORIZATION_DETAILS.into(),
        json!({"UserDetailList": [user_json("alice", None)]})
            .to_string()
            .into_bytes(),
    );
    set.files.insert(
        file::analyzers("us-west-2"),
        json!({"analyzers": [{"arn": "arn:aws:access-analyzer:us-west-2:123456789012:analyzer/org", "name": "org",
            "type": "ORGANIZATION", "status": "ACTIVE"}]})
        .to_string()
        .into_bytes(),
    );
    let account = Account::from_exports(&set).unwrap();
    let regions = vec!["us-east-1".to_string(), "us-west-2".into(), "eu-west-1".into()];
    let plan = remediate::access_analyzer(&account, &Config::default(), &AnalyzerOptions { regions }).unwrap();

    let east = [list_analyzers(vec![]), create_analyzer_ok("us-east-1")];
    let west = [list_analyzers(vec![summary(
        "org",
        Type::Organization,
        AnalyzerStatus::Active,
    )])];
    let eu = [
        list_analyzers(vec![
            summary("unused", Type::AccountUnusedAccess, AnalyzerStatus::Active),
            summary("old", Type::Account, AnalyzerStatus::Disabled),
        ]),
        create_analyzer_ok("eu-west-1"),
    ];
    let (east_refs, west_refs, eu_refs): (Vec<&Rule>, Vec<&Rule>, Vec<&Rule>) =
        (east.iter().collect(), west.iter().collect(), eu.iter().collect());
    let mut analyzers = BTreeMap::new();
    analyzers.insert("us-east-1".to_string(), analyzer("us-east-1", &east_refs));
    analyzers.insert("us-west-2".to_string(), analyzer("us-west-2", &west_refs));
    analyzers.insert("eu-west-1".to_string(), analyzer("eu-west-1", &eu_refs));
    let clients = Clients {
        sts: sts(ID),
        iam: iam(&[]),
        analyzers,
    };
    let outcomes = remediate::apply(&plan, &clients, &Secrets::default()).await.unwrap();
    assert_eq!(
        statuses(&outcomes),
        [
            ("create-analyzer:eu-west-1", Status::Done),
            ("create-analyzer:us-east-1", Status::Done),
            ("create-analyzer:us-west-2", Status::AlreadyInPlace),
        ]
    );
    assert_eq!(
        outcomes[1].result,
        Some(json!({"Arn": "arn:aws:access-analyzer:us-east-1:123456789012:analyzer/account-access-analyzer"}))
    );
    assert!(outcomes[2].detail.contains("ORGANIZATION analyzer org"));
    assert_all_called_once(&east_refs);
    assert_all_called_once(&west_refs);
    assert_all_called_once(&eu_refs);
}

#[tokio::test]
async fn a_failed_region_does_not_stop_the_other_regions() {
    let account = account(json!({"UserDetailList": [user_json("alice", None)]}));
    let regions = vec!["us-east-1".to_string(), "us-west-2".into()];
    let plan = remediate::access_analyzer(&account, &Config::default(), &AnalyzerOptions { regions }).unwrap();
    let east = [
        list_analyzers(vec![]),
        mock!(aws_sdk_accessanalyzer::Client::create_analyzer).then_error(|| {
            aws_sdk_accessanalyzer::operation::create_analyzer::CreateAnalyzerError::generic(meta(
                "ServiceQuotaExceededException",
                "analyzer quota reached",
            ))
        }),
    ];
    let west = [list_analyzers(vec![]), create_analyzer_ok("us-west-2")];
    let (east_refs, west_refs): (Vec<&Rule>, Vec<&Rule>) = (east.iter().collect(), west.iter().collect());
    let mut analyzers = BTreeMap::new();
    analyzers.insert("us-east-1".to_string(), analyzer("us-east-1", &east_refs));
    analyzers.insert("us-west-2".to_string(), analyzer("us-west-2", &west_refs));
    let outcomes = remediate::apply(
        &plan,
        &Clients {
            sts: sts(ID),
            iam: iam(&[]),
            analyzers,
        },
        &Secrets::default(),
    )
    .await
    .unwrap();
    assert_eq!(
        statuses(&outcomes),
        [
            ("create-analyzer:us-east-1", Status::Failed),
            ("create-analyzer:us-west-2", Status::Done)
        ]
    );
    assert_eq!(outcomes[0].error_code.as_deref(), Some("ServiceQuotaExceededException"));
    assert!(outcomes[0].detail.contains("analyzer quota reached"));
    assert_all_called_once(&east_refs);
    assert_all_called_once(&west_refs);
}

#[tokio::test]
async fn create_user_with_boundary_and_console_password_makes_these_calls_and_never_shows_the_password() {
    const SECRET: &str = "Xy7!correct-Horse-Battery";
    let account = account(json!({
        "UserDetailList": [user_json("alice", None)],
        "GroupDetailList": [{"GroupName": "human-users", "Arn": "arn:aws:iam::123456789012:group/human-users"}]
    }));
    let opts = CreateUserOptions {
        user_name: "analyst.jane".into(),
        boundary: true,
        console: true,
    };
    let plan = remediate::create_user(&account, &Config::default(), &opts).unwrap();
    let rules = [
        get_policy_missing(BOUNDARY_ARN),
        create_policy_ok("permissions-boundary-base", BOUNDARY_ARN, seed_boundary()),
        mock!(aws_sdk_iam::Client::get_user)
            .match_requests(|r| r.user_name() == Some("analyst.jane"))
            .then_error(|| {
                GetUserError::generic(meta("NoSuchEntity", "The user with name analyst.jane cannot be found."))
            }),
        mock!(aws_sdk_iam::Client::create_user)
            .match_requests(|r| r.user_name() == Some("analyst.jane") && r.permissions_boundary() == Some(BOUNDARY_ARN))
            .then_output(|| {
                CreateUserOutput::builder()
                    .user(sdk_user("analyst.jane", Some(BOUNDARY_ARN)))
                    .build()
            }),
        mock!(aws_sdk_iam::Client::list_groups_for_user).then_output(|| {
            aws_sdk_iam::operation::list_groups_for_user::ListGroupsForUserOutput::builder()
                .set_groups(Some(vec![]))
                .build()
                .unwrap()
        }),
        mock!(aws_sdk_iam::Client::add_user_to_group).then_error(|| {
            AddUserToGroupError::generic(meta("LimitExceeded", "Cannot exceed quota for GroupsPerUser"))
        }),
        mock!(aws_sdk_iam::Client::get_login_profile)
            .then_error(|| GetLoginProfileError::generic(meta("NoSuchEntity", "Login profile not found"))),
        mock!(aws_sdk_iam::Client::create_login_profile)
            .match_requests(|r| {
                r.user_name() == Some("analyst.jane")
                    && r.password() == Some(SECRET)
                    && r.password_reset_required() == Some(true)
            })
            .then_output(|| CreateLoginProfileOutput::builder().build()),
    ];
    let refs: Vec<&Rule> = rules.iter().collect();
    let secrets = Secrets {
        console_password: Some(Password::new(SECRET.into())),
        generated: false,
    };
    let outcomes = remediate::apply(&plan, &clients(iam(&refs)), &secrets).await.unwrap();
    assert_eq!(
        statuses(&outcomes),
        [
            ("create-boundary-policy", Status::Done),
            ("create-user", Status::Done),
            ("add-to-group", Status::Failed),
            ("create-login-profile", Status::Done),
        ]
    );
    assert_all_called_once(&refs);
    let text = format!(
        "{}{:?}{:?}{:?}",
        serde_json::to_string(&outcomes).unwrap(),
        outcomes,
        plan,
        secrets
    );
    assert!(!text.contains(SECRET));
}

#[tokio::test]
async fn a_password_in_an_error_message_is_redacted() {
    const SECRET: &str = "Echoed!Passw0rd-Value";
    let account = account(json!({
        "UserDetailList": [user_json("analyst.jane", None)],
        "GroupDetailList": [{"GroupName": "human-users", "Arn": "arn:aws:iam::123456789012:group/human-users"}]
    }));
    let opts = CreateUserOptions {
        user_name: "analyst.jane".into(),
        boundary: false,
        console: true,
    };
    let mut plan = remediate::create_user(&account, &Config::default(), &opts).unwrap();
    plan.steps.retain(|s| s.id == "create-login-profile");
    let rules = [
        mock!(aws_sdk_iam::Client::get_login_profile)
            .then_error(|| GetLoginProfileError::generic(meta("NoSuchEntity", "Login profile not found"))),
        mock!(aws_sdk_iam::Client::create_login_profile).then_error(|| {
            CreateLoginProfileError::generic(meta(
                "PasswordPolicyViolation",
                &format!("password {SECRET} is too weak"),
            ))
        }),
    ];
    let refs: Vec<&Rule> = rules.iter().collect();
    let secrets = Secrets {
        console_password: Some(Password::new(SECRET.into())),
        generated: false,
    };
    let outcomes = remediate::apply(&plan, &clients(iam(&refs)), &secrets).await.unwrap();
    assert_eq!(outcomes[0].status, Status::Failed);
    assert_eq!(outcomes[0].error_code.as_deref(), Some("PasswordPolicyViolation"));
    assert!(
        outcomes[0].detail.contains("password <redacted> is too weak"),
        "{}",
        outcomes[0].detail
    );
    assert!(!serde_json::to_string(&outcomes).unwrap().contains(SECRET));
}

#[tokio::test]
async fn credentials_of_another_account_are_refused_before_any_change() {
    // The plan is made from the data of 111111111111; the credentials are 123456789012's.
    let other = account(json!({
        "UserDetailList": [{"UserName": "alice", "Arn": "arn:aws:iam::111111111111:user/alice", "GroupList": []}]
    }));
    assert_eq!(other.account_id.as_deref(), Some("111111111111"));
    let plan = remediate::permissions_boundary(&other, &Config::default(), &boundary_opts()).unwrap();
    assert!(plan.has_changes());
    // No IAM rule: any IAM call would fail the test (Sequential mode, nothing to match).
    let err = remediate::apply(&plan, &clients(iam(&[])), &Secrets::default())
        .await
        .unwrap_err();
    assert!(matches!(err, hipaa_iam_core::Error::InvalidArgument(_)), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("made for account 111111111111")
            && message.contains("belong to account 123456789012")
            && message.contains("nothing was changed"),
        "{message}"
    );
}

#[test]
fn an_invalid_user_name_is_refused_before_any_call() {
    // Planning refuses the name, so there is no plan to apply and no call (the CLI's
    // zero-calls test is in action/tests/cli/remediate_moto.rs).
    let account = account(json!({"UserDetailList": [user_json("alice", None)]}));
    for bad in ["jane doe", "jane/doe", "", "jäne"] {
        let opts = CreateUserOptions {
            user_name: bad.into(),
            boundary: true,
            console: true,
        };
        let err = remediate::create_user(&account, &Config::default(), &opts).unwrap_err();
        assert!(err.to_string().contains("user_name"), "{err}");
    }
}

/// The listings apply reads before changing anything (`ListAttachedGroupPolicies`,
/// `ListGroupsForUser`, `ListAnalyzers`) answering the same token again. aws-smithy-mocks
/// only: moto never repeats a pagination token. Each step fails naming the operation,
/// instead of asking for the same page forever (two answers per rule: a third request
/// would panic), and nothing is changed.
#[tokio::test]
async fn a_listing_that_repeats_its_token_fails_its_step_naming_the_operation() {
    use aws_sdk_iam::operation::list_attached_group_policies::ListAttachedGroupPoliciesOutput;
    use aws_sdk_iam::operation::list_groups_for_user::ListGroupsForUserOutput;
    use remediate::{Call, Expect, Plan, Remediation, Step};

    let step = |id: &str, call: Call| Step {
        id: id.to_string(),
        description: id.to_string(),
        call,
        depends_on: Vec::new(),
        expect: Expect::Change,
    };
    let plan = Plan {
        remediation: Remediation::MfaEnforcement,
        account_id: ID.to_string(),
        steps: vec![
            step(
                "attach-policy",
                Call::AttachGroupPolicy {
                    group_name: "human-users".into(),
                    policy_arn: "arn:aws:iam::123456789012:policy/deny-without-mfa".into(),
                },
            ),
            step(
                "add-user:alice",
                Call::AddUserToGroup {
                    group_name: "human-users".into(),
                    user_name: "alice".into(),
                },
            ),
            step(
                "create-analyzer:us-east-1",
                Call::CreateAnalyzer {
                    region: "us-east-1".into(),
                    analyzer_name: "account-access-analyzer".into(),
                    analyzer_type: "ACCOUNT".into(),
                },
            ),
        ],
    };
    let attached = || {
        ListAttachedGroupPoliciesOutput::builder()
            .is_truncated(true)
            .marker("again")
            .build()
    };
    let groups = || {
        ListGroupsForUserOutput::builder()
            .set_groups(Some(Vec::new()))
            .is_truncated(true)
            .marker("again")
            .build()
            .unwrap()
    };
    let analyzers = || {
        ListAnalyzersOutput::builder()
            .set_analyzers(Some(Vec::new()))
            .next_token("again")
            .build()
            .unwrap()
    };
    let iam_rules = [
        mock!(aws_sdk_iam::Client::list_attached_group_policies)
            .sequence()
            .output(attached)
            .output(attached)
            .build(),
        mock!(aws_sdk_iam::Client::list_groups_for_user)
            .sequence()
            .output(groups)
            .output(groups)
            .build(),
    ];
    let aa_rules = [mock!(aws_sdk_accessanalyzer::Client::list_analyzers)
        .sequence()
        .output(analyzers)
        .output(analyzers)
        .build()];
    let (iam_refs, aa_refs): (Vec<&Rule>, Vec<&Rule>) = (iam_rules.iter().collect(), aa_rules.iter().collect());
    let mut analyzer_clients = BTreeMap::new();
    analyzer_clients.insert("us-east-1".to_string(), analyzer("us-east-1", &aa_refs));
    let clients = Clients {
        sts: sts(ID),
        iam: iam(&iam_refs),
        analyzers: analyzer_clients,
    };
    let outcomes = remediate::apply(&plan, &clients, &Secrets::default()).await.unwrap();
    assert_eq!(
        statuses(&outcomes),
        [
            ("attach-policy", Status::Failed),
            ("add-user:alice", Status::Failed),
            ("create-analyzer:us-east-1", Status::Failed),
        ]
    );
    for (o, (operation, field)) in outcomes.iter().zip([
        ("ListAttachedGroupPolicies", "Marker"),
        ("ListGroupsForUser", "Marker"),
        ("ListAnalyzers", "NextToken"),
    ]) {
        assert_eq!(o.error_code.as_deref(), Some("InvalidPagination"));
        assert_eq!(
            o.detail,
            format!(
                "{operation} failed: InvalidPagination: the service returned the same {field} twice (again); stopping"
            )
        );
    }
}
