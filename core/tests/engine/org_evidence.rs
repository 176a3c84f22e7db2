//! Organization evidence: the per-account directories, the organization files, the nested
//! manifest, and all-or-nothing writing of the whole tree.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::Path;

use hipaa_iam_core::api::{self, Audit, Source};
use hipaa_iam_core::config::LoadedConfig;
use hipaa_iam_core::findings::{AuditReport, Severity, Status};
use hipaa_iam_core::manifest::Manifest;
use hipaa_iam_core::org::{self, AccountRun};
use hipaa_iam_core::report::csv_file::unneutralise;
use hipaa_iam_core::report::evidence::temp_name;
use hipaa_iam_core::report::{register, write_evidence, EvidenceOptions};
use hipaa_iam_tests::demo_account_as as demo_as;
use tempfile::TempDir;

const DENIED: &str = "AccessDenied: User: arn:aws:iam::999999999999:user/auditor is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::444444444444:role/OrganizationAccountAccessRole";

/// Every file and directory under `dir` with its bytes (directories as `<dir>`).
fn listing(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            if p.is_dir() {
                out.insert(rel, b"<dir>".to_vec());
                stack.push(p);
            } else {
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn defaults() -> LoadedConfig {
    api::load_config(None, Some(""), &[]).unwrap()
}

fn audit(dir: &Path) -> Audit {
    let source = Source {
        exports_dir: Some(dir.to_path_buf()),
        profile: None,
        regions: Vec::new(),
        network: Default::default(),
    };
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(api::audit(&source, defaults(), None))
        .unwrap()
}

/// The organization of the tests: three audited variants of the demo account and one
/// account whose role could not be assumed.
struct Org {
    dirs: Vec<(String, String, Option<TempDir>)>,
}

impl Org {
    fn new() -> Self {
        let production = demo_as("111111111111", |_, t| Some(t));
        // No password policy and no Access Analyzer data: other details, checks not evaluated.
        let research = demo_as("222222222222", |rel, t| {
            (rel != "password-policy.json" && !rel.starts_with("access-analyzer/")).then_some(t)
        });
        // dr.patel loses MFA: one more console user without MFA than in production.
        let sandbox = demo_as("333333333333", |rel, t| {
            Some(if rel == "credential-report.csv" {
                t.lines()
                    .map(|l| {
                        if l.starts_with("dr.patel,") {
                            l.replacen(",N/A,true,", ",N/A,false,", 1)
                        } else {
                            l.to_string()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
                    + "\n"
            } else {
                t
            })
        });
        Org {
            dirs: vec![
                ("333333333333".into(), "Sandbox".into(), Some(sandbox)),
                ("111111111111".into(), "=Production".into(), Some(production)),
                ("444444444444".into(), "Legacy".into(), None),
                ("222222222222".into(), "Research".into(), Some(research)),
            ],
        }
    }

    /// The runs, in the (unsorted) order an engine might finish them.
    fn runs(&self) -> Vec<AccountRun> {
        self.dirs
            .iter()
            .map(|(id, name, dir)| AccountRun {
                id: id.clone(),
                name: name.clone(),
                result: match dir {
                    Some(d) => Ok(audit(d.path())),
                    None => Err(DENIED.to_string()),
                },
            })
            .collect()
    }
}

fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap();
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes.as_slice());
    r.records()
        .map(|rec| rec.unwrap().iter().map(|c| c.to_string()).collect())
        .collect()
}

fn report_of<'a>(runs: &'a [AccountRun], id: &str) -> &'a AuditReport {
    &runs
        .iter()
        .find(|r| r.id == id)
        .unwrap()
        .result
        .as_ref()
        .unwrap()
        .report
}

fn fails(report: &AuditReport, check: &str) -> usize {
    report
        .findings
        .iter()
        .filter(|f| f.check.id == check && f.status == Status::Fail)
        .count()
}

fn write(dir: &Path, runs: &[AccountRun], options: &EvidenceOptions) -> Manifest {
    org::write_org_evidence(dir, runs, &defaults(), options).unwrap()
}

/// The manifest's JSON without its `generated_at` (the one wall-clock value).
fn manifest_without_time(bytes: &[u8]) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    v.as_object_mut().unwrap().remove("generated_at").unwrap();
    v
}

