//! The evidence directory and `verify` under hostile conditions, run as the binary: an
//! output directory that overlaps the account data, files the tool did not write, manifests
//! that name paths outside their directory, special files, files missing from the
//! manifest, and temporary files left by an interrupted run.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

use hipaa_iam_tests::{demo_account_as, read_tree, DEMO_ACCOUNT_ID};

use crate::common::hipaa_iam;
use hipaa_iam_tests::{output, text};

/// Nothing here may hang (a FIFO in the evidence, say): [`output`] kills what does.
fn run(args: &[&str], cwd: &Path) -> Output {
    output(hipaa_iam().args(args).current_dir(cwd))
}

fn demo() -> tempfile::TempDir {
    demo_account_as(DEMO_ACCOUNT_ID, |_, t| Some(t))
}

/// `audit --exports EXPORTS --output-dir OUT --fail-on none` in `cwd`.
fn audit_into(exports: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "audit",
        "--exports",
        exports.to_str().unwrap(),
        "--output-dir",
        out.to_str().unwrap(),
        "--fail-on",
        "none",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    run(&args, exports.parent().unwrap())
}

#[test]
fn an_output_directory_that_is_contains_or_is_inside_the_exports_is_refused() {
    let exports = demo();
    let before = read_tree(exports.path());
    let inside = exports.path().join("reports");
    let parent = exports.path().parent().unwrap().to_path_buf();
    for (out, relation) in [
        (exports.path().to_path_buf(), " is the exports directory"),
        (inside.clone(), " is inside the exports directory"),
        (parent, " contains the exports directory"),
    ] {
        let o = audit_into(exports.path(), &out, &[]);
        let (stdout, err) = text(&o);
        assert_eq!(o.status.code(), Some(2), "{out:?}: {err}");
        assert!(stdout.is_empty(), "the refusal comes before the audit: {stdout}");
        assert!(
            err.contains(relation) && err.contains(&exports.path().display().to_string()),
            "{err}"
        );
        assert_eq!(read_tree(exports.path()), before, "account data untouched");
        assert!(!inside.exists());
    }
    // A path that reaches the exports through `..` is the same directory.
    let dotted = exports.path().join("access-analyzer").join("..");
    let o = audit_into(exports.path(), &dotted, &[]);
    assert_eq!(o.status.code(), Some(2), "{:?}", text(&o));
    assert_eq!(read_tree(exports.path()), before);
}

#[test]
fn evidence_is_never_written_among_account_data_or_over_files_the_tool_did_not_write() {
    let exports = demo();
    // Another collected exports directory as the output: refused, naming its account data.
    let other = demo();
    let before = read_tree(other.path());
    let o = audit_into(exports.path(), other.path(), &[]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("authorization-details.json") && err.contains("account data"),
        "{err}"
    );
    assert_eq!(read_tree(other.path()), before);

    // A directory with a file of the user's own at an evidence file's name: refused, naming
    // it, and nothing written.
    let mine = tempfile::tempdir().unwrap();
    std::fs::write(mine.path().join("summary.md"), b"my notes").unwrap();
    let o = audit_into(exports.path(), mine.path(), &[]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("summary.md") && err.contains("not evidence this tool wrote"),
        "{err}"
    );
    assert_eq!(read_tree(mine.path()).len(), 1);
    assert_eq!(std::fs::read(mine.path().join("summary.md")).unwrap(), b"my notes");

    // A manifest.json the tool did not write is not overwritten.
    let theirs = tempfile::tempdir().unwrap();
    std::fs::write(theirs.path().join("manifest.json"), b"{\"their\": 1}").unwrap();
    let o = audit_into(exports.path(), theirs.path(), &[]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("manifest.json") && err.contains("not a manifest written by hipaa-iam"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(theirs.path().join("manifest.json")).unwrap(),
        b"{\"their\": 1}"
    );
}

#[test]
fn stale_evidence_is_removed_only_when_it_is_what_the_tool_wrote() {
    let exports = demo();
    let out = tempfile::tempdir().unwrap();
    let evidence = out.path().join("evidence");
    let o = audit_into(exports.path(), &evidence, &[]);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    let csvs: Vec<String> = read_tree(&evidence)
        .into_keys()
        .filter(|n| n.starts_with("IAM-") && !n.starts_with("IAM-001_"))
        .collect();
    assert!(csvs.len() >= 2, "{csvs:?}");
    // Someone annotates one check's CSV; the next run audits IAM-001 only, so every other
    // check's CSV is stale.
    let annotated = &csvs[0];
    let mut bytes = std::fs::read(evidence.join(annotated)).unwrap();
    bytes.extend_from_slice(b"reviewed by the auditor\n");
    std::fs::write(evidence.join(annotated), &bytes).unwrap();

    let o = audit_into(exports.path(), &evidence, &["--checks", "IAM-001"]);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    let tree = read_tree(&evidence);
    assert_eq!(tree[annotated.as_str()], bytes, "the changed file is kept as it is");
    for stale in &csvs[1..] {
        assert!(
            !tree.contains_key(stale.as_str()),
            "{stale} (written by the tool) is removed"
        );
    }
    // verify says the kept file is not part of this evidence.
    let o = run(&["verify", evidence.to_str().unwrap()], out.path());
    let (stdout, _) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(&format!("{annotated}: not in the manifest")),
        "{stdout}"
    );
}

/// Fresh evidence of the demo account in `DIR/evidence`.
fn fresh_evidence() -> (tempfile::TempDir, std::path::PathBuf) {
    let exports = demo();
    let out = tempfile::tempdir().unwrap();
    let evidence = out.path().join("evidence");
    let o = audit_into(exports.path(), &evidence, &[]);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    (out, evidence)
}

