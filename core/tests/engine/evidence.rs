//! The evidence writers: MFA report, CSVs (formula neutralising), risk register, SARIF,
//! JUnit, the manifest, and all-or-nothing writing.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hipaa_iam_core::account::{Account, ExportSet};
use hipaa_iam_core::checks;
use hipaa_iam_core::config::{Config, LoadedConfig};
use hipaa_iam_core::findings::{AppliedException, AuditReport, Finding, Status};
use hipaa_iam_core::manifest::{sha256_hex, Manifest};
use hipaa_iam_core::report::csv_file::{neutralise, unneutralise};
use hipaa_iam_core::report::evidence::temp_name;
use hipaa_iam_core::report::mfa::{self, MfaDeviceType, MfaStatus};
use hipaa_iam_core::report::register::{self, RiskStatus};
use hipaa_iam_core::report::{render, write_evidence, EvidenceOptions, Format};
use hipaa_iam_tests::account::{Cred, TestAccount};

const ACCOUNT: &str = "123456789012";
const AS_OF: &str = "2026-11-20T10:00:00Z";
const FORMULA_NAMES: [&str; 6] = ["=1+2", "+cmd", "@SUM", "-x", "a,b", "o'neil"];

/// A user of a hand-made account: name, console password, MFA, groups.
struct U<'a> {
    name: &'a str,
    console: bool,
    mfa: bool,
    groups: &'a [&'a str],
    password_last_used: &'a str,
}

fn u<'a>(name: &'a str, console: bool, mfa: bool, groups: &'a [&'a str]) -> U<'a> {
    U {
        name,
        console,
        mfa,
        groups,
        password_last_used: if console { "2026-11-01T08:00:00+00:00" } else { "N/A" },
    }
}

fn arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:user/{name}")
}

/// An exports set in the AWS CLI's shapes: authorization details, the credential report
/// (written with a CSV writer, as IAM quotes it), and optionally the virtual MFA list (the
/// users' devices and one assigned to nobody).
fn export_set(users: &[U], virtual_mfa: Option<&[&str]>) -> ExportSet {
    let mut groups: Vec<&str> = users.iter().flat_map(|u| u.groups.iter().copied()).collect();
    groups.sort();
    groups.dedup();
    let mut b = groups.iter().fold(TestAccount::new(), |b, g| b.group(g, &[], &[]));
    for u in users {
        let created = "2025-01-01T00:00:00+00:00";
        let mut cred = Cred::new(u.name).field("user_creation_time", created);
        if u.console {
            cred = cred.password(None).field("password_last_changed", created);
        }
        if u.mfa {
            cred = cred.mfa();
        }
        b = b
            .user(u.name, u.groups, serde_json::json!({}))
            .cred(cred.field("password_last_used", u.password_last_used));
    }
    if let Some(names) = virtual_mfa {
        b = b.vmfa(serde_json::json!(names
            .iter()
            .map(|n| serde_json::json!({
                "SerialNumber": format!("arn:aws:iam::{ACCOUNT}:mfa/{n}-phone"),
                "User": { "Arn": arn(n), "UserName": n },
                "EnableDate": "2025-02-01T00:00:00Z",
            }))
            .chain(std::iter::once(serde_json::json!({
                "SerialNumber": format!("arn:aws:iam::{ACCOUNT}:mfa/unassigned"),
            })))
            .collect::<Vec<_>>()));
    }
    ExportSet {
        dir: None,
        files: b.files(),
        manifest: None,
    }
}

fn account(users: &[U], virtual_mfa: Option<&[&str]>) -> Account {
    Account::from_exports(&export_set(users, virtual_mfa)).unwrap()
}

fn defaults() -> LoadedConfig {
    LoadedConfig {
        config: Config::default(),
        path: None,
        sha256: sha256_hex(b"defaults"),
    }
}

fn finding(check_id: &str, status: Status, name: &str) -> Finding {
    let info = checks::info(check_id).unwrap();
    Finding {
        check: info,
        status,
        resource_arn: arn(name),
        resource_name: name.to_string(),
        detail: format!("{name}: {} ({})", info.title, status.as_str()),
        source_file: Some(if check_id == "IAM-002" {
            "credential-report.csv".into()
        } else {
            "authorization-details.json".into()
        }),
        exception: None,
        first_seen: None,
    }
}

fn excepted(check_id: &str, name: &str, expires: &str, expired: bool) -> Finding {
    let mut f = finding(check_id, if expired { Status::Fail } else { Status::Excepted }, name);
    f.exception = Some(Box::new(AppliedException {
        reason: "break-glass account kept in a safe".into(),
        approved_by: "CISO Jane Roe".into(),
        expires: expires.into(),
        expired,
        too_broad: None,
    }));
    f
}

fn report(source: &str, findings: Vec<Finding>) -> AuditReport {
    AuditReport {
        tool_version: hipaa_iam_core::VERSION.to_string(),
        account_id: Some(ACCOUNT.into()),
        as_of: AS_OF.into(),
        source: source.into(),
        regions: vec!["us-east-1".into()],
        findings,
        warnings: vec!["managed policy arn:aws:iam::aws:policy/Missing is not in the data".into()],
        organization: None,
        attestations: Vec::new(),
    }
}

/// Parses CSV bytes (the evidence writer's) into a header and rows; asserts that no cell
/// starts with a formula character and returns the cells un-neutralised.
fn read_csv(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    assert!(!bytes.starts_with(b"\xEF\xBB\xBF"), "no BOM by default");
    let mut r = csv::ReaderBuilder::new().has_headers(true).from_reader(bytes);
    let headers: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        let mut row = Vec::new();
        for cell in rec.iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "cell {cell:?} starts with a formula character"
            );
            row.push(unneutralise(cell).to_string());
        }
        rows.push(row);
    }
    (headers, rows)
}

fn column(headers: &[String], rows: &[Vec<String>], name: &str) -> Vec<String> {
    let i = headers
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {headers:?}"));
    rows.iter().map(|r| r[i].clone()).collect()
}

fn sorted(v: impl IntoIterator<Item = impl Into<String>>) -> Vec<String> {
    let mut v: Vec<String> = v.into_iter().map(Into::into).collect();
    v.sort();
    v
}

