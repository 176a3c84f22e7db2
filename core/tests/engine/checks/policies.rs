//! Checks decided by evaluating policy documents (never names): IAM-009 boundary-guardrails,
//! IAM-010 user-admin-access, IAM-011 service-wildcards, IAM-022 role-admin-access, IAM-023
//! privilege-escalation; and users in groups the data does not describe.

use super::*;

/// This family's checks that read only `authorization-details.json`, which every audit
/// requires: they cannot be `not-evaluated`.
pub(super) const AUTHORIZATION_ONLY: &[&str] = &["IAM-009", "IAM-010", "IAM-011", "IAM-022", "IAM-024"];

/// Accounts and what this family's checks decide on them: each check passes on one, fails
/// on another and is `not-evaluated` (or `error`) where its data is absent.
pub(super) static CASES: &[Case] = &[
    on_compliant(&[
        ("IAM-009", "permissions-boundary-base", Pass),
        ("IAM-010", "alice", Pass),
        ("IAM-010", "ci-deployer", Pass),
        ("IAM-011", "ci-deploy", Pass),
        ("IAM-011", "deny-without-mfa", Pass),
        ("IAM-011", "permissions-boundary-base", Pass),
        ("IAM-011", "app-server/read-records", Pass),
        ("IAM-022", "app-server", Pass),
        ("IAM-024", "deny-without-mfa", Pass),
        ("IAM-024", "permissions-boundary-base", Pass),
        ("IAM-024", "app-server/read-records", Pass),
    ]),
    on_gaps(&[
        ("IAM-009", "permissions-boundary-base", Fail),
        ("IAM-010", "bob", Fail),
        ("IAM-010", "carol", Pass),
        ("IAM-011", "devs/dev-all", Fail),
        ("IAM-011", "other-boundary", Fail),
        ("IAM-022", "admin-role", Fail),
    ]),
    on_bare(&[("IAM-009", "permissions-boundary-base", NotEval)]),
    on_missing_policy(&[("IAM-010", "ann", NotEval), ("IAM-022", "worker", NotEval)]),
    case(
        "policies with misspelled actions",
        || typos().account(),
        defaults,
        &[
            ("IAM-024", "guard", Fail),
            ("IAM-024", "reader", Pass),
            ("IAM-024", "ops/inline-typo", Fail),
            ("IAM-024", "admins", NotEval),
        ],
    ),
];

/// A customer policy whose Deny misspells an action, a correct one, an inline policy with
/// a typo, and a user in a group the data does not describe.
fn typos() -> B {
    let guard = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "ProtectPHI", "Effect": "Deny", "Action": ["s3:DeleteObjects", "kms:ScheduleKeyDeletion"], "Resource": "*"}]});
    let reader = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "S3:listbucket", "kms:Decrypt*"], "Resource": "*"}]});
    let typo = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "kms:decrypts", "Resource": "*"}]});
    B::new()
        .managed("guard", guard)
        .managed("reader", reader)
        .group(
            "ops",
            &[&policy_arn("guard"), &policy_arn("reader")],
            &[("inline-typo", typo)],
        )
        .user("dana", &["ops", "admins"], json!({}))
}

#[test]
fn cases() {
    run_cases(CASES);
}

pub(super) fn admin_account() -> B {
    B::new().managed_at("arn:aws:iam::aws:policy/AdministratorAccess", admin_doc())
}

#[test]
fn administrator_access_through_a_group_fails_iam_010() {
    let b = admin_account()
        .group("ops", &["arn:aws:iam::aws:policy/AdministratorAccess"], &[])
        .user("olga", &["ops"], json!({}));
    let r = audit(&b);
    let f = find(&r, "IAM-010", "olga");
    assert_eq!(f.status, Fail);
    assert!(
        f.detail.contains("AdministratorAccess (attached to group ops)"),
        "{}",
        f.detail
    );
    // Administrators are IAM-010's, not IAM-023's.
    assert!(!r
        .findings
        .iter()
        .any(|f| f.check.id == "IAM-023" && f.resource_name == "olga"));
}

#[test]
fn a_policy_named_admin_that_only_reads_does_not_fail() {
    let read =
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]});
    let b = B::new().managed("AdminReadOnly", read).group("g", &[], &[]).user(
        "rita",
        &["g"],
        json!({"AttachedManagedPolicies": [attached(&policy_arn("AdminReadOnly"))]}),
    );
    let r = audit(&b);
    assert_eq!(find(&r, "IAM-010", "rita").status, Pass);
    assert_eq!(find(&r, "IAM-011", "AdminReadOnly").status, Pass);
    assert_eq!(find(&r, "IAM-023", "rita").status, Pass);
}

