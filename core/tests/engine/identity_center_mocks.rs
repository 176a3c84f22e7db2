//! The Identity Center collector against `aws-smithy-mocks` rules, for what moto cannot do:
//! an instance the caller may not read (moto answers `ListInstances` for anyone), permission
//! sets with a permissions boundary (moto does not implement
//! `GetPermissionsBoundaryForPermissionSet`), permission sets provisioned to many accounts
//! (moto's `ListAccountsForProvisionedPermissionSet` only ever answers the caller's account,
//! and neither it nor `ListInstances` paginates), a request that gets no answer, and the
//! request budget of a large organization, counted per operation.
//!
//! The rules compute each answer from the request (the instance, permission set, account or
//! group it names, and `MaxResults` / `NextToken`), as the service would.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_config::{Region, SdkConfig};
use aws_sdk_identitystore::operation::list_group_memberships::ListGroupMembershipsOutput;
use aws_sdk_identitystore::operation::list_groups::ListGroupsOutput;
use aws_sdk_identitystore::operation::list_users::ListUsersOutput;
use aws_sdk_identitystore::types::{Email, Group, GroupMembership, MemberId, User};
use aws_sdk_ssoadmin::operation::describe_permission_set::DescribePermissionSetOutput;
use aws_sdk_ssoadmin::operation::get_inline_policy_for_permission_set::GetInlinePolicyForPermissionSetOutput;
use aws_sdk_ssoadmin::operation::get_permissions_boundary_for_permission_set::GetPermissionsBoundaryForPermissionSetOutput;
use aws_sdk_ssoadmin::operation::list_account_assignments::ListAccountAssignmentsOutput;
use aws_sdk_ssoadmin::operation::list_accounts_for_provisioned_permission_set::ListAccountsForProvisionedPermissionSetOutput;
use aws_sdk_ssoadmin::operation::list_customer_managed_policy_references_in_permission_set::ListCustomerManagedPolicyReferencesInPermissionSetOutput;
use aws_sdk_ssoadmin::operation::list_instances::ListInstancesOutput;
use aws_sdk_ssoadmin::operation::list_managed_policies_in_permission_set::ListManagedPoliciesInPermissionSetOutput;
use aws_sdk_ssoadmin::operation::list_permission_sets::ListPermissionSetsOutput;
use aws_sdk_ssoadmin::types::{
    AccountAssignment, AttachedManagedPolicy, CustomerManagedPolicyReference, InstanceMetadata, InstanceStatus,
    PermissionSet, PermissionsBoundary, PrincipalType,
};
use aws_smithy_mocks::{mock, MockResponse, Rule, RuleMode};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, Metadata};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::DateTime;
use hipaa_iam_core::account::collect::{
    collect, collect_identity_center, IdentityCenterClients, IdentityCenterFiles, IdentityCenterOptions,
};
use hipaa_iam_core::account::file;
use hipaa_iam_core::aws::retry_config;
use serde_json::{json, Value};

use crate::collect_mocks::{json_error, options, ordinary_iam, sdk_config, Mocks};
use crate::common::interceptor;

const REGION: &str = "us-east-1";
const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";
const INLINE: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;

/// The requests each operation received (every attempt counts).
#[derive(Debug, Clone, Default)]
struct PerOperation(Arc<Mutex<BTreeMap<String, usize>>>);

impl Intercept for PerOperation {
    fn name(&self) -> &'static str {
        "PerOperation"
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let operation = cfg.load::<Metadata>().map_or("(unknown)", Metadata::name).to_string();
        *self.0.lock().unwrap().entry(operation).or_default() += 1;
        Ok(())
    }
}

impl PerOperation {
    fn counts(&self) -> BTreeMap<String, usize> {
        self.0.lock().unwrap().clone()
    }
}

/// An HTTP client that answers after `delay` (the mocks' answer), counting the requests in
/// flight at once: a stand-in for the network's latency.
#[derive(Debug, Clone)]
struct Latency {
    inner: SharedHttpClient,
    delay: Duration,
    now: Arc<AtomicUsize>,
    most: Arc<AtomicUsize>,
}

impl HttpClient for Latency {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(LatencyConnector {
            inner: self.inner.http_connector(settings, components),
            client: self.clone(),
        })
    }
}

#[derive(Debug)]
struct LatencyConnector {
    inner: SharedHttpConnector,
    client: Latency,
}

