//! The live collector against `aws-smithy-mocks` rules, for what moto cannot do: paginated
//! authorization details, the credential report's states, throttling, Access Analyzer, and
//! counting every request of a large account's collection.
//!
//! Errors are answered as raw HTTP responses in AWS's own wire format, so the SDK's error
//! parsing and retry classification run as they do against AWS.
#![allow(clippy::unwrap_used, clippy::todo)]

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::{Region, SdkConfig};
use aws_sdk_accessanalyzer::operation::list_analyzers::ListAnalyzersOutput;
use aws_sdk_accessanalyzer::operation::list_findings_v2::ListFindingsV2Output;
use aws_sdk_accessanalyzer::types::{
    AnalyzerStatus, AnalyzerSummary, FindingStatus, FindingSummaryV2, ResourceType, Type,
};
use aws_sdk_iam::operation::generate_credential_report::GenerateCredentialReportOutput;
use aws_sdk_iam::operation::get_account_authorization_details::GetAccountAuthorizationDetailsOutput;
use aws_sdk_iam::operation::get_account_summary::GetAccountSummaryOutput;
use aws_sdk_iam::operation::get_credential_report::GetCredentialReportOutput;
use aws_sdk_iam::operation::list_virtual_mfa_devices::ListVirtualMfaDevicesOutput;
use aws_sdk_iam::types::{
    GroupDetail, ManagedPolicyDetail, PolicyVersion, ReportFormatType, ReportStateType, SummaryKeyType, User,
    UserDetail, VirtualMfaDevice,
};
use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityOutput;
use aws_smithy_mocks::{mock, Rule, RuleMode};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::{Blob, DateTime};
use common::{interceptor, mock_config};
use hipaa_iam_core::account::collect::{collect, Clients, IdentityCenterClients, Options};
use hipaa_iam_core::account::{file, Account, Collected};
use hipaa_iam_core::aws::retry_config;
use hipaa_iam_core::Error;
use serde_json::Value;

const ACCOUNT: &str = "111122223333";
const CSV: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n\
<root_account>,arn:aws:iam::111122223333:root,2020-01-01T00:00:00+00:00,not_supported,2026-01-01T00:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n";
const REPORT_TIME: i64 = 1_790_000_000;
const POLICY: &str = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D";

/// Counts every request attempt a client makes (retries included).
#[derive(Debug, Clone, Default)]
struct Counter(Arc<AtomicUsize>);

