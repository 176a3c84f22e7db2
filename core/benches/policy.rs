//! The policy evaluator's hot path: one evaluation, and one user's effective permissions.
//!
//! `cargo bench --workspace --bench policy`; BENCHMARKS.md records the numbers (the target for
//! one evaluation is under 1 µs).

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use hipaa_iam_core::account::Account;
use hipaa_iam_core::policy::{evaluate, Context, Document, Principal};
use serde_json::json;

/// The actions the checks ask about for every user (administration, escalation, ePHI data).
const ACTIONS: [&str; 20] = [
    "iam:AttachUserPolicy",
    "iam:PutUserPolicy",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:AttachGroupPolicy",
    "iam:PutGroupPolicy",
    "iam:AddUserToGroup",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:UpdateAssumeRolePolicy",
    "iam:PassRole",
    "ec2:RunInstances",
    "lambda:CreateFunction",
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteBucket",
    "dynamodb:Query",
    "kms:Decrypt",
    "cloudtrail:StopLogging",
];

fn demo_account() -> Account {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/demo-account");
    Account::read_dir(&dir).expect("the demo account reads")
}

fn one_evaluation(c: &mut Criterion) {
    let deny: serde_json::Value =
        serde_json::from_str(hipaa_iam_core::remediate::DENY_WITHOUT_MFA_JSON).expect("the guide's document");
    let deny = Document::from_json(&deny).expect("compiles");
    let allow = Document::from_json(&json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:List*"],
             "Resource": ["arn:aws:s3:::phi-records", "arn:aws:s3:::phi-records/*"]},
            {"Effect": "Allow", "Action": "dynamodb:Query",
             "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/patients"}
        ]
    }))
    .expect("compiles");
    let ctx = Context::new()
        .with_principal("dr.patel", "AIDA7HBDG7QYLLFIFC5LW", "123456789012")
        .with("aws:MultiFactorAuthPresent", "true");
    let docs = [&allow, &deny];
    // Sanity: the benchmark measures an allow that goes through both documents.
    assert!(evaluate(&docs, "s3:GetObject", "arn:aws:s3:::phi-records/visit-1.pdf", &ctx).is_allowed());
    // One evaluation: s3:GetObject on an object, through an allow and the guide's deny-without-MFA.
    c.bench_function("policy_evaluation", |b| {
        b.iter(|| {
            evaluate(
                black_box(&docs),
                black_box("s3:GetObject"),
                black_box("arn:aws:s3:::phi-records/visit-1.pdf"),
                black_box(&ctx),
            )
        })
    });
}

fn effective_permissions(c: &mut Criterion) {
    let account = demo_account();
    let user = account.user("dr.okafor").expect("dr.okafor is in the demo account");
    let ctx = Context::new().with_principal(
        &user.user_name,
        user.user_id.as_deref().unwrap_or(""),
        account.account_id.as_deref().unwrap_or(""),
    );
    // One user's effective permissions: documents, boundary, admin test and 20 actions.
    c.bench_function("effective_permissions", |b| {
        b.iter(|| {
            let user = black_box(user);
            let (docs, _missing) = account.user_identity_documents(user);
            let boundary = account.boundary_document(user.permissions_boundary.as_ref());
            let principal = Principal::new(
                docs.iter().map(|d| &d.document).collect(),
                boundary.map(|d| &d.document),
            );
            let admin = principal.allows_everything();
            let allowed = ACTIONS
                .iter()
                .filter(|a| principal.evaluate(a, "*", &ctx).is_allowed())
                .count();
            (admin, allowed)
        })
    });
}

criterion_group!(benches, one_evaluation, effective_permissions);
criterion_main!(benches);