#[test]
fn every_audited_account_gets_the_single_account_evidence_and_org_json_lists_all() {
    let org = Org::new();
    let runs = org.runs();
    let out = tempfile::tempdir().unwrap();
    let manifest = write(out.path(), &runs, &EvidenceOptions::default());

    // Each account directory is exactly what write_evidence writes for that account.
    for run in runs.iter().filter(|r| r.result.is_ok()) {
        let a = run.result.as_ref().unwrap();
        let single = tempfile::tempdir().unwrap();
        write_evidence(
            single.path(),
            &a.report,
            &a.account,
            &defaults(),
            &EvidenceOptions::default(),
        )
        .unwrap();
        let expected = listing(single.path());
        let actual = listing(&out.path().join(&run.id));
        assert_eq!(
            actual.keys().collect::<Vec<_>>(),
            expected.keys().collect::<Vec<_>>(),
            "{}",
            run.id
        );
        for (name, bytes) in &expected {
            if name == "manifest.json" {
                assert_eq!(manifest_without_time(&actual[name]), manifest_without_time(bytes));
            } else {
                assert_eq!(&actual[name], bytes, "{}/{name}", run.id);
            }
        }
    }
    assert!(
        !out.path().join("444444444444").exists(),
        "no directory for the account in error"
    );

    // org.json: sorted by ID, the error with its message, the evidence paths.
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("org.json")).unwrap()).unwrap();
    assert_eq!(
        index,
        serde_json::json!({"accounts": [
            {"id": "111111111111", "name": "=Production", "status": "audited", "evidence": "111111111111"},
            {"id": "222222222222", "name": "Research", "status": "audited", "evidence": "222222222222"},
            {"id": "333333333333", "name": "Sandbox", "status": "audited", "evidence": "333333333333"},
            {"id": "444444444444", "name": "Legacy", "status": "error", "error": DENIED},
        ]})
    );

    // The top manifest: the organization files and each account's manifest, no more.
    assert_eq!(
        manifest.files.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "111111111111/manifest.json",
            "222222222222/manifest.json",
            "333333333333/manifest.json",
            "org.json",
            "org_evidence.xlsx",
            "org_findings.csv",
            "org_report.html",
            "org_risk_register.csv",
            "org_risk_register.md",
            "org_summary.md",
        ]
    );
    assert_eq!(manifest.config_sha256.as_deref(), Some(defaults().sha256.as_str()));
    assert_eq!(manifest.account_id, None);
    assert_eq!(Manifest::read(&out.path().join("manifest.json")).unwrap(), manifest);
    let (checked, problems) = manifest.verify_counted(out.path());
    assert!(problems.is_empty(), "{problems:?}");
    let per_account: usize = ["111111111111", "222222222222", "333333333333"]
        .iter()
        .map(|id| {
            Manifest::read(&out.path().join(id).join("manifest.json"))
                .unwrap()
                .files
                .len()
        })
        .sum();
    assert_eq!(
        checked,
        manifest.files.len() + per_account,
        "nested files are verified too"
    );
}

