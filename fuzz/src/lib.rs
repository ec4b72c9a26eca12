//! Checks shared by the fuzz targets: every report of a compilation renders, and every
//! location it prints lies inside its file.

use std::collections::HashMap;

use rolec::compile::Compilation;
use rolec::report;
use rolec::source::{FileId, SourceMap, Span};

/// Asserts that `span` lies inside its file, on character boundaries.
pub fn assert_span_inside(sources: &SourceMap, span: Span, what: &str) {
    let file = sources
        .get(span.file)
        .unwrap_or_else(|| panic!("{what}: span in unknown file {:?}", span.file));
    assert!(
        span.start <= span.end && file.text.get(span.start..span.end).is_some(),
        "{what}: span {}..{} is not a character range of `{}` ({} bytes)",
        span.start,
        span.end,
        file.path,
        file.text.len()
    );
}

/// Lengths in characters of each line of `text` (line ends not counted).
fn line_lengths(text: &str) -> Vec<usize> {
    text.split('\n').map(|line| line.chars().count()).collect()
}

/// Renders the diagnostics of `compilation` as human (with and without color), JSON, SARIF
/// and GitHub output, and checks that every span, line and column lies inside its file.
pub fn check_reports(compilation: &Compilation) {
    let sources = &compilation.sources;
    let diagnostics = &compilation.diagnostics;

    let mut lines: HashMap<FileId, Vec<usize>> = HashMap::new();
    for diagnostic in diagnostics {
        let code = diagnostic.code.as_str();
        let spans = diagnostic
            .span
            .into_iter()
            .chain(diagnostic.secondary.iter().map(|label| label.span));
        for span in spans {
            assert_span_inside(sources, span, code);
            let Some(file) = sources.get(span.file) else {
                continue;
            };
            let lengths = lines
                .entry(span.file)
                .or_insert_with(|| line_lengths(&file.text));
            for offset in [span.start, span.end] {
                let position = file.line_column(offset);
                let length = lengths.get(position.line.wrapping_sub(1)).copied();
                assert!(
                    length.is_some_and(|length| position.column >= 1
                        && position.column <= length + 1),
                    "{code}: {}:{}:{} is outside the file ({} lines)",
                    file.path,
                    position.line,
                    position.column,
                    lengths.len()
                );
            }
            assert!(
                file.line_column(span.start) <= file.line_column(span.end),
                "{code}: span ends before it starts"
            );
        }
    }

    let human = report::human(sources, diagnostics, false);
    assert!(human.ends_with(&report::summary(diagnostics)));
    let _ = report::human(sources, diagnostics, true);

    let json: serde_json::Value =
        serde_json::from_str(&report::json(sources, diagnostics)).expect("the JSON report parses");
    let listed = json["diagnostics"].as_array().map_or(0, Vec::len);
    assert_eq!(
        listed,
        diagnostics.len(),
        "the JSON report lists every diagnostic"
    );
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    assert_eq!(json["errors"].as_u64(), Some(errors as u64));

    let sarif: serde_json::Value = serde_json::from_str(&report::sarif(sources, diagnostics))
        .expect("the SARIF report parses");
    let results = sarif["runs"][0]["results"].as_array().map_or(0, Vec::len);
    assert_eq!(
        results,
        diagnostics.len(),
        "SARIF has one result per diagnostic"
    );

    let github = report::github(sources, diagnostics);
    assert_eq!(
        github.lines().count(),
        diagnostics.len(),
        "one workflow command per diagnostic, each on one line"
    );
}