impl Intercept for Counter {
    fn name(&self) -> &'static str {
        "RequestCounter"
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

impl Counter {
    fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// The collector's own retry configuration, with the first backoff shortened so that a
/// test with throttling runs in milliseconds.
pub(crate) fn sdk_config() -> SdkConfig {
    let retry: RetryConfig = retry_config().with_initial_backoff(Duration::from_millis(5));
    mock_config().into_builder().retry_config(retry).build()
}

pub(crate) struct Mocks {
    iam: Vec<Rule>,
    iam_mode: RuleMode,
    sts: Vec<Rule>,
    regions: Vec<(&'static str, Vec<Rule>)>,
    /// The sso-admin and identitystore rules of each region (MatchAny).
    identity_center: Vec<(&'static str, Vec<Rule>)>,
    counter: Counter,
}

impl Mocks {
    pub(crate) fn new(iam_mode: RuleMode, iam: Vec<Rule>) -> Self {
        Mocks {
            iam,
            iam_mode,
            sts: vec![caller_identity()],
            regions: Vec::new(),
            identity_center: Vec::new(),
            counter: Counter::default(),
        }
    }

    pub(crate) fn region(mut self, region: &'static str, rules: Vec<Rule>) -> Self {
        self.regions.push((region, rules));
        self
    }

    /// Identity Center clients for `region` answering with `rules` (sso-admin and
    /// identitystore operations alike).
    pub(crate) fn identity_center(mut self, region: &'static str, rules: Vec<Rule>) -> Self {
        self.identity_center.push((region, rules));
        self
    }

    pub(crate) fn clients(&self) -> Clients {
        let conf = sdk_config();
        let iam = aws_sdk_iam::config::Builder::from(&conf)
            .interceptor(interceptor(self.iam_mode, &self.iam))
            .interceptor(self.counter.clone())
            .build();
        let sts = aws_sdk_sts::config::Builder::from(&conf)
            .interceptor(interceptor(RuleMode::Sequential, &self.sts))
            .interceptor(self.counter.clone())
            .build();
        let access_analyzer = self
            .regions
            .iter()
            .map(|(region, rules)| {
                let c = aws_sdk_accessanalyzer::config::Builder::from(&conf)
                    .region(Region::new(*region))
                    .interceptor(interceptor(RuleMode::Sequential, rules))
                    .interceptor(self.counter.clone())
                    .build();
                (region.to_string(), aws_sdk_accessanalyzer::Client::from_conf(c))
            })
            .collect();
        let identity_center = self
            .identity_center
            .iter()
            .map(|(region, rules)| {
                let sso = aws_sdk_ssoadmin::config::Builder::from(&conf)
                    .region(Region::new(*region))
                    .interceptor(interceptor(RuleMode::MatchAny, rules))
                    .interceptor(self.counter.clone())
                    .build();
                let store = aws_sdk_identitystore::config::Builder::from(&conf)
                    .region(Region::new(*region))
                    .interceptor(interceptor(RuleMode::MatchAny, rules))
                    .interceptor(self.counter.clone())
                    .build();
                let clients = IdentityCenterClients {
                    sso_admin: aws_sdk_ssoadmin::Client::from_conf(sso),
                    identity_store: aws_sdk_identitystore::Client::from_conf(store),
                };
                (region.to_string(), clients)
            })
            .collect();
        Clients {
            iam: aws_sdk_iam::Client::from_conf(iam),
            sts: aws_sdk_sts::Client::from_conf(sts),
            access_analyzer,
            identity_center,
        }
    }
}

pub(crate) fn options() -> Options {
    Options {
        report_poll_initial: Duration::from_millis(1),
        report_poll_max: Duration::from_millis(4),
        report_max_wait: Duration::from_secs(5),
        ..Options::default()
    }
}

/// An IAM (query protocol) error response as AWS sends it.
fn iam_error(
    status: u16,
    code: &'static str,
    message: &'static str,
) -> impl Fn() -> HttpResponse + Send + Sync + 'static {
    move || {
        let body = format!(
            "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type>\
             <Code>{code}</Code><Message>{message}</Message></Error><RequestId>4f1c</RequestId></ErrorResponse>"
        );
        HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::from(body))
    }
}

/// An Access Analyzer (REST-JSON protocol) error response as AWS sends it; the JSON
/// protocols of sso-admin and identitystore read the same header.
pub(crate) fn json_error(
    status: u16,
    code: &'static str,
    message: &'static str,
) -> impl Fn() -> HttpResponse + Send + Sync + 'static {
    move || {
        let mut r = HttpResponse::new(
            StatusCode::try_from(status).unwrap(),
            SdkBody::from(format!("{{\"message\":\"{message}\"}}")),
        );
        r.headers_mut().insert("x-amzn-errortype", code);
        r.headers_mut().insert("content-type", "application/json");
        r
    }
}

fn caller_identity() -> Rule {
    mock!(aws_sdk_sts::Client::get_caller_identity).then_output(|| {
        GetCallerIdentityOutput::builder()
            .account(ACCOUNT)
            .arn(format!("arn:aws:iam::{ACCOUNT}:user/auditor"))
            .user_id("AIDAEXAMPLE")
            .build()
    })
}

fn user(i: usize) -> UserDetail {
    UserDetail::builder()
        .path("/")
        .user_name(format!("user{i:04}"))
        .user_id(format!("AIDA{i:016}"))
        .arn(format!("arn:aws:iam::{ACCOUNT}:user/user{i:04}"))
        .create_date(DateTime::from_secs(1_700_000_000))
        .group_list("clinicians")
        .set_user_policy_list(Some(Vec::new()))
        .set_attached_managed_policies(Some(Vec::new()))
        .build()
}

/// Page `page` (0-based) of `pages` with `users` users in all, 1000 a page.
fn auth_page(page: usize, pages: usize, users: usize) -> GetAccountAuthorizationDetailsOutput {
    let from = page * 1000;
    let to = users.min(from + 1000);
    let mut out = GetAccountAuthorizationDetailsOutput::builder()
        .set_user_detail_list(Some((from..to).map(user).collect()))
        .is_truncated(page + 1 < pages);
    if page + 1 < pages {
        out = out.marker(format!("marker-{}", page + 1));
    }
    if page == 0 {
        out = out
            .group_detail_list(
                GroupDetail::builder()
                    .group_name("clinicians")
                    .arn(format!("arn:aws:iam::{ACCOUNT}:group/clinicians"))
                    .set_group_policy_list(Some(Vec::new()))
                    .build(),
            )
            .set_role_detail_list(Some(Vec::new()));
    }
    if page + 1 == pages {
        out = out.policies(
            ManagedPolicyDetail::builder()
                .policy_name("phi-read")
                .arn(format!("arn:aws:iam::{ACCOUNT}:policy/phi-read"))
                .default_version_id("v1")
                .attachment_count(1)
                .is_attachable(true)
                .policy_version_list(
                    PolicyVersion::builder()
                        .document(POLICY)
                        .version_id("v1")
                        .is_default_version(true)
                        .build(),
                )
                .build(),
        );
    }
    out.build()
}

/// Three rules, each matching only the request with the marker of its page: proves that
/// the collector follows `Marker` and asks for pages of 1000.
fn auth_pages(pages: usize, users: usize) -> Vec<Rule> {
    (0..pages)
        .map(|page| {
            let expected = (page > 0).then(|| format!("marker-{page}"));
            mock!(aws_sdk_iam::Client::get_account_authorization_details)
                .match_requests(move |r| r.marker() == expected.as_deref() && r.max_items() == Some(1000))
                .then_output(move || auth_page(page, pages, users))
        })
        .collect()
}

fn generate(states: &'static [ReportStateType]) -> Rule {
    let mut seq = mock!(aws_sdk_iam::Client::generate_credential_report).sequence();
    for s in states {
        seq = seq.output(move || GenerateCredentialReportOutput::builder().state(s.clone()).build());
    }
    seq.build()
}

/// `GenerateCredentialReport` answering `state` to every call.
fn generate_always(state: ReportStateType) -> Rule {
    mock!(aws_sdk_iam::Client::generate_credential_report)
        .sequence()
        .output(move || GenerateCredentialReportOutput::builder().state(state.clone()).build())
        .repeatedly()
        .build()
}

fn report_output() -> GetCredentialReportOutput {
    GetCredentialReportOutput::builder()
        .content(Blob::new(CSV.as_bytes()))
        .report_format(ReportFormatType::TextCsv)
        .generated_time(DateTime::from_secs(REPORT_TIME))
        .build()
}

fn get_report() -> Rule {
    mock!(aws_sdk_iam::Client::get_credential_report).then_output(report_output)
}

fn no_password_policy() -> Rule {
    mock!(aws_sdk_iam::Client::get_account_password_policy)
        .sequence()
        .http_response(iam_error(
            404,
            "NoSuchEntity",
            "The Password Policy with domain name 111122223333 cannot be found.",
        ))
        .build()
}

fn summary() -> Rule {
    mock!(aws_sdk_iam::Client::get_account_summary).then_output(|| {
        GetAccountSummaryOutput::builder()
            .summary_map(SummaryKeyType::AccountMfaEnabled, 1)
            .summary_map(SummaryKeyType::Users, 2500)
            .build()
    })
}

fn mfa_device(i: usize) -> VirtualMfaDevice {
    VirtualMfaDevice::builder()
        .serial_number(format!("arn:aws:iam::{ACCOUNT}:mfa/user{i:04}"))
        .user(
            User::builder()
                .path("/")
                .user_name(format!("user{i:04}"))
                .user_id(format!("AIDA{i:016}"))
                .arn(format!("arn:aws:iam::{ACCOUNT}:user/user{i:04}"))
                .create_date(DateTime::from_secs(1_700_000_000))
                .build()
                .unwrap(),
        )
        .enable_date(DateTime::from_secs(1_700_000_100))
        .build()
        .unwrap()
}

/// `devices` MFA devices over pages of 1000.
fn mfa_pages(devices: usize) -> Vec<Rule> {
    let pages = devices.div_ceil(1000).max(1);
    (0..pages)
        .map(|page| {
            let expected = (page > 0).then(|| format!("mfa-{page}"));
            mock!(aws_sdk_iam::Client::list_virtual_mfa_devices)
                .match_requests(move |r| r.marker() == expected.as_deref() && r.max_items() == Some(1000))
                .then_output(move || {
                    let from = page * 1000;
                    let to = devices.min(from + 1000);
                    let mut out = ListVirtualMfaDevicesOutput::builder()
                        .set_virtual_mfa_devices(Some((from..to).map(mfa_device).collect()))
                        .is_truncated(page + 1 < pages);
                    if page + 1 < pages {
                        out = out.marker(format!("mfa-{}", page + 1));
                    }
                    out.build().unwrap()
                })
        })
        .collect()
}

fn analyzer(region: &str, name: &str, t: Type) -> AnalyzerSummary {
    AnalyzerSummary::builder()
        .arn(format!("arn:aws:access-analyzer:{region}:{ACCOUNT}:analyzer/{name}"))
        .name(name)
        .r#type(t)
        .created_at(DateTime::from_secs(1_700_000_000))
        .status(AnalyzerStatus::Active)
        .build()
        .unwrap()
}

/// A region with an organization analyzer and an account analyzer (the account one is
/// listed second: the collector must still prefer it), and two findings.
fn region_with_findings(region: &'static str) -> Vec<Rule> {
    let account_arn = format!("arn:aws:access-analyzer:{region}:{ACCOUNT}:analyzer/account");
    vec![
        mock!(aws_sdk_accessanalyzer::Client::list_analyzers).then_output(move || {
            ListAnalyzersOutput::builder()
                .analyzers(analyzer(region, "org", Type::Organization))
                .analyzers(analyzer(region, "account", Type::Account))
                .build()
                .unwrap()
        }),
        mock!(aws_sdk_accessanalyzer::Client::list_findings_v2)
            .match_requests(move |r| r.analyzer_arn() == Some(account_arn.as_str()))
            .then_output(move || {
                let finding = |id: &str, status: FindingStatus| {
                    FindingSummaryV2::builder()
                        .id(id)
                        .analyzed_at(DateTime::from_secs(1_700_000_000))
                        .created_at(DateTime::from_secs(1_700_000_000))
                        .updated_at(DateTime::from_secs(1_700_000_000))
                        .resource(format!("arn:aws:s3:::phi-{region}"))
                        .resource_type(ResourceType::AwsS3Bucket)
                        .resource_owner_account(ACCOUNT)
                        .status(status)
                        .build()
                        .unwrap()
                };
                ListFindingsV2Output::builder()
                    .findings(finding("f-active", FindingStatus::Active))
                    .findings(finding("f-archived", FindingStatus::Archived))
                    .build()
                    .unwrap()
            }),
    ]
}

/// The IAM rules of a small, ordinary account (MatchAny: each rule answers its operation).
pub(crate) fn ordinary_iam() -> Vec<Rule> {
    let mut rules = auth_pages(1, 3);
    rules.extend([
        generate(&[ReportStateType::Complete, ReportStateType::Complete]),
        get_report(),
        no_password_policy(),
        summary(),
    ]);
    rules.extend(mfa_pages(2));
    rules
}

fn json(set: &hipaa_iam_core::account::ExportSet, name: &str) -> Value {
    serde_json::from_slice(set.get(name).unwrap_or_else(|| panic!("{name} missing"))).unwrap()
}

#[tokio::test]
async fn authorization_details_over_three_pages_are_merged() {
    let mut iam = auth_pages(3, 2500);
    iam.extend([
        generate(&[ReportStateType::Complete, ReportStateType::Complete]),
        get_report(),
        no_password_policy(),
        summary(),
    ]);
    iam.extend(mfa_pages(0));
    let mocks = Mocks::new(RuleMode::MatchAny, iam).region("us-east-1", region_with_findings("us-east-1"));
    let set = collect(&mocks.clients(), &options()).await.unwrap();

    let auth = json(&set, file::AUTHORIZATION_DETAILS);
    let users = auth["UserDetailList"].as_array().unwrap();
    assert_eq!(users.len(), 2500, "every page merged");
    assert_eq!(users[0]["UserName"], "user0000");
    assert_eq!(users[1000]["UserName"], "user1000");
    assert_eq!(users[2499]["UserName"], "user2499");
    assert_eq!(
        users[0]["UserPolicyList"],
        serde_json::json!([]),
        "present-but-empty lists are kept"
    );
    assert!(
        users[0].get("PermissionsBoundary").is_none(),
        "absent optional fields are omitted"
    );
    assert_eq!(users[0]["CreateDate"], "2023-11-14T22:13:20Z");
    assert_eq!(auth["GroupDetailList"].as_array().unwrap().len(), 1);
    assert_eq!(auth["RoleDetailList"], serde_json::json!([]));
    let policy = &auth["Policies"][0];
    assert_eq!(
        policy["PolicyVersionList"][0]["Document"],
        serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}),
        "the URL-encoded document is decoded as the CLI does"
    );
    assert!(auth.get("IsTruncated").is_none() && auth.get("Marker").is_none());
    let text = String::from_utf8(set.get(file::AUTHORIZATION_DETAILS).unwrap().to_vec()).unwrap();
    assert!(text.starts_with("{\n    \"UserDetailList\": [\n        {\n") && text.ends_with("}\n"));

    // No password policy (NoSuchEntity): no file, and nothing recorded as a failure.
    assert!(set.get(file::PASSWORD_POLICY).is_none());
    let manifest = set.manifest.as_ref().unwrap();
    assert!(manifest.not_collected.is_empty(), "{:?}", manifest.not_collected);
    assert_eq!(manifest.account_id.as_deref(), Some(ACCOUNT));
    assert_eq!(
        manifest.caller_arn.as_deref(),
        Some("arn:aws:iam::111122223333:user/auditor")
    );

    // The account model reads the collected set like any exports directory.
    let account = Account::from_exports(&set).unwrap();
    assert_eq!(account.users.len(), 2500);
    assert_eq!(account.password_policy, Collected::Yes(None));
    assert!(account.policies[0].default_document().is_some());
    let aa = &account.access_analyzer["us-east-1"];
    assert_eq!(aa.findings.get().unwrap().len(), 2);
}