fn formula_fixture() -> (Account, AuditReport) {
    let users: Vec<U> = FORMULA_NAMES
        .iter()
        .map(|n| u(n, true, false, &["human-users"]))
        .collect();
    let acct = account(&users, Some(&[]));
    let mut findings: Vec<Finding> = FORMULA_NAMES
        .iter()
        .map(|n| finding("IAM-002", Status::Fail, n))
        .collect();
    findings.extend(FORMULA_NAMES.iter().map(|n| finding("IAM-006", Status::Pass, n)));
    // A title that is itself a formula: the register's description cell begins with it.
    let mut evil = finding("IAM-014", Status::Fail, "=HYPERLINK(\"http://x\")");
    // The catalogue's titles are constants; a check whose title is a formula stands for
    // any text that could ever begin a cell.
    evil.check = Box::leak(Box::new(hipaa_iam_core::findings::Check {
        title: "=cmd|' /C calc'!A0",
        ..*evil.check
    }));
    findings.push(evil);
    (acct, report("exports", findings))
}

#[test]
fn neutralising_is_reversible_and_covers_every_formula_character() {
    for c in ['=', '+', '-', '@', '\t', '\r', '\''] {
        let v = format!("{c}x");
        assert_eq!(neutralise(&v), format!("'{c}x"));
        assert_eq!(unneutralise(&neutralise(&v)), v);
    }
    assert_eq!(neutralise("alice"), "alice");
    assert_eq!(neutralise("o'neil"), "o'neil");
    assert_eq!(neutralise(""), "");
}

