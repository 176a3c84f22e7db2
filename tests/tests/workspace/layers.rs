//! The layers of the code (docs/architecture.md): every module of `hipaa-iam-core` uses only
//! the modules below it, and the CLI's commands do not use each other in a cycle. Read from
//! the source, so a new dependency that breaks the layering fails here, naming it.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use hipaa_iam_tests::{files_under, workspace_root};

/// `hipaa-iam-core`'s modules, bottom first: each may use only those before it.
const CORE_LAYERS: &[&str] = &[
    "error",
    "text",
    "files",
    "input",
    "aws",
    "policy",
    "manifest",
    "account",
    "config",
    "findings",
    "checks",
    "access",
    "lint",
    "report",
    "run",
    "history",
    "api",
    "org",
    "remediate",
];

/// The source of `text` without comments and without its tests (`#[cfg(test)]` to the end).
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The names that follow `prefix` in `text` (`crate::` -> `account`, `policy`, ...).
fn uses(text: &str, prefix: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in text.match_indices(prefix) {
        let before = text[..i].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let name: String = text[i + prefix.len()..]
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
            .collect();
        if !name.is_empty() {
            out.insert(name);
        }
    }
    out
}

/// Every `.rs` file under `dir`, recursively, sorted.
fn sources(dir: &Path) -> Vec<std::path::PathBuf> {
    files_under(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect()
}

/// Module -> the modules of the same crate it uses, for the top-level modules under `src`.
fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in sources(src) {
        let rel = path.strip_prefix(src).unwrap();
        let top = rel.components().next().unwrap().as_os_str().to_string_lossy();
        let module = top.trim_end_matches(".rs").to_string();
        if module == "lib" || module == "main" {
            continue;
        }
        let text = code(&std::fs::read_to_string(&path).unwrap());
        let deps = graph.entry(module.clone()).or_default();
        deps.extend(uses(&text, "crate::").into_iter().filter(|d| *d != module));
    }
    graph
}

#[test]
fn core_modules_use_only_the_layers_below_them() {
    let graph = module_graph(&workspace_root().join("core/src"));
    let rank = |m: &str| CORE_LAYERS.iter().position(|l| *l == m);
    let mut wrong = Vec::new();
    for (module, deps) in &graph {
        let Some(r) = rank(module) else {
            wrong.push(format!(
                "core/src/{module} is in no layer: add it to CORE_LAYERS here and to docs/architecture.md"
            ));
            continue;
        };
        for dep in deps {
            match rank(dep) {
                Some(d) if d < r => {}
                Some(_) => wrong.push(format!("{module} uses {dep}, which is not below it")),
                None => {}
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The test reads what it should: the evaluator is below the checks, which use it.
    assert!(
        graph["checks"].contains("policy") && graph["checks"].contains("account"),
        "{graph:?}"
    );
}

#[test]
fn the_commands_of_the_cli_do_not_use_each_other_in_a_cycle() {
    let dir = workspace_root().join("action/src/cmd");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in sources(&dir) {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = code(&std::fs::read_to_string(&path).unwrap());
        let mut deps = uses(&text, "super::");
        deps.extend(uses(&text, "crate::cmd::"));
        deps.remove(&name);
        graph.insert(
            name,
            deps.into_iter()
                .filter(|d| dir.join(format!("{d}.rs")).exists())
                .collect(),
        );
    }
    assert!(graph.len() > 5, "the scan should find the commands: {graph:?}");
    if let Some(cycle) = find_cycle(&graph) {
        panic!("the CLI's commands use each other in a cycle: {}", cycle.join(" -> "));
    }
}

/// A cycle of `graph`, as the modules along it (the first repeated at the end).
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == node) {
            let mut cycle = path[i..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

#[test]
fn a_cycle_is_found_and_a_chain_is_not() {
    let g = |edges: &[(&str, &str)]| {
        let mut m: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (a, b) in edges {
            m.entry(a.to_string()).or_default().insert(b.to_string());
        }
        m
    };
    assert_eq!(find_cycle(&g(&[("a", "b"), ("b", "c")])), None);
    assert_eq!(
        find_cycle(&g(&[("a", "b"), ("b", "c"), ("c", "a")])),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    assert_eq!(
        uses("use crate::report::x; my_crate::no; crate::api", "crate::"),
        ["api", "report"].iter().map(|s| s.to_string()).collect()
    );
}
