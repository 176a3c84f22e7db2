//! Collecting the organization's own data (built with the `aws` feature): the organization,
//! its roots, the tree of organizational units and accounts, and its service and resource
//! control policies with their contents and targets, rendered as the AWS CLI prints them
//! ([`super::OrgFiles`], [`super::org_file`]).
//!
//! Requests grow with the organizational units and the policies, never with the accounts:
//! `DescribeOrganization`; `ListRoots` (pages); per root and organizational unit,
//! `ListChildren` for organizational units and for accounts (pages); per policy type that is
//! enabled, `ListPolicies` (pages), and per policy `DescribePolicy` and
//! `ListTargetsForPolicy` (pages), at most [`CONCURRENT_POLICIES`] policies at a time.
//!
//! A call AWS answers with an error (AccessDenied: the run is not from the management account
//! or a delegated administrator; a policy type not enabled) is recorded in the manifest's
//! `not_collected` under the file it would have made, and what depends on it is not
//! attempted; a call that gets no answer at all (network, timeout) is an error of the run.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use aws_sdk_organizations::types::{self as org, ChildType, PolicyType};
use serde_json::{Map, Value};

use super::data::{org_file, policy_type, OrgFiles};
use super::{is_ou_id, is_policy_id, is_root_id};
use crate::aws::{Failure, Pager};
use crate::manifest::Manifest;
use crate::policy::CeilingKind;
use crate::Result;

/// How many policies are described at the same time.
pub const CONCURRENT_POLICIES: usize = 8;

/// Tunables of the organization data's collection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OrgCollectOptions {
    /// `MaxResults` of every listing (1 to 20; `None`: AWS's default). Smaller pages mean more
    /// requests; tests use it to make the service page.
    pub page_size: Option<i32>,
}

/// A JSON object under construction, keys in the API's member order, optional members left
/// out when absent (as the AWS CLI prints them).
#[derive(Default)]
struct Obj(Map<String, Value>);

impl Obj {
    fn put(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.0.insert(key.to_string(), value.into());
        self
    }

    fn opt<T: Into<Value>>(mut self, key: &str, value: Option<T>) -> Self {
        if let Some(v) = value {
            self.0.insert(key.to_string(), v.into());
        }
        self
    }

    fn build(self) -> Value {
        Value::Object(self.0)
    }
}

fn pretty(v: &Value) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(v).unwrap_or_default();
    out.push(b'\n');
    out
}

