//! The PowerShell module, as far as it can be tested without PowerShell: every script parses
//! under tree-sitter-powershell, the manifest exports exactly what the module defines and
//! each exported command has comment-based help, and the C# P/Invoke shim (compiled with
//! Mono's `mcs`) drives the real `libhipaa_iam.so`. The Pester tests run on GitHub's
//! Windows and Linux runners.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use hipaa_iam_tests::{demo_account, temp_dir, workspace_root};

fn powershell_dir() -> PathBuf {
    workspace_root().join("powershell")
}

fn module_dir() -> PathBuf {
    powershell_dir().join("HipaaIam")
}

/// Every `.ps1`, `.psm1` and `.psd1` under `dir`, sorted.
fn scripts(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(scripts(&path));
        } else if matches!(path.extension().and_then(|e| e.to_str()), Some("ps1" | "psm1" | "psd1")) {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn parse(source: &str) -> tree_sitter::Tree {
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&tree_sitter_powershell::LANGUAGE.into()).unwrap();
    parser.parse(source, None).unwrap()
}

/// Every node of the tree, depth first.
fn nodes(tree: &tree_sitter::Tree) -> Vec<tree_sitter::Node<'_>> {
    let mut out = Vec::new();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        out.push(node);
        let mut cursor = node.walk();
        let children: Vec<_> = node.children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
    }
    out
}

fn descendants<'t>(node: tree_sitter::Node<'t>, kind: &str) -> Vec<tree_sitter::Node<'t>> {
    let mut out = Vec::new();
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if n.kind() == kind {
            out.push(n);
        }
        let mut cursor = n.walk();
        let children: Vec<_> = n.children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
    }
    out
}

/// "line:column kind" of every ERROR or MISSING node.
fn syntax_errors(tree: &tree_sitter::Tree) -> Vec<String> {
    nodes(tree)
        .into_iter()
        .filter(|n| n.is_error() || n.is_missing())
        .map(|n| {
            let p = n.start_position();
            format!(
                "{}:{} {}{}",
                p.row + 1,
                p.column + 1,
                if n.is_missing() { "MISSING " } else { "" },
                n.kind()
            )
        })
        .collect()
}

#[test]
fn the_parser_reports_broken_powershell() {
    // The check below would pass vacuously if the grammar accepted anything.
    assert!(!syntax_errors(&parse("function Get-X { param([string]$A\n if ( { }")).is_empty());
    assert!(syntax_errors(&parse("function Get-X {\n    param([string]$A)\n    \"$A\"\n}\n")).is_empty());
}

#[test]
fn every_script_parses_without_errors() {
    let files = scripts(&powershell_dir());
    let names: Vec<String> = files
        .iter()
        .map(|p| p.strip_prefix(workspace_root()).unwrap().display().to_string())
        .collect();
    for expected in [
        "powershell/HipaaIam/HipaaIam.psd1",
        "powershell/HipaaIam/HipaaIam.psm1",
        "powershell/PSScriptAnalyzerSettings.psd1",
        "powershell/build.ps1",
        "powershell/tests/HipaaIam.Tests.ps1",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} is missing; found {names:?}"
        );
    }
    let mut failures = Vec::new();
    for (path, name) in files.iter().zip(&names) {
        let source = std::fs::read_to_string(path).unwrap();
        for e in syntax_errors(&parse(&source)) {
            failures.push(format!("{name}:{e}"));
        }
    }
    assert!(failures.is_empty(), "syntax errors:\n{}", failures.join("\n"));
}

