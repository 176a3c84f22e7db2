//! IAM Identity Center: the instances of each region, their permission sets (description,
//! managed and customer-managed policies, inline policy, permissions boundary, the accounts
//! each is provisioned to and the assignments in each), and the identity store's users,
//! groups and group memberships; written as the AWS CLI prints each call, in the files of
//! `identity-center/` ([`file::IDENTITY_CENTER_DIR`]).
//!
//! The number of requests grows with permission sets, provisioned accounts and groups, never
//! with users x accounts. Per region, with `P` the page size (100, the services' largest),
//! every listing at least one page:
//!
//! ```text
//! 1 ListInstances (pages)
//! per instance:
//!     ListPermissionSets pages
//!     per permission set: DescribePermissionSet + GetInlinePolicyForPermissionSet
//!         + GetPermissionsBoundaryForPermissionSet (1 each)
//!         + ListManagedPoliciesInPermissionSet, ListCustomerManagedPolicyReferencesInPermissionSet,
//!           ListAccountsForProvisionedPermissionSet pages
//!         + per provisioned account: ListAccountAssignments pages
//!     ListUsers pages + ListGroups pages + per group: ListGroupMemberships pages
//! ```
//!
//! so 50 permission sets provisioned to 20 accounts each, with short lists, cost
//! `1 + 1 + 50 x (6 + 20) + users/P + groups/P + groups` requests. Regions run concurrently;
//! within an instance at most [`IdentityCenterOptions::concurrency`] requests are in flight
//! (8 by default), so a large instance finishes quickly without setting off throttling.
//!
//! An error AWS answers (AccessDenied on `ListInstances` in a member account, a call the
//! endpoint does not implement, ...) is recorded under the name of the file it would have
//! made, and the collection goes on; a request that got no answer at all is an error, as for
//! the other sources. `GetPermissionsBoundaryForPermissionSet` answering
//! `ResourceNotFoundException` means the permission set has no boundary: no file, nothing
//! recorded.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;

use aws_config::SdkConfig;
use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::cli_json::{self, Obj};
use crate::account::file::{self, permission_set as ps_file};
use crate::aws::{self, Failure, Pager};
use crate::{Error, Result};

/// The clients that read one region's Identity Center data.
#[derive(Debug, Clone)]
pub struct IdentityCenterClients {
    /// IAM Identity Center administration (`sso-admin`).
    pub sso_admin: aws_sdk_ssoadmin::Client,
    /// The identity store of the instance (`identitystore`).
    pub identity_store: aws_sdk_identitystore::Client,
}

impl IdentityCenterClients {
    /// The clients of `region` from `config`. They retry at most 3 times, as Access
    /// Analyzer's do: the source is optional, and a call that still fails is recorded (the
    /// concurrency bound and the SDK's adaptive rate limiting keep throttling rare). With
    /// `account` (an organization run), they get retry partitions of their own named after
    /// it, like the account's other clients.
    pub fn new(config: &SdkConfig, region: &str, account: Option<&str>) -> IdentityCenterClients {
        use aws_sdk_ssoadmin::config::retry::RetryPartition;
        let partition =
            |service: &str| account.map(|a| RetryPartition::new(format!("hipaa-iam-{a}-{service}-{region}")));
        let mut sso = aws::sso_admin(config)
            .region(aws_sdk_ssoadmin::config::Region::new(region.to_string()))
            .retry_config(aws::retry_config().with_max_attempts(3));
        sso.set_retry_partition(partition("sso-admin"));
        let mut store = aws::identity_store(config)
            .region(aws_sdk_identitystore::config::Region::new(region.to_string()))
            .retry_config(aws::retry_config().with_max_attempts(3));
        store.set_retry_partition(partition("identitystore"));
        IdentityCenterClients {
            sso_admin: aws_sdk_ssoadmin::Client::from_conf(sso.build()),
            identity_store: aws_sdk_identitystore::Client::from_conf(store.build()),
        }
    }

