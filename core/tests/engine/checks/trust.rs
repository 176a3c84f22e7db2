//! Checks of the roles' trust policies: IAM-027 role-trust-public, IAM-028
//! role-trust-external.

use super::*;

/// This family's checks that read only `authorization-details.json`, which every audit
/// requires: they cannot be `not-evaluated`.
pub(super) const AUTHORIZATION_ONLY: &[&str] = &["IAM-027", "IAM-028"];

/// An outside account.
const PARTNER: &str = "210987654321";
/// Another account of the organization, in organization runs.
const SISTER: &str = "111122223333";

const GITHUB: &str = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";

fn trust(statements: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// `Allow sts:AssumeRole` to `principal`, with `condition` when it is not null.
fn allow(sid: &str, principal: Value, condition: Value) -> Value {
    let mut s = json!({"Sid": sid, "Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"});
    if !condition.is_null() {
        s["Condition"] = condition;
    }
    s
}

/// `Allow sts:AssumeRoleWithWebIdentity` to a federated provider, with `condition`.
fn web(provider: &str, condition: Value) -> Value {
    json!({"Sid": "Web", "Effect": "Allow", "Principal": {"Federated": provider},
           "Action": "sts:AssumeRoleWithWebIdentity", "Condition": condition})
}

/// Roles named after what their trust policy does.
fn trusts() -> B {
    let roles: Vec<(&str, Value)> = vec![
        ("public-star", trust(json!([allow("Anyone", json!("*"), Value::Null)]))),
        (
            "public-aws-star",
            trust(json!([allow("Anyone", json!({"AWS": "*"}), Value::Null)])),
        ),
        (
            "public-mfa-only",
            trust(json!([allow(
                "Anyone",
                json!({"AWS": "*"}),
                json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}})
            )])),
        ),
        (
            "public-wildcard-arn",
            trust(json!([allow(
                "Anyone",
                json!({"AWS": "*"}),
                json!({"StringLike": {"aws:PrincipalArn": "*"}})
            )])),
        ),
        (
            "public-org",
            trust(json!([allow(
                "Org",
                json!({"AWS": "*"}),
                json!({"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}})
            )])),
        ),
        (
            "public-account-key",
            trust(json!([allow(
                "Acct",
                json!("*"),
                json!({"StringEquals": {"AWS:PRINCIPALACCOUNT": PARTNER}})
            )])),
        ),
        (
            "public-source-arn",
            trust(json!([allow(
                "Src",
                json!("*"),
                json!({"ArnLike": {"aws:SourceArn": format!("arn:aws:s3:::{PARTNER}-uploads")}})
            )])),
        ),
        (
            "public-source-account",
            trust(json!([allow(
                "Src",
                json!("*"),
                json!({"StringEquals": {"aws:SourceAccount": PARTNER}})
            )])),
        ),
        (
            "public-principal-arn",
            trust(json!([allow(
                "Arn",
                json!("*"),
                json!({"ArnEquals": {"aws:PrincipalArn": format!("arn:aws:iam::{PARTNER}:role/ci")}})
            )])),
        ),
        (
            "public-external-id",
            trust(json!([allow(
                "Ext",
                json!("*"),
                json!({"StringEquals": {"sts:ExternalId": "c0ffee-42"}})
            )])),
        ),
        (
            "public-denied",
            trust(json!([
                allow("Anyone", json!("*"), Value::Null),
                {"Sid": "Nobody", "Effect": "Deny", "Principal": "*", "Action": "sts:*"}
            ])),
        ),
        (
            "public-deny-conditional",
            trust(json!([
                allow("Anyone", json!("*"), Value::Null),
                {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole",
                 "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}
            ])),
        ),
        (
            "not-principal",
            trust(
                json!([{"Sid": "AllBut", "Effect": "Allow", "NotPrincipal": {"AWS": format!("arn:aws:iam::{PARTNER}:root")}, "Action": "sts:AssumeRole"}]),
            ),
        ),
        (
            "deny-only",
            trust(json!([{"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"}])),
        ),
        (
            "github-no-sub",
            trust(json!([web(
                GITHUB,
                json!({"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}})
            )])),
        ),
        (
            "github-sub-star",
            trust(json!([web(
                GITHUB,
                json!({"StringLike": {"token.actions.githubusercontent.com:sub": "*"}})
            )])),
        ),
        (
            "github-sub-any-repo",
            trust(json!([web(
                GITHUB,
                json!({"StringLike": {"token.actions.githubusercontent.com:sub": "repo:*"}})
            )])),
        ),
        (
            "github-org",
            trust(json!([web(
                GITHUB,
                json!({
                "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                "StringLike": {"token.actions.githubusercontent.com:sub": "repo:example-org/*"}})
            )])),
        ),
        (
            "cognito-aud-only",
            trust(json!([web(
                "cognito-identity.amazonaws.com",
                json!({"StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:1111-2222"}})
            )])),
        ),
        (
            "cognito-pool",
            trust(json!([web(
                "cognito-identity.amazonaws.com",
                json!({
                "StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:1111-2222"},
                "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}})
            )])),
        ),
        (
            "google-no-aud",
            trust(json!([web(
                "accounts.google.com",
                json!({"StringEquals": {"accounts.google.com:sub": "1234"}})
            )])),
        ),
        (
            "google-app",
            trust(json!([web(
                "accounts.google.com",
                json!({"StringEquals": {"accounts.google.com:aud": "app.apps.googleusercontent.com"}})
            )])),
        ),
        (
            "facebook-app",
            trust(json!([web(
                "graph.facebook.com",
                json!({"StringEquals": {"graph.facebook.com:app_id": "1234"}})
            )])),
        ),
        (
            "amazon-no-app",
            trust(json!([web(
                "www.amazon.com",
                json!({"StringEquals": {"www.amazon.com:user_id": "amzn1.x"}})
            )])),
        ),
        (
            "saml",
            trust(
                json!([{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::123456789012:saml-provider/Okta"},
                "Action": "sts:AssumeRoleWithSAML", "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}]),
            ),
        ),
        (
            "own-root",
            trust(json!([allow(
                "Ours",
                json!({"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}),
                Value::Null
            )])),
        ),
        (
            "own-id",
            trust(json!([allow("Ours", json!({"AWS": ACCOUNT}), Value::Null)])),
        ),
        (
            "own-role",
            trust(json!([allow(
                "Ours",
                json!({"AWS": format!("arn:aws:iam::{ACCOUNT}:role/ops")}),
                Value::Null
            )])),
        ),
        (
            "partner-root",
            trust(json!([allow(
                "Vendor",
                json!({"AWS": format!("arn:aws:iam::{PARTNER}:root")}),
                Value::Null
            )])),
        ),
        (
            "partner-id",
            trust(json!([allow(
                "Vendor",
                json!({"AWS": [ACCOUNT, PARTNER]}),
                Value::Null
            )])),
        ),
        (
            "partner-role",
            trust(json!([allow(
                "Vendor",
                json!({"AWS": format!("arn:aws:iam::{PARTNER}:role/scanner")}),
                Value::Null
            )])),
        ),
        (
            "partner-external-id",
            trust(json!([allow(
                "Vendor",
                json!({"AWS": format!("arn:aws:iam::{PARTNER}:root")}),
                json!({"StringEquals": {"sts:ExternalId": "c0ffee-42"}})
            )])),
        ),
        (
            "partner-external-id-any",
            trust(json!([allow(
                "Vendor",
                json!({"AWS": PARTNER}),
                json!({"StringLike": {"sts:ExternalId": "*"}})
            )])),
        ),
        (
            "partner-denied",
            trust(json!([
                allow("Vendor", json!({"AWS": format!("arn:aws:iam::{PARTNER}:role/scanner")}), Value::Null),
                {"Effect": "Deny", "Principal": {"AWS": PARTNER}, "Action": "sts:AssumeRole"}
            ])),
        ),
        (
            "sister-root",
            trust(json!([allow(
                "Org",
                json!({"AWS": format!("arn:aws:iam::{SISTER}:root")}),
                Value::Null
            )])),
        ),
        (
            "deleted-principal",
            trust(json!([allow(
                "Gone",
                json!({"AWS": "AROAEXAMPLEDELETED"}),
                Value::Null
            )])),
        ),
        (
            "ec2",
            trust(json!([allow(
                "Ec2",
                json!({"Service": "ec2.amazonaws.com"}),
                Value::Null
            )])),
        ),
    ];
    let mut b = B::new();
    for (name, doc) in roles {
        b = b.role(name, "/", &[], &[]).trust(name, doc);
    }
    // A service-linked role is AWS's: not judged even when its trust were open.
    b.role(
        "AWSServiceRoleForOpen",
        "/aws-service-role/open.amazonaws.com/",
        &[],
        &[],
    )
    .trust(
        "AWSServiceRoleForOpen",
        trust(json!([allow("Anyone", json!("*"), Value::Null)])),
    )
}

fn trust_account() -> Account {
    trusts().account()
}

fn partner_trusted() -> Config {
    let mut c = Config::default();
    c.trusted_accounts = vec![PARTNER.to_string()];
    c
}

/// The same account audited in an organization run, SISTER being another of its accounts.
fn in_organization() -> Account {
    let mut a = trusts().account();
    a.organization_accounts = vec![ACCOUNT.to_string(), SISTER.to_string()];
    a
}

/// Accounts and what this family's checks decide on them.
pub(super) static CASES: &[Case] = &[
    on_compliant(&[("IAM-027", "app-server", Pass), ("IAM-028", "app-server", Pass)]),
    on_gaps(&[("IAM-027", "admin-role", Pass), ("IAM-028", "admin-role", Pass)]),
    case(
        "roles trusting anyone",
        trust_account,
        defaults,
        &[
            ("IAM-027", "public-star", Fail),
            ("IAM-027", "public-aws-star", Fail),
            ("IAM-027", "public-mfa-only", Fail),
            ("IAM-027", "public-wildcard-arn", Fail),
            ("IAM-027", "public-org", Pass),
            ("IAM-027", "public-account-key", Pass),
            ("IAM-027", "public-source-arn", Pass),
            ("IAM-027", "public-source-account", Pass),
            ("IAM-027", "public-principal-arn", Pass),
            ("IAM-027", "public-external-id", Pass),
            ("IAM-027", "public-denied", Pass),
            ("IAM-027", "public-deny-conditional", Fail),
            ("IAM-027", "not-principal", Fail),
            ("IAM-027", "deny-only", Pass),
            ("IAM-027", "github-no-sub", Fail),
            ("IAM-027", "github-sub-star", Fail),
            ("IAM-027", "github-sub-any-repo", Fail),
            ("IAM-027", "github-org", Pass),
            ("IAM-027", "cognito-aud-only", Fail),
            ("IAM-027", "cognito-pool", Pass),
            ("IAM-027", "google-no-aud", Fail),
            ("IAM-027", "google-app", Pass),
            ("IAM-027", "facebook-app", Pass),
            ("IAM-027", "amazon-no-app", Fail),
            ("IAM-027", "saml", Pass),
            ("IAM-027", "own-root", Pass),
            ("IAM-027", "partner-root", Pass),
            ("IAM-027", "ec2", Pass),
        ],
    ),
    case(
        "roles trusting other accounts",
        trust_account,
        defaults,
        &[
            ("IAM-028", "own-root", Pass),
            ("IAM-028", "own-id", Pass),
            ("IAM-028", "own-role", Pass),
            ("IAM-028", "partner-root", Fail),
            ("IAM-028", "partner-id", Fail),
            ("IAM-028", "partner-role", Fail),
            ("IAM-028", "partner-external-id", Pass),
            ("IAM-028", "partner-external-id-any", Fail),
            ("IAM-028", "partner-denied", Pass),
            ("IAM-028", "sister-root", Fail),
            ("IAM-028", "deleted-principal", Pass),
            // Trust of anyone is IAM-027's.
            ("IAM-028", "public-star", Pass),
            ("IAM-028", "not-principal", Pass),
            ("IAM-028", "ec2", Pass),
            ("IAM-028", "github-no-sub", Pass),
        ],
    ),
    case(
        "an outside account listed in trusted_accounts",
        trust_account,
        partner_trusted,
        &[
            ("IAM-028", "partner-root", Pass),
            ("IAM-028", "partner-id", Pass),
            ("IAM-028", "partner-role", Pass),
            ("IAM-028", "sister-root", Fail),
        ],
    ),
    case(
        "an organization run",
        in_organization,
        defaults,
        &[("IAM-028", "sister-root", Pass), ("IAM-028", "partner-root", Fail)],
    ),
];

#[test]
fn cases() {
    run_cases(CASES);
}

#[test]
fn service_linked_roles_are_not_judged() {
    let r = audit(&trusts());
    for id in ["IAM-027", "IAM-028"] {
        assert!(
            !r.findings
                .iter()
                .any(|f| f.check.id == id && f.resource_name == "AWSServiceRoleForOpen"),
            "{id}"
        );
    }
    // One finding per other role, each with the evidence file.
    let per_check = |id: &str| r.findings.iter().filter(|f| f.check.id == id).count();
    assert_eq!(per_check("IAM-027"), trusts().account().roles.len() - 1);
    assert_eq!(per_check("IAM-028"), per_check("IAM-027"));
    let f = find(&r, "IAM-027", "public-star");
    assert_eq!(f.source_file.as_deref(), Some("authorization-details.json"), "{f:?}");
}

#[test]
fn the_detail_names_the_statement_the_principal_and_what_would_limit_it() {
    let r = audit(&trusts());
    let detail = |check: &str, role: &str| find(&r, check, role).detail.clone();
    let d = detail("IAM-027", "public-aws-star");
    assert!(
        d.contains("Anyone allows sts:AssumeRole to *")
            && d.contains("aws:PrincipalOrgID")
            && d.contains("sts:ExternalId"),
        "{d}"
    );
    let d = detail("IAM-027", "not-principal");
    assert!(
        d.contains(&format!(
            "AllBut allows sts:AssumeRole to everyone but AWS arn:aws:iam::{PARTNER}:root"
        )),
        "{d}"
    );
    let d = detail("IAM-027", "github-sub-any-repo");
    assert!(
        d.contains("Web allows sts:AssumeRoleWithWebIdentity")
            && d.contains(GITHUB)
            && d.contains("GitHub Actions")
            && d.contains("without a condition on token.actions.githubusercontent.com:sub"),
        "{d}"
    );
    let d = detail("IAM-027", "cognito-aud-only");
    assert!(
        d.contains("cognito-identity.amazonaws.com:amr") && !d.contains(":aud and"),
        "{d}"
    );
    let d = detail("IAM-027", "public-org");
    assert!(
        d.contains("Org trusts * only with a condition on aws:PrincipalOrgID"),
        "{d}"
    );
    let d = detail("IAM-028", "partner-role");
    assert!(
        d.contains(&format!(
            "Vendor allows sts:AssumeRole to account {PARTNER} (AWS arn:aws:iam::{PARTNER}:role/scanner)"
        )) && d.contains("without an sts:ExternalId condition"),
        "{d}"
    );
    // The array names both accounts; only the outside one is at fault.
    let d = detail("IAM-028", "partner-id");
    assert!(
        d.contains(&format!("account {PARTNER}")) && !d.contains(&format!("account {ACCOUNT}")),
        "{d}"
    );
    let d = detail("IAM-028", "partner-external-id");
    assert!(d.contains("needs an external ID") && d.contains(PARTNER), "{d}");
    // An organization run says so.
    let r = checks::audit(&in_organization(), &Config::default(), None);
    let d = &find(&r, "IAM-028", "partner-root").detail;
    assert!(d.contains("the organization's accounts"), "{d}");
}

#[test]
fn a_trust_of_every_assume_action_is_open_on_each_the_deny_does_not_cover() {
    // The Deny takes back sts:AssumeRole only: SAML and web identity stay open to anyone.
    let b = B::new().role("r", "/", &[], &[]).trust(
        "r",
        trust(json!([
            {"Sid": "All", "Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole*"},
            {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
        ])),
    );
    let r = audit(&b);
    let f = find(&r, "IAM-027", "r");
    assert_eq!(f.status, Fail);
    assert!(
        f.detail
            .contains("sts:AssumeRoleWithWebIdentity, sts:AssumeRoleWithSAML")
            && !f.detail.contains("sts:AssumeRole,"),
        "{}",
        f.detail
    );
    // An action that does not assume the role opens nothing.
    let b = B::new().role("r", "/", &[], &[]).trust(
        "r",
        trust(json!([{"Effect": "Allow", "Principal": "*", "Action": "sts:TagSession"}])),
    );
    assert_eq!(find(&audit(&b), "IAM-027", "r").status, Pass);
}

/// An organization collected by `collect --org` (`<dir>/<id>/` and `accounts.json`): this
/// account with roles trusting another account of the organization, an account of the
/// organization that the collection left out, and an outside account.
fn organization_dir(dir: &std::path::Path, organization: Option<&[&str]>) {
    const UNSELECTED: &str = "444455556666";
    let mut b = B::new();
    for (role, account) in [
        ("to-sister", SISTER),
        ("to-unselected", UNSELECTED),
        ("to-partner", PARTNER),
    ] {
        b = b
            .role(role, "/", &[], &[])
            .trust(role, hipaa_iam_tests::account::trusting_account(account));
    }
    let sub = dir.join(ACCOUNT);
    let mut files = b.files();
    files.insert("manifest.json".into(), serde_json::to_vec(&b.manifest()).unwrap());
    for (name, bytes) in files {
        let path = sub.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    let mut listing = json!({"accounts": [
        {"id": ACCOUNT, "name": "clinic"},
        {"id": SISTER, "name": "billing", "error": "AccessDenied: not authorized to perform sts:AssumeRole"}
    ]});
    if let Some(ids) = organization {
        listing["organization"] = json!(ids);
    }
    std::fs::write(dir.join("accounts.json"), serde_json::to_vec(&listing).unwrap()).unwrap();
}

/// IAM-028's status of each role of [`organization_dir`] when the organization is audited.
fn org_statuses(dir: &std::path::Path) -> Vec<(String, Status)> {
    let config = hipaa_iam_core::api::load_config(None, Some(""), &[]).unwrap();
    let runs =
        hipaa_iam_core::org::audit_collected(dir, &[], None, &config, None, &hipaa_iam_core::org::Quiet).unwrap();
    let run = runs.iter().find(|r| r.id == ACCOUNT).unwrap();
    let report = &run.result.as_ref().unwrap().report;
    report
        .findings
        .iter()
        .filter(|f| f.check.id == "IAM-028")
        .map(|f| (f.resource_name.clone(), f.status))
        .collect()
}

#[test]
fn an_organization_run_trusts_the_accounts_of_the_organization() {
    let tmp = tempfile::tempdir().unwrap();
    // The listing records every account of the organization, also those not collected.
    let with = tmp.path().join("with");
    organization_dir(&with, Some(&[ACCOUNT, SISTER, "444455556666"]));
    assert_eq!(
        org_statuses(&with),
        [
            ("to-partner".to_string(), Fail),
            ("to-sister".to_string(), Pass),
            ("to-unselected".to_string(), Pass)
        ]
    );
    // A listing without it (written before it was recorded): the accounts listed count.
    let without = tmp.path().join("without");
    organization_dir(&without, None);
    assert_eq!(
        org_statuses(&without),
        [
            ("to-partner".to_string(), Fail),
            ("to-sister".to_string(), Pass),
            ("to-unselected".to_string(), Fail)
        ]
    );
    // The same account audited alone trusts only itself.
    let alone = checks::audit(
        &Account::read_dir(&with.join(ACCOUNT)).unwrap(),
        &Config::default(),
        None,
    );
    assert_eq!(find(&alone, "IAM-028", "to-sister").status, Fail);
    // A listing whose organization holds something other than an account ID is an error
    // naming the file and the entry.
    let bad = tmp.path().join("bad");
    organization_dir(&bad, Some(&[ACCOUNT, "4444-5555-6666"]));
    let config = hipaa_iam_core::api::load_config(None, Some(""), &[]).unwrap();
    let e = hipaa_iam_core::org::audit_collected(&bad, &[], None, &config, None, &hipaa_iam_core::org::Quiet)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("accounts.json") && e.contains("organization[1]") && e.contains("`4444-5555-6666`"),
        "{e}"
    );
}

#[test]
fn a_role_without_a_trust_policy_in_the_data_is_not_evaluated() {
    let b = B::new().role("r", "/", &[], &[]).trust("r", Value::Null);
    let r = audit(&b);
    for id in ["IAM-027", "IAM-028"] {
        let f = find(&r, id, "r");
        assert_eq!(f.status, NotEval, "{id}: {}", f.detail);
        assert!(f.detail.contains("AssumeRolePolicyDocument"), "{}", f.detail);
    }
}
