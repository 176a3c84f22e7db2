//! `evidence.xlsx`, read back with calamine: its sheets, a Findings row per finding of the
//! demo account, no formula anywhere, hostile names kept as text, the manifest, and
//! `--no-xlsx` / `--format xlsx`.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::Path;

use calamine::{open_workbook, Data, Reader, Xlsx};

use crate::common::hipaa_iam;
use hipaa_iam_tests::account::{Cred, TestAccount};
use hipaa_iam_tests::{demo_account, output, text};

fn audit(exports: &Path, out: &Path, extra: &[&str]) {
    let run = output(
        hipaa_iam()
            .args(["audit", "--exports"])
            .arg(exports)
            .arg("--output-dir")
            .arg(out)
            .args(extra)
            .current_dir(out.parent().unwrap()),
    );
    assert_eq!(run.status.code(), Some(1), "{:?}", text(&run));
}

pub(crate) fn book(path: &Path) -> Xlsx<std::io::BufReader<std::fs::File>> {
    open_workbook(path).unwrap()
}

/// The Findings sheet as (column name -> cell) rows.
fn findings(path: &Path) -> Vec<BTreeMap<String, Data>> {
    let range = book(path).worksheet_range("Findings").unwrap();
    let mut rows = range.rows();
    let head: Vec<String> = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
    rows.map(|r| head.iter().cloned().zip(r.iter().cloned()).collect())
        .collect()
}

/// No cell of any sheet is a formula.
pub(crate) fn assert_no_formula(path: &Path) {
    let mut wb = book(path);
    for name in wb.sheet_names() {
        let formulas = wb.worksheet_formula(&name).unwrap();
        let any: Vec<&String> = formulas
            .used_cells()
            .map(|(_, _, f)| f)
            .filter(|f| !f.is_empty())
            .collect();
        assert!(any.is_empty(), "sheet {name} has formulas: {any:?}");
    }
}

#[test]
fn the_demo_workbook_has_its_sheets_a_row_per_finding_and_no_formula() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("evidence");
    audit(&demo_account(), &out, &[]);
    let path = out.join("evidence.xlsx");
    let names = book(&path).sheet_names();
    let mut expected: Vec<String> = ["Summary", "Findings", "Risk register", "MFA audit"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    expected.extend(hipaa_iam_core::checks::families().iter().map(|(n, _)| n.to_string()));
    expected.push("Access review".into());
    assert_eq!(names, expected);

    // A row per finding, each with the check and status findings.json gives it.
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("findings.json")).unwrap()).unwrap();
    let count = |rows: Vec<(String, String)>| {
        let mut m: BTreeMap<(String, String), usize> = BTreeMap::new();
        for r in rows {
            *m.entry(r).or_default() += 1;
        }
        m
    };
    let json_rows = report["findings"].as_array().unwrap();
    let want = count(
        json_rows
            .iter()
            .map(|f| {
                (
                    f["check_id"].as_str().unwrap().to_string(),
                    f["status"].as_str().unwrap().to_string(),
                )
            })
            .collect(),
    );
    let rows = findings(&path);
    assert_eq!(rows.len(), json_rows.len());
    let got = count(
        rows.iter()
            .map(|r| (r["CheckId"].to_string(), r["Status"].to_string()))
            .collect(),
    );
    assert_eq!(got, want);
    assert_no_formula(&path);

    // The summary states the verdict and the account.
    let summary = book(&path).worksheet_range("Summary").unwrap();
    let cells: Vec<String> = summary.used_cells().map(|(_, _, c)| c.to_string()).collect();
    assert!(cells.iter().any(|c| c == "123456789012"), "{cells:?}");
    assert!(cells.iter().any(|c| c.contains("failing findings")), "{cells:?}");

    // In the manifest, and the directory verifies.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert!(manifest["files"]["evidence.xlsx"].is_string());
    let verify = output(hipaa_iam().arg("verify").arg(&out));
    assert!(verify.status.success(), "{:?}", text(&verify));

    // --no-xlsx: gone, still verifies; --no-html likewise leaves the workbook.
    audit(&demo_account(), &out, &["--no-xlsx"]);
    assert!(!out.join("evidence.xlsx").exists());
    assert!(out.join("report.html").exists());
    let verify = output(hipaa_iam().arg("verify").arg(&out));
    assert!(verify.status.success(), "{:?}", text(&verify));
}