    /// [`IdentityCenterClients::new`] for each of `regions` (checked with
    /// [`aws::check_region`]): what [`collect_identity_center`] takes, e.g. for the account
    /// an organization run starts from.
    pub fn for_regions(
        config: &SdkConfig,
        regions: &[String],
        account: Option<&str>,
    ) -> Result<BTreeMap<String, IdentityCenterClients>> {
        aws::check_regions(crate::error::Field::Regions, regions)?;
        Ok(regions
            .iter()
            .map(|r| (r.clone(), IdentityCenterClients::new(config, r, account)))
            .collect())
    }
}

/// How the Identity Center data is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityCenterOptions {
    /// The most requests in flight at once for one instance (at least 1).
    pub concurrency: usize,
    /// `MaxResults` of every listing (1 to 100).
    pub page_size: i32,
}

impl Default for IdentityCenterOptions {
    /// 8 requests in flight per instance, pages of 100 (the largest the services allow).
    fn default() -> Self {
        IdentityCenterOptions {
            concurrency: 8,
            page_size: 100,
        }
    }
}

impl IdentityCenterOptions {
    fn validate(&self) -> Result<()> {
        if self.concurrency == 0 {
            return Err(Error::InvalidArgument(
                "Identity Center concurrency: must be at least 1".into(),
            ));
        }
        if !(1..=100).contains(&self.page_size) {
            return Err(Error::InvalidArgument(format!(
                "Identity Center page size: {} is not between 1 and 100",
                self.page_size
            )));
        }
        Ok(())
    }
}

/// What an Identity Center collection produced: the files by relative path in the exports
/// directory (as in [`file`]), and why each file that could not be made was not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdentityCenterFiles {
    /// File contents (the AWS CLI's JSON) by relative path.
    pub files: BTreeMap<String, Vec<u8>>,
    /// `<code>: <message>` by the relative path of the file that was not made.
    pub not_collected: BTreeMap<String, String>,
}

impl IdentityCenterFiles {
    fn put(&mut self, name: String, value: &Value) {
        self.files.insert(name, cli_json::pretty(value));
    }

    fn failed(&mut self, name: String, failure: &Failure) {
        self.not_collected.insert(name, failure.reason());
    }

    fn merge(&mut self, other: IdentityCenterFiles) {
        self.files.extend(other.files);
        self.not_collected.extend(other.not_collected);
    }
}

/// Collects the Identity Center data of every region of `clients`, concurrently.
pub async fn collect_identity_center(
    clients: &BTreeMap<String, IdentityCenterClients>,
    opts: &IdentityCenterOptions,
) -> Result<IdentityCenterFiles> {
    opts.validate()?;
    let mut tasks = JoinSet::new();
    for (region, c) in clients {
        tasks.spawn(collect_region(c.clone(), region.clone(), opts.clone()));
    }
    let mut out = IdentityCenterFiles::default();
    while let Some(joined) = tasks.join_next().await {
        out.merge(joined.map_err(|e| task_failed("ListInstances", &e))??);
    }
    Ok(out)
}

fn task_failed(operation: &str, e: &tokio::task::JoinError) -> Error {
    Failure::new(
        operation,
        "InternalError",
        format!("an Identity Center collection task failed: {e}"),
    )
    .into_error()
}

/// What one call (or listing) came to: AWS's answer, or the error AWS answered with.
enum Answer<T> {
    Got(T),
    Failed(Failure),
}

/// One call, while holding a permit of `limit`. An answered failure is an
/// [`Answer::Failed`], a request without an answer an error.
async fn one<T, Fut>(limit: &Semaphore, call: Fut) -> Result<Answer<T>>
where
    Fut: Future<Output = std::result::Result<T, Failure>>,
{
    let result = {
        // The semaphore is never closed; should it be, the call goes ahead without a permit.
        let _permit = limit.acquire().await.ok();
        call.await
    };
    match result {
        Ok(v) => Ok(Answer::Got(v)),
        Err(f) if f.answered => Ok(Answer::Failed(f)),
        Err(f) => Err(f.into_error()),
    }
}