/// The single-quoted strings of the `@( ... )` that follows `key` in `text`.
fn quoted_list_after(text: &str, key: &str) -> BTreeSet<String> {
    let start = text.find(key).unwrap_or_else(|| panic!("{key} not found"));
    let rest = &text[start + key.len()..];
    let open = rest.find("@(").unwrap_or_else(|| panic!("{key}: no @( list"));
    let close = rest[open..].find(')').unwrap() + open;
    rest[open + 2..close]
        .split('\'')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

struct Function {
    name: String,
    help: String,
    parameters: Vec<String>,
}

/// The functions the module defines, with their comment-based help and parameters.
fn module_functions(source: &str) -> Vec<Function> {
    let tree = parse(source);
    descendants(tree.root_node(), "function_statement")
        .into_iter()
        .map(|f| {
            let name = descendants(f, "function_name")[0]
                .utf8_text(source.as_bytes())
                .unwrap()
                .to_string();
            let help = descendants(f, "comment")
                .into_iter()
                .map(|c| c.utf8_text(source.as_bytes()).unwrap())
                .find(|c| c.starts_with("<#"))
                .unwrap_or_default()
                .to_string();
            // The function's own param block comes first; nested script blocks' come later.
            let parameters = descendants(f, "param_block")
                .first()
                .map(|block| descendants(*block, "script_parameter"))
                .unwrap_or_default()
                .into_iter()
                .map(|p| {
                    let var = descendants(p, "variable")[0].utf8_text(source.as_bytes()).unwrap();
                    var.trim_start_matches('$').to_string()
                })
                .collect();
            Function { name, help, parameters }
        })
        .collect()
}

#[test]
fn the_manifest_exports_exactly_what_the_module_defines_and_every_export_has_help() {
    let manifest = std::fs::read_to_string(module_dir().join("HipaaIam.psd1")).unwrap();
    let module = std::fs::read_to_string(module_dir().join("HipaaIam.psm1")).unwrap();

    assert!(
        !manifest.contains("'*'"),
        "the manifest must list its exports, never '*'"
    );
    for field in [
        "PowerShellVersion    = '5.1'",
        "'Desktop', 'Core'",
        "ProjectUri",
        "LicenseUri",
        "RootModule",
    ] {
        assert!(manifest.contains(field), "manifest lacks {field}");
    }
    let manifest_functions = quoted_list_after(&manifest, "FunctionsToExport");
    let manifest_aliases = quoted_list_after(&manifest, "AliasesToExport");
    let exported_functions = quoted_list_after(&module, "Export-ModuleMember -Function");
    let exported_aliases = quoted_list_after(&module, ") -Alias");
    assert_eq!(
        manifest_functions, exported_functions,
        "FunctionsToExport vs Export-ModuleMember -Function"
    );
    assert_eq!(
        manifest_aliases, exported_aliases,
        "AliasesToExport vs Export-ModuleMember -Alias"
    );

    let wanted: BTreeSet<String> = [
        "Get-HipaaMfaStatus",
        "Invoke-HipaaIamAudit",
        "Get-HipaaFinding",
        "Get-HipaaCheck",
        "Set-HipaaPasswordPolicy",
        "Enable-HipaaMfaEnforcement",
        "Add-HipaaGroupMembership",
        "Set-HipaaPermissionsBoundary",
        "Enable-HipaaAccessAnalyzer",
        "New-HipaaIamUser",
        "Export-HipaaRiskRegister",
        "Test-HipaaIamPolicy",
        "Test-HipaaIamAccess",
        "Get-HipaaIamAccessPath",
        "Compare-HipaaIamAudit",
        "Start-HipaaIamAccessReview",
        "Complete-HipaaIamAccessReview",
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    assert_eq!(manifest_functions, wanted);
    assert_eq!(manifest_aliases, BTreeSet::from(["Audit-MFA".to_string()]));

    // The aliases the module creates, and what they point to.
    let aliases: Vec<(String, String)> = module
        .lines()
        .filter_map(|l| l.trim().strip_prefix("New-Alias -Name "))
        .map(|rest| {
            let words: Vec<&str> = rest.split_whitespace().collect();
            assert_eq!(words[1], "-Value", "New-Alias line: {rest}");
            (words[0].to_string(), words[2].to_string())
        })
        .collect();
    let alias_names: BTreeSet<String> = aliases.iter().map(|(a, _)| a.clone()).collect();
    assert_eq!(alias_names, manifest_aliases, "aliases created vs exported");
    assert!(aliases.contains(&("Audit-MFA".to_string(), "Get-HipaaMfaStatus".to_string())));

    let functions = module_functions(&module);
    let defined: BTreeSet<String> = functions.iter().map(|f| f.name.clone()).collect();
    assert!(
        manifest_functions.is_subset(&defined),
        "exported but not defined: {:?}",
        manifest_functions.difference(&defined)
    );
    // Every function with comment-based help is a public command and is exported.
    let documented: BTreeSet<String> = functions
        .iter()
        .filter(|f| f.help.contains(".SYNOPSIS"))
        .map(|f| f.name.clone())
        .collect();
    assert_eq!(documented, manifest_functions, "documented functions vs exports");
    for (_, target) in &aliases {
        assert!(
            manifest_functions.contains(target),
            "alias target {target} is not exported"
        );
    }

    let approved = [
        "Get",
        "Set",
        "Enable",
        "New",
        "Add",
        "Export",
        "Invoke",
        "Test",
        "ConvertTo",
        "Compare",
        "Start",
        "Complete",
    ];
    let mut problems = Vec::new();
    for f in functions.iter().filter(|f| manifest_functions.contains(&f.name)) {
        let verb = f.name.split('-').next().unwrap();
        if !approved.contains(&verb) || !f.name.contains("-Hipaa") {
            problems.push(format!("{}: not an approved verb with the Hipaa noun prefix", f.name));
        }
        for section in [".SYNOPSIS", ".DESCRIPTION", ".EXAMPLE"] {
            if !f.help.contains(section) {
                problems.push(format!("{}: no {section}", f.name));
            }
        }
        if f.help.matches(".EXAMPLE").count() < 2 {
            problems.push(format!("{}: fewer than two .EXAMPLE blocks", f.name));
        }
        if f.parameters.is_empty() && f.name != "Get-HipaaCheck" {
            problems.push(format!("{}: no parameters found (parser out of step?)", f.name));
        }
        for p in &f.parameters {
            if !f.help.lines().any(|l| l.trim() == format!(".PARAMETER {p}")) {
                problems.push(format!("{}: no .PARAMETER {p}", f.name));
            }
        }
        let changes_aws = ["Set-", "Enable-", "Add-", "New-"]
            .iter()
            .any(|v| f.name.starts_with(v));
        let start = module.find(&format!("function {} {{", f.name)).unwrap();
        let body = &module[start..];
        let body = &body[..body[1..].find("\nfunction ").map_or(body.len(), |i| i + 1)];
        if changes_aws {
            if !body.contains("[CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]") {
                problems.push(format!(
                    "{}: changes AWS without SupportsShouldProcess/ConfirmImpact High",
                    f.name
                ));
            }
            if !f.parameters.iter().any(|p| p == "Force") {
                problems.push(format!("{}: no -Force", f.name));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // The Pester tests cover every exported command.
    let pester = std::fs::read_to_string(powershell_dir().join("tests/HipaaIam.Tests.ps1")).unwrap();
    for f in manifest_functions.iter().chain(&manifest_aliases) {
        assert!(pester.contains(f.as_str()), "the Pester tests never mention {f}");
    }
    assert!(pester.contains("BeforeDiscovery") && pester.contains("$TestDrive") && pester.contains("-WhatIf"));
}

fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().parent().unwrap().to_path_buf()
}

/// `tool`'s path, or a failure that says where it comes from.
fn require(tool: &str) -> PathBuf {
    let found = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join(tool))
        .find(|p| p.is_file());
    found.unwrap_or_else(|| {
        panic!("`{tool}` is not installed: .ci/run installs Mono (apt packages mono-mcs and mono-runtime); run it, or apt-get install mono-mcs mono-runtime")
    })
}

/// The module's layout in a new folder: the shim compiled with the test driver, and the
/// native library next to it. Returns the folder and `mono`.
fn driver() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let mcs = require("mcs");
    let mono = require("mono");
    // Cargo leaves the cdylib in deps/ and copies it up only for some builds: take the newest.
    let library = [
        target_dir().join("libhipaa_iam.so"),
        target_dir().join("deps/libhipaa_iam.so"),
    ]
    .into_iter()
    .filter(|p| p.is_file())
    .max_by_key(|p| std::fs::metadata(p).unwrap().modified().unwrap())
    .unwrap_or_else(|| {
        panic!(
            "libhipaa_iam.so is missing from {}; cargo builds it with the workspace's tests",
            target_dir().display()
        )
    });

    // The module's layout: the shim's assembly and the native library in one folder.
    let module = temp_dir();
    std::fs::copy(&library, module.path().join("libhipaa_iam.so")).unwrap();
    let exe = module.path().join("NativeDriver.exe");
    let compiled = Command::new(&mcs)
        .arg("-nologo")
        .arg("-warnaserror")
        .arg(format!("-out:{}", exe.display()))
        .arg(module_dir().join("HipaaIam.Native.cs"))
        .arg(powershell_dir().join("tests/NativeDriver.cs"))
        .output()
        .unwrap();
    assert!(
        compiled.status.success(),
        "mcs failed:\n{}{}",
        String::from_utf8_lossy(&compiled.stdout),
        String::from_utf8_lossy(&compiled.stderr)
    );
    (module, exe, mono)
}

#[test]
fn the_csharp_shim_drives_the_native_library_under_mono() {
    let (module, exe, mono) = driver();
    let out = temp_dir();
    let run = Command::new(&mono)
        .arg(&exe)
        .arg(demo_account())
        .arg(out.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert!(
        run.status.success(),
        "the driver failed ({}):\n{stdout}\n{stderr}",
        run.status
    );
    assert!(stdout.contains("DRIVER OK"), "{stdout}");
    assert!(
        stdout.contains(&format!("LIBRARY {}", module.path().join("libhipaa_iam.so").display())),
        "{stdout}"
    );
    assert!(stdout.contains("STRINGS received=13 freed=13"), "{stdout}");

    let read = |name: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(out.path().join(name)).unwrap()).unwrap()
    };
    // The catalogue, the audit and the MFA rows came through intact (UTF-8 and all).
    let checks = read("checks.json");
    assert_eq!(
        checks.as_array().unwrap().len(),
        hipaa_iam_core::checks::CATALOGUE.len()
    );
    let audit = read("audit.json");
    assert_eq!(audit["account_id"], "123456789012");
    let failing: BTreeSet<String> = audit["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "fail")
        .map(|f| {
            format!(
                "{} {}",
                f["check_id"].as_str().unwrap(),
                f["resource_name"].as_str().unwrap()
            )
        })
        .collect();
    assert!(failing.contains("IAM-002 nurse.garcia"), "{failing:?}");
    assert!(!failing.contains("IAM-002 dr.patel"), "{failing:?}");

    let mfa = read("mfa.json");
    let rows = mfa.as_array().unwrap();
    let row = |name: &str| {
        rows.iter()
            .find(|r| r["UserName"] == name)
            .unwrap_or_else(|| panic!("no row for {name}"))
    };
    assert_eq!(rows.len(), 12, "{mfa}");
    assert_eq!(row("dr.patel")["MFA"], "HAS_MFA");
    assert_eq!(row("dr.patel")["MfaDeviceType"], "virtual");
    assert_eq!(row("dr.patel")["Compliant"], true);
    assert_eq!(row("nurse.garcia")["MFA"], "NO_MFA");
    assert_eq!(row("nurse.garcia")["Compliant"], false);
    assert_eq!(row("nurse.kim")["InMfaGroup"], false);
    assert_eq!(row("temp.contractor")["Groups"], serde_json::json!([]));

    // The evidence was written where the request said, and the manifest hashes it.
    let manifest = read("evidence-manifest.json");
    let csv = std::fs::read_to_string(out.path().join("evidence/mfa_audit.csv")).unwrap();
    assert!(csv.starts_with(
        "UserName,MFA,ConsoleAccess,MfaDeviceType,InMfaGroup,Groups,PasswordLastUsed,AccessKeyLastUsed,Compliant\r\n"
    ));
    assert!(manifest.to_string().contains("mfa_audit.csv"), "{manifest}");
    // The report page and the workbook among it, each left out by html:false / xlsx:false
    // (-NoHtml, -NoXlsx), every file listed hashed as written.
    for (dir, manifest, html, xlsx) in [
        ("evidence", "evidence-manifest.json", true, true),
        ("evidence-no-html", "evidence-no-html-manifest.json", false, true),
        ("evidence-no-xlsx", "evidence-no-xlsx-manifest.json", true, false),
        ("run-evidence", "", true, true),
    ] {
        let files: Vec<String> = if manifest.is_empty() {
            read("run.json")["evidence"]["files"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect()
        } else {
            let m = read(manifest);
            let files = m["files"].as_object().unwrap();
            for (name, hash) in files {
                let bytes = std::fs::read(out.path().join(dir).join(name)).unwrap();
                assert_eq!(
                    hipaa_iam_core::manifest::sha256_hex(&bytes),
                    hash.as_str().unwrap(),
                    "{dir}/{name}"
                );
            }
            files.keys().cloned().collect()
        };
        assert!(files.iter().any(|f| f == "findings.json"), "{dir}: {files:?}");
        assert_eq!(files.iter().any(|f| f == "report.html"), html, "{dir}: {files:?}");
        assert_eq!(files.iter().any(|f| f == "evidence.xlsx"), xlsx, "{dir}: {files:?}");
        assert_eq!(out.path().join(dir).join("report.html").is_file(), html, "{dir}");
        assert_eq!(out.path().join(dir).join("evidence.xlsx").is_file(), xlsx, "{dir}");
    }
    let page = std::fs::read_to_string(out.path().join("evidence/report.html")).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains("123456789012"));
    let book = std::fs::read(out.path().join("evidence/evidence.xlsx")).unwrap();
    assert!(book.starts_with(b"PK\x03\x04"), "the workbook is a zip archive");

    // Each error status became an exception with the library's message and status.
    let error = |case: &str| -> String {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(&format!("ERROR {case} ")))
            .unwrap_or_else(|| panic!("no ERROR line for {case}:\n{stdout}"))
            .to_string()
    };
    assert!(
        error("bad-json").starts_with("2 InvalidJson json - request_json: "),
        "{}",
        error("bad-json")
    );
    assert!(
        error("unknown-field").starts_with("2 InvalidJson json - ") && error("unknown-field").contains("no_such_field")
    );
    let missing = error("missing-dir");
    assert!(missing.starts_with("3 InvalidInput input - "), "{missing}");
    assert!(
        missing.contains("no-such-dir") && missing.contains("does not exist"),
        "{missing}"
    );
    assert!(error("utf8").contains("d\u{e9}j\u{e0}-vu"), "{}", error("utf8"));
    // The status numbers and names came from the library; a field error names the request
    // field, and the shim puts the module's own name for it in its place.
    assert!(
        stdout.contains("STATUS InvalidInput=3 InvalidInput AwsError=5"),
        "{stdout}"
    );
    assert_eq!(
        error("field"),
        "1 InvalidArgument argument users users applies only to group-membership, permissions-boundary"
    );
    assert!(
        stdout.contains("NAMED field -UserName applies only to group-membership, permissions-boundary"),
        "{stdout}"
    );

    // Test-HipaaIamPolicy's call: the problems of examples/policies at their places, and
    // -FailOn high's verdict; a missing file is the library's I/O error naming it.
    let lint = read("lint.json");
    let problems = lint["report"]["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 10, "{lint}");
    let typo = problems
        .iter()
        .find(|p| p["message"].as_str().unwrap().contains("kms:decrypts"))
        .unwrap();
    assert!(
        typo["file"].as_str().unwrap().ends_with("examples/policies/typos.json"),
        "{typo}"
    );
    assert_eq!((typo["line"].as_u64(), typo["column"].as_u64()), (Some(19), Some(18)));
    assert_eq!(
        (typo["rule"].as_str(), typo["severity"].as_str()),
        (Some("unknown-action"), Some("medium"))
    );
    assert_eq!(lint["verdict"]["failing"], 1);
    assert_eq!(lint["verdict"]["failing_checks"], serde_json::json!(["pass-role-star"]));
    let missing = error("lint-missing");
    assert!(
        missing.starts_with("6 IoError io - ") && missing.contains("no-such-policy.json"),
        "{missing}"
    );

    // Test-HipaaIamAccess's call: the requests answered in order; Get-HipaaIamAccessPath's:
    // the principals that can read the PHI object. An unknown principal names the request
    // and the field, which the module shows as -Principal.
    let explained = read("access-explain.json");
    let decisions: Vec<&str> = explained
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["decision"].as_str().unwrap())
        .collect();
    assert_eq!(decisions, ["allowed", "denied"], "{explained}");
    let who = read("access-who-can.json");
    let names: Vec<&str> = who["principals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"ops-admin") && !names.contains(&"reception.smith"),
        "{who}"
    );
    assert!(who["scope"].as_str().unwrap().contains("identity-based"), "{who}");
    assert!(
        error("access-principal")
            .starts_with("1 InvalidArgument argument principal requests[0]: principal: no user or role named"),
        "{}",
        error("access-principal")
    );
    assert!(
        stdout.contains("NAMED access-principal requests[0]: -UserName: no user or role named"),
        "{stdout}"
    );

    // Compare-HipaaIamAudit's call: the same account audited twice, nothing new or
    // resolved, the three critical gaps still open; a directory without a manifest is
    // refused. The review's calls: the roster started and signed into the evidence.
    let diff = read("diff.json");
    assert_eq!(diff["account"]["new"], serde_json::json!([]), "{diff}");
    assert_eq!(diff["account"]["resolved"], serde_json::json!([]), "{diff}");
    assert_eq!(diff["failing"], 3, "{diff}");
    assert!(
        error("diff-unverified").contains("manifest.json"),
        "{}",
        error("diff-unverified")
    );
    let started = read("review-start.json");
    let signed = read("review-sign.json");
    assert_eq!(signed["review"]["counts"]["keep"], started["principals"], "{signed}");
    assert_eq!(signed["review"]["reviewer"], "Jane Doe");
    assert!(out.path().join("evidence/review.json").is_file());

    // One call audited, wrote the evidence from that audit and applied -FailOn high.
    let run = read("run.json");
    assert_eq!(run["report"], audit);
    assert_eq!(run["verdict"]["failing"], 17, "{}", run["verdict"]);
    assert_eq!(run["verdict"]["failed"], true);
    let findings: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("run-evidence/findings.json")).unwrap()).unwrap();
    assert_eq!(findings["as_of"], run["report"]["as_of"]);
    assert_eq!(findings["findings"], run["report"]["findings"]);
}

