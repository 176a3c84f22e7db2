//! `report.html`: the demo account's page as text (a snapshot), hostile names escaped, the
//! page in the manifest, `--no-html`, and the page rendered by a real headless Chromium
//! (no console errors, a screenshot that is not blank, a PDF of a plausible page count).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::hipaa_iam;
use hipaa_iam_tests::account::{Cred, TestAccount};
use hipaa_iam_tests::{demo_account, output, text, workspace_root};

/// The page's text: scripts and styles dropped, tags stripped, entities decoded, each
/// line trimmed, blank lines dropped.
pub fn html_text(html: &str) -> String {
    let mut s = html.to_string();
    for tag in ["style", "script", "title"] {
        while let Some(start) = s.find(&format!("<{tag}")) {
            let end_tag = format!("</{tag}>");
            let Some(end) = s[start..].find(&end_tag) else { break };
            s.replace_range(start..start + end + end_tag.len(), "");
        }
    }
    // Block elements end a line.
    for tag in [
        "</tr>",
        "</p>",
        "</h1>",
        "</h2>",
        "</h3>",
        "</div>",
        "</li>",
        "</summary>",
        "<br>",
    ] {
        s = s.replace(tag, &format!("{tag}\n"));
    }
    s = s.replace("</td>", "</td>\t").replace("</th>", "</th>\t");
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let decoded = decode_entities(&out);
    decoded
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';').filter(|e| *e < 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let c = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "middot" => Some('·'),
            e if e.starts_with("#x") => u32::from_str_radix(&e[2..], 16).ok().and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The demo account's evidence directory, written into `dir`; returns its path.
fn demo_evidence(dir: &Path, extra: &[&str]) -> PathBuf {
    let out = dir.join("evidence");
    let run = output(
        hipaa_iam()
            .args(["audit", "--exports"])
            .arg(demo_account())
            .arg("--output-dir")
            .arg(&out)
            .args(extra)
            .current_dir(dir),
    );
    assert_eq!(run.status.code(), Some(1), "{:?}", text(&run));
    out
}

#[test]
fn the_demo_report_reads_as_the_snapshot() {
    let tmp = tempfile::tempdir().unwrap();
    let run = output(
        hipaa_iam()
            .args(["audit", "--format", "html", "--exports"])
            .arg(demo_account())
            .current_dir(tmp.path()),
    );
    assert_eq!(run.status.code(), Some(1), "{:?}", text(&run));
    let html = String::from_utf8(run.stdout).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..100.min(html.len())]);
    // The page in the evidence directory is the page on stdout.
    let dir = demo_evidence(tmp.path(), &[]);
    assert_eq!(std::fs::read_to_string(dir.join("report.html")).unwrap(), html);
    // Self-contained: nothing is fetched.
    for remote in ["src=\"http", "href=\"http", "@import", "url("] {
        assert!(!html.contains(remote), "the page refers to {remote}");
    }
    let page = html_text(&html).replace(&demo_account().display().to_string(), "examples/demo-account");
    let snapshot = workspace_root().join("action/tests/snapshots/report.txt");
    if std::env::var_os("HIPAA_IAM_BLESS").is_some() {
        std::fs::write(&snapshot, &page).unwrap();
    }
    let expected = std::fs::read_to_string(&snapshot).expect("the snapshot (HIPAA_IAM_BLESS=1 writes it)");
    assert_eq!(
        page, expected,
        "the text of report.html changed; rerun with HIPAA_IAM_BLESS=1 to accept it"
    );
    for part in [
        "HIPAA Security Rule coverage",
        "Risk register",
        "Failing and excepted findings",
        "MFA audit",
        "Passed checks",
        "Configuration SHA-256",
    ] {
        assert!(page.contains(part), "no {part} in the page");
    }
}

/// Names a hostile account holder could choose.
const HOSTILE: [&str; 4] = [
    "<script>alert(1)</script>",
    "quote\"d'name",
    "red\u{1b}[31mALERT",
    "=cmd|' /C calc'!A0",
];

#[test]
fn names_from_aws_are_escaped_never_markup() {
    let exports = HOSTILE
        .iter()
        .fold(TestAccount::new(), |b, n| {
            b.user(n, &[], serde_json::json!({})).cred(Cred::new(n).password(None))
        })
        .write();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("evidence");
    let run = output(
        hipaa_iam()
            .args(["audit", "--exports"])
            .arg(exports.path())
            .arg("--output-dir")
            .arg(&out)
            .current_dir(tmp.path()),
    );
    assert_eq!(run.status.code(), Some(1), "{:?}", text(&run));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!html.contains("<script>alert"), "a name became markup");
    assert_eq!(html.matches("<script>").count(), 1, "only the page's own script");
    assert!(
        html.contains("&#60;script&#62;alert(1)&#60;/script&#62;")
            || html.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
    );
    assert!(!html.contains("quote\"d"), "a quote left unescaped");
    assert!(!html.contains('\u{1b}'), "an escape character reached the page");
    assert!(
        !html.contains("'name") && !html.contains("' /C"),
        "an apostrophe left unescaped"
    );
    // Each reads back as it was named (control characters shown as their pictures).
    let page = html_text(&html);
    for name in [
        "<script>alert(1)</script>",
        "quote\"d'name",
        "red\u{241b}[31mALERT",
        "=cmd|' /C calc'!A0",
    ] {
        assert!(page.contains(name), "{name:?} is not in the page's text");
    }
}

