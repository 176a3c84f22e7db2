//! Applying a plan through the library against a moto server, for what the command line
//! cannot show: the account changing between the plan and its application.
#![allow(clippy::unwrap_used)]

use hipaa_iam_core::account::{file, Account, ExportSet};
use hipaa_iam_core::config::Config;
use hipaa_iam_core::remediate::{self, Clients, Secrets, Status, DENY_WITHOUT_MFA_JSON};
use hipaa_iam_tests::{moto_in_process, Moto, MOTO_ACCOUNT_ID};
use serde_json::{json, Value};

const BOOL_STATEMENT: &str = r#"{"Effect":"Deny","NotAction":["iam:*","sts:GetSessionToken"],"Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}"#;

fn default_document(m: &Moto, arn: &str) -> (String, Value) {
    let policy = m.aws(&["iam", "get-policy", "--policy-arn", arn]);
    let id = policy["Policy"]["DefaultVersionId"].as_str().unwrap().to_string();
    let doc = m.aws(&["iam", "get-policy-version", "--policy-arn", arn, "--version-id", &id])["PolicyVersion"]
        ["Document"]
        .clone();
    (id, doc)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_statement_written_between_the_plan_and_its_application_is_kept() {
    let m = moto_in_process();
    let bool_statement: Value = serde_json::from_str(BOOL_STATEMENT).unwrap();
    let planned_from = json!({"Version": "2012-10-17", "Statement": [bool_statement]});
    let arn = m.aws(&[
        "iam",
        "create-policy",
        "--policy-name",
        "deny-without-mfa",
        "--policy-document",
        &planned_from.to_string(),
    ])["Policy"]["Arn"]
        .as_str()
        .unwrap()
        .to_string();

    // The plan, from the account data as it was: the policy with its Bool statement.
    let auth = json!({
        "UserDetailList": [{"UserName": "alice", "Arn": format!("arn:aws:iam::{MOTO_ACCOUNT_ID}:user/alice")}],
        "Policies": [{"PolicyName": "deny-without-mfa", "Arn": arn, "DefaultVersionId": "v1",
            "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document": planned_from,
                "CreateDate": "2024-01-01T00:00:00Z"}]}]
    });
    let mut set = ExportSet::default();
    set.files
        .insert(file::AUTHORIZATION_DETAILS.into(), auth.to_string().into_bytes());
    let account = Account::from_exports(&set).unwrap();
    let plan = remediate::mfa_enforcement(&account, &Config::default()).unwrap();
    assert_eq!(plan.steps[0].id, "update-policy");

    // Then someone adds a statement of their own.
    let extra = json!({"Sid": "NoBucketDeletes", "Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"});
    let edited = json!({"Version": "2012-10-17", "Statement": [planned_from["Statement"][0], extra]});
    m.aws(&[
        "iam",
        "create-policy-version",
        "--policy-arn",
        &arn,
        "--policy-document",
        &edited.to_string(),
        "--set-as-default",
    ]);

    let conf = hipaa_iam_core::aws::sdk_config(None, &Default::default()).await;
    let clients = Clients::new(&conf, &[]);
    let outcomes = remediate::apply(&plan, &clients, &Secrets::default()).await.unwrap();
    assert_eq!(outcomes[0].status, Status::Done, "{outcomes:?}");
    assert_eq!(outcomes[0].previous.as_ref().unwrap()["Document"], edited);

    let (version, doc) = default_document(&m, &arn);
    assert_eq!(version, "v3");
    let guide: Value = serde_json::from_str(DENY_WITHOUT_MFA_JSON).unwrap();
    assert_eq!(
        doc["Statement"],
        json!([edited["Statement"][0], edited["Statement"][1], guide["Statement"][0]]),
        "both statements of the live version kept, the guide's added"
    );
}
