//! `audit --org` / `collect --org` without AWS: argument errors name the argument, and an
//! organization collected earlier (`collect --org`'s directory) is audited offline with its
//! accounts' errors kept, the table or JSON on stdout, and the organization exit status.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::common::hipaa_iam_offline;
use hipaa_iam_tests::output;

fn hipaa_iam(args: &[&str], cwd: &Path) -> Output {
    // Nothing here may reach AWS.
    output(hipaa_iam_offline().args(args).current_dir(cwd))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn copy_as(from: &Path, to: &Path, id: &str) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_as(&entry.path(), &target, id);
        } else {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            std::fs::write(&target, text.replace("123456789012", id)).unwrap();
        }
    }
}

/// A collected organization: the demo account's data as that of 111111111111 and
/// 222222222222 (its account ID replaced), and
/// 333333333333 whose role could not be assumed.
fn collected(dir: &Path, with_error: bool) {
    let demo = hipaa_iam_tests::demo_account();
    copy_as(&demo, &dir.join("111111111111"), "111111111111");
    copy_as(&demo, &dir.join("222222222222"), "222222222222");
    let mut accounts = vec![
        serde_json::json!({"id": "111111111111", "name": "clinic"}),
        serde_json::json!({"id": "222222222222", "name": "billing"}),
    ];
    if with_error {
        accounts.push(serde_json::json!({
            "id": "333333333333",
            "name": "research",
            "error": "AccessDenied: User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::333333333333:role/OrganizationAccountAccessRole"
        }));
    }
    std::fs::write(
        dir.join("accounts.json"),
        serde_json::to_vec_pretty(&serde_json::json!({ "accounts": accounts })).unwrap(),
    )
    .unwrap();
}

#[test]
fn org_flags_without_org_and_bad_values_are_errors_naming_the_argument() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["audit", "--shard", "1/2"],
            "--shard only applies to organization runs: add --org",
        ),
        (
            &["audit", "--role-name", "R", "--accounts", "111111111111"],
            "--role-name, --accounts only apply to organization runs: add --org",
        ),
        (
            &["collect", "--output", "x", "--concurrency", "3", "--external-id", "abc"],
            "--external-id, --concurrency only apply to organization runs: add --org",
        ),
        (
            &["audit", "--org", "--shard", "3/2"],
            "--shard: `3/2` has shard number 3; it must be from 1 to 2",
        ),
        (&["audit", "--org", "--shard", "two"], "--shard: `two` is not I/N"),
        (
            &["audit", "--org", "--concurrency", "0"],
            "--concurrency: must be at least 1",
        ),
        (
            &["audit", "--org", "--accounts", "1234"],
            "--accounts: `1234` is not a 12-digit AWS account ID",
        ),
        (
            &["audit", "--org", "--role-name", "a b"],
            "--role-name: `a b` is not an IAM role name",
        ),
        (
            &["audit", "--org", "--format", "sarif"],
            "--format sarif is not available with --org: use table or json",
        ),
        (
            &["audit", "--org", "--format", "csv"],
            "--format csv is not available with --org",
        ),
        (
            &["audit", "--org", "--sarif-file", "x.sarif"],
            "--sarif-file is not available with --org",
        ),
        (
            &["collect", "--org", "--output", "x", "--shard", "0/1"],
            "--shard: `0/1` has shard number 0",
        ),
    ];
    for (args, message) in cases {
        let out = hipaa_iam(args, tmp.path());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    assert!(!tmp.path().join("x").exists(), "nothing is written on bad arguments");
}

