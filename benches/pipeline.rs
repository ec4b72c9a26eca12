//! Criterion benchmarks of the compiler's stages on generated policies (see
//! `examples/gen/policy.rs`) of 1k, 10k and 100k roles:
//! - `parse`: pest parsing and lowering to the AST (the two are one pass);
//! - `resolve`, `validate`, `emit`: each stage alone, on the output of the stages before it;
//! - `check`: parse, resolve and validate (what `rolec check` does, without the CLI);
//! - `build`: `check` plus emitting the artifact.
//!
//! Run with `cargo bench --bench pipeline`; end-to-end timings of the release binary are
//! taken by `scripts/bench.sh`.
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

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::collections::HashSet;
use std::sync::Arc;

use rolec::catalog::{self, Catalog};
use rolec::compile::{compile, compile_into, CompileOptions, InputFile};
use rolec::lints::LintLevels;
use rolec::resolve::{resolve, ResolveOptions};
use rolec::source::{FileId, SourceMap};
use rolec::validate::{validate, ValidateOptions};

fn inputs(roles: usize) -> Vec<InputFile> {
    policy::generate(roles, 1000, 42)
        .into_iter()
        .map(|file| InputFile {
            path: file.path,
            bytes: file.text.into_bytes(),
            project_path: None,
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
        bench_stages(&mut group, roles, &files);
        let options = CompileOptions::default();
        group.bench_with_input(BenchmarkId::new("check", roles), &files, |b, files| {
            b.iter(|| black_box(compile(None, files.clone(), &options)))
        });
        // The artifact written as it is rendered, as `rolec build` writes it.
        group.bench_with_input(BenchmarkId::new("build", roles), &files, |b, files| {
            b.iter(|| {
                let mut bytes = Vec::new();
                let built = compile_into(None, files.clone(), &options, Some(&mut bytes));
                black_box((built.is_ok(), bytes.len()))
            })
        });
    }
    group.finish();
}

/// The embedded catalog and the policies, parsed: the input of `resolve`.
fn parsed(files: &[InputFile]) -> (SourceMap, Catalog, Vec<rolec::ast::PolicyFile>) {
    // The catalog is `FileId(0)` of a run, as in `compile`.
    let mut sources = SourceMap::default();
    catalog::add_embedded_source(&mut sources);
    let catalog = catalog::embedded()
        .cloned()
        .unwrap_or_else(|| panic!("the embedded catalog loads"));
    let parsed = files
        .iter()
        .map(|file| {
            let text = std::str::from_utf8(&file.bytes).unwrap_or_default();
            let id = sources.add(file.path.clone(), Arc::from(text));
            rolec::syntax::parse_file(id, text).0
        })
        .collect();
    (sources, catalog, parsed)
}

fn bench_stages(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    roles: usize,
    files: &[InputFile],
) {
    let (sources, catalog, parsed) = parsed(files);
    let levels = LintLevels::default();
    let resolve_options = ResolveOptions {
        lint_levels: &levels,
        report_unknown_roles: true,
    };
    let no_syntax_errors = HashSet::new();
    let validate_options = ValidateOptions {
        default_author: None,
        ceiling: None,
        report_unknown_roles: true,
        files_with_syntax_errors: &no_syntax_errors,
    };
    group.bench_function(BenchmarkId::new("resolve", roles), |b| {
        b.iter(|| {
            let mut diagnostics = Vec::new();
            black_box(
                resolve(&catalog, &parsed, &resolve_options, &mut diagnostics)
                    .roles
                    .len(),
            )
        })
    });
    let mut diagnostics = Vec::new();
    let resolution = resolve(&catalog, &parsed, &resolve_options, &mut diagnostics);
    group.bench_function(BenchmarkId::new("validate", roles), |b| {
        b.iter(|| {
            let mut diagnostics = Vec::new();
            black_box(validate(
                &catalog,
                &parsed,
                &resolution,
                &validate_options,
                &mut diagnostics,
            ))
        })
    });
    let authors = validate(
        &catalog,
        &parsed,
        &resolution,
        &validate_options,
        &mut diagnostics,
    );
    assert!(diagnostics.is_empty(), "the generated policies compile");
    group.bench_function(BenchmarkId::new("emit", roles), |b| {
        b.iter(|| {
            let mut bytes = Vec::new();
            let written = rolec::artifact::write_artifact(
                &mut bytes,
                &catalog,
                &resolution,
                &authors,
                &sources,
            );
            black_box((written.is_ok(), bytes.len()))
        })
    });
}

criterion_group!(benches, stages);
criterion_main!(benches);