#[test]
fn formula_names_round_trip_through_every_csv() {
    let (acct, rep) = formula_fixture();
    let out = tempfile::tempdir().unwrap();
    write_evidence(out.path(), &rep, &acct, &defaults(), &EvidenceOptions::default()).unwrap();

    let (h, rows) = read_csv(&std::fs::read(out.path().join("mfa_audit.csv")).unwrap());
    assert_eq!(h, mfa::CSV_HEADERS.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    assert_eq!(
        column(&h, &rows, "UserName"),
        sorted(FORMULA_NAMES),
        "mfa_audit.csv is sorted by name"
    );

    for file in ["IAM-002_console-mfa.csv", "IAM-006_user-in-group.csv"] {
        let (h, rows) = read_csv(&std::fs::read(out.path().join(file)).unwrap());
        assert_eq!(
            sorted(column(&h, &rows, "ResourceName")),
            sorted(FORMULA_NAMES),
            "{file}"
        );
        let arns = column(&h, &rows, "ResourceArn");
        assert!(FORMULA_NAMES.iter().all(|n| arns.contains(&arn(n))), "{file}: {arns:?}");
        let id = &file[..7];
        assert!(column(&h, &rows, "CheckId").iter().all(|c| c == id), "{file}");
    }

    let (h, rows) = read_csv(&std::fs::read(out.path().join("risk_register.csv")).unwrap());
    assert_eq!(h, register::HEADERS.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    let descriptions = column(&h, &rows, "Risk Description");
    assert!(
        descriptions.iter().any(|d| d.starts_with("=cmd|' /C calc'!A0")),
        "{descriptions:?}"
    );
    let iam002 = &descriptions[column(&h, &rows, "Risk ID")
        .iter()
        .position(|id| id == "IAM-002")
        .unwrap()];
    for name in &FORMULA_NAMES[..5] {
        assert!(iam002.contains(name), "{name} in {iam002}");
    }

    // `audit --format csv`: every finding, the same round trip.
    let text = render(Format::Csv, &rep, &defaults());
    let (h, rows) = read_csv(text.as_bytes());
    let names = column(&h, &rows, "ResourceName");
    assert_eq!(names.len(), rep.findings.len());
    for (id, hipaa) in column(&h, &rows, "CheckId").iter().zip(column(&h, &rows, "Hipaa")) {
        assert_eq!(hipaa, checks::info(id).unwrap().hipaa.join("; "), "{id}");
    }
    for n in FORMULA_NAMES.iter().chain(["=HYPERLINK(\"http://x\")"].iter()) {
        assert_eq!(
            names.iter().filter(|x| x == n).count(),
            if n.starts_with("=H") { 1 } else { 2 },
            "{n}"
        );
    }
}

#[test]
fn excel_option_adds_the_bom_to_every_csv_and_only_to_csv() {
    let (acct, rep) = formula_fixture();
    let out = tempfile::tempdir().unwrap();
    let manifest = write_evidence(
        out.path(),
        &rep,
        &acct,
        &defaults(),
        &EvidenceOptions {
            excel: true,
            ..Default::default()
        },
    )
    .unwrap();
    for name in manifest.files.keys() {
        let bytes = std::fs::read(out.path().join(name)).unwrap();
        assert_eq!(bytes.starts_with(b"\xEF\xBB\xBF"), name.ends_with(".csv"), "{name}");
    }
}

#[test]
fn mfa_rows_report_status_device_group_and_compliance() {
    let users = [
        U {
            password_last_used: "N/A",
            ..u("carol", true, true, &["human-users", "admins"])
        },
        u("alice", true, false, &["human-users"]),
        u("bob", true, true, &["human-users"]),
        u("svc-ci", false, false, &["ci"]),
        u("dave", true, true, &[]),
        U {
            password_last_used: "no_information",
            ..u("erin", false, true, &["human-users"])
        },
    ];
    let rows = mfa::rows(&account(&users, Some(&["bob"])), &Config::default());
    let names: Vec<&str> = rows.iter().map(|r| r.user_name.as_str()).collect();
    assert_eq!(names, ["alice", "bob", "carol", "dave", "erin", "svc-ci"]);
    let row = |n: &str| rows.iter().find(|r| r.user_name == n).unwrap();

    assert_eq!(row("alice").mfa, MfaStatus::NoMfa);
    assert!(row("alice").console_access && !row("alice").compliant);
    assert_eq!(row("alice").mfa_device_type, MfaDeviceType::None);
    assert_eq!(row("alice").password_last_used, "2026-11-01T08:00:00Z");

    assert_eq!(
        (row("bob").mfa, row("bob").mfa_device_type),
        (MfaStatus::HasMfa, MfaDeviceType::Virtual)
    );
    assert!(row("bob").compliant && row("bob").in_mfa_group);

    assert_eq!(row("carol").mfa_device_type, MfaDeviceType::Hardware);
    assert_eq!(row("carol").groups, ["admins", "human-users"]);
    assert_eq!(row("carol").password_last_used, "never");
    assert!(row("carol").compliant);

    assert!(
        !row("dave").in_mfa_group && !row("dave").compliant,
        "MFA but outside the MFA group"
    );
    assert_eq!(row("erin").password_last_used, "N/A");
    assert!(row("erin").compliant);
    assert!(!row("svc-ci").console_access && !row("svc-ci").compliant);

    // Without the virtual device list, an active MFA's kind is unknown.
    let rows = mfa::rows(&account(&users, None), &Config::default());
    let bob = rows.iter().find(|r| r.user_name == "bob").unwrap();
    assert_eq!(bob.mfa_device_type, MfaDeviceType::Unknown);

    // The configured group name is the MFA group.
    let cfg = Config {
        human_users_group: "ci".into(),
        ..Config::default()
    };
    let rows = mfa::rows(&account(&users, None), &cfg);
    assert!(rows.iter().find(|r| r.user_name == "svc-ci").unwrap().in_mfa_group);
    assert!(!rows.iter().find(|r| r.user_name == "bob").unwrap().in_mfa_group);

    let table = mfa::to_table(
        &mfa::rows(&account(&users, Some(&["bob"])), &Config::default()),
        "human-users",
        false,
    );
    assert!(!table.contains('\x1b'), "plain table has no escape codes");
    let alice = table.lines().find(|l| l.starts_with("alice")).unwrap();
    assert!(
        alice.contains("NO_MFA")
            && alice.contains("HIPAA compliance gap")
            && alice.contains("console access without MFA"),
        "{alice}"
    );
    assert!(table
        .lines()
        .find(|l| l.starts_with("bob"))
        .unwrap()
        .contains("compliant"));
    assert!(
        table.contains("6 users, 3 compliant, 3 with a compliance gap"),
        "{table}"
    );
}

#[test]
fn register_open_accepted_closed_and_expired_exception() {
    let findings = vec![
        // IAM-002: one fail among passes -> Open.
        finding("IAM-002", Status::Fail, "alice"),
        finding("IAM-002", Status::Pass, "bob"),
        // IAM-005: the only failure is covered by a valid exception -> Accepted.
        excepted("IAM-005", "breakglass", "2027-01-31", false),
        finding("IAM-005", Status::Pass, "bob"),
        // IAM-006: everything passes -> Closed.
        finding("IAM-006", Status::Pass, "alice"),
        finding("IAM-006", Status::Pass, "bob"),
        // IAM-008: the exception expired, the finding stays fail -> Open.
        excepted("IAM-008", "legacy", "2026-01-31", true),
        // IAM-012: marked excepted but its exception expired before the data's date -> Open.
        excepted("IAM-012", "old-key", "2026-10-01", false),
        // IAM-019: not evaluated only -> no row.
        finding("IAM-019", Status::NotEvaluated, "us-east-1"),
    ];
    let rep = report("exports", findings);
    let rows = register::rows(&rep);
    let status = |id: &str| rows.iter().find(|r| r.risk_id == id).map(|r| r.status);
    assert_eq!(status("IAM-002"), Some(RiskStatus::Open));
    assert_eq!(status("IAM-005"), Some(RiskStatus::Accepted));
    assert_eq!(status("IAM-006"), Some(RiskStatus::Closed));
    assert_eq!(status("IAM-008"), Some(RiskStatus::Open));
    assert_eq!(
        status("IAM-012"),
        Some(RiskStatus::Open),
        "an exception past its date does not accept the risk"
    );
    assert_eq!(status("IAM-019"), None);

    let accepted = rows.iter().find(|r| r.risk_id == "IAM-005").unwrap();
    for part in ["break-glass account kept in a safe", "CISO Jane Roe", "2027-01-31"] {
        assert!(accepted.mitigation.contains(part), "{}", accepted.mitigation);
    }
    assert!(rows
        .iter()
        .find(|r| r.risk_id == "IAM-008")
        .unwrap()
        .mitigation
        .contains("EXPIRED"));
    assert_eq!(
        rows.iter().find(|r| r.risk_id == "IAM-002").unwrap().evidence,
        "IAM-002_console-mfa.csv (2 rows)"
    );
    assert_eq!(
        rows.iter().find(|r| r.risk_id == "IAM-008").unwrap().hipaa_standard,
        "§164.308(a)(4)(ii)(B); §164.312(a)(1)"
    );

    let md = register::to_markdown(&rep, &rows);
    assert!(md.contains("| Risk ID | Risk Description | HIPAA Standard | Mitigation Applied | Status | Evidence |"));
    assert_eq!(md.lines().filter(|l| l.starts_with("| IAM-")).count(), 5);

    // The register CSV file names the per-check CSV it points at, and that file has that many rows.
    let out = tempfile::tempdir().unwrap();
    let acct = account(
        &[u("alice", true, false, &[]), u("bob", true, true, &["human-users"])],
        None,
    );
    write_evidence(out.path(), &rep, &acct, &defaults(), &EvidenceOptions::default()).unwrap();
    let (h, reg) = read_csv(&std::fs::read(out.path().join("risk_register.csv")).unwrap());
    for ev in column(&h, &reg, "Evidence") {
        let (file, count) = ev.split_once(" (").unwrap();
        let n: usize = count.split(' ').next().unwrap().parse().unwrap();
        let (_, rows) = read_csv(&std::fs::read(out.path().join(file)).unwrap());
        assert_eq!(rows.len(), n, "{ev}");
    }
}

#[test]
fn summary_has_counts_open_risks_fixes_and_warnings() {
    let rep = report(
        "exports",
        vec![
            finding("IAM-002", Status::Fail, "alice"),
            finding("IAM-002", Status::Fail, "carol"),
            finding("IAM-002", Status::Pass, "bob"),
            finding("IAM-014", Status::Fail, "bob"),
            excepted("IAM-005", "breakglass", "2027-01-31", false),
            finding("IAM-019", Status::Error, "us-east-1"),
        ],
    );
    let md = render(Format::Markdown, &rep, &defaults());
    assert!(md.contains(ACCOUNT) && md.contains(AS_OF));
    assert!(md.contains("| critical | 2 | 0 | 1 | 0 | 0 |"), "{md}");
    assert!(md.contains("| **total** | 3 | 1 | 1 | 1 | 0 |"), "{md}");
    assert!(md.contains("**Result: 3 failing findings in 2 checks.**"));
    let fixes = md.split("## Top fixes").nth(1).unwrap();
    let first = fixes.find("IAM-002").unwrap();
    assert!(first < fixes.find("IAM-014").unwrap(), "critical before low");
    assert!(fixes.contains("hipaa-iam remediate mfa-enforcement --dry-run"));
    assert!(md.contains("## Accepted risks") && md.contains("CISO Jane Roe"));
    assert!(md.contains("## Not evaluated or failed to run") && md.contains("IAM-019"));
    assert!(md.contains("arn:aws:iam::aws:policy/Missing"));
    assert!(
        md.contains("extra leading apostrophe"),
        "the neutralising rule is documented"
    );
}

pub(crate) fn sarif_schema() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sarif-2.1.0.json");
    let mut schema: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    // The published schema's pattern for the `language` properties has a stray `]` that
    // JavaScript reads as a literal and Rust's regex engines reject; it is replaced by the
    // pattern it means (hipaa-iam emits no `language`). Every other keyword is as published.
    const BROKEN: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    fn fix(v: &mut serde_json::Value) -> usize {
        match v {
            serde_json::Value::String(s) if s == BROKEN => {
                *s = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".into();
                1
            }
            serde_json::Value::Array(a) => a.iter_mut().map(fix).sum(),
            serde_json::Value::Object(o) => o.values_mut().map(fix).sum(),
            _ => 0,
        }
    }
    assert!(fix(&mut schema) > 0);
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

pub(crate) fn assert_valid_sarif(validator: &jsonschema::Validator, log: &serde_json::Value) {
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF schema errors: {errors:#?}");
}

#[test]
fn sarif_validates_and_locates_results() {
    let validator = sarif_schema();
    // The validator itself rejects a broken log (so passing means something).
    assert!(!validator.is_valid(&serde_json::json!({ "version": "2.1.0", "runs": [{ "results": [] }] })));

    let findings = vec![
        finding("IAM-002", Status::Fail, "=1+2"),
        finding("IAM-002", Status::Fail, "alice bob"),
        finding("IAM-002", Status::Pass, "carol"),
        excepted("IAM-005", "breakglass", "2027-01-31", false),
        finding("IAM-019", Status::Error, "us-east-1"),
    ];
    let rep = report("exports/acme prod", findings.clone());
    let text = render(Format::Sarif, &rep, &defaults());
    let log: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_valid_sarif(&validator, &log);

    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), checks::CATALOGUE.len());
    let r002 = rules.iter().find(|r| r["id"] == "IAM-002").unwrap();
    assert_eq!(r002["defaultConfiguration"]["level"], "error");
    assert!(r002["help"]["text"].as_str().unwrap().contains("§164.312(d)"));
    assert!(r002["properties"]["tags"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t == "HIPAA §164.312(a)(1)"));

    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 3, "two fails and one excepted; no pass or error");
    let loc = |r: &serde_json::Value| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].clone();
    assert_eq!(loc(&results[0]), "exports/acme%20prod/credential-report.csv");
    assert_eq!(results[0]["locations"][0]["physicalLocation"]["region"]["startLine"], 1);
    assert_eq!(results[0]["level"], "error");
    let ex = results.iter().find(|r| r["ruleId"] == "IAM-005").unwrap();
    assert_eq!(ex["suppressions"][0]["status"], "accepted");
    assert!(ex["suppressions"][0]["justification"]
        .as_str()
        .unwrap()
        .contains("CISO Jane Roe"));
    assert_eq!(
        ex["ruleIndex"],
        checks::CATALOGUE.iter().position(|c| c.id == "IAM-005").unwrap()
    );

    // Fingerprints: stable across runs (different time, other findings), distinct per resource.
    let fp = |r: &serde_json::Value| {
        r["partialFingerprints"]["hipaaIamResource/v1"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let mut later = report("exports/acme prod", vec![findings[1].clone()]);
    later.as_of = "2027-01-01T00:00:00Z".into();
    let later_log: serde_json::Value = serde_json::from_str(&render(Format::Sarif, &later, &defaults())).unwrap();
    assert_eq!(fp(&later_log["runs"][0]["results"][0]), fp(&results[1]));
    assert_ne!(fp(&results[0]), fp(&results[1]));

    // A live audit locates results at the configuration file.
    let cfg = LoadedConfig {
        config: Config::default(),
        path: Some(PathBuf::from("config/hipaa-iam.toml")),
        sha256: "00".into(),
    };
    let live: serde_json::Value =
        serde_json::from_str(&render(Format::Sarif, &report("live", findings), &cfg)).unwrap();
    assert_valid_sarif(&validator, &live);
    assert_eq!(loc(&live["runs"][0]["results"][0]), "config/hipaa-iam.toml");
    let live_default: serde_json::Value = serde_json::from_str(&render(
        Format::Sarif,
        &report("live", vec![finding("IAM-002", Status::Fail, "x")]),
        &defaults(),
    ))
    .unwrap();
    assert_eq!(loc(&live_default["runs"][0]["results"][0]), "hipaa-iam.toml");
}

#[test]
fn junit_parses_as_xml_with_the_expected_counts() {
    use quick_xml::events::Event;
    let rep = report(
        "exports",
        vec![
            finding("IAM-002", Status::Fail, "a<b&\"c\""),
            finding("IAM-002", Status::Pass, "bob"),
            excepted("IAM-005", "breakglass", "2027-01-31", false),
            finding("IAM-019", Status::Error, "us-east-1"),
            finding("IAM-020", Status::NotEvaluated, "us-east-1"),
            finding("IAM-020", Status::NotEvaluated, "eu-west-1"),
        ],
    );
    let xml = render(Format::Junit, &rep, &defaults());
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut root_attrs: BTreeMap<String, String> = BTreeMap::new();
    let mut suite_attrs: Vec<BTreeMap<String, String>> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => {
                let tag = e.name().into_inner().to_string();
                *counts.entry(tag.clone()).or_default() += 1;
                let attrs: BTreeMap<String, String> = e
                    .attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        let v = a
                            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .unwrap()
                            .into_owned();
                        (a.key.into_inner().to_string(), v)
                    })
                    .collect();
                match tag.as_str() {
                    "testsuites" => root_attrs = attrs,
                    "testsuite" => suite_attrs.push(attrs),
                    "testcase" => names.push(attrs["name"].clone()),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    assert_eq!(counts["testsuites"], 1);
    assert_eq!(counts["testsuite"], 4, "one per check");
    assert_eq!(counts["testcase"], 6, "one per resource");
    assert_eq!((counts["failure"], counts["error"], counts["skipped"]), (1, 1, 2));
    assert_eq!(
        [
            &root_attrs["tests"],
            &root_attrs["failures"],
            &root_attrs["errors"],
            &root_attrs["skipped"]
        ],
        ["6", "1", "1", "2"]
    );
    let s002 = suite_attrs.iter().find(|a| a["name"] == "IAM-002 console-mfa").unwrap();
    assert_eq!((s002["tests"].as_str(), s002["failures"].as_str()), ("2", "1"));
    assert!(
        names.contains(&"user a<b&\"c\"".to_string()),
        "escaped names round-trip: {names:?}"
    );
}

fn listing(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let bytes = if e.path().is_file() {
                std::fs::read(e.path()).unwrap()
            } else {
                b"<dir>".to_vec()
            };
            (e.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect()
}

#[test]
fn manifest_records_every_file_and_the_config() {
    let (acct, rep) = formula_fixture();
    let out = tempfile::tempdir().unwrap();
    let cfg = LoadedConfig {
        config: Config::default(),
        path: Some(PathBuf::from("hipaa-iam.toml")),
        sha256: "ab12".into(),
    };
    let manifest = write_evidence(out.path(), &rep, &acct, &cfg, &EvidenceOptions::default()).unwrap();
    let on_disk = Manifest::read(&out.path().join("manifest.json")).unwrap();
    assert_eq!(on_disk, manifest);
    assert_eq!(manifest.account_id.as_deref(), Some(ACCOUNT));
    assert_eq!(manifest.config.as_deref(), Some("hipaa-iam.toml"));
    assert_eq!(manifest.config_sha256.as_deref(), Some("ab12"));
    assert_eq!(manifest.source.as_deref(), Some("exports"));
    assert_eq!(manifest.regions, ["us-east-1"]);
    let expected: Vec<&str> = vec![
        "IAM-002_console-mfa.csv",
        "IAM-006_user-in-group.csv",
        "IAM-014_single-active-key.csv",
        "evidence.xlsx",
        "findings.json",
        "mfa_audit.csv",
        "report.html",
        "risk_register.csv",
        "risk_register.md",
        "summary.md",
    ];
    assert_eq!(manifest.files.keys().map(String::as_str).collect::<Vec<_>>(), expected);
    let files = listing(out.path());
    assert_eq!(
        files.len(),
        expected.len() + 1,
        "the listed files and the manifest, no temporaries: {:?}",
        files.keys()
    );
    for (name, hash) in &manifest.files {
        assert_eq!(&sha256_hex(&files[name]), hash, "{name}");
    }
    assert!(manifest.verify(out.path()).is_empty());
    let parsed: AuditReport = serde_json::from_slice(&files["findings.json"]).unwrap();
    assert_eq!(parsed, rep);

    // A later run without IAM-014 findings removes its stale CSV, so the directory matches.
    let mut rep2 = rep.clone();
    rep2.findings.retain(|f| f.check.id != "IAM-014");
    let m2 = write_evidence(out.path(), &rep2, &acct, &cfg, &EvidenceOptions::default()).unwrap();
    assert!(!out.path().join("IAM-014_single-active-key.csv").exists());
    assert!(m2.verify(out.path()).is_empty());
}

#[test]
fn a_failed_write_leaves_the_previous_evidence_intact_and_no_partial_files() {
    let (acct, rep) = formula_fixture();
    let out = tempfile::tempdir().unwrap();
    write_evidence(out.path(), &rep, &acct, &defaults(), &EvidenceOptions::default()).unwrap();
    let before = listing(out.path());

    let mut changed = rep.clone();
    changed.findings.retain(|f| f.status == Status::Fail);
    changed.as_of = "2027-02-02T00:00:00Z".into();

    // Half-way: the temporary name of summary.md (written after the CSVs, the findings
    // and the register) is taken by a directory, so that write fails after others succeeded.
    let blocker = temp_name(out.path(), "summary.md");
    std::fs::create_dir(&blocker).unwrap();
    let err = write_evidence(out.path(), &changed, &acct, &defaults(), &EvidenceOptions::default()).unwrap_err();
    assert!(err.to_string().contains("summary.md"), "{err}");
    std::fs::remove_dir(&blocker).unwrap();
    assert_eq!(
        listing(out.path()),
        before,
        "previous evidence untouched, no temporary files left"
    );
    assert!(Manifest::read(&out.path().join("manifest.json"))
        .unwrap()
        .verify(out.path())
        .is_empty());

    // A directory where an evidence file belongs: refused before anything is written.
    std::fs::remove_file(out.path().join("risk_register.md")).unwrap();
    std::fs::create_dir(out.path().join("risk_register.md")).unwrap();
    let before = listing(out.path());
    let err = write_evidence(out.path(), &changed, &acct, &defaults(), &EvidenceOptions::default()).unwrap_err();
    assert!(err.to_string().contains("risk_register.md"), "{err}");
    assert_eq!(listing(out.path()), before);

    // The output path is an existing file: an error naming it, the file unchanged.
    let file = out.path().join("not-a-dir");
    std::fs::write(&file, b"keep me").unwrap();
    let err = write_evidence(&file, &changed, &acct, &defaults(), &EvidenceOptions::default()).unwrap_err();
    assert!(err.to_string().contains("not-a-dir"), "{err}");
    assert_eq!(std::fs::read(&file).unwrap(), b"keep me");
}

/// The demo account (examples/demo-account), whose Identity Center the AWS CLI exported.
fn demo_account() -> Account {
    Account::read_dir(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/demo-account")).unwrap()
}

#[test]
fn identity_center_access_lists_every_user_with_what_it_reaches() {
    let acct = demo_account();
    let rep = checks::audit(&acct, &Config::default(), None);
    let out = tempfile::tempdir().unwrap();
    let manifest = write_evidence(out.path(), &rep, &acct, &defaults(), &EvidenceOptions::default()).unwrap();
    assert!(manifest.files.contains_key("identity_center_access.csv"));
    let bytes = std::fs::read(out.path().join("identity_center_access.csv")).unwrap();
    let (header, rows) = read_csv(&bytes);
    assert_eq!(
        header,
        [
            "Instance",
            "UserName",
            "DisplayName",
            "UserId",
            "Groups",
            "PermissionSets",
            "Accounts",
            "Administrator",
            "LongestSession",
            "Assignments"
        ]
    );
    let by_user: BTreeMap<&str, &Vec<String>> = rows.iter().map(|r| (r[1].as_str(), r)).collect();
    assert_eq!(
        by_user.keys().copied().collect::<Vec<_>>(),
        ["alex.rivera", "dr.reyes", "pat.morgan", "sam.contractor"]
    );
    let alex = by_user["alex.rivera"];
    assert_eq!(
        (&alex[4][..], &alex[5][..], &alex[6][..], &alex[7][..], &alex[8][..]),
        ("IT-Admins", "AdministratorAccess", ACCOUNT, "yes", "12 h")
    );
    assert_eq!(alex[9], "AdministratorAccess in 123456789012 (through group IT-Admins)");
    let sam = by_user["sam.contractor"];
    assert_eq!((&sam[4][..], &sam[7][..], &sam[8][..]), ("", "no", "8 h"));
    assert_eq!(sam[9], "FrontDeskCalendar in 123456789012 (directly)");
    assert_eq!(by_user["dr.reyes"][7], "no");
    // The register has the four checks' rows, decided from this data.
    let register = String::from_utf8(std::fs::read(out.path().join("risk_register.csv")).unwrap()).unwrap();
    for id in ["IAM-029", "IAM-030", "IAM-031", "IAM-032"] {
        assert!(
            register.lines().any(|l| l.starts_with(id) && l.contains(",Open,")),
            "{id}: {register}"
        );
    }
    // No Identity Center data: no file.
    let (acct, rep) = formula_fixture();
    let out = tempfile::tempdir().unwrap();
    let manifest = write_evidence(out.path(), &rep, &acct, &defaults(), &EvidenceOptions::default()).unwrap();
    assert!(!manifest.files.contains_key("identity_center_access.csv"));
}

#[test]
fn attestations_are_register_rows_attested_until_they_expire() {
    let acct = demo_account();
    let text = "[[attestation]]\ncontrol = \"Identity Center MFA\"\nstatement = \"MFA at every sign-in\"\n\
                evidence = \"=HYPERLINK(\\\"http://x\\\")\"\nattested_by = \"Dana <b>Whitfield</b>\"\ndate = 2026-05-02\n\
                expires = 2027-05-02\nhipaa = [\"§164.312(d)\"]\n\n[[attestation]]\ncontrol = \"Badge access review\"\n\
                statement = \"Quarterly review of who can enter the server room\"\nevidence = \"SEC-77\"\n\
                attested_by = \"Lee\"\ndate = 2025-01-01\nexpires = 2026-11-15\n";
    let config = Config::parse(Path::new("hipaa-iam.toml"), text, &checks::ids()).unwrap();
    // The demo's data is of 2026-11-16: the second attestation expired the day before.
    let rep = checks::audit(&acct, &config, None);
    assert_eq!(rep.attestations.len(), 2);
    assert!(!rep.attestations[0].expired && rep.attestations[1].expired);
    assert!(
        rep.warnings
            .iter()
            .any(|w| w.contains("\"Badge access review\"") && w.contains("expired on 2026-11-15")),
        "{:?}",
        rep.warnings
    );
    let rows = register::rows(&rep);
    let att: Vec<(&str, RiskStatus)> = rows
        .iter()
        .filter(|r| r.slug == "attestation")
        .map(|r| (r.risk_id.as_str(), r.status))
        .collect();
    assert_eq!(
        att,
        [
            ("Identity Center MFA", RiskStatus::Attested),
            ("Badge access review", RiskStatus::Expired)
        ]
    );
    let mfa = rows.iter().find(|r| r.risk_id == "Identity Center MFA").unwrap();
    assert_eq!(mfa.hipaa_standard, "§164.312(d)");
    assert_eq!(
        mfa.mitigation,
        "Attested by Dana <b>Whitfield</b> on 2026-05-02, valid until 2027-05-02"
    );
    let loaded = LoadedConfig {
        config,
        path: None,
        sha256: sha256_hex(text.as_bytes()),
    };
    let out = tempfile::tempdir().unwrap();
    write_evidence(out.path(), &rep, &acct, &loaded, &EvidenceOptions::default()).unwrap();
    let (_, csv_rows) = read_csv(&std::fs::read(out.path().join("risk_register.csv")).unwrap());
    let row = csv_rows.iter().find(|r| r[0] == "Identity Center MFA").unwrap();
    assert_eq!((&row[4][..], &row[5][..]), ("Attested", "=HYPERLINK(\"http://x\")"));
    let row = csv_rows.iter().find(|r| r[0] == "Badge access review").unwrap();
    assert_eq!(row[4], "Expired");
    // Markup is data in the Markdown register too.
    let md = String::from_utf8(std::fs::read(out.path().join("risk_register.md")).unwrap()).unwrap();
    assert!(
        md.contains("Dana \\<b\\>Whitfield\\</b\\>") && !md.contains("<b>"),
        "{md}"
    );
    // The JSON findings carry them for every other face.
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("findings.json")).unwrap()).unwrap();
    assert_eq!(json["attestations"][1]["expired"], true);
}

#[test]
fn hostile_identity_center_names_are_data_in_its_csv_and_the_findings() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/demo-account");
    let mut set = ExportSet::read_dir(&dir).unwrap();
    let users = set
        .files
        .keys()
        .find(|k| k.starts_with("identity-center/") && k.ends_with("/users.json"))
        .unwrap()
        .clone();
    let hostile = "=HYPERLINK(\"http://x\")<script>\u{1b}[31m";
    let text = String::from_utf8(set.files[&users].clone())
        .unwrap()
        .replace("\"sam.contractor\"", &serde_json::to_string(hostile).unwrap());
    set.files.insert(users, text.into_bytes());
    let acct = Account::from_exports(&set).unwrap();
    let rep = checks::audit(&acct, &Config::default(), None);
    let f = rep
        .findings
        .iter()
        .find(|f| f.check.id == "IAM-029" && f.status == Status::Fail)
        .unwrap();
    assert_eq!(f.resource_name, hostile, "the name is kept as it is, as data");
    let out = tempfile::tempdir().unwrap();
    write_evidence(out.path(), &rep, &acct, &defaults(), &EvidenceOptions::default()).unwrap();
    // read_csv fails on any cell a spreadsheet would run as a formula.
    let (_, rows) = read_csv(&std::fs::read(out.path().join("identity_center_access.csv")).unwrap());
    assert!(rows.iter().any(|r| r[1] == hostile), "{rows:?}");
    let (_, rows) = read_csv(&std::fs::read(out.path().join("IAM-029_sso-user-in-group.csv")).unwrap());
    assert!(rows.iter().any(|r| r.iter().any(|c| c == hostile)), "{rows:?}");
    let md = String::from_utf8(std::fs::read(out.path().join("risk_register.md")).unwrap()).unwrap();
    assert!(!md.contains("<script>") && !md.contains('\u{1b}'), "{md}");
}

