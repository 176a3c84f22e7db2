//! The Identity Center collector against moto, in pages of one item: every listing moto
//! pages (`ListPermissionSets`, `ListManagedPoliciesInPermissionSet`,
//! `ListCustomerManagedPolicyReferencesInPermissionSet`, `ListAccountAssignments`,
//! `ListUsers`, `ListGroups`, `ListGroupMemberships`; see moto's `ssoadmin/utils.py` and
//! `identitystore/models.py`) is asked page by page and merged into what the AWS CLI prints
//! for the same call. moto pages neither `ListInstances` nor
//! `ListAccountsForProvisionedPermissionSet`: identity_center_mocks.rs pages those.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use hipaa_iam_core::account::collect::{collect_identity_center, IdentityCenterClients, IdentityCenterOptions};
use hipaa_iam_core::account::file;
use hipaa_iam_tests::identity_center::{assert_same_json, in_parallel, Instance};
use hipaa_iam_tests::{moto, Moto, MOTO_ACCOUNT_ID};
use serde_json::Value;

/// The requests each operation received.
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

/// The collector's own clients ([`hipaa_iam_core::aws`]'s builders) for moto, counted.
fn clients(m: &Moto, count: &PerOperation) -> IdentityCenterClients {
    let conf = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(aws_sdk_ssoadmin::config::SharedCredentialsProvider::new(
            aws_sdk_ssoadmin::config::Credentials::new("testing", "testing", None, None, "moto"),
        ))
        .endpoint_url(&m.endpoint)
        .retry_config(hipaa_iam_core::aws::retry_config())
        .build();
    let retry = hipaa_iam_core::aws::retry_config().with_max_attempts(3);
    IdentityCenterClients {
        sso_admin: aws_sdk_ssoadmin::Client::from_conf(
            hipaa_iam_core::aws::sso_admin(&conf)
                .retry_config(retry.clone())
                .interceptor(count.clone())
                .build(),
        ),
        identity_store: aws_sdk_identitystore::Client::from_conf(
            hipaa_iam_core::aws::identity_store(&conf)
                .retry_config(retry)
                .interceptor(count.clone())
                .build(),
        ),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_listing_moto_pages_is_read_page_by_page_and_merged() {
    let m = moto();
    let i = Instance::of(&m);
    // Two of everything a listing returns.
    let mut made = in_parallel::<Vec<String>>(vec![
        Box::new(|| {
            let ps = i.permission_set(&m, "Paged", "PT1H", None);
            in_parallel::<()>(vec![
                Box::new(|| {
                    for policy in ["ReadOnlyAccess", "SecurityAudit"] {
                        let arn = format!("arn:aws:iam::aws:policy/{policy}");
                        i.on_permission_set(
                            &m,
                            "attach-managed-policy-to-permission-set",
                            &ps,
                            &["--managed-policy-arn", &arn],
                        );
                    }
                }),
                Box::new(|| {
                    for name in ["phi-read", "phi-write"] {
                        let reference = format!("Name={name},Path=/clinical/");
                        i.on_permission_set(
                            &m,
                            "attach-customer-managed-policy-reference-to-permission-set",
                            &ps,
                            &["--customer-managed-policy-reference", &reference],
                        );
                    }
                }),
                Box::new(|| i.provision(&m, &ps)),
            ]);
            vec![ps]
        }),
        Box::new(|| vec![i.permission_set(&m, "Other", "PT12H", None)]),
        Box::new(|| vec![i.user(&m, "alice", None), i.user(&m, "bob", None)]),
        Box::new(|| vec![i.group(&m, "clinicians"), i.group(&m, "admins")]),
    ]);
    let groups = made.pop().unwrap();
    let users = made.pop().unwrap();
    made.pop();
    let ps = made.pop().unwrap().remove(0);
    in_parallel::<()>(vec![
        Box::new(|| i.member(&m, &groups[0], &users[0])),
        Box::new(|| i.member(&m, &groups[0], &users[1])),
        Box::new(|| i.assign(&m, &ps, "USER", &users[0])),
        Box::new(|| i.assign(&m, &ps, "GROUP", &groups[0])),
    ]);

    let count = PerOperation::default();
    let all = BTreeMap::from([("us-east-1".to_string(), clients(&m, &count))]);
    let opts = IdentityCenterOptions {
        page_size: 1,
        ..IdentityCenterOptions::default()
    };
    let files = collect_identity_center(&all, &opts).await.unwrap();

    // Every listing of two took two pages (and the single-item ones one).
    let counts = count.0.lock().unwrap().clone();
    for (operation, pages) in [
        ("ListPermissionSets", 2),
        ("ListManagedPoliciesInPermissionSet", 2 + 1),
        ("ListCustomerManagedPolicyReferencesInPermissionSet", 2 + 1),
        ("ListAccountAssignments", 2),
        ("ListUsers", 2),
        ("ListGroups", 2),
        ("ListGroupMemberships", 2 + 1),
    ] {
        assert_eq!(counts.get(operation), Some(&pages), "{operation}: {counts:?}");
    }

    // Each merged file is what the AWS CLI prints for the whole listing.
    let ps_id = ps.rsplit('/').next().unwrap();
    let ps_file = |leaf: &str| file::identity_center_permission_set("us-east-1", &i.id, ps_id, leaf);
    let on_ps = |command: &str| i.on_permission_set(&m, command, &ps, &[]);
    let store = ["--identity-store-id", i.store.as_str()];
    let cases: Vec<(String, Value)> = vec![
        (
            file::identity_center_permission_sets("us-east-1", &i.id),
            m.aws(&["sso-admin", "list-permission-sets", "--instance-arn", &i.arn]),
        ),
        (
            ps_file("managed-policies.json"),
            on_ps("list-managed-policies-in-permission-set"),
        ),
        (
            ps_file("customer-managed-policies.json"),
            on_ps("list-customer-managed-policy-references-in-permission-set"),
        ),
        (
            ps_file(&format!("assignments/{MOTO_ACCOUNT_ID}.json")),
            i.on_permission_set(&m, "list-account-assignments", &ps, &["--account-id", MOTO_ACCOUNT_ID]),
        ),
        (
            file::identity_center_users("us-east-1", &i.id),
            m.aws(&[&["identitystore", "list-users"][..], &store].concat()),
        ),
        (
            file::identity_center_groups("us-east-1", &i.id),
            m.aws(&[&["identitystore", "list-groups"][..], &store].concat()),
        ),
        (
            file::identity_center_group_memberships("us-east-1", &i.id, &groups[0]),
            m.aws(
                &[
                    &["identitystore", "list-group-memberships", "--group-id", &groups[0]][..],
                    &store,
                ]
                .concat(),
            ),
        ),
    ];
    for (name, cli) in &cases {
        let collected: Value = serde_json::from_slice(
            files
                .files
                .get(name)
                .unwrap_or_else(|| panic!("{name}: {:?}", files.files.keys())),
        )
        .unwrap();
        assert_same_json(name, &collected, cli);
        let items = collected
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap()
            .as_array()
            .unwrap();
        assert_eq!(items.len(), 2, "{name}: both pages are in the file");
    }
}
