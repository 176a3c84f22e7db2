//! Every exported function runs inside the panic guard: no `#[no_mangle]` function may
//! skip it.
#![allow(clippy::unwrap_used)]

use std::path::Path;

#[test]
fn every_export_uses_the_panic_guard() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut exports = 0;
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        // Attributes on a line of their own; mentions in comments do not count.
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if line.trim() != "#[no_mangle]" {
                continue;
            }
            exports += 1;
            let rest = lines[i + 1..].join("\n");
            let sig_end = rest.find('{').unwrap();
            let signature = rest[..sig_end].trim();
            let name = signature.split("fn ").nth(1).unwrap().split('(').next().unwrap().trim();
            let body = rest[sig_end + 1..].trim_start();
            assert!(
                body.starts_with("ffi_guard!(")
                    || body.starts_with("ffi_guard_ptr!(")
                    || body.starts_with("ffi_guard_void!("),
                "{}: `{name}` does not run its body inside ffi_guard!/ffi_guard_ptr!/ffi_guard_void!",
                path.display()
            );
        }
    }
    assert_eq!(exports, 18, "the scan should find every export of the header");
}