fn edit_manifest(dir: &Path, edit: impl FnOnce(&mut serde_json::Map<String, serde_json::Value>)) {
    let path = dir.join("manifest.json");
    let mut m: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    edit(m["files"].as_object_mut().unwrap());
    std::fs::write(&path, serde_json::to_vec_pretty(&m).unwrap()).unwrap();
}

#[test]
fn verify_refuses_paths_outside_the_directory_without_reading_them() {
    let (out, evidence) = fresh_evidence();
    let secret = out.path().join("secret.txt");
    std::fs::write(&secret, b"private").unwrap();
    let secret_hash = hipaa_iam_core::manifest::sha256_hex(b"private");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&secret, evidence.join("link.txt")).unwrap();
    let absolute = secret.to_str().unwrap().to_string();
    edit_manifest(&evidence, |files| {
        files.insert("../secret.txt".into(), secret_hash.clone().into());
        files.insert(absolute.clone(), secret_hash.clone().into());
        files.insert("./summary.md".into(), secret_hash.clone().into());
        #[cfg(unix)]
        files.insert("link.txt".into(), secret_hash.clone().into());
    });
    let o = run(&["verify", evidence.to_str().unwrap()], out.path());
    let (stdout, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{stdout}\n{err}");
    assert!(stdout.contains("MISMATCH ../secret.txt: refused"), "{stdout}");
    assert!(
        stdout.contains(&format!("MISMATCH {absolute}: refused: an absolute path")),
        "{stdout}"
    );
    assert!(stdout.contains("MISMATCH ./summary.md: refused"), "{stdout}");
    #[cfg(unix)]
    assert!(
        stdout.contains("MISMATCH link.txt: refused: a symbolic link to") && stdout.contains("outside the directory"),
        "{stdout}"
    );
    // The outside file was never hashed: its hash is in the manifest, not in the output
    // as a computed value of a "changed" line.
    assert!(!stdout.contains("changed (SHA-256"), "{stdout}");
}

#[cfg(unix)]
#[test]
fn verify_reports_special_files_instead_of_hanging() {
    let (out, evidence) = fresh_evidence();
    // summary.md replaced by a FIFO (reading it would block for ever).
    std::fs::remove_file(evidence.join("summary.md")).unwrap();
    let status = Command::new("mkfifo")
        .arg(evidence.join("summary.md"))
        .status()
        .unwrap();
    assert!(status.success());
    let o = run(&["verify", evidence.to_str().unwrap()], out.path());
    let (stdout, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{stdout}\n{err}");
    assert!(
        stdout.contains("summary.md: unreadable: is a FIFO (named pipe), not a regular file"),
        "{stdout}"
    );
    // manifest.json itself a FIFO: an error naming it (exit 2), no hang.
    let fifo_dir = tempfile::tempdir().unwrap();
    assert!(Command::new("mkfifo")
        .arg(fifo_dir.path().join("manifest.json"))
        .status()
        .unwrap()
        .success());
    let o = run(&["verify", fifo_dir.path().to_str().unwrap()], out.path());
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("manifest.json") && err.contains("not a regular file"),
        "{err}"
    );
}

#[test]
fn verify_reports_files_the_manifest_does_not_list() {
    let (out, evidence) = fresh_evidence();
    // An extra file, and one in a new subdirectory.
    std::fs::write(evidence.join("extra.csv"), b"a,b\n").unwrap();
    std::fs::create_dir(evidence.join("sub")).unwrap();
    std::fs::write(evidence.join("sub").join("more.txt"), b"x").unwrap();
    let o = run(&["verify", evidence.to_str().unwrap()], out.path());
    let (stdout, _) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("MISMATCH extra.csv: not in the manifest"), "{stdout}");
    assert!(
        stdout.contains("MISMATCH sub/more.txt: not in the manifest"),
        "{stdout}"
    );
    std::fs::remove_file(evidence.join("extra.csv")).unwrap();
    std::fs::remove_dir_all(evidence.join("sub")).unwrap();

    // A manifest trimmed to one file: every other file is named.
    let listed: Vec<String> = {
        let mut keep = None;
        let mut all = Vec::new();
        edit_manifest(&evidence, |files| {
            all = files.keys().cloned().collect();
            keep = files.get("summary.md").cloned();
            files.clear();
            files.insert("summary.md".into(), keep.clone().unwrap());
        });
        all
    };
    let o = run(&["verify", evidence.to_str().unwrap()], out.path());
    let (stdout, _) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{stdout}");
    for name in listed.iter().filter(|n| *n != "summary.md") {
        assert!(
            stdout.contains(&format!("MISMATCH {name}: not in the manifest")),
            "{name}: {stdout}"
        );
    }
}

#[test]
fn temporary_files_of_an_interrupted_run_are_reported_and_cleared_by_the_next_write() {
    let exports = demo();
    let (out, evidence) = fresh_evidence();
    // What a run killed between writing and renaming leaves (a process id no system uses).
    let leftover = evidence.join(".summary.md.tmp-4000000000");
    std::fs::write(&leftover, b"half a summary").unwrap();
    let o = run(&["verify", evidence.to_str().unwrap()], out.path());
    let (stdout, _) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(".summary.md.tmp-4000000000: a temporary file an interrupted hipaa-iam run left behind"),
        "{stdout}"
    );
    let o = audit_into(exports.path(), &evidence, &[]);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    assert!(!leftover.exists());
    let o = run(&["verify", evidence.to_str().unwrap()], out.path());
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
}