/// Every page of a `NextToken` listing, each request holding a permit of `limit`: `page`
/// asks for the page after the token it is given and returns its items and next token. A
/// token returned twice is an error (see [`Pager`]).
async fn pages<T, F, Fut>(limit: &Semaphore, operation: &'static str, mut page: F) -> Result<Answer<Vec<T>>>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = std::result::Result<(Vec<T>, Option<String>), Failure>>,
{
    let mut items = Vec::new();
    let mut pager = Pager::new(operation, "NextToken");
    loop {
        match one(limit, page(pager.token())).await? {
            Answer::Got((mut got, next)) => {
                items.append(&mut got);
                if !pager.next(next.as_deref())? {
                    return Ok(Answer::Got(items));
                }
            }
            Answer::Failed(f) => return Ok(Answer::Failed(f)),
        }
    }
}

/// The IDs of `arns` (see [`file::arn_id`]) with their ARNs, in order; an ARN without a
/// usable ID, or two ARNs with one ID, is an `InvalidResponse` failure of `operation`.
fn ids_of(operation: &str, what: &str, arns: &[String]) -> std::result::Result<Vec<(String, String)>, Failure> {
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    let mut out = Vec::new();
    for arn in arns {
        let Some(id) = file::arn_id(arn) else {
            return Err(Failure::new(
                operation,
                "InvalidResponse",
                format!("the {what} ARN `{}` does not end in an ID", arn.escape_debug()),
            ));
        };
        match seen.insert(id, arn) {
            None => out.push((arn.clone(), id.to_string())),
            Some(other) if other == arn => {}
            Some(other) => {
                return Err(Failure::new(
                    operation,
                    "InvalidResponse",
                    format!(
                        "the {what} ARNs `{}` and `{}` end in the same ID",
                        other.escape_debug(),
                        arn.escape_debug()
                    ),
                ))
            }
        }
    }
    Ok(out)
}

/// The distinct IDs of `ids` (account or group IDs), in order; one that cannot name a file
/// ([`file::is_path_segment`]) is an `InvalidResponse` failure of `operation`.
fn plain_ids<'a>(
    operation: &str,
    what: &str,
    ids: impl IntoIterator<Item = &'a str>,
) -> std::result::Result<Vec<String>, Failure> {
    let mut out: Vec<String> = Vec::new();
    for id in ids {
        if !file::is_path_segment(id) {
            return Err(Failure::new(
                operation,
                "InvalidResponse",
                format!("the {what} ID `{}` is not one", id.escape_debug()),
            ));
        }
        if !out.iter().any(|o| o == id) {
            out.push(id.to_string());
        }
    }
    Ok(out)
}

/// One region: `ListInstances`, then each instance.
async fn collect_region(
    clients: IdentityCenterClients,
    region: String,
    opts: IdentityCenterOptions,
) -> Result<IdentityCenterFiles> {
    let mut out = IdentityCenterFiles::default();
    let name = file::identity_center_instances(&region);
    let limit = Semaphore::new(opts.concurrency);
    let listed = pages(&limit, "ListInstances", |token| {
        let send = clients
            .sso_admin
            .list_instances()
            .max_results(opts.page_size)
            .set_next_token(token)
            .send();
        async move {
            let o = send.await.map_err(|e| Failure::of("ListInstances", &e))?;
            Ok((o.instances().to_vec(), o.next_token().map(str::to_string)))
        }
    })
    .await?;
    let instances = match listed {
        Answer::Got(instances) => instances,
        Answer::Failed(f) => {
            out.failed(name, &f);
            return Ok(out);
        }
    };
    let arns: Vec<String> = instances
        .iter()
        .map(|i| i.instance_arn().unwrap_or_default().to_string())
        .collect();
    let ids = match ids_of("ListInstances", "instance", &arns) {
        Ok(ids) => ids,
        Err(f) => {
            out.failed(name, &f);
            return Ok(out);
        }
    };
    let listing = Obj::new()
        .put(
            "Instances",
            instances.iter().map(cli_json::sso_instance).collect::<Vec<_>>(),
        )
        .build();
    out.put(name, &listing);

    let mut tasks = JoinSet::new();
    for (arn, id) in ids {
        let store = instances
            .iter()
            .find(|i| i.instance_arn() == Some(arn.as_str()))
            .and_then(|i| i.identity_store_id())
            .map(str::to_string);
        let instance = Arc::new(Instance {
            sso: clients.sso_admin.clone(),
            store: clients.identity_store.clone(),
            region: region.clone(),
            arn,
            id,
            store_id: store,
            limit: Semaphore::new(opts.concurrency),
            page_size: opts.page_size,
        });
        tasks.spawn(permission_sets(instance.clone()));
        tasks.spawn(identity_store(instance));
    }
    while let Some(joined) = tasks.join_next().await {
        out.merge(joined.map_err(|e| task_failed("ListPermissionSets", &e))??);
    }
    Ok(out)
}