impl HttpConnector for LatencyConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let answer = self.inner.call(request);
        let c = self.client.clone();
        HttpConnectorFuture::new(async move {
            let n = c.now.fetch_add(1, Ordering::SeqCst) + 1;
            c.most.fetch_max(n, Ordering::SeqCst);
            tokio::time::sleep(c.delay).await;
            let r = answer.await;
            c.now.fetch_sub(1, Ordering::SeqCst);
            r
        })
    }
}

/// `items` paged as the services page: `max` items (100 by default) from the token's
/// position; the next token while items remain.
fn page<T: Clone>(items: &[T], max: Option<i32>, token: Option<&str>) -> (Vec<T>, Option<String>) {
    let start: usize = token.map_or(0, |t| t.strip_prefix("from-").unwrap().parse().unwrap());
    let end = (start + usize::try_from(max.unwrap_or(100)).unwrap()).min(items.len());
    (
        items[start..end].to_vec(),
        (end < items.len()).then(|| format!("from-{end}")),
    )
}

/// The number in an ID or ARN's last segment (`ps-0000000000000007` is 7).
fn number(id: &str) -> usize {
    id.rsplit(['-', '/']).next().unwrap().parse().unwrap()
}

fn instance_arn(i: usize) -> String {
    format!("arn:aws:sso:::instance/ssoins-{i:016}")
}

fn ps_arn(instance: usize, ps: usize) -> String {
    format!("arn:aws:sso:::permissionSet/ssoins-{instance:016}/ps-{ps:016}")
}

fn account(a: usize) -> String {
    format!("{:012}", 100_000_000_000 + a)
}

fn user_id(u: usize) -> String {
    format!("90676f4a1b-{u:08}-0000-0000-000000000000")
}

fn group_id(g: usize) -> String {
    format!("90676f4a1b-{g:08}-1111-0000-000000000000")
}

/// What the permission set's boundary is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Boundary {
    /// `ResourceNotFoundException`: none.
    None,
    Managed,
    CustomerManaged,
    /// AccessDeniedException.
    Denied,
}

/// An organization's Identity Center: `instances` instances, each with `permission_sets`
/// permission sets provisioned to `accounts` accounts (one group and one user assigned in
/// each), `users` users and `groups` groups of `members` members each.
#[derive(Debug, Clone, Copy)]
struct Org {
    instances: usize,
    permission_sets: usize,
    accounts: usize,
    users: usize,
    groups: usize,
    members: usize,
    boundary: fn(usize) -> Boundary,
}