fn policy_types(types: &[org::PolicyTypeSummary]) -> Value {
    Value::Array(
        types
            .iter()
            .map(|t| {
                Obj::default()
                    .opt("Type", t.r#type().map(|x| x.as_str()))
                    .opt("Status", t.status().map(|x| x.as_str()))
                    .build()
            })
            .collect(),
    )
}

fn organization(o: &org::Organization) -> Value {
    Obj::default()
        .opt("Id", o.id())
        .opt("Arn", o.arn())
        .opt("FeatureSet", o.feature_set().map(|f| f.as_str()))
        .opt("MasterAccountArn", o.master_account_arn())
        .opt("MasterAccountId", o.master_account_id())
        .opt("MasterAccountEmail", o.master_account_email())
        .put("AvailablePolicyTypes", policy_types(o.available_policy_types()))
        .build()
}

fn root(r: &org::Root) -> Value {
    Obj::default()
        .opt("Id", r.id())
        .opt("Arn", r.arn())
        .opt("Name", r.name())
        .put("PolicyTypes", policy_types(r.policy_types()))
        .build()
}

fn child(c: &org::Child) -> Value {
    Obj::default()
        .opt("Id", c.id())
        .opt("Type", c.r#type().map(|t| t.as_str()))
        .build()
}

fn policy_summary(p: &org::PolicySummary) -> Value {
    Obj::default()
        .opt("Id", p.id())
        .opt("Arn", p.arn())
        .opt("Name", p.name())
        .opt("Description", p.description())
        .opt("Type", p.r#type().map(|t| t.as_str()))
        .put("AwsManaged", p.aws_managed())
        .build()
}

fn target(t: &org::PolicyTargetSummary) -> Value {
    Obj::default()
        .opt("TargetId", t.target_id())
        .opt("Arn", t.arn())
        .opt("Name", t.name())
        .opt("Type", t.r#type().map(|x| x.as_str()))
        .build()
}

/// Files and failures, as they come.
#[derive(Default)]
struct Found {
    files: BTreeMap<String, Vec<u8>>,
    not_collected: BTreeMap<String, String>,
}

impl Found {
    fn file(&mut self, name: String, v: &Value) {
        self.files.insert(name, pretty(v));
    }

    /// Records an answered failure under `name`; a failure without an answer is an error.
    fn failed(&mut self, name: String, f: Failure) -> Result<()> {
        if f.answered {
            self.not_collected.insert(name, f.reason());
            Ok(())
        } else {
            Err(f.into_error())
        }
    }
}

/// Collects the organization's data with `client` (the management account's or a delegated
/// administrator's credentials).
pub async fn collect_organization(
    client: &aws_sdk_organizations::Client,
    opts: &OrgCollectOptions,
) -> Result<OrgFiles> {
    let mut found = Found::default();
    let mut manifest = Manifest::new();
    manifest.source = Some("live".into());
    collect_into(client, opts, &mut found).await?;
    for (name, bytes) in &found.files {
        manifest.add_file(name, bytes);
    }
    manifest.not_collected = found.not_collected;
    Ok(OrgFiles {
        dir: None,
        files: found.files,
        manifest,
    })
}

async fn collect_into(
    client: &aws_sdk_organizations::Client,
    opts: &OrgCollectOptions,
    found: &mut Found,
) -> Result<()> {
    let not_attempted = |what: &str, why: &str| format!("not attempted: {what} ({why})");
    let described = match client.describe_organization().send().await {
        Ok(out) => out,
        Err(e) => {
            let f = Failure::of("DescribeOrganization", &e);
            let code = f.code.clone();
            found.failed(org_file::ORGANIZATION.into(), f)?;
            found.not_collected.insert(
                org_file::ROOTS.into(),
                not_attempted("DescribeOrganization failed", &code),
            );
            return Ok(());
        }
    };
    let Some(o) = described.organization() else {
        found.not_collected.insert(
            org_file::ORGANIZATION.into(),
            "InvalidResponse: DescribeOrganization returned no Organization".into(),
        );
        return Ok(());
    };
    found.file(
        org_file::ORGANIZATION.into(),
        &Obj::default().put("Organization", organization(o)).build(),
    );

    let mut roots = Vec::new();
    let mut pager = Pager::new("ListRoots", "NextToken");
    loop {
        match client
            .list_roots()
            .set_max_results(opts.page_size)
            .set_next_token(pager.token())
            .send()
            .await
        {
            Ok(page) => {
                roots.extend(page.roots().iter().cloned());
                if !pager.next(page.next_token())? {
                    break;
                }
            }
            Err(e) => {
                let f = Failure::of("ListRoots", &e);
                let code = f.code.clone();
                found.failed(org_file::ROOTS.into(), f)?;
                for kind in [CeilingKind::ServiceControl, CeilingKind::ResourceControl] {
                    found
                        .not_collected
                        .insert(org_file::listing(kind).into(), not_attempted("ListRoots failed", &code));
                }
                return Ok(());
            }
        }
    }
    found.file(
        org_file::ROOTS.into(),
        &Obj::default()
            .put("Roots", Value::Array(roots.iter().map(root).collect()))
            .build(),
    );

    // The tree: every root and organizational unit, breadth first.
    let mut queue: std::collections::VecDeque<String> =
        roots.iter().filter_map(|r| r.id().map(str::to_string)).collect();
    let mut seen = HashSet::new();
    while let Some(parent) = queue.pop_front() {
        // IDs become file names: only well-formed ones, each once.
        if !(is_root_id(&parent) || is_ou_id(&parent)) || !seen.insert(parent.clone()) {
            continue;
        }
        for (child_type, name) in [
            (ChildType::OrganizationalUnit, org_file::children_ous(&parent)),
            (ChildType::Account, org_file::children_accounts(&parent)),
        ] {
            match list_children(client, opts, &parent, child_type.clone()).await {
                Ok(children) => {
                    if child_type == ChildType::OrganizationalUnit {
                        queue.extend(children.iter().filter_map(|c| c.id().map(str::to_string)));
                    }
                    found.file(
                        name,
                        &Obj::default()
                            .put("Children", Value::Array(children.iter().map(child).collect()))
                            .build(),
                    );
                }
                Err(f) => found.failed(name, f)?,
            }
        }
    }

    // The policies of each type enabled at a root.
    for kind in [CeilingKind::ServiceControl, CeilingKind::ResourceControl] {
        let enabled = roots.iter().any(|r| {
            r.policy_types().iter().any(|t| {
                t.r#type().map(|x| x.as_str()) == Some(policy_type(kind))
                    && t.status().map(|s| s.as_str()) == Some("ENABLED")
            })
        });
        if !enabled {
            found.not_collected.insert(
                org_file::listing(kind).into(),
                format!(
                    "not attempted: {} is not enabled at the root ({})",
                    policy_type(kind),
                    org_file::ROOTS
                ),
            );
            continue;
        }
        collect_policies(client, opts, kind, found).await?;
    }
    Ok(())
}

async fn list_children(
    client: &aws_sdk_organizations::Client,
    opts: &OrgCollectOptions,
    parent: &str,
    child_type: ChildType,
) -> std::result::Result<Vec<org::Child>, Failure> {
    let mut out = Vec::new();
    let mut pager = Pager::new("ListChildren", "NextToken");
    loop {
        let page = client
            .list_children()
            .parent_id(parent)
            .child_type(child_type.clone())
            .set_max_results(opts.page_size)
            .set_next_token(pager.token())
            .send()
            .await
            .map_err(|e| Failure::of("ListChildren", &e))?;
        out.extend(page.children().iter().cloned());
        if !pager.next(page.next_token())? {
            return Ok(out);
        }
    }
}

/// `ListPolicies` of `kind`, then each policy's content and targets.
async fn collect_policies(
    client: &aws_sdk_organizations::Client,
    opts: &OrgCollectOptions,
    kind: CeilingKind,
    found: &mut Found,
) -> Result<()> {
    let filter = PolicyType::from(policy_type(kind));
    let mut policies = Vec::new();
    let mut pager = Pager::new("ListPolicies", "NextToken");
    loop {
        match client
            .list_policies()
            .filter(filter.clone())
            .set_max_results(opts.page_size)
            .set_next_token(pager.token())
            .send()
            .await
        {
            Ok(page) => {
                policies.extend(page.policies().iter().cloned());
                if !pager.next(page.next_token())? {
                    break;
                }
            }
            Err(e) => return found.failed(org_file::listing(kind).into(), Failure::of("ListPolicies", &e)),
        }
    }
    found.file(
        org_file::listing(kind).into(),
        &Obj::default()
            .put("Policies", Value::Array(policies.iter().map(policy_summary).collect()))
            .build(),
    );

    let semaphore = Arc::new(tokio::sync::Semaphore::new(CONCURRENT_POLICIES));
    let mut tasks = tokio::task::JoinSet::new();
    let ids: Vec<String> = policies
        .iter()
        .filter_map(|p| p.id().map(str::to_string))
        .filter(|id| is_policy_id(id))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    for id in ids {
        let (client, semaphore, opts) = (client.clone(), semaphore.clone(), *opts);
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            let described = client
                .describe_policy()
                .policy_id(&id)
                .send()
                .await
                .map_err(|e| Failure::of("DescribePolicy", &e));
            let targets = list_targets(&client, &opts, &id).await;
            (id, described, targets)
        });
    }
    while let Some(joined) = tasks.join_next().await {
        let (id, described, targets) = joined.map_err(|e| {
            Failure::new(
                "DescribePolicy",
                "InternalError",
                format!("the collection task of a policy failed: {e}"),
            )
        })?;
        match described {
            Ok(out) => {
                let policy = out.policy().map(|p| {
                    Obj::default()
                        .opt("PolicySummary", p.policy_summary().map(policy_summary))
                        .opt("Content", p.content())
                        .build()
                });
                match policy {
                    Some(p) => found.file(org_file::policy(&id), &Obj::default().put("Policy", p).build()),
                    None => {
                        found.not_collected.insert(
                            org_file::policy(&id),
                            "InvalidResponse: DescribePolicy returned no Policy".into(),
                        );
                    }
                }
            }
            Err(f) => found.failed(org_file::policy(&id), f)?,
        }
        match targets {
            Ok(list) => found.file(
                org_file::targets(&id),
                &Obj::default()
                    .put("Targets", Value::Array(list.iter().map(target).collect()))
                    .build(),
            ),
            Err(f) => found.failed(org_file::targets(&id), f)?,
        }
    }
    Ok(())
}

async fn list_targets(
    client: &aws_sdk_organizations::Client,
    opts: &OrgCollectOptions,
    id: &str,
) -> std::result::Result<Vec<org::PolicyTargetSummary>, Failure> {
    let mut out = Vec::new();
    let mut pager = Pager::new("ListTargetsForPolicy", "NextToken");
    loop {
        let page = client
            .list_targets_for_policy()
            .policy_id(id)
            .set_max_results(opts.page_size)
            .set_next_token(pager.token())
            .send()
            .await
            .map_err(|e| Failure::of("ListTargetsForPolicy", &e))?;
        out.extend(page.targets().iter().cloned());
        if !pager.next(page.next_token())? {
            return Ok(out);
        }
    }
}