#[tokio::test]
async fn a_report_ready_after_the_other_calls_is_taken_without_waiting() {
    // The report is started first; by the time the other calls are done it is complete,
    // so the collector asks again at once. With a first wait longer than the whole
    // allowance, any wait before that second ask would end in a timeout.
    let generate_first = generate(&[ReportStateType::Started]);
    let generate_again = generate(&[ReportStateType::Complete]);
    let mut iam = vec![generate_first.clone()];
    iam.extend(auth_pages(1, 2));
    iam.extend([no_password_policy(), summary()]);
    iam.extend(mfa_pages(1));
    iam.extend([generate_again.clone(), get_report()]);
    let mocks = Mocks::new(RuleMode::Sequential, iam);
    let opts = Options {
        report_poll_initial: Duration::from_secs(30),
        report_poll_max: Duration::from_secs(30),
        report_max_wait: Duration::from_secs(5),
        ..Options::default()
    };
    let set = collect(&mocks.clients(), &opts).await.unwrap();
    assert_eq!(
        generate_first.num_calls() + generate_again.num_calls(),
        2,
        "STARTED, then COMPLETE at once"
    );
    assert_eq!(set.get(file::CREDENTIAL_REPORT).unwrap(), CSV.as_bytes());
}

#[tokio::test]
async fn credential_report_is_polled_until_complete() {
    // Sequential: the rules must be used in exactly this order, which is the collector's
    // call order. The report is started first and polled after the other IAM calls.
    let generate_first = generate(&[ReportStateType::Started]);
    let generate_polls = generate(&[ReportStateType::Inprogress, ReportStateType::Complete]);
    let get = mock!(aws_sdk_iam::Client::get_credential_report)
        .sequence()
        .http_response(iam_error(
            404,
            "ReportInProgress",
            "Report generation is in progress. Try again later.",
        ))
        .output(report_output)
        .build();
    let mut iam = vec![generate_first.clone()];
    iam.extend(auth_pages(1, 2));
    iam.extend([no_password_policy(), summary()]);
    iam.extend(mfa_pages(1));
    iam.extend([generate_polls.clone(), get.clone()]);
    let mocks = Mocks::new(RuleMode::Sequential, iam);
    let set = collect(&mocks.clients(), &options()).await.unwrap();

    assert_eq!(
        generate_first.num_calls() + generate_polls.num_calls(),
        3,
        "STARTED, INPROGRESS, COMPLETE"
    );
    assert_eq!(get.num_calls(), 2, "ReportInProgress, then the report");
    assert_eq!(
        set.get(file::CREDENTIAL_REPORT).unwrap(),
        CSV.as_bytes(),
        "the decoded CSV, byte for byte"
    );
    let manifest = set.manifest.as_ref().unwrap();
    assert_eq!(
        manifest.credential_report_generated_at.as_deref(),
        Some("2026-09-21T14:13:20Z")
    );
    let account = Account::from_exports(&set).unwrap();
    assert_eq!(
        account.as_of.timestamp(),
        REPORT_TIME,
        "the report's time is the audit's as-of"
    );
    assert_eq!(
        account.credential_report.get().unwrap().rows.len(),
        1,
        "the <root_account> row"
    );
}