impl Org {
    fn rules(self) -> Vec<Rule> {
        let o = self;
        vec![
            mock!(aws_sdk_ssoadmin::Client::list_instances).then_compute_output(move |input| {
                let all: Vec<InstanceMetadata> = (0..o.instances)
                    .map(|i| {
                        InstanceMetadata::builder()
                            .instance_arn(instance_arn(i))
                            .identity_store_id(format!("d-{i:010}"))
                            .owner_account_id(account(0))
                            .name(format!("instance {i}"))
                            .created_date(DateTime::from_secs(1_700_000_000))
                            .status(InstanceStatus::Active)
                            .build()
                    })
                    .collect();
                let (items, next) = page(&all, input.max_results(), input.next_token());
                ListInstancesOutput::builder()
                    .set_instances(Some(items))
                    .set_next_token(next)
                    .build()
            }),
            mock!(aws_sdk_ssoadmin::Client::list_permission_sets).then_compute_output(move |input| {
                let i = number(input.instance_arn().unwrap());
                let all: Vec<String> = (0..o.permission_sets).map(|p| ps_arn(i, p)).collect();
                let (items, next) = page(&all, input.max_results(), input.next_token());
                ListPermissionSetsOutput::builder()
                    .set_permission_sets(Some(items))
                    .set_next_token(next)
                    .build()
            }),
            mock!(aws_sdk_ssoadmin::Client::describe_permission_set).then_compute_output(|input| {
                let arn = input.permission_set_arn().unwrap();
                let p = number(arn);
                DescribePermissionSetOutput::builder()
                    .permission_set(
                        PermissionSet::builder()
                            .name(format!("set-{p}"))
                            .permission_set_arn(arn)
                            .created_date(DateTime::from_secs(1_700_000_000 + p as i64))
                            .session_duration(format!("PT{}H", p % 12 + 1))
                            .build(),
                    )
                    .build()
            }),
            mock!(aws_sdk_ssoadmin::Client::list_managed_policies_in_permission_set).then_compute_output(|input| {
                let p = number(input.permission_set_arn().unwrap());
                let policy = AttachedManagedPolicy::builder()
                    .name(if p.is_multiple_of(5) {
                        "AdministratorAccess"
                    } else {
                        "ReadOnlyAccess"
                    })
                    .arn(if p.is_multiple_of(5) {
                        ADMIN
                    } else {
                        "arn:aws:iam::aws:policy/ReadOnlyAccess"
                    })
                    .build();
                ListManagedPoliciesInPermissionSetOutput::builder()
                    .attached_managed_policies(policy)
                    .build()
            }),
            mock!(aws_sdk_ssoadmin::Client::list_customer_managed_policy_references_in_permission_set)
                .then_compute_output(|_| {
                    ListCustomerManagedPolicyReferencesInPermissionSetOutput::builder()
                        .customer_managed_policy_references(
                            CustomerManagedPolicyReference::builder()
                                .name("phi-read")
                                .path("/clinical/")
                                .build()
                                .unwrap(),
                        )
                        .build()
                }),
            mock!(aws_sdk_ssoadmin::Client::get_inline_policy_for_permission_set).then_compute_output(|input| {
                let p = number(input.permission_set_arn().unwrap());
                GetInlinePolicyForPermissionSetOutput::builder()
                    .inline_policy(if p.is_multiple_of(2) { INLINE } else { "" })
                    .build()
            }),
            mock!(aws_sdk_ssoadmin::Client::get_permissions_boundary_for_permission_set).then_compute_response(
                move |input| {
                    let p = number(input.permission_set_arn().unwrap());
                    let boundary = match (o.boundary)(p) {
                        Boundary::None => {
                            return MockResponse::Http(json_error(
                                400,
                                "ResourceNotFoundException",
                                "Could not find PermissionsBoundary",
                            )())
                        }
                        Boundary::Denied => {
                            return MockResponse::Http(json_error(
                                400,
                                "AccessDeniedException",
                                "User is not authorized to perform: sso:GetPermissionsBoundary",
                            )())
                        }
                        Boundary::Managed => PermissionsBoundary::builder()
                            .managed_policy_arn("arn:aws:iam::aws:policy/PowerUserAccess")
                            .build(),
                        Boundary::CustomerManaged => PermissionsBoundary::builder()
                            .customer_managed_policy_reference(
                                CustomerManagedPolicyReference::builder()
                                    .name("hipaa-boundary")
                                    .build()
                                    .unwrap(),
                            )
                            .build(),
                    };
                    MockResponse::Output(
                        GetPermissionsBoundaryForPermissionSetOutput::builder()
                            .permissions_boundary(boundary)
                            .build(),
                    )
                },
            ),
            mock!(aws_sdk_ssoadmin::Client::list_accounts_for_provisioned_permission_set).then_compute_output(
                move |input| {
                    let all: Vec<String> = (0..o.accounts).map(account).collect();
                    let (items, next) = page(&all, input.max_results(), input.next_token());
                    ListAccountsForProvisionedPermissionSetOutput::builder()
                        .set_account_ids(Some(items))
                        .set_next_token(next)
                        .build()
                },
            ),
            mock!(aws_sdk_ssoadmin::Client::list_account_assignments).then_compute_output(|input| {
                let (acct, arn) = (input.account_id().unwrap(), input.permission_set_arn().unwrap());
                let p = number(arn);
                let assignment = |t: PrincipalType, id: String| {
                    AccountAssignment::builder()
                        .account_id(acct)
                        .permission_set_arn(arn)
                        .principal_type(t)
                        .principal_id(id)
                        .build()
                };
                let all = vec![
                    assignment(PrincipalType::Group, group_id(p)),
                    assignment(PrincipalType::User, user_id(p)),
                ];
                let (items, next) = page(&all, input.max_results(), input.next_token());
                ListAccountAssignmentsOutput::builder()
                    .set_account_assignments(Some(items))
                    .set_next_token(next)
                    .build()
            }),
            mock!(aws_sdk_identitystore::Client::list_users).then_compute_output(move |input| {
                let store = input.identity_store_id().unwrap().to_string();
                let all: Vec<User> = (0..o.users)
                    .map(|u| {
                        User::builder()
                            .identity_store_id(&store)
                            .user_id(user_id(u))
                            .user_arn(format!(
                                "arn:aws:identitystore::{}:user/{store}/{}",
                                account(0),
                                user_id(u)
                            ))
                            .revision("1")
                            .user_name(format!("user{u}"))
                            .display_name(format!("User {u}"))
                            .emails(
                                Email::builder()
                                    .value(format!("user{u}@example.org"))
                                    .primary(true)
                                    .build(),
                            )
                            .created_at(DateTime::from_secs(1_700_000_000))
                            .build()
                            .unwrap()
                    })
                    .collect();
                let (items, next) = page(&all, input.max_results(), input.next_token());
                ListUsersOutput::builder()
                    .set_users(Some(items))
                    .set_next_token(next)
                    .build()
                    .unwrap()
            }),
            mock!(aws_sdk_identitystore::Client::list_groups).then_compute_output(move |input| {
                let store = input.identity_store_id().unwrap().to_string();
                let all: Vec<Group> = (0..o.groups)
                    .map(|g| {
                        Group::builder()
                            .identity_store_id(&store)
                            .group_id(group_id(g))
                            .group_arn(format!(
                                "arn:aws:identitystore::{}:group/{store}/{}",
                                account(0),
                                group_id(g)
                            ))
                            .revision("1")
                            .display_name(format!("group{g}"))
                            .set_external_ids(Some(Vec::new()))
                            .build()
                            .unwrap()
                    })
                    .collect();
                let (items, next) = page(&all, input.max_results(), input.next_token());
                ListGroupsOutput::builder()
                    .set_groups(Some(items))
                    .set_next_token(next)
                    .build()
                    .unwrap()
            }),
            mock!(aws_sdk_identitystore::Client::list_group_memberships).then_compute_output(move |input| {
                let store = input.identity_store_id().unwrap().to_string();
                let group = input.group_id().unwrap().to_string();
                let g = number(group.split('-').nth(1).unwrap());
                let all: Vec<GroupMembership> = (0..o.members)
                    .map(|m| {
                        let id = format!("m-{g}-{m}");
                        GroupMembership::builder()
                            .identity_store_id(&store)
                            .membership_id(&id)
                            .membership_arn(format!("arn:aws:identitystore::{}:membership/{store}/{id}", account(0)))
                            .group_id(&group)
                            .member_id(MemberId::UserId(user_id((g + m) % o.users.max(1))))
                            .build()
                            .unwrap()
                    })
                    .collect();
                let (items, next) = page(&all, input.max_results(), input.next_token());
                ListGroupMembershipsOutput::builder()
                    .set_group_memberships(Some(items))
                    .set_next_token(next)
                    .build()
                    .unwrap()
            }),
        ]
    }

