//! Arbitrary bytes through the whole pipeline with the embedded catalog, then every report
//! format. Byte 0xFF (never valid UTF-8) separates files, so one input can be a run of
//! several files; an input without it is one file.
//!
//! Checks: no panic; every span, line and column of a diagnostic lies inside its file
//! (`rolec_fuzz::check_reports`); an artifact comes out exactly when there is no error, and
//! it is JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rolec::compile::{compile, CompileOptions, InputFile};

/// More files than this are folded into the last one.
const MAX_FILES: usize = 8;

fuzz_target!(|data: &[u8]| {
    let policies: Vec<InputFile> = data
        .splitn(MAX_FILES, |&byte| byte == 0xFF)
        .enumerate()
        .map(|(index, bytes)| InputFile {
            path: format!("policies/f{index}.roles"),
            bytes: bytes.to_vec(),
        })
        .collect();
    let options = CompileOptions {
        default_author: Some("Administrator".to_string()),
        emit_artifact: true,
        ..CompileOptions::default()
    };
    let compilation = compile(None, policies, &options).expect("no usage error without a ceiling");
    rolec_fuzz::check_reports(&compilation);
    assert_eq!(
        compilation.artifact.is_some(),
        compilation.error_count() == 0,
        "an artifact exactly when there is no error"
    );
    if let Some(artifact) = &compilation.artifact {
        serde_json::from_slice::<serde_json::Value>(artifact).expect("the artifact is JSON");
    }
});