#[test]
fn a_collected_organization_is_audited_offline_with_its_errors_and_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("org");
    collected(&dir, true);
    let d = dir.to_str().unwrap();

    let out = hipaa_iam(&["audit", "--org", "--exports", d, "--format", "json"], tmp.path());
    assert_eq!(out.status.code(), Some(2), "an account errored: {}", stderr(&out));
    assert!(
        !stderr(&out).contains('\u{1b}') && !stderr(&out).contains('\r'),
        "no progress bar off a terminal"
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let accounts = doc["accounts"].as_array().unwrap();
    let ids: Vec<&str> = accounts.iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["111111111111", "222222222222", "333333333333"]);
    assert_eq!(accounts[0]["name"], "clinic");
    assert_eq!(accounts[0]["report"]["account_id"], "111111111111");
    assert!(accounts[0].get("error").is_none());
    assert!(accounts[2].get("report").is_none());
    assert!(
        accounts[2]["error"]
            .as_str()
            .unwrap()
            .starts_with("AccessDenied: User: "),
        "{}",
        accounts[2]
    );
    // Exactly the one-account audit of the same data.
    let single = hipaa_iam(
        &[
            "audit",
            "--exports",
            dir.join("111111111111").to_str().unwrap(),
            "--format",
            "json",
        ],
        tmp.path(),
    );
    let single: Value = serde_json::from_slice(&single.stdout).unwrap();
    // But for what the organization run says of the service control policies: this
    // directory has no organization/ folder, so they are unknown (IAM-033, IAM-010's note).
    let without_scps = |findings: &Value| -> Vec<Value> {
        findings
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["check_id"] != "IAM-033")
            .map(|f| {
                let mut f = f.clone();
                let detail = f["detail"].as_str().unwrap();
                let cut = detail.find("; service control policies").unwrap_or(detail.len());
                f["detail"] = Value::from(&detail[..cut]);
                f
            })
            .collect()
    };
    assert_eq!(
        without_scps(&accounts[0]["report"]["findings"]),
        without_scps(&single["findings"])
    );
    let guardrails = accounts[0]["report"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check_id"] == "IAM-033")
        .unwrap();
    assert_eq!(guardrails["status"], "not-evaluated");
    assert!(
        guardrails["detail"]
            .as_str()
            .unwrap()
            .contains("has no organization/ folder"),
        "{guardrails}"
    );

    let out = hipaa_iam(&["audit", "--org", "--exports", d], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    let table = String::from_utf8_lossy(&out.stdout);
    let row = table.lines().find(|l| l.starts_with("333333333333")).unwrap();
    assert!(row.contains("research  ERROR AccessDenied: User: "), "{table}");
    assert!(
        table.contains("3 account(s): 2 audited, 1 error(s); fail-on high:"),
        "{table}"
    );

    // Without the failed account: failing findings at or above --fail-on are exit 1, and
    // --fail-on none is 0.
    let out = hipaa_iam(
        &[
            "audit",
            "--org",
            "--exports",
            d,
            "--accounts",
            "111111111111,222222222222",
        ],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let out = hipaa_iam(
        &["audit", "--org", "--exports", d, "--shard", "1/3", "--fail-on", "none"],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.lines().any(|l| l.starts_with("111111111111")), "{table}");
    assert!(!table.lines().any(|l| l.starts_with("222222222222")), "{table}");

    // A directory with another account's data is that account's error.
    std::fs::remove_dir_all(dir.join("222222222222")).unwrap();
    copy_as(
        &hipaa_iam_tests::demo_account(),
        &dir.join("222222222222"),
        "111111111111",
    );
    let out = hipaa_iam(&["audit", "--org", "--exports", d, "--format", "json"], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let e = doc["accounts"][1]["error"].as_str().unwrap();
    assert!(
        e.starts_with("WrongAccount: ") && e.ends_with("holds the data of account 111111111111"),
        "{e}"
    );
    assert!(doc["accounts"][0]["report"].is_object());

    // An ID that is not in the collected organization.
    let out = hipaa_iam(
        &["audit", "--org", "--exports", d, "--accounts", "444444444444"],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--accounts: 444444444444 is not an active account"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_bad_collected_organization_is_an_error_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out = hipaa_iam(&["audit", "--org", "--exports", empty.to_str().unwrap()], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("has no account directories"), "{}", stderr(&out));

    let bad = tmp.path().join("bad");
    collected(&bad, false);
    std::fs::write(bad.join("accounts.json"), r#"{"accounts":[{"id":"12ab","name":"x"}]}"#).unwrap();
    let out = hipaa_iam(&["audit", "--org", "--exports", bad.to_str().unwrap()], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    let e = stderr(&out);
    assert!(
        e.contains("accounts.json") && e.contains("accounts[0].id") && e.contains("`12ab`"),
        "{e}"
    );
}

#[test]
fn help_gives_the_organization_exit_status() {
    let out = hipaa_iam(&["audit", "--help"], Path::new("."));
    let help = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        help.contains("With --org: 2 when any account ended in an error"),
        "{help}"
    );
    assert!(
        help.contains("--shard <I/N>") && help.contains("--role-name <NAME>"),
        "{help}"
    );
}

#[test]
fn github_output_of_an_organization_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("org");
    collected(&dir, true);
    let (output, summary) = (tmp.path().join("output"), tmp.path().join("summary"));
    let out = crate::common::hipaa_iam()
        .args(["audit", "--org", "--github", "--exports", dir.to_str().unwrap()])
        .current_dir(tmp.path())
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let errors: Vec<String> = stderr(&out)
        .lines()
        .filter(|l| l.starts_with("::error"))
        .map(str::to_string)
        .collect();
    assert_eq!(errors.len(), 1, "{}", stderr(&out));
    assert!(
        errors[0].starts_with("::error title=account 333333333333::AccessDenied: User: "),
        "{}",
        errors[0]
    );
    // The demo account has 17 failing findings at or above high; two accounts hold its data.
    assert_eq!(
        std::fs::read_to_string(&output).unwrap(),
        "failed=true\nfail-count=34\nreport-dir=\nsarif-file=\n"
    );
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(
        summary.starts_with(
            "**hipaa-iam organization audit**: 3 account(s), 1 error(s); 34 failing finding(s) at or above high."
        ),
        "{summary}"
    );
    assert!(summary.contains("222222222222  billing"), "{summary}");
    assert!(
        !summary.contains("org_report.html"),
        "no report directory, no link: {summary}"
    );

    // With a report directory the summary points to the organization's page and workbook.
    let reports = tmp.path().join("reports");
    let summary_file = tmp.path().join("summary2");
    let out = crate::common::hipaa_iam()
        .args(["audit", "--org", "--github", "--exports", dir.to_str().unwrap()])
        .args(["--output-dir", reports.to_str().unwrap()])
        .current_dir(tmp.path())
        .env("GITHUB_OUTPUT", tmp.path().join("output2"))
        .env("GITHUB_STEP_SUMMARY", &summary_file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let summary = std::fs::read_to_string(&summary_file).unwrap();
    assert!(
        summary.contains("[org_report.html](org_report.html)")
            && summary.contains("[org_evidence.xlsx](org_evidence.xlsx)"),
        "{summary}"
    );
    assert!(reports.join("org_report.html").is_file());
}

/// Account names a hostile organization member could choose.
const HOSTILE_NAMES: [&str; 3] = [
    "<script>alert(1)</script>",
    "=HYPERLINK(\"http://evil.example/\",\"click\")",
    "quote\"d'name\u{1b}[31m",
];

/// [`collected`] with the hostile names, the last one on the account in error.
fn collected_hostile(dir: &Path) {
    collected(dir, true);
    let path = dir.join("accounts.json");
    let mut listing: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    for (account, name) in listing["accounts"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .zip(HOSTILE_NAMES)
    {
        account["name"] = Value::from(name);
    }
    std::fs::write(&path, serde_json::to_vec_pretty(&listing).unwrap()).unwrap();
}

fn manifest_files(dir: &Path) -> serde_json::Map<String, Value> {
    let manifest: Value = serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    manifest["files"].as_object().unwrap().clone()
}

fn verifies(dir: &Path) {
    let verify = hipaa_iam(&["verify", dir.to_str().unwrap()], Path::new("."));
    assert_eq!(
        verify.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

/// The `href`s of a page.
fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_string())
        .collect()
}

#[test]
fn the_organization_page_lists_every_account_links_its_reports_and_keeps_hostile_names_as_data() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("org");
    collected_hostile(&dir);
    let out = tmp.path().join("reports");
    let run = hipaa_iam(
        &[
            "audit",
            "--org",
            "--exports",
            dir.to_str().unwrap(),
            "--output-dir",
            out.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert_eq!(run.status.code(), Some(2), "an account errored: {}", stderr(&run));
    let files = manifest_files(&out);
    for name in ["org_report.html", "org_evidence.xlsx"] {
        assert!(out.join(name).is_file(), "{name} missing");
        assert!(files.contains_key(name), "{name} not in the manifest: {files:?}");
    }
    verifies(&out);

    let html = std::fs::read_to_string(out.join("org_report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    // Self-contained, with the report page's style and a print stylesheet.
    for remote in ["src=\"http", "href=\"http", "@import", "url("] {
        assert!(!html.contains(remote), "the page refers to {remote}");
    }
    let single = std::fs::read_to_string(out.join("111111111111/report.html")).unwrap();
    let style = |page: &str| page[page.find("<style>").unwrap()..page.find("@page").unwrap()].to_string();
    assert_eq!(
        style(&html),
        style(&single),
        "the organization page's style is the report's"
    );
    assert!(html.contains("@media print") && html.contains("@page"));

    // A relative link to each audited account's page, none to the account in error.
    let mut hrefs = links(&html);
    hrefs.dedup();
    assert_eq!(
        hrefs,
        ["111111111111/report.html", "222222222222/report.html"],
        "{html}"
    );
    for href in &hrefs {
        assert!(out.join(href).is_file(), "{href} does not exist");
    }
    // One row per account: ID, name, status, failing findings by severity, checks
    // failing, data time; the error's message on its row.
    // (The page's text has each cell separated by a space.)
    let text = crate::report_html_cli::html_text(&html);
    let section = &text[text.find("\nAccounts\n").unwrap()..text.find("\nGuardrails\n").unwrap()];
    let rows: Vec<&str> = section
        .lines()
        .filter(|l| {
            ["111111111111 ", "222222222222 ", "333333333333 "]
                .iter()
                .any(|id| l.starts_with(id))
        })
        .collect();
    assert_eq!(rows.len(), 3, "{section}");
    let demo: Value = serde_json::from_slice(&std::fs::read(out.join("111111111111/findings.json")).unwrap()).unwrap();
    let as_of = demo["as_of"].as_str().unwrap();
    let fails = |sev: &str| {
        demo["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["status"] == "fail" && demo["checks"][f["check_id"].as_str().unwrap()]["severity"] == sev)
            .count()
    };
    let checks_failing = demo["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "fail")
        .map(|f| f["check_id"].as_str().unwrap())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let want = format!(
        "111111111111 <script>alert(1)</script> audited {} {} {} {} {checks_failing} {as_of} report.html",
        fails("critical"),
        fails("high"),
        fails("medium"),
        fails("low")
    );
    assert_eq!(rows[0], want);
    assert!(
        rows[1].starts_with("222222222222 =HYPERLINK(\"http://evil.example/\",\"click\") audited "),
        "{}",
        rows[1]
    );
    assert!(
        rows[2].starts_with("333333333333 quote\"d'name\u{241b}[31m error AccessDenied: User: "),
        "{}",
        rows[2]
    );
    // Hostile names are text, never markup.
    assert!(!html.contains("<script>alert"), "a name became markup");
    assert_eq!(html.matches("<script>").count(), 1, "only the page's own script");
    assert!(
        !html.contains('\u{1b}') && !html.contains("quote\"d"),
        "a name escaped its cell"
    );
    // The organization's register and guardrails are on the page.
    for part in ["Organization risk register", "Guardrails", "IAM-002"] {
        assert!(text.contains(part), "no {part} in the page");
    }

    // A real browser: no console error, the script ran, a PDF of it prints.
    let profile = tmp.path().join("profile");
    let page = out.join("org_report.html");
    let dom = crate::report_html_cli::chromium(&["--dump-dom"], &page, &profile);
    let (stdout, stderr) = hipaa_iam_tests::text(&dom);
    assert!(dom.status.success(), "{stderr}");
    assert!(
        stdout.contains("class=\" js\"") || stdout.contains("class=\"js\""),
        "the script did not run"
    );
    assert!(stdout.contains("id=\"verdict\""), "{stdout}");
    for bad in ["Uncaught", "ERROR:CONSOLE", "Refused to", "net::ERR"] {
        assert!(!stderr.contains(bad), "console error ({bad}): {stderr}");
    }
    let png = tmp.path().join("org.png");
    let shot = crate::report_html_cli::chromium(
        &[
            &format!("--screenshot={}", png.display()),
            "--window-size=1280,1600",
            "--hide-scrollbars",
        ],
        &page,
        &profile,
    );
    assert!(
        shot.status.success() && png.is_file(),
        "{:?}",
        hipaa_iam_tests::text(&shot)
    );
    let colours = crate::report_html_cli::distinct_colours(&png);
    assert!(colours >= 16, "the screenshot has {colours} colours: blank?");
    let pdf = tmp.path().join("org.pdf");
    let print = crate::report_html_cli::chromium(
        &[&format!("--print-to-pdf={}", pdf.display()), "--no-pdf-header-footer"],
        &page,
        &profile,
    );
    assert!(
        print.status.success() && pdf.is_file(),
        "{:?}",
        hipaa_iam_tests::text(&print)
    );
    let info =
        output(std::process::Command::new(crate::report_html_cli::require("pdfinfo", "poppler-utils")).arg(&pdf));
    let info = String::from_utf8_lossy(&info.stdout).into_owned();
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("pdfinfo: {info}"));
    assert!((2..=50).contains(&pages), "{pages} pages");
}

#[test]
fn the_organization_workbook_has_a_text_row_per_account_and_the_register() {
    use calamine::{Data, Reader};
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("org");
    collected_hostile(&dir);
    let out = tmp.path().join("reports");
    let run = hipaa_iam(
        &[
            "audit",
            "--org",
            "--exports",
            dir.to_str().unwrap(),
            "--output-dir",
            out.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    let path = out.join("org_evidence.xlsx");
    let mut book = crate::report_xlsx_cli::book(&path);
    assert_eq!(book.sheet_names(), ["Accounts", "Risk register", "Guardrails"]);
    crate::report_xlsx_cli::assert_no_formula(&path);

    let accounts = book.worksheet_range("Accounts").unwrap();
    let rows: Vec<Vec<Data>> = accounts.rows().map(|r| r.to_vec()).collect();
    let head: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
    assert_eq!(
        head,
        [
            "Account",
            "Name",
            "Status",
            "Error",
            "Critical",
            "High",
            "Medium",
            "Low",
            "ChecksFailing",
            "DataAsOf",
            "Report"
        ]
    );
    assert_eq!(rows.len(), 4, "a header and one row per account: {rows:?}");
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    // Every value from AWS is a string cell, hostile names as they were named.
    for (row, (id, name)) in rows[1..].iter().zip(
        ["111111111111", "222222222222", "333333333333"]
            .iter()
            .zip(HOSTILE_NAMES),
    ) {
        assert_eq!(row[col("Account")], Data::String(id.to_string()));
        assert_eq!(row[col("Name")], Data::String(name.to_string()));
    }
    assert_eq!(rows[1][col("Status")], Data::String("audited".into()));
    assert_eq!(rows[1][col("Report")], Data::String("111111111111/report.html".into()));
    assert!(
        matches!(rows[1][col("High")], Data::Float(n) if n > 0.0),
        "{:?}",
        rows[1]
    );
    assert!(
        matches!(&rows[1][col("DataAsOf")], Data::String(t) if t.starts_with("20")),
        "{:?}",
        rows[1]
    );
    assert_eq!(rows[3][col("Status")], Data::String("error".into()));
    assert!(
        matches!(&rows[3][col("Error")], Data::String(e) if e.starts_with("AccessDenied: User: ")),
        "{:?}",
        rows[3]
    );
    assert!(matches!(rows[3][col("Report")], Data::Empty | Data::String(_)));
    assert_ne!(rows[3][col("Report")], Data::String("333333333333/report.html".into()));

    // The register: the rows of org_risk_register.csv.
    let csv = std::fs::read_to_string(out.join("org_risk_register.csv")).unwrap();
    let csv_rows = csv::Reader::from_reader(csv.as_bytes()).records().count();
    let register = book.worksheet_range("Risk register").unwrap();
    assert_eq!(register.rows().count(), csv_rows + 1);
    let ids: Vec<String> = register.rows().skip(1).map(|r| r[0].to_string()).collect();
    assert!(ids.contains(&"IAM-002".to_string()), "{ids:?}");
}

#[test]
fn no_html_and_no_xlsx_leave_the_organization_page_and_workbook_out() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("org");
    collected(&dir, true);
    let out = tmp.path().join("reports");
    let audit = |extra: &[&str]| {
        let mut args = vec![
            "audit",
            "--org",
            "--exports",
            dir.to_str().unwrap(),
            "--output-dir",
            out.to_str().unwrap(),
        ];
        args.extend(extra);
        let run = hipaa_iam(&args, tmp.path());
        assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    };
    audit(&["--no-html"]);
    assert!(!out.join("org_report.html").exists() && !out.join("111111111111/report.html").exists());
    assert!(out.join("org_evidence.xlsx").is_file() && out.join("111111111111/evidence.xlsx").is_file());
    assert!(!manifest_files(&out).contains_key("org_report.html"));
    verifies(&out);
    // Without the accounts' pages the workbook names none.
    {
        use calamine::Reader;
        let mut book = crate::report_xlsx_cli::book(&out.join("org_evidence.xlsx"));
        let range = book.worksheet_range("Accounts").unwrap();
        assert!(!range
            .used_cells()
            .any(|(_, _, c)| c.to_string().ends_with("report.html")));
    }

    // Then --no-xlsx into the same directory: the page is back, the workbooks go (removed
    // as stale) and the tree still verifies.
    audit(&["--no-xlsx"]);
    assert!(out.join("org_report.html").is_file() && out.join("111111111111/report.html").is_file());
    assert!(!out.join("org_evidence.xlsx").exists() && !out.join("111111111111/evidence.xlsx").exists());
    let files = manifest_files(&out);
    assert!(files.contains_key("org_report.html") && !files.contains_key("org_evidence.xlsx"));
    verifies(&out);

    // Both: neither.
    audit(&["--no-html", "--no-xlsx"]);
    for name in ["org_report.html", "org_evidence.xlsx"] {
        assert!(!out.join(name).exists(), "{name}");
    }
    assert!(out.join("org_summary.md").is_file());
    verifies(&out);
}