    /// The requests a collection of this organization must make with pages of `p`, per
    /// operation (the formula of the collector's documentation and BENCHMARKS.md).
    fn budget(self, p: usize) -> BTreeMap<String, usize> {
        let pages = |n: usize| n.div_ceil(p).max(1);
        let (i, s) = (self.instances, self.permission_sets);
        let per_set = |n: usize| i * s * n;
        BTreeMap::from(
            [
                ("ListInstances", pages(i)),
                ("ListPermissionSets", i * pages(s)),
                ("DescribePermissionSet", per_set(1)),
                ("ListManagedPoliciesInPermissionSet", per_set(1)),
                ("ListCustomerManagedPolicyReferencesInPermissionSet", per_set(1)),
                ("GetInlinePolicyForPermissionSet", per_set(1)),
                ("GetPermissionsBoundaryForPermissionSet", per_set(1)),
                ("ListAccountsForProvisionedPermissionSet", per_set(pages(self.accounts))),
                ("ListAccountAssignments", per_set(self.accounts * pages(2))),
                ("ListUsers", i * pages(self.users)),
                ("ListGroups", i * pages(self.groups)),
                ("ListGroupMemberships", i * self.groups * pages(self.members)),
            ]
            .map(|(k, v)| (k.to_string(), v)),
        )
    }
}