#[test]
fn org_findings_csv_has_one_row_per_account_and_check_with_the_counts() {
    let org = Org::new();
    let runs = org.runs();
    let out = tempfile::tempdir().unwrap();
    write(out.path(), &runs, &EvidenceOptions::default());
    let rows = read_csv(&out.path().join("org_findings.csv"));
    assert_eq!(
        rows[0],
        [
            "Account",
            "AccountName",
            "CheckId",
            "Title",
            "Severity",
            "Fail",
            "Pass",
            "NotEvaluated",
            "Error",
            "Excepted"
        ]
    );
    let body = &rows[1..];
    // Sorted by account, then in catalogue order; the errored account has no rows.
    let mut expected_keys = Vec::new();
    for id in ["111111111111", "222222222222", "333333333333"] {
        for (check, _) in register::by_check(report_of(&runs, id)) {
            expected_keys.push((id.to_string(), check.id.to_string()));
        }
    }
    let keys: Vec<(String, String)> = body.iter().map(|r| (r[0].clone(), r[2].clone())).collect();
    assert_eq!(keys, expected_keys);
    assert!(body.iter().all(|r| r[0] != "444444444444"));
    // Every row's counts are the account's findings of that check by status.
    for r in body {
        let report = report_of(&runs, &r[0]);
        let n = |st: Status| {
            report
                .findings
                .iter()
                .filter(|f| f.check.id == r[2] && f.status == st)
                .count()
                .to_string()
        };
        assert_eq!(
            r[5..].to_vec(),
            [
                n(Status::Fail),
                n(Status::Pass),
                n(Status::NotEvaluated),
                n(Status::Error),
                n(Status::Excepted)
            ],
            "{r:?}"
        );
    }
    let row = |id: &str, check: &str| body.iter().find(|r| r[0] == id && r[2] == check).unwrap().clone();
    // The account name that looks like a formula is neutralised.
    assert_eq!(row("111111111111", "IAM-002")[1], "'=Production");
    assert_eq!(unneutralise(&row("111111111111", "IAM-002")[1]), "=Production");
    // Key rows: the demo's console users without MFA, one more in the sandbox.
    assert_eq!(
        row("111111111111", "IAM-002"),
        [
            "111111111111",
            "'=Production",
            "IAM-002",
            "Users with console access have MFA",
            "critical",
            "3",
            "9",
            "0",
            "0",
            "0"
        ]
    );
    assert_eq!(
        row("333333333333", "IAM-002"),
        [
            "333333333333",
            "Sandbox",
            "IAM-002",
            "Users with console access have MFA",
            "critical",
            "4",
            "8",
            "0",
            "0",
            "0"
        ]
    );
    // Research has no Access Analyzer data: IAM-019 is not passed there.
    let research_019 = row("222222222222", "IAM-019");
    assert_eq!(research_019[6], "0", "{research_019:?}");
    assert_eq!(row("111111111111", "IAM-019")[6], "1");

    // --excel: the byte-order mark on every organization CSV.
    let excel = tempfile::tempdir().unwrap();
    write(
        excel.path(),
        &runs,
        &EvidenceOptions {
            excel: true,
            ..Default::default()
        },
    );
    for name in [
        "org_findings.csv",
        "org_risk_register.csv",
        "111111111111/IAM-002_console-mfa.csv",
    ] {
        let bytes = std::fs::read(excel.path().join(name)).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "{name}");
        assert_eq!(
            &bytes[3..],
            std::fs::read(out.path().join(name)).unwrap().as_slice(),
            "{name}"
        );
    }
}

