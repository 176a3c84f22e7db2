//! Checks on the access graph: IAM-023 privilege-escalation, IAM-025 admin-via-role, IAM-026
//! role-privilege-escalation; and the graph's edges, one table per kind.

use super::policies::admin_account;
use super::*;

/// This family's checks that read only `authorization-details.json`: none (a missing group
/// or managed policy leaves each of them not-evaluated).
pub(super) const AUTHORIZATION_ONLY: &[&str] = &[];

pub(super) static CASES: &[Case] = &[
    on_compliant(&[
        ("IAM-023", "alice", Pass),
        ("IAM-023", "ci-deployer", Pass),
        ("IAM-025", "alice", Pass),
        ("IAM-025", "ci-deployer", Pass),
        ("IAM-026", "app-server", Pass),
    ]),
    on_gaps(&[
        ("IAM-023", "carol", Fail),
        ("IAM-023", "svc-batch", Pass),
        ("IAM-025", "carol", Fail),
        ("IAM-025", "svc-batch", Pass),
        ("IAM-026", "deployer", Fail),
        ("IAM-026", "reader", Pass),
    ]),
    on_missing_policy(&[
        ("IAM-023", "ann", NotEval),
        ("IAM-025", "ann", NotEval),
        ("IAM-026", "worker", NotEval),
    ]),
];

#[test]
fn cases() {
    run_cases(CASES);
}

const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

fn user_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:user/{name}")
}

fn role_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:role/{name}")
}

/// A user's inline policy `p` with these statements.
fn inline(statements: Value) -> Value {
    json!({"UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}]})
}

/// A role's inline policy `p` with these statements.
fn role_inline(statements: Value) -> Vec<(&'static str, Value)> {
    vec![("p", json!({"Version": "2012-10-17", "Statement": statements}))]
}

fn allow(action: &str, resource: &str) -> Value {
    json!({"Effect": "Allow", "Action": action, "Resource": resource})
}

/// A trust policy of one `Allow sts:AssumeRole` to `principal`, with `condition` unless null.
fn trust(principal: Value, condition: Value) -> Value {
    let mut s = json!({"Sid": "Trust", "Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"});
    if !condition.is_null() {
        s["Condition"] = condition;
    }
    json!({"Version": "2012-10-17", "Statement": [s]})
}

fn root() -> Value {
    json!({"AWS": format!("arn:aws:iam::{ACCOUNT}:root")})
}

/// Trust of the account, without conditions.
fn by_root() -> Value {
    trust(root(), Value::Null)
}

fn mfa() -> Value {
    json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}})
}

/// A read policy: something a user without it lacks.
fn reads() -> Value {
    json!([allow("s3:GetObject", "arn:aws:s3:::clinic-records/*")])
}

/// User `dina` with `extra`, and role `ops-admin` (full access) trusting as `trust_doc`.
fn dina_and_ops_admin(extra: Value, trust_doc: Value) -> B {
    admin_account()
        .role("ops-admin", "/", &[ADMIN], &[])
        .trust("ops-admin", trust_doc)
        .user("dina", &[], extra)
}

