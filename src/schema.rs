//! The JSON Schemas (draft 2020-12) of rolec's three machine-readable documents: the
//! artifact, the `diff --format json` document and the `--format json` diagnostics
//! report. Each is generated from the serde types that are the format (`schemars` derives on
//! [`crate::artifact`], [`crate::diff`] and [`crate::report`]), never written by hand:
//! `rolec schema NAME` prints it, and `schemas/NAME.schema.json` is that output, kept equal
//! by a test (schemas/README.md). Feature `schema`.
//!
//! The schemas describe what rolec writes (schemars' serialize contract): every field it
//! always writes is required, and null only where the format allows it. Objects stay open to
//! properties they do not list, so that a new field keeps `v1` (docs/decisions.md, 47 and 48).

use schemars::generate::SchemaSettings;
use schemars::transform::RecursiveTransform;
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};

use crate::artifact::{Artifact, SCHEMA as ARTIFACT_SCHEMA};
use crate::ast::BaseKind;
use crate::diagnostics::Severity;
use crate::diff::render::{JsonDiff, DIFF_SCHEMA};
use crate::report::JsonReport;

/// One of the documents that has a schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Document {
    /// What `rolec build` writes (`rolec.artifact/v1`).
    Artifact,
    /// What `rolec diff --format json` prints (`rolec.diff/v1`).
    Diff,
    /// What `--format json` prints: the diagnostics of a run and their counts.
    Diagnostics,
}

impl Document {
    pub const ALL: [Document; 3] = [Document::Artifact, Document::Diff, Document::Diagnostics];

    /// The name `rolec schema` takes.
    pub fn name(self) -> &'static str {
        match self {
            Document::Artifact => "artifact",
            Document::Diff => "diff",
            Document::Diagnostics => "diagnostics",
        }
    }

    /// The schema's file under `schemas/`: `NAME.schema.json`.
    pub fn file_name(self) -> String {
        format!("{}.schema.json", self.name())
    }

    fn title(self) -> &'static str {
        match self {
            Document::Artifact => "rolec artifact",
            Document::Diff => "rolec diff",
            Document::Diagnostics => "rolec diagnostics report",
        }
    }

    fn description(self) -> String {
        let what = match self {
            Document::Artifact => format!(
                "The resolved permission table that `rolec build` writes: `{ARTIFACT_SCHEMA}`."
            ),
            Document::Diff => format!(
                "What a change does to who can do what, as `rolec diff --format json` prints it: `{DIFF_SCHEMA}`."
            ),
            Document::Diagnostics => {
                "The problems of a run, as `--format json` prints them.".to_string()
            }
        };
        format!(
            "{what} Generated from rolec's types by `rolec schema {}`; additive changes keep the version (schemas/README.md).",
            self.name()
        )
    }
}

/// The JSON Schema of `document`.
pub fn schema(document: Document) -> Schema {
    let mut generator = SchemaSettings::draft2020_12()
        .for_serialize()
        .with_transform(RecursiveTransform(tidy))
        .into_generator();
    let mut schema = match document {
        Document::Artifact => generator.root_schema_for::<Artifact>(),
        Document::Diff => generator.root_schema_for::<JsonDiff<'static>>(),
        Document::Diagnostics => generator.root_schema_for::<JsonReport<'static>>(),
    };
    schema.insert("title".into(), document.title().into());
    schema.insert("description".into(), document.description().into());
    schema
}

