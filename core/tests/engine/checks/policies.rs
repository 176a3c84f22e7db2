//! Checks decided by evaluating policy documents (never names): IAM-009 boundary-guardrails,
//! IAM-010 user-admin-access, IAM-011 service-wildcards, IAM-022 role-admin-access, IAM-023
//! privilege-escalation; and users in groups the data does not describe.

use super::*;

/// This family's checks that read only `authorization-details.json`, which every audit
/// requires: they cannot be `not-evaluated`.
pub(super) const AUTHORIZATION_ONLY: &[&str] = &["IAM-009", "IAM-010", "IAM-011", "IAM-022", "IAM-023", "IAM-024"];

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
        ("IAM-023", "alice", Pass),
        ("IAM-023", "ci-deployer", Pass),
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
        ("IAM-023", "carol", Fail),
        ("IAM-023", "svc-batch", Pass),
    ]),
    on_bare(&[("IAM-009", "permissions-boundary-base", NotEval)]),
    on_missing_policy(&[
        ("IAM-010", "ann", NotEval),
        ("IAM-022", "worker", NotEval),
        ("IAM-023", "ann", NotEval),
    ]),
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

fn admin_account() -> B {
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
        .any(|f| f.check_id == "IAM-023" && f.resource_name == "olga"));
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

