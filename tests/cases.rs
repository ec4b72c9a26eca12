//! The language's data-driven tests: every file or folder under `tests/cases/` is one case.
//!
//! A case is a `.roles` file, or a folder of them for cases that span files. Comment lines
//! at the top of any of its files say how to run it and what must come out:
//!
//! ```text
//! # args: --author Administrator --max-author Administrator --deny-warnings
//! # lint: empty-role=deny
//! # expect: escalation 3:28            (single-file case)
//! # expect: escalation b.roles:3:28    (folder case)
//! ```
//!
//! The `expect` lines must list exactly the codes and start positions of the diagnostics;
//! the full output (human rendering, JSON diagnostics and the custom roles of the artifact)
//! is compared with the case's insta snapshot in `tests/snapshots/`, and the case's
//! `--format sarif` document is validated against the official SARIF 2.1.0 JSON schema
//! (`tests/data/sarif-schema-2.1.0.json`), its `--format json` report and its artifact
//! against rolec's own schemas (`schemas/`).
// A test or tool, not the compiler: a failed unwrap or index here is a failed run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

// The schemas of `common`; its harness for the binary is not used here.
#[allow(dead_code)]
mod common;

use std::path::{Path, PathBuf};

use common::{Document, SchemaChecks};
use rolec::compile::{compile, Ceiling, CompileOptions, InputFile};
use rolec::lints::{Level, Lint};
use rolec::report;

struct Case {
    name: String,
    files: Vec<InputFile>,
    options: CompileOptions,
    catalog: Option<InputFile>,
    expected: Vec<String>,
}

fn load_case(path: &Path) -> Case {
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut files: Vec<(String, PathBuf)> = if path.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path)
            .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        entries.retain(|p: &PathBuf| p.extension().is_some_and(|e| e == "roles" || e == "yaml"));
        entries
            .into_iter()
            .map(|p| {
                (
                    p.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    p,
                )
            })
            .collect()
    } else {
        vec![(format!("{name}.roles"), path.to_path_buf())]
    };
    files.sort();
    let mut options = CompileOptions {
        emit_artifact: true,
        ..CompileOptions::default()
    };
    let mut expected = Vec::new();
    let mut inputs = Vec::new();
    let mut catalog = None;
    for (display, file) in files {
        let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        if display.ends_with(".yaml") {
            catalog = Some(InputFile {
                path: display,
                bytes,
                project_path: None,
            });
            continue;
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        for line in text.lines().take_while(|line| line.starts_with('#')) {
            if let Some(args) = line.strip_prefix("# args:") {
                let mut words = args.split_whitespace();
                while let Some(flag) = words.next() {
                    match flag {
                        "--author" => options.default_author = words.next().map(str::to_string),
                        "--max-author" => options.ceiling = words.next().map(Ceiling::builtin),
                        "--deny-warnings" => options.deny_warnings = true,
                        other => panic!("{name}: unknown flag {other}"),
                    }
                }
            } else if let Some(setting) = line.strip_prefix("# lint:") {
                let (lint, level) = setting
                    .trim()
                    .split_once('=')
                    .unwrap_or_else(|| panic!("{name}: bad lint line"));
                let lint =
                    Lint::from_name(lint).unwrap_or_else(|| panic!("{name}: unknown lint {lint}"));
                let level =
                    Level::parse(level).unwrap_or_else(|| panic!("{name}: unknown level {level}"));
                options.lint_levels.set(lint, level);
            } else if let Some(expectation) = line.strip_prefix("# expect:") {
                let expectation = expectation.trim();
                if path.is_dir() {
                    expected.push(expectation.to_string());
                } else {
                    let (code, position) = expectation.split_once(' ').unwrap_or((expectation, ""));
                    expected.push(format!("{code} {display}:{position}"));
                }
            }
        }
        inputs.push(InputFile {
            path: display,
            bytes,
            project_path: None,
        });
    }
    expected.sort();
    Case {
        name,
        files: inputs,
        options,
        catalog,
        expected,
    }
}