#[tokio::test]
async fn an_expired_report_is_generated_again() {
    let get = mock!(aws_sdk_iam::Client::get_credential_report)
        .sequence()
        .http_response(iam_error(410, "ReportExpired", "The report has expired."))
        .output(report_output)
        .build();
    let gen = generate(&[ReportStateType::Complete, ReportStateType::Complete]);
    let mut iam = auth_pages(1, 1);
    iam.extend([gen.clone(), get.clone(), no_password_policy(), summary()]);
    iam.extend(mfa_pages(0));
    let mocks = Mocks::new(RuleMode::MatchAny, iam);
    let set = collect(&mocks.clients(), &options()).await.unwrap();
    assert_eq!(gen.num_calls(), 2, "generated once more after ReportExpired");
    assert_eq!(get.num_calls(), 2);
    assert_eq!(set.get(file::CREDENTIAL_REPORT).unwrap(), CSV.as_bytes());
}

#[tokio::test]
async fn a_report_that_never_completes_times_out_with_a_clear_error() {
    let gen = generate_always(ReportStateType::Inprogress);
    let mut iam = auth_pages(1, 1);
    iam.extend([gen, no_password_policy(), summary()]);
    iam.extend(mfa_pages(0));
    let mocks = Mocks::new(RuleMode::MatchAny, iam);
    let opts = Options {
        report_max_wait: Duration::from_millis(50),
        ..options()
    };
    let err = collect(&mocks.clients(), &opts).await.unwrap_err();
    match err {
        Error::Aws {
            operation,
            code,
            message,
            ..
        } => {
            assert_eq!(operation, "GenerateCredentialReport");
            assert_eq!(code, "Timeout");
            assert!(message.contains("not ready"), "{message}");
        }
        other => panic!("expected Error::Aws, got {other:?}"),
    }
}

