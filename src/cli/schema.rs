//! `rolec schema artifact|diff|diagnostics`: the JSON Schema of a document rolec writes,
//! generated from its types by the library (`rolec::schema`); `schemas/` holds the same text.

use clap::ValueEnum;

use super::output::print_stdout;
use super::{usage_error, ExitStatus};
use rolec::schema::{schema_json, Document};

/// The documents that have a schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(super) enum SchemaName {
    /// The artifact `rolec build` writes.
    Artifact,
    /// The document `rolec diff --format json` prints.
    Diff,
    /// The report `--format json` prints.
    Diagnostics,
}

impl SchemaName {
    fn document(self) -> Document {
        match self {
            SchemaName::Artifact => Document::Artifact,
            SchemaName::Diff => Document::Diff,
            SchemaName::Diagnostics => Document::Diagnostics,
        }
    }
}

pub(super) fn run(name: SchemaName) -> ExitStatus {
    if print_stdout(schema_json(name.document()).as_bytes()).is_err() {
        return usage_error("cannot write the schema to standard output");
    }
    ExitStatus::Ok
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The command's names are the library's, in the same order.
    #[test]
    fn each_name_is_the_documents() {
        let names: Vec<String> = SchemaName::value_variants()
            .iter()
            .filter_map(|name| name.to_possible_value())
            .map(|value| value.get_name().to_string())
            .collect();
        let documents: Vec<&str> = Document::ALL.iter().map(|d| d.name()).collect();
        assert_eq!(names, documents);
        for name in SchemaName::value_variants() {
            assert_eq!(
                name.to_possible_value().map(|v| v.get_name().to_string()),
                Some(name.document().name().to_string())
            );
        }
    }
}