#[test]
fn escalation_paths_are_evaluated_on_concrete_resources() {
    let only_self = |action: &str, resource: &str| json!({"UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]}}]});
    let base = || B::new().group("g", &[], &[]).user("other", &["g"], json!({}));
    // Attaching policies to oneself through ${aws:username}.
    let r = audit(&base().user(
        "sam",
        &["g"],
        only_self("iam:AttachUserPolicy", "arn:aws:iam::*:user/${aws:username}"),
    ));
    let f = find(&r, "IAM-023", "sam");
    assert_eq!(f.status, Fail);
    assert!(
        f.detail
            .contains("iam:AttachUserPolicy on arn:aws:iam::123456789012:user/sam"),
        "{}",
        f.detail
    );
    // Attaching policies to someone else only is not self-escalation.
    let r = audit(&base().user(
        "sam",
        &["g"],
        only_self("iam:AttachUserPolicy", "arn:aws:iam::*:user/other"),
    ));
    assert_eq!(find(&r, "IAM-023", "sam").status, Pass);
    // Creating another user's access key takes over that identity.
    let r = audit(&base().user("sam", &["g"], only_self("iam:CreateAccessKey", "arn:aws:iam::*:user/*")));
    assert_eq!(find(&r, "IAM-023", "sam").status, Fail);
    // Rotating one's own key is not escalation.
    let r = audit(&base().user(
        "sam",
        &["g"],
        only_self("iam:CreateAccessKey", "arn:aws:iam::*:user/${aws:username}"),
    ));
    assert_eq!(
        find(&r, "IAM-023", "sam").status,
        Pass,
        "{}",
        find(&r, "IAM-023", "sam").detail
    );
    // PassRole alone is not enough; with ec2:RunInstances it is.
    let pass = json!({"UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}}]});
    let with_role = || base().role("app", "/", &[], &[]);
    assert_eq!(
        find(&audit(&with_role().user("sam", &["g"], pass)), "IAM-023", "sam").status,
        Pass
    );
    let pass_run = json!({"UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": "*"}]}}]});
    let r = audit(&with_role().user("sam", &["g"], pass_run));
    let f = find(&r, "IAM-023", "sam");
    assert_eq!(f.status, Fail);
    assert!(
        f.detail
            .contains("iam:PassRole on arn:aws:iam::123456789012:role/app with ec2:RunInstances"),
        "{}",
        f.detail
    );
    // A conditional allow never counts.
    let cond = json!({"UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:AddUserToGroup", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}}]});
    assert_eq!(
        find(&audit(&base().user("sam", &["g"], cond)), "IAM-023", "sam").status,
        Pass
    );
    // CreatePolicyVersion on a customer policy attached to the user's group.
    let b = B::new()
        .managed("team", json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": policy_arn("team")}]}))
        .group("g", &[&policy_arn("team")], &[])
        .user("sam", &["g"], json!({}));
    let f = audit(&b);
    let f = find(&f, "IAM-023", "sam");
    assert_eq!(f.status, Fail);
    assert!(f.detail.contains("team (attached to group g)"), "{}", f.detail);
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

#[test]
fn escalation_paths_are_listed_target_by_target_and_all_counted() {
    let wide = json!({"UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["iam:CreateLoginProfile", "iam:CreateAccessKey"], "Resource": "arn:aws:iam::*:user/*"},
        {"Effect": "Allow", "Action": "iam:AddUserToGroup", "Resource": "*"}]}}]});
    let mut b = B::new().group("g", &[], &[]).group("h", &[], &[]);
    for name in ["d", "a", "c", "b"] {
        b = b.user(name, &["g"], json!({}));
    }
    let r = audit(&b.user("sam", &["g"], wide));
    let f = find(&r, "IAM-023", "sam");
    assert_eq!(f.status, Fail);
    let user = |n: &str| format!("arn:aws:iam::{ACCOUNT}:user/{n}");
    let by = "(allowed by inline p on user sam [statement 1])";
    let want = format!(
        "escalation paths: iam:CreateAccessKey on {a} {by}; iam:CreateLoginProfile on {a} {by}; \
         iam:CreateAccessKey on {b} {by}; iam:CreateLoginProfile on {b} {by}; iam:CreateAccessKey on {c} {by} \
         and 5 more",
        a = user("a"),
        b = user("b"),
        c = user("c"),
    );
    // 4 other users x 2 actions, and 2 groups to join; never sam itself.
    assert_eq!(f.detail, want);
}

/// IAM-023's `iam:PassRole` path, one service family at a time: PassRole on a role plus one
/// action of the family that hands a role to new compute fails; PassRole alone does not.
#[test]
fn pass_role_with_each_compute_family_is_an_escalation_path() {
    use hipaa_iam_core::policy::pass_role::COMPUTE;
    let mut families: Vec<&str> = COMPUTE.iter().map(|c| c.family).collect();
    families.dedup();
    assert!(families.len() >= 20, "{families:?}");
    let user = |actions: Vec<&str>| {
        let inline = json!({"UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": actions, "Resource": "*"}]}}]});
        let b = admin_account()
            .role("ops-admin", "/", &["arn:aws:iam::aws:policy/AdministratorAccess"], &[])
            .user("pat", &[], inline);
        audit(&b)
    };
    for family in families {
        // The last action of the family: the first ones are what the check knew before.
        let action = COMPUTE
            .iter()
            .rev()
            .find(|c| c.family == family)
            .map(|c| c.action)
            .unwrap_or_default();
        let r = user(vec!["iam:PassRole", action]);
        let f = find(&r, "IAM-023", "pat");
        assert_eq!(f.status, Fail, "{family} ({action}): {}", f.detail);
        assert!(
            f.detail.contains(&format!(
                "iam:PassRole on arn:aws:iam::123456789012:role/ops-admin with {action}"
            )),
            "{family}: {}",
            f.detail
        );
        // The compute action alone, or PassRole alone, is no path.
        assert_eq!(find(&user(vec![action]), "IAM-023", "pat").status, Pass, "{family}");
    }
    assert_eq!(find(&user(vec!["iam:PassRole"]), "IAM-023", "pat").status, Pass);
    // Many compute actions are listed three at a time.
    let r = user(vec![
        "iam:PassRole",
        "glue:CreateJob",
        "ec2:RunInstances",
        "codebuild:CreateProject",
        "cloudformation:CreateStack",
    ]);
    let f = find(&r, "IAM-023", "pat");
    assert!(
        f.detail
            .contains("with ec2:RunInstances, glue:CreateJob, codebuild:CreateProject and 1 more"),
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