#[test]
fn an_inline_star_on_star_fails_and_a_boundary_without_iam_stops_it() {
    let inline = json!({"UserPolicyList": [{"PolicyName": "everything", "PolicyDocument": {"Version": "2012-10-17", "Statement": {"Action": "*", "Resource": "*", "Effect": "Allow"}}}]});
    let r = audit(&B::new().group("g", &[], &[]).user("ivan", &["g"], inline.clone()));
    let f = find(&r, "IAM-010", "ivan");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("inline everything on user ivan"), "{}", f.detail);
    assert_eq!(find(&r, "IAM-011", "ivan/everything").status, Fail);
    // The guide's boundary does not allow iam:* (it allows a read-only starter set).
    let mut extra = inline;
    merge(
        &mut extra,
        json!({"PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": policy_arn("permissions-boundary-base")}}),
    );
    let r = audit(
        &B::new()
            .managed("permissions-boundary-base", boundary_doc())
            .group("g", &[], &[])
            .user("ivan", &["g"], extra),
    );
    assert_eq!(
        find(&r, "IAM-010", "ivan").status,
        Pass,
        "{}",
        find(&r, "IAM-010", "ivan").detail
    );
    assert_eq!(find(&r, "IAM-008", "ivan").status, Pass);
    assert_eq!(find(&r, "IAM-009", "permissions-boundary-base").status, Pass);
    // Not an administrator, and the boundary denies every escalation path.
    assert_eq!(
        find(&r, "IAM-023", "ivan").status,
        Pass,
        "{}",
        find(&r, "IAM-023", "ivan").detail
    );
}

#[test]
fn roles_are_judged_like_users_except_service_linked_ones() {
    let b = admin_account()
        .role("deploy", "/", &["arn:aws:iam::aws:policy/AdministratorAccess"], &[])
        .role("AWSServiceRoleForSupport", "/aws-service-role/support.amazonaws.com/", &["arn:aws:iam::aws:policy/AdministratorAccess"], &[])
        .role("reader", "/", &[], &[("read", json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))]);
    let r = audit(&b);
    assert_eq!(find(&r, "IAM-022", "deploy").status, Fail);
    assert_eq!(find(&r, "IAM-022", "reader").status, Pass);
    assert!(!r.findings.iter().any(|f| f.resource_name == "AWSServiceRoleForSupport"));
}

/// breakglass is in `admins` (AdministratorAccess in AWS), which the data lacks; carl is in
/// `g`, which it has.
fn missing_admin_group() -> B {
    admin_account()
        .group("g", &[], &[])
        .user("breakglass", &["admins"], json!({}))
        .cred(Cred::new("breakglass").password(Some(1)).mfa())
        .user("carl", &["g"], json!({}))
        .cred(Cred::new("carl"))
}

#[test]
fn a_group_missing_from_the_data_leaves_its_members_not_evaluated() {
    let r = audit(&missing_admin_group());
    for check in ["IAM-010", "IAM-023"] {
        let f = find(&r, check, "breakglass");
        assert_eq!(f.status, NotEval, "{check}: {}", f.detail);
        assert!(f.detail.contains("group admins"), "{check}: {}", f.detail);
    }
    // Console user whose only group is unknown: it might enforce MFA.
    let f = find(&r, "IAM-005", "breakglass");
    assert_eq!(f.status, NotEval, "{}", f.detail);
    assert!(f.detail.contains("admins"), "{}", f.detail);
    // Its inline policies cannot be judged.
    let f = find(&r, "IAM-011", "admins");
    assert_eq!(f.status, NotEval, "{}", f.detail);
    // Membership itself is known from the user's GroupList.
    assert_eq!(find(&r, "IAM-006", "breakglass").status, Pass);
    // Users whose groups are all present are judged as before.
    assert_eq!(find(&r, "IAM-010", "carl").status, Pass);
    assert_eq!(find(&r, "IAM-023", "carl").status, Pass);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("group admins") && w.contains("breakglass") && w.contains("--filter User")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn what_the_present_documents_decide_stays_decided_when_a_group_is_missing() {
    // Full access from the user's own policy: a missing group cannot take it away (it is
    // assumed to deny nothing, as a missing managed policy is).
    let inline = json!({"UserPolicyList": [{"PolicyName": "everything", "PolicyDocument": admin_doc()}]});
    let r = audit(&missing_admin_group().user("ivan", &["admins"], inline));
    let f = find(&r, "IAM-010", "ivan");
    assert_eq!(f.status, Fail, "{}", f.detail);
    assert!(f.detail.contains("group admins is not in the data"), "{}", f.detail);
    // An escalation path in the present documents fails whatever the missing group holds.
    let own = json!({"UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": "arn:aws:iam::*:user/${aws:username}"}]}}]});
    let r = audit(&missing_admin_group().user("sam", &["admins"], own));
    assert_eq!(find(&r, "IAM-023", "sam").status, Fail);
    // A console user in an enforcing group passes IAM-005 whatever its other, missing, group holds.
    let b = mfa_account(deny_without_mfa("BoolIfExists"), &["human-users"], &["human-users"])
        .user("dora", &["human-users", "admins"], json!({}))
        .cred(Cred::new("dora").password(Some(1)).mfa());
    assert_eq!(find(&audit(&b), "IAM-005", "dora").status, Pass);
}