/// One instance and what its tasks share: the clients, and the bound on requests in flight.
#[derive(Debug)]
struct Instance {
    sso: aws_sdk_ssoadmin::Client,
    store: aws_sdk_identitystore::Client,
    region: String,
    /// The instance ARN.
    arn: String,
    /// Its last segment (`ssoins-...`).
    id: String,
    store_id: Option<String>,
    limit: Semaphore,
    page_size: i32,
}

impl Instance {
    fn ps_file(&self, ps: &str, leaf: &str) -> String {
        file::identity_center_permission_set(&self.region, &self.id, ps, leaf)
    }
}

/// `ListPermissionSets`, then every permission set concurrently.
async fn permission_sets(i: Arc<Instance>) -> Result<IdentityCenterFiles> {
    const OP: &str = "ListPermissionSets";
    let mut out = IdentityCenterFiles::default();
    let name = file::identity_center_permission_sets(&i.region, &i.id);
    let listed = pages(&i.limit, OP, |token| {
        let send = i
            .sso
            .list_permission_sets()
            .instance_arn(&i.arn)
            .max_results(i.page_size)
            .set_next_token(token)
            .send();
        async move {
            let o = send.await.map_err(|e| Failure::of(OP, &e))?;
            Ok((o.permission_sets().to_vec(), o.next_token().map(str::to_string)))
        }
    })
    .await?;
    let arns = match listed {
        Answer::Got(arns) => arns,
        Answer::Failed(f) => {
            out.failed(name, &f);
            return Ok(out);
        }
    };
    let ids = match ids_of(OP, "permission set", &arns) {
        Ok(ids) => ids,
        Err(f) => {
            out.failed(name, &f);
            return Ok(out);
        }
    };
    out.put(name, &Obj::new().put("PermissionSets", arns).build());
    let mut tasks = JoinSet::new();
    for (arn, id) in ids {
        tasks.spawn(permission_set(i.clone(), arn, id));
    }
    while let Some(joined) = tasks.join_next().await {
        out.merge(joined.map_err(|e| task_failed("DescribePermissionSet", &e))??);
    }
    Ok(out)
}

/// Records `answer` under `name`, rendered with `render`.
fn record<T>(out: &mut IdentityCenterFiles, name: String, answer: Answer<T>, render: impl FnOnce(T) -> Value) {
    match answer {
        Answer::Got(v) => out.put(name, &render(v)),
        Answer::Failed(f) => out.failed(name, &f),
    }
}

