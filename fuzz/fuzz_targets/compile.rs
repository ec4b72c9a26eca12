//! Arbitrary bytes through the whole pipeline with the embedded catalog, then every report
//! format. Byte 0xFF (never valid UTF-8) separates files, so one input can be a run of
//! several files; an input without it is one file.
//!
//! Checks: no panic; every span, line and column of a diagnostic lies inside its file
//! (`rolec_fuzz::check_reports`); an artifact comes out exactly when there is no error, it
//! is JSON, and it reads back as the same artifact.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rolec::artifact::Artifact;
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
            project_path: None,
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
        let json = artifact.to_json();
        serde_json::from_str::<serde_json::Value>(&json).expect("the artifact is JSON");
        let read = Artifact::from_json(&json).expect("the artifact reads back");
        assert!(&read == artifact, "the artifact reads back as itself");
    }
});
