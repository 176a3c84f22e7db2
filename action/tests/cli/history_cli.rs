//! Audits over time without AWS: `diff OLD NEW` over real evidence of the demo account and
//! of a changed copy of it (a user given MFA, a new user, an exception), organization
//! evidence with an account added and one removed, and the refusals (a directory that does
//! not verify, one account against an organization).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Output;

use calamine::{open_workbook, Reader, Xlsx};
use serde_json::Value;

use crate::common::hipaa_iam_offline;
use hipaa_iam_tests::output;

fn run(args: &[&str], cwd: &Path) -> Output {
    output(hipaa_iam_offline().args(args).current_dir(cwd))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The demo account a month later: nurse.garcia has MFA, new.hire (a copy of nurse.kim)
/// has joined, the credential report is 30 days newer.
fn later_demo(id: &str) -> tempfile::TempDir {
    hipaa_iam_tests::demo_account_as(id, |rel, text| {
        Some(match rel {
            "credential-report.csv" => {
                let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
                let header: Vec<&str> = lines[0].split(',').collect();
                let mfa = header.iter().position(|h| *h == "mfa_active").unwrap();
                let mut kim = None;
                for line in lines.iter_mut() {
                    let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
                    if cells[0] == "nurse.garcia" {
                        cells[mfa] = "true".into();
                        *line = cells.join(",");
                    } else if cells[0] == "nurse.kim" {
                        kim = Some(line.replace("nurse.kim", "new.hire"));
                    }
                }
                lines.push(kim.unwrap());
                lines.join("\n") + "\n"
            }
            "authorization-details.json" => {
                let mut doc: Value = serde_json::from_str(&text).unwrap();
                let users = doc["UserDetailList"].as_array_mut().unwrap();
                let kim = users.iter().find(|u| u["UserName"] == "nurse.kim").unwrap().to_string();
                let mut hire: Value = serde_json::from_str(&kim.replace("nurse.kim", "new.hire")).unwrap();
                hire["UserId"] = "AIDANEWHIRE000000001".into();
                users.push(hire);
                doc.to_string()
            }
            "manifest.json" => text.replace("2026-11-16T14:05:12Z", "2026-12-16T14:05:12Z"),
            _ => text,
        })
    })
}

fn audit(exports: &Path, out: &Path, extra: &[&str]) {
    let mut args = vec![
        "audit",
        "--exports",
        exports.to_str().unwrap(),
        "--output-dir",
        out.to_str().unwrap(),
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let o = run(&args, exports);
    assert!(o.status.code().unwrap() <= 1, "audit: {}", stderr(&o));
}

/// Evidence of the demo account (`old`) and of its later state (`new`).
fn pair(tmp: &Path) -> (PathBuf, PathBuf) {
    let (old, new) = (tmp.join("old"), tmp.join("new"));
    audit(&hipaa_iam_tests::demo_account(), &old, &[]);
    audit(later_demo("123456789012").path(), &new, &[]);
    (old, new)
}

fn has(list: &Value, check: &str, name: &str) -> bool {
    list.as_array()
        .unwrap()
        .iter()
        .any(|f| f["check_id"] == check && f["resource_name"] == name)
}

#[test]
fn diff_names_new_resolved_still_open_principals_and_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let (old, new) = pair(tmp.path());
    let (o, n) = (old.to_str().unwrap(), new.to_str().unwrap());

    let out = run(&["diff", o, n, "--format", "json"], tmp.path());
    assert_eq!(
        out.status.code(),
        Some(1),
        "still-open critical findings: {}",
        stderr(&out)
    );
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["kind"], "account");
    let a = &d["account"];
    assert!(has(&a["new"], "IAM-002", "new.hire"), "{}", a["new"]);
    assert!(!has(&a["new"], "IAM-002", "nurse.kim"));
    assert!(has(&a["resolved"], "IAM-002", "nurse.garcia"), "{}", a["resolved"]);
    assert!(has(&a["still_open"], "IAM-002", "nurse.kim"));
    assert!(!has(&a["still_open"], "IAM-002", "nurse.garcia"));
    let kim = a["still_open"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check_id"] == "IAM-002" && f["resource_name"] == "nurse.kim")
        .unwrap();
    assert_eq!(kim["first_seen"], "2026-11-16T14:05:12Z", "open since the old audit");
    assert_eq!(a["new_as_of"], "2026-12-16T14:05:12Z");
    let garcia = a["changed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check_id"] == "IAM-002" && c["resource_name"] == "nurse.garcia")
        .unwrap();
    assert_eq!(
        (&garcia["old_status"], &garcia["new_status"]),
        (&"fail".into(), &"pass".into())
    );
    assert!(
        a["changed"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| !(c["old_status"] == "pass" && c["new_status"] == "pass")),
        "a passing finding's moving detail is no change"
    );
    let added: Vec<&str> = a["principals_added"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["arn"].as_str().unwrap())
        .collect();
    assert_eq!(added, ["arn:aws:iam::123456789012:user/new.hire"]);
    assert_eq!(a["principals_removed"].as_array().unwrap().len(), 0);
    let critical = &a["severity_counts"][0];
    assert_eq!(critical["severity"], "critical");
    assert_eq!(
        (critical["then"].as_u64(), critical["now"].as_u64()),
        (Some(3), Some(3))
    );

    // The same diff as text and Markdown; --fail-on none never fails.
    let table = run(&["diff", o, n, "--fail-on", "none"], tmp.path());
    assert_eq!(table.status.code(), Some(0), "{}", stderr(&table));
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.contains("NEW: 2"), "{text}");
    assert!(text.contains("RESOLVED: 1"), "{text}");
    assert!(
        text.contains("user     arn:aws:iam::123456789012:user/new.hire"),
        "{text}"
    );
    let md = run(&["diff", o, n, "--format", "markdown", "--fail-on", "none"], tmp.path());
    let md = String::from_utf8(md.stdout).unwrap();
    assert!(md.starts_with("## Since last review"), "{md}");
    assert!(md.contains("#### Resolved (1)"), "{md}");

    // An audit against itself: nothing new or resolved, the open critical gaps still fail.
    let same = run(&["diff", o, o, "--format", "json", "--fail-on", "critical"], tmp.path());
    assert_eq!(same.status.code(), Some(1), "the three critical gaps are still open");
    let d: Value = serde_json::from_slice(&same.stdout).unwrap();
    assert_eq!(d["account"]["new"].as_array().unwrap().len(), 0);
    assert_eq!(d["account"]["resolved"].as_array().unwrap().len(), 0);
    assert_eq!(d["failing"], 3);
}

