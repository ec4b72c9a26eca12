//! Criterion benchmarks of the compiler's stages on generated policies (see
//! `examples/gen/policy.rs`) of 1k, 10k and 100k roles:
//! - `parse`: pest parsing and lowering to the AST (the two are one pass);
//! - `check`: parse, resolve and validate (what `rolec check` does, without the CLI);
//! - `build`: `check` plus emitting the artifact.
//!
//! Run with `cargo bench --bench pipeline`; end-to-end timings of the release binary are
//! taken by `scripts/bench.sh`.

#[path = "../examples/gen/policy.rs"]
mod policy;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rolec::compile::{compile, CompileOptions, InputFile};
use rolec::source::FileId;

fn inputs(roles: usize) -> Vec<InputFile> {
    policy::generate(roles, 1000, 42)
        .into_iter()
        .map(|file| InputFile {
            path: file.path,
            bytes: file.text.into_bytes(),
        })
        .collect()
}

fn stages(c: &mut Criterion) {
    let mut group = c.benchmark_group("pipeline");
    group.sample_size(10);
    for roles in [1_000, 10_000, 100_000] {
        let files = inputs(roles);
        group.throughput(Throughput::Elements(roles as u64));
        group.bench_with_input(BenchmarkId::new("parse", roles), &files, |b, files| {
            b.iter(|| {
                for (index, file) in files.iter().enumerate() {
                    let text = std::str::from_utf8(&file.bytes).unwrap_or_default();
                    black_box(rolec::syntax::parse_file(FileId(index as u32), text));
                }
            })
        });
        for (name, emit_artifact) in [("check", false), ("build", true)] {
            let options = CompileOptions {
                emit_artifact,
                ..CompileOptions::default()
            };
            group.bench_with_input(BenchmarkId::new(name, roles), &files, |b, files| {
                b.iter(|| black_box(compile(None, files.clone(), &options)))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