/// What schemars writes that a schema for applications is better without, in one
/// subschema (applied to each):
///
/// - `description`: the doc comments of the types, written for rolec's developers (the
///   documents' own documentation is docs/artifact.md and docs/diagnostics.md);
/// - `default`: what the reader assumes for a missing field; every such field is required;
/// - `format`: schemars' `uint` for `usize`, not a format of JSON Schema (strict validators
///   such as Ajv refuse unknown formats); `minimum` already says it;
/// - a `oneOf` of string constants (an enum with a documented variant) becomes one `enum`.
fn tidy(schema: &mut Schema) {
    for keyword in ["description", "default", "format"] {
        schema.remove(keyword);
    }
    let Some(serde_json::Value::Array(branches)) = schema.get("oneOf") else {
        return;
    };
    let mut values = Vec::new();
    for branch in branches {
        let Some(branch) = branch.as_object() else {
            return;
        };
        let only_strings = branch.get("type").and_then(|t| t.as_str()) == Some("string")
            && branch
                .keys()
                .all(|key| matches!(key.as_str(), "type" | "enum" | "const" | "description"));
        if !only_strings {
            return;
        }
        match (branch.get("enum"), branch.get("const")) {
            (Some(serde_json::Value::Array(listed)), None) => values.extend(listed.iter().cloned()),
            (None, Some(value)) => values.push(value.clone()),
            _ => return,
        }
    }
    schema.remove("oneOf");
    schema.insert("type".into(), "string".into());
    schema.insert("enum".into(), values.into());
}

/// [`schema`] as `rolec schema` prints it: indented JSON, with a final newline.
pub fn schema_json(document: Document) -> String {
    let mut text = serde_json::to_string_pretty(&schema(document)).unwrap_or_default();
    text.push('\n');
    text
}

// ── Fields whose values are a closed set the compiler knows ────────────────────────────────

/// `kind` of a role's base: the keywords of [`BaseKind`].
pub(crate) fn base_kind(_: &mut SchemaGenerator) -> Schema {
    // A new kind of base does not compile here until it is listed below.
    let listed = |kind: BaseKind| match kind {
        BaseKind::Copies | BaseKind::Inherits => kind.keyword(),
    };
    let kinds = [BaseKind::Copies, BaseKind::Inherits].map(listed);
    json_schema!({"type": "string", "enum": kinds})
}

/// `severity` of a diagnostic: the names of [`Severity`].
pub(crate) fn severity(_: &mut SchemaGenerator) -> Schema {
    // A new severity does not compile here until it is listed below.
    let listed = |severity: Severity| match severity {
        Severity::Error | Severity::Warning => severity.as_str(),
    };
    let severities = [Severity::Error, Severity::Warning].map(listed);
    json_schema!({"type": "string", "enum": severities})
}

/// `code` of a diagnostic: an error code or a lint name. The set grows (a new lint is an
/// additive change), so the schema gives the shape every code has rather than the list.
pub(crate) fn code(generator: &mut SchemaGenerator) -> Schema {
    let mut schema = String::json_schema(generator);
    schema.insert("pattern".into(), CODE_PATTERN.into());
    schema
}

/// The shape of every code and lint name: lowercase words joined by `-`.
pub const CODE_PATTERN: &str = "^[a-z][a-z0-9]*(-[a-z0-9]+)*$";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::all_codes;

    #[test]
    fn every_code_has_the_shape_the_schema_gives() {
        let pattern = |code: &str| {
            let mut words = code.split('-');
            let first_is_a_letter = code.chars().next().is_some_and(|c| c.is_ascii_lowercase());
            first_is_a_letter
                && words.all(|word| {
                    !word.is_empty()
                        && word
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                })
        };
        let mut count = 0;
        for code in all_codes() {
            assert!(pattern(code), "`{code}` does not match {CODE_PATTERN}");
            count += 1;
        }
        assert!(count > 20);
    }

    #[test]
    fn each_schema_names_its_draft_and_title() {
        for document in Document::ALL {
            let schema = schema(document);
            assert_eq!(
                schema.get("$schema").and_then(|v| v.as_str()),
                Some("https://json-schema.org/draft/2020-12/schema")
            );
            assert_eq!(
                schema.get("title").and_then(|v| v.as_str()),
                Some(document.title())
            );
            assert!(schema_json(document).ends_with("}\n"));
        }
    }
}