#[test]
fn the_page_is_in_the_manifest_and_verifies_and_no_html_leaves_it_out() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = demo_evidence(tmp.path(), &[]);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    assert!(manifest["files"]["report.html"].is_string(), "{manifest}");
    let verify = output(hipaa_iam().arg("verify").arg(&dir));
    assert!(verify.status.success(), "{:?}", text(&verify));

    // --no-html: the page is gone (removed as stale) and the directory still verifies.
    let run = output(
        hipaa_iam()
            .args(["audit", "--no-html", "--exports"])
            .arg(demo_account())
            .arg("--output-dir")
            .arg(&dir)
            .current_dir(tmp.path()),
    );
    assert_eq!(run.status.code(), Some(1), "{:?}", text(&run));
    assert!(!dir.join("report.html").exists());
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    assert!(manifest["files"].get("report.html").is_none(), "{manifest}");
    let verify = output(hipaa_iam().arg("verify").arg(&dir));
    assert!(verify.status.success(), "{:?}", text(&verify));
}

/// `tool` on PATH, or a failure naming what to install.
pub(crate) fn require(tool: &str, package: &str) -> PathBuf {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join(tool))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("`{tool}` is not installed: .ci/run installs it (apt package {package}); run it, or apt-get install {package}")
        })
}

/// Headless Chromium with `args`, on `page`; returns its output.
pub(crate) fn chromium(args: &[&str], page: &Path, profile: &Path) -> std::process::Output {
    let mut c = Command::new(require("chromium", "chromium"));
    c.args([
        "--headless",
        "--disable-gpu",
        "--no-sandbox",
        "--no-first-run",
        "--disable-dev-shm-usage",
        "--enable-logging=stderr",
        "--v=0",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(args)
    .arg(format!("file://{}", page.display()));
    output(&mut c)
}

#[test]
fn a_real_browser_renders_the_demo_report_and_prints_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = demo_evidence(tmp.path(), &[]);
    let page = dir.join("report.html");
    let profile = tmp.path().join("profile");

    // The DOM after scripts ran: the script marked the page, no console error.
    let dom = chromium(&["--dump-dom"], &page, &profile);
    let (stdout, stderr) = text(&dom);
    assert!(dom.status.success(), "{stderr}");
    assert!(
        stdout.contains("class=\" js\"") || stdout.contains("class=\"js\""),
        "the page's script did not run: {}",
        &stdout[..200.min(stdout.len())]
    );
    assert!(stdout.contains("id=\"verdict\""), "{stdout}");
    for bad in ["Uncaught", "ERROR:CONSOLE", "Refused to", "net::ERR"] {
        assert!(!stderr.contains(bad), "console error ({bad}): {stderr}");
    }

    // A screenshot that is not blank: many colours (text, badges, the chart).
    let png = tmp.path().join("page.png");
    let shot = chromium(
        &[
            &format!("--screenshot={}", png.display()),
            "--window-size=1280,2000",
            "--hide-scrollbars",
        ],
        &page,
        &profile,
    );
    assert!(shot.status.success() && png.is_file(), "{:?}", text(&shot));
    let colours = distinct_colours(&png);
    assert!(colours >= 16, "the screenshot has {colours} colours: blank?");

    // A PDF of a plausible number of pages: the cover, then the report.
    let pdf = tmp.path().join("page.pdf");
    let print = chromium(
        &[&format!("--print-to-pdf={}", pdf.display()), "--no-pdf-header-footer"],
        &page,
        &profile,
    );
    assert!(print.status.success() && pdf.is_file(), "{:?}", text(&print));
    let info = output(Command::new(require("pdfinfo", "poppler-utils")).arg(&pdf));
    let (info, err) = text(&info);
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("pdfinfo: {info} {err}"));
    assert!((3..=200).contains(&pages), "{pages} pages");
}

/// The number of distinct RGB colours of a PNG.
pub(crate) fn distinct_colours(path: &Path) -> usize {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let step = info.color_type.samples();
    assert!(step >= 3, "a colour screenshot: {:?}", info.color_type);
    let bytes = &buf[..info.buffer_size()];
    bytes
        .chunks(step)
        .map(|p| (p[0], p[1], p[2]))
        .collect::<std::collections::HashSet<_>>()
        .len()
}
