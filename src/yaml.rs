//! YAML input (the catalog and `rolec.yaml`): reading a document with serde-saphyr's bounded
//! budget, and the spans of its nodes, so that every error has a line and column.

use serde::Deserialize;

use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, SourceMap, Span};

/// The span of a YAML node in file `file` whose text is `text`.
pub fn yaml_span(file: FileId, text: &str, location: &serde_saphyr::Location) -> Span {
    let span = location.span();
    let start = match span.byte_offset() {
        Some(offset) => usize::try_from(offset).unwrap_or(usize::MAX),
        None => offset_of_line_column(text, location.line(), location.column()),
    };
    let length = span
        .byte_len()
        .and_then(|length| usize::try_from(length).ok())
        .unwrap_or(0);
    let start = start.min(text.len());
    Span::new(file, start, start.saturating_add(length).min(text.len()))
}

fn offset_of_line_column(text: &str, line: u64, column: u64) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        text.match_indices('\n')
            .nth(usize::try_from(line - 2).unwrap_or(usize::MAX))
            .map_or(text.len(), |(index, _)| index + 1)
    };
    let rest = text.get(line_start..).unwrap_or("");
    let skip = usize::try_from(column.saturating_sub(1)).unwrap_or(usize::MAX);
    line_start
        + rest
            .char_indices()
            .nth(skip)
            .map_or(rest.len(), |(index, _)| index)
}

/// Deserializes YAML with the crate's bounded budget; an error becomes one diagnostic.
pub fn parse_yaml<T: for<'de> Deserialize<'de>>(
    sources: &SourceMap,
    file: FileId,
    code: Code,
) -> Result<T, Box<Diagnostic>> {
    let text = sources
        .get(file)
        .map(|f| f.text.clone())
        .unwrap_or_default();
    let options = serde_saphyr::options! { with_snippet: false };
    serde_saphyr::from_str_with_options::<T>(&text, options).map_err(|error| {
        let span = error.location().map_or(Span::new(file, 0, 0), |location| {
            yaml_span(file, &text, &location)
        });
        let message = error.without_snippet().to_string();
        if message.starts_with("budget breached") {
            return Box::new(
                Diagnostic::error(
                    code,
                    span,
                    "the YAML document is too large or expands too far through aliases",
                )
                .with_label("reading stopped here")
                .with_help(
                    "rolec reads YAML with a fixed budget of nodes, aliases and nesting, so that a small file cannot expand into a huge one; write the document out without aliases",
                ),
            );
        }
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .trim()
            .to_string();
        Box::new(Diagnostic::error(code, span, message))
    })
}
