//! Access queries: `explain` of concrete requests (principal keys as policy variables,
//! context keys present and absent, boundaries, deny winning, NotAction / NotResource,
//! documents without policy variables), `who_can`, and the errors that name what is wrong.
//! `reference` checks `explain` against AWS's documented evaluation logic on generated
//! requests.
#![allow(clippy::unwrap_used)]

mod reference;

use hipaa_iam_core::access::{self, Reach, Request};
use hipaa_iam_core::account::{Account, ExportSet};
use hipaa_iam_core::manifest::Manifest;
use hipaa_iam_core::policy::Decision;
use hipaa_iam_tests::account::{attached, policy_arn, TestAccount, ACCOUNT};
use serde_json::{json, Value};

/// The account a test account describes, read the way an exports directory is read.
pub(crate) fn read(b: &TestAccount) -> Account {
    let set = ExportSet {
        dir: None,
        files: b.files(),
        manifest: Some(serde_json::from_value::<Manifest>(b.manifest()).unwrap()),
    };
    Account::from_exports(&set).unwrap()
}

fn doc(statements: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn boundary(name: &str) -> Value {
    json!({"PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": policy_arn(name)}})
}

/// Users and roles whose policies exercise every part of the evaluation.
fn clinic() -> Account {
    let home = doc(json!([
        {"Sid": "OwnHome", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::phi/${aws:username}/*"},
        {"Sid": "ListOwnPrefix", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::phi",
         "Condition": {"StringLike": {"s3:prefix": "${aws:username}/*"}}}
    ]));
    let b = TestAccount::new()
        .managed(
            "team-data",
            doc(json!([{"Sid": "TeamFolder", "Effect": "Allow", "Action": "s3:GetObject",
                        "Resource": "arn:aws:s3:::teams/${aws:PrincipalTag/team}/*"}])),
        )
        .managed(
            "mfa-guard",
            doc(json!([{"Sid": "DenyWithoutMFA", "Effect": "Deny", "NotAction": "iam:ChangePassword", "Resource": "*",
                        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}])),
        )
        .managed_at(
            "arn:aws:iam::aws:policy/AdministratorAccess",
            doc(json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}])),
        )
        .managed(
            "dev-boundary",
            doc(json!([{"Sid": "S3Only", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                       {"Sid": "NoBucketDeletion", "Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}])),
        )
        .group("staff", &[], &[("home", home)])
        .group("admins", &["arn:aws:iam::aws:policy/AdministratorAccess"], &[])
        .user(
            "alice",
            &["staff"],
            json!({"Tags": [{"Key": "team", "Value": "cardiology"}],
                   "AttachedManagedPolicies": [attached(&policy_arn("team-data")), attached(&policy_arn("mfa-guard"))]}),
        )
        .user("bob", &["admins"], boundary("dev-boundary"))
        .user(
            "carol",
            &[],
            json!({"UserPolicyList": [{"PolicyName": "broad", "PolicyDocument": doc(json!([
                {"Sid": "AllButIam", "Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
                {"Sid": "NoSecrets", "Effect": "Deny", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::phi/*"}
            ]))}]}),
        )
        .user(
            "dave",
            &[],
            json!({"UserPolicyList": [
                {"PolicyName": "old", "PolicyDocument": {"Version": "2008-10-17", "Statement": [
                    {"Sid": "Literal", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::phi/${aws:username}/*"}]}},
                {"PolicyName": "unversioned", "PolicyDocument": {"Statement": [
                    {"Sid": "AlsoLiteral", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::phi/${aws:username}/*"}]}}
            ]}),
        )
        .user(
            "erin",
            &[],
            json!({"UserPolicyList": [{"PolicyName": "mfa-read", "PolicyDocument": doc(json!([
                {"Sid": "ReadWithMFA", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                 "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}, "StringEquals": {"aws:RequestedRegion": "us-east-1"}}}
            ]))}]}),
        )
        .user(
            "fay",
            &[],
            json!({"UserPolicyList": [{"PolicyName": "untagged", "PolicyDocument": doc(json!([
                {"Sid": "NotMyUnit", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                 "Condition": {"StringNotEquals": {"aws:username": "${aws:PrincipalTag/unit}"}}},
                {"Sid": "UnitFolder", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::phi/${aws:PrincipalTag/unit}/*"},
                {"Sid": "UnitEquals", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "*",
                 "Condition": {"StringEqualsIgnoreCase": {"aws:username": "${aws:PrincipalTag/unit}"}}}
            ]))}]}),
        )
        .role(
            "reader",
            "/",
            &[],
            &[(
                "read",
                doc(json!([{"Sid": "ReadPhi", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::phi/*"}])),
            )],
        )
        .role("AWSServiceRoleForSupport", "/aws-service-role/", &["arn:aws:iam::aws:policy/AdministratorAccess"], &[]);
    read(&b)
}

use Decision::{Allowed, Denied, NotGranted};

/// principal, action, resource, context, decision, a statement that must be listed.
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    Decision,
    &'static str,
);

const MFA: &[(&str, &str)] = &[("aws:MultiFactorAuthPresent", "true")];

static ROWS: &[Row] = &[
    // ${aws:username} resolves from the principal: alice's home, not bob's.
    (
        "alice",
        "s3:GetObject",
        "arn:aws:s3:::phi/alice/chart.pdf",
        MFA,
        Allowed,
        "inline home on group staff [OwnHome]",
    ),
    (
        "alice",
        "s3:GetObject",
        "arn:aws:s3:::phi/bob/chart.pdf",
        MFA,
        NotGranted,
        "",
    ),
    // ${aws:PrincipalTag/team} from the exported tags.
    (
        "alice",
        "s3:GetObject",
        "arn:aws:s3:::teams/cardiology/x",
        MFA,
        Allowed,
        "team-data (attached to user alice) [TeamFolder]",
    ),
    (
        "alice",
        "s3:GetObject",
        "arn:aws:s3:::teams/oncology/x",
        MFA,
        NotGranted,
        "",
    ),
    // A context key in a condition value's variable.
    (
        "alice",
        "s3:ListBucket",
        "arn:aws:s3:::phi",
        &[("aws:MultiFactorAuthPresent", "true"), ("s3:prefix", "alice/2024")],
        Allowed,
        "[ListOwnPrefix]",
    ),
    (
        "alice",
        "s3:ListBucket",
        "arn:aws:s3:::phi",
        &[("aws:MultiFactorAuthPresent", "true"), ("s3:prefix", "bob/2024")],
        NotGranted,
        "",
    ),
    // s3:prefix absent: StringLike on an absent key is false.
    ("alice", "s3:ListBucket", "arn:aws:s3:::phi", MFA, NotGranted, ""),
    // MFA absent (long-term keys): BoolIfExists false holds, the deny wins over the allow.
    (
        "alice",
        "s3:GetObject",
        "arn:aws:s3:::phi/alice/chart.pdf",
        &[],
        Denied,
        "mfa-guard (attached to user alice) [DenyWithoutMFA]",
    ),
    (
        "alice",
        "s3:GetObject",
        "arn:aws:s3:::phi/alice/chart.pdf",
        &[("aws:MultiFactorAuthPresent", "false")],
        Denied,
        "[DenyWithoutMFA]",
    ),
    // NotAction of the deny: changing one's password is not denied (nor allowed).
    (
        "alice",
        "iam:ChangePassword",
        "arn:aws:iam::123456789012:user/alice",
        &[],
        NotGranted,
        "",
    ),
    // The boundary limits AdministratorAccess to S3, and its deny wins.
    (
        "bob",
        "s3:PutObject",
        "arn:aws:s3:::phi/x",
        &[],
        Allowed,
        "permissions boundary dev-boundary [S3Only]",
    ),
    (
        "bob",
        "iam:CreateUser",
        "arn:aws:iam::123456789012:user/x",
        &[],
        NotGranted,
        "AdministratorAccess (attached to group admins) [statement 1]",
    ),
    (
        "bob",
        "s3:DeleteBucket",
        "arn:aws:s3:::phi",
        &[],
        Denied,
        "permissions boundary dev-boundary [NoBucketDeletion]",
    ),
    // NotAction allows all but IAM; NotResource denies every object outside phi/.
    (
        "carol",
        "ec2:RunInstances",
        "*",
        &[],
        Allowed,
        "inline broad on user carol [AllButIam]",
    ),
    ("carol", "iam:CreateUser", "*", &[], NotGranted, ""),
    (
        "carol",
        "s3:GetObject",
        "arn:aws:s3:::phi/a",
        &[],
        Allowed,
        "[AllButIam]",
    ),
    (
        "carol",
        "s3:GetObject",
        "arn:aws:s3:::other/a",
        &[],
        Denied,
        "inline broad on user carol [NoSecrets]",
    ),
    // Version 2008-10-17 or none: ${...} is literal text.
    ("dave", "s3:GetObject", "arn:aws:s3:::phi/dave/x", &[], NotGranted, ""),
    (
        "dave",
        "s3:GetObject",
        "arn:aws:s3:::phi/${aws:username}/x",
        &[],
        Allowed,
        "inline old on user dave [Literal]",
    ),
    ("dave", "s3:PutObject", "arn:aws:s3:::phi/dave/x", &[], NotGranted, ""),
    (
        "dave",
        "s3:PutObject",
        "arn:aws:s3:::phi/${aws:username}/x",
        &[],
        Allowed,
        "[AlsoLiteral]",
    ),
    // Every condition must hold; a key not given is absent, never assumed.
    (
        "erin",
        "s3:GetObject",
        "arn:aws:s3:::phi/x",
        &[
            ("aws:MultiFactorAuthPresent", "true"),
            ("aws:RequestedRegion", "us-east-1"),
        ],
        Allowed,
        "[ReadWithMFA]",
    ),
    ("erin", "s3:GetObject", "arn:aws:s3:::phi/x", MFA, NotGranted, ""),
    ("erin", "s3:GetObject", "arn:aws:s3:::phi/x", &[], NotGranted, ""),
    // A variable whose key is absent (fay has no unit tag) has no value: it matches nothing,
    // so the negated operator holds and the deny's resource and condition do not match.
    (
        "fay",
        "s3:GetObject",
        "arn:aws:s3:::phi/x",
        &[],
        Allowed,
        "inline untagged on user fay [NotMyUnit]",
    ),
    // Roles, by name and by ARN of a session.
    (
        "reader",
        "s3:GetObject",
        "arn:aws:s3:::phi/x",
        &[],
        Allowed,
        "inline read on role reader [ReadPhi]",
    ),
    (
        "arn:aws:sts::123456789012:assumed-role/reader/session-1",
        "s3:GetObject",
        "arn:aws:s3:::phi/x",
        &[],
        Allowed,
        "[ReadPhi]",
    ),
    (
        "arn:aws:iam::123456789012:user/carol",
        "iam:CreateUser",
        "*",
        &[],
        NotGranted,
        "",
    ),
];

#[test]
fn explain_judges_each_request_as_aws_documents() {
    let account = clinic();
    for (principal, action, resource, context, decision, statement) in ROWS {
        let mut request = Request::new(*principal, *action, *resource);
        for (k, v) in *context {
            request = request.with(*k, *v);
        }
        let e = access::explain(&account, &request).unwrap();
        let labels: Vec<String> = e.statements.iter().map(|s| s.label()).collect();
        assert_eq!(
            e.decision, *decision,
            "{principal} {action} {resource} {context:?}: {} ({labels:?})",
            e.reason
        );
        assert!(
            statement.is_empty() || labels.iter().any(|l| l.contains(statement)),
            "{principal} {action} {resource}: {statement:?} not in {labels:?}"
        );
        assert!(e.path.is_empty(), "direct access has no path");
        assert!(
            !e.conditional_allow,
            "{principal} {action}: a concrete request leaves nothing undecided"
        );
    }
}

#[test]
fn explain_names_the_principal_and_what_it_did_not_consider() {
    let account = clinic();
    let e = access::explain(
        &account,
        &Request::new("alice", "s3:GetObject", "arn:aws:s3:::phi/alice/x"),
    )
    .unwrap();
    assert_eq!(e.principal, format!("arn:aws:iam::{ACCOUNT}:user/alice"));
    assert_eq!(e.decision, Denied);
    assert!(e.reason.contains("explicitly denied by mfa-guard"), "{}", e.reason);
    assert!(
        e.not_considered
            .iter()
            .any(|n| n.contains("the S3 bucket policy of arn:aws:s3:::phi")),
        "{:?}",
        e.not_considered
    );
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["decision"], "denied");
    assert_eq!(json["path"], json!([]));
    let kms = access::explain(
        &account,
        &Request::new("bob", "kms:Decrypt", "arn:aws:kms:us-east-1:123456789012:key/k1"),
    )
    .unwrap();
    assert_eq!(serde_json::to_value(&kms).unwrap()["decision"], "not-granted");
    assert!(
        kms.not_considered
            .iter()
            .any(|n| n.contains("as if its key policy delegated to IAM")),
        "{:?}",
        kms.not_considered
    );
    let typo = access::explain(&account, &Request::new("bob", "s3:GetObjcet", "*")).unwrap();
    assert!(
        typo.warnings.iter().any(|w| w.contains("did you mean s3:GetObject")),
        "{:?}",
        typo.warnings
    );
}

#[test]
fn explain_refuses_unknown_principals_and_malformed_actions() {
    let account = clinic();
    let err = access::explain(&account, &Request::new("alicia", "s3:GetObject", "*"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("principal") && err.contains("\"alicia\"") && err.contains("did you mean user \"alice\""),
        "{err}"
    );
    let err = access::explain(
        &account,
        &Request::new("arn:aws:iam::123456789012:user/zed", "s3:GetObject", "*"),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("no user or role has the ARN"), "{err}");
    for bad in ["GetObject", "s3:", ":GetObject", "s3 :GetObject", "s3:Get Object"] {
        let err = access::explain(&account, &Request::new("alice", bad, "*"))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("action: ") && err.contains("service:action"),
            "{bad}: {err}"
        );
    }
}

#[test]
fn request_lines_name_the_line_and_the_field() {
    let path = std::path::Path::new("requests.jsonl");
    let text = "{\"principal\": \"alice\", \"action\": \"s3:GetObject\", \"resource\": \"*\"}\n\n\
                {\"principal\": \"bob\", \"action\": \"s3:GetObject\", \"resource\": \"*\", \"context\": {\"aws:MultiFactorAuthPresent\": true, \"aws:TagKeys\": [\"a\", \"b\"]}}\n";
    let requests = access::read_requests(path, text).unwrap();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].0, 3, "line numbers count blank lines");
    assert_eq!(requests[1].1.context["aws:MultiFactorAuthPresent"], ["true"]);
    assert_eq!(requests[1].1.context["aws:TagKeys"], ["a", "b"]);
    let account = clinic();
    let mut unknown = requests.clone();
    unknown[1].1.principal = "zed".into();
    let err = access::explain_lines(&account, path, &unknown).unwrap_err().to_string();
    assert!(
        err.starts_with("requests.jsonl: line 3: principal: no user or role named \"zed\""),
        "{err}"
    );
    assert_eq!(access::explain_lines(&account, path, &requests).unwrap().len(), 2);
    let cases = [
        (
            "{\"principal\": \"a\", \"action\": \"s3:X\", \"resource\": \"*\", \"extra\": 1}",
            "unknown field `extra`",
        ),
        ("{\"principal\": \"a\", \"resource\": \"*\"}", "missing field `action`"),
        (
            "{\"principal\": \"a\", \"action\": \"GetObject\", \"resource\": \"*\"}",
            "field `action`",
        ),
        (
            "{\"principal\": \"a\", \"action\": \"s3:X\", \"resource\": \"*\", \"context\": {\"k\": {}}}",
            "field `context`: key \"k\"",
        ),
        ("not json", "expected"),
    ];
    for (line, want) in cases {
        let text = format!("{}\n\n{line}\n", &text.lines().next().unwrap());
        let err = access::read_requests(path, &text).unwrap_err().to_string();
        assert!(err.starts_with("requests.jsonl: line 3: "), "{err}");
        assert!(err.contains(want), "{line}: {err}");
    }
    assert!(access::read_requests(path, "\n  \n")
        .unwrap_err()
        .to_string()
        .contains("no request"));
}

#[test]
fn who_can_lists_direct_access_with_its_conditions() {
    let account = clinic();
    let answer = access::who_can(&account, "s3:GetObject", "arn:aws:s3:::phi/alice/x").unwrap();
    let found: Vec<(&str, Reach, Vec<String>)> = answer
        .principals
        .iter()
        .map(|a| (a.name.as_str(), a.decision, a.requires.clone()))
        .collect();
    assert_eq!(
        found,
        vec![
            ("alice", Reach::Allowed, vec![]),
            ("bob", Reach::Allowed, vec![]),
            ("carol", Reach::Allowed, vec![]),
            (
                "erin",
                Reach::Conditional,
                vec!["MFA".to_string(), "aws:RequestedRegion".to_string()]
            ),
            ("fay", Reach::Allowed, vec![]),
            ("reader", Reach::Allowed, vec![]),
        ],
        "the service-linked role is left out; dave's literal ${{aws:username}} does not match"
    );
    let alice = &answer.principals[0];
    assert!(alice.conditional_deny, "the MFA guard may deny");
    assert_eq!(
        alice.allowed_by,
        vec!["inline home on group staff [OwnHome]".to_string()]
    );
    assert!(answer.principals.iter().all(|a| a.path.is_empty()));
    assert!(answer.scope.contains("identity-based"));
    let json = serde_json::to_value(&answer).unwrap();
    assert_eq!(json["principals"][3]["decision"], "conditional");
    assert_eq!(json["principals"][5]["type"], "role");

    // Principals with the same documents share one evaluation, but variables are still
    // resolved for each: bob's home is not alice's.
    let bobs = access::who_can(&account, "s3:PutObject", "arn:aws:s3:::phi/bob/x").unwrap();
    let names: Vec<&str> = bobs.principals.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["bob", "carol"]);
    let err = access::who_can(&account, "s3-GetObject", "*").unwrap_err().to_string();
    assert!(err.starts_with("action: "), "{err}");
}

#[test]
fn who_can_shares_evaluations_only_between_principals_that_cannot_differ() {
    let tagged = doc(json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                             "Condition": {"StringEquals": {"aws:PrincipalTag/team": "cardiology"}}}]));
    let b = TestAccount::new()
        .managed("tagged", tagged)
        .group("everyone", &[&policy_arn("tagged")], &[])
        .user(
            "ann",
            &["everyone"],
            json!({"Tags": [{"Key": "team", "Value": "cardiology"}]}),
        )
        .user(
            "ben",
            &["everyone"],
            json!({"Tags": [{"Key": "team", "Value": "oncology"}]}),
        )
        .user("cid", &["everyone"], json!({}));
    let answer = access::who_can(&read(&b), "s3:GetObject", "arn:aws:s3:::x/y").unwrap();
    let names: Vec<&str> = answer.principals.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["ann"], "a tag the user lacks is absent, not a requirement");
}

#[test]
fn who_can_says_whose_policies_are_missing() {
    let b = TestAccount::new().user(
        "gone",
        &["ghosts"],
        json!({"AttachedManagedPolicies": [attached(&policy_arn("nowhere"))]}),
    );
    let answer = access::who_can(&read(&b), "s3:GetObject", "*").unwrap();
    assert!(answer.principals.is_empty());
    assert_eq!(answer.not_evaluated.len(), 1);
    let line = &answer.not_evaluated[0];
    assert!(
        line.starts_with("user gone: ") && line.contains("nowhere") && line.contains("group ghosts"),
        "{line}"
    );
}

/// An account where access to the records bucket is reached through other principals:
/// `dina` may assume `records-reader` (its trust needs MFA), `sam` may rewrite its own
/// policies, `jo` may join the `readers` group, `pat` may take over `rita`, who reads.
fn through_others() -> Account {
    let reads = doc(json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::records/*"}]));
    let inline =
        |statements: Value| json!({"UserPolicyList": [{"PolicyName": "p", "PolicyDocument": doc(statements)}]});
    let role = |name: &str| format!("arn:aws:iam::{ACCOUNT}:role/{name}");
    read(
        &TestAccount::new()
            .role("records-reader", "/", &[], &[("read", reads.clone())])
            .trust(
                "records-reader",
                json!({"Version": "2012-10-17", "Statement": [{"Sid": "Staff", "Effect": "Allow",
                    "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": "sts:AssumeRole",
                    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}),
            )
            .group("readers", &[], &[("read", reads.clone())])
            .group("staff", &[], &[])
            .user("dina", &["staff"], inline(json!([{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role("records-reader")}])))
            .user("sam", &["staff"], inline(json!([{"Effect": "Allow", "Action": "iam:PutUserPolicy", "Resource": "arn:aws:iam::*:user/${aws:username}"}])))
            .user("jo", &["staff"], inline(json!([{"Effect": "Allow", "Action": "iam:AddUserToGroup", "Resource": format!("arn:aws:iam::{ACCOUNT}:group/readers")}])))
            .user("pat", &["staff"], inline(json!([{"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": format!("arn:aws:iam::{ACCOUNT}:user/rita")}])))
            .user("rita", &["readers"], json!({}))
            .user("nobody", &["staff"], json!({})),
    )
}

#[test]
fn who_can_finds_access_through_other_principals_with_the_path() {
    let account = through_others();
    let answer = access::who_can(&account, "s3:GetObject", "arn:aws:s3:::records/scan.dcm").unwrap();
    let found: Vec<(&str, Reach, Vec<String>, Vec<String>)> = answer
        .principals
        .iter()
        .map(|a| {
            (
                a.name.as_str(),
                a.decision,
                a.requires.clone(),
                a.path.iter().map(|h| format!("{} {}", h.action, h.to)).collect(),
            )
        })
        .collect();
    let user = |n: &str| format!("arn:aws:iam::{ACCOUNT}:user/{n}");
    let expected: Vec<(&str, Reach, Vec<String>, Vec<String>)> = vec![
        ("rita", Reach::Allowed, vec![], vec![]),
        ("records-reader", Reach::Allowed, vec![], vec![]),
        (
            "dina",
            Reach::Conditional,
            vec!["MFA".to_string()],
            vec![format!("sts:AssumeRole arn:aws:iam::{ACCOUNT}:role/records-reader")],
        ),
        (
            "jo",
            Reach::Allowed,
            vec![],
            vec![format!("iam:AddUserToGroup arn:aws:iam::{ACCOUNT}:group/readers")],
        ),
        (
            "pat",
            Reach::Allowed,
            vec![],
            vec![format!("iam:CreateAccessKey {}", user("rita"))],
        ),
        (
            "sam",
            Reach::Allowed,
            vec![],
            vec![format!("iam:PutUserPolicy {}", user("sam"))],
        ),
    ];
    let mut found_sorted = found.clone();
    found_sorted.sort_by(|a, b| a.0.cmp(b.0));
    let mut expected_sorted = expected.clone();
    expected_sorted.sort_by(|a, b| a.0.cmp(b.0));
    assert_eq!(found_sorted, expected_sorted);
    // Who can reach nothing is not listed.
    assert!(!answer.principals.iter().any(|a| a.name == "nobody"));
    // The hop names what allows it.
    let dina = answer.principals.iter().find(|a| a.name == "dina").unwrap();
    assert!(
        dina.path[0]
            .allowed_by
            .iter()
            .any(|s| s.contains("trust policy of role records-reader [Staff]")),
        "{:?}",
        dina.path
    );
}

#[test]
fn explain_gives_the_path_when_the_principal_reaches_the_access_through_others() {
    let account = through_others();
    let e = access::explain(
        &account,
        &Request::new("dina", "s3:GetObject", "arn:aws:s3:::records/scan.dcm"),
    )
    .unwrap();
    // dina's own policies do not allow it; the role she may assume does.
    assert_eq!(e.decision, NotGranted);
    assert_eq!(e.path.len(), 1, "{:?}", e.path);
    assert_eq!(e.path[0].action, "sts:AssumeRole");
    assert_eq!(e.path[0].requires, vec!["MFA".to_string()]);
    assert!(e.reason.contains("through other principals"), "{}", e.reason);
    let e = access::explain(
        &account,
        &Request::new("nobody", "s3:GetObject", "arn:aws:s3:::records/scan.dcm"),
    )
    .unwrap();
    assert!(e.path.is_empty());
    // Allowed by its own policies: no path.
    let e = access::explain(
        &account,
        &Request::new("rita", "s3:GetObject", "arn:aws:s3:::records/scan.dcm"),
    )
    .unwrap();
    assert_eq!(e.decision, Allowed);
    assert!(e.path.is_empty());
}

/// `[[phi_resource]]`: `phi_access.csv` lists, per resource and access level, who can and
/// how; `summary.md` gets a section; a level nobody has is a row of its own; a hostile
/// label stays data.
#[test]
fn phi_access_evidence_lists_who_can_read_write_and_manage_each_phi_resource() {
    use hipaa_iam_core::config::{Config, LoadedConfig, PhiResource};
    use hipaa_iam_core::report::evidence::{evidence_files, EvidenceOptions};
    let account = through_others();
    let config = Config {
        phi_resources: vec![PhiResource {
            label: "=HYPERLINK(\"x\") records | scans".to_string(),
            arn: vec!["arn:aws:s3:::records".to_string(), "arn:aws:s3:::records/*".to_string()],
        }],
        ..Config::default()
    };
    let rows = access::phi::phi_access(&account, &config.phi_resources);
    let levels: Vec<(&str, Vec<&str>)> = rows
        .iter()
        .map(|r| {
            let mut names: Vec<&str> = r.who.principals.iter().map(|a| a.name.as_str()).collect();
            names.sort_unstable();
            (r.level, names)
        })
        .collect();
    assert_eq!(
        levels,
        vec![
            ("read", vec!["dina", "jo", "pat", "records-reader", "rita", "sam"]),
            // sam may rewrite its own policies: any action, writes and permissions included.
            ("write", vec!["sam"]),
            ("permissions-management", vec!["sam"]),
        ]
    );
    assert!(rows.iter().all(|r| r.actions > 0), "each level has real s3 actions");
    let loaded = LoadedConfig {
        config,
        path: None,
        sha256: "00".into(),
    };
    let report = hipaa_iam_core::checks::audit(&account, &loaded.config, None);
    let (_, files) = evidence_files(&report, &account, &loaded, &EvidenceOptions::default(), Vec::new()).unwrap();
    let file = |name: &str| {
        String::from_utf8(
            files
                .iter()
                .find(|(n, _)| n == name)
                .unwrap_or_else(|| panic!("no {name}"))
                .1
                .clone(),
        )
        .unwrap()
    };
    let csv = file("phi_access.csv");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("Resource,ResourceArns,AccessLevel,PrincipalType,Principal,PrincipalArn,Decision,Requires,AllowedBy,Path")
    );
    let dina = csv.lines().find(|l| l.contains(",dina,")).unwrap();
    assert!(dina.starts_with("\"'=HYPERLINK"), "a formula is neutralised: {dina}");
    assert!(
        dina.contains(",read,user,dina,")
            && dina.contains(",conditional,MFA,")
            && dina.contains("sts:AssumeRole -> arn:aws:iam::123456789012:role/records-reader (requires MFA)"),
        "{dina}"
    );
    let summary = file("summary.md");
    assert!(summary.contains("## Access to PHI resources"), "{summary}");
    assert!(summary.contains("| read | 6 | 2 | 4 | 1 |"), "{summary}");
    assert!(
        summary.contains("records \\| scans"),
        "the label's pipe is escaped: {summary}"
    );
    // Without PHI resources, no file.
    let plain = LoadedConfig {
        config: Config::default(),
        path: None,
        sha256: "00".into(),
    };
    let (_, files) = evidence_files(&report, &account, &plain, &EvidenceOptions::default(), Vec::new()).unwrap();
    assert!(!files.iter().any(|(n, _)| n == "phi_access.csv"));
}

/// The demo account, whose Identity Center (the instance of the same account) provisions a
/// role per permission set.
fn demo() -> Account {
    Account::read_dir(&std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/demo-account")).unwrap()
}

#[test]
fn who_can_names_the_people_behind_identity_center_roles() {
    let account = demo();
    let sign_ins = |action: &str, resource: &str, role: &str| -> Vec<String> {
        let answer = access::who_can(&account, action, resource).unwrap();
        let a = answer
            .principals
            .iter()
            .find(|a| a.name == role)
            .unwrap_or_else(|| panic!("{role} cannot {action}: {:?}", answer.principals));
        a.identity_center.clone()
    };
    assert_eq!(
        sign_ins(
            "iam:CreateUser",
            "*",
            "AWSReservedSSO_AdministratorAccess_3f9a1c2b4d5e6f70"
        ),
        ["user alex.rivera through group IT-Admins via permission set AdministratorAccess"]
    );
    assert_eq!(
        sign_ins(
            "s3:GetObject",
            "arn:aws:s3:::clinic-ehr-records/chart.pdf",
            "AWSReservedSSO_ClinicianAccess_8b1e4d7a2c5f9e03"
        ),
        ["user dr.reyes through group Clinicians via permission set ClinicianAccess"]
    );
    assert_eq!(
        sign_ins(
            "s3:GetObject",
            "arn:aws:s3:::clinic-schedules/monday.csv",
            "AWSReservedSSO_FrontDeskCalendar_19d7e3b5a0c2f846"
        ),
        ["user sam.contractor via permission set FrontDeskCalendar (assigned directly)"]
    );
    // Roles of the account's own: nobody signs in as them through Identity Center.
    assert!(sign_ins("iam:CreateUser", "*", "ops-admin").is_empty());

    // The same role under another path is an ordinary role, whatever its name says; and
    // without the Identity Center data nobody is named.
    let mut set =
        ExportSet::read_dir(&std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/demo-account"))
            .unwrap();
    let text = String::from_utf8(set.files["authorization-details.json"].clone()).unwrap();
    set.files.insert(
        "authorization-details.json".into(),
        text.replace("/aws-reserved/sso.amazonaws.com/", "/imposter/")
            .into_bytes(),
    );
    let moved = Account::from_exports(&set).unwrap();
    let answer = access::who_can(&moved, "iam:CreateUser", "*").unwrap();
    let role = answer
        .principals
        .iter()
        .find(|a| a.name == "AWSReservedSSO_AdministratorAccess_3f9a1c2b4d5e6f70")
        .unwrap();
    assert!(role.identity_center.is_empty(), "{:?}", role.identity_center);
    set.files.retain(|k, _| !k.starts_with("identity-center/"));
    set.files.insert("authorization-details.json".into(), text.into_bytes());
    let without = Account::from_exports(&set).unwrap();
    let answer = access::who_can(&without, "iam:CreateUser", "*").unwrap();
    assert!(answer.principals.iter().all(|a| a.identity_center.is_empty()));
}