/// Role assumption, refused or allowed by each side: the identity policy, the boundary and
/// the trust policy; trust by ARN, by account root, by `*`.
#[test]
fn assuming_an_administrator_role_needs_both_sides() {
    let boundary_without_sts = json!({"Version": "2012-10-17", "Statement": [allow("s3:*", "*")]});
    let with_boundary = |extra: Value| {
        let mut e = extra;
        merge(
            &mut e,
            json!({"PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": policy_arn("no-sts")}}),
        );
        e
    };
    let may_assume = inline(json!([allow("sts:AssumeRole", &role_arn("ops-admin"))]));
    let may_assume_all = inline(json!([allow("sts:AssumeRole", "*")]));
    let deny_assume = inline(json!([
        allow("sts:AssumeRole", "*"),
        {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": role_arn("ops-admin")}
    ]));
    let nothing = inline(reads());
    let by_arn = trust(json!({"AWS": user_arn("dina")}), Value::Null);
    let by_other_arn = trust(json!({"AWS": user_arn("someone-else")}), Value::Null);
    let anyone = trust(json!({"AWS": "*"}), Value::Null);
    let partner = trust(json!({"AWS": "arn:aws:iam::210987654321:root"}), Value::Null);
    let service = trust(json!({"Service": "ec2.amazonaws.com"}), Value::Null);
    let refused = trust(
        json!({"AWS": "*"}),
        json!({"StringEquals": {"aws:username": "someone-else"}}),
    );
    let table: Vec<(&str, Value, Value, bool, Status)> = vec![
        (
            "identity allows, trust by root",
            may_assume.clone(),
            by_root(),
            false,
            Fail,
        ),
        (
            "identity allows on *, trust by root",
            may_assume_all.clone(),
            by_root(),
            false,
            Fail,
        ),
        (
            "identity allows, trust by *",
            may_assume.clone(),
            anyone.clone(),
            false,
            Fail,
        ),
        (
            "no identity allow, trust by root",
            nothing.clone(),
            by_root(),
            false,
            Pass,
        ),
        (
            "no identity allow, trust by ARN",
            nothing.clone(),
            by_arn.clone(),
            false,
            Fail,
        ),
        (
            "identity allows, trust names another",
            may_assume.clone(),
            by_other_arn,
            false,
            Pass,
        ),
        (
            "identity allows, trust by another account",
            may_assume.clone(),
            partner,
            false,
            Pass,
        ),
        (
            "identity allows, trust by a service",
            may_assume.clone(),
            service,
            false,
            Pass,
        ),
        (
            "identity denies, trust by ARN",
            deny_assume,
            by_arn.clone(),
            false,
            Pass,
        ),
        (
            "trust condition false for the caller",
            may_assume.clone(),
            refused,
            false,
            Pass,
        ),
        (
            "boundary without sts, trust by root",
            may_assume.clone(),
            by_root(),
            true,
            Pass,
        ),
        ("boundary without sts, trust by ARN", nothing, by_arn, true, Pass),
        ("boundary without sts, trust by *", may_assume_all, anyone, true, Pass),
    ];
    for (name, extra, trust_doc, bounded, want) in table {
        let extra = if bounded { with_boundary(extra) } else { extra };
        let b = dina_and_ops_admin(extra, trust_doc).managed("no-sts", boundary_without_sts.clone());
        let r = audit(&b);
        let f = find(&r, "IAM-025", "dina");
        assert_eq!(f.status, want, "{name}: {}", f.detail);
        // IAM-010 judges dina's own policies: never an administrator here.
        assert_eq!(find(&r, "IAM-010", "dina").status, Pass, "{name}");
    }
}

