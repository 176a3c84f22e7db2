//! The committed header `ffi/include/hipaa_iam.h` must be what cbindgen generates from the
//! current source. Set `HIPAA_IAM_BLESS=1` to rewrite it.
#![allow(clippy::unwrap_used)]

use std::path::Path;

#[test]
fn committed_header_is_fresh() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).unwrap();
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen could not generate the header")
        .write(&mut generated);
    let generated = String::from_utf8(generated).unwrap();
    let path = crate_dir.join("include").join("hipaa_iam.h");
    if std::env::var_os("HIPAA_IAM_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is stale: regenerate it with `HIPAA_IAM_BLESS=1 cargo test --workspace --test c_abi header` and commit it",
        path.display()
    );
    // Every function and the status enum are documented: the line before each
    // declaration closes a doc comment.
    let lines: Vec<&str> = generated.lines().collect();
    let mut declarations = 0;
    for (i, line) in lines.iter().enumerate() {
        let is_decl = (line.contains(" hipaa_iam_") || line.contains("*hipaa_iam_")) && line.trim_end().ends_with(");")
            || line.starts_with("enum HipaaIamStatus");
        if is_decl {
            declarations += 1;
            let before = lines[..i].iter().rev().find(|l| !l.trim().is_empty()).unwrap_or(&"");
            assert!(
                before.trim_start().starts_with("*/"),
                "undocumented in the header: {line}"
            );
        }
    }
    assert_eq!(
        declarations, 19,
        "expected the status enum and 18 functions in the header"
    );
}
