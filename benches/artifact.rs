//! Criterion benchmarks of an application's side: the artifact of the 100,000 generated roles
//! (`examples/gen/policy.rs`, as `rolec build p100k/` writes it) read and checked with
//! `Artifact::from_json`, then asked `can` a million times.
//! - `load`: `from_json` on the artifact's text (parse, checks, index);
//! - `can`: 1,000,000 calls of `Role::can` on roles already looked up, permission names
//!   drawn from the catalog;
//! - `role_by_id_then_can`: the same, looking each role up by id first (what an
//!   application does with the id it stored).
//!
//! Run with `cargo bench --bench artifact`; the artifact's size is printed first. Figures
//! in docs/performance.md.
// A test or tool, not the compiler: a failed unwrap or index here is a failed run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../examples/gen/policy.rs"]
mod policy;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use rolec::compile::{compile_into, CompileOptions, InputFile};
use rolec::Artifact;

const ROLES: usize = 100_000;
const CALLS: usize = 1_000_000;

/// The artifact `rolec build p100k/` writes for the generated policies.
fn artifact_text() -> String {
    let files = policy::generate(ROLES, 1000, 42)
        .into_iter()
        .map(|file| InputFile {
            project_path: Some(format!("p100k/{}", file.path)),
            path: file.path,
            bytes: file.text.into_bytes(),
        })
        .collect();
    let mut bytes = Vec::new();
    let (compilation, written) =
        compile_into(None, files, &CompileOptions::default(), Some(&mut bytes)).unwrap();
    assert_eq!(
        compilation.error_count(),
        0,
        "the generated policies compile"
    );
    assert!(written.unwrap());
    String::from_utf8(bytes).unwrap()
}

/// `CALLS` pairs of a role position and a permission name, spread over every role and
/// permission by a fixed linear congruential sequence.
fn questions(artifact: &Artifact) -> Vec<(usize, String)> {
    let permissions: Vec<String> = artifact.permissions().map(|p| p.name.clone()).collect();
    let roles = artifact.roles().len();
    let mut state: u64 = 42;
    (0..CALLS)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let high = (state >> 33) as usize;
            (high % roles, permissions[high % permissions.len()].clone())
        })
        .collect()
}

fn application(c: &mut Criterion) {
    let text = artifact_text();
    eprintln!(
        "artifact of {ROLES} generated roles: {} bytes ({:.1} MB)",
        text.len(),
        text.len() as f64 / 1e6
    );
    let mut group = c.benchmark_group("artifact");
    group.sample_size(10);
    group.bench_function("load/100000", |b| {
        // Freeing the artifact (millions of strings) is not part of loading it.
        b.iter_with_large_drop(|| Artifact::from_json(black_box(&text)).unwrap())
    });
    let artifact = Artifact::from_json(&text).unwrap();
    let questions = questions(&artifact);
    let roles: Vec<_> = artifact.roles().collect();
    let asked: Vec<_> = questions
        .iter()
        .map(|(role, permission)| (roles[*role], permission.as_str()))
        .collect();
    group.bench_function("can/1000000", |b| {
        b.iter(|| {
            asked
                .iter()
                .filter(|(role, permission)| role.can(black_box(permission)))
                .count()
        })
    });
    let by_id: Vec<_> = questions
        .iter()
        .map(|(role, permission)| (roles[*role].id(), permission.as_str()))
        .collect();
    group.bench_function("role_by_id_then_can/1000000", |b| {
        b.iter(|| {
            by_id
                .iter()
                .filter(|(id, permission)| {
                    artifact
                        .role_by_id(black_box(id))
                        .is_some_and(|role| role.can(black_box(permission)))
                })
                .count()
        })
    });
    group.finish();
}

criterion_group!(benches, application);
criterion_main!(benches);
