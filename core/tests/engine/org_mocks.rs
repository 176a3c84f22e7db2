//! Organization runs where moto cannot say no: STS refusing `AssumeRole` for one account.
//!
//! The organization, its accounts and their IAM state are real (moto, made with the AWS
//! CLI). Only STS is an `aws-smithy-mocks` client: for the accounts that work it answers
//! `AssumeRole` with credentials moto itself issued for that account (so the collection's
//! IAM calls go to moto, in that account), for one account it answers AccessDenied as AWS
//! does. The caller's identity is a GovCloud ARN, so the role ARNs must use its partition.
//! `ListAccounts` pagination and the ACTIVE filter are checked against a mocked
//! Organizations client (moto returns every account in one page).
#![allow(clippy::unwrap_used)]

use crate::common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_organizations::operation::list_accounts::ListAccountsOutput;
use aws_sdk_organizations::types::{Account as OrgAccountSdk, AccountState, AccountStatus};
use aws_sdk_sts::operation::assume_role::AssumeRoleOutput;
use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityOutput;
use aws_smithy_mocks::{mock, Rule, RuleMode};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::DateTime;
use common::{interceptor, mock_config};
use hipaa_iam_core::account::collect::Options;
use hipaa_iam_core::findings::Status;
use hipaa_iam_core::org::{self, OrgAccount, OrgClients, OrgOptions, Progress};
use hipaa_iam_tests::{moto_in_process, Moto, MOTO_ACCOUNT_ID};

const ROLE: &str = "OrganizationAccountAccessRole";
const EXTERNAL_ID: &str = "hipaa-iam-ext-42";

fn mocked_sts(rules: &[Rule]) -> aws_sdk_sts::Client {
    let conf = aws_sdk_sts::config::Builder::from(&mock_config())
        .interceptor(interceptor(RuleMode::MatchAny, rules))
        .build();
    aws_sdk_sts::Client::from_conf(conf)
}

/// An STS (query protocol) error response as AWS sends it.
fn sts_error(status: u16, code: &'static str, message: String) -> impl Fn() -> HttpResponse + Send + Sync + 'static {
    move || {
        let body = format!(
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>\
             <Code>{code}</Code><Message>{message}</Message></Error><RequestId>7a62</RequestId></ErrorResponse>"
        );
        HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::from(body))
    }
}

const CALLER_ARN: &str = "arn:aws-us-gov:iam::123456789012:user/auditor";

fn caller_identity() -> Rule {
    mock!(aws_sdk_sts::Client::get_caller_identity).then_output(|| {
        GetCallerIdentityOutput::builder()
            .account(MOTO_ACCOUNT_ID)
            .arn(CALLER_ARN)
            .user_id("AIDAEXAMPLE")
            .build()
    })
}

/// `AssumeRole` of the role in `account` (GovCloud ARN, the tool's session name) answered
/// with credentials moto issued for that account.
fn assume_role_granted(m: &Moto, account: &str) -> Rule {
    let real = m.assume_role(account, ROLE);
    let arn = format!("arn:aws-us-gov:iam::{account}:role/{ROLE}");
    mock!(aws_sdk_sts::Client::assume_role)
        .match_requests(move |r| {
            r.role_arn() == Some(arn.as_str())
                && r.role_session_name() == Some("hipaa-iam-audit")
                && r.external_id() == Some(EXTERNAL_ID)
        })
        .then_output(move || {
            AssumeRoleOutput::builder()
                .credentials(
                    aws_sdk_sts::types::Credentials::builder()
                        .access_key_id(&real.access_key_id)
                        .secret_access_key(&real.secret_access_key)
                        .session_token(&real.session_token)
                        .expiration(DateTime::from_secs(4_102_444_800))
                        .build()
                        .unwrap(),
                )
                .build()
        })
}

