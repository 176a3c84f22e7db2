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
        "{} is stale: regenerate it with `HIPAA_IAM_BLESS=1 cargo test -p hipaa-iam-ffi --test header` and commit it",
        path.display()
    );
    // Every item is documented.
    for name in [
        "hipaa_iam_version",
        "hipaa_iam_last_error",
        "hipaa_iam_string_free",
        "hipaa_iam_checks",
    ] {
        let at = generated
            .find(&format!(" {name}("))
            .unwrap_or_else(|| panic!("{name} missing from the header"));
        let before = &generated[..at];
        let line_start = before.rfind(";\n").or_else(|| before.rfind("*/\n")).unwrap_or(0);
        assert!(
            before[line_start..].contains("//"),
            "{name} has no doc comment in the header"
        );
    }
}
