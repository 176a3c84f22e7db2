//! Names from AWS are data, never terminal control: user names with escape sequences, bell,
//! NUL, bidirectional overrides and line breaks (forging a GitHub Actions `::error::`
//! command) reach every human-readable output of the binary with those characters replaced.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Output;

use crate::common::hipaa_iam;
use hipaa_iam_tests::account::{Cred, TestAccount};
use hipaa_iam_tests::output;

/// User names a hostile account holder could choose (IAM itself restricts user names, but
/// exports are files anyone can hand an auditor, and other names come from elsewhere).
const HOSTILE: [&str; 5] = [
    "red\u{1b}[31mALERT\u{1b}[0m",
    "bell\u{7}\u{7}",
    "nul\u{0}x",
    "invoice\u{202E}fdp.exe",
    "line\n::error::forged annotation",
];

/// The hostile names as console users without MFA, in no group.
fn exports() -> tempfile::TempDir {
    HOSTILE
        .iter()
        .fold(TestAccount::new(), |b, n| {
            b.user(n, &[], serde_json::json!({})).cred(Cred::new(n).password(None))
        })
        .write()
}

fn run(args: &[&str], cwd: &Path, github: bool) -> Output {
    let mut c = hipaa_iam();
    c.args(args).current_dir(cwd);
    if github {
        c.env("GITHUB_ACTIONS", "true");
    }
    output(&mut c)
}

/// Fails when `out` carries a control character other than a line break, a
/// bidirectional formatting character, or a line that starts a forged workflow command.
fn assert_inert(what: &str, out: &[u8]) {
    let text = String::from_utf8(out.to_vec()).unwrap();
    for c in text.chars() {
        assert!(
            c == '\n' || !hipaa_iam_core::text::is_unsafe(c),
            "{what}: {:?} in {text}",
            c
        );
    }
    for line in text.lines() {
        assert!(!line.starts_with("::error::forged"), "{what}: forged command in {text}");
    }
}

#[test]
fn the_audit_table_warnings_and_mfa_table_replace_control_characters() {
    let dir = exports();
    let d = dir.path().to_str().unwrap();
    for args in [
        vec!["audit", "--exports", d],
        vec!["audit", "--exports", d, "--verbose"],
        vec!["audit", "--exports", d, "--format", "markdown"],
        vec!["mfa", "--exports", d],
        vec!["remediate", "group-membership", "--exports", d, "--dry-run"],
    ] {
        let o = run(&args, dir.path(), false);
        assert!(matches!(o.status.code(), Some(0) | Some(1)), "{args:?}: {o:?}");
        assert!(!o.stdout.is_empty(), "{args:?}");
        assert_inert(&format!("{args:?} stdout"), &o.stdout);
        assert_inert(&format!("{args:?} stderr"), &o.stderr);
        let text = String::from_utf8_lossy(&o.stdout);
        let readable = if args.contains(&"markdown") {
            "red?\\[31mALERT?\\[0m"
        } else {
            "red?[31mALERT?[0m"
        };
        assert!(text.contains(readable), "{args:?}: the name stays readable: {text}");
    }
}

#[test]
fn github_annotations_keep_their_own_escaping_and_forge_nothing() {
    let dir = exports();
    let d = dir.path().to_str().unwrap();
    let o = run(&["audit", "--exports", d, "--github"], dir.path(), true);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let text = String::from_utf8(o.stdout.clone()).unwrap();
    for line in text.lines() {
        assert!(!line.starts_with("::error::forged"), "{text}");
    }
    // The newline inside the name is the runner's `%0A`, so the annotation stays one line.
    assert!(text.contains("line%0A::error::forged annotation"), "{text}");
}

#[test]
fn verify_prints_hostile_manifest_names_inertly() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = serde_json::json!({
        "tool": "hipaa-iam", "version": "0", "generated_at": "2026-01-01T00:00:00Z",
        "files": {
            "evil\u{1b}]0;title\u{7}.csv": "00",
            "x\n::error::forged.csv": "00",
        }
    });
    std::fs::write(dir.path().join("manifest.json"), serde_json::to_vec(&manifest).unwrap()).unwrap();
    let o = run(&["verify", dir.path().to_str().unwrap()], dir.path(), false);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert_inert("verify stdout", &o.stdout);
    assert!(String::from_utf8_lossy(&o.stdout).contains("refused: a control character"));
}
