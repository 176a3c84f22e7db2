//! Memory while reading account data stays proportional to the input: the parsed account
//! must not take many times the size of the file it came from (a large account's
//! authorization-details.json is hundreds of megabytes).
//!
//! This test binary counts heap allocations with its own global allocator, which needs an
//! `unsafe impl`; it is the only test in this binary, so no other test's allocations count.
#![allow(unsafe_code, clippy::unwrap_used)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use hipaa_iam_core::account::{file, Account};
use serde_json::{json, Value};

/// The system allocator, keeping count of the bytes allocated now and at most.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed to the system allocator unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Relaxed) + layout.size();
        PEAK.fetch_max(live, Relaxed);
        // SAFETY: the caller's contract is the system allocator's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Relaxed);
        // SAFETY: `ptr` was allocated by `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// A policy document of `n` statements, shaped like real customer policies.
fn document(i: usize, n: usize) -> Value {
    let statements: Vec<Value> = (0..n)
        .map(|j| {
            json!({
                "Sid": format!("Statement{i}x{j}"),
                "Effect": if j % 5 == 0 { "Deny" } else { "Allow" },
                "Action": [format!("s3:GetObject{j}"), format!("dynamodb:Query{j}"), "ec2:Describe*"],
                "Resource": [
                    format!("arn:aws:s3:::bucket-{i}-{j}/*"),
                    format!("arn:aws:dynamodb:us-east-1:123456789012:table/t{i}{j}"),
                ],
                "Condition": {"StringEquals": {"aws:RequestedRegion": ["us-east-1", "us-west-2"]}},
            })
        })
        .collect();
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// Roles with inline policies and managed policies with five versions each: the shape
/// in which policy documents, not users, make the file large.
fn policy_heavy_account(n: usize) -> Value {
    let roles: Vec<Value> = (0..n)
        .map(|i| {
            json!({
                "Path": "/", "RoleName": format!("role{i}"), "RoleId": format!("AROA{i:017}"),
                "Arn": format!("arn:aws:iam::123456789012:role/role{i}"),
                "CreateDate": "2024-01-01T00:00:00Z",
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
                "RolePolicyList": (0..3).map(|k| json!({"PolicyName": format!("p{k}"), "PolicyDocument": document(i, 12)})).collect::<Vec<_>>(),
                "AttachedManagedPolicies": [{"PolicyName": format!("mp{i}"), "PolicyArn": format!("arn:aws:iam::123456789012:policy/mp{i}")}],
            })
        })
        .collect();
    let policies: Vec<Value> = (0..n)
        .map(|i| {
            json!({
                "PolicyName": format!("mp{i}"), "PolicyId": format!("ANPA{i:017}"),
                "Arn": format!("arn:aws:iam::123456789012:policy/mp{i}"), "Path": "/",
                "DefaultVersionId": "v5", "AttachmentCount": 1,
                "PolicyVersionList": (1..=5).map(|v| json!({"Document": document(i, 20), "VersionId": format!("v{v}"), "IsDefaultVersion": v == 5, "CreateDate": "2024-01-01T00:00:00Z"})).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": roles, "Policies": policies})
}

#[test]
fn reading_an_account_takes_at_most_four_times_the_size_of_its_file() {
    let dir = tempfile::tempdir().unwrap();
    // As `aws iam get-account-authorization-details --output json` writes it: indented.
    let text = serde_json::to_vec_pretty(&policy_heavy_account(60)).unwrap();
    std::fs::write(dir.path().join(file::AUTHORIZATION_DETAILS), &text).unwrap();

    let before = LIVE.load(Relaxed);
    PEAK.store(before, Relaxed);
    let account = Account::read_dir(dir.path()).unwrap();
    let peak = PEAK.load(Relaxed) - before;
    let held = LIVE.load(Relaxed) - before;
    assert_eq!(account.policies.len(), 60);

    // The file itself (held while it is parsed) plus the parsed account: about 3.2 times
    // the file here (it was 6.8 when every policy document was also kept as a JSON tree).
    let ratio = peak as f64 / text.len() as f64;
    println!(
        "file {} bytes, peak {peak} bytes ({ratio:.2}x), held after reading {held} bytes",
        text.len()
    );
    assert!(
        ratio <= 4.0,
        "reading a {} byte file took up to {peak} bytes ({ratio:.2} times its size)",
        text.len()
    );
}