/// One permission set's six calls, concurrently, then its assignments in each account it
/// is provisioned to.
async fn permission_set(i: Arc<Instance>, arn: String, ps: String) -> Result<IdentityCenterFiles> {
    let mut out = IdentityCenterFiles::default();
    let describe = one(&i.limit, async {
        let o = i
            .sso
            .describe_permission_set()
            .instance_arn(&i.arn)
            .permission_set_arn(&arn)
            .send()
            .await
            .map_err(|e| Failure::of("DescribePermissionSet", &e))?;
        Ok(Obj::new()
            .opt("PermissionSet", o.permission_set().map(cli_json::permission_set))
            .build())
    });
    let managed = pages(&i.limit, "ListManagedPoliciesInPermissionSet", |token| {
        let send = i
            .sso
            .list_managed_policies_in_permission_set()
            .instance_arn(&i.arn)
            .permission_set_arn(&arn)
            .max_results(i.page_size)
            .set_next_token(token)
            .send();
        async move {
            let o = send
                .await
                .map_err(|e| Failure::of("ListManagedPoliciesInPermissionSet", &e))?;
            let items = o
                .attached_managed_policies()
                .iter()
                .map(cli_json::attached_managed_policy)
                .collect();
            Ok((items, o.next_token().map(str::to_string)))
        }
    });
    let customer = pages(
        &i.limit,
        "ListCustomerManagedPolicyReferencesInPermissionSet",
        |token| {
            let send = i
                .sso
                .list_customer_managed_policy_references_in_permission_set()
                .instance_arn(&i.arn)
                .permission_set_arn(&arn)
                .max_results(i.page_size)
                .set_next_token(token)
                .send();
            async move {
                let o = send
                    .await
                    .map_err(|e| Failure::of("ListCustomerManagedPolicyReferencesInPermissionSet", &e))?;
                let items = o
                    .customer_managed_policy_references()
                    .iter()
                    .map(cli_json::customer_managed_policy_reference)
                    .collect();
                Ok((items, o.next_token().map(str::to_string)))
            }
        },
    );
    let inline = one(&i.limit, async {
        let o = i
            .sso
            .get_inline_policy_for_permission_set()
            .instance_arn(&i.arn)
            .permission_set_arn(&arn)
            .send()
            .await
            .map_err(|e| Failure::of("GetInlinePolicyForPermissionSet", &e))?;
        Ok(Obj::new().opt("InlinePolicy", o.inline_policy()).build())
    });
    let boundary = one(&i.limit, async {
        let o = i
            .sso
            .get_permissions_boundary_for_permission_set()
            .instance_arn(&i.arn)
            .permission_set_arn(&arn)
            .send()
            .await
            .map_err(|e| Failure::of("GetPermissionsBoundaryForPermissionSet", &e))?;
        Ok(Obj::new()
            .opt(
                "PermissionsBoundary",
                o.permissions_boundary().map(cli_json::permissions_boundary),
            )
            .build())
    });
    let accounts = pages(&i.limit, "ListAccountsForProvisionedPermissionSet", |token| {
        let send = i
            .sso
            .list_accounts_for_provisioned_permission_set()
            .instance_arn(&i.arn)
            .permission_set_arn(&arn)
            .max_results(i.page_size)
            .set_next_token(token)
            .send();
        async move {
            let o = send
                .await
                .map_err(|e| Failure::of("ListAccountsForProvisionedPermissionSet", &e))?;
            Ok((o.account_ids().to_vec(), o.next_token().map(str::to_string)))
        }
    });
    let (describe, managed, customer, inline, boundary, accounts) =
        tokio::join!(describe, managed, customer, inline, boundary, accounts);

    record(&mut out, i.ps_file(&ps, ps_file::DESCRIPTION), describe?, |v| v);
    record(&mut out, i.ps_file(&ps, ps_file::MANAGED_POLICIES), managed?, |xs| {
        Obj::new().put("AttachedManagedPolicies", xs).build()
    });
    record(
        &mut out,
        i.ps_file(&ps, ps_file::CUSTOMER_MANAGED_POLICIES),
        customer?,
        |xs| Obj::new().put("CustomerManagedPolicyReferences", xs).build(),
    );
    record(&mut out, i.ps_file(&ps, ps_file::INLINE_POLICY), inline?, |v| v);
    match boundary? {
        // No boundary: no file, as the AWS CLI makes none.
        Answer::Failed(f) if f.is("ResourceNotFoundException") => {}
        other => record(&mut out, i.ps_file(&ps, ps_file::PERMISSIONS_BOUNDARY), other, |v| v),
    }

    let name = i.ps_file(&ps, ps_file::ACCOUNTS);
    let accounts = match accounts? {
        Answer::Got(accounts) => accounts,
        Answer::Failed(f) => {
            out.failed(name, &f);
            return Ok(out);
        }
    };
    let ids = match plain_ids(
        "ListAccountsForProvisionedPermissionSet",
        "account",
        accounts.iter().map(String::as_str),
    ) {
        Ok(ids) => ids,
        Err(f) => {
            out.failed(name, &f);
            return Ok(out);
        }
    };
    out.put(name, &Obj::new().put("AccountIds", accounts).build());

    let arn = Arc::new(arn);
    let mut tasks = JoinSet::new();
    for account in ids {
        tasks.spawn(assignments(i.clone(), arn.clone(), ps.clone(), account));
    }
    while let Some(joined) = tasks.join_next().await {
        out.merge(joined.map_err(|e| task_failed("ListAccountAssignments", &e))??);
    }
    Ok(out)
}