#[test]
fn hostile_names_stay_text_in_the_workbook() {
    let hostile = [
        "=cmd|' /C calc'!A0",
        "<script>alert(1)</script>",
        "quote\"d'name",
        "+SUM(A1)",
        "@x",
    ];
    let exports = hostile
        .iter()
        .fold(TestAccount::new(), |b, n| {
            b.user(n, &[], serde_json::json!({})).cred(Cred::new(n).password(None))
        })
        .write();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("evidence");
    audit(exports.path(), &out, &[]);
    let path = out.join("evidence.xlsx");
    assert_no_formula(&path);
    let rows = findings(&path);
    for name in hostile {
        let cell = rows
            .iter()
            .map(|r| &r["ResourceName"])
            .find(|c| matches!(c, Data::String(s) if s == name))
            .unwrap_or_else(|| panic!("{name:?} is not a ResourceName"));
        assert!(matches!(cell, Data::String(_)), "{name:?} is {cell:?}");
    }
    let mfa = book(&path).worksheet_range("MFA audit").unwrap();
    for name in hostile {
        assert!(
            mfa.used_cells()
                .any(|(_, _, c)| matches!(c, Data::String(s) if s == name)),
            "{name:?} is not in the MFA sheet as text"
        );
    }
}

#[test]
fn format_xlsx_writes_the_workbook_to_stdout() {
    let tmp = tempfile::tempdir().unwrap();
    let run = output(
        hipaa_iam()
            .args(["audit", "--format", "xlsx", "--exports"])
            .arg(demo_account())
            .current_dir(tmp.path()),
    );
    assert_eq!(run.status.code(), Some(1), "{:?}", text(&run));
    assert!(run.stdout.starts_with(b"PK\x03\x04"), "not a zip archive");
    let path = tmp.path().join("out.xlsx");
    std::fs::write(&path, &run.stdout).unwrap();
    assert_eq!(book(&path).sheet_names()[1], "Findings");
}

#[test]
fn a_large_account_s_findings_sheet_stops_at_its_cap_and_counts_the_rest_per_check() {
    use hipaa_iam_core::report::xlsx::FINDING_ROWS;
    // 20,000 generated users give over 50,000 findings that are not passes.
    let tmp = tempfile::tempdir().unwrap();
    let exports = tmp.path().join("exports");
    let gen = std::process::Command::new(hipaa_iam_tests::python())
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/gen_exports.py"))
        .args(["--users", "20000", "--out"])
        .arg(&exports)
        .output()
        .unwrap();
    assert!(gen.status.success(), "{}", String::from_utf8_lossy(&gen.stderr));
    let out = tmp.path().join("evidence");
    audit(&exports, &out, &["--no-html"]);
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("findings.json")).unwrap()).unwrap();
    let all = report["findings"].as_array().unwrap();
    let not_passing = all.iter().filter(|f| f["status"] != "pass").count();
    assert!(not_passing > FINDING_ROWS, "{not_passing}");

    let rows = findings(&out.join("evidence.xlsx"));
    let (listed, counted): (Vec<_>, Vec<_>) = rows.iter().partition(|r| !r["Status"].to_string().is_empty());
    assert_eq!(listed.len(), FINDING_ROWS, "the cap");
    assert!(
        listed.iter().all(|r| r["Status"] != Data::String("pass".into())),
        "not passing first"
    );
    // Every finding is either listed or counted in a row that names its check's CSV.
    let mut total = listed.len();
    for r in &counted {
        // "N more not passing/passing findings of IAM-XXX are not listed here: CSV lists them all"
        let text = r
            .values()
            .map(|c| c.to_string())
            .find(|c| c.contains(" more "))
            .unwrap_or_else(|| panic!("a count row: {r:?}"));
        let n: usize = text.split(' ').next().unwrap().parse().unwrap();
        assert!(text.ends_with(".csv lists them all"), "{text}");
        total += n;
    }
    assert_eq!(total, all.len());
}