/// Identity Center clients of `region` answering with `rules` through `conf`, counted, and
/// retrying as [`IdentityCenterClients::new`]'s do (3 attempts; the first back-off
/// shortened, as `conf`'s is).
fn clients(conf: &SdkConfig, region: &str, rules: &[Rule], count: &PerOperation) -> IdentityCenterClients {
    let retry = retry_config()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(5));
    let sso = aws_sdk_ssoadmin::config::Builder::from(conf)
        .retry_config(retry.clone())
        .region(Region::new(region.to_string()))
        .interceptor(interceptor(RuleMode::MatchAny, rules))
        .interceptor(count.clone())
        .build();
    let store = aws_sdk_identitystore::config::Builder::from(conf)
        .retry_config(retry)
        .region(Region::new(region.to_string()))
        .interceptor(interceptor(RuleMode::MatchAny, rules))
        .interceptor(count.clone())
        .build();
    IdentityCenterClients {
        sso_admin: aws_sdk_ssoadmin::Client::from_conf(sso),
        identity_store: aws_sdk_identitystore::Client::from_conf(store),
    }
}

async fn run(org: Org, opts: &IdentityCenterOptions, conf: &SdkConfig) -> (IdentityCenterFiles, PerOperation) {
    let count = PerOperation::default();
    let rules = org.rules();
    let all = BTreeMap::from([(REGION.to_string(), clients(conf, REGION, &rules, &count))]);
    let files = collect_identity_center(&all, opts).await.unwrap();
    (files, count)
}

fn json(files: &IdentityCenterFiles, name: &str) -> Value {
    serde_json::from_slice(
        files
            .files
            .get(name)
            .unwrap_or_else(|| panic!("{name} missing: {:?}", files.files.keys())),
    )
    .unwrap()
}

fn ps_file(instance: usize, ps: usize, leaf: &str) -> String {
    file::identity_center_permission_set(REGION, &format!("ssoins-{instance:016}"), &format!("ps-{ps:016}"), leaf)
}

/// 50 permission sets, each provisioned to 20 accounts: the collector makes exactly the
/// requests of the budget formula, per operation, never one per user and account, with at
/// most 8 in flight. The time, with 2 ms of simulated latency per request, is printed (for
/// BENCHMARKS.md), not asserted: the machines that run the tests are shared.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_budget_of_50_permission_sets_in_20_accounts() {
    let org = Org {
        instances: 1,
        permission_sets: 50,
        accounts: 20,
        users: 250,
        groups: 30,
        members: 5,
        boundary: |p| {
            if p.is_multiple_of(10) {
                Boundary::Managed
            } else {
                Boundary::None
            }
        },
    };
    let latency = Latency {
        inner: aws_smithy_mocks::create_mock_http_client(),
        delay: Duration::from_millis(2),
        now: Arc::default(),
        most: Arc::default(),
    };
    let conf = sdk_config().into_builder().http_client(latency.clone()).build();
    let started = Instant::now();
    let (files, count) = run(org, &IdentityCenterOptions::default(), &conf).await;
    let took = started.elapsed();

    let budget = org.budget(100);
    let total: usize = budget.values().sum();
    // 1 + 1 + 50 x (6 + 20) + ceil(250 / 100) + ceil(30 / 100) + 30
    assert_eq!(total, 1 + 1 + 50 * (6 + 20) + 3 + 1 + 30);
    assert_eq!(total, 1336);
    assert_eq!(count.counts(), budget);
    let most = latency.most.load(Ordering::SeqCst);
    // Concurrent, never over the bound (how close to it depends on the machine's load: the
    // SDK's work around each request holds the permit too).
    assert!((2..=8).contains(&most), "at most 8 requests in flight: {most}");
    eprintln!(
        "Identity Center budget: {total} requests for 50 permission sets x 20 accounts, {} ms \
         with 2 ms per request, at most {most} in flight",
        took.as_millis()
    );

    // Every file is there: 1 instance listing, 1 permission set listing, 50 x 5 + 5
    // boundaries, 50 x 20 assignments, users, groups and 30 memberships.
    assert!(files.not_collected.is_empty(), "{:?}", files.not_collected);
    assert_eq!(files.files.len(), 1 + 1 + 50 * 5 + 5 + 50 * 20 + 2 + 30);
    let users = json(&files, &file::identity_center_users(REGION, "ssoins-0000000000000000"));
    assert_eq!(users["Users"].as_array().unwrap().len(), 250, "three pages merged");
}

