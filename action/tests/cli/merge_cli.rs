//! `hipaa-iam merge`, run as the binary: shards written by the organization evidence writer
//! merge into what one run over all the accounts writes; shards that do not verify,
//! overlap or differ in configuration are refused, as is a non-empty output directory.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Output;

use hipaa_iam_core::api::{self, Audit, Source};
use hipaa_iam_core::config::LoadedConfig;
use hipaa_iam_core::org::{self, AccountRun};
use hipaa_iam_core::report::EvidenceOptions;
use hipaa_iam_tests::{demo_account_as as demo_as, read_tree as tree};
use tempfile::TempDir;

use crate::common::hipaa_iam;
use hipaa_iam_tests::{output, text};

fn run(args: &[&str], cwd: &Path) -> Output {
    output(hipaa_iam().args(args).current_dir(cwd))
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

/// Five member accounts: four audited variants of the demo account and one in error.
struct Org {
    accounts: Vec<(String, String, Option<TempDir>)>,
}

impl Org {
    fn new() -> Self {
        let no_policy = |rel: &str, t: String| (rel != "password-policy.json").then_some(t);
        let no_analyzer = |rel: &str, t: String| (!rel.starts_with("access-analyzer/")).then_some(t);
        Org {
            accounts: vec![
                (
                    "111111111111".into(),
                    "Production".into(),
                    Some(demo_as("111111111111", |_, t| Some(t))),
                ),
                (
                    "222222222222".into(),
                    "Research".into(),
                    Some(demo_as("222222222222", no_policy)),
                ),
                (
                    "333333333333".into(),
                    "=Sandbox".into(),
                    Some(demo_as("333333333333", no_analyzer)),
                ),
                ("444444444444".into(), "Legacy".into(), None),
                (
                    "555555555555".into(),
                    "Billing".into(),
                    Some(demo_as("555555555555", |_, t| Some(t))),
                ),
            ],
        }
    }

    /// The runs of the accounts whose ID `keep` accepts.
    fn runs(&self, keep: impl Fn(&str) -> bool) -> Vec<AccountRun> {
        self.accounts
            .iter()
            .filter(|(id, _, _)| keep(id))
            .map(|(id, name, dir)| AccountRun {
                id: id.clone(),
                name: name.clone(),
                result: match dir {
                    Some(d) => Ok(audit(d.path())),
                    None => Err(format!(
                        "AccessDenied: not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::{id}:role/OrganizationAccountAccessRole"
                    )),
                },
            })
            .collect()
    }

    /// Writes the organization evidence of the accounts `keep` accepts into `dir`.
    fn write(&self, dir: &Path, keep: impl Fn(&str) -> bool, config: &LoadedConfig) {
        self.write_with(dir, keep, config, &EvidenceOptions::default());
    }

    /// [`Org::write`] with these evidence options.
    fn write_with(&self, dir: &Path, keep: impl Fn(&str) -> bool, config: &LoadedConfig, options: &EvidenceOptions) {
        org::write_org_evidence(dir, &self.runs(keep), config, options).unwrap();
    }
}

fn odd(id: &str) -> bool {
    ["111111111111", "333333333333", "555555555555"].contains(&id)
}

/// A manifest's JSON without `generated_at`, and with the hashes of nested manifests
/// (which hold their own `generated_at`) left out.
fn manifest_without_times(bytes: &[u8]) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    let o = v.as_object_mut().unwrap();
    assert!(o.remove("generated_at").is_some());
    if let Some(files) = o.get_mut("files").and_then(|f| f.as_object_mut()) {
        for (name, hash) in files.iter_mut() {
            if name.ends_with("/manifest.json") {
                *hash = serde_json::Value::from("<nested manifest>");
            }
        }
    }
    v
}

struct Shards {
    _root: TempDir,
    root: PathBuf,
    org: Org,
}

fn shards() -> Shards {
    let root = tempfile::tempdir().unwrap();
    let org = Org::new();
    org.write(&root.path().join("shard-1"), odd, &defaults());
    org.write(&root.path().join("shard-2"), |id| !odd(id), &defaults());
    Shards {
        root: root.path().to_path_buf(),
        _root: root,
        org,
    }
}