/// moto always has the report once generated; only a mock can answer "complete" to
/// `GenerateCredentialReport` and then `ReportNotPresent` to `GetCredentialReport`, again
/// and again (a broken or hostile endpoint). The polling must still end.
#[tokio::test]
async fn a_report_that_is_complete_but_never_present_ends_with_a_timeout() {
    let gen = generate_always(ReportStateType::Complete);
    let get = mock!(aws_sdk_iam::Client::get_credential_report)
        .sequence()
        .http_response(iam_error(410, "ReportNotPresent", "The report is not present."))
        .repeatedly()
        .build();
    let mut iam = auth_pages(1, 1);
    iam.extend([gen.clone(), get.clone(), no_password_policy(), summary()]);
    iam.extend(mfa_pages(0));
    let mocks = Mocks::new(RuleMode::MatchAny, iam);
    let opts = Options {
        report_max_wait: Duration::from_millis(200),
        ..options()
    };
    let started = std::time::Instant::now();
    let err = tokio::time::timeout(Duration::from_secs(20), collect(&mocks.clients(), &opts))
        .await
        .expect("the credential report polling ends by itself")
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    let Error::Aws {
        operation,
        code,
        message,
        ..
    } = err
    else {
        panic!("expected Error::Aws, got {err:?}")
    };
    // It gave up before asking for a new report once more.
    assert_eq!(
        (operation.as_str(), code.as_str()),
        ("GenerateCredentialReport", "Timeout")
    );
    assert!(message.contains("not ready within 0.2 s"), "{message}");
    assert!(message.contains("ReportNotPresent"), "the last answer: {message}");
    assert!(get.num_calls() >= 2, "polled more than once");
}