#[test]
fn diff_lists_exceptions_added_expired_and_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let exports = hipaa_iam_tests::demo_account();
    let config = tmp.path().join("hipaa-iam.toml");
    std::fs::write(
        &config,
        "[[exception]]\ncheck = \"IAM-002\"\nresource = \"nurse.kim\"\nreason = \"On leave, console disabled next week\"\napproved_by = \"Jane Doe, CISO\"\nexpires = 2099-06-30\n",
    )
    .unwrap();
    let (plain, excepted) = (tmp.path().join("plain"), tmp.path().join("excepted"));
    audit(&exports, &plain, &[]);
    audit(&exports, &excepted, &["--config", config.to_str().unwrap()]);
    let (p, e) = (plain.to_str().unwrap(), excepted.to_str().unwrap());

    let out = run(&["diff", p, e, "--format", "json"], tmp.path());
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    let a = &d["account"];
    assert!(has(&a["exceptions_added"], "IAM-002", "nurse.kim"), "{a}");
    assert!(
        has(&a["resolved"], "IAM-002", "nurse.kim"),
        "excepted is no longer open"
    );
    assert!(a["changed"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["resource_name"] == "nurse.kim" && c["old_status"] == "fail" && c["new_status"] == "excepted"));

    let back = run(&["diff", e, p, "--format", "json"], tmp.path());
    let d: Value = serde_json::from_slice(&back.stdout).unwrap();
    assert!(has(&d["account"]["exceptions_removed"], "IAM-002", "nurse.kim"));
    assert!(has(&d["account"]["new"], "IAM-002", "nurse.kim"));

    // The same exception lapsed before the data's time (2026-11-16): expired, open again.
    let lapsed_config = tmp.path().join("lapsed.toml");
    std::fs::write(
        &lapsed_config,
        std::fs::read_to_string(&config)
            .unwrap()
            .replace("2099-06-30", "2026-10-31"),
    )
    .unwrap();
    let lapsed = tmp.path().join("lapsed");
    audit(&exports, &lapsed, &["--config", lapsed_config.to_str().unwrap()]);
    let out = run(&["diff", e, lapsed.to_str().unwrap(), "--format", "json"], tmp.path());
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    let a = &d["account"];
    assert!(has(&a["exceptions_expired"], "IAM-002", "nurse.kim"), "{a}");
    assert!(!has(&a["exceptions_removed"], "IAM-002", "nurse.kim"), "{a}");
    assert!(has(&a["new"], "IAM-002", "nurse.kim"), "failing again: {a}");
    let md = run(
        &["diff", e, lapsed.to_str().unwrap(), "--format", "markdown"],
        tmp.path(),
    );
    let md = String::from_utf8_lossy(&md.stdout);
    assert!(
        md.contains(
            "#### Exceptions expired (1)\n\n- IAM-002 on nurse.kim: approved by Jane Doe, CISO, until 2026-10-31"
        ),
        "{md}"
    );
}