/// Pages of every listing, the two moto never pages (`ListInstances`,
/// `ListAccountsForProvisionedPermissionSet`) included, are merged, and each instance gets
/// its own files.
#[tokio::test]
async fn every_listing_is_paged_and_merged() {
    let org = Org {
        instances: 3,
        permission_sets: 3,
        accounts: 3,
        users: 3,
        groups: 3,
        members: 3,
        boundary: |_| Boundary::None,
    };
    let opts = IdentityCenterOptions {
        page_size: 2,
        ..IdentityCenterOptions::default()
    };
    let (files, count) = run(org, &opts, &sdk_config()).await;
    assert_eq!(count.counts(), org.budget(2));
    assert_eq!(count.counts()["ListInstances"], 2);
    assert_eq!(count.counts()["ListAccountsForProvisionedPermissionSet"], 3 * 3 * 2);
    let instances = json(&files, &file::identity_center_instances(REGION));
    assert_eq!(instances["Instances"].as_array().unwrap().len(), 3);
    for i in 0..3 {
        let accounts = json(&files, &ps_file(i, 2, "accounts.json"));
        assert_eq!(accounts, json!({"AccountIds": [account(0), account(1), account(2)]}));
        let assignments = json(&files, &ps_file(i, 2, &format!("assignments/{}.json", account(1))));
        assert_eq!(assignments["AccountAssignments"].as_array().unwrap().len(), 2);
        let id = format!("ssoins-{i:016}");
        let sets = json(&files, &file::identity_center_permission_sets(REGION, &id));
        assert_eq!(sets["PermissionSets"].as_array().unwrap().len(), 3);
        let members = json(
            &files,
            &file::identity_center_group_memberships(REGION, &id, &group_id(1)),
        );
        assert_eq!(members["GroupMemberships"].as_array().unwrap().len(), 3);
    }
    assert_eq!(
        json(&files, &file::identity_center_instances(REGION))["Instances"][0],
        json!({
            "InstanceArn": instance_arn(0),
            "IdentityStoreId": "d-0000000000",
            "OwnerAccountId": account(0),
            "Name": "instance 0",
            "CreatedDate": "2023-11-14T22:13:20Z",
            "Status": "ACTIVE"
        })
    );
}

/// Boundaries: a managed policy, a customer-managed policy, none
/// (`ResourceNotFoundException`: no file, nothing recorded) and a denied call (recorded
/// under the file's name). moto does not implement `GetPermissionsBoundaryForPermissionSet`.
#[tokio::test]
async fn permissions_boundaries_are_written_and_none_makes_no_file() {
    let org = Org {
        instances: 1,
        permission_sets: 4,
        accounts: 1,
        users: 1,
        groups: 1,
        members: 1,
        boundary: |p| match p {
            0 => Boundary::Managed,
            1 => Boundary::CustomerManaged,
            2 => Boundary::None,
            _ => Boundary::Denied,
        },
    };
    let (files, _) = run(org, &IdentityCenterOptions::default(), &sdk_config()).await;
    assert_eq!(
        json(&files, &ps_file(0, 0, "permissions-boundary.json")),
        json!({"PermissionsBoundary": {"ManagedPolicyArn": "arn:aws:iam::aws:policy/PowerUserAccess"}})
    );
    assert_eq!(
        json(&files, &ps_file(0, 1, "permissions-boundary.json")),
        json!({"PermissionsBoundary": {"CustomerManagedPolicyReference": {"Name": "hipaa-boundary"}}})
    );
    assert!(!files.files.contains_key(&ps_file(0, 2, "permissions-boundary.json")));
    let denied = ps_file(0, 3, "permissions-boundary.json");
    assert!(!files.files.contains_key(&denied));
    assert_eq!(
        files.not_collected,
        BTreeMap::from([(
            denied,
            "AccessDeniedException: User is not authorized to perform: sso:GetPermissionsBoundary".to_string()
        )])
    );
    // The other files of the permission sets are all there, as the CLI prints them.
    assert_eq!(
        json(&files, &ps_file(0, 0, "permission-set.json")),
        json!({"PermissionSet": {
            "Name": "set-0",
            "PermissionSetArn": ps_arn(0, 0),
            "CreatedDate": "2023-11-14T22:13:20Z",
            "SessionDuration": "PT1H"
        }})
    );
    assert_eq!(
        json(&files, &ps_file(0, 0, "inline-policy.json")),
        json!({"InlinePolicy": INLINE})
    );
    assert_eq!(
        json(&files, &ps_file(0, 1, "inline-policy.json")),
        json!({"InlinePolicy": ""})
    );
    assert_eq!(
        json(&files, &ps_file(0, 0, "managed-policies.json")),
        json!({"AttachedManagedPolicies": [{"Name": "AdministratorAccess", "Arn": ADMIN}]})
    );
    let users = json(&files, &file::identity_center_users(REGION, "ssoins-0000000000000000"));
    assert_eq!(
        users["Users"][0],
        json!({
            "IdentityStoreId": "d-0000000000",
            "UserId": user_id(0),
            "UserArn": format!("arn:aws:identitystore::{}:user/d-0000000000/{}", account(0), user_id(0)),
            "Revision": "1",
            "UserName": "user0",
            "DisplayName": "User 0",
            "Emails": [{"Value": "user0@example.org", "Primary": true}],
            "CreatedAt": "2023-11-14T22:13:20Z"
        })
    );
}