/// docs/findings-schema.json, the published description of the findings JSON.
fn findings_schema() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/findings-schema.json");
    let schema: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    jsonschema::options().build(&schema).unwrap()
}

#[test]
fn the_findings_json_states_each_check_once_validates_against_its_schema_and_reads_back() {
    use hipaa_iam_core::findings::FINDINGS_SCHEMA_VERSION;
    use hipaa_iam_core::report::findings_json;
    let validator = findings_schema();
    // The validator rejects a finding that carries its check's metadata (so passing means
    // something).
    let mut bad = serde_json::to_value(report("exports", vec![finding("IAM-002", Status::Fail, "a")])).unwrap();
    bad["findings"][0]["severity"] = "critical".into();
    assert!(!validator.is_valid(&bad));

    let account = demo_account();
    let mut rep = checks::audit(&account, &Config::default(), None);
    rep.findings
        .push(excepted("IAM-005", "<script>alert(1)</script>", "2027-01-31", false));
    let bytes = findings_json::to_vec(&rep);
    let text = std::str::from_utf8(&bytes).unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(doc["schema_version"], FINDINGS_SCHEMA_VERSION);

    // Each check's metadata once, for exactly the checks that have findings, in catalogue
    // order; the findings name them.
    let mut ids: Vec<&str> = rep.findings.iter().map(|f| f.check.id).collect();
    ids.dedup();
    let mut in_order = ids.clone();
    in_order.sort_by_key(|id| checks::position(id));
    in_order.dedup();
    let keys: Vec<&str> = doc["checks"].as_object().unwrap().keys().map(String::as_str).collect();
    let mut sorted_keys = keys.clone();
    sorted_keys.sort_unstable();
    let mut expected = in_order.clone();
    expected.sort_unstable();
    assert_eq!(sorted_keys, expected);
    let c002 = &doc["checks"]["IAM-002"];
    let info = checks::info("IAM-002").unwrap();
    assert_eq!(c002["title"], info.title);
    assert_eq!(c002["severity"], info.severity.as_str());
    assert_eq!(text.matches(info.title).count(), 1, "the title is stated once");
    assert_eq!(text.matches("\"remediation\":").count(), keys.len());

    // One finding per line.
    let finding_lines: Vec<&str> = text.lines().filter(|l| l.starts_with("{\"check_id\":")).collect();
    assert_eq!(finding_lines.len(), rep.findings.len());
    for line in &finding_lines {
        let one: serde_json::Value = serde_json::from_str(line.trim_end_matches(',')).unwrap();
        assert!(one["check_id"].is_string(), "{line}");
    }

    // Read back: the same report (the catalogue supplies what each finding points at).
    let parsed = findings_json::parse(&bytes).unwrap();
    assert_eq!(parsed, rep);
    assert!(std::ptr::eq(parsed.findings[0].check, rep.findings[0].check));
    // The compact C ABI form is the same document.
    let compact: AuditReport = serde_json::from_str(&serde_json::to_string(&rep).unwrap()).unwrap();
    assert_eq!(compact, rep);

    // Refusals that say why.
    let mut v1 = doc.clone();
    v1.as_object_mut().unwrap().remove("schema_version");
    let err = findings_json::parse(&serde_json::to_vec(&v1).unwrap()).unwrap_err();
    assert!(err.contains("no schema_version"), "{err}");
    let mut v3 = doc.clone();
    v3["schema_version"] = 3.into();
    let err = findings_json::parse(&serde_json::to_vec(&v3).unwrap()).unwrap_err();
    assert!(err.contains("schema_version 3"), "{err}");
    let mut unknown = doc;
    unknown["findings"][1]["check_id"] = "IAM-999".into();
    let err = findings_json::parse(&serde_json::to_vec(&unknown).unwrap()).unwrap_err();
    assert!(err.contains("findings[1]") && err.contains("IAM-999"), "{err}");
}