#[test]
fn adding_oneself_to_a_group_the_data_lacks_is_not_evaluated() {
    // sam may add users to `admins` only; the data has no such group (breakglass is in it).
    let add = json!({"UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:AddUserToGroup", "Resource": format!("arn:aws:iam::{ACCOUNT}:group/admins")}]}}]});
    let r = audit(&missing_admin_group().user("sam", &["g"], add));
    let f = find(&r, "IAM-023", "sam");
    assert_eq!(f.status, NotEval, "{}", f.detail);
    assert!(
        f.detail.contains("iam:AddUserToGroup") && f.detail.contains("admins"),
        "{}",
        f.detail
    );
}

/// IAM-010 and IAM-011 judged over the action catalogue.
#[test]
fn admin_and_wildcards_are_judged_over_real_actions() {
    let inline = |name: &str, doc: Value| json!({"UserPolicyList": [{"PolicyName": name, "PolicyDocument": doc}]});
    // Allow NotAction of a name no service has: every action.
    let r = audit(&B::new().user(
        "nia",
        &[],
        inline(
            "almost",
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "iam:NoSuchThing", "Resource": "*"}]}),
        ),
    ));
    assert_eq!(find(&r, "IAM-010", "nia").status, Fail);
    let f = find(&r, "IAM-011", "nia/almost");
    assert_eq!(f.status, Fail);
    assert!(
        f.detail.contains("(every action: it names no real action)"),
        "{}",
        f.detail
    );
    assert_eq!(find(&r, "IAM-024", "nia/almost").status, Fail);
    // A Deny of a name no service has takes nothing away from * on *.
    let r = audit(&B::new().user(
        "dee",
        &[],
        inline(
            "admin-with-typo-guard",
            json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Effect": "Deny", "Action": "iam:DeleteUsers", "Resource": "*"}]}),
        ),
    ));
    assert_eq!(find(&r, "IAM-010", "dee").status, Fail);
    // An Allow cancelled by a Deny in the same policy: no wildcard granted.
    let r = audit(&B::new().user(
        "cy",
        &[],
        inline(
            "cancelled",
            json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}),
        ),
    ));
    assert_eq!(find(&r, "IAM-011", "cy/cancelled").status, Pass);
    // Allow NotAction "*": nothing.
    let r = audit(&B::new().user(
        "nil",
        &[],
        inline(
            "nothing",
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "*", "Resource": "*"}]}),
        ),
    ));
    assert_eq!(find(&r, "IAM-011", "nil/nothing").status, Pass);
    assert_eq!(find(&r, "IAM-010", "nil").status, Pass);
}

#[test]
fn unknown_actions_are_named_with_the_closest_real_one_and_their_effect() {
    let r = audit(&typos());
    let f = find(&r, "IAM-024", "guard");
    assert!(
        f.detail.contains("\"s3:DeleteObjects\" (Deny Action of ProtectPHI): s3 has no such action; did you mean s3:DeleteObject?; the Deny does not apply to it: the protection silently does not apply"),
        "{}",
        f.detail
    );
    assert!(
        f.detail.starts_with("1 name is not in the IAM action catalogue of 20"),
        "{}",
        f.detail
    );
    let f = find(&r, "IAM-024", "ops/inline-typo");
    assert!(
        f.detail.contains("did you mean kms:Decrypt?; it grants nothing"),
        "{}",
        f.detail
    );
}