/// The body of the module's function `name`.
fn function_body<'a>(module: &'a str, name: &str) -> &'a str {
    let start = module.find(&format!("function {name} {{")).unwrap();
    let body = &module[start..];
    &body[..body[1..].find("\nfunction ").map_or(body.len(), |i| i + 1)]
}

#[test]
fn the_module_audits_once_and_takes_the_run_policy_and_status_names_from_the_library() {
    let module = std::fs::read_to_string(module_dir().join("HipaaIam.psm1")).unwrap();
    let audit = function_body(&module, "Invoke-HipaaIamAudit");
    // -OutputDirectory and -FailOn ride on the one audit call: no second audit for the
    // evidence, no severity arithmetic of its own.
    assert_eq!(audit.matches("Invoke-HipaaNative").count(), 1, "{audit}");
    assert!(audit.contains("-Function RunAudit"), "{audit}");
    assert!(
        !audit.contains("WriteEvidence") && !audit.contains("IndexOf"),
        "{audit}"
    );
    assert!(audit.contains("$run.verdict.failed"), "{audit}");
    // Findings JSON schema 2: each object gets its check's metadata from `checks`, stated
    // once in the report, so `-Severity` filtering and tables keep working.
    assert!(audit.contains("$report.checks.($f.check_id)"), "{audit}");
    let get = function_body(&module, "Get-HipaaFinding");
    assert!(get.contains("$f.severity"), "{get}");
    // Errors are categorised by the library's status names, not by retyped numbers.
    let native = function_body(&module, "Invoke-HipaaNative");
    assert!(native.contains("$e.StatusName"), "{native}");
    for n in 1..=7 {
        assert!(
            !native.contains(&format!("            {n} {{")),
            "status number {n} retyped:\n{native}"
        );
    }
    assert!(native.contains("MessageNaming"), "{native}");
}