#[test]
fn the_org_risk_register_combines_the_accounts_registers() {
    let org = Org::new();
    let runs = org.runs();
    let out = tempfile::tempdir().unwrap();
    write(out.path(), &runs, &EvidenceOptions::default());
    let rows = read_csv(&out.path().join("org_risk_register.csv"));
    assert_eq!(rows[0], register::HEADERS);
    let ids = ["111111111111", "222222222222", "333333333333"];
    let per_account: Vec<(&str, Vec<register::RiskRow>)> = ids
        .iter()
        .map(|id| (*id, register::rows(report_of(&runs, id))))
        .collect();
    // One row per check that has a row in any account, in catalogue order.
    let mut checks: Vec<String> = per_account
        .iter()
        .flat_map(|(_, r)| r.iter().map(|x| x.risk_id.clone()))
        .collect();
    checks.sort();
    checks.dedup();
    assert_eq!(rows[1..].iter().map(|r| r[0].clone()).collect::<Vec<_>>(), checks);
    for r in &rows[1..] {
        let statuses: Vec<(&str, register::RiskStatus)> = per_account
            .iter()
            .filter_map(|(id, rows)| rows.iter().find(|x| x.risk_id == r[0]).map(|x| (*id, x.status)))
            .collect();
        let expected = if statuses.iter().any(|(_, s)| *s == register::RiskStatus::Open) {
            "Open"
        } else if statuses.iter().any(|(_, s)| *s == register::RiskStatus::Accepted) {
            "Accepted"
        } else {
            "Closed"
        };
        assert_eq!(r[4], expected, "{r:?}");
    }
    let row = |check: &str| rows.iter().find(|r| r[0] == check).unwrap().clone();
    assert_eq!(
        row("IAM-002"),
        [
            "IAM-002",
            "Users with console access have MFA: fails in 3 of 3 accounts (10 failing findings): 111111111111 (3), 222222222222 (3), 333333333333 (4)",
            "§164.312(d); §164.312(a)(1)",
            "Not yet applied in 111111111111, 222222222222, 333333333333: Have the user enable an MFA device (virtual or hardware) and enforce MFA with the deny-without-MFA policy on the human-users group.",
            "Open",
            "<account>/IAM-002_console-mfa.csv (3 accounts)",
        ]
    );
    assert_eq!(
        row("IAM-015"),
        [
            "IAM-015",
            "The root user has MFA: passes in all 3 accounts",
            "§164.312(d)",
            "In place in all 3 accounts: The root user has MFA",
            "Closed",
            "<account>/IAM-015_root-mfa.csv (3 accounts)",
        ]
    );
    // Research has no Access Analyzer data: IAM-020 is judged in the two others only.
    assert!(
        row("IAM-020")[1].contains("fails in 2 of 2 accounts"),
        "{:?}",
        row("IAM-020")
    );
    assert!(!row("IAM-020")[1].contains("222222222222"));

    let md = std::fs::read_to_string(out.path().join("org_risk_register.md")).unwrap();
    assert!(
        md.starts_with(
            "# HIPAA IAM organization risk register\n\n3 accounts audited, data as of 2026-11-16T14:05:12Z."
        ),
        "{md}"
    );
    assert!(md.contains("| IAM-015 | The root user has MFA: passes in all 3 accounts | §164.312(d) | In place in all 3 accounts: The root user has MFA | Closed | \\<account\\>/IAM-015\\_root-mfa.csv (3 accounts) |\n"), "{md}");
}