#[test]
fn two_shards_merge_into_exactly_what_one_run_over_all_accounts_writes() {
    let s = shards();
    s.org.write(&s.root.join("all"), |_| true, &defaults());

    let o = run(&["merge", "--output", "merged", "shard-1", "shard-2"], &s.root);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(
        out.contains("Merged 2 shards into merged: 4 accounts audited, 1 with errors"),
        "{out}"
    );

    let merged = tree(&s.root.join("merged"));
    let all = tree(&s.root.join("all"));
    assert_eq!(merged.keys().collect::<Vec<_>>(), all.keys().collect::<Vec<_>>());
    assert!(!merged.contains_key("444444444444/manifest.json") && merged.contains_key("555555555555/findings.json"));
    // The organization's page and workbook too, byte for byte (the workbook's time is the
    // data's, never the clock's).
    for name in ["org_report.html", "org_evidence.xlsx"] {
        assert!(all.contains_key(name), "{name} not written");
        assert!(
            merged[name] == all[name],
            "{name} differs between the merge and the whole run"
        );
    }
    let page = String::from_utf8_lossy(&merged["org_report.html"]).into_owned();
    for id in ["111111111111", "222222222222", "333333333333", "555555555555"] {
        assert!(page.contains(&format!("href=\"{id}/report.html\"")), "no link to {id}");
    }
    assert!(!page.contains("href=\"444444444444/"), "a link to the account in error");
    for (name, bytes) in &all {
        if name.ends_with("manifest.json") {
            assert_eq!(
                manifest_without_times(&merged[name]),
                manifest_without_times(bytes),
                "{name}"
            );
        } else {
            assert_eq!(
                String::from_utf8_lossy(&merged[name]),
                String::from_utf8_lossy(bytes),
                "{name}"
            );
        }
    }
    // The accounts' directories are the shards' byte for byte, manifests included.
    for (shard, ids) in [
        ("shard-1", ["111111111111", "333333333333", "555555555555"].as_slice()),
        ("shard-2", ["222222222222"].as_slice()),
    ] {
        for id in ids {
            let from = tree(&s.root.join(shard).join(id));
            let to = tree(&s.root.join("merged").join(id));
            assert_eq!(from, to, "{shard}/{id}");
        }
    }

    // One verify proves the whole merged tree, and catches a change in an account.
    let o = run(&["verify", "merged"], &s.root);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    let files = merged.len() - 1;
    assert!(
        out.contains(&format!("OK: all {files} files in merged/manifest.json match")),
        "{out}"
    );
    std::fs::write(s.root.join("merged/222222222222/mfa_audit.csv"), "user\r\n").unwrap();
    let o = run(&["verify", "merged"], &s.root);
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("MISMATCH 222222222222/mfa_audit.csv: changed"), "{out}");
}

#[test]
fn merge_refuses_a_shard_that_does_not_verify_naming_the_shard_and_the_file() {
    let s = shards();
    let tampered = s.root.join("shard-2/222222222222/findings.json");
    let mut bytes = std::fs::read(&tampered).unwrap();
    bytes.extend_from_slice(b"\n");
    std::fs::write(&tampered, bytes).unwrap();
    let o = run(&["merge", "--output", "merged", "shard-1", "shard-2"], &s.root);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}\n{err}");
    assert!(err.contains("shard shard-2:"), "{err}");
    assert!(err.contains("222222222222/findings.json: changed"), "{err}");
    assert!(!s.root.join("merged").exists(), "nothing written");

    // A top-level organization file changed: named too.
    std::fs::write(s.root.join("shard-1/org.json"), "{\"accounts\": []}\n").unwrap();
    let o = run(&["merge", "--output", "merged", "shard-1"], &s.root);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("shard shard-1:") && err.contains("org.json: changed"),
        "{err}"
    );

    // A shard without a manifest.
    std::fs::create_dir(s.root.join("empty")).unwrap();
    let o = run(&["merge", "--output", "merged", "empty"], &s.root);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("shard empty: cannot read its manifest") && err.contains("manifest.json"),
        "{err}"
    );
    assert!(!s.root.join("merged").exists());
}

#[test]
fn merge_refuses_the_same_account_in_two_shards() {
    let s = shards();
    // A third shard that also has 222222222222.
    s.org.write(
        &s.root.join("shard-3"),
        |id| id == "222222222222" || id == "444444444444",
        &defaults(),
    );
    let o = run(
        &["merge", "--output", "merged", "shard-1", "shard-2", "shard-3"],
        &s.root,
    );
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}\n{err}");
    assert!(
        err.contains("account 222222222222 is in two shards: shard-2 and shard-3"),
        "{err}"
    );
    assert!(!s.root.join("merged").exists());

    // The same shard twice.
    let o = run(&["merge", "--output", "merged", "shard-1", "shard-1"], &s.root);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("account 111111111111 is in two shards: shard-1 and shard-1"),
        "{err}"
    );
}