#[test]
fn the_shim_s_audit_call_collects_a_live_account_once_for_the_objects_and_the_evidence_on_moto() {
    let m = hipaa_iam_tests::moto();
    m.aws(&["iam", "create-user", "--user-name", "nurse.kim"]);
    let (_module, exe, mono) = driver();
    let out = temp_dir();
    let (run, bodies) = m.recording(|| {
        Command::new(&mono)
            .arg(&exe)
            .arg(demo_account())
            .arg(out.path())
            .arg("live")
            .envs(m.env())
            .output()
            .unwrap()
    });
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    assert!(
        run.status.success() && stdout.contains("DRIVER OK"),
        "{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let collections = bodies
        .iter()
        .filter(|b| b.contains("Action=GetAccountAuthorizationDetails"))
        .count();
    assert_eq!(collections, 1, "{bodies:#?}");
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("live-run.json")).unwrap()).unwrap();
    let findings: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("live/findings.json")).unwrap()).unwrap();
    assert_eq!(findings["as_of"], run["report"]["as_of"]);
    assert_eq!(findings["findings"], run["report"]["findings"]);
    assert!(run["report"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["resource_name"] == "nurse.kim"));
}

/// The module's table of request fields and the parameters that set them
/// (`$script:ParameterNames`), as (field, parameter) pairs.
fn parameter_table(module: &str) -> Vec<(String, String)> {
    let start = module
        .find("$script:ParameterNames = @{")
        .expect("the ParameterNames table");
    let body = &module[start..];
    let body = &body[body.find('{').unwrap() + 1..body.find("\n}").unwrap()];
    body.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (field, parameter) = l.split_once('=').unwrap_or_else(|| panic!("table line {l:?}"));
            (
                field.trim().to_string(),
                parameter.trim().trim_matches('\'').to_string(),
            )
        })
        .collect()
}

