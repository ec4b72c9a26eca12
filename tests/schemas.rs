//! The JSON Schemas of `schemas/` (contract section 8, schemas/README.md): each file is
//! exactly what `rolec schema NAME` prints, follows the draft 2020-12 metaschema, and is
//! strict enough to refuse a broken document.
//!
//! That every document the test suite produces follows its schema is checked where the
//! documents are made: `common::rolec` validates every run of the binary, `tests/cases.rs`,
//! `tests/fmt.rs` and `tests/properties.rs` what they compile, and `tests/cli.rs` runs every
//! case of `tests/cmd` again for it.
// A test or tool, not the compiler: a failed unwrap or index here is a failed run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::Path;

use common::{project, rolec, rolec_documents, Document, SchemaChecks};
use serde_json::{json, Value};

/// The command that rewrites `schemas/` from the types.
const REGENERATE: &str = "scripts/update-schemas.sh";

fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn each_committed_schema_is_what_rolec_schema_prints() {
    for document in Document::ALL {
        let run = rolec(repository(), &["schema", document.name()]);
        assert_eq!(run.status, Some(0), "{}", run.describe());
        assert!(run.stderr.is_empty(), "{}", run.describe());
        let path = document.schema_path();
        let committed = std::fs::read(&path).unwrap_or_default();
        assert!(
            committed == run.stdout,
            "{} differs from `rolec schema {}` (the types changed): run `{REGENERATE}` and \
             review the diff",
            path.display(),
            document.name()
        );
    }
}

#[test]
fn each_schema_follows_the_draft_2020_12_metaschema() {
    for document in Document::ALL {
        let path = document.schema_path();
        let schema: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read a schema"))
                .expect("a schema is JSON");
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema",
            "{}",
            path.display()
        );
        if let Err(error) = jsonschema::meta::validate(&schema) {
            panic!("{}: {error}", path.display());
        }
    }
}

// ---------------------------------------------------------------------------------------
// Strictness: a broken document is refused

/// A valid document of each kind, made by the binary: the artifact of `policies/`, the JSON
/// diff of a change that adds, changes and removes roles and edits the catalog, and the
/// JSON report of a policy with an error and a warning.
fn valid_documents() -> [(Document, Value); 3] {
    let built = rolec(repository(), &["build", "policies"]);
    assert_eq!(built.status, Some(0), "{}", built.describe());
    let artifact: Value = serde_json::from_slice(&built.stdout).expect("an artifact");

    let dir = project(&[
        (
            "old/a.roles",
            "author Administrator\nrole Kept copies User < -crm >\nrole Gone < +mail >\n",
        ),
        (
            "new/a.roles",
            "author Administrator\n@doc(\"x\") role Kept copies User < +billing >\nrole Added inherits Guest < +crm >\n",
        ),
        (
            "bad/a.roles",
            "author Administrator\nrole X copies User < +nosuch >\nrole Empty\n",
        ),
    ]);
    let run = rolec(dir.path(), &["diff", "old", "new", "--format", "json"]);
    assert_eq!(run.status, Some(0), "{}", run.describe());
    let diff: Value = serde_json::from_slice(&run.stdout).expect("a diff");
    assert_eq!(diff["roles"].as_array().map(Vec::len), Some(3), "{diff}");

    let run = rolec(dir.path(), &["check", "--format", "json", "bad"]);
    assert_eq!(run.status, Some(1), "{}", run.describe());
    let report: Value = serde_json::from_slice(&run.stdout).expect("a report");
    assert_eq!(
        (report["errors"].clone(), report["warnings"].clone()),
        (json!(1), json!(1))
    );

    [
        (Document::Artifact, artifact),
        (Document::Diff, diff),
        (Document::Diagnostics, report),
    ]
}