/// The official SARIF 2.1.0 schema (OASIS), with formats (`uri`, `date-time`) checked too.
fn sarif_validator() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // The official file has a known typo in the pattern of `language`: a stray `]`, which
    // ECMA-262 (the schema's regex dialect) reads as a literal and Rust's `regex` refuses.
    // Escaping it keeps the ECMA-262 meaning; the file itself stays as published.
    let stray = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
    assert!(
        text.contains(stray),
        "the schema's `language` pattern changed"
    );
    let text = text.replace(stray, r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$""#);
    let schema: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    jsonschema::draft7::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every way `document` breaks the SARIF schema, one line each (empty when it is valid).
fn sarif_violations(validator: &jsonschema::Validator, document: &str) -> Vec<String> {
    match serde_json::from_str::<serde_json::Value>(document) {
        Ok(value) => validator
            .iter_errors(&value)
            .map(|error| format!("{} at {}", error, error.instance_path()))
            .collect(),
        Err(error) => vec![format!("not JSON: {error}")],
    }
}

fn run_case(case: Case, sarif_schema: &jsonschema::Validator) -> Result<(), String> {
    let compilation = compile(case.catalog, case.files, &case.options)
        .map_err(|e| format!("{}: usage error {}", case.name, e.0))?;
    let mut actual: Vec<String> = compilation
        .diagnostics
        .iter()
        .map(|d| {
            let location = d
                .span
                .and_then(|span| compilation.sources.get(span.file).map(|f| (f, span)))
                .map(|(file, span)| {
                    let position = file.line_column(span.start);
                    format!("{}:{}:{}", file.path, position.line, position.column)
                })
                .unwrap_or_default();
            format!("{} {location}", d.code.as_str())
        })
        .collect();
    actual.sort();
    if actual != case.expected {
        return Err(format!(
            "{}: diagnostics differ\n  expected: {:?}\n  actual:   {:?}\n{}",
            case.name,
            case.expected,
            actual,
            report::human(&compilation.sources, &compilation.diagnostics, false)
        ));
    }
    let violations = sarif_violations(
        sarif_schema,
        &report::sarif(&compilation.sources, &compilation.diagnostics),
    );
    if !violations.is_empty() {
        return Err(format!(
            "{}: the SARIF output breaks the SARIF 2.1.0 schema:\n  {}",
            case.name,
            violations.join("\n  ")
        ));
    }
    let human = report::human(&compilation.sources, &compilation.diagnostics, false);
    let json = report::json(&compilation.sources, &compilation.diagnostics);
    let artifact_json = compilation.artifact.as_ref().map(|a| a.to_json());
    for (document, text) in [
        (Document::Diagnostics, Some(&json)),
        (Document::Artifact, artifact_json.as_ref()),
    ] {
        let problems = text.map(|text| document.problems(text)).unwrap_or_default();
        if !problems.is_empty() {
            return Err(format!(
                "{}: the {} does not follow its schema:\n  {}",
                case.name,
                document.name(),
                problems.join("\n  ")
            ));
        }
    }
    let artifact = artifact_json
        .map(|artifact| {
            artifact
                .lines()
                .filter(|line| line.contains("\"builtin\":false"))
                .map(|line| format!("{}\n", line.trim()))
                .collect::<String>()
        })
        .unwrap_or_else(|| "(no artifact)\n".to_string());
    let snapshot = format!(
        "{human}\n---- json ----\n{json}\n---- custom roles of the artifact ----\n{artifact}"
    );
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let name = case.name.clone();
    settings.bind(|| {
        std::panic::catch_unwind(|| insta::assert_snapshot!(name.as_str(), snapshot))
            .map_err(|_| format!("{}: snapshot differs (see above)", case.name))
    })
}

#[test]
fn cases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&root)
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    paths.sort();
    assert!(
        paths.len() >= 20,
        "expected the case files under {}",
        root.display()
    );
    let sarif_schema = sarif_validator();
    let failures: Vec<String> = paths
        .iter()
        .map(|path| run_case(load_case(path), &sarif_schema))
        .filter_map(Result::err)
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n")
    );
}

/// The schema check can fail: documents that break SARIF in the ways a careless change to
/// `report::sarif` would (a zero column, a relative help link, a missing version, an unknown
/// level) are each refused.
#[test]
fn sarif_schema_refuses_broken_documents() {
    let validator = sarif_validator();
    let valid = report::sarif(&rolec::source::SourceMap::default(), &[]);
    assert_eq!(sarif_violations(&validator, &valid), Vec::<String>::new());
    type Breakage = fn(&mut serde_json::Value);
    let breakages: [(&str, Breakage); 4] = [
        ("no version", |doc| {
            doc.as_object_mut().map(|o| o.remove("version"));
        }),
        ("relative helpUri", |doc| {
            doc["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] = "diagnostics.md#x".into();
        }),
        ("unknown level", |doc| {
            doc["runs"][0]["tool"]["driver"]["rules"][0]["defaultConfiguration"]["level"] =
                "fatal".into();
        }),
        ("column 0", |doc| {
            doc["runs"][0]["results"] = serde_json::json!([{
                "ruleId": "syntax",
                "message": {"text": "x"},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": "a.roles"},
                    "region": {"startLine": 1, "startColumn": 0}
                }}]
            }]);
        }),
    ];
    for (what, breakage) in breakages {
        let mut document: serde_json::Value = serde_json::from_str(&valid).unwrap_or_default();
        breakage(&mut document);
        assert!(
            !sarif_violations(&validator, &document.to_string()).is_empty(),
            "a SARIF document with {what} passed the schema"
        );
    }
}

/// Every rule carries its own section of `docs/diagnostics.md` as its help, inline (rolec has
/// no published page to link to, so no rule has a `helpUri` unless a build is given one).
#[test]
fn sarif_rules_carry_their_docs_section() {
    let document: serde_json::Value =
        serde_json::from_str(&report::sarif(&rolec::source::SourceMap::default(), &[]))
            .unwrap_or_default();
    let rules = document["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(rules.len(), rolec::diagnostics::all_codes().count());
    for rule in rules {
        let id = rule["id"].as_str().unwrap_or_default();
        let help = rule["help"]["markdown"].as_str().unwrap_or_default();
        assert!(
            help.starts_with(&format!("## `{id}`\n")) && help.lines().count() > 3,
            "{id}: {help}"
        );
        assert_eq!(rule["help"]["text"].as_str(), Some(help), "{id}");
        assert_eq!(
            rule.get("helpUri").is_some(),
            option_env!("ROLEC_DOCS_URL").is_some_and(|url| !url.is_empty()),
            "{id}"
        );
    }
}