#[test]
fn the_parameter_table_names_real_fields_and_parameters_and_the_evidence_switches_set_them() {
    let module = std::fs::read_to_string(module_dir().join("HipaaIam.psm1")).unwrap();
    let functions = module_functions(&module);
    let table = parameter_table(&module);
    assert!(table.len() >= 10, "{table:?}");
    // Each field is a request field of the library; each parameter is one of the module's.
    let mut sources = String::new();
    let mut stack = vec![workspace_root().join("core/src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                sources.push_str(&std::fs::read_to_string(path).unwrap());
            }
        }
    }
    for (field, parameter) in &table {
        assert!(
            sources.contains(&format!("pub {field}: ")),
            "{field} is not a field of any request of the library"
        );
        let name = parameter.trim_start_matches('-');
        assert!(
            functions.iter().any(|f| f.parameters.iter().any(|p| p == name)),
            "{parameter} (for {field}) is no parameter of the module"
        );
    }
    for (field, parameter) in [("html", "-NoHtml"), ("xlsx", "-NoXlsx"), ("excel", "-Excel")] {
        assert!(
            table.contains(&(field.to_string(), parameter.to_string())),
            "the table does not map {field} to {parameter}"
        );
    }

    // The commands that write evidence take -NoHtml and -NoXlsx, documented, and set the
    // request's html / xlsx to false with them.
    for name in ["Invoke-HipaaIamAudit", "Export-HipaaRiskRegister"] {
        let f = functions.iter().find(|f| f.name == name).unwrap();
        let body = function_body(&module, name);
        for (switch, field) in [("NoHtml", "html"), ("NoXlsx", "xlsx")] {
            assert!(f.parameters.iter().any(|p| p == switch), "{name} has no -{switch}");
            assert!(
                body.contains(&format!("[switch]${switch}")),
                "{name}: -{switch} is not a switch"
            );
            assert!(
                body.contains(&format!("if (${switch}) {{ $request['{field}'] = $false }}")),
                "{name}: -{switch} does not set {field} to false"
            );
            assert!(
                f.help.contains(&format!(".PARAMETER {switch}")),
                "{name}: no help for -{switch}"
            );
        }
    }
    // The Pester tests exercise them.
    let pester = std::fs::read_to_string(powershell_dir().join("tests/HipaaIam.Tests.ps1")).unwrap();
    for switch in ["-NoHtml", "-NoXlsx"] {
        assert!(pester.contains(switch), "the Pester tests never use {switch}");
    }
}