fn access_denied_on_list_instances() -> Rule {
    mock!(aws_sdk_ssoadmin::Client::list_instances).then_http_response(json_error(
        400,
        "AccessDeniedException",
        "User: arn:aws:iam::111122223333:user/auditor is not authorized to perform: sso:ListInstances",
    ))
}

/// A member account may not read the instance (moto lets anyone call `ListInstances`):
/// `identity-center/<region>/instances.json` is recorded as not collected with AWS's code
/// and message, no Identity Center file is written, and the rest of the collection goes on.
#[tokio::test]
async fn access_denied_on_list_instances_is_recorded_and_the_collection_goes_on() {
    let mocks = Mocks::new(RuleMode::MatchAny, ordinary_iam())
        .identity_center("us-east-1", vec![access_denied_on_list_instances()])
        .identity_center(
            "eu-west-1",
            Org {
                instances: 1,
                permission_sets: 1,
                accounts: 1,
                users: 1,
                groups: 1,
                members: 1,
                boundary: |_| Boundary::None,
            }
            .rules(),
        );
    let set = collect(&mocks.clients(), &options()).await.unwrap();
    let manifest = set.manifest.as_ref().unwrap();
    let denied = file::identity_center_instances("us-east-1");
    assert_eq!(
        manifest.not_collected.get(&denied).map(String::as_str),
        Some(
            "AccessDeniedException: User: arn:aws:iam::111122223333:user/auditor is not authorized to perform: sso:ListInstances"
        )
    );
    assert!(!set.files.keys().any(|k| k.starts_with("identity-center/us-east-1/")));
    // The other region, and the IAM data, were collected.
    assert!(set.files.contains_key(&file::identity_center_instances("eu-west-1")));
    assert!(set.files.contains_key(file::AUTHORIZATION_DETAILS));
    assert!(set.files.contains_key(file::CREDENTIAL_REPORT));
    for name in set.files.keys() {
        assert!(manifest.files.contains_key(name), "{name} is hashed");
    }
    let summary = hipaa_iam_core::account::collect::summary(&set, std::path::Path::new("out"));
    assert!(
        summary.contains("identity center: instances 1  permission sets 1  users 1  groups 1"),
        "{summary}"
    );
    assert!(
        summary.contains(&format!("not collected: {denied}: AccessDeniedException")),
        "{summary}"
    );
}

/// A failure inside an instance is recorded under that file's name; the instance's other
/// files are still made, and what depends on the failed listing is not asked for.
#[tokio::test]
async fn a_failure_inside_an_instance_is_recorded_under_its_file() {
    let org = Org {
        instances: 1,
        permission_sets: 2,
        accounts: 2,
        users: 2,
        groups: 2,
        members: 1,
        boundary: |_| Boundary::None,
    };
    let count = PerOperation::default();
    let mut rules = vec![
        mock!(aws_sdk_identitystore::Client::list_groups).then_http_response(json_error(
            400,
            "AccessDeniedException",
            "not authorized to perform: identitystore:ListGroups",
        )),
        mock!(aws_sdk_ssoadmin::Client::list_accounts_for_provisioned_permission_set)
            .match_requests(|input| input.permission_set_arn().is_some_and(|a| a.ends_with("01")))
            .then_http_response(json_error(400, "ThrottlingException", "Rate exceeded")),
    ];
    rules.extend(org.rules());
    let conf = sdk_config();
    let all = BTreeMap::from([(REGION.to_string(), clients(&conf, REGION, &rules, &count))]);
    let opts = IdentityCenterOptions::default();
    let files = collect_identity_center(&all, &opts).await.unwrap();
    let instance = "ssoins-0000000000000000";
    assert_eq!(
        files.not_collected.keys().cloned().collect::<Vec<_>>(),
        vec![
            file::identity_center_groups(REGION, instance),
            ps_file(0, 1, "accounts.json"),
        ]
    );
    assert!(files.not_collected[&ps_file(0, 1, "accounts.json")].starts_with("ThrottlingException: Rate exceeded"));
    assert!(files.files.contains_key(&file::identity_center_users(REGION, instance)));
    assert!(files.files.contains_key(&ps_file(0, 0, "accounts.json")));
    assert!(files.files.contains_key(&ps_file(0, 1, "permission-set.json")));
    let counts = count.counts();
    assert_eq!(counts.get("ListGroupMemberships"), None, "no groups known, none asked");
    // Throttling is retried (3 attempts), then recorded.
    assert_eq!(counts["ListAccountsForProvisionedPermissionSet"], 1 + 3);
    assert_eq!(
        counts["ListAccountAssignments"], 2,
        "only the readable permission set's accounts"
    );
}