/// `ListAccountAssignments` of one permission set in one account.
async fn assignments(i: Arc<Instance>, arn: Arc<String>, ps: String, account: String) -> Result<IdentityCenterFiles> {
    const OP: &str = "ListAccountAssignments";
    let mut out = IdentityCenterFiles::default();
    let listed = pages(&i.limit, OP, |token| {
        let send = i
            .sso
            .list_account_assignments()
            .instance_arn(&i.arn)
            .account_id(&account)
            .permission_set_arn(arn.as_str())
            .max_results(i.page_size)
            .set_next_token(token)
            .send();
        async move {
            let o = send.await.map_err(|e| Failure::of(OP, &e))?;
            let items = o
                .account_assignments()
                .iter()
                .map(cli_json::account_assignment)
                .collect();
            Ok((items, o.next_token().map(str::to_string)))
        }
    })
    .await?;
    let name = file::identity_center_assignments(&i.region, &i.id, &ps, &account);
    record(&mut out, name, listed, |xs| {
        Obj::new().put("AccountAssignments", xs).build()
    });
    Ok(out)
}

/// The identity store: `ListUsers` and `ListGroups` concurrently, then every group's
/// memberships.
async fn identity_store(i: Arc<Instance>) -> Result<IdentityCenterFiles> {
    let mut out = IdentityCenterFiles::default();
    let users_file = file::identity_center_users(&i.region, &i.id);
    let groups_file = file::identity_center_groups(&i.region, &i.id);
    let Some(store) = i.store_id.clone() else {
        let f = Failure::new(
            "ListInstances",
            "InvalidResponse",
            format!("the instance {} has no IdentityStoreId", i.arn.escape_debug()),
        );
        out.failed(users_file, &f);
        out.failed(groups_file, &f);
        return Ok(out);
    };
    let users = pages(&i.limit, "ListUsers", |token| {
        let send = i
            .store
            .list_users()
            .identity_store_id(&store)
            .max_results(i.page_size)
            .set_next_token(token)
            .send();
        async move {
            let o = send.await.map_err(|e| Failure::of("ListUsers", &e))?;
            let items = o.users().iter().map(cli_json::identity_store_user).collect();
            Ok((items, o.next_token().map(str::to_string)))
        }
    });
    let groups = pages(&i.limit, "ListGroups", |token| {
        let send = i
            .store
            .list_groups()
            .identity_store_id(&store)
            .max_results(i.page_size)
            .set_next_token(token)
            .send();
        async move {
            let o = send.await.map_err(|e| Failure::of("ListGroups", &e))?;
            let ids: Vec<String> = o.groups().iter().map(|g| g.group_id().to_string()).collect();
            let items: Vec<(String, Value)> = ids
                .into_iter()
                .zip(o.groups().iter().map(cli_json::identity_store_group))
                .collect();
            Ok((items, o.next_token().map(str::to_string)))
        }
    });
    let (users, groups) = tokio::join!(users, groups);
    record(&mut out, users_file, users?, |xs| Obj::new().put("Users", xs).build());
    let groups = match groups? {
        Answer::Got(groups) => groups,
        Answer::Failed(f) => {
            out.failed(groups_file, &f);
            return Ok(out);
        }
    };
    let ids = match plain_ids("ListGroups", "group", groups.iter().map(|(id, _)| id.as_str())) {
        Ok(ids) => ids,
        Err(f) => {
            out.failed(groups_file, &f);
            return Ok(out);
        }
    };
    let listing = Obj::new()
        .put("Groups", groups.into_iter().map(|(_, g)| g).collect::<Vec<_>>())
        .build();
    out.put(groups_file, &listing);

    let store = Arc::new(store);
    let mut tasks = JoinSet::new();
    for group in ids {
        tasks.spawn(memberships(i.clone(), store.clone(), group));
    }
    while let Some(joined) = tasks.join_next().await {
        out.merge(joined.map_err(|e| task_failed("ListGroupMemberships", &e))??);
    }
    Ok(out)
}

