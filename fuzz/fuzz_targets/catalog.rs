//! Arbitrary bytes as the catalog YAML (`--catalog`), compiled with no policy, then every
//! report format; the same bytes as `rolec.yaml`. Checks: no panic, no usage error, every
//! location inside its file, and a catalog that loads gives an artifact.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rolec::compile::{compile, CompileOptions, InputFile};

fuzz_target!(|data: &[u8]| {
    let catalog = InputFile {
        path: "catalog.yaml".to_string(),
        bytes: data.to_vec(),
        project_path: None,
    };
    let options = CompileOptions {
        emit_artifact: true,
        ..CompileOptions::default()
    };
    let compilation = compile(Some(catalog), Vec::new(), &options).expect("no usage error");
    rolec_fuzz::check_reports(&compilation);
    assert_eq!(
        compilation.artifact.is_some(),
        compilation.error_count() == 0,
        "an artifact exactly when the catalog is valid"
    );

    if let Ok(text) = std::str::from_utf8(data) {
        if let Err((sources, diagnostics)) = rolec::config::parse("rolec.yaml", text) {
            for diagnostic in &diagnostics {
                if let Some(span) = diagnostic.span {
                    rolec_fuzz::assert_span_inside(&sources, span, diagnostic.code.as_str());
                }
            }
            let _ = rolec::report::human(&sources, &diagnostics, false);
        }
    }
});