#[tokio::test]
async fn throttling_twice_then_success_is_retried() {
    let throttled = mock!(aws_sdk_iam::Client::get_account_authorization_details)
        .sequence()
        .http_response(iam_error(400, "Throttling", "Rate exceeded"))
        .times(2)
        .output(|| auth_page(0, 1, 3))
        .build();
    let mut iam = vec![throttled.clone()];
    iam.extend([
        generate(&[ReportStateType::Complete, ReportStateType::Complete]),
        get_report(),
        no_password_policy(),
        summary(),
    ]);
    iam.extend(mfa_pages(1));
    let mocks = Mocks::new(RuleMode::MatchAny, iam);
    // Adaptive mode: after throttling, the client's rate limiter slows the IAM calls that
    // follow (down to its minimum rate when few requests were measured), so this test can
    // take tens of seconds; that is the retry mode working, not a hang.
    let set = collect(&mocks.clients(), &options()).await.unwrap();
    assert_eq!(throttled.num_calls(), 3, "two throttled attempts, then success");
    assert_eq!(
        json(&set, file::AUTHORIZATION_DETAILS)["UserDetailList"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[tokio::test]
async fn access_denied_on_list_analyzers_is_recorded_and_collection_continues() {
    let denied = vec![mock!(aws_sdk_accessanalyzer::Client::list_analyzers)
        .sequence()
        .http_response(json_error(
            403,
            "AccessDeniedException",
            "User is not authorized to perform: access-analyzer:ListAnalyzers",
        ))
        .build()];
    let mocks = Mocks::new(RuleMode::MatchAny, ordinary_iam())
        .region("us-east-1", denied)
        .region("eu-west-1", region_with_findings("eu-west-1"));
    let set = collect(&mocks.clients(), &options()).await.unwrap();

    let manifest = set.manifest.as_ref().unwrap();
    assert_eq!(manifest.regions, vec!["eu-west-1".to_string(), "us-east-1".to_string()]);
    let reason = &manifest.not_collected["access-analyzer/us-east-1/analyzers.json"];
    assert_eq!(
        reason,
        "AccessDeniedException: User is not authorized to perform: access-analyzer:ListAnalyzers"
    );
    assert!(set.get("access-analyzer/us-east-1/analyzers.json").is_none());
    // The other region, and everything else, was collected.
    let analyzers = json(&set, "access-analyzer/eu-west-1/analyzers.json");
    assert_eq!(analyzers["analyzers"].as_array().unwrap().len(), 2);
    assert_eq!(analyzers["analyzers"][1]["type"], "ACCOUNT");
    let findings = json(&set, "access-analyzer/eu-west-1/findings.json");
    assert_eq!(findings["findings"][0]["status"], "ACTIVE");
    assert_eq!(findings["findings"][0]["resourceType"], "AWS::S3::Bucket");
    assert!(set.get(file::AUTHORIZATION_DETAILS).is_some() && set.get(file::CREDENTIAL_REPORT).is_some());

    let account = Account::from_exports(&set).unwrap();
    match &account.access_analyzer["us-east-1"].analyzers {
        Collected::Failed { reason, .. } => assert!(reason.starts_with("AccessDeniedException")),
        other => panic!("expected Failed, got {other:?}"),
    }
    assert_eq!(account.access_analyzer["eu-west-1"].findings.get().unwrap().len(), 2);
}

#[tokio::test]
async fn access_denied_on_an_optional_iam_source_is_recorded() {
    let mut iam = auth_pages(1, 1);
    iam.extend([
        generate(&[ReportStateType::Complete, ReportStateType::Complete]),
        get_report(),
        mock!(aws_sdk_iam::Client::get_account_password_policy)
            .sequence()
            .http_response(iam_error(
                403,
                "AccessDenied",
                "not authorized to perform: iam:GetAccountPasswordPolicy",
            ))
            .build(),
        mock!(aws_sdk_iam::Client::get_account_summary)
            .sequence()
            .http_response(iam_error(
                403,
                "AccessDenied",
                "not authorized to perform: iam:GetAccountSummary",
            ))
            .build(),
    ]);
    iam.extend(mfa_pages(1));
    let mocks = Mocks::new(RuleMode::MatchAny, iam);
    let set = collect(&mocks.clients(), &options()).await.unwrap();
    let nc = &set.manifest.as_ref().unwrap().not_collected;
    assert_eq!(
        nc[file::PASSWORD_POLICY],
        "AccessDenied: not authorized to perform: iam:GetAccountPasswordPolicy"
    );
    assert_eq!(
        nc[file::ACCOUNT_SUMMARY],
        "AccessDenied: not authorized to perform: iam:GetAccountSummary"
    );
    let account = Account::from_exports(&set).unwrap();
    assert!(
        matches!(account.password_policy, Collected::Failed { .. }),
        "a denied call is not `no policy`"
    );
}

#[tokio::test]
async fn a_required_source_failing_is_an_aws_error_with_code_and_message() {
    let mut iam =
        vec![mock!(aws_sdk_iam::Client::get_account_authorization_details).sequence().http_response(iam_error(
        403,
        "AccessDenied",
        "User: arn:aws:iam::111122223333:user/auditor is not authorized to perform: iam:GetAccountAuthorizationDetails",
    ))
    .build()];
    iam.extend([generate(&[ReportStateType::Started])]);
    let mocks = Mocks::new(RuleMode::MatchAny, iam);
    let err = collect(&mocks.clients(), &options()).await.unwrap_err();
    let text = err.to_string();
    match err {
        Error::Aws {
            operation,
            code,
            message,
            ..
        } => {
            assert_eq!(operation, "GetAccountAuthorizationDetails");
            assert_eq!(code, "AccessDenied");
            assert!(
                message.contains("is not authorized to perform: iam:GetAccountAuthorizationDetails"),
                "{message}"
            );
        }
        other => panic!("expected Error::Aws, got {other:?}"),
    }
    assert!(
        text.contains("AccessDenied: User: arn:aws:iam::111122223333:user/auditor"),
        "{text}"
    );
}

#[tokio::test]
async fn sts_failing_is_an_aws_error() {
    let mut mocks = Mocks::new(RuleMode::MatchAny, ordinary_iam());
    mocks.sts = vec![mock!(aws_sdk_sts::Client::get_caller_identity)
        .sequence()
        .http_response(iam_error(
            403,
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        ))
        .build()];
    let err = collect(&mocks.clients(), &options()).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "AWS GetCallerIdentity failed: InvalidClientTokenId: The security token included in the request is invalid."
    );
}

/// Every request of a collection of an account with 2,500 users (and 2,500 MFA devices),
/// counted by an interceptor on every client, retries included.
async fn calls_for(regions: &[&'static str]) -> usize {
    let mut iam = auth_pages(3, 2500);
    iam.extend([
        generate(&[
            ReportStateType::Started,
            ReportStateType::Inprogress,
            ReportStateType::Complete,
        ]),
        get_report(),
        mock!(aws_sdk_iam::Client::get_account_password_policy).then_output(|| {
            aws_sdk_iam::operation::get_account_password_policy::GetAccountPasswordPolicyOutput::builder()
                .password_policy(
                    aws_sdk_iam::types::PasswordPolicy::builder()
                        .minimum_password_length(14)
                        .build(),
                )
                .build()
        }),
        summary(),
    ]);
    iam.extend(mfa_pages(2500));
    let mut mocks = Mocks::new(RuleMode::MatchAny, iam);
    for r in regions {
        mocks = mocks.region(r, region_with_findings(r));
    }
    let set = collect(&mocks.clients(), &options()).await.unwrap();
    assert_eq!(
        json(&set, file::AUTHORIZATION_DETAILS)["UserDetailList"]
            .as_array()
            .unwrap()
            .len(),
        2500
    );
    assert_eq!(
        json(&set, file::VIRTUAL_MFA_DEVICES)["VirtualMFADevices"]
            .as_array()
            .unwrap()
            .len(),
        2500
    );
    for r in regions {
        assert!(set.get(&file::analyzer_findings(r)).is_some(), "{r}");
    }
    assert!(set.manifest.as_ref().unwrap().not_collected.is_empty());
    mocks.counter.get()
}

#[tokio::test]
async fn api_call_budget_for_2500_users() {
    for regions in [&["us-east-1"][..], &["us-east-1", "eu-west-1", "ap-southeast-2"][..]] {
        let calls = calls_for(regions).await;
        let budget = 15 + 2 * regions.len();
        assert!(
            calls < budget,
            "{calls} calls for {} region(s); the budget is under {budget}",
            regions.len()
        );
        // STS 1, authorization details 3, credential report 3 + 1, password policy 1,
        // summary 1, virtual MFA 3; per region ListAnalyzers 1 + ListFindingsV2 1.
        assert_eq!(calls, 13 + 2 * regions.len());
    }
}

/// Every paginated listing of a collection answering the same token again. aws-smithy-mocks
/// only: moto never repeats a pagination token, but a broken proxy or endpoint can, and
/// then the listing must end in an error naming its operation, neither looping nor
/// stopping silently with a partial list.
#[tokio::test]
async fn a_listing_that_repeats_its_token_is_an_error_naming_the_operation() {
    use aws_sdk_iam::operation::get_account_authorization_details::GetAccountAuthorizationDetailsOutput as Auth;

    /// The IAM rules of [`ordinary_iam`] with `listing` in place of its own.
    fn iam_with(listing: Rule, replaces: &str) -> Vec<Rule> {
        let mut rules: Vec<Rule> = if replaces == "auth" {
            Vec::new()
        } else {
            auth_pages(1, 3)
        };
        rules.extend([
            generate(&[ReportStateType::Complete, ReportStateType::Complete]),
            get_report(),
            no_password_policy(),
            summary(),
        ]);
        if replaces != "mfa" {
            rules.extend(mfa_pages(2));
        }
        rules.push(listing);
        rules
    }
    let same_auth = mock!(aws_sdk_iam::Client::get_account_authorization_details).then_output(|| {
        Auth::builder()
            .user_detail_list(user(1))
            .is_truncated(true)
            .marker("again")
            .build()
    });
    let same_mfa = mock!(aws_sdk_iam::Client::list_virtual_mfa_devices).then_output(|| {
        ListVirtualMfaDevicesOutput::builder()
            .virtual_mfa_devices(mfa_device(1))
            .is_truncated(true)
            .marker("again")
            .build()
            .unwrap()
    });
    let analyzers_page = || {
        ListAnalyzersOutput::builder()
            .analyzers(analyzer("us-east-1", "account", Type::Account))
            .next_token("again")
            .build()
            .unwrap()
    };
    let same_analyzers = mock!(aws_sdk_accessanalyzer::Client::list_analyzers)
        .sequence()
        .output(analyzers_page)
        .output(analyzers_page)
        .build();
    let one_page = || {
        ListAnalyzersOutput::builder()
            .analyzers(analyzer("us-east-1", "account", Type::Account))
            .build()
            .unwrap()
    };
    let findings_page = || {
        ListFindingsV2Output::builder()
            .set_findings(Some(Vec::new()))
            .next_token("again")
            .build()
            .unwrap()
    };
    let same_findings = vec![
        mock!(aws_sdk_accessanalyzer::Client::list_analyzers).then_output(one_page),
        mock!(aws_sdk_accessanalyzer::Client::list_findings_v2)
            .sequence()
            .output(findings_page)
            .output(findings_page)
            .build(),
    ];

    let cases = [
        (
            "GetAccountAuthorizationDetails",
            "Marker",
            Mocks::new(RuleMode::MatchAny, iam_with(same_auth, "auth")),
        ),
        (
            "ListVirtualMFADevices",
            "Marker",
            Mocks::new(RuleMode::MatchAny, iam_with(same_mfa, "mfa")),
        ),
        (
            "ListAnalyzers",
            "NextToken",
            Mocks::new(RuleMode::MatchAny, ordinary_iam()).region("us-east-1", vec![same_analyzers]),
        ),
        (
            "ListFindingsV2",
            "NextToken",
            Mocks::new(RuleMode::MatchAny, ordinary_iam()).region("us-east-1", same_findings),
        ),
    ];
    for (operation, field, mocks) in cases {
        let e = collect(&mocks.clients(), &options()).await.unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("AWS {operation} failed: InvalidPagination: the service returned the same {field} twice (again); stopping"),
        );
        assert!(
            matches!(&e, Error::Aws { operation: op, code, .. } if op == operation && code == "InvalidPagination"),
            "{e:?}"
        );
    }
}
