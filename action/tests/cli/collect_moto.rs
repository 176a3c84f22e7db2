//! `hipaa-iam collect` against a moto server: the files it writes equal, as JSON / CSV
//! values, what the AWS CLI itself returns for the same calls, and the manifest's hashes
//! match the files. And `hipaa-iam audit` without `--exports` runs on the live path.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

use hipaa_iam_core::manifest::Manifest;
use hipaa_iam_tests::{moto, Moto, MOTO_ACCOUNT_ID};
use serde_json::{json, Value};

use crate::common::BIN;
use hipaa_iam_tests::output;

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const PHI_READ_V1: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::phi/*"}]}"#;
const PHI_READ_V2: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::phi","arn:aws:s3:::phi/*"]}]}"#;
const INLINE: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}"#;

/// A small clinic account, made with the AWS CLI.
fn make_account(moto: &Moto) {
    let policy = moto.aws(&[
        "iam",
        "create-policy",
        "--policy-name",
        "phi-read",
        "--policy-document",
        PHI_READ_V1,
    ]);
    let policy_arn = policy["Policy"]["Arn"].as_str().unwrap().to_string();
    moto.aws(&[
        "iam",
        "create-policy-version",
        "--policy-arn",
        &policy_arn,
        "--policy-document",
        PHI_READ_V2,
        "--set-as-default",
    ]);
    moto.aws(&[
        "iam",
        "create-policy",
        "--policy-name",
        "billing-api",
        "--path",
        "/svc/",
        "--policy-document",
        INLINE,
    ]);

    for group in ["clinicians", "admins"] {
        moto.aws(&["iam", "create-group", "--group-name", group]);
    }
    moto.aws(&[
        "iam",
        "attach-group-policy",
        "--group-name",
        "clinicians",
        "--policy-arn",
        &policy_arn,
    ]);
    moto.aws(&[
        "iam",
        "attach-group-policy",
        "--group-name",
        "admins",
        "--policy-arn",
        "arn:aws:iam::aws:policy/AdministratorAccess",
    ]);
    moto.aws(&[
        "iam",
        "put-group-policy",
        "--group-name",
        "clinicians",
        "--policy-name",
        "queue",
        "--policy-document",
        INLINE,
    ]);

    for user in ["alice", "bob", "carol", "billing-svc"] {
        moto.aws(&["iam", "create-user", "--user-name", user]);
    }
    moto.aws(&[
        "iam",
        "tag-user",
        "--user-name",
        "alice",
        "--tags",
        "Key=team,Value=cardiology",
    ]);
    moto.aws(&[
        "iam",
        "add-user-to-group",
        "--group-name",
        "clinicians",
        "--user-name",
        "alice",
    ]);
    moto.aws(&[
        "iam",
        "add-user-to-group",
        "--group-name",
        "clinicians",
        "--user-name",
        "bob",
    ]);
    moto.aws(&[
        "iam",
        "add-user-to-group",
        "--group-name",
        "admins",
        "--user-name",
        "carol",
    ]);
    moto.aws(&[
        "iam",
        "put-user-policy",
        "--user-name",
        "billing-svc",
        "--policy-name",
        "send",
        "--policy-document",
        INLINE,
    ]);
    moto.aws(&[
        "iam",
        "attach-user-policy",
        "--user-name",
        "bob",
        "--policy-arn",
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
    ]);
    for user in ["alice", "bob", "carol"] {
        moto.aws(&[
            "iam",
            "create-login-profile",
            "--user-name",
            user,
            "--password",
            "Correct-Horse-9-Battery!",
        ]);
    }
    // Virtual MFA: enabled for alice and carol; one device left unassigned.
    for (device, user) in [
        ("alice-phone", Some("alice")),
        ("carol-phone", Some("carol")),
        ("spare", None),
    ] {
        moto.virtual_mfa(device, user);
    }
    moto.aws(&["iam", "create-access-key", "--user-name", "billing-svc"]);
    moto.aws(&["iam", "create-access-key", "--user-name", "bob"]);

    moto.aws(&[
        "iam",
        "create-role",
        "--role-name",
        "app-server",
        "--assume-role-policy-document",
        TRUST,
    ]);
    moto.aws(&[
        "iam",
        "attach-role-policy",
        "--role-name",
        "app-server",
        "--policy-arn",
        &policy_arn,
    ]);
    moto.aws(&[
        "iam",
        "put-role-policy",
        "--role-name",
        "app-server",
        "--policy-name",
        "queue",
        "--policy-document",
        INLINE,
    ]);
    moto.aws(&[
        "iam",
        "create-instance-profile",
        "--instance-profile-name",
        "app-server",
    ]);
    moto.aws(&[
        "iam",
        "add-role-to-instance-profile",
        "--instance-profile-name",
        "app-server",
        "--role-name",
        "app-server",
    ]);

    moto.aws(&[
        "iam",
        "update-account-password-policy",
        "--minimum-password-length",
        "14",
        "--require-symbols",
        "--require-numbers",
        "--require-uppercase-characters",
        "--require-lowercase-characters",
        "--allow-users-to-change-password",
        "--max-password-age",
        "90",
        "--password-reuse-prevention",
        "24",
    ]);
}

fn hipaa_iam(moto: &Moto, args: &[&str], cwd: &Path) -> Output {
    output(moto.command(BIN).args(args).current_dir(cwd))
}

/// Timestamps normalised to instants: the AWS CLI prints a timestamp as the service sent it
/// (CLI v1) or re-formatted as `+00:00` ISO 8601 (CLI v2), while `collect` writes RFC 3339
/// UTC. Every string that parses as an RFC 3339 time becomes the same instant in one form;
/// everything else is left untouched and must be equal.
fn normalise(v: &Value) -> Value {
    match v {
        Value::String(s) => match chrono::DateTime::parse_from_rfc3339(s) {
            Ok(t) => Value::String(
                t.with_timezone(&chrono::Utc)
                    .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            ),
            Err(_) => v.clone(),
        },
        Value::Array(xs) => Value::Array(xs.iter().map(normalise).collect()),
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), normalise(v))).collect()),
        other => other.clone(),
    }
}

fn read_json(dir: &Path, name: &str) -> Value {
    let path = dir.join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        text.ends_with("}\n"),
        "{name} should end with a newline like the CLI's output"
    );
    assert!(
        text.contains("\n    \""),
        "{name} should be indented with 4 spaces like the CLI's output"
    );
    serde_json::from_str(&text).unwrap()
}

fn assert_same(name: &str, collected: &Value, cli: &Value) {
    let (a, b) = (normalise(collected), normalise(cli));
    if a != b {
        panic!(
            "{name} differs from the AWS CLI's output\n--- collected ---\n{}\n--- aws cli ---\n{}",
            serde_json::to_string_pretty(&a).unwrap(),
            serde_json::to_string_pretty(&b).unwrap()
        );
    }
}

fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes);
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// `aws iam get-credential-report --query Content --output text | base64 -d`, exactly the
/// documented recipe.
fn cli_credential_report(moto: &Moto) -> Vec<u8> {
    let out = Command::new(hipaa_iam_tests::aws_cli())
        .args(["iam", "get-credential-report", "--query", "Content", "--output", "text"])
        .envs(moto.env())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "get-credential-report: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut child = Command::new("base64")
        .arg("-d")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), &out.stdout).unwrap();
    let decoded = child.wait_with_output().unwrap();
    assert!(decoded.status.success());
    decoded.stdout
}

#[test]
fn collect_writes_what_the_aws_cli_returns() {
    let moto = moto();
    let tmp = hipaa_iam_tests::temp_dir();
    make_account(&moto);
    let out_dir = tmp.path().join("exports");

    let out = hipaa_iam(&moto, &["collect", "--output", out_dir.to_str().unwrap()], tmp.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "collect failed: {stderr}");
    assert!(
        stderr.contains(&format!("Collected account {MOTO_ACCOUNT_ID}")),
        "summary: {stderr}"
    );
    assert!(stderr.contains("users 4  groups 2  roles 1"), "summary: {stderr}");

    // authorization-details.json
    let collected = read_json(&out_dir, "authorization-details.json");
    let cli = moto.aws(&["iam", "get-account-authorization-details"]);
    assert_same("authorization-details.json", &collected, &cli);
    // The data the test made is really there (so the equality above is not vacuous).
    let users = collected["UserDetailList"].as_array().unwrap();
    assert_eq!(users.len(), 4);
    let phi = collected["Policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["Arn"] == format!("arn:aws:iam::{MOTO_ACCOUNT_ID}:policy/phi-read"))
        .unwrap();
    assert_eq!(
        phi["PolicyVersionList"].as_array().unwrap().len(),
        2,
        "both versions of phi-read"
    );
    let v2 = phi["PolicyVersionList"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["VersionId"] == "v2")
        .unwrap();
    assert_eq!(
        v2["Document"],
        serde_json::from_str::<Value>(PHI_READ_V2).unwrap(),
        "documents are decoded JSON"
    );
    let billing = users.iter().find(|u| u["UserName"] == "billing-svc").unwrap();
    assert_eq!(
        billing["UserPolicyList"][0]["PolicyDocument"],
        serde_json::from_str::<Value>(INLINE).unwrap()
    );
    assert_eq!(billing["GroupList"], json!([]), "present-but-empty lists are kept");
    let role = &collected["RoleDetailList"][0];
    assert_eq!(role["InstanceProfileList"][0]["InstanceProfileName"], "app-server");
    assert_eq!(
        role["AssumeRolePolicyDocument"],
        serde_json::from_str::<Value>(TRUST).unwrap()
    );

    // password-policy.json
    let collected = read_json(&out_dir, "password-policy.json");
    assert_same(
        "password-policy.json",
        &collected,
        &moto.aws(&["iam", "get-account-password-policy"]),
    );
    assert_eq!(collected["PasswordPolicy"]["MinimumPasswordLength"], 14);

    // account-summary.json
    let collected = read_json(&out_dir, "account-summary.json");
    assert_same(
        "account-summary.json",
        &collected,
        &moto.aws(&["iam", "get-account-summary"]),
    );
    assert_eq!(collected["SummaryMap"]["Users"], 4);

    // virtual-mfa-devices.json
    let collected = read_json(&out_dir, "virtual-mfa-devices.json");
    let mut cli = moto.aws(&["iam", "list-virtual-mfa-devices"]);
    // The only difference allowed: a device's seed and QR code are secrets and are never
    // written, should the service return them.
    for d in cli["VirtualMFADevices"].as_array_mut().unwrap() {
        let d = d.as_object_mut().unwrap();
        d.remove("Base32StringSeed");
        d.remove("QRCodePNG");
    }
    assert_same("virtual-mfa-devices.json", &collected, &cli);
    let devices = collected["VirtualMFADevices"].as_array().unwrap();
    assert_eq!(devices.len(), 3, "assigned and unassigned devices");
    assert_eq!(devices.iter().filter(|d| d.get("EnableDate").is_some()).count(), 2);
    let raw = std::fs::read_to_string(out_dir.join("virtual-mfa-devices.json")).unwrap();
    assert!(!raw.contains("Base32StringSeed") && !raw.contains("QRCodePNG"));

    // credential-report.csv, compared as parsed rows.
    let collected = std::fs::read(out_dir.join("credential-report.csv")).unwrap();
    let cli = cli_credential_report(&moto);
    let (rows, cli_rows) = (csv_rows(&collected), csv_rows(&cli));
    assert_eq!(rows, cli_rows, "credential-report.csv differs from the CLI's report");
    assert_eq!(rows.len(), 5, "header plus four users: {rows:?}");

    // manifest.json
    let manifest = Manifest::read(&out_dir.join("manifest.json")).unwrap();
    assert_eq!(manifest.tool, "hipaa-iam");
    assert_eq!(manifest.account_id.as_deref(), Some(MOTO_ACCOUNT_ID));
    let caller = moto.aws(&["sts", "get-caller-identity"]);
    assert_eq!(manifest.caller_arn.as_deref(), caller["Arn"].as_str());
    assert_eq!(manifest.regions, vec!["us-east-1".to_string()]);
    let generated = moto.aws(&["iam", "get-credential-report"])["GeneratedTime"].clone();
    assert_same(
        "credential_report_generated_at",
        &json!(manifest.credential_report_generated_at),
        &generated,
    );
    assert!(
        manifest.verify(&out_dir).is_empty(),
        "hashes: {:?}",
        manifest.verify(&out_dir)
    );
    // The Identity Center files are compared with the AWS CLI's in identity_center_moto.rs;
    // here only that moto's default instance of the region was collected with the rest.
    let mut listed: Vec<&String> = manifest
        .files
        .keys()
        .filter(|k| !k.starts_with("identity-center/"))
        .collect();
    listed.sort();
    assert!(
        manifest.files.contains_key("identity-center/us-east-1/instances.json"),
        "{:?}",
        manifest.files.keys()
    );
    assert_eq!(
        listed,
        vec![
            "account-summary.json",
            "authorization-details.json",
            "credential-report.csv",
            "password-policy.json",
            "virtual-mfa-devices.json"
        ]
    );
    for (name, hash) in &manifest.files {
        let bytes = std::fs::read(out_dir.join(name)).unwrap();
        assert_eq!(hash, &hipaa_iam_core::manifest::sha256_hex(&bytes), "{name}");
    }
    // moto does not implement Access Analyzer: recorded, and the collection went on.
    let reason = manifest
        .not_collected
        .get("access-analyzer/us-east-1/analyzers.json")
        .unwrap();
    assert!(
        reason.starts_with("HTTP 500: the response is not an AWS error"),
        "{reason}"
    );
    assert!(!out_dir.join("access-analyzer/us-east-1/analyzers.json").exists());

    // The same directory audits offline.
    let account = hipaa_iam_core::account::Account::read_dir(&out_dir).unwrap();
    assert_eq!(account.users.len(), 4);
    assert_eq!(account.account_id.as_deref(), Some(MOTO_ACCOUNT_ID));
}

#[test]
fn collect_without_password_policy_writes_no_file_and_removes_a_stale_one() {
    let moto = moto();
    let tmp = hipaa_iam_tests::temp_dir();
    moto.aws(&["iam", "create-user", "--user-name", "dave"]);
    let out_dir = tmp.path().join("exports");
    // A file from an earlier collection, when the account still had a policy.
    std::fs::create_dir_all(&out_dir).unwrap();
    std::fs::write(out_dir.join("password-policy.json"), "{\"PasswordPolicy\": {}}\n").unwrap();

    let out = hipaa_iam(&moto, &["collect", "--output", out_dir.to_str().unwrap()], tmp.path());
    assert!(
        out.status.success(),
        "collect failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !out_dir.join("password-policy.json").exists(),
        "NoSuchEntity = no policy = no file"
    );
    let manifest = Manifest::read(&out_dir.join("manifest.json")).unwrap();
    assert!(!manifest.not_collected.contains_key("password-policy.json"));
    assert!(manifest.verify(&out_dir).is_empty());
}

#[test]
fn audit_without_exports_collects_live() {
    let moto = moto();
    let tmp = hipaa_iam_tests::temp_dir();
    make_account(&moto);
    let out = hipaa_iam(&moto, &["audit", "--format", "json"], tmp.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    // 0 or 1 (findings); 2 would mean the live collection failed.
    assert!(matches!(out.status.code(), Some(0 | 1)), "audit failed: {stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["account_id"], MOTO_ACCOUNT_ID, "{stderr}");
    assert_eq!(report["source"], "live");
    // One IAM-006 finding per user: the live data has all four users.
    let users = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check_id"] == "IAM-006")
        .count();
    assert_eq!(users, 4, "{report}");
}