/// A request that gets no answer at all (nothing listens at the endpoint) is an error naming
/// the operation, as for the other sources, not a file recorded as missing.
#[tokio::test]
async fn a_request_without_an_answer_is_an_error() {
    let conf = SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(Region::new(REGION))
        .credentials_provider(aws_sdk_ssoadmin::config::SharedCredentialsProvider::new(
            aws_sdk_ssoadmin::config::Credentials::new("AKIDTEST", "not-a-secret", None, None, "test"),
        ))
        .endpoint_url("http://127.0.0.1:9")
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(1))
        .build();
    let clients = IdentityCenterClients {
        sso_admin: aws_sdk_ssoadmin::Client::new(&conf),
        identity_store: aws_sdk_identitystore::Client::new(&conf),
    };
    let all = BTreeMap::from([(REGION.to_string(), clients)]);
    let e = collect_identity_center(&all, &IdentityCenterOptions::default())
        .await
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("AWS ListInstances failed: ConnectionFailed: "), "{e}");
}

/// The options are checked before any request.
#[tokio::test]
async fn options_out_of_range_are_an_error() {
    let count = PerOperation::default();
    let all = BTreeMap::from([(
        REGION.to_string(),
        clients(&sdk_config(), REGION, &[access_denied_on_list_instances()], &count),
    )]);
    let opts = IdentityCenterOptions {
        page_size: 500,
        ..IdentityCenterOptions::default()
    };
    let e = collect_identity_center(&all, &opts).await.unwrap_err().to_string();
    assert!(e.contains("page size: 500 is not between 1 and 100"), "{e}");
    assert!(count.counts().is_empty());
}

/// In an organization run each account's Identity Center clients retry in partitions of
/// their own, like its other clients; a single-account collection keeps the SDK's default.
#[test]
fn each_account_has_identity_center_retry_partitions_of_its_own() {
    use hipaa_iam_core::account::collect::Clients;
    let config = crate::common::mock_config();
    let name = |p: Option<&aws_sdk_ssoadmin::config::retry::RetryPartition>| p.map(ToString::to_string);
    let a = Clients::for_account(&config, &["us-east-1".into(), "eu-west-1".into()], "111111111111").unwrap();
    assert_eq!(
        a.identity_center.keys().collect::<Vec<_>>(),
        ["eu-west-1", "us-east-1"],
        "the audited regions"
    );
    let eu = &a.identity_center["eu-west-1"];
    assert_eq!(
        name(eu.sso_admin.config().retry_partition()).as_deref(),
        Some("hipaa-iam-111111111111-sso-admin-eu-west-1")
    );
    assert_eq!(
        name(eu.identity_store.config().retry_partition()).as_deref(),
        Some("hipaa-iam-111111111111-identitystore-eu-west-1")
    );
    assert_eq!(
        eu.sso_admin.config().region().map(ToString::to_string).as_deref(),
        Some("eu-west-1")
    );
    assert_eq!(eu.sso_admin.config().retry_config().unwrap().max_attempts(), 3);
    let single = IdentityCenterClients::for_regions(&config, &["us-east-1".into()], None).unwrap();
    assert!(!name(single["us-east-1"].sso_admin.config().retry_partition())
        .unwrap_or_default()
        .starts_with("hipaa-iam-"));
    let e = IdentityCenterClients::for_regions(&config, &["../x".into()], None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("is not an AWS region name"), "{e}");
}