#[test]
fn org_summary_shows_accounts_fail_counts_top_checks_and_errors() {
    let org = Org::new();
    let runs = org.runs();
    let out = tempfile::tempdir().unwrap();
    write(out.path(), &runs, &EvidenceOptions::default());
    let md = std::fs::read_to_string(out.path().join("org_summary.md")).unwrap();
    assert!(md.contains("- Accounts: 4 (3 audited, 1 with errors)\n"), "{md}");
    assert!(md.contains("- Data as of: 2026-11-16T14:05:12Z\n"), "{md}");
    assert!(md.contains(&format!("(SHA-256 {})", defaults().sha256)), "{md}");
    let total: usize = ["111111111111", "222222222222", "333333333333"]
        .iter()
        .map(|id| {
            report_of(&runs, id)
                .findings
                .iter()
                .filter(|f| f.status == Status::Fail)
                .count()
        })
        .sum();
    assert!(
        md.contains(&format!(
            "**Result: {total} failing findings in 3 of 3 accounts audited; 1 account could not be audited.**"
        )),
        "{md}"
    );
    for (id, name) in [
        ("111111111111", "=Production"),
        ("222222222222", "Research"),
        ("333333333333", "Sandbox"),
    ] {
        let r = report_of(&runs, id);
        let by = |s: Severity| {
            r.findings
                .iter()
                .filter(|f| f.check.severity == s && f.status == Status::Fail)
                .count()
        };
        let line = format!(
            "| {id} | {name} | audited | {} | {} | {} | {} | {id}/summary.md |\n",
            by(Severity::Critical),
            by(Severity::High),
            by(Severity::Medium),
            by(Severity::Low)
        );
        assert!(md.contains(&line), "{line}\n{md}");
    }
    assert!(
        md.contains("| 444444444444 | Legacy | error | - | - | - | - | - |\n"),
        "{md}"
    );
    // The check failing in most accounts, most serious first, leads the list.
    assert!(
        md.contains(&format!(
            "## Checks failing in most accounts\n\n| Check | Title | Severity | Accounts failing | Failing findings |\n|---|---|---|---|---|\n| IAM-002 | Users with console access have MFA | critical | 3 of 3 | {} |\n",
            fails(report_of(&runs, "111111111111"), "IAM-002")
                + fails(report_of(&runs, "222222222222"), "IAM-002")
                + fails(report_of(&runs, "333333333333"), "IAM-002")
        )),
        "{md}"
    );
    assert!(
        // Ten checks at most; IAM-020 (2 of 3 accounts) ranks below those failing in all three.
        md.contains(
            "| IAM-007 | Users have no directly attached or inline policies | medium | 3 of 3 | 6 |\n\n## Errors"
        ) && !md.contains("| IAM-020 |"),
        "{md}"
    );
    assert!(
        md.contains(&format!(
            "## Errors\n\n| Account | Name | Error |\n|---|---|---|\n| 444444444444 | Legacy | {DENIED} |\n"
        )),
        "{md}"
    );
}

#[test]
fn org_files_are_the_same_for_the_same_inputs_in_any_order() {
    let org = Org::new();
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    write(a.path(), &org.runs(), &EvidenceOptions::default());
    let mut reversed = org.runs();
    reversed.reverse();
    write(b.path(), &reversed, &EvidenceOptions::default());
    for name in [
        "org.json",
        "org_summary.md",
        "org_findings.csv",
        "org_risk_register.csv",
        "org_risk_register.md",
        "org_report.html",
        "org_evidence.xlsx",
    ] {
        assert_eq!(
            std::fs::read(a.path().join(name)).unwrap(),
            std::fs::read(b.path().join(name)).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn tampering_with_an_account_file_fails_the_top_level_verification_naming_it() {
    let org = Org::new();
    let out = tempfile::tempdir().unwrap();
    let manifest = write(out.path(), &org.runs(), &EvidenceOptions::default());
    let target = out.path().join("222222222222").join("findings.json");
    let mut bytes = std::fs::read(&target).unwrap();
    bytes.extend_from_slice(b" ");
    std::fs::write(&target, bytes).unwrap();
    let problems = manifest.verify(out.path());
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("222222222222/findings.json: changed"),
        "{problems:?}"
    );

    // A changed account manifest is caught by its own hash in the top manifest.
    let m = out.path().join("333333333333").join("manifest.json");
    let text = std::fs::read_to_string(&m).unwrap().replace("\"tool\"", "\"tool\" ");
    std::fs::write(&m, text).unwrap();
    let problems = manifest.verify(out.path());
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("333333333333/manifest.json: changed")),
        "{problems:?}"
    );

    // A missing account directory.
    std::fs::remove_dir_all(out.path().join("111111111111")).unwrap();
    assert!(manifest
        .verify(out.path())
        .iter()
        .any(|p| p == "111111111111/manifest.json: missing"));
}

