//! The IAM action catalogue: decoding it, one lookup, wildcard expansion and suggestions.
//!
//! `cargo bench --workspace --bench catalogue`; BENCHMARKS.md records the numbers (the target
//! for one lookup is well under 1 µs).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use hipaa_iam_core::policy::catalogue::{self, Catalogue};
use hipaa_iam_core::policy::Pattern;

fn decode(c: &mut Criterion) {
    // What the first use of the catalogue costs a run: inflating and indexing the table.
    c.bench_function("catalogue_decode", |b| {
        b.iter(|| Catalogue::decode(black_box(catalogue::EMBEDDED)).map(|cat| cat.len()))
    });
}

fn lookup(c: &mut Criterion) {
    let cat = catalogue::get();
    assert!(cat.contains("S3:getobject") && !cat.contains("iam:EnableMfaDevices"));
    // One lookup of a real action, written in another case than AWS's.
    c.bench_function("catalogue_lookup", |b| {
        b.iter(|| cat.action(black_box("S3:getobject")).is_some())
    });
    // One lookup of a name that is not an action.
    c.bench_function("catalogue_lookup_unknown", |b| {
        b.iter(|| cat.action(black_box("iam:EnableMfaDevices")).is_some())
    });
}

fn expand(c: &mut Criterion) {
    let cat = catalogue::get();
    let get = Pattern::new("s3:Get*", true);
    let iam = Pattern::new("iam:*", true);
    let any_service = Pattern::new("*:Get?*", true);
    assert!(cat.count(&get) > 50 && cat.count(&iam) > 150 && cat.count(&any_service) > 1000);
    // `s3:Get*`: the range of `s3:get...` names, each matched.
    c.bench_function("catalogue_expand_s3_get", |b| {
        b.iter(|| cat.expand(black_box(&get)).count())
    });
    c.bench_function("catalogue_expand_iam_all", |b| {
        b.iter(|| cat.expand(black_box(&iam)).count())
    });
    // A wildcard in the service: every action is tried.
    c.bench_function("catalogue_expand_any_service", |b| {
        b.iter(|| cat.expand(black_box(&any_service)).count())
    });
}

fn suggest(c: &mut Criterion) {
    let cat = catalogue::get();
    // The closest real actions to a typo (only for names that are not actions).
    c.bench_function("catalogue_suggest", |b| {
        b.iter(|| cat.suggest(black_box("iam:EnableMfaDevices"), 3).len())
    });
}

criterion_group!(benches, decode, lookup, expand, suggest);
criterion_main!(benches);