/// `ListGroupMemberships` of one group.
async fn memberships(i: Arc<Instance>, store: Arc<String>, group: String) -> Result<IdentityCenterFiles> {
    const OP: &str = "ListGroupMemberships";
    let mut out = IdentityCenterFiles::default();
    let listed = pages(&i.limit, OP, |token| {
        let send = i
            .store
            .list_group_memberships()
            .identity_store_id(store.as_str())
            .group_id(&group)
            .max_results(i.page_size)
            .set_next_token(token)
            .send();
        async move {
            let o = send.await.map_err(|e| Failure::of(OP, &e))?;
            let items = o.group_memberships().iter().map(cli_json::group_membership).collect();
            Ok((items, o.next_token().map(str::to_string)))
        }
    })
    .await?;
    let name = file::identity_center_group_memberships(&i.region, &i.id, &group);
    record(&mut out, name, listed, |xs| {
        Obj::new().put("GroupMemberships", xs).build()
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn ids_name_files_only_when_they_are_plain() {
        let ok = ids_of(
            "ListPermissionSets",
            "permission set",
            &[
                "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-0123456789abcdef".into(),
                "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-0123456789abcdef".into(),
            ],
        )
        .unwrap();
        assert_eq!(ok.len(), 1, "the same ARN twice is one permission set");
        assert_eq!(ok[0].1, "ps-0123456789abcdef");
        for bad in [
            "arn:aws:sso:::instance/..",
            "arn:aws:sso:::instance/",
            "no-slash",
            "arn:x/a\u{1b}b",
        ] {
            let f = ids_of("ListInstances", "instance", &[bad.to_string()]).unwrap_err();
            assert_eq!(
                (f.operation.as_str(), f.code.as_str()),
                ("ListInstances", "InvalidResponse"),
                "{bad:?}"
            );
            assert!(!f.message.contains('\u{1b}'), "{f:?}");
        }
        let f = ids_of(
            "ListPermissionSets",
            "permission set",
            &["arn:a/x/ps-1".into(), "arn:b/y/ps-1".into()],
        )
        .unwrap_err();
        assert!(f.message.contains("end in the same ID"), "{f:?}");
        assert_eq!(
            plain_ids("ListGroups", "group", ["g-1", "g-2", "g-1"]).unwrap(),
            ["g-1", "g-2"]
        );
        assert!(plain_ids("ListGroups", "group", ["../../etc"]).is_err());
        assert!(plain_ids("ListAccountsForProvisionedPermissionSet", "account", [""]).is_err());
    }

    #[test]
    fn options_out_of_range_are_refused() {
        assert!(IdentityCenterOptions::default().validate().is_ok());
        for bad in [
            IdentityCenterOptions {
                concurrency: 0,
                page_size: 100,
            },
            IdentityCenterOptions {
                concurrency: 8,
                page_size: 0,
            },
            IdentityCenterOptions {
                concurrency: 8,
                page_size: 101,
            },
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
    }
}