#[test]
fn a_failure_half_way_keeps_the_previous_evidence_byte_identical() {
    let org = Org::new();
    let out = tempfile::tempdir().unwrap();
    write(out.path(), &org.runs(), &EvidenceOptions::default());
    let before = listing(out.path());

    // The next run: other names, one account fewer, one more (so new directories too).
    let mut next = org.runs();
    next.retain(|r| r.id != "111111111111");
    for r in &mut next {
        r.name.push_str(" (renamed)");
    }
    let extra = demo_as("555555555555", |_, t| Some(t));
    next.push(AccountRun {
        id: "555555555555".into(),
        name: "New".into(),
        result: Ok(audit(extra.path())),
    });

    // Half-way: the temporary name of one account's summary.md is taken by a directory,
    // after the earlier accounts' files were written.
    let blocker = temp_name(&out.path().join("333333333333"), "summary.md");
    std::fs::create_dir(&blocker).unwrap();
    let err = org::write_org_evidence(out.path(), &next, &defaults(), &EvidenceOptions::default()).unwrap_err();
    assert!(err.to_string().contains("summary.md"), "{err}");
    std::fs::remove_dir(&blocker).unwrap();
    assert_eq!(
        listing(out.path()),
        before,
        "previous evidence untouched, no temporary files or new directories"
    );
    assert!(Manifest::read(&out.path().join("manifest.json"))
        .unwrap()
        .verify(out.path())
        .is_empty());

    // Without the blocker the same run succeeds, and the account it no longer has is gone,
    // so the tree matches its manifest.
    let m = org::write_org_evidence(out.path(), &next, &defaults(), &EvidenceOptions::default()).unwrap();
    assert!(m.verify(out.path()).is_empty());
    assert!(!out.path().join("111111111111").exists());
    assert!(out.path().join("555555555555").join("findings.json").is_file());
    let index = std::fs::read_to_string(out.path().join("org.json")).unwrap();
    assert!(
        index.contains("Sandbox (renamed)") && !index.contains("111111111111"),
        "{index}"
    );
}

#[test]
fn invalid_and_repeated_account_ids_are_refused_before_anything_is_written() {
    let org = Org::new();
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("org");
    let mut runs = org.runs();
    runs[0].id = "../escape".into();
    let err = org::write_org_evidence(&dir, &runs, &defaults(), &EvidenceOptions::default()).unwrap_err();
    assert!(err.to_string().contains("\"../escape\""), "{err}");
    let mut runs = org.runs();
    runs[1].id = runs[0].id.clone();
    let err = org::write_org_evidence(&dir, &runs, &defaults(), &EvidenceOptions::default()).unwrap_err();
    assert!(
        err.to_string()
            .contains(&format!("account {} appears twice", runs[0].id)),
        "{err}"
    );
    assert!(!dir.exists());
}

#[test]
fn an_organization_with_no_audited_account_still_has_its_files() {
    let out = tempfile::tempdir().unwrap();
    let runs = vec![AccountRun {
        id: "444444444444".into(),
        name: "Legacy".into(),
        result: Err(DENIED.into()),
    }];
    let m = write(out.path(), &runs, &EvidenceOptions::default());
    assert!(m.verify(out.path()).is_empty());
    let md = std::fs::read_to_string(out.path().join("org_summary.md")).unwrap();
    assert!(md.contains("- Data as of: no account audited\n"), "{md}");
    assert!(
        md.contains("**Result: 0 failing findings in 0 of 0 accounts audited; 1 account could not be audited.**"),
        "{md}"
    );
    assert_eq!(read_csv(&out.path().join("org_findings.csv")).len(), 1);
}

#[test]
fn nested_manifest_names_stay_inside_the_directory() {
    use hipaa_iam_core::manifest::nested_manifest_dir;
    assert_eq!(nested_manifest_dir("111111111111/manifest.json"), Some("111111111111"));
    assert_eq!(nested_manifest_dir("manifest.json"), None);
    assert_eq!(nested_manifest_dir("../x/manifest.json"), None);
    assert_eq!(nested_manifest_dir("/etc/manifest.json"), None);
    assert_eq!(nested_manifest_dir("a/./manifest.json"), None);
    assert_eq!(nested_manifest_dir("access-analyzer/us-east-1/findings.json"), None);
}