type Breakage = (Document, &'static str, fn(&mut Value));

/// Ways a careless change to a writer, or a hand-edited file, would break each document.
const BREAKAGES: &[Breakage] = &[
    (Document::Artifact, "another schema version", |v| {
        v["schema"] = "rolec.artifact/v2".into();
    }),
    (Document::Artifact, "no `roles`", |v| {
        v.as_object_mut().unwrap().remove("roles");
    }),
    (Document::Artifact, "a role without `permissions`", |v| {
        v["roles"][0].as_object_mut().unwrap().remove("permissions");
    }),
    (Document::Artifact, "a role without `source`", |v| {
        v["roles"][0].as_object_mut().unwrap().remove("source");
    }),
    (Document::Artifact, "`builtin` as a string", |v| {
        v["roles"][0]["builtin"] = "true".into();
    }),
    (Document::Artifact, "a permission as a number", |v| {
        v["roles"][0]["permissions"][0] = 7.into();
    }),
    (Document::Artifact, "a permission twice in a role", |v| {
        let first = v["roles"][0]["permissions"][0].clone();
        v["roles"][0]["permissions"]
            .as_array_mut()
            .unwrap()
            .push(first);
    }),
    (Document::Artifact, "a base of an unknown kind", |v| {
        let role = custom_role_with_base(v);
        role["base"]["kind"] = "extends".into();
    }),
    (Document::Artifact, "a base without `roles`", |v| {
        let role = custom_role_with_base(v);
        role["base"].as_object_mut().unwrap().remove("roles");
    }),
    (Document::Artifact, "a source at line 0", |v| {
        let role = custom_role_with_base(v);
        role["source"]["line"] = 0.into();
    }),
    (Document::Artifact, "a source line as a string", |v| {
        let role = custom_role_with_base(v);
        role["source"]["line"] = "4".into();
    }),
    (
        Document::Artifact,
        "an annotation that is not a string",
        |v| {
            v["roles"][0]["annotations"] = json!({"doc": ["a", "list"]});
        },
    ),
    (Document::Artifact, "an empty id", |v| {
        v["roles"][0]["id"] = "".into();
    }),
    (Document::Artifact, "a group's `sensitive` as null", |v| {
        v["catalog"]["groups"][0]["sensitive"] = Value::Null;
    }),
    (Document::Diff, "the artifact's schema", |v| {
        v["schema"] = "rolec.artifact/v1".into();
    }),
    (Document::Diff, "an unknown change", |v| {
        v["roles"][0]["change"] = "moved".into();
    }),
    (Document::Diff, "a role without `gained`", |v| {
        v["roles"][0].as_object_mut().unwrap().remove("gained");
    }),
    (Document::Diff, "`renamed_from` left out", |v| {
        v["roles"][0]
            .as_object_mut()
            .unwrap()
            .remove("renamed_from");
    }),
    (Document::Diff, "`sensitive` of a gain as a string", |v| {
        let role = v["roles"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|r| !r["gained"].as_array().unwrap().is_empty())
            .unwrap();
        role["gained"][0]["sensitive"] = "no".into();
    }),
    (Document::Diff, "a negative count", |v| {
        v["sensitive_gains"] = (-1).into();
    }),
    (Document::Diagnostics, "an unknown severity", |v| {
        v["diagnostics"][0]["severity"] = "fatal".into();
    }),
    (Document::Diagnostics, "a diagnostic without `code`", |v| {
        v["diagnostics"][0].as_object_mut().unwrap().remove("code");
    }),
    (
        Document::Diagnostics,
        "`help` left out instead of null",
        |v| {
            v["diagnostics"][0].as_object_mut().unwrap().remove("help");
        },
    ),
    (Document::Diagnostics, "a code that is not a code", |v| {
        v["diagnostics"][0]["code"] = "Unknown Permission".into();
    }),
    (Document::Diagnostics, "a line as a string", |v| {
        v["diagnostics"][0]["line"] = "2".into();
    }),
    (Document::Diagnostics, "column 0", |v| {
        v["diagnostics"][0]["column"] = 0.into();
    }),
    (Document::Diagnostics, "no `errors` count", |v| {
        v.as_object_mut().unwrap().remove("errors");
    }),
];

/// The first custom role of an artifact that has a base (and so a source).
fn custom_role_with_base(artifact: &mut Value) -> &mut Value {
    artifact["roles"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|role| role["builtin"] == false && role["base"].is_object())
        .expect("a custom role with a base in policies/")
}

#[test]
fn a_broken_document_is_refused() {
    let valid = valid_documents();
    for (document, value) in &valid {
        assert_eq!(
            document.violations(value),
            Vec::<String>::new(),
            "{}",
            document.name()
        );
    }
    for &(document, what, breakage) in BREAKAGES {
        let (_, value) = valid.iter().find(|(d, _)| *d == document).unwrap();
        let mut broken = value.clone();
        breakage(&mut broken);
        assert_ne!(&broken, value, "{what}: the breakage changed nothing");
        assert!(
            !document.violations(&broken).is_empty(),
            "the {} schema accepts a document with {what}",
            document.name()
        );
    }
    // Each kind of document is broken in several ways.
    for document in Document::ALL {
        let count = BREAKAGES.iter().filter(|(d, _, _)| *d == document).count();
        assert!(count >= 5, "{}: {count} breakages", document.name());
    }
}

/// The versioning rule (schemas/README.md): a new field is an additive change and keeps
/// `v1`, so a document with a field the schema does not list still validates, at the top
/// and inside every kind of object.
#[test]
fn a_new_field_keeps_a_document_valid() {
    for (document, mut value) in valid_documents() {
        let mut objects = 0;
        add_field_everywhere(&mut value, &mut objects);
        assert!(objects >= 3, "{}", document.name());
        assert_eq!(
            document.violations(&value),
            Vec::<String>::new(),
            "{}",
            document.name()
        );
    }
}

/// Adds `"added_in_v1_1": true` to every object in `value` but the maps of annotations
/// (whose values are strings), counting them.
fn add_field_everywhere(value: &mut Value, objects: &mut usize) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if key != "annotations" {
                    add_field_everywhere(inner, objects);
                }
            }
            map.insert("added_in_v1_1".into(), true.into());
            *objects += 1;
        }
        Value::Array(items) => {
            for item in items {
                add_field_everywhere(item, objects);
            }
        }
        _ => {}
    }
}

/// The harness's check can fail: a broken document in a stream fails the run's test.
#[test]
fn the_harness_refuses_a_run_whose_document_is_broken() {
    let broken = json!({"diagnostics": [{"severity": "fatal"}], "errors": 0, "warnings": 0});
    let failed = std::panic::catch_unwind(|| {
        Document::Diagnostics.assert_valid(&broken.to_string(), "a broken report");
    });
    assert!(failed.is_err());
    // And it recognises each document by what it is.
    let (_, documents) = rolec_documents(repository(), &["build", "policies"]);
    assert_eq!(documents, [Document::Artifact]);
    let (_, documents) = rolec_documents(repository(), &["schema", "artifact"]);
    assert_eq!(documents, []);
}