#[test]
fn merge_refuses_shards_audited_with_different_configurations() {
    let s = shards();
    let other = api::load_config(None, Some("root_recent_use_days = 3\n"), &[]).unwrap();
    assert_ne!(other.sha256, defaults().sha256);
    s.org.write(&s.root.join("shard-x"), |id| id == "444444444444", &other);
    std::fs::remove_dir_all(s.root.join("shard-2")).unwrap();
    s.org.write(
        &s.root.join("shard-2"),
        |id| !odd(id) && id != "444444444444",
        &defaults(),
    );
    let o = run(
        &["merge", "--output", "merged", "shard-1", "shard-2", "shard-x"],
        &s.root,
    );
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}\n{err}");
    assert!(
        err.contains("shards audited with different configurations: shard-1"),
        "{err}"
    );
    assert!(err.contains(&other.sha256) && err.contains("shard-x"), "{err}");
    assert!(!s.root.join("merged").exists());
}

#[test]
fn merge_refuses_a_non_empty_output_and_accepts_an_empty_one() {
    let s = shards();
    std::fs::create_dir(s.root.join("out")).unwrap();
    std::fs::write(s.root.join("out/keep.txt"), "mine").unwrap();
    let o = run(&["merge", "--output", "out", "shard-1", "shard-2"], &s.root);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}\n{err}");
    assert!(err.contains("out") && err.contains("is not empty"), "{err}");
    assert_eq!(std::fs::read_dir(s.root.join("out")).unwrap().count(), 1);
    assert_eq!(std::fs::read_to_string(s.root.join("out/keep.txt")).unwrap(), "mine");

    std::fs::remove_file(s.root.join("out/keep.txt")).unwrap();
    let o = run(&["merge", "--output", "out", "shard-1", "shard-2"], &s.root);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    assert_eq!(run(&["verify", "out"], &s.root).status.code(), Some(0));

    // No shard at all: clap refuses.
    let o = run(&["merge", "--output", "other"], &s.root);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("SHARD_DIR"), "{:?}", text(&o));
}

#[test]
fn merge_refuses_a_shard_whose_manifest_leaves_the_directory_or_misses_files() {
    let s = shards();
    // A file outside the shard, listed with its true hash: never read, refused by name.
    let secret = s.root.join("secret.txt");
    std::fs::write(&secret, b"not evidence").unwrap();
    let manifest_path = s.root.join("shard-1/manifest.json");
    let original = std::fs::read(&manifest_path).unwrap();
    let mut m: serde_json::Value = serde_json::from_slice(&original).unwrap();
    m["files"]["../secret.txt"] = hipaa_iam_core::manifest::sha256_hex(b"not evidence").into();
    std::fs::write(&manifest_path, serde_json::to_vec_pretty(&m).unwrap()).unwrap();
    let o = run(&["merge", "--output", "merged", "shard-1"], &s.root);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}\n{err}");
    assert!(
        err.contains("shard shard-1:") && err.contains("../secret.txt: refused"),
        "{err}"
    );
    assert!(!s.root.join("merged").exists());

    // A file the manifest does not list (the manifest as written, an extra file beside it).
    std::fs::write(&manifest_path, &original).unwrap();
    std::fs::write(s.root.join("shard-1/extra.csv"), b"a,b\n").unwrap();
    let o = run(&["merge", "--output", "merged", "shard-1"], &s.root);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("extra.csv: not in the manifest"), "{err}");
    assert!(!s.root.join("merged").exists());
}

#[test]
fn shards_without_the_pages_merge_without_them_and_a_mix_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let org = Org::new();
    let plain = EvidenceOptions {
        no_html: true,
        no_xlsx: true,
        ..Default::default()
    };
    org.write_with(&root.path().join("shard-1"), odd, &defaults(), &plain);
    org.write_with(&root.path().join("shard-2"), |id| !odd(id), &defaults(), &plain);
    org.write_with(&root.path().join("all"), |_| true, &defaults(), &plain);
    let o = run(&["merge", "--output", "merged", "shard-1", "shard-2"], root.path());
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    let merged = tree(&root.path().join("merged"));
    let all = tree(&root.path().join("all"));
    assert_eq!(merged.keys().collect::<Vec<_>>(), all.keys().collect::<Vec<_>>());
    for name in ["org_report.html", "org_evidence.xlsx", "111111111111/report.html"] {
        assert!(!merged.contains_key(name), "{name}");
    }
    assert_eq!(run(&["verify", "merged"], root.path()).status.code(), Some(0));

    // A shard with the workbook and one without: refused, naming both and the option.
    let xlsx_only = EvidenceOptions {
        no_html: true,
        ..Default::default()
    };
    org.write_with(&root.path().join("shard-x"), |id| !odd(id), &defaults(), &xlsx_only);
    let o = run(&["merge", "--output", "other", "shard-1", "shard-x"], root.path());
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}\n{err}");
    assert!(
        err.contains("shards written with and without --no-xlsx: shard-1 lacks org_evidence.xlsx, shard-x has it"),
        "{err}"
    );
    assert!(!root.path().join("other").exists());
}