fn assume_role_denied(account: &str) -> Rule {
    let arn = format!("arn:aws-us-gov:iam::{account}:role/{ROLE}");
    let message = format!("User: {CALLER_ARN} is not authorized to perform: sts:AssumeRole on resource: {arn}");
    mock!(aws_sdk_sts::Client::assume_role)
        .match_requests(move |r| r.role_arn() == Some(arn.as_str()))
        .then_http_response(sts_error(403, "AccessDenied", message))
}

/// The real configuration (moto, from the environment), as the CLI loads it.
async fn moto_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .retry_config(hipaa_iam_core::aws::retry_config())
        .load()
        .await
}

fn options() -> OrgOptions {
    OrgOptions {
        concurrency: 2,
        external_id: Some(EXTERNAL_ID.into()),
        collect: Options {
            report_poll_initial: Duration::from_millis(10),
            report_poll_max: Duration::from_millis(100),
            report_max_wait: Duration::from_secs(20),
            ..Options::default()
        },
        ..OrgOptions::default()
    }
}

/// Records what the run reports, and how many accounts were worked on at once.
#[derive(Default)]
struct Recorder {
    events: Mutex<Vec<String>>,
    in_flight: Mutex<(usize, usize)>,
}

impl Progress for Recorder {
    fn started(&self, account: &OrgAccount) {
        self.events.lock().unwrap().push(format!("start {}", account.id));
        let mut n = self.in_flight.lock().unwrap();
        n.0 += 1;
        n.1 = n.1.max(n.0);
    }
    fn finished(&self, account: &OrgAccount, ok: bool) {
        self.events.lock().unwrap().push(format!("done {} {ok}", account.id));
        self.in_flight.lock().unwrap().0 -= 1;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_whose_role_cannot_be_assumed_gets_an_error_and_the_others_are_audited_on_moto() {
    let m = moto_in_process();
    m.aws(&["organizations", "create-organization", "--feature-set", "ALL"]);
    let mut members = Vec::new();
    for name in ["clinic", "billing", "research"] {
        let out = m.aws(&[
            "organizations",
            "create-account",
            "--email",
            &format!("{name}@example.com"),
            "--account-name",
            name,
        ]);
        members.push(out["CreateAccountStatus"]["AccountId"].as_str().unwrap().to_string());
    }
    // Each member gets a user named after it, in its own account.
    for (id, name) in members.iter().zip(["clinic", "billing", "research"]) {
        let creds = m.assume_role(id, ROLE);
        m.aws_with(&creds, &["iam", "create-user", "--user-name", &format!("{name}-user")]);
    }
    // The clinic's roles trust another account of the organization (research) and an
    // outside one: in an organization run only the outside one is external (IAM-028).
    let clinic = m.assume_role(&members[0], ROLE);
    for (role, account) in [
        ("research-reader", members[2].as_str()),
        ("vendor-scanner", "210987654321"),
    ] {
        let trust = hipaa_iam_tests::account::trusting_account(account);
        m.aws_with(
            &clinic,
            &[
                "iam",
                "create-role",
                "--role-name",
                role,
                "--assume-role-policy-document",
                &trust.to_string(),
            ],
        );
    }
    let denied = members[1].clone();

    let rules = vec![
        caller_identity(),
        assume_role_granted(&m, &members[0]),
        assume_role_denied(&denied),
        assume_role_granted(&m, &members[2]),
    ];
    let base = moto_config().await;
    let clients = OrgClients {
        organizations: aws_sdk_organizations::Client::new(&base),
        sts: mocked_sts(&rules),
    };
    let all = org::list_accounts(&clients.organizations).await.unwrap();
    let mut expected_ids = members.clone();
    expected_ids.push(MOTO_ACCOUNT_ID.to_string());
    expected_ids.sort();
    assert_eq!(all.iter().map(|a| a.id.clone()).collect::<Vec<_>>(), expected_ids);

    // The caller's own (management) account has no rule: it is worked on with the caller's
    // credentials, without AssumeRole (a call would find no rule and fail the account).
    let config = hipaa_iam_core::api::load_config(None, Some(""), &[]).unwrap();
    let recorder = Arc::new(Recorder::default());
    let runs = org::audit(&clients, &base, &all, &options(), &config, None, recorder.clone())
        .await
        .unwrap();

    assert_eq!(runs.iter().map(|r| r.id.clone()).collect::<Vec<_>>(), expected_ids);
    for run in &runs {
        if run.id == denied {
            let e = run.result.as_ref().unwrap_err();
            assert!(e.starts_with("AWS AssumeRole failed: AccessDenied: "), "{e}");
            assert!(
                e.contains(&format!("arn:aws-us-gov:iam::{denied}:role/{ROLE}")),
                "the error names the account's role: {e}"
            );
            assert_eq!(run.name, "billing");
            continue;
        }
        let audit = run
            .result
            .as_ref()
            .unwrap_or_else(|e| panic!("account {} failed: {e}", run.id));
        assert_eq!(audit.report.account_id.as_deref(), Some(run.id.as_str()));
        let users: Vec<&str> = audit.account.users.iter().map(|u| u.user_name.as_str()).collect();
        let expect: Vec<String> = match run.name.as_str() {
            "clinic" | "research" => vec![format!("{}-user", run.name)],
            _ => Vec::new(),
        };
        assert_eq!(users, expect, "account {} ({}) has its own users", run.id, run.name);
        if run.name == "clinic" {
            let status = |role: &str| {
                audit
                    .report
                    .findings
                    .iter()
                    .find(|f| f.check.id == "IAM-028" && f.resource_name == role)
                    .map(|f| (f.status, f.detail.clone()))
            };
            // The role the organization made trusts its management account: not outside.
            for (role, want) in [
                (ROLE, Status::Pass),
                ("research-reader", Status::Pass),
                ("vendor-scanner", Status::Fail),
            ] {
                let (got, detail) = status(role).unwrap_or_else(|| panic!("no IAM-028 finding for {role}"));
                assert_eq!(got, want, "{role}: {detail}");
            }
        }
    }
    let events = recorder.events.lock().unwrap().clone();
    assert_eq!(
        recorder.in_flight.lock().unwrap().1,
        2,
        "at most --concurrency accounts at once"
    );
    assert_eq!(
        events.iter().filter(|e| e.starts_with("start ")).count(),
        4,
        "{events:?}"
    );
    assert!(events.contains(&format!("done {denied} false")), "{events:?}");
    assert_eq!(events.iter().filter(|e| e.ends_with(" true")).count(), 3, "{events:?}");
}

fn account(id: &str, name: &str, state: Option<AccountState>, status: Option<AccountStatus>) -> OrgAccountSdk {
    OrgAccountSdk::builder()
        .id(id)
        .name(name)
        .set_state(state)
        .set_status(status)
        .build()
}

#[tokio::test]
async fn list_accounts_follows_every_page_and_keeps_only_active_accounts() {
    let page1 = mock!(aws_sdk_organizations::Client::list_accounts)
        .match_requests(|r| r.next_token().is_none())
        .then_output(|| {
            ListAccountsOutput::builder()
                .accounts(account("333333333333", "c", Some(AccountState::Active), None))
                .accounts(account(
                    "444444444444",
                    "closed",
                    Some(AccountState::Suspended),
                    Some(AccountStatus::Active),
                ))
                .next_token("page-2")
                .build()
        });
    let page2 = mock!(aws_sdk_organizations::Client::list_accounts)
        .match_requests(|r| r.next_token() == Some("page-2"))
        .then_output(|| {
            ListAccountsOutput::builder()
                .accounts(account("111111111111", "a", None, Some(AccountStatus::Active)))
                .accounts(account(
                    "555555555555",
                    "leaving",
                    None,
                    Some(AccountStatus::PendingClosure),
                ))
                .accounts(account(
                    "222222222222",
                    "b",
                    Some(AccountState::Active),
                    Some(AccountStatus::Active),
                ))
                .build()
        });
    let conf = aws_sdk_organizations::config::Builder::from(&mock_config())
        .interceptor(interceptor(RuleMode::MatchAny, &[page1, page2]))
        .build();
    let client = aws_sdk_organizations::Client::from_conf(conf);
    let accounts = org::list_accounts(&client).await.unwrap();
    let got: Vec<(&str, &str)> = accounts.iter().map(|a| (a.id.as_str(), a.name.as_str())).collect();
    assert_eq!(
        got,
        [("111111111111", "a"), ("222222222222", "b"), ("333333333333", "c")]
    );
}

#[tokio::test]
async fn a_refused_listing_is_an_error_of_the_run() {
    let denied = mock!(aws_sdk_organizations::Client::list_accounts).then_http_response(|| {
        let mut r = HttpResponse::new(
            StatusCode::try_from(400).unwrap(),
            SdkBody::from(r#"{"__type":"AWSOrganizationsNotInUseException","Message":"Your account is not a member of an organization."}"#),
        );
        r.headers_mut().insert("content-type", "application/x-amz-json-1.1");
        r
    });
    let conf = aws_sdk_organizations::config::Builder::from(&mock_config())
        .interceptor(interceptor(RuleMode::MatchAny, &[denied]))
        .build();
    let client = aws_sdk_organizations::Client::from_conf(conf);
    let e = org::list_accounts(&client).await.unwrap_err().to_string();
    assert_eq!(
        e,
        "AWS ListAccounts failed: AWSOrganizationsNotInUseException: Your account is not a member of an organization."
    );
}

#[test]
fn each_account_has_retry_partitions_of_its_own() {
    use hipaa_iam_core::account::collect::Clients;
    let config = mock_config();
    let a = Clients::for_account(&config, &["us-east-1".into(), "eu-west-1".into()], "111111111111").unwrap();
    let b = Clients::for_account(&config, &[], "222222222222").unwrap();
    let name = |p: Option<&aws_sdk_iam::config::retry::RetryPartition>| p.map(ToString::to_string);
    assert_eq!(
        name(a.iam.config().retry_partition()).as_deref(),
        Some("hipaa-iam-111111111111-iam")
    );
    assert_eq!(
        name(a.sts.config().retry_partition()).as_deref(),
        Some("hipaa-iam-111111111111-sts")
    );
    assert_eq!(
        name(a.access_analyzer["eu-west-1"].config().retry_partition()).as_deref(),
        Some("hipaa-iam-111111111111-access-analyzer-eu-west-1")
    );
    assert_eq!(
        name(b.iam.config().retry_partition()).as_deref(),
        Some("hipaa-iam-222222222222-iam")
    );
    // A single-account collection keeps the SDK's shared default.
    let single = Clients::new(&config, &[]).unwrap();
    assert!(!name(single.iam.config().retry_partition())
        .unwrap_or_default()
        .starts_with("hipaa-iam-"));
}

/// `ListAccounts` answering the same `NextToken` again (aws-smithy-mocks only: moto never
/// repeats a pagination token) is an error naming the operation, not an endless listing.
#[tokio::test]
async fn a_listing_that_repeats_its_token_is_an_error_naming_the_operation() {
    let page = || {
        ListAccountsOutput::builder()
            .accounts(account("111111111111", "a", Some(AccountState::Active), None))
            .next_token("again")
            .build()
    };
    let same = mock!(aws_sdk_organizations::Client::list_accounts)
        .sequence()
        .output(page)
        .output(page)
        .build();
    let conf = aws_sdk_organizations::config::Builder::from(&mock_config())
        .interceptor(interceptor(RuleMode::Sequential, &[same]))
        .build();
    let client = aws_sdk_organizations::Client::from_conf(conf);
    let e = org::list_accounts(&client).await.unwrap_err().to_string();
    assert_eq!(
        e,
        "AWS ListAccounts failed: InvalidPagination: the service returned the same NextToken twice (again); stopping"
    );
}