#[test]
fn the_csv_per_check_holds_each_finding_s_own_fields_and_the_register_the_check_s() {
    use hipaa_iam_core::report::evidence::{evidence_files, CHECK_FINDING_HEADERS, FINDING_HEADERS};
    let account = demo_account();
    let rep = checks::audit(&account, &Config::default(), None);
    let (manifest, files) =
        evidence_files(&rep, &account, &defaults(), &EvidenceOptions::default(), Vec::new()).unwrap();
    assert_eq!(
        files.last().map(|(n, _)| n.as_str()),
        Some("manifest.json"),
        "the manifest comes last"
    );
    let files: BTreeMap<String, Vec<u8>> = files.into_iter().collect();
    for (name, hash) in &manifest.files {
        assert_eq!(&sha256_hex(&files[name]), hash, "{name}");
    }
    let (headers, rows) = read_csv(&files["IAM-002_console-mfa.csv"]);
    assert_eq!(headers, CHECK_FINDING_HEADERS.map(String::from).to_vec());
    let of_002: Vec<&Finding> = rep.findings.iter().filter(|f| f.check.id == "IAM-002").collect();
    assert_eq!(rows.len(), of_002.len());
    assert_eq!(
        column(&headers, &rows, "ResourceName"),
        of_002.iter().map(|f| f.resource_name.clone()).collect::<Vec<_>>()
    );
    // The check's constant texts are in the register, once.
    let (rh, rrows) = read_csv(&files["risk_register.csv"]);
    let row = rrows.iter().find(|r| r[0] == "IAM-002").unwrap();
    let info = checks::info("IAM-002").unwrap();
    assert!(row[1].starts_with(info.title), "{row:?}");
    assert_eq!(
        row[rh.iter().position(|h| h == "HIPAA Standard").unwrap()],
        info.hipaa.join("; ")
    );
    // `audit --format csv` keeps every column, each row with its check's metadata.
    let full = render(Format::Csv, &rep, &defaults());
    let (fh, frows) = read_csv(full.as_bytes());
    assert_eq!(fh, FINDING_HEADERS.map(String::from).to_vec());
    assert_eq!(frows.len(), rep.findings.len());
    let first = frows.iter().find(|r| r[0] == "IAM-002").unwrap();
    assert_eq!(first[2], info.title);
    assert_eq!(first[3], info.severity.as_str());
    assert!(
        first[10].ends_with("Run: hipaa-iam remediate mfa-enforcement"),
        "{first:?}"
    );
}