#[test]
fn diff_refuses_evidence_that_does_not_verify_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let (old, new) = pair(tmp.path());
    let (o, n) = (old.to_str().unwrap(), new.to_str().unwrap());

    // A changed findings.json.
    let findings = new.join("findings.json");
    let text = std::fs::read_to_string(&findings).unwrap();
    std::fs::write(&findings, text.replace("new.hire", "new.hirf")).unwrap();
    let out = run(&["diff", o, n], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("findings.json: changed"), "{}", stderr(&out));
    assert!(stderr(&out).contains(n), "names the directory: {}", stderr(&out));
    assert!(out.stdout.is_empty());
    std::fs::write(&findings, text).unwrap();

    // A file the manifest does not list.
    std::fs::write(old.join("notes.txt"), "x").unwrap();
    let out = run(&["diff", o, n], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("notes.txt: not in the manifest"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_file(old.join("notes.txt")).unwrap();

    // No manifest at all.
    let bare = tmp.path().join("bare");
    std::fs::create_dir(&bare).unwrap();
    let out = run(&["diff", bare.to_str().unwrap(), n], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("manifest.json"), "{}", stderr(&out));

    // Intact again: the diff runs.
    assert_eq!(
        run(&["diff", o, n, "--fail-on", "none"], tmp.path()).status.code(),
        Some(0)
    );
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

/// A collected organization of the demo account under the IDs given, audited into `out`.
fn org_audit(tmp: &Path, name: &str, ids: &[&str]) -> PathBuf {
    let collected = tmp.join(format!("{name}-collected"));
    let demo = hipaa_iam_tests::demo_account();
    let mut accounts = Vec::new();
    for id in ids {
        copy_as(&demo, &collected.join(id), id);
        accounts.push(serde_json::json!({"id": id, "name": format!("acct-{id}")}));
    }
    std::fs::write(
        collected.join("accounts.json"),
        serde_json::to_vec_pretty(&serde_json::json!({ "accounts": accounts })).unwrap(),
    )
    .unwrap();
    let out = tmp.join(name);
    let o = run(
        &[
            "audit",
            "--org",
            "--exports",
            collected.to_str().unwrap(),
            "--output-dir",
            out.to_str().unwrap(),
            "--format",
            "json",
        ],
        tmp,
    );
    assert!(o.status.code().unwrap() <= 1, "{}", stderr(&o));
    out
}

#[test]
fn organization_diff_names_accounts_added_and_removed_and_compares_the_others() {
    let tmp = tempfile::tempdir().unwrap();
    let old = org_audit(tmp.path(), "org-old", &["111111111111", "222222222222"]);
    let new = org_audit(tmp.path(), "org-new", &["111111111111", "333333333333"]);
    let (o, n) = (old.to_str().unwrap(), new.to_str().unwrap());

    let out = run(&["diff", o, n, "--format", "json"], tmp.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["kind"], "organization");
    let ids = |k: &str| -> Vec<String> {
        d[k].as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids("accounts_added"), ["333333333333"]);
    assert_eq!(ids("accounts_removed"), ["222222222222"]);
    assert_eq!(ids("accounts"), ["111111111111"]);
    let same = &d["accounts"][0];
    assert_eq!(same["new"].as_array().unwrap().len(), 0);
    assert_eq!(same["resolved"].as_array().unwrap().len(), 0);
    assert!(has(&same["still_open"], "IAM-002", "nurse.kim"));
    assert!(d["accounts_added"][0]["failing"].as_u64().unwrap() > 0);

    let text = String::from_utf8(run(&["diff", o, n], tmp.path()).stdout).unwrap();
    assert!(
        text.contains("ACCOUNTS ADDED: 1\n  333333333333 acct-333333333333"),
        "{text}"
    );
    assert!(
        text.contains("ACCOUNTS REMOVED: 1\n  222222222222 acct-222222222222"),
        "{text}"
    );

    // A changed account file deep in the tree is refused, named by its path.
    let nested = new.join("111111111111").join("summary.md");
    std::fs::write(&nested, "edited").unwrap();
    let out = run(&["diff", o, n], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("111111111111/summary.md: changed"),
        "{}",
        stderr(&out)
    );

    // One account's evidence against an organization's.
    let single = tmp.path().join("single");
    audit(&hipaa_iam_tests::demo_account(), &single, &[]);
    let out = run(&["diff", single.to_str().unwrap(), o], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("both must be one account's evidence or both an organization's"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn audit_previous_carries_first_seen_and_writes_since_last_review() {
    let tmp = tempfile::tempdir().unwrap();
    let old = tmp.path().join("old");
    audit(&hipaa_iam_tests::demo_account(), &old, &[]);
    let later = later_demo("123456789012");
    let new = tmp.path().join("new");
    audit(later.path(), &new, &["--previous", old.to_str().unwrap()]);

    let doc: Value = serde_json::from_slice(&std::fs::read(new.join("findings.json")).unwrap()).unwrap();
    let first = |check: &str, name: &str| {
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["check_id"] == check && f["resource_name"] == name)
            .unwrap()["first_seen"]
            .clone()
    };
    assert_eq!(
        first("IAM-002", "nurse.kim"),
        "2026-11-16T14:05:12Z",
        "still open since the old audit"
    );
    assert_eq!(
        first("IAM-002", "new.hire"),
        "2026-12-16T14:05:12Z",
        "new: this audit's data time"
    );
    assert_eq!(
        first("IAM-002", "nurse.garcia"),
        Value::Null,
        "resolved: passing findings carry none"
    );

    let summary = std::fs::read_to_string(new.join("summary.md")).unwrap();
    assert!(summary.contains("## Since last review"), "{summary}");
    assert!(summary.contains("2 new, 1 resolved, 31 still open"), "{summary}");
    assert!(
        summary.contains("| critical | IAM-002 | nurse.kim | 2026-11-16T14:05:12Z | 30 |"),
        "{summary}"
    );
    let verify = run(&["verify", new.to_str().unwrap()], tmp.path());
    assert_eq!(verify.status.code(), Some(0));

    // The report people read says the same: the section, and how long each gap is open.
    let page = crate::report_html_cli::html_text(&std::fs::read_to_string(new.join("report.html")).unwrap());
    let section = page
        .split("Since last review")
        .nth(1)
        .unwrap_or_else(|| panic!("no section: {page}"));
    assert!(
        section.contains("2 new, 1 resolved, 31 still open failing finding(s)"),
        "{section}"
    );
    // (A row reads "critical IAM-002 nurse.kim", then its ARN, first seen and days open.)
    assert!(
        section
            .contains("critical IAM-002 nurse.kim\narn:aws:iam::123456789012:user/nurse.kim 2026-11-16T14:05:12Z 30\n"),
        "{section}"
    );
    let open_since = |arn: &str, since: &str| page.lines().any(|l| l.starts_with(arn) && l.contains(since));
    assert!(
        open_since("arn:aws:iam::123456789012:user/nurse.kim", " 2026-11-16 (30 days) "),
        "the findings table's Open since: {page}"
    );
    assert!(
        open_since("arn:aws:iam::123456789012:user/new.hire", " 2026-12-16 (0 days) "),
        "{page}"
    );
    // And the workbook: a sheet of the changes, the Findings sheet's OpenSince.
    let mut book: Xlsx<_> = open_workbook(new.join("evidence.xlsx")).unwrap();
    let since = book.worksheet_range("Since last review").unwrap();
    let rows: Vec<Vec<String>> = since
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows.len(), 1 + 2 + 1 + 31, "header and a row per change");
    let kim = rows
        .iter()
        .find(|r| r[0] == "Still open" && r[1] == "IAM-002" && r[4] == "nurse.kim")
        .unwrap();
    assert_eq!((kim[7].as_str(), kim[8].as_str()), ("2026-11-16T14:05:12Z", "30"));
    assert!(rows.iter().any(|r| r[0] == "Resolved" && r[4] == "nurse.garcia"));
    let findings = book.worksheet_range("Findings").unwrap();
    let head: Vec<String> = findings.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    let cell = |r: &[calamine::Data], name: &str| match &r[col(name)] {
        calamine::Data::String(s) => Some(s.clone()),
        _ => None,
    };
    assert!(findings
        .rows()
        .any(|r| cell(r, "ResourceName").as_deref() == Some("nurse.kim")
            && cell(r, "CheckId").as_deref() == Some("IAM-002")
            && cell(r, "OpenSince").as_deref() == Some("2026-11-16 (30 days)")));

    // Without --previous nothing is tracked: no first_seen, no section (an older reader
    // of schema 2 sees the same document as before).
    let plain = std::fs::read_to_string(old.join("findings.json")).unwrap();
    assert!(!plain.contains("first_seen"));
    assert!(!std::fs::read_to_string(old.join("summary.md"))
        .unwrap()
        .contains("Since last review"));
    assert!(!std::fs::read_to_string(old.join("report.html"))
        .unwrap()
        .contains("Since last review"));
    let book: Xlsx<_> = open_workbook(old.join("evidence.xlsx")).unwrap();
    assert!(!book.sheet_names().iter().any(|n| n == "Since last review"));

    // Refusals: previous evidence that does not verify, another account's, with --org.
    std::fs::write(old.join("risk_register.md"), "edited").unwrap();
    let again = tmp.path().join("again");
    let args = [
        "audit",
        "--exports",
        later.path().to_str().unwrap(),
        "--output-dir",
        again.to_str().unwrap(),
        "--previous",
        old.to_str().unwrap(),
    ];
    let out = run(&args, tmp.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("risk_register.md: changed"), "{}", stderr(&out));
    assert!(!again.exists(), "nothing written");
    let other = later_demo("210987654321");
    let args = [
        "audit",
        "--exports",
        other.path().to_str().unwrap(),
        "--previous",
        new.to_str().unwrap(),
    ];
    let out = run(&args, tmp.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("the previous evidence is of account 123456789012, this audit of account 210987654321"),
        "{}",
        stderr(&out)
    );
    let out = run(&["audit", "--org", "--previous", new.to_str().unwrap()], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--previous is not available with --org"),
        "{}",
        stderr(&out)
    );
}

/// The roster's rows (header first), read as the csv crate reads them.
fn read_roster(path: &Path) -> Vec<Vec<String>> {
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_path(path).unwrap();
    rdr.records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn write_roster(path: &Path, rows: &[Vec<String>]) {
    let mut w = csv::Writer::from_path(path).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
}

/// Every row decided: temp.contractor revoked, jordan.lee modified, the rest kept.
fn filled(rows: &[Vec<String>]) -> Vec<Vec<String>> {
    let mut rows = rows.to_vec();
    for r in rows.iter_mut().skip(1) {
        r[11] = match r[2].as_str() {
            "temp.contractor" => "revoke",
            "jordan.lee" => "modify",
            _ => "keep",
        }
        .into();
        if r[2] == "jordan.lee" {
            r[13] = "admin only through ops-admin".into();
        }
    }
    rows
}

#[test]
fn access_review_round_trip_start_fill_sign_verify_and_tamper() {
    let tmp = tempfile::tempdir().unwrap();
    let (old, new) = pair(tmp.path());
    let (o, n) = (old.to_str().unwrap(), new.to_str().unwrap());
    let roster = tmp.path().join("roster.csv");
    let r = roster.to_str().unwrap();
    let sign = |dir: &str, file: &str| {
        run(
            &[
                "review",
                "sign",
                "--evidence",
                dir,
                "--roster",
                file,
                "--reviewer",
                "Jane Doe",
                "--title",
                "CISO",
            ],
            tmp.path(),
        )
    };

    // Signing before the review started is refused.
    std::fs::write(&roster, "x").unwrap();
    let out = sign(o, r);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("lists no access_review.csv: start the review first"),
        "{}",
        stderr(&out)
    );

    let out = run(&["review", "start", "--evidence", o, "--format", "json"], tmp.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let started: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        run(&["verify", o], tmp.path()).status.code(),
        Some(0),
        "the roster is in the manifest"
    );
    let rows = read_roster(&old.join("access_review.csv"));
    assert_eq!(rows[0][11], "Decision");
    assert_eq!(rows.len() - 1, started["principals"].as_u64().unwrap() as usize);
    let row = |name: &str| rows.iter().find(|r| r[2] == name).unwrap().clone();
    assert_eq!(row("jordan.lee")[1], "user");
    assert!(
        row("jordan.lee")[5].starts_with("yes"),
        "admin through IAM-010: {:?}",
        row("jordan.lee")
    );
    assert_eq!(row("dr.patel")[5], "no");
    assert_eq!(row("nurse.kim")[6], "NO_MFA");
    assert_eq!(row("billing-svc")[8], "active");
    // Last use: the keys of a service user, both credentials of a console user with a key.
    assert_eq!(row("billing-svc")[9], "access key 2026-11-16T13:58:41Z");
    assert_eq!(row("nurse.kim")[9], "console 2026-11-10T19:11:45Z");
    assert!(
        row("jordan.lee")[9].starts_with("console 2026-11-16T09:05:13Z; access key 2026-11-16"),
        "{:?}",
        row("jordan.lee")
    );
    assert_eq!(row("temp.contractor")[10], "4", "open findings");
    assert_eq!(row("ops-admin")[1], "role");
    assert!(row("ops-admin")[5].starts_with("yes"));
    assert_eq!(row("sam.contractor")[1], "sso-user");
    assert!(rows
        .iter()
        .skip(1)
        .all(|r| r[0] == started["roster_id"].as_str().unwrap()));

    // Refusals, each naming the row.
    let refused = |rows: &[Vec<String>], message: &str| {
        write_roster(&roster, rows);
        let out = sign(o, r);
        assert_eq!(out.status.code(), Some(2), "{message}");
        assert!(stderr(&out).contains(message), "{message}: {}", stderr(&out));
        assert!(!old.join("review.json").exists());
    };
    let mut missing = filled(&rows);
    missing[3][11] = String::new();
    refused(&missing, &format!("row 4 ({}): no decision", rows[3][2]));
    let mut bad = filled(&rows);
    bad[2][11] = "maybe".into();
    refused(&bad, "decision \"maybe\" is not keep, revoke or modify");
    let mut edited = filled(&rows);
    let kim = edited.iter().position(|r| r[2] == "nurse.kim").unwrap();
    edited[kim][6] = "HAS_MFA".into();
    refused(&edited, &format!("row {} (nurse.kim): column MFA was edited", kim + 1));
    let mut unknown = filled(&rows);
    unknown[1][2] = "ghost".into();
    unknown[1][3] = "arn:aws:iam::123456789012:user/ghost".into();
    refused(&unknown, "row 2 (ghost): unknown principal");
    let mut dropped = filled(&rows);
    dropped.remove(1);
    refused(&dropped, "is missing: every principal of the roster needs a row");

    // A roster started on other evidence.
    assert_eq!(
        run(&["review", "start", "--evidence", n], tmp.path()).status.code(),
        Some(0)
    );
    let other = filled(&read_roster(&new.join("access_review.csv")));
    refused(&other, "the roster was started on another evidence directory");

    // The evidence's own roster edited in place is not signed.
    let inside = old.join("access_review.csv");
    let out = sign(o, inside.to_str().unwrap());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is inside the evidence directory"),
        "{}",
        stderr(&out)
    );

    // Signed.
    write_roster(&roster, &filled(&rows));
    let out = sign(o, r);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("review signed by Jane Doe (CISO)"), "{text}");
    assert!(text.contains("Planned changes (NOT applied"), "{text}");
    assert!(
        text.contains("aws iam delete-login-profile --user-name temp.contractor"),
        "{text}"
    );
    assert!(
        text.contains("hipaa-iam remediate permissions-boundary --dry-run"),
        "{text}"
    );
    let review: Value = serde_json::from_slice(&std::fs::read(old.join("review.json")).unwrap()).unwrap();
    assert_eq!(review["reviewer"], "Jane Doe");
    assert_eq!(review["title"], "CISO");
    assert_eq!(review["counts"]["revoke"], 1);
    assert_eq!(review["counts"]["modify"], 1);
    assert_eq!(
        review["counts"]["principals"].as_u64().unwrap() as usize,
        rows.len() - 1
    );
    let roster_bytes = std::fs::read(&roster).unwrap();
    assert_eq!(
        review["roster_sha256"],
        hipaa_iam_core::manifest::sha256_hex(&roster_bytes)
    );
    assert_eq!(
        std::fs::read(old.join("access_review_signed.csv")).unwrap(),
        roster_bytes
    );
    assert!(std::fs::read_to_string(old.join("review.md"))
        .unwrap()
        .contains("Reviewed and signed by: Jane Doe, CISO"));
    assert_eq!(run(&["verify", o], tmp.path()).status.code(), Some(0));
    // Signed once; started once.
    assert!(stderr(&sign(o, r)).contains("already signed"));
    assert!(stderr(&run(&["review", "start", "--evidence", o], tmp.path())).contains("already signed"));

    // The signed roster edited afterwards fails verification.
    let signed = old.join("access_review_signed.csv");
    let text = std::fs::read_to_string(&signed).unwrap();
    std::fs::write(&signed, text.replacen("revoke", "keep", 1)).unwrap();
    let out = run(&["verify", o], tmp.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("access_review_signed.csv: changed"));
}

#[test]
fn the_workbook_s_access_review_sheet_is_the_roster_and_a_copy_of_it_signs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("evidence");
    audit(&hipaa_iam_tests::demo_account(), &dir, &[]);
    let d = dir.to_str().unwrap();
    let mut book: Xlsx<_> = open_workbook(dir.join("evidence.xlsx")).unwrap();
    let sheet: Vec<Vec<String>> = book
        .worksheet_range("Access review")
        .unwrap()
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();

    let out = run(&["review", "start", "--evidence", d], tmp.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let csv = read_roster(&dir.join("access_review.csv"));
    assert!(csv.len() > 10, "{csv:?}");
    assert_eq!(sheet, csv, "the sheet holds the roster review start writes");

    // A reviewer fills in the sheet and saves it as CSV elsewhere: it signs.
    let saved = tmp.path().join("from-excel.csv");
    write_roster(&saved, &filled(&sheet));
    let out = run(
        &[
            "review",
            "sign",
            "--evidence",
            d,
            "--roster",
            saved.to_str().unwrap(),
            "--reviewer",
            "Jane Doe",
            "--title",
            "CISO",
        ],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(run(&["verify", d], tmp.path()).status.code(), Some(0));

    // The principal columns are locked, the decision is a list.
    let sheet_xml = xlsx_part(&dir.join("evidence.xlsx"), "Access review");
    assert!(sheet_xml.contains("<sheetProtection"), "{sheet_xml}");
    assert!(sheet_xml.contains("<dataValidation type=\"list\""), "{sheet_xml}");
    assert!(sheet_xml.contains("keep,revoke,modify"), "{sheet_xml}");
}

/// The XML of the worksheet named `name` in the workbook at `path` (read with Python's
/// zipfile).
fn xlsx_part(path: &Path, name: &str) -> String {
    let unzip = |part: &str| {
        let out = std::process::Command::new("python3")
            .args([
                "-c",
                "import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())",
            ])
            .arg(path)
            .arg(part)
            .output()
            .expect("python3");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let book = unzip("xl/workbook.xml");
    let pos = book
        .split("<sheet ")
        .skip(1)
        .position(|s| s.contains(&format!("name=\"{name}\"")))
        .unwrap();
    unzip(&format!("xl/worksheets/sheet{}.xml", pos + 1))
}