#[test]
fn the_path_is_written_hop_by_hop_with_its_mfa() {
    let b = admin_account()
        .role("ops-admin", "/", &[ADMIN], &[])
        .trust("ops-admin", trust(root(), mfa()))
        .group(
            "developers",
            &[],
            &[(
                "developer-access",
                json!({"Version": "2012-10-17", "Statement": [{"Sid": "AssumeOps", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role_arn("ops-admin")}]}),
            )],
        )
        .user("dev.dina", &["developers"], json!({}));
    let f = find(&audit(&b), "IAM-025", "dev.dina").clone();
    assert_eq!(f.status, Fail);
    assert_eq!(
        f.detail,
        "can become a full administrator by assuming roles: user dev.dina -> sts:AssumeRole \
         (inline developer-access on group developers [AssumeOps], trust policy of role ops-admin [Trust]: \
         trusts the account; requires MFA) -> role ops-admin -> AdministratorAccess (attached to role ops-admin) \
         [statement 1] (every hop requires MFA); service control policies unknown (not collected: not an \
         organization run; `audit --org` applies them)"
    );
    // Without the MFA condition, the same path does not require MFA.
    let b = admin_account()
        .role("ops-admin", "/", &[ADMIN], &[])
        .trust("ops-admin", trust(root(), Value::Null))
        .user("dina", &[], inline(json!([allow("sts:AssumeRole", "*")])));
    let f = find(&audit(&b), "IAM-025", "dina").clone();
    assert!(f.detail.contains("(not every hop requires MFA); "), "{}", f.detail);
    assert!(!f.detail.contains("; requires MFA)"), "{}", f.detail);
    // An MFA condition on the identity side counts too, and an external ID is named.
    let b = admin_account()
        .role("ops-admin", "/", &[ADMIN], &[])
        .trust(
            "ops-admin",
            trust(root(), json!({"StringEquals": {"sts:ExternalId": "clinic-7"}})),
        )
        .user(
            "dina",
            &[],
            inline(json!([{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*", "Condition": mfa()}])),
        );
    let f = find(&audit(&b), "IAM-025", "dina").clone();
    assert_eq!(f.status, Fail, "{}", f.detail);
    assert!(f.detail.contains("requires MFA, an external ID"), "{}", f.detail);
}

/// Chains of two and three roles, and cycles between roles.
#[test]
fn chains_of_roles_lead_to_administrators_and_cycles_end() {
    let assume = |target: &str| role_inline(json!([allow("sts:AssumeRole", &role_arn(target))]));
    let chain = |hops: &[&str]| {
        // dina -> hops[0] -> hops[1] -> ... -> ops-admin
        let mut b = admin_account()
            .role("ops-admin", "/", &[ADMIN], &[])
            .trust(
                "ops-admin",
                trust(json!({"AWS": role_arn(hops[hops.len() - 1])}), Value::Null),
            )
            .user(
                "dina",
                &[],
                inline(json!([allow("sts:AssumeRole", &role_arn(hops[0]))])),
            );
        for (i, name) in hops.iter().enumerate() {
            let next = hops.get(i + 1).copied().unwrap_or("ops-admin");
            let caller = if i == 0 {
                user_arn("dina")
            } else {
                role_arn(hops[i - 1])
            };
            b = b
                .role(name, "/", &[], &assume(next))
                .trust(name, trust(json!({"AWS": caller}), Value::Null));
        }
        b
    };
    for hops in [
        &["step-1"][..],
        &["step-1", "step-2"][..],
        &["step-1", "step-2", "step-3"][..],
    ] {
        let f = find(&audit(&chain(hops)), "IAM-025", "dina").clone();
        assert_eq!(f.status, Fail, "{hops:?}: {}", f.detail);
        let arrows = f.detail.matches("-> sts:AssumeRole").count();
        assert_eq!(arrows, hops.len() + 1, "{hops:?}: {}", f.detail);
    }
    // A cycle a <-> b that never reaches an administrator ends, and passes.
    let b = admin_account()
        .role("a", "/", &[], &assume("b"))
        .trust("a", trust(root(), Value::Null))
        .role("b", "/", &[], &assume("a"))
        .trust("b", trust(root(), Value::Null))
        .role("ops-admin", "/", &[ADMIN], &[])
        .trust("ops-admin", trust(json!({"AWS": user_arn("nobody")}), Value::Null))
        .user("dina", &[], inline(json!([allow("sts:AssumeRole", &role_arn("a"))])));
    let r = audit(&b);
    assert_eq!(find(&r, "IAM-025", "dina").status, Pass);
    // Assuming more roles is delegation, not escalation: IAM-023 passes.
    assert_eq!(find(&r, "IAM-023", "dina").status, Pass);
}

#[test]
fn escalation_counts_only_paths_that_gain_something() {
    let base = || {
        B::new()
            .group("g", &[], &[])
            .group(
                "readers",
                &[],
                &[("read", json!({"Version": "2012-10-17", "Statement": reads()}))],
            )
            .group("empty", &[], &[])
            .user("other", &["g"], json!({}))
            .user("reader", &["readers"], json!({}))
    };
    let status = |b: B, who: &str| {
        let r = audit(&b);
        let f = find(&r, "IAM-023", who).clone();
        (f.status, f.detail)
    };
    // Creating keys for a user with no permissions gains nothing; for one with some, it does.
    let (s, d) = status(
        base().user(
            "sam",
            &["g"],
            inline(json!([allow("iam:CreateAccessKey", &user_arn("other"))])),
        ),
        "sam",
    );
    assert_eq!(s, Pass, "{d}");
    let (s, d) = status(
        base().user(
            "sam",
            &["g"],
            inline(json!([allow("iam:CreateAccessKey", &user_arn("reader"))])),
        ),
        "sam",
    );
    assert_eq!(s, Fail, "{d}");
    assert!(
        d.contains("user sam -> iam:CreateAccessKey (inline p on user sam [statement 1]) -> user reader (gains 1 action it lacks (s3:GetObject))"),
        "{d}"
    );
    // Joining a group that grants nothing, or one's own group, gains nothing.
    for group in ["empty", "g"] {
        let arn = format!("arn:aws:iam::{ACCOUNT}:group/{group}");
        let (s, d) = status(
            base().user("sam", &["g"], inline(json!([allow("iam:AddUserToGroup", &arn)]))),
            "sam",
        );
        assert_eq!(s, Pass, "{group}: {d}");
    }
    let (s, d) = status(
        base().user(
            "sam",
            &["g"],
            inline(json!([allow(
                "iam:AddUserToGroup",
                &format!("arn:aws:iam::{ACCOUNT}:group/readers")
            )])),
        ),
        "sam",
    );
    assert_eq!(s, Fail, "{d}");
    // A group one already has the access of gains nothing.
    let (s, d) = status(
        base().user(
            "sam",
            &["g"],
            inline(json!([
                allow("iam:AddUserToGroup", &format!("arn:aws:iam::{ACCOUNT}:group/readers")),
                allow("s3:GetObject", "arn:aws:s3:::clinic-records/*")
            ])),
        ),
        "sam",
    );
    assert_eq!(s, Pass, "{d}");
    // Rewriting one's own policies gains everything; someone else's, nothing.
    let (s, d) = status(
        base().user(
            "sam",
            &["g"],
            inline(json!([allow(
                "iam:PutUserPolicy",
                "arn:aws:iam::*:user/${aws:username}"
            )])),
        ),
        "sam",
    );
    assert_eq!(s, Fail, "{d}");
    assert!(d.contains("-> iam:PutUserPolicy (inline p on user sam [statement 1]) -> user sam (gains may then be given every action)"), "{d}");
    let (s, d) = status(
        base().user(
            "sam",
            &["g"],
            inline(json!([allow("iam:PutUserPolicy", &user_arn("other"))])),
        ),
        "sam",
    );
    assert_eq!(s, Pass, "{d}");
    // A new version of a customer policy attached to one's group.
    let b = B::new()
        .managed(
            "team",
            json!({"Version": "2012-10-17", "Statement": [allow("iam:CreatePolicyVersion", &policy_arn("team"))]}),
        )
        .group("g", &[&policy_arn("team")], &[])
        .user("sam", &["g"], json!({}));
    let (s, d) = status(b, "sam");
    assert_eq!(s, Fail, "{d}");
    assert!(
        d.contains(&format!(
            "team (attached to group g) [statement 1]) -> policy {} of group g",
            policy_arn("team")
        )),
        "{d}"
    );
    // An allow under a condition the data cannot decide is a path, with its condition named.
    let cond = inline(
        json!([{"Effect": "Allow", "Action": "iam:AddUserToGroup", "Resource": "*",
        "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]),
    );
    let (s, d) = status(base().user("sam", &["g"], cond), "sam");
    assert_eq!(s, Fail, "{d}");
    assert!(d.contains("requires a condition on aws:SourceIp"), "{d}");
}

/// Taking over users: a login profile can be created only for a user without a password,
/// and updated only for one with a password.
#[test]
fn takeover_follows_whether_the_target_has_a_password() {
    let b = |action: &str, has_password: bool| {
        let cred = if has_password {
            Cred::new("reader").password(Some(3))
        } else {
            Cred::new("reader")
        };
        B::new()
            .group(
                "readers",
                &[],
                &[("read", json!({"Version": "2012-10-17", "Statement": reads()}))],
            )
            .user("reader", &["readers"], json!({}))
            .cred(cred)
            .user("sam", &[], inline(json!([allow(action, "*")])))
            .cred(Cred::new("sam"))
    };
    for (action, has_password, want) in [
        ("iam:CreateLoginProfile", false, Fail),
        ("iam:CreateLoginProfile", true, Pass),
        ("iam:UpdateLoginProfile", true, Fail),
        ("iam:UpdateLoginProfile", false, Pass),
        ("iam:CreateAccessKey", true, Fail),
        ("iam:CreateAccessKey", false, Fail),
    ] {
        let r = audit(&b(action, has_password));
        let f = find(&r, "IAM-023", "sam");
        assert_eq!(f.status, want, "{action} password={has_password}: {}", f.detail);
    }
}

#[test]
fn escalation_paths_are_listed_nearest_first_and_all_counted() {
    let wide = inline(json!([
        allow("iam:CreateAccessKey", "arn:aws:iam::*:user/*"),
        allow("iam:AddUserToGroup", "*")
    ]));
    let mut b = B::new().group("g", &[], &[]).group(
        "readers",
        &[],
        &[("read", json!({"Version": "2012-10-17", "Statement": reads()}))],
    );
    for name in ["f", "d", "a", "c", "b", "e"] {
        b = b.user(name, &["readers"], json!({}));
    }
    let f = find(&audit(&b.user("sam", &["g"], wide)), "IAM-023", "sam").clone();
    assert_eq!(f.status, Fail);
    let hop = |n: &str| {
        format!(
            "user sam -> iam:CreateAccessKey (inline p on user sam [statement 1]) -> user {n} (gains 1 action it lacks (s3:GetObject))"
        )
    };
    // Six users to take over and one group to join; never sam itself.
    let want = format!(
        "escalation paths: {}; {}; {}; {}; {}; and 2 more",
        hop("a"),
        hop("b"),
        hop("c"),
        hop("d"),
        hop("e")
    );
    assert_eq!(f.detail, want);
}

/// IAM-023's `iam:PassRole` path, one service family at a time: PassRole on a role an AWS
/// service can assume plus one action of the family that hands a role to new compute fails;
/// PassRole alone, the compute action alone, or a role no service can assume does not.
#[test]
fn pass_role_with_each_compute_family_is_an_escalation_path() {
    use hipaa_iam_core::policy::pass_role::COMPUTE;
    let mut families: Vec<&str> = COMPUTE.iter().map(|c| c.family).collect();
    families.dedup();
    assert!(families.len() >= 20, "{families:?}");
    let user = |actions: Vec<&str>| {
        let b = admin_account().role("ops-admin", "/", &[ADMIN], &[]).user(
            "pat",
            &[],
            inline(json!([{"Effect": "Allow", "Action": actions, "Resource": "*"}])),
        );
        audit(&b)
    };
    for family in families {
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
                "-> iam:PassRole (inline p on user pat [statement 1], with {action}) -> role ops-admin (gains every action)"
            )),
            "{family}: {}",
            f.detail
        );
        assert_eq!(find(&user(vec![action]), "IAM-023", "pat").status, Pass, "{family}");
    }
    assert_eq!(find(&user(vec!["iam:PassRole"]), "IAM-023", "pat").status, Pass);
    // A role only users can assume cannot be handed to compute.
    let b = admin_account()
        .role("ops-admin", "/", &[ADMIN], &[])
        .trust("ops-admin", trust(json!({"AWS": user_arn("nobody")}), Value::Null))
        .user(
            "pat",
            &[],
            inline(json!([allow("iam:PassRole", "*"), allow("ec2:RunInstances", "*")])),
        );
    assert_eq!(find(&audit(&b), "IAM-023", "pat").status, Pass);
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

#[test]
fn roles_that_can_rewrite_themselves_or_pass_stronger_roles_fail_iam_026() {
    let b = admin_account()
        .role("ops-admin", "/", &[ADMIN], &[])
        .role(
            "self-editor",
            "/",
            &[],
            &role_inline(json!([allow("iam:PutRolePolicy", &role_arn("self-editor"))])),
        )
        .role(
            "other-editor",
            "/",
            &[],
            &role_inline(json!([allow("iam:PutRolePolicy", &role_arn("ops-admin"))])),
        )
        .role(
            "launcher",
            "/",
            &[],
            &role_inline(json!([
                allow("iam:PassRole", &role_arn("ops-admin")),
                allow("lambda:CreateFunction", "*")
            ])),
        )
        .role("plain", "/", &[], &role_inline(reads()));
    let r = audit(&b);
    let f = find(&r, "IAM-026", "self-editor");
    assert_eq!(f.status, Fail, "{}", f.detail);
    assert!(
        f.detail.contains("role self-editor -> iam:PutRolePolicy"),
        "{}",
        f.detail
    );
    // Rewriting a role one cannot become gains nothing.
    assert_eq!(find(&r, "IAM-026", "other-editor").status, Pass);
    let f = find(&r, "IAM-026", "launcher");
    assert_eq!(f.status, Fail, "{}", f.detail);
    assert!(
        f.detail.contains("-> role ops-admin (gains every action)"),
        "{}",
        f.detail
    );
    assert_eq!(find(&r, "IAM-026", "plain").status, Pass);
    // Administrators are IAM-022's.
    assert!(!r
        .findings
        .iter()
        .any(|f| f.check.id == "IAM-026" && f.resource_name == "ops-admin"));
}