#[test]
fn first_seen_is_carried_forward_from_verified_previous_evidence_and_stays_schema_2() {
    use hipaa_iam_core::report::findings_json;
    let account = demo_account();
    let earlier = checks::audit(&account, &Config::default(), None);
    let dir = tempfile::tempdir().unwrap();
    write_evidence(dir.path(), &earlier, &account, &defaults(), &EvidenceOptions::default()).unwrap();

    // The same account a month later: every failing finding is still open since the
    // earlier audit's data time; passing ones carry nothing.
    let mut later = earlier.clone();
    later.as_of = "2026-12-16T14:05:12Z".into();
    let previous = hipaa_iam_core::history::previous_report(dir.path(), later.account_id.as_deref()).unwrap();
    assert!(
        previous.findings.iter().all(|f| f.first_seen.is_none()),
        "not tracked before"
    );
    hipaa_iam_core::history::carry_first_seen(&mut later, &previous);
    for f in &later.findings {
        match f.status {
            Status::Fail => assert_eq!(f.first_seen.as_deref(), Some(earlier.as_of.as_str()), "{f:?}"),
            _ => assert_eq!(f.first_seen, None, "{f:?}"),
        }
    }
    // One shared string, not one per finding.
    let firsts: Vec<&std::sync::Arc<str>> = later.findings.iter().filter_map(|f| f.first_seen.as_ref()).collect();
    assert!(firsts.len() > 10);
    assert!(firsts.windows(2).all(|w| std::sync::Arc::ptr_eq(w[0], w[1])));

    // The CSV per check says when each failing finding was first seen, and the register
    // how long the check has been open.
    let (_, files) = hipaa_iam_core::report::evidence::evidence_files(
        &later,
        &account,
        &defaults(),
        &EvidenceOptions::default(),
        Vec::new(),
    )
    .unwrap();
    let files: BTreeMap<String, Vec<u8>> = files.into_iter().collect();
    let (h, rows) = read_csv(&files["IAM-002_console-mfa.csv"]);
    for (status, seen) in column(&h, &rows, "Status").iter().zip(column(&h, &rows, "FirstSeen")) {
        assert_eq!(
            seen,
            if status == "fail" { earlier.as_of.as_str() } else { "" },
            "{status}"
        );
    }
    let (rh, rrows) = read_csv(&files["risk_register.csv"]);
    let row = rrows.iter().find(|r| r[0] == "IAM-002").unwrap();
    let description = &row[rh.iter().position(|c| c == "Risk Description").unwrap()];
    assert!(
        description.ends_with("; open since 2026-11-16 (30 days)"),
        "{description}"
    );
    // Without --previous: the audit's own data time, and no "open since".
    let (_, plain) = hipaa_iam_core::report::evidence::evidence_files(
        &earlier,
        &account,
        &defaults(),
        &EvidenceOptions::default(),
        Vec::new(),
    )
    .unwrap();
    let plain: BTreeMap<String, Vec<u8>> = plain.into_iter().collect();
    let (h, rows) = read_csv(&plain["IAM-002_console-mfa.csv"]);
    for (status, seen) in column(&h, &rows, "Status").iter().zip(column(&h, &rows, "FirstSeen")) {
        assert_eq!(
            seen,
            if status == "fail" { earlier.as_of.as_str() } else { "" },
            "{status}"
        );
    }
    assert!(!String::from_utf8_lossy(&plain["risk_register.csv"]).contains("open since"));

    // The findings JSON with first_seen validates against the schema and reads back.
    let bytes = findings_json::to_vec(&later);
    let doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert!(findings_schema().is_valid(&doc));
    assert_eq!(findings_json::parse(&bytes).unwrap(), later);

    // A third audit keeps the first sighting, not the second audit's time; a finding new
    // then gets its own audit's time.
    let mut third = later.clone();
    third.as_of = "2027-01-16T14:05:12Z".into();
    for f in &mut third.findings {
        f.first_seen = None;
    }
    let garcia = third
        .findings
        .iter()
        .position(|f| f.check.id == "IAM-002" && f.resource_name == "nurse.garcia")
        .unwrap();
    hipaa_iam_core::history::carry_first_seen(&mut third, &later);
    assert_eq!(
        third.findings[garcia].first_seen.as_deref(),
        Some(earlier.as_of.as_str())
    );
    let mut resolved_then_back = third.clone();
    let mut without = later.clone();
    without
        .findings
        .retain(|f| !(f.check.id == "IAM-002" && f.resource_name == "nurse.garcia"));
    hipaa_iam_core::history::carry_first_seen(&mut resolved_then_back, &without);
    assert_eq!(
        resolved_then_back.findings[garcia].first_seen.as_deref(),
        Some("2027-01-16T14:05:12Z")
    );

    // Another account's evidence is refused, naming it.
    let err = hipaa_iam_core::history::previous_report(dir.path(), Some("999999999999")).unwrap_err();
    assert!(
        err.to_string()
            .contains("account 123456789012, this audit of account 999999999999"),
        "{err}"
    );
    assert!(err.to_string().contains("findings.json"), "{err}");
    // Evidence that does not verify is refused, naming the file.
    std::fs::write(dir.path().join("summary.md"), "edited").unwrap();
    let err = hipaa_iam_core::history::previous_report(dir.path(), None).unwrap_err();
    assert!(err.to_string().contains("summary.md: changed"), "{err}");
}
